//! The open-data queries: what the package holds, page by page in key order (so that memory stays flat
//! however large the data), and never a restricted agreement or anything under it.

use std::collections::HashSet;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::activities::model::{ActivityKind, ActivityStatus};
use crate::agreements::commitments::TargetUnit;
use crate::agreements::commitments::model::CommitmentStatus;
use crate::agreements::model::{AgreementKind, Confidentiality, PartyRole, Scope, StoredStatus};
use crate::coverage::model::Segment;
use crate::db::schema::{
    activities, activity_participants, agreement_legal_basis, agreement_parties, agreement_scopes,
    agreements, audit_leaves, audit_pending, commitments, organizations, outcomes, regions, regulations,
};
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::AppError;
use crate::organizations::model::{OrganizationKind, OrganizationStatus, Sector};
use crate::outcomes::model::{OutcomeKind, Unit};
use crate::regions::model::RegionKind;
use crate::regulations::model::{RegulationKind, RegulationStatus};

/// Committed audit events: those in the log's tree and those waiting for the sequencer. Every write
/// commits one event or more with its change and an event is never removed, so this number grows at
/// every write, whatever order concurrent writers commit in. Read it in the snapshot the export reads.
pub fn committed_events(conn: &mut DbConnection) -> Result<i64, AppError> {
    let last: Option<i64> =
        audit_leaves::table.select(diesel::dsl::max(audit_leaves::position)).first(conn)?;
    let pending: i64 = audit_pending::table.count().get_result(conn)?;
    Ok(last.map_or(0, |p| p + 1) + pending)
}

pub type RegionRow = (String, String, RegionKind, Option<String>);

pub fn regions(conn: &mut DbConnection) -> Result<Vec<RegionRow>, AppError> {
    Ok(regions::table
        .select((regions::code, regions::name, regions::kind, regions::parent_code))
        .order(regions::code.asc())
        .load(conn)?)
}

pub type OrganizationRow = (
    Id,
    String,
    String,
    OrganizationKind,
    Sector,
    Option<Id>,
    Option<String>,
    OrganizationStatus,
    Option<String>,
);

pub fn organizations(
    conn: &mut DbConnection,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<OrganizationRow>, AppError> {
    let mut query = organizations::table
        .select((
            organizations::id,
            organizations::name,
            organizations::short_name,
            organizations::kind,
            organizations::sector,
            organizations::parent_id,
            organizations::region_code,
            organizations::status,
            organizations::website,
        ))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(organizations::id.gt(after));
    }
    Ok(query.order(organizations::id.asc()).limit(limit).load(conn)?)
}

pub type RegulationRow =
    (Id, RegulationKind, String, i32, String, String, RegulationStatus, Option<NaiveDate>, Option<String>);

pub fn regulations(
    conn: &mut DbConnection,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<RegulationRow>, AppError> {
    let mut query = regulations::table
        .select((
            regulations::id,
            regulations::kind,
            regulations::number,
            regulations::year,
            regulations::title,
            regulations::issuer,
            regulations::status,
            regulations::enacted_on,
            regulations::url,
        ))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(regulations::id.gt(after));
    }
    Ok(query.order(regulations::id.asc()).limit(limit).load(conn)?)
}

pub type AgreementRow = (
    Id,
    Option<String>,
    String,
    AgreementKind,
    StoredStatus,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
);

/// Agreements that are not restricted.
pub fn agreements(
    conn: &mut DbConnection,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<AgreementRow>, AppError> {
    let mut query = agreements::table
        .filter(agreements::confidentiality.ne(Confidentiality::Restricted))
        .select((
            agreements::id,
            agreements::number,
            agreements::title,
            agreements::kind,
            agreements::status,
            agreements::signed_on,
            agreements::effective_from,
            agreements::effective_until,
            agreements::terminated_on,
            agreements::termination_reason,
            agreements::summary,
        ))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(agreements::id.gt(after));
    }
    Ok(query.order(agreements::id.asc()).limit(limit).load(conn)?)
}

