//! `/auth/calendar-feed` (the caller's own feed: make or replace, look, revoke) and `/calendar/{token}`
//! (the feed itself, for calendar programs, with no bearer token): thin handlers over [`super::service`].

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use super::model::CalendarFeed;
use super::service;
use crate::auth::AuthUser;
use crate::http::write::Tx;
use crate::http::{Endpoint, Reply};
use crate::state::State;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        Endpoint::new("/auth/calendar-feed")
            .get(get_calendar_feed)
            .post(create_calendar_feed)
            .delete(revoke_calendar_feed),
    )
    .service(Endpoint::new("/calendar/{token}").get(calendar));
}

/// Make the caller's calendar feed, or replace it: the answer holds its URL (with a secret token) once;
/// the URL of a feed it replaces stops working. Like a login, it answers 200 and is not replayed for an
/// `Idempotency-Key`: a secret is never kept to be sent again.
#[utoipa::path(post, path = "/api/v1/auth/calendar-feed", tag = "calendar",
    responses((status = 200, body = CalendarFeed)),
    security(("bearer" = [])))]
pub async fn create_calendar_feed(req: HttpRequest, user: AuthUser, state: State) -> Reply {
    let now = state.clock.now();
    let (token, feed) = state.db.write(move |conn| service::create(Tx::new(conn, &user, now))).await?;
    let info = req.connection_info();
    let url = format!("{}://{}/api/v1/calendar/{token}", info.scheme(), info.host());
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CalendarFeed { url: Some(url), ..feed }))
}

/// When the caller's calendar feed was made (404 when it has none). The URL is not shown again.
#[utoipa::path(get, path = "/api/v1/auth/calendar-feed", tag = "calendar",
    responses(
        (status = 200, body = CalendarFeed),
        (status = 404, description = "The caller has no calendar feed", body = crate::error::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_calendar_feed(user: AuthUser, state: State) -> Reply {
    let feed = state.db.run(move |conn| service::get(conn, &user)).await?;
    Ok(HttpResponse::Ok().json(feed))
}

/// Revoke the caller's calendar feed: its URL answers 404 from now on.
#[utoipa::path(delete, path = "/api/v1/auth/calendar-feed", tag = "calendar",
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "The caller has no calendar feed", body = crate::error::Problem,
            content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn revoke_calendar_feed(user: AuthUser, state: State) -> Reply {
    let now = state.clock.now();
    state.db.write(move |conn| service::revoke(Tx::new(conn, &user, now))).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The calendar feed (iCalendar, RFC 5545) of the user this token belongs to: the meetings its
/// organization organizes or takes part in (from a year back), the due dates of its open commitments
/// and action items, and the end dates of its active agreements. No bearer token: the secret token in
/// the URL is the credential. 404 for an unknown or revoked token or a disabled user.
#[utoipa::path(get, path = "/api/v1/calendar/{token}", tag = "calendar",
    params(("token" = String, Path, description = "The feed's secret token")),
    responses((status = 200, content((String = "text/calendar")))))]
pub async fn calendar(state: State, token: web::Path<String>) -> Reply {
    let (token, now) = (token.into_inner(), state.clock.now());
    let text = state.db.run(move |conn| service::feed(conn, &token, now)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .body(text))
}
