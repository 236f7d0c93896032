//! Logs, request ids and metrics, and the middleware that makes every error response a problem in the
//! client's language.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::error::{AppError, Lang, PROBLEM_JSON, text};

/// The id of a request: the client's `X-Request-Id` when it is short and plain, else a new UUID.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Sets up `tracing` once per process: `RUST_LOG` filters (default `info`), text or JSON lines on stderr.
pub fn init_tracing(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The Prometheus recorder, installed once per process.
pub fn metrics() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0],
            )
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        let _ = metrics::set_global_recorder(recorder);
        handle
    })
}

/// The most header bytes (names and values) a request may carry.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

fn header_bytes(req: &ServiceRequest) -> usize {
    req.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum()
}

/// Outermost middleware: assigns the request id, logs one line per request, counts it, and sets the
/// headers every response carries.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let method = req.method().to_string();
    let path = req.path().to_string();
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);

    let mut res = if header_bytes(&req) > MAX_HEADER_BYTES {
        // Refused before any handler runs: nothing is read, nothing is written.
        let lang = Lang::from_accept_language(
            req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
        );
        let too_large = AppError::new(
            actix_web::http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            text(
                format!("The request headers are larger than {MAX_HEADER_BYTES} bytes."),
                format!("Header permintaan melebihi {MAX_HEADER_BYTES} bita."),
            ),
        );
        req.into_response(too_large.to_response(lang))
    } else {
        match next.call(req).await {
            Ok(res) => res.map_into_boxed_body(),
            Err(err) => {
                // Raised by a middleware rather than a handler; actix renders it.
                let status = err.as_response_error().status_code().as_u16();
                tracing::warn!(request_id = %request_id, method = %method, path = %path, status, "request failed in middleware: {err}");
                return Err(err);
            }
        }
    };

    let status = res.status();
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".to_string());
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID, v);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if authenticated || status.is_client_error() || status.is_server_error() {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }

    let elapsed = started.elapsed();
    let labels =
        [("method", method.clone()), ("route", route.clone()), ("status", status.as_u16().to_string())];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    tracing::info!(
        request_id = %request_id,
        method = %method,
        path = %path,
        route = %route,
        status = status.as_u16(),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    Ok(res)
}

/// Renders problems in the client's language, and turns error responses that are not problems yet
/// (unknown route, actix's own errors) into problems.
pub async fn problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let lang =
        Lang::from_accept_language(req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res);
    }
    let error = res.response().extensions().get::<AppError>().cloned();
    let error = match error {
        Some(_) if lang == Lang::En => return Ok(res),
        Some(e) => e,
        None => {
            let is_problem = res
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with(PROBLEM_JSON));
            if is_problem {
                return Ok(res);
            }
            generic(status.as_u16())
        }
    };
    let (req, old) = res.into_parts();
    let mut new = error.to_response(lang);
    // Keep headers the inner layers set (Allow, Retry-After, …) unless the problem sets them itself.
    for (name, value) in old.headers() {
        if !new.headers().contains_key(name) {
            new.headers_mut().insert(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, new))
}

/// A problem for an error response that came without one.
fn generic(status: u16) -> AppError {
    let code = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::INTERNAL_SERVER_ERROR);
    let detail = match status {
        404 => text("No such resource.", "Sumber daya tidak ditemukan."),
        405 => text("This method is not allowed here.", "Metode ini tidak diizinkan di sini."),
        413 => text("The request body is too large.", "Isi permintaan terlalu besar."),
        431 => text("The request headers are too large.", "Header permintaan terlalu besar."),
        _ if status >= 500 => text(
            "Something went wrong on the server; it has been logged.",
            "Terjadi kesalahan pada server; kesalahan telah dicatat.",
        ),
        _ => text("The request could not be handled.", "Permintaan tidak dapat diproses."),
    };
    AppError::new(code, detail)
}

/// The fallback for paths no route matches.
pub async fn not_found() -> Result<actix_web::HttpResponse, AppError> {
    Err(AppError::not_found())
}
