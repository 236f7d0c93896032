//! Commitment queries: the row, the filtered list of an agreement, the groupings the reports read, and
//! the progress log. No rules here: the service decides what may be written.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{CommitmentFilter, CommitmentRow, CommitmentStatus, Standing, UpdateRow};
use crate::db::schema::{commitment_updates, commitments};
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::expect_one_row;

pub fn find(conn: &mut DbConnection, id: Id) -> Result<CommitmentRow, AppError> {
    commitments::table
        .find(id)
        .select(CommitmentRow::as_select())
        .first(conn)
        .map_err(crate::agreements::repo::named("commitments", id))
}

pub fn insert(conn: &mut DbConnection, row: &CommitmentRow) -> Result<(), AppError> {
    diesel::insert_into(commitments::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes the row if it is still at `expected_version`; 412 when another writer got there first.
pub fn update(conn: &mut DbConnection, row: &CommitmentRow, expected_version: i32) -> Result<(), AppError> {
    let changed = diesel::update(
        commitments::table
            .filter(commitments::id.eq(row.id))
            .filter(commitments::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)?;
    expect_one_row(changed)
}

/// Up to `limit` commitments of the agreement after the id `after`, in creation order.
pub fn list(
    conn: &mut DbConnection,
    agreement: Id,
    filter: &CommitmentFilter,
    today: NaiveDate,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<CommitmentRow>, AppError> {
    let mut query = commitments::table
        .filter(commitments::agreement_id.eq(agreement))
        .select(CommitmentRow::as_select())
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(commitments::status.eq(status));
    }
    match filter.overdue {
        Some(true) => {
            query = query
                .filter(commitments::due_on.lt(today))
                .filter(commitments::status.ne_all(CommitmentStatus::FINAL))
        }
        Some(false) => {
            query = query.filter(
                commitments::due_on
                    .is_null()
                    .or(commitments::due_on.ge(today))
                    .or(commitments::status.eq_any(CommitmentStatus::FINAL)),
            )
        }
        None => {}
    }
    if let Some(org) = filter.responsible_organization_id {
        query = query.filter(commitments::responsible_organization_id.eq(org));
    }
    if let Some(before) = filter.due_before {
        query = query.filter(commitments::due_on.lt(before));
    }
    if let Some(after) = after {
        query = query.filter(commitments::id.gt(after));
    }
    Ok(query.order(commitments::id.asc()).limit(limit).load(conn)?)
}

/// Rows grouped by agreement, each group in the order the rows come.
fn grouped<T>(rows: Vec<(Id, T)>) -> HashMap<Id, Vec<T>> {
    let mut groups: HashMap<Id, Vec<T>> = HashMap::new();
    for (agreement, row) in rows {
        groups.entry(agreement).or_default().push(row);
    }
    groups
}

/// Every commitment, grouped by agreement, each group in creation order: one query for the reports that
/// cover every agreement.
pub fn by_agreement(conn: &mut DbConnection) -> Result<HashMap<Id, Vec<CommitmentRow>>, AppError> {
    let rows: Vec<CommitmentRow> =
        commitments::table.order(commitments::id.asc()).select(CommitmentRow::as_select()).load(conn)?;
    Ok(grouped(rows.into_iter().map(|row| (row.agreement_id, row)).collect()))
}

/// The standing of every commitment, grouped by agreement. Three columns instead of the whole rows: at
/// 80,000 commitments the whole rows made each agreements report grow the process by about 95 MB, these by
/// about 45 MB (benches/RESULTS.md).
pub fn standing_by_agreement(conn: &mut DbConnection) -> Result<HashMap<Id, Vec<Standing>>, AppError> {
    let rows: Vec<(Id, CommitmentStatus, Option<NaiveDate>)> = commitments::table
        .select((commitments::agreement_id, commitments::status, commitments::due_on))
        .load(conn)?;
    Ok(grouped(rows.into_iter().map(|(a, status, due_on)| (a, Standing { status, due_on })).collect()))
}

/// Every commitment of the agreement, in creation order.
pub fn all_of(conn: &mut DbConnection, agreement: Id) -> Result<Vec<CommitmentRow>, AppError> {
    list(conn, agreement, &CommitmentFilter::default(), NaiveDate::MIN, None, i64::MAX)
}

pub fn insert_update(conn: &mut DbConnection, row: &UpdateRow) -> Result<(), AppError> {
    diesel::insert_into(commitment_updates::table).values(row).execute(conn)?;
    Ok(())
}

/// The newest progress report of a commitment.
pub fn last_update(conn: &mut DbConnection, commitment: Id) -> Result<Option<UpdateRow>, AppError> {
    Ok(commitment_updates::table
        .filter(commitment_updates::commitment_id.eq(commitment))
        .order(commitment_updates::id.desc())
        .select(UpdateRow::as_select())
        .first(conn)
        .optional()?)
}

/// The progress log in the order it was written.
pub fn updates(
    conn: &mut DbConnection,
    commitment: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<UpdateRow>, AppError> {
    let mut query = commitment_updates::table
        .filter(commitment_updates::commitment_id.eq(commitment))
        .select(UpdateRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(commitment_updates::id.gt(after));
    }
    Ok(query.order(commitment_updates::id.asc()).limit(limit).load(conn)?)
}

/// The planned and in-progress commitments with a due date that one of `orgs` is responsible for,
/// outside the agreements in `hidden`.
pub fn open_of(conn: &mut DbConnection, orgs: &[Id], hidden: &[Id]) -> Result<Vec<CommitmentRow>, AppError> {
    let mut query = commitments::table
        .filter(commitments::responsible_organization_id.eq_any(orgs.to_vec()))
        .filter(commitments::status.eq_any([CommitmentStatus::Planned, CommitmentStatus::InProgress]))
        .filter(commitments::due_on.is_not_null())
        .select(CommitmentRow::as_select())
        .into_boxed();
    if !hidden.is_empty() {
        query = query.filter(commitments::agreement_id.ne_all(hidden.to_vec()));
    }
    Ok(query.order(commitments::due_on.asc()).load(conn)?)
}

/// The planned and in-progress commitments due on or before `until` (and, unless `overdue` is asked for,
/// not before `from`): what the reminder pass looks at.
pub fn open_due_by(
    conn: &mut DbConnection,
    from: Option<NaiveDate>,
    until: NaiveDate,
) -> Result<Vec<CommitmentRow>, AppError> {
    let mut query = commitments::table
        .filter(commitments::status.eq_any([CommitmentStatus::Planned, CommitmentStatus::InProgress]))
        .filter(commitments::due_on.le(until))
        .select(CommitmentRow::as_select())
        .into_boxed();
    if let Some(from) = from {
        query = query.filter(commitments::due_on.ge(from));
    }
    Ok(query.load(conn)?)
}