/// The ids of agreements that are not restricted, after `after`.
pub fn agreement_ids(conn: &mut DbConnection, after: Option<Id>, limit: i64) -> Result<Vec<Id>, AppError> {
    let mut query = agreements::table
        .filter(agreements::confidentiality.ne(Confidentiality::Restricted))
        .select(agreements::id)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(agreements::id.gt(after));
    }
    Ok(query.order(agreements::id.asc()).limit(limit).load(conn)?)
}

pub type PartyRow = (Id, Id, PartyRole, Option<String>);

pub fn parties(conn: &mut DbConnection, agreement_ids: &[Id]) -> Result<Vec<PartyRow>, AppError> {
    Ok(agreement_parties::table
        .filter(agreement_parties::agreement_id.eq_any(agreement_ids))
        .select((
            agreement_parties::agreement_id,
            agreement_parties::organization_id,
            agreement_parties::role,
            agreement_parties::signatory_position,
        ))
        .order((agreement_parties::agreement_id.asc(), agreement_parties::ordinal.asc()))
        .load(conn)?)
}

pub fn scopes(conn: &mut DbConnection, agreement_ids: &[Id]) -> Result<Vec<(Id, Scope)>, AppError> {
    Ok(agreement_scopes::table
        .filter(agreement_scopes::agreement_id.eq_any(agreement_ids))
        .select((agreement_scopes::agreement_id, agreement_scopes::scope))
        .order((agreement_scopes::agreement_id.asc(), agreement_scopes::scope.asc()))
        .load::<(Id, String)>(conn)?
        .into_iter()
        .filter_map(|(id, scope)| Scope::parse(&scope).map(|s| (id, s)))
        .collect())
}

pub fn legal_basis(conn: &mut DbConnection, agreement_ids: &[Id]) -> Result<Vec<(Id, Id)>, AppError> {
    Ok(agreement_legal_basis::table
        .filter(agreement_legal_basis::agreement_id.eq_any(agreement_ids))
        .select((agreement_legal_basis::agreement_id, agreement_legal_basis::regulation_id))
        .order((agreement_legal_basis::agreement_id.asc(), agreement_legal_basis::regulation_id.asc()))
        .load(conn)?)
}

pub type CommitmentRow = (
    Id,
    Id,
    String,
    Option<String>,
    Id,
    Option<Scope>,
    Option<NaiveDate>,
    Option<i64>,
    Option<TargetUnit>,
    CommitmentStatus,
    i32,
    Option<i64>,
);

pub fn commitments(conn: &mut DbConnection, agreement_ids: &[Id]) -> Result<Vec<CommitmentRow>, AppError> {
    Ok(commitments::table
        .filter(commitments::agreement_id.eq_any(agreement_ids))
        .select((
            commitments::id,
            commitments::agreement_id,
            commitments::title,
            commitments::description,
            commitments::responsible_organization_id,
            commitments::scope,
            commitments::due_on,
            commitments::target_value,
            commitments::target_unit,
            commitments::status,
            commitments::progress_pct,
            commitments::value_achieved,
        ))
        .order((commitments::agreement_id.asc(), commitments::id.asc()))
        .load(conn)?)
}

pub type ActivityRow = (
    Id,
    ActivityKind,
    String,
    Option<Id>,
    Option<Scope>,
    Id,
    Timestamp,
    Option<Timestamp>,
    Option<String>,
    ActivityStatus,
    Option<String>,
    Option<i32>,
);

/// The restricted agreements, the commitments and the activities under them, and so the outcomes linked
/// to any of these, never appear. Restricted agreements are few, and so are these sets: they are read
/// once, and the large tables are read whole, page by page, and filtered against them.
#[derive(Debug, Default)]
pub struct Hidden {
    pub agreements: HashSet<Id>,
    pub commitments: HashSet<Id>,
    pub activities: HashSet<Id>,
}

