//! The reminder pass: finds what each enabled rule applies to today, records each occurrence (rule,
//! record, date) once, gives a notice to each user the rule names (as each chose: in the app, by email,
//! both, or not at all; never for a record they muted or may not see), and queues one digest email per
//! user per day for the notices that wait for one. The pass is one write transaction, serialised across
//! processes, so running it twice, or in two processes at once, tells nobody twice.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde_json::json;

use super::model::{Audience, Language, NoticeChannel, NoticeRow, Rule, RuleKind, SubjectType};
use super::{messages, repo};
use crate::agreements::commitments::repo as commitments;
use crate::audit::{self, Actor, Change};
use crate::auth::Role;
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id, Serialize, serialize};
use crate::delivery::{self, Email, Message};
use crate::error::AppError;
use crate::users::repo::{Member, active_members_of};
use crate::{activities, agreements, users};

/// What a pass needs to know besides the database.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Whether the server sends email (SMTP is configured); without it no digest is queued.
    pub email: bool,
    /// Where the console is, for the links in emails.
    pub public_url: String,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PassReport {
    /// Occurrences that fired.
    pub occurrences: usize,
    /// Notices given.
    pub notices: usize,
    /// Digest emails queued.
    pub digests: usize,
}

/// A record a rule may apply to.
struct Candidate {
    /// The rules that may apply: those of this kind (a `…_due` kind also brings its overdue rule).
    family: RuleKind,
    subject_type: SubjectType,
    id: Id,
    /// The agreement of a commitment, the activity of an action item.
    parent: Option<Id>,
    /// The agreement whose parties (and confidentiality) matter.
    agreement: Option<Id>,
    /// The organizations responsible (a commitment's, an action item's owner); empty for agreements.
    responsible: Option<Id>,
    title: String,
    /// The due or end date; for an idle draft, the day it was last changed.
    date: NaiveDate,
}

/// Runs one pass at `now`. Call it inside a write transaction.
pub fn pass(conn: &mut DbConnection, setup: &Setup, now: DateTime<Utc>) -> Result<PassReport, AppError> {
    serialize(conn, Serialize::Reminders)?;
    let today = now.date_naive();
    let rules: Vec<Rule> = repo::rules(conn)?.into_iter().filter(|r| r.enabled).collect();
    let mut fired: Vec<(&Rule, Candidate)> = Vec::new();
    for candidate in candidates(conn, &rules, now)? {
        if let Some(rule) = applicable(&rules, &candidate, today) {
            fired.push((rule, candidate));
        }
    }
    // What fired before is left out: one notice per occurrence, however often the pass runs.
    let since = fired.iter().map(|(_, c)| c.date).min().unwrap_or(today);
    let rule_ids: Vec<Id> = rules.iter().map(|r| r.id).collect();
    let before = repo::fired_since(conn, &rule_ids, since)?;
    fired.retain(|(rule, c)| !before.contains(&(rule.id, c.id, c.date)));
    let mut report = PassReport { occurrences: fired.len(), ..PassReport::default() };
    if !fired.is_empty() {
        report.notices = tell(conn, setup, now, &fired)?;
    }
    if setup.email {
        report.digests = queue_digests(conn, setup, now)?;
    }
    if report != PassReport::default() {
        audit::record(
            conn,
            &Actor::system("reminders"),
            now,
            Change::new("remind", "reminder_pass", today).after(&json!(report)),
        )?;
    }
    Ok(report)
}

