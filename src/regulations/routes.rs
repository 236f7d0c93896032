use actix_web::{HttpRequest, HttpResponse, web};

use super::model::{NewRegulation, Regulation, RegulationFilter, RegulationPatch};
use super::repo;
use crate::audit::{self, Change};
use crate::auth::{AuthUser, policy};
use crate::db::Id;
use crate::error::AppError;
use crate::http::{Created, Endpoint, Idempotency, IfMatch, Json, Page, PageQuery, Query, with_etag};
use crate::state::AppState;

crate::gate!(crate::auth::Action::EditRegistry => NewRegulation, RegulationPatch);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/regulations").get(list_regulations).post(create_regulation)).service(
        Endpoint::new("/regulations/{id}")
            .get(get_regulation)
            .patch(update_regulation)
            .delete(delete_regulation),
    );
}

/// List regulations, oldest first.
///
/// Answers CSV with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/regulations", tag = "regulations",
    params(RegulationFilter, PageQuery),
    responses(
        (status = 200, description = "One page of regulations; `Link: <…>; rel=\"next\"` when there is a next page",
            content(
                (inline(Page<Regulation>) = "application/json"),
                (String = "text/csv", example = "id,kind,number,year,title,...")
            ),
            headers(("Link" = String, description = "The next page, when there is one"))),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad filter, limit or cursor", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_regulations(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    filter: Query<RegulationFilter>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::Read)?;
    let limit = page.limit()?;
    let after: Option<Id> = page.after(&req)?;
    let filter = filter.into_inner();
    let rows = state.db.run(move |conn| repo::list(conn, &filter, after, i64::from(limit) + 1)).await?;
    Ok(Page::from_rows(rows, limit, |r| r.id).respond(&req))
}

/// Register a regulation.
///
/// Administrators, BPJS staff and OPD staff. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/regulations", tag = "regulations",
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body within 24 hours answer the first response again")),
    request_body = NewRegulation,
    responses(
        (status = 201, description = "Created", body = Regulation, headers(
            ("Location" = String, description = "The new regulation's URL"),
            ("ETag" = String, description = "Its version, for If-Match"),
            ("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        (status = 400, description = "Malformed JSON or an unknown field", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not edit the registry", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same kind, number, year and issuer are registered already", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all listed), or an Idempotency-Key reused with another body", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_regulation(
    user: AuthUser,
    state: web::Data<AppState>,
    idem: Idempotency,
    body: Json<NewRegulation>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::EditRegistry)?;
    let body = body.into_inner();
    let (actor, user_id, now) = (user.actor(), user.id, state.clock.now());
    let input = body.clone();
    idem.create(&state, &user, &body, move |conn| {
        let regulation = repo::create(conn, &input.validate(now.date_naive())?, user_id, now)?;
        audit::record(
            conn,
            &actor,
            now,
            Change::new("create", "regulation", regulation.id).after(&regulation),
        )?;
        Created::new(format!("/api/v1/regulations/{}", regulation.id), Some(regulation.version), &regulation)
    })
    .await
}

/// One regulation.
#[utoipa::path(get, path = "/api/v1/regulations/{id}", tag = "regulations",
    params(("id" = Id, Path, description = "Regulation id")),
    responses(
        (status = 200, body = Regulation, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such regulation", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_regulation(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::Read)?;
    let id = id.into_inner();
    let regulation = state.db.run(move |conn| repo::find(conn, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), regulation.version, &regulation))
}

/// Change a regulation.
///
/// Administrators, BPJS staff and OPD staff. Send the fields to change; `null` clears an optional field.
#[utoipa::path(patch, path = "/api/v1/regulations/{id}", tag = "regulations",
    params(("id" = Id, Path, description = "Regulation id"),
        ("If-Match" = String, Header, description = "The ETag of the version read")),
    request_body = RegulationPatch,
    responses(
        (status = 200, body = Regulation, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed JSON or an unknown field", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not edit the registry", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such regulation", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same kind, number, year and issuer are registered already", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The regulation changed since it was read; nothing was changed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all listed)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_regulation(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
    body: Json<RegulationPatch>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::EditRegistry)?;
    let (id, patch) = (id.into_inner(), body.into_inner());
    let (actor, now) = (user.actor(), state.clock.now());
    let regulation = state
        .db
        .write(move |conn| {
            let current = repo::find(conn, id)?;
            if_match.check(current.version)?;
            let fields = patch.apply(&current).validate(now.date_naive())?;
            let updated = repo::update(conn, &current, &fields, now)?;
            if updated.version != current.version {
                let change = Change::new("update", "regulation", id).before(&current).after(&updated);
                audit::record(conn, &actor, now, change)?;
            }
            Ok(updated)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), regulation.version, &regulation))
}

/// Delete a regulation that nothing refers to.
///
/// Administrators, BPJS staff and OPD staff. While other records (an agreement's legal basis, ...) refer
/// to it, the answer is 409 naming them.
#[utoipa::path(delete, path = "/api/v1/regulations/{id}", tag = "regulations",
    params(("id" = Id, Path, description = "Regulation id"),
        ("If-Match" = String, Header, description = "The ETag of the version read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not edit the registry", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such regulation", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Other records refer to it (named in the detail)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The regulation changed since it was read; nothing was changed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete_regulation(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::EditRegistry)?;
    let id = id.into_inner();
    let (actor, now) = (user.actor(), state.clock.now());
    state
        .db
        .write(move |conn| {
            let current = repo::find(conn, id)?;
            if_match.check(current.version)?;
            repo::delete(conn, &current)?;
            audit::record(conn, &actor, now, Change::new("delete", "regulation", id).before(&current))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
