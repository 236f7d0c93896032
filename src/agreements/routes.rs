//! `/agreements`, `/agreements/{id}/…` and `/commitments/…`: thin handlers. Each write extracts (user,
//! path, body) and hands ONE use case of [`super::service`] or [`super::commitments::service`] to
//! [`crate::http::write`]; each list hands one query to [`crate::http::Paging::list`].

use actix_web::{HttpRequest, HttpResponse, web};

use super::commitments::{
    self, Commitment, CommitmentFilter, CommitmentPatch, NewCommitment, NewProgress, ProgressUpdate,
};
use super::model::{
    Agreement, AgreementFilter, AgreementPatch, Amendment, NewAgreement, NewAmendment, Termination,
};
use super::printed_report;
use super::repo;
use super::report::{self, AgreementReport, ReportLine};
use super::service;
use super::visibility::{self, Visibility};
use crate::auth::{Action, AuthUser, policy};
use crate::db::{DbConnection, Id};
use crate::http::csv;
use crate::http::{
    Endpoint, Idempotency, IdempotencyKey, Json, PageQuery, Paging, Query, Reply, Target, with_etag, write,
};
use crate::pdf::{self, Printing};
use crate::state::State;

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

/// List agreements, in creation order. Restricted agreements the caller is not party to are left out.
#[utoipa::path(get, path = "/api/v1/agreements", tag = "agreements",
    params(AgreementFilter, PageQuery),
    responses((status = 200, body = inline(crate::http::Page<Agreement>))),
    security(("bearer" = [])))]
pub async fn list_agreements(
    user: AuthUser,
    state: State,
    filter: Query<AgreementFilter>,
    page: Paging,
) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let (filter, today) = (filter.into_inner(), state.clock.today());
    let query = move |conn: &mut DbConnection, after, limit| {
        let rows = repo::list(conn, &filter, &Visibility::of(&user), today, after, limit)?;
        Ok(rows.iter().map(|r| r.view(today)).collect())
    };
    page.list(&state, query, |a: &Agreement| a.id).await
}

/// Create a draft agreement. The caller's organization (or one above it) must be among its parties.
#[utoipa::path(post, path = "/api/v1/agreements", tag = "agreements", request_body = NewAgreement,
    params(IdempotencyKey),
    responses(
        (status = 201, body = Agreement, headers(("Location" = String), ("ETag" = String))),
        (status = 403, description = "The caller's organization (or one above it) is not among the bound parties",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another agreement has this number",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_agreement(
    user: AuthUser,
    state: State,
    idem: Idempotency,
    body: Json<NewAgreement>,
) -> Reply {
    write::create(&state, user, idem, body, service::create).await
}

/// One agreement. A restricted agreement is 404 to non-parties other than auditors and administrators.
#[utoipa::path(get, path = "/api/v1/agreements/{id}", tag = "agreements",
    params(("id" = Id, Path)),
    responses((status = 200, body = Agreement, headers(("ETag" = String)))),
    security(("bearer" = [])))]
pub async fn get_agreement(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
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
        (status = 403, description = "The caller acts for none of the bound parties, before or after the change",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The agreement is terminated; or it is active and the change touches parties, scopes or the period (amend it instead); or another agreement has the number",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_agreement(
    user: AuthUser,
    state: State,
    target: Target,
    body: Json<AgreementPatch>,
) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, patch| service::update(tx, id, &if_match, patch)).await
}