/// The records the enabled rules may apply to at `now`, each loaded once.
fn candidates(
    conn: &mut DbConnection,
    rules: &[Rule],
    now: DateTime<Utc>,
) -> Result<Vec<Candidate>, AppError> {
    let today = now.date_naive();
    let ahead = |kind: RuleKind| rules.iter().filter(|r| r.kind == kind).map(|r| r.days).max();
    let has = |kind: RuleKind| rules.iter().any(|r| r.kind == kind);
    let window = |due: RuleKind, overdue: RuleKind| -> Option<(Option<NaiveDate>, NaiveDate)> {
        let until = match ahead(due) {
            Some(days) => today.checked_add_days(Days::new(days as u64))?,
            None if has(overdue) => today.pred_opt()?,
            None => return None,
        };
        Some((if has(overdue) { None } else { Some(today) }, until))
    };
    let mut out = Vec::new();
    if let Some((from, until)) = window(RuleKind::CommitmentDue, RuleKind::CommitmentOverdue) {
        for c in commitments::open_due_by(conn, from, until)? {
            let Some(due) = c.due_on else { continue };
            out.push(Candidate {
                family: RuleKind::CommitmentDue,
                subject_type: SubjectType::Commitment,
                id: c.id,
                parent: Some(c.agreement_id),
                agreement: Some(c.agreement_id),
                responsible: Some(c.responsible_organization_id),
                title: c.title,
                date: due,
            });
        }
    }
    if let Some((from, until)) = window(RuleKind::ActionItemDue, RuleKind::ActionItemOverdue) {
        for (item, agreement) in activities::repo::open_action_items_due_by(conn, from, until)? {
            let Some(due) = item.due_on else { continue };
            out.push(Candidate {
                family: RuleKind::ActionItemDue,
                subject_type: SubjectType::ActionItem,
                id: item.id,
                parent: Some(item.activity_id),
                agreement,
                responsible: Some(item.owner_organization_id),
                title: item.description,
                date: due,
            });
        }
    }
    let ending_until =
        ahead(RuleKind::AgreementExpiring).and_then(|d| today.checked_add_days(Days::new(d as u64)));
    let idle_since = rules
        .iter()
        .filter(|r| r.kind == RuleKind::DraftAgreementIdle)
        .map(|r| r.days)
        .min()
        .and_then(|d| now.checked_sub_days(Days::new(d as u64)))
        .map(from_utc);
    if ending_until.is_some() || idle_since.is_some() {
        // With no expiry rule the window is empty (it ends before it starts).
        let window = (today, ending_until.unwrap_or(today.pred_opt().unwrap_or(today)));
        let (ending, idle) = agreements::repo::ending_or_idle(conn, window, idle_since)?;
        for a in ending {
            let Some(until) = a.effective_until else { continue };
            out.push(agreement_candidate(RuleKind::AgreementExpiring, a.id, a.title, until));
        }
        for a in idle {
            out.push(agreement_candidate(RuleKind::DraftAgreementIdle, a.id, a.title, a.updated_at.date()));
        }
    }
    Ok(out)
}

fn agreement_candidate(family: RuleKind, id: Id, title: String, date: NaiveDate) -> Candidate {
    Candidate {
        family,
        subject_type: SubjectType::Agreement,
        id,
        parent: None,
        agreement: Some(id),
        responsible: None,
        title,
        date,
    }
}

/// The one rule that applies to `c` today, if any: past its date, the overdue rule; before it, the rule
/// with the fewest days that still reaches it (so a record first seen 2 days before its date gets the
/// 3-day notice only, and one already overdue gets one overdue notice, not one per rule it missed); for
/// an idle draft, the rule with the most days it has waited.
fn applicable<'r>(rules: &'r [Rule], c: &Candidate, today: NaiveDate) -> Option<&'r Rule> {
    let of = |kind: RuleKind| rules.iter().filter(move |r| r.kind == kind);
    let days = (c.date - today).num_days();
    match c.family {
        RuleKind::DraftAgreementIdle => {
            of(RuleKind::DraftAgreementIdle).filter(|r| i64::from(r.days) <= -days).max_by_key(|r| r.days)
        }
        family if days < 0 => family.overdue().and_then(|kind| of(kind).next()),
        family => of(family).filter(|r| i64::from(r.days) >= days).min_by_key(|r| r.days),
    }
}

/// Records the occurrences and gives their notices; answers how many notices.
fn tell(
    conn: &mut DbConnection,
    setup: &Setup,
    now: DateTime<Utc>,
    fired: &[(&Rule, Candidate)],
) -> Result<usize, AppError> {
    let at = from_utc(now);
    let agreement_ids: Vec<Id> =
        fired.iter().filter_map(|(_, c)| c.agreement).collect::<HashSet<_>>().into_iter().collect();
    let agreements = agreements::repo::parties_and_confidentiality(conn, &agreement_ids)?;
    let no_parties = (Vec::new(), false);
    let audience = |rule: &Rule, c: &Candidate| -> (Vec<Id>, Option<&Vec<Id>>) {
        let (parties, restricted) = c.agreement.and_then(|a| agreements.get(&a)).unwrap_or(&no_parties);
        let orgs = match (rule.audience, c.responsible) {
            (Audience::Responsible, Some(org)) => vec![org],
            (Audience::AgreementParties, Some(org)) if c.agreement.is_none() => vec![org],
            _ => parties.clone(),
        };
        (orgs, restricted.then_some(parties))
    };
    let orgs: Vec<Id> =
        fired.iter().flat_map(|(r, c)| audience(r, c).0).collect::<HashSet<_>>().into_iter().collect();
    let mut members: HashMap<Id, Vec<Member>> = HashMap::new();
    for m in active_members_of(conn, &orgs)? {
        if let Some(org) = m.organization_id {
            members.entry(org).or_default().push(m);
        }
    }
    // Who may see a restricted agreement's records: a user acts for its organization and those above it.
    let mut chains: HashMap<Id, Vec<Id>> = HashMap::new();
    for (rule, c) in fired {
        if audience(rule, c).1.is_some() {
            for org in audience(rule, c).0 {
                if let std::collections::hash_map::Entry::Vacant(e) = chains.entry(org) {
                    e.insert(crate::organizations::repo::with_ancestors(conn, Some(org))?);
                }
            }
        }
    }
    let user_ids: Vec<Id> = members.values().flatten().map(|m| m.id).collect();
    let channels = repo::channels_of(conn, &user_ids)?;
    let mutes = repo::mutes_of(conn, &user_ids)?;
    let mut notices = Vec::new();
    for (rule, c) in fired {
        let (orgs, restricted_to) = audience(rule, c);
        let mut told = HashSet::new();
        for member in orgs.iter().filter_map(|o| members.get(o)).flatten() {
            // A restricted agreement's records reach only its parties' users (and those who read all).
            let may_see = match restricted_to {
                None => true,
                Some(parties) => {
                    let acts_for = member.organization_id.and_then(|o| chains.get(&o));
                    matches!(member.role, Role::Admin | Role::Auditor)
                        || acts_for.is_some_and(|chain| chain.iter().any(|o| parties.contains(o)))
                }
            };
            if !may_see || mutes.contains(&(member.id, c.id)) || !told.insert(member.id) {
                continue;
            }
            let channel = channels.get(&(member.id, rule.kind)).copied().unwrap_or(NoticeChannel::Both);
            let in_app = channel.in_app();
            let digest_pending = channel.email() && setup.email && member.email.is_some();
            if !in_app && !digest_pending {
                continue;
            }
            notices.push(NoticeRow {
                id: Id::new(),
                user_id: member.id,
                kind: rule.kind,
                subject_type: c.subject_type,
                subject_id: c.id,
                parent_id: c.parent,
                title: c.title.clone(),
                due_on: c.date,
                in_app,
                is_read: false,
                read_at: None,
                digest_pending,
                created_at: at,
            });
        }
    }
    let occurrences: Vec<(Id, Id, NaiveDate)> = fired.iter().map(|(r, c)| (r.id, c.id, c.date)).collect();
    repo::insert_occurrences(conn, &occurrences, at)?;
    repo::insert_notices(conn, &notices)?;
    Ok(notices.len())
}

