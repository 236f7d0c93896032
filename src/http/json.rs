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
use crate::error::{AppError, FieldError, Text, text};
use crate::http::validate::nul_refused;

pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A JSON request body of type `T`. `T` should be `#[serde(deny_unknown_fields)]`, and declares with
/// [`crate::gate!`] the kind of write it is for: a role that may never make that write gets 403 before the
/// body is read.
///
/// A body with values that do not parse (an unknown enumeration value, an impossible date) but that reads
/// once they are taken out is extracted with them taken out, and remembers them as [`Unparsed`]: the use
/// case runs on the rest, in a transaction that is rolled back, so that one 422 names every bad field, the
/// unparsed ones and those the use case's validation finds (an unknown `kind` beside an empty `name`).
/// The value is only reachable through [`Json::read`] (a 422 when anything did not parse) or
/// [`Json::into_parts`] (then [`Unparsed::check`] the use case's result), so no handler can act on a
/// body with a value taken out.
#[derive(Debug)]
pub struct Json<T> {
    value: T,
    unparsed: Unparsed,
}

impl<T> Json<T> {
    /// A body made from another one's parts: a request prepared off the database thread (a password
    /// hashed) keeps what did not parse of the body it came from.
    pub fn from_parts(value: T, unparsed: Unparsed) -> Json<T> {
        Json { value, unparsed }
    }

    /// The body, or the 422 naming the values that did not parse.
    pub fn read(self) -> Result<T, AppError> {
        self.unparsed.check(Ok(self.value))
    }

    /// The body (with unparsed values taken out) and what did not parse, which the caller must
    /// [`Unparsed::check`] against the result of what it does with the body.
    pub fn into_parts(self) -> (T, Unparsed) {
        (self.value, self.unparsed)
    }
}

impl<T: DeserializeOwned + Gated + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_gated_body(req, payload, T::GATE, is_json, "application/json");
        Box::pin(async move {
            let (value, unparsed) = parse_rest(&body.await?)?;
            Ok(Json { value, unparsed })
        })
    }
}

/// The values of a body that did not parse, named as fields of a 422 (empty when the body parsed whole).
#[derive(Debug, Default, Clone)]
#[must_use = "a body with unparsed values must not be acted on: check the result against them"]
pub struct Unparsed(Vec<FieldError>);

impl Unparsed {
    /// `result` when everything parsed. Otherwise a 422 naming the unparsed values together with the
    /// field errors of `result`'s 422, if it is one (an `Err` also rolls back a write transaction); any
    /// other refusal (403, 404, 409, 412) is answered as it is, since those come before validation.
    pub fn check<R>(self, result: Result<R, AppError>) -> Result<R, AppError> {
        if self.0.is_empty() {
            return result;
        }
        Err(match result {
            Ok(_) => AppError::validation(self.0),
            Err(e) => self.merge(e),
        })
    }

    /// `error` with the unparsed values added to its field errors when it is a 422 about fields. A field
    /// named both ways keeps the unparsed message (the value the use case saw was a stand-in).
    pub fn merge(self, error: AppError) -> AppError {
        if self.0.is_empty() || error.status != actix_web::http::StatusCode::UNPROCESSABLE_ENTITY {
            return error;
        }
        if error.errors.is_empty() {
            return error;
        }
        // What the use case said of a field holding a stand-in (`scopes` when `scopes[2]` did not parse)
        // is about the stand-in, not about what the client sent.
        let holds_stand_in = |field: &str| {
            self.0.iter().any(|u| {
                u.field == field
                    || u.field.strip_prefix(field).is_some_and(|rest| rest.starts_with(['[', '.']))
            })
        };
        let said: Vec<FieldError> =
            error.errors.iter().filter(|e| !holds_stand_in(&e.field)).cloned().collect();
        let mut errors = self.0;
        errors.extend(said);
        errors.sort_by(|a, b| a.field.cmp(&b.field));
        AppError::validation(errors)
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
                    "Isi permintaan tidak dapat dibaca.",
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
    let (value, unparsed) = parse_rest(body)?;
    unparsed.check(Ok(value))
}

/// [`parse`], except that a body whose bad values can be taken out (see [`every_bad_field`]) is answered
/// without them, with the values named in [`Unparsed`].
fn parse_rest<T: DeserializeOwned>(body: &[u8]) -> Result<(T, Unparsed), AppError> {
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
    let value = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => value,
        Err(err) => {
            let first = BadField::of(err)?;
            // The document is whole JSON (the error was about a value), so the rest of it parses too.
            return match every_bad_field::<T>(body, first) {
                (errors, Some(rest)) => Ok((rest, Unparsed(errors))),
                (errors, None) => Err(AppError::validation(errors)),
            };
        }
    };
    de.end().map_err(|e| not_json(&e))?;
    Ok((value, Unparsed::default()))
}

