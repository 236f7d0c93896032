//! The organization use cases, each inside the caller's write transaction: check who may, check the
//! fields (region, parent and hierarchy included), write, and record the audit event.

use super::model::{NewOrganization, Organization, OrganizationFields, OrganizationPatch};
use super::repo;
use crate::auth::{Action, policy};
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{IfMatch, Tx, Validator, versioned};

pub fn create(tx: Tx<'_>, input: NewOrganization) -> Result<Organization, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::EditRegistry)?;
    let fields = checked(conn, input, None)?;
    versioned::create(conn, user, now, &fields)
}

pub fn update(
    tx: Tx<'_>,
    id: Id,
    if_match: &IfMatch,
    patch: OrganizationPatch,
) -> Result<Organization, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::EditRegistry)?;
    versioned::update(
        conn,
        user,
        now,
        (id, if_match),
        |_| Ok(()),
        |conn, current| checked(conn, patch.apply(current), Some(id)),
    )
}

/// Deletes an organization that nothing refers to (else 409, with the advice to retire it instead).
pub fn delete(tx: Tx<'_>, id: Id, if_match: &IfMatch) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::EditRegistry)?;
    let hint = (" Set its status to inactive instead.", " Ubah statusnya menjadi inactive.");
    versioned::delete::<Organization>(
        conn,
        user,
        now,
        (id, if_match),
        |_| Ok(()),
        (repo::REFERENCES, Some(hint)),
    )
}

/// Validates `input` (fields, region, parent, hierarchy, short name) for the organization `this`
/// (`None` when creating). Every bad field is reported in one 422; a taken short name is a 409.
fn checked(
    conn: &mut DbConnection,
    input: NewOrganization,
    this: Option<Id>,
) -> Result<OrganizationFields, AppError> {
    let mut v = Validator::new();
    let fields = input.validate(&mut v);
    if let Some(code) = &fields.region_code
        && !v.has_error("region_code")
        && !crate::regions::repo::exists(conn, code)?
    {
        v.error("region_code", text("is not a known region code", "bukan kode wilayah yang dikenal"));
    }
    if let Some(parent) = fields.parent_id {
        check_parent(conn, &mut v, parent, this)?;
    }
    v.finish()?;
    if repo::with_short_name(conn, &fields.short_name, this)?.is_some() {
        return Err(AppError::conflict(text(
            format!("Another organization has the short name {:?}.", fields.short_name),
            format!("Organisasi lain sudah memakai nama singkat {:?}.", fields.short_name),
        )));
    }
    Ok(fields)
}

/// The parent must exist and must not be the organization itself or one under it (no cycles).
fn check_parent(
    conn: &mut DbConnection,
    v: &mut Validator,
    parent: Id,
    this: Option<Id>,
) -> Result<(), AppError> {
    if !repo::exists(conn, parent)? {
        v.error("parent_id", text("is not a known organization", "bukan organisasi yang dikenal"));
        return Ok(());
    }
    let Some(this) = this else { return Ok(()) };
    crate::db::serialize(conn, crate::db::Serialize::OrganizationTree)?;
    if repo::with_ancestors(conn, Some(parent))?.contains(&this) {
        v.error(
            "parent_id",
            text(
                "must not be the organization itself or an organization under it",
                "tidak boleh organisasi itu sendiri atau organisasi di bawahnya",
            ),
        );
    }
    Ok(())
}
