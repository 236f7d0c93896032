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
    /// The event's number, given when it is written: in the order of writing, but not gap-free (a change
    /// rolled back on PostgreSQL leaves a gap). Its place in the log is `position`.
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
    /// The event's leaf in the log (0-based, gap-free, in the order the sequencer integrated events);
    /// null until it is sequenced, which takes well under a second.
    pub position: Option<i64>,
    /// SHA-256(0x00 || the event's canonical entry), hex; null until sequenced.
    pub leaf_hash: Option<String>,
    /// Events recorded before the log, in the old hash chain only: the previous event's `hash`.
    pub prev_hash: Option<String>,
    /// Events recorded before the log only: SHA-256 over the event's canonical form, including `prev_hash`.
    pub hash: Option<String>,
}

impl TryFrom<AuditRow> for AuditEvent {
    type Error = AppError;

    /// A stored state that is not JSON was not written by [`super::record`]: the event is corrupt, and
    /// reading it is an error that names it (rather than an event showing something else).
    fn try_from(r: AuditRow) -> Result<AuditEvent, AppError> {
        AuditEvent::new(r, None)
    }
}

impl AuditEvent {
    /// The event with its leaf (`position`, hash) once sequenced.
    pub fn new(r: AuditRow, leaf: Option<(i64, String)>) -> Result<AuditEvent, AppError> {
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
            position: leaf.as_ref().map(|l| l.0),
            leaf_hash: leaf.map(|l| l.1),
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

/// The key that signs the log's checkpoints, for anyone who checks them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicKey {
    /// The log's name, the first line of every checkpoint and the name of its key.
    #[schema(example = "sinergi/audit")]
    pub origin: String,
    #[schema(example = "Ed25519")]
    pub algorithm: String,
    /// The signed-note key id: the first 4 bytes of SHA-256(name || 0x0A || 0x01 || public key), hex.
    pub key_id: String,
    /// The 32-byte Ed25519 public key, base64.
    pub public_key: String,
    /// The verifier key as signed notes write it: `name+keyid+base64(0x01 || public key)`.
    pub verifier_key: String,
}

/// A signed checkpoint of the log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckpointView {
    pub origin: String,
    /// Leaves in the tree.
    pub tree_size: i64,
    /// The Merkle tree's root (RFC 9162), hex.
    pub root_hash: String,
    /// The C2SP tlog-checkpoint signed note: origin, size, base64 root, a blank line, the signature line.
    pub note: String,
    pub created_at: DateTime<Utc>,
}

/// Which event, in the tree of which size.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InclusionQuery {
    /// The event's number (`seq`).
    pub seq: i64,
    /// The tree's size; default the latest checkpoint's.
    pub tree_size: Option<i64>,
}

/// The hashes that lead from an event's leaf to the root of a tree (RFC 9162 section 2.1.3).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InclusionProof {
    pub seq: i64,
    pub position: i64,
    pub tree_size: i64,
    pub leaf_hash: String,
    /// The root of the tree of `tree_size` leaves, hex.
    pub root_hash: String,
    /// The audit path, hex, from the leaf upwards.
    pub hashes: Vec<String>,
}

/// Between which two tree sizes.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The earlier size.
    pub from: i64,
    /// The later size; default the latest checkpoint's.
    pub to: Option<i64>,
}

/// The hashes that show the tree of `to` leaves extends the tree of `from` leaves (RFC 9162 section 2.1.4).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsistencyProof {
    pub from: i64,
    pub to: i64,
    pub from_root: String,
    pub to_root: String,
    pub hashes: Vec<String>,
}
