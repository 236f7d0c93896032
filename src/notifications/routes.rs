//! `/notification-rules` (administrators change them), `/notifications` (the caller's notices and
//! mutes) and `/auth/notification-settings`: thin handlers over [`super::service`].

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{
    MarkedRead, Mute, NewMute, NewRule, Notification, NotificationSettings, Rule, RulePatch, SettingsChange,
    UnreadCount,
};
use super::service;
use crate::auth::AuthUser;
use crate::db::Id;
use crate::http::problems::AlreadyRegistered;
use crate::http::{
    Endpoint, Idempotency, IdempotencyKey, Json, PageQuery, Paging, Query, Reply, Target, Tx, with_etag,
    write,
};
use crate::state::State;

crate::gate!(crate::auth::Action::Configure => NewRule, RulePatch);
crate::gate!(open => SettingsChange, NewMute);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        Endpoint::new("/notification-rules").get(list_notification_rules).post(create_notification_rule),
    )
    .service(
        Endpoint::new("/notification-rules/{id}")
            .get(get_notification_rule)
            .patch(update_notification_rule)
            .delete(delete_notification_rule),
    )
    .service(Endpoint::new("/notifications").get(list_notifications))
    .service(Endpoint::new("/notifications/unread-count").get(count_unread_notifications))
    .service(Endpoint::new("/notifications/read-all").post(mark_all_notifications_read))
    .service(Endpoint::new("/notifications/{id}/read").post(mark_notification_read))
    .service(Endpoint::new("/notifications/mutes").get(list_mutes).post(mute_record))
    .service(Endpoint::new("/notifications/mutes/{subject_id}").delete(unmute_record))
    .service(
        Endpoint::new("/auth/notification-settings")
            .get(get_notification_settings)
            .put(change_notification_settings),
    );
}

/// The reminder rules: what is reminded of, how many days ahead, and who is told.
#[utoipa::path(get, path = "/api/v1/notification-rules", tag = "notifications",
    params(PageQuery),
    responses((status = 200, description = "One page of rules", body = inline(crate::http::Page<Rule>))),
    security(("bearer" = [])))]
pub async fn list_notification_rules(user: AuthUser, state: State, page: Paging) -> Reply {
    page.list(
        &state,
        move |conn, after, limit| service::rules_page(conn, &user, after, limit),
        |r: &Rule| r.id,
    )
    .await
}

/// Add a reminder rule. Administrators only.
#[utoipa::path(post, path = "/api/v1/notification-rules", tag = "notifications",
    params(IdempotencyKey),
    request_body = NewRule,
    responses(
        (status = 201, description = "Created", body = Rule, headers(
            ("Location" = String, description = "The new rule's URL"),
            ("ETag" = String, description = "Its version, for If-Match"),
            ("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
        AlreadyRegistered,
    ),
    security(("bearer" = [])))]
pub async fn create_notification_rule(
    user: AuthUser,
    state: State,
    idem: Idempotency,
    body: Json<NewRule>,
) -> Reply {
    write::create(&state, user, idem, body, service::create_rule).await
}

/// One reminder rule.
#[utoipa::path(get, path = "/api/v1/notification-rules/{id}", tag = "notifications",
    params(("id" = Id, Path, description = "Rule id")),
    responses((status = 200, body = Rule, headers(("ETag" = String, description = "The version, for If-Match")))),
    security(("bearer" = [])))]
pub async fn get_notification_rule(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    let id = id.into_inner();
    let rule = state.db.run(move |conn| service::rule(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), rule.version, &rule))
}

/// Change a reminder rule's days, audience or whether it is on. Administrators only.
#[utoipa::path(patch, path = "/api/v1/notification-rules/{id}", tag = "notifications",
    params(("id" = Id, Path, description = "Rule id"),
        ("If-Match" = String, Header, description = "The ETag of the version read")),
    request_body = RulePatch,
    responses(
        (status = 200, body = Rule, headers(("ETag" = String, description = "The new version"))),
        AlreadyRegistered,
    ),
    security(("bearer" = [])))]
pub async fn update_notification_rule(
    user: AuthUser,
    state: State,
    target: Target,
    body: Json<RulePatch>,
) -> Reply {
    let Target { id, if_match } = target;
    write::update(&state, user, body, move |tx, patch| service::update_rule(tx, id, &if_match, patch)).await
}

/// Delete a reminder rule. Administrators only.
#[utoipa::path(delete, path = "/api/v1/notification-rules/{id}", tag = "notifications",
    params(("id" = Id, Path, description = "Rule id"),
        ("If-Match" = String, Header, description = "The ETag of the version read")),
    responses((status = 204, description = "Deleted")),
    security(("bearer" = [])))]
pub async fn delete_notification_rule(user: AuthUser, state: State, target: Target) -> Reply {
    let Target { id, if_match } = target;
    write::delete(&state, user, move |tx| service::delete_rule(tx, id, &if_match)).await
}

/// Filter of the caller's notices.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationFilter {
    /// Only the unread ones.
    #[serde(default)]
    pub unread: bool,
}

