//! The JSON body extractor: at most 1 MiB, `application/json` only, unknown fields refused, and every
//! failure a problem that names the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::auth::AuthUser;
use crate::auth::policy::{Gate, Gated};
use crate::error::{AppError, FieldError, text};
use crate::http::validate::nul_refused;

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body of type `T`. `T` should be `#[serde(deny_unknown_fields)]`, and declares with
/// [`crate::gate!`] the kind of write it is for: a role that may never make that write gets 403 before the
/// body is read.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + Gated + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_gated_body(req, payload, T::GATE, is_json, "application/json");
        Box::pin(async move { Ok(Json(parse(&body.await?)?)) })
    }
}

/// [`read_body`] after the caller's role has passed `gate`: the caller is authenticated first (401), and a
/// role that may never make this kind of write is refused (403) before anything of the body is read.
pub fn read_gated_body(
    req: &HttpRequest,
    payload: &mut Payload,
    gate: Gate,
    accepts: fn(&str) -> bool,
    expected: &'static str,
) -> Pin<Box<dyn Future<Output = Result<web::BytesMut, AppError>>>> {
    let caller = match gate {
        Gate::Open => None,
        Gate::Write(_) => Some(AuthUser::authenticate(req)),
    };
    let body = read_body(req, payload, accepts, expected);
    Box::pin(async move {
        if let Some(caller) = caller {
            let user = caller.await?;
            gate.check(user.role)?;
        }
        body.await
    })
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

/// How deeply a request body may nest arrays and objects. The deepest body of this API (an amendment's
/// parties) nests four levels; the limit keeps a hostile `[[[[…` from costing anything.
pub const MAX_DEPTH: usize = 32;

/// Parses a JSON document into `T`: syntax errors, nesting deeper than [`MAX_DEPTH`] and unknown fields
/// are 400, wrong types and values 422, and so is a string holding NUL (`\u0000`), which PostgreSQL
/// cannot store: refused here, it is the same 422 on both backends for every field. Every body of the API
/// is an object; serde would also fill a struct from an array (`[null, null]`), so an array is refused.
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let scan = Scan::of(body);
    if scan.depth > MAX_DEPTH {
        return Err(AppError::bad_request(text(
            format!("The request body nests arrays and objects deeper than {MAX_DEPTH} levels."),
            format!("Isi permintaan bersarang lebih dari {MAX_DEPTH} tingkat."),
        )));
    }
    if body.trim_ascii_start().starts_with(b"[") {
        return Err(AppError::invalid("body", text("must be a JSON object", "harus berupa objek JSON")));
    }
    if scan.nul
        && let Ok(document) = serde_json::from_slice::<serde_json::Value>(body)
        && let Some(field) = nul_field(&document)
    {
        return Err(nul_refused(if field.is_empty() { "body".to_string() } else { field }));
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

/// What one pass over a JSON text finds: its deepest nesting, and whether a string holds an escaped NUL.
/// (A raw NUL byte is not valid JSON; the parser refuses it.)
pub struct Scan {
    pub depth: usize,
    pub nul: bool,
}

impl Scan {
    pub fn of(json: &[u8]) -> Scan {
        let (mut depth, mut deepest, mut in_string, mut nul) = (0usize, 0usize, false, false);
        let mut i = 0;
        while i < json.len() {
            match (in_string, json[i]) {
                (true, b'\\') => {
                    nul |= json[i + 1..].starts_with(b"u0000");
                    i += 1; // the escaped character is not a quote or a backslash of its own
                }
                (true, b'"') | (false, b'"') => in_string = !in_string,
                (false, b'[' | b'{') => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                (false, b']' | b'}') => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        Scan { depth: deepest, nul }
    }
}

/// The path of the first string value holding NUL, named as the field errors name fields
/// (`rows[0].note`).
fn nul_field(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(s) => s.contains('\0').then(String::new),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_field(item).map(|rest| join(&format!("[{i}]"), &rest))),
        Value::Object(fields) => {
            fields.iter().find_map(|(key, item)| nul_field(item).map(|rest| join(key, &rest)))
        }
        _ => None,
    }
}

fn join(head: &str, rest: &str) -> String {
    if rest.is_empty() || rest.starts_with('[') { format!("{head}{rest}") } else { format!("{head}.{rest}") }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_finds_depth_and_escaped_nul_outside_and_inside_strings() {
        let scan = Scan::of(br#"{"rows": [{"note": "[[[{{ \" \\u0000"}]}"#);
        assert_eq!((scan.depth, scan.nul), (3, false));
        assert!(Scan::of(br#"{"a": "x\u0000"}"#).nul);
        assert_eq!(Scan::of("[".repeat(10_000).as_bytes()).depth, 10_000);
    }

    #[test]
    fn nul_is_named_by_its_field() {
        let doc = serde_json::json!({"rows": [{"note": "ok"}, {"note": "a\u{0}b"}], "title": "t"});
        assert_eq!(nul_field(&doc).as_deref(), Some("rows[1].note"));
        assert_eq!(nul_field(&serde_json::json!(["ok", ["\u{0}"]])).as_deref(), Some("[1][0]"));
        assert_eq!(nul_field(&serde_json::json!({"title": "ok"})), None);
    }
}
