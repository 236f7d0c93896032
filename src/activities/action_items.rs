//! Action items: the follow-ups a held activity decides, each with the organization that owns it, a due
//! date and a status (open, done, dropped). `overdue` is derived from the due date, never stored.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::action_items;
use crate::db::types::to_utc;
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::AppError;
use crate::http::fields::{nullable, patched};
use crate::http::{Validator, expect_one_row};

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

/// The body of `POST /activities/{id}/action-items`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewActionItem {
    /// 1 to 2000 characters.
    #[schema(required = true, nullable = false)]
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
    pub fn apply_to(&self, row: &mut ActionItemRow) {
        row.description = self.description.clone();
        row.owner_organization_id = self.owner_organization_id;
        row.due_on = self.due_on;
        row.status = self.status;
    }
}

pub fn find(conn: &mut DbConnection, id: Id) -> Result<ActionItemRow, AppError> {
    Ok(action_items::table.find(id).select(ActionItemRow::as_select()).first(conn)?)
}

pub fn insert(conn: &mut DbConnection, row: &ActionItemRow) -> Result<(), AppError> {
    diesel::insert_into(action_items::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes the row if it is still at `expected_version` (else 412).
pub fn update(conn: &mut DbConnection, row: &ActionItemRow, expected_version: i32) -> Result<(), AppError> {
    let changed = diesel::update(
        action_items::table
            .filter(action_items::id.eq(row.id))
            .filter(action_items::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)?;
    expect_one_row(changed)
}

/// Up to `limit` action items of the activity after the id `after`, in creation order.
pub fn list(
    conn: &mut DbConnection,
    activity: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<ActionItemRow>, AppError> {
    let mut query = action_items::table
        .filter(action_items::activity_id.eq(activity))
        .select(ActionItemRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(action_items::id.gt(after));
    }
    Ok(query.order(action_items::id.asc()).limit(limit).load(conn)?)
}
