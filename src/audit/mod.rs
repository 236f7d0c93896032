//! The audit trail as a transparency log (docs/audit.md). `record` adds one event inside the caller's
//! transaction, touching no shared row; the sequencer puts committed events into a Merkle tree and signs
//! checkpoints; `verify` recomputes the old hash chain, every leaf and the root, and checks the latest
//! checkpoint's signature.

pub mod merkle;
pub mod model;
pub mod note;
pub mod repo;
pub mod routes;
pub mod sequencer;
pub mod witness;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use self::merkle::{Frontier, Hash};
use self::note::NoteVerifier;
use crate::db::schema::{audit_chain, audit_checkpoints, audit_events, audit_leaves, audit_pending};
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

/// An event as stored. `prev_hash` and `hash` are those of the hash chain that the log replaced: only the
/// events recorded before it have them.
#[derive(Debug, Clone, Queryable, Selectable)]
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
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
}

/// An event to store: everything but its number, which the database gives, and its place in the log,
/// which the sequencer gives.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_events)]
pub struct NewAuditEvent {
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
}

/// Adds one event for `change` and marks it pending for the sequencer; answers its number. Call it inside
/// the transaction that makes the change: both commit or neither does. Nothing here touches a row that
/// another writer needs, so concurrent writers do not queue behind each other.
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
    let event = NewAuditEvent::new(Id::new(), at, actor, change);
    let seq: i64 = diesel::insert_into(audit_events::table)
        .values(&event)
        .returning(audit_events::seq)
        .get_result(conn)?;
    diesel::insert_into(audit_pending::table).values(audit_pending::seq.eq(seq)).execute(conn)?;
    Ok(seq)
}

impl NewAuditEvent {
    pub fn new(id: Id, at: DateTime<Utc>, actor: &Actor, change: Change<'_>) -> NewAuditEvent {
        NewAuditEvent {
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
        }
    }
}

/// JSON with object keys sorted (serde_json's map is ordered by key), so that one state has one text.
pub fn canonical_json(value: &Value) -> String {
    value.to_string()
}

/// The log's entry for an event: compact JSON of every stored field but its number and the old chain's
/// hashes, keys in alphabetical order (a struct serialises its fields in declaration order), states as
/// the stored text. The leaf hash is `SHA-256(0x00 || entry)`.
pub fn entry(row: &AuditRow) -> String {
    #[derive(Serialize)]
    struct Entry<'a> {
        action: &'a str,
        actor_organization_id: Option<String>,
        actor_role: Option<&'a str>,
        actor_user_id: Option<String>,
        actor_username: Option<&'a str>,
        after_state: Option<&'a str>,
        before_state: Option<&'a str>,
        entity_id: Option<&'a str>,
        entity_type: &'a str,
        id: String,
        occurred_at: String,
        request_id: Option<&'a str>,
    }
    let entry = Entry {
        action: &row.action,
        actor_organization_id: row.actor_organization_id.map(|i| i.to_string()),
        actor_role: row.actor_role.as_deref(),
        actor_user_id: row.actor_user_id.map(|i| i.to_string()),
        actor_username: row.actor_username.as_deref(),
        after_state: row.after_state.as_deref(),
        before_state: row.before_state.as_deref(),
        entity_id: row.entity_id.as_deref(),
        entity_type: &row.entity_type,
        id: row.id.to_string(),
        occurred_at: to_utc(row.occurred_at).to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        request_id: row.request_id.as_deref(),
    };
    serde_json::to_string(&entry).unwrap_or_default()
}

/// The event's leaf hash in the log.
pub fn leaf_of(row: &AuditRow) -> Hash {
    merkle::leaf_hash(entry(row).as_bytes())
}

/// SHA-256 over every field of an event of the old chain but its own hash, in that chain's canonical form.
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
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub valid: bool,
    /// Events found intact: of the old hash chain when it is broken, else leaves of the tree in order.
    pub events: i64,
    /// The number of the last event found intact.
    pub last_seq: i64,
    /// The first event whose content, hash, link or place is wrong, if any.
    pub first_broken_seq: Option<i64>,
    pub reason: Option<String>,
    /// Leaves of the tree as stored.
    pub tree_size: i64,
    /// The root recomputed from the leaves (hex).
    pub root_hash: Option<String>,
    /// The size of the latest signed checkpoint, which must be the whole tree.
    pub checkpoint_tree_size: Option<i64>,
    /// Events committed but not yet sequenced.
    pub pending: i64,
}

