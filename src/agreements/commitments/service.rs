//! The commitment use cases, each inside the caller's write transaction: load the commitment (or the
//! agreement) once, check who may, check the rules, write, and append the audit event.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::model::{
    Commitment, CommitmentPatch, CommitmentRow, CommitmentStatus, NewCommitment, NewProgress, ProgressUpdate,
    UpdateRow,
};
use super::repo;
use crate::agreements::model::{AgreementRecord, StoredStatus, checks};
use crate::agreements::visibility;
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{IfMatch, Tx, Validator};

/// The agreement and commitment the user may edit: 403 for a role that never may (before anything is
/// loaded), 404 when the user may not see the agreement, 403 unless the user acts for one of its parties.
fn editable(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: Id,
) -> Result<(AgreementRecord, CommitmentRow), AppError> {
    policy::authorize_role(user, Action::EditCommitment { parties: &[] })?;
    let (agreement, commitment) = visibility::commitment(conn, user, id)?;
    policy::authorize(user, Action::EditCommitment { parties: &agreement.bound_party_ids() })?;
    Ok((agreement, commitment))
}

pub fn create(tx: Tx<'_>, agreement_id: Id, input: NewCommitment) -> Result<Commitment, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize_role(user, Action::EditCommitment { parties: &[] })?;
    let agreement = visibility::agreement(conn, user, agreement_id)?;
    policy::authorize(user, Action::EditCommitment { parties: &agreement.bound_party_ids() })?;
    let fields = check_fields(conn, &agreement, input)?;
    let at = from_utc(now);
    let mut row = CommitmentRow {
        id: Id::new(),
        agreement_id,
        title: String::new(),
        description: None,
        responsible_organization_id: fields.responsible_organization_id,
        scope: None,
        due_on: None,
        target_value: None,
        target_unit: None,
        status: CommitmentStatus::Planned,
        progress_pct: 0,
        value_achieved: None,
        version: 1,
        created_at: at,
        updated_at: at,
        created_by: Some(user.id),
    };
    row.set_fields(fields);
    repo::insert(conn, &row)?;
    let created = row.view(now.date_naive());
    audit::record(conn, &user.actor(), now, Change::new("create", "commitment", row.id).after(&created))?;
    Ok(created)
}

pub fn update(
    tx: Tx<'_>,
    id: Id,
    if_match: &IfMatch,
    patch: CommitmentPatch,
) -> Result<Commitment, AppError> {
    let Tx { conn, user, now } = tx;
    let (agreement, current) = editable(conn, user, id)?;
    if_match.check(current.version)?;
    let fields = check_fields(conn, &agreement, current.fields().patched(patch))?;
    let mut row = current.clone();
    row.set_fields(fields);
    let (before, after) = save(conn, now, &current, row)?;
    audit::record(
        conn,
        &user.actor(),
        now,
        Change::new("update", "commitment", id).before(&before).after(&after),
    )?;
    Ok(after)
}

/// Appends a progress report; the newest report sets the commitment's status, progress and value.
pub fn report_progress(tx: Tx<'_>, id: Id, input: NewProgress) -> Result<ProgressUpdate, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize_role(user, Action::ReportCommitment { parties: &[], responsible: Id::NIL })?;
    let (agreement, current) = visibility::commitment(conn, user, id)?;
    policy::authorize(
        user,
        Action::ReportCommitment {
            parties: &agreement.bound_party_ids(),
            responsible: current.responsible_organization_id,
        },
    )?;
    let last = repo::last_update(conn, id)?;
    let (reported_on, progress_pct, note) =
        check_progress(&agreement, &current, last.as_ref(), &input, now.date_naive())?;
    let update = UpdateRow {
        id: Id::new(),
        commitment_id: id,
        reported_on,
        status: input.status,
        progress_pct,
        value_achieved: input.value_achieved,
        note,
        created_at: from_utc(now),
        created_by: Some(user.id),
    };
    repo::insert_update(conn, &update)?;
    let mut row = current.clone();
    row.status = update.status;
    row.progress_pct = update.progress_pct;
    if update.value_achieved.is_some() {
        row.value_achieved = update.value_achieved;
    }
    let update = ProgressUpdate::from(update);
    let (before, after) = save(conn, now, &current, row)?;
    // The audit event carries the report, so that the trail shows why the commitment changed.
    let after = Reported { commitment: &after, update: &update };
    let change = Change::new("report_progress", "commitment", id).before(&before).after(&after);
    audit::record(conn, &user.actor(), now, change)?;
    Ok(update)
}

/// The state a progress report leaves, as its audit event keeps it.
#[derive(Serialize)]
struct Reported<'a> {
    commitment: &'a Commitment,
    update: &'a ProgressUpdate,
}

