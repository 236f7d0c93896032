//! Region queries, and the existence check organizations make of a region code.

use diesel::prelude::*;

use super::model::{Region, RegionFilter};
use crate::db::DbConnection;
use crate::db::schema::regions;
use crate::error::AppError;

/// Up to `limit` regions after the code `after`, in code order.
pub fn list(
    conn: &mut DbConnection,
    filter: &RegionFilter,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<Region>, AppError> {
    let mut query = regions::table.select(Region::as_select()).into_boxed();
    if let Some(kind) = &filter.kind {
        query = query.filter(regions::kind.eq(*kind));
    }
    if let Some(parent) = &filter.parent_code {
        query = query.filter(regions::parent_code.eq(parent));
    }
    if let Some(after) = after {
        query = query.filter(regions::code.gt(after));
    }
    Ok(query.order(regions::code.asc()).limit(limit).load(conn)?)
}

pub fn find(conn: &mut DbConnection, code: &str) -> Result<Region, AppError> {
    Ok(regions::table.find(code).select(Region::as_select()).first(conn)?)
}

pub fn exists(conn: &mut DbConnection, code: &str) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(regions::table.find(code))).get_result(conn)?)
}
