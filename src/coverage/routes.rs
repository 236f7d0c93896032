//! `/coverage` (list and bulk upsert) and `/coverage/import` (CSV): thin handlers over [`super::service`].

use actix_web::{HttpResponse, web};

use super::model::{Coverage, CoverageFilter, CoverageUpsert, UpsertSummary, Zones};
use super::{repo, service};
use crate::auth::{Action, AuthUser, policy};
use crate::error::AppError;
use crate::http::csv::CsvBody;
use crate::http::{Endpoint, Json, Page, PageQuery, Paging, Query, Reply, Tx};
use crate::state::{AppState, State};

/// The body of `POST /coverage/import`.
pub struct CoverageCsv;

crate::gate!(Action::RecordCoverage => CoverageUpsert, CoverageCsv);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/coverage").get(list_coverage).put(upsert_coverage))
        .service(Endpoint::new("/coverage/import").post(import_coverage));
}

/// Coverage rows ordered by region, period and segment, each with its derived `achievement_pct` and
/// `zone`. Answers CSV with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "coverage",
    params(CoverageFilter, PageQuery),
    responses(
        (status = 200, content((inline(Page<Coverage>) = "application/json"), (String = "text/csv")),
            headers(("Link" = String, description = "The next page, when there is one"))),
    ),
    security(("bearer" = [])))]
pub async fn list_coverage(
    user: AuthUser,
    state: State,
    filter: Query<CoverageFilter>,
    page: Paging,
) -> Reply {
    policy::authorize(&user, Action::Read)?;
    let (filter, zones) = (filter.into_inner(), Zones::of(&state.settings));
    page.list(
        &state,
        move |conn, after, limit| service::list(conn, &filter, zones, after, limit),
        repo::key_of,
    )
    .await
}

/// Record coverage figures: each row is keyed by (region_code, segment, period), created when new and
/// replaced when its figures differ. Sending the same rows again changes nothing and writes no audit
/// event. All or nothing: a bad row refuses the whole request (422 naming every bad field).
/// Administrators and BPJS staff.
#[utoipa::path(put, path = "/api/v1/coverage", tag = "coverage", request_body = CoverageUpsert,
    responses(
        (status = 200, body = UpsertSummary),
        (status = 422, description = "Bad rows, each field named (`rows[3].target`); nothing was recorded", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn upsert_coverage(user: AuthUser, state: State, body: Json<CoverageUpsert>) -> Reply {
    let (body, unparsed) = body.into_parts();
    record(&state, user, move |tx, zones| unparsed.check(service::upsert(tx, zones, body))).await
}

/// Import coverage figures from a CSV file (`Content-Type: text/csv`, UTF-8) whose header is
/// `region_code,segment,period,target,realization,source` (a `note` column may follow). Rows are
/// upserted as by `PUT /coverage`. A file with any bad row is refused whole: the 422 names every bad
/// row by its line number (`line 5.target`; the header is line 1) and nothing is imported.
#[utoipa::path(post, path = "/api/v1/coverage/import", tag = "coverage",
    request_body(content = String, content_type = "text/csv",
        example = "region_code,segment,period,target,realization,source\n1371,bpu,2023,73987,55086,BPJS Ketenagakerjaan Kantor Cabang Padang\n"),
    responses(
        (status = 200, body = UpsertSummary),
        (status = 400, description = "Not UTF-8", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows, each named by its line; nothing was imported", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn import_coverage(user: AuthUser, state: State, body: CsvBody<CoverageCsv>) -> Reply {
    let csv = body.0;
    record(&state, user, move |tx, zones| service::import(tx, zones, &csv)).await
}

/// Runs a use case that records coverage in one write transaction and answers its summary.
async fn record<F>(state: &AppState, user: AuthUser, use_case: F) -> Reply
where
    F: FnOnce(Tx<'_>, Zones) -> Result<UpsertSummary, AppError> + Send + 'static,
{
    let (now, zones) = (state.clock.now(), Zones::of(&state.settings));
    let summary = state.db.write(move |conn| use_case(Tx::new(conn, &user, now), zones)).await?;
    Ok(HttpResponse::Ok().json(summary))
}
