//! Queries on the notification tables: rules, occurrences, notices, preferences, mutes and the user's
//! language. No rules here: the service and the reminder pass decide what is written.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::{Language, Mute, NoticeChannel, NoticeRow, Rule, RuleFields, RuleKind, SubjectType};
use crate::db::schema::{
    notification_mutes, notification_preferences, notification_rules, notifications, reminder_occurrences,
    user_settings,
};
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::AppError;

crate::versioned_rows!(
    notification_rules,
    Rule,
    RuleFields,
    "notification_rule",
    "/api/v1/notification-rules"
);

/// Rules in the order a reader expects them: by kind, then days.
pub fn rules(conn: &mut DbConnection) -> Result<Vec<Rule>, AppError> {
    Ok(notification_rules::table
        .select(Rule::as_select())
        .order((notification_rules::kind.asc(), notification_rules::days.desc()))
        .load(conn)?)
}

/// One page of the rules, in id order (the rules the system starts with come first, by kind).
pub fn rules_page(conn: &mut DbConnection, after: Option<Id>, limit: i64) -> Result<Vec<Rule>, AppError> {
    let mut query = notification_rules::table.select(Rule::as_select()).into_boxed();
    if let Some(after) = after {
        query = query.filter(notification_rules::id.gt(after));
    }
    Ok(query.order(notification_rules::id.asc()).limit(limit).load(conn)?)
}

/// The rule with this kind and these days, other than `except`.
pub fn same_rule(
    conn: &mut DbConnection,
    fields: &RuleFields,
    except: Option<Id>,
) -> Result<Option<Id>, AppError> {
    let mut query = notification_rules::table
        .filter(notification_rules::kind.eq(fields.kind))
        .filter(notification_rules::days.eq(fields.days))
        .select(notification_rules::id)
        .into_boxed();
    if let Some(except) = except {
        query = query.filter(notification_rules::id.ne(except));
    }
    Ok(query.first(conn).optional()?)
}

/// The occurrences of `rules` about dates from `since` on, already fired.
pub fn fired_since(
    conn: &mut DbConnection,
    rules: &[Id],
    since: NaiveDate,
) -> Result<HashSet<(Id, Id, NaiveDate)>, AppError> {
    let rows: Vec<(Id, Id, NaiveDate)> = reminder_occurrences::table
        .filter(reminder_occurrences::rule_id.eq_any(rules.to_vec()))
        .filter(reminder_occurrences::due_on.ge(since))
        .select((
            reminder_occurrences::rule_id,
            reminder_occurrences::subject_id,
            reminder_occurrences::due_on,
        ))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Rows per multi-row `INSERT` (SQLite allows 32,766 bound values; notices have 13 columns).
const ROWS_PER_INSERT: usize = 1000;

pub fn insert_occurrences(
    conn: &mut DbConnection,
    fired: &[(Id, Id, NaiveDate)],
    at: Timestamp,
) -> Result<(), AppError> {
    for chunk in fired.chunks(ROWS_PER_INSERT) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|(rule, subject, due)| {
                (
                    reminder_occurrences::rule_id.eq(*rule),
                    reminder_occurrences::subject_id.eq(*subject),
                    reminder_occurrences::due_on.eq(*due),
                    reminder_occurrences::fired_at.eq(at),
                )
            })
            .collect();
        crate::insert_rows!(conn, reminder_occurrences::table, rows)?;
    }
    Ok(())
}

pub fn insert_notices(conn: &mut DbConnection, notices: &[NoticeRow]) -> Result<(), AppError> {
    for chunk in notices.chunks(ROWS_PER_INSERT) {
        crate::insert_rows!(conn, notifications::table, chunk)?;
    }
    Ok(())
}

/// The channel each of `users` chose per kind (a kind not named means both).
pub fn channels_of(
    conn: &mut DbConnection,
    users: &[Id],
) -> Result<HashMap<(Id, RuleKind), NoticeChannel>, AppError> {
    let mut out = HashMap::new();
    for chunk in users.chunks(5000) {
        let rows: Vec<(Id, RuleKind, NoticeChannel)> = notification_preferences::table
            .filter(notification_preferences::user_id.eq_any(chunk.to_vec()))
            .select((
                notification_preferences::user_id,
                notification_preferences::kind,
                notification_preferences::channel,
            ))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(user, kind, channel)| ((user, kind), channel)));
    }
    Ok(out)
}

/// The (user, record) pairs muted by one of `users`.
pub fn mutes_of(conn: &mut DbConnection, users: &[Id]) -> Result<HashSet<(Id, Id)>, AppError> {
    let mut out = HashSet::new();
    for chunk in users.chunks(5000) {
        let rows: Vec<(Id, Id)> = notification_mutes::table
            .filter(notification_mutes::user_id.eq_any(chunk.to_vec()))
            .select((notification_mutes::user_id, notification_mutes::subject_id))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

/// One page of the user's in-app notices: unread first, newest first within each.
pub fn inbox(
    conn: &mut DbConnection,
    user: Id,
    unread_only: bool,
    after: Option<(bool, Id)>,
    limit: i64,
) -> Result<Vec<NoticeRow>, AppError> {
    let mut query = notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::in_app.eq(true))
        .select(NoticeRow::as_select())
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::is_read.eq(false));
    }
    if let Some((read, id)) = after {
        // false sorts before true: after an unread notice come older unread ones, then all read ones.
        query = query.filter(
            notifications::is_read.gt(read).or(notifications::is_read.eq(read).and(notifications::id.lt(id))),
        );
    }
    Ok(query.order((notifications::is_read.asc(), notifications::id.desc())).limit(limit).load(conn)?)
}

