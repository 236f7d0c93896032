//! `/outcomes` and `/outcomes/{id}`: thin handlers over [`super::repo`].

use actix_web::{HttpRequest, HttpResponse, web};

use super::model::{NewOutcome, Outcome, OutcomeFilter, OutcomePatch};
use super::repo;
use crate::agreements::visibility::Visibility;
use crate::auth::{Action, AuthUser, policy};
use crate::db::Id;
use crate::error::AppError;
use crate::http::{Created, Endpoint, Idempotency, IfMatch, Json, Page, PageQuery, Query, with_etag};
use crate::state::AppState;

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
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_outcomes(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    filter: Query<OutcomeFilter>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let limit = page.limit()?;
    let after: Option<Id> = page.after(&req)?;
    let filter = filter.into_inner();
    let visibility = Visibility::of(&user);
    let rows = state
        .db
        .run(move |conn| {
            let hidden = crate::agreements::visibility::hidden(conn, &visibility)?;
            repo::list(conn, &filter, &hidden, after, i64::from(limit) + 1)
        })
        .await?;
    let items: Vec<Outcome> = rows.iter().map(|r| r.view()).collect();
    Ok(Page::from_rows(items, limit, |o: &Outcome| o.id).respond(&req))
}

/// Record an outcome. Administrators and BPJS staff credit any organization; OPD and partner staff only
/// their own (403 otherwise); auditors none. Each link (agreement, activity, commitment, regulation) must
/// exist (422).
#[utoipa::path(post, path = "/api/v1/outcomes", tag = "outcomes", request_body = NewOutcome,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry")),
    responses(
        (status = 201, body = Outcome, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_outcome(
    user: AuthUser,
    state: web::Data<AppState>,
    idem: Idempotency,
    body: Json<NewOutcome>,
) -> Result<HttpResponse, AppError> {
    let body = body.into_inner();
    let (input, now, who) = (body.clone(), state.clock.now(), user.clone());
    idem.create(&state, &user, &body, move |conn| {
        let outcome = repo::create(conn, &who, now, input)?;
        Created::new(format!("/api/v1/outcomes/{}", outcome.id), Some(outcome.version), &outcome)
    })
    .await
}

/// One outcome.
#[utoipa::path(get, path = "/api/v1/outcomes/{id}", tag = "outcomes",
    params(("id" = Id, Path)),
    responses(
        (status = 200, body = Outcome, headers(("ETag" = String))),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_outcome(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    let row = state.db.run(move |conn| repo::visible(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), row.version, &row.view()))
}

/// Change an outcome (If-Match required).
#[utoipa::path(patch, path = "/api/v1/outcomes/{id}", tag = "outcomes", request_body = OutcomePatch,
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The outcome's ETag")),
    responses(
        (status = 200, body = Outcome, headers(("ETag" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_outcome(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
    body: Json<OutcomePatch>,
) -> Result<HttpResponse, AppError> {
    let (id, patch, now) = (id.into_inner(), body.into_inner(), state.clock.now());
    let outcome = state.db.write(move |conn| repo::update(conn, &user, now, id, &if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), outcome.version, &outcome))
}

/// Delete an outcome (If-Match required).
#[utoipa::path(delete, path = "/api/v1/outcomes/{id}", tag = "outcomes",
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The outcome's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete_outcome(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let (id, now) = (id.into_inner(), state.clock.now());
    state.db.write(move |conn| repo::delete(conn, &user, now, id, &if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}
