//! `GET /agreements/{id}/report`: one agreement's state for monitoring and audit: parties, status and
//! days until expiry, commitments by status with the overdue ones, activities per scope, outcomes per
//! kind and unit, the amendments, and the last change in the audit trail.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::commitments::{CommitmentStatus, TargetUnit, repo as commitments};
use super::lifecycle;
use super::model::{
    AgreementKind, AgreementRecord, AgreementStatus, Amendment, Confidentiality, Party, Scope,
};
use super::repo;
use crate::activities::model::ActivityStatus;
use crate::db::schema::{activities, audit_events, outcomes};
use crate::db::types::to_utc;
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::AppError;
use crate::outcomes::model::OutcomeKind;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementReport {
    pub agreement_id: Id,
    pub number: Option<String>,
    pub title: String,
    pub kind: AgreementKind,
    pub confidentiality: Confidentiality,
    /// The date the report was made for (today by the server's clock).
    pub as_of: NaiveDate,
    pub status: AgreementStatus,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_until: Option<NaiveDate>,
    /// Days from `as_of` to `effective_until` (negative once expired); null when open-ended or not in force.
    pub days_until_expiry: Option<i64>,
    pub parties: Vec<Party>,
    pub scopes: Vec<Scope>,
    pub commitments: CommitmentSummary,
    /// Activities held under the agreement, per scope.
    pub activities: Vec<ScopeActivities>,
    /// Outcomes linked to the agreement, per kind and unit.
    pub outcomes: Vec<OutcomeTotal>,
    /// In the order they were made.
    pub amendments: Vec<Amendment>,
    /// The newest audit event on the agreement or one of its commitments.
    pub last_change: Option<LastChange>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CommitmentSummary {
    pub total: i64,
    pub by_status: StatusCounts,
    pub overdue: Vec<OverdueCommitment>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StatusCounts {
    pub planned: i64,
    pub in_progress: i64,
    pub fulfilled: i64,
    pub missed: i64,
    pub cancelled: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueCommitment {
    pub id: Id,
    pub title: String,
    pub responsible_organization_id: Id,
    pub due_on: Option<NaiveDate>,
    pub days_overdue: i64,
    pub status: CommitmentStatus,
    pub progress_pct: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScopeActivities {
    pub scope: Scope,
    /// Activities held (not planned or cancelled).
    pub held: i64,
    pub last_held_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeTotal {
    pub kind: OutcomeKind,
    pub unit: TargetUnit,
    pub total: i64,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LastChange {
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<String>,
    pub actor_username: Option<String>,
    pub actor_role: Option<String>,
}

/// One line of the report as CSV (`Accept: text/csv`): every section flattened to section, item, value
/// and detail, so that a spreadsheet reads the whole report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportLine {
    pub section: &'static str,
    pub item: String,
    pub value: String,
    pub detail: Option<String>,
}

fn line(
    section: &'static str,
    item: impl ToString,
    value: impl ToString,
    detail: Option<String>,
) -> ReportLine {
    ReportLine { section, item: item.to_string(), value: value.to_string(), detail }
}

fn or_empty<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

impl AgreementReport {
    pub fn lines(&self) -> Vec<ReportLine> {
        let mut out = vec![
            line("agreement", "id", self.agreement_id, None),
            line("agreement", "number", or_empty(self.number.as_ref()), None),
            line("agreement", "title", &self.title, None),
            line("agreement", "kind", self.kind, None),
            line("agreement", "confidentiality", self.confidentiality, None),
            line("agreement", "as_of", self.as_of, None),
            line("agreement", "status", self.status, None),
            line("agreement", "signed_on", or_empty(self.signed_on), None),
            line("agreement", "effective_from", or_empty(self.effective_from), None),
            line("agreement", "effective_until", or_empty(self.effective_until), None),
            line("agreement", "days_until_expiry", or_empty(self.days_until_expiry), None),
        ];
        out.extend(
            self.parties
                .iter()
                .map(|p| line("party", &p.organization_name, p.role, Some(p.organization_id.to_string()))),
        );
        out.extend(self.scopes.iter().map(|s| line("scope", s, "", None)));
        let c = &self.commitments;
        out.push(line("commitments", "total", c.total, None));
        for (status, n) in [
            ("planned", c.by_status.planned),
            ("in_progress", c.by_status.in_progress),
            ("fulfilled", c.by_status.fulfilled),
            ("missed", c.by_status.missed),
            ("cancelled", c.by_status.cancelled),
        ] {
            out.push(line("commitments", status, n, None));
        }
        out.extend(c.overdue.iter().map(|o| {
            line("overdue_commitment", &o.title, o.days_overdue, Some(format!("due {}", or_empty(o.due_on))))
        }));
        out.extend(
            self.activities.iter().map(|a| {
                line("activities", a.scope, a.held, a.last_held_on.map(|d| format!("last held {d}")))
            }),
        );
        out.extend(self.outcomes.iter().map(|o| {
            line(
                "outcomes",
                format!("{} ({})", o.kind, o.unit),
                o.total,
                Some(format!("{} outcomes", o.count)),
            )
        }));
        out.extend(
            self.amendments
                .iter()
                .map(|a| line("amendment", &a.number, a.signed_on, Some(a.summary.clone()))),
        );
        if let Some(last) = &self.last_change {
            out.push(line(
                "last_change",
                &last.action,
                last.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
                last.actor_username.clone(),
            ));
        }
        out
    }
}

/// Builds the report of a visible agreement.
pub fn build(
    conn: &mut DbConnection,
    record: &AgreementRecord,
    today: NaiveDate,
) -> Result<AgreementReport, AppError> {
    let row = &record.row;
    let all = commitments::all_of(conn, row.id)?;
    let mut summary = CommitmentSummary { total: all.len() as i64, ..CommitmentSummary::default() };
    for c in &all {
        let counter = match c.status() {
            CommitmentStatus::Planned => &mut summary.by_status.planned,
            CommitmentStatus::InProgress => &mut summary.by_status.in_progress,
            CommitmentStatus::Fulfilled => &mut summary.by_status.fulfilled,
            CommitmentStatus::Missed => &mut summary.by_status.missed,
            CommitmentStatus::Cancelled => &mut summary.by_status.cancelled,
        };
        *counter += 1;
        if c.is_overdue(today) {
            summary.overdue.push(OverdueCommitment {
                id: c.id,
                title: c.title.clone(),
                responsible_organization_id: c.responsible_organization_id,
                due_on: c.due_on,
                days_overdue: c.due_on.map(|d| (today - d).num_days()).unwrap_or(0),
                status: c.status(),
                progress_pct: c.progress_pct,
            });
        }
    }
    let amendments = repo::amendments(conn, row.id, None, i64::MAX)?
        .into_iter()
        .map(Amendment::try_from)
        .collect::<Result<_, _>>()?;
    let mut entities: Vec<String> = all.iter().map(|c| c.id.to_string()).collect();
    entities.push(row.id.to_string());
    Ok(AgreementReport {
        agreement_id: row.id,
        number: row.number.clone(),
        title: row.title.clone(),
        kind: row.kind,
        confidentiality: row.confidentiality,
        as_of: today,
        status: row.status_on(today),
        signed_on: row.signed_on,
        effective_from: row.effective_from,
        effective_until: row.effective_until,
        days_until_expiry: lifecycle::days_until_expiry(row, today),
        parties: record.parties.clone(),
        scopes: record.scopes.clone(),
        commitments: summary,
        activities: activities_by_scope(conn, record)?,
        outcomes: outcomes_by_kind(conn, row.id)?,
        amendments,
        last_change: last_change(conn, &entities)?,
    })
}

/// Activities held under the agreement per scope: each of the agreement's scopes (also with none held)
/// and any other scope an activity was logged under.
fn activities_by_scope(
    conn: &mut DbConnection,
    record: &AgreementRecord,
) -> Result<Vec<ScopeActivities>, AppError> {
    let held: Vec<(Option<Scope>, Timestamp)> = activities::table
        .filter(activities::agreement_id.eq(record.row.id))
        .filter(activities::status.eq(ActivityStatus::Held))
        .select((activities::scope, activities::starts_at))
        .load(conn)?;
    let mut scopes = record.scopes.clone();
    scopes.extend(held.iter().filter_map(|(s, _)| *s));
    scopes.sort_by_key(|s| Scope::ALL.iter().position(|x| x == s));
    scopes.dedup();
    Ok(scopes
        .into_iter()
        .map(|scope| {
            let of_scope = held.iter().filter(|(s, _)| *s == Some(scope));
            ScopeActivities {
                scope,
                held: of_scope.clone().count() as i64,
                last_held_on: of_scope.map(|(_, at)| at.date()).max(),
            }
        })
        .collect())
}

/// Outcomes linked to the agreement, per kind and unit (values added up).
fn outcomes_by_kind(conn: &mut DbConnection, agreement: Id) -> Result<Vec<OutcomeTotal>, AppError> {
    let rows: Vec<(OutcomeKind, TargetUnit, i64)> = outcomes::table
        .filter(outcomes::agreement_id.eq(agreement))
        .select((outcomes::kind, outcomes::unit, outcomes::value))
        .load(conn)?;
    // Ordered by the texts, as the API spells them.
    let mut totals: std::collections::BTreeMap<(&str, &str), OutcomeTotal> = Default::default();
    for (kind, unit, value) in rows {
        let total = totals.entry((kind.as_str(), unit.as_str())).or_insert(OutcomeTotal {
            kind,
            unit,
            total: 0,
            count: 0,
        });
        total.total += value;
        total.count += 1;
    }
    Ok(totals.into_values().collect())
}

/// The newest audit event on the agreement or its commitments.
fn last_change(conn: &mut DbConnection, entities: &[String]) -> Result<Option<LastChange>, AppError> {
    type Row = (i64, Timestamp, String, String, Option<String>, Option<String>, Option<String>);
    let row: Option<Row> = audit_events::table
        .filter(audit_events::entity_type.eq_any(["agreement", "commitment"]))
        .filter(audit_events::entity_id.eq_any(entities))
        .order(audit_events::seq.desc())
        .select((
            audit_events::seq,
            audit_events::occurred_at,
            audit_events::action,
            audit_events::entity_type,
            audit_events::entity_id,
            audit_events::actor_username,
            audit_events::actor_role,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(seq, at, action, entity_type, entity_id, actor_username, actor_role)| LastChange {
        seq,
        occurred_at: to_utc(at),
        action,
        entity_type,
        entity_id,
        actor_username,
        actor_role,
    }))
}
