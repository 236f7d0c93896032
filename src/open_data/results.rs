//! Coverage as a results framework in IATI's shape: one result (coverage), an indicator per period length
//! (yearly, monthly), each with a baseline per region and segment (the first realisation recorded) and,
//! per period, the targets and actuals by region (location) and segment (dimension).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;

use super::model::{
    Baseline, CoverageResults, Dimension, Figure, Indicator, Location, ResultEntry, ResultLine, ResultPeriod,
    ResultsQuery, narratives,
};
use crate::coverage::model::CoverageRow;
use crate::db::DbConnection;
use crate::db::schema::regions;
use crate::error::AppError;

/// The first and last day of a period (`YYYY` or `YYYY-MM`, as stored).
fn bounds(period: &str) -> Option<(NaiveDate, NaiveDate)> {
    match period.split_once('-') {
        None => {
            let y: i32 = period.parse().ok()?;
            Some((NaiveDate::from_ymd_opt(y, 1, 1)?, NaiveDate::from_ymd_opt(y, 12, 31)?))
        }
        Some((y, m)) => {
            let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
            let start = NaiveDate::from_ymd_opt(y, m, 1)?;
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(y + 1, 1, 1)?
            } else {
                NaiveDate::from_ymd_opt(y, m + 1, 1)?
            };
            Some((start, next.pred_opt()?))
        }
    }
}

struct Spec {
    code: &'static str,
    monthly: bool,
    title: (&'static str, &'static str),
    description: (&'static str, &'static str),
}

const INDICATORS: [Spec; 2] = [
    Spec {
        code: "coverage-yearly",
        monthly: false,
        title: (
            "Peserta aktif BPJS Ketenagakerjaan (tahunan)",
            "Active BPJS Ketenagakerjaan participants (yearly)",
        ),
        description: (
            "Target dan realisasi peserta aktif per tahun, per wilayah dan segmen",
            "Target and realisation of active participants per year, by region and segment",
        ),
    },
    Spec {
        code: "coverage-monthly",
        monthly: true,
        title: (
            "Peserta aktif BPJS Ketenagakerjaan (bulanan)",
            "Active BPJS Ketenagakerjaan participants (monthly)",
        ),
        description: (
            "Target dan realisasi peserta aktif per bulan, per wilayah dan segmen",
            "Target and realisation of active participants per month, by region and segment",
        ),
    },
];

/// The view and its CSV lines, from the coverage rows the query selects.
pub fn build(
    conn: &mut DbConnection,
    query: &ResultsQuery,
) -> Result<(CoverageResults, Vec<ResultLine>), AppError> {
    let rows = crate::coverage::repo::all(conn, &query.filter())?;
    let names: HashMap<String, String> = regions::table
        .select((regions::code, regions::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let location = |code: &str| Location {
        reference: code.to_string(),
        name: names.get(code).cloned().unwrap_or_default(),
    };
    let mut indicators = Vec::new();
    let mut lines = Vec::new();
    for spec in &INDICATORS {
        let mine: Vec<&CoverageRow> = rows.iter().filter(|r| (r.period.len() > 4) == spec.monthly).collect();
        if mine.is_empty() {
            continue;
        }
        // The first period of each region and segment (rows come by region, then period).
        let mut first: BTreeMap<(String, String), &CoverageRow> = BTreeMap::new();
        for r in &mine {
            first.entry((r.region_code.clone(), r.segment.to_string())).or_insert(r);
        }
        let mut periods: BTreeMap<String, ResultPeriod> = BTreeMap::new();
        for r in &mine {
            let Some((start, end)) = bounds(&r.period) else { continue };
            let figure = |value: i64| Figure {
                value,
                location: vec![location(&r.region_code)],
                dimension: vec![Dimension { name: "segment", value: r.segment.to_string() }],
            };
            let period = periods.entry(r.period.clone()).or_insert_with(|| ResultPeriod {
                period_start: start,
                period_end: end,
                target: Vec::new(),
                actual: Vec::new(),
            });
            if r.target > 0 {
                period.target.push(figure(r.target));
            }
            period.actual.push(figure(r.realization));
            let base = first.get(&(r.region_code.clone(), r.segment.to_string())).copied().unwrap_or(r);
            let base_end = bounds(&base.period).map_or(end, |(_, e)| e);
            lines.push(ResultLine {
                indicator: spec.code,
                measure: "1",
                ascending: true,
                period_start: start,
                period_end: end,
                location_ref: r.region_code.clone(),
                location_name: location(&r.region_code).name,
                segment: r.segment.to_string(),
                baseline_year: base_end.year(),
                baseline_value: base.realization,
                target: (r.target > 0).then_some(r.target),
                actual: r.realization,
            });
        }
        let baseline = first
            .values()
            .filter_map(|r| {
                let (_, end) = bounds(&r.period)?;
                Some(Baseline {
                    year: end.year(),
                    iso_date: end,
                    value: r.realization,
                    location: vec![location(&r.region_code)],
                    dimension: vec![Dimension { name: "segment", value: r.segment.to_string() }],
                })
            })
            .collect();
        indicators.push(Indicator {
            code: spec.code,
            measure: "1",
            ascending: true,
            title: narratives(spec.title.0, spec.title.1),
            description: narratives(spec.description.0, spec.description.1),
            baseline,
            period: periods.into_values().collect(),
        });
    }
    lines.sort_by(|a, b| {
        (a.indicator, &a.period_start, &a.location_ref, &a.segment).cmp(&(
            b.indicator,
            &b.period_start,
            &b.location_ref,
            &b.segment,
        ))
    });
    let result = ResultEntry {
        kind: "2",
        aggregation_status: false,
        title: narratives(
            "Perluasan kepesertaan jaminan sosial ketenagakerjaan",
            "Wider social-security coverage of workers",
        ),
        description: narratives(
            "Peserta aktif BPJS Ketenagakerjaan terhadap target, per wilayah (kode Kemendagri) dan segmen",
            "Active BPJS Ketenagakerjaan participants against target, by region (Kemendagri code) and segment",
        ),
        indicator: indicators,
    };
    Ok((CoverageResults { iati_version: "2.03", result: vec![result] }, lines))
}
