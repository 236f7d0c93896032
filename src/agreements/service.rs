//! The agreement and commitment use cases, each inside the caller's write transaction: load, check who
//! may, check the rules, write, and append the audit event.

use chrono::{DateTime, NaiveDate, Utc};

use super::commitments::{
    self, CommitmentPatch, CommitmentRow, Fields, NewCommitment, NewProgress, UpdateRow,
};
use super::lifecycle::{self, Content};
use super::model::{
    Agreement, AgreementPatch, AgreementRecord, AgreementRow, Amendment, AmendmentRow, NewAgreement,
    NewAmendment, Termination, bound_ids,
};
use super::repo;
use super::visibility;
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, FieldError, text};

/// The moment of a request, as the injected clock gives it.
#[derive(Debug, Clone, Copy)]
pub struct Now(pub DateTime<Utc>);

impl Now {
    pub fn today(self) -> NaiveDate {
        self.0.date_naive()
    }
}

fn may_edit(user: &AuthUser, parties: &[Id]) -> Result<(), AppError> {
    policy::authorize(user, Action::EditAgreement { parties })
}

/// 409 when another agreement carries this number.
fn check_number(conn: &mut DbConnection, content: &Content, except: Option<Id>) -> Result<(), AppError> {
    match &content.number {
        Some(number) if repo::number_taken(conn, number, except)? => Err(AppError::conflict(text(
            format!("Another agreement has the number {number}."),
            format!("Nomor {number} sudah dipakai perjanjian lain."),
        ))),
        _ => Ok(()),
    }
}

/// 422 for parties and regulations that do not exist.
fn check_references(conn: &mut DbConnection, content: &Content, party_field: &str) -> Result<(), AppError> {
    let mut errors = Vec::new();
    let missing = crate::organizations::repo::missing(conn, &content.party_ids())?;
    for (i, p) in content.parties.iter().enumerate() {
        if missing.contains(&p.organization_id) {
            errors.push(FieldError::new(
                format!("{party_field}[{i}].organization_id"),
                text("names no organization", "tidak menunjuk organisasi yang ada"),
            ));
        }
    }
    // The list is normalised (sorted, each once), so the error names the id rather than a position.
    for r in crate::regulations::repo::missing(conn, &content.legal_basis)? {
        errors.push(FieldError::new(
            "legal_basis",
            text(format!("names no regulation: {r}"), format!("tidak menunjuk peraturan yang ada: {r}")),
        ));
    }
    if errors.is_empty() { Ok(()) } else { Err(AppError::validation(errors)) }
}

pub fn create(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    body: NewAgreement,
) -> Result<Agreement, AppError> {
    // Who may create is decided before the body is checked: a refused user learns nothing about it.
    may_edit(user, &bound_ids(&body.parties))?;
    let content = Content::from_new(body)?;
    check_references(conn, &content, "parties")?;
    check_number(conn, &content, None)?;
    let at = from_utc(now.0);
    let mut row = AgreementRow {
        id: Id::new(),
        number: None,
        title: String::new(),
        kind: String::new(),
        status: "draft".to_string(),
        signed_on: None,
        effective_from: None,
        effective_until: None,
        summary: None,
        confidentiality: String::new(),
        terminated_on: None,
        termination_reason: None,
        version: 1,
        created_at: at,
        updated_at: at,
        created_by: Some(user.id),
    };
    content.apply_to(&mut row);
    repo::insert(conn, &row, &content)?;
    let created = repo::load(conn, row.id)?.view(now.today());
    audit::record(conn, &user.actor(), now.0, Change::new("create", "agreement", row.id).after(&created))?;
    Ok(created)
}

pub fn update(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    id: Id,
    if_match: &crate::http::IfMatch,
    patch: AgreementPatch,
) -> Result<Agreement, AppError> {
    let current = visibility::agreement(conn, user, id)?;
    may_edit(user, &current.bound_party_ids())?;
    if_match.check(current.row.version)?;
    let next = Content::of(&current).patched(patch)?;
    lifecycle::check_edit(&current, &next)?;
    // The user must also be able to edit what the agreement becomes: nobody hands an agreement to
    // parties they do not act for.
    may_edit(user, &next.bound_party_ids())?;
    check_references(conn, &next, "parties")?;
    check_number(conn, &next, Some(id))?;
    let children_changed = {
        let before = Content::of(&current);
        before.parties != next.parties
            || before.scopes != next.scopes
            || before.legal_basis != next.legal_basis
    };
    let mut row = current.row.clone();
    next.apply_to(&mut row);
    save(conn, user, now, &current, row, children_changed.then_some(&next), "update")
}

