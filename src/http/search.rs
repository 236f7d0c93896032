//! The `q` filter of lists: a case-insensitive "contains" that behaves the same on SQLite and PostgreSQL.
//!
//! ```text
//! if let Some(pattern) = search::pattern(filter.q.as_deref()) {
//!     query = query.filter(lower(things::name).like(pattern.clone()).escape('\\')
//!         .or(lower(things::code).like(pattern).escape('\\')));
//! }
//! ```
//! `lower` folds ASCII letters on both backends (SQLite's LOWER knows only ASCII); the pattern is
//! lower-cased the same way, and `%`, `_` and `\` in the search text match themselves.

diesel::define_sql_function! {
    /// SQL `LOWER(text)`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// SQL `LOWER(text)` on a column that may be NULL (a NULL never matches a pattern).
    #[sql_name = "lower"]
    fn lower_nullable(
        x: diesel::sql_types::Nullable<diesel::sql_types::Text>,
    ) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// The LIKE pattern for "contains `q`", or `None` when `q` is absent or blank.
pub fn pattern(q: Option<&str>) -> Option<String> {
    let q = q.map(str::trim).filter(|q| !q.is_empty())?;
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c.to_ascii_lowercase());
    }
    out.push('%');
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_wildcards() {
        assert_eq!(super::pattern(Some(" 50%_Off\\ ")).unwrap(), "%50\\%\\_off\\\\%");
        assert_eq!(super::pattern(Some("  ")), None);
        assert_eq!(super::pattern(None), None);
    }
}
