//! Audit trail queries: the filtered list by sequence number.

use diesel::prelude::*;

use super::AuditRow;
use super::model::{AuditEvent, AuditFilter, SortOrder};
use crate::db::DbConnection;
use crate::db::schema::audit_events;
use crate::db::types::from_utc;
use crate::error::AppError;

/// Up to `limit` events after the sequence number `after`, in the filter's order.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEvent>, AppError> {
    let mut query = audit_events::table.select(AuditRow::as_select()).into_boxed();
    if let Some(t) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(t.clone()));
    }
    if let Some(e) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(e.clone()));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(audit_events::actor_user_id.eq(actor));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from_utc(from)));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(from_utc(to)));
    }
    query = match (filter.order.unwrap_or_default(), after) {
        (SortOrder::Asc, Some(seq)) => query.filter(audit_events::seq.gt(seq)).order(audit_events::seq.asc()),
        (SortOrder::Asc, None) => query.order(audit_events::seq.asc()),
        (SortOrder::Desc, Some(seq)) => {
            query.filter(audit_events::seq.lt(seq)).order(audit_events::seq.desc())
        }
        (SortOrder::Desc, None) => query.order(audit_events::seq.desc()),
    };
    let rows: Vec<AuditRow> = query.limit(limit).load(conn)?;
    rows.into_iter().map(AuditEvent::try_from).collect()
}
