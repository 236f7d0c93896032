//! Contact queries.

use diesel::prelude::*;

use super::model::{Contact, ContactFields, ContactFilter};
use crate::db::schema::contacts;
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::search::{self, lower};

crate::versioned_rows!(contacts, Contact, ContactFields, "contact", "/api/v1/contacts");

/// Up to `limit` contacts of `organization` after the id `after`, in id (creation) order.
pub fn list(
    conn: &mut DbConnection,
    organization: Id,
    filter: &ContactFilter,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Contact>, AppError> {
    let mut query = contacts::table
        .filter(contacts::organization_id.eq(organization))
        .select(Contact::as_select())
        .into_boxed();
    if let Some(pattern) = search::pattern(filter.q.as_deref()) {
        query = query.filter(
            lower(contacts::full_name).like(pattern.clone()).escape('\\').or(lower(
                contacts::position.assume_not_null(),
            )
            .like(pattern)
            .escape('\\')),
        );
    }
    if let Some(after) = after {
        query = query.filter(contacts::id.gt(after));
    }
    Ok(query.order(contacts::id.asc()).limit(limit).load(conn)?)
}
