//! The agreement use cases, each inside the caller's write transaction: load the agreement once, check
//! who may (the organization rules come before any other check: a refused user learns nothing), check the
//! rules of [`super::lifecycle`], write through [`super::repo`], and append the audit event. The
//! commitment use cases are in [`super::commitments::service`].

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::commitments::{Commitment, repo as commitments};
use super::lifecycle::{self, Content};
use super::model::{
    Agreement, AgreementPatch, AgreementRecord, AgreementRow, Amendment, AmendmentRow, NewAgreement,
    NewAmendment, StoredStatus, Termination, bound_ids,
};
use super::repo;
use super::visibility;
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, FieldError, text};
use crate::http::{IfMatch, Tx};

fn may_edit(user: &AuthUser, parties: &[Id]) -> Result<(), AppError> {
    policy::authorize(user, Action::EditAgreement { parties })
}

/// The agreement as the user may edit it: 403 for a role that never may (before anything is loaded, so
/// that a missing and an existing agreement answer alike), 404 when the user may not see it, 403 unless
/// the user acts for one of its bound parties.
fn editable(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<AgreementRecord, AppError> {
    policy::authorize_role(user, Action::EditAgreement { parties: &[] })?;
    let current = visibility::agreement(conn, user, id)?;
    may_edit(user, &current.bound_party_ids())?;
    Ok(current)
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

pub fn create(tx: Tx<'_>, input: NewAgreement) -> Result<Agreement, AppError> {
    let Tx { conn, user, now } = tx;
    // Who may create is decided before the body is checked: a refused user learns nothing about it.
    may_edit(user, &bound_ids(&input.parties))?;
    let content = Content::from_new(input)?;
    check_references(conn, &content, "parties")?;
    check_number(conn, &content, None)?;
    let at = from_utc(now);
    let mut row = AgreementRow {
        id: Id::new(),
        number: None,
        title: String::new(),
        kind: content.kind,
        status: StoredStatus::Draft,
        signed_on: None,
        effective_from: None,
        effective_until: None,
        summary: None,
        confidentiality: content.confidentiality,
        terminated_on: None,
        termination_reason: None,
        version: 1,
        created_at: at,
        updated_at: at,
        created_by: Some(user.id),
    };
    content.apply_to(&mut row);
    repo::insert(conn, &row, &content)?;
    // Read back for the parties' organization names.
    let created = repo::load(conn, row.id)?.view(now.date_naive());
    audit::record(conn, &user.actor(), now, Change::new("create", "agreement", row.id).after(&created))?;
    Ok(created)
}

pub fn update(tx: Tx<'_>, id: Id, if_match: &IfMatch, patch: AgreementPatch) -> Result<Agreement, AppError> {
    let Tx { conn, user, now } = tx;
    let current = editable(conn, user, id)?;
    if_match.check(current.row.version)?;
    let next = Content::of(&current).patched(patch)?;
    lifecycle::check_edit(&current, &next)?;
    // The user must also be able to edit what the agreement becomes: nobody hands an agreement to
    // parties they do not act for.
    may_edit(user, &next.bound_party_ids())?;
    check_references(conn, &next, "parties")?;
    check_number(conn, &next, Some(id))?;
    let mut row = current.row.clone();
    next.apply_to(&mut row);
    let after = write(conn, now, &current, row, Some(&next))?;
    record(conn, user, now, "update", &current, &after)
}

pub fn delete(tx: Tx<'_>, id: Id, if_match: &IfMatch) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    let current = editable(conn, user, id)?;
    if_match.check(current.row.version)?;
    if current.row.status != StoredStatus::Draft {
        return Err(AppError::conflict(text(
            "Only a draft agreement can be deleted; terminate an active one instead.",
            "Hanya perjanjian berstatus draf yang dapat dihapus; akhiri perjanjian yang berlaku.",
        )));
    }
    crate::http::ensure_unreferenced(conn, id, repo::REFERENCES, None)?;
    let today = now.date_naive();
    let before = current.view(today);
    let commitments: Vec<Commitment> = commitments::all_of(conn, id)?.iter().map(|c| c.view(today)).collect();
    repo::delete(conn, id, current.row.version)?;
    let change = Change::new("delete", "agreement", id);
    // The commitments go with the draft: the event keeps them too.
    let change = if commitments.is_empty() {
        change.before(&before)
    } else {
        change.before(&WithCommitments { agreement: &before, commitments: &commitments })
    };
    audit::record(conn, &user.actor(), now, change)?;
    Ok(())
}

/// A deleted draft with its commitments, as the audit event keeps it.
#[derive(Serialize)]
struct WithCommitments<'a> {
    agreement: &'a Agreement,
    commitments: &'a [Commitment],
}

pub fn activate(tx: Tx<'_>, id: Id, if_match: &IfMatch) -> Result<Agreement, AppError> {
    let Tx { conn, user, now } = tx;
    let current = editable(conn, user, id)?;
    check_optional(if_match, current.row.version)?;
    lifecycle::check_activation(&current)?;
    let mut row = current.row.clone();
    row.status = StoredStatus::Active;
    let after = write(conn, now, &current, row, None)?;
    record(conn, user, now, "activate", &current, &after)
}

pub fn terminate(tx: Tx<'_>, id: Id, if_match: &IfMatch, input: Termination) -> Result<Agreement, AppError> {
    let Tx { conn, user, now } = tx;
    let current = editable(conn, user, id)?;
    check_optional(if_match, current.row.version)?;
    let reason = lifecycle::check_termination(&current, &input)?;
    let mut row = current.row.clone();
    row.status = StoredStatus::Terminated;
    row.terminated_on = Some(input.terminated_on);
    row.termination_reason = Some(reason);
    let after = write(conn, now, &current, row, None)?;
    record(conn, user, now, "terminate", &current, &after)
}

/// State transitions by POST take `If-Match` when the client sends it (a stale one is 412), and do not
/// demand it: the transition's own precondition (the status) already guards against lost updates.
fn check_optional(if_match: &IfMatch, version: i32) -> Result<(), AppError> {
    match if_match.version() {
        Err(e) if e.status.as_u16() == 428 => Ok(()),
        _ => if_match.check(version),
    }
}

pub fn amend(tx: Tx<'_>, id: Id, input: NewAmendment) -> Result<Amendment, AppError> {
    let Tx { conn, user, now } = tx;
    let current = editable(conn, user, id)?;
    // A repeated amendment is told as such before its changes are checked against the amended state.
    let number = input.number.trim();
    if repo::amendment_number_taken(conn, id, number)? {
        return Err(AppError::conflict(text(
            format!("The agreement already has an amendment numbered {number}."),
            format!("Perjanjian ini sudah memiliki adendum bernomor {number}."),
        )));
    }
    let (next, amendment) = lifecycle::amend(&current, &input)?;
    may_edit(user, &next.bound_party_ids())?;
    check_references(conn, &next, "changes.parties_added")?;
    let kept = AmendmentRow {
        id: Id::new(),
        agreement_id: id,
        number: amendment.number,
        signed_on: amendment.signed_on,
        summary: amendment.summary,
        changes: serde_json::to_string(&amendment.changes)
            .map_err(|e| AppError::internal(format!("amendment changes: {e}")))?,
        created_at: from_utc(now),
        created_by: Some(user.id),
    };
    repo::insert_amendment(conn, &kept)?;
    let amendment = Amendment::try_from(kept)?;
    let mut row = current.row.clone();
    next.apply_to(&mut row);
    let after = write(conn, now, &current, row, Some(&next))?;
    // The audit event of the agreement carries the amendment, so that the trail shows why it changed.
    let today = now.date_naive();
    let amended = Amended { agreement: &after.view(today), amendment: &amendment };
    let change = Change::new("amend", "agreement", id).before(&current.view(today)).after(&amended);
    audit::record(conn, &user.actor(), now, change)?;
    Ok(amendment)
}

/// An amended agreement with its amendment, as the audit event keeps it.
#[derive(Serialize)]
struct Amended<'a> {
    agreement: &'a Agreement,
    amendment: &'a Amendment,
}

/// Writes the changed row with the next version, and the child rows (parties, scopes, legal basis) when
/// `content` changes them; answers the agreement as it now stands.
fn write(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    current: &AgreementRecord,
    mut row: AgreementRow,
    content: Option<&Content>,
) -> Result<AgreementRecord, AppError> {
    row.version = current.row.version + 1;
    row.updated_at = from_utc(now);
    let children = content.filter(|next| {
        let before = Content::of(current);
        before.parties != next.parties
            || before.scopes != next.scopes
            || before.legal_basis != next.legal_basis
    });
    repo::update(conn, &row, current.row.version, children)?;
    match children {
        // Child rows replaced: read back, for the parties' organization names.
        Some(_) => repo::load(conn, row.id),
        None => Ok(AgreementRecord { row, ..current.clone() }),
    }
}

/// Records the change from `current` to `after` and answers the agreement as the API shows it.
fn record(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    action: &str,
    current: &AgreementRecord,
    after: &AgreementRecord,
) -> Result<Agreement, AppError> {
    let today = now.date_naive();
    let (before, after) = (current.view(today), after.view(today));
    let change = Change::new(action, "agreement", after.id).before(&before).after(&after);
    audit::record(conn, &user.actor(), now, change)?;
    Ok(after)
}
