//! Regulation queries.

use diesel::prelude::*;

use super::model::{Regulation, RegulationFields, RegulationFilter};
use crate::db::schema::{agreement_legal_basis, outcomes, regulations};
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::Reference;
use crate::http::search::{self, lower};

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
        outcomes::table.filter(outcomes::regulation_id.eq(id)).count().get_result(conn)
    }),
];

crate::versioned_rows!(regulations, Regulation, RegulationFields, "regulation", "/api/v1/regulations");

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

/// Another regulation with the kind, number, year and issuer of `fields` (number and issuer compared
/// without case, as the unique index does), other than `except`.
pub fn same_key(
    conn: &mut DbConnection,
    fields: &RegulationFields,
    except: Option<Id>,
) -> Result<Option<Id>, AppError> {
    let mut same = regulations::table
        .filter(regulations::kind.eq(fields.kind))
        .filter(lower(regulations::number).eq(fields.number.to_lowercase()))
        .filter(regulations::year.eq(fields.year))
        .filter(lower(regulations::issuer).eq(fields.issuer.to_lowercase()))
        .select(regulations::id)
        .into_boxed();
    if let Some(except) = except {
        same = same.filter(regulations::id.ne(except));
    }
    Ok(same.first::<Id>(conn).optional()?)
}
