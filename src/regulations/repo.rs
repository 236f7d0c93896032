use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{Regulation, RegulationFields, RegulationFilter};
use crate::db::schema::{agreement_legal_basis, regulations};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::search::{self, lower};
use crate::http::{Reference, ensure_unreferenced, expect_one_row};

/// What may refer to a regulation: DELETE refuses (409) while any of these does. Agreements (their legal
/// basis) and outcomes add a line here when they come.
pub const REFERENCES: &[Reference] = &[
    Reference::new("agreements resting on it", "perjanjian yang berdasar padanya", |conn, id| {
        agreement_legal_basis::table
            .filter(agreement_legal_basis::regulation_id.eq(id))
            .count()
            .get_result(conn)
    }),
    Reference::new("outcomes", "capaian", |conn, id| {
        crate::db::schema::outcomes::table
            .filter(crate::db::schema::outcomes::regulation_id.eq(id))
            .count()
            .get_result(conn)
    }),
];

pub fn find(conn: &mut DbConnection, id: Id) -> Result<Regulation, AppError> {
    Ok(regulations::table.find(id).select(Regulation::as_select()).first(conn)?)
}

pub fn exists(conn: &mut DbConnection, id: Id) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(regulations::table.find(id))).get_result(conn)?)
}

/// The ids among `ids` that name no regulation.
pub fn missing(conn: &mut DbConnection, ids: &[Id]) -> Result<Vec<Id>, AppError> {
    let found: Vec<Id> =
        regulations::table.filter(regulations::id.eq_any(ids)).select(regulations::id).load(conn)?;
    Ok(ids.iter().copied().filter(|id| !found.contains(id)).collect())
}

/// Up to `limit` regulations after the id `after`, in id (creation) order.
pub fn list(
    conn: &mut DbConnection,
    filter: &RegulationFilter,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Regulation>, AppError> {
    let mut query = regulations::table.select(Regulation::as_select()).into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(regulations::kind.eq(kind));
    }
    if let Some(status) = filter.status {
        query = query.filter(regulations::status.eq(status));
    }
    if let Some(year) = filter.year {
        query = query.filter(regulations::year.eq(year));
    }
    if let Some(pattern) = search::pattern(filter.q.as_deref()) {
        query = query.filter(
            lower(regulations::title)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(regulations::number).like(pattern.clone()).escape('\\'))
                .or(lower(regulations::issuer).like(pattern).escape('\\')),
        );
    }
    if let Some(after) = after {
        query = query.filter(regulations::id.gt(after));
    }
    Ok(query.order(regulations::id.asc()).limit(limit).load(conn)?)
}

/// 409 when another regulation has the same kind, number, year and issuer (number and issuer compared
/// without case, as the unique index does).
fn ensure_unique(
    conn: &mut DbConnection,
    fields: &RegulationFields,
    this: Option<Id>,
) -> Result<(), AppError> {
    let mut same = regulations::table
        .filter(regulations::kind.eq(fields.kind))
        .filter(lower(regulations::number).eq(fields.number.to_lowercase()))
        .filter(regulations::year.eq(fields.year))
        .filter(lower(regulations::issuer).eq(fields.issuer.to_lowercase()))
        .select(regulations::id)
        .into_boxed();
    if let Some(this) = this {
        same = same.filter(regulations::id.ne(this));
    }
    if same.first::<Id>(conn).optional()?.is_some() {
        let name = format!("{} {}/{} ({})", fields.kind, fields.number, fields.year, fields.issuer);
        return Err(AppError::conflict(text(
            format!("The regulation {name} is registered already."),
            format!("Regulasi {name} sudah terdaftar."),
        )));
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    fields: &RegulationFields,
    created_by: Id,
    now: DateTime<Utc>,
) -> Result<Regulation, AppError> {
    ensure_unique(conn, fields, None)?;
    let id = Id::new();
    let now = from_utc(now);
    diesel::insert_into(regulations::table)
        .values((
            fields,
            regulations::id.eq(id),
            regulations::version.eq(1),
            regulations::created_at.eq(now),
            regulations::updated_at.eq(now),
            regulations::created_by.eq(Some(created_by)),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// Writes `fields` over `current` if it is still the stored version (else 412); no change, no write.
pub fn update(
    conn: &mut DbConnection,
    current: &Regulation,
    fields: &RegulationFields,
    now: DateTime<Utc>,
) -> Result<Regulation, AppError> {
    if *fields == RegulationFields::from(current) {
        return Ok(current.clone());
    }
    ensure_unique(conn, fields, Some(current.id))?;
    let rows = diesel::update(
        regulations::table
            .filter(regulations::id.eq(current.id))
            .filter(regulations::version.eq(current.version)),
    )
    .set((fields, regulations::version.eq(current.version + 1), regulations::updated_at.eq(from_utc(now))))
    .execute(conn)?;
    expect_one_row(rows)?;
    find(conn, current.id)
}

/// Deletes `current` if nothing refers to it (else 409) and it is still the stored version (else 412).
pub fn delete(conn: &mut DbConnection, current: &Regulation) -> Result<(), AppError> {
    ensure_unreferenced(conn, current.id, REFERENCES, None)?;
    let rows = diesel::delete(
        regulations::table
            .filter(regulations::id.eq(current.id))
            .filter(regulations::version.eq(current.version)),
    )
    .execute(conn)?;
    expect_one_row(rows)
}
