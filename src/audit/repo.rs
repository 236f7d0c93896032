//! Audit trail queries: the filtered list by number, checkpoints, and proofs from the stored tree.

use diesel::prelude::*;

use super::AuditRow;
use super::merkle::{self, Hash};
use super::model::{
    AuditEvent, AuditFilter, CheckpointView, ConsistencyProof, ConsistencyQuery, InclusionProof,
    InclusionQuery, SortOrder,
};
use super::sequencer::StoredNodes;
use crate::db::DbConnection;
use crate::db::schema::{audit_checkpoints, audit_events, audit_leaves};
use crate::db::types::{from_utc, to_utc};
use crate::error::{AppError, text};

/// Up to `limit` events after the sequence number `after`, in the filter's order.
pub fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEvent>, AppError> {
    let mut query = audit_events::table
        .left_join(audit_leaves::table)
        .select((AuditRow::as_select(), (audit_leaves::position, audit_leaves::leaf_hash).nullable()))
        .into_boxed();
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
    let rows: Vec<(AuditRow, Option<(i64, String)>)> = query.limit(limit).load(conn)?;
    rows.into_iter().map(|(row, leaf)| AuditEvent::new(row, leaf)).collect()
}

/// The latest signed checkpoint, if the sequencer has signed one.
pub fn latest_checkpoint(conn: &mut DbConnection) -> Result<Option<CheckpointView>, AppError> {
    let row: Option<(i64, String, String, crate::db::Timestamp)> = audit_checkpoints::table
        .order(audit_checkpoints::tree_size.desc())
        .select((
            audit_checkpoints::tree_size,
            audit_checkpoints::root_hash,
            audit_checkpoints::note,
            audit_checkpoints::created_at,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(tree_size, root_hash, note, created_at)| CheckpointView {
        origin: note.lines().next().unwrap_or_default().to_string(),
        tree_size,
        root_hash,
        note,
        created_at: to_utc(created_at),
    }))
}

/// Leaves in the tree now.
pub fn tree_size(conn: &mut DbConnection) -> Result<i64, AppError> {
    let last: Option<i64> =
        audit_leaves::table.select(diesel::dsl::max(audit_leaves::position)).first(conn)?;
    Ok(last.map_or(0, |p| p + 1))
}

/// A size given by the client, or the latest checkpoint's; 422 when the tree is not that big yet.
fn size_or_latest(conn: &mut DbConnection, field: &str, size: Option<i64>) -> Result<i64, AppError> {
    let current = tree_size(conn)?;
    let size = match size {
        Some(s) => s,
        None => latest_checkpoint(conn)?.map_or(0, |c| c.tree_size),
    };
    if size < 0 || size > current {
        return Err(AppError::invalid(
            field,
            text(
                format!("must be between 0 and the tree's size, {current}"),
                format!("harus antara 0 dan ukuran pohon, {current}"),
            ),
        ));
    }
    Ok(size)
}

fn hex_all(hashes: Vec<Hash>) -> Vec<String> {
    hashes.iter().map(merkle::to_hex).collect()
}

pub fn inclusion_proof(conn: &mut DbConnection, q: &InclusionQuery) -> Result<InclusionProof, AppError> {
    let size = size_or_latest(conn, "tree_size", q.tree_size)?;
    let exists: i64 = audit_events::table.filter(audit_events::seq.eq(q.seq)).count().get_result(conn)?;
    if exists == 0 {
        return Err(AppError::not_found());
    }
    let leaf: Option<(i64, String)> = audit_leaves::table
        .filter(audit_leaves::seq.eq(q.seq))
        .select((audit_leaves::position, audit_leaves::leaf_hash))
        .first(conn)
        .optional()?;
    let Some((position, leaf_hash)) = leaf else {
        return Err(AppError::conflict(text(
            "the event is not sequenced yet; ask again in a moment",
            "peristiwa ini belum masuk log; coba lagi sebentar lagi",
        )));
    };
    if position >= size {
        return Err(AppError::invalid(
            "tree_size",
            text(
                format!("the event is at position {position}, outside a tree of {size} leaves"),
                format!("peristiwa ini di posisi {position}, di luar pohon berukuran {size}"),
            ),
        ));
    }
    let mut nodes = StoredNodes::new(conn);
    let hashes = merkle::inclusion_proof(&mut nodes, position as u64, size as u64)?;
    let root = merkle::root(&mut nodes, size as u64)?;
    Ok(InclusionProof {
        seq: q.seq,
        position,
        tree_size: size,
        leaf_hash,
        root_hash: merkle::to_hex(&root),
        hashes: hex_all(hashes),
    })
}

pub fn consistency_proof(
    conn: &mut DbConnection,
    q: &ConsistencyQuery,
) -> Result<ConsistencyProof, AppError> {
    let to = size_or_latest(conn, "to", q.to)?;
    if q.from < 0 || q.from > to {
        return Err(AppError::invalid(
            "from",
            text(format!("must be between 0 and to ({to})"), format!("harus antara 0 dan to ({to})")),
        ));
    }
    let mut nodes = StoredNodes::new(conn);
    let hashes = merkle::consistency_proof(&mut nodes, q.from as u64, to as u64)?;
    Ok(ConsistencyProof {
        from: q.from,
        to,
        from_root: merkle::to_hex(&merkle::root(&mut nodes, q.from as u64)?),
        to_root: merkle::to_hex(&merkle::root(&mut nodes, to as u64)?),
        hashes: hex_all(hashes),
    })
}
