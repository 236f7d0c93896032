//! Attendee, finalisation and correction queries.

use diesel::prelude::*;

use super::model::{AttendeeRow, CorrectionRow};
use crate::db::schema::{
    activity_attendees, activity_minutes_corrections, activity_minutes_finals, contacts,
};
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::AppError;

/// The activity's attendees in the order they were listed.
pub fn attendees(conn: &mut DbConnection, activity: Id) -> Result<Vec<AttendeeRow>, AppError> {
    Ok(activity_attendees::table
        .filter(activity_attendees::activity_id.eq(activity))
        .order((activity_attendees::created_at, activity_attendees::id))
        .select(AttendeeRow::as_select())
        .load(conn)?)
}

/// The attendee of this activity; 404 when there is none.
pub fn attendee(conn: &mut DbConnection, activity: Id, id: Id) -> Result<AttendeeRow, AppError> {
    activity_attendees::table
        .filter(activity_attendees::activity_id.eq(activity))
        .filter(activity_attendees::id.eq(id))
        .select(AttendeeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(AppError::not_found)
}

pub fn insert_attendee(conn: &mut DbConnection, row: &AttendeeRow) -> Result<(), AppError> {
    diesel::insert_into(activity_attendees::table).values(row).execute(conn)?;
    Ok(())
}

pub fn delete_attendee(conn: &mut DbConnection, id: Id) -> Result<(), AppError> {
    diesel::delete(activity_attendees::table.find(id)).execute(conn)?;
    Ok(())
}

/// The organization of the contact, if the contact exists.
pub fn contact_organization(conn: &mut DbConnection, contact: Id) -> Result<Option<Id>, AppError> {
    Ok(contacts::table.find(contact).select(contacts::organization_id).first(conn).optional()?)
}

/// When and by whom the activity's minutes were finalised; `None` while they are a draft.
pub fn finalised(conn: &mut DbConnection, activity: Id) -> Result<Option<(Timestamp, Option<Id>)>, AppError> {
    Ok(activity_minutes_finals::table
        .find(activity)
        .select((activity_minutes_finals::finalised_at, activity_minutes_finals::finalised_by))
        .first(conn)
        .optional()?)
}

/// Marks the minutes final (a second finalisation racing this one fails on the primary key).
pub fn finalise(conn: &mut DbConnection, activity: Id, at: Timestamp, by: Id) -> Result<(), AppError> {
    diesel::insert_into(activity_minutes_finals::table)
        .values((
            activity_minutes_finals::activity_id.eq(activity),
            activity_minutes_finals::finalised_at.eq(at),
            activity_minutes_finals::finalised_by.eq(Some(by)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The corrections of the activity's minutes, oldest first.
pub fn corrections(conn: &mut DbConnection, activity: Id) -> Result<Vec<CorrectionRow>, AppError> {
    Ok(activity_minutes_corrections::table
        .filter(activity_minutes_corrections::activity_id.eq(activity))
        .order((activity_minutes_corrections::created_at, activity_minutes_corrections::id))
        .select(CorrectionRow::as_select())
        .load(conn)?)
}

pub fn insert_correction(conn: &mut DbConnection, row: &CorrectionRow) -> Result<(), AppError> {
    diesel::insert_into(activity_minutes_corrections::table).values(row).execute(conn)?;
    Ok(())
}