/// The 400 of a body that is not JSON: serde's message in English, where it is in both languages.
fn not_json(e: &serde_json::Error) -> AppError {
    AppError::bad_request(text(
        format!("The request body is not valid JSON: {e}"),
        format!("Isi permintaan bukan JSON yang valid (baris {}, kolom {}).", e.line(), e.column()),
    ))
}

/// How many bad values of one body a 422 lists at most (each costs one more pass over the body).
const MAX_BAD_FIELDS: usize = 20;

/// A value of the body that does not fit its field (an unknown enumeration value, a date that does not
/// exist, a string where a number belongs), where it is, and what serde said of it.
struct BadField {
    /// Where the value is, for finding it in the document; `None` when serde could not say.
    steps: Option<Vec<Step>>,
    error: FieldError,
    /// serde's message, in English.
    message: String,
}

enum Step {
    Key(String),
    Index(usize),
}

impl BadField {
    /// The field a deserialization error is about, or the 400 of a body that is not JSON or has a field
    /// the resource does not take.
    fn of(err: serde_path_to_error::Error<serde_json::Error>) -> Result<BadField, AppError> {
        use serde_path_to_error::Segment;
        let path = err.path().to_string();
        let steps = err
            .path()
            .iter()
            .map(|segment| match segment {
                Segment::Seq { index } => Some(Step::Index(*index)),
                Segment::Map { key } => Some(Step::Key(key.clone())),
                Segment::Enum { variant } => Some(Step::Key(variant.clone())),
                Segment::Unknown => None,
            })
            .collect::<Option<Vec<Step>>>();
        let inner = err.into_inner();
        let message = inner.to_string();
        let message = match message.rfind(" at line ") {
            Some(i) if inner.is_data() => message[..i].to_string(),
            _ => message,
        };
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            return Err(not_json(&inner));
        }
        if let Some(field) = quoted_after(&message, "unknown field ") {
            return Err(AppError::bad_request(text(
                format!("The request body has a field this resource does not take: {message}"),
                format!("Isi permintaan memuat isian yang tidak dikenal: `{field}`"),
            )));
        }
        let parent = if path == "." { String::new() } else { path };
        // A missing (or twice given) field is named by itself, not by the object around it.
        let named =
            quoted_after(&message, "missing field ").or_else(|| quoted_after(&message, "duplicate field "));
        let field = match named {
            Some(missing) if parent.is_empty() => missing.to_string(),
            Some(missing) => format!("{parent}.{missing}"),
            None if parent.is_empty() => "body".to_string(),
            None => parent,
        };
        Ok(BadField { steps, error: FieldError::new(field, value_error(&message)), message })
    }
}

/// Every bad value of a body whose first bad value is `first`: the bad value is taken out of the document
/// (an unknown enumeration value replaced by an allowed one, any other value removed from its object), and
/// the body read again, until it reads or a bad value cannot be taken out. So one 422 names every field
/// that does not parse, not only the first; and when the rest reads, it is answered too, for the use case
/// to find the fields that parse but break a rule (see [`Unparsed`]).
fn every_bad_field<T: DeserializeOwned>(body: &[u8], first: BadField) -> (Vec<FieldError>, Option<T>) {
    let Ok(mut document) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (vec![first.error], None);
    };
    let mut errors = Vec::new();
    let mut bad = first;
    loop {
        let taken_out = take_out(&mut document, &bad);
        errors.push(bad.error);
        if !taken_out || errors.len() >= MAX_BAD_FIELDS {
            return (errors, None);
        }
        let next = match serde_path_to_error::deserialize::<_, T>(document.clone()) {
            Ok(rest) => return (errors, Some(rest)),
            Err(err) => match BadField::of(err) {
                Ok(next) => next,
                Err(_) => return (errors, None),
            },
        };
        if errors.iter().any(|e| e.field == next.error.field) {
            return (errors, None);
        }
        bad = next;
    }
}

