//! Optimistic concurrency: every versioned record goes out with `ETag: "<version>"`, and `PATCH`/`DELETE`
//! must send it back in `If-Match`.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, HttpResponseBuilder, web};
use serde::Serialize;

use crate::db::Id;
use crate::error::AppError;

/// The `If-Match` header as sent (absent, or the raw value).
#[derive(Debug, Clone)]
pub struct IfMatch(Option<String>);

impl IfMatch {
    /// No `If-Match` header: for callers that are not HTTP requests (the seed loader).
    pub fn absent() -> IfMatch {
        IfMatch(None)
    }

    /// The version the client read. No header: 428. A value that names no version: 412, since it cannot
    /// match the record.
    pub fn version(&self) -> Result<i32, AppError> {
        let raw = self.0.as_deref().ok_or_else(AppError::precondition_required)?;
        let tag = raw.trim().trim_start_matches("W/").trim_matches('"');
        tag.parse::<i32>().map_err(|_| AppError::precondition_failed())
    }

    /// Fails with 412 unless the client read `current`.
    pub fn check(&self, current: i32) -> Result<(), AppError> {
        if self.version()? == current { Ok(()) } else { Err(AppError::precondition_failed()) }
    }
}

impl FromRequest for IfMatch {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let value =
            req.headers().get(header::IF_MATCH).map(|v| v.to_str().map(str::to_string).unwrap_or_default());
        ready(Ok(IfMatch(value)))
    }
}

/// The record that a conditional write (`PATCH`, `DELETE`, a change of state) is aimed at: the `{id}` of
/// the path and the version the client read (`If-Match`). Every such route takes both, so one extractor
/// gives both; a path id that is not a UUID is a 404 as with `web::Path` (see [`crate::http::path_config`]).
#[derive(Debug, Clone)]
pub struct Target {
    pub id: Id,
    pub if_match: IfMatch,
}

impl FromRequest for Target {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let target = web::Path::<Id>::from_request(req, payload).into_inner().and_then(|id| {
            let if_match = IfMatch::from_request(req, payload).into_inner()?;
            Ok(Target { id: id.into_inner(), if_match })
        });
        ready(target)
    }
}

pub fn etag_value(version: i32) -> String {
    format!("\"{version}\"")
}

/// A JSON response for a versioned record, with its ETag.
pub fn with_etag<T: Serialize>(mut builder: HttpResponseBuilder, version: i32, body: &T) -> HttpResponse {
    builder.insert_header((header::ETAG, etag_value(version))).json(body)
}

/// The result of a conditional write (`UPDATE … WHERE id = ? AND version = ?`, or a DELETE likewise):
/// no row hit means that another request changed the record after it was read, so this one gets 412
/// and changes nothing. The condition in the statement itself is what stops two PATCHes with one ETag
/// from both succeeding.
pub fn expect_one_row(rows: usize) -> Result<(), AppError> {
    if rows == 1 { Ok(()) } else { Err(AppError::precondition_failed()) }
}

/// The conditional write of a table with `id` and `version` columns, answered through
/// [`expect_one_row`]: `versioned!(update conn, things, id, expected, &row)` sets `row` (an
/// `AsChangeset`), `versioned!(delete conn, things, id, expected)` removes the record. A macro because
/// diesel's query types differ for every table while the statement is the same.
#[macro_export]
macro_rules! versioned {
    (update $conn:expr, $table:ident, $id:expr, $expected:expr, $row:expr) => {{
        use diesel::prelude::*;
        let target = $table::table.filter($table::id.eq($id)).filter($table::version.eq($expected));
        $crate::http::expect_one_row(diesel::update(target).set($row).execute($conn)?)
    }};
    (delete $conn:expr, $table:ident, $id:expr, $expected:expr) => {{
        use diesel::prelude::*;
        let target = $table::table.filter($table::id.eq($id)).filter($table::version.eq($expected));
        $crate::http::expect_one_row(diesel::delete(target).execute($conn)?)
    }};
}
