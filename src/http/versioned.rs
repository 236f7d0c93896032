//! Versioned records written whole: a row with `id`, `version`, `created_at`, `updated_at` and
//! `created_by`, and a `…Fields` struct (`Insertable + AsChangeset`) of everything a client may set.
//! Organizations, regulations and contacts are such records, and create, change and delete them the
//! same way: [`versioned_rows!`](crate::versioned_rows) writes their queries, [`audited_create`],
//! [`audited_update`] and [`audited_delete`] record the change in the same transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{self, Change};
use crate::auth::AuthUser;
use crate::db::{DbConnection, Id};
use crate::error::AppError;

/// A record of a versioned table, as its audit events name it.
pub trait Versioned: Serialize {
    /// The `entity_type` of its audit events.
    const KIND: &'static str;
    fn id(&self) -> Id;
    fn row_version(&self) -> i32;
}

/// Records the creation of `created` and answers it.
pub fn audited_create<T: Versioned>(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    created: T,
) -> Result<T, AppError> {
    audit::record(conn, &user.actor(), now, Change::new("create", T::KIND, created.id()).after(&created))?;
    Ok(created)
}

/// Records the change from `before` to `after` and answers `after`; a write that changed nothing (the
/// version stayed) records nothing.
pub fn audited_update<T: Versioned>(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    before: &T,
    after: T,
) -> Result<T, AppError> {
    if after.row_version() != before.row_version() {
        let change = Change::new("update", T::KIND, after.id()).before(before).after(&after);
        audit::record(conn, &user.actor(), now, change)?;
    }
    Ok(after)
}

/// Records the deletion of `before`.
pub fn audited_delete<T: Versioned>(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    before: &T,
) -> Result<(), AppError> {
    audit::record(conn, &user.actor(), now, Change::new("delete", T::KIND, before.id()).before(before))?;
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
            const KIND: &'static str = $kind;
            fn id(&self) -> $crate::db::Id {
                self.id
            }
            fn row_version(&self) -> i32 {
                self.version
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

/// The JSON Schema of `T` as the OpenAPI document shows it, for tests that compare the limits it states
/// with the ones the validation applies.
#[cfg(test)]
pub fn schema_json<T: utoipa::PartialSchema>() -> serde_json::Value {
    serde_json::to_value(T::schema()).unwrap_or_default()
}

/// Asserts that property `field` of `schema` states `key: value` (`maxLength`, `minLength`, `minimum`).
#[cfg(test)]
pub fn assert_states(schema: &serde_json::Value, field: &str, key: &str, value: usize) {
    assert_eq!(schema["properties"][field][key], serde_json::json!(value), "{field}.{key} in {schema}");
}
