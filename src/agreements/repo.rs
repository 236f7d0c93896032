//! Agreement queries: the row and its child tables (parties, scopes, legal basis), the filtered list with
//! restricted agreements left out for non-parties, and amendments.

use chrono::{Days, NaiveDate};
use diesel::prelude::*;

use super::lifecycle::Content;
use super::model::{
    AgreementFilter, AgreementRecord, AgreementRow, AgreementStatus, AmendmentRow, Confidentiality, Party,
    PartyRow, Scope, StoredStatus, Visibility, checks,
};
use crate::db::schema::{
    activities, agreement_legal_basis, agreement_parties, agreement_scopes, agreements, amendments,
    organizations, outcomes,
};
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::expect_one_row;
use crate::http::search::{self, lower};

/// What may refer to an agreement besides its own child rows: a draft cannot be deleted (409) while
/// any of these does.
pub const REFERENCES: &[crate::http::Reference] = &[
    crate::http::Reference::new("activities", "kegiatan", |conn, id| {
        activities::table.filter(activities::agreement_id.eq(id)).count().get_result(conn)
    }),
    crate::http::Reference::new("outcomes", "capaian", |conn, id| {
        outcomes::table.filter(outcomes::agreement_id.eq(id)).count().get_result(conn)
    }),
    crate::http::Reference::new("documents", "dokumen", |conn, id| {
        crate::documents::repo::count(conn, crate::documents::model::OwnerKind::Agreement, id)
    }),
];

/// A row that does not read back (a stored value that is no value of its enumeration) is corrupt: a 500
/// whose logged cause names the row. Other errors keep their meaning (no row is 404).
pub fn named(table: &'static str, id: Id) -> impl FnOnce(diesel::result::Error) -> AppError {
    move |e| match e {
        diesel::result::Error::DeserializationError(cause) => {
            AppError::internal(format!("{table} row {id} does not read back: {cause}"))
        }
        e => AppError::from(e),
    }
}

/// The agreement with its parties, scopes and legal basis; 404 when there is none.
pub fn load(conn: &mut DbConnection, id: Id) -> Result<AgreementRecord, AppError> {
    let row = agreements::table
        .find(id)
        .select(AgreementRow::as_select())
        .first(conn)
        .map_err(named("agreements", id))?;
    complete(conn, vec![row])?.pop().ok_or_else(AppError::not_found)
}

/// Attaches the child rows to each agreement, three queries for the whole list.
pub fn complete(conn: &mut DbConnection, rows: Vec<AgreementRow>) -> Result<Vec<AgreementRecord>, AppError> {
    let ids: Vec<Id> = rows.iter().map(|r| r.id).collect();
    let parties: Vec<(PartyRow, String)> = agreement_parties::table
        .inner_join(organizations::table)
        .filter(agreement_parties::agreement_id.eq_any(&ids))
        .order((agreement_parties::agreement_id, agreement_parties::ordinal))
        .select((PartyRow::as_select(), organizations::name))
        .load(conn)?;
    let scopes: Vec<(Id, Scope)> = agreement_scopes::table
        .filter(agreement_scopes::agreement_id.eq_any(&ids))
        .select((agreement_scopes::agreement_id, agreement_scopes::scope))
        .load(conn)?;
    let basis: Vec<(Id, Id)> = agreement_legal_basis::table
        .filter(agreement_legal_basis::agreement_id.eq_any(&ids))
        .order((agreement_legal_basis::agreement_id, agreement_legal_basis::regulation_id))
        .select((agreement_legal_basis::agreement_id, agreement_legal_basis::regulation_id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            let scopes: Vec<Scope> = scopes.iter().filter(|(a, _)| *a == id).map(|(_, s)| *s).collect();
            let scopes = checks::scopes(&scopes);
            AgreementRecord {
                parties: parties
                    .iter()
                    .filter(|(p, _)| p.agreement_id == id)
                    .map(|(p, name)| Party {
                        organization_id: p.organization_id,
                        organization_name: name.clone(),
                        role: p.role,
                        signatory_name: p.signatory_name.clone(),
                        signatory_position: p.signatory_position.clone(),
                    })
                    .collect(),
                scopes,
                legal_basis: basis.iter().filter(|(a, _)| *a == id).map(|(_, r)| *r).collect(),
                row,
            }
        })
        .collect())
}

