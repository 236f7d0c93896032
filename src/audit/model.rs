//! Audit trail types of the API: an event as read, and the list's filters.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::AuditRow;
use crate::db::Id;
use crate::db::types::to_utc;
use crate::error::AppError;

/// One event of the audit trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEvent {
    /// Gap-free sequence number: the event's place in the chain.
    pub seq: i64,
    pub id: Id,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<Id>,
    /// The user's name, `system:<what>` for changes the program made, or the name typed at a failed login.
    pub actor_username: Option<String>,
    pub actor_role: Option<String>,
    pub actor_organization_id: Option<Id>,
    #[schema(example = "update")]
    pub action: String,
    #[schema(example = "user")]
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: Option<String>,
    /// The record before the change (null for creations and events without one).
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The record after the change, or what the event is about.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    pub prev_hash: String,
    /// SHA-256 over the event's canonical form, including `prev_hash`.
    pub hash: String,
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = AppError;

    /// A stored state that is not JSON was not written by [`super::record`]: the event is corrupt, and
    /// reading it is an error that names it (rather than an event showing something else).
    fn try_from(r: AuditRow) -> Result<AuditEvent, AppError> {
        let seq = r.seq;
        let parse = |which: &str, text: Option<String>| {
            text.map(|t| serde_json::from_str::<Value>(&t))
                .transpose()
                .map_err(|e| AppError::internal(format!("audit event {seq}: {which} state is not JSON: {e}")))
        };
        Ok(AuditEvent {
            seq: r.seq,
            id: r.id,
            occurred_at: to_utc(r.occurred_at),
            actor_user_id: r.actor_user_id,
            actor_username: r.actor_username,
            actor_role: r.actor_role,
            actor_organization_id: r.actor_organization_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            request_id: r.request_id,
            before: parse("before", r.before_state)?,
            after: parse("after", r.after_state)?,
            prev_hash: r.prev_hash,
            hash: r.hash,
        })
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Oldest first.
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

/// Filters of the audit trail.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// `user`, `organization`, …
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// The acting user's id.
    pub actor: Option<Id>,
    /// Events at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Events before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// `asc` (oldest first, the default) or `desc`.
    pub order: Option<SortOrder>,
}
