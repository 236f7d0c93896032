//! Activity and action-item queries: the row with its child tables (participants, decisions, CGR
//! components), the filtered list, and the conditional writes.

use chrono::Days;
use diesel::prelude::*;

use super::action_items::ActionItemRow;
use super::model::{ActivityFields, ActivityFilter, ActivityRecord, ActivityRow, CgrComponent, Participant};
use crate::db::schema::{
    action_items, activities, activity_cgr_components, activity_decisions, activity_participants,
    organizations, outcomes,
};
use crate::db::types::day_start;
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::Reference;
use crate::http::search::{self, lower, lower_nullable};

/// What may refer to an activity: a planned activity cannot be deleted (409) while any of these does.
pub const REFERENCES: &[Reference] = &[
    Reference::new("action items", "tindak lanjut", |conn, id| {
        action_items::table.filter(action_items::activity_id.eq(id)).count().get_result(conn)
    }),
    Reference::new("outcomes", "capaian", |conn, id| {
        outcomes::table.filter(outcomes::activity_id.eq(id)).count().get_result(conn)
    }),
    Reference::new("documents", "dokumen", |conn, id| {
        crate::documents::repo::count(conn, crate::documents::model::OwnerKind::Activity, id)
    }),
];

/// The activity with its child rows; 404 when there is none.
pub fn load(conn: &mut DbConnection, id: Id) -> Result<ActivityRecord, AppError> {
    let row = activities::table
        .find(id)
        .select(ActivityRow::as_select())
        .first(conn)
        .map_err(|e| AppError::from(e).in_row("activities", id))?;
    complete(conn, vec![row])?.pop().ok_or_else(AppError::not_found)
}

/// Attaches the child rows to each activity, three queries for the whole list.
pub fn complete(conn: &mut DbConnection, rows: Vec<ActivityRow>) -> Result<Vec<ActivityRecord>, AppError> {
    let ids: Vec<Id> = rows.iter().map(|r| r.id).collect();
    let participants: Vec<(Id, Id, String, Option<i32>)> = activity_participants::table
        .inner_join(organizations::table)
        .filter(activity_participants::activity_id.eq_any(&ids))
        .order((activity_participants::activity_id, activity_participants::ordinal))
        .select((
            activity_participants::activity_id,
            activity_participants::organization_id,
            organizations::name,
            activity_participants::attendees,
        ))
        .load(conn)?;
    let decisions: Vec<(Id, String)> = activity_decisions::table
        .filter(activity_decisions::activity_id.eq_any(&ids))
        .order((activity_decisions::activity_id, activity_decisions::ordinal))
        .select((activity_decisions::activity_id, activity_decisions::decision))
        .load(conn)?;
    let components: Vec<(Id, CgrComponent)> = activity_cgr_components::table
        .filter(activity_cgr_components::activity_id.eq_any(&ids))
        .order((activity_cgr_components::activity_id, activity_cgr_components::component))
        .select((activity_cgr_components::activity_id, activity_cgr_components::component))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let id = row.id;
            ActivityRecord {
                participants: participants
                    .iter()
                    .filter(|(a, ..)| *a == id)
                    .map(|(_, org, name, attendees)| Participant {
                        organization_id: *org,
                        organization_name: name.clone(),
                        attendees: *attendees,
                    })
                    .collect(),
                decisions: decisions.iter().filter(|(a, _)| *a == id).map(|(_, d)| d.clone()).collect(),
                cgr_components: components.iter().filter(|(a, _)| *a == id).map(|(_, c)| *c).collect(),
                row,
            }
        })
        .collect())
}

/// Narrows a boxed query over `activities` (alone or joined) by every filter except the organization's,
/// and by the cursor. A macro because the two query types differ while the filters are the same.
macro_rules! with_filters {
    ($query:expr, $filter:expr, $hidden:expr, $after:expr) => {{
        let (filter, hidden, after): (&ActivityFilter, &[Id], Option<Id>) = ($filter, $hidden, $after);
        let mut query = $query;
        if !hidden.is_empty() {
            query = query.filter(
                activities::agreement_id.is_null().or(activities::agreement_id.ne_all(hidden.to_vec())),
            );
        }
        if let Some(kind) = filter.kind {
            query = query.filter(activities::kind.eq(kind));
        }
        if let Some(status) = filter.status {
            query = query.filter(activities::status.eq(status));
        }
        if let Some(agreement) = filter.agreement_id {
            query = query.filter(activities::agreement_id.eq(agreement));
        }
        if let Some(scope) = filter.scope {
            query = query.filter(activities::scope.eq(scope));
        }
        if let Some(from) = filter.from {
            query = query.filter(activities::starts_at.ge(day_start(from)));
        }
        if let Some(to) = filter.to.and_then(|d| d.checked_add_days(Days::new(1))) {
            query = query.filter(activities::starts_at.lt(day_start(to)));
        }
        if let Some(component) = filter.cgr_component {
            let with = activity_cgr_components::table
                .filter(activity_cgr_components::component.eq(component))
                .select(activity_cgr_components::activity_id);
            query = query.filter(activities::id.eq_any(with));
        }
        if let Some(pattern) = search::pattern(filter.q.as_deref()) {
            query = query.filter(
                lower(activities::title)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower_nullable(activities::location).like(pattern.clone()).escape('\\'))
                    .or(lower_nullable(activities::minutes).like(pattern).escape('\\')),
            );
        }
        if let Some(after) = after {
            query = query.filter(activities::id.gt(after));
        }
        query
    }};
}

