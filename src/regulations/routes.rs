//! `/regulations`: thin handlers over [`super::service`].

use actix_web::{HttpResponse, web};

use super::model::{NewRegulation, Regulation, RegulationFilter, RegulationPatch};
use super::{repo, service};
use crate::auth::AuthUser;
use crate::db::Id;
use crate::http::problems::{AlreadyRegistered, StillReferenced};
use crate::http::{
    Endpoint, Idempotency, IdempotencyKey, Json, PageQuery, Paging, Query, Reply, Target, versioned,
    with_etag, write,
};
use crate::state::State;

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
                (inline(crate::http::Page<Regulation>) = "application/json"),
                (String = "text/csv", example = "id,kind,number,year,title,...")
            ),
            headers(("Link" = String, description = "The next page, when there is one"))),
    ),
    security(("bearer" = [])))]
pub async fn list_regulations(
    user: AuthUser,
    state: State,
    filter: Query<RegulationFilter>,
    page: Paging,
) -> Reply {
    let filter = filter.into_inner();
    page.list(
        &state,
        move |conn, after, limit| versioned::read(&user, || repo::list(conn, &filter, after, limit)),
        |r| r.id,
    )
    .await
}

/// Register a regulation.
///
/// Administrators, BPJS staff and OPD staff. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/regulations", tag = "regulations",
    params(IdempotencyKey),
    request_body = NewRegulation,
    responses(
        (status = 201, description = "Created", body = Regulation, headers(
            ("Location" = String, description = "The new regulation's URL"),
            ("ETag" = String, description = "Its version, for If-Match"),
            ("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        AlreadyRegistered,
    ),
    security(("bearer" = [])))]
pub async fn create_regulation(
    user: AuthUser,
    state: State,
    idem: Idempotency,
    body: Json<NewRegulation>,
) -> Reply {
    write::create(&state, user, idem, body, service::create).await
}

/// One regulation.
#[utoipa::path(get, path = "/api/v1/regulations/{id}", tag = "regulations",
    params(("id" = Id, Path, description = "Regulation id")),
    responses(
        (status = 200, body = Regulation, headers(("ETag" = String, description = "The version, for If-Match"))),
    ),
    security(("bearer" = [])))]
pub async fn get_regulation(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    let id = id.into_inner();
    let regulation = state.db.run(move |conn| versioned::read(&user, || repo::find(conn, id))).await?;
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
        AlreadyRegistered,
    ),
    security(("bearer" = [])))]
pub async fn update_regulation(
    user: AuthUser,
    state: State,
    target: Target,
    body: Json<RegulationPatch>,
) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, patch| service::update(tx, id, &if_match, patch)).await
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
        StillReferenced,
    ),
    security(("bearer" = [])))]
pub async fn delete_regulation(user: AuthUser, state: State, target: Target) -> Reply {
    let Target { id, if_match } = target;
    write::delete(&state, user, move |tx| service::delete(tx, id, &if_match)).await
}
