//! `GET /reports/coverage`: target, realisation, achievement and zone per segment and period, and the
//! totals per period; the same figures drawn by [`super::svg`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::coverage::model::{CoverageFilter, CoverageRow, Segment, Zone, Zones};
use crate::db::DbConnection;
use crate::error::AppError;

/// `?region=&from=&to=`.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageReportQuery {
    /// A region code; without it, the figures of every region are added up.
    #[param(example = "1371")]
    pub region: Option<String>,
    /// First period (`YYYY` or `YYYY-MM`).
    pub from: Option<String>,
    /// Last period (`YYYY` or `YYYY-MM`); a year includes its months.
    pub to: Option<String>,
}

/// One segment in one period (segment `total` in the totals).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CoverageLine {
    #[schema(example = "2023")]
    pub period: String,
    pub segment: Segment,
    pub target: i64,
    pub realization: i64,
    /// One decimal; null without a target.
    pub achievement_pct: Option<f64>,
    pub zone: Option<Zone>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageReport {
    pub region: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Per segment (pu, bpu, jakon, pmi) and period, by period.
    pub rows: Vec<CoverageLine>,
    /// Per period: the recorded `total` row when there is one, else the sum of the segments.
    pub totals: Vec<CoverageLine>,
}

impl CoverageReport {
    /// The CSV rows: the segments, then the totals.
    pub fn lines(&self) -> Vec<CoverageLine> {
        self.rows.iter().chain(self.totals.iter()).cloned().collect()
    }
}

fn line(period: &str, segment: Segment, target: i64, realization: i64, zones: Zones) -> CoverageLine {
    let achievement_pct = Zones::achievement(target, realization);
    CoverageLine {
        period: period.to_string(),
        segment,
        target,
        realization,
        achievement_pct,
        zone: zones.zone(achievement_pct),
    }
}

pub fn build(
    conn: &mut DbConnection,
    query: &CoverageReportQuery,
    zones: Zones,
) -> Result<CoverageReport, AppError> {
    let filter = CoverageFilter {
        region: query.region.clone(),
        segment: None,
        from: query.from.clone(),
        to: query.to.clone(),
    };
    let stored: Vec<CoverageRow> = crate::coverage::repo::all(conn, &filter)?;
    // (period, segment position) → (target, realization), summed over regions.
    let mut cells: BTreeMap<(String, usize), (i64, i64)> = BTreeMap::new();
    for r in &stored {
        let position = Segment::ALL.iter().position(|s| *s == r.segment).unwrap_or(0);
        let cell = cells.entry((r.period.clone(), position)).or_default();
        cell.0 += r.target;
        cell.1 += r.realization;
    }
    let mut rows = Vec::new();
    let mut totals: BTreeMap<String, (bool, i64, i64)> = BTreeMap::new();
    for ((period, position), (target, realization)) in &cells {
        let segment = Segment::ALL[*position];
        let total = totals.entry(period.clone()).or_default();
        if segment == Segment::Total {
            *total = (true, *target, *realization);
        } else {
            rows.push(line(period, segment, *target, *realization, zones));
            if !total.0 {
                total.1 += target;
                total.2 += realization;
            }
        }
    }
    let totals = totals.iter().map(|(p, (_, t, r))| line(p, Segment::Total, *t, *r, zones)).collect();
    Ok(CoverageReport {
        region: query.region.clone(),
        from: query.from.clone(),
        to: query.to.clone(),
        rows,
        totals,
    })
}
