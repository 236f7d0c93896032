//! Commitments (the obligations a party takes on under an agreement) and their append-only progress log:
//! types, rules and queries. `overdue` is derived from `due_on` and today's date, never stored.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{AgreementRecord, Scope, checks};
use crate::db::schema::{commitment_updates, commitments};
use crate::db::types::to_utc;
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::{AppError, text};
use crate::http::fields::nullable;
use crate::http::{Validator, expect_one_row};

crate::str_enum! {
    /// Where a commitment stands. fulfilled and cancelled are final.
    pub enum CommitmentStatus {
        Planned => "planned",
        InProgress => "in_progress",
        Fulfilled => "fulfilled",
        Missed => "missed",
        Cancelled => "cancelled",
    }
}

impl CommitmentStatus {
    /// A fulfilled or cancelled commitment takes no further progress reports.
    pub fn is_final(self) -> bool {
        matches!(self, CommitmentStatus::Fulfilled | CommitmentStatus::Cancelled)
    }
}

crate::str_enum! {
    /// The unit of a target (the units outcomes are measured in).
    pub enum TargetUnit {
        People => "people",
        Idr => "idr",
        Documents => "documents",
        Sessions => "sessions",
        Other => "other",
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Serialize)]
#[diesel(table_name = commitments, treat_none_as_null = true)]
pub struct CommitmentRow {
    pub id: Id,
    pub agreement_id: Id,
    pub title: String,
    pub description: Option<String>,
    pub responsible_organization_id: Id,
    pub scope: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub target_value: Option<i64>,
    pub target_unit: Option<String>,
    pub status: String,
    pub progress_pct: i32,
    pub value_achieved: Option<i64>,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

/// Where a commitment stands: all that the agreements report counts.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub status: CommitmentStatus,
    pub due_on: Option<NaiveDate>,
}

impl Standing {
    fn new(status: &str, due_on: Option<NaiveDate>) -> Standing {
        Standing { status: CommitmentStatus::parse(status).unwrap_or(CommitmentStatus::Planned), due_on }
    }

    /// Past its due date and neither fulfilled nor cancelled.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.due_on.is_some_and(|due| due < today) && !self.status.is_final()
    }
}

impl CommitmentRow {
    pub fn status(&self) -> CommitmentStatus {
        self.standing().status
    }

    pub fn standing(&self) -> Standing {
        Standing::new(&self.status, self.due_on)
    }

    /// Past its due date and neither fulfilled nor cancelled.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.standing().is_overdue(today)
    }

    pub fn view(&self, today: NaiveDate) -> Commitment {
        Commitment {
            id: self.id,
            agreement_id: self.agreement_id,
            title: self.title.clone(),
            description: self.description.clone(),
            responsible_organization_id: self.responsible_organization_id,
            scope: self.scope.as_deref().and_then(Scope::parse),
            due_on: self.due_on,
            target_value: self.target_value,
            target_unit: self.target_unit.as_deref().and_then(TargetUnit::parse),
            status: self.status(),
            progress_pct: self.progress_pct,
            value_achieved: self.value_achieved,
            overdue: self.is_overdue(today),
            version: self.version,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            created_by: self.created_by,
        }
    }
}

/// An obligation under an agreement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Commitment {
    pub id: Id,
    pub agreement_id: Id,
    #[schema(example = "Membayar iuran pekerja rentan dari APBD")]
    pub title: String,
    pub description: Option<String>,
    /// A party, or an organization under a party (Dinsos carries out Pemkot's commitments).
    pub responsible_organization_id: Id,
    pub scope: Option<Scope>,
    pub due_on: Option<NaiveDate>,
    #[schema(example = 37000)]
    pub target_value: Option<i64>,
    pub target_unit: Option<TargetUnit>,
    /// Set by the newest progress report.
    pub status: CommitmentStatus,
    /// 0 to 100; set by the newest progress report.
    pub progress_pct: i32,
    /// As of the newest progress report that gave one.
    pub value_achieved: Option<i64>,
    /// Derived: past `due_on` and neither fulfilled nor cancelled.
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

/// The body of `POST /agreements/{id}/commitments`. Status and progress start at planned, 0 %, and then
/// change only through progress reports.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommitment {
    pub title: String,
    pub description: Option<String>,
    pub responsible_organization_id: Id,
    /// One of the agreement's scopes.
    pub scope: Option<Scope>,
    pub due_on: Option<NaiveDate>,
    /// With `target_unit`.
    pub target_value: Option<i64>,
    pub target_unit: Option<TargetUnit>,
}

