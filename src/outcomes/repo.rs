//! Outcome queries and use cases: the links checked against the database (each must exist and be
//! visible to the caller), permissions through the policy, conditional writes, audit events.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{NewOutcome, Outcome, OutcomeFields, OutcomeFilter, OutcomePatch, OutcomeRow};
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::schema::outcomes;
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, Text, text};
use crate::http::search::{self, lower, lower_nullable};
use crate::http::{IfMatch, Validator, expect_one_row};

pub fn find(conn: &mut DbConnection, id: Id) -> Result<OutcomeRow, AppError> {
    Ok(outcomes::table.find(id).select(OutcomeRow::as_select()).first(conn)?)
}

/// The outcome, if the user may see it (404 when it hangs off a restricted agreement the user may not
/// read).
pub fn visible(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<OutcomeRow, AppError> {
    let row = find(conn, id)?;
    if let Some(agreement) = row.agreement_id {
        crate::agreements::visibility::agreement(conn, user, agreement)?;
    }
    Ok(row)
}

/// Up to `limit` outcomes after the id `after`, in creation order, leaving out those under `hidden`
/// agreements.
pub fn list(
    conn: &mut DbConnection,
    filter: &OutcomeFilter,
    hidden: &[Id],
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<OutcomeRow>, AppError> {
    let mut query = outcomes::table.select(OutcomeRow::as_select()).into_boxed();
    if !hidden.is_empty() {
        query =
            query.filter(outcomes::agreement_id.is_null().or(outcomes::agreement_id.ne_all(hidden.to_vec())));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(outcomes::kind.eq(kind));
    }
    if let Some(unit) = filter.unit {
        query = query.filter(outcomes::unit.eq(unit.as_str()));
    }
    if let Some(segment) = filter.segment {
        query = query.filter(outcomes::segment.eq(segment.as_str()));
    }
    if let Some(org) = filter.organization_id {
        query = query.filter(outcomes::organization_id.eq(org));
    }
    if let Some(a) = filter.agreement_id {
        query = query.filter(outcomes::agreement_id.eq(a));
    }
    if let Some(a) = filter.activity_id {
        query = query.filter(outcomes::activity_id.eq(a));
    }
    if let Some(c) = filter.commitment_id {
        query = query.filter(outcomes::commitment_id.eq(c));
    }
    if let Some(r) = filter.regulation_id {
        query = query.filter(outcomes::regulation_id.eq(r));
    }
    if let Some(from) = filter.from {
        query = query.filter(outcomes::period_end.ge(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(outcomes::period_start.le(to));
    }
    if let Some(pattern) = search::pattern(filter.q.as_deref()) {
        query = query.filter(
            lower(outcomes::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower_nullable(outcomes::evidence).like(pattern).escape('\\')),
        );
    }
    if let Some(after) = after {
        query = query.filter(outcomes::id.gt(after));
    }
    Ok(query.order(outcomes::id.asc()).limit(limit).load(conn)?)
}

fn unknown(what: &str, apa: &str) -> Text {
    text(format!("is not a known {what}"), format!("bukan {apa} yang dikenal"))
}

/// Checks the body against the database: every link must exist (and be visible); an activity or
/// commitment under an agreement links the outcome to that agreement, and must not contradict an
/// agreement given beside it.
fn checked(conn: &mut DbConnection, user: &AuthUser, input: NewOutcome) -> Result<OutcomeFields, AppError> {
    let mut v = Validator::new();
    let mut fields = input.validate(&mut v);
    if !v.has_error("organization_id") && !crate::organizations::repo::exists(conn, fields.organization_id)? {
        v.error("organization_id", unknown("organization", "organisasi"));
    }
    let mut implied: Vec<(&str, Option<Id>)> = Vec::new();
    if let Some(activity) = fields.activity_id {
        match crate::activities::service::visible(conn, user, activity) {
            Ok(record) => implied.push(("activity_id", record.row.agreement_id)),
            Err(e) if e.status.as_u16() == 404 => v.error("activity_id", unknown("activity", "kegiatan")),
            Err(e) => return Err(e),
        }
    }
    if let Some(commitment) = fields.commitment_id {
        match crate::agreements::visibility::commitment(conn, user, commitment) {
            Ok((_, row)) => implied.push(("commitment_id", Some(row.agreement_id))),
            Err(e) if e.status.as_u16() == 404 => v.error("commitment_id", unknown("commitment", "komitmen")),
            Err(e) => return Err(e),
        }
    }
    if let Some(agreement) = fields.agreement_id {
        match crate::agreements::visibility::agreement(conn, user, agreement) {
            Ok(_) => {}
            Err(e) if e.status.as_u16() == 404 => v.error("agreement_id", unknown("agreement", "perjanjian")),
            Err(e) => return Err(e),
        }
    }
    for (field, agreement) in implied {
        let Some(agreement) = agreement else { continue };
        match fields.agreement_id {
            None => fields.agreement_id = Some(agreement),
            Some(given) if given != agreement => v.error(
                field,
                text(
                    "belongs to another agreement than agreement_id",
                    "termasuk perjanjian lain dari agreement_id",
                ),
            ),
            Some(_) => {}
        }
    }
    if let Some(regulation) = fields.regulation_id
        && !crate::regulations::repo::exists(conn, regulation)?
    {
        v.error("regulation_id", unknown("regulation", "peraturan"));
    }
    v.finish()?;
    Ok(fields)
}

pub fn create(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    input: NewOutcome,
) -> Result<Outcome, AppError> {
    if let Some(credited) = input.organization_id {
        policy::authorize(user, Action::RecordOutcome { credited })?;
    }
    let fields = checked(conn, user, input)?;
    policy::authorize(user, Action::RecordOutcome { credited: fields.organization_id })?;
    let at = from_utc(now);
    let mut row = OutcomeRow {
        id: Id::new(),
        kind: fields.kind,
        title: String::new(),
        value: 0,
        unit: String::new(),
        segment: None,
        period_start: fields.period_start,
        period_end: fields.period_end,
        organization_id: fields.organization_id,
        agreement_id: None,
        activity_id: None,
        commitment_id: None,
        regulation_id: None,
        evidence: None,
        version: 1,
        created_at: at,
        updated_at: at,
        created_by: Some(user.id),
    };
    fields.apply_to(&mut row);
    diesel::insert_into(outcomes::table).values(&row).execute(conn)?;
    let created = row.view();
    audit::record(conn, &user.actor(), now, Change::new("create", "outcome", row.id).after(&created))?;
    Ok(created)
}

pub fn update(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    id: Id,
    if_match: &IfMatch,
    patch: OutcomePatch,
) -> Result<Outcome, AppError> {
    let current = visible(conn, user, id)?;
    policy::authorize(user, Action::RecordOutcome { credited: current.organization_id })?;
    if_match.check(current.version)?;
    if let Some(credited) = patch.organization_id {
        policy::authorize(user, Action::RecordOutcome { credited })?;
    }
    let fields = checked(conn, user, patch.apply(&current.fields()))?;
    if fields == current.fields() {
        return Ok(current.view());
    }
    let mut row = current.clone();
    fields.apply_to(&mut row);
    row.version = current.version + 1;
    row.updated_at = from_utc(now);
    let changed = diesel::update(
        outcomes::table.filter(outcomes::id.eq(id)).filter(outcomes::version.eq(current.version)),
    )
    .set(&row)
    .execute(conn)?;
    expect_one_row(changed)?;
    let after = row.view();
    audit::record(
        conn,
        &user.actor(),
        now,
        Change::new("update", "outcome", id).before(&current.view()).after(&after),
    )?;
    Ok(after)
}

pub fn delete(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    id: Id,
    if_match: &IfMatch,
) -> Result<(), AppError> {
    let current = visible(conn, user, id)?;
    policy::authorize(user, Action::RecordOutcome { credited: current.organization_id })?;
    if_match.check(current.version)?;
    let removed = diesel::delete(
        outcomes::table.filter(outcomes::id.eq(id)).filter(outcomes::version.eq(current.version)),
    )
    .execute(conn)?;
    expect_one_row(removed)?;
    audit::record(conn, &user.actor(), now, Change::new("delete", "outcome", id).before(&current.view()))?;
    Ok(())
}
