//! `/audit-events`: reading and verifying the trail; `/audit`: the log's key, checkpoints and proofs
//! (auditors and administrators; the public key is open to anyone).

use actix_web::{HttpResponse, web};

pub use super::model::{
    AuditEvent, AuditFilter, CheckpointView, ConsistencyProof, ConsistencyQuery, InclusionProof,
    InclusionQuery, PublicKey, SortOrder,
};
use super::{Verification, repo};
use crate::auth::{AuthUser, policy};
use crate::error::AppError;
use crate::http::problems::NotAnAuditor;
use crate::http::{Endpoint, Page, PageQuery, Paging, Query, Reply};
use crate::state::State;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/audit-events").get(list_audit_events))
        .service(Endpoint::new("/audit-events/verify").get(verify_audit_trail))
        .service(Endpoint::new("/audit/public-key").get(audit_public_key))
        .service(Endpoint::new("/audit/checkpoint").get(latest_audit_checkpoint))
        .service(Endpoint::new("/audit/proofs/inclusion").get(audit_inclusion_proof))
        .service(Endpoint::new("/audit/proofs/consistency").get(audit_consistency_proof));
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
    user: AuthUser,
    state: State,
    filter: Query<AuditFilter>,
    page: Paging,
) -> Reply {
    policy::authorize(&user, policy::Action::ReadAudit)?;
    let filter = filter.into_inner();
    page.list(
        &state,
        move |conn, after, limit| repo::list(conn, &filter, after, limit),
        |e: &AuditEvent| e.seq,
    )
    .await
}

/// Recompute the old hash chain, every leaf of the log and its root, check the latest checkpoint's
/// signature, and name the first broken event (admins and auditors). Events not yet sequenced are counted
/// in `pending`.
#[utoipa::path(get, path = "/api/v1/audit-events/verify", tag = "audit",
    responses(
        (status = 200, description = "The result, whether the log holds or not", body = Verification),
        (status = 403, description = "Only administrators and auditors verify the trail", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn verify_audit_trail(user: AuthUser, state: State) -> Reply {
    policy::authorize(&user, policy::Action::ReadAudit)?;
    let verifier = state.log_key.verifier();
    let result = state.db.run(move |conn| super::verify(conn, &verifier)).await?;
    Ok(HttpResponse::Ok().json(result))
}

/// The public key that signs the log's checkpoints (open to anyone: it is what checks them).
#[utoipa::path(get, path = "/api/v1/audit/public-key", tag = "audit",
    responses((status = 200, body = PublicKey)))]
pub async fn audit_public_key(state: State) -> HttpResponse {
    let verifier = state.log_key.verifier();
    HttpResponse::Ok().json(PublicKey {
        origin: verifier.name().to_string(),
        algorithm: "Ed25519".into(),
        key_id: verifier.key_id(),
        public_key: verifier.public_key(),
        verifier_key: verifier.vkey(),
    })
}

/// The latest signed checkpoint of the log (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit/checkpoint", tag = "audit",
    responses(
        (status = 200, body = CheckpointView),
        NotAnAuditor,
        (status = 404, description = "The sequencer has not signed a checkpoint yet (the first moments of a new database)", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn latest_audit_checkpoint(user: AuthUser, state: State) -> Reply {
    policy::authorize(&user, policy::Action::ReadAudit)?;
    let checkpoint = state.db.run(repo::latest_checkpoint).await?.ok_or_else(AppError::not_found)?;
    Ok(HttpResponse::Ok().json(checkpoint))
}

/// The inclusion proof of an event in the tree of a given size (admins and auditors).
#[utoipa::path(get, path = "/api/v1/audit/proofs/inclusion", tag = "audit",
    params(InclusionQuery),
    responses(
        (status = 200, body = InclusionProof),
        NotAnAuditor,
        (status = 404, description = "No event has this number", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The event is not sequenced yet", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The tree is not that big, or the event is not in a tree of that size", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn audit_inclusion_proof(user: AuthUser, state: State, query: Query<InclusionQuery>) -> Reply {
    policy::authorize(&user, policy::Action::ReadAudit)?;
    let query = query.into_inner();
    let proof = state.db.run(move |conn| repo::inclusion_proof(conn, &query)).await?;
    Ok(HttpResponse::Ok().json(proof))
}

/// The consistency proof between two tree sizes (admins and auditors): what a witness asks for.
#[utoipa::path(get, path = "/api/v1/audit/proofs/consistency", tag = "audit",
    params(ConsistencyQuery),
    responses(
        (status = 200, body = ConsistencyProof),
        NotAnAuditor,
        (status = 422, description = "A size is negative, `from` is above `to`, or the tree is not that big", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn audit_consistency_proof(user: AuthUser, state: State, query: Query<ConsistencyQuery>) -> Reply {
    policy::authorize(&user, policy::Action::ReadAudit)?;
    let query = query.into_inner();
    let proof = state.db.run(move |conn| repo::consistency_proof(conn, &query)).await?;
    Ok(HttpResponse::Ok().json(proof))
}
