//! `sinergi seed --synthetic`: a large, realistic and repeatable data set for the benchmark (issue 8).
//!
//! The rows are written straight into the tables with multi-row `INSERT`s, not through the domain code:
//! a million activities through the API would take hours. Everything is one transaction, so a failed run
//! leaves the database as it was. The random generator has a fixed seed and every timestamp lies on a
//! fixed ten-year timeline (2016–2025), so two runs on fresh databases write the same rows with the same
//! ids (UUID version 7 made from each row's `created_at`).
//!
//! The generator only writes into a database without organizations (freshly migrated, with its first
//! administrator): mixed with real records the figures would mean nothing.
//!
//! The audit trail gets `create` events (built by [`NewAuditEvent::new`], the same code as every API
//! write), pending for the sequencer; `sinergi seed --synthetic` then integrates them into the log and
//! signs its checkpoints, as the server's sequencer would. The event budget covers every organization, agreement, commitment and outcome,
//! and activities spread evenly over the rest; regions, coverage and progress reports get none.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;
use serde_json::{Value, json};

use crate::activities::model::{ActivityKind, CgrComponent};
use crate::agreements::commitments::{CommitmentStatus, TargetUnit};
use crate::agreements::model::{AgreementKind, Confidentiality, PartyRole, Scope};
use crate::audit::{Actor, Change, NewAuditEvent};
use crate::coverage::model::Segment;
use crate::db::schema::{audit_events, regions};
use crate::db::{DbConnection, Id, write_transaction};
use crate::error::{AppError, text};
use crate::organizations::model::OrganizationKind;
use crate::outcomes::model::OutcomeKind;

/// The short name of the organization that organizes a large share of the activities, so that the
/// benchmark can walk `GET /activities?organization_id=…` twenty pages deep.
pub const HEAVY_SHORT_NAME: &str = "SYN-HEAVY";

/// Rows per `INSERT` statement, and the statement size at which it is sent early.
const BATCH_ROWS: usize = 1000;
const BATCH_BYTES: usize = 1 << 20;

const SEED: u64 = 0x5349_4e45_5247_4931;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Small,
    Large,
}

/// How much a scale makes. `Small` is one hundredth of `Large`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Counts {
    pub organizations: usize,
    pub agreements: usize,
    pub activities: usize,
    pub outcomes: usize,
    /// Rows the regions table is filled up to (the 20 West Sumatra rows plus synthetic ones).
    pub regions: usize,
    /// Months of coverage per region and segment, ending in December 2025.
    pub months: usize,
    pub audit_events: usize,
}

impl Scale {
    pub fn counts(self) -> Counts {
        match self {
            Scale::Large => Counts {
                organizations: 5_000,
                agreements: 20_000,
                activities: 1_000_000,
                outcomes: 200_000,
                regions: 514,
                months: 120,
                audit_events: 1_000_000,
            },
            Scale::Small => Counts {
                organizations: 50,
                agreements: 200,
                activities: 10_000,
                outcomes: 2_000,
                regions: 52,
                months: 12,
                audit_events: 10_000,
            },
        }
    }
}

/// What a run wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub regions: usize,
    pub organizations: usize,
    pub agreements: usize,
    pub agreement_parties: usize,
    pub commitments: usize,
    pub commitment_updates: usize,
    pub activities: usize,
    pub activity_participants: usize,
    pub outcomes: usize,
    pub coverage: usize,
    pub audit_events: usize,
    pub heavy_organization_id: Option<Id>,
    /// Activities the heavy organization organizes.
    pub heavy_organization_activities: usize,
    #[serde(skip)]
    pub elapsed: Duration,
}

