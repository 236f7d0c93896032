//! The agreement's types: enumerations, stored rows, request bodies (with their field checks) and the
//! response shapes.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::{agreement_parties, agreements, amendments};
use crate::db::types::to_utc;
use crate::db::{Id, Timestamp};
use crate::error::{AppError, text};
use crate::http::Validator;
use crate::http::fields::nullable;

crate::str_enum! {
    /// The form of the agreement (PP 85/2013 art. 4).
    pub enum AgreementKind {
        NotaKesepahaman => "nota_kesepahaman",
        NotaKesepakatan => "nota_kesepakatan",
        PerjanjianKerjaSama => "perjanjian_kerja_sama",
        KerjaSamaOperasional => "kerja_sama_operasional",
        KerjaSamaFungsional => "kerja_sama_fungsional",
        Other => "other",
    }
}

crate::str_enum! {
    /// The status as the API shows it: `expired` is an active agreement whose `effective_until` has passed.
    pub enum AgreementStatus {
        Draft => "draft",
        Active => "active",
        Expired => "expired",
        Terminated => "terminated",
    }
}

crate::str_enum! {
    /// The status as stored. `expired` is not stored: it is an active agreement past its end, told by the
    /// date ([`AgreementRow::status_on`]).
    pub enum StoredStatus {
        Draft => "draft",
        Active => "active",
        Terminated => "terminated",
    }
}

crate::str_enum! {
    /// Who may read the agreement: `restricted` ones only its parties, auditors and administrators.
    pub enum Confidentiality {
        Internal => "internal",
        Restricted => "restricted",
    }
}

crate::str_enum! {
    /// A party's role in the agreement. Witnesses sign but carry no obligations.
    pub enum PartyRole {
        FirstParty => "first_party",
        SecondParty => "second_party",
        Party => "party",
        Witness => "witness",
    }
}

crate::str_enum! {
    /// A field of cooperation the agreement covers.
    pub enum Scope {
        Regulation => "regulation",
        Budget => "budget",
        Sosialisasi => "sosialisasi",
        Pembinaan => "pembinaan",
        Monev => "monev",
        Enrolment => "enrolment",
        DataSharing => "data_sharing",
        Service => "service",
        Compliance => "compliance",
    }
}

/// The agreement as stored (status is the stored one: draft, active or terminated).
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Serialize)]
#[diesel(table_name = agreements, treat_none_as_null = true)]
pub struct AgreementRow {
    pub id: Id,
    pub number: Option<String>,
    pub title: String,
    pub kind: AgreementKind,
    pub status: StoredStatus,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    pub summary: Option<String>,
    pub confidentiality: Confidentiality,
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

impl AgreementRow {
    /// The status shown on `today`: an active agreement past its `effective_until` is expired.
    pub fn status_on(&self, today: NaiveDate) -> AgreementStatus {
        match self.status {
            StoredStatus::Active if self.effective_until.is_some_and(|until| until < today) => {
                AgreementStatus::Expired
            }
            StoredStatus::Active => AgreementStatus::Active,
            StoredStatus::Terminated => AgreementStatus::Terminated,
            StoredStatus::Draft => AgreementStatus::Draft,
        }
    }

    pub fn is_restricted(&self) -> bool {
        self.confidentiality == Confidentiality::Restricted
    }
}

/// A party as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = agreement_parties)]
pub struct PartyRow {
    pub agreement_id: Id,
    pub organization_id: Id,
    pub role: PartyRole,
    pub signatory_name: Option<String>,
    pub signatory_position: Option<String>,
    pub ordinal: i32,
}

/// An agreement with everything that hangs off it: what the domain rules look at.
#[derive(Debug, Clone)]
pub struct AgreementRecord {
    pub row: AgreementRow,
    pub parties: Vec<Party>,
    pub scopes: Vec<Scope>,
    pub legal_basis: Vec<Id>,
}

impl AgreementRecord {
    /// Every party organization, witnesses included: who may read a restricted agreement.
    pub fn party_ids(&self) -> Vec<Id> {
        self.parties.iter().map(|p| p.organization_id).collect()
    }

