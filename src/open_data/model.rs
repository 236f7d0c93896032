//! The coverage results view in the shape of IATI's results framework (result → indicator → baseline and
//! periods, each target and actual by location and dimension), its query and its CSV lines.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::coverage::model::{CoverageFilter, Segment};

crate::str_enum! {
    /// The answer's format: JSON (default) or CSV (also chosen by `Accept: text/csv`).
    pub enum ResultsFormat { Json => "json", Csv => "csv" }
}

/// Filters of the results view (all optional), and the format.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultsQuery {
    /// A region code (exact), e.g. `1371`.
    pub region: Option<String>,
    pub segment: Option<Segment>,
    /// First period (`YYYY` or `YYYY-MM`); a year includes its months.
    pub from: Option<String>,
    /// Last period (`YYYY` or `YYYY-MM`); a year includes its months.
    pub to: Option<String>,
    pub format: Option<ResultsFormat>,
}

impl ResultsQuery {
    pub fn filter(&self) -> CoverageFilter {
        CoverageFilter {
            region: self.region.clone(),
            segment: self.segment,
            from: self.from.clone(),
            to: self.to.clone(),
        }
    }
}

/// A text in one language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Narrative {
    /// `id` or `en`.
    pub lang: &'static str,
    pub text: String,
}

pub fn narratives(id: &str, en: &str) -> Vec<Narrative> {
    vec![Narrative { lang: "id", text: id.to_string() }, Narrative { lang: "en", text: en.to_string() }]
}

/// A region (IATI location), by its Kemendagri code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Location {
    /// The Kemendagri region code.
    #[serde(rename = "ref")]
    #[schema(example = "1371")]
    pub reference: String,
    #[schema(example = "Padang")]
    pub name: String,
}

/// A breakdown (IATI dimension): here always the participant segment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dimension {
    #[schema(example = "segment")]
    pub name: &'static str,
    #[schema(example = "pu")]
    pub value: String,
}

/// A figure of one region and segment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figure {
    #[schema(example = 125944)]
    pub value: i64,
    pub location: Vec<Location>,
    pub dimension: Vec<Dimension>,
}

/// The first realisation recorded for a region and segment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Baseline {
    #[schema(example = 2021)]
    pub year: i32,
    /// The last day of the period it was recorded for.
    pub iso_date: NaiveDate,
    #[schema(example = 91769)]
    pub value: i64,
    pub location: Vec<Location>,
    pub dimension: Vec<Dimension>,
}

/// One period: targets (a target of 0, meaning none was set, is left out) and actuals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultPeriod {
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub target: Vec<Figure>,
    pub actual: Vec<Figure>,
}

/// An indicator: active participants, measured in people (IATI measure 1, unit), higher is better.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicator {
    /// `coverage-yearly` or `coverage-monthly`.
    #[schema(example = "coverage-yearly")]
    pub code: &'static str,
    /// IATI IndicatorMeasure: 1 = unit.
    #[schema(example = "1")]
    pub measure: &'static str,
    pub ascending: bool,
    pub title: Vec<Narrative>,
    pub description: Vec<Narrative>,
    pub baseline: Vec<Baseline>,
    pub period: Vec<ResultPeriod>,
}

/// A result: the coverage the collaboration works for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultEntry {
    /// IATI ResultType: 2 = outcome.
    #[schema(example = "2")]
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub aggregation_status: bool,
    pub title: Vec<Narrative>,
    pub description: Vec<Narrative>,
    pub indicator: Vec<Indicator>,
}

/// The coverage figures as an IATI-shaped results framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageResults {
    /// The IATI standard version whose result shape this follows.
    #[schema(example = "2.03")]
    pub iati_version: &'static str,
    pub result: Vec<ResultEntry>,
}

/// One line of the CSV form: one region, segment and period of an indicator.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultLine {
    pub indicator: &'static str,
    pub measure: &'static str,
    pub ascending: bool,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub location_ref: String,
    pub location_name: String,
    pub segment: String,
    pub baseline_year: i32,
    pub baseline_value: i64,
    /// Empty when no target was set.
    pub target: Option<i64>,
    pub actual: i64,
}
