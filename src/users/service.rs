//! The user-account use cases. Hashing a password is slow by design, so it is a step of its own
//! ([`NewAccount::prepare`], [`AccountChange::prepare`]) that the API runs on the hashing threads
//! before the write transaction; the use cases then check who may, check against the database, write,
//! and record the audit event in the caller's transaction. `POST /users`, `sinergi user create`, the
//! bootstrap administrator and the demo users all create accounts through [`create`].

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::model::{NewUser, Profile as Rules, User, UserFilter, UserPatch, UserStatus, check_profile};
use super::repo::{self, NewRow, Profile};
use crate::audit::{self, Change};
use crate::auth::{Action, AuthUser, Role, password, policy};
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id, write_transaction};
use crate::error::{AppError, text};
use crate::http::{IfMatch, Tx};

/// A new account whose fields pass every rule that needs no database, with its password hashed.
pub struct NewAccount {
    new: NewUser,
    hash: String,
}

impl NewAccount {
    /// Checks `input` (one 422 naming every bad field, the password rules included) and hashes its
    /// password.
    pub fn prepare(input: NewUser) -> Result<NewAccount, AppError> {
        let new = input.validate()?;
        let hash = password::hash(&new.password)?;
        Ok(NewAccount { new, hash })
    }
}

/// The request's fingerprint for `Idempotency-Key` leaves the password out, so that no fast hash of it
/// is stored: a retry that differs only in the password answers the first response.
impl Serialize for NewAccount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = &self.new;
        serde_json::json!({
            "username": n.username, "full_name": n.full_name, "email": n.email,
            "role": n.role, "organization_id": n.organization_id,
        })
        .serialize(s)
    }
}

/// A change to an account; a new password in it passes the rules that need no account, and is hashed.
pub struct AccountChange {
    patch: UserPatch,
    password: Option<(String, String)>,
}

impl AccountChange {
    pub fn prepare(patch: UserPatch) -> Result<AccountChange, AppError> {
        let mut patch = patch.normalized();
        let password = match patch.password.take() {
            None => None,
            Some(plain) => {
                // No password of 12 or more characters is the empty username: this checks the rest.
                password::check_rules(&plain, "")?;
                let hash = password::hash(&plain)?;
                Some((plain, hash))
            }
        };
        Ok(AccountChange { patch, password })
    }
}

fn username_taken() -> AppError {
    AppError::conflict(text("This username is taken already.", "Nama pengguna ini sudah dipakai."))
}

/// A non-admin user must belong to an organization that exists; 422 otherwise.
fn check_organization(conn: &mut DbConnection, org: Option<Id>) -> Result<(), AppError> {
    match org {
        Some(org) if !crate::organizations::repo::exists(conn, org)? => Err(AppError::invalid(
            "organization_id",
            text("names no organization", "tidak merujuk ke organisasi yang ada"),
        )),
        _ => Ok(()),
    }
}

pub fn list(
    conn: &mut DbConnection,
    user: &AuthUser,
    filter: &UserFilter,
    after: Option<Id>,
    limit: i64,
) -> Result<Vec<User>, AppError> {
    policy::authorize(user, Action::ReadUsers)?;
    repo::list(conn, filter, after, limit)
}

pub fn get(conn: &mut DbConnection, user: &AuthUser, id: Id) -> Result<User, AppError> {
    policy::authorize(user, Action::ReadUsers)?;
    repo::find(conn, id)
}

pub fn create(tx: Tx<'_>, input: NewAccount) -> Result<User, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::ManageUsers)?;
    let new = &input.new;
    check_organization(conn, new.organization_id)?;
    if repo::username_exists(conn, &new.username)? {
        return Err(username_taken());
    }
    let (id, at) = (Id::new(), from_utc(now));
    let row = NewRow {
        id,
        username: &new.username,
        full_name: &new.full_name,
        email: new.email.as_deref(),
        role: new.role,
        organization_id: new.organization_id,
        status: UserStatus::Active,
        password_hash: &input.hash,
        password_changed_at: at,
        version: 1,
        created_at: at,
        updated_at: at,
        created_by: user.user_id(),
    };
    // A concurrent create with the same username won.
    if !repo::insert(conn, &row)? {
        return Err(username_taken());
    }
    let created = repo::find(conn, id)?;
    audit::record(conn, &user.actor(), now, Change::new("create", "user", id).after(&created))?;
    Ok(created)
}

