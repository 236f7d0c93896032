//! `GET /reports/follow-ups`: what is still to be done, by the organization responsible: open action
//! items (from activities) and overdue commitments (under agreements).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::Visible;
use crate::activities::action_items::{ActionItemRow, ActionItemStatus};
use crate::agreements::commitments::{self, CommitmentStatus};
use crate::db::schema::action_items;
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use diesel::prelude::*;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenActionItem {
    pub id: Id,
    pub activity_id: Id,
    pub activity_title: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    /// Past `due_on`.
    pub overdue: bool,
}

/// Named apart from the agreement report's `OverdueCommitment`, which has other fields.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = OverdueFollowUpCommitment)]
pub struct OverdueCommitment {
    pub id: Id,
    pub agreement_id: Id,
    pub agreement_number: Option<String>,
    pub title: String,
    pub due_on: Option<NaiveDate>,
    pub days_overdue: i64,
    pub status: CommitmentStatus,
    pub progress_pct: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationFollowUps {
    pub organization_id: Id,
    pub organization_name: String,
    pub open_action_items: Vec<OpenActionItem>,
    pub overdue_commitments: Vec<OverdueCommitment>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpsReport {
    pub as_of: NaiveDate,
    /// By organization name; only organizations with something to follow up.
    pub organizations: Vec<OrganizationFollowUps>,
}

/// One follow-up per CSV row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpLine {
    pub organization_id: Id,
    pub organization_name: String,
    /// action_item or commitment.
    pub item_type: String,
    pub item_id: Id,
    /// The activity of an action item, the agreement of a commitment.
    pub source_id: Id,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub days_overdue: Option<i64>,
}

impl FollowUpsReport {
    pub fn lines(&self) -> Vec<FollowUpLine> {
        let mut out = Vec::new();
        for o in &self.organizations {
            for a in &o.open_action_items {
                out.push(FollowUpLine {
                    organization_id: o.organization_id,
                    organization_name: o.organization_name.clone(),
                    item_type: "action_item".into(),
                    item_id: a.id,
                    source_id: a.activity_id,
                    description: a.description.clone(),
                    due_on: a.due_on,
                    days_overdue: a.due_on.map(|d| (self.as_of - d).num_days()).filter(|d| *d > 0),
                });
            }
            for c in &o.overdue_commitments {
                out.push(FollowUpLine {
                    organization_id: o.organization_id,
                    organization_name: o.organization_name.clone(),
                    item_type: "commitment".into(),
                    item_id: c.id,
                    source_id: c.agreement_id,
                    description: c.title.clone(),
                    due_on: c.due_on,
                    days_overdue: Some(c.days_overdue),
                });
            }
        }
        out
    }
}

pub fn build(
    conn: &mut DbConnection,
    visible: &Visible,
    names: &HashMap<Id, String>,
    today: NaiveDate,
) -> Result<FollowUpsReport, AppError> {
    let mut by_org: BTreeMap<Id, (Vec<OpenActionItem>, Vec<OverdueCommitment>)> = BTreeMap::new();
    let titles: HashMap<Id, &str> =
        visible.activities.iter().map(|a| (a.row.id, a.row.title.as_str())).collect();
    let items: Vec<ActionItemRow> = action_items::table
        .filter(action_items::status.eq(ActionItemStatus::Open))
        .order((action_items::due_on.asc(), action_items::id.asc()))
        .select(ActionItemRow::as_select())
        .load(conn)?;
    for item in items {
        // Items of activities the caller may not see are left out.
        let Some(title) = titles.get(&item.activity_id) else { continue };
        by_org.entry(item.owner_organization_id).or_default().0.push(OpenActionItem {
            id: item.id,
            activity_id: item.activity_id,
            activity_title: title.to_string(),
            description: item.description.clone(),
            due_on: item.due_on,
            overdue: item.is_overdue(today),
        });
    }
    let mut commitments_of = commitments::by_agreement(conn)?;
    for agreement in &visible.agreements {
        for c in commitments_of.remove(&agreement.row.id).unwrap_or_default() {
            if !c.is_overdue(today) {
                continue;
            }
            by_org.entry(c.responsible_organization_id).or_default().1.push(OverdueCommitment {
                id: c.id,
                agreement_id: agreement.row.id,
                agreement_number: agreement.row.number.clone(),
                title: c.title.clone(),
                due_on: c.due_on,
                days_overdue: c.due_on.map(|d| (today - d).num_days()).unwrap_or(0),
                status: c.status(),
                progress_pct: c.progress_pct,
            });
        }
    }
    let mut organizations: Vec<OrganizationFollowUps> = by_org
        .into_iter()
        .map(|(id, (items, mut commitments))| {
            commitments.sort_by_key(|c| (c.due_on, c.id));
            OrganizationFollowUps {
                organization_id: id,
                organization_name: names.get(&id).cloned().unwrap_or_default(),
                open_action_items: items,
                overdue_commitments: commitments,
            }
        })
        .collect();
    organizations.sort_by(|a, b| a.organization_name.cmp(&b.organization_name));
    Ok(FollowUpsReport { as_of: today, organizations })
}
