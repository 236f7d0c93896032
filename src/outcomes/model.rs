//! The outcome's types, request bodies with their field checks, and filters.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub use crate::agreements::commitments::TargetUnit as Unit;
use crate::coverage::model::Segment;
use crate::db::schema::outcomes;
use crate::db::{Id, Timestamp};
use crate::http::Validator;
use crate::http::fields::{nullable, patched};

crate::str_enum! {
    /// What an outcome measures.
    pub enum OutcomeKind {
        Enrolment => "enrolment",
        RegulationEnacted => "regulation_enacted",
        BudgetAllocated => "budget_allocated",
        PeopleReached => "people_reached",
        Other => "other",
    }
}

pub const MAX_TITLE: usize = 300;
pub const MAX_EVIDENCE: usize = 4000;

/// A measured result of the collaboration, as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = outcomes)]
pub struct Outcome {
    pub id: Id,
    pub kind: OutcomeKind,
    #[schema(example = "Iuran pekerja rentan dibayar APBD Kota Padang 2024")]
    pub title: String,
    #[schema(example = 3000)]
    pub value: i64,
    pub unit: Unit,
    pub segment: Option<Segment>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The organization credited with it.
    pub organization_id: Id,
    pub agreement_id: Option<Id>,
    pub activity_id: Option<Id>,
    pub commitment_id: Option<Id>,
    pub regulation_id: Option<Id>,
    pub evidence: Option<String>,
    pub version: i32,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

/// The body of `POST /outcomes`. `kind`, `title`, `value`, `unit`, `period_start`, `period_end` and
/// `organization_id` are required. The links are optional; an outcome linked to an activity or a
/// commitment under an agreement is linked to that agreement too.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOutcome {
    #[schema(required = true, nullable = false)]
    pub kind: Option<OutcomeKind>,
    /// 1 to 300 characters.
    #[schema(required = true, nullable = false, min_length = 1, max_length = 300)]
    pub title: Option<String>,
    /// 0 to 10^15.
    #[schema(required = true, nullable = false, minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub value: Option<i64>,
    #[schema(required = true, nullable = false)]
    pub unit: Option<Unit>,
    pub segment: Option<Segment>,
    #[schema(required = true, nullable = false)]
    pub period_start: Option<NaiveDate>,
    /// Not before `period_start`.
    #[schema(required = true, nullable = false)]
    pub period_end: Option<NaiveDate>,
    /// The organization credited; opd_staff and partner_staff may credit only their own.
    #[schema(required = true, nullable = false)]
    pub organization_id: Option<Id>,
    pub agreement_id: Option<Id>,
    pub activity_id: Option<Id>,
    pub commitment_id: Option<Id>,
    pub regulation_id: Option<Id>,
    /// At most 4000 characters.
    #[schema(max_length = 4000)]
    pub evidence: Option<String>,
}

/// The body of `PATCH /outcomes/{id}`: only the fields to change; `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomePatch {
    pub kind: Option<OutcomeKind>,
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    /// 0 to 10^15.
    #[schema(minimum = 0, maximum = 1_000_000_000_000_000_i64)]
    pub value: Option<i64>,
    pub unit: Option<Unit>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Segment>)]
    pub segment: Option<Option<Segment>>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub organization_id: Option<Id>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub agreement_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub activity_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub commitment_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub regulation_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub evidence: Option<Option<String>>,
}

impl OutcomePatch {
    pub fn apply(self, current: &OutcomeFields) -> NewOutcome {
        let c = current.clone();
        NewOutcome {
            kind: Some(self.kind.unwrap_or(c.kind)),
            title: Some(self.title.unwrap_or(c.title)),
            value: Some(self.value.unwrap_or(c.value)),
            unit: Some(self.unit.unwrap_or(c.unit)),
            segment: patched(c.segment, self.segment),
            period_start: Some(self.period_start.unwrap_or(c.period_start)),
            period_end: Some(self.period_end.unwrap_or(c.period_end)),
            organization_id: Some(self.organization_id.unwrap_or(c.organization_id)),
            agreement_id: patched(c.agreement_id, self.agreement_id),
            activity_id: patched(c.activity_id, self.activity_id),
            commitment_id: patched(c.commitment_id, self.commitment_id),
            regulation_id: patched(c.regulation_id, self.regulation_id),
            evidence: patched(c.evidence, self.evidence),
        }
    }
}

/// A checked body: what is written (the columns of [`Outcome`] but its id and version stamps).
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = outcomes, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct OutcomeFields {
    pub kind: OutcomeKind,
    pub title: String,
    pub value: i64,
    pub unit: Unit,
    pub segment: Option<Segment>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub organization_id: Id,
    pub agreement_id: Option<Id>,
    pub activity_id: Option<Id>,
    pub commitment_id: Option<Id>,
    pub regulation_id: Option<Id>,
    pub evidence: Option<String>,
}