/// [`create`] by the program itself (`what`: `cli`, `bootstrap`, `demo`), in a transaction of its own.
pub fn create_as_system(
    conn: &mut DbConnection,
    what: &str,
    now: DateTime<Utc>,
    input: NewUser,
) -> Result<User, AppError> {
    let account = NewAccount::prepare(input)?;
    write_transaction(conn, |conn| create(Tx::new(conn, &AuthUser::system(what), now), account))
}

/// Changes an account. Refuses (409) to leave the system without an active administrator; a new
/// password or disabling the account ends its sessions.
pub fn update(tx: Tx<'_>, id: Id, if_match: &IfMatch, change: AccountChange) -> Result<User, AppError> {
    let Tx { conn, user, now } = tx;
    policy::authorize(user, Action::ManageUsers)?;
    let before = repo::find(conn, id)?;
    if_match.check(before.version)?;
    let AccountChange { patch, password } = change;
    if let Some((plain, _)) = &password {
        password::check_rules(plain, &before.username)?;
    }
    let current = Profile::from(&before);
    let next = Profile {
        full_name: patch.full_name.unwrap_or_else(|| current.full_name.clone()),
        email: patch.email.unwrap_or_else(|| current.email.clone()),
        role: patch.role.unwrap_or(current.role),
        organization_id: patch.organization_id.unwrap_or(current.organization_id),
        status: patch.status.unwrap_or(current.status),
    };
    let mut errors = Vec::new();
    let rules = Rules {
        full_name: &next.full_name,
        email: next.email.as_deref(),
        role: next.role,
        organization_id: next.organization_id,
    };
    check_profile(&rules, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    if next.organization_id != current.organization_id {
        check_organization(conn, next.organization_id)?;
    }
    if next == current && password.is_none() {
        // Nothing to change, nothing to record: the version stays.
        return Ok(before);
    }
    let was_active_admin = current.role == Role::Admin && current.status == UserStatus::Active;
    let stays_active_admin = next.role == Role::Admin && next.status == UserStatus::Active;
    if was_active_admin && !stays_active_admin {
        // Two administrators demoting each other at once must not both succeed.
        crate::db::serialize(conn, crate::db::Serialize::ActiveAdministrators)?;
        if repo::other_active_admins(conn, id)? == 0 {
            return Err(AppError::conflict(text(
                "This is the last active administrator; make another one first.",
                "Ini administrator aktif terakhir; buat administrator lain terlebih dahulu.",
            )));
        }
    }
    repo::update(conn, id, before.version, &next, now)?;
    if let Some((_, hash)) = &password {
        repo::set_password_hash(conn, id, hash, now)?;
    }
    if password.is_some() || (next.status == UserStatus::Disabled && current.status != next.status) {
        repo::end_sessions(conn, id, now)?;
    }
    let after = repo::find(conn, id)?;
    audit::record(conn, &user.actor(), now, Change::new("update", "user", id).before(&before).after(&after))?;
    Ok(after)
}

/// A user's own password change (the current password already checked, the new one hashed): ends every
/// session of the user and records the change.
pub fn change_own_password(tx: Tx<'_>, hash: &str) -> Result<User, AppError> {
    let Tx { conn, user, now } = tx;
    let before = repo::find(conn, user.id)?;
    repo::set_password_hash(conn, user.id, hash, now)?;
    repo::update(conn, user.id, before.version, &Profile::from(&before), now)?;
    repo::end_sessions(conn, user.id, now)?;
    let after = repo::find(conn, user.id)?;
    let change = Change::new("password_change", "user", user.id).before(&before).after(&after);
    audit::record(conn, &user.actor(), now, change)?;
    Ok(after)
}
