//! Who may see which agreement, and so what hangs off it (commitments, amendments, reports, and the
//! activities and outcomes under it): the one visibility API that every module asks. A restricted
//! agreement answers 404 to whoever may not read it, exactly as an id that names nothing.

use diesel::prelude::*;

use super::commitments::{CommitmentRow, repo as commitments};
pub use super::model::Visibility;
use super::model::{AgreementRecord, Confidentiality};
use super::repo;
use crate::auth::{Action, AuthUser, policy};
use crate::db::schema::{agreement_parties, agreements};
use crate::db::{DbConnection, Id};
use crate::error::AppError;

impl Visibility {
    pub fn of(user: &AuthUser) -> Visibility {
        // A restricted agreement with no parties is visible only to those who read every restricted one.
        if policy::allows(user, Action::ReadRestricted { parties: &[] }) {
            Visibility::Everything
        } else {
            Visibility::PartiesOf(user.acts_for.clone())
        }
    }
}

/// The restricted agreements the user may not see: activities, outcomes and reports leave out what hangs
/// off them. Restricted agreements are few, so the list is small.
pub fn hidden(conn: &mut DbConnection, visibility: &Visibility) -> Result<Vec<Id>, AppError> {
    let Visibility::PartiesOf(orgs) = visibility else { return Ok(Vec::new()) };
    let theirs = agreement_parties::table
        .filter(agreement_parties::organization_id.eq_any(orgs.clone()))
        .select(agreement_parties::agreement_id);
    Ok(agreements::table
        .filter(agreements::confidentiality.eq(Confidentiality::Restricted))
        .filter(agreements::id.ne_all(theirs))
        .select(agreements::id)
        .load(conn)?)
}

/// The agreement, if the user may see it: a restricted agreement is 404 to non-parties (other than
/// auditors and administrators), as if it did not exist.
pub fn agreement(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<AgreementRecord, AppError> {
    let record = repo::load(conn, id)?;
    if policy::can_see(user, record.restricted_to().as_deref()) {
        Ok(record)
    } else {
        Err(AppError::not_found())
    }
}

/// The commitment and its agreement, if the user may see the agreement.
pub fn commitment(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: Id,
) -> Result<(AgreementRecord, CommitmentRow), AppError> {
    let commitment = commitments::find(conn, id)?;
    let agreement = agreement(conn, user, commitment.agreement_id)?;
    Ok((agreement, commitment))
}
