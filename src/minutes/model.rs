//! Attendees, the minutes' state and corrections: rows, views and request bodies.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{activity_attendees, activity_minutes_corrections};
use crate::db::types::to_utc;
use crate::db::{Id, Timestamp};
use crate::http::{Record, Validator};

pub const MAX_NAME: usize = 200;
pub const MAX_POSITION: usize = 200;
pub const MAX_WHAT: usize = 4000;
pub const MAX_WHY: usize = 2000;

crate::str_enum! {
    /// Whether the minutes, decisions and attendance may still be edited (`draft`) or change only by
    /// corrections (`final`).
    pub enum MinutesStatus { Draft => "draft", Final => "final" }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = activity_attendees)]
pub struct AttendeeRow {
    pub id: Id,
    pub activity_id: Id,
    pub name: String,
    pub position: Option<String>,
    pub organization_id: Id,
    pub contact_id: Option<Id>,
    pub created_at: Timestamp,
    pub created_by: Option<Id>,
}

impl AttendeeRow {
    pub fn view(&self) -> Attendee {
        Attendee {
            id: self.id,
            activity_id: self.activity_id,
            name: self.name.clone(),
            position: self.position.clone(),
            organization_id: self.organization_id,
            contact_id: self.contact_id,
            created_at: to_utc(self.created_at),
            created_by: self.created_by,
        }
    }
}

/// One person who attended an activity (a row of the daftar hadir).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attendee {
    pub id: Id,
    pub activity_id: Id,
    #[schema(example = "Siti Rahmawati")]
    pub name: String,
    #[schema(example = "Kepala Bidang Hubungan Industrial")]
    pub position: Option<String>,
    /// The organization the person attended for: the organizer or a participant of the activity.
    pub organization_id: Id,
    /// The person as a contact of that organization, when there is one (cleared if the contact is
    /// deleted; the name stays).
    pub contact_id: Option<Id>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

/// The body of `POST /activities/{id}/attendees`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAttendee {
    /// 1 to 200 characters.
    #[schema(required = true, nullable = false, min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Up to 200 characters.
    #[schema(max_length = 200)]
    pub position: Option<String>,
    /// The organizer or one of the participants of the activity.
    #[schema(required = true, nullable = false)]
    pub organization_id: Option<Id>,
    /// A contact of that organization.
    pub contact_id: Option<Id>,
}

/// A checked attendee body.
#[derive(Debug, Clone, PartialEq)]
pub struct AttendeeFields {
    pub name: String,
    pub position: Option<String>,
    pub organization_id: Id,
    pub contact_id: Option<Id>,
}

impl NewAttendee {
    pub fn validate(self, v: &mut Validator) -> AttendeeFields {
        let name = v.required("name", self.name, MAX_NAME);
        let position = v.optional("position", self.position, MAX_POSITION);
        let organization_id = v.present("organization_id", self.organization_id).unwrap_or_default();
        AttendeeFields { name, position, organization_id, contact_id: self.contact_id }
    }
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = activity_minutes_corrections)]
pub struct CorrectionRow {
    pub id: Id,
    pub activity_id: Id,
    pub what: String,
    pub why: String,
    pub created_at: Timestamp,
    pub created_by: Option<Id>,
}

impl CorrectionRow {
    pub fn view(&self) -> Correction {
        Correction {
            id: self.id,
            activity_id: self.activity_id,
            what: self.what.clone(),
            why: self.why.clone(),
            created_at: to_utc(self.created_at),
            created_by: self.created_by,
        }
    }
}

/// A correction appended to final minutes: what changes, why, who and when. It never rewrites the
/// minutes; readers take the minutes together with their corrections, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Correction {
    pub id: Id,
    pub activity_id: Id,
    #[schema(example = "Keputusan 2: tenggat pengiriman data menjadi 15 Juli 2025, bukan 1 Juli 2025")]
    pub what: String,
    #[schema(example = "Salah ketik pada notulen yang ditetapkan")]
    pub why: String,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

/// The body of `POST /activities/{id}/minutes/corrections`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCorrection {
    /// What the correction changes, 1 to 4000 characters.
    #[schema(required = true, nullable = false, min_length = 1, max_length = 4000)]
    pub what: Option<String>,
    /// Why, 1 to 2000 characters.
    #[schema(required = true, nullable = false, min_length = 1, max_length = 2000)]
    pub why: Option<String>,
}

impl NewCorrection {
    /// The checked (what, why).
    pub fn validate(self, v: &mut Validator) -> (String, String) {
        (v.required("what", self.what, MAX_WHAT), v.required("why", self.why, MAX_WHY))
    }
}

/// The state of an activity's minutes: draft or final (when and by whom), and the corrections since.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Minutes {
    pub activity_id: Id,
    pub status: MinutesStatus,
    pub finalised_at: Option<DateTime<Utc>>,
    pub finalised_by: Option<Id>,
    /// Oldest first.
    pub corrections: Vec<Correction>,
    /// 1 for a draft, one more for the finalisation and for each correction (the `ETag`).
    pub version: i32,
}

impl Record for Minutes {
    fn location(&self) -> String {
        format!("/api/v1/activities/{}/minutes", self.activity_id)
    }

    fn version(&self) -> i32 {
        self.version
    }
}

/// An activity with everything its printed notulen and daftar hadir show.
#[derive(Debug, Clone)]
pub struct MeetingRecord {
    pub activity: crate::activities::model::Activity,
    pub organizer: crate::organizations::model::Organization,
    /// The name of the organization the organizer is under (the letterhead's first line).
    pub organizer_parent: Option<String>,
    pub agreement: Option<crate::agreements::model::AgreementRow>,
    pub attendees: Vec<Attendee>,
    pub action_items: Vec<crate::activities::action_items::ActionItemRow>,
    pub minutes: Minutes,
    /// The full names of who finalised and corrected the minutes.
    pub people: std::collections::HashMap<Id, String>,
}