impl Verification {
    fn broken(mut self, seq: Option<i64>, reason: impl Into<String>) -> Verification {
        self.valid = false;
        self.first_broken_seq = seq;
        self.reason = Some(reason.into());
        self
    }
}

const VERIFY_BATCH: i64 = 5000;

/// Checks the whole trail: the old hash chain, every leaf against its event, the gap-free positions,
/// that every event is in the tree or waiting for it, and that the latest checkpoint is signed by
/// `key` and names the tree's size and recomputed root. Stops at the first fault and names it.
pub fn verify(conn: &mut DbConnection, key: &NoteVerifier) -> Result<Verification, AppError> {
    crate::db::read_snapshot(conn, |conn| verify_snapshot(conn, key))
}

fn verify_snapshot(conn: &mut DbConnection, key: &NoteVerifier) -> Result<Verification, AppError> {
    let chain = verify_chain(conn)?;
    if !chain.valid {
        return Ok(chain);
    }
    let mut result = Verification::default();
    let mut frontier = Frontier::default();
    // Reading a page and hashing the one before it run side by side: each takes about half the time.
    let fault = std::thread::scope(|scope| -> Result<Option<(Option<i64>, String)>, AppError> {
        let mut hashing: Option<std::thread::ScopedJoinHandle<'_, Vec<HashedLeaf>>> = None;
        let mut from = 0_i64;
        loop {
            let rows = leaf_page(conn, from)?;
            let done = (rows.len() as i64) < VERIFY_BATCH;
            if let Some((position, _, _)) = rows.last() {
                from = position + 1;
            }
            let previous = hashing.replace(scope.spawn(move || hash_page(rows)));
            if let Some(page) = previous {
                let page = page.join().map_err(|_| AppError::internal("audit verify: hashing failed"))?;
                if let Some(fault) = check_page(page, &mut frontier, &mut result) {
                    return Ok(Some(fault));
                }
            }
            if done {
                break;
            }
        }
        match hashing.take() {
            Some(page) => {
                let page = page.join().map_err(|_| AppError::internal("audit verify: hashing failed"))?;
                Ok(check_page(page, &mut frontier, &mut result))
            }
            None => Ok(None),
        }
    })?;
    if let Some((seq, reason)) = fault {
        return Ok(result.broken(seq, reason));
    }
    let size = frontier.size() as i64;
    let root = frontier.root();
    result.tree_size = size;
    result.root_hash = Some(merkle::to_hex(&root));
    result.pending = audit_pending::table.count().get_result(conn)?;
    let all: i64 = audit_events::table.count().get_result(conn)?;
    if all != size + result.pending {
        // Name an event that is neither in the tree nor waiting for it: it was put there by hand.
        let stray: Option<i64> = audit_events::table
            .filter(diesel::dsl::not(diesel::dsl::exists(
                audit_leaves::table.filter(audit_leaves::seq.eq(audit_events::seq)),
            )))
            .filter(diesel::dsl::not(diesel::dsl::exists(
                audit_pending::table.filter(audit_pending::seq.eq(audit_events::seq)),
            )))
            .select(audit_events::seq)
            .order(audit_events::seq.asc())
            .first(conn)
            .optional()?;
        let reason = format!("{all} events are stored, {size} in the tree and {} waiting", result.pending);
        return Ok(result.broken(stray, reason));
    }
    let latest: Option<(i64, String, String)> = audit_checkpoints::table
        .order(audit_checkpoints::tree_size.desc())
        .select((audit_checkpoints::tree_size, audit_checkpoints::root_hash, audit_checkpoints::note))
        .first(conn)
        .optional()?;
    let Some((cp_size, cp_root, note)) = latest else {
        if size == 0 {
            result.valid = true;
            return Ok(result);
        }
        return Ok(result.broken(None, format!("the tree holds {size} leaves but no checkpoint signs it")));
    };
    result.checkpoint_tree_size = Some(cp_size);
    let checkpoint = match key.open(&note) {
        Ok(c) => c,
        Err(e) => return Ok(result.broken(None, format!("the latest checkpoint: {e}"))),
    };
    if checkpoint.size as i64 != cp_size || merkle::to_hex(&checkpoint.root) != cp_root {
        return Ok(result.broken(None, "the latest checkpoint's note and its stored size or root differ"));
    }
    if cp_size != size {
        return Ok(result
            .broken(None, format!("the tree holds {size} leaves, the latest signed checkpoint {cp_size}")));
    }
    if checkpoint.root != root {
        return Ok(result.broken(
            None,
            format!("the root of the {size} leaves is not the one the latest checkpoint signed"),
        ));
    }
    result.valid = true;
    Ok(result)
}

