//! The Padang data set (`seeds/padang.json`, docs/data-model.md) and its loader, and the demo users.
//!
//! Everything is written through the same domain code the API uses (validation, reference checks and
//! audit events included), as the system actor `system:seed`. Records are looked up first by their natural
//! keys (short name; regulation kind, number, year and issuer; agreement number; commitment title under
//! its agreement; outcome title, organization and period start; coverage key), so a second load finds
//! them all and writes nothing.

pub mod synthetic;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::agreements::commitments::NewCommitment;
use crate::agreements::commitments::service as commitments_service;
use crate::agreements::model::{NewAgreement, PartyInput, PartyRole};
use crate::agreements::service as agreements;
use crate::auth::{AuthUser, Role};
use crate::coverage::model::{CoverageInput, Zones};
use crate::db::schema::{
    agreements as agreement_t, commitments, organizations, outcomes, regulations, users,
};
use crate::db::types::Id;
use crate::db::{DbConnection, write_transaction};
use crate::error::{AppError, text};
use crate::http::{IfMatch, Tx, Validator};
use crate::organizations::model::NewOrganization;
use crate::outcomes::model::NewOutcome;
use crate::regulations::model::{NewRegulation, RegulationKind};
use crate::users::model::NewUser;

/// The Padang data set, built into the binary so that `sinergi seed` works from any folder.
pub const PADANG: &str = include_str!("../../seeds/padang.json");

