//! The notification use cases: the reminder rules (administrators change them), the caller's notices
//! (list, count, mark read), the caller's settings (language, channel per kind) and mutes.

use serde_json::json;

use super::messages;
use super::model::{
    ChannelChoice, Language, MarkedRead, Mute, NewMute, NewRule, NoticeChannel, NoticeRow, Notification,
    NotificationSettings, Rule, RuleFields, RuleKind, RulePatch, SettingsChange, SubjectType, UnreadCount,
};
use super::repo;
use crate::agreements::visibility;
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::types::{from_utc, to_utc};
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{IfMatch, Tx, Validator, versioned};

/// One page of the rules, in id order.
pub fn rules_page(
    conn: &mut DbConnection,
    user: &AuthUser,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Rule>, AppError> {
    policy::authorize(user, Action::Read)?;
    repo::rules_page(conn, after, limit)
}

pub fn rule(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<Rule, AppError> {
    policy::authorize(user, Action::Read)?;
    repo::find(conn, id)
}

/// 409 when another rule has the same kind and days.
fn ensure_unique(conn: &mut DbConnection, fields: &RuleFields, this: Option<Id>) -> Result<(), AppError> {
    if repo::same_rule(conn, fields, this)?.is_none() {
        return Ok(());
    }
    let (kind, days) = (fields.kind, fields.days);
    Err(AppError::conflict(text(
        format!("A {kind} rule of {days} days exists already."),
        format!("Aturan {kind} {days} hari sudah ada."),
    )))
}

pub fn create_rule(tx: Tx<'_>, input: NewRule) -> Result<Rule, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::Configure)?;
    let fields = input.validate()?;
    ensure_unique(conn, &fields, None)?;
    versioned::create(conn, user, now, &fields)
}

pub fn update_rule(tx: Tx<'_>, id: Id, if_match: &IfMatch, patch: RulePatch) -> Result<Rule, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::Configure)?;
    versioned::update(
        conn,
        user,
        now,
        (id, if_match),
        |_| Ok(()),
        |conn, current: &Rule| {
            let fields = patch.apply(current).validate()?;
            if fields != RuleFields::from(current) {
                ensure_unique(conn, &fields, Some(id))?;
            }
            Ok(fields)
        },
    )
}

/// Deletes a rule; what it fired stays (the notices given are the users').
pub fn delete_rule(tx: Tx<'_>, id: Id, if_match: &IfMatch) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::Configure)?;
    versioned::delete::<Rule>(conn, user, now, (id, if_match), |_| Ok(()), (&[], None))
}

/// The caller's language (Indonesian until chosen).
fn language_of(conn: &mut DbConnection, user: Id) -> Result<Language, AppError> {
    Ok(repo::languages_of(conn, &[user])?.get(&user).copied().unwrap_or(Language::Id))
}

fn shown(language: Language, n: NoticeRow) -> Notification {
    Notification {
        id: n.id,
        kind: n.kind,
        subject_type: n.subject_type,
        subject_id: n.subject_id,
        link: messages::api_link(n.subject_type, n.subject_id),
        message: messages::notice(language, n.kind, &n.title, n.due_on, n.created_at.date()),
        title: n.title,
        due_on: n.due_on,
        read: n.is_read,
        read_at: n.read_at.map(to_utc),
        created_at: to_utc(n.created_at),
    }
}

/// One page of the caller's notices, unread first, newest first within each.
pub fn notifications(
    conn: &mut DbConnection,
    user: &AuthUser,
    unread_only: bool,
    after: Option<(bool, Id)>,
    limit: i64,
) -> Result<Vec<Notification>, AppError> {
    policy::authorize(user, Action::Read)?;
    let language = language_of(conn, user.id)?;
    let rows = repo::inbox(conn, user.id, unread_only, after, limit)?;
    Ok(rows.into_iter().map(|n| shown(language, n)).collect())
}

pub fn unread_count(conn: &mut DbConnection, user: &AuthUser) -> Result<UnreadCount, AppError> {
    policy::authorize(user, Action::Read)?;
    Ok(UnreadCount { unread: repo::unread_count(conn, user.id)? })
}

/// Marks one of the caller's notices read (404 when it is not theirs); answers it as it now is.
pub fn mark_read(tx: Tx<'_>, id: Id) -> Result<Notification, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::Read)?;
    repo::find_notice(conn, user.id, id)?;
    if repo::mark_read(conn, user.id, Some(id), from_utc(now))? > 0 {
        audit::record(conn, &user.actor(), now, Change::new("read", "notification", id))?;
    }
    let language = language_of(conn, user.id)?;
    Ok(shown(language, repo::find_notice(conn, user.id, id)?))
}

/// Marks every notice of the caller read.
pub fn mark_all_read(tx: Tx<'_>) -> Result<MarkedRead, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::Read)?;
    let marked = repo::mark_read(conn, user.id, None, from_utc(now))?;
    if marked > 0 {
        let change = Change::new("read_all", "notification", user.id).after(&json!({"marked": marked}));
        audit::record(conn, &user.actor(), now, change)?;
    }
    Ok(MarkedRead { marked })
}

pub fn settings(conn: &mut DbConnection, user: &AuthUser) -> Result<NotificationSettings, AppError> {
    policy::authorize(user, Action::Read)?;
    let language = language_of(conn, user.id)?;
    let chosen = repo::channels_of(conn, &[user.id])?;
    let channels = RuleKind::ALL
        .iter()
        .map(|&kind| ChannelChoice {
            kind,
            channel: chosen.get(&(user.id, kind)).copied().unwrap_or(NoticeChannel::Both),
        })
        .collect();
    Ok(NotificationSettings { language, channels })
}

/// Changes the caller's language and the channels of the kinds named.
pub fn change_settings(tx: Tx<'_>, change: SettingsChange) -> Result<NotificationSettings, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::Read)?;
    let mut v = Validator::new();
    for (i, choice) in change.channels.iter().enumerate() {
        let twice = change.channels[..i].iter().any(|c| c.kind == choice.kind);
        v.check(!twice, &format!("channels[{i}].kind"), text("is named twice", "disebut dua kali"));
    }
    v.finish()?;
    let before = settings(conn, user)?;
    if let Some(language) = change.language {
        repo::set_language(conn, user.id, language)?;
    }
    for choice in &change.channels {
        repo::set_channel(conn, user.id, choice.kind, choice.channel)?;
    }
    let after = settings(conn, user)?;
    if after != before {
        let change = Change::new("update", "notification_settings", user.id).before(&before).after(&after);
        audit::record(conn, &user.actor(), now, change)?;
    }
    Ok(after)
}

pub fn mutes(
    conn: &mut DbConnection,
    user: &AuthUser,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Mute>, AppError> {
    policy::authorize(user, Action::Read)?;
    repo::mutes(conn, user.id, after, limit)
}

/// 404 unless the record exists and the user may see it.
fn ensure_visible(
    conn: &mut DbConnection,
    user: &AuthUser,
    kind: SubjectType,
    id: Id,
) -> Result<(), AppError> {
    match kind {
        SubjectType::Agreement => visibility::agreement(conn, user, id).map(|_| ()),
        SubjectType::Commitment => visibility::commitment(conn, user, id).map(|_| ()),
        SubjectType::ActionItem => {
            crate::activities::service::visible_action_item(conn, user, id).map(|_| ())
        }
    }
}

/// Mutes a record for the caller: no reminders about it from now on. Muting it again changes nothing.
pub fn mute(tx: Tx<'_>, input: NewMute) -> Result<Mute, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::Read)?;
    let mut v = Validator::new();
    let subject_type = v.present("subject_type", input.subject_type);
    let subject_id = v.present("subject_id", input.subject_id);
    v.finish()?;
    let (Some(subject_type), Some(subject_id)) = (subject_type, subject_id) else {
        return Err(AppError::internal("a checked mute lacks its record"));
    };
    ensure_visible(conn, user, subject_type, subject_id).map_err(|e| {
        if e.status == actix_web::http::StatusCode::NOT_FOUND {
            AppError::invalid(
                "subject_id",
                text("names no record you can see", "tidak menunjuk data yang dapat Anda lihat"),
            )
        } else {
            e
        }
    })?;
    if repo::mute(conn, user.id, (subject_type, subject_id), from_utc(now))? {
        let change = Change::new("create", "notification_mute", subject_id)
            .after(&json!({"user_id": user.id, "subject_type": subject_type}));
        audit::record(conn, &user.actor(), now, change)?;
    }
    repo::mutes(conn, user.id, None, i64::MAX)?
        .into_iter()
        .find(|m| m.subject_id == subject_id)
        .ok_or_else(|| AppError::internal("a mute just written does not read back"))
}

/// Unmutes a record (404 when it was not muted).
pub fn unmute(tx: Tx<'_>, subject_id: Id) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::Read)?;
    if !repo::unmute(conn, user.id, subject_id)? {
        return Err(AppError::not_found());
    }
    let change = Change::new("delete", "notification_mute", subject_id).before(&json!({"user_id": user.id}));
    audit::record(conn, &user.actor(), now, change)?;
    Ok(())
}
