//! `Idempotency-Key` on creating POSTs (docs/conventions.md), and the `201 Created` answer with `Location` and
//! `ETag`. Every create goes through [`Idempotency::create`], by way of [`crate::http::write::create`]
//! (or `write::append` for a record kept in its parent's list), which runs the resource's use case inside
//! the claim's transaction.
//!
//! How it holds: the key is claimed (a row with primary key (user, key)) at the start of the same write
//! transaction that creates the record, and the response is stored in that row before the commit. A retry
//! with the same key and body within 24 hours finds the row and gets the stored status, body, `Location`
//! and `ETag` again (with `Idempotency-Replayed: true`), creating nothing. The same key with another body
//! (or on another route) is a 422. Two concurrent requests with one key: on SQLite the write lock
//! serialises them and the second finds the row; on PostgreSQL the second one's claim waits on the first
//! one's uncommitted row and then fails as a duplicate, its transaction rolls back, and it reads and
//! answers the winner's stored response. This holds across server processes because the database decides.
//! A request that fails (4xx) stores nothing, so its retry runs again.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::AuthUser;
use crate::db::schema::idempotency_keys as keys;
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::etag::etag_value;
use crate::state::AppState;

pub const HEADER: &str = "Idempotency-Key";
pub const REPLAYED_HEADER: &str = "Idempotency-Replayed";
/// How long a key is remembered.
pub const RETENTION_HOURS: i64 = 24;
const MAX_KEY_LEN: usize = 255;
/// Marks the error of a claim that lost a race, so that the caller reads the winner's response.
const RACE: &str = "idempotency key claimed by a concurrent request";

/// What a create answers: where the new record lives, its version (for `ETag`) and its JSON.
#[derive(Debug, Clone)]
pub struct Created {
    pub location: String,
    pub version: Option<i32>,
    pub body: String,
}

impl Created {
    pub fn new(location: String, version: Option<i32>, body: &impl Serialize) -> Result<Created, AppError> {
        let body = serde_json::to_string(body).map_err(|e| AppError::internal(format!("response: {e}")))?;
        Ok(Created { location, version, body })
    }

    fn response(&self, status: StatusCode, etag: Option<&str>, replayed: bool) -> HttpResponse {
        let mut builder = HttpResponse::build(status);
        builder.insert_header((header::LOCATION, self.location.clone()));
        if let Some(etag) = etag {
            builder.insert_header((header::ETAG, etag.to_string()));
        }
        if replayed {
            builder.insert_header((REPLAYED_HEADER, "true"));
        }
        builder.content_type("application/json").body(self.body.clone())
    }
}

/// The request's `Idempotency-Key` (if any) and what identifies the request beside its body.
#[derive(Debug, Clone)]
pub struct Idempotency {
    key: Option<String>,
    method: String,
    path: String,
}

impl FromRequest for Idempotency {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Idempotency::from_http(req).map_err(Into::into))
    }
}

/// A response as first sent, kept for replays.
#[derive(Debug, Clone, Queryable)]
struct StoredRow {
    request_hash: String,
    status: Option<i32>,
    location: Option<String>,
    etag: Option<String>,
    body: Option<String>,
}