    /// The parties that take on obligations (witnesses do not).
    pub fn bound_party_ids(&self) -> Vec<Id> {
        self.parties.iter().filter(|p| p.role != PartyRole::Witness).map(|p| p.organization_id).collect()
    }

    /// The organizations whose membership decides visibility: `None` when the agreement is not restricted.
    pub fn restricted_to(&self) -> Option<Vec<Id>> {
        self.row.is_restricted().then(|| self.party_ids())
    }

    pub fn view(&self, today: NaiveDate) -> Agreement {
        let r = &self.row;
        Agreement {
            id: r.id,
            number: r.number.clone(),
            title: r.title.clone(),
            kind: r.kind,
            status: r.status_on(today),
            signed_on: r.signed_on,
            effective_from: r.effective_from,
            effective_until: r.effective_until,
            summary: r.summary.clone(),
            confidentiality: r.confidentiality,
            scopes: self.scopes.clone(),
            legal_basis: self.legal_basis.clone(),
            parties: self.parties.clone(),
            terminated_on: r.terminated_on,
            termination_reason: r.termination_reason.clone(),
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// A party of an agreement, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Party {
    pub organization_id: Id,
    /// The organization's name, for reading convenience.
    #[schema(example = "BPJS Ketenagakerjaan Kantor Cabang Padang")]
    pub organization_name: String,
    pub role: PartyRole,
    #[schema(example = "Hendra Gunawan")]
    pub signatory_name: Option<String>,
    #[schema(example = "Wali Kota Padang")]
    pub signatory_position: Option<String>,
}

/// A cooperation agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agreement {
    pub id: Id,
    #[schema(example = "130.60/NK/BKS-PDG/2021")]
    pub number: Option<String>,
    pub title: String,
    pub kind: AgreementKind,
    /// Derived: `expired` when active and `effective_until` has passed.
    pub status: AgreementStatus,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    /// Empty: open-ended.
    pub effective_until: Option<NaiveDate>,
    pub summary: Option<String>,
    pub confidentiality: Confidentiality,
    pub scopes: Vec<Scope>,
    /// Ids of the regulations the agreement rests on.
    pub legal_basis: Vec<Id>,
    pub parties: Vec<Party>,
    pub terminated_on: Option<NaiveDate>,
    pub termination_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

impl crate::http::Record for Agreement {
    fn location(&self) -> String {
        format!("/api/v1/agreements/{}", self.id)
    }

    fn version(&self) -> i32 {
        self.version
    }
}

/// A party as a request names it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    pub organization_id: Id,
    pub role: PartyRole,
    #[schema(max_length = 200)]
    pub signatory_name: Option<String>,
    #[schema(max_length = 200)]
    pub signatory_position: Option<String>,
}

/// The organizations among `parties` that take on obligations (witnesses do not): those whose users may
/// edit the agreement.
pub fn bound_ids(parties: &[PartyInput]) -> Vec<Id> {
    parties.iter().filter(|p| p.role != PartyRole::Witness).map(|p| p.organization_id).collect()
}

/// The body of `POST /agreements`: a new agreement starts as a draft.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAgreement {
    /// Unique among agreements.
    #[schema(max_length = 200, example = "130.60/NK/BKS-PDG/2021")]
    pub number: Option<String>,
    #[schema(
        min_length = 1,
        max_length = 300,
        example = "Optimalisasi perlindungan jaminan sosial ketenagakerjaan"
    )]
    pub title: String,
    pub kind: AgreementKind,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    #[schema(max_length = 10000)]
    pub summary: Option<String>,
    /// Default internal.
    pub confidentiality: Option<Confidentiality>,
    #[serde(default)]
    pub scopes: Vec<Scope>,
    /// Regulation ids.
    #[serde(default)]
    pub legal_basis: Vec<Id>,
    #[serde(default)]
    pub parties: Vec<PartyInput>,
}

