//! Versioned records written whole: a row with `id`, `version`, `created_at`, `updated_at` and
//! `created_by`, and a `…Fields` struct (`Insertable + AsChangeset`) of everything a client may set.
//! Organizations, regulations and contacts are such records, and create, change and delete them the
//! same way: [`versioned_rows!`](crate::versioned_rows) writes their queries, and [`create`], [`update`]
//! and [`delete`] are the steps of their use cases that load, check the version, write and record the
//! change in the caller's transaction; the services add who may and what is valid.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::{IfMatch, Reference, ensure_unreferenced};

/// A record of a versioned table, with the queries [`versioned_rows!`](crate::versioned_rows) writes.
pub trait Versioned: Serialize + Sized {
    /// What a client may set, as it is written.
    type Fields;
    /// The `entity_type` of its audit events.
    const KIND: &'static str;
    fn id(&self) -> Id;
    fn row_version(&self) -> i32;
    fn find(conn: &mut DbConnection, id: Id) -> Result<Self, AppError>;
    fn insert(
        conn: &mut DbConnection,
        fields: &Self::Fields,
        created_by: Id,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError>;
    fn update(
        &self,
        conn: &mut DbConnection,
        fields: &Self::Fields,
        now: DateTime<Utc>,
    ) -> Result<Self, AppError>;
    fn delete(&self, conn: &mut DbConnection) -> Result<(), AppError>;
}

/// A read of the registry (organizations, regulations, regions, contacts), which every signed-in user
/// may make: `query` runs once the policy agrees.
pub fn read<T>(user: &AuthUser, query: impl FnOnce() -> Result<T, AppError>) -> Result<T, AppError> {
    policy::authorize(user, Action::Read)?;
    query()
}

/// Writes a record of checked `fields`, created by `user`, and records the creation.
pub fn create<T: Versioned>(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    fields: &T::Fields,
) -> Result<T, AppError> {
    let created = T::insert(conn, fields, user.id, now)?;
    audit::record(conn, &user.actor(), now, Change::new("create", T::KIND, created.id()).after(&created))?;
    Ok(created)
}

/// Loads record `id`, asks `may` whether the user may change it (403), checks `If-Match` (412/428),
/// asks `fields` for the checked new values (422, 409), writes them and records the change. A change
/// that changes nothing writes and records nothing.
pub fn update<T: Versioned>(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    (id, if_match): (Id, &IfMatch),
    may: impl FnOnce(&T) -> Result<(), AppError>,
    fields: impl FnOnce(&mut DbConnection, &T) -> Result<T::Fields, AppError>,
) -> Result<T, AppError> {
    let current = T::find(conn, id)?;
    may(&current)?;
    if_match.check(current.row_version())?;
    let fields = fields(conn, &current)?;
    let updated = current.update(conn, &fields, now)?;
    if updated.row_version() != current.row_version() {
        let change = Change::new("update", T::KIND, id).before(&current).after(&updated);
        audit::record(conn, &user.actor(), now, change)?;
    }
    Ok(updated)
}

/// Loads record `id`, asks `may` whether the user may delete it (403), checks `If-Match` (412/428) and
/// that none of `references` refers to it (409, followed by `hint`), deletes it and records the
/// deletion.
pub fn delete<T: Versioned>(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    (id, if_match): (Id, &IfMatch),
    may: impl FnOnce(&T) -> Result<(), AppError>,
    (references, hint): (&[Reference], Option<(&str, &str)>),
) -> Result<(), AppError> {
    let current = T::find(conn, id)?;
    may(&current)?;
    if_match.check(current.row_version())?;
    ensure_unreferenced(conn, id, references, hint)?;
    current.delete(conn)?;
    audit::record(conn, &user.actor(), now, Change::new("delete", T::KIND, id).before(&current))?;
    Ok(())
}

/// In a resource's `repo.rs`, the queries of a versioned table:
///
/// ```text
/// crate::versioned_rows!(regulations, Regulation, RegulationFields, "regulation", "/api/v1/regulations");
/// ```
///
/// gives `find(conn, id)`, `insert(conn, &fields, created_by, now)` (version 1), `update(conn, &current,
/// &fields, now)` and `delete(conn, &current)`. The last two write only if `current` is still the stored
/// version (else 412, see [`crate::http::expect_one_row`]); an update that changes no field writes
/// nothing and answers `current`. It also makes the row [`Versioned`] and a [`crate::http::Record`]
/// located under the given path.
#[macro_export]
macro_rules! versioned_rows {
    ($table:ident, $row:ty, $fields:ty, $kind:literal, $path:literal) => {
        pub fn find(
            conn: &mut $crate::db::DbConnection,
            id: $crate::db::Id,
        ) -> Result<$row, $crate::error::AppError> {
            use diesel::prelude::*;
            Ok($crate::db::schema::$table::table.find(id).select(<$row>::as_select()).first(conn)?)
        }

        pub fn insert(
            conn: &mut $crate::db::DbConnection,
            fields: &$fields,
            created_by: $crate::db::Id,
            now: chrono::DateTime<chrono::Utc>,
        ) -> Result<$row, $crate::error::AppError> {
            use diesel::prelude::*;
            use $crate::db::schema::$table as t;
            let id = $crate::db::Id::new();
            let at = $crate::db::types::from_utc(now);
            diesel::insert_into(t::table)
                .values((
                    fields,
                    t::id.eq(id),
                    t::version.eq(1),
                    t::created_at.eq(at),
                    t::updated_at.eq(at),
                    t::created_by.eq(Some(created_by)),
                ))
                .execute(conn)?;
            find(conn, id)
        }

        pub fn update(
            conn: &mut $crate::db::DbConnection,
            current: &$row,
            fields: &$fields,
            now: chrono::DateTime<chrono::Utc>,
        ) -> Result<$row, $crate::error::AppError> {
            use diesel::prelude::*;
            use $crate::db::schema::$table as t;
            if *fields == <$fields>::from(current) {
                return Ok(current.clone());
            }
            let rows =
                diesel::update(t::table.filter(t::id.eq(current.id)).filter(t::version.eq(current.version)))
                    .set((
                        fields,
                        t::version.eq(current.version + 1),
                        t::updated_at.eq($crate::db::types::from_utc(now)),
                    ))
                    .execute(conn)?;
            $crate::http::expect_one_row(rows)?;
            find(conn, current.id)
        }

        pub fn delete(
            conn: &mut $crate::db::DbConnection,
            current: &$row,
        ) -> Result<(), $crate::error::AppError> {
            use diesel::prelude::*;
            use $crate::db::schema::$table as t;
            let rows =
                diesel::delete(t::table.filter(t::id.eq(current.id)).filter(t::version.eq(current.version)))
                    .execute(conn)?;
            $crate::http::expect_one_row(rows)
        }

        impl $crate::http::versioned::Versioned for $row {
            type Fields = $fields;
            const KIND: &'static str = $kind;
            fn id(&self) -> $crate::db::Id {
                self.id
            }
            fn row_version(&self) -> i32 {
                self.version
            }
            fn find(
                conn: &mut $crate::db::DbConnection,
                id: $crate::db::Id,
            ) -> Result<Self, $crate::error::AppError> {
                find(conn, id)
            }
            fn insert(
                conn: &mut $crate::db::DbConnection,
                fields: &$fields,
                created_by: $crate::db::Id,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Self, $crate::error::AppError> {
                insert(conn, fields, created_by, now)
            }
            fn update(
                &self,
                conn: &mut $crate::db::DbConnection,
                fields: &$fields,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Self, $crate::error::AppError> {
                update(conn, self, fields, now)
            }
            fn delete(&self, conn: &mut $crate::db::DbConnection) -> Result<(), $crate::error::AppError> {
                delete(conn, self)
            }
        }

        impl $crate::http::Record for $row {
            fn location(&self) -> String {
                format!("{}/{}", $path, self.id)
            }
            fn version(&self) -> i32 {
                self.version
            }
        }
    };
}