/// Writes the new row (and child rows), bumps the version, and records the change.
fn save(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    current: &AgreementRecord,
    mut row: AgreementRow,
    content: Option<&Content>,
    action: &str,
) -> Result<Agreement, AppError> {
    row.version = current.row.version + 1;
    row.updated_at = from_utc(now.0);
    repo::update(conn, &row, current.row.version, content)?;
    let before = current.view(now.today());
    let after = repo::load(conn, row.id)?.view(now.today());
    audit::record(
        conn,
        &user.actor(),
        now.0,
        Change::new(action, "agreement", row.id).before(&before).after(&after),
    )?;
    Ok(after)
}

pub fn delete(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    id: Id,
    if_match: &crate::http::IfMatch,
) -> Result<(), AppError> {
    policy::authorize_role(user, Action::EditAgreement { parties: &[] })?;
    let current = visibility::agreement(conn, user, id)?;
    may_edit(user, &current.bound_party_ids())?;
    if_match.check(current.row.version)?;
    if current.row.status != "draft" {
        return Err(AppError::conflict(text(
            "Only a draft agreement can be deleted; terminate an active one instead.",
            "Hanya perjanjian berstatus draf yang dapat dihapus; akhiri perjanjian yang berlaku.",
        )));
    }
    crate::http::ensure_unreferenced(conn, id, repo::REFERENCES, None)?;
    let before = current.view(now.today());
    let commitments = commitments::all_of(conn, id)?;
    repo::delete(conn, id, current.row.version)?;
    let mut change = Change::new("delete", "agreement", id).before(&before);
    if !commitments.is_empty() {
        change.before = Some(serde_json::json!({
            "agreement": before,
            "commitments": commitments.iter().map(|c| c.view(now.today())).collect::<Vec<_>>(),
        }));
    }
    audit::record(conn, &user.actor(), now.0, change)?;
    Ok(())
}

pub fn activate(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    id: Id,
    if_match: &crate::http::IfMatch,
) -> Result<Agreement, AppError> {
    policy::authorize_role(user, Action::EditAgreement { parties: &[] })?;
    let current = visibility::agreement(conn, user, id)?;
    may_edit(user, &current.bound_party_ids())?;
    check_optional(if_match, current.row.version)?;
    lifecycle::check_activation(&current)?;
    let mut row = current.row.clone();
    row.status = "active".to_string();
    save(conn, user, now, &current, row, None, "activate")
}

pub fn terminate(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    id: Id,
    if_match: &crate::http::IfMatch,
    body: Termination,
) -> Result<Agreement, AppError> {
    let current = visibility::agreement(conn, user, id)?;
    may_edit(user, &current.bound_party_ids())?;
    check_optional(if_match, current.row.version)?;
    let reason = lifecycle::check_termination(&current, &body)?;
    let mut row = current.row.clone();
    row.status = "terminated".to_string();
    row.terminated_on = Some(body.terminated_on);
    row.termination_reason = Some(reason);
    save(conn, user, now, &current, row, None, "terminate")
}

/// State transitions by POST take `If-Match` when the client sends it (a stale one is 412), and do not
/// demand it: the transition's own precondition (the status) already guards against lost updates.
fn check_optional(if_match: &crate::http::IfMatch, version: i32) -> Result<(), AppError> {
    match if_match.version() {
        Err(e) if e.status.as_u16() == 428 => Ok(()),
        _ => if_match.check(version),
    }
}

