//! The activity's types: enumerations, the stored row, request bodies with their field checks, and the
//! response shape.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::agreements::model::Scope;
use crate::db::schema::activities;
use crate::db::types::{from_utc, to_utc};
use crate::db::{Id, Timestamp};
use crate::error::text;
use crate::http::fields::{nullable, patched};
use crate::http::{Record, Validator};

crate::str_enum! {
    /// What kind of activity it is.
    pub enum ActivityKind {
        CoordinationMeeting => "coordination_meeting",
        RegulationDrafting => "regulation_drafting",
        Sosialisasi => "sosialisasi",
        Pembinaan => "pembinaan",
        Monev => "monev",
        Bimtek => "bimtek",
        Publication => "publication",
        FieldVisit => "field_visit",
        Other => "other",
    }
}

crate::str_enum! {
    /// planned → held or cancelled; held and cancelled are final.
    pub enum ActivityStatus { Planned => "planned", Held => "held", Cancelled => "cancelled" }
}

crate::str_enum! {
    /// A component of the collaborative governance regime (Emerson, Nabatchi & Balogh 2012) that the
    /// activity exercises.
    pub enum CgrComponent {
        Discovery => "discovery",
        Definition => "definition",
        Deliberation => "deliberation",
        Determination => "determination",
        Trust => "trust",
        MutualUnderstanding => "mutual_understanding",
        InternalLegitimacy => "internal_legitimacy",
        SharedCommitment => "shared_commitment",
        ProceduralArrangements => "procedural_arrangements",
        Leadership => "leadership",
        Knowledge => "knowledge",
        Resources => "resources",
    }
}

pub const MAX_TITLE: usize = 300;
pub const MAX_LOCATION: usize = 300;
pub const MAX_AUDIENCE: usize = 500;
pub const MAX_MINUTES: usize = 50_000;
pub const MAX_DECISION: usize = 2000;
pub const MAX_DECISIONS: usize = 100;
pub const MAX_PARTICIPANTS: usize = 200;

/// The activity as stored (participants, decisions and CGR components live in child tables).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = activities, treat_none_as_null = true)]
pub struct ActivityRow {
    pub id: Id,
    pub kind: ActivityKind,
    pub title: String,
    pub agreement_id: Option<Id>,
    pub scope: Option<Scope>,
    pub organizer_organization_id: Id,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
    pub location: Option<String>,
    pub status: ActivityStatus,
    pub audience: Option<String>,
    pub people_reached: Option<i32>,
    pub minutes: Option<String>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

/// An organization taking part, with how many of its people attended.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    pub organization_id: Id,
    /// Number of attendees from this organization (0 or more); may be left out while planned.
    #[schema(minimum = 0)]
    pub attendees: Option<i32>,
}

/// A participant as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Participant {
    pub organization_id: Id,
    #[schema(example = "Dinas Sosial Kota Padang")]
    pub organization_name: String,
    pub attendees: Option<i32>,
}

/// An activity with its child rows: what the rules look at.
#[derive(Debug, Clone)]
pub struct ActivityRecord {
    pub row: ActivityRow,
    pub participants: Vec<Participant>,
    pub decisions: Vec<String>,
    pub cgr_components: Vec<CgrComponent>,
}

impl ActivityRecord {
    /// The organizer and every participant: whose staff may log and edit the activity.
    pub fn involved(&self) -> Vec<Id> {
        involved(
            Some(self.row.organizer_organization_id),
            self.participants.iter().map(|p| p.organization_id),
        )
    }

    pub fn fields(&self) -> ActivityFields {
        let r = &self.row;
        ActivityFields {
            kind: r.kind,
            title: r.title.clone(),
            agreement_id: r.agreement_id,
            scope: r.scope,
            organizer_organization_id: r.organizer_organization_id,
            participants: self
                .participants
                .iter()
                .map(|p| ParticipantInput { organization_id: p.organization_id, attendees: p.attendees })
                .collect(),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            location: r.location.clone(),
            status: r.status,
            audience: r.audience.clone(),
            people_reached: r.people_reached,
            minutes: r.minutes.clone(),
            decisions: self.decisions.clone(),
            cgr_components: self.cgr_components.clone(),
        }
    }

