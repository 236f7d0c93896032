//! `Accept` negotiation between JSON, the default, and another representation a route also offers
//! (CSV for lists and reports, PDF for printable records).

use actix_web::HttpRequest;
use actix_web::http::header;

/// Whether the client prefers `mime` to JSON: it names `mime` in `Accept` with a q-value above zero and
/// at least that of `application/json` (or `*/*`).
pub fn prefers(req: &HttpRequest, mime: &str) -> bool {
    let Some(accept) = req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut wanted: Option<f32> = None;
    let mut json: Option<f32> = None;
    for part in accept.split(',') {
        let mut pieces = part.trim().split(';');
        let named = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = pieces
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
            .unwrap_or(1.0);
        let slot = match named.as_str() {
            m if m == mime => &mut wanted,
            "application/json" | "application/*" | "*/*" => &mut json,
            _ => continue,
        };
        if slot.is_none_or(|old| q > old) {
            *slot = Some(q);
        }
    }
    match (wanted, json) {
        (Some(c), Some(j)) => c > 0.0 && c >= j,
        (Some(c), None) => c > 0.0,
        _ => false,
    }
}
