//! Coverage queries and writes: the keyset list, the checks shared by the JSON upsert and the CSV
//! import (every bad row reported, nothing written), and the upsert that writes only what changed.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{
    CoverageFields, CoverageFilter, CoverageInput, CoverageRow, MAX_ROWS, Segment, UpsertSummary, Zones,
};
use crate::audit::{self, Actor, Change};
use crate::db::schema::{coverage, regions};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{Validator, expect_one_row};

/// The list's sort key: region, period, segment.
pub type Key = (String, String, String);

pub fn key_of(row: &CoverageRow) -> Key {
    (row.region_code.clone(), row.period.clone(), row.segment.as_str().to_string())
}

/// Up to `limit` rows after `after`, ordered by region, period and segment.
pub fn list(
    conn: &mut DbConnection,
    filter: &CoverageFilter,
    after: Option<Key>,
    limit: i64,
) -> Result<Vec<CoverageRow>, AppError> {
    let (from, to) = filter.bounds()?;
    let mut query = coverage::table.select(CoverageRow::as_select()).into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(coverage::region_code.eq(region.clone()));
    }
    if let Some(segment) = filter.segment {
        query = query.filter(coverage::segment.eq(segment));
    }
    if let Some(from) = from {
        query = query.filter(coverage::period.ge(from));
    }
    if let Some(to) = to {
        query = query.filter(coverage::period.le(to));
    }
    if let Some((region, period, segment)) = after {
        query = query.filter(
            coverage::region_code
                .gt(region.clone())
                .or(coverage::region_code.eq(region.clone()).and(coverage::period.gt(period.clone())))
                .or(coverage::region_code
                    .eq(region)
                    .and(coverage::period.eq(period))
                    .and(coverage::segment.gt(segment))),
        );
    }
    Ok(query
        .order((coverage::region_code.asc(), coverage::period.asc(), coverage::segment.asc()))
        .limit(limit)
        .load(conn)?)
}

/// Every row matching the filter (for reports).
pub fn all(conn: &mut DbConnection, filter: &CoverageFilter) -> Result<Vec<CoverageRow>, AppError> {
    list(conn, filter, None, i64::MAX)
}

/// Checks rows, each with the prefix its errors carry; every error of every row in one 422.
pub fn check_rows(
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
    let codes: Vec<String> = codes.into_iter().collect();
    let known: HashSet<String> = regions::table
        .filter(regions::code.eq_any(&codes))
        .select(regions::code)
        .load::<String>(conn)?
        .into_iter()
        .collect();
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

/// Reads a CSV file (header `region_code,segment,period,target,realization,source`, optionally `note`)
/// into rows prefixed with their line numbers (`line 2.` is the first row under the header).
pub fn parse_csv(body: &str) -> (Vec<(String, CoverageInput)>, Validator) {
    const REQUIRED: [&str; 5] = ["region_code", "segment", "period", "target", "realization"];
    const OPTIONAL: [&str; 2] = ["source", "note"];
    let mut v = Validator::new();
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(body.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_ascii_lowercase()).collect(),
        Err(e) => {
            v.error("line 1", text(format!("cannot be read: {e}"), format!("tidak dapat dibaca: {e}")));
            return (Vec::new(), v);
        }
    };
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !header.iter().any(|h| h == c)).collect();
    let unknown: Vec<&String> = header
        .iter()
        .filter(|h| !REQUIRED.contains(&h.as_str()) && !OPTIONAL.contains(&h.as_str()))
        .collect();
    if !missing.is_empty() || !unknown.is_empty() {
        v.error(
            "line 1",
            text(
                format!(
                    "the header must be region_code,segment,period,target,realization,source (optionally note); \
                     missing: {missing:?}, unknown: {unknown:?}"
                ),
                format!(
                    "baris judul harus region_code,segment,period,target,realization,source (boleh ditambah note); \
                     kurang: {missing:?}, tidak dikenal: {unknown:?}"
                ),
            ),
        );
        return (Vec::new(), v);
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                v.error(
                    format!("line {line}"),
                    text(format!("cannot be read: {e}"), format!("tidak dapat dibaca: {e}")),
                );
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let prefix = format!("line {line}.");
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            v.error(
                format!("line {line}"),
                text(
                    format!("has {} columns; the header has {}", record.len(), header.len()),
                    format!("memuat {} kolom; baris judul memuat {}", record.len(), header.len()),
                ),
            );
            continue;
        }
        let cell = |name: &str| {
            column(name).and_then(|i| record.get(i)).map(str::to_string).filter(|s| !s.is_empty())
        };
        let mut number = |name: &str| -> Option<i64> {
            let raw = cell(name)?;
            match raw.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    v.error(
                        format!("{prefix}{name}"),
                        text(
                            "must be a whole number written with digits only",
                            "harus bilangan bulat yang ditulis dengan angka saja",
                        ),
                    );
                    // Reported here; the row's own check must not add "is required" as well.
                    Some(0)
                }
            }
        };
        let target = number("target");
        let realization = number("realization");
        let segment = cell("segment").map(|s| {
            let parsed = Segment::parse(&s.to_ascii_lowercase());
            if parsed.is_none() {
                v.error(
                    format!("{prefix}segment"),
                    text("must be pu, bpu, jakon, pmi or total", "harus pu, bpu, jakon, pmi atau total"),
                );
            }
            parsed.unwrap_or(Segment::Total)
        });
        rows.push((
            prefix,
            CoverageInput {
                region_code: cell("region_code"),
                segment,
                period: cell("period"),
                target,
                realization,
                source: cell("source"),
                note: cell("note"),
            },
        ));
    }
    (rows, v)
}

