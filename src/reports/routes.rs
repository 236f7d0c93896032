//! `/reports/…`: thin handlers; the figures are computed in the report modules.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;

use super::agreements::AgreementsReport;
use super::collaboration::{CollaborationQuery, CollaborationReport, Section};
use super::coverage::{CoverageReport, CoverageReportQuery};
use super::follow_ups::FollowUpsReport;
use super::{Visible, organization_names};
use crate::agreements::model::AgreementFilter;
use crate::agreements::visibility::Visibility;
use crate::auth::{Action, AuthUser, policy};
use crate::coverage::model::Zones;
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::csv::respond;
use crate::http::{Endpoint, Query, Reply};
use crate::state::{AppState, State};

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
    ),
    security(("bearer" = [])))]
pub async fn agreements_report(req: HttpRequest, user: AuthUser, state: State) -> Reply {
    let report = build(&state, &user, |conn, visibility, today| {
        let all = AgreementFilter::default();
        let agreements = crate::agreements::repo::list_rows(conn, &all, visibility, today, None, i64::MAX)?;
        super::agreements::build(conn, &agreements, today)
    })
    .await?;
    Ok(respond(&req, &report, &report.items))
}

/// Builds a report, for a caller who may read, from what `user` may see as of today.
async fn build<R, F>(state: &AppState, user: &AuthUser, report: F) -> Result<R, AppError>
where
    R: Send + 'static,
    F: FnOnce(&mut DbConnection, &Visibility, NaiveDate) -> Result<R, AppError> + Send + 'static,
{
    policy::authorize(user, Action::Read)?;
    let (today, visibility) = (state.clock.today(), Visibility::of(user));
    state.db.run(move |conn| report(conn, &visibility, today)).await
}

/// [`build`] for the reports over the visible agreements and activities and the organizations' names.
async fn build_visible<R, F>(state: &AppState, user: &AuthUser, report: F) -> Result<R, AppError>
where
    R: Send + 'static,
    F: FnOnce(&mut DbConnection, &Visible, &HashMap<Id, String>, NaiveDate) -> Result<R, AppError>
        + Send
        + 'static,
{
    build(state, user, move |conn, visibility, today| {
        let visible = Visible::load(conn, visibility, today)?;
        let names = organization_names(conn)?;
        report(conn, &visible, &names, today)
    })
    .await
}

/// The coverage report (the table and the chart): coverage is not tied to agreements, so nothing is hidden.
async fn coverage(
    state: &AppState,
    user: &AuthUser,
    query: CoverageReportQuery,
) -> Result<CoverageReport, AppError> {
    let zones = Zones::of(&state.settings);
    build(state, user, move |conn, _, _| super::coverage::build(conn, &query, zones)).await
}

/// Target, realisation, achievement and zone per segment and period, with the totals per period. CSV
/// (segments, then totals as segment `total`) with `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/reports/coverage", tag = "reports",
    params(CoverageReportQuery),
    responses(
        (status = 200, content((CoverageReport = "application/json"), (String = "text/csv"))),
        (status = 422, description = "A bad period", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn coverage_report(
    req: HttpRequest,
    user: AuthUser,
    state: State,
    query: Query<CoverageReportQuery>,
) -> Reply {
    let report = coverage(&state, &user, query.into_inner()).await?;
    Ok(respond(&req, &report, &report.lines()))
}

/// The totals per period as an SVG bar chart: target against realisation, with axes, labels and a legend.
#[utoipa::path(get, path = "/api/v1/reports/coverage.svg", tag = "reports",
    params(CoverageReportQuery),
    responses(
        (status = 200, content((String = "image/svg+xml"))),
    ),
    security(("bearer" = [])))]
pub async fn coverage_chart(user: AuthUser, state: State, query: Query<CoverageReportQuery>) -> Reply {
    let report = coverage(&state, &user, query.into_inner()).await?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(super::svg::chart(&report)))
}

/// The collaboration network: pairs of organizations with their shared agreements and joint activities,
/// each organization's activities by kind and outcomes credited, and activities per CGR component. With
/// `Accept: text/csv`, the table named by `section` (default pairs).
#[utoipa::path(get, path = "/api/v1/reports/collaboration", tag = "reports",
    params(CollaborationQuery),
    responses(
        (status = 200, content((CollaborationReport = "application/json"), (String = "text/csv"))),
    ),
    security(("bearer" = [])))]
pub async fn collaboration_report(
    req: HttpRequest,
    user: AuthUser,
    state: State,
    query: Query<CollaborationQuery>,
) -> Reply {
    let report = build_visible(&state, &user, |conn, visible, names, _| {
        super::collaboration::build(conn, visible, names)
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
    ),
    security(("bearer" = [])))]
pub async fn follow_ups_report(req: HttpRequest, user: AuthUser, state: State) -> Reply {
    let report = build_visible(&state, &user, super::follow_ups::build).await?;
    Ok(respond(&req, &report, &report.lines()))
}
