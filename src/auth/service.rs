//! The use cases of `/auth`, one per route: log in, refresh, log out, change one's own password. Each
//! hashes on the hashing threads (never inside a transaction) and makes every write of the attempt
//! (refresh tokens, throttle rows, the session epoch) in one transaction with its audit event.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::model::TokenResponse;
use crate::audit::{self, Actor, Change};
use crate::auth::refresh::{self, Presented};
use crate::auth::token::ACCESS_TOKEN_SECONDS;
use crate::auth::{AuthUser, password, throttle};
use crate::db::Id;
use crate::error::{AppError, text};
use crate::http::Tx;
use crate::state::AppState;
use crate::users::model::normalize_username;
use crate::users::repo::{self as users, Credentials};

/// Where an attempt comes from: the client address (for throttling) and the request id (for the audit
/// trail).
pub struct Origin {
    pub address: String,
    pub request_id: Option<String>,
}

fn bad_credentials() -> AppError {
    AppError::unauthorized(text("Wrong username or password.", "Nama pengguna atau kata sandi salah."))
}

fn bad_refresh_token() -> AppError {
    AppError::unauthorized(text(
        "The refresh token is not valid (unknown, expired, used or revoked); log in again.",
        "Token penyegar tidak valid (tidak dikenal, kedaluwarsa, sudah dipakai, atau dicabut); masuk kembali.",
    ))
}

/// The tokens that start or continue a session of `user`.
fn tokens(
    state: &AppState,
    user: &Credentials,
    refresh_token: String,
    now: DateTime<Utc>,
) -> Result<TokenResponse, AppError> {
    let access_token =
        state.keys.issue(user.id, user.role.as_str(), user.organization_id, user.session_epoch, now)?;
    Ok(TokenResponse { access_token, token_type: "Bearer", expires_in: ACCESS_TOKEN_SECONDS, refresh_token })
}

/// Refuses the attempt with 429 when the username or the address has too many recent failures, and
/// records that it did.
async fn refuse_if_throttled(
    state: &AppState,
    actor: &Actor,
    username: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let (lookup, from) = (username.to_string(), address.to_string());
    // Read first: the common case (not throttled) takes no write lock.
    let Some(t) = state.db.run(move |conn| throttle::check(conn, &lookup, &from, now)).await? else {
        return Ok(());
    };
    let (actor, address) = (actor.clone(), address.to_string());
    state
        .db
        .write(move |conn| {
            let mut change = Change::new("login_throttled", "user", "")
                .after(&json!({"by": t.by, "client_address": address, "retry_after": t.retry_after}));
            change.entity_id = None;
            audit::record(conn, &actor, now, change)
        })
        .await?;
    Err(AppError::too_many_requests(t.retry_after))
}

/// Counts a failed attempt toward throttling and records it.
async fn record_failure(
    state: &AppState,
    actor: Actor,
    action: &'static str,
    user: Option<Id>,
    address: String,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let username = actor.username.clone().unwrap_or_default();
    state
        .db
        .write(move |conn| {
            throttle::record_failure(conn, &username, &address, now)?;
            let mut change = Change::new(action, "user", "").after(&json!({"client_address": address}));
            change.entity_id = user.map(|u| u.to_string());
            audit::record(conn, &actor, now, change)
        })
        .await?;
    Ok(())
}

/// Logs in with a username and password. Unknown users and wrong passwords get the same 401; too many
/// recent failures, 429.
pub async fn login(
    state: &AppState,
    origin: Origin,
    username: &str,
    password: String,
) -> Result<TokenResponse, AppError> {
    let username = normalize_username(username);
    let Origin { address, request_id } = origin;
    let now = state.clock.now();
    let anonymous =
        Actor { username: Some(username.clone()), request_id: request_id.clone(), ..Actor::default() };
    refuse_if_throttled(state, &anonymous, &username, &address, now).await?;

    let lookup = username.clone();
    let found = state.db.run(move |conn| users::credentials_by_username(conn, &lookup)).await?;
    let stored = found.as_ref().map(|f| f.password_hash.clone());
    // With no such user this checks a dummy hash: both failures take the same time.
    let password_ok = state.hash_work(move || password::verify(&password, stored.as_deref())).await?;
    match found {
        Some(user) if password_ok && user.is_active() => {
            let actor = user.actor(request_id);
            let (id, name) = (user.id, user.username.clone());
            let refresh_token = state
                .db
                .write(move |conn| {
                    throttle::clear_username(conn, &name)?;
                    refresh::purge_expired(conn, id, now)?;
                    let token = refresh::issue(conn, id, Id::new(), now)?;
                    audit::record(
                        conn,
                        &actor,
                        now,
                        Change::new("login", "user", id).after(&json!({"client_address": address})),
                    )?;
                    Ok(token)
                })
                .await?;
            tokens(state, &user, refresh_token, now)
        }
        other => {
            record_failure(state, anonymous, "login_failed", other.map(|u| u.id), address, now).await?;
            Err(bad_credentials())
        }
    }
}

/// What presenting a refresh token led to.
enum Refreshed {
    Refused,
    Rotated(Box<Credentials>, String),
}

