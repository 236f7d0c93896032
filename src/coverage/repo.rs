//! Coverage queries: the keyset list, the lookup by key, and the insert and versioned update of a row.

use std::collections::HashSet;

use diesel::prelude::*;

use super::model::{Coverage, CoverageFields, CoverageFilter, CoverageRow};
use crate::db::DbConnection;
use crate::db::schema::{coverage, regions};
use crate::error::AppError;
use crate::http::expect_one_row;

/// The list's sort key: region, period, segment.
pub type Key = (String, String, String);

pub fn key_of(row: &Coverage) -> Key {
    (row.region_code.clone(), row.period.clone(), row.segment.as_str().to_string())
}

/// Up to `limit` rows after `after`, ordered by region, period and segment; `bounds` are the filter's
/// checked period bounds ([`CoverageFilter::bounds`]).
pub fn list(
    conn: &mut DbConnection,
    filter: &CoverageFilter,
    (from, to): (Option<String>, Option<String>),
    after: Option<Key>,
    limit: i64,
) -> Result<Vec<CoverageRow>, AppError> {
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

/// Every row matching the filter (for reports); 422 for a bad period.
pub fn all(conn: &mut DbConnection, filter: &CoverageFilter) -> Result<Vec<CoverageRow>, AppError> {
    list(conn, filter, filter.bounds()?, None, i64::MAX)
}

/// Which of `codes` name a region. (One query for a whole upload; `regions::repo::exists` asks one code
/// at a time.)
pub fn known_regions(conn: &mut DbConnection, codes: &[String]) -> Result<HashSet<String>, AppError> {
    Ok(regions::table
        .filter(regions::code.eq_any(codes))
        .select(regions::code)
        .load::<String>(conn)?
        .into_iter()
        .collect())
}

pub fn find_by_key(conn: &mut DbConnection, f: &CoverageFields) -> Result<Option<CoverageRow>, AppError> {
    let (region, segment, period) = f.key();
    Ok(coverage::table
        .filter(coverage::region_code.eq(region))
        .filter(coverage::segment.eq(segment))
        .filter(coverage::period.eq(period))
        .select(CoverageRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert(conn: &mut DbConnection, row: &CoverageRow) -> Result<(), AppError> {
    diesel::insert_into(coverage::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes `row`'s figures over the stored version `expected` (a concurrent change makes it a 412).
pub fn update(conn: &mut DbConnection, row: &CoverageRow, expected: i32) -> Result<(), AppError> {
    let changed = diesel::update(
        coverage::table.filter(coverage::id.eq(row.id)).filter(coverage::version.eq(expected)),
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
    expect_one_row(changed)
}