/// Fills a freshly migrated database with the data set of `scale`. `progress` shows a bar per table on
/// standard error.
pub fn generate(conn: &mut DbConnection, scale: Scale, progress: bool) -> Result<Summary, AppError> {
    let started = Instant::now();
    if !super::is_empty(conn)? {
        return Err(AppError::conflict(text(
            "the database already holds organizations; --synthetic writes only into a fresh database \
             (migrated, with at most its users)",
            "basis data sudah berisi organisasi; --synthetic hanya mengisi basis data baru",
        )));
    }
    if let DbConnection::Sqlite(c) = conn {
        // One large transaction: a bigger page cache saves re-reading index pages.
        c.batch_execute("PRAGMA cache_size = -262144;")?;
    }
    if let DbConnection::Postgres(c) = conn {
        // The pool's 30 s limit is for requests; ANALYZE of a large table may take longer.
        c.batch_execute("SET statement_timeout = 0;")?;
    }
    let mut summary = write_transaction(conn, |conn| {
        let mut g = Generator::new(conn, scale.counts(), progress)?;
        g.regions()?;
        g.organizations()?;
        g.agreements()?;
        g.activities()?;
        g.outcomes()?;
        g.coverage()?;
        g.chain.finish(g.conn)?;
        g.summary.audit_events = g.chain.written;
        Ok::<_, AppError>(g.summary)
    })?;
    // Fresh statistics, so that the first queries of the benchmark get good plans.
    conn.batch_execute("ANALYZE;")?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The timeline: records are created from the start of 2016 to the end of 2025; "today" for statuses is
/// the first of January 2026.
fn start() -> NaiveDateTime {
    date(2016, 1, 1).and_hms_opt(0, 0, 0).unwrap_or_default()
}

fn today() -> NaiveDate {
    date(2026, 1, 1)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// The `i`-th of `n` instants spread evenly over `days` days from `from`, at whole microseconds.
fn spread(from: NaiveDateTime, days: i64, i: usize, n: usize) -> NaiveDateTime {
    let micros = days * 86_400_000_000 / n.max(1) as i64 * i as i64;
    from + TimeDelta::microseconds(micros)
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

/// A version 7 UUID for a row created at `at`, its random part from the seeded generator.
fn id_at(rng: &mut StdRng, at: NaiveDateTime) -> Id {
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or_default();
    let bytes: [u8; 10] = rng.random();
    Id(uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid())
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    items[rng.random_range(0..items.len())]
}

/// Picks by weight from `(item, weight)` pairs.
fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut roll = rng.random_range(0..total);
    for (item, w) in items {
        if roll < *w {
            return *item;
        }
        roll -= w;
    }
    items[0].0
}

/// `k` distinct items of `items` (all of them when there are fewer).
fn distinct<T: Copy + PartialEq>(rng: &mut StdRng, items: &[T], k: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(k);
    while out.len() < k.min(items.len()) {
        let item = pick(rng, items);
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// An organization index skewed towards the first ones, so that some organizations take part in far
/// more than others, as in life.
fn skewed(rng: &mut StdRng, n: usize) -> usize {
    let r: f64 = rng.random();
    ((r * r * r) * n as f64) as usize % n.max(1)
}

/// A value of a row, written as an SQL literal. Literals keep one statement text valid on both backends
/// (PostgreSQL coerces them to the column types of the `INSERT`).
enum Val<'a> {
    Text(&'a str),
    Id(Id),
    Int(i64),
    Ts(NaiveDateTime),
    Date(NaiveDate),
    Null,
}

impl<'a> From<&'a str> for Val<'a> {
    fn from(v: &'a str) -> Self {
        Val::Text(v)
    }
}
impl<'a> From<&'a String> for Val<'a> {
    fn from(v: &'a String) -> Self {
        Val::Text(v)
    }
}
impl From<Id> for Val<'_> {
    fn from(v: Id) -> Self {
        Val::Id(v)
    }
}
impl From<i64> for Val<'_> {
    fn from(v: i64) -> Self {
        Val::Int(v)
    }
}
impl From<i32> for Val<'_> {
    fn from(v: i32) -> Self {
        Val::Int(v.into())
    }
}
impl From<usize> for Val<'_> {
    fn from(v: usize) -> Self {
        Val::Int(v as i64)
    }
}
impl From<NaiveDateTime> for Val<'_> {
    fn from(v: NaiveDateTime) -> Self {
        Val::Ts(v)
    }
}
impl From<NaiveDate> for Val<'_> {
    fn from(v: NaiveDate) -> Self {
        Val::Date(v)
    }
}
impl<'a, T: Into<Val<'a>>> From<Option<T>> for Val<'a> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Val::Null, Into::into)
    }
}

macro_rules! row {
    ($($v:expr),+ $(,)?) => { &[$(Val::from($v)),+] };
}

/// One multi-row `INSERT` being built for a table.
struct Insert {
    head: String,
    sql: String,
    rows: usize,
    total: usize,
}

impl Insert {
    fn new(table: &str, columns: &str) -> Insert {
        Insert {
            head: format!("INSERT INTO {table} ({columns}) VALUES "),
            sql: String::with_capacity(BATCH_BYTES + BATCH_BYTES / 4),
            rows: 0,
            total: 0,
        }
    }

    fn push(&mut self, values: &[Val<'_>]) {
        if self.rows == 0 {
            self.sql.clear();
            self.sql.push_str(&self.head);
        } else {
            self.sql.push(',');
        }
        self.sql.push('(');
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.sql.push(',');
            }
            // Timestamps and dates as diesel writes them to SQLite, so that stored text compares right.
            let _ = match v {
                Val::Text(s) => {
                    self.sql.push('\'');
                    self.sql.push_str(&s.replace('\'', "''"));
                    self.sql.push('\'');
                    Ok(())
                }
                Val::Id(id) => write!(self.sql, "'{}'", id.0.hyphenated()),
                Val::Int(n) => write!(self.sql, "{n}"),
                Val::Ts(t) => write!(self.sql, "'{}'", t.format("%F %T%.f")),
                Val::Date(d) => write!(self.sql, "'{}'", d.format("%F")),
                Val::Null => {
                    self.sql.push_str("NULL");
                    Ok(())
                }
            };
        }
        self.sql.push(')');
        self.rows += 1;
        self.total += 1;
    }

    fn full(&self) -> bool {
        self.rows >= BATCH_ROWS || self.sql.len() >= BATCH_BYTES
    }

    fn flush(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        if self.rows > 0 {
            conn.batch_execute(&self.sql)?;
            self.rows = 0;
        }
        Ok(())
    }
}

/// Sends the statements of a parent table and its children together once any is full (or `force`), the
/// parents first, so that every foreign key finds its row.
fn flush_together(conn: &mut DbConnection, inserts: &mut [&mut Insert], force: bool) -> QueryResult<()> {
    if force || inserts.iter().any(|i| i.full()) {
        for insert in inserts.iter_mut() {
            insert.flush(conn)?;
        }
    }
    Ok(())
}

/// The audit trail being extended: events numbered after the last one, each pending for the sequencer
/// (`sinergi seed --synthetic` integrates them into the log after this transaction).
struct Chain {
    seq: i64,
    actor: Actor,
    insert: Insert,
    pending: Insert,
    written: usize,
}

impl Chain {
    fn take(conn: &mut DbConnection) -> QueryResult<Chain> {
        let last: Option<i64> =
            audit_events::table.select(diesel::dsl::max(audit_events::seq)).first(conn)?;
        Ok(Chain {
            seq: last.unwrap_or(0),
            actor: Actor::system("synthetic"),
            insert: Insert::new(
                "audit_events",
                "seq, id, occurred_at, actor_user_id, actor_username, actor_role, actor_organization_id, \
                 action, entity_type, entity_id, request_id, before_state, after_state",
            ),
            pending: Insert::new("audit_pending", "seq"),
            written: 0,
        })
    }

