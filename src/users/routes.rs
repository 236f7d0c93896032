//! `/users`: thin handlers over [`super::service`].

use actix_web::{HttpResponse, web};

use super::model::{NewUser, User, UserFilter, UserPatch};
use super::service::{self, AccountChange, NewAccount};
use crate::auth::AuthUser;
use crate::db::Id;
use crate::http::problems::NotAnAccountReader;
use crate::http::{
    Endpoint, Idempotency, IdempotencyKey, IfMatch, Json, Page, PageQuery, Paging, Query, Reply, with_etag,
    write,
};
use crate::state::State;

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
        NotAnAccountReader,
    ),
    security(("bearer" = [])))]
pub async fn list_users(user: AuthUser, state: State, filter: Query<UserFilter>, page: Paging) -> Reply {
    let filter = filter.into_inner();
    page.list(&state, move |conn, after, limit| service::list(conn, &user, &filter, after, limit), |u| u.id)
        .await
}

/// Create a user account (admins).
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    params(IdempotencyKey),
    responses(
        (status = 201, body = User, headers(("ETag" = String), ("Location" = String))),
        (status = 409, description = "The username is taken", body = crate::error::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_user(user: AuthUser, state: State, idem: Idempotency, body: Json<NewUser>) -> Reply {
    let (input, unparsed) = body.into_parts();
    let account = state.hash_work(move || NewAccount::prepare(input)).await?;
    let account = account.map_err(|e| unparsed.clone().merge(e))?;
    write::create(&state, user, idem, Json::from_parts(account, unparsed), service::create).await
}

/// One user account (admins and auditors).
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = Id, Path)),
    responses(
        (status = 200, body = User, headers(("ETag" = String))),
        NotAnAccountReader,
    ),
    security(("bearer" = [])))]
pub async fn get_user(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    let id = id.into_inner();
    let found = state.db.run(move |conn| service::get(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), found.version, &found))
}

/// Change a user account (admins): profile, role, organization, status (`disabled` instead of
/// deleting), or a new password. Needs `If-Match` with the ETag.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", request_body = UserPatch,
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The ETag of the user as read")),
    responses(
        (status = 200, body = User, headers(("ETag" = String))),
        (status = 409, description = "It would leave no active administrator", body = crate::error::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_user(
    user: AuthUser,
    state: State,
    id: web::Path<Id>,
    if_match: IfMatch,
    body: Json<UserPatch>,
) -> Reply {
    let (id, (patch, unparsed)) = (id.into_inner(), body.into_parts());
    let change = state.hash_work(move || AccountChange::prepare(patch)).await?;
    let change = Json::from_parts(change.map_err(|e| unparsed.clone().merge(e))?, unparsed);
    let response =
        write::update(&state, user, change, move |tx, change| service::update(tx, id, &if_match, change))
            .await?;
    // This process refuses the user's tokens at once; the others within the session cache's TTL.
    state.sessions.forget(id);
    Ok(response)
}
