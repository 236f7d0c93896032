//! User queries. The password hash is read only through [`Credentials`], for the login and password use
//! cases of `crate::auth::service`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::model::{User, UserFilter, UserRow, UserStatus};
use crate::audit::Actor;
use crate::auth::Role;
use crate::db::schema::users;
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::AppError;

/// A stored role or status the program does not know is a corrupt row: a 500 that names it in the log.
fn corrupt(what: String) -> impl FnOnce(diesel::result::Error) -> AppError {
    move |e| match e {
        diesel::result::Error::DeserializationError(cause) => {
            AppError::internal(format!("the stored row of {what} is not readable: {cause}"))
        }
        other => other.into(),
    }
}

pub fn find(conn: &mut DbConnection, id: Id) -> Result<User, AppError> {
    let row = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .map_err(corrupt(format!("user {id}")))?;
    Ok(User::from(row))
}

/// The full names of the users among `ids` (a user deleted since is simply missing).
pub fn full_names(
    conn: &mut DbConnection,
    ids: &[Id],
) -> Result<std::collections::HashMap<Id, String>, AppError> {
    let rows: Vec<(Id, String)> =
        users::table.filter(users::id.eq_any(ids)).select((users::id, users::full_name)).load(conn)?;
    Ok(rows.into_iter().collect())
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
        query = query.filter(users::role.eq(role));
    }
    if let Some(org) = filter.organization_id {
        query = query.filter(users::organization_id.eq(org));
    }
    if let Some(status) = filter.status {
        query = query.filter(users::status.eq(status));
    }
    if let Some(after) = after {
        query = query.filter(users::id.gt(after));
    }
    let rows: Vec<UserRow> = query
        .order(users::id.asc())
        .limit(limit)
        .load(conn)
        .map_err(corrupt(format!("a user in the page after {after:?}")))?;
    Ok(rows.into_iter().map(User::from).collect())
}

/// What logging in needs to know of a user, the hash included. Only the auth use cases read it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct Credentials {
    pub id: Id,
    pub username: String,
    pub role: Role,
    pub organization_id: Option<Id>,
    pub status: UserStatus,
    pub password_hash: String,
    pub session_epoch: i32,
}

impl Credentials {
    pub fn actor(&self, request_id: Option<String>) -> Actor {
        Actor {
            user_id: Some(self.id),
            username: Some(self.username.clone()),
            role: Some(self.role.as_str().to_string()),
            organization_id: self.organization_id,
            request_id,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == UserStatus::Active
    }
}

pub fn credentials_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<Credentials>, AppError> {
    users::table
        .filter(users::username.eq(username))
        .select(Credentials::as_select())
        .first(conn)
        .optional()
        .map_err(corrupt(format!("user {username:?}")))
}

pub fn credentials_by_id(conn: &mut DbConnection, id: Id) -> Result<Option<Credentials>, AppError> {
    users::table
        .find(id)
        .select(Credentials::as_select())
        .first(conn)
        .optional()
        .map_err(corrupt(format!("user {id}")))
}

pub fn username_exists(conn: &mut DbConnection, username: &str) -> Result<bool, AppError> {
    Ok(diesel::select(diesel::dsl::exists(users::table.filter(users::username.eq(username))))
        .get_result(conn)?)
}

/// A new account as it is written (its fields already checked, its password already hashed).
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewRow<'a> {
    pub id: Id,
    pub username: &'a str,
    pub full_name: &'a str,
    pub email: Option<&'a str>,
    pub role: Role,
    pub organization_id: Option<Id>,
    pub status: UserStatus,
    pub password_hash: &'a str,
    pub password_changed_at: crate::db::Timestamp,
    pub version: i32,
    pub created_at: crate::db::Timestamp,
    pub updated_at: crate::db::Timestamp,
    pub created_by: Option<Id>,
}

/// Inserts `row`; a concurrent insert of the same username makes this `Ok(false)`.
pub fn insert(conn: &mut DbConnection, row: &NewRow<'_>) -> Result<bool, AppError> {
    match diesel::insert_into(users::table).values(row).execute(conn) {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            Ok(false)
        }
        Err(e) => Err(e.into()),
    }
}

/// The profile fields a change writes.
#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = users, treat_none_as_null = true)]
pub struct Profile {
    pub full_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub organization_id: Option<Id>,
    pub status: UserStatus,
}

impl From<&User> for Profile {
    fn from(u: &User) -> Profile {
        Profile {
            full_name: u.full_name.clone(),
            email: u.email.clone(),
            role: u.role,
            organization_id: u.organization_id,
            status: u.status,
        }
    }
}

/// Writes `profile` over version `version` of the user and counts the version up (else 412).
pub fn update(
    conn: &mut DbConnection,
    id: Id,
    version: i32,
    profile: &Profile,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let rows = diesel::update(users::table.filter(users::id.eq(id)).filter(users::version.eq(version)))
        .set((profile, users::version.eq(version + 1), users::updated_at.eq(from_utc(now))))
        .execute(conn)?;
    crate::http::expect_one_row(rows)
}

/// How many active administrators there are besides `except`.
pub fn other_active_admins(conn: &mut DbConnection, except: Id) -> Result<i64, AppError> {
    Ok(users::table
        .filter(users::role.eq(Role::Admin))
        .filter(users::status.eq(UserStatus::Active))
        .filter(users::id.ne(except))
        .count()
        .get_result(conn)?)
}

pub fn set_password_hash(
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

/// An active user of an organization, as the reminder pass tells them.
#[derive(Debug, Clone, Queryable)]
pub struct Member {
    pub id: Id,
    pub organization_id: Option<Id>,
    pub email: Option<String>,
    pub role: Role,
}

/// The active users who belong to one of `orgs` (not those of the organizations above them).
pub fn active_members_of(conn: &mut DbConnection, orgs: &[Id]) -> Result<Vec<Member>, AppError> {
    let mut out = Vec::new();
    for chunk in orgs.chunks(5000) {
        let rows: Vec<Member> = users::table
            .filter(users::organization_id.eq_any(chunk.iter().map(|o| Some(*o)).collect::<Vec<_>>()))
            .filter(users::status.eq(UserStatus::Active))
            .select((users::id, users::organization_id, users::email, users::role))
            .load(conn)
            .map_err(corrupt("an organization's users".into()))?;
        out.extend(rows);
    }
    Ok(out)
}

/// The names and email addresses of those of `ids` who are active.
pub fn mail_addresses(
    conn: &mut DbConnection,
    ids: &[Id],
) -> Result<std::collections::HashMap<Id, (String, Option<String>)>, AppError> {
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(5000) {
        let rows: Vec<(Id, String, Option<String>)> = users::table
            .filter(users::id.eq_any(chunk.to_vec()))
            .filter(users::status.eq(UserStatus::Active))
            .select((users::id, users::full_name, users::email))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(id, name, email)| (id, (name, email))));
    }
    Ok(out)
}
