//! `/auth`: log in, refresh, log out, change one's own password, and read who you are.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::audit::{self, Actor, Change};
use crate::auth::refresh::{self, Presented};
use crate::auth::token::ACCESS_TOKEN_SECONDS;
use crate::auth::{AuthUser, Role, password, throttle};
use crate::db::Id;
use crate::error::{AppError, text};
use crate::http::{Endpoint, Json};
use crate::state::AppState;
use crate::telemetry::RequestId;
use crate::users::model::normalize_username;
use crate::users::repo::{self as users, Credentials};

crate::gate!(open => LoginRequest, RefreshRequest, LogoutRequest, PasswordChange);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/auth/login").post(login))
        .service(Endpoint::new("/auth/refresh").post(refresh_tokens))
        .service(Endpoint::new("/auth/logout").post(logout))
        .service(Endpoint::new("/auth/password").post(change_password))
        .service(Endpoint::new("/auth/me").get(me));
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub username: String,
    #[schema(format = Password)]
    pub password: String,
}

/// A new session: a short-lived access token and the refresh token that renews it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT (HS256) to send as `Authorization: Bearer <token>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque; valid 14 days and once: `POST /auth/refresh` answers a new one.
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The refresh token of the session to end (its whole family is revoked).
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// End every session of the user instead: all refresh tokens are revoked and every access token
    /// issued so far is refused.
    #[serde(default)]
    pub everywhere: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(format = Password)]
    pub current_password: String,
    /// 12 to 256 characters, not the username, not a commonly used password.
    #[schema(format = Password)]
    pub new_password: String,
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

/// The response that starts or continues a session. Token responses are never cached.
fn token_response(
    state: &AppState,
    user: &Credentials,
    refresh_token: String,
    now: DateTime<Utc>,
) -> Result<HttpResponse, AppError> {
    let role = Role::parse(&user.role).ok_or_else(|| AppError::internal("stored role is unknown"))?;
    let access_token =
        state.keys.issue(user.id, role.as_str(), user.organization_id, user.session_epoch, now)?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(TokenResponse {
        access_token,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token,
    }))
}

fn id_of(r: Option<web::ReqData<RequestId>>) -> Option<String> {
    r.map(|r| r.0.clone())
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

/// Log in with a username and password. Unknown users and wrong passwords get the same 401; after 5
/// failures for a username, or 20 from one address, within 15 minutes, 429 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until an attempt may succeed"))),
    ))]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    request_id: Option<web::ReqData<RequestId>>,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { username, password } = body.into_inner();
    let username = normalize_username(&username);
    let address = throttle::client_address(&req, state.settings.trust_forwarded);
    let request_id = id_of(request_id);
    let now = state.clock.now();
    let anonymous =
        Actor { username: Some(username.clone()), request_id: request_id.clone(), ..Actor::default() };
    refuse_if_throttled(&state, &anonymous, &username, &address, now).await?;

    let lookup = username.clone();
    let found = state.db.run(move |conn| users::credentials_by_username(conn, &lookup)).await?;
    let stored = found.as_ref().map(|f| f.password_hash.clone());
    // With no such user this checks a dummy hash: both failures take the same time.
    let password_ok = state.hash_work(move || password::verify(&password, stored.as_deref())).await?;
    match found {
        Some(user) if password_ok && user.status == "active" => {
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
            token_response(&state, &user, refresh_token, now)
        }
        other => {
            record_failure(&state, anonymous, "login_failed", other.map(|u| u.id), address, now).await?;
            Err(bad_credentials())
        }
    }
}

/// What presenting a refresh token led to.
enum Refreshed {
    Refused,
    Rotated(Box<Credentials>, String),
}

/// Exchange a refresh token for a new access token and a new refresh token. The presented one is used
/// up; presenting it again revokes every token descended from the same login.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown, expired, used or revoked refresh token", body = crate::error::Problem,
            content_type = "application/problem+json"),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn refresh_tokens(
    state: web::Data<AppState>,
    request_id: Option<web::ReqData<RequestId>>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let presented = body.into_inner().refresh_token;
    let request_id = id_of(request_id);
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
                let user = users::credentials_by_id(conn, stored.user_id)?.filter(|u| u.status == "active");
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
        Refreshed::Rotated(user, token) => token_response(&state, &user, token, now),
        Refreshed::Refused => Err(bad_refresh_token()),
    }
}

/// End a session: revoke the presented refresh token's family, or with `everywhere: true` every refresh
/// token of the user and every access token issued so far.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses(
        (status = 204, description = "Logged out (also when the refresh token was already invalid)"),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn logout(
    user: AuthUser,
    state: web::Data<AppState>,
    body: Json<LogoutRequest>,
) -> Result<HttpResponse, AppError> {
    let LogoutRequest { refresh_token, everywhere } = body.into_inner();
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
    Ok(HttpResponse::NoContent().finish())
}

/// Change one's own password. Every session of the user ends (refresh tokens revoked, access tokens
/// refused); the answer is a new session for the caller. A wrong current password counts toward login
/// throttling.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password, or the new one breaks the rules",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64))),
    ),
    security(("bearer" = [])))]
pub async fn change_password(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: Json<PasswordChange>,
) -> Result<HttpResponse, AppError> {
    let PasswordChange { current_password, new_password } = body.into_inner();
    let address = throttle::client_address(&req, state.settings.trust_forwarded);
    let now = state.clock.now();
    let actor = user.actor();
    refuse_if_throttled(&state, &actor, &user.username, &address, now).await?;
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
        record_failure(&state, actor, "password_change_failed", Some(id), address, now).await?;
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
    let (user, token) = state
        .db
        .write(move |conn| {
            users::change_password(conn, &actor, now, id, &hash)?;
            let token = refresh::issue(conn, id, Id::new(), now)?;
            let user = users::credentials_by_id(conn, id)?.ok_or_else(AppError::not_found)?;
            Ok((user, token))
        })
        .await?;
    state.sessions.forget(id);
    token_response(&state, &user, token, now)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Id,
    pub username: String,
    pub role: Role,
    pub organization_id: Option<Id>,
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses(
        (status = 200, body = Me),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn me(user: AuthUser) -> HttpResponse {
    HttpResponse::Ok().json(Me {
        id: user.id,
        username: user.username,
        role: user.role,
        organization_id: user.organization_id,
    })
}