    fn create(
        &mut self,
        conn: &mut DbConnection,
        rng: &mut StdRng,
        at: NaiveDateTime,
        entity_type: &str,
        entity_id: Id,
        after: Value,
    ) -> QueryResult<()> {
        let mut change = Change::new("create", entity_type, entity_id);
        change.after = Some(after);
        self.seq += 1;
        let row = NewAuditEvent::new(id_at(rng, at), utc(at), &self.actor, change);
        self.insert.push(row![
            self.seq,
            row.id,
            row.occurred_at,
            row.actor_user_id,
            row.actor_username.as_ref(),
            row.actor_role.as_ref(),
            row.actor_organization_id,
            &row.action,
            &row.entity_type,
            row.entity_id.as_ref(),
            row.request_id.as_ref(),
            row.before_state.as_ref(),
            row.after_state.as_ref(),
        ]);
        self.pending.push(row![self.seq]);
        self.written += 1;
        if self.insert.full() {
            self.insert.flush(conn)?;
            self.pending.flush(conn)?;
        }
        Ok(())
    }

    /// Writes the last events, and on PostgreSQL moves the numbering past them.
    fn finish(&mut self, conn: &mut DbConnection) -> QueryResult<()> {
        self.insert.flush(conn)?;
        self.pending.flush(conn)?;
        if let DbConnection::Postgres(_) = conn {
            conn.batch_execute(&format!("SELECT setval('audit_events_seq_seq', {})", self.seq.max(1)))?;
        }
        Ok(())
    }
}

struct Org {
    id: Id,
    short_name: String,
}

struct AgreementRef {
    id: Id,
    /// Organization indexes of the parties that carry obligations (not the witnesses).
    parties: Vec<u32>,
    scopes: Vec<Scope>,
    /// The range of its commitments in `Generator::commitments`.
    commitments: std::ops::Range<u32>,
}

struct ActivityRef {
    id: Id,
    organizer: u32,
    agreement: Option<u32>,
}

struct Generator<'c> {
    conn: &'c mut DbConnection,
    rng: StdRng,
    counts: Counts,
    progress: bool,
    chain: Chain,
    summary: Summary,
    region_codes: Vec<(String, String)>,
    orgs: Vec<Org>,
    agreements: Vec<AgreementRef>,
    commitments: Vec<Id>,
    activities: Vec<ActivityRef>,
}

const FIRST_NAMES: [&str; 12] =
    ["Budi", "Siti", "Andi", "Rina", "Yusuf", "Dewi", "Rahmat", "Fitri", "Hendra", "Lestari", "Fauzi", "Nur"];
const LAST_NAMES: [&str; 10] = [
    "Santoso",
    "Rahmawati",
    "Putra",
    "Syahrial",
    "Hidayat",
    "Wulandari",
    "Effendi",
    "Nasution",
    "Chaniago",
    "Tanjung",
];
const WORDS: [&str; 12] = [
    "Andalas",
    "Minang",
    "Bahari",
    "Sentosa",
    "Makmur",
    "Jaya",
    "Lestari",
    "Sejahtera",
    "Mandiri",
    "Nusantara",
    "Harapan",
    "Karya",
];
const TOPICS: [&str; 10] = [
    "perlindungan pekerja rentan",
    "kepesertaan jaminan sosial",
    "pekerja jasa konstruksi",
    "pekerja migran",
    "data kepesertaan",
    "kepatuhan pemberi kerja",
    "anggaran iuran daerah",
    "sosialisasi program",
    "pelayanan klaim",
    "pekerja bukan penerima upah",
];

fn person(rng: &mut StdRng) -> String {
    format!("{} {}", pick(rng, &FIRST_NAMES), pick(rng, &LAST_NAMES))
}