fn find_by_key(conn: &mut DbConnection, f: &CoverageFields) -> Result<Option<CoverageRow>, AppError> {
    let (region, segment, period) = f.key();
    Ok(coverage::table
        .filter(coverage::region_code.eq(region))
        .filter(coverage::segment.eq(segment))
        .filter(coverage::period.eq(period))
        .select(CoverageRow::as_select())
        .first(conn)
        .optional()?)
}

/// Writes the rows that are new or changed, one audit event each; rows already as sent are left alone,
/// so that sending the same rows twice changes nothing.
pub fn upsert(
    conn: &mut DbConnection,
    actor: &Actor,
    user: Id,
    now: DateTime<Utc>,
    zones: Zones,
    rows: Vec<CoverageFields>,
) -> Result<UpsertSummary, AppError> {
    let at = from_utc(now);
    let mut summary =
        UpsertSummary { created: 0, updated: 0, unchanged: 0, rows: Vec::with_capacity(rows.len()) };
    for f in rows {
        let stored = match find_by_key(conn, &f)? {
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
                    created_by: Some(user),
                };
                diesel::insert_into(coverage::table).values(&row).execute(conn)?;
                audit::record(
                    conn,
                    actor,
                    now,
                    Change::new("create", "coverage", row.id).after(&row.view(zones)),
                )?;
                summary.created += 1;
                row
            }
            Some(current)
                if (current.target, current.realization, &current.source, &current.note)
                    == (f.target, f.realization, &f.source, &f.note) =>
            {
                summary.unchanged += 1;
                current
            }
            Some(current) => {
                let row = CoverageRow {
                    target: f.target,
                    realization: f.realization,
                    source: f.source,
                    note: f.note,
                    version: current.version + 1,
                    updated_at: at,
                    ..current.clone()
                };
                let changed = diesel::update(
                    coverage::table
                        .filter(coverage::id.eq(row.id))
                        .filter(coverage::version.eq(current.version)),
                )
                .set((
                    coverage::target.eq(row.target),
                    coverage::realization.eq(row.realization),
                    coverage::source.eq(&row.source),
                    coverage::note.eq(&row.note),
                    coverage::version.eq(row.version),
                    coverage::updated_at.eq(row.updated_at),
                ))
                .execute(conn)?;
                expect_one_row(changed)?;
                audit::record(
                    conn,
                    actor,
                    now,
                    Change::new("update", "coverage", row.id)
                        .before(&current.view(zones))
                        .after(&row.view(zones)),
                )?;
                summary.updated += 1;
                row
            }
        };
        summary.rows.push(stored.view(zones));
    }
    Ok(summary)
}
