//! The tamper-evident audit trail (docs/audit.md). `record` appends one event inside the caller's
//! transaction; `verify` recomputes the hash chain and names the first broken link.

pub mod model;
pub mod repo;
pub mod routes;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::db::schema::{audit_chain, audit_events};
use crate::db::types::{from_utc, to_utc};
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::AppError;

/// Who made a change, as the audit trail keeps it.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<Id>,
    pub username: Option<String>,
    pub role: Option<String>,
    pub organization_id: Option<Id>,
    pub request_id: Option<String>,
}

impl Actor {
    /// Changes made by the program itself (migrations, the bootstrap administrator, the CLI).
    pub fn system(what: &str) -> Actor {
        Actor { username: Some(format!("system:{what}")), ..Actor::default() }
    }
}

/// One change to record.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// Why a state could not be serialised: [`record`] then refuses the change rather than record an
    /// event without it.
    pub unserialisable: Option<String>,
}

impl<'a> Change<'a> {
    pub fn new(action: &'a str, entity_type: &'a str, entity_id: impl ToString) -> Change<'a> {
        Change {
            action,
            entity_type,
            entity_id: Some(entity_id.to_string()),
            before: None,
            after: None,
            unserialisable: None,
        }
    }

    pub fn before(mut self, state: &impl Serialize) -> Self {
        self.before = self.serialise("before", state);
        self
    }

    pub fn after(mut self, state: &impl Serialize) -> Self {
        self.after = self.serialise("after", state);
        self
    }

    fn serialise(&mut self, which: &str, state: &impl Serialize) -> Option<Value> {
        match serde_json::to_value(state) {
            Ok(value) => Some(value),
            Err(e) => {
                self.unserialisable.get_or_insert_with(|| format!("{which} state: {e}"));
                None
            }
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub seq: i64,
    pub id: Id,
    pub occurred_at: Timestamp,
    pub actor_user_id: Option<Id>,
    pub actor_username: Option<String>,
    pub actor_role: Option<String>,
    pub actor_organization_id: Option<Id>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: Option<String>,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Appends one event for `change`. Call it inside the transaction that makes the change: both commit or
/// neither does. The first statement takes the chain's head row, which orders concurrent writers, also
/// across server processes.
pub fn record(
    conn: &mut DbConnection,
    actor: &Actor,
    at: DateTime<Utc>,
    change: Change<'_>,
) -> Result<i64, AppError> {
    if let Some(e) = &change.unserialisable {
        return Err(AppError::internal(format!(
            "audit event {} {} {:?}: {e}",
            change.action, change.entity_type, change.entity_id
        )));
    }
    let (seq, prev_hash): (i64, String) = diesel::update(audit_chain::table.find(1))
        .set(audit_chain::last_seq.eq(audit_chain::last_seq + 1))
        .returning((audit_chain::last_seq, audit_chain::last_hash))
        .get_result(conn)?;
    let row = AuditRow::new(seq, prev_hash, Id::new(), at, actor, change);
    diesel::update(audit_chain::table.find(1)).set(audit_chain::last_hash.eq(&row.hash)).execute(conn)?;
    diesel::insert_into(audit_events::table).values(&row).execute(conn)?;
    Ok(seq)
}

impl AuditRow {
    /// Event number `seq` of the chain, linked to `prev_hash` and hashed. `record` stores one; the
    /// synthetic data generator builds many in a row without taking the head each time.
    pub fn new(
        seq: i64,
        prev_hash: String,
        id: Id,
        at: DateTime<Utc>,
        actor: &Actor,
        change: Change<'_>,
    ) -> AuditRow {
        let mut row = AuditRow {
            seq,
            id,
            occurred_at: from_utc(at),
            actor_user_id: actor.user_id,
            actor_username: actor.username.clone(),
            actor_role: actor.role.clone(),
            actor_organization_id: actor.organization_id,
            action: change.action.to_string(),
            entity_type: change.entity_type.to_string(),
            entity_id: change.entity_id,
            request_id: actor.request_id.clone(),
            before_state: change.before.as_ref().map(canonical_json),
            after_state: change.after.as_ref().map(canonical_json),
            prev_hash,
            hash: String::new(),
        };
        row.hash = hash_of(&row);
        row
    }
}

/// JSON with object keys sorted (serde_json's map is ordered by key), so that one state has one text.
pub fn canonical_json(value: &Value) -> String {
    value.to_string()
}

/// SHA-256 over every field of the event but its own hash, in a fixed canonical form.
pub fn hash_of(row: &AuditRow) -> String {
    let canonical = json!({
        "seq": row.seq,
        "id": row.id.to_string(),
        "occurred_at": to_utc(row.occurred_at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor_user_id": row.actor_user_id.map(|i| i.to_string()),
        "actor_username": row.actor_username,
        "actor_role": row.actor_role,
        "actor_organization_id": row.actor_organization_id.map(|i| i.to_string()),
        "action": row.action,
        "entity_type": row.entity_type,
        "entity_id": row.entity_id,
        "request_id": row.request_id,
        "before_state": row.before_state,
        "after_state": row.after_state,
        "prev_hash": row.prev_hash,
    });
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What `verify` found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub valid: bool,
    /// Events checked.
    pub events: i64,
    /// The sequence number of the last event checked.
    pub last_seq: i64,
    /// The first event whose hash, link or number is wrong, if any.
    pub first_broken_seq: Option<i64>,
    pub reason: Option<String>,
}

/// Recomputes the chain from the first event, in batches, and stops at the first broken link.
pub fn verify(conn: &mut DbConnection) -> Result<Verification, AppError> {
    const BATCH: i64 = 5000;
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut expected_seq = 1_i64;
    let mut checked = 0_i64;
    loop {
        let rows: Vec<AuditRow> = audit_events::table
            .filter(audit_events::seq.ge(expected_seq))
            .order(audit_events::seq.asc())
            .limit(BATCH)
            .select(AuditRow::as_select())
            .load(conn)?;
        let done = (rows.len() as i64) < BATCH;
        for row in rows {
            let broken = if row.seq != expected_seq {
                Some(format!("sequence jumps from {} to {}", expected_seq - 1, row.seq))
            } else if row.prev_hash != expected_prev {
                Some("prev_hash does not match the previous event's hash".to_string())
            } else if hash_of(&row) != row.hash {
                Some("the event's content does not match its hash".to_string())
            } else {
                None
            };
            if let Some(reason) = broken {
                return Ok(Verification {
                    valid: false,
                    events: checked,
                    last_seq: expected_seq - 1,
                    first_broken_seq: Some(row.seq.min(expected_seq)),
                    reason: Some(reason),
                });
            }
            expected_prev = row.hash;
            expected_seq += 1;
            checked += 1;
        }
        if done {
            break;
        }
    }
    // The head must point at the last event: a deleted tail shows here.
    let (head_seq, head_hash): (i64, String) =
        audit_chain::table.find(1).select((audit_chain::last_seq, audit_chain::last_hash)).first(conn)?;
    if head_seq != checked || head_hash != expected_prev {
        return Ok(Verification {
            valid: false,
            events: checked,
            last_seq: checked,
            first_broken_seq: Some(checked + 1),
            reason: Some(format!(
                "the chain's head names event {head_seq}, the last event found is {checked}"
            )),
        });
    }
    Ok(Verification { valid: true, events: checked, last_seq: checked, first_broken_seq: None, reason: None })
}