/// The body of `PATCH /commitments/{id}`: only the fields sent change; `null` clears an optional field.
/// Status and progress change through `POST /commitments/{id}/updates`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub responsible_organization_id: Option<Id>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Scope>)]
    pub scope: Option<Option<Scope>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>)]
    pub due_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub target_value: Option<Option<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<TargetUnit>)]
    pub target_unit: Option<Option<TargetUnit>>,
}

/// Filters of a commitment list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentFilter {
    pub status: Option<CommitmentStatus>,
    /// true: only overdue ones; false: only those not overdue.
    pub overdue: Option<bool>,
    pub responsible_organization_id: Option<Id>,
    /// Due before this date.
    pub due_before: Option<NaiveDate>,
}

/// The body of `POST /commitments/{id}/updates`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProgress {
    /// Default today; not in the future, not before the previous report.
    pub reported_on: Option<NaiveDate>,
    pub status: CommitmentStatus,
    /// 0 to 100. Default: 100 when fulfilled, else the commitment's current progress.
    pub progress_pct: Option<i32>,
    /// What has been achieved so far, in the target's unit.
    pub value_achieved: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = commitment_updates)]
pub struct UpdateRow {
    pub id: Id,
    pub commitment_id: Id,
    pub reported_on: NaiveDate,
    pub status: String,
    pub progress_pct: i32,
    pub value_achieved: Option<i64>,
    pub note: Option<String>,
    pub created_at: Timestamp,
    pub created_by: Option<Id>,
}

/// One progress report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProgressUpdate {
    pub id: Id,
    pub commitment_id: Id,
    pub reported_on: NaiveDate,
    pub status: CommitmentStatus,
    pub progress_pct: i32,
    pub value_achieved: Option<i64>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

impl From<UpdateRow> for ProgressUpdate {
    fn from(row: UpdateRow) -> ProgressUpdate {
        ProgressUpdate {
            id: row.id,
            commitment_id: row.commitment_id,
            reported_on: row.reported_on,
            status: CommitmentStatus::parse(&row.status).unwrap_or(CommitmentStatus::Planned),
            progress_pct: row.progress_pct,
            value_achieved: row.value_achieved,
            note: row.note,
            created_at: to_utc(row.created_at),
            created_by: row.created_by,
        }
    }
}

/// What a client edits on a commitment, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub title: String,
    pub description: Option<String>,
    pub responsible_organization_id: Id,
    pub scope: Option<Scope>,
    pub due_on: Option<NaiveDate>,
    pub target_value: Option<i64>,
    pub target_unit: Option<TargetUnit>,
}

impl Fields {
    pub fn from_new(body: NewCommitment) -> Fields {
        Fields {
            title: body.title,
            description: body.description,
            responsible_organization_id: body.responsible_organization_id,
            scope: body.scope,
            due_on: body.due_on,
            target_value: body.target_value,
            target_unit: body.target_unit,
        }
    }

    pub fn of(row: &CommitmentRow) -> Fields {
        let view = row.view(NaiveDate::MIN);
        Fields {
            title: view.title,
            description: view.description,
            responsible_organization_id: view.responsible_organization_id,
            scope: view.scope,
            due_on: view.due_on,
            target_value: view.target_value,
            target_unit: view.target_unit,
        }
    }

    pub fn patched(mut self, patch: CommitmentPatch) -> Fields {
        if let Some(v) = patch.title {
            self.title = v;
        }
        if let Some(v) = patch.description {
            self.description = v;
        }
        if let Some(v) = patch.responsible_organization_id {
            self.responsible_organization_id = v;
        }
        if let Some(v) = patch.scope {
            self.scope = v;
        }
        if let Some(v) = patch.due_on {
            self.due_on = v;
        }
        if let Some(v) = patch.target_value {
            self.target_value = v;
        }
        if let Some(v) = patch.target_unit {
            self.target_unit = v;
        }
        self
    }

