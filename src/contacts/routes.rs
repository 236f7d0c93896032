//! `/organizations/{id}/contacts` and `/contacts/{id}`: thin handlers over [`super::service`].

use actix_web::{HttpResponse, web};

use super::model::{Contact, ContactFilter, ContactPatch, NewContact};
use super::{repo, service};
use crate::auth::AuthUser;
use crate::db::Id;
use crate::http::problems::NotTheirContacts;
use crate::http::{
    Endpoint, Idempotency, IdempotencyKey, Json, Page, PageQuery, Paging, Query, Reply, Target, versioned,
    with_etag, write,
};
use crate::state::State;

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
    ),
    security(("bearer" = [])))]
pub async fn list_contacts(
    user: AuthUser,
    state: State,
    id: web::Path<Id>,
    filter: Query<ContactFilter>,
    page: Paging,
) -> Reply {
    let (org, filter) = (id.into_inner(), filter.into_inner());
    let list = move |conn: &mut _, after, limit| service::list(conn, &user, org, &filter, after, limit);
    page.list(&state, list, |c: &Contact| c.id).await
}

/// Add a contact to an organization.
///
/// Administrators, BPJS staff and OPD staff for any organization; partner staff for their own.
#[utoipa::path(post, path = "/api/v1/organizations/{id}/contacts", tag = "contacts",
    params(("id" = Id, Path, description = "Organization id"),
        IdempotencyKey),
    request_body = NewContact,
    responses(
        (status = 201, description = "Created", body = Contact, headers(
            ("Location" = String, description = "The new contact's URL"),
            ("ETag" = String, description = "Its version, for If-Match"),
            ("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        NotTheirContacts,
    ),
    security(("bearer" = [])))]
pub async fn create_contact(
    user: AuthUser,
    state: State,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewContact>,
) -> Reply {
    let org = id.into_inner();
    write::create(&state, user, idem, body, move |tx, body| service::create(tx, org, body)).await
}

/// One contact.
#[utoipa::path(get, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = Id, Path, description = "Contact id")),
    responses(
        (status = 200, body = Contact, headers(("ETag" = String, description = "The version, for If-Match"))),
    ),
    security(("bearer" = [])))]
pub async fn get_contact(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    let id = id.into_inner();
    let contact = state.db.run(move |conn| versioned::read(&user, || repo::find(conn, id))).await?;
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
        NotTheirContacts,
    ),
    security(("bearer" = [])))]
pub async fn update_contact(user: AuthUser, state: State, target: Target, body: Json<ContactPatch>) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, patch| service::update(tx, id, &if_match, patch)).await
}

/// Delete a contact.
///
/// Administrators, BPJS staff and OPD staff for any organization; partner staff for their own.
#[utoipa::path(delete, path = "/api/v1/contacts/{id}", tag = "contacts",
    params(("id" = Id, Path, description = "Contact id"),
        ("If-Match" = String, Header, description = "The ETag of the version read")),
    responses(
        (status = 204, description = "Deleted"),
        NotTheirContacts,
    ),
    security(("bearer" = [])))]
pub async fn delete_contact(user: AuthUser, state: State, target: Target) -> Reply {
    let Target { id, if_match } = target;
    write::delete(&state, user, move |tx| service::delete(tx, id, &if_match)).await
}
