//! Reading a coverage CSV file (`POST /coverage/import`) into the rows that `PUT /coverage` takes, each
//! named by its line, with the errors that only the file's form can have (header, columns, numbers).

use super::model::{CoverageInput, Segment};
use crate::error::text;
use crate::http::Validator;

/// Reads a CSV file (header `region_code,segment,period,target,realization,source`, optionally `note`)
/// into rows prefixed with their line numbers (`line 2.` is the first row under the header).
pub fn parse(body: &str) -> (Vec<(String, CoverageInput)>, Validator) {
    const REQUIRED: [&str; 5] = ["region_code", "segment", "period", "target", "realization"];
    const OPTIONAL: [&str; 2] = ["source", "note"];
    let mut v = Validator::new();
    let mut reader =
        csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(body.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.to_ascii_lowercase()).collect(),
        Err(e) => {
            v.error("line 1", text(format!("cannot be read: {e}"), format!("tidak dapat dibaca: {e}")));
            return (Vec::new(), v);
        }
    };
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|c| !header.iter().any(|h| h == c)).collect();
    let unknown: Vec<&String> = header
        .iter()
        .filter(|h| !REQUIRED.contains(&h.as_str()) && !OPTIONAL.contains(&h.as_str()))
        .collect();
    if !missing.is_empty() || !unknown.is_empty() {
        v.error(
            "line 1",
            text(
                format!(
                    "the header must be region_code,segment,period,target,realization,source (optionally note); \
                     missing: {missing:?}, unknown: {unknown:?}"
                ),
                format!(
                    "baris judul harus region_code,segment,period,target,realization,source (boleh ditambah note); \
                     kurang: {missing:?}, tidak dikenal: {unknown:?}"
                ),
            ),
        );
        return (Vec::new(), v);
    }
    let column = |name: &str| header.iter().position(|h| h == name);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                v.error(
                    format!("line {line}"),
                    text(format!("cannot be read: {e}"), format!("tidak dapat dibaca: {e}")),
                );
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        let prefix = format!("line {line}.");
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            v.error(
                format!("line {line}"),
                text(
                    format!("has {} columns; the header has {}", record.len(), header.len()),
                    format!("memuat {} kolom; baris judul memuat {}", record.len(), header.len()),
                ),
            );
            continue;
        }
        let cell = |name: &str| {
            column(name).and_then(|i| record.get(i)).map(str::to_string).filter(|s| !s.is_empty())
        };
        let mut number = |name: &str| -> Option<i64> {
            let raw = cell(name)?;
            match raw.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    v.error(
                        format!("{prefix}{name}"),
                        text(
                            "must be a whole number written with digits only",
                            "harus bilangan bulat yang ditulis dengan angka saja",
                        ),
                    );
                    // Reported here; the row's own check must not add "is required" as well.
                    Some(0)
                }
            }
        };
        let target = number("target");
        let realization = number("realization");
        let segment = cell("segment").map(|s| {
            let parsed = Segment::parse(&s.to_ascii_lowercase());
            if parsed.is_none() {
                v.error(
                    format!("{prefix}segment"),
                    text("must be pu, bpu, jakon, pmi or total", "harus pu, bpu, jakon, pmi atau total"),
                );
            }
            parsed.unwrap_or(Segment::Total)
        });
        rows.push((
            prefix,
            CoverageInput {
                region_code: cell("region_code"),
                segment,
                period: cell("period"),
                target,
                realization,
                source: cell("source"),
                note: cell("note"),
            },
        ));
    }
    (rows, v)
}