pub fn unread_count(conn: &mut DbConnection, user: Id) -> Result<i64, AppError> {
    Ok(notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::in_app.eq(true))
        .filter(notifications::is_read.eq(false))
        .count()
        .get_result(conn)?)
}

/// The user's in-app notice `id` (none: 404).
pub fn find_notice(conn: &mut DbConnection, user: Id, id: Id) -> Result<NoticeRow, AppError> {
    Ok(notifications::table
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user))
        .filter(notifications::in_app.eq(true))
        .select(NoticeRow::as_select())
        .first(conn)?)
}

/// Marks the user's unread notices read (one, or all with `None`); how many were unread.
pub fn mark_read(
    conn: &mut DbConnection,
    user: Id,
    id: Option<Id>,
    at: Timestamp,
) -> Result<usize, AppError> {
    let mut query = diesel::update(notifications::table)
        .filter(notifications::user_id.eq(user))
        .filter(notifications::in_app.eq(true))
        .filter(notifications::is_read.eq(false))
        .into_boxed();
    if let Some(id) = id {
        query = query.filter(notifications::id.eq(id));
    }
    Ok(query.set((notifications::is_read.eq(true), notifications::read_at.eq(Some(at)))).execute(conn)?)
}

/// The notices waiting for a digest, by user.
pub fn digest_pending(conn: &mut DbConnection) -> Result<Vec<NoticeRow>, AppError> {
    Ok(notifications::table
        .filter(notifications::digest_pending.eq(true))
        .select(NoticeRow::as_select())
        .order((notifications::user_id.asc(), notifications::due_on.asc(), notifications::id.asc()))
        .load(conn)?)
}

/// The user's notices no longer wait for a digest.
pub fn digested(conn: &mut DbConnection, user: Id) -> Result<(), AppError> {
    diesel::update(notifications::table)
        .filter(notifications::user_id.eq(user))
        .filter(notifications::digest_pending.eq(true))
        .set(notifications::digest_pending.eq(false))
        .execute(conn)?;
    Ok(())
}

/// The users' languages (a user who never chose has none here: Indonesian).
pub fn languages_of(conn: &mut DbConnection, users: &[Id]) -> Result<HashMap<Id, Language>, AppError> {
    let mut out = HashMap::new();
    for chunk in users.chunks(5000) {
        let rows: Vec<(Id, Language)> = user_settings::table
            .filter(user_settings::user_id.eq_any(chunk.to_vec()))
            .select((user_settings::user_id, user_settings::language))
            .load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

pub fn set_language(conn: &mut DbConnection, user: Id, language: Language) -> Result<(), AppError> {
    diesel::delete(user_settings::table.find(user)).execute(conn)?;
    diesel::insert_into(user_settings::table)
        .values((user_settings::user_id.eq(user), user_settings::language.eq(language)))
        .execute(conn)?;
    Ok(())
}

pub fn set_channel(
    conn: &mut DbConnection,
    user: Id,
    kind: RuleKind,
    channel: NoticeChannel,
) -> Result<(), AppError> {
    diesel::delete(notification_preferences::table.find((user, kind))).execute(conn)?;
    if channel != NoticeChannel::Both {
        diesel::insert_into(notification_preferences::table)
            .values((
                notification_preferences::user_id.eq(user),
                notification_preferences::kind.eq(kind),
                notification_preferences::channel.eq(channel),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The user's mutes, in record id order, after `after`.
pub fn mutes(
    conn: &mut DbConnection,
    user: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Mute>, AppError> {
    let mut query = notification_mutes::table
        .filter(notification_mutes::user_id.eq(user))
        .select(Mute::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(notification_mutes::subject_id.gt(after));
    }
    Ok(query.order(notification_mutes::subject_id.asc()).limit(limit).load(conn)?)
}

/// Mutes the record for the user; false when it was muted already.
pub fn mute(
    conn: &mut DbConnection,
    user: Id,
    subject: (SubjectType, Id),
    at: Timestamp,
) -> Result<bool, AppError> {
    let exists = diesel::select(diesel::dsl::exists(notification_mutes::table.find((user, subject.1))))
        .get_result::<bool>(conn)?;
    if exists {
        return Ok(false);
    }
    diesel::insert_into(notification_mutes::table)
        .values((
            notification_mutes::user_id.eq(user),
            notification_mutes::subject_id.eq(subject.1),
            notification_mutes::subject_type.eq(subject.0),
            notification_mutes::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Unmutes; false when it was not muted.
pub fn unmute(conn: &mut DbConnection, user: Id, subject: Id) -> Result<bool, AppError> {
    Ok(diesel::delete(notification_mutes::table.find((user, subject))).execute(conn)? > 0)
}
