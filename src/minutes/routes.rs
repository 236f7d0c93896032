//! `/activities/{id}/attendees`, `/activities/{id}/attendees/{attendee_id}`, `/activities/{id}/minutes`,
//! `/activities/{id}/minutes/finalise` and `/activities/{id}/minutes/corrections`: thin handlers over
//! [`super::service`].

use actix_web::{HttpRequest, HttpResponse, web};

use super::model::{Attendee, Correction, MeetingRecord, Minutes, NewAttendee, NewCorrection};
use super::{print, service};
use crate::auth::{Action, AuthUser, policy};
use crate::db::Id;
use crate::error::AppError;
use crate::http::problems::MinutesFinal;
use crate::http::{Endpoint, Idempotency, Json, Tx, with_etag, write};
use crate::pdf::{self, Printing};
use crate::state::AppState;

crate::gate!(Action::LogActivity { involved: &[] } => NewAttendee);
crate::gate!(Action::FinaliseMinutes { organizer: Id::NIL } => NewCorrection);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(Endpoint::new("/activities/{id}/attendees").get(list_attendees).post(add_attendee))
        .service(Endpoint::new("/activities/{id}/attendees/{attendee_id}").delete(remove_attendee))
        .service(Endpoint::new("/activities/{id}/minutes").get(get_minutes))
        .service(Endpoint::new("/activities/{id}/minutes/finalise").post(finalise_minutes))
        .service(Endpoint::new("/activities/{id}/minutes/corrections").post(correct_minutes));
}

/// The activity's attendees (its daftar hadir), in the order they were listed. With
/// `Accept: application/pdf`, the daftar hadir to print (A4, one row per attendee with room to sign).
#[utoipa::path(get, path = "/api/v1/activities/{id}/attendees", tag = "activities",
    params(("id" = Id, Path)),
    responses((status = 200, content((Vec<Attendee> = "application/json"), (Vec<u8> = "application/pdf")))),
    security(("bearer" = [])))]
pub async fn list_attendees(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    if pdf::wanted(&req) {
        return printed(&state, user, id, "daftar-hadir", print::daftar_hadir).await;
    }
    let list = state.db.run(move |conn| service::list_attendees(conn, &user, id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

/// The printed record of the activity, made from what one read of the database holds.
async fn printed(
    state: &AppState,
    user: AuthUser,
    id: Id,
    name: &'static str,
    print: fn(&MeetingRecord, Printing) -> Result<Vec<u8>, AppError>,
) -> Result<HttpResponse, AppError> {
    let printing = Printing { at: state.clock.now(), zone: state.settings.time_zone };
    let record = state.db.run(move |conn| service::meeting_record(conn, &user, id)).await?;
    let file = pdf::render(move || print(&record, printing)).await?;
    Ok(pdf::respond(file, &format!("{name}-{id}")))
}

/// List a person who attended: name, position, the organization they came for (the organizer or a
/// participant) and optionally the contact they are. Whoever may edit the activity; 409 once its
/// minutes are final.
#[utoipa::path(post, path = "/api/v1/activities/{id}/attendees", tag = "activities", request_body = NewAttendee,
    params(("id" = Id, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry")),
    responses(
        (status = 201, body = Attendee, headers(("Location" = String))),
        MinutesFinal,
        (status = 422, description = "Invalid fields (all listed): an organization not involved in the activity, a contact of another organization", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn add_attendee(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewAttendee>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let add = move |tx: Tx<'_>, input| service::add_attendee(tx, id, input);
    let address = |a: &Attendee| (format!("/api/v1/activities/{}/attendees/{}", a.activity_id, a.id), None);
    write::append(&state, user, idem, body, address, add).await
}

/// Remove an attendee listed by mistake (409 once the minutes are final).
#[utoipa::path(delete, path = "/api/v1/activities/{id}/attendees/{attendee_id}", tag = "activities",
    params(("id" = Id, Path), ("attendee_id" = Id, Path)),
    responses(
        (status = 204, description = "Removed"),
        MinutesFinal,
    ),
    security(("bearer" = [])))]
pub async fn remove_attendee(
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(Id, Id)>,
) -> Result<HttpResponse, AppError> {
    let (id, attendee) = path.into_inner();
    write::delete(&state, user, move |tx| service::remove_attendee(tx, id, attendee)).await
}

/// The state of the activity's minutes (draft or final) and the corrections appended since. With
/// `Accept: application/pdf`, the notulen to print (A4): time, place, agenda, participants, minutes,
/// decisions, action items and corrections, under the organizer's letterhead.
#[utoipa::path(get, path = "/api/v1/activities/{id}/minutes", tag = "activities",
    params(("id" = Id, Path)),
    responses((status = 200, content((Minutes = "application/json"), (Vec<u8> = "application/pdf")),
        headers(("ETag" = String, description = "The minutes' version (JSON only)")))),
    security(("bearer" = [])))]
pub async fn get_minutes(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    policy::authorize(&user, Action::Read)?;
    let id = id.into_inner();
    if pdf::wanted(&req) {
        return printed(&state, user, id, "notulen", print::notulen).await;
    }
    let minutes = state.db.run(move |conn| service::get_minutes(conn, &user, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), minutes.version, &minutes))
}

/// Make the minutes, decisions and attendance of a held activity final. Staff of the organizing
/// organization (or one above it) and administrators; 409 when already final or the activity is not held.
#[utoipa::path(post, path = "/api/v1/activities/{id}/minutes/finalise", tag = "activities",
    params(("id" = Id, Path)),
    responses(
        (status = 200, body = Minutes, headers(("ETag" = String))),
        (status = 409, description = "Already final, or the activity is not held", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn finalise_minutes(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    write::transition(&state, user, move |tx| service::finalise(tx, id)).await
}

/// Append a correction (what and why) to final minutes; who and when are recorded. Staff of the
/// organizing organization and administrators; 409 while the minutes are a draft.
#[utoipa::path(post, path = "/api/v1/activities/{id}/minutes/corrections", tag = "activities", request_body = NewCorrection,
    params(("id" = Id, Path), ("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry")),
    responses(
        (status = 201, body = Correction, headers(("Location" = String))),
        (status = 409, description = "The minutes are a draft", body = crate::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn correct_minutes(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    idem: Idempotency,
    body: Json<NewCorrection>,
) -> Result<HttpResponse, AppError> {
    let id = id.into_inner();
    let correct = move |tx: Tx<'_>, input| service::correct(tx, id, input);
    let address = move |_: &Correction| (format!("/api/v1/activities/{id}/minutes"), None);
    write::append(&state, user, idem, body, address, correct).await
}
