//! Reading a region: every user may, by a code that can be one.

use super::model::Region;
use super::repo;
use crate::auth::{Action, AuthUser, policy};
use crate::db::DbConnection;
use crate::error::AppError;

pub fn get(conn: &mut DbConnection, user: &AuthUser, code: &str) -> Result<Region, AppError> {
    policy::authorize(user, Action::Read)?;
    // Codes are digits; anything else (NUL included, which PostgreSQL cannot compare) names no region.
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::not_found());
    }
    repo::find(conn, code)
}
