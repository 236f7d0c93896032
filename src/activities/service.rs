//! The activity and action-item use cases, each inside the caller's write transaction: check who may
//! (the role before anything is loaded, the organizations before the body is checked), check the rules,
//! write, and append the audit event. Also what outcomes reuse: [`visible`] and [`VisibleAgreements`].

use chrono::{DateTime, NaiveDate, Utc};

use super::action_items::{ActionItem, ActionItemFields, ActionItemPatch, ActionItemRow, NewActionItem};
use super::model::{
    Activity, ActivityFields, ActivityFilter, ActivityPatch, ActivityRecord, ActivityStatus, NewActivity,
};
use super::repo;
use crate::agreements::model::AgreementRecord;
use crate::agreements::visibility::{self, Visibility};
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{IfMatch, Tx, Validator, ensure_unreferenced};

/// What a link to an organization is called in a field error.
pub const ORGANIZATION: (&str, &str) = ("organization", "organisasi");
/// What a link to an agreement is called in a field error.
pub const AGREEMENT: (&str, &str) = ("agreement", "perjanjian");

/// The agreements one use case has found visible to the caller: each is loaded (and its visibility
/// decided) once, however many links (the record's own, an activity's, a commitment's) lead to it.
#[derive(Default)]
pub struct VisibleAgreements(Vec<AgreementRecord>);

impl VisibleAgreements {
    /// The agreement, if the caller may see it (404 otherwise, as [`visibility::agreement`]).
    pub fn get(
        &mut self,
        conn: &mut DbConnection,
        user: &AuthUser,
        id: Id,
    ) -> Result<&AgreementRecord, AppError> {
        let i = match self.0.iter().position(|a| a.row.id == id) {
            Some(i) => i,
            None => {
                self.0.push(visibility::agreement(conn, user, id)?);
                self.0.len() - 1
            }
        };
        Ok(&self.0[i])
    }

    /// `Ok` when a record hangs off no agreement, or off one the caller may see (404 otherwise).
    pub fn allow(
        &mut self,
        conn: &mut DbConnection,
        user: &AuthUser,
        agreement: Option<Id>,
    ) -> Result<(), AppError> {
        match agreement {
            Some(id) => self.get(conn, user, id).map(|_| ()),
            None => Ok(()),
        }
    }

    /// The activity, if the caller may see it: one under a restricted agreement the caller may not read
    /// is 404, as if it did not exist.
    pub fn activity(
        &mut self,
        conn: &mut DbConnection,
        user: &AuthUser,
        id: Id,
    ) -> Result<ActivityRecord, AppError> {
        let record = repo::load(conn, id)?;
        self.allow(conn, user, record.row.agreement_id)?;
        Ok(record)
    }

    /// Remembers an agreement that another visibility lookup (a commitment's) has loaded.
    pub fn add(&mut self, record: AgreementRecord) {
        if !self.0.iter().any(|a| a.row.id == record.row.id) {
            self.0.push(record);
        }
    }
}

