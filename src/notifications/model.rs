//! Reminder rules, notices and a user's notification settings, as stored and as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{notification_rules, notifications};
use crate::db::{Id, Timestamp};
use crate::error::{AppError, text};
use crate::http::Validator;
use crate::http::fields::{nullable, patched};

crate::str_enum! {
    /// What a rule reminds of.
    pub enum RuleKind {
        /// An open commitment is due in `days` days.
        CommitmentDue => "commitment_due",
        /// An open commitment is past its due date.
        CommitmentOverdue => "commitment_overdue",
        /// An open action item is due in `days` days.
        ActionItemDue => "action_item_due",
        /// An open action item is past its due date.
        ActionItemOverdue => "action_item_overdue",
        /// An active agreement ends in `days` days.
        AgreementExpiring => "agreement_expiring",
        /// A draft agreement has not been changed for `days` days.
        DraftAgreementIdle => "draft_agreement_idle",
    }
}

crate::str_enum! {
    /// Who a rule tells.
    pub enum Audience {
        /// The users of the organization responsible: a commitment's responsible organization, an action
        /// item's owner, and for agreements every party.
        Responsible => "responsible",
        /// The users of every party of the agreement the record belongs to.
        AgreementParties => "agreement_parties",
    }
}

crate::str_enum! {
    /// The kind of record a notice is about.
    pub enum SubjectType { Commitment => "commitment", ActionItem => "action_item", Agreement => "agreement" }
}

crate::str_enum! {
    /// How a user wants to be told of one kind of reminder.
    pub enum NoticeChannel { None => "none", InApp => "in_app", Email => "email", Both => "both" }
}

crate::str_enum! {
    /// The language of a user's emails.
    pub enum Language { Id => "id", En => "en" }
}

impl RuleKind {
    pub fn subject(self) -> SubjectType {
        match self {
            RuleKind::CommitmentDue | RuleKind::CommitmentOverdue => SubjectType::Commitment,
            RuleKind::ActionItemDue | RuleKind::ActionItemOverdue => SubjectType::ActionItem,
            RuleKind::AgreementExpiring | RuleKind::DraftAgreementIdle => SubjectType::Agreement,
        }
    }

    /// The overdue kind that follows a due kind.
    pub fn overdue(self) -> Option<RuleKind> {
        match self {
            RuleKind::CommitmentDue => Some(RuleKind::CommitmentOverdue),
            RuleKind::ActionItemDue => Some(RuleKind::ActionItemOverdue),
            _ => None,
        }
    }

    /// An overdue rule fires once a record is past its date; `days` is then 0.
    pub fn is_overdue(self) -> bool {
        matches!(self, RuleKind::CommitmentOverdue | RuleKind::ActionItemOverdue)
    }
}

impl NoticeChannel {
    pub fn in_app(self) -> bool {
        matches!(self, NoticeChannel::InApp | NoticeChannel::Both)
    }

    pub fn email(self) -> bool {
        matches!(self, NoticeChannel::Email | NoticeChannel::Both)
    }
}

/// The most days a rule may look ahead (or wait).
pub const MAX_DAYS: i32 = 366;

/// A reminder rule.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = notification_rules)]
pub struct Rule {
    pub id: Id,
    pub kind: RuleKind,
    /// Days before the date (due, end), or days without change for an idle draft; 0 for an overdue rule.
    #[schema(example = 14)]
    pub days: i32,
    pub audience: Audience,
    pub enabled: bool,
    pub version: i32,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Who added it; empty for the rules the system starts with.
    pub created_by: Option<Id>,
}

/// The body of `POST /notification-rules`: `kind` and `days` are required; `audience` defaults to
/// `responsible` (`agreement_parties` for agreement rules), `enabled` to true.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRule {
    #[schema(required = true, nullable = false)]
    pub kind: Option<RuleKind>,
    /// 0 to 366; 0 for an overdue rule.
    #[schema(required = true, nullable = false, example = 7, minimum = 0, maximum = 366)]
    pub days: Option<i32>,
    pub audience: Option<Audience>,
    pub enabled: Option<bool>,
}

/// The body of `PATCH /notification-rules/{id}`: only the fields to change.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulePatch {
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 366)]
    pub days: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Audience>)]
    pub audience: Option<Option<Audience>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<bool>)]
    pub enabled: Option<Option<bool>>,
}

