//! Field validation that reports every bad field of a request in ONE 422 problem.
//!
//! ```text
//! let mut v = Validator::new();
//! let name = v.required("name", input.name, 200);          // trimmed; missing or blank: "is required"
//! let email = v.email("email", input.email);                // optional; blank counts as absent
//! v.check(year >= 1945, "year", text("must be 1945 or later", "minimal 1945"));
//! v.finish()?;                                              // 422 listing every error, or Ok
//! ```
//! Text fields are trimmed; an optional field that is blank is stored as absent (null). Enumerations
//! need no call here: they are `str_enum!` types that the JSON extractor checks.

use chrono::{Datelike, NaiveDate};

use crate::error::{AppError, FieldError, Text, text};

/// Collects [`FieldError`]s; [`Validator::finish`] turns them into one 422.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

pub const MAX_EMAIL: usize = 254;
pub const MAX_URL: usize = 2000;

/// The largest figure a record holds: far above any real count or amount, and small enough that reports
/// add up thousands of them without overflowing an `i64`.
pub const MAX_FIGURE: i64 = 1_000_000_000_000_000;

/// The years a date or a time in a request may fall in: wide enough for any regulation, agreement or
/// meeting this registry records, narrow enough to refuse `0000-01-01` or `+99999-12-31`, which the date
/// parser takes and both databases would store.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

impl Validator {
    pub fn new() -> Validator {
        Validator::default()
    }

    pub fn error(&mut self, field: impl Into<String>, message: Text) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Records `message` for `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: Text) {
        if !ok {
            self.error(field, message);
        }
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.iter().any(|e| e.field == field)
    }

    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// A value that must be present (non-text fields: enumerations, numbers, dates).
    pub fn present<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() {
            self.error(field, required());
        }
        value
    }

    /// Required text, trimmed, 1 to `max` characters. Answers the trimmed text (empty when invalid:
    /// [`Validator::finish`] fails then, so it is never stored).
    pub fn required(&mut self, field: &str, value: Option<String>, max: usize) -> String {
        match self.optional(field, value, max) {
            Some(v) => v,
            None => {
                if !self.has_error(field) {
                    self.error(field, required());
                }
                String::new()
            }
        }
    }

    /// Optional text, trimmed, at most `max` characters; blank is absent.
    pub fn optional(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        let value = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())?;
        let len = value.chars().count();
        if len > max {
            self.error(
                field,
                text(format!("must be at most {max} characters long"), format!("maksimal {max} karakter")),
            );
        } else if value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            self.error(
                field,
                text("must not contain control characters", "tidak boleh memuat karakter kendali"),
            );
        }
        Some(value)
    }

    /// An optional e-mail address (`name@example.go.id`).
    pub fn email(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = self.optional(field, value, MAX_EMAIL)?;
        if !self.has_error(field) && !is_email(&value) {
            self.error(field, text("must be an e-mail address", "harus berupa alamat surel"));
        }
        Some(value)
    }

    /// An optional telephone number: digits, spaces, `-`, `.`, parentheses and a leading `+`, with 6 to 15
    /// digits (`+62 751 123456`, `(0751) 123456`).
    pub fn phone(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = self.optional(field, value, 30)?;
        if !self.has_error(field) && !is_phone(&value) {
            self.error(
                field,
                text(
                    "must be a telephone number (digits, spaces, -, (), and a leading +; 6 to 15 digits)",
                    "harus berupa nomor telepon (angka, spasi, -, (), dan + di depan; 6 sampai 15 angka)",
                ),
            );
        }
        Some(value)
    }

    /// An optional `http://` or `https://` URL.
    pub fn url(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = self.optional(field, value, MAX_URL)?;
        if !self.has_error(field) && !is_url(&value) {
            self.error(
                field,
                text("must be an http:// or https:// URL", "harus berupa URL http:// atau https://"),
            );
        }
        Some(value)
    }

    /// A figure (a count of people, an amount): 0 to [`MAX_FIGURE`].
    pub fn figure(&mut self, field: &str, value: i64) {
        self.range(field, value, 0, MAX_FIGURE);
    }