/// The activity, if the user may see it (see [`VisibleAgreements::activity`]).
pub fn visible(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<ActivityRecord, AppError> {
    VisibleAgreements::default().activity(conn, user, id)
}

/// Up to `limit` activities after `after` (filtered), leaving out those under restricted agreements the
/// user may not read.
pub fn list(
    conn: &mut DbConnection,
    user: &AuthUser,
    filter: &ActivityFilter,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Activity>, AppError> {
    let hidden = visibility::hidden(conn, &Visibility::of(user))?;
    Ok(repo::list(conn, filter, &hidden, after, limit)?.iter().map(ActivityRecord::view).collect())
}

/// Up to `limit` action items of the activity after `after`, if the user may see the activity.
pub fn list_action_items(
    conn: &mut DbConnection,
    user: &AuthUser,
    today: NaiveDate,
    activity: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<ActionItem>, AppError> {
    visible(conn, user, activity)?;
    Ok(repo::action_items(conn, activity, after, limit)?.iter().map(|r| r.view(today)).collect())
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
    seen: &mut VisibleAgreements,
) -> Result<ActivityFields, AppError> {
    let mut v = Validator::new();
    let fields = input.validate(&mut v);
    if !v.has_error("organizer_organization_id") {
        let known = crate::organizations::repo::exists(conn, fields.organizer_organization_id)?;
        v.known(known, "organizer_organization_id", ORGANIZATION);
    }
    let ids: Vec<Id> = fields.participants.iter().map(|p| p.organization_id).collect();
    let missing = crate::organizations::repo::missing(conn, &ids)?;
    for (i, id) in ids.iter().enumerate() {
        v.known(!missing.contains(id), &format!("participants[{i}].organization_id"), ORGANIZATION);
    }
    if let Some(agreement) = fields.agreement_id
        && let Some(record) = v.link("agreement_id", AGREEMENT, seen.get(conn, user, agreement))?
        && let Some(scope) = fields.scope
    {
        v.check(
            record.scopes.contains(&scope),
            "scope",
            text("is not one of the agreement's scopes", "bukan salah satu ruang lingkup perjanjian"),
        );
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

pub fn create(tx: Tx<'_>, input: NewActivity) -> Result<Activity, AppError> {
    let Tx { conn, user, now } = tx;
    // The organizations the body names decide before the body is checked: a refused user learns nothing.
    may_log(user, &input.involved())?;
    if input.status == Some(ActivityStatus::Cancelled) {
        return Err(AppError::invalid(
            "status",
            text("a new activity is planned or held", "kegiatan baru berstatus planned atau held"),
        ));
    }
    let fields = checked(conn, user, input, now, &mut VisibleAgreements::default())?;
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

/// The activity, if the user's role may log activities at all (checked before anything is loaded), the
/// user may see it and the user's organization is involved in it.
fn editable(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: Id,
    seen: &mut VisibleAgreements,
) -> Result<ActivityRecord, AppError> {
    policy::authorize_role(user, Action::LogActivity { involved: &[] })?;
    let record = seen.activity(conn, user, id)?;
    may_log(user, &record.involved())?;
    Ok(record)
}

pub fn update(tx: Tx<'_>, id: Id, if_match: &IfMatch, patch: ActivityPatch) -> Result<Activity, AppError> {
    let Tx { conn, user, now } = tx;
    let mut seen = VisibleAgreements::default();
    let current = editable(conn, user, id, &mut seen)?;
    if_match.check(current.row.version)?;
    let next_status = patch.status;
    let input = patch.apply(&current);
    // Nobody hands an activity over to organizations they do not act for; decided before the checks.
    may_log(user, &input.involved())?;
    if let Some(to) = next_status {
        check_transition(current.row.status, to)?;
    }
    let fields = checked(conn, user, input, now, &mut seen)?;
    let before = current.fields();
    if fields == before {
        return Ok(current.view());
    }
    // Final minutes, decisions and attendance change only by a correction.
    let record_changed = fields.minutes != before.minutes
        || fields.decisions != before.decisions
        || fields.participants != before.participants;
    if record_changed && crate::minutes::service::is_final(conn, id)? {
        return Err(crate::minutes::service::final_conflict());
    }
    let version = current.row.version;
    let row = fields.row(id, version + 1, current.row.created_at, from_utc(now), current.row.created_by);
    repo::update(conn, &row, version, &fields)?;
    let after = repo::load(conn, id)?.view();
    let action = match (current.row.status, fields.status) {
        (ActivityStatus::Planned, ActivityStatus::Held) => "hold",
        (ActivityStatus::Planned, ActivityStatus::Cancelled) => "cancel",
        _ => "update",
    };
    let change = Change::new(action, "activity", id).before(&current.view()).after(&after);
    audit::record(conn, &user.actor(), now, change)?;
    Ok(after)
}

pub fn delete(tx: Tx<'_>, id: Id, if_match: &IfMatch) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    let current = editable(conn, user, id, &mut VisibleAgreements::default())?;
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
    if !v.has_error("owner_organization_id") {
        let known = crate::organizations::repo::exists(conn, fields.owner_organization_id)?;
        v.known(known, "owner_organization_id", ORGANIZATION);
    }
    v.finish()?;
    Ok(fields)
}

pub fn create_action_item(tx: Tx<'_>, activity_id: Id, input: NewActionItem) -> Result<ActionItem, AppError> {
    let Tx { conn, user, now } = tx;
    let activity = editable(conn, user, activity_id, &mut VisibleAgreements::default())?;
    if activity.row.status != ActivityStatus::Held {
        return Err(AppError::conflict(text(
            "Action items are decided in an activity that was held; this one is not held.",
            "Tindak lanjut diputuskan dalam kegiatan yang sudah terlaksana; kegiatan ini belum terlaksana.",
        )));
    }
    let row = checked_item(conn, input)?.new_row(activity_id, from_utc(now), user.id);
    repo::insert_action_item(conn, &row)?;
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
    let item = repo::find_action_item(conn, id)?;
    let activity = visible(conn, user, item.activity_id)?;
    Ok((activity, item))
}

pub fn update_action_item(
    tx: Tx<'_>,
    id: Id,
    if_match: &IfMatch,
    patch: ActionItemPatch,
) -> Result<ActionItem, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize_role(user, Action::LogActivity { involved: &[] })?;
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
    repo::update_action_item(conn, &row, current.version)?;
    let (before, after) = (current.view(today), row.view(today));
    let change = Change::new("update", "action_item", id).before(&before).after(&after);
    audit::record(conn, &user.actor(), now, change)?;
    Ok(after)
}
