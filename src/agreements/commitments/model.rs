//! The commitment's types: its enumerations, the stored rows (commitment and progress report), the request
//! bodies and the response shapes.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::agreements::model::Scope;
use crate::db::schema::{commitment_updates, commitments};
use crate::db::types::to_utc;
use crate::db::{Id, Timestamp};
use crate::http::fields::nullable;

crate::str_enum! {
    /// Where a commitment stands. fulfilled and cancelled are final.
    pub enum CommitmentStatus {
        Planned => "planned",
        InProgress => "in_progress",
        Fulfilled => "fulfilled",
        Missed => "missed",
        Cancelled => "cancelled",
    }
}

impl CommitmentStatus {
    /// The statuses that take no further progress reports.
    pub const FINAL: [CommitmentStatus; 2] = [CommitmentStatus::Fulfilled, CommitmentStatus::Cancelled];

    /// A fulfilled or cancelled commitment takes no further progress reports.
    pub fn is_final(self) -> bool {
        CommitmentStatus::FINAL.contains(&self)
    }
}

crate::str_enum! {
    /// The unit of a target (the units outcomes are measured in).
    pub enum TargetUnit {
        People => "people",
        Idr => "idr",
        Documents => "documents",
        Sessions => "sessions",
        Other => "other",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Serialize)]
#[diesel(table_name = commitments, treat_none_as_null = true)]
pub struct CommitmentRow {
    pub id: Id,
    pub agreement_id: Id,
    pub title: String,
    pub description: Option<String>,
    pub responsible_organization_id: Id,
    pub scope: Option<Scope>,
    pub due_on: Option<NaiveDate>,
    pub target_value: Option<i64>,
    pub target_unit: Option<TargetUnit>,
    pub status: CommitmentStatus,
    pub progress_pct: i32,
    pub value_achieved: Option<i64>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

/// Where a commitment stands: all that the agreements report counts.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub status: CommitmentStatus,
    pub due_on: Option<NaiveDate>,
}

impl Standing {
    /// Past its due date and neither fulfilled nor cancelled.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.due_on.is_some_and(|due| due < today) && !self.status.is_final()
    }
}

impl CommitmentRow {
    pub fn status(&self) -> CommitmentStatus {
        self.status
    }

    pub fn standing(&self) -> Standing {
        Standing { status: self.status, due_on: self.due_on }
    }

    /// Past its due date and neither fulfilled nor cancelled.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.standing().is_overdue(today)
    }

    /// What a client edits, as it stands.
    pub fn fields(&self) -> NewCommitment {
        NewCommitment {
            title: self.title.clone(),
            description: self.description.clone(),
            responsible_organization_id: self.responsible_organization_id,
            scope: self.scope,
            due_on: self.due_on,
            target_value: self.target_value,
            target_unit: self.target_unit,
        }
    }

    /// Writes what a client edits onto the row.
    pub fn set_fields(&mut self, fields: NewCommitment) {
        self.title = fields.title;
        self.description = fields.description;
        self.responsible_organization_id = fields.responsible_organization_id;
        self.scope = fields.scope;
        self.due_on = fields.due_on;
        self.target_value = fields.target_value;
        self.target_unit = fields.target_unit;
    }

    pub fn view(&self, today: NaiveDate) -> Commitment {
        Commitment {
            id: self.id,
            agreement_id: self.agreement_id,
            title: self.title.clone(),
            description: self.description.clone(),
            responsible_organization_id: self.responsible_organization_id,
            scope: self.scope,
            due_on: self.due_on,
            target_value: self.target_value,
            target_unit: self.target_unit,
            status: self.status,
            progress_pct: self.progress_pct,
            value_achieved: self.value_achieved,
            overdue: self.is_overdue(today),
            version: self.version,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            created_by: self.created_by,
        }
    }
}

/// An obligation under an agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Commitment {
    pub id: Id,
    pub agreement_id: Id,
    #[schema(example = "Membayar iuran pekerja rentan dari APBD")]
    pub title: String,
    pub description: Option<String>,
    /// A party, or an organization under a party (Dinsos carries out Pemkot's commitments).
    pub responsible_organization_id: Id,
    pub scope: Option<Scope>,
    pub due_on: Option<NaiveDate>,
    #[schema(example = 37000)]
    pub target_value: Option<i64>,
    pub target_unit: Option<TargetUnit>,
    /// Set by the newest progress report.
    pub status: CommitmentStatus,
    /// 0 to 100; set by the newest progress report.
    #[schema(minimum = 0, maximum = 100)]
    pub progress_pct: i32,
    /// As of the newest progress report that gave one.
    pub value_achieved: Option<i64>,
    /// Derived: past `due_on` and neither fulfilled nor cancelled.
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

