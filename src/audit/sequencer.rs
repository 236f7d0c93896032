//! The sequencer: one process at a time on a database puts committed events into the Merkle tree, in
//! batches, and signs a checkpoint after each. Who sequences is decided by a session advisory lock on
//! PostgreSQL (released by the database when the holder's connection dies) and by a lease row on SQLite
//! (taken over once it has expired). Each batch is one transaction that also takes a fence (the
//! transaction advisory lock on PostgreSQL, the lease and the write lock on SQLite), so a crash at any
//! point loses and doubles nothing: the batch commits whole or not at all, and the next pass redoes it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::RngCore;

use super::merkle::{self, Hash, Nodes};
use super::note::LogKey;
use super::{AuditRow, leaf_of};
use crate::clock::Clock;
use crate::db::schema::{
    audit_checkpoints, audit_events, audit_leaves, audit_nodes, audit_pending, audit_sequencer,
};
use crate::db::types::from_utc;
use crate::db::{Backend, Database, DbConnection, Serialize, serialize, write_transaction};
use crate::error::AppError;

/// Events integrated by one transaction at most.
pub const BATCH: i64 = 2000;
/// How long a SQLite lease holds without renewal: a dead holder is replaced within this plus one poll.
const LEASE: Duration = Duration::from_secs(3);
/// How often the holder looks for new events when there were none.
const IDLE: Duration = Duration::from_millis(100);
/// How often a process that does not sequence checks whether it should take over.
const FOLLOW: Duration = Duration::from_millis(500);
/// The session advisory lock (PostgreSQL) that makes its holder the sequencer.
const LEADER_LOCK: i64 = 7_305_004;
/// Rows per multi-row `INSERT` or `DELETE … IN`.
const ROWS_PER_INSERT: usize = 500;

/// What one pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// Another process holds the lease (SQLite).
    NotHolder,
    /// This many events were integrated (0: none were waiting).
    Integrated(usize),
}

/// This process's name in `audit_sequencer` and in the checkpoints it signs.
pub fn holder_name() -> String {
    let mut tag = [0_u8; 4];
    rand::rng().fill_bytes(&mut tag);
    format!("pid{}-{}", std::process::id(), hex::encode(tag))
}

fn epoch_millis() -> i64 {
    Utc::now().timestamp_millis()
}

/// Integrates up to `limit` pending events, in their numbers' order, and signs the new checkpoint. Call it
/// inside a write transaction (see [`write_transaction`]). Signs the empty tree's checkpoint on a log
/// that has none yet.
pub fn integrate(
    conn: &mut DbConnection,
    key: &LogKey,
    holder: &str,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Pass, AppError> {
    serialize(conn, Serialize::AuditLog)?;
    if let DbConnection::Sqlite(_) = conn {
        let now_ms = epoch_millis();
        let claimed = diesel::update(audit_sequencer::table.find(1))
            .filter(audit_sequencer::holder.eq(holder).or(audit_sequencer::expires_at.lt(now_ms)))
            .set((
                audit_sequencer::holder.eq(holder),
                audit_sequencer::expires_at.eq(now_ms + LEASE.as_millis() as i64),
            ))
            .execute(conn)?;
        if claimed == 0 {
            return Ok(Pass::NotHolder);
        }
    }
    let old_size: u64 = audit_leaves::table
        .select(diesel::dsl::max(audit_leaves::position))
        .first::<Option<i64>>(conn)?
        .map_or(0, |p| p as u64 + 1);
    let rows: Vec<AuditRow> = audit_pending::table
        .inner_join(audit_events::table)
        .order(audit_pending::seq.asc())
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?;
    if rows.is_empty() {
        let signed: i64 = audit_checkpoints::table.count().get_result(conn)?;
        if signed == 0 {
            let root = merkle::root(&mut StoredNodes::new(conn), old_size)?;
            store_checkpoint(conn, key, holder, now, old_size, root)?;
        }
        return Ok(Pass::Integrated(0));
    }
    let new_size = old_size + rows.len() as u64;
    let mut fresh: HashMap<(u32, u64), Hash> = HashMap::new();
    let leaves: Vec<(i64, i64, String)> = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let position = old_size + i as u64;
            let leaf = leaf_of(row);
            fresh.insert((0, position), leaf);
            (position as i64, row.seq, merkle::to_hex(&leaf))
        })
        .collect();
    insert_rows(conn, "audit_leaves (position, seq, leaf_hash)", &leaves)?;
    let seqs: Vec<String> = rows.iter().map(|r| r.seq.to_string()).collect();
    for chunk in seqs.chunks(ROWS_PER_INSERT) {
        conn.batch_execute(&format!("DELETE FROM audit_pending WHERE seq IN ({})", chunk.join(",")))?;
    }
    // The inner nodes that the new leaves complete, level by level: at level L the complete nodes are
    // 0..(size >> L), so the new ones are (old_size >> L)..(new_size >> L).
    let mut inner: Vec<(i64, i64, String)> = Vec::new();
    let mut level = 1_u32;
    while level < 64 && (new_size >> level) > (old_size >> level) {
        for index in (old_size >> level)..(new_size >> level) {
            let left = match fresh.get(&(level - 1, 2 * index)) {
                Some(h) => *h,
                None => StoredNodes::new(conn).node(level - 1, 2 * index)?,
            };
            let right = *fresh
                .get(&(level - 1, 2 * index + 1))
                .ok_or_else(|| AppError::internal("audit log: a new node's right child is not new"))?;
            let hash = merkle::node_hash(&left, &right);
            fresh.insert((level, index), hash);
            inner.push((level as i64, index as i64, merkle::to_hex(&hash)));
        }
        level += 1;
    }
    insert_rows(conn, "audit_nodes (level, idx, hash)", &inner)?;
    let root = merkle::root(&mut StoredNodes::new(conn), new_size)?;
    store_checkpoint(conn, key, holder, now, new_size, root)?;
    Ok(Pass::Integrated(rows.len()))
}

