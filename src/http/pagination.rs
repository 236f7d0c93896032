//! Keyset pagination: `?limit=` and an opaque `?cursor=` that encodes the sort key of the last row sent,
//! so that page 1,000 costs what page 1 does and rows added meanwhile are neither skipped nor repeated.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, text};
use crate::http::json::Scan;
use crate::http::{Query, csv};

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

/// `?limit=&cursor=`, extracted beside a resource's own filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// How many items (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn limit(&self) -> Result<u32, AppError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(AppError::invalid(
                "limit",
                text(format!("must be between 1 and {MAX_LIMIT}"), format!("harus antara 1 dan {MAX_LIMIT}")),
            )),
        }
    }

    /// The key after which the page starts, as the list at this request's path encoded it.
    pub fn after<K: DeserializeOwned>(&self, req: &HttpRequest) -> Result<Option<K>, AppError> {
        self.cursor.as_deref().map(|cursor| decode_cursor(req.path(), cursor)).transpose()
    }
}

/// A cursor is the sort key of the last row sent (JSON, base64url) and a check over the key and the list
/// it came from (the request path). The check is no secret, and needs none: a cursor only says where a
/// page starts. It makes a cursor of another list, a forged or a damaged one a 422 instead of a page
/// starting somewhere the client was never sent to.
pub fn encode_cursor<K: Serialize>(list: &str, key: &K) -> String {
    let json = serde_json::to_vec(key).unwrap_or_default();
    format!("{}.{}", URL_SAFE_NO_PAD.encode(&json), check(list, &json))
}

pub fn decode_cursor<K: DeserializeOwned>(list: &str, cursor: &str) -> Result<K, AppError> {
    let json = cursor
        .split_once('.')
        .and_then(|(key, sum)| URL_SAFE_NO_PAD.decode(key).ok().filter(|json| check(list, json) == sum))
        // A key holding NUL was never given out (and would reach PostgreSQL, which cannot store it).
        .filter(|json| !Scan::of(json).nul);
    json.and_then(|json| serde_json::from_slice(&json).ok()).ok_or_else(|| {
        AppError::invalid(
            "cursor",
            text("is not a cursor this list gave out", "bukan kursor yang diberikan oleh daftar ini"),
        )
    })
}

fn check(list: &str, key: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(list.as_bytes());
    hash.update([0]);
    hash.update(key);
    hex::encode(&hash.finalize()[..8])
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// The sort key of the last item when there is a next page; [`Page::respond`] makes the cursor.
    #[serde(skip)]
    pub next_key: Option<serde_json::Value>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in key order: the extra row only says that
    /// there is a next page.
    pub fn from_rows<K: Serialize>(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Page<T> {
        let limit = limit as usize;
        let next_key = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().and_then(|last| serde_json::to_value(key(last)).ok())
        } else {
            None
        };
        Page { items: rows, next_cursor: None, next_key }
    }

    /// The same page with other items (the rows turned into what the API shows).
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: None, next_key: self.next_key }
    }
}

impl<T: Serialize + utoipa::PartialSchema> Page<T> {
    /// The response: JSON, or CSV when the client asks for `text/csv` (see [`crate::http::csv`]), with
    /// `Link: <…>; rel="next"` when there is a next page.
    pub fn respond(mut self, req: &HttpRequest) -> HttpResponse {
        let mut builder = HttpResponse::Ok();
        self.next_cursor = self.next_key.as_ref().map(|key| encode_cursor(req.path(), key));
        if let Some(cursor) = &self.next_cursor {
            builder.insert_header((header::LINK, format!("<{}>; rel=\"next\"", next_link(req, cursor))));
        }
        if csv::wants_csv(req) {
            return match csv::to_csv(&self.items) {
                Ok(body) => builder.content_type(csv::TEXT_CSV).body(body),
                Err(e) => actix_web::ResponseError::error_response(&e),
            };
        }
        builder.json(self)
    }
}

/// A list request's paging (`?limit=&cursor=`, see [`PageQuery`]) with the request itself, which the answer
/// needs: the cursor belongs to the request's path, the `Link` repeats its query, and its `Accept` may ask
/// for CSV. Extract it after the list's own filter, as the handlers do, so that a bad filter is named first.
pub struct Paging {
    req: HttpRequest,
    query: PageQuery,
}

impl FromRequest for Paging {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let query = Query::<PageQuery>::from_request(req, payload).into_inner();
        ready(query.map(|query| Paging { req: req.clone(), query: query.into_inner() }))
    }
}

impl Paging {
    /// The one shape of a list handler: the page's limit and cursor read from the request,
    /// `query(conn, after, limit + 1)` run off the async workers (one row more than the page tells whether
    /// there is a next page), and the page answered as JSON or CSV with its `Link`. `key` gives a row's
    /// place in the list's order, which the next page's cursor carries.
    ///
    /// ```text
    /// pub async fn list_regulations(user: AuthUser, state: State, filter: Query<RegulationFilter>,
    ///                               page: Paging) -> Reply {
    ///     let filter = filter.into_inner();
    ///     page.list(&state, move |conn, after, limit| service::list(conn, &user, &filter, after, limit),
    ///               |r: &Regulation| r.id).await
    /// }
    /// ```
    pub async fn list<T, K, F>(
        self,
        state: &crate::state::AppState,
        query: F,
        key: impl Fn(&T) -> K,
    ) -> Result<HttpResponse, AppError>
    where
        T: Serialize + utoipa::PartialSchema + Send + 'static,
        K: Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce(&mut crate::db::DbConnection, Option<K>, i64) -> Result<Vec<T>, AppError> + Send + 'static,
    {
        let limit = self.query.limit()?;
        let after: Option<K> = self.query.after(&self.req)?;
        let rows = state.db.run(move |conn| query(conn, after, i64::from(limit) + 1)).await?;
        Ok(Page::from_rows(rows, limit, key).respond(&self.req))
    }
}

/// The request's own URL with `cursor` replaced.
pub fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut params: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    params.retain(|(k, _)| k != "cursor");
    params.push(("cursor".to_string(), cursor.to_string()));
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    format!("{}?{}", req.path(), query)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_opens_only_the_list_it_came_from_and_only_unchanged() {
        let id = "0190a000-0000-7000-8000-000000000001";
        let cursor = encode_cursor("/api/v1/users", &id);
        assert_eq!(decode_cursor::<String>("/api/v1/users", &cursor).unwrap(), id);
        assert!(decode_cursor::<String>("/api/v1/organizations", &cursor).is_err());
        let (key, sum) = cursor.split_once('.').unwrap();
        let other = URL_SAFE_NO_PAD.encode(b"\"0190a000-0000-7000-8000-000000000002\"");
        assert!(decode_cursor::<String>("/api/v1/users", &format!("{other}.{sum}")).is_err());
        assert!(decode_cursor::<String>("/api/v1/users", key).is_err());
        let nul = encode_cursor("/api/v1/regions", &"13\u{0}");
        assert!(decode_cursor::<String>("/api/v1/regions", &nul).is_err());
    }
}
