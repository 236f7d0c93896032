//! User queries and changes. Every change records its audit event in the caller's transaction.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{NewUser, Profile, User, UserFilter, UserPatch, UserRow, UserStatus, check_profile};
use crate::audit::{self, Actor, Change};
use crate::auth::Role;
use crate::db::schema::{organizations, users};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::{AppError, text};
use crate::http::IfMatch;

pub fn find(conn: &mut DbConnection, id: Id) -> Result<User, AppError> {
    users::table.find(id).select(UserRow::as_select()).first(conn)?.try_into()
}

/// Up to `limit` users after the id `after`, in id (creation) order.
pub fn list(
    conn: &mut DbConnection,
    filter: &UserFilter,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<User>, AppError> {
    let mut query = users::table.select(UserRow::as_select()).into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role.as_str()));
    }
    if let Some(org) = filter.organization_id {
        query = query.filter(users::organization_id.eq(org));
    }
    if let Some(status) = filter.status {
        query = query.filter(users::status.eq(status.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    let rows: Vec<UserRow> = query.order(users::id.asc()).limit(limit).load(conn)?;
    rows.into_iter().map(User::try_from).collect()
}

/// What logging in needs to know of a user, the hash included. Only the auth code calls this.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub id: Id,
    pub username: String,
    pub role: String,
    pub organization_id: Option<Id>,
    pub status: String,
    pub password_hash: String,
    pub session_epoch: i32,
}

impl Credentials {
    pub fn actor(&self, request_id: Option<String>) -> Actor {
        Actor {
            user_id: Some(self.id),
            username: Some(self.username.clone()),
            role: Some(self.role.clone()),
            organization_id: self.organization_id,
            request_id,
        }
    }
}

fn credentials_query() -> users::BoxedQuery<'static, crate::db::MultiBackend, CredentialsSql> {
    users::table
        .select((
            users::id,
            users::username,
            users::role,
            users::organization_id,
            users::status,
            users::password_hash,
            users::session_epoch,
        ))
        .into_boxed()
}

type CredentialsSql = (
    crate::db::types::Uuid,
    diesel::sql_types::Text,
    diesel::sql_types::Text,
    diesel::sql_types::Nullable<crate::db::types::Uuid>,
    diesel::sql_types::Text,
    diesel::sql_types::Text,
    diesel::sql_types::Integer,
);

type CredentialsTuple = (Id, String, String, Option<Id>, String, String, i32);

fn to_credentials(t: CredentialsTuple) -> Credentials {
    Credentials {
        id: t.0,
        username: t.1,
        role: t.2,
        organization_id: t.3,
        status: t.4,
        password_hash: t.5,
        session_epoch: t.6,
    }
}

pub fn credentials_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<Credentials>, AppError> {
    let row: Option<CredentialsTuple> =
        credentials_query().filter(users::username.eq(username.to_string())).first(conn).optional()?;
    Ok(row.map(to_credentials))
}

pub fn credentials_by_id(conn: &mut DbConnection, id: Id) -> Result<Option<Credentials>, AppError> {
    let row: Option<CredentialsTuple> =
        credentials_query().filter(users::id.eq(id)).first(conn).optional()?;
    Ok(row.map(to_credentials))
}

/// A non-admin user must belong to an organization that exists; 422 otherwise.
fn check_organization(conn: &mut DbConnection, org: Option<Id>) -> Result<(), AppError> {
    let Some(org) = org else { return Ok(()) };
    let exists: bool =
        diesel::select(diesel::dsl::exists(organizations::table.find(org))).get_result(conn)?;
    if exists {
        Ok(())
    } else {
        Err(AppError::invalid(
            "organization_id",
            text("names no organization", "tidak merujuk ke organisasi yang ada"),
        ))
    }
}

fn username_taken() -> AppError {
    AppError::conflict(text("This username is taken already.", "Nama pengguna ini sudah dipakai."))
}

/// Creates a user (already validated, password already hashed) and records it.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    new: &NewUser,
    password_hash: &str,
) -> Result<User, AppError> {
    check_organization(conn, new.organization_id)?;
    let taken: bool =
        diesel::select(diesel::dsl::exists(users::table.filter(users::username.eq(&new.username))))
            .get_result(conn)?;
    if taken {
        return Err(username_taken());
    }
    let id = Id::new();
    let at = from_utc(now);
    diesel::insert_into(users::table)
        .values((
            users::id.eq(id),
            users::username.eq(&new.username),
            users::full_name.eq(&new.full_name),
            users::email.eq(&new.email),
            users::role.eq(new.role.as_str()),
            users::organization_id.eq(new.organization_id),
            users::status.eq(UserStatus::Active.as_str()),
            users::password_hash.eq(password_hash),
            users::password_changed_at.eq(at),
            users::version.eq(1),
            users::created_at.eq(at),
            users::updated_at.eq(at),
            users::created_by.eq(actor.user_id),
        ))
        .execute(conn)
        .map_err(|e| match e {
            // A concurrent create with the same username won.
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                username_taken()
            }
            other => other.into(),
        })?;
    let user = find(conn, id)?;
    audit::record(conn, actor, now, Change::new("create", "user", id).after(&user))?;
    Ok(user)
}