impl crate::http::Record for Commitment {
    fn location(&self) -> String {
        format!("/api/v1/commitments/{}", self.id)
    }

    fn version(&self) -> i32 {
        self.version
    }
}

/// The body of `POST /agreements/{id}/commitments`, and what a client edits on a commitment. Status and
/// progress start at planned, 0 %, and then change only through progress reports.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommitment {
    /// Trimmed; 1 to 300 characters (`checks::MAX_TITLE`).
    #[schema(min_length = 1, max_length = 300, example = "Membayar iuran pekerja rentan dari APBD")]
    pub title: String,
    #[schema(max_length = 10000)]
    pub description: Option<String>,
    pub responsible_organization_id: Id,
    /// One of the agreement's scopes.
    pub scope: Option<Scope>,
    pub due_on: Option<NaiveDate>,
    /// With `target_unit`.
    #[schema(minimum = 0, example = 37000)]
    pub target_value: Option<i64>,
    pub target_unit: Option<TargetUnit>,
}

/// The body of `PATCH /commitments/{id}`: only the fields sent change; `null` clears an optional field.
/// Status and progress change through `POST /commitments/{id}/updates`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentPatch {
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub description: Option<Option<String>>,
    pub responsible_organization_id: Option<Id>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Scope>)]
    pub scope: Option<Option<Scope>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, minimum = 0)]
    pub target_value: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<TargetUnit>)]
    pub target_unit: Option<Option<TargetUnit>>,
}

impl NewCommitment {
    /// The fields after a PATCH (unchecked).
    pub fn patched(mut self, patch: CommitmentPatch) -> NewCommitment {
        let CommitmentPatch {
            title,
            description,
            responsible_organization_id,
            scope,
            due_on,
            target_value,
            target_unit,
        } = patch;
        self.title = title.unwrap_or(self.title);
        self.description = description.unwrap_or(self.description);
        self.responsible_organization_id =
            responsible_organization_id.unwrap_or(self.responsible_organization_id);
        self.scope = scope.unwrap_or(self.scope);
        self.due_on = due_on.unwrap_or(self.due_on);
        self.target_value = target_value.unwrap_or(self.target_value);
        self.target_unit = target_unit.unwrap_or(self.target_unit);
        self
    }
}

/// Filters of a commitment list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentFilter {
    pub status: Option<CommitmentStatus>,
    /// true: only overdue ones; false: only those not overdue.
    pub overdue: Option<bool>,
    pub responsible_organization_id: Option<Id>,
    /// Due before this date.
    pub due_before: Option<NaiveDate>,
}

/// The body of `POST /commitments/{id}/updates`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgress {
    /// Default today; not in the future, not before the previous report.
    pub reported_on: Option<NaiveDate>,
    pub status: CommitmentStatus,
    /// 0 to 100. Default: 100 when fulfilled, else the commitment's current progress.
    #[schema(minimum = 0, maximum = 100)]
    pub progress_pct: Option<i32>,
    /// What has been achieved so far, in the target's unit.
    #[schema(minimum = 0)]
    pub value_achieved: Option<i64>,
    #[schema(max_length = 10000)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = commitment_updates)]
pub struct UpdateRow {
    pub id: Id,
    pub commitment_id: Id,
    pub reported_on: NaiveDate,
    pub status: CommitmentStatus,
    pub progress_pct: i32,
    pub value_achieved: Option<i64>,
    pub note: Option<String>,
    pub created_at: Timestamp,
    pub created_by: Option<Id>,
}

/// One progress report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressUpdate {
    pub id: Id,
    pub commitment_id: Id,
    pub reported_on: NaiveDate,
    pub status: CommitmentStatus,
    #[schema(minimum = 0, maximum = 100)]
    pub progress_pct: i32,
    pub value_achieved: Option<i64>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

impl From<UpdateRow> for ProgressUpdate {
    fn from(row: UpdateRow) -> ProgressUpdate {
        ProgressUpdate {
            id: row.id,
            commitment_id: row.commitment_id,
            reported_on: row.reported_on,
            status: row.status,
            progress_pct: row.progress_pct,
            value_achieved: row.value_achieved,
            note: row.note,
            created_at: to_utc(row.created_at),
            created_by: row.created_by,
        }
    }
}
