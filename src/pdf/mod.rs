//! Printable records (`Accept: application/pdf`): an A4 page layout with embedded fonts, and the
//! Indonesian formats of dates and numbers. The records themselves are built by the modules that own
//! their data: the notulen and the daftar hadir by [`crate::minutes::print`], the agreement report by
//! [`crate::agreements::report`].
//!
//! Why `printpdf`: it is maintained, pure Rust (no browser, no system fonts, nothing fetched at run
//! time), embeds TrueType fonts as subsets so that a two-page notulen stays small, and writes text
//! that readers can search and copy. It does no layout itself (without its HTML engine, which would
//! pull in a browser layout engine), so line breaking and tables are in [`layout`], measured with the
//! font's own glyph widths.

pub mod format;
mod layout;

use actix_web::HttpResponse;
use actix_web::http::header;

pub use format::{TimeZone, clock, date, date_time, day_and_date, number, percent};
pub use layout::{Align, Column, Sheet, Style};

use chrono::{DateTime, Utc};

use crate::error::AppError;

pub const APPLICATION_PDF: &str = "application/pdf";

/// Whether the client asked for the printable record (`Accept: application/pdf`) rather than JSON.
pub fn wanted(req: &actix_web::HttpRequest) -> bool {
    crate::http::accept::prefers(req, APPLICATION_PDF)
}

/// When and where a record is printed: the footer of every page says so.
#[derive(Debug, Clone, Copy)]
pub struct Printing {
    pub at: DateTime<Utc>,
    pub zone: TimeZone,
}

impl Printing {
    pub fn footer(&self) -> String {
        format!("Dicetak dari Sinergi pada {}", date_time(self.at, self.zone))
    }
}

/// Lays out a PDF on the blocking pool (a long notulen takes milliseconds of CPU, which the HTTP
/// workers should not wait on).
pub async fn render(
    make: impl FnOnce() -> Result<Vec<u8>, AppError> + Send + 'static,
) -> Result<Vec<u8>, AppError> {
    actix_web::web::block(make).await.map_err(|e| AppError::internal(format!("printing failed: {e}")))?
}

/// The PDF as a response, shown by the browser (`inline`) under a file name made of `name`'s letters,
/// digits and dashes.
pub fn respond(pdf: Vec<u8>, name: &str) -> HttpResponse {
    let mut file: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    while file.contains("--") {
        file = file.replace("--", "-");
    }
    let file = file.trim_matches('-');
    HttpResponse::Ok()
        .content_type(APPLICATION_PDF)
        .insert_header((header::CONTENT_DISPOSITION, format!("inline; filename=\"{file}.pdf\"")))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(pdf)
}
