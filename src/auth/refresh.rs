//! Refresh tokens: 32 random bytes, given to the client once and stored only as their SHA-256 hash,
//! valid 14 days. Each use rotates the token within its family; a token used twice revokes the family.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::schema::refresh_tokens;
use crate::db::types::{from_utc, to_utc};
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::AppError;

pub const REFRESH_TOKEN_DAYS: i64 = 14;

/// The SHA-256 of a secret token, in hex: what is stored instead of the token.
pub(crate) fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new secret token: 32 random bytes, base64url.
pub(crate) fn random_token() -> String {
    let mut bytes = [0_u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Issues a new refresh token for `user` in `family` (a new family at login) and answers its text.
pub fn issue(conn: &mut DbConnection, user: Id, family: Id, now: DateTime<Utc>) -> Result<String, AppError> {
    let token = random_token();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(Id::new()),
            refresh_tokens::user_id.eq(user),
            refresh_tokens::family_id.eq(family),
            refresh_tokens::token_hash.eq(hash_token(&token)),
            refresh_tokens::issued_at.eq(from_utc(now)),
            refresh_tokens::expires_at.eq(from_utc(now + Duration::days(REFRESH_TOKEN_DAYS))),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Removes a user's refresh tokens that have expired (they can no longer be used nor reused), so that the
/// table holds live sessions and their recent history only.
pub fn purge_expired(conn: &mut DbConnection, user: Id, now: DateTime<Utc>) -> Result<(), AppError> {
    diesel::delete(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user))
            .filter(refresh_tokens::expires_at.le(from_utc(now))),
    )
    .execute(conn)?;
    Ok(())
}

/// A stored refresh token, found by the text a client presented.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct StoredToken {
    pub id: Id,
    pub user_id: Id,
    pub family_id: Id,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
}

pub fn find(conn: &mut DbConnection, token: &str) -> Result<Option<StoredToken>, AppError> {
    Ok(refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(hash_token(token)))
        .select(StoredToken::as_select())
        .first(conn)
        .optional()?)
}

/// What presenting a refresh token means.
#[derive(Debug, Clone)]
pub enum Presented {
    /// Unknown, expired or revoked: refused, nothing else happens.
    Invalid,
    /// Used before: a sign that it was copied. The caller revokes the family.
    Reused(StoredToken),
    /// Valid, and now marked used (only one of two concurrent presenters gets this).
    Fresh(StoredToken),
}

/// Looks the token up and, when it is valid, marks it used. The conditional update makes two
/// concurrent uses of one token end as one `Fresh` and one `Reused`, on either backend.
pub fn consume(conn: &mut DbConnection, token: &str, now: DateTime<Utc>) -> Result<Presented, AppError> {
    let Some(stored) = find(conn, token)? else { return Ok(Presented::Invalid) };
    if stored.revoked_at.is_some() || to_utc(stored.expires_at) <= now {
        return Ok(Presented::Invalid);
    }
    if stored.used_at.is_some() {
        return Ok(Presented::Reused(stored));
    }
    let marked =
        diesel::update(refresh_tokens::table.find(stored.id).filter(refresh_tokens::used_at.is_null()))
            .set(refresh_tokens::used_at.eq(from_utc(now)))
            .execute(conn)?;
    Ok(if marked == 1 { Presented::Fresh(stored) } else { Presented::Reused(stored) })
}

/// Revokes every live token of a family; answers how many.
pub fn revoke_family(conn: &mut DbConnection, family: Id, now: DateTime<Utc>) -> Result<usize, AppError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(from_utc(now)))
    .execute(conn)?)
}

/// Revokes every live token of a user (password change, disabling, logout everywhere).
pub fn revoke_user(conn: &mut DbConnection, user: Id, now: DateTime<Utc>) -> Result<usize, AppError> {
    Ok(diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(from_utc(now)))
    .execute(conn)?)
}