/// Delete a draft agreement (If-Match required), with its commitments. Other agreements: 409.
#[utoipa::path(delete, path = "/api/v1/agreements/{id}", tag = "agreements",
    params(("id" = Id, Path), ("If-Match" = String, Header, description = "The agreement's ETag")),
    responses(
        (status = 204),
        (status = 409, description = "The agreement is not a draft, or activities or outcomes refer to it",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn delete_agreement(user: AuthUser, state: State, target: Target) -> Reply {
    let Target { id, if_match } = target;
    write::delete(&state, user, move |tx| service::delete(tx, id, &if_match)).await
}

/// Activate a draft. It needs a number, `signed_on`, `effective_from` and two distinct party
/// organizations (witnesses do not count); the 409 lists every missing one in `errors`. `If-Match` is
/// optional here; a stale one is 412.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/activate", tag = "agreements",
    params(("id" = Id, Path), ("If-Match" = Option<String>, Header, description = "The agreement's ETag")),
    responses(
        (status = 200, body = Agreement, headers(("ETag" = String))),
        (status = 409, description = "Not a draft, or something activation needs is missing (each listed in `errors`)",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn activate_agreement(user: AuthUser, state: State, target: Target) -> Reply {
    let Target { id, if_match } = target;
    write::transition(&state, user, move |tx| service::activate(tx, id, &if_match)).await
}

/// Terminate an active (or expired) agreement, with the date and the reason.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/terminate", tag = "agreements", request_body = Termination,
    params(("id" = Id, Path), ("If-Match" = Option<String>, Header, description = "The agreement's ETag")),
    responses(
        (status = 200, body = Agreement, headers(("ETag" = String))),
        (status = 409, description = "The agreement is not active or expired",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn terminate_agreement(
    user: AuthUser,
    state: State,
    target: Target,
    body: Json<Termination>,
) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, input| service::terminate(tx, id, &if_match, input)).await
}

/// Amend an active (or expired) agreement: change its period, scopes and parties at once, and keep the
/// amendment.
#[utoipa::path(post, path = "/api/v1/agreements/{id}/amendments", tag = "agreements", request_body = NewAmendment,
    params(("id" = Id, Path), IdempotencyKey),
    responses(
        (status = 201, body = Amendment, headers(("Location" = String))),
        (status = 409, description = "The agreement is not active or expired, or already has an amendment with this number",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_amendment(
    user: AuthUser,
    state: State,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewAmendment>,
) -> Reply {
    let id = id.into_inner();
    // Amendments are kept in their agreement's list; they have no address of their own.
    let list = format!("/api/v1/agreements/{id}/amendments");
    write::append(
        &state,
        user,
        idem,
        body,
        move |_| (list, None),
        move |tx, input| service::amend(tx, id, input),
    )
    .await
}

/// The agreement's amendments, in the order they were made.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/amendments", tag = "agreements",
    params(("id" = Id, Path), PageQuery),
    responses((status = 200, body = inline(crate::http::Page<Amendment>))),
    security(("bearer" = [])))]
pub async fn list_amendments(user: AuthUser, state: State, id: web::Path<Id>, page: Paging) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    let query = move |conn: &mut DbConnection, after, limit| {
        visibility::agreement(conn, &user, id)?;
        repo::amendments(conn, id, after, limit)?.into_iter().map(Amendment::try_from).collect()
    };
    page.list(&state, query, |a: &Amendment| a.id).await
}

/// The agreement's report. With `Accept: text/csv`, one line per fact: section, item, value, detail.
/// With `Accept: application/pdf`, the report to print (A4, in Bahasa Indonesia, under the letterhead
/// of the caller's organization).
#[utoipa::path(get, path = "/api/v1/agreements/{id}/report", tag = "agreements",
    params(("id" = Id, Path)),
    responses(
        (status = 200, content(
            (AgreementReport = "application/json"),
            (Vec<ReportLine> = "text/csv"),
            (Vec<u8> = "application/pdf"),
        )),
    ),
    security(("bearer" = [])))]
pub async fn agreement_report(req: HttpRequest, user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let (id, today) = (id.into_inner(), state.clock.today());
    if pdf::wanted(&req) {
        let printing = Printing { at: state.clock.now(), zone: state.settings.time_zone };
        let printable = state.db.run(move |conn| printed_report::load(conn, &user, id, today)).await?;
        let file = pdf::render(move || printed_report::pdf(&printable, printing)).await?;
        return Ok(pdf::respond(file, &format!("laporan-perjanjian-{id}")));
    }
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
    params(("id" = Id, Path), IdempotencyKey),
    responses(
        (status = 201, body = Commitment, headers(("Location" = String), ("ETag" = String))),
        (status = 409, description = "The agreement is terminated",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_commitment(
    user: AuthUser,
    state: State,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewCommitment>,
) -> Reply {
    let id = id.into_inner();
    write::create(&state, user, idem, body, move |tx, input| commitments::service::create(tx, id, input))
        .await
}

/// The agreement's commitments, in creation order.
#[utoipa::path(get, path = "/api/v1/agreements/{id}/commitments", tag = "commitments",
    params(("id" = Id, Path), CommitmentFilter, PageQuery),
    responses((status = 200, body = inline(crate::http::Page<Commitment>))),
    security(("bearer" = [])))]
pub async fn list_commitments(
    user: AuthUser,
    state: State,
    id: web::Path<Id>,
    filter: Query<CommitmentFilter>,
    page: Paging,
) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let (id, filter, today) = (id.into_inner(), filter.into_inner(), state.clock.today());
    let query = move |conn: &mut DbConnection, after, limit| {
        visibility::agreement(conn, &user, id)?;
        let rows = commitments::repo::list(conn, id, &filter, today, after, limit)?;
        Ok(rows.iter().map(|c| c.view(today)).collect())
    };
    page.list(&state, query, |c: &Commitment| c.id).await
}

/// One commitment (404 when its agreement is restricted and the caller may not see it).
#[utoipa::path(get, path = "/api/v1/commitments/{id}", tag = "commitments",
    params(("id" = Id, Path)),
    responses((status = 200, body = Commitment, headers(("ETag" = String)))),
    security(("bearer" = [])))]
