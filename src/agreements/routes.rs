//! `/agreements`, `/agreements/{id}/…` and `/commitments/…`: thin handlers over [`super::service`].

use actix_web::{HttpRequest, HttpResponse, web};

use super::commitments::{
    self, Commitment, CommitmentFilter, CommitmentPatch, NewCommitment, NewProgress, ProgressUpdate,
};
use super::model::{
    Agreement, AgreementFilter, AgreementPatch, Amendment, NewAgreement, NewAmendment, Termination,
};
use super::repo;
use super::report::{self, AgreementReport, ReportLine};
use super::service::{self, Now};
use super::visibility::{self, Visibility};
use crate::auth::{Action, AuthUser, policy};
use crate::db::Id;
use crate::error::AppError;
use crate::http::csv;
use crate::http::{Created, Endpoint, Idempotency, IfMatch, Json, Page, PageQuery, Query, with_etag};
use crate::state::AppState;

crate::gate!(Action::EditAgreement { parties: &[] } => NewAgreement, AgreementPatch, NewAmendment, Termination);
crate::gate!(Action::EditCommitment { parties: &[] } => NewCommitment, CommitmentPatch);
crate::gate!(Action::ReportCommitment { parties: &[], responsible: Id::NIL } => NewProgress);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/agreements").get(list_agreements).post(create_agreement))
        .service(
            Endpoint::new("/agreements/{id}")
                .get(get_agreement)
                .patch(update_agreement)
                .delete(delete_agreement),
        )
        .service(Endpoint::new("/agreements/{id}/activate").post(activate_agreement))
        .service(Endpoint::new("/agreements/{id}/terminate").post(terminate_agreement))
        .service(Endpoint::new("/agreements/{id}/amendments").get(list_amendments).post(create_amendment))
        .service(Endpoint::new("/agreements/{id}/commitments").get(list_commitments).post(create_commitment))
        .service(Endpoint::new("/agreements/{id}/report").get(agreement_report))
        .service(Endpoint::new("/commitments/{id}").get(get_commitment).patch(update_commitment))
        .service(Endpoint::new("/commitments/{id}/updates").get(list_updates).post(create_update));
}

fn now(state: &AppState) -> Now {
    Now(state.clock.now())
}

