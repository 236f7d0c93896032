//! The one error type of the API and its RFC 9457 `application/problem+json` form, in English or Bahasa
//! Indonesia. Handlers return `AppError`; `crate::telemetry::problems` renders it in the language the client
//! asked for and turns every other error response (unknown route, wrong method, …) into a problem too.

use std::borrow::Cow;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// A message in the two languages the API speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub en: Cow<'static, str>,
    pub id: Cow<'static, str>,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Id => &self.id,
        }
    }
}

/// `text("must not be empty", "tidak boleh kosong")`: English first, then Bahasa Indonesia.
pub fn text(en: impl Into<Cow<'static, str>>, id: impl Into<Cow<'static, str>>) -> Text {
    Text { en: en.into(), id: id.into() }
}

/// The language of a response, from the request's `Accept-Language`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Id,
}

impl Lang {
    /// Picks Bahasa Indonesia when it is the client's most preferred of the two (`id`, or the old `in`).
    pub fn from_accept_language(value: Option<&str>) -> Lang {
        let Some(value) = value else { return Lang::En };
        let mut best = (Lang::En, -1.0_f32);
        for part in value.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "id" | "in" => Lang::Id,
                "en" | "*" => Lang::En,
                _ => continue,
            };
            if q > best.1 {
                best = (lang, q);
            }
        }
        best.0
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
        }
    }
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: Text) -> FieldError {
        FieldError { field: field.into(), message }
    }
}

/// An error answered to the client. The status decides the problem type and title; `detail` says what
/// happened in this case. Boxed, so that `Result<T, AppError>` stays small.
#[derive(Debug, Clone)]
pub struct AppError(Box<ErrorDetails>);

#[derive(Debug, Clone)]
pub struct ErrorDetails {
    pub status: StatusCode,
    pub detail: Text,
    pub errors: Vec<FieldError>,
    pub retry_after: Option<u64>,
    pub allow: Option<String>,
    /// The size of the content a 416 answers about (`Content-Range: bytes */size`).
    pub unsatisfiable_size: Option<u64>,
    /// What the log gets and the client does not (the cause of a 500 or 503).
    pub internal: Option<String>,
}

impl std::ops::Deref for AppError {
    type Target = ErrorDetails;
    fn deref(&self) -> &ErrorDetails {
        &self.0
    }
}

impl std::ops::DerefMut for AppError {
    fn deref_mut(&mut self) -> &mut ErrorDetails {
        &mut self.0
    }
}

impl AppError {
    pub fn new(status: StatusCode, detail: Text) -> AppError {
        AppError(Box::new(ErrorDetails {
            status,
            detail,
            errors: Vec::new(),
            retry_after: None,
            allow: None,
            unsatisfiable_size: None,
            internal: None,
        }))
    }

    pub fn bad_request(detail: Text) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, detail)
    }

    pub fn unauthorized(detail: Text) -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, detail)
    }

    pub fn forbidden() -> AppError {
        AppError::new(
            StatusCode::FORBIDDEN,
            text(
                "Your role or organization may not do this.",
                "Peran atau organisasi Anda tidak berwenang melakukan ini.",
            ),
        )
    }

    pub fn not_found() -> AppError {
        AppError::new(StatusCode::NOT_FOUND, text("No such resource.", "Sumber daya tidak ditemukan."))
    }

    pub fn conflict(detail: Text) -> AppError {
        AppError::new(StatusCode::CONFLICT, detail)
    }

    pub fn validation(errors: Vec<FieldError>) -> AppError {
        let mut e = AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            text("The request has invalid fields.", "Permintaan berisi isian yang tidak valid."),
        );
        e.errors = errors;
        e
    }

    /// A validation error on one field.
    pub fn invalid(field: impl Into<String>, message: Text) -> AppError {
        AppError::validation(vec![FieldError::new(field, message)])
    }

    pub fn precondition_failed() -> AppError {
        AppError::new(
            StatusCode::PRECONDITION_FAILED,
            text(
                "The record has changed since you read it (If-Match is stale); read it again.",
                "Data telah berubah sejak Anda membacanya (If-Match usang); baca ulang data tersebut.",
            ),
        )
    }

    pub fn precondition_required() -> AppError {
        AppError::new(
            StatusCode::PRECONDITION_REQUIRED,
            text(
                "This request needs an If-Match header with the record's ETag.",
                "Permintaan ini memerlukan header If-Match berisi ETag data.",
            ),
        )
    }

    pub fn payload_too_large(limit: usize) -> AppError {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            text(
                format!("The request body is larger than {limit} bytes."),
                format!("Isi permintaan melebihi {limit} bita."),
            ),
        )
    }

    pub fn unsupported_media_type(expected: &str) -> AppError {
        AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            text(
                format!("The request body must be {expected}."),
                format!("Isi permintaan harus berformat {expected}."),
            ),
        )
    }

    pub fn too_many_requests(retry_after: u64) -> AppError {
        let mut e = AppError::new(
            StatusCode::TOO_MANY_REQUESTS,
            text(
                format!("Too many attempts; try again in {retry_after} seconds."),
                format!("Terlalu banyak percobaan; coba lagi dalam {retry_after} detik."),
            ),
        );
        e.retry_after = Some(retry_after);
        e
    }

    pub fn method_not_allowed(allow: String) -> AppError {
        let mut e = AppError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            text(
                format!("This resource allows only: {allow}."),
                format!("Sumber daya ini hanya menerima: {allow}."),
            ),
        );
        e.allow = Some(allow);
        e
    }

    /// The database does not answer: the client may retry shortly.
    pub fn unavailable(cause: impl Into<String>) -> AppError {
        let mut e = AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            text(
                "The database is not available; try again shortly.",
                "Basis data tidak tersedia; coba lagi sebentar lagi.",
            ),
        );
        e.retry_after = Some(5);
        e.internal = Some(cause.into());
        e
    }

    pub fn internal(cause: impl Into<String>) -> AppError {
        let mut e = AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            text(
                "Something went wrong on the server; it has been logged.",
                "Terjadi kesalahan pada server; kesalahan telah dicatat.",
            ),
        );
        e.internal = Some(cause.into());
        e
    }

    /// The same error with the record it came from named in the log: a stored row the code cannot read
    /// (an enumeration value it does not know) is a 500 that says which row.
    pub fn in_row(mut self, table: &str, id: impl std::fmt::Display) -> AppError {
        if let Some(cause) = &mut self.internal {
            *cause = format!("{table} row {id}: {cause}");
        }
        self
    }

    /// The problem's JSON body in the given language.
    pub fn problem(&self, lang: Lang) -> Problem {
        let (slug, title) = status_title(self.status);
        Problem {
            r#type: format!("urn:sinergi:problem:{slug}"),
            title: title.get(lang).to_string(),
            status: self.status.as_u16(),
            detail: self.detail.get(lang).to_string(),
            errors: (!self.errors.is_empty()).then(|| {
                self.errors
                    .iter()
                    .map(|e| ProblemField {
                        field: e.field.clone(),
                        message: e.message.get(lang).to_string(),
                    })
                    .collect()
            }),
        }
    }

    pub fn to_response(&self, lang: Lang) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status);
        builder.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        builder.insert_header((header::CONTENT_LANGUAGE, lang.code()));
        if let Some(secs) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let Some(allow) = &self.allow {
            builder.insert_header((header::ALLOW, allow.clone()));
        }
        if let Some(size) = self.unsatisfiable_size {
            builder.insert_header((header::CONTENT_RANGE, format!("bytes */{size}")));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        let body = serde_json::to_vec(&self.problem(lang)).unwrap_or_default();
        let mut response = builder.body(body);
        response.extensions_mut().insert(self.clone());
        response
    }
}