pub async fn get_commitment(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
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
        (status = 409, description = "The agreement is terminated",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_commitment(
    user: AuthUser,
    state: State,
    target: Target,
    body: Json<CommitmentPatch>,
) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, patch| commitments::service::update(tx, id, &if_match, patch))
        .await
}

/// Report progress on a commitment. The newest report sets the commitment's status and progress; a
/// fulfilled or cancelled commitment takes no more (409).
#[utoipa::path(post, path = "/api/v1/commitments/{id}/updates", tag = "commitments", request_body = NewProgress,
    params(("id" = Id, Path), IdempotencyKey),
    responses(
        (status = 201, body = ProgressUpdate, headers(("Location" = String))),
        (status = 403, description = "Partner staff report only on commitments carried out by their organization (or one above it); BPJS and OPD staff, only under agreements their organization (or one above it) is a party to",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The commitment is fulfilled or cancelled, or its agreement is still a draft",
            body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_update(
    user: AuthUser,
    state: State,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewProgress>,
) -> Reply {
    let id = id.into_inner();
    // Reports are kept in their commitment's log; they have no address of their own.
    let list = format!("/api/v1/commitments/{id}/updates");
    write::append(
        &state,
        user,
        idem,
        body,
        move |_| (list, None),
        move |tx, input| commitments::service::report_progress(tx, id, input),
    )
    .await
}

/// The commitment's progress log, oldest first.
#[utoipa::path(get, path = "/api/v1/commitments/{id}/updates", tag = "commitments",
    params(("id" = Id, Path), PageQuery),
    responses((status = 200, body = inline(crate::http::Page<ProgressUpdate>))),
    security(("bearer" = [])))]
pub async fn list_updates(user: AuthUser, state: State, id: web::Path<Id>, page: Paging) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    let query = move |conn: &mut DbConnection, after, limit| {
        visibility::commitment(conn, &user, id)?;
        Ok(commitments::repo::updates(conn, id, after, limit)?
            .into_iter()
            .map(ProgressUpdate::from)
            .collect())
    };
    page.list(&state, query, |u: &ProgressUpdate| u.id).await
}
