//! Keyset pagination: `?limit=` and an opaque `?cursor=` that encodes the sort key of the last row sent,
//! so that page 1,000 costs what page 1 does and rows added meanwhile are neither skipped nor repeated.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, text};
use crate::http::csv;

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

    /// The key after which the page starts, as the list encoded it.
    pub fn after<K: DeserializeOwned>(&self) -> Result<Option<K>, AppError> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }
}

pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K, AppError> {
    URL_SAFE_NO_PAD.decode(cursor).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).ok_or_else(
        || {
            AppError::invalid(
                "cursor",
                text("is not a cursor this list gave out", "bukan kursor yang diberikan oleh daftar ini"),
            )
        },
    )
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows fetched in key order: the extra row only says that
    /// there is a next page.
    pub fn from_rows<K: Serialize>(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> K) -> Page<T> {
        let limit = limit as usize;
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|last| encode_cursor(&key(last)))
        } else {
            None
        };
        Page { items: rows, next_cursor }
    }
}

impl<T: Serialize + utoipa::PartialSchema> Page<T> {
    /// The response: JSON, or CSV when the client asks for `text/csv` (see [`crate::http::csv`]), with
    /// `Link: <…>; rel="next"` when there is a next page.
    pub fn respond(&self, req: &HttpRequest) -> HttpResponse {
        let mut builder = HttpResponse::Ok();
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

/// The request's own URL with `cursor` replaced.
pub fn next_link(req: &HttpRequest, cursor: &str) -> String {
    let mut params: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    params.retain(|(k, _)| k != "cursor");
    params.push(("cursor".to_string(), cursor.to_string()));
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    format!("{}?{}", req.path(), query)
}