/// Up to `limit` activities after the id `after`, in creation order, leaving out those under the
/// agreements in `hidden`.
///
/// An organization's activities are those it organizes and those it takes part in. One query with
/// `organizer = X OR id IN (participations of X)` makes the database gather every participation of the
/// organization on every page, so a page of a large organization cost what the whole organization costs
/// (benches/RESULTS.md, scenario 2). Instead each side walks its own index from the cursor and stops after
/// `limit` rows, and the two are merged: the first `limit` rows of the union are always among the first
/// `limit` of each side, so the merged page is exact under every other filter too.
pub fn list(
    conn: &mut DbConnection,
    filter: &ActivityFilter,
    hidden: &[Id],
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<ActivityRecord>, AppError> {
    let all = || activities::table.select(ActivityRow::as_select()).into_boxed();
    let Some(org) = filter.organization_id else {
        let rows = with_filters!(all(), filter, hidden, after)
            .order(activities::id.asc())
            .limit(limit)
            .load(conn)?;
        return complete(conn, rows);
    };
    let organized = with_filters!(all(), filter, hidden, after)
        .filter(activities::organizer_organization_id.eq(org))
        .order(activities::id.asc())
        .limit(limit);
    let mut rows: Vec<ActivityRow> = organized.load(conn)?;
    // A join rather than `id IN (…)`: SQLite would first collect every participation of the organization.
    // The cursor is repeated on the participation, whose index the walk starts from (the nil id is before
    // every id).
    let joined = activities::table
        .inner_join(activity_participants::table)
        .filter(activity_participants::organization_id.eq(org))
        .filter(activity_participants::activity_id.gt(after.unwrap_or(Id(uuid::Uuid::nil()))))
        .select(ActivityRow::as_select())
        .into_boxed();
    let taking_part = with_filters!(joined, filter, hidden, after)
        .order(activity_participants::activity_id.asc())
        .limit(limit);
    rows.extend(taking_part.load::<ActivityRow>(conn)?);
    rows.sort_by_key(|row| row.id);
    rows.dedup_by_key(|row| row.id);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    complete(conn, rows)
}

pub fn insert(conn: &mut DbConnection, row: &ActivityRow, fields: &ActivityFields) -> Result<(), AppError> {
    diesel::insert_into(activities::table).values(row).execute(conn)?;
    insert_children(conn, row.id, fields)
}

/// Writes the row if it is still at `expected_version` (else 412) and replaces the child rows.
pub fn update(
    conn: &mut DbConnection,
    row: &ActivityRow,
    expected_version: i32,
    fields: &ActivityFields,
) -> Result<(), AppError> {
    crate::versioned!(update conn, activities, row.id, expected_version, row)?;
    delete_children(conn, row.id)?;
    insert_children(conn, row.id, fields)
}

fn delete_children(conn: &mut DbConnection, id: Id) -> Result<(), AppError> {
    diesel::delete(activity_participants::table.filter(activity_participants::activity_id.eq(id)))
        .execute(conn)?;
    diesel::delete(activity_decisions::table.filter(activity_decisions::activity_id.eq(id))).execute(conn)?;
    diesel::delete(activity_cgr_components::table.filter(activity_cgr_components::activity_id.eq(id)))
        .execute(conn)?;
    Ok(())
}

fn insert_children(conn: &mut DbConnection, id: Id, fields: &ActivityFields) -> Result<(), AppError> {
    // One statement per row: batch inserts are not available over the multi-backend connection.
    for (p, ordinal) in fields.participants.iter().zip(0..) {
        diesel::insert_into(activity_participants::table)
            .values((
                activity_participants::activity_id.eq(id),
                activity_participants::organization_id.eq(p.organization_id),
                activity_participants::attendees.eq(p.attendees),
                activity_participants::ordinal.eq(ordinal),
            ))
            .execute(conn)?;
    }
    for (d, ordinal) in fields.decisions.iter().zip(0..) {
        diesel::insert_into(activity_decisions::table)
            .values((
                activity_decisions::activity_id.eq(id),
                activity_decisions::ordinal.eq(ordinal),
                activity_decisions::decision.eq(d),
            ))
            .execute(conn)?;
    }
    for c in &fields.cgr_components {
        diesel::insert_into(activity_cgr_components::table)
            .values((activity_cgr_components::activity_id.eq(id), activity_cgr_components::component.eq(*c)))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes the activity (and its child rows) if it is still at `expected_version` (else 412).
pub fn delete(conn: &mut DbConnection, id: Id, expected_version: i32) -> Result<(), AppError> {
    delete_children(conn, id)?;
    crate::versioned!(delete conn, activities, id, expected_version)
}

pub fn find_action_item(conn: &mut DbConnection, id: Id) -> Result<ActionItemRow, AppError> {
    action_items::table
        .find(id)
        .select(ActionItemRow::as_select())
        .first(conn)
        .map_err(|e| AppError::from(e).in_row("action_items", id))
}

pub fn insert_action_item(conn: &mut DbConnection, row: &ActionItemRow) -> Result<(), AppError> {
    diesel::insert_into(action_items::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes the action item if it is still at `expected_version` (else 412).
pub fn update_action_item(
    conn: &mut DbConnection,
    row: &ActionItemRow,
    expected_version: i32,
) -> Result<(), AppError> {
    crate::versioned!(update conn, action_items, row.id, expected_version, row)
}

/// Up to `limit` action items of the activity after the id `after`, in creation order.
pub fn action_items(
    conn: &mut DbConnection,
    activity: Id,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<ActionItemRow>, AppError> {
    let mut query = action_items::table
        .filter(action_items::activity_id.eq(activity))
        .select(ActionItemRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(action_items::id.gt(after));
    }
    Ok(query.order(action_items::id.asc()).limit(limit).load(conn)?)
}

/// The activities that one of `orgs` organizes or takes part in, starting at `since` or later, outside
/// the agreements in `hidden`, in time order: the meetings of a calendar feed.
pub fn involving(
    conn: &mut DbConnection,
    orgs: &[Id],
    hidden: &[Id],
    since: crate::db::Timestamp,
) -> Result<Vec<ActivityRow>, AppError> {
    let taking_part = activity_participants::table
        .filter(activity_participants::organization_id.eq_any(orgs.to_vec()))
        .select(activity_participants::activity_id);
    let mut query = activities::table
        .filter(
            activities::organizer_organization_id
                .eq_any(orgs.to_vec())
                .or(activities::id.eq_any(taking_part)),
        )
        .filter(activities::starts_at.ge(since))
        .select(ActivityRow::as_select())
        .into_boxed();
    if !hidden.is_empty() {
        query = query
            .filter(activities::agreement_id.is_null().or(activities::agreement_id.ne_all(hidden.to_vec())));
    }
    Ok(query.order(activities::starts_at.asc()).load(conn)?)
}

/// The open action items with a due date that one of `orgs` owns, outside the activities under the
/// agreements in `hidden`.
pub fn open_action_items_of(
    conn: &mut DbConnection,
    orgs: &[Id],
    hidden: &[Id],
) -> Result<Vec<ActionItemRow>, AppError> {
    let mut query = action_items::table
        .filter(action_items::owner_organization_id.eq_any(orgs.to_vec()))
        .filter(action_items::status.eq(super::action_items::ActionItemStatus::Open))
        .filter(action_items::due_on.is_not_null())
        .select(ActionItemRow::as_select())
        .into_boxed();
    if !hidden.is_empty() {
        let under_hidden =
            activities::table.filter(activities::agreement_id.eq_any(hidden.to_vec())).select(activities::id);
        query = query.filter(action_items::activity_id.ne_all(under_hidden));
    }
    Ok(query.order(action_items::due_on.asc()).load(conn)?)
}

/// The open action items due on or before `until` (and not before `from`, when given), each with the
/// agreement of its activity: what the reminder pass looks at.
pub fn open_action_items_due_by(
    conn: &mut DbConnection,
    from: Option<chrono::NaiveDate>,
    until: chrono::NaiveDate,
) -> Result<Vec<(ActionItemRow, Option<Id>)>, AppError> {
    let mut query = action_items::table
        .inner_join(activities::table)
        .filter(action_items::status.eq(super::action_items::ActionItemStatus::Open))
        .filter(action_items::due_on.le(until))
        .select((ActionItemRow::as_select(), activities::agreement_id))
        .into_boxed();
    if let Some(from) = from {
        query = query.filter(action_items::due_on.ge(from));
    }
    Ok(query.load(conn)?)
}
