//! `GET /reports/agreements`: one row per agreement the caller may read, with its status, days until
//! expiry, commitments by status, overdue commitments, and the activities held under it.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use diesel::dsl::{case_when, count, max};
use diesel::prelude::*;
use diesel::sql_types::Integer;
use serde::Serialize;
use utoipa::ToSchema;

use crate::activities::model::ActivityStatus;
use crate::agreements::commitments::{self, CommitmentStatus};
use crate::agreements::lifecycle;
use crate::agreements::model::{AgreementRow, AgreementStatus};
use crate::db::schema::activities;
use crate::db::types::day_start;
use crate::db::{DbConnection, Id, Timestamp};
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

/// Two queries whatever the number of agreements: the commitments, and the held activities counted and
/// dated per agreement by the database (loading every activity made this report take minutes at a
/// million activities; see benches/RESULTS.md).
pub fn build(
    conn: &mut DbConnection,
    agreements: &[AgreementRow],
    today: NaiveDate,
) -> Result<AgreementsReport, AppError> {
    let since = today.checked_sub_days(Days::new(RECENT_DAYS)).unwrap_or(NaiveDate::MIN);
    let commitments_of = commitments::standing_by_agreement(conn)?;
    // One scan of the held activities that started on or before today: the latest start per agreement,
    // and how many started after `since` (a second query would scan the table again).
    let recent_start = day_start(since.succ_opt().unwrap_or(since));
    let held: HashMap<Id, (Option<Timestamp>, i64)> = activities::table
        .filter(activities::status.eq(ActivityStatus::Held))
        .filter(activities::starts_at.lt(day_start(today.succ_opt().unwrap_or(today))))
        .filter(activities::agreement_id.is_not_null())
        .group_by(activities::agreement_id)
        .select((
            activities::agreement_id,
            max(activities::starts_at),
            count(case_when(activities::starts_at.ge(recent_start), 1.into_sql::<Integer>())),
        ))
        .load::<(Option<Id>, Option<Timestamp>, i64)>(conn)?
        .into_iter()
        .filter_map(|(agreement, last, recent)| Some((agreement?, (last, recent))))
        .collect();
    let mut items = Vec::with_capacity(agreements.len());
    for row in agreements {
        let (last, recent) = held.get(&row.id).copied().unwrap_or_default();
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
            activities_last_90_days: recent,
            last_activity_on: last.map(|at| at.date()),
        };
        for c in commitments_of.get(&row.id).map(Vec::as_slice).unwrap_or_default() {
            line.commitments_total += 1;
            *match c.status {
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
        items.push(line);
    }
    Ok(AgreementsReport { as_of: today, items })
}
