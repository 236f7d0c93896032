//! Queries on `calendar_feeds`.

use diesel::prelude::*;

use crate::db::schema::calendar_feeds;
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::AppError;

/// Gives the user a feed with this token hash, replacing the one it had.
pub fn replace(conn: &mut DbConnection, user: Id, token_sha256: &str, at: Timestamp) -> Result<(), AppError> {
    diesel::delete(calendar_feeds::table.find(user)).execute(conn)?;
    diesel::insert_into(calendar_feeds::table)
        .values((
            calendar_feeds::user_id.eq(user),
            calendar_feeds::token_sha256.eq(token_sha256),
            calendar_feeds::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// When the user's feed was made, if it has one.
pub fn created_at(conn: &mut DbConnection, user: Id) -> Result<Option<Timestamp>, AppError> {
    Ok(calendar_feeds::table.find(user).select(calendar_feeds::created_at).first(conn).optional()?)
}

/// Deletes the user's feed; whether there was one.
pub fn delete(conn: &mut DbConnection, user: Id) -> Result<bool, AppError> {
    Ok(diesel::delete(calendar_feeds::table.find(user)).execute(conn)? > 0)
}

/// The user whose feed has this token hash.
pub fn user_of(conn: &mut DbConnection, token_sha256: &str) -> Result<Option<Id>, AppError> {
    Ok(calendar_feeds::table
        .filter(calendar_feeds::token_sha256.eq(token_sha256))
        .select(calendar_feeds::user_id)
        .first(conn)
        .optional()?)
}