/// Multi-row `INSERT`s of (number, number, hex hash) rows, written out: numbers and hex digits need no
/// quoting beyond the hash's quotes, and one statement per few hundred rows is what keeps a batch fast.
fn insert_rows(conn: &mut DbConnection, into: &str, rows: &[(i64, i64, String)]) -> Result<(), AppError> {
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let values: Vec<String> = chunk.iter().map(|(a, b, h)| format!("({a},{b},'{h}')")).collect();
        conn.batch_execute(&format!("INSERT INTO {into} VALUES {}", values.join(",")))?;
    }
    Ok(())
}

fn store_checkpoint(
    conn: &mut DbConnection,
    key: &LogKey,
    holder: &str,
    now: DateTime<Utc>,
    size: u64,
    root: Hash,
) -> Result<(), AppError> {
    diesel::insert_into(audit_checkpoints::table)
        .values((
            audit_checkpoints::tree_size.eq(size as i64),
            audit_checkpoints::root_hash.eq(merkle::to_hex(&root)),
            audit_checkpoints::note.eq(key.sign(size, root)),
            audit_checkpoints::sequencer.eq(holder),
            audit_checkpoints::created_at.eq(from_utc(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The tree's stored hashes: leaves in `audit_leaves`, complete inner nodes in `audit_nodes`.
pub struct StoredNodes<'c> {
    conn: &'c mut DbConnection,
}

impl<'c> StoredNodes<'c> {
    pub fn new(conn: &'c mut DbConnection) -> StoredNodes<'c> {
        StoredNodes { conn }
    }
}

impl Nodes for StoredNodes<'_> {
    type Error = AppError;

    fn node(&mut self, level: u32, index: u64) -> Result<Hash, AppError> {
        let stored: Option<String> = if level == 0 {
            audit_leaves::table
                .find(index as i64)
                .select(audit_leaves::leaf_hash)
                .first(self.conn)
                .optional()?
        } else {
            audit_nodes::table
                .find((level as i32, index as i64))
                .select(audit_nodes::hash)
                .first(self.conn)
                .optional()?
        };
        stored
            .as_deref()
            .and_then(merkle::from_hex)
            .ok_or_else(|| AppError::internal(format!("audit log: node {index} of level {level} is missing")))
    }
}

/// Integrates everything pending, one batch per transaction (the synthetic data generator); stops early,
/// leaving the rest to it, when a running server holds the SQLite lease.
pub fn integrate_all(conn: &mut DbConnection, key: &LogKey, holder: &str) -> Result<usize, AppError> {
    let mut total = 0;
    loop {
        match write_transaction(conn, |conn| integrate(conn, key, holder, Utc::now(), BATCH))? {
            Pass::Integrated(0) | Pass::NotHolder => return Ok(total),
            Pass::Integrated(n) => total += n,
        }
    }
}

/// Runs the sequencer for as long as the runtime runs (started by `startup::run`).
pub fn spawn(db: Database, key: Arc<LogKey>, clock: Clock) {
    let holder = holder_name();
    tokio::spawn(async move {
        let mut own: Option<DbConnection> = None;
        let mut renewed = Instant::now().checked_sub(LEASE).unwrap_or_else(Instant::now);
        loop {
            // An idle SQLite holder renews its lease once a second, not at every look.
            if db.backend() == Backend::Sqlite && renewed.elapsed() < LEASE / 3 && !has_pending(&db).await {
                tokio::time::sleep(IDLE).await;
                continue;
            }
            let pass = own_pass(&db, &key, &holder, clock, &mut own).await;
            let wait = match pass {
                Ok(Pass::Integrated(n)) => {
                    renewed = Instant::now();
                    if n as i64 == BATCH {
                        continue;
                    }
                    IDLE
                }
                Ok(Pass::NotHolder) => FOLLOW,
                Err(e) => {
                    tracing::warn!(error = %e, "audit sequencer: the pass failed; retrying");
                    FOLLOW
                }
            };
            tokio::time::sleep(wait).await;
        }
    });
}

async fn has_pending(db: &Database) -> bool {
    db.run(|conn| {
        Ok(audit_pending::table.select(audit_pending::seq).first::<i64>(conn).optional()?.is_some())
    })
    .await
    .unwrap_or(true)
}

/// How long the sequencer's SQLite connection waits for the write lock: briefly, so that a pass never
/// keeps a thread (and a stopping server) waiting; the next pass tries again.
const SQLITE_SEQUENCER_BUSY_MS: u32 = 1000;

/// The sequencer's own connection, outside the pool. On PostgreSQL it must win the leader lock, which it
/// holds for as long as it lives; `None` when another process holds it.
fn open_own(db: &Database, holder: &str) -> Result<Option<DbConnection>, AppError> {
    let mut conn = db.connect()?;
    if let DbConnection::Sqlite(_) = conn {
        conn.batch_execute(&format!("PRAGMA busy_timeout = {SQLITE_SEQUENCER_BUSY_MS}"))?;
        return Ok(Some(conn));
    }
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    let got: Locked = diesel::sql_query("SELECT pg_try_advisory_lock($1) AS locked")
        .bind::<diesel::sql_types::BigInt, _>(LEADER_LOCK)
        .get_result(&mut conn)?;
    if !got.locked {
        return Ok(None);
    }
    diesel::update(audit_sequencer::table.find(1))
        .set((audit_sequencer::holder.eq(holder), audit_sequencer::expires_at.eq(epoch_millis())))
        .execute(&mut conn)?;
    tracing::info!(holder = %holder, "audit sequencer: this process sequences the log");
    Ok(Some(conn))
}

/// One pass on the sequencer's own connection (opened, and on PostgreSQL the leader lock taken, when
/// there is none yet). A failed pass drops the connection, which on PostgreSQL releases the lock for
/// another process.
async fn own_pass(
    db: &Database,
    key: &Arc<LogKey>,
    holder: &str,
    clock: Clock,
    own: &mut Option<DbConnection>,
) -> Result<Pass, AppError> {
    let conn = own.take();
    let (db, key, holder) = (db.clone(), key.clone(), holder.to_string());
    let (conn, pass) = tokio::task::spawn_blocking(move || {
        let mut conn = match conn {
            Some(conn) => conn,
            None => match open_own(&db, &holder) {
                Ok(Some(conn)) => conn,
                Ok(None) => return (None, Ok(Pass::NotHolder)),
                Err(e) => return (None, Err(e)),
            },
        };
        let pass = write_transaction(&mut conn, |conn| integrate(conn, &key, &holder, clock.now(), BATCH));
        (Some(conn), pass)
    })
    .await
    .map_err(|e| AppError::internal(format!("audit sequencer: {e}")))?;
    if pass.is_ok() {
        *own = conn;
    }
    pass
}