/// Queues one digest per user whose notices wait for one, unless the user had one today already (the
/// notices then wait for tomorrow's); answers how many were queued.
fn queue_digests(conn: &mut DbConnection, setup: &Setup, now: DateTime<Utc>) -> Result<usize, AppError> {
    let pending = repo::digest_pending(conn)?;
    if pending.is_empty() {
        return Ok(0);
    }
    let mut by_user: Vec<(Id, Vec<NoticeRow>)> = Vec::new();
    for notice in pending {
        match by_user.last_mut() {
            Some((user, notices)) if *user == notice.user_id => notices.push(notice),
            _ => by_user.push((notice.user_id, vec![notice])),
        }
    }
    let ids: Vec<Id> = by_user.iter().map(|(u, _)| *u).collect();
    let addresses = users::repo::mail_addresses(conn, &ids)?;
    let languages = repo::languages_of(conn, &ids)?;
    let today = now.date_naive();
    let mut queued = 0;
    for (user, notices) in by_user {
        let Some((name, Some(to))) = addresses.get(&user) else {
            // No address (any more), or disabled: nothing to send to.
            repo::digested(conn, user)?;
            continue;
        };
        let language = languages.get(&user).copied().unwrap_or(Language::Id);
        let email = Email {
            to: to.clone(),
            subject: messages::digest_subject(language, notices.len(), today),
            text: messages::digest_text(language, name, &notices, &setup.public_url),
        };
        if delivery::enqueue(conn, &format!("digest:{user}:{today}"), &Message::Email(email), now)? {
            repo::digested(conn, user)?;
            queued += 1;
        }
    }
    Ok(queued)
}

impl Setup {
    pub fn of(settings: &crate::config::Settings) -> Setup {
        Setup { email: settings.smtp.is_some(), public_url: settings.public_url.clone() }
    }
}

/// One pass in its own write transaction (`sinergi notify run-once`, the loop below, the tests).
pub async fn run_once(state: &crate::state::AppState) -> Result<PassReport, AppError> {
    let setup = Setup::of(&state.settings);
    let now = state.clock.now();
    state.db.write(move |conn| pass(conn, &setup, now)).await
}

/// How often `serve` runs a pass: due dates are days, so a few minutes late is on time.
const EVERY: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs a pass at start and every few minutes for as long as the runtime runs (started by
/// `startup::run`). Every process may run it: the pass is serialised and fires each occurrence once.
pub fn spawn(state: crate::state::AppState) {
    if state.settings.smtp.is_none() {
        tracing::info!("email is off (SINERGI_SMTP_HOST is not set): reminders are given in the app only");
    }
    tokio::spawn(async move {
        loop {
            match run_once(&state).await {
                Ok(report) if report != PassReport::default() => {
                    tracing::info!(?report, "reminders: a pass told users");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reminders: the pass failed; it runs again later"),
            }
            tokio::time::sleep(EVERY).await;
        }
    });
}
