//! Column types that both backends share: UUID ids (native `uuid` on PostgreSQL, text on SQLite) and UTC
//! timestamps.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{HasSqlType, SqlType, Text};
use diesel::sqlite::Sqlite;
use serde::{Deserialize, Serialize};

use super::MultiBackend;

/// The SQL type of every id column.
#[derive(Debug, Clone, Copy, Default, SqlType, diesel::query_builder::QueryId)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Uuid;

/// A record id: a UUID version 7, so that ids sort by creation and keyset pages follow insertion order.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    AsExpression,
    FromSqlRow,
    utoipa::ToSchema,
)]
#[diesel(sql_type = Uuid)]
#[serde(transparent)]
#[schema(value_type = String, format = Uuid)]
pub struct Id(pub uuid::Uuid);

impl Id {
    /// No record's id; stands for "whichever organization" where a rule needs one (see
    /// `auth::policy::Gate`).
    pub const NIL: Id = Id(uuid::Uuid::nil());

    pub fn new() -> Id {
        FIXED.take().unwrap_or_else(|| Id(uuid::Uuid::now_v7()))
    }

    /// Runs `create` so that its first `Id::new()` (the new record's id) is `id`, when there is one: how the
    /// demo data gets the fixed ids that the OpenAPI examples name while it is written by the same code as
    /// the API's creates. The id is set for this thread only and never outlives `create`.
    pub fn fixed<R>(id: Option<Id>, create: impl FnOnce() -> R) -> R {
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                FIXED.set(None);
            }
        }
        let _reset = Reset;
        FIXED.set(id);
        create()
    }
}

thread_local! {
    /// The id that the next `Id::new()` on this thread returns (see [`Id::fixed`]).
    static FIXED: std::cell::Cell<Option<Id>> = const { std::cell::Cell::new(None) };
}

impl Default for Id {
    fn default() -> Self {
        Id::new()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for Id {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(Id)
    }
}

impl ToSql<Uuid, Pg> for Id {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        use std::io::Write;
        out.write_all(self.0.as_bytes())?;
        Ok(IsNull::No)
    }
}

impl FromSql<Uuid, Pg> for Id {
    fn from_sql(value: <Pg as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(Id(uuid::Uuid::from_slice(value.as_bytes())?))
    }
}

impl ToSql<Uuid, Sqlite> for Id {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.hyphenated().to_string());
        Ok(IsNull::No)
    }
}

impl FromSql<Uuid, Sqlite> for Id {
    fn from_sql(value: <Sqlite as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, Sqlite>>::from_sql(value)?;
        Ok(Id(uuid::Uuid::parse_str(&text)?))
    }
}

impl HasSqlType<Uuid> for MultiBackend {
    fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
        MultiBackend::lookup_sql_type::<Uuid>(lookup)
    }
}

impl FromSql<Uuid, MultiBackend> for Id {
    fn from_sql(
        bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        bytes.from_sql::<Id, Uuid>()
    }
}

impl ToSql<Uuid, MultiBackend> for Id {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Uuid, self));
        Ok(IsNull::No)
    }
}

/// Timestamps are stored as UTC without a zone (the portable `TIMESTAMP` type) and carry a zone again at
/// the edge. PostgreSQL keeps microseconds, so every timestamp is cut to microseconds when made.
pub type Timestamp = NaiveDateTime;

/// Midnight at the start of `date`, for comparing timestamps with days.
pub fn day_start(date: chrono::NaiveDate) -> Timestamp {
    date.and_time(chrono::NaiveTime::MIN)
}

pub fn to_utc(ts: NaiveDateTime) -> DateTime<Utc> {
    ts.and_utc()
}

pub fn from_utc(ts: DateTime<Utc>) -> NaiveDateTime {
    ts.trunc_subsecs(6).naive_utc()
}
