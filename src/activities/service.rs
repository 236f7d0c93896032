//! The activity and action-item use cases, each inside the caller's write transaction: load, check who
//! may, check the rules, write, and append the audit event.

use chrono::{DateTime, Utc};

use super::action_items::{self, ActionItemFields, ActionItemPatch, ActionItemRow, NewActionItem};
use super::model::{ActivityFields, ActivityPatch, ActivityRecord, ActivityStatus, NewActivity};
use super::repo;
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{IfMatch, Validator, ensure_unreferenced};

/// The activity, if the user may see it: one under a restricted agreement the user may not read is 404,
/// as if it did not exist.
pub fn visible(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<ActivityRecord, AppError> {
    let record = repo::load(conn, id)?;
    if let Some(agreement) = record.row.agreement_id {
        crate::agreements::visibility::agreement(conn, user, agreement)?;
    }
    Ok(record)
}

fn may_log(user: &AuthUser, involved: &[Id]) -> Result<(), AppError> {
    policy::authorize(user, Action::LogActivity { involved })
}

/// Checks a body against the database and the rules of its status; every problem in one 422.
fn checked(
    conn: &mut DbConnection,
    user: &AuthUser,
    input: NewActivity,
    now: DateTime<Utc>,
) -> Result<ActivityFields, AppError> {
    let mut v = Validator::new();
    let fields = input.validate(&mut v);
    if !v.has_error("organizer_organization_id")
        && !crate::organizations::repo::exists(conn, fields.organizer_organization_id)?
    {
        v.error(
            "organizer_organization_id",
            text("is not a known organization", "bukan organisasi yang dikenal"),
        );
    }
    let ids: Vec<Id> = fields.participants.iter().map(|p| p.organization_id).collect();
    let missing = crate::organizations::repo::missing(conn, &ids)?;
    for (i, id) in ids.iter().enumerate() {
        if missing.contains(id) {
            v.error(
                format!("participants[{i}].organization_id"),
                text("is not a known organization", "bukan organisasi yang dikenal"),
            );
        }
    }
    if let Some(agreement) = fields.agreement_id {
        match crate::agreements::visibility::agreement(conn, user, agreement) {
            Ok(record) => {
                if let Some(scope) = fields.scope
                    && !record.scopes.contains(&scope)
                {
                    v.error(
                        "scope",
                        text(
                            "is not one of the agreement's scopes",
                            "bukan salah satu ruang lingkup perjanjian",
                        ),
                    );
                }
            }
            Err(e) if e.status.as_u16() == 404 => {
                v.error("agreement_id", text("is not a known agreement", "bukan perjanjian yang dikenal"))
            }
            Err(e) => return Err(e),
        }
    }
    if fields.status == ActivityStatus::Held {
        v.check(
            fields.has_record(),
            "minutes",
            text(
                "a held activity needs minutes or at least one decision",
                "kegiatan yang sudah terlaksana memerlukan notulen atau sedikitnya satu keputusan",
            ),
        );
        v.check(
            fields.starts_at <= from_utc(now),
            "starts_at",
            text("a held activity must have started already", "kegiatan yang terlaksana harus sudah dimulai"),
        );
    }
    v.finish()?;
    Ok(fields)
}

pub fn create(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    input: NewActivity,
) -> Result<super::model::Activity, AppError> {
    if input.status == Some(ActivityStatus::Cancelled) {
        return Err(AppError::invalid(
            "status",
            text("a new activity is planned or held", "kegiatan baru berstatus planned atau held"),
        ));
    }
    let fields = checked(conn, user, input, now)?;
    may_log(user, &fields.involved())?;
    let at = from_utc(now);
    let row = fields.row(Id::new(), 1, at, at, Some(user.id));
    repo::insert(conn, &row, &fields)?;
    let created = repo::load(conn, row.id)?.view();
    audit::record(conn, &user.actor(), now, Change::new("create", "activity", row.id).after(&created))?;
    Ok(created)
}

/// Only planned → held and planned → cancelled; 409 for anything else.
fn check_transition(from: ActivityStatus, to: ActivityStatus) -> Result<(), AppError> {
    use ActivityStatus::*;
    match (from, to) {
        (a, b) if a == b => Ok(()),
        (Planned, Held | Cancelled) => Ok(()),
        _ => Err(AppError::conflict(text(
            format!(
                "A {from} activity cannot become {to}: only a planned activity can be held or cancelled."
            ),
            format!(
                "Kegiatan berstatus {from} tidak dapat menjadi {to}: hanya kegiatan planned yang dapat \
                 menjadi held atau cancelled."
            ),
        ))),
    }
}

pub fn update(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    id: Id,
    if_match: &IfMatch,
    patch: ActivityPatch,
) -> Result<super::model::Activity, AppError> {
    let current = visible(conn, user, id)?;
    may_log(user, &current.involved())?;
    if_match.check(current.row.version)?;
    let next_status = patch.status;
    if let Some(to) = next_status {
        check_transition(current.row.status, to)?;
    }
    let fields = checked(conn, user, patch.apply(&current), now)?;
    // Nobody hands an activity over to organizations they do not act for.
    may_log(user, &fields.involved())?;
    if fields == current.fields() {
        return Ok(current.view());
    }
    let row = fields.row(
        id,
        current.row.version + 1,
        current.row.created_at,
        from_utc(now),
        current.row.created_by,
    );
    repo::update(conn, &row, current.row.version, &fields)?;
    let after = repo::load(conn, id)?.view();
    let action = match (current.row.status, fields.status) {
        (ActivityStatus::Planned, ActivityStatus::Held) => "hold",
        (ActivityStatus::Planned, ActivityStatus::Cancelled) => "cancel",
        _ => "update",
    };
    audit::record(
        conn,
        &user.actor(),
        now,
        Change::new(action, "activity", id).before(&current.view()).after(&after),
    )?;
    Ok(after)
}

pub fn delete(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    id: Id,
    if_match: &IfMatch,
) -> Result<(), AppError> {
    let current = visible(conn, user, id)?;
    may_log(user, &current.involved())?;
    if_match.check(current.row.version)?;
    if current.row.status != ActivityStatus::Planned {
        return Err(AppError::conflict(text(
            "Only a planned activity can be deleted; a held or cancelled one stays on record.",
            "Hanya kegiatan berstatus planned yang dapat dihapus; kegiatan held atau cancelled tetap tercatat.",
        )));
    }
    ensure_unreferenced(conn, id, repo::REFERENCES, None)?;
    repo::delete(conn, id, current.row.version)?;
    audit::record(conn, &user.actor(), now, Change::new("delete", "activity", id).before(&current.view()))?;
    Ok(())
}

/// Checks an action-item body: the owner must exist.
fn checked_item(conn: &mut DbConnection, input: NewActionItem) -> Result<ActionItemFields, AppError> {
    let mut v = Validator::new();
    let fields = input.validate(&mut v);
    if !v.has_error("owner_organization_id")
        && !crate::organizations::repo::exists(conn, fields.owner_organization_id)?
    {
        v.error(
            "owner_organization_id",
            text("is not a known organization", "bukan organisasi yang dikenal"),
        );
    }
    v.finish()?;
    Ok(fields)
}

pub fn create_action_item(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    activity_id: Id,
    input: NewActionItem,
) -> Result<action_items::ActionItem, AppError> {
    let activity = visible(conn, user, activity_id)?;
    may_log(user, &activity.involved())?;
    if activity.row.status != ActivityStatus::Held {
        return Err(AppError::conflict(text(
            "Action items are decided in an activity that was held; this one is not held.",
            "Tindak lanjut diputuskan dalam kegiatan yang sudah terlaksana; kegiatan ini belum terlaksana.",
        )));
    }
    let fields = checked_item(conn, input)?;
    let at = from_utc(now);
    let mut row = ActionItemRow {
        id: Id::new(),
        activity_id,
        description: String::new(),
        owner_organization_id: fields.owner_organization_id,
        due_on: None,
        status: fields.status,
        version: 1,
        created_at: at,
        updated_at: at,
        created_by: Some(user.id),
    };
    fields.apply_to(&mut row);
    action_items::insert(conn, &row)?;
    let created = row.view(now.date_naive());
    audit::record(conn, &user.actor(), now, Change::new("create", "action_item", row.id).after(&created))?;
    Ok(created)
}

/// The action item and its activity, if the user may see the activity.
pub fn visible_action_item(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: Id,
) -> Result<(ActivityRecord, ActionItemRow), AppError> {
    let item = action_items::find(conn, id)?;
    let activity = visible(conn, user, item.activity_id)?;
    Ok((activity, item))
}

pub fn update_action_item(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    id: Id,
    if_match: &IfMatch,
    patch: ActionItemPatch,
) -> Result<action_items::ActionItem, AppError> {
    let (activity, current) = visible_action_item(conn, user, id)?;
    may_log(user, &activity.involved())?;
    if_match.check(current.version)?;
    let fields = checked_item(conn, patch.apply(&current))?;
    let today = now.date_naive();
    let mut row = current.clone();
    fields.apply_to(&mut row);
    if row == current {
        return Ok(current.view(today));
    }
    row.version = current.version + 1;
    row.updated_at = from_utc(now);
    action_items::update(conn, &row, current.version)?;
    let (before, after) = (current.view(today), row.view(today));
    audit::record(
        conn,
        &user.actor(),
        now,
        Change::new("update", "action_item", id).before(&before).after(&after),
    )?;
    Ok(after)
}