/// The body of `PATCH /agreements/{id}`: only the fields sent change; `null` clears an optional field.
/// Once the agreement is active, parties, scopes and the period change only through an amendment.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementPatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub number: Option<Option<String>>,
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    pub kind: Option<AgreementKind>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub signed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_from: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_until: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub summary: Option<Option<String>>,
    pub confidentiality: Option<Confidentiality>,
    pub scopes: Option<Vec<Scope>>,
    pub legal_basis: Option<Vec<Id>>,
    pub parties: Option<Vec<PartyInput>>,
}

/// The body of `POST /agreements/{id}/terminate`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Termination {
    pub terminated_on: NaiveDate,
    /// Why the agreement ends: kept as the agreement's `termination_reason`.
    // `reason`, its earlier name, is still accepted; the document shows one name.
    #[serde(alias = "reason")]
    #[schema(example = "Digantikan oleh perjanjian kerja sama yang baru")]
    pub termination_reason: String,
}

/// What an amendment changes. Every part is optional; at least one must be given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentChanges {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
    /// A new end of the period; `null` makes the agreement open-ended.
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NaiveDate>)]
    pub effective_until: Option<Option<NaiveDate>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_added: Vec<Scope>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes_removed: Vec<Scope>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties_added: Vec<PartyInput>,
    /// Organization ids of the parties that leave.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parties_removed: Vec<Id>,
}

impl AmendmentChanges {
    pub fn is_empty(&self) -> bool {
        *self == AmendmentChanges::default()
    }
}

/// The body of `POST /agreements/{id}/amendments`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAmendment {
    /// Unique among the agreement's amendments.
    #[schema(min_length = 1, max_length = 200, example = "130.60/ADD-1/BKS-PDG/2023")]
    pub number: String,
    pub signed_on: NaiveDate,
    #[schema(min_length = 1, max_length = 10000)]
    pub summary: String,
    pub changes: AmendmentChanges,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = amendments)]
pub struct AmendmentRow {
    pub id: Id,
    pub agreement_id: Id,
    pub number: String,
    pub signed_on: NaiveDate,
    pub summary: String,
    pub changes: String,
    pub created_at: Timestamp,
    pub created_by: Option<Id>,
}

/// An amendment (addendum) as kept.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Amendment {
    pub id: Id,
    pub agreement_id: Id,
    pub number: String,
    pub signed_on: NaiveDate,
    pub summary: String,
    pub changes: AmendmentChanges,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

impl TryFrom<AmendmentRow> for Amendment {
    type Error = AppError;

    /// The changes are written by this program from the same type: one that does not read back is a
    /// corrupt row (500, the row named in the log), not an amendment without changes.
    fn try_from(row: AmendmentRow) -> Result<Amendment, AppError> {
        let changes = serde_json::from_str(&row.changes)
            .map_err(|e| AppError::internal(format!("amendment {}: unreadable changes: {e}", row.id)))?;
        Ok(Amendment {
            id: row.id,
            agreement_id: row.agreement_id,
            number: row.number,
            signed_on: row.signed_on,
            summary: row.summary,
            changes,
            created_at: to_utc(row.created_at),
            created_by: row.created_by,
        })
    }
}

/// Filters of the agreement list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgreementFilter {
    /// draft, active, expired or terminated (expired and active are told apart by today's date).
    pub status: Option<AgreementStatus>,
    pub kind: Option<AgreementKind>,
    /// Only agreements this organization is a party to.
    pub party: Option<Id>,
    /// Only agreements that cover this scope.
    pub scope: Option<Scope>,
    /// Only active agreements whose `effective_until` falls within this many days from today.
    #[param(minimum = 0)]
    pub expiring_within_days: Option<i64>,
    /// Signed on or after this date.
    pub signed_from: Option<NaiveDate>,
    /// Signed on or before this date.
    pub signed_to: Option<NaiveDate>,
    /// Words in the number, title or summary (case-insensitive).
    pub q: Option<String>,
}

/// Field checks the agreement bodies share, on top of [`Validator`].
pub mod checks {
    use super::*;

