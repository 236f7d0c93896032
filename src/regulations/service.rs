//! The regulation use cases, each inside the caller's write transaction: check who may, check the
//! fields, write, and record the audit event.

use super::model::{NewRegulation, Regulation, RegulationFields, RegulationPatch};
use super::repo;
use crate::auth::{Action, policy};
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{IfMatch, Tx, versioned};

/// 409 when another regulation has the same kind, number, year and issuer.
fn ensure_unique(
    conn: &mut DbConnection,
    fields: &RegulationFields,
    this: Option<Id>,
) -> Result<(), AppError> {
    if repo::same_key(conn, fields, this)?.is_none() {
        return Ok(());
    }
    let name = format!("{} {}/{} ({})", fields.kind, fields.number, fields.year, fields.issuer);
    Err(AppError::conflict(text(
        format!("The regulation {name} is registered already."),
        format!("Regulasi {name} sudah terdaftar."),
    )))
}

pub fn create(tx: Tx<'_>, input: NewRegulation) -> Result<Regulation, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::EditRegistry)?;
    let fields = input.validate(now.date_naive())?;
    ensure_unique(conn, &fields, None)?;
    versioned::create(conn, user, now, &fields)
}

pub fn update(
    tx: Tx<'_>,
    id: Id,
    if_match: &IfMatch,
    patch: RegulationPatch,
) -> Result<Regulation, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::EditRegistry)?;
    versioned::update(
        conn,
        user,
        now,
        (id, if_match),
        |_| Ok(()),
        |conn, current: &Regulation| {
            let fields = patch.apply(current).validate(now.date_naive())?;
            if fields != RegulationFields::from(current) {
                ensure_unique(conn, &fields, Some(id))?;
            }
            Ok(fields)
        },
    )
}

/// Deletes a regulation that nothing rests on (else 409).
pub fn delete(tx: Tx<'_>, id: Id, if_match: &IfMatch) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::EditRegistry)?;
    versioned::delete::<Regulation>(conn, user, now, (id, if_match), |_| Ok(()), (repo::REFERENCES, None))
}
