use actix_web::{HttpRequest, HttpResponse, web};

use super::model::{Contact, ContactFilter, ContactPatch, NewContact};
use super::repo;
use crate::audit::{self, Change};
use crate::auth::{AuthUser, policy};
use crate::db::Id;
use crate::error::AppError;
use crate::http::{Created, Endpoint, Idempotency, IfMatch, Json, Page, PageQuery, Query, with_etag};
use crate::organizations;
use crate::state::AppState;

crate::gate!(crate::auth::Action::EditContact { organization: Id::NIL } => NewContact, ContactPatch);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/organizations/{id}/contacts").get(list_contacts).post(create_contact))
        .service(
            Endpoint::new("/contacts/{id}").get(get_contact).patch(update_contact).delete(delete_contact),
        );
}

/// The contacts of an organization, oldest first.
///
/// Answers CSV with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/organizations/{id}/contacts", tag = "contacts",
    params(("id" = Id, Path, description = "Organization id"), ContactFilter, PageQuery),
    responses(
        (status = 200, description = "One page of contacts; `Link: <…>; rel=\"next\"` when there is a next page",
            content(
                (inline(Page<Contact>) = "application/json"),
                (String = "text/csv", example = "id,organization_id,full_name,position,...")
            ),
            headers(("Link" = String, description = "The next page, when there is one"))),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad filter, limit or cursor", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_contacts(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    filter: Query<ContactFilter>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::Read)?;
    let limit = page.limit()?;
    let after: Option<Id> = page.after(&req)?;
    let (org, filter) = (id.into_inner(), filter.into_inner());
    let rows = state
        .db
        .run(move |conn| {
            if !organizations::repo::exists(conn, org)? {
                return Err(AppError::not_found());
            }
            repo::list(conn, org, &filter, after, i64::from(limit) + 1)
        })
        .await?;
    Ok(Page::from_rows(rows, limit, |c| c.id).respond(&req))
}

/// Add a contact to an organization.
///
/// Administrators, BPJS staff and OPD staff for any organization; partner staff for their own.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/contacts", tag = "contacts",
    params(("id" = Id, Path, description = "Organization id"),
        ("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body within 24 hours answer the first response again")),
    request_body = NewContact,
    responses(
        (status = 201, description = "Created", body = Contact, headers(
            ("Location" = String, description = "The new contact's URL"),
            ("ETag" = String, description = "Its version, for If-Match"),
            ("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        (status = 400, description = "Malformed JSON or an unknown field", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user may not keep this organization's contacts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all listed), or an Idempotency-Key reused with another body", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_contact(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewContact>,
) -> Result<HttpResponse, AppError> {
    let org = id.into_inner();
    policy::authorize(&user, policy::Action::EditContact { organization: org })?;
    let body = body.into_inner();
    let (actor, user_id, now) = (user.actor(), user.id, state.clock.now());
    let input = body.clone();
    idem.create(&state, &user, &body, move |conn| {
        if !organizations::repo::exists(conn, org)? {
            return Err(AppError::not_found());
        }
        let contact = repo::create(conn, org, &input.validate()?, user_id, now)?;
        audit::record(conn, &actor, now, Change::new("create", "contact", contact.id).after(&contact))?;
        Created::new(format!("/api/v1/contacts/{}", contact.id), Some(contact.version), &contact)
    })
    .await
}

/// One contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = Id, Path, description = "Contact id")),
    responses(
        (status = 200, body = Contact, headers(("ETag" = String, description = "The version, for If-Match"))),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_contact(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::Read)?;
    let id = id.into_inner();
    let contact = state.db.run(move |conn| repo::find(conn, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), contact.version, &contact))
}

/// Change a contact.
///
/// Administrators, BPJS staff and OPD staff for any organization; partner staff for their own.
#[utoipa::path(patch, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = Id, Path, description = "Contact id"),
        ("If-Match" = String, Header, description = "The ETag of the version read")),
    request_body = ContactPatch,
    responses(
        (status = 200, body = Contact, headers(("ETag" = String, description = "The new version"))),
        (status = 400, description = "Malformed JSON or an unknown field", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user may not keep this organization's contacts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The contact changed since it was read; nothing was changed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 1 MiB", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not application/json", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (all listed)", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_contact(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
    body: Json<ContactPatch>,
) -> Result<HttpResponse, AppError> {
    let (id, patch) = (id.into_inner(), body.into_inner());
    let now = state.clock.now();
    let contact = state
        .db
        .write(move |conn| {
            let current = repo::find(conn, id)?;
            policy::authorize(&user, policy::Action::EditContact { organization: current.organization_id })?;
            if_match.check(current.version)?;
            let fields = patch.apply(&current).validate()?;
            let updated = repo::update(conn, &current, &fields, now)?;
            if updated.version != current.version {
                let change = Change::new("update", "contact", id).before(&current).after(&updated);
                audit::record(conn, &user.actor(), now, change)?;
            }
            Ok(updated)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), contact.version, &contact))
}

/// Delete a contact.
///
/// Administrators, BPJS staff and OPD staff for any organization; partner staff for their own.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = Id, Path, description = "Contact id"),
        ("If-Match" = String, Header, description = "The ETag of the version read")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The user may not keep this organization's contacts", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such contact", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "The contact changed since it was read; nothing was changed", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match is missing", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete_contact(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let now = state.clock.now();
    state
        .db
        .write(move |conn| {
            let current = repo::find(conn, id)?;
            policy::authorize(&user, policy::Action::EditContact { organization: current.organization_id })?;
            if_match.check(current.version)?;
            repo::delete(conn, &current)?;
            audit::record(conn, &user.actor(), now, Change::new("delete", "contact", id).before(&current))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