fn status_title(status: StatusCode) -> (&'static str, Text) {
    match status.as_u16() {
        400 => ("bad-request", text("Malformed request", "Permintaan tidak sah")),
        401 => ("unauthorized", text("Authentication required", "Perlu autentikasi")),
        403 => ("forbidden", text("Forbidden", "Akses ditolak")),
        404 => ("not-found", text("Not found", "Tidak ditemukan")),
        405 => ("method-not-allowed", text("Method not allowed", "Metode tidak diizinkan")),
        406 => ("not-acceptable", text("Not acceptable", "Format tidak dapat diberikan")),
        409 => ("conflict", text("Conflict", "Konflik")),
        412 => ("precondition-failed", text("Precondition failed", "Prasyarat gagal")),
        413 => ("payload-too-large", text("Request body too large", "Isi permintaan terlalu besar")),
        416 => ("range-not-satisfiable", text("Range not satisfiable", "Rentang tidak dapat dipenuhi")),
        415 => ("unsupported-media-type", text("Unsupported media type", "Jenis media tidak didukung")),
        422 => ("validation", text("Validation failed", "Validasi gagal")),
        428 => ("precondition-required", text("Precondition required", "Prasyarat diperlukan")),
        429 => ("too-many-requests", text("Too many requests", "Terlalu banyak permintaan")),
        431 => ("headers-too-large", text("Request headers too large", "Header permintaan terlalu besar")),
        503 => ("service-unavailable", text("Service unavailable", "Layanan tidak tersedia")),
        500 => ("internal", text("Internal server error", "Kesalahan internal server")),
        _ => ("error", text("Error", "Kesalahan")),
    }
}

/// RFC 9457 problem details, as sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[schema(example = "urn:sinergi:problem:validation")]
    pub r#type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// For validation failures: every invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.detail.en)?;
        if let Some(internal) = &self.internal {
            write!(f, " ({internal})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(internal) = self.internal.as_ref().filter(|_| self.status.is_server_error()) {
            tracing::error!(status = self.status.as_u16(), cause = %internal, "request failed");
        }
        self.to_response(Lang::En)
    }
}

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match &e {
            DieselError::NotFound => AppError::not_found(),
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                let mut err = AppError::conflict(text(
                    "A record with these values exists already.",
                    "Data dengan nilai yang sama sudah ada.",
                ));
                err.internal = Some(info.message().to_string());
                err
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                let mut err = AppError::conflict(text(
                    "The change conflicts with records that refer to this one, or that it refers to.",
                    "Perubahan bertentangan dengan data lain yang terkait.",
                ));
                err.internal = Some(info.message().to_string());
                err
            }
            DieselError::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => AppError::unavailable(e.to_string()),
            DieselError::DatabaseError(_, info) if is_transient(info.message()) => {
                AppError::unavailable(e.to_string())
            }
            _ => AppError::internal(e.to_string()),
        }
    }
}

/// Messages of failures that pass: a busy SQLite file, a PostgreSQL server shutting down or timing out.
fn is_transient(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("database is locked")
        || m.contains("terminating connection")
        || m.contains("server closed the connection")
        || m.contains("statement timeout")
        || m.contains("lock timeout")
        || m.contains("could not serialize")
        || m.contains("connection")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_of_the_two() {
        assert_eq!(Lang::from_accept_language(None), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("id")), Lang::Id);
        assert_eq!(Lang::from_accept_language(Some("id-ID,id;q=0.9,en;q=0.8")), Lang::Id);
        assert_eq!(Lang::from_accept_language(Some("en-US,id;q=0.5")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr, id;q=0.3")), Lang::Id);
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::En);
    }
}