impl Hidden {
    pub fn load(conn: &mut DbConnection) -> Result<Hidden, AppError> {
        let agreements: Vec<Id> = agreements::table
            .filter(agreements::confidentiality.eq(Confidentiality::Restricted))
            .select(agreements::id)
            .load(conn)?;
        let mut hidden = Hidden { agreements: agreements.iter().copied().collect(), ..Hidden::default() };
        for chunk in agreements.chunks(1000) {
            hidden.commitments.extend(
                commitments::table
                    .filter(commitments::agreement_id.eq_any(chunk))
                    .select(commitments::id)
                    .load::<Id>(conn)?,
            );
            hidden.activities.extend(
                activities::table
                    .filter(activities::agreement_id.eq_any(chunk))
                    .select(activities::id)
                    .load::<Id>(conn)?,
            );
        }
        Ok(hidden)
    }

    pub fn agreement(&self, id: &Option<Id>) -> bool {
        id.is_some_and(|id| self.agreements.contains(&id))
    }

    /// An outcome linked to a hidden agreement, commitment or activity.
    pub fn outcome(&self, row: &OutcomeRow) -> bool {
        self.agreement(&row.9)
            || row.10.is_some_and(|id| self.activities.contains(&id))
            || row.11.is_some_and(|id| self.commitments.contains(&id))
    }
}

/// Every activity (the caller leaves out those under restricted agreements, see [`Hidden`]).
pub fn activities(
    conn: &mut DbConnection,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<ActivityRow>, AppError> {
    let mut query = activities::table
        .select((
            activities::id,
            activities::kind,
            activities::title,
            activities::agreement_id,
            activities::scope,
            activities::organizer_organization_id,
            activities::starts_at,
            activities::ends_at,
            activities::location,
            activities::status,
            activities::audience,
            activities::people_reached,
        ))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(activities::id.gt(after));
    }
    Ok(query.order(activities::id.asc()).limit(limit).load(conn)?)
}

/// Every activity's id and agreement, after `after`.
pub fn activity_keys(
    conn: &mut DbConnection,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<(Id, Option<Id>)>, AppError> {
    let mut query = activities::table.select((activities::id, activities::agreement_id)).into_boxed();
    if let Some(after) = after {
        query = query.filter(activities::id.gt(after));
    }
    Ok(query.order(activities::id.asc()).limit(limit).load(conn)?)
}

pub fn participants(
    conn: &mut DbConnection,
    activity_ids: &[Id],
) -> Result<Vec<(Id, Id, Option<i32>)>, AppError> {
    Ok(activity_participants::table
        .filter(activity_participants::activity_id.eq_any(activity_ids))
        .select((
            activity_participants::activity_id,
            activity_participants::organization_id,
            activity_participants::attendees,
        ))
        .order((activity_participants::activity_id.asc(), activity_participants::ordinal.asc()))
        .load(conn)?)
}

pub type OutcomeRow = (
    Id,
    OutcomeKind,
    String,
    i64,
    Unit,
    Option<Segment>,
    NaiveDate,
    NaiveDate,
    Id,
    Option<Id>,
    Option<Id>,
    Option<Id>,
    Option<Id>,
    Option<String>,
);

/// Every outcome (the caller leaves out those [`Hidden::outcome`] names).
pub fn outcomes(conn: &mut DbConnection, after: Option<Id>, limit: i64) -> Result<Vec<OutcomeRow>, AppError> {
    let mut query = outcomes::table
        .select((
            outcomes::id,
            outcomes::kind,
            outcomes::title,
            outcomes::value,
            outcomes::unit,
            outcomes::segment,
            outcomes::period_start,
            outcomes::period_end,
            outcomes::organization_id,
            outcomes::agreement_id,
            outcomes::activity_id,
            outcomes::commitment_id,
            outcomes::regulation_id,
            outcomes::evidence,
        ))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(outcomes::id.gt(after));
    }
    Ok(query.order(outcomes::id.asc()).limit(limit).load(conn)?)
}
