//! `/regions`: thin handlers over [`super::service`].

use actix_web::{HttpResponse, web};

use super::model::{Region, RegionFilter};
use super::{repo, service};
use crate::auth::AuthUser;
use crate::http::{Endpoint, Page, PageQuery, Paging, Query, Reply, versioned};
use crate::state::State;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/regions").get(list_regions))
        .service(Endpoint::new("/regions/{code}").get(get_region));
}

/// List regions, in code order.
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions",
    params(RegionFilter, PageQuery),
    responses((status = 200, body = inline(Page<Region>))),
    security(("bearer" = [])))]
pub async fn list_regions(user: AuthUser, state: State, filter: Query<RegionFilter>, page: Paging) -> Reply {
    let filter = filter.into_inner();
    let list =
        move |conn: &mut _, after, limit| versioned::read(&user, || repo::list(conn, &filter, after, limit));
    page.list(&state, list, |r: &Region| r.code.clone()).await
}

/// One region by its code.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "regions",
    params(("code" = String, Path, description = "Kemendagri/BPS code", example = "1371")),
    responses((status = 200, body = Region)),
    security(("bearer" = [])))]
pub async fn get_region(user: AuthUser, state: State, code: web::Path<String>) -> Reply {
    let code = code.into_inner();
    let region = state.db.run(move |conn| service::get(conn, &user, &code)).await?;
    Ok(HttpResponse::Ok().json(region))
}