/// Exchanges a refresh token for new tokens. The presented one is used up; presenting it again revokes
/// every token descended from the same login.
pub async fn refresh(
    state: &AppState,
    request_id: Option<String>,
    presented: String,
) -> Result<TokenResponse, AppError> {
    let now = state.clock.now();
    let outcome = state
        .db
        .write(move |conn| match refresh::consume(conn, &presented, now)? {
            Presented::Invalid => Ok(Refreshed::Refused),
            Presented::Reused(stored) => {
                // Someone holds a copy of a token: end the whole family, the thief's and the owner's.
                // Who presented it is unknown, so the server is the actor; the event names the owner.
                let revoked = refresh::revoke_family(conn, stored.family_id, now)?;
                let actor = Actor { request_id: request_id.clone(), ..Actor::system("refresh") };
                audit::record(
                    conn,
                    &actor,
                    now,
                    Change::new("refresh_reuse", "user", stored.user_id)
                        .after(&json!({"family_id": stored.family_id, "revoked": revoked})),
                )?;
                Ok(Refreshed::Refused)
            }
            Presented::Fresh(stored) => {
                let user = users::credentials_by_id(conn, stored.user_id)?.filter(Credentials::is_active);
                let Some(user) = user else {
                    refresh::revoke_family(conn, stored.family_id, now)?;
                    return Ok(Refreshed::Refused);
                };
                let token = refresh::issue(conn, user.id, stored.family_id, now)?;
                audit::record(
                    conn,
                    &user.actor(request_id),
                    now,
                    Change::new("refresh", "user", user.id).after(&json!({"family_id": stored.family_id})),
                )?;
                Ok(Refreshed::Rotated(Box::new(user), token))
            }
        })
        .await?;
    match outcome {
        Refreshed::Rotated(user, token) => tokens(state, &user, token, now),
        Refreshed::Refused => Err(bad_refresh_token()),
    }
}

/// Ends the session of `refresh_token` (only one of the caller's own), or with `everywhere` every
/// session of the caller.
pub async fn logout(
    state: &AppState,
    user: AuthUser,
    refresh_token: Option<String>,
    everywhere: bool,
) -> Result<(), AppError> {
    if !everywhere && refresh_token.is_none() {
        return Err(AppError::invalid(
            "refresh_token",
            text("is required unless everywhere is true", "wajib diisi kecuali everywhere bernilai true"),
        ));
    }
    let actor = user.actor();
    let id = user.id;
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let revoked = match refresh_token {
                _ if everywhere => users::end_sessions(conn, id, now)?,
                Some(token) => match refresh::find(conn, &token)? {
                    // Only one's own sessions: another user's token is left alone, and nothing tells
                    // the caller whether it existed.
                    Some(stored) if stored.user_id == id => {
                        refresh::revoke_family(conn, stored.family_id, now)?
                    }
                    _ => 0,
                },
                None => 0,
            };
            let scope = if everywhere { "everywhere" } else { "session" };
            audit::record(
                conn,
                &actor,
                now,
                Change::new("logout", "user", id).after(&json!({"scope": scope, "revoked": revoked})),
            )
        })
        .await?;
    state.sessions.forget(id);
    Ok(())
}

/// Changes the caller's own password: every session of the user ends, and the answer is a new session
/// for the caller. A wrong current password counts toward login throttling.
pub async fn change_password(
    state: &AppState,
    user: AuthUser,
    address: String,
    current_password: String,
    new_password: String,
) -> Result<TokenResponse, AppError> {
    let now = state.clock.now();
    let actor = user.actor();
    refuse_if_throttled(state, &actor, &user.username, &address, now).await?;
    let id = user.id;
    let current = state
        .db
        .run(move |conn| users::credentials_by_id(conn, id))
        .await?
        .ok_or_else(AppError::not_found)?;
    let stored = current.password_hash.clone();
    let candidate = current_password.clone();
    let ok = state.hash_work(move || password::verify(&candidate, Some(&stored))).await?;
    if !ok {
        record_failure(state, actor, "password_change_failed", Some(id), address, now).await?;
        return Err(AppError::invalid(
            "current_password",
            text("is not the current password", "bukan kata sandi yang berlaku"),
        ));
    }
    let as_new_password = |mut e: AppError| {
        e.errors.iter_mut().for_each(|f| f.field = "new_password".into());
        e
    };
    password::check_rules(&new_password, &user.username).map_err(as_new_password)?;
    if new_password == current_password {
        return Err(AppError::invalid(
            "new_password",
            text("must differ from the current password", "harus berbeda dari kata sandi yang berlaku"),
        ));
    }
    let hash = state.hash_work(move || password::hash(&new_password)).await??;
    let (credentials, token) = state
        .db
        .write(move |conn| {
            crate::users::service::change_own_password(Tx::new(conn, &user, now), &hash)?;
            let token = refresh::issue(conn, id, Id::new(), now)?;
            let credentials = users::credentials_by_id(conn, id)?.ok_or_else(AppError::not_found)?;
            Ok((credentials, token))
        })
        .await?;
    state.sessions.forget(id);
    tokens(state, &credentials, token, now)
}
