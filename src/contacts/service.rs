//! The contact use cases, each inside the caller's write transaction: check who may (administrators,
//! BPJS and OPD staff for any organization, partner staff for their own), check the fields, write, and
//! record the audit event.

use super::model::{Contact, ContactFilter, ContactPatch, NewContact};
use super::repo;
use crate::auth::{Action, AuthUser, policy};
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::{IfMatch, Tx, versioned};
use crate::organizations;

fn may_edit(user: &AuthUser, organization: Id) -> Result<(), AppError> {
    policy::authorize(user, Action::EditContact { organization })
}

/// 404 unless `organization` exists.
fn ensure_organization(conn: &mut DbConnection, organization: Id) -> Result<(), AppError> {
    if organizations::repo::exists(conn, organization)? { Ok(()) } else { Err(AppError::not_found()) }
}

/// Up to `limit` contacts of `organization` after `after` that match `filter`; 404 for no such
/// organization.
pub fn list(
    conn: &mut DbConnection,
    user: &AuthUser,
    organization: Id,
    filter: &ContactFilter,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Contact>, AppError> {
    policy::authorize(user, Action::Read)?;
    ensure_organization(conn, organization)?;
    repo::list(conn, organization, filter, after, limit)
}

pub fn create(tx: Tx<'_>, organization: Id, input: NewContact) -> Result<Contact, AppError> {
    let Tx { conn, user, now } = tx;
    may_edit(user, organization)?;
    ensure_organization(conn, organization)?;
    let fields = input.validate(organization)?;
    versioned::create(conn, user, now, &fields)
}

pub fn update(tx: Tx<'_>, id: Id, if_match: &IfMatch, patch: ContactPatch) -> Result<Contact, AppError> {
    let Tx { conn, user, now } = tx;
    let may = |c: &Contact| may_edit(user, c.organization_id);
    versioned::update(conn, user, now, (id, if_match), may, |_, current| {
        patch.apply(current).validate(current.organization_id)
    })
}

pub fn delete(tx: Tx<'_>, id: Id, if_match: &IfMatch) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    // A role that may keep no contact learns nothing, not even whether this one exists.
    policy::authorize_role(user, Action::EditContact { organization: Id::NIL })?;
    let may = |c: &Contact| may_edit(user, c.organization_id);
    versioned::delete(conn, user, now, (id, if_match), may, (&[], None))
}
