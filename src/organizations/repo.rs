use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{NewOrganization, Organization, OrganizationFields, OrganizationFilter};
use crate::db::schema::{
    action_items, activities, activity_participants, agreement_parties, commitments, contacts, organizations,
    outcomes, users,
};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::search::{self, lower};
use crate::http::{Reference, Validator, ensure_unreferenced, expect_one_row};

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

pub fn find(conn: &mut DbConnection, id: Id) -> Result<Organization, AppError> {
    Ok(organizations::table.find(id).select(Organization::as_select()).first(conn)?)
}

pub fn exists(conn: &mut DbConnection, id: Id) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(organizations::table.find(id))).get_result(conn)?)
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

/// Validates `input` (fields, region, parent, hierarchy, short name) for the organization `this`
/// (`None` when creating). Every bad field is reported in one 422; a taken short name is a 409.
fn checked(
    conn: &mut DbConnection,
    input: NewOrganization,
    this: Option<Id>,
) -> Result<OrganizationFields, AppError> {
    let mut v = Validator::new();
    let fields = input.validate(&mut v);
    if let Some(code) = &fields.region_code
        && !v.has_error("region_code")
        && !crate::regions::repo::exists(conn, code)?
    {
        v.error("region_code", text("is not a known region code", "bukan kode wilayah yang dikenal"));
    }
    if let Some(parent) = fields.parent_id {
        check_parent(conn, &mut v, parent, this)?;
    }
    v.finish()?;
    let mut taken = organizations::table
        .filter(lower(organizations::short_name).eq(fields.short_name.to_lowercase()))
        .select(organizations::id)
        .into_boxed();
    if let Some(this) = this {
        taken = taken.filter(organizations::id.ne(this));
    }
    if taken.first::<Id>(conn).optional()?.is_some() {
        return Err(AppError::conflict(text(
            format!("Another organization has the short name {:?}.", fields.short_name),
            format!("Organisasi lain sudah memakai nama singkat {:?}.", fields.short_name),
        )));
    }
    Ok(fields)
}

/// The parent must exist and must not be the organization itself or one under it (no cycles).
fn check_parent(
    conn: &mut DbConnection,
    v: &mut Validator,
    parent: Id,
    this: Option<Id>,
) -> Result<(), AppError> {
    if !exists(conn, parent)? {
        v.error("parent_id", text("is not a known organization", "bukan organisasi yang dikenal"));
        return Ok(());
    }
    let Some(this) = this else { return Ok(()) };
    crate::db::serialize(conn, crate::db::Serialize::OrganizationTree)?;
    if with_ancestors(conn, Some(parent))?.contains(&this) {
        v.error(
            "parent_id",
            text(
                "must not be the organization itself or an organization under it",
                "tidak boleh organisasi itu sendiri atau organisasi di bawahnya",
            ),
        );
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    input: NewOrganization,
    created_by: Id,
    now: DateTime<Utc>,
) -> Result<Organization, AppError> {
    let fields = checked(conn, input, None)?;
    let id = Id::new();
    let now = from_utc(now);
    diesel::insert_into(organizations::table)
        .values((
            &fields,
            organizations::id.eq(id),
            organizations::version.eq(1),
            organizations::created_at.eq(now),
            organizations::updated_at.eq(now),
            organizations::created_by.eq(Some(created_by)),
        ))
        .execute(conn)?;
    find(conn, id)
}

/// Writes `input` over `current` if `current` is still the stored version (else 412). A change that
/// changes nothing writes nothing and answers `current`.
pub fn update(
    conn: &mut DbConnection,
    current: &Organization,
    input: NewOrganization,
    now: DateTime<Utc>,
) -> Result<Organization, AppError> {
    let fields = checked(conn, input, Some(current.id))?;
    if fields == OrganizationFields::from(current) {
        return Ok(current.clone());
    }
    let rows = diesel::update(
        organizations::table
            .filter(organizations::id.eq(current.id))
            .filter(organizations::version.eq(current.version)),
    )
    .set((
        &fields,
        organizations::version.eq(current.version + 1),
        organizations::updated_at.eq(from_utc(now)),
    ))
    .execute(conn)?;
    expect_one_row(rows)?;
    find(conn, current.id)
}

/// Deletes `current` if nothing refers to it (else 409) and it is still the stored version (else 412).
pub fn delete(conn: &mut DbConnection, current: &Organization) -> Result<(), AppError> {
    ensure_unreferenced(
        conn,
        current.id,
        REFERENCES,
        Some((" Set its status to inactive instead.", " Ubah statusnya menjadi inactive.")),
    )?;
    let rows = diesel::delete(
        organizations::table
            .filter(organizations::id.eq(current.id))
            .filter(organizations::version.eq(current.version)),
    )
    .execute(conn)?;
    expect_one_row(rows)
}
