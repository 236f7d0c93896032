//! `/organizations`: thin handlers over [`super::service`].

use actix_web::{HttpResponse, web};

use super::model::{NewOrganization, Organization, OrganizationFilter, OrganizationPatch};
use super::{repo, service};
use crate::auth::AuthUser;
use crate::db::Id;
use crate::http::problems::{ShortNameTaken, StillReferenced};
use crate::http::{
    Endpoint, Idempotency, IdempotencyKey, Json, Page, PageQuery, Paging, Query, Reply, Target, versioned,
    with_etag, write,
};
use crate::state::State;

crate::gate!(crate::auth::Action::EditRegistry => NewOrganization, OrganizationPatch);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/organizations").get(list_organizations).post(create_organization)).service(
        Endpoint::new("/organizations/{id}")
            .get(get_organization)
            .patch(update_organization)
            .delete(delete_organization),
    );
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
    ),
    security(("bearer" = [])))]
pub async fn list_organizations(
    user: AuthUser,
    state: State,
    filter: Query<OrganizationFilter>,
    page: Paging,
) -> Reply {
    let filter = filter.into_inner();
    page.list(
        &state,
        move |conn, after, limit| versioned::read(&user, || repo::list(conn, &filter, after, limit)),
        |o| o.id,
    )
    .await
}

/// Register an organization.
///
/// Administrators, BPJS staff and OPD staff. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/organizations", tag = "organizations",
    params(IdempotencyKey),
    request_body = NewOrganization,
    responses(
        (status = 201, description = "Created", body = Organization, headers(
            ("Location" = String, description = "The new organization's URL"),
            ("ETag" = String, description = "Its version, for If-Match"),
            ("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        ShortNameTaken,
        (status = 422, description = "Invalid fields (all listed), an unknown region or parent, or an Idempotency-Key reused with another body", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_organization(
    user: AuthUser,
    state: State,
    idem: Idempotency,
    body: Json<NewOrganization>,
) -> Reply {
    write::create(&state, user, idem, body, service::create).await
}

/// One organization.
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "organizations",
    params(("id" = Id, Path, description = "Organization id")),
    responses(
        (status = 200, body = Organization, headers(("ETag" = String, description = "The version, for If-Match"))),
    ),
    security(("bearer" = [])))]
pub async fn get_organization(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    let id = id.into_inner();
    let org = state.db.run(move |conn| versioned::read(&user, || repo::find(conn, id))).await?;
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
        ShortNameTaken,
        (status = 422, description = "Invalid fields (all listed), an unknown region or parent, or a parent that would make a cycle", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_organization(
    user: AuthUser,
    state: State,
    target: Target,
    body: Json<OrganizationPatch>,
) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, patch| service::update(tx, id, &if_match, patch)).await
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
        StillReferenced,
    ),
    security(("bearer" = [])))]
pub async fn delete_organization(user: AuthUser, state: State, target: Target) -> Reply {
    let Target { id, if_match } = target;
    write::delete(&state, user, move |tx| service::delete(tx, id, &if_match)).await
}
