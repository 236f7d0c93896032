//! `/audit-events`: reading and verifying the trail (auditors and administrators).

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::{AuditRow, Verification};
use crate::auth::{AuthUser, policy};
use crate::db::schema::audit_events;
use crate::db::types::{from_utc, to_utc};
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::{Endpoint, Page, PageQuery, Query};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/audit-events").get(list_audit_events))
        .service(Endpoint::new("/audit-events/verify").get(verify_audit_trail));
}

/// One event of the audit trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEvent {
    /// Gap-free sequence number: the event's place in the chain.
    pub seq: i64,
    pub id: Id,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<Id>,
    /// The user's name, `system:<what>` for changes the program made, or the name typed at a failed login.
    pub actor_username: Option<String>,
    pub actor_role: Option<String>,
    pub actor_organization_id: Option<Id>,
    #[schema(example = "update")]
    pub action: String,
    #[schema(example = "user")]
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub request_id: Option<String>,
    /// The record before the change (null for creations and events without one).
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The record after the change, or what the event is about.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    pub prev_hash: String,
    /// SHA-256 over the event's canonical form, including `prev_hash`.
    pub hash: String,
}

fn parse_state(text: Option<String>) -> Option<Value> {
    text.map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)))
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> AuditEvent {
        AuditEvent {
            seq: r.seq,
            id: r.id,
            occurred_at: to_utc(r.occurred_at),
            actor_user_id: r.actor_user_id,
            actor_username: r.actor_username,
            actor_role: r.actor_role,
            actor_organization_id: r.actor_organization_id,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            request_id: r.request_id,
            before: parse_state(r.before_state),
            after: parse_state(r.after_state),
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    /// Oldest first.
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

/// Filters of the audit trail.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// `user`, `organization`, …
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// The acting user's id.
    pub actor: Option<Id>,
    /// Events at or after this time (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Events before this time (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// `asc` (oldest first, the default) or `desc`.
    pub order: Option<SortOrder>,
}

fn list(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEvent>, AppError> {
    let mut query = audit_events::table.select(AuditRow::as_select()).into_boxed();
    if let Some(t) = &filter.entity_type {
        query = query.filter(audit_events::entity_type.eq(t.clone()));
    }
    if let Some(e) = &filter.entity_id {
        query = query.filter(audit_events::entity_id.eq(e.clone()));
    }
    if let Some(actor) = filter.actor {
        query = query.filter(audit_events::actor_user_id.eq(actor));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(from_utc(from)));
    }
    if let Some(to) = filter.to {
        query = query.filter(audit_events::occurred_at.lt(from_utc(to)));
    }
    query = match (filter.order.unwrap_or_default(), after) {
        (SortOrder::Asc, Some(seq)) => query.filter(audit_events::seq.gt(seq)).order(audit_events::seq.asc()),
        (SortOrder::Asc, None) => query.order(audit_events::seq.asc()),
        (SortOrder::Desc, Some(seq)) => {
            query.filter(audit_events::seq.lt(seq)).order(audit_events::seq.desc())
        }
        (SortOrder::Desc, None) => query.order(audit_events::seq.desc()),
    };
    let rows: Vec<AuditRow> = query.limit(limit).load(conn)?;
    Ok(rows.into_iter().map(AuditEvent::from).collect())
}

/// Read the audit trail, by sequence number (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "audit",
    params(AuditFilter, PageQuery),
    responses(
        (status = 200, body = inline(Page<AuditEvent>)),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
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
    let limit = page.limit()?;
    let after: Option<i64> = page.after(&req)?;
    let filter = filter.into_inner();
    let rows = state.db.run(move |conn| list(conn, &filter, after, i64::from(limit) + 1)).await?;
    Ok(Page::from_rows(rows, limit, |e| e.seq).respond(&req))
}

/// Recompute the hash chain and name the first broken event (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit-events/verify", tag = "audit",
    responses(
        (status = 200, description = "The result, whether the chain holds or not", body = Verification),
        (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
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
