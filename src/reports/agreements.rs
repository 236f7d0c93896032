//! `GET /reports/agreements`: one row per agreement the caller may read, with its status, days until
//! expiry, commitments by status, overdue commitments, and the activities held under it.

use chrono::{Days, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::Visible;
use crate::activities::model::ActivityStatus;
use crate::agreements::commitments::{self, CommitmentStatus};
use crate::agreements::lifecycle;
use crate::agreements::model::AgreementStatus;
use crate::db::{DbConnection, Id};
use crate::error::AppError;

/// How far back "recent activities" reach.
pub const RECENT_DAYS: u64 = 90;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementLine {
    pub agreement_id: Id,
    pub number: Option<String>,
    pub title: String,
    pub status: AgreementStatus,
    pub effective_until: Option<NaiveDate>,
    /// Days from `as_of` to `effective_until` (negative once expired); null when open-ended or not in force.
    pub days_until_expiry: Option<i64>,
    pub commitments_total: i64,
    pub commitments_planned: i64,
    pub commitments_in_progress: i64,
    pub commitments_fulfilled: i64,
    pub commitments_missed: i64,
    pub commitments_cancelled: i64,
    /// Past due and neither fulfilled nor cancelled.
    pub commitments_overdue: i64,
    /// Activities held under the agreement that started in the 90 days ending on `as_of` (inclusive).
    pub activities_last_90_days: i64,
    /// The start date of the latest activity held under the agreement.
    pub last_activity_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementsReport {
    pub as_of: NaiveDate,
    pub items: Vec<AgreementLine>,
}

pub fn build(
    conn: &mut DbConnection,
    visible: &Visible,
    today: NaiveDate,
) -> Result<AgreementsReport, AppError> {
    let since = today.checked_sub_days(Days::new(RECENT_DAYS)).unwrap_or(NaiveDate::MIN);
    let mut items = Vec::with_capacity(visible.agreements.len());
    for record in &visible.agreements {
        let row = &record.row;
        let mut line = AgreementLine {
            agreement_id: row.id,
            number: row.number.clone(),
            title: row.title.clone(),
            status: row.status_on(today),
            effective_until: row.effective_until,
            days_until_expiry: lifecycle::days_until_expiry(row, today),
            commitments_total: 0,
            commitments_planned: 0,
            commitments_in_progress: 0,
            commitments_fulfilled: 0,
            commitments_missed: 0,
            commitments_cancelled: 0,
            commitments_overdue: 0,
            activities_last_90_days: 0,
            last_activity_on: None,
        };
        for c in commitments::all_of(conn, row.id)? {
            line.commitments_total += 1;
            *match c.status() {
                CommitmentStatus::Planned => &mut line.commitments_planned,
                CommitmentStatus::InProgress => &mut line.commitments_in_progress,
                CommitmentStatus::Fulfilled => &mut line.commitments_fulfilled,
                CommitmentStatus::Missed => &mut line.commitments_missed,
                CommitmentStatus::Cancelled => &mut line.commitments_cancelled,
            } += 1;
            if c.is_overdue(today) {
                line.commitments_overdue += 1;
            }
        }
        for a in visible.activities.iter().filter(|a| a.row.agreement_id == Some(row.id)) {
            let on = a.row.starts_at.date();
            if a.row.status != ActivityStatus::Held || on > today {
                continue;
            }
            if on > since {
                line.activities_last_90_days += 1;
            }
            line.last_activity_on = line.last_activity_on.max(Some(on));
        }
        items.push(line);
    }
    Ok(AgreementsReport { as_of: today, items })
}