/// Replaces an unknown enumeration value by the first allowed one, or removes any other bad value from
/// its object; answers whether it could.
fn take_out(document: &mut serde_json::Value, bad: &BadField) -> bool {
    let Some(steps) = &bad.steps else { return false };
    if bad.message.starts_with("missing field ") || bad.message.starts_with("duplicate field ") {
        return false;
    }
    let Some((last, parents)) = steps.split_last() else { return false };
    let mut parent = document;
    for step in parents {
        let next = match step {
            Step::Key(key) => parent.get_mut(key.as_str()),
            Step::Index(i) => parent.get_mut(*i),
        };
        let Some(next) = next else { return false };
        parent = next;
    }
    if let Some((_, allowed)) = unknown_variant(&bad.message)
        && let Some(first) = allowed.first()
    {
        let slot = match last {
            Step::Key(key) => parent.get_mut(key.as_str()),
            Step::Index(i) => parent.get_mut(*i),
        };
        return match slot {
            Some(slot) => {
                *slot = serde_json::Value::String((*first).to_string());
                true
            }
            None => false,
        };
    }
    match (last, parent) {
        (Step::Key(key), serde_json::Value::Object(fields)) => fields.remove(key).is_some(),
        _ => false,
    }
}

/// What serde says of a value that does not fit, in the two languages: serde's own message in English,
/// and in Bahasa Indonesia the same said in Indonesian (an unknown enumeration value lists the allowed
/// ones), never serde's English. Query strings read through the same words.
pub fn value_error(message: &str) -> Text {
    if message.starts_with("missing field ") {
        return text("is required", "wajib diisi"); // as the validator says it
    }
    text(message.to_string(), nilai_tidak_valid(message))
}

/// The Indonesian of one of serde's messages (the formats of `serde::de::Error` and the custom messages
/// of chrono and uuid); for any other message, a plain "nilai tidak valid".
fn nilai_tidak_valid(message: &str) -> String {
    if let Some((value, allowed)) = unknown_variant(message) {
        let allowed: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
        return if allowed.is_empty() {
            format!("nilai `{value}` tidak dikenal")
        } else {
            format!("nilai `{value}` tidak dikenal; nilai yang diizinkan: {}", allowed.join(", "))
        };
    }
    if let Some(field) = quoted_after(message, "duplicate field ") {
        return format!("isian `{field}` muncul lebih dari sekali");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return match expected_id(expected) {
            Some(expected) => format!("harus berupa {expected}, bukan {}", unexpected_id(got)),
            None => format!("jenis nilai salah: {}", unexpected_id(got)),
        };
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return match expected_id(expected) {
            Some(expected) => format!("nilai {} tidak valid; seharusnya {expected}", unexpected_id(got)),
            None => format!("nilai {} tidak valid", unexpected_id(got)),
        };
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let len = rest.split(',').next().unwrap_or("").trim();
        return format!("jumlah unsur ({len}) tidak sesuai");
    }
    if message.starts_with("UUID parsing failed") {
        return "harus berupa UUID (contoh: 0190a5c4-8a5e-7c3b-9f1e-2d4c6b8a0e13)".to_string();
    }
    let chrono = [
        ("input contains invalid characters", "memuat karakter yang tidak valid"),
        ("input is out of range", "di luar rentang yang mungkin (tanggal atau waktu itu tidak ada)"),
        ("premature end of input", "terpotong"),
        ("trailing input", "memuat teks lebih di belakangnya"),
        ("input is not enough for unique date and time", "tidak lengkap"),
        ("no possible date and time matching input", "tidak ada tanggal dan waktu seperti itu"),
        ("input is impossible", "tidak mungkin ada"),
    ];
    if let Some((_, id)) = chrono.iter().find(|(en, _)| message.starts_with(en)) {
        return format!(
            "bukan tanggal atau waktu yang valid ({id}); tanggal ditulis YYYY-MM-DD, waktu RFC 3339"
        );
    }
    "nilai tidak valid".to_string()
}

/// `unknown variant `nope`, expected one of `a`, `b`` (also `expected `a` or `b`` and `expected `a``):
/// the value and the allowed values.
fn unknown_variant(message: &str) -> Option<(&str, Vec<&str>)> {
    let value = quoted_after(message, "unknown variant ")?;
    let expected = message.split_once(", expected ").map_or("", |(_, e)| e);
    let allowed = expected.split('`').skip(1).step_by(2).collect();
    Some((value, allowed))
}

/// The text between backticks right after `prefix` at the start of `message`.
fn quoted_after<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message.strip_prefix(prefix)?.strip_prefix('`')?.split('`').next()
}

