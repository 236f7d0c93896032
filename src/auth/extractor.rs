//! `AuthUser`: the caller, from the `Authorization: Bearer` access token, checked against the user's
//! current state (active, role, organization, session epoch), which is cached for at most 30 seconds so
//! that a disabled user is refused within a minute without a database read on every request. The process
//! that makes the change forgets the cached entry, so there it takes effect at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::audit::Actor;
use crate::auth::Role;
use crate::auth::session;
use crate::db::Id;
use crate::error::{AppError, text};
use crate::state::AppState;
use crate::telemetry::RequestId;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: Id,
    pub username: String,
    pub role: Role,
    pub organization_id: Option<Id>,
    /// The user's organization and every organization above it: the user acts for all of them.
    pub acts_for: Vec<Id>,
    pub request_id: Option<String>,
}

impl AuthUser {
    /// Whether the user acts for `org`: it is the user's organization or one above it (Disnakerin staff act
    /// for Pemkot).
    pub fn acts_for(&self, org: Id) -> bool {
        self.acts_for.contains(&org)
    }

    pub fn acts_for_any(&self, orgs: &[Id]) -> bool {
        orgs.iter().any(|o| self.acts_for(*o))
    }

    /// The program itself acting as an administrator (the CLI, the bootstrap administrator, the demo
    /// users), so that it goes through the same use cases as a request. It is no stored user: its audit
    /// events name `system:<what>` and no user id, and what it creates has no `created_by`.
    pub fn system(what: &str) -> AuthUser {
        AuthUser {
            id: Id::NIL,
            username: format!("system:{what}"),
            role: Role::Admin,
            organization_id: None,
            acts_for: Vec::new(),
            request_id: None,
        }
    }

    /// The stored user `id` as its session describes it (for a caller that proved who it is otherwise,
    /// as a calendar feed's token does).
    pub fn from_session(id: Id, session: crate::auth::session::Session) -> AuthUser {
        AuthUser {
            id,
            username: session.username,
            role: session.role,
            organization_id: session.organization_id,
            acts_for: session.acts_for,
            request_id: None,
        }
    }

    /// The stored user acting: `None` for [`AuthUser::system`].
    pub fn user_id(&self) -> Option<Id> {
        (self.id != Id::NIL).then_some(self.id)
    }

    /// The actor of the audit events this user's request writes.
    pub fn actor(&self) -> Actor {
        if self.user_id().is_none() {
            return Actor {
                username: Some(self.username.clone()),
                request_id: self.request_id.clone(),
                ..Actor::default()
            };
        }
        Actor {
            user_id: Some(self.id),
            username: Some(self.username.clone()),
            role: Some(self.role.as_str().to_string()),
            organization_id: self.organization_id,
            request_id: self.request_id.clone(),
        }
    }
}

impl FromRequest for AuthUser {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = AuthUser::authenticate(req);
        Box::pin(async move { Ok(user.await?) })
    }
}

impl AuthUser {
    /// The caller of `req`, or 401.
    pub fn authenticate(req: &HttpRequest) -> Pin<Box<dyn Future<Output = Result<AuthUser, AppError>>>> {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(|t| t.trim().to_string());
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
            let token = token.ok_or_else(unauthorized)?;
            let claims = state.keys.verify(&token, state.clock.now()).ok_or_else(unauthorized)?;
            let user: Id = claims.sub.parse().map_err(|_| unauthorized())?;
            let session = match state.sessions.get(user) {
                Some(cached) => cached,
                None => {
                    let session = state.db.run(move |conn| session::load(conn, user)).await?;
                    state.sessions.put(user, session.clone());
                    session
                }
            };
            let session = session.filter(|s| s.active && s.epoch == claims.epoch).ok_or_else(unauthorized)?;
            Ok(AuthUser { request_id, ..AuthUser::from_session(user, session) })
        })
    }
}

fn unauthorized() -> AppError {
    AppError::unauthorized(text(
        "A valid access token is required (Authorization: Bearer <token>).",
        "Diperlukan token akses yang valid (Authorization: Bearer <token>).",
    ))
}