/// Applies a patch (already normalized; a new password already checked and hashed) when `if_match`
/// names the current version, and records it. Refuses to leave the system without an active admin.
pub fn update(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Id,
    if_match: &IfMatch,
    patch: &UserPatch,
    password_hash: Option<&str>,
) -> Result<User, AppError> {
    let before = find(conn, id)?;
    if_match.check(before.version)?;
    let full_name = patch.full_name.clone().unwrap_or_else(|| before.full_name.clone());
    let email = patch.email.clone().unwrap_or_else(|| before.email.clone());
    let role = patch.role.unwrap_or(before.role);
    let organization_id = patch.organization_id.unwrap_or(before.organization_id);
    let status = patch.status.unwrap_or(before.status);
    let mut errors = Vec::new();
    check_profile(
        &Profile { full_name: &full_name, email: email.as_deref(), role, organization_id },
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    if organization_id != before.organization_id {
        check_organization(conn, organization_id)?;
    }
    let unchanged = full_name == before.full_name
        && email == before.email
        && role == before.role
        && organization_id == before.organization_id
        && status == before.status;
    if unchanged && password_hash.is_none() {
        // Nothing to change, nothing to record: the version stays.
        return Ok(before);
    }
    let was_active_admin = before.role == Role::Admin && before.status == UserStatus::Active;
    let stays_active_admin = role == Role::Admin && status == UserStatus::Active;
    if was_active_admin && !stays_active_admin {
        // Two administrators demoting each other at once must not both succeed.
        crate::db::serialize(conn, crate::db::Serialize::ActiveAdministrators)?;
        let others: i64 = users::table
            .filter(users::role.eq(Role::Admin.as_str()))
            .filter(users::status.eq(UserStatus::Active.as_str()))
            .filter(users::id.ne(id))
            .count()
            .get_result(conn)?;
        if others == 0 {
            return Err(AppError::conflict(text(
                "This is the last active administrator; make another one first.",
                "Ini administrator aktif terakhir; buat administrator lain terlebih dahulu.",
            )));
        }
    }
    let at = from_utc(now);
    diesel::update(users::table.find(id))
        .set((
            users::full_name.eq(&full_name),
            users::email.eq(&email),
            users::role.eq(role.as_str()),
            users::organization_id.eq(organization_id),
            users::status.eq(status.as_str()),
            users::version.eq(before.version + 1),
            users::updated_at.eq(at),
        ))
        .execute(conn)?;
    if let Some(hash) = password_hash {
        set_password_hash(conn, id, hash, now)?;
    }
    if password_hash.is_some() || (status == UserStatus::Disabled && before.status != status) {
        end_sessions(conn, id, now)?;
    }
    let after = find(conn, id)?;
    audit::record(conn, actor, now, Change::new("update", "user", id).before(&before).after(&after))?;
    Ok(after)
}

fn set_password_hash(
    conn: &mut DbConnection,
    id: Id,
    hash: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::update(users::table.find(id))
        .set((users::password_hash.eq(hash), users::password_changed_at.eq(from_utc(now))))
        .execute(conn)?;
    Ok(())
}

/// Ends every session of a user: its refresh tokens are revoked and its access tokens refused (their
/// epoch is behind). Answers how many refresh tokens were live.
pub fn end_sessions(conn: &mut DbConnection, id: Id, now: DateTime<Utc>) -> Result<usize, AppError> {
    diesel::update(users::table.find(id))
        .set(users::session_epoch.eq(users::session_epoch + 1))
        .execute(conn)?;
    crate::auth::refresh::revoke_user(conn, id, now)
}

/// A user's own password change (current password already checked, new one hashed): ends every
/// session and records the change.
pub fn change_password(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Id,
    hash: &str,
) -> Result<User, AppError> {
    let before = find(conn, id)?;
    set_password_hash(conn, id, hash, now)?;
    diesel::update(users::table.find(id))
        .set((users::version.eq(before.version + 1), users::updated_at.eq(from_utc(now))))
        .execute(conn)?;
    end_sessions(conn, id, now)?;
    let after = find(conn, id)?;
    audit::record(
        conn,
        actor,
        now,
        Change::new("password_change", "user", id).before(&before).after(&after),
    )?;
    Ok(after)
}
