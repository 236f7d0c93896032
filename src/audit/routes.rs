//! `/audit-events`: reading and verifying the trail (auditors and administrators).

use actix_web::{HttpRequest, HttpResponse, web};

pub use super::model::{AuditEvent, AuditFilter, SortOrder};
use super::{Verification, repo};
use crate::auth::{AuthUser, policy};
use crate::error::AppError;
use crate::http::{Endpoint, Page, PageQuery, Query};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/audit-events").get(list_audit_events))
        .service(Endpoint::new("/audit-events/verify").get(verify_audit_trail));
}

/// Read the audit trail, by sequence number (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit",
    params(AuditFilter, PageQuery),
    responses(
        (status = 200, body = inline(Page<AuditEvent>)),
        (status = 403, description = "Only administrators and auditors read the trail", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn list_audit_events(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    filter: Query<AuditFilter>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::ReadAudit)?;
    let filter = filter.into_inner();
    page.list(
        &req,
        &state,
        move |conn, after, limit| repo::list(conn, &filter, after, limit),
        |e: &AuditEvent| e.seq,
    )
    .await
}

/// Recompute the hash chain and name the first broken event (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit-events/verify", tag = "audit",
    responses(
        (status = 200, description = "The result, whether the chain holds or not", body = Verification),
        (status = 403, description = "Only administrators and auditors verify the trail", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn verify_audit_trail(
    user: AuthUser,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, policy::Action::ReadAudit)?;
    let result = state.db.run(super::verify).await?;
    Ok(HttpResponse::Ok().json(result))
}