impl RulePatch {
    pub fn apply(self, current: &Rule) -> NewRule {
        NewRule {
            kind: Some(current.kind),
            days: patched(Some(current.days), self.days),
            audience: patched(Some(current.audience), self.audience),
            enabled: patched(Some(current.enabled), self.enabled),
        }
    }
}

/// The checked values of a rule, as they are written.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = notification_rules)]
pub struct RuleFields {
    pub kind: RuleKind,
    pub days: i32,
    pub audience: Audience,
    pub enabled: bool,
}

impl From<&Rule> for RuleFields {
    fn from(r: &Rule) -> Self {
        RuleFields { kind: r.kind, days: r.days, audience: r.audience, enabled: r.enabled }
    }
}

impl NewRule {
    /// Every bad field in one 422.
    pub fn validate(self) -> Result<RuleFields, AppError> {
        let mut v = Validator::new();
        let kind = v.present("kind", self.kind).unwrap_or(RuleKind::CommitmentDue);
        let days = v.present("days", self.days).unwrap_or(0);
        v.range("days", i64::from(days), 0, i64::from(MAX_DAYS));
        if kind.is_overdue() {
            v.check(
                days == 0,
                "days",
                text("must be 0 for an overdue rule", "harus 0 untuk aturan lewat tenggat"),
            );
        }
        let agreement_rule = kind.subject() == SubjectType::Agreement;
        let audience = self.audience.unwrap_or(if agreement_rule {
            Audience::AgreementParties
        } else {
            Audience::Responsible
        });
        v.check(
            !agreement_rule || audience == Audience::AgreementParties,
            "audience",
            text(
                "must be agreement_parties for an agreement rule",
                "harus agreement_parties untuk aturan perjanjian",
            ),
        );
        let fields = RuleFields { kind, days, audience, enabled: self.enabled.unwrap_or(true) };
        v.finish()?;
        Ok(fields)
    }
}

/// A notice as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NoticeRow {
    pub id: Id,
    pub user_id: Id,
    pub kind: RuleKind,
    pub subject_type: SubjectType,
    pub subject_id: Id,
    /// The agreement of a commitment, the activity of an action item.
    pub parent_id: Option<Id>,
    pub title: String,
    pub due_on: NaiveDate,
    pub in_app: bool,
    pub is_read: bool,
    pub read_at: Option<Timestamp>,
    pub digest_pending: bool,
    pub created_at: Timestamp,
}

/// A notice in the caller's list.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Notification {
    pub id: Id,
    pub kind: RuleKind,
    pub subject_type: SubjectType,
    pub subject_id: Id,
    /// The record in the API.
    #[schema(example = "/api/v1/commitments/0193a5c0-0000-7000-8000-000000000001")]
    pub link: String,
    /// The record's title when the notice was made.
    pub title: String,
    /// The date the notice is about: the due date, the end date, or when an idle draft was due a look.
    pub due_on: NaiveDate,
    /// The notice in the caller's language.
    #[schema(example = "Komitmen \"Sosialisasi BPJS\" jatuh tempo dalam 14 hari (15 Desember 2026).")]
    pub message: String,
    pub read: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// How many of the caller's notices are unread.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

/// The answer to marking every notice read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many notices were unread.
    pub marked: usize,
}

/// How the caller wants one kind of reminder.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelChoice {
    pub kind: RuleKind,
    pub channel: NoticeChannel,
}

/// The caller's notification settings: the language of emails, and how each kind of reminder reaches
/// them (`both` unless chosen otherwise; email only when the user has an address and the server sends
/// mail).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct NotificationSettings {
    pub language: Language,
    pub channels: Vec<ChannelChoice>,
}

/// The body of `PUT /auth/notification-settings`: what to change (kinds not named keep their channel).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsChange {
    pub language: Option<Language>,
    #[serde(default)]
    pub channels: Vec<ChannelChoice>,
}

/// A record the caller muted.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = crate::db::schema::notification_mutes)]
pub struct Mute {
    pub subject_id: Id,
    pub subject_type: SubjectType,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// The body of `POST /notifications/mutes`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMute {
    #[schema(required = true, nullable = false)]
    pub subject_type: Option<SubjectType>,
    #[schema(required = true, nullable = false)]
    pub subject_id: Option<Id>,
}
