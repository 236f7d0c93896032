//! The one shape of a write handler. A handler extracts (user, path, body), then hands a use case of its
//! resource's `service.rs` to one of these functions, which run it in one write transaction (the service
//! writes the change and its audit event there), given as a [`Tx`], and answer in the API's conventions:
//!
//! ```text
//! pub async fn create_regulation(user: AuthUser, state: State, idem: Idempotency,
//!                                body: Json<NewRegulation>) -> Reply {
//!     write::create(&state, user, idem, body, service::create).await
//! }
//!
//! pub async fn update_regulation(user: AuthUser, state: State, target: Target,
//!                                body: Json<RegulationPatch>) -> Reply {
//!     let Target { id, if_match } = target;
//!     write::update(&state, user, body, move |tx, patch| service::update(tx, id, &if_match, patch)).await
//! }
//! ```
//!
//! A body with values that did not parse still runs its use case, in a transaction that is then rolled
//! back, so that the one 422 names those values and every field the use case's validation refuses (see
//! [`crate::http::json::Unparsed`]).

use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::error::AppError;
use crate::http::{Created, Idempotency, Json, Reply, with_etag};
use crate::state::AppState;

/// One write as a use case of a `service.rs` receives it: the connection of its transaction, who writes,
/// and when. Every use case takes these three, so they travel together; the functions below make one for
/// the handlers, and the seed loader and the command line with [`Tx::new`].
pub struct Tx<'a> {
    pub conn: &'a mut DbConnection,
    pub user: &'a AuthUser,
    pub now: DateTime<Utc>,
}

impl<'a> Tx<'a> {
    pub fn new(conn: &'a mut DbConnection, user: &'a AuthUser, now: DateTime<Utc>) -> Tx<'a> {
        Tx { conn, user, now }
    }
}

/// A record that a write answers with: where it lives (for `Location`) and its version (for `ETag`).
pub trait Record: Serialize {
    fn location(&self) -> String;
    fn version(&self) -> i32;
}

/// `201 Created` with `Location`, `ETag` and the record, made by `use_case(tx, body)`;
/// replayed for a repeated `Idempotency-Key` (see [`Idempotency::create`]).
pub async fn create<B, R, F>(
    state: &AppState,
    user: AuthUser,
    idem: Idempotency,
    body: Json<B>,
    use_case: F,
) -> Result<HttpResponse, AppError>
where
    B: Serialize + Send + 'static,
    R: Record,
    F: FnOnce(Tx<'_>, B) -> Result<R, AppError> + Send + 'static,
{
    append(state, user, idem, body, |record: &R| (record.location(), Some(record.version())), use_case).await
}

/// `201 Created` for a record made by `use_case(tx, body)`, with the `Location` (and
/// version for the `ETag`) that `address` gives it; replayed for a repeated `Idempotency-Key`. [`create`]
/// for a record with an address of its own; a record kept in its parent's list (an amendment) names the
/// list.
pub async fn append<B, R, F, A>(
    state: &AppState,
    user: AuthUser,
    idem: Idempotency,
    body: Json<B>,
    address: A,
    use_case: F,
) -> Result<HttpResponse, AppError>
where
    B: Serialize + Send + 'static,
    R: Serialize,
    A: FnOnce(&R) -> (String, Option<i32>) + Send + 'static,
    F: FnOnce(Tx<'_>, B) -> Result<R, AppError> + Send + 'static,
{
    let (body, unparsed) = body.into_parts();
    let request = serde_json::to_value(&body).map_err(|e| AppError::internal(format!("request: {e}")))?;
    let now = state.clock.now();
    let caller = user.clone();
    idem.create(state, &caller, &request, move |conn| {
        let record = unparsed.check(use_case(Tx::new(conn, &user, now), body))?;
        let (location, version) = address(&record);
        Created::new(location, version, &record)
    })
    .await
}

/// `200` with the changed record and its new `ETag`, made by `use_case(tx, body)`.
pub async fn update<B, R, F>(state: &AppState, user: AuthUser, body: Json<B>, use_case: F) -> Reply
where
    B: Send + 'static,
    R: Record + Send + 'static,
    F: FnOnce(Tx<'_>, B) -> Result<R, AppError> + Send + 'static,
{
    let (body, unparsed) = body.into_parts();
    transition(state, user, move |tx| unparsed.check(use_case(tx, body))).await
}

/// `200` with the changed record and its new `ETag`, made by `use_case(tx)`: a change that takes no body
/// (activating an agreement).
pub async fn transition<R, F>(state: &AppState, user: AuthUser, use_case: F) -> Reply
where
    R: Record + Send + 'static,
    F: FnOnce(Tx<'_>) -> Result<R, AppError> + Send + 'static,
{
    let now = state.clock.now();
    let record = state.db.write(move |conn| use_case(Tx::new(conn, &user, now))).await?;
    Ok(with_etag(HttpResponse::Ok(), record.version(), &record))
}

/// `204 No Content` once `use_case(tx)` has deleted.
pub async fn delete<F>(state: &AppState, user: AuthUser, use_case: F) -> Reply
where
    F: FnOnce(Tx<'_>) -> Result<(), AppError> + Send + 'static,
{
    let now = state.clock.now();
    state.db.write(move |conn| use_case(Tx::new(conn, &user, now))).await?;
    Ok(HttpResponse::NoContent().finish())
}
