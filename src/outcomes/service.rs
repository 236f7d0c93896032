//! The outcome use cases, each inside the caller's write transaction: check who may (the role before
//! anything is loaded, the credited organization before the body is checked), check the links against
//! the database (each must exist and be visible to the caller), write, and append the audit event.

use super::model::{NewOutcome, Outcome, OutcomeFields, OutcomeFilter, OutcomePatch};
use super::repo;
use crate::activities::service::{AGREEMENT, ORGANIZATION, VisibleAgreements};
use crate::agreements::visibility::{self, Visibility};
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, policy};
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::{IfMatch, Tx, Validator, versioned};

/// The outcome, if the user may see it (404 when it hangs off a restricted agreement the user may not
/// read).
pub fn visible(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<Outcome, AppError> {
    visible_with(conn, user, id, &mut VisibleAgreements::default())
}

fn visible_with(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: Id,
    seen: &mut VisibleAgreements,
) -> Result<Outcome, AppError> {
    let outcome = repo::find(conn, id).map_err(|e| e.in_row("outcomes", id))?;
    seen.allow(conn, user, outcome.agreement_id)?;
    Ok(outcome)
}

/// Up to `limit` outcomes after `after` (filtered), leaving out those under restricted agreements the
/// user may not read.
pub fn list(
    conn: &mut DbConnection,
    user: &AuthUser,
    filter: &OutcomeFilter,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Outcome>, AppError> {
    let hidden = visibility::hidden(conn, &Visibility::of(user))?;
    repo::list(conn, filter, &hidden, after, limit)
}

/// What may refer to an outcome: it cannot be deleted (409) while documents are attached.
const DOCUMENTS: &[crate::http::Reference] =
    &[crate::http::Reference::new("documents", "dokumen", |conn, id| {
        crate::documents::repo::count(conn, crate::documents::model::OwnerKind::Outcome, id)
    })];

fn may_record(user: &AuthUser, credited: Id) -> Result<(), AppError> {
    policy::authorize(user, Action::RecordOutcome { credited })
}

/// The outcome, if the user's role may record outcomes at all (checked before anything is loaded), the
/// user may see it and may record outcomes credited to its organization.
fn editable(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: Id,
    seen: &mut VisibleAgreements,
) -> Result<Outcome, AppError> {
    policy::authorize_role(user, Action::RecordOutcome { credited: Id::NIL })?;
    let outcome = visible_with(conn, user, id, seen)?;
    may_record(user, outcome.organization_id)?;
    Ok(outcome)
}

/// Checks the body against the database: every link must exist (and be visible); an activity or
/// commitment under an agreement links the outcome to that agreement, and must not contradict an
/// agreement given beside it. `seen` holds the agreements already found visible, so that each is loaded
/// once.
fn checked(
    conn: &mut DbConnection,
    user: &AuthUser,
    input: NewOutcome,
    seen: &mut VisibleAgreements,
) -> Result<OutcomeFields, AppError> {
    let mut v = Validator::new();
    let mut fields = input.validate(&mut v);
    if !v.has_error("organization_id") {
        let known = crate::organizations::repo::exists(conn, fields.organization_id)?;
        v.known(known, "organization_id", ORGANIZATION);
    }
    let mut implied: Vec<(&str, Option<Id>)> = Vec::new();
    if let Some(activity) = fields.activity_id {
        let found = seen.activity(conn, user, activity);
        if let Some(record) = v.link("activity_id", ("activity", "kegiatan"), found)? {
            implied.push(("activity_id", record.row.agreement_id));
        }
    }
    if let Some(commitment) = fields.commitment_id {
        let found = visibility::commitment(conn, user, commitment);
        if let Some((agreement, row)) = v.link("commitment_id", ("commitment", "komitmen"), found)? {
            implied.push(("commitment_id", Some(row.agreement_id)));
            seen.add(agreement);
        }
    }
    if let Some(agreement) = fields.agreement_id {
        v.link("agreement_id", AGREEMENT, seen.get(conn, user, agreement).map(|_| ()))?;
    }
    for (field, agreement) in implied {
        let Some(agreement) = agreement else { continue };
        match fields.agreement_id {
            None => fields.agreement_id = Some(agreement),
            Some(given) if given != agreement => v.error(
                field,
                text(
                    "belongs to another agreement than agreement_id",
                    "termasuk perjanjian lain dari agreement_id",
                ),
            ),
            Some(_) => {}
        }
    }
    if let Some(regulation) = fields.regulation_id {
        let known = crate::regulations::repo::exists(conn, regulation)?;
        v.known(known, "regulation_id", ("regulation", "peraturan"));
    }
    v.finish()?;
    Ok(fields)
}

pub fn create(tx: Tx<'_>, input: NewOutcome) -> Result<Outcome, AppError> {
    let Tx { conn, user, now } = tx;
    // Whom the body credits decides before the body is checked: a refused user learns nothing. A body
    // without `organization_id` fails the checks.
    if let Some(credited) = input.organization_id {
        may_record(user, credited)?;
    }
    let fields = checked(conn, user, input, &mut VisibleAgreements::default())?;
    versioned::create(conn, user, now, &fields)
}

pub fn update(tx: Tx<'_>, id: Id, if_match: &IfMatch, patch: OutcomePatch) -> Result<Outcome, AppError> {
    let Tx { conn, user, now } = tx;
    let mut seen = VisibleAgreements::default();
    let current = editable(conn, user, id, &mut seen)?;
    if_match.check(current.version)?;
    if let Some(credited) = patch.organization_id {
        may_record(user, credited)?;
    }
    let fields = checked(conn, user, patch.apply(&OutcomeFields::from(&current)), &mut seen)?;
    let updated = repo::update(conn, &current, &fields, now)?;
    if updated.version != current.version {
        let change = Change::new("update", "outcome", id).before(&current).after(&updated);
        audit::record(conn, &user.actor(), now, change)?;
    }
    Ok(updated)
}

pub fn delete(tx: Tx<'_>, id: Id, if_match: &IfMatch) -> Result<(), AppError> {
    let Tx { conn, user, now } = tx;
    let current = editable(conn, user, id, &mut VisibleAgreements::default())?;
    if_match.check(current.version)?;
    crate::http::ensure_unreferenced(conn, id, DOCUMENTS, None)?;
    repo::delete(conn, &current)?;
    audit::record(conn, &user.actor(), now, Change::new("delete", "outcome", id).before(&current))?;
    Ok(())
}
