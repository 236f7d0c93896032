//! `GET /reports/collaboration`: the network of organizations. For each pair, the agreements both are
//! party to and the activities both organise or take part in; for each organization, its activities by
//! kind and the outcomes credited to it; and the number of activities per CGR component. Cancelled
//! activities do not count.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Visible;
use crate::activities::model::{ActivityKind, ActivityStatus, CgrComponent};
use crate::db::schema::outcomes;
use crate::db::{DbConnection, Id};
use crate::error::AppError;

crate::str_enum! {
    /// Which table of the report a CSV answer holds.
    pub enum Section { Pairs => "pairs", Organizations => "organizations", CgrComponents => "cgr_components" }
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CollaborationQuery {
    /// With `Accept: text/csv`: which table (default pairs).
    pub section: Option<Section>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Pair {
    pub organization_a_id: Id,
    pub organization_a_name: String,
    pub organization_b_id: Id,
    pub organization_b_name: String,
    pub shared_agreements: i64,
    pub joint_activities: i64,
}

/// Activities an organization organises or takes part in, per kind.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct KindCounts {
    pub coordination_meeting: i64,
    pub regulation_drafting: i64,
    pub sosialisasi: i64,
    pub pembinaan: i64,
    pub monev: i64,
    pub bimtek: i64,
    pub publication: i64,
    pub field_visit: i64,
    pub other: i64,
}

impl KindCounts {
    fn add(&mut self, kind: ActivityKind) {
        use ActivityKind::*;
        *match kind {
            CoordinationMeeting => &mut self.coordination_meeting,
            RegulationDrafting => &mut self.regulation_drafting,
            Sosialisasi => &mut self.sosialisasi,
            Pembinaan => &mut self.pembinaan,
            Monev => &mut self.monev,
            Bimtek => &mut self.bimtek,
            Publication => &mut self.publication,
            FieldVisit => &mut self.field_visit,
            Other => &mut self.other,
        } += 1;
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationLine {
    pub organization_id: Id,
    pub organization_name: String,
    pub activities_total: i64,
    #[serde(flatten)]
    pub activities_by_kind: KindCounts,
    pub outcomes_credited: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComponentLine {
    pub cgr_component: CgrComponent,
    pub activities: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollaborationReport {
    /// Pairs with at least one shared agreement or joint activity, by name.
    pub pairs: Vec<Pair>,
    /// Organizations with at least one activity or outcome, by name.
    pub organizations: Vec<OrganizationLine>,
    /// Every CGR component, with the activities that exercise it.
    pub cgr_components: Vec<ComponentLine>,
}

fn pairs_of(orgs: &BTreeSet<Id>) -> Vec<(Id, Id)> {
    let list: Vec<Id> = orgs.iter().copied().collect();
    let mut out = Vec::new();
    for (i, a) in list.iter().enumerate() {
        for b in &list[i + 1..] {
            out.push((*a, *b));
        }
    }
    out
}

pub fn build(
    conn: &mut DbConnection,
    visible: &Visible,
    names: &HashMap<Id, String>,
) -> Result<CollaborationReport, AppError> {
    let name = |id: &Id| names.get(id).cloned().unwrap_or_default();
    let mut pairs: BTreeMap<(Id, Id), (i64, i64)> = BTreeMap::new();
    for a in &visible.agreements {
        for pair in pairs_of(&a.party_ids().into_iter().collect()) {
            pairs.entry(pair).or_default().0 += 1;
        }
    }
    let mut orgs: BTreeMap<Id, (i64, KindCounts, i64)> = BTreeMap::new();
    let mut components: BTreeMap<&'static str, i64> =
        CgrComponent::ALL.iter().map(|c| (c.as_str(), 0)).collect();
    for a in visible.activities.iter().filter(|a| a.row.status != ActivityStatus::Cancelled) {
        let involved: BTreeSet<Id> = a.involved().into_iter().collect();
        for pair in pairs_of(&involved) {
            pairs.entry(pair).or_default().1 += 1;
        }
        for org in &involved {
            let entry = orgs.entry(*org).or_default();
            entry.0 += 1;
            entry.1.add(a.row.kind);
        }
        for c in &a.cgr_components {
            *components.entry(c.as_str()).or_default() += 1;
        }
    }
    let mut credited = outcomes::table.select(outcomes::organization_id).into_boxed();
    if !visible.hidden.is_empty() {
        credited = credited.filter(
            outcomes::agreement_id.is_null().or(outcomes::agreement_id.ne_all(visible.hidden.clone())),
        );
    }
    for org in credited.load::<Id>(conn)? {
        orgs.entry(org).or_default().2 += 1;
    }
    let mut pairs: Vec<Pair> = pairs
        .into_iter()
        .map(|((a, b), (shared, joint))| {
            // Named in alphabetical order, so that a pair reads the same way every time.
            let (a, b) = if name(&a) <= name(&b) { (a, b) } else { (b, a) };
            Pair {
                organization_a_id: a,
                organization_a_name: name(&a),
                organization_b_id: b,
                organization_b_name: name(&b),
                shared_agreements: shared,
                joint_activities: joint,
            }
        })
        .collect();
    pairs.sort_by(|x, y| {
        (&x.organization_a_name, &x.organization_b_name)
            .cmp(&(&y.organization_a_name, &y.organization_b_name))
    });
    let mut organizations: Vec<OrganizationLine> = orgs
        .into_iter()
        .map(|(id, (total, kinds, outcomes))| OrganizationLine {
            organization_id: id,
            organization_name: name(&id),
            activities_total: total,
            activities_by_kind: kinds,
            outcomes_credited: outcomes,
        })
        .collect();
    organizations.sort_by(|x, y| x.organization_name.cmp(&y.organization_name));
    let cgr_components = CgrComponent::ALL
        .iter()
        .map(|c| ComponentLine {
            cgr_component: *c,
            activities: components.get(c.as_str()).copied().unwrap_or(0),
        })
        .collect();
    Ok(CollaborationReport { pairs, organizations, cgr_components })
}
