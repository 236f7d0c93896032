//! Organization queries, and the lookups other modules make of organizations: existence and the
//! hierarchy above an organization.

use diesel::prelude::*;

use super::model::{Organization, OrganizationFields, OrganizationFilter};
use crate::db::schema::{
    action_items, activities, activity_attendees, activity_participants, agreement_parties, commitments,
    contacts, organizations, outcomes, users,
};
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::http::Reference;
use crate::http::search::{self, lower};

/// What may refer to an organization: DELETE refuses (409) while any of these does. Tables added later
/// that refer to organizations (agreement parties, activities, outcomes, ...) add a line here.
pub const REFERENCES: &[Reference] = &[
    Reference::new("organizations under it", "organisasi di bawahnya", |conn, id| {
        organizations::table.filter(organizations::parent_id.eq(id)).count().get_result(conn)
    }),
    Reference::new("contacts", "kontak", |conn, id| {
        contacts::table.filter(contacts::organization_id.eq(id)).count().get_result(conn)
    }),
    Reference::new("user accounts", "akun pengguna", |conn, id| {
        users::table.filter(users::organization_id.eq(id)).count().get_result(conn)
    }),
    Reference::new("activity attendees", "peserta hadir kegiatan", |conn, id| {
        activity_attendees::table.filter(activity_attendees::organization_id.eq(id)).count().get_result(conn)
    }),
    Reference::new("agreement parties", "pihak perjanjian", |conn, id| {
        agreement_parties::table.filter(agreement_parties::organization_id.eq(id)).count().get_result(conn)
    }),
    Reference::new(
        "commitments it is responsible for",
        "komitmen yang menjadi tanggung jawabnya",
        |conn, id| {
            commitments::table
                .filter(commitments::responsible_organization_id.eq(id))
                .count()
                .get_result(conn)
        },
    ),
    Reference::new("activities it organises", "kegiatan yang diselenggarakannya", |conn, id| {
        activities::table.filter(activities::organizer_organization_id.eq(id)).count().get_result(conn)
    }),
    Reference::new("activity participations", "keikutsertaan dalam kegiatan", |conn, id| {
        activity_participants::table
            .filter(activity_participants::organization_id.eq(id))
            .count()
            .get_result(conn)
    }),
    Reference::new("action items", "tindak lanjut", |conn, id| {
        action_items::table.filter(action_items::owner_organization_id.eq(id)).count().get_result(conn)
    }),
    Reference::new("outcomes credited", "capaian yang dikreditkan", |conn, id| {
        outcomes::table.filter(outcomes::organization_id.eq(id)).count().get_result(conn)
    }),
];

crate::versioned_rows!(
    organizations,
    Organization,
    OrganizationFields,
    "organization",
    "/api/v1/organizations"
);

pub fn exists(conn: &mut DbConnection, id: Id) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(organizations::table.find(id))).get_result(conn)?)
}

/// The names of the organizations among `ids`.
pub fn names(conn: &mut DbConnection, ids: &[Id]) -> Result<std::collections::HashMap<Id, String>, AppError> {
    let rows: Vec<(Id, String)> = organizations::table
        .filter(organizations::id.eq_any(ids))
        .select((organizations::id, organizations::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The ids among `ids` that name no organization.
pub fn missing(conn: &mut DbConnection, ids: &[Id]) -> Result<Vec<Id>, AppError> {
    let found: Vec<Id> =
        organizations::table.filter(organizations::id.eq_any(ids)).select(organizations::id).load(conn)?;
    Ok(ids.iter().copied().filter(|id| !found.contains(id)).collect())
}

/// The organization and the organizations above it, nearest first (a user acts for all of them; a
/// parent that is among them would make a cycle). The walk stops at a cycle or after 64 levels.
pub fn with_ancestors(conn: &mut DbConnection, org: Option<Id>) -> Result<Vec<Id>, AppError> {
    let mut chain = Vec::new();
    let mut next = org;
    while let Some(current) = next {
        if chain.contains(&current) || chain.len() > 64 {
            break;
        }
        chain.push(current);
        next = organizations::table
            .find(current)
            .select(organizations::parent_id)
            .first::<Option<Id>>(conn)
            .optional()?
            .flatten();
    }
    Ok(chain)
}

/// Up to `limit` organizations after the id `after`, in id (creation) order.
pub fn list(
    conn: &mut DbConnection,
    filter: &OrganizationFilter,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<Organization>, AppError> {
    let mut query = organizations::table.select(Organization::as_select()).into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(organizations::kind.eq(kind));
    }
    if let Some(sector) = filter.sector {
        query = query.filter(organizations::sector.eq(sector));
    }
    if let Some(status) = filter.status {
        query = query.filter(organizations::status.eq(status));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(organizations::parent_id.eq(parent));
    }
    if let Some(region) = &filter.region_code {
        query = query.filter(organizations::region_code.eq(region.clone()));
    }
    if let Some(pattern) = search::pattern(filter.q.as_deref()) {
        query = query.filter(
            lower(organizations::name).like(pattern.clone()).escape('\\').or(lower(
                organizations::short_name,
            )
            .like(pattern)
            .escape('\\')),
        );
    }
    if let Some(after) = after {
        query = query.filter(organizations::id.gt(after));
    }
    Ok(query.order(organizations::id.asc()).limit(limit).load(conn)?)
}

/// The organization other than `except` whose short name is `short_name`, whatever the case.
pub fn with_short_name(
    conn: &mut DbConnection,
    short_name: &str,
    except: Option<Id>,
) -> Result<Option<Id>, AppError> {
    let mut taken = organizations::table
        .filter(lower(organizations::short_name).eq(short_name.to_lowercase()))
        .select(organizations::id)
        .into_boxed();
    if let Some(except) = except {
        taken = taken.filter(organizations::id.ne(except));
    }
    Ok(taken.first::<Id>(conn).optional()?)
}
