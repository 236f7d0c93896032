//! Outcome queries: the versioned row (find, insert, conditional update and delete) and the filtered
//! list.

use diesel::prelude::*;

use super::model::{Outcome, OutcomeFields, OutcomeFilter};
use crate::db::schema::outcomes;
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::search::{self, lower, lower_nullable};

crate::versioned_rows!(outcomes, Outcome, OutcomeFields, "outcome", "/api/v1/outcomes");

/// Up to `limit` outcomes after the id `after`, in creation order, leaving out those under `hidden`
/// agreements.
pub fn list(
    conn: &mut DbConnection,
    filter: &OutcomeFilter,
    hidden: &[Id],
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Outcome>, AppError> {
    let mut query = outcomes::table.select(Outcome::as_select()).into_boxed();
    if !hidden.is_empty() {
        query =
            query.filter(outcomes::agreement_id.is_null().or(outcomes::agreement_id.ne_all(hidden.to_vec())));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(outcomes::kind.eq(kind));
    }
    if let Some(unit) = filter.unit {
        query = query.filter(outcomes::unit.eq(unit));
    }
    if let Some(segment) = filter.segment {
        query = query.filter(outcomes::segment.eq(segment));
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
