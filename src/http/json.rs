//! The JSON body extractor: at most 1 MiB, `application/json` only, unknown fields refused, and every
//! failure a problem that names the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError, text};

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body of type `T`. `T` should be `#[serde(deny_unknown_fields)]`.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload, is_json, "application/json");
        Box::pin(async move { Ok(Json(parse(&body.await?)?)) })
    }
}

fn is_json(mime: &str) -> bool {
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Reads a request body of an accepted media type (`accepts` gets the lower-cased type without
/// parameters; anything else is 415 naming `expected`), at most [`MAX_BODY_BYTES`] (413). Every body
/// extractor (JSON, CSV) reads through here.
pub fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
    accepts: fn(&str) -> bool,
    expected: &'static str,
) -> Pin<Box<dyn Future<Output = Result<web::BytesMut, AppError>>>> {
    let content_type_ok = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|mime| accepts(&mime.trim().to_ascii_lowercase()))
        .unwrap_or(false);
    let declared_len = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        if !content_type_ok {
            return Err(AppError::unsupported_media_type(expected));
        }
        if declared_len.is_some_and(|n| n > MAX_BODY_BYTES) {
            return Err(AppError::payload_too_large(MAX_BODY_BYTES));
        }
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                AppError::bad_request(text(
                    format!("The request body could not be read: {e}"),
                    format!("Isi permintaan tidak dapat dibaca: {e}"),
                ))
            })?;
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(AppError::payload_too_large(MAX_BODY_BYTES));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    })
}

/// Parses a JSON document into `T`: syntax errors and unknown fields are 400, wrong types and values 422.
/// Every body of the API is an object; serde would also fill a struct from an array (`[null, null]`),
/// so an array is refused here; so is a NUL in a string (see [`has_escaped_nul`]).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if body.trim_ascii_start().starts_with(b"[") {
        return Err(AppError::invalid("body", text("must be a JSON object", "harus berupa objek JSON")));
    }
    if has_escaped_nul(body) {
        return Err(AppError::invalid("body", crate::http::query::no_nul()));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let message = inner.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) if inner.is_data() => message[..i].to_string(),
            _ => message,
        };
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            AppError::bad_request(text(
                format!("The request body is not valid JSON: {message}"),
                format!("Isi permintaan bukan JSON yang valid: {message}"),
            ))
        } else if message.starts_with("unknown field") {
            AppError::bad_request(text(
                format!("The request body has a field this resource does not take: {message}"),
                format!("Isi permintaan memuat isian yang tidak dikenal: {message}"),
            ))
        } else {
            let field = if path == "." { "body".to_string() } else { path };
            AppError::validation(vec![FieldError::new(
                field,
                text(message.clone(), format!("Nilai tidak valid: {message}")),
            )])
        }
    })?;
    de.end().map_err(|e| {
        AppError::bad_request(text(
            format!("The request body is not valid JSON: {e}"),
            format!("Isi permintaan bukan JSON yang valid: {e}"),
        ))
    })?;
    Ok(value)
}

/// Whether a JSON text holds `\u0000` (a NUL in a string; an escaped backslash before `u0000` does not
/// count). PostgreSQL text cannot store NUL, so the API refuses it on both backends alike.
fn has_escaped_nul(body: &[u8]) -> bool {
    body.windows(6)
        .enumerate()
        .any(|(i, w)| w == b"\\u0000" && body[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 0)
}

/// For `PATCH` bodies: a field that may be absent (no change), `null` (clear it) or a value. Use with
/// `#[serde(default, deserialize_with = "crate::http::json::nullable")]` on an `Option<Option<T>>`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}