    pub const MAX_TITLE: usize = 300;
    pub const MAX_SHORT: usize = 200;
    pub const MAX_TEXT: usize = 10_000;

    /// Parties: each organization once, texts trimmed.
    pub fn parties(v: &mut Validator, field: &str, parties: &[PartyInput]) -> Vec<PartyInput> {
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for (i, p) in parties.iter().enumerate() {
            if seen.contains(&p.organization_id) {
                v.error(
                    format!("{field}[{i}].organization_id"),
                    text(
                        "names an organization that is already a party",
                        "menyebut organisasi yang sudah menjadi pihak",
                    ),
                );
            }
            seen.push(p.organization_id);
            out.push(PartyInput {
                organization_id: p.organization_id,
                role: p.role,
                signatory_name: v.optional(
                    &format!("{field}[{i}].signatory_name"),
                    p.signatory_name.clone(),
                    MAX_SHORT,
                ),
                signatory_position: v.optional(
                    &format!("{field}[{i}].signatory_position"),
                    p.signatory_position.clone(),
                    MAX_SHORT,
                ),
            });
        }
        out
    }

    /// Scopes given as a list: each once, in the canonical order.
    pub fn scopes(values: &[Scope]) -> Vec<Scope> {
        Scope::ALL.iter().copied().filter(|s| values.contains(s)).collect()
    }

    /// Ids given as a list: sorted, each once.
    pub fn ids(values: &[Id]) -> Vec<Id> {
        let mut v = values.to_vec();
        v.sort();
        v.dedup();
        v
    }
}

/// Which restricted agreements a user may see.
#[derive(Debug, Clone)]
pub enum Visibility {
    /// Administrators and auditors see every agreement.
    Everything,
    /// Others see internal agreements and the restricted ones these organizations are party to.
    PartiesOf(Vec<Id>),
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use utoipa::PartialSchema;

    use super::checks::{MAX_SHORT, MAX_TEXT, MAX_TITLE};
    use super::*;
    use crate::agreements::commitments::{CommitmentPatch, NewCommitment, NewProgress};

    fn property<T: PartialSchema>(name: &str, keyword: &str) -> Value {
        let schema = serde_json::to_value(T::schema()).unwrap_or_default();
        schema["properties"][name][keyword].clone()
    }

    /// The schema's literals (utoipa takes no constants) say what the checks apply.
    #[test]
    fn the_schema_states_the_limits_the_checks_apply() {
        let limits = [
            (property::<NewAgreement>("number", "maxLength"), MAX_SHORT),
            (property::<NewAgreement>("title", "maxLength"), MAX_TITLE),
            (property::<NewAgreement>("summary", "maxLength"), MAX_TEXT),
            (property::<AgreementPatch>("number", "maxLength"), MAX_SHORT),
            (property::<AgreementPatch>("title", "maxLength"), MAX_TITLE),
            (property::<AgreementPatch>("summary", "maxLength"), MAX_TEXT),
            (property::<PartyInput>("signatory_name", "maxLength"), MAX_SHORT),
            (property::<PartyInput>("signatory_position", "maxLength"), MAX_SHORT),
            (property::<NewAmendment>("number", "maxLength"), MAX_SHORT),
            (property::<NewAmendment>("summary", "maxLength"), MAX_TEXT),
            (property::<NewCommitment>("title", "maxLength"), MAX_TITLE),
            (property::<NewCommitment>("description", "maxLength"), MAX_TEXT),
            (property::<CommitmentPatch>("title", "maxLength"), MAX_TITLE),
            (property::<CommitmentPatch>("description", "maxLength"), MAX_TEXT),
            (property::<NewProgress>("note", "maxLength"), MAX_TEXT),
        ];
        for (stated, applied) in limits {
            assert_eq!(stated, json!(applied));
        }
        assert_eq!(property::<NewProgress>("progress_pct", "maximum"), json!(100));
        assert_eq!(property::<NewProgress>("progress_pct", "minimum"), json!(0));
        assert_eq!(property::<NewCommitment>("target_value", "minimum"), json!(0));
    }
}
