//! `/outcomes` and `/outcomes/{id}`: thin handlers over [`super::service`].

use actix_web::{HttpResponse, web};

use super::model::{NewOutcome, Outcome, OutcomeFilter, OutcomePatch};
use super::service;
use crate::auth::{Action, AuthUser, policy};
use crate::db::Id;
use crate::http::{
    Endpoint, Idempotency, Json, Page, PageQuery, Paging, Query, Reply, Target, with_etag, write,
};
use crate::state::State;

crate::gate!(Action::RecordOutcome { credited: Id::NIL } => NewOutcome, OutcomePatch);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/outcomes").get(list_outcomes).post(create_outcome)).service(
        Endpoint::new("/outcomes/{id}").get(get_outcome).patch(update_outcome).delete(delete_outcome),
    );
}

/// List outcomes, oldest first (those under restricted agreements the caller may not read are left
/// out). Answers CSV with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/outcomes", tag = "outcomes",
    params(OutcomeFilter, PageQuery),
    responses(
        (status = 200, description = "One page of outcomes",
            content((inline(Page<Outcome>) = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "The next page, when there is one"))),
    ),
    security(("bearer" = [])))]
pub async fn list_outcomes(
    user: AuthUser,
    state: State,
    filter: Query<OutcomeFilter>,
    page: Paging,
) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let filter = filter.into_inner();
    let list = move |conn: &mut _, after, limit| service::list(conn, &user, &filter, after, limit);
    page.list(&state, list, |o: &Outcome| o.id).await
}

/// Record an outcome. Administrators and BPJS staff credit any organization; OPD and partner staff only
/// their own (403 otherwise); auditors none. Each link (agreement, activity, commitment, regulation) must
/// exist (422).
#[utoipa::path(post, path = "/api/v1/outcomes", tag = "outcomes", request_body = NewOutcome,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry")),
    responses(
        (status = 201, body = Outcome, headers(("Location" = String), ("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn create_outcome(
    user: AuthUser,
    state: State,
    idem: Idempotency,
    body: Json<NewOutcome>,
) -> Reply {
    write::create(&state, user, idem, body, service::create).await
}

/// One outcome.
#[utoipa::path(get, path = "/api/v1/outcomes/{id}", tag = "outcomes",
    params(("id" = Id, Path)),
    responses(
        (status = 200, body = Outcome, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn get_outcome(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    let row = state.db.run(move |conn| service::visible(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), row.version, &row))
}

/// Change an outcome (If-Match required).
#[utoipa::path(patch, path = "/api/v1/outcomes/{id}", tag = "outcomes", request_body = OutcomePatch,
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The outcome's ETag")),
    responses(
        (status = 200, body = Outcome, headers(("ETag" = String))),
    ),
    security(("bearer" = [])))]
pub async fn update_outcome(user: AuthUser, state: State, target: Target, body: Json<OutcomePatch>) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, patch| service::update(tx, id, &if_match, patch)).await
}

/// Delete an outcome (If-Match required).
#[utoipa::path(delete, path = "/api/v1/outcomes/{id}", tag = "outcomes",
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The outcome's ETag")),
    responses(
        (status = 204, description = "Deleted"),
    ),
    security(("bearer" = [])))]
pub async fn delete_outcome(user: AuthUser, state: State, target: Target) -> Reply {
    let Target { id, if_match } = target;
    write::delete(&state, user, move |tx| service::delete(tx, id, &if_match)).await
}
