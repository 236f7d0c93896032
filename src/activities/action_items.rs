//! Action items: the follow-ups a held activity decides, each with the organization that owns it, a due
//! date and a status (open, done, dropped). `overdue` is derived from the due date, never stored.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::action_items;
use crate::db::types::to_utc;
use crate::db::{Id, Timestamp};
use crate::http::fields::{nullable, patched};
use crate::http::{Record, Validator};

crate::str_enum! {
    /// Whether the follow-up still has to be done.
    pub enum ActionItemStatus { Open => "open", Done => "done", Dropped => "dropped" }
}

pub const MAX_DESCRIPTION: usize = 2000;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = action_items, treat_none_as_null = true)]
pub struct ActionItemRow {
    pub id: Id,
    pub activity_id: Id,
    pub description: String,
    pub owner_organization_id: Id,
    pub due_on: Option<NaiveDate>,
    pub status: ActionItemStatus,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

impl ActionItemRow {
    /// Open and past its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == ActionItemStatus::Open && self.due_on.is_some_and(|d| d < today)
    }

    pub fn view(&self, today: NaiveDate) -> ActionItem {
        ActionItem {
            id: self.id,
            activity_id: self.activity_id,
            description: self.description.clone(),
            owner_organization_id: self.owner_organization_id,
            due_on: self.due_on,
            status: self.status,
            overdue: self.is_overdue(today),
            version: self.version,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            created_by: self.created_by,
        }
    }
}

/// A follow-up decided in an activity.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActionItem {
    pub id: Id,
    pub activity_id: Id,
    #[schema(example = "Menyampaikan data P3KE pekerja rentan kepada BPJS Ketenagakerjaan")]
    pub description: String,
    pub owner_organization_id: Id,
    pub due_on: Option<NaiveDate>,
    pub status: ActionItemStatus,
    /// Derived: open and past `due_on`.
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

impl Record for ActionItem {
    fn location(&self) -> String {
        format!("/api/v1/action-items/{}", self.id)
    }

    fn version(&self) -> i32 {
        self.version
    }
}

/// The body of `POST /activities/{id}/action-items`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionItem {
    /// 1 to 2000 characters.
    #[schema(required = true, nullable = false, min_length = 1, max_length = 2000)]
    pub description: Option<String>,
    /// An existing organization.
    #[schema(required = true, nullable = false)]
    pub owner_organization_id: Option<Id>,
    pub due_on: Option<NaiveDate>,
    /// Default open.
    pub status: Option<ActionItemStatus>,
}

/// The body of `PATCH /action-items/{id}`: only the fields to change; `null` clears `due_on`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionItemPatch {
    #[schema(min_length = 1, max_length = 2000)]
    pub description: Option<String>,
    pub owner_organization_id: Option<Id>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_on: Option<Option<NaiveDate>>,
    pub status: Option<ActionItemStatus>,
}

impl ActionItemPatch {
    pub fn apply(self, current: &ActionItemRow) -> NewActionItem {
        NewActionItem {
            description: Some(self.description.unwrap_or_else(|| current.description.clone())),
            owner_organization_id: Some(self.owner_organization_id.unwrap_or(current.owner_organization_id)),
            due_on: patched(current.due_on, self.due_on),
            status: Some(self.status.unwrap_or(current.status)),
        }
    }
}

/// A checked body.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionItemFields {
    pub description: String,
    pub owner_organization_id: Id,
    pub due_on: Option<NaiveDate>,
    pub status: ActionItemStatus,
}

impl NewActionItem {
    pub fn validate(self, v: &mut Validator) -> ActionItemFields {
        let description = v.required("description", self.description, MAX_DESCRIPTION);
        let owner = v.present("owner_organization_id", self.owner_organization_id);
        v.date("due_on", self.due_on);
        ActionItemFields {
            description,
            owner_organization_id: owner.unwrap_or_default(),
            due_on: self.due_on,
            status: self.status.unwrap_or(ActionItemStatus::Open),
        }
    }
}

impl ActionItemFields {
    /// The first version of a new action item of `activity_id` with these fields.
    pub fn new_row(self, activity_id: Id, at: Timestamp, created_by: Id) -> ActionItemRow {
        ActionItemRow {
            id: Id::new(),
            activity_id,
            description: self.description,
            owner_organization_id: self.owner_organization_id,
            due_on: self.due_on,
            status: self.status,
            version: 1,
            created_at: at,
            updated_at: at,
            created_by: Some(created_by),
        }
    }

    pub fn apply_to(&self, row: &mut ActionItemRow) {
        row.description = self.description.clone();
        row.owner_organization_id = self.owner_organization_id;
        row.due_on = self.due_on;
        row.status = self.status;
    }
}