    /// A number within `min..=max`.
    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64) {
        if !(min..=max).contains(&value) {
            self.error(
                field,
                text(format!("must be between {min} and {max}"), format!("harus antara {min} dan {max}")),
            );
        }
    }

    /// A date (or a time) whose year is in [`YEARS`], when there is one.
    pub fn date(&mut self, field: &str, value: Option<impl Datelike>) {
        if value.is_some_and(|d| !YEARS.contains(&d.year())) {
            let (first, last) = (YEARS.start(), YEARS.end());
            self.error(
                field,
                text(
                    format!("must fall in the years {first} to {last}"),
                    format!("harus antara tahun {first} dan {last}"),
                ),
            );
        }
    }

    /// `from` must not be after `until` (the error goes to `until_field`).
    pub fn date_order(
        &mut self,
        from: Option<NaiveDate>,
        until: Option<NaiveDate>,
        until_field: &str,
        from_field: &str,
    ) {
        if let (Some(from), Some(until)) = (from, until)
            && until < from
        {
            self.error(
                until_field,
                text(format!("must not be before {from_field}"), format!("tidak boleh sebelum {from_field}")),
            );
        }
    }

    /// A link in the body (`agreement_id`, `activity_id`, ...) that must name a record: `found` is the
    /// lookup of that record. A 404 (nothing there, or nothing the caller may see) becomes the field error
    /// "is not a known {what}" (`what` in English and in Bahasa Indonesia) and `Ok(None)`; any other error
    /// is answered as it is.
    pub fn link<T>(
        &mut self,
        field: &str,
        what: (&str, &str),
        found: Result<T, AppError>,
    ) -> Result<Option<T>, AppError> {
        match found {
            Ok(record) => Ok(Some(record)),
            Err(e) if e.status == actix_web::http::StatusCode::NOT_FOUND => {
                self.known(false, field, what);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// "is not a known {what}" for `field` unless `exists`.
    pub fn known(&mut self, exists: bool, field: &str, (en, id): (&str, &str)) {
        self.check(exists, field, text(format!("is not a known {en}"), format!("bukan {id} yang dikenal")));
    }

    /// `Ok` when no field was bad, else one 422 naming every bad field.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() { Ok(()) } else { Err(AppError::validation(self.errors)) }
    }
}

/// The 422 for a string holding NUL (U+0000): PostgreSQL text cannot store it, so every way in (bodies,
/// query strings, cursors) refuses it before it reaches the database, the same on both backends.
pub fn nul_refused(field: impl Into<String>) -> AppError {
    AppError::validation(vec![FieldError::new(
        field,
        text("must not contain NUL characters", "tidak boleh memuat karakter NUL"),
    )])
}

fn required() -> Text {
    text("is required", "wajib diisi")
}

pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else { return false };
    let plain = |c: char| !c.is_whitespace() && !c.is_control() && c != '@' && c != '<' && c != '>';
    !local.is_empty()
        && local.len() <= 64
        && local.chars().all(plain)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
}

pub fn is_phone(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    body.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'))
        && (6..=15).contains(&digits)
}

pub fn is_url(s: &str) -> bool {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    let Some(rest) = rest else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host_name = host.split(':').next().unwrap_or("");
    !host_name.is_empty()
        && host_name.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.')
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_email("disnakerin@padang.go.id"));
        assert!(!is_email("disnakerin"));
        assert!(!is_email("a@b"));
        assert!(!is_email("a b@padang.go.id"));
        assert!(is_phone("+62 751 123456"));
        assert!(is_phone("(0751) 123-456"));
        assert!(!is_phone("12345"));
        assert!(!is_phone("0751 ext 5"));
        assert!(!is_phone("62+751123456"));
        assert!(is_url("https://padang.go.id/disnakerin"));
        assert!(is_url("http://localhost:8080"));
        assert!(!is_url("ftp://padang.go.id"));
        assert!(!is_url("https://"));
        assert!(!is_url("https://pad ang.go.id"));
    }

    #[test]
    fn collects_every_error() {
        let mut v = Validator::new();
        assert_eq!(v.required("name", Some("  Disnakerin ".into()), 200), "Disnakerin");
        v.required("short_name", Some("   ".into()), 50);
        v.required("title", Some("x".repeat(11)), 10);
        assert_eq!(v.optional("notes", Some(" ".into()), 10), None);
        v.email("email", Some("nope".into()));
        let err = v.finish().unwrap_err();
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["short_name", "title", "email"]);
    }
}