/// List agreements, in creation order. Restricted agreements the caller is not party to are left out.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements",
    params(AgreementFilter, PageQuery),
    responses(
        (status = 200, body = inline(Page<Agreement>)),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_agreements(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    filter: Query<AgreementFilter>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let limit = page.limit()?;
    let after: Option<Id> = page.after(&req)?;
    let filter = filter.into_inner();
    let visibility = Visibility::of(&user);
    let today = state.clock.today();
    let rows = state
        .db
        .run(move |conn| repo::list(conn, &filter, &visibility, today, after, i64::from(limit) + 1))
        .await?;
    let items = rows.iter().map(|r| r.view(today)).collect();
    Ok(Page::from_rows(items, limit, |a: &Agreement| a.id).respond(&req))
}

/// Create a draft agreement. The caller's organization (or one above it) must be among its parties.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements", request_body = NewAgreement,
    params(("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body within 24 hours answer the first response again")),
    responses(
        (status = 201, body = Agreement, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_agreement(
    user: AuthUser,
    state: web::Data<AppState>,
    idem: Idempotency,
    body: Json<NewAgreement>,
) -> Result<HttpResponse, AppError> {
    let (now, body, writer) = (now(&state), body.into_inner(), user.clone());
    let input = body.clone();
    idem.create(&state, &user, &body, move |conn| {
        let agreement = service::create(conn, &writer, now, input)?;
        Created::new(format!("/api/v1/agreements/{}", agreement.id), Some(agreement.version), &agreement)
    })
    .await
}

/// One agreement. A restricted agreement is 404 to non-parties other than auditors and administrators.
#[utoipa::path(get, path = "/api/v1/agreements/{id}", tag = "agreements",
    params(("id" = Id, Path)),
    responses(
        (status = 200, body = Agreement, headers(("ETag" = String))),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_agreement(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    let today = state.clock.today();
    let record = state.db.run(move |conn| visibility::agreement(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), record.row.version, &record.view(today)))
}

/// Change an agreement (If-Match required). Once active, parties, scopes and the period change only
/// through an amendment (409); a terminated agreement does not change.
#[utoipa::path(patch, path = "/api/v1/agreements/{id}", tag = "agreements", request_body = AgreementPatch,
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The agreement's ETag")),
    responses(
        (status = 200, body = Agreement, headers(("ETag" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_agreement(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
    body: Json<AgreementPatch>,
) -> Result<HttpResponse, AppError> {
    let (now, id, patch) = (now(&state), id.into_inner(), body.into_inner());
    let agreement =
        state.db.write(move |conn| service::update(conn, &user, now, id, &if_match, patch)).await?;
    Ok(with_etag(HttpResponse::Ok(), agreement.version, &agreement))
}

/// Delete a draft agreement (If-Match required), with its commitments. Other agreements: 409.
#[utoipa::path(delete, path = "/api/v1/agreements/{id}", tag = "agreements",
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The agreement's ETag")),
    responses(
        (status = 204),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete_agreement(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let (now, id) = (now(&state), id.into_inner());
    state.db.write(move |conn| service::delete(conn, &user, now, id, &if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Activate a draft. It needs a number, `signed_on`, `effective_from` and two distinct party
/// organizations (witnesses do not count); the 409 lists every missing one in `errors`. `If-Match` is
/// optional here; a stale one is 412.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/activate", tag = "agreements",
    params(("id" = Id, Path), ("If-Match" = Option<String>, Header, description = "The agreement's ETag")),
    responses(
        (status = 200, body = Agreement, headers(("ETag" = String))),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn activate_agreement(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
) -> Result<HttpResponse, AppError> {
    let (now, id) = (now(&state), id.into_inner());
    let agreement = state.db.write(move |conn| service::activate(conn, &user, now, id, &if_match)).await?;
    Ok(with_etag(HttpResponse::Ok(), agreement.version, &agreement))
}

/// Terminate an active (or expired) agreement, with the date and the reason.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/terminate", tag = "agreements", request_body = Termination,
    params(("id" = Id, Path), ("If-Match" = Option<String>, Header, description = "The agreement's ETag")),
    responses(
        (status = 200, body = Agreement, headers(("ETag" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn terminate_agreement(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
    body: Json<Termination>,
) -> Result<HttpResponse, AppError> {
    let (now, id, body) = (now(&state), id.into_inner(), body.into_inner());
    let agreement =
        state.db.write(move |conn| service::terminate(conn, &user, now, id, &if_match, body)).await?;
    Ok(with_etag(HttpResponse::Ok(), agreement.version, &agreement))
}

/// Amend an active (or expired) agreement: change its period, scopes and parties at once, and keep the
/// amendment.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/amendments", tag = "agreements", request_body = NewAmendment,
    params(("id" = Id, Path), ("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body within 24 hours answer the first response again")),
    responses(
        (status = 201, body = Amendment, headers(("Location" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_amendment(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewAmendment>,
) -> Result<HttpResponse, AppError> {
    let (now, id, body, writer) = (now(&state), id.into_inner(), body.into_inner(), user.clone());
    let input = body.clone();
    idem.create(&state, &user, &body, move |conn| {
        let (_, amendment) = service::amend(conn, &writer, now, id, input)?;
        // Amendments are kept in their agreement's list; they have no address of their own.
        Created::new(format!("/api/v1/agreements/{id}/amendments"), None, &amendment)
    })
    .await
}

/// The agreement's amendments, in the order they were made.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/amendments", tag = "agreements",
    params(("id" = Id, Path), PageQuery),
    responses(
        (status = 200, body = inline(Page<Amendment>)),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_amendments(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let (id, limit) = (id.into_inner(), page.limit()?);
    let after: Option<Id> = page.after(&req)?;
    let rows = state
        .db
        .run(move |conn| {
            visibility::agreement(conn, &user, id)?;
            repo::amendments(conn, id, after, i64::from(limit) + 1)
        })
        .await?;
    let items: Vec<Amendment> = rows.into_iter().map(Amendment::from).collect();
    Ok(Page::from_rows(items, limit, |a: &Amendment| a.id).respond(&req))
}

/// The agreement's report. With `Accept: text/csv`, one line per fact: section, item, value, detail.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/report", tag = "agreements",
    params(("id" = Id, Path)),
    responses(
        (status = 200, content(
            (AgreementReport = "application/json"),
            (Vec<ReportLine> = "text/csv"),
        )),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn agreement_report(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let (id, today) = (id.into_inner(), state.clock.today());
    let report = state
        .db
        .run(move |conn| {
            let record = visibility::agreement(conn, &user, id)?;
            report::build(conn, &record, today)
        })
        .await?;
    if csv::wants_csv(&req) {
        return Ok(HttpResponse::Ok().content_type(csv::TEXT_CSV).body(csv::to_csv(&report.lines())?));
    }
    Ok(HttpResponse::Ok().json(report))
}

/// Add a commitment to an agreement. The responsible organization must be a party or under one.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/commitments", tag = "commitments",
    request_body = NewCommitment,
    params(("id" = Id, Path), ("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body within 24 hours answer the first response again")),
    responses(
        (status = 201, body = Commitment, headers(("Location" = String), ("ETag" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_commitment(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewCommitment>,
) -> Result<HttpResponse, AppError> {
    let (now, id, body, writer) = (now(&state), id.into_inner(), body.into_inner(), user.clone());
    let input = body.clone();
    idem.create(&state, &user, &body, move |conn| {
        let commitment = service::create_commitment(conn, &writer, now, id, input)?;
        Created::new(format!("/api/v1/commitments/{}", commitment.id), Some(commitment.version), &commitment)
    })
    .await
}

/// The agreement's commitments, in creation order.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/commitments", tag = "commitments",
    params(("id" = Id, Path), CommitmentFilter, PageQuery),
    responses(
        (status = 200, body = inline(Page<Commitment>)),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_commitments(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    filter: Query<CommitmentFilter>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let (id, limit, today) = (id.into_inner(), page.limit()?, state.clock.today());
    let after: Option<Id> = page.after(&req)?;
    let filter = filter.into_inner();
    let rows = state
        .db
        .run(move |conn| {
            visibility::agreement(conn, &user, id)?;
            commitments::list(conn, id, &filter, today, after, i64::from(limit) + 1)
        })
        .await?;
    let items: Vec<Commitment> = rows.iter().map(|c| c.view(today)).collect();
    Ok(Page::from_rows(items, limit, |c: &Commitment| c.id).respond(&req))
}

/// One commitment (404 when its agreement is restricted and the caller may not see it).
#[utoipa::path(get, path = "/api/v1/commitments/{id}", tag = "commitments",
    params(("id" = Id, Path)),
    responses(
        (status = 200, body = Commitment, headers(("ETag" = String))),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_commitment(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let (id, today) = (id.into_inner(), state.clock.today());
    let (_, row) = state.db.run(move |conn| visibility::commitment(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), row.version, &row.view(today)))
}

/// Change a commitment's description, responsibility, scope, due date or target (If-Match required).
/// Status and progress change through progress reports.
#[utoipa::path(patch, path = "/api/v1/commitments/{id}", tag = "commitments", request_body = CommitmentPatch,
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The commitment's ETag")),
    responses(
        (status = 200, body = Commitment, headers(("ETag" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 412, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 428, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_commitment(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    if_match: IfMatch,
    body: Json<CommitmentPatch>,
) -> Result<HttpResponse, AppError> {
    let (now, id, patch) = (now(&state), id.into_inner(), body.into_inner());
    let commitment = state
        .db
        .write(move |conn| service::update_commitment(conn, &user, now, id, &if_match, patch))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), commitment.version, &commitment))
}

/// Report progress on a commitment. The newest report sets the commitment's status and progress; a
/// fulfilled or cancelled commitment takes no more (409).
#[utoipa::path(post, path = "/api/v1/commitments/{id}/updates", tag = "commitments", request_body = NewProgress,
    params(("id" = Id, Path), ("Idempotency-Key" = Option<String>, Header,
        description = "Makes the request safe to retry: the same key and body within 24 hours answer the first response again")),
    responses(
        (status = 201, body = ProgressUpdate, headers(("Location" = String))),
        (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_update(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewProgress>,
) -> Result<HttpResponse, AppError> {
    let (now, id, body, writer) = (now(&state), id.into_inner(), body.into_inner(), user.clone());
    let input = body.clone();
    idem.create(&state, &user, &body, move |conn| {
        let (_, update) = service::report_progress(conn, &writer, now, id, input)?;
        // Reports are kept in their commitment's log; they have no address of their own.
        Created::new(format!("/api/v1/commitments/{id}/updates"), None, &update)
    })
    .await
}

/// The commitment's progress log, oldest first.
#[utoipa::path(get, path = "/api/v1/commitments/{id}/updates", tag = "commitments",
    params(("id" = Id, Path), PageQuery),
    responses(
        (status = 200, body = inline(Page<ProgressUpdate>)),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_updates(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let (id, limit) = (id.into_inner(), page.limit()?);
    let after: Option<Id> = page.after(&req)?;
    let rows = state
        .db
        .run(move |conn| {
            visibility::commitment(conn, &user, id)?;
            commitments::updates(conn, id, after, i64::from(limit) + 1)
        })
        .await?;
    let items: Vec<ProgressUpdate> = rows.into_iter().map(ProgressUpdate::from).collect();
    Ok(Page::from_rows(items, limit, |u: &ProgressUpdate| u.id).respond(&req))
}
