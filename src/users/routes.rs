use actix_web::{HttpRequest, HttpResponse, web};

use super::model::{NewUser, User, UserFilter, UserPatch};
use super::repo;
use crate::auth::{AuthUser, password, policy};
use crate::db::Id;
use crate::error::AppError;
use crate::http::{Created, Endpoint, Idempotency, IfMatch, Json, Page, PageQuery, Query, with_etag};
use crate::state::AppState;

crate::gate!(crate::auth::Action::ManageUsers => NewUser, UserPatch);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/users").get(list_users).post(create_user))
        .service(Endpoint::new("/users/{id}").get(get_user).patch(update_user));
}

/// List user accounts, oldest first (admins and auditors).
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    params(UserFilter, PageQuery),
    responses(
        (status = 200, body = inline(Page<User>)),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_users(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    filter: Query<UserFilter>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::ReadUsers)?;
    let limit = page.limit()?;
    let after: Option<Id> = page.after(&req)?;
    let filter = filter.into_inner();
    let rows = state.db.run(move |conn| repo::list(conn, &filter, after, i64::from(limit) + 1)).await?;
    Ok(Page::from_rows(rows, limit, |u| u.id).respond(&req))
}

/// Create a user account (admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body within 24 hours answer the first response again")),
    responses(
        (status = 201, body = User, headers(("ETag" = String), ("Location" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The username is taken", body = crate::error::Problem,
            content_type = "application/problem+json"),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_user(
    user: AuthUser,
    state: web::Data<AppState>,
    idem: Idempotency,
    body: Json<NewUser>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::ManageUsers)?;
    let new = body.into_inner().validate()?;
    // The request's fingerprint for Idempotency-Key leaves the password out, so that no fast hash of it
    // is stored: a retry that differs only in the password answers the first response.
    let fingerprint = serde_json::json!({
        "username": new.username, "full_name": new.full_name, "email": new.email,
        "role": new.role, "organization_id": new.organization_id,
    });
    let plain = new.password.clone();
    let hash = state.hash_work(move || password::hash(&plain)).await??;
    let actor = user.actor();
    let now = state.clock.now();
    idem.create(&state, &user, &fingerprint, move |conn| {
        let created = repo::create(conn, &actor, now, &new, &hash)?;
        Created::new(format!("/api/v1/users/{}", created.id), Some(created.version), &created)
    })
    .await
}

/// One user account (admins and auditors).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = Id, Path)),
    responses(
        (status = 200, body = User, headers(("ETag" = String))),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_user(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::ReadUsers)?;
    let id = id.into_inner();
    let found = state.db.run(move |conn| repo::find(conn, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), found.version, &found))
}

/// Change a user account (admins): profile, role, organization, status (`disabled` instead of
/// deleting), or a new password. Needs `If-Match` with the ETag.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The ETag of the user as read")),
    responses(
        (status = 200, body = User, headers(("ETag" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave no active administrator", body = crate::error::Problem,
            content_type = "application/problem+json"),
        (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_user(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
    body: Json<UserPatch>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::ManageUsers)?;
    let id = id.into_inner();
    let patch = body.into_inner().normalized();
    let hash = match patch.password.clone() {
        None => None,
        Some(plain) => {
            let current = state.db.run(move |conn| repo::find(conn, id)).await?;
            password::check_rules(&plain, &current.username)?;
            Some(state.hash_work(move || password::hash(&plain)).await??)
        }
    };
    let actor = user.actor();
    let now = state.clock.now();
    let updated = state
        .db
        .write(move |conn| repo::update(conn, &actor, now, id, &if_match, &patch, hash.as_deref()))
        .await?;
    // This process refuses the user's tokens at once; the others within the session cache's TTL.
    state.sessions.forget(id);
    Ok(with_etag(HttpResponse::Ok(), updated.version, &updated))
}
