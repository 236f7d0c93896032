//! The calendar feed use cases: make (or replace) the caller's feed, look at it, revoke it, and read a
//! feed by its token. A feed shows what its user may read, so every role that may read may have one; it
//! follows the user: a disabled user's feed answers 404, and it shows what the user's organization is
//! involved in as of each fetch.

use chrono::{DateTime, Days, Utc};
use serde_json::json;

use super::ics::{self, Event, When};
use super::model::CalendarFeed;
use super::repo;
use crate::activities::model::ActivityStatus;
use crate::agreements::model::Visibility;
use crate::agreements::{commitments, visibility};
use crate::audit::{self, Change};
use crate::auth::refresh::{hash_token, random_token};
use crate::auth::{Action, AuthUser, policy, session};
use crate::db::types::{from_utc, to_utc};
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::write::Tx;
use crate::{activities, agreements};

/// How far back a feed reaches for meetings: a year, so that a subscription stays small.
const PAST_DAYS: u64 = 365;

/// Makes the caller's feed, replacing the one it had (whose URL stops working); answers its token.
pub fn create(tx: Tx<'_>) -> Result<(String, CalendarFeed), AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::Read)?;
    let token = random_token();
    repo::replace(conn, user.id, &hash_token(&token), from_utc(now))?;
    // The event names the feed, never its token.
    audit::record(
        conn,
        &user.actor(),
        now,
        Change::new("create", "calendar_feed", user.id)
            .after(&json!({"user_id": user.id, "created_at": now})),
    )?;
    Ok((token, CalendarFeed { url: None, created_at: now }))
}

/// The caller's feed (404 when it has none).
pub fn get(conn: &mut DbConnection, user: &AuthUser) -> Result<CalendarFeed, AppError> {
    policy::authorize(user, Action::Read)?;
    let at = repo::created_at(conn, user.id)?.ok_or_else(AppError::not_found)?;
    Ok(CalendarFeed { url: None, created_at: to_utc(at) })
}

/// Revokes the caller's feed (404 when it has none).
pub fn revoke(tx: Tx<'_>) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    let before = get(conn, user)?;
    repo::delete(conn, user.id)?;
    audit::record(conn, &user.actor(), now, Change::new("delete", "calendar_feed", user.id).before(&before))?;
    Ok(())
}

/// The iCalendar text of the feed with this token: 404 for an unknown or revoked token and for a user
/// who is disabled.
pub fn feed(conn: &mut DbConnection, token: &str, now: DateTime<Utc>) -> Result<String, AppError> {
    let owner = repo::user_of(conn, &hash_token(token))?.ok_or_else(AppError::not_found)?;
    let session = session::load(conn, owner)?.filter(|s| s.active).ok_or_else(AppError::not_found)?;
    let user = AuthUser::from_session(owner, session);
    policy::authorize(&user, Action::Read).map_err(|_| AppError::not_found())?;
    let events = events(conn, &user, now)?;
    Ok(ics::calendar(&format!("Sinergi – {}", user.username), now, &events))
}

fn events(conn: &mut DbConnection, user: &AuthUser, now: DateTime<Utc>) -> Result<Vec<Event>, AppError> {
    let orgs: &[Id] = &user.acts_for;
    let hidden = visibility::hidden(conn, &Visibility::of(user))?;
    let since = now.date_naive().checked_sub_days(Days::new(PAST_DAYS)).unwrap_or(now.date_naive());
    let mut events = Vec::new();
    for a in activities::repo::involving(conn, orgs, &hidden, crate::db::types::day_start(since))? {
        events.push(Event {
            uid: format!("activity-{}@sinergi", a.id),
            sequence: a.version,
            start: When::At(to_utc(a.starts_at)),
            end: a.ends_at.map(|end| When::At(to_utc(end))),
            summary: a.title,
            location: a.location,
            description: None,
            cancelled: a.status == ActivityStatus::Cancelled,
            last_modified: Some(to_utc(a.updated_at)),
        });
    }
    for c in commitments::repo::open_of(conn, orgs, &hidden)? {
        let Some(due) = c.due_on else { continue };
        events.push(Event {
            uid: format!("commitment-{}@sinergi", c.id),
            sequence: c.version,
            start: When::Day(due),
            end: None,
            summary: format!("Tenggat komitmen: {}", c.title),
            location: None,
            description: c.description,
            cancelled: false,
            last_modified: Some(to_utc(c.updated_at)),
        });
    }
    for item in activities::repo::open_action_items_of(conn, orgs, &hidden)? {
        let Some(due) = item.due_on else { continue };
        events.push(Event {
            uid: format!("action-item-{}@sinergi", item.id),
            sequence: item.version,
            start: When::Day(due),
            end: None,
            summary: format!("Tenggat tindak lanjut: {}", item.description),
            location: None,
            description: None,
            cancelled: false,
            last_modified: Some(to_utc(item.updated_at)),
        });
    }
    for a in agreements::repo::active_with_end_of(conn, orgs)? {
        let Some(until) = a.effective_until else { continue };
        let number = a.number.map(|n| format!("{n} ")).unwrap_or_default();
        events.push(Event {
            uid: format!("agreement-end-{}@sinergi", a.id),
            sequence: a.version,
            start: When::Day(until),
            end: None,
            summary: format!("Perjanjian berakhir: {number}{}", a.title),
            location: None,
            description: None,
            cancelled: false,
            last_modified: Some(to_utc(a.updated_at)),
        });
    }
    Ok(events)
}
