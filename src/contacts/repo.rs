use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{Contact, ContactFields, ContactFilter};
use crate::db::schema::contacts;
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::expect_one_row;
use crate::http::search::{self, lower};

pub fn find(conn: &mut DbConnection, id: Id) -> Result<Contact, AppError> {
    Ok(contacts::table.find(id).select(Contact::as_select()).first(conn)?)
}

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

pub fn create(
    conn: &mut DbConnection,
    organization: Id,
    fields: &ContactFields,
    created_by: Id,
    now: DateTime<Utc>,
) -> Result<Contact, AppError> {
    let id = Id::new();
    let now = from_utc(now);
    diesel::insert_into(contacts::table)
        .values((
            fields,
            contacts::id.eq(id),
            contacts::organization_id.eq(organization),
            contacts::version.eq(1),
            contacts::created_at.eq(now),
            contacts::updated_at.eq(now),
            contacts::created_by.eq(Some(created_by)),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// Writes `fields` over `current` if it is still the stored version (else 412); no change, no write.
pub fn update(
    conn: &mut DbConnection,
    current: &Contact,
    fields: &ContactFields,
    now: DateTime<Utc>,
) -> Result<Contact, AppError> {
    if *fields == ContactFields::from(current) {
        return Ok(current.clone());
    }
    let rows = diesel::update(
        contacts::table.filter(contacts::id.eq(current.id)).filter(contacts::version.eq(current.version)),
    )
    .set((fields, contacts::version.eq(current.version + 1), contacts::updated_at.eq(from_utc(now))))
    .execute(conn)?;
    expect_one_row(rows)?;
    find(conn, current.id)
}

pub fn delete(conn: &mut DbConnection, current: &Contact) -> Result<(), AppError> {
    let rows = diesel::delete(
        contacts::table.filter(contacts::id.eq(current.id)).filter(contacts::version.eq(current.version)),
    )
    .execute(conn)?;
    expect_one_row(rows)
}