impl<'c> Generator<'c> {
    fn new(conn: &'c mut DbConnection, counts: Counts, progress: bool) -> QueryResult<Generator<'c>> {
        let chain = Chain::take(conn)?;
        Ok(Generator {
            conn,
            rng: StdRng::seed_from_u64(SEED),
            counts,
            progress,
            chain,
            summary: Summary::default(),
            region_codes: Vec::new(),
            orgs: Vec::new(),
            agreements: Vec::new(),
            commitments: Vec::new(),
            activities: Vec::new(),
        })
    }

    fn bar(&self, what: &str, len: usize) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::new(len as u64);
        let style = ProgressStyle::with_template(
            "{msg:<22} [{bar:40}] {human_pos:>9}/{human_len:9} {per_sec:>12} {elapsed_precise}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what.to_string());
        bar
    }

    /// Fills the regions table up to `counts.regions` rows with synthetic provinces of 25 regencies and
    /// cities each, coded like BPS codes (`81`, `8101`…`8118`, `8171`…`8177`).
    fn regions(&mut self) -> Result<(), AppError> {
        let existing: i64 = regions::table.count().get_result(self.conn)?;
        let mut missing = self.counts.regions.saturating_sub(existing as usize);
        let mut insert = Insert::new("regions", "code, name, kind, parent_code");
        let mut province = 81;
        while missing > 0 && province < 100 {
            let code = province.to_string();
            insert.push(row![
                &code,
                format!("Provinsi Sintetis {province}").as_str(),
                "province",
                None::<&str>
            ]);
            missing -= 1;
            for child in 1..=25 {
                if missing == 0 {
                    break;
                }
                let (number, kind, name) =
                    if child <= 18 { (child, "regency", "Kabupaten") } else { (child + 52, "city", "Kota") };
                let child_code = format!("{province}{number:02}");
                insert.push(row![
                    &child_code,
                    format!("{name} Sintetis {child_code}").as_str(),
                    kind,
                    code.as_str()
                ]);
                missing -= 1;
            }
            province += 1;
        }
        insert.flush(self.conn)?;
        self.summary.regions = insert.total;
        self.region_codes =
            regions::table.select((regions::code, regions::name)).order(regions::code).load(self.conn)?;
        Ok(())
    }

    fn organizations(&mut self) -> Result<(), AppError> {
        use OrganizationKind::*;
        const KINDS: [(OrganizationKind, u32); 13] = [
            (Employer, 35),
            (RegionalAgency, 20),
            (Association, 8),
            (CommunityOrg, 8),
            (LabourUnion, 6),
            (FinancialInstitution, 5),
            (RegencyGovernment, 5),
            (CityGovernment, 3),
            (SocialSecurityBranch, 3),
            (PerisaiAgency, 2),
            (ProvincialGovernment, 2),
            (Ministry, 1),
            (SoeForum, 1),
        ];
        const AGENCIES: [&str; 6] =
            ["Tenaga Kerja", "Sosial", "Kesehatan", "Perindustrian", "Koperasi", "PUPR"];
        let n = self.counts.organizations;
        let bar = self.bar("organizations", n);
        let mut insert = Insert::new(
            "organizations",
            "id, name, short_name, kind, sector, parent_id, region_code, address, phone, email, website, \
             status, notes, version, created_at, updated_at, created_by",
        );
        let places: Vec<usize> =
            (0..self.region_codes.len()).filter(|&i| self.region_codes[i].0.len() > 2).collect();
        let mut governments: Vec<usize> = Vec::new();
        for i in 0..n {
            let rng = &mut self.rng;
            let at = spread(start(), 180, i, n);
            let id = id_at(rng, at);
            let kind = if i == 0 { SocialSecurityBranch } else { weighted(rng, &KINDS) };
            let region = pick(rng, &places);
            let (code, place) = &self.region_codes[region];
            let short_name = if i == 0 { HEAVY_SHORT_NAME.to_string() } else { format!("SYN-{i:05}") };
            let name = match kind {
                Employer => format!("PT {} {} {i}", pick(rng, &WORDS), pick(rng, &WORDS)),
                RegionalAgency => format!("Dinas {} {place}", pick(rng, &AGENCIES)),
                RegencyGovernment | CityGovernment => format!("Pemerintah {place}"),
                ProvincialGovernment => format!("Pemerintah Provinsi {place}"),
                SocialSecurityBranch => format!("BPJS Ketenagakerjaan Cabang {place}"),
                LabourUnion => format!("Serikat Pekerja {} {place}", pick(rng, &WORDS)),
                FinancialInstitution => format!("Bank {} {place}", pick(rng, &WORDS)),
                _ => format!("{} {} {place}", kind.as_str().replace('_', " "), pick(rng, &WORDS)),
            };
            // Agencies sit under a government; a quarter of the unions under an association.
            let parent = match kind {
                RegionalAgency if !governments.is_empty() => Some(self.orgs[pick(rng, &governments)].id),
                LabourUnion if i > 10 && rng.random_bool(0.25) => Some(self.orgs[rng.random_range(1..i)].id),
                _ => None,
            };
            let status = if rng.random_bool(0.05) { "inactive" } else { "active" };
            let address = format!("Jl. {} No. {}", pick(rng, &WORDS), rng.random_range(1..200));
            let phone = format!("+62 751 {}", rng.random_range(1_000_000..9_999_999));
            let email = format!("info@{}.example", short_name.to_lowercase());
            insert.push(row![
                id,
                &name,
                &short_name,
                kind.as_str(),
                kind.default_sector().as_str(),
                parent,
                code.as_str(),
                &address,
                &phone,
                &email,
                None::<&str>,
                status,
                None::<&str>,
                1,
                at,
                at,
                None::<Id>,
            ]);
            if matches!(kind, RegencyGovernment | CityGovernment | ProvincialGovernment) {
                governments.push(i);
            }
            let after = json!({
                "id": id, "name": name, "short_name": short_name, "kind": kind, "sector": kind.default_sector(),
                "parent_id": parent, "region_code": code, "address": address, "phone": phone, "email": email,
                "status": status, "version": 1,
            });
            self.chain.create(self.conn, &mut self.rng, at, "organization", id, after)?;
            self.orgs.push(Org { id, short_name });
            if insert.full() {
                insert.flush(self.conn)?;
            }
            bar.inc(1);
        }
        insert.flush(self.conn)?;
        bar.finish();
        self.summary.organizations = insert.total;
        self.summary.heavy_organization_id = self.orgs.first().map(|o| o.id);
        Ok(())
    }

    fn agreements(&mut self) -> Result<(), AppError> {
        use AgreementKind::*;
        const KINDS: [(AgreementKind, u32); 6] = [
            (PerjanjianKerjaSama, 45),
            (NotaKesepahaman, 25),
            (NotaKesepakatan, 15),
            (KerjaSamaOperasional, 6),
            (KerjaSamaFungsional, 6),
            (Other, 3),
        ];
        let n = self.counts.agreements;
        let n_orgs = self.orgs.len();
        let bar = self.bar("agreements", n);
        let mut agreements = Insert::new(
            "agreements",
            "id, number, title, kind, status, signed_on, effective_from, effective_until, summary, \
             confidentiality, terminated_on, termination_reason, version, created_at, updated_at, created_by",
        );
        let mut parties = Insert::new(
            "agreement_parties",
            "agreement_id, organization_id, role, signatory_name, signatory_position, ordinal",
        );
        let mut scopes = Insert::new("agreement_scopes", "agreement_id, scope");
        let mut commitments = Insert::new(
            "commitments",
            "id, agreement_id, title, description, responsible_organization_id, scope, due_on, target_value, \
             target_unit, status, progress_pct, value_achieved, version, created_at, updated_at, created_by",
        );
        let mut updates = Insert::new(
            "commitment_updates",
            "id, commitment_id, reported_on, status, progress_pct, value_achieved, note, created_at, created_by",
        );
        for i in 0..n {
            let rng = &mut self.rng;
            let at = spread(start() + TimeDelta::days(60), 3560, i, n);
            let id = id_at(rng, at);
            let kind = weighted(rng, &KINDS);
            let roll: f64 = rng.random();
            let status = if roll < 0.10 {
                "draft"
            } else if roll < 0.22 {
                "terminated"
            } else {
                "active"
            };
            let confidentiality =
                if rng.random_bool(0.1) { Confidentiality::Restricted } else { Confidentiality::Internal };
            let signed_on = (status != "draft").then(|| at.date() + Days::new(rng.random_range(0..30)));
            let from = at.date() + Days::new(rng.random_range(20..45));
            let until = (!rng.random_bool(0.08)).then(|| from + Months::new(rng.random_range(12..=60)));
            let terminated_on = (status == "terminated").then(|| {
                let end = until.unwrap_or(from + Months::new(36)).min(today());
                let days = (end - from).num_days().max(1) as u64;
                from + Days::new(rng.random_range(0..days))
            });
            let topic = pick(rng, &TOPICS);
            let initials: String = kind.as_str().split('_').filter_map(|w| w.get(..1)).collect();
            let number = signed_on.map(|d| format!("SYN/{}/{}/{i:05}", initials.to_uppercase(), d.year()));
            let count = rng.random_range(2..=5);
            let mut members: Vec<u32> = Vec::with_capacity(count);
            while members.len() < count {
                let o = skewed(rng, n_orgs) as u32;
                if !members.contains(&o) {
                    members.push(o);
                }
            }
            let title = format!(
                "{} {topic} antara {} dan {}",
                kind.as_str().replace('_', " "),
                self.orgs[members[0] as usize].short_name,
                self.orgs[members[1] as usize].short_name
            );
            let summary = format!("Kerja sama di bidang {topic}.");
            let reason = terminated_on.map(|_| "Disepakati para pihak untuk diakhiri".to_string());
            let version = if status == "terminated" { 2 } else { 1 };
            let updated = terminated_on.map_or(at, |d| d.and_hms_opt(10, 0, 0).unwrap_or(at).max(at));
            agreements.push(row![
                id,
                number.as_ref(),
                &title,
                kind.as_str(),
                status,
                signed_on,
                signed_on.map(|_| from),
                signed_on.and(until),
                &summary,
                confidentiality.as_str(),
                terminated_on,
                reason.as_ref(),
                version,
                at,
                updated,
                None::<Id>,
            ]);
            let witness = count >= 4 && rng.random_bool(0.5);
            let mut obligated = Vec::with_capacity(count);
            let mut party_json = Vec::with_capacity(count);
            for (ordinal, &o) in members.iter().enumerate() {
                let role = match ordinal {
                    0 => PartyRole::FirstParty,
                    1 => PartyRole::SecondParty,
                    k if witness && k == count - 1 => PartyRole::Witness,
                    _ => PartyRole::Party,
                };
                if role != PartyRole::Witness {
                    obligated.push(o);
                }
                let org = self.orgs[o as usize].id;
                let signatory = person(rng);
                parties.push(row![id, org, role.as_str(), &signatory, "Kepala", ordinal + 1]);
                party_json.push(json!({"organization_id": org, "role": role, "ordinal": ordinal + 1}));
            }
            let k = rng.random_range(1..=3);
            let chosen = distinct(rng, Scope::ALL, k);
            for scope in &chosen {
                scopes.push(row![id, scope.as_str()]);
            }
            let first = self.commitments.len() as u32;
            let mut commitment_events = Vec::new();
            for k in 0..rng.random_range(2..=6) {
                let cid = id_at(rng, at);
                let scope = pick(rng, &chosen);
                let (title, unit) = match scope {
                    Scope::Enrolment => ("Mendaftarkan pekerja rentan", Some(TargetUnit::People)),
                    Scope::Budget => ("Mengalokasikan anggaran iuran", Some(TargetUnit::Idr)),
                    Scope::Regulation => ("Menerbitkan peraturan kepala daerah", Some(TargetUnit::Documents)),
                    Scope::Sosialisasi | Scope::Pembinaan => {
                        ("Menyelenggarakan sosialisasi", Some(TargetUnit::Sessions))
                    }
                    _ => ("Menyusun laporan bersama", None),
                };
                let title = format!("{title} ({})", k + 1);
                let target = unit.map(|u| match u {
                    TargetUnit::People => rng.random_range(100..20_000),
                    TargetUnit::Idr => rng.random_range(10..5_000) * 1_000_000,
                    TargetUnit::Documents => rng.random_range(1..4),
                    _ => rng.random_range(2..24),
                });
                let due = from + Months::new(rng.random_range(6..=24));
                let cstatus = match status {
                    "draft" => CommitmentStatus::Planned,
                    "terminated" => {
                        if rng.random_bool(0.5) {
                            CommitmentStatus::Cancelled
                        } else {
                            CommitmentStatus::Missed
                        }
                    }
                    _ if due < today() => weighted(
                        rng,
                        &[
                            (CommitmentStatus::Fulfilled, 60),
                            (CommitmentStatus::Missed, 25),
                            (CommitmentStatus::InProgress, 15),
                        ],
                    ),
                    _ => {
                        weighted(rng, &[(CommitmentStatus::Planned, 30), (CommitmentStatus::InProgress, 70)])
                    }
                };
                let pct: i64 = match cstatus {
                    CommitmentStatus::Planned => 0,
                    CommitmentStatus::Fulfilled => 100,
                    CommitmentStatus::InProgress => rng.random_range(10..90),
                    CommitmentStatus::Missed => rng.random_range(20..80),
                    CommitmentStatus::Cancelled => rng.random_range(0..50),
                };
                let achieved = target.map(|t| t * pct / 100).filter(|_| pct > 0);
                let responsible = self.orgs[pick(rng, &obligated) as usize].id;
                // Progress reports leading up to the current state, for commitments that got going.
                let reports = if pct > 0 && signed_on.is_some() { rng.random_range(1..=3) } else { 0 };
                let last_day = due.min(today() - Days::new(1));
                let span = (last_day - from).num_days().max(1) as u64;
                let mut updated_at = at;
                for r in 1..=reports {
                    let on = from + Days::new(span * r / reports);
                    let (rstatus, rpct) = if r == reports {
                        (cstatus, pct)
                    } else {
                        (CommitmentStatus::InProgress, pct * r as i64 / reports as i64)
                    };
                    let created = on.and_hms_opt(9, 0, 0).unwrap_or(at).max(at);
                    updated_at = created;
                    let uid = id_at(rng, created);
                    updates.push(row![
                        uid,
                        cid,
                        on,
                        rstatus.as_str(),
                        rpct,
                        target.map(|t| t * rpct / 100),
                        "Laporan kemajuan berkala",
                        created,
                        None::<Id>,
                    ]);
                }
                commitments.push(row![
                    cid,
                    id,
                    &title,
                    None::<&str>,
                    responsible,
                    scope.as_str(),
                    due,
                    target,
                    unit.map(TargetUnit::as_str),
                    cstatus.as_str(),
                    pct,
                    achieved,
                    1 + reports as i64,
                    at,
                    updated_at,
                    None::<Id>,
                ]);
                self.commitments.push(cid);
                commitment_events.push((cid, json!({
                    "id": cid, "agreement_id": id, "title": title, "responsible_organization_id": responsible,
                    "scope": scope, "due_on": due, "target_value": target, "target_unit": unit,
                    "status": "planned", "progress_pct": 0, "version": 1,
                })));
            }
            let after = json!({
                "id": id, "number": number, "title": title, "kind": kind, "status": "draft",
                "signed_on": signed_on, "effective_from": signed_on.map(|_| from),
                "effective_until": signed_on.and(until), "summary": summary,
                "confidentiality": confidentiality, "parties": party_json, "scopes": chosen, "version": 1,
            });
            self.chain.create(self.conn, &mut self.rng, at, "agreement", id, after)?;
            for (cid, after) in commitment_events {
                self.chain.create(self.conn, &mut self.rng, at, "commitment", cid, after)?;
            }
            self.agreements.push(AgreementRef {
                id,
                parties: obligated,
                scopes: chosen,
                commitments: first..self.commitments.len() as u32,
            });
            flush_together(
                self.conn,
                &mut [&mut agreements, &mut parties, &mut scopes, &mut commitments, &mut updates],
                false,
            )?;
            bar.inc(1);
        }
        flush_together(
            self.conn,
            &mut [&mut agreements, &mut parties, &mut scopes, &mut commitments, &mut updates],
            true,
        )?;
        bar.finish();
        self.summary.agreements = agreements.total;
        self.summary.agreement_parties = parties.total;
        self.summary.commitments = commitments.total;
        self.summary.commitment_updates = updates.total;
        Ok(())
    }

    fn activities(&mut self) -> Result<(), AppError> {
        use ActivityKind::*;
        const KINDS: [(ActivityKind, u32); 9] = [
            (CoordinationMeeting, 30),
            (Sosialisasi, 25),
            (Pembinaan, 12),
            (Monev, 10),
            (Bimtek, 8),
            (FieldVisit, 7),
            (RegulationDrafting, 4),
            (Publication, 2),
            (Other, 2),
        ];
        let n = self.counts.activities;
        let n_orgs = self.orgs.len();
        let n_agreements = self.agreements.len();
        // The heavy organization organizes one activity in `heavy_every`: at least 21 default pages of 50.
        let heavy_every = (n / (n / 100).max(21 * 50)).max(1);
        // Activities without an event: the audit budget left after every other created record.
        let others = self.summary.organizations
            + self.summary.agreements
            + self.summary.commitments
            + self.counts.outcomes;
        let audited = self.counts.audit_events.saturating_sub(others).min(n);
        let bar = self.bar("activities", n);
        let mut activities = Insert::new(
            "activities",
            "id, kind, title, agreement_id, scope, organizer_organization_id, starts_at, ends_at, location, \
             status, audience, people_reached, minutes, version, created_at, updated_at, created_by",
        );
        let mut participants =
            Insert::new("activity_participants", "activity_id, organization_id, attendees, ordinal");
        let mut components = Insert::new("activity_cgr_components", "activity_id, component");
        let mut decisions = Insert::new("activity_decisions", "activity_id, ordinal, decision");
        self.activities.reserve(n);
        for i in 0..n {
            let rng = &mut self.rng;
            let at = spread(start() + TimeDelta::days(90), 3560, i, n);
            let id = id_at(rng, at);
            let kind = weighted(rng, &KINDS);
            // Agreements signed before this activity, the recent ones first.
            let known = ((i + 1) * n_agreements / n).max(1);
            // The heavy organization's activities stand alone: it is not a party to the agreements.
            let heavy = i % heavy_every == 0;
            let agreement = (!heavy && n_agreements > 0 && rng.random_bool(0.55))
                .then(|| known - 1 - rng.random_range(0..known.min(2000)));
            let (organizer, scope, mut guests) = match agreement {
                Some(a) => {
                    let a = &self.agreements[a];
                    let organizer = pick(rng, &a.parties);
                    let guests: Vec<u32> = a.parties.iter().copied().filter(|&p| p != organizer).collect();
                    (organizer, Some(pick(rng, &a.scopes)), guests)
                }
                None => {
                    let organizer = if heavy { 0 } else { skewed(rng, n_orgs) as u32 };
                    let scope = rng.random_bool(0.5).then(|| pick(rng, Scope::ALL));
                    let guests = (0..rng.random_range(0..=3))
                        .map(|_| rng.random_range(0..n_orgs) as u32)
                        .filter(|&p| p != organizer)
                        .collect();
                    (organizer, scope, guests)
                }
            };
            guests.sort_unstable();
            guests.dedup();
            let starts =
                at + TimeDelta::days(rng.random_range(1..45)) + TimeDelta::hours(rng.random_range(0..8));
            let ends = rng.random_bool(0.8).then(|| starts + TimeDelta::hours(rng.random_range(1..8)));
            let status = if starts.date() >= today() {
                "planned"
            } else {
                weighted(rng, &[("held", 88), ("cancelled", 6), ("planned", 6)])
            };
            let held = status == "held";
            let reaches = matches!(kind, Sosialisasi | Bimtek | Pembinaan);
            let audience = reaches.then_some("Pekerja dan pemberi kerja");
            let people = (held && reaches).then(|| rng.random_range(10..500_i64));
            // A held activity shows it was held: minutes, or (meetings) a decision.
            let minutes = (held && (kind != CoordinationMeeting || rng.random_bool(0.5)))
                .then_some("Notulen: para pihak membahas tindak lanjut.");
            let place = &self.region_codes[rng.random_range(0..self.region_codes.len())].1;
            let title = format!("{} {} {}", kind.as_str().replace('_', " "), pick(rng, &TOPICS), place);
            let agreement_id = agreement.map(|a| self.agreements[a].id);
            let organizer_id = self.orgs[organizer as usize].id;
            let (version, updated) = if held { (2, starts + TimeDelta::days(1)) } else { (1, at) };
            activities.push(row![
                id,
                kind.as_str(),
                &title,
                agreement_id,
                scope.map(Scope::as_str),
                organizer_id,
                starts,
                ends,
                place,
                status,
                audience,
                people,
                minutes,
                version,
                at,
                updated,
                None::<Id>,
            ]);
            let mut guest_json = Vec::with_capacity(guests.len());
            for (ordinal, &g) in guests.iter().take(4).enumerate() {
                let org = self.orgs[g as usize].id;
                let attendees = rng.random_range(1..40_i64);
                participants.push(row![id, org, attendees, ordinal + 1]);
                guest_json.push(json!({"organization_id": org, "attendees": attendees}));
                self.summary.activity_participants += 1;
            }
            let k = rng.random_range(0..=3);
            let chosen = distinct(rng, CgrComponent::ALL, k);
            for c in &chosen {
                components.push(row![id, c.as_str()]);
            }
            if held && kind == CoordinationMeeting {
                decisions.push(row![id, 1, "Para pihak menyepakati jadwal tindak lanjut."]);
            }
            if organizer == 0 {
                self.summary.heavy_organization_activities += 1;
            }
            // Spread the audited activities evenly over all of them.
            if (i + 1) * audited / n > i * audited / n {
                let after = json!({
                    "id": id, "kind": kind, "title": title, "agreement_id": agreement_id, "scope": scope,
                    "organizer_organization_id": organizer_id, "starts_at": utc(starts), "ends_at": ends.map(utc),
                    "location": place, "status": "planned", "participants": guest_json,
                    "cgr_components": chosen, "version": 1,
                });
                self.chain.create(self.conn, &mut self.rng, at, "activity", id, after)?;
            }
            self.activities.push(ActivityRef { id, organizer, agreement: agreement.map(|a| a as u32) });
            flush_together(
                self.conn,
                &mut [&mut activities, &mut participants, &mut components, &mut decisions],
                false,
            )?;
            bar.inc(1);
        }
        flush_together(
            self.conn,
            &mut [&mut activities, &mut participants, &mut components, &mut decisions],
            true,
        )?;
        bar.finish();
        self.summary.activities = activities.total;
        Ok(())
    }

    fn outcomes(&mut self) -> Result<(), AppError> {
        use OutcomeKind::*;
        const KINDS: [(OutcomeKind, u32); 5] = [
            (Enrolment, 45),
            (PeopleReached, 25),
            (BudgetAllocated, 12),
            (RegulationEnacted, 8),
            (Other, 10),
        ];
        let n = self.counts.outcomes;
        let n_orgs = self.orgs.len();
        let n_activities = self.activities.len();
        let n_agreements = self.agreements.len();
        let bar = self.bar("outcomes", n);
        let mut insert = Insert::new(
            "outcomes",
            "id, kind, title, value, unit, segment, period_start, period_end, organization_id, agreement_id, \
             activity_id, commitment_id, regulation_id, evidence, version, created_at, updated_at, created_by",
        );
        for i in 0..n {
            let rng = &mut self.rng;
            // Monthly outcomes over the ten years, in order.
            let month = (i * 120 / n) as u32;
            let period_start = start().date() + Months::new(month);
            let period_end = period_start + Months::new(1) - Days::new(1);
            let at =
                (period_end + Days::new(rng.random_range(1..20))).and_hms_opt(10, 0, 0).unwrap_or_default()
                    + TimeDelta::microseconds(i as i64);
            let id = id_at(rng, at);
            let kind = weighted(rng, &KINDS);
            let (unit, value) = match kind {
                Enrolment => (TargetUnit::People, rng.random_range(10..5_000_i64)),
                PeopleReached => (TargetUnit::People, rng.random_range(20..2_000)),
                BudgetAllocated => (TargetUnit::Idr, rng.random_range(10..5_000) * 1_000_000),
                RegulationEnacted => (TargetUnit::Documents, rng.random_range(1..3)),
                Other => (TargetUnit::Sessions, rng.random_range(1..20)),
            };
            let segment = (kind == Enrolment)
                .then(|| pick(rng, &[Segment::Pu, Segment::Bpu, Segment::Jakon, Segment::Pmi]));
            let roll: f64 = rng.random();
            let (organization, agreement, activity, commitment) = if roll < 0.5 && n_activities > 0 {
                // An activity of about the same time.
                let known = ((i + 1) * n_activities / n).max(1);
                let a = &self.activities[known - 1 - rng.random_range(0..known.min(5000))];
                (a.organizer, a.agreement, Some(a.id), None)
            } else if roll < 0.9 && n_agreements > 0 {
                let known = ((i + 1) * n_agreements / n).max(1);
                let index = known - 1 - rng.random_range(0..known.min(500));
                let a = &self.agreements[index];
                let commitment = (rng.random_bool(0.5) && !a.commitments.is_empty())
                    .then(|| self.commitments[rng.random_range(a.commitments.clone()) as usize]);
                (pick(rng, &a.parties), Some(index as u32), None, commitment)
            } else {
                (skewed(rng, n_orgs) as u32, None, None, None)
            };
            let organization_id = self.orgs[organization as usize].id;
            let agreement_id = agreement.map(|a| self.agreements[a as usize].id);
            let title = format!("{} {}", kind.as_str().replace('_', " "), period_start.format("%Y-%m"));
            let evidence = format!("Laporan bulanan {}", period_start.format("%Y-%m"));
            insert.push(row![
                id,
                kind.as_str(),
                &title,
                value,
                unit.as_str(),
                segment.map(Segment::as_str),
                period_start,
                period_end,
                organization_id,
                agreement_id,
                activity,
                commitment,
                None::<Id>,
                &evidence,
                1,
                at,
                at,
                None::<Id>,
            ]);
            let after = json!({
                "id": id, "kind": kind, "title": title, "value": value, "unit": unit, "segment": segment,
                "period_start": period_start, "period_end": period_end, "organization_id": organization_id,
                "agreement_id": agreement_id, "activity_id": activity, "commitment_id": commitment,
                "evidence": evidence, "version": 1,
            });
            self.chain.create(self.conn, &mut self.rng, at, "outcome", id, after)?;
            if insert.full() {
                insert.flush(self.conn)?;
            }
            bar.inc(1);
        }
        insert.flush(self.conn)?;
        bar.finish();
        self.summary.outcomes = insert.total;
        Ok(())
    }

    /// Monthly targets and realisation per region and segment, the last `counts.months` months of 2016–2025;
    /// `total` is the sum of the four segments.
    fn coverage(&mut self) -> Result<(), AppError> {
        const SHARES: [(Segment, f64); 4] =
            [(Segment::Pu, 0.55), (Segment::Bpu, 0.25), (Segment::Jakon, 0.15), (Segment::Pmi, 0.05)];
        let months = self.counts.months.min(120);
        let first = start().date() + Months::new((120 - months) as u32);
        let codes: Vec<String> = self.region_codes.iter().map(|(c, _)| c.clone()).collect();
        let bar = self.bar("coverage", codes.len() * months * 5);
        let mut insert = Insert::new(
            "coverage",
            "id, region_code, segment, period, target, realization, source, note, version, created_at, \
             updated_at, created_by",
        );
        for code in &codes {
            let rng = &mut self.rng;
            let base: f64 = rng.random_range(5_000.0..150_000.0);
            for m in 0..months {
                let period_start = first + Months::new(m as u32);
                let period = period_start.format("%Y-%m").to_string();
                let at =
                    (period_start + Months::new(1) + Days::new(4)).and_hms_opt(8, 0, 0).unwrap_or_default();
                let growth = 1.0 + 0.004 * m as f64;
                let (mut target_sum, mut real_sum) = (0_i64, 0_i64);
                for (segment, share) in SHARES {
                    let target = (base * share * growth) as i64;
                    let realization = (target as f64 * rng.random_range(0.5..1.4)) as i64;
                    target_sum += target;
                    real_sum += realization;
                    let id = id_at(rng, at);
                    insert.push(row![
                        id,
                        code,
                        segment.as_str(),
                        &period,
                        target,
                        realization,
                        "synthetic",
                        None::<&str>,
                        1,
                        at,
                        at,
                        None::<Id>
                    ]);
                }
                let id = id_at(rng, at);
                insert.push(row![
                    id,
                    code,
                    Segment::Total.as_str(),
                    &period,
                    target_sum,
                    real_sum,
                    "synthetic",
                    None::<&str>,
                    1,
                    at,
                    at,
                    None::<Id>
                ]);
                if insert.full() {
                    insert.flush(self.conn)?;
                }
                bar.inc(5);
            }
        }
        insert.flush(self.conn)?;
        bar.finish();
        self.summary.coverage = insert.total;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_is_a_hundredth_of_large() {
        let (s, l) = (Scale::Small.counts(), Scale::Large.counts());
        assert_eq!(s.activities * 100, l.activities);
        assert_eq!(s.organizations * 100, l.organizations);
        assert_eq!(s.audit_events * 100, l.audit_events);
    }

    #[test]
    fn literals_are_quoted_and_escaped() {
        let mut insert = Insert::new("t", "a, b, c, d");
        insert.push(row!["O'Brien", None::<&str>, 7, date(2024, 2, 29)]);
        assert_eq!(insert.sql, "INSERT INTO t (a, b, c, d) VALUES ('O''Brien',NULL,7,'2024-02-29')");
    }
}