impl Idempotency {
    fn from_http(req: &HttpRequest) -> Result<Idempotency, AppError> {
        let key = match req.headers().get(HEADER) {
            None => None,
            Some(value) => {
                let key = value.to_str().ok().map(str::trim).unwrap_or("");
                let plain = key.bytes().all(|b| b.is_ascii_graphic() || b == b' ');
                if key.is_empty() || key.len() > MAX_KEY_LEN || !plain {
                    return Err(AppError::invalid(
                        HEADER,
                        text(
                            format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
                            format!("harus 1 sampai {MAX_KEY_LEN} karakter ASCII yang terlihat"),
                        ),
                    ));
                }
                Some(key.to_string())
            }
        };
        Ok(Idempotency { key, method: req.method().to_string(), path: req.path().to_string() })
    }

    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// Runs `work` (which inserts the record and its audit event) in one write transaction and answers
    /// `201 Created` with `Location`, `ETag` and the body; with a key, replays as described in the module
    /// documentation. `request` is the parsed body: two bodies are the same when their JSON is.
    pub async fn create<B, F>(
        self,
        state: &AppState,
        user: &AuthUser,
        request: &B,
        work: F,
    ) -> Result<HttpResponse, AppError>
    where
        B: Serialize,
        F: FnOnce(&mut DbConnection) -> Result<Created, AppError> + Send + 'static,
    {
        let Some(key) = self.key.clone() else {
            let created = state.db.write(work).await?;
            let etag = created.version.map(etag_value);
            return Ok(created.response(StatusCode::CREATED, etag.as_deref(), false));
        };
        let user_id = user.id;
        let hash = self.request_hash(request)?;
        let now = state.clock.now();
        let (claim_key, claim_hash) = (key.clone(), hash.clone());
        let outcome = state
            .db
            .write(move |conn| {
                if let Some(stored) = claim(conn, user_id, &claim_key, &claim_hash, now)? {
                    return Ok(Err(stored));
                }
                let created = work(conn)?;
                let etag = created.version.map(etag_value);
                diesel::update(keys::table.find((user_id, &claim_key)))
                    .set((
                        keys::status.eq(Some(i32::from(StatusCode::CREATED.as_u16()))),
                        keys::location.eq(Some(&created.location)),
                        keys::etag.eq(&etag),
                        keys::body.eq(Some(&created.body)),
                    ))
                    .execute(conn)?;
                Ok(Ok((created, etag)))
            })
            .await;
        match outcome {
            Ok(Ok((created, etag))) => Ok(created.response(StatusCode::CREATED, etag.as_deref(), false)),
            Ok(Err(stored)) => replay(stored, &hash),
            Err(e) if e.internal.as_deref() == Some(RACE) => {
                let stored =
                    state.db.run(move |conn| find(conn, user_id, &key)).await?.ok_or_else(in_progress)?;
                replay(stored, &hash)
            }
            Err(e) => Err(e),
        }
    }

    /// SHA-256 over the method, the path and the body's canonical JSON (keys sorted).
    fn request_hash<B: Serialize>(&self, request: &B) -> Result<String, AppError> {
        let body = serde_json::to_value(request).map_err(|e| AppError::internal(format!("request: {e}")))?;
        let mut hasher = Sha256::new();
        hasher.update(self.method.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.path.as_bytes());
        hasher.update(b"\n");
        hasher.update(body.to_string().as_bytes());
        Ok(hex::encode(hasher.finalize()))
    }
}

fn find(conn: &mut DbConnection, user: Id, key: &str) -> Result<Option<StoredRow>, AppError> {
    Ok(keys::table
        .find((user, key))
        .select((keys::request_hash, keys::status, keys::location, keys::etag, keys::body))
        .first(conn)
        .optional()?)
}

/// Forgets this user's expired keys, then answers the stored row of `key` if there is one; otherwise
/// claims the key for this transaction.
fn claim(
    conn: &mut DbConnection,
    user: Id,
    key: &str,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<StoredRow>, AppError> {
    let cutoff = from_utc(now - Duration::hours(RETENTION_HOURS));
    diesel::delete(keys::table.filter(keys::user_id.eq(user)).filter(keys::created_at.lt(cutoff)))
        .execute(conn)?;
    if let Some(stored) = find(conn, user, key)? {
        return Ok(Some(stored));
    }
    let inserted = diesel::insert_into(keys::table)
        .values((
            keys::user_id.eq(user),
            keys::idempotency_key.eq(key),
            keys::request_hash.eq(hash),
            keys::created_at.eq(from_utc(now)),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(None),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            let mut e = in_progress();
            e.internal = Some(RACE.to_string());
            Err(e)
        }
        Err(e) => Err(e.into()),
    }
}

fn replay(stored: StoredRow, hash: &str) -> Result<HttpResponse, AppError> {
    if stored.request_hash != hash {
        return Err(AppError::invalid(
            HEADER,
            text(
                "was used before with another request; use a new key for a new request",
                "sudah dipakai untuk permintaan lain; gunakan kunci baru untuk permintaan baru",
            ),
        ));
    }
    let (Some(status), Some(location), Some(body)) = (stored.status, stored.location, stored.body) else {
        return Err(in_progress());
    };
    let status =
        u16::try_from(status).ok().and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::CREATED);
    Ok(Created { location, version: None, body }.response(status, stored.etag.as_deref(), true))
}

fn in_progress() -> AppError {
    AppError::conflict(text(
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        "Permintaan dengan Idempotency-Key ini masih diproses; coba lagi sebentar lagi.",
    ))
}

/// The `Idempotency-Key` header of a create, for the OpenAPI document (`params(IdempotencyKey)`; the
/// extractor is [`Idempotency`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyKey {
    /// Makes the request safe to retry: the same key and body within 24 hours answer the first response again
    #[param(rename = "Idempotency-Key")]
    key: Option<String>,
}
