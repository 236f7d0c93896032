//! "Delete only when nothing refers to it": a resource lists what may refer to its records, and a
//! DELETE asks [`ensure_unreferenced`] first, which answers 409 naming what still refers.
//!
//! A later table that refers to an organization (agreement parties, activities, ...) adds one line to
//! `crate::organizations::repo::REFERENCES`:
//!
//! ```text
//! Reference::new("agreement parties", "pihak perjanjian", |conn, id| {
//!     agreement_parties::table.filter(agreement_parties::organization_id.eq(id)).count().get_result(conn)
//! }),
//! ```

use diesel::QueryResult;

use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};

/// One kind of record that may refer to a record of this resource.
#[derive(Clone, Copy)]
pub struct Reference {
    /// What refers, in the plural, in English and in Bahasa Indonesia.
    pub en: &'static str,
    pub id: &'static str,
    /// How many such records refer to the given id.
    pub count: fn(&mut DbConnection, Id) -> QueryResult<i64>,
}

impl Reference {
    pub const fn new(
        en: &'static str,
        id: &'static str,
        count: fn(&mut DbConnection, Id) -> QueryResult<i64>,
    ) -> Reference {
        Reference { en, id, count }
    }
}

/// `Ok` when none of `references` refers to `record`; otherwise 409 naming each kind with its count
/// (e.g. "2 contacts, 1 user account"), followed by `hint` if any.
pub fn ensure_unreferenced(
    conn: &mut DbConnection,
    record: Id,
    references: &[Reference],
    hint: Option<(&str, &str)>,
) -> Result<(), AppError> {
    let mut found = Vec::new();
    for r in references {
        let n = (r.count)(conn, record)?;
        if n > 0 {
            found.push((n, r));
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    let en = found.iter().map(|(n, r)| format!("{n} {}", r.en)).collect::<Vec<_>>().join(", ");
    let id = found.iter().map(|(n, r)| format!("{n} {}", r.id)).collect::<Vec<_>>().join(", ");
    let (hint_en, hint_id) = hint.unwrap_or(("", ""));
    Err(AppError::conflict(text(
        format!("The record cannot be deleted while other records refer to it: {en}.{hint_en}"),
        format!("Data tidak dapat dihapus selama masih dirujuk oleh data lain: {id}.{hint_id}"),
    )))
}