    pub fn view(&self) -> Activity {
        let r = &self.row;
        Activity {
            id: r.id,
            kind: r.kind,
            title: r.title.clone(),
            agreement_id: r.agreement_id,
            scope: r.scope,
            organizer_organization_id: r.organizer_organization_id,
            participants: self.participants.clone(),
            starts_at: to_utc(r.starts_at),
            ends_at: r.ends_at.map(to_utc),
            location: r.location.clone(),
            status: r.status,
            audience: r.audience.clone(),
            people_reached: r.people_reached,
            minutes: r.minutes.clone(),
            decisions: self.decisions.clone(),
            cgr_components: self.cgr_components.clone(),
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

/// An activity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Activity {
    pub id: Id,
    pub kind: ActivityKind,
    #[schema(example = "Rapat koordinasi perlindungan pekerja rentan")]
    pub title: String,
    /// The agreement it is carried out under, if any.
    pub agreement_id: Option<Id>,
    /// One of the agreement's scopes.
    pub scope: Option<Scope>,
    pub organizer_organization_id: Id,
    pub participants: Vec<Participant>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
    #[schema(example = "Balai Kota Padang")]
    pub location: Option<String>,
    pub status: ActivityStatus,
    #[schema(example = "Pekerja sektor informal Kecamatan Koto Tangah")]
    pub audience: Option<String>,
    pub people_reached: Option<i32>,
    pub minutes: Option<String>,
    pub decisions: Vec<String>,
    /// A set, sorted.
    pub cgr_components: Vec<CgrComponent>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

impl Record for Activity {
    fn location(&self) -> String {
        format!("/api/v1/activities/{}", self.id)
    }

    fn version(&self) -> i32 {
        self.version
    }
}

/// The body of `POST /activities`. `kind`, `title`, `organizer_organization_id` and `starts_at` are
/// required; `status` is planned (default) or held (a meeting logged afterwards).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActivity {
    #[schema(required = true, nullable = false)]
    pub kind: Option<ActivityKind>,
    /// 1 to 300 characters.
    #[schema(
        required = true,
        nullable = false,
        min_length = 1,
        max_length = 300,
        example = "Rapat koordinasi perlindungan pekerja rentan"
    )]
    pub title: Option<String>,
    /// An agreement the caller can see.
    pub agreement_id: Option<Id>,
    /// One of the agreement's scopes (needs `agreement_id`).
    pub scope: Option<Scope>,
    #[schema(required = true, nullable = false)]
    pub organizer_organization_id: Option<Id>,
    /// Each organization once, at most 200.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub participants: Vec<ParticipantInput>,
    #[schema(required = true, nullable = false)]
    pub starts_at: Option<DateTime<Utc>>,
    /// Not before `starts_at`.
    pub ends_at: Option<DateTime<Utc>>,
    #[schema(max_length = 300)]
    pub location: Option<String>,
    /// planned (default) or held.
    pub status: Option<ActivityStatus>,
    #[schema(max_length = 500)]
    pub audience: Option<String>,
    #[schema(minimum = 0)]
    pub people_reached: Option<i32>,
    #[schema(max_length = 50000)]
    pub minutes: Option<String>,
    /// Each 1 to 2000 characters, at most 100.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub decisions: Vec<String>,
    #[serde(default)]
    pub cgr_components: Vec<CgrComponent>,
}

