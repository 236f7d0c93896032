//! What a download answers besides the bytes: `Content-Disposition` (RFC 6266, with `filename*` of RFC
//! 5987 for names that are not plain ASCII), the `ETag` made from the content's SHA-256, and the one byte
//! range of a `Range` header.

/// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII stand-in for old clients, and the exact
/// name percent-encoded.
pub fn disposition(file_name: &str) -> String {
    let fallback: String = file_name
        .chars()
        .map(|c| if c.is_ascii() && !c.is_ascii_control() && c != '"' && c != '\\' { c } else { '_' })
        .collect();
    let mut encoded = String::new();
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// The strong validator of a document's content.
pub fn etag(sha256: &str) -> String {
    format!("\"{sha256}\"")
}

/// Whether an `If-None-Match` value matches the ETag (`*` or one of a comma-separated list; a weak
/// `W/` tag compares weakly, as RFC 9110 asks for this header).
pub fn none_match(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == etag)
}

/// What a `Range` header asks of a content of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
pub enum Range {
    /// Send everything (no header, one this server ignores, or several ranges).
    Whole,
    /// Send bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// No byte of the content is in the range: 416.
    Unsatisfiable,
}

/// Parses a `Range` header: one range of `bytes` (`a-b`, `a-`, `-n`) is served; a list of several,
/// another unit or a header that does not parse is ignored (RFC 9110 allows that), and the whole
/// content goes out.
pub fn range(header: Option<&str>, size: u64) -> Range {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Range::Whole };
    if spec.contains(',') {
        return Range::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else { return Range::Whole };
    let (first, last) = (first.trim(), last.trim());
    let parse = |s: &str| if s.bytes().all(|b| b.is_ascii_digit()) { s.parse::<u64>().ok() } else { None };
    match (first.is_empty(), last.is_empty()) {
        (true, true) => Range::Whole,
        (true, false) => match parse(last) {
            None => Range::Whole,
            Some(0) => Range::Unsatisfiable,
            Some(_) if size == 0 => Range::Unsatisfiable,
            Some(n) => Range::Part { start: size.saturating_sub(n), end: size - 1 },
        },
        (false, _) => {
            let Some(start) = parse(first) else { return Range::Whole };
            let end = if last.is_empty() {
                u64::MAX
            } else {
                match parse(last) {
                    Some(end) if end >= start => end,
                    _ => return Range::Whole,
                }
            };
            if start >= size { Range::Unsatisfiable } else { Range::Part { start, end: end.min(size - 1) } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(range(None, 10), Range::Whole);
        assert_eq!(range(Some("bytes=0-3"), 10), Range::Part { start: 0, end: 3 });
        assert_eq!(range(Some("bytes=5-"), 10), Range::Part { start: 5, end: 9 });
        assert_eq!(range(Some("bytes=-4"), 10), Range::Part { start: 6, end: 9 });
        assert_eq!(range(Some("bytes=-40"), 10), Range::Part { start: 0, end: 9 });
        assert_eq!(range(Some("bytes=8-100"), 10), Range::Part { start: 8, end: 9 });
        assert_eq!(range(Some("bytes=10-"), 10), Range::Unsatisfiable);
        assert_eq!(range(Some("bytes=-0"), 10), Range::Unsatisfiable);
        assert_eq!(range(Some("bytes=0-1,4-5"), 10), Range::Whole);
        assert_eq!(range(Some("items=0-1"), 10), Range::Whole);
        assert_eq!(range(Some("bytes=5-2"), 10), Range::Whole);
        assert_eq!(range(Some("bytes=x-2"), 10), Range::Whole);
    }

    #[test]
    fn dispositions() {
        assert_eq!(disposition("a b.pdf"), "attachment; filename=\"a b.pdf\"; filename*=UTF-8''a%20b.pdf");
        assert_eq!(
            disposition("Notulen Ñusa \"x\".pdf"),
            "attachment; filename=\"Notulen _usa _x_.pdf\"; filename*=UTF-8''Notulen%20%C3%91usa%20%22x%22.pdf"
        );
    }
}