impl From<&Outcome> for OutcomeFields {
    fn from(o: &Outcome) -> Self {
        OutcomeFields {
            kind: o.kind,
            title: o.title.clone(),
            value: o.value,
            unit: o.unit,
            segment: o.segment,
            period_start: o.period_start,
            period_end: o.period_end,
            organization_id: o.organization_id,
            agreement_id: o.agreement_id,
            activity_id: o.activity_id,
            commitment_id: o.commitment_id,
            regulation_id: o.regulation_id,
            evidence: o.evidence.clone(),
        }
    }
}

impl NewOutcome {
    pub fn validate(self, v: &mut Validator) -> OutcomeFields {
        let kind = v.present("kind", self.kind);
        let title = v.required("title", self.title, MAX_TITLE);
        let value = v.present("value", self.value);
        if let Some(n) = value {
            v.figure("value", n);
        }
        let unit = v.present("unit", self.unit);
        let start = v.present("period_start", self.period_start);
        let end = v.present("period_end", self.period_end);
        v.date("period_start", start);
        v.date("period_end", end);
        v.date_order(start, end, "period_end", "period_start");
        let organization = v.present("organization_id", self.organization_id);
        let evidence = v.optional("evidence", self.evidence, MAX_EVIDENCE);
        OutcomeFields {
            kind: kind.unwrap_or(OutcomeKind::Other),
            title,
            value: value.unwrap_or_default(),
            unit: unit.unwrap_or(Unit::Other),
            segment: self.segment,
            period_start: start.unwrap_or_default(),
            period_end: end.unwrap_or_default(),
            organization_id: organization.unwrap_or_default(),
            agreement_id: self.agreement_id,
            activity_id: self.activity_id,
            commitment_id: self.commitment_id,
            regulation_id: self.regulation_id,
            evidence,
        }
    }
}

/// Filters of the outcome list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutcomeFilter {
    pub kind: Option<OutcomeKind>,
    pub unit: Option<Unit>,
    pub segment: Option<Segment>,
    /// Credited to this organization.
    pub organization_id: Option<Id>,
    pub agreement_id: Option<Id>,
    pub activity_id: Option<Id>,
    pub commitment_id: Option<Id>,
    pub regulation_id: Option<Id>,
    /// Periods that end on or after this date.
    pub from: Option<NaiveDate>,
    /// Periods that start on or before this date.
    pub to: Option<NaiveDate>,
    /// Words in the title or evidence (case-insensitive).
    pub q: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};
    use utoipa::PartialSchema;
    use utoipa::openapi::{RefOr, schema::Schema};

    use super::*;
    use crate::activities::action_items::{self, ActionItemPatch, NewActionItem};
    use crate::activities::model::{self as activity, ActivityPatch, NewActivity};
    use crate::http::validate::MAX_FIGURE;

    /// Each request schema (create and patch) states `keyword` = `limit` for `field`.
    fn states(schemas: [RefOr<Schema>; 2], field: &str, keyword: &str, limit: Value) {
        for schema in schemas {
            let schema = serde_json::to_value(schema).unwrap_or_default();
            assert_eq!(schema["properties"][field][keyword], limit, "{field}.{keyword}");
        }
    }

    /// The request schemas state the limits that the checks apply (the attribute takes only literals, so
    /// this ties them to the constants).
    #[test]
    fn the_schemas_state_the_limits_of_the_checks() {
        let outcome = || [NewOutcome::schema(), OutcomePatch::schema()];
        states(outcome(), "title", "maxLength", json!(MAX_TITLE));
        states(outcome(), "evidence", "maxLength", json!(MAX_EVIDENCE));
        states(outcome(), "value", "minimum", json!(0));
        states(outcome(), "value", "maximum", json!(MAX_FIGURE));
        let activity = || [NewActivity::schema(), ActivityPatch::schema()];
        states(activity(), "title", "maxLength", json!(activity::MAX_TITLE));
        states(activity(), "title", "minLength", json!(1));
        states(activity(), "location", "maxLength", json!(activity::MAX_LOCATION));
        states(activity(), "audience", "maxLength", json!(activity::MAX_AUDIENCE));
        states(activity(), "minutes", "maxLength", json!(activity::MAX_MINUTES));
        states(activity(), "decisions", "maxItems", json!(activity::MAX_DECISIONS));
        states(activity(), "participants", "maxItems", json!(activity::MAX_PARTICIPANTS));
        states(activity(), "people_reached", "minimum", json!(0));
        let item = [NewActionItem::schema(), ActionItemPatch::schema()];
        states(item, "description", "maxLength", json!(action_items::MAX_DESCRIPTION));
    }
}
