//! `/auth`: log in, refresh, log out, change one's own password, and read who you are: thin handlers
//! over [`super::service`].

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::model::{LoginRequest, LogoutRequest, Me, PasswordChange, RefreshRequest, TokenResponse};
use super::service::{self, Origin};
use crate::auth::{AuthUser, throttle};
use crate::http::{Endpoint, Json, Reply};
use crate::state::{AppState, State};
use crate::telemetry::RequestId;

crate::gate!(open => LoginRequest, RefreshRequest, LogoutRequest, PasswordChange);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/auth/login").post(login))
        .service(Endpoint::new("/auth/refresh").post(refresh_tokens))
        .service(Endpoint::new("/auth/logout").post(logout))
        .service(Endpoint::new("/auth/password").post(change_password))
        .service(Endpoint::new("/auth/me").get(me));
}

/// Token responses are never cached.
fn token_response(tokens: TokenResponse) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(tokens)
}

fn origin(req: &HttpRequest, state: &AppState, request_id: Option<web::ReqData<RequestId>>) -> Origin {
    Origin {
        address: throttle::client_address(req, state.settings.trust_forwarded),
        request_id: request_id.map(|r| r.0.clone()),
    }
}

/// Log in with a username and password. Unknown users and wrong passwords get the same 401; after 5
/// failures for a username, or 20 from one address, within 15 minutes, 429 with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until an attempt may succeed"))),
    ))]
pub async fn login(
    req: HttpRequest,
    state: State,
    request_id: Option<web::ReqData<RequestId>>,
    body: Json<LoginRequest>,
) -> Reply {
    let LoginRequest { username, password } = body.read()?;
    let origin = origin(&req, &state, request_id);
    Ok(token_response(service::login(&state, origin, &username, password).await?))
}

/// Exchange a refresh token for a new access token and a new refresh token. The presented one is used
/// up; presenting it again revokes every token descended from the same login.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, body = TokenResponse),
        (status = 401, description = "Unknown, expired, used or revoked refresh token", body = crate::error::Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn refresh_tokens(
    state: State,
    request_id: Option<web::ReqData<RequestId>>,
    body: Json<RefreshRequest>,
) -> Reply {
    let request_id = request_id.map(|r| r.0.clone());
    Ok(token_response(service::refresh(&state, request_id, body.read()?.refresh_token).await?))
}

/// End a session: revoke the presented refresh token's family, or with `everywhere: true` every refresh
/// token of the user and every access token issued so far.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = LogoutRequest,
    responses(
        (status = 204, description = "Logged out (also when the refresh token was already invalid)"),
    ),
    security(("bearer" = [])))]
pub async fn logout(user: AuthUser, state: State, body: Json<LogoutRequest>) -> Reply {
    let LogoutRequest { refresh_token, everywhere } = body.read()?;
    service::logout(&state, user, refresh_token, everywhere).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change one's own password. Every session of the user ends (refresh tokens revoked, access tokens
/// refused); the answer is a new session for the caller. A wrong current password counts toward login
/// throttling.
#[utoipa::path(post, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses(
        (status = 200, body = TokenResponse),
        (status = 422, description = "Wrong current password, or the new one breaks the rules",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 429, body = crate::error::Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64))),
    ),
    security(("bearer" = [])))]
pub async fn change_password(
    req: HttpRequest,
    user: AuthUser,
    state: State,
    body: Json<PasswordChange>,
) -> Reply {
    let PasswordChange { current_password, new_password } = body.read()?;
    let address = throttle::client_address(&req, state.settings.trust_forwarded);
    Ok(token_response(service::change_password(&state, user, address, current_password, new_password).await?))
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses(
        (status = 200, body = Me),
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