/// Recomputes the old hash chain (the events recorded before the log, which are its first leaves) and
/// stops at the first broken link.
/// A leaf as stored (position, hex hash) with its event and the hash recomputed from the event.
type HashedLeaf = (i64, String, AuditRow, Hash);

/// Up to [`VERIFY_BATCH`] leaves from `from` on, with their events. An inner join: a leaf whose event
/// was deleted drops out and shows as a jump in the positions.
fn leaf_page(conn: &mut DbConnection, from: i64) -> Result<Vec<(i64, String, AuditRow)>, AppError> {
    Ok(audit_leaves::table
        .inner_join(audit_events::table)
        .filter(audit_leaves::position.ge(from))
        .order(audit_leaves::position.asc())
        .limit(VERIFY_BATCH)
        .select((audit_leaves::position, audit_leaves::leaf_hash, AuditRow::as_select()))
        .load(conn)?)
}

fn hash_page(rows: Vec<(i64, String, AuditRow)>) -> Vec<HashedLeaf> {
    rows.into_iter()
        .map(|(position, stored, row)| {
            let leaf = leaf_of(&row);
            (position, stored, row, leaf)
        })
        .collect()
}

/// Checks a page in order and adds its leaves to the tree; the first fault as (event, reason).
fn check_page(
    page: Vec<HashedLeaf>,
    frontier: &mut Frontier,
    result: &mut Verification,
) -> Option<(Option<i64>, String)> {
    for (position, stored, row, leaf) in page {
        let expected = frontier.size() as i64;
        let seq = row.seq;
        if position != expected {
            return Some((
                Some(seq),
                format!("the log's positions jump from {} to {position}", expected - 1),
            ));
        }
        match merkle::from_hex(&stored) {
            Some(stored) if stored == leaf => frontier.push(leaf),
            Some(_) => {
                return Some((
                    Some(seq),
                    format!("event {seq} at position {position} does not match its leaf hash"),
                ));
            }
            None => return Some((Some(seq), format!("the leaf hash of event {seq} is not hex"))),
        }
        result.events += 1;
        result.last_seq = seq;
    }
    None
}

fn verify_chain(conn: &mut DbConnection) -> Result<Verification, AppError> {
    let mut expected_prev = GENESIS_HASH.to_string();
    let mut expected_seq = 1_i64;
    let mut checked = 0_i64;
    let broken = |checked: i64, seq: i64, reason: String| Verification {
        valid: false,
        events: checked,
        last_seq: checked,
        first_broken_seq: Some(seq),
        reason: Some(reason),
        ..Verification::default()
    };
    loop {
        let rows: Vec<AuditRow> = audit_events::table
            .filter(audit_events::hash.is_not_null())
            .filter(audit_events::seq.ge(expected_seq))
            .order(audit_events::seq.asc())
            .limit(VERIFY_BATCH)
            .select(AuditRow::as_select())
            .load(conn)?;
        let done = (rows.len() as i64) < VERIFY_BATCH;
        for row in rows {
            let fault = if row.seq != expected_seq {
                Some(format!("sequence jumps from {} to {}", expected_seq - 1, row.seq))
            } else if row.prev_hash.as_deref() != Some(expected_prev.as_str()) {
                Some("prev_hash does not match the previous event's hash".to_string())
            } else if Some(hash_of(&row)) != row.hash {
                Some("the event's content does not match its hash".to_string())
            } else {
                None
            };
            if let Some(reason) = fault {
                return Ok(broken(checked, row.seq.min(expected_seq), reason));
            }
            expected_prev = row.hash.unwrap_or_default();
            expected_seq += 1;
            checked += 1;
        }
        if done {
            break;
        }
    }
    // The head must point at the chain's last event: a deleted tail shows here.
    let (head_seq, head_hash): (i64, String) =
        audit_chain::table.find(1).select((audit_chain::last_seq, audit_chain::last_hash)).first(conn)?;
    if head_seq != checked || head_hash != expected_prev {
        return Ok(broken(
            checked,
            checked + 1,
            format!("the chain's head names event {head_seq}, the last event found is {checked}"),
        ));
    }
    Ok(Verification { valid: true, ..Verification::default() })
}