    /// Checks the fields against the agreement: 409 when the agreement is terminated, 422 naming every
    /// invalid field otherwise (the responsible organization must be a party or under one, the scope one
    /// of the agreement's).
    pub fn check(self, conn: &mut DbConnection, agreement: &AgreementRecord) -> Result<Fields, AppError> {
        if agreement.row.status == "terminated" {
            return Err(AppError::conflict(text(
                "The agreement is terminated: its commitments can no longer be added or changed.",
                "Perjanjian sudah diakhiri: komitmennya tidak dapat ditambah atau diubah lagi.",
            )));
        }
        let mut v = Validator::new();
        let title = v.required("title", Some(self.title.clone()), checks::MAX_TITLE);
        let description = v.optional("description", self.description.clone(), checks::MAX_TEXT);
        v.date("due_on", self.due_on);
        let chain = crate::organizations::repo::with_ancestors(conn, Some(self.responsible_organization_id))?;
        let parties = agreement.bound_party_ids();
        v.check(
            chain.iter().any(|org| parties.contains(org)),
            "responsible_organization_id",
            text(
                "must be a party to the agreement or an organization under a party",
                "harus pihak dalam perjanjian atau organisasi di bawah salah satu pihak",
            ),
        );
        v.check(
            self.scope.is_none_or(|scope| agreement.scopes.contains(&scope)),
            "scope",
            text("must be one of the agreement's scopes", "harus salah satu ruang lingkup perjanjian"),
        );
        v.check(
            self.target_value.is_none_or(|t| t >= 0),
            "target_value",
            text("must not be negative", "tidak boleh negatif"),
        );
        v.check(
            self.target_value.is_some() == self.target_unit.is_some(),
            "target_unit",
            text(
                "target_value and target_unit go together: give both or neither",
                "target_value dan target_unit harus diisi bersama atau dikosongkan bersama",
            ),
        );
        v.finish()?;
        Ok(Fields { title, description, ..self })
    }

    pub fn apply_to(&self, row: &mut CommitmentRow) {
        row.title = self.title.clone();
        row.description = self.description.clone();
        row.responsible_organization_id = self.responsible_organization_id;
        row.scope = self.scope.map(|s| s.as_str().to_string());
        row.due_on = self.due_on;
        row.target_value = self.target_value;
        row.target_unit = self.target_unit.map(|u| u.as_str().to_string());
    }
}

/// Checks a progress report against the commitment and its log, and answers the report as it will be
/// kept (defaults filled in). 409 when the commitment is final or the agreement not yet in force.
pub fn check_progress(
    agreement: &AgreementRecord,
    commitment: &CommitmentRow,
    last: Option<&UpdateRow>,
    body: NewProgress,
    today: NaiveDate,
) -> Result<(NaiveDate, i32, Option<String>), AppError> {
    if commitment.status().is_final() {
        return Err(AppError::conflict(text(
            format!("The commitment is {}: it takes no further progress reports.", commitment.status),
            format!("Komitmen berstatus {}: tidak menerima laporan kemajuan lagi.", commitment.status),
        )));
    }
    if agreement.row.status == "draft" {
        return Err(AppError::conflict(text(
            "The agreement is still a draft: progress is reported once it is active.",
            "Perjanjian masih draf: kemajuan dilaporkan setelah perjanjian berlaku.",
        )));
    }
    let mut v = Validator::new();
    let reported_on = body.reported_on.unwrap_or(today);
    v.date("reported_on", Some(reported_on));
    v.check(
        reported_on <= today,
        "reported_on",
        text("must not be in the future", "tidak boleh di masa depan"),
    );
    if let Some(last) = last {
        v.check(
            reported_on >= last.reported_on,
            "reported_on",
            text(
                format!("must not be before the previous report ({})", last.reported_on),
                format!("tidak boleh sebelum laporan sebelumnya ({})", last.reported_on),
            ),
        );
    }
    let progress = body.progress_pct.unwrap_or(match body.status {
        CommitmentStatus::Fulfilled => 100,
        _ => commitment.progress_pct,
    });
    v.range("progress_pct", i64::from(progress), 0, 100);
    if !v.has_error("progress_pct") {
        v.check(
            body.status != CommitmentStatus::Fulfilled || progress == 100,
            "progress_pct",
            text("must be 100 when the commitment is fulfilled", "harus 100 bila komitmen terpenuhi"),
        );
    }
    v.check(
        body.value_achieved.is_none_or(|x| x >= 0),
        "value_achieved",
        text("must not be negative", "tidak boleh negatif"),
    );
    let note = v.optional("note", body.note, checks::MAX_TEXT);
    v.finish()?;
    Ok((reported_on, progress, note))
}

pub fn find(conn: &mut DbConnection, id: Id) -> Result<CommitmentRow, AppError> {
    Ok(commitments::table.find(id).select(CommitmentRow::as_select()).first(conn)?)
}

