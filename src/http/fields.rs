//! Serde helpers for the fields of request and response bodies.
//!
//! - `#[serde(serialize_with = "crate::http::fields::utc")]` on a `Timestamp` (UTC without zone in the
//!   database) writes RFC 3339 with `Z`; pair it with `#[schema(value_type = String, format = DateTime)]`.
//! - `#[serde(default, deserialize_with = "crate::http::fields::nullable")]` on an `Option<Option<T>>`
//!   field of a PATCH body tells "absent" (`None`: keep) from `null` (`Some(None)`: clear) and a value
//!   (`Some(Some(v))`: set); pair it with `#[schema(value_type = Option<T>)]`.

use chrono::SecondsFormat;
use serde::{Deserialize, Deserializer, Serializer};

use crate::db::Timestamp;
use crate::db::types::to_utc;

/// The API's form of a timestamp: `2026-11-29T08:40:00.123456Z`.
pub fn format_utc(ts: &Timestamp) -> String {
    to_utc(*ts).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub fn utc<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_utc(ts))
}

pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// One PATCH field applied to the current value: absent keeps it, `null` clears it, a value sets it.
pub fn patched<T>(current: Option<T>, patch: Option<Option<T>>) -> Option<T> {
    match patch {
        None => current,
        Some(v) => v,
    }
}