/// The seed file. `source` and `assumed` document each entry (the study's table or chapter; values the
/// study does not give) and are not loaded.
#[derive(Debug, Deserialize)]
pub struct SeedFile {
    #[serde(default)]
    pub organizations: Vec<OrganizationEntry>,
    #[serde(default)]
    pub regulations: Vec<Entry<NewRegulation>>,
    #[serde(default)]
    pub agreements: Vec<AgreementEntry>,
    #[serde(default)]
    pub coverage: Vec<CoverageGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry<T> {
    /// The record's fixed id (the demo's ids, which the OpenAPI examples name).
    pub id: Option<Id>,
    pub source: String,
    pub assumed: Option<Value>,
    pub record: T,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationEntry {
    pub id: Option<Id>,
    pub source: String,
    pub assumed: Option<Value>,
    /// The short name of the organization above it.
    pub parent: Option<String>,
    pub record: NewOrganization,
}

/// A regulation by its natural key.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegulationKey {
    pub kind: RegulationKind,
    pub number: String,
    pub year: i32,
    pub issuer: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyRef {
    /// A short name.
    pub organization: String,
    pub role: PartyRole,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementEntry {
    pub id: Option<Id>,
    pub source: String,
    pub assumed: Option<Value>,
    pub parties: Vec<PartyRef>,
    #[serde(default)]
    pub legal_basis: Vec<RegulationKey>,
    /// Activate it once created.
    #[serde(default)]
    pub activate: bool,
    /// The body of `POST /agreements` without parties and legal basis (named above by natural keys).
    pub record: NewAgreement,
    #[serde(default)]
    pub commitments: Vec<CommitmentEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentEntry {
    pub id: Option<Id>,
    pub source: String,
    pub assumed: Option<Value>,
    /// The short name of the responsible organization.
    pub responsible: String,
    /// The body of `POST /agreements/{id}/commitments` without `responsible_organization_id`.
    pub record: serde_json::Map<String, Value>,
    #[serde(default)]
    pub outcomes: Vec<OutcomeEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeEntry {
    pub id: Option<Id>,
    pub source: String,
    pub assumed: Option<Value>,
    /// The short name of the credited organization.
    pub organization: String,
    pub record: NewOutcome,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverageGroup {
    /// The study's table, stored as each row's `source`.
    pub source: String,
    pub assumed: Option<Value>,
    pub rows: Vec<CoverageInput>,
}

/// What a load did.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct SeedSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl SeedSummary {
    fn count(&mut self, created: bool) {
        if created { self.created += 1 } else { self.unchanged += 1 }
    }
}

/// Reads a seed file's text.
pub fn parse(json: &str) -> Result<SeedFile, AppError> {
    serde_json::from_str(json).map_err(|e| {
        AppError::invalid(
            "seed",
            text(format!("is not a valid seed file: {e}"), "bukan berkas seed yang sah"),
        )
    })
}

/// Loads `seed` in one write transaction: everything or nothing.
pub fn load(
    conn: &mut DbConnection,
    seed: &SeedFile,
    now: DateTime<Utc>,
    zones: Zones,
) -> Result<SeedSummary, AppError> {
    write_transaction(conn, |conn| load_in(conn, seed, now, zones))
}

fn load_in(
    conn: &mut DbConnection,
    seed: &SeedFile,
    now: DateTime<Utc>,
    zones: Zones,
) -> Result<SeedSummary, AppError> {
    let user = system_user(conn)?;
    let mut summary = SeedSummary::default();
    for entry in &seed.organizations {
        let short_name = entry.record.short_name.clone().unwrap_or_default();
        if organization_id(conn, &short_name)?.is_some() {
            summary.unchanged += 1;
            continue;
        }
        let mut input = entry.record.clone();
        if let Some(parent) = &entry.parent {
            input.parent_id = Some(required_organization(conn, parent)?);
        }
        Id::fixed(entry.id, || crate::organizations::service::create(Tx::new(conn, &user, now), input))?;
        summary.created += 1;
    }
    for entry in &seed.regulations {
        let fields = entry.record.clone().validate(now.date_naive())?;
        let key = RegulationKey {
            kind: fields.kind,
            number: fields.number.clone(),
            year: fields.year,
            issuer: fields.issuer.clone(),
        };
        if regulation_id(conn, &key)?.is_some() {
            summary.unchanged += 1;
            continue;
        }
        Id::fixed(entry.id, || {
            crate::regulations::service::create(Tx::new(conn, &user, now), entry.record.clone())
        })?;
        summary.created += 1;
    }
    for entry in &seed.agreements {
        load_agreement(conn, &user, now, entry, &mut summary)?;
    }
    for group in &seed.coverage {
        let rows = group
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut r = r.clone();
                r.source = r.source.or_else(|| {
                    Some(group.source.chars().take(crate::coverage::model::MAX_SOURCE).collect())
                });
                (format!("coverage[{i}]."), r)
            })
            .collect();
        let done =
            crate::coverage::service::record(Tx::new(conn, &user, now), zones, rows, Validator::new())?;
        summary.created += done.created;
        summary.updated += done.updated;
        summary.unchanged += done.unchanged;
    }
    Ok(summary)
}

fn load_agreement(
    conn: &mut DbConnection,
    user: &AuthUser,
    now: DateTime<Utc>,
    entry: &AgreementEntry,
    summary: &mut SeedSummary,
) -> Result<(), AppError> {
    let number = entry.record.number.clone().unwrap_or_default();
    let existing = agreement_t::table
        .filter(agreement_t::number.eq(&number))
        .select(agreement_t::id)
        .first::<Id>(conn)
        .optional()?;
    let agreement_id = match existing {
        Some(id) => {
            summary.unchanged += 1;
            id
        }
        None => {
            let mut body = entry.record.clone();
            body.parties = entry
                .parties
                .iter()
                .map(|p| {
                    Ok(PartyInput {
                        organization_id: required_organization(conn, &p.organization)?,
                        role: p.role,
                        signatory_name: None,
                        signatory_position: None,
                    })
                })
                .collect::<Result<_, AppError>>()?;
            body.legal_basis = entry
                .legal_basis
                .iter()
                .map(|key| {
                    regulation_id(conn, key)?.ok_or_else(|| {
                        unknown("legal_basis", &format!("{} {}/{}", key.kind.as_str(), key.number, key.year))
                    })
                })
                .collect::<Result<_, AppError>>()?;
            let created = Id::fixed(entry.id, || agreements::create(Tx::new(conn, user, now), body))?;
            if entry.activate {
                agreements::activate(Tx::new(conn, user, now), created.id, &IfMatch::absent())?;
            }
            summary.created += 1;
            created.id
        }
    };
    for commitment in &entry.commitments {
        let title = commitment.record.get("title").and_then(Value::as_str).unwrap_or_default();
        let existing = commitments::table
            .filter(commitments::agreement_id.eq(agreement_id))
            .filter(commitments::title.eq(title))
            .select(commitments::id)
            .first::<Id>(conn)
            .optional()?;
        let commitment_id = match existing {
            Some(id) => id,
            None => {
                let mut record = commitment.record.clone();
                let responsible = required_organization(conn, &commitment.responsible)?;
                record.insert(
                    "responsible_organization_id".into(),
                    serde_json::to_value(responsible).unwrap_or(Value::Null),
                );
                let body: NewCommitment = serde_json::from_value(Value::Object(record)).map_err(|e| {
                    AppError::invalid(
                        "commitments",
                        text(format!("is not a commitment: {e}"), "bukan komitmen yang sah"),
                    )
                })?;
                Id::fixed(commitment.id, || {
                    commitments_service::create(Tx::new(conn, user, now), agreement_id, body)
                })?
                .id
            }
        };
        summary.count(existing.is_none());
        for outcome in &commitment.outcomes {
            let organization = required_organization(conn, &outcome.organization)?;
            let mut body = outcome.record.clone();
            body.organization_id = Some(organization);
            body.agreement_id = Some(agreement_id);
            body.commitment_id = Some(commitment_id);
            let found = outcomes::table
                .filter(outcomes::organization_id.eq(organization))
                .filter(outcomes::title.eq(body.title.clone().unwrap_or_default()))
                .filter(outcomes::period_start.eq(body.period_start.unwrap_or_default()))
                .select(outcomes::id)
                .first::<Id>(conn)
                .optional()?;
            if found.is_none() {
                Id::fixed(outcome.id, || crate::outcomes::service::create(Tx::new(conn, user, now), body))?;
            }
            summary.count(found.is_none());
        }
    }
    Ok(())
}

/// The seed acts as the first administrator (records need a creating user) under the name `system:seed`,
/// so that the audit trail tells seeded records from an administrator's own.
fn system_user(conn: &mut DbConnection) -> Result<AuthUser, AppError> {
    let admin = users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .order(users::created_at.asc())
        .select(users::id)
        .first::<Id>(conn)
        .optional()?
        .ok_or_else(|| {
            AppError::internal("the seed needs an administrator; start the server once first".to_string())
        })?;
    Ok(AuthUser {
        id: admin,
        username: "system:seed".into(),
        role: Role::Admin,
        organization_id: None,
        acts_for: Vec::new(),
        request_id: None,
    })
}

fn organization_id(conn: &mut DbConnection, short_name: &str) -> Result<Option<Id>, AppError> {
    Ok(organizations::table
        .filter(organizations::short_name.eq(short_name))
        .select(organizations::id)
        .first::<Id>(conn)
        .optional()?)
}

fn required_organization(conn: &mut DbConnection, short_name: &str) -> Result<Id, AppError> {
    organization_id(conn, short_name)?.ok_or_else(|| unknown("organization", short_name))
}

fn regulation_id(conn: &mut DbConnection, key: &RegulationKey) -> Result<Option<Id>, AppError> {
    Ok(regulations::table
        .filter(regulations::kind.eq(key.kind.as_str()))
        .filter(regulations::number.eq(&key.number))
        .filter(regulations::year.eq(key.year))
        .filter(regulations::issuer.eq(&key.issuer))
        .select(regulations::id)
        .first::<Id>(conn)
        .optional()?)
}

fn unknown(field: &str, name: &str) -> AppError {
    AppError::invalid(
        field,
        text(
            format!("names {name:?}, which the seed file does not define"),
            "merujuk data yang tidak ada di berkas seed",
        ),
    )
}

/// A demo account as created.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub username: String,
    pub role: Role,
    pub organization: String,
    pub password: String,
}

/// One user per role (beside the administrator) where such a user would sit; the auditor sits at the
/// provincial government, which oversees the city's programme. Users that exist already are left alone.
/// Each has a fixed id (UUIDv7-shaped, dated 2024-01-01 like the ids in `seeds/padang.json`) that the
/// OpenAPI examples name.
pub const DEMO_USERS: [(&str, Role, &str, Id); 5] = [
    ("bpjs.padang", Role::BpjsStaff, "BPJSTK-PDG", demo_id(0x41)),
    ("disnakerin.padang", Role::OpdStaff, "DISNAKERIN-PDG", demo_id(0x42)),
    ("rumahbumn.padang", Role::PartnerStaff, "RUMAHBUMN-PDG", demo_id(0x43)),
    ("auditor.sumbar", Role::Auditor, "PEMPROV-SUMBAR", demo_id(0x44)),
    // Dinsos carries the data set's one commitment (overdue since 2024): its user has reminders to read.
    ("dinsos.padang", Role::OpdStaff, "DINSOS-PDG", demo_id(0x45)),
];

/// Demo id number `n`: UUIDv7 with the time 2024-01-01T00:00:00Z + `n` ms and `n` as its last digits, so
/// that the demo's records sort by id in the order they are loaded, before anything created later.
pub const fn demo_id(n: u16) -> Id {
    const BASE_MS: u128 = 1_704_067_200_000;
    let n = n as u128;
    Id(uuid::Uuid::from_u128(((BASE_MS + n) << 80) | (0x7000 << 64) | (0x8000 << 48) | n))
}

/// Creates the demo users that do not exist yet, with random passwords (returned, to be shown once).
pub fn create_demo_users(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<Vec<DemoUser>, AppError> {
    let mut created = Vec::new();
    for (username, role, organization, id) in DEMO_USERS {
        let exists: i64 = users::table.filter(users::username.eq(username)).count().get_result(conn)?;
        if exists > 0 {
            continue;
        }
        let organization_id = required_organization(conn, organization)?;
        let password: String = rand::rng().sample_iter(&Alphanumeric).take(20).map(char::from).collect();
        let new = NewUser {
            username: username.into(),
            full_name: format!("Demo {}", role.as_str()),
            email: None,
            role,
            organization_id: Some(organization_id),
            password: password.clone(),
        };
        Id::fixed(Some(id), || crate::users::service::create_as_system(conn, "demo", now, new))?;
        created.push(DemoUser {
            username: username.into(),
            role,
            organization: organization.into(),
            password,
        });
    }
    Ok(created)
}

/// Whether the database has no organization yet: the demo loads only into such a database.
pub fn is_empty(conn: &mut DbConnection) -> Result<bool, AppError> {
    let count: i64 = organizations::table.count().get_result(conn)?;
    Ok(count == 0)
}