pub fn insert(conn: &mut DbConnection, row: &CommitmentRow) -> Result<(), AppError> {
    diesel::insert_into(commitments::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes the row if it is still at `expected_version`; 412 when another writer got there first.
pub fn update(conn: &mut DbConnection, row: &CommitmentRow, expected_version: i32) -> Result<(), AppError> {
    let changed = diesel::update(
        commitments::table
            .filter(commitments::id.eq(row.id))
            .filter(commitments::version.eq(expected_version)),
    )
    .set(row)
    .execute(conn)?;
    expect_one_row(changed)
}

/// Up to `limit` commitments of the agreement after the id `after`, in creation order.
pub fn list(
    conn: &mut DbConnection,
    agreement: Id,
    filter: &CommitmentFilter,
    today: NaiveDate,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<CommitmentRow>, AppError> {
    const FINAL: [&str; 2] = ["fulfilled", "cancelled"];
    let mut query = commitments::table
        .filter(commitments::agreement_id.eq(agreement))
        .select(CommitmentRow::as_select())
        .into_boxed();
    if let Some(status) = filter.status {
        query = query.filter(commitments::status.eq(status.as_str()));
    }
    match filter.overdue {
        Some(true) => {
            query = query.filter(commitments::due_on.lt(today)).filter(commitments::status.ne_all(FINAL))
        }
        Some(false) => {
            query = query.filter(
                commitments::due_on
                    .is_null()
                    .or(commitments::due_on.ge(today))
                    .or(commitments::status.eq_any(FINAL)),
            )
        }
        None => {}
    }
    if let Some(org) = filter.responsible_organization_id {
        query = query.filter(commitments::responsible_organization_id.eq(org));
    }
    if let Some(before) = filter.due_before {
        query = query.filter(commitments::due_on.lt(before));
    }
    if let Some(after) = after {
        query = query.filter(commitments::id.gt(after));
    }
    Ok(query.order(commitments::id.asc()).limit(limit).load(conn)?)
}

/// Every commitment, grouped by agreement, each group in creation order: one query for the reports that
/// cover every agreement.
pub fn by_agreement(conn: &mut DbConnection) -> Result<HashMap<Id, Vec<CommitmentRow>>, AppError> {
    let mut grouped: HashMap<Id, Vec<CommitmentRow>> = HashMap::new();
    let rows: Vec<CommitmentRow> =
        commitments::table.order(commitments::id.asc()).select(CommitmentRow::as_select()).load(conn)?;
    for row in rows {
        grouped.entry(row.agreement_id).or_default().push(row);
    }
    Ok(grouped)
}

/// The standing of every commitment, grouped by agreement. Three columns instead of the whole rows: at
/// 80,000 commitments the whole rows made each agreements report grow the process by about 95 MB, these by
/// about 45 MB (benches/RESULTS.md).
pub fn standing_by_agreement(conn: &mut DbConnection) -> Result<HashMap<Id, Vec<Standing>>, AppError> {
    let mut grouped: HashMap<Id, Vec<Standing>> = HashMap::new();
    let rows: Vec<(Id, String, Option<NaiveDate>)> = commitments::table
        .select((commitments::agreement_id, commitments::status, commitments::due_on))
        .load(conn)?;
    for (agreement, status, due_on) in rows {
        grouped.entry(agreement).or_default().push(Standing::new(&status, due_on));
    }
    Ok(grouped)
}

/// Every commitment of the agreement, in creation order.
pub fn all_of(conn: &mut DbConnection, agreement: Id) -> Result<Vec<CommitmentRow>, AppError> {
    Ok(commitments::table
        .filter(commitments::agreement_id.eq(agreement))
        .order(commitments::id.asc())
        .select(CommitmentRow::as_select())
        .load(conn)?)
}

pub fn insert_update(conn: &mut DbConnection, row: &UpdateRow) -> Result<(), AppError> {
    diesel::insert_into(commitment_updates::table).values(row).execute(conn)?;
    Ok(())
}

/// The newest progress report of a commitment.
pub fn last_update(conn: &mut DbConnection, commitment: Id) -> Result<Option<UpdateRow>, AppError> {
    Ok(commitment_updates::table
        .filter(commitment_updates::commitment_id.eq(commitment))
        .order(commitment_updates::id.desc())
        .select(UpdateRow::as_select())
        .first(conn)
        .optional()?)
}

/// The progress log in the order it was written.
pub fn updates(
    conn: &mut DbConnection,
    commitment: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<UpdateRow>, AppError> {
    let mut query = commitment_updates::table
        .filter(commitment_updates::commitment_id.eq(commitment))
        .select(UpdateRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(commitment_updates::id.gt(after));
    }
    Ok(query.order(commitment_updates::id.asc()).limit(limit).load(conn)?)
}
