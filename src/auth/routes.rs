//! `/auth`: log in and read who you are.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Actor, Change};
use crate::auth::token::ACCESS_TOKEN_SECONDS;
use crate::auth::{AuthUser, Role, password};
use crate::db::{Id, write_transaction};
use crate::error::{AppError, text};
use crate::http::{Endpoint, Json};
use crate::state::AppState;
use crate::telemetry::RequestId;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/auth/login").post(login)).service(Endpoint::new("/auth/me").get(me));
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "admin")]
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
}

fn bad_credentials() -> AppError {
    AppError::unauthorized(text("Wrong username or password.", "Nama pengguna atau kata sandi salah."))
}

/// Log in with a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    state: web::Data<AppState>,
    request_id: Option<web::ReqData<RequestId>>,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest { username, password } = body.into_inner();
    let username = crate::users::model::normalize_username(&username);
    let lookup = username.clone();
    let found = state
        .db
        .run(move |conn| crate::users::repo::credentials_by_username(conn, &lookup))
        .await?
        .map(|c| (c.id, c.role, c.organization_id, c.status, c.password_hash));
    let stored = found.as_ref().map(|f| f.4.clone());
    let password_ok = state.hash_work(move || password::verify(&password, stored.as_deref())).await?;
    let now = state.clock.now();
    let request_id = request_id.map(|r| r.0.clone());
    match found {
        Some((id, role, org, status, _)) if password_ok && status == "active" => {
            let actor = Actor {
                user_id: Some(id),
                username: Some(username),
                role: Some(role.clone()),
                organization_id: org,
                request_id,
            };
            state
                .db
                .run(move |conn| {
                    write_transaction(conn, |conn| {
                        audit::record(conn, &actor, now, Change::new("login", "user", id))
                    })
                })
                .await?;
            let role = Role::parse(&role).ok_or_else(|| AppError::internal("stored role is unknown"))?;
            let token = state.keys.issue(id, role.as_str(), org, now)?;
            Ok(HttpResponse::Ok().json(TokenResponse {
                access_token: token,
                token_type: "Bearer",
                expires_in: ACCESS_TOKEN_SECONDS,
            }))
        }
        other => {
            let actor = Actor { username: Some(username), request_id, ..Actor::default() };
            let entity = other.map(|f| f.0.to_string());
            state
                .db
                .run(move |conn| {
                    write_transaction(conn, |conn| {
                        let mut change = Change::new("login_failed", "user", "");
                        change.entity_id = entity;
                        audit::record(conn, &actor, now, change)
                    })
                })
                .await?;
            Err(bad_credentials())
        }
    }
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