/// The body of `PATCH /activities/{id}`: only the fields to change; `null` clears an optional field.
/// `status` moves a planned activity to held (it then needs minutes or a decision) or cancelled.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityPatch {
    pub kind: Option<ActivityKind>,
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub agreement_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Scope>)]
    pub scope: Option<Option<Scope>>,
    pub organizer_organization_id: Option<Id>,
    #[schema(max_items = 200)]
    pub participants: Option<Vec<ParticipantInput>>,
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub location: Option<Option<String>>,
    pub status: Option<ActivityStatus>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub audience: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i32>, minimum = 0)]
    pub people_reached: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 50000)]
    pub minutes: Option<Option<String>>,
    #[schema(max_items = 100)]
    pub decisions: Option<Vec<String>>,
    pub cgr_components: Option<Vec<CgrComponent>>,
}

impl ActivityPatch {
    /// The current activity with this patch applied, as a create body, so that one validation serves both.
    pub fn apply(self, current: &ActivityRecord) -> NewActivity {
        let f = current.fields();
        NewActivity {
            kind: Some(self.kind.unwrap_or(f.kind)),
            title: Some(self.title.unwrap_or(f.title)),
            agreement_id: patched(f.agreement_id, self.agreement_id),
            scope: patched(f.scope, self.scope),
            organizer_organization_id: Some(
                self.organizer_organization_id.unwrap_or(f.organizer_organization_id),
            ),
            participants: self.participants.unwrap_or(f.participants),
            starts_at: Some(self.starts_at.unwrap_or(to_utc(f.starts_at))),
            ends_at: patched(f.ends_at.map(to_utc), self.ends_at),
            location: patched(f.location, self.location),
            status: Some(self.status.unwrap_or(f.status)),
            audience: patched(f.audience, self.audience),
            people_reached: patched(f.people_reached, self.people_reached),
            minutes: patched(f.minutes, self.minutes),
            decisions: self.decisions.unwrap_or(f.decisions),
            cgr_components: self.cgr_components.unwrap_or(f.cgr_components),
        }
    }
}

/// A checked activity body: what is written.
#[derive(Debug, Clone, PartialEq)]
pub struct ActivityFields {
    pub kind: ActivityKind,
    pub title: String,
    pub agreement_id: Option<Id>,
    pub scope: Option<Scope>,
    pub organizer_organization_id: Id,
    pub participants: Vec<ParticipantInput>,
    pub starts_at: Timestamp,
    pub ends_at: Option<Timestamp>,
    pub location: Option<String>,
    pub status: ActivityStatus,
    pub audience: Option<String>,
    pub people_reached: Option<i32>,
    pub minutes: Option<String>,
    pub decisions: Vec<String>,
    pub cgr_components: Vec<CgrComponent>,
}

impl ActivityFields {
    /// Whether a held activity has what shows it was held: minutes or at least one decision.
    pub fn has_record(&self) -> bool {
        self.minutes.is_some() || !self.decisions.is_empty()
    }

    pub fn row(
        &self,
        id: Id,
        version: i32,
        created_at: Timestamp,
        updated_at: Timestamp,
        created_by: Option<Id>,
    ) -> ActivityRow {
        ActivityRow {
            id,
            kind: self.kind,
            title: self.title.clone(),
            agreement_id: self.agreement_id,
            scope: self.scope,
            organizer_organization_id: self.organizer_organization_id,
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            location: self.location.clone(),
            status: self.status,
            audience: self.audience.clone(),
            people_reached: self.people_reached,
            minutes: self.minutes.clone(),
            version,
            created_at,
            updated_at,
            created_by,
        }
    }
}

/// The organizations an activity involves: whose staff may log and edit it.
fn involved(organizer: Option<Id>, participants: impl Iterator<Item = Id>) -> Vec<Id> {
    organizer.into_iter().chain(participants).collect()
}

impl NewActivity {
    /// The organizations this body names as organizer and participants, for the permission check that
    /// comes before the body is checked (it may still lack an organizer).
    pub fn involved(&self) -> Vec<Id> {
        involved(self.organizer_organization_id, self.participants.iter().map(|p| p.organization_id))
    }

