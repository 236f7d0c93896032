use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::regulations;
use crate::db::{Id, Timestamp};
use crate::error::{AppError, text};
use crate::http::Validator;
use crate::http::fields::{nullable, patched};

crate::str_enum! {
    /// The kind of legal instrument.
    pub enum RegulationKind {
        UndangUndang => "undang_undang",
        PeraturanPemerintah => "peraturan_pemerintah",
        PeraturanPresiden => "peraturan_presiden",
        InstruksiPresiden => "instruksi_presiden",
        PeraturanMenteri => "peraturan_menteri",
        PeraturanGubernur => "peraturan_gubernur",
        PeraturanWaliKota => "peraturan_wali_kota",
        PeraturanBupati => "peraturan_bupati",
        Other => "other",
    }
}

crate::str_enum! {
    /// Where a regulation stands.
    pub enum RegulationStatus {
        Draft => "draft",
        Enacted => "enacted",
        Revoked => "revoked",
    }
}

pub const MAX_NUMBER: usize = 50;
pub const MAX_TITLE: usize = 500;
pub const MAX_ISSUER: usize = 200;
pub const MAX_SUMMARY: usize = 10_000;
pub const FIRST_YEAR: i32 = 1945;

/// A legal instrument as stored and returned.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = regulations)]
pub struct Regulation {
    pub id: Id,
    pub kind: RegulationKind,
    #[schema(example = "24")]
    pub number: String,
    #[schema(example = 2011)]
    pub year: i32,
    #[schema(example = "Badan Penyelenggara Jaminan Sosial")]
    pub title: String,
    #[schema(example = "Pemerintah Republik Indonesia")]
    pub issuer: String,
    pub status: RegulationStatus,
    pub enacted_on: Option<NaiveDate>,
    pub summary: Option<String>,
    pub url: Option<String>,
    /// Grows by one at each change; sent as `ETag`.
    pub version: i32,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

/// The body of `POST /regulations`. `kind`, `number`, `year`, `title` and `issuer` are required;
/// `status` defaults to `enacted`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegulation {
    #[schema(required = true, nullable = false)]
    pub kind: Option<RegulationKind>,
    /// 1 to 50 characters.
    #[schema(required = true, nullable = false, example = "24", min_length = 1, max_length = 50)]
    pub number: Option<String>,
    /// From 1945 to next year.
    #[schema(required = true, nullable = false, example = 2011, minimum = 1945)]
    pub year: Option<i32>,
    /// 1 to 500 characters.
    #[schema(
        required = true,
        nullable = false,
        example = "Badan Penyelenggara Jaminan Sosial",
        min_length = 1,
        max_length = 500
    )]
    pub title: Option<String>,
    /// Who issued it; 1 to 200 characters.
    #[schema(
        required = true,
        nullable = false,
        example = "Pemerintah Republik Indonesia",
        min_length = 1,
        max_length = 200
    )]
    pub issuer: Option<String>,
    /// Default `enacted`.
    pub status: Option<RegulationStatus>,
    /// `YYYY-MM-DD`, in `year`, not in the future; empty while a draft.
    pub enacted_on: Option<NaiveDate>,
    /// At most 10,000 characters.
    #[schema(max_length = 10000)]
    pub summary: Option<String>,
    /// An http:// or https:// URL of the text (e.g. on peraturan.bpk.go.id).
    #[schema(
        max_length = 2000,
        pattern = "^https?://",
        example = "https://peraturan.bpk.go.id/Details/39268"
    )]
    pub url: Option<String>,
}

/// The body of `PATCH /regulations/{id}`: only the fields to change; `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegulationPatch {
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RegulationKind>)]
    pub kind: Option<Option<RegulationKind>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub number: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i32>, minimum = 1945)]
    pub year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 500)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub issuer: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<RegulationStatus>)]
    pub status: Option<Option<RegulationStatus>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NaiveDate>)]
    pub enacted_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = "^https?://")]
    pub url: Option<Option<String>>,
}

impl RegulationPatch {
    pub fn apply(self, current: &Regulation) -> NewRegulation {
        NewRegulation {
            kind: patched(Some(current.kind), self.kind),
            number: patched(Some(current.number.clone()), self.number),
            year: patched(Some(current.year), self.year),
            title: patched(Some(current.title.clone()), self.title),
            issuer: patched(Some(current.issuer.clone()), self.issuer),
            status: patched(Some(current.status), self.status),
            enacted_on: patched(current.enacted_on, self.enacted_on),
            summary: patched(current.summary.clone(), self.summary),
            url: patched(current.url.clone(), self.url),
        }
    }
}

/// The checked values of a regulation, as they are written.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = regulations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct RegulationFields {
    pub kind: RegulationKind,
    pub number: String,
    pub year: i32,
    pub title: String,
    pub issuer: String,
    pub status: RegulationStatus,
    pub enacted_on: Option<NaiveDate>,
    pub summary: Option<String>,
    pub url: Option<String>,
}

impl From<&Regulation> for RegulationFields {
    fn from(r: &Regulation) -> Self {
        RegulationFields {
            kind: r.kind,
            number: r.number.clone(),
            year: r.year,
            title: r.title.clone(),
            issuer: r.issuer.clone(),
            status: r.status,
            enacted_on: r.enacted_on,
            summary: r.summary.clone(),
            url: r.url.clone(),
        }
    }
}

impl NewRegulation {
    /// Every bad field in one 422. `today` bounds the year and the enactment date.
    pub fn validate(self, today: NaiveDate) -> Result<RegulationFields, AppError> {
        let mut v = Validator::new();
        let kind = v.present("kind", self.kind).unwrap_or(RegulationKind::Other);
        let number = v.required("number", self.number, MAX_NUMBER);
        let year = v.present("year", self.year).unwrap_or(today.year());
        v.range("year", i64::from(year), i64::from(FIRST_YEAR), i64::from(today.year() + 1));
        let title = v.required("title", self.title, MAX_TITLE);
        let issuer = v.required("issuer", self.issuer, MAX_ISSUER);
        let status = self.status.unwrap_or(RegulationStatus::Enacted);
        if let Some(on) = self.enacted_on {
            v.check(
                status != RegulationStatus::Draft,
                "enacted_on",
                text("must be empty while the regulation is a draft", "harus kosong selama masih rancangan"),
            );
            v.check(
                on.year() == year,
                "enacted_on",
                text("must fall in `year`", "harus berada pada tahun `year`"),
            );
            v.check(
                on <= today,
                "enacted_on",
                text("must not be in the future", "tidak boleh di masa depan"),
            );
        }
        let fields = RegulationFields {
            kind,
            number,
            year,
            title,
            issuer,
            status,
            enacted_on: self.enacted_on,
            summary: v.optional("summary", self.summary, MAX_SUMMARY),
            url: v.url("url", self.url),
        };
        v.finish()?;
        Ok(fields)
    }
}

/// Filters of the regulation list (all optional, combined with AND).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegulationFilter {
    pub kind: Option<RegulationKind>,
    pub status: Option<RegulationStatus>,
    pub year: Option<i32>,
    /// Case-insensitive text contained in `title`, `number` or `issuer`.
    pub q: Option<String>,
}
