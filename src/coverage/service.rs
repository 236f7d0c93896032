//! Coverage use cases: the list, and recording figures (`PUT /coverage`, `POST /coverage/import`, the
//! seed): authorize, check every row (every bad row reported, nothing written), then write only the rows
//! that are new or changed, each with its audit event, in the caller's transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::model::{
    Coverage, CoverageFields, CoverageFilter, CoverageInput, CoverageRow, CoverageUpsert, MAX_ROWS, Segment,
    UpsertSummary, Zones,
};
use super::repo::{self, Key};
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{Tx, Validator};

/// Up to `limit` rows after `after`, with their derived achievement and zone; 422 for a bad period.
pub fn list(
    conn: &mut DbConnection,
    filter: &CoverageFilter,
    zones: Zones,
    after: Option<Key>,
    limit: i64,
) -> Result<Vec<Coverage>, AppError> {
    let rows = repo::list(conn, filter, filter.bounds()?, after, limit)?;
    Ok(rows.iter().map(|r| r.view(zones)).collect())
}

/// `PUT /coverage`: the rows of the body, named `rows[i].`.
pub fn upsert(tx: Tx<'_>, zones: Zones, body: CoverageUpsert) -> Result<UpsertSummary, AppError> {
    let rows = body.rows.into_iter().enumerate().map(|(i, r)| (format!("rows[{i}]."), r)).collect();
    record(tx, zones, rows, Validator::new())
}

/// `POST /coverage/import`: the rows of a CSV file, named by their lines.
pub fn import(tx: Tx<'_>, zones: Zones, csv: &str) -> Result<UpsertSummary, AppError> {
    let (rows, v) = super::csv::parse(csv);
    record(tx, zones, rows, v)
}

/// Records `rows` (each with the prefix its errors carry; `v` holds errors found before, such as a CSV
/// file's): all or nothing, rows already as sent are left alone (no write, no audit event), so that
/// sending the same rows twice changes nothing.
pub fn record(
    tx: Tx<'_>,
    zones: Zones,
    rows: Vec<(String, CoverageInput)>,
    v: Validator,
) -> Result<UpsertSummary, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::RecordCoverage)?;
    let rows = check_rows(conn, rows, v)?;
    let mut summary =
        UpsertSummary { created: 0, updated: 0, unchanged: 0, rows: Vec::with_capacity(rows.len()) };
    for fields in rows {
        let stored = write_row(conn, user, now, zones, fields, &mut summary)?;
        summary.rows.push(stored.view(zones));
    }
    Ok(summary)
}

/// Checks rows, each with the prefix its errors carry; every error of every row in one 422.
fn check_rows(
    conn: &mut DbConnection,
    rows: Vec<(String, CoverageInput)>,
    mut v: Validator,
) -> Result<Vec<CoverageFields>, AppError> {
    if rows.is_empty() && v.is_valid() {
        v.error("rows", text("must hold at least one row", "harus memuat sedikitnya satu baris"));
    }
    if rows.len() > MAX_ROWS {
        v.error(
            "rows",
            text(format!("must hold at most {MAX_ROWS} rows"), format!("paling banyak {MAX_ROWS} baris")),
        );
    }
    let mut checked = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(String, Segment, String), String> = HashMap::new();
    for (prefix, input) in rows {
        let fields = input.validate(&mut v, &prefix);
        let key = (fields.region_code.clone(), fields.segment, fields.period.clone());
        // A row whose key is itself bad (an unknown segment stands in as `total`) repeats nothing.
        let key_ok =
            ["region_code", "segment", "period"].iter().all(|f| !v.has_error(&format!("{prefix}{f}")));
        let repeated = if key_ok { seen.get(&key) } else { None };
        if let Some(first) = repeated {
            v.error(
                format!("{prefix}period"),
                text(
                    format!("repeats the region, segment and period of {}", first.trim_end_matches('.')),
                    format!("mengulang wilayah, segmen dan periode pada {}", first.trim_end_matches('.')),
                ),
            );
        } else if key_ok {
            seen.insert(key, prefix.clone());
        }
        checked.push((prefix, fields));
    }
    let codes: HashSet<String> = checked.iter().map(|(_, f)| f.region_code.clone()).collect();
    let known = repo::known_regions(conn, &codes.into_iter().collect::<Vec<_>>())?;
    for (prefix, f) in &checked {
        if !f.region_code.is_empty() && !known.contains(&f.region_code) {
            v.error(
                format!("{prefix}region_code"),
                text("is not a known region code", "bukan kode wilayah yang dikenal"),
            );
        }
    }
    v.finish()?;
    Ok(checked.into_iter().map(|(_, f)| f).collect())
}

/// Creates the row of `f`'s key, or replaces its figures when they differ; counts what it did.
fn write_row(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    zones: Zones,
    f: CoverageFields,
    summary: &mut UpsertSummary,
) -> Result<CoverageRow, AppError> {
    let at = from_utc(now);
    let current = match repo::find_by_key(conn, &f)? {
        None => {
            let row = CoverageRow {
                id: Id::new(),
                region_code: f.region_code,
                segment: f.segment,
                period: f.period,
                target: f.target,
                realization: f.realization,
                source: f.source,
                note: f.note,
                version: 1,
                created_at: at,
                updated_at: at,
                created_by: Some(user.id),
            };
            repo::insert(conn, &row)?;
            let change = Change::new("create", "coverage", row.id).after(&row.view(zones));
            audit::record(conn, &user.actor(), now, change)?;
            summary.created += 1;
            return Ok(row);
        }
        Some(current) => current,
    };
    if (current.target, current.realization, &current.source, &current.note)
        == (f.target, f.realization, &f.source, &f.note)
    {
        summary.unchanged += 1;
        return Ok(current);
    }
    let row = CoverageRow {
        target: f.target,
        realization: f.realization,
        source: f.source,
        note: f.note,
        version: current.version + 1,
        updated_at: at,
        ..current.clone()
    };
    repo::update(conn, &row, current.version)?;
    let change =
        Change::new("update", "coverage", row.id).before(&current.view(zones)).after(&row.view(zones));
    audit::record(conn, &user.actor(), now, change)?;
    summary.updated += 1;
    Ok(row)
}
