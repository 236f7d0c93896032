//! `/activities`, `/activities/{id}`, `/activities/{id}/action-items` and `/action-items/{id}`: thin
//! handlers over [`super::service`].

use actix_web::{HttpResponse, web};

use super::action_items::{ActionItem, ActionItemPatch, NewActionItem};
use super::model::{Activity, ActivityFilter, ActivityPatch, NewActivity};
use super::service;
use crate::auth::{Action, AuthUser, policy};
use crate::db::Id;
use crate::http::{
    Endpoint, Idempotency, Json, Page, PageQuery, Paging, Query, Reply, Target, Tx, with_etag, write,
};
use crate::state::State;

crate::gate!(Action::LogActivity { involved: &[] } => NewActivity, ActivityPatch, NewActionItem, ActionItemPatch);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/activities").get(list_activities).post(create_activity))
        .service(
            Endpoint::new("/activities/{id}")
                .get(get_activity)
                .patch(update_activity)
                .delete(delete_activity),
        )
        .service(
            Endpoint::new("/activities/{id}/action-items").get(list_action_items).post(create_action_item),
        )
        .service(Endpoint::new("/action-items/{id}").get(get_action_item).patch(update_action_item));
}

/// List activities, oldest first (activities under restricted agreements the caller may not read are
/// left out). Answers CSV with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/activities", tag = "activities",
    params(ActivityFilter, PageQuery),
    responses(
        (status = 200, description = "One page of activities; `Link: <…>; rel=\"next\"` when there is a next page",
            content((inline(Page<Activity>) = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "The next page, when there is one"))),
    ),
    security(("bearer" = [])))]
pub async fn list_activities(
    user: AuthUser,
    state: State,
    filter: Query<ActivityFilter>,
    page: Paging,
) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let filter = filter.into_inner();
    let list = move |conn: &mut _, after, limit| service::list(conn, &user, &filter, after, limit);
    page.list(&state, list, |a: &Activity| a.id).await
}

/// Log an activity. The caller's organization (or one under it) must organise it or take part
/// (administrators may log any). Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/activities", tag = "activities", request_body = NewActivity,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry")),
    responses(
        (status = 201, body = Activity, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "The caller's organization neither organises nor takes part", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all listed): unknown organizations or agreement, a scope not of the agreement, end before start, a held activity without minutes or decisions", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_activity(
    user: AuthUser,
    state: State,
    idem: Idempotency,
    body: Json<NewActivity>,
) -> Reply {
    write::create(&state, user, idem, body, service::create).await
}

/// One activity.
#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities",
    params(("id" = Id, Path)),
    responses(
        (status = 200, body = Activity, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_activity(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    let record = state.db.run(move |conn| service::visible(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), record.row.version, &record.view()))
}

/// Change an activity (If-Match required). `status` moves a planned activity to `held` (it then needs
/// minutes or at least one decision) or `cancelled`; any other transition is 409.
#[utoipa::path(patch, path = "/api/v1/activities/{id}", tag = "activities", request_body = ActivityPatch,
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The activity's ETag")),
    responses(
        (status = 200, body = Activity, headers(("ETag" = String))),
        (status = 409, description = "A status transition other than planned → held | cancelled", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_activity(
    user: AuthUser,
    state: State,
    target: Target,
    body: Json<ActivityPatch>,
) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, patch| service::update(tx, id, &if_match, patch)).await
}

/// Delete a planned activity (held and cancelled ones stay on record: 409).
#[utoipa::path(delete, path = "/api/v1/activities/{id}", tag = "activities",
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The activity's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 409, description = "Not planned, or action items or outcomes refer to it", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete_activity(user: AuthUser, state: State, target: Target) -> Reply {
    let Target { id, if_match } = target;
    write::delete(&state, user, move |tx| service::delete(tx, id, &if_match)).await
}

/// The activity's action items, oldest first.
#[utoipa::path(get, path = "/api/v1/activities/{id}/action-items", tag = "activities",
    params(("id" = Id, Path), PageQuery),
    responses(
        (status = 200, content((inline(Page<ActionItem>) = "application/json"), (String = "text/csv"))),
    ),
    security(("bearer" = [])))]
pub async fn list_action_items(user: AuthUser, state: State, id: web::Path<Id>, page: Paging) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let (id, today) = (id.into_inner(), state.clock.today());
    let list =
        move |conn: &mut _, after, limit| service::list_action_items(conn, &user, today, id, after, limit);
    page.list(&state, list, |a: &ActionItem| a.id).await
}

/// Add a follow-up to a held activity (409 for a planned or cancelled one).
#[utoipa::path(post, path = "/api/v1/activities/{id}/action-items", tag = "activities", request_body = NewActionItem,
    params(("id" = Id, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry")),
    responses(
        (status = 201, body = ActionItem, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The activity is not held", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_action_item(
    user: AuthUser,
    state: State,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewActionItem>,
) -> Reply {
    let id = id.into_inner();
    let create = move |tx: Tx<'_>, input| service::create_action_item(tx, id, input);
    write::create(&state, user, idem, body, create).await
}

/// One action item.
#[utoipa::path(get, path = "/api/v1/action-items/{id}", tag = "activities",
    params(("id" = Id, Path)),
    responses(
        (status = 200, body = ActionItem, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_action_item(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let (id, today) = (id.into_inner(), state.clock.today());
    let (_, item) = state.db.run(move |conn| service::visible_action_item(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), item.version, &item.view(today)))
}

/// Change an action item: description, owner, due date, status (open, done, dropped). If-Match required.
#[utoipa::path(patch, path = "/api/v1/action-items/{id}", tag = "activities", request_body = ActionItemPatch,
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The action item's ETag")),
    responses(
        (status = 200, body = ActionItem, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn update_action_item(
    user: AuthUser,
    state: State,
    target: Target,
    body: Json<ActionItemPatch>,
) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, patch| service::update_action_item(tx, id, &if_match, patch))
        .await
}
