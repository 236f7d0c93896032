use actix_web::{HttpRequest, HttpResponse, web};

use super::model::{Region, RegionFilter};
use super::repo;
use crate::auth::{AuthUser, policy};
use crate::error::AppError;
use crate::http::{Endpoint, Page, PageQuery, Query};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/regions").get(list_regions))
        .service(Endpoint::new("/regions/{code}").get(get_region));
}

/// List regions, in code order.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions",
    params(RegionFilter, PageQuery),
    responses(
        (status = 200, body = inline(Page<Region>)),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_regions(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    filter: Query<RegionFilter>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::Read)?;
    let limit = page.limit()?;
    let after: Option<String> = page.after(&req)?;
    let filter = filter.into_inner();
    let rows = state.db.run(move |conn| repo::list(conn, &filter, after, i64::from(limit) + 1)).await?;
    Ok(Page::from_rows(rows, limit, |r| r.code.clone()).respond(&req))
}

/// One region by its code.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "regions",
    params(("code" = String, Path, description = "Kemendagri/BPS code", example = "1371")),
    responses(
        (status = 200, body = Region),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_region(
    user: AuthUser,
    state: web::Data<AppState>,
    code: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::Read)?;
    let code = code.into_inner();
    // Codes are digits; anything else (NUL included, which PostgreSQL cannot compare) names no region.
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::not_found());
    }
    let region = state.db.run(move |conn| repo::find(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(region))
}
