//! Coverage types: segments, periods, zones, the stored row, request bodies and the derived
//! achievement (computed on every read, never stored).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::config::Settings;
use crate::db::schema::coverage;
use crate::db::types::to_utc;
use crate::db::{Id, Timestamp};
use crate::error::text;
use crate::http::Validator;

crate::str_enum! {
    /// A participant segment: wage earners (PU), non-wage workers (BPU), construction services (Jakon),
    /// migrant workers (PMI), or all of them (total).
    pub enum Segment { Pu => "pu", Bpu => "bpu", Jakon => "jakon", Pmi => "pmi", Total => "total" }
}

crate::str_enum! {
    /// How far realisation is from target: green at or above SINERGI_ZONE_GREEN_PCT (100 %), yellow at
    /// or above SINERGI_ZONE_YELLOW_PCT (70 %), red below.
    pub enum Zone { Green => "green", Yellow => "yellow", Red => "red" }
}

pub const MAX_SOURCE: usize = 200;
pub const MAX_NOTE: usize = 2000;
pub const MAX_ROWS: usize = 10_000;

/// Whether `p` is a period: `YYYY` or `YYYY-MM` (years 1900 to 2100).
pub fn is_period(p: &str) -> bool {
    let year_ok =
        |y: &str| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) && ("1900"..="2100").contains(&y);
    match p.split_once('-') {
        None => year_ok(p),
        Some((y, m)) => {
            year_ok(y) && m.len() == 2 && ("01"..="12").contains(&m) && m.bytes().all(|b| b.is_ascii_digit())
        }
    }
}

/// The zone thresholds in force (from the settings).
#[derive(Debug, Clone, Copy)]
pub struct Zones {
    pub green_pct: f64,
    pub yellow_pct: f64,
}

impl Zones {
    pub fn of(settings: &Settings) -> Zones {
        Zones { green_pct: settings.zone_green_pct, yellow_pct: settings.zone_yellow_pct }
    }

    /// realization / target × 100, rounded half up to one decimal (computed in integers, so that 74.45
    /// does not become 74.4 through binary fractions); `None` when there is no target.
    pub fn achievement(target: i64, realization: i64) -> Option<f64> {
        if target <= 0 {
            return None;
        }
        let (t, r) = (i128::from(target), i128::from(realization));
        let tenths = (r * 2000 + t) / (2 * t);
        Some(tenths as f64 / 10.0)
    }

    /// The zone of the achievement as shown (the rounded value), so that what is shown and its colour
    /// agree.
    pub fn zone(self, achievement: Option<f64>) -> Option<Zone> {
        let pct = achievement?;
        Some(if pct >= self.green_pct {
            Zone::Green
        } else if pct >= self.yellow_pct {
            Zone::Yellow
        } else {
            Zone::Red
        })
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = coverage)]
pub struct CoverageRow {
    pub id: Id,
    pub region_code: String,
    pub segment: Segment,
    pub period: String,
    pub target: i64,
    pub realization: i64,
    pub source: Option<String>,
    pub note: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

impl CoverageRow {
    pub fn view(&self, zones: Zones) -> Coverage {
        let achievement_pct = Zones::achievement(self.target, self.realization);
        Coverage {
            id: self.id,
            region_code: self.region_code.clone(),
            segment: self.segment,
            period: self.period.clone(),
            target: self.target,
            realization: self.realization,
            achievement_pct,
            zone: zones.zone(achievement_pct),
            source: self.source.clone(),
            note: self.note.clone(),
            version: self.version,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            created_by: self.created_by,
        }
    }
}

/// Coverage of one segment in one region and period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Coverage {
    pub id: Id,
    #[schema(example = "1371")]
    pub region_code: String,
    pub segment: Segment,
    /// `YYYY` or `YYYY-MM`.
    #[schema(example = "2023")]
    pub period: String,
    #[schema(example = 73987)]
    pub target: i64,
    #[schema(example = 55086)]
    pub realization: i64,
    /// Derived: realization / target × 100, one decimal; null without a target.
    #[schema(example = 74.5)]
    pub achievement_pct: Option<f64>,
    /// Derived from `achievement_pct` and the configured thresholds.
    pub zone: Option<Zone>,
    pub source: Option<String>,
    pub note: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

/// One row of `PUT /coverage`, keyed by (region_code, segment, period). `source` and `note` are
/// replaced too: left out, they become empty.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageInput {
    #[schema(required = true, nullable = false, example = "1371")]
    pub region_code: Option<String>,
    #[schema(required = true, nullable = false)]
    pub segment: Option<Segment>,
    #[schema(required = true, nullable = false, example = "2023")]
    pub period: Option<String>,
    /// 0 to 10^15.
    #[schema(
        required = true,
        nullable = false,
        example = 73987,
        minimum = 0,
        maximum = 1_000_000_000_000_000_i64
    )]
    pub target: Option<i64>,
    /// 0 to 10^15.
    #[schema(
        required = true,
        nullable = false,
        example = 55086,
        minimum = 0,
        maximum = 1_000_000_000_000_000_i64
    )]
    pub realization: Option<i64>,
    #[schema(example = "BPJS Ketenagakerjaan Kantor Cabang Padang")]
    pub source: Option<String>,
    pub note: Option<String>,
}

