//! `/reports/…`: thin handlers; the figures are computed in the report modules.

use actix_web::{HttpRequest, HttpResponse, web};

use super::agreements::AgreementsReport;
use super::collaboration::{CollaborationQuery, CollaborationReport, Section};
use super::coverage::{CoverageReport, CoverageReportQuery};
use super::follow_ups::FollowUpsReport;
use super::{Visible, organization_names};
use crate::agreements::model::AgreementFilter;
use crate::agreements::visibility::Visibility;
use crate::auth::{Action, AuthUser, policy};
use crate::coverage::model::Zones;
use crate::error::AppError;
use crate::http::csv::respond;
use crate::http::{Endpoint, Query};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/reports/agreements").get(agreements_report))
        .service(Endpoint::new("/reports/coverage").get(coverage_report))
        .service(Endpoint::new("/reports/coverage.svg").get(coverage_chart))
        .service(Endpoint::new("/reports/collaboration").get(collaboration_report))
        .service(Endpoint::new("/reports/follow-ups").get(follow_ups_report));
}

/// One row per agreement the caller may read: status, days until expiry, commitments by status, overdue
/// commitments, activities held in the last 90 days and the last one's date. CSV with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/reports/agreements", tag = "reports",
    responses(
        (status = 200, content((AgreementsReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn agreements_report(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let (today, visibility) = (state.clock.today(), Visibility::of(&user));
    let report = state
        .db
        .run(move |conn| {
            let agreements = crate::agreements::repo::list_rows(
                conn,
                &AgreementFilter::default(),
                &visibility,
                today,
                None,
                i64::MAX,
            )?;
            super::agreements::build(conn, &agreements, today)
        })
        .await?;
    Ok(respond(&req, &report, &report.items))
}

async fn coverage(state: &AppState, query: CoverageReportQuery) -> Result<CoverageReport, AppError> {
    let zones = Zones::of(&state.settings);
    state.db.run(move |conn| super::coverage::build(conn, &query, zones)).await
}

/// Target, realisation, achievement and zone per segment and period, with the totals per period. CSV
/// (segments, then totals as segment `total`) with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/reports/coverage", tag = "reports",
    params(CoverageReportQuery),
    responses(
        (status = 200, content((CoverageReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad period", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn coverage_report(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    query: Query<CoverageReportQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let report = coverage(&state, query.into_inner()).await?;
    Ok(respond(&req, &report, &report.lines()))
}

/// The totals per period as an SVG bar chart: target against realisation, with axes, labels and a legend.
#[utoipa::path(get, path = "/api/v1/reports/coverage.svg", tag = "reports",
    params(CoverageReportQuery),
    responses(
        (status = 200, content((String = "image/svg+xml"))),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn coverage_chart(
    user: AuthUser,
    state: web::Data<AppState>,
    query: Query<CoverageReportQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let report = coverage(&state, query.into_inner()).await?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(super::svg::chart(&report)))
}

/// The collaboration network: pairs of organizations with their shared agreements and joint activities,
/// each organization's activities by kind and outcomes credited, and activities per CGR component. With
/// `Accept: text/csv`, the table named by `section` (default pairs).
#[utoipa::path(get, path = "/api/v1/reports/collaboration", tag = "reports",
    params(CollaborationQuery),
    responses(
        (status = 200, content((CollaborationReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn collaboration_report(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    query: Query<CollaborationQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let (today, visibility) = (state.clock.today(), Visibility::of(&user));
    let report = state
        .db
        .run(move |conn| {
            let visible = Visible::load(conn, &visibility, today)?;
            let names = organization_names(conn)?;
            super::collaboration::build(conn, &visible, &names)
        })
        .await?;
    Ok(match query.section.unwrap_or(Section::Pairs) {
        Section::Pairs => respond(&req, &report, &report.pairs),
        Section::Organizations => respond(&req, &report, &report.organizations),
        Section::CgrComponents => respond(&req, &report, &report.cgr_components),
    })
}

/// Open action items and overdue commitments, grouped by the organization responsible. CSV (one row per
/// follow-up) with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/reports/follow-ups", tag = "reports",
    responses(
        (status = 200, content((FollowUpsReport = "application/json"), (String = "text/csv"))),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn follow_ups_report(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let (today, visibility) = (state.clock.today(), Visibility::of(&user));
    let report = state
        .db
        .run(move |conn| {
            let visible = Visible::load(conn, &visibility, today)?;
            let names = organization_names(conn)?;
            super::follow_ups::build(conn, &visible, &names, today)
        })
        .await?;
    Ok(respond(&req, &report, &report.lines()))
}