/// The caller's notices: unread first, newest first within each.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications",
    params(NotificationFilter, PageQuery),
    responses((status = 200, description = "One page of notices", body = inline(crate::http::Page<Notification>))),
    security(("bearer" = [])))]
pub async fn list_notifications(
    user: AuthUser,
    state: State,
    filter: Query<NotificationFilter>,
    page: Paging,
) -> Reply {
    let unread = filter.into_inner().unread;
    page.list(
        &state,
        move |conn, after, limit| service::notifications(conn, &user, unread, after, limit),
        |n: &Notification| (n.read, n.id),
    )
    .await
}

/// How many of the caller's notices are unread.
#[utoipa::path(get, path = "/api/v1/notifications/unread-count", tag = "notifications",
    responses((status = 200, body = UnreadCount)),
    security(("bearer" = [])))]
pub async fn count_unread_notifications(user: AuthUser, state: State) -> Reply {
    let count = state.db.run(move |conn| service::unread_count(conn, &user)).await?;
    Ok(HttpResponse::Ok().json(count))
}

/// Mark one of the caller's notices read.
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications",
    params(("id" = Id, Path, description = "Notice id")),
    responses((status = 200, body = Notification)),
    security(("bearer" = [])))]
pub async fn mark_notification_read(user: AuthUser, state: State, id: web::Path<Id>) -> Reply {
    let (id, now) = (id.into_inner(), state.clock.now());
    let notice = state.db.write(move |conn| service::mark_read(Tx::new(conn, &user, now), id)).await?;
    Ok(HttpResponse::Ok().json(notice))
}

/// Mark every notice of the caller read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 200, body = MarkedRead)),
    security(("bearer" = [])))]
pub async fn mark_all_notifications_read(user: AuthUser, state: State) -> Reply {
    let now = state.clock.now();
    let marked = state.db.write(move |conn| service::mark_all_read(Tx::new(conn, &user, now))).await?;
    Ok(HttpResponse::Ok().json(marked))
}

/// The records the caller muted.
#[utoipa::path(get, path = "/api/v1/notifications/mutes", tag = "notifications",
    params(PageQuery),
    responses((status = 200, description = "One page of mutes", body = inline(crate::http::Page<Mute>))),
    security(("bearer" = [])))]
pub async fn list_mutes(user: AuthUser, state: State, page: Paging) -> Reply {
    page.list(
        &state,
        move |conn, after, limit| service::mutes(conn, &user, after, limit),
        |m: &Mute| m.subject_id,
    )
    .await
}

/// Mute a record: no reminders about it reach the caller. 422 when the record is not one the caller can
/// see.
#[utoipa::path(post, path = "/api/v1/notifications/mutes", tag = "notifications",
    params(IdempotencyKey),
    request_body = NewMute,
    responses(
        (status = 201, description = "Muted", body = Mute, headers(
            ("Location" = String, description = "The mute's URL (to delete it)"),
            ("Idempotency-Replayed" = String, description = "`true` when this is the stored answer to an earlier request with the same Idempotency-Key"))),
    ),
    security(("bearer" = [])))]
pub async fn mute_record(user: AuthUser, state: State, idem: Idempotency, body: Json<NewMute>) -> Reply {
    let address = |m: &Mute| (format!("/api/v1/notifications/mutes/{}", m.subject_id), None);
    write::append(&state, user, idem, body, address, service::mute).await
}

/// Unmute a record (404 when the caller had not muted it).
#[utoipa::path(delete, path = "/api/v1/notifications/mutes/{subject_id}", tag = "notifications",
    params(("subject_id" = Id, Path, description = "The muted record's id")),
    responses((status = 204, description = "Unmuted")),
    security(("bearer" = [])))]
pub async fn unmute_record(user: AuthUser, state: State, subject_id: web::Path<Id>) -> Reply {
    let subject_id = subject_id.into_inner();
    write::delete(&state, user, move |tx| service::unmute(tx, subject_id)).await
}

/// The caller's notification settings: the language of emails and the channel of each kind of reminder.
#[utoipa::path(get, path = "/api/v1/auth/notification-settings", tag = "notifications",
    responses((status = 200, body = NotificationSettings)),
    security(("bearer" = [])))]
pub async fn get_notification_settings(user: AuthUser, state: State) -> Reply {
    let settings = state.db.run(move |conn| service::settings(conn, &user)).await?;
    Ok(HttpResponse::Ok().json(settings))
}

/// Change the caller's notification settings: the language, and the channel (`none`, `in_app`,
/// `email`, `both`) of the kinds named.
#[utoipa::path(put, path = "/api/v1/auth/notification-settings", tag = "notifications",
    request_body = SettingsChange,
    responses((status = 200, body = NotificationSettings)),
    security(("bearer" = [])))]
pub async fn change_notification_settings(user: AuthUser, state: State, body: Json<SettingsChange>) -> Reply {
    let now = state.clock.now();
    let (body, unparsed) = body.into_parts();
    let settings = state
        .db
        .write(move |conn| unparsed.check(service::change_settings(Tx::new(conn, &user, now), body)))
        .await?;
    Ok(HttpResponse::Ok().json(settings))
}