/// Up to `limit` agreements after the id `after`, in creation order.
pub fn list(
    conn: &mut DbConnection,
    filter: &AgreementFilter,
    visibility: &Visibility,
    today: NaiveDate,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<AgreementRecord>, AppError> {
    let rows = list_rows(conn, filter, visibility, today, after, limit)?;
    complete(conn, rows)
}

/// [`list`] without the child rows, for reports that need only the agreements themselves.
pub fn list_rows(
    conn: &mut DbConnection,
    filter: &AgreementFilter,
    visibility: &Visibility,
    today: NaiveDate,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<AgreementRow>, AppError> {
    let mut query = agreements::table.select(AgreementRow::as_select()).into_boxed();
    if let Visibility::PartiesOf(orgs) = visibility {
        let theirs = agreement_parties::table
            .filter(agreement_parties::organization_id.eq_any(orgs.clone()))
            .select(agreement_parties::agreement_id);
        query = query.filter(
            agreements::confidentiality.eq(Confidentiality::Internal).or(agreements::id.eq_any(theirs)),
        );
    }
    match filter.status {
        None => {}
        Some(AgreementStatus::Draft) => query = query.filter(agreements::status.eq(StoredStatus::Draft)),
        Some(AgreementStatus::Terminated) => {
            query = query.filter(agreements::status.eq(StoredStatus::Terminated))
        }
        Some(AgreementStatus::Active) => {
            query = query
                .filter(agreements::status.eq(StoredStatus::Active))
                .filter(agreements::effective_until.is_null().or(agreements::effective_until.ge(today)))
        }
        Some(AgreementStatus::Expired) => {
            query = query
                .filter(agreements::status.eq(StoredStatus::Active))
                .filter(agreements::effective_until.lt(today))
        }
    }
    if let Some(kind) = filter.kind {
        query = query.filter(agreements::kind.eq(kind));
    }
    if let Some(party) = filter.party {
        let with_party = agreement_parties::table
            .filter(agreement_parties::organization_id.eq(party))
            .select(agreement_parties::agreement_id);
        query = query.filter(agreements::id.eq_any(with_party));
    }
    if let Some(scope) = filter.scope {
        let with_scope = agreement_scopes::table
            .filter(agreement_scopes::scope.eq(scope))
            .select(agreement_scopes::agreement_id);
        query = query.filter(agreements::id.eq_any(with_scope));
    }
    if let Some(days) = filter.expiring_within_days {
        let until =
            u64::try_from(days).ok().and_then(|d| today.checked_add_days(Days::new(d))).ok_or_else(|| {
                AppError::invalid(
                    "expiring_within_days",
                    text("must be a number of days from 0", "harus berupa jumlah hari mulai 0"),
                )
            })?;
        query = query
            .filter(agreements::status.eq(StoredStatus::Active))
            .filter(agreements::effective_until.ge(today))
            .filter(agreements::effective_until.le(until));
    }
    if let Some(from) = filter.signed_from {
        query = query.filter(agreements::signed_on.ge(from));
    }
    if let Some(to) = filter.signed_to {
        query = query.filter(agreements::signed_on.le(to));
    }
    if let Some(pattern) = search::pattern(filter.q.as_deref()) {
        // LOWER(NULL) LIKE … is NULL, which the OR treats as no match: the nullable columns need no
        // special case.
        query = query.filter(
            lower(agreements::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(agreements::number.assume_not_null()).like(pattern.clone()).escape('\\').nullable())
                .or(lower(agreements::summary.assume_not_null()).like(pattern).escape('\\').nullable()),
        );
    }
    if let Some(after) = after {
        query = query.filter(agreements::id.gt(after));
    }
    Ok(query.order(agreements::id.asc()).limit(limit).load(conn)?)
}

pub fn insert(conn: &mut DbConnection, row: &AgreementRow, content: &Content) -> Result<(), AppError> {
    diesel::insert_into(agreements::table).values(row).execute(conn)?;
    insert_children(conn, row.id, content)
}

/// Writes the row if it is still at `expected_version`, and replaces the child rows; 412 when another
/// writer got there first.
pub fn update(
    conn: &mut DbConnection,
    row: &AgreementRow,
    expected_version: i32,
    content: Option<&Content>,
) -> Result<(), AppError> {
    let changed = diesel::update(
        agreements::table.filter(agreements::id.eq(row.id)).filter(agreements::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)?;
    expect_one_row(changed)?;
    if let Some(content) = content {
        diesel::delete(agreement_parties::table.filter(agreement_parties::agreement_id.eq(row.id)))
            .execute(conn)?;
        diesel::delete(agreement_scopes::table.filter(agreement_scopes::agreement_id.eq(row.id)))
            .execute(conn)?;
        diesel::delete(agreement_legal_basis::table.filter(agreement_legal_basis::agreement_id.eq(row.id)))
            .execute(conn)?;
        insert_children(conn, row.id, content)?;
    }
    Ok(())
}

fn insert_children(conn: &mut DbConnection, id: Id, content: &Content) -> Result<(), AppError> {
    let parties: Vec<PartyRow> = content
        .parties
        .iter()
        .zip(0..)
        .map(|(p, ordinal)| PartyRow {
            agreement_id: id,
            organization_id: p.organization_id,
            role: p.role,
            signatory_name: p.signatory_name.clone(),
            signatory_position: p.signatory_position.clone(),
            ordinal,
        })
        .collect();
    // One statement per row: batch inserts are not available over the multi-backend connection.
    for party in &parties {
        diesel::insert_into(agreement_parties::table).values(party).execute(conn)?;
    }
    for scope in &content.scopes {
        diesel::insert_into(agreement_scopes::table)
            .values((agreement_scopes::agreement_id.eq(id), agreement_scopes::scope.eq(*scope)))
            .execute(conn)?;
    }
    for regulation in &content.legal_basis {
        diesel::insert_into(agreement_legal_basis::table)
            .values((
                agreement_legal_basis::agreement_id.eq(id),
                agreement_legal_basis::regulation_id.eq(*regulation),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes a draft and what hangs off it (its commitments go with it).
pub fn delete(conn: &mut DbConnection, id: Id, expected_version: i32) -> Result<(), AppError> {
    let removed = diesel::delete(
        agreements::table.filter(agreements::id.eq(id)).filter(agreements::version.eq(expected_version)),
    )
    .execute(conn)?;
    expect_one_row(removed)
}

/// Whether another agreement has this number (the unique index would refuse it with a vaguer message).
pub fn number_taken(conn: &mut DbConnection, number: &str, except: Option<Id>) -> Result<bool, AppError> {
    let mut query =
        agreements::table.filter(agreements::number.eq(number)).select(agreements::id).into_boxed();
    if let Some(id) = except {
        query = query.filter(agreements::id.ne(id));
    }
    Ok(query.first::<Id>(conn).optional()?.is_some())
}

pub fn insert_amendment(conn: &mut DbConnection, row: &AmendmentRow) -> Result<(), AppError> {
    diesel::insert_into(amendments::table).values(row).execute(conn)?;
    Ok(())
}

pub fn amendment_number_taken(
    conn: &mut DbConnection,
    agreement: Id,
    number: &str,
) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(
        amendments::table
            .filter(amendments::agreement_id.eq(agreement))
            .filter(amendments::number.eq(number)),
    ))
    .get_result(conn)?)
}

/// The agreement's amendments in the order they were made.
pub fn amendments(
    conn: &mut DbConnection,
    agreement: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<AmendmentRow>, AppError> {
    let mut query = amendments::table
        .filter(amendments::agreement_id.eq(agreement))
        .select(AmendmentRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(amendments::id.gt(after));
    }
    Ok(query.order(amendments::id.asc()).limit(limit).load(conn)?)
}

/// The active agreements with an end date that one of `orgs` is a party to (witnesses included): the
/// expiry dates of a calendar feed. Restricted agreements are among them only for their parties, who
/// may see them anyway.
pub fn active_with_end_of(conn: &mut DbConnection, orgs: &[Id]) -> Result<Vec<AgreementRow>, AppError> {
    let theirs = agreement_parties::table
        .filter(agreement_parties::organization_id.eq_any(orgs.to_vec()))
        .select(agreement_parties::agreement_id);
    Ok(agreements::table
        .filter(agreements::id.eq_any(theirs))
        .filter(agreements::status.eq(StoredStatus::Active))
        .filter(agreements::effective_until.is_not_null())
        .select(AgreementRow::as_select())
        .order(agreements::effective_until.asc())
        .load(conn)?)
}

/// The active agreements ending between `from` and `until` (both included), and the drafts not changed
/// since `idle_since`: what the reminder pass looks at.
pub fn ending_or_idle(
    conn: &mut DbConnection,
    (from, until): (NaiveDate, NaiveDate),
    idle_since: Option<crate::db::Timestamp>,
) -> Result<(Vec<AgreementRow>, Vec<AgreementRow>), AppError> {
    let ending = agreements::table
        .filter(agreements::status.eq(StoredStatus::Active))
        .filter(agreements::effective_until.between(from, until))
        .select(AgreementRow::as_select())
        .load(conn)?;
    let idle = match idle_since {
        Some(since) => agreements::table
            .filter(agreements::status.eq(StoredStatus::Draft))
            .filter(agreements::updated_at.le(since))
            .select(AgreementRow::as_select())
            .load(conn)?,
        None => Vec::new(),
    };
    Ok((ending, idle))
}

/// For each of `ids`: its bound parties and whether it is restricted (what decides who is told of it).
pub fn parties_and_confidentiality(
    conn: &mut DbConnection,
    ids: &[Id],
) -> Result<std::collections::HashMap<Id, (Vec<Id>, bool)>, AppError> {
    let mut out: std::collections::HashMap<Id, (Vec<Id>, bool)> = std::collections::HashMap::new();
    for chunk in ids.chunks(5000) {
        let rows: Vec<(Id, Confidentiality)> = agreements::table
            .filter(agreements::id.eq_any(chunk.to_vec()))
            .select((agreements::id, agreements::confidentiality))
            .load(conn)?;
        for (id, confidentiality) in rows {
            out.entry(id).or_default().1 = confidentiality == Confidentiality::Restricted;
        }
        let parties: Vec<(Id, Id)> = agreement_parties::table
            .filter(agreement_parties::agreement_id.eq_any(chunk.to_vec()))
            .select((agreement_parties::agreement_id, agreement_parties::organization_id))
            .load(conn)?;
        for (agreement, organization) in parties {
            out.entry(agreement).or_default().0.push(organization);
        }
    }
    Ok(out)
}