/// The body of `PUT /coverage`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageUpsert {
    /// 1 to 10,000 rows, each key once.
    pub rows: Vec<CoverageInput>,
}

/// A checked row: what is written.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageFields {
    pub region_code: String,
    pub segment: Segment,
    pub period: String,
    pub target: i64,
    pub realization: i64,
    pub source: Option<String>,
    pub note: Option<String>,
}

impl CoverageFields {
    pub fn key(&self) -> (&str, Segment, &str) {
        (&self.region_code, self.segment, &self.period)
    }
}

impl CoverageInput {
    /// Checks one row; field names get `prefix` (`rows[3].` in JSON, `line 5.` in a CSV file).
    pub fn validate(self, v: &mut Validator, prefix: &str) -> CoverageFields {
        let f = |name: &str| format!("{prefix}{name}");
        let region_code = v.required(&f("region_code"), self.region_code, 10);
        let segment = v.present(&f("segment"), self.segment);
        let period = v.required(&f("period"), self.period, 7);
        if !period.is_empty() && !is_period(&period) {
            v.error(f("period"), text("must be YYYY or YYYY-MM", "harus berbentuk YYYY atau YYYY-MM"));
        }
        for (name, value) in [("target", self.target), ("realization", self.realization)] {
            match value {
                None => v.error(f(name), text("is required", "wajib diisi")),
                Some(n) => v.figure(&f(name), n),
            }
        }
        CoverageFields {
            region_code,
            segment: segment.unwrap_or(Segment::Total),
            period,
            target: self.target.unwrap_or_default(),
            realization: self.realization.unwrap_or_default(),
            source: v.optional(&f("source"), self.source, MAX_SOURCE),
            note: v.optional(&f("note"), self.note, MAX_NOTE),
        }
    }
}

/// What a bulk upsert or an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UpsertSummary {
    /// Rows that were new.
    pub created: usize,
    /// Rows whose figures changed.
    pub updated: usize,
    /// Rows that were already as sent (no write, no audit event).
    pub unchanged: usize,
    /// Every row sent, as now stored.
    pub rows: Vec<Coverage>,
}

/// Filters of the coverage list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageFilter {
    /// A region code (exact).
    #[param(example = "1371")]
    pub region: Option<String>,
    pub segment: Option<Segment>,
    /// First period (`YYYY` or `YYYY-MM`); a year includes its months.
    pub from: Option<String>,
    /// Last period (`YYYY` or `YYYY-MM`); a year includes its months.
    pub to: Option<String>,
}

impl CoverageFilter {
    /// The period bounds as stored text compares them: `to=2023` reaches `2023-12`. 422 for a bad period.
    pub fn bounds(&self) -> Result<(Option<String>, Option<String>), crate::error::AppError> {
        let mut v = Validator::new();
        for (name, value) in [("from", &self.from), ("to", &self.to)] {
            if let Some(p) = value {
                v.check(
                    is_period(p),
                    name,
                    text("must be YYYY or YYYY-MM", "harus berbentuk YYYY atau YYYY-MM"),
                );
            }
        }
        v.finish()?;
        let to = self.to.as_ref().map(|t| if t.len() == 4 { format!("{t}-12") } else { t.clone() });
        Ok((self.from.clone(), to))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        for ok in ["2023", "2024-06", "2024-12", "1900"] {
            assert!(is_period(ok), "{ok}");
        }
        for bad in ["23", "2024-13", "2024-00", "2024-6", "2024/06", "abcd", "2024-06-01", "2101"] {
            assert!(!is_period(bad), "{bad}");
        }
    }

    #[test]
    fn achievement_and_zone() {
        let zones = Zones { green_pct: 100.0, yellow_pct: 70.0 };
        assert_eq!(Zones::achievement(73_987, 55_086), Some(74.5));
        assert_eq!(Zones::achievement(105_491, 32_530), Some(30.8));
        assert_eq!(Zones::achievement(0, 5), None);
        assert_eq!(zones.zone(Some(74.5)), Some(Zone::Yellow));
        assert_eq!(zones.zone(Some(30.8)), Some(Zone::Red));
        assert_eq!(zones.zone(Some(100.0)), Some(Zone::Green));
        assert_eq!(zones.zone(Some(69.9)), Some(Zone::Red));
        assert_eq!(zones.zone(None), None);
    }
}
