//! `/open-data`: the Data Package and the coverage results view. Open to anyone, without a token: they
//! hold only what may be published, the same for every caller.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::model::{CoverageResults, ResultsFormat, ResultsQuery};
use super::{results, service};
use crate::coverage::model::Zones;
use crate::error::AppError;
use crate::http::csv::{TEXT_CSV, to_csv, wants_csv};
use crate::http::{Endpoint, Query, Reply};
use crate::state::State;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/open-data/datapackage.zip").get(datapackage))
        .service(Endpoint::new("/open-data/coverage-results").get(coverage_results));
}

/// The open data as a Frictionless Data Package (zip): `datapackage.json` (Table Schemas in Bahasa
/// Indonesia and English, Satu Data metadata of the coverage indicators) and one CSV file per resource:
/// regions, organizations, regulations, agreements that are not restricted with their parties, scopes,
/// legal basis and commitments, activities and their participating organizations, outcomes and coverage.
/// No restricted agreement or anything under it, no contact, user, attendee or e-mail address. Built
/// once per change of the data (and per day), then served from the cache: the `ETag` names that state.
#[utoipa::path(get, path = "/api/v1/open-data/datapackage.zip", tag = "open-data",
    responses(
        (status = 200, description = "The package", content((String = "application/zip")),
            headers(("ETag" = String, description = "The data's state: the date and the number of committed changes"))),
        (status = 304, description = "The package named by `If-None-Match` is still current"),
    ))]
pub async fn datapackage(req: HttpRequest, state: State) -> Reply {
    let dir = state.settings.data_dir.join("open-data");
    let (today, zones) = (state.clock.today(), Zones::of(&state.settings));
    let package = state.db.run(move |conn| service::package(conn, &dir, today, zones)).await?;
    let etag = format!("\"{}\"", package.key);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if unchanged {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    let failed = |e: std::io::Error| AppError::internal(format!("reading the open-data package: {e}"));
    let file = tokio::fs::File::open(&package.path).await.map_err(failed)?;
    let length = file.metadata().await.map_err(failed)?.len();
    let body = futures_util::stream::unfold(Some(file), |file| async move {
        use tokio::io::AsyncReadExt;
        let mut file = file?;
        let mut buf = vec![0_u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(web::Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((header::CONTENT_DISPOSITION, "attachment; filename=\"sinergi-datapackage.zip\""))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, no-cache"))
        .no_chunking(length)
        .streaming(body))
}

/// Coverage as a results framework in IATI's shape: one result, an indicator per period length (yearly,
/// monthly) measured in people (`measure` 1, `ascending`), a baseline per region and segment (its first
/// realisation), then per period the targets (a target of 0, none set, is left out) and actuals by
/// region (`location.ref`, the Kemendagri code) and segment (`dimension`). CSV, one line per indicator,
/// period, region and segment, with `?format=csv` or `Accept: text/csv`.
#[utoipa::path(get, path = "/api/v1/open-data/coverage-results", tag = "open-data",
    params(ResultsQuery),
    responses(
        (status = 200, description = "The results framework (JSON), or its lines (CSV)",
            content((CoverageResults = "application/json"), (String = "text/csv"))),
        (status = 422, description = "A bad period or segment", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn coverage_results(req: HttpRequest, state: State, query: Query<ResultsQuery>) -> Reply {
    let query = query.into_inner();
    let csv = match query.format {
        Some(f) => f == ResultsFormat::Csv,
        None => wants_csv(&req),
    };
    let (view, lines) = state.db.run(move |conn| results::build(conn, &query)).await?;
    if csv {
        return Ok(HttpResponse::Ok().content_type(TEXT_CSV).body(to_csv(&lines)?));
    }
    Ok(HttpResponse::Ok().json(view))
}