/// serde's description of the value it got (`string "x"`, `integer `5``, `sequence`), in Indonesian.
fn unexpected_id(got: &str) -> String {
    let kinds = [
        ("string ", "teks "),
        ("integer ", "bilangan bulat "),
        ("floating point ", "bilangan pecahan "),
        ("boolean ", "boolean "),
        ("character ", "karakter "),
    ];
    for (en, id) in kinds {
        if let Some(rest) = got.strip_prefix(en) {
            return format!("{id}{rest}");
        }
    }
    match got {
        "null" | "unit value" => "null".to_string(),
        "sequence" => "larik".to_string(),
        "map" => "objek".to_string(),
        _ => "nilai itu".to_string(),
    }
}

/// What serde expected (`a string`, `u32`, `struct NewOrganization`), in Indonesian, when it is one of
/// the common ones.
fn expected_id(expected: &str) -> Option<String> {
    let integer = |bits: &str| format!("bilangan bulat ({bits})");
    Some(match expected {
        "a string" | "a formatted date string" | "a UUID string" => "teks".to_string(),
        "a boolean" => "boolean (true atau false)".to_string(),
        "a sequence" => "larik".to_string(),
        "a map" => "objek".to_string(),
        "i8" | "i16" | "i32" | "i64" => integer("bertanda"),
        "u8" | "u16" | "u32" | "u64" | "usize" => integer("tidak negatif"),
        "f32" | "f64" => "angka".to_string(),
        e if e.starts_with("struct ") || e.starts_with("a JSON object") => "objek".to_string(),
        e if e.starts_with("a non-negative integer") => integer("tidak negatif"),
        _ => return None,
    })
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
    fn serde_messages_are_said_in_indonesian() {
        let id = |m: &str| value_error(m).id.to_string();
        assert_eq!(
            id("unknown variant `castle`, expected one of `city_government`, `other`"),
            "nilai `castle` tidak dikenal; nilai yang diizinkan: `city_government`, `other`"
        );
        assert_eq!(
            id("unknown variant `x`, expected `a` or `b`"),
            "nilai `x` tidak dikenal; nilai yang diizinkan: `a`, `b`"
        );
        assert_eq!(
            id("unknown variant `x`, expected `a`"),
            "nilai `x` tidak dikenal; nilai yang diizinkan: `a`"
        );
        assert_eq!(
            id("invalid type: integer `42`, expected a string"),
            "harus berupa teks, bukan bilangan bulat `42`"
        );
        assert_eq!(id("invalid type: map, expected something odd"), "jenis nilai salah: objek");
        assert_eq!(
            id("invalid value: integer `-1`, expected u32"),
            "nilai bilangan bulat `-1` tidak valid; seharusnya bilangan bulat (tidak negatif)"
        );
        assert_eq!(value_error("missing field `name`"), text("is required", "wajib diisi"));
        assert!(id("input is out of range").starts_with("bukan tanggal atau waktu yang valid (di luar"));
        assert!(id("UUID parsing failed: invalid length").starts_with("harus berupa UUID"));
        assert_eq!(id("something nobody foresaw"), "nilai tidak valid");
        // English keeps serde's words.
        assert_eq!(value_error("invalid type: map, expected u8").en, "invalid type: map, expected u8");
    }

    #[test]
    fn every_value_that_does_not_parse_is_named() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Body {
            kinds: Vec<Kind>,
            when: Option<chrono::NaiveDate>,
            count: u32,
            inner: Option<Inner>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Inner {
            kind: Kind,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            Red,
            Blue,
        }
        let fields = |body: &str| {
            let err = parse::<Body>(body.as_bytes()).unwrap_err();
            let mut fields = err.errors.iter().map(|e| e.field.clone()).collect::<Vec<_>>();
            fields.sort();
            fields
        };
        let body = r#"{"kinds": ["green", "red", "pink"], "when": "2025-02-30", "count": -1, "inner": {"kind": "x"}}"#;
        assert_eq!(fields(body), ["count", "inner.kind", "kinds[0]", "kinds[2]", "when"]);
        // A field that cannot be taken out (a missing one) ends the list.
        assert_eq!(fields(r#"{"kinds": ["green"]}"#), ["count", "kinds[0]"]);
        assert_eq!(fields(r#"{"kinds": []}"#), ["count"]);
        assert!(parse::<Body>(br#"{"kinds": [], "count": 1}"#).is_ok());
    }

    #[test]
    fn nul_is_named_by_its_field() {
        let doc = serde_json::json!({"rows": [{"note": "ok"}, {"note": "a\u{0}b"}], "title": "t"});
        assert_eq!(nul_field(&doc).as_deref(), Some("rows[1].note"));
        assert_eq!(nul_field(&serde_json::json!(["ok", ["\u{0}"]])).as_deref(), Some("[1][0]"));
        assert_eq!(nul_field(&serde_json::json!({"title": "ok"})), None);
    }
}