pub fn amend(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    id: Id,
    body: NewAmendment,
) -> Result<(Agreement, Amendment), AppError> {
    let current = visibility::agreement(conn, user, id)?;
    may_edit(user, &current.bound_party_ids())?;
    // A repeated amendment is told as such before its changes are checked against the amended state.
    let number = body.number.trim();
    if repo::amendment_number_taken(conn, id, number)? {
        return Err(AppError::conflict(text(
            format!("The agreement already has an amendment numbered {number}."),
            format!("Perjanjian ini sudah memiliki adendum bernomor {number}."),
        )));
    }
    let (next, amendment) = lifecycle::amend(&current, &body)?;
    may_edit(user, &next.bound_party_ids())?;
    check_references(conn, &next, "changes.parties_added")?;
    let mut row = current.row.clone();
    next.apply_to(&mut row);
    let kept = AmendmentRow {
        id: Id::new(),
        agreement_id: id,
        number: amendment.number,
        signed_on: amendment.signed_on,
        summary: amendment.summary,
        changes: serde_json::to_string(&amendment.changes)
            .map_err(|e| AppError::internal(format!("amendment changes: {e}")))?,
        created_at: from_utc(now.0),
        created_by: Some(user.id),
    };
    repo::insert_amendment(conn, &kept)?;
    // The audit event of the agreement carries the amendment, so that the trail shows why it changed.
    row.version = current.row.version + 1;
    row.updated_at = from_utc(now.0);
    repo::update(conn, &row, current.row.version, Some(&next))?;
    let amendment = Amendment::from(kept);
    let before = current.view(now.today());
    let after = repo::load(conn, id)?.view(now.today());
    audit::record(
        conn,
        &user.actor(),
        now.0,
        Change::new("amend", "agreement", id)
            .before(&before)
            .after(&serde_json::json!({"agreement": after, "amendment": amendment})),
    )?;
    Ok((after, amendment))
}

pub fn create_commitment(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    agreement_id: Id,
    body: NewCommitment,
) -> Result<commitments::Commitment, AppError> {
    let agreement = visibility::agreement(conn, user, agreement_id)?;
    policy::authorize(user, Action::EditCommitment { parties: &agreement.bound_party_ids() })?;
    let fields = Fields::from_new(body).check(conn, &agreement)?;
    let at = from_utc(now.0);
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
        status: "planned".to_string(),
        progress_pct: 0,
        value_achieved: None,
        version: 1,
        created_at: at,
        updated_at: at,
        created_by: Some(user.id),
    };
    fields.apply_to(&mut row);
    commitments::insert(conn, &row)?;
    let created = row.view(now.today());
    audit::record(conn, &user.actor(), now.0, Change::new("create", "commitment", row.id).after(&created))?;
    Ok(created)
}

pub fn update_commitment(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    id: Id,
    if_match: &crate::http::IfMatch,
    patch: CommitmentPatch,
) -> Result<commitments::Commitment, AppError> {
    let (agreement, current) = visibility::commitment(conn, user, id)?;
    policy::authorize(user, Action::EditCommitment { parties: &agreement.bound_party_ids() })?;
    if_match.check(current.version)?;
    let fields = Fields::of(&current).patched(patch).check(conn, &agreement)?;
    let mut row = current.clone();
    fields.apply_to(&mut row);
    row.version = current.version + 1;
    row.updated_at = from_utc(now.0);
    commitments::update(conn, &row, current.version)?;
    let (before, after) = (current.view(now.today()), row.view(now.today()));
    audit::record(
        conn,
        &user.actor(),
        now.0,
        Change::new("update", "commitment", id).before(&before).after(&after),
    )?;
    Ok(after)
}

/// Appends a progress report; the newest report sets the commitment's status, progress and value.
pub fn report_progress(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: Now,
    id: Id,
    body: NewProgress,
) -> Result<(commitments::Commitment, commitments::ProgressUpdate), AppError> {
    let (agreement, current) = visibility::commitment(conn, user, id)?;
    policy::authorize(
        user,
        Action::ReportCommitment {
            parties: &agreement.bound_party_ids(),
            responsible: current.responsible_organization_id,
        },
    )?;
    let last = commitments::last_update(conn, id)?;
    let status = body.status;
    let value = body.value_achieved;
    let (reported_on, progress, note) =
        commitments::check_progress(&agreement, &current, last.as_ref(), body, now.today())?;
    let update = UpdateRow {
        id: Id::new(),
        commitment_id: id,
        reported_on,
        status: status.as_str().to_string(),
        progress_pct: progress,
        value_achieved: value,
        note,
        created_at: from_utc(now.0),
        created_by: Some(user.id),
    };
    commitments::insert_update(conn, &update)?;
    let mut row = current.clone();
    row.status = update.status.clone();
    row.progress_pct = progress;
    if value.is_some() {
        row.value_achieved = value;
    }
    row.version = current.version + 1;
    row.updated_at = from_utc(now.0);
    commitments::update(conn, &row, current.version)?;
    let update = commitments::ProgressUpdate::from(update);
    let (before, after) = (current.view(now.today()), row.view(now.today()));
    audit::record(
        conn,
        &user.actor(),
        now.0,
        Change::new("report_progress", "commitment", id)
            .before(&before)
            .after(&serde_json::json!({"commitment": after, "update": update})),
    )?;
    Ok((after, update))
}
