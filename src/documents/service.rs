//! The document use cases. Every one starts from the record the document is attached to: a document is
//! visible when that record is (404 otherwise, exactly as for an id that names nothing), and may be
//! attached or deleted by whoever may edit that record, as the policy module decides for the record's
//! own kind of write (an agreement's or amendment's: editing the agreement; an activity's: logging it; a
//! progress report's: reporting on the commitment; an outcome's: recording it).

use std::io::{Read, Seek, SeekFrom};

use super::CHUNK_SIZE;
use super::model::{Document, OwnerKind};
use super::repo;
use super::spool::Spooled;
use crate::agreements::visibility;
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::schema::{amendments, commitment_updates};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::{IfMatch, Tx};

/// Who may edit a record, as the organizations the policy decides on.
enum EditRule {
    Agreement { parties: Vec<Id> },
    Report { parties: Vec<Id>, responsible: Id },
    Activity { involved: Vec<Id> },
    Outcome { credited: Id },
}

impl EditRule {
    fn action(&self) -> Action<'_> {
        match self {
            EditRule::Agreement { parties } => Action::EditAgreement { parties },
            EditRule::Report { parties, responsible } => {
                Action::ReportCommitment { parties, responsible: *responsible }
            }
            EditRule::Activity { involved } => Action::LogActivity { involved },
            EditRule::Outcome { credited } => Action::RecordOutcome { credited: *credited },
        }
    }
}

/// The kind of write that attaching to a record of `kind` is, for some organization: a role that may
/// never make it is refused before anything is loaded or read.
pub fn role_action(kind: OwnerKind) -> Action<'static> {
    match kind {
        OwnerKind::Agreement | OwnerKind::Amendment => Action::EditAgreement { parties: &[] },
        OwnerKind::CommitmentUpdate => Action::ReportCommitment { parties: &[], responsible: Id::NIL },
        OwnerKind::Activity => Action::LogActivity { involved: &[] },
        OwnerKind::Outcome => Action::RecordOutcome { credited: Id::NIL },
    }
}

/// The record, if the user may see it (404 otherwise), with the rule of who may edit it.
fn owner(conn: &mut DbConnection, user: &AuthUser, kind: OwnerKind, id: Id) -> Result<EditRule, AppError> {
    use diesel::prelude::*;
    Ok(match kind {
        OwnerKind::Agreement => {
            EditRule::Agreement { parties: visibility::agreement(conn, user, id)?.bound_party_ids() }
        }
        OwnerKind::Amendment => {
            let agreement: Id = amendments::table
                .find(id)
                .select(amendments::agreement_id)
                .first(conn)
                .map_err(crate::agreements::repo::named("amendments", id))?;
            EditRule::Agreement { parties: visibility::agreement(conn, user, agreement)?.bound_party_ids() }
        }
        OwnerKind::CommitmentUpdate => {
            let commitment: Id = commitment_updates::table
                .find(id)
                .select(commitment_updates::commitment_id)
                .first(conn)
                .map_err(crate::agreements::repo::named("commitment_updates", id))?;
            let (agreement, commitment) = visibility::commitment(conn, user, commitment)?;
            EditRule::Report {
                parties: agreement.bound_party_ids(),
                responsible: commitment.responsible_organization_id,
            }
        }
        OwnerKind::Activity => {
            EditRule::Activity { involved: crate::activities::service::visible(conn, user, id)?.involved() }
        }
        OwnerKind::Outcome => {
            EditRule::Outcome { credited: crate::outcomes::service::visible(conn, user, id)?.organization_id }
        }
    })
}

/// `Ok` when the user may attach documents to the record and delete them: 403 for a role that never may
/// (before anything is loaded), 404 when the record is not visible, 403 when the user may not edit it.
pub fn may_attach(conn: &mut DbConnection, user: &AuthUser, kind: OwnerKind, id: Id) -> Result<(), AppError> {
    policy::authorize_role(user, role_action(kind))?;
    let rule = owner(conn, user, kind, id)?;
    policy::authorize(user, rule.action())
}

/// The documents of a record the user may see, oldest first.
pub fn list(
    conn: &mut DbConnection,
    user: &AuthUser,
    kind: OwnerKind,
    id: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Document>, AppError> {
    owner(conn, user, kind, id)?;
    repo::list(conn, kind, id, after, limit)
}

/// The document, if the user may see the record it is attached to (404 otherwise).
pub fn visible(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<Document, AppError> {
    let document = repo::find(conn, id)?;
    owner(conn, user, document.owner_kind, document.owner_id)?;
    Ok(document)
}

/// Stores the spooled file as a document of the record, chunk by chunk, with its audit event (which
/// carries the SHA-256).
pub fn attach(
    tx: Tx<'_>,
    kind: OwnerKind,
    owner_id: Id,
    upload: &mut Spooled,
    media_type: &str,
) -> Result<Document, AppError> {
    let Tx { conn, user, now } = tx;
    may_attach(conn, user, kind, owner_id)?;
    let document = Document {
        id: Id::new(),
        owner_kind: kind,
        owner_id,
        file_name: upload.file_name.clone(),
        media_type: media_type.to_string(),
        size_bytes: i64::try_from(upload.size).map_err(|_| AppError::internal("upload size"))?,
        sha256: upload.sha256.clone(),
        chunk_size: CHUNK_SIZE as i32,
        version: 1,
        created_at: from_utc(now),
        created_by: user.user_id(),
    };
    repo::insert(conn, &document)?;
    let io = |e: std::io::Error| AppError::internal(format!("reading a spooled upload: {e}"));
    let file = upload.file.as_file_mut();
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut buffer = vec![0u8; CHUNK_SIZE];
    let mut seq = 0;
    loop {
        let n = read_full(file, &mut buffer).map_err(io)?;
        if n == 0 {
            break;
        }
        repo::insert_chunk(conn, document.id, seq, &buffer[..n])?;
        seq += 1;
        if n < CHUNK_SIZE {
            break;
        }
    }
    audit::record(conn, &user.actor(), now, Change::new("attach", "document", document.id).after(&document))?;
    Ok(document)
}

/// Reads until `buffer` is full or the file ends; answers how many bytes were read.
fn read_full(file: &mut impl Read, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Deletes the document and its content; the audit trail keeps its event (with the SHA-256) and the
/// deletion's.
pub fn delete(tx: Tx<'_>, id: Id, if_match: &IfMatch) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    if !OwnerKind::ALL.iter().any(|&kind| policy::may_ever(user.role, role_action(kind))) {
        return Err(AppError::forbidden());
    }
    // The record first: a document of a record the user may not see is 404, as a missing one is.
    let document = repo::find(conn, id)?;
    let rule = owner(conn, user, document.owner_kind, document.owner_id)?;
    policy::authorize_role(user, role_action(document.owner_kind))?;
    policy::authorize(user, rule.action())?;
    if_match.check(document.version)?;
    repo::delete(conn, id)?;
    audit::record(conn, &user.actor(), now, Change::new("delete", "document", id).before(&document))?;
    Ok(())
}