    /// Checks every field (all errors in one 422 through `v`); the rules that need the database or the
    /// current state are in [`super::service`].
    pub fn validate(self, v: &mut Validator) -> ActivityFields {
        let kind = v.present("kind", self.kind);
        let title = v.required("title", self.title, MAX_TITLE);
        let organizer = v.present("organizer_organization_id", self.organizer_organization_id);
        let starts_at = v.present("starts_at", self.starts_at).map(|t| from_utc(t.trunc_subsecs(6)));
        let ends_at = self.ends_at.map(|t| from_utc(t.trunc_subsecs(6)));
        v.date("starts_at", starts_at);
        v.date("ends_at", ends_at);
        if let (Some(start), Some(end)) = (starts_at, ends_at) {
            v.check(
                end >= start,
                "ends_at",
                text("must not be before starts_at", "tidak boleh sebelum starts_at"),
            );
        }
        if self.scope.is_some() && self.agreement_id.is_none() {
            v.error("scope", text("needs an agreement_id", "memerlukan agreement_id"));
        }
        let location = v.optional("location", self.location, MAX_LOCATION);
        let audience = v.optional("audience", self.audience, MAX_AUDIENCE);
        let minutes = v.optional("minutes", self.minutes, MAX_MINUTES);
        if let Some(n) = self.people_reached {
            v.range("people_reached", i64::from(n), 0, i64::from(i32::MAX));
        }
        v.check(
            self.participants.len() <= MAX_PARTICIPANTS,
            "participants",
            text(
                format!("must list at most {MAX_PARTICIPANTS} organizations"),
                format!("paling banyak {MAX_PARTICIPANTS} organisasi"),
            ),
        );
        let mut seen = Vec::new();
        for (i, p) in self.participants.iter().enumerate() {
            if seen.contains(&p.organization_id) {
                v.error(
                    format!("participants[{i}].organization_id"),
                    text("names an organization already listed", "menyebut organisasi yang sudah tercantum"),
                );
            }
            seen.push(p.organization_id);
            if let Some(n) = p.attendees {
                v.range(&format!("participants[{i}].attendees"), i64::from(n), 0, i64::from(i32::MAX));
            }
        }
        v.check(
            self.decisions.len() <= MAX_DECISIONS,
            "decisions",
            text(
                format!("must list at most {MAX_DECISIONS} decisions"),
                format!("paling banyak {MAX_DECISIONS} keputusan"),
            ),
        );
        let decisions: Vec<String> = self
            .decisions
            .into_iter()
            .enumerate()
            .map(|(i, d)| v.required(&format!("decisions[{i}]"), Some(d), MAX_DECISION))
            .collect();
        let mut cgr_components = self.cgr_components;
        cgr_components.sort_by_key(|c| c.as_str());
        cgr_components.dedup();
        let epoch = NaiveDate::MIN.and_hms_opt(0, 0, 0).unwrap_or_default();
        ActivityFields {
            kind: kind.unwrap_or(ActivityKind::Other),
            title,
            agreement_id: self.agreement_id,
            scope: self.scope,
            organizer_organization_id: organizer.unwrap_or_default(),
            participants: self.participants,
            starts_at: starts_at.unwrap_or(epoch),
            ends_at,
            location,
            status: self.status.unwrap_or(ActivityStatus::Planned),
            audience,
            people_reached: self.people_reached,
            minutes,
            decisions,
            cgr_components,
        }
    }
}

/// Filters of the activity list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityFilter {
    pub kind: Option<ActivityKind>,
    pub status: Option<ActivityStatus>,
    pub agreement_id: Option<Id>,
    /// Organised by or with the participation of this organization.
    pub organization_id: Option<Id>,
    pub scope: Option<Scope>,
    /// Starting on or after this date (UTC).
    pub from: Option<NaiveDate>,
    /// Starting on or before this date (UTC).
    pub to: Option<NaiveDate>,
    pub cgr_component: Option<CgrComponent>,
    /// Words in the title, location or minutes (case-insensitive).
    pub q: Option<String>,
}