/// Writes the changed row with the next version; answers the commitment before and after.
fn save(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    current: &CommitmentRow,
    mut row: CommitmentRow,
) -> Result<(Commitment, Commitment), AppError> {
    row.version = current.version + 1;
    row.updated_at = from_utc(now);
    repo::update(conn, &row, current.version)?;
    let today = now.date_naive();
    Ok((current.view(today), row.view(today)))
}

/// Checks a commitment's fields against its agreement: 409 when the agreement is terminated, 422
/// naming every invalid field otherwise (the responsible organization must be a party or under one, the
/// scope one of the agreement's). Answers the fields normalised (texts trimmed).
fn check_fields(
    conn: &mut DbConnection,
    agreement: &AgreementRecord,
    fields: NewCommitment,
) -> Result<NewCommitment, AppError> {
    if agreement.row.status == StoredStatus::Terminated {
        return Err(AppError::conflict(text(
            "The agreement is terminated: its commitments can no longer be added or changed.",
            "Perjanjian sudah diakhiri: komitmennya tidak dapat ditambah atau diubah lagi.",
        )));
    }
    let mut v = Validator::new();
    let title = v.required("title", Some(fields.title.clone()), checks::MAX_TITLE);
    let description = v.optional("description", fields.description.clone(), checks::MAX_TEXT);
    v.date("due_on", fields.due_on);
    let chain = crate::organizations::repo::with_ancestors(conn, Some(fields.responsible_organization_id))?;
    let parties = agreement.bound_party_ids();
    v.check(
        chain.iter().any(|org| parties.contains(org)),
        "responsible_organization_id",
        text(
            "must be a party to the agreement or an organization under a party",
            "harus pihak dalam perjanjian atau organisasi di bawah salah satu pihak",
        ),
    );
    v.check(
        fields.scope.is_none_or(|scope| agreement.scopes.contains(&scope)),
        "scope",
        text("must be one of the agreement's scopes", "harus salah satu ruang lingkup perjanjian"),
    );
    v.check(
        fields.target_value.is_none_or(|t| t >= 0),
        "target_value",
        text("must not be negative", "tidak boleh negatif"),
    );
    v.check(
        fields.target_value.is_some() == fields.target_unit.is_some(),
        "target_unit",
        text(
            "target_value and target_unit go together: give both or neither",
            "target_value dan target_unit harus diisi bersama atau dikosongkan bersama",
        ),
    );
    v.finish()?;
    Ok(NewCommitment { title, description, ..fields })
}

/// Checks a progress report against the commitment and its log, and answers the report as it will be
/// kept: the date, the progress and the note (defaults filled in). 409 when the commitment is final or
/// the agreement not yet in force.
fn check_progress(
    agreement: &AgreementRecord,
    commitment: &CommitmentRow,
    last: Option<&UpdateRow>,
    input: &NewProgress,
    today: NaiveDate,
) -> Result<(NaiveDate, i32, Option<String>), AppError> {
    if commitment.status.is_final() {
        return Err(AppError::conflict(text(
            format!("The commitment is {}: it takes no further progress reports.", commitment.status),
            format!("Komitmen berstatus {}: tidak menerima laporan kemajuan lagi.", commitment.status),
        )));
    }
    if agreement.row.status == StoredStatus::Draft {
        return Err(AppError::conflict(text(
            "The agreement is still a draft: progress is reported once it is active.",
            "Perjanjian masih draf: kemajuan dilaporkan setelah perjanjian berlaku.",
        )));
    }
    let mut v = Validator::new();
    let reported_on = input.reported_on.unwrap_or(today);
    v.date("reported_on", Some(reported_on));
    v.check(
        reported_on <= today,
        "reported_on",
        text("must not be in the future", "tidak boleh di masa depan"),
    );
    if let Some(last) = last {
        v.check(
            reported_on >= last.reported_on,
            "reported_on",
            text(
                format!("must not be before the previous report ({})", last.reported_on),
                format!("tidak boleh sebelum laporan sebelumnya ({})", last.reported_on),
            ),
        );
    }
    let progress = input.progress_pct.unwrap_or(match input.status {
        CommitmentStatus::Fulfilled => 100,
        _ => commitment.progress_pct,
    });
    v.range("progress_pct", i64::from(progress), 0, 100);
    if !v.has_error("progress_pct") {
        v.check(
            input.status != CommitmentStatus::Fulfilled || progress == 100,
            "progress_pct",
            text("must be 100 when the commitment is fulfilled", "harus 100 bila komitmen terpenuhi"),
        );
    }
    v.check(
        input.value_achieved.is_none_or(|x| x >= 0),
        "value_achieved",
        text("must not be negative", "tidak boleh negatif"),
    );
    let note = v.optional("note", input.note.clone(), checks::MAX_TEXT);
    v.finish()?;
    Ok((reported_on, progress, note))
}
