use actix_web::{HttpRequest, HttpResponse, web};

use super::model::{NewOrganization, Organization, OrganizationFilter, OrganizationPatch};
use super::repo;
use crate::audit::{self, Change};
use crate::auth::{AuthUser, policy};
use crate::db::Id;
use crate::error::AppError;
use crate::http::{Created, Endpoint, Idempotency, IfMatch, Json, Page, PageQuery, Query, with_etag};
use crate::state::AppState;

crate::gate!(crate::auth::Action::EditRegistry => NewOrganization, OrganizationPatch);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/organizations").get(list_organizations).post(create_organization)).service(
        Endpoint::new("/organizations/{id}")
            .get(get_organization)
            .patch(update_organization)
            .delete(delete_organization),
    );
}

pub fn location(id: Id) -> String {
    format!("/api/v1/organizations/{id}")
}

/// List organizations, oldest first.
///
/// Answers CSV with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations",
    params(OrganizationFilter, PageQuery),
    responses(
        (status = 200, description = "One page of organizations; `Link: <…>; rel=\"next\"` when there is a next page",
            content(
                (inline(Page<Organization>) = "application/json"),
                (String = "text/csv", example = "id,name,short_name,kind,...")
            ),
            headers(("Link" = String, description = "The next page, when there is one"))),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad filter, limit or cursor", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_organizations(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    filter: Query<OrganizationFilter>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::Read)?;
    let limit = page.limit()?;
    let after: Option<Id> = page.after(&req)?;
    let filter = filter.into_inner();
    let rows = state.db.run(move |conn| repo::list(conn, &filter, after, i64::from(limit) + 1)).await?;
    Ok(Page::from_rows(rows, limit, |o| o.id).respond(&req))
}

/// Register an organization.
///
/// Administrators, BPJS staff and OPD staff. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations",
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body within 24 hours answer the first response again")),
    request_body = NewOrganization,
    responses(
        (status = 201, description = "Created", body = Organization, headers(
            ("Location" = String, description = "The new organization's URL"),
            ("ETag" = String, description = "Its version, for If-Match"),
            ("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        (status = 400, description = "Malformed JSON or an unknown field", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not edit the registry", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The short name is taken", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all listed), unknown region or parent, or an Idempotency-Key reused with another body", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_organization(
    user: AuthUser,
    state: web::Data<AppState>,
    idem: Idempotency,
    body: Json<NewOrganization>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::EditRegistry)?;
    let body = body.into_inner();
    let (actor, user_id, now) = (user.actor(), user.id, state.clock.now());
    let input = body.clone();
    idem.create(&state, &user, &body, move |conn| {
        let org = repo::create(conn, input, user_id, now)?;
        audit::record(conn, &actor, now, Change::new("create", "organization", org.id).after(&org))?;
        Created::new(location(org.id), Some(org.version), &org)
    })
    .await
}

/// One organization.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "organizations",
    params(("id" = Id, Path, description = "Organization id")),
    responses(
        (status = 200, body = Organization, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_organization(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::Read)?;
    let id = id.into_inner();
    let org = state.db.run(move |conn| repo::find(conn, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), org.version, &org))
}

/// Change an organization.
///
/// Administrators, BPJS staff and OPD staff. Send the fields to change; `null` clears an optional field.
/// To retire an organization that others refer to, set `status` to `inactive`.
#[utoipa::path(patch, path = "/api/v1/organizations/{id}", tag = "organizations",
    params(("id" = Id, Path, description = "Organization id"),
        ("If-Match" = String, Header, description = "The ETag of the version read")),
    request_body = OrganizationPatch,
    responses(
        (status = 200, body = Organization, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed JSON or an unknown field", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not edit the registry", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The short name is taken", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The organization changed since it was read; nothing was changed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all listed), unknown region or parent, or a parent that would make a cycle", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_organization(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
    body: Json<OrganizationPatch>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::EditRegistry)?;
    let (id, patch) = (id.into_inner(), body.into_inner());
    let (actor, now) = (user.actor(), state.clock.now());
    let org = state
        .db
        .write(move |conn| {
            let current = repo::find(conn, id)?;
            if_match.check(current.version)?;
            let updated = repo::update(conn, &current, patch.apply(&current), now)?;
            if updated.version != current.version {
                let change = Change::new("update", "organization", id).before(&current).after(&updated);
                audit::record(conn, &actor, now, change)?;
            }
            Ok(updated)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), org.version, &org))
}

/// Delete an organization that nothing refers to.
///
/// Administrators, BPJS staff and OPD staff. While organizations under it, contacts, user accounts or
/// other records refer to it, the answer is 409 naming them: set its status to `inactive` instead.
#[utoipa::path(delete, path = "/api/v1/organizations/{id}", tag = "organizations",
    params(("id" = Id, Path, description = "Organization id"),
        ("If-Match" = String, Header, description = "The ETag of the version read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not edit the registry", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Other records refer to it (named in the detail)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The organization changed since it was read; nothing was changed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete_organization(
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
            audit::record(conn, &actor, now, Change::new("delete", "organization", id).before(&current))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
