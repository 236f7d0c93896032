//! The attendance and minutes use cases, each inside the caller's write transaction. Attendees are
//! listed and removed by whoever may edit the activity, while its minutes are a draft. Finalising and
//! correcting belong to the organizing organization (or an administrator): once final, the minutes,
//! decisions, participants and attendees change only by appended corrections.

use super::model::{
    Attendee, AttendeeRow, Correction, CorrectionRow, MeetingRecord, Minutes, MinutesStatus, NewAttendee,
    NewCorrection,
};
use super::repo;
use crate::activities::model::{ActivityRecord, ActivityStatus};
use crate::activities::service::{ORGANIZATION, VisibleAgreements, visible};
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::types::{from_utc, to_utc};
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{Tx, Validator};
use crate::{activities, agreements, organizations, users};

/// What a link to a contact is called in a field error.
const CONTACT: (&str, &str) = ("contact", "kontak");

/// Whether the activity's minutes are final.
pub fn is_final(conn: &mut DbConnection, activity: Id) -> Result<bool, AppError> {
    Ok(repo::finalised(conn, activity)?.is_some())
}

/// 409 for a change to final minutes, decisions or attendance.
pub fn final_conflict() -> AppError {
    AppError::conflict(text(
        "The minutes of this activity are final: their minutes, decisions and attendance change only by a \
         correction (POST /api/v1/activities/{id}/minutes/corrections).",
        "Notulen kegiatan ini sudah final: notulen, keputusan dan daftar hadirnya hanya dapat diubah melalui \
         koreksi (POST /api/v1/activities/{id}/minutes/corrections).",
    ))
}

