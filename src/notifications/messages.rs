//! What notices and digests say, in Indonesian and English, and where their links lead.

use chrono::{Datelike, NaiveDate};

use super::model::{Language, NoticeRow, RuleKind, SubjectType};
use crate::db::Id;

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `30 November 2026` in either language.
pub fn date(language: Language, d: NaiveDate) -> String {
    match language {
        Language::Id => crate::pdf::format::date(d),
        Language::En => format!("{} {} {}", d.day(), MONTHS_EN[d.month0() as usize], d.year()),
    }
}

/// When a date falls, seen from `on`: `hari ini`, `besok`, `dalam 14 hari (15 Desember 2026)`.
fn within(language: Language, due: NaiveDate, on: NaiveDate) -> String {
    let days = (due - on).num_days();
    match (language, days) {
        (Language::Id, 0) => "hari ini".into(),
        (Language::Id, 1) => "besok".into(),
        (Language::Id, n) => format!("dalam {n} hari ({})", date(language, due)),
        (Language::En, 0) => "today".into(),
        (Language::En, 1) => "tomorrow".into(),
        (Language::En, n) => format!("in {n} days ({})", date(language, due)),
    }
}

/// The notice as a sentence, as of the day it was made (`on`).
pub fn notice(language: Language, kind: RuleKind, title: &str, due: NaiveDate, on: NaiveDate) -> String {
    let when = within(language, due, on);
    let day = date(language, due);
    match (language, kind) {
        (Language::Id, RuleKind::CommitmentDue) => format!("Komitmen \"{title}\" jatuh tempo {when}."),
        (Language::Id, RuleKind::CommitmentOverdue) => {
            format!("Komitmen \"{title}\" sudah lewat tenggat ({day}).")
        }
        (Language::Id, RuleKind::ActionItemDue) => format!("Tindak lanjut \"{title}\" jatuh tempo {when}."),
        (Language::Id, RuleKind::ActionItemOverdue) => {
            format!("Tindak lanjut \"{title}\" sudah lewat tenggat ({day}).")
        }
        (Language::Id, RuleKind::AgreementExpiring) => format!("Perjanjian \"{title}\" berakhir {when}."),
        (Language::Id, RuleKind::DraftAgreementIdle) => {
            format!("Rancangan perjanjian \"{title}\" belum diubah sejak {day}.")
        }
        (Language::En, RuleKind::CommitmentDue) => format!("Commitment \"{title}\" is due {when}."),
        (Language::En, RuleKind::CommitmentOverdue) => {
            format!("Commitment \"{title}\" is overdue (it was due on {day}).")
        }
        (Language::En, RuleKind::ActionItemDue) => format!("Action item \"{title}\" is due {when}."),
        (Language::En, RuleKind::ActionItemOverdue) => {
            format!("Action item \"{title}\" is overdue (it was due on {day}).")
        }
        (Language::En, RuleKind::AgreementExpiring) => format!("Agreement \"{title}\" ends {when}."),
        (Language::En, RuleKind::DraftAgreementIdle) => {
            format!("Draft agreement \"{title}\" has not been changed since {day}.")
        }
    }
}

/// The record in the API.
pub fn api_link(subject_type: SubjectType, id: Id) -> String {
    match subject_type {
        SubjectType::Commitment => format!("/api/v1/commitments/{id}"),
        SubjectType::ActionItem => format!("/api/v1/action-items/{id}"),
        SubjectType::Agreement => format!("/api/v1/agreements/{id}"),
    }
}

/// The record's page in the console: a commitment on its agreement's page, an action item on its
/// activity's.
pub fn console_link(public_url: &str, n: &NoticeRow) -> String {
    let base = public_url.trim_end_matches('/');
    match (n.subject_type, n.parent_id) {
        (SubjectType::Commitment, Some(agreement)) => {
            format!("{base}/perjanjian/{agreement}#komitmen-{}", n.subject_id)
        }
        (SubjectType::ActionItem, Some(activity)) => {
            format!("{base}/kegiatan/{activity}#tindak-lanjut-{}", n.subject_id)
        }
        (SubjectType::Agreement, _) => format!("{base}/perjanjian/{}", n.subject_id),
        (_, None) => format!("{base}/"),
    }
}

pub fn digest_subject(language: Language, count: usize, today: NaiveDate) -> String {
    match language {
        Language::Id => format!("Sinergi: {count} pengingat, {}", date(language, today)),
        Language::En => {
            let s = if count == 1 { "" } else { "s" };
            format!("Sinergi: {count} reminder{s}, {}", date(language, today))
        }
    }
}

/// The digest's plain text: a greeting, one entry per notice (sentence and link), and where to change
/// what arrives.
pub fn digest_text(language: Language, name: &str, notices: &[NoticeRow], public_url: &str) -> String {
    let base = public_url.trim_end_matches('/');
    let (greeting, intro, footer) = match language {
        Language::Id => (
            format!("Yth. {name},"),
            "Berikut hal-hal yang perlu Anda perhatikan:",
            format!("Atur pengingat yang Anda terima di {base}/pengaturan.\n\n-- \nSinergi"),
        ),
        Language::En => (
            format!("Dear {name},"),
            "These need your attention:",
            format!("Choose which reminders you receive at {base}/pengaturan.\n\n-- \nSinergi"),
        ),
    };
    let mut out = format!("{greeting}\n\n{intro}\n\n");
    for n in notices {
        let sentence = notice(language, n.kind, &n.title, n.due_on, n.created_at.date());
        out.push_str(&format!("- {sentence}\n  {}\n", console_link(public_url, n)));
    }
    out.push('\n');
    out.push_str(&footer);
    out.push('\n');
    out
}