/// The activity, if the user's role may log activities at all (checked before anything is loaded), the
/// user may see it and the user's organization is involved in it.
fn editable(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<ActivityRecord, AppError> {
    policy::authorize_role(user, Action::LogActivity { involved: &[] })?;
    let record = VisibleAgreements::default().activity(conn, user, id)?;
    policy::authorize(user, Action::LogActivity { involved: &record.involved() })?;
    Ok(record)
}

/// The activity, if the user's role may ever finalise minutes, the user may see it and acts for its
/// organizer.
fn organized(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<ActivityRecord, AppError> {
    policy::authorize_role(user, Action::FinaliseMinutes { organizer: Id::NIL })?;
    let record = visible(conn, user, id)?;
    policy::authorize(user, Action::FinaliseMinutes { organizer: record.row.organizer_organization_id })?;
    Ok(record)
}

/// The activity's attendees, if the user may see the activity.
pub fn list_attendees(
    conn: &mut DbConnection,
    user: &AuthUser,
    activity: Id,
) -> Result<Vec<Attendee>, AppError> {
    visible(conn, user, activity)?;
    Ok(repo::attendees(conn, activity)?.iter().map(AttendeeRow::view).collect())
}

pub fn add_attendee(tx: Tx<'_>, activity_id: Id, input: NewAttendee) -> Result<Attendee, AppError> {
    let Tx { conn, user, now } = tx;
    let activity = editable(conn, user, activity_id)?;
    if is_final(conn, activity_id)? {
        return Err(final_conflict());
    }
    let mut v = Validator::new();
    let fields = input.validate(&mut v);
    if !v.has_error("organization_id") {
        let known = crate::organizations::repo::exists(conn, fields.organization_id)?;
        v.known(known, "organization_id", ORGANIZATION);
        if known {
            v.check(
                activity.involved().contains(&fields.organization_id),
                "organization_id",
                text(
                    "is neither the organizer nor a participant of the activity",
                    "bukan penyelenggara maupun peserta kegiatan",
                ),
            );
        }
    }
    if let Some(contact) = fields.contact_id {
        match repo::contact_organization(conn, contact)? {
            None => v.known(false, "contact_id", CONTACT),
            Some(org) => v.check(
                v.has_error("organization_id") || org == fields.organization_id,
                "contact_id",
                text("is not a contact of the attendee's organization", "bukan kontak organisasi peserta"),
            ),
        }
    }
    v.finish()?;
    let row = AttendeeRow {
        id: Id::new(),
        activity_id,
        name: fields.name,
        position: fields.position,
        organization_id: fields.organization_id,
        contact_id: fields.contact_id,
        created_at: from_utc(now),
        created_by: Some(user.id),
    };
    repo::insert_attendee(conn, &row)?;
    let created = row.view();
    audit::record(
        conn,
        &user.actor(),
        now,
        Change::new("create", "activity_attendee", row.id).after(&created),
    )?;
    Ok(created)
}

pub fn remove_attendee(tx: Tx<'_>, activity_id: Id, id: Id) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    editable(conn, user, activity_id)?;
    let row = repo::attendee(conn, activity_id, id)?;
    if is_final(conn, activity_id)? {
        return Err(final_conflict());
    }
    repo::delete_attendee(conn, id)?;
    audit::record(
        conn,
        &user.actor(),
        now,
        Change::new("delete", "activity_attendee", id).before(&row.view()),
    )?;
    Ok(())
}

/// The minutes' state, from what is stored.
fn minutes(conn: &mut DbConnection, activity: Id) -> Result<Minutes, AppError> {
    let finalised = repo::finalised(conn, activity)?;
    let corrections: Vec<Correction> =
        repo::corrections(conn, activity)?.iter().map(CorrectionRow::view).collect();
    let version =
        1 + i32::from(finalised.is_some()) + i32::try_from(corrections.len()).unwrap_or(i32::MAX - 1);
    Ok(Minutes {
        activity_id: activity,
        status: if finalised.is_some() { MinutesStatus::Final } else { MinutesStatus::Draft },
        finalised_at: finalised.map(|(at, _)| to_utc(at)),
        finalised_by: finalised.and_then(|(_, by)| by),
        corrections,
        version,
    })
}

/// Everything the printed notulen and daftar hadir show, if the user may see the activity.
pub fn meeting_record(
    conn: &mut DbConnection,
    user: &AuthUser,
    activity: Id,
) -> Result<MeetingRecord, AppError> {
    let record = visible(conn, user, activity)?;
    let organizer = organizations::repo::find(conn, record.row.organizer_organization_id)?;
    let organizer_parent = match organizer.parent_id {
        Some(parent) => Some(organizations::repo::find(conn, parent)?.name),
        None => None,
    };
    let agreement = match record.row.agreement_id {
        Some(id) => Some(agreements::repo::load(conn, id)?.row),
        None => None,
    };
    let minutes = minutes(conn, activity)?;
    let mut people: Vec<Id> = minutes.corrections.iter().filter_map(|c| c.created_by).collect();
    people.extend(minutes.finalised_by);
    Ok(MeetingRecord {
        attendees: repo::attendees(conn, activity)?.iter().map(AttendeeRow::view).collect(),
        action_items: activities::repo::action_items(conn, activity, None, i64::MAX)?,
        people: users::repo::full_names(conn, &people)?,
        activity: record.view(),
        organizer,
        organizer_parent,
        agreement,
        minutes,
    })
}

/// The minutes' state, if the user may see the activity.
pub fn get_minutes(conn: &mut DbConnection, user: &AuthUser, activity: Id) -> Result<Minutes, AppError> {
    visible(conn, user, activity)?;
    minutes(conn, activity)
}

/// draft → final, for a held activity; final → final is 409.
pub fn finalise(tx: Tx<'_>, activity_id: Id) -> Result<Minutes, AppError> {
    let Tx { conn, user, now } = tx;
    let activity = organized(conn, user, activity_id)?;
    if is_final(conn, activity_id)? {
        return Err(AppError::conflict(text(
            "The minutes of this activity are final already; append a correction instead.",
            "Notulen kegiatan ini sudah final; tambahkan koreksi.",
        )));
    }
    if activity.row.status != ActivityStatus::Held {
        return Err(AppError::conflict(text(
            "Only the minutes of a held activity can be finalised; this one is not held.",
            "Hanya notulen kegiatan yang sudah terlaksana yang dapat difinalkan; kegiatan ini belum terlaksana.",
        )));
    }
    repo::finalise(conn, activity_id, from_utc(now), user.id)?;
    let after = minutes(conn, activity_id)?;
    // The event holds what was made final: the activity as it stands and its attendance.
    let attendees: Vec<Attendee> =
        repo::attendees(conn, activity_id)?.iter().map(AttendeeRow::view).collect();
    let record = serde_json::json!({"activity": activity.view(), "attendees": attendees, "minutes": &after});
    audit::record(
        conn,
        &user.actor(),
        now,
        Change::new("finalise_minutes", "activity", activity_id).after(&record),
    )?;
    Ok(after)
}

/// Appends a correction to final minutes (409 while they are a draft: a draft is simply edited).
pub fn correct(tx: Tx<'_>, activity_id: Id, input: NewCorrection) -> Result<Correction, AppError> {
    let Tx { conn, user, now } = tx;
    organized(conn, user, activity_id)?;
    if !is_final(conn, activity_id)? {
        return Err(AppError::conflict(text(
            "The minutes of this activity are a draft: edit them instead of correcting them.",
            "Notulen kegiatan ini masih draf: ubah notulennya, bukan dengan koreksi.",
        )));
    }
    let mut v = Validator::new();
    let (what, why) = input.validate(&mut v);
    v.finish()?;
    let row = CorrectionRow {
        id: Id::new(),
        activity_id,
        what,
        why,
        created_at: from_utc(now),
        created_by: Some(user.id),
    };
    repo::insert_correction(conn, &row)?;
    let created = row.view();
    audit::record(
        conn,
        &user.actor(),
        now,
        Change::new("create", "minutes_correction", row.id).after(&created),
    )?;
    Ok(created)
}
