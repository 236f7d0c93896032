//! User types and the validation that the API and the CLI share.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Role;
use crate::db::schema::users;
use crate::db::types::to_utc;
use crate::db::{Id, Timestamp};
use crate::error::{AppError, FieldError, text};

crate::str_enum! {
    /// A disabled user cannot log in; accounts are disabled, never deleted.
    pub enum UserStatus {
        Active => "active",
        Disabled => "disabled",
    }
}

pub const MIN_USERNAME: usize = 3;
pub const MAX_USERNAME: usize = 64;
pub const MAX_FULL_NAME: usize = 200;

/// A user as stored, without the password hash (which this type cannot even load).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: Id,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub organization_id: Option<Id>,
    pub status: UserStatus,
    pub password_changed_at: Timestamp,
    pub version: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

/// A user account as the API shows it (and as the audit trail records it). It has no password field.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct User {
    pub id: Id,
    #[schema(example = "rina.disnakerin")]
    pub username: String,
    #[schema(example = "Rina Marlina")]
    pub full_name: String,
    #[schema(example = "rina@padang.go.id")]
    pub email: Option<String>,
    pub role: Role,
    pub organization_id: Option<Id>,
    pub status: UserStatus,
    pub password_changed_at: DateTime<Utc>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<Id>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            role: r.role,
            status: r.status,
            id: r.id,
            username: r.username,
            full_name: r.full_name,
            email: r.email,
            organization_id: r.organization_id,
            password_changed_at: to_utc(r.password_changed_at),
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
            created_by: r.created_by,
        }
    }
}

impl crate::http::Record for User {
    fn location(&self) -> String {
        format!("/api/v1/users/{}", self.id)
    }

    fn version(&self) -> i32 {
        self.version
    }
}

/// `POST /users`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 3 to 64 characters: lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit
    /// (upper-case letters are taken as lower-case).
    #[schema(
        example = "rina.disnakerin",
        min_length = 3,
        max_length = 64,
        pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
    )]
    pub username: String,
    /// 1 to 200 characters.
    #[schema(example = "Rina Marlina", min_length = 1, max_length = 200)]
    pub full_name: String,
    #[serde(default)]
    #[schema(max_length = 254, example = "rina@padang.go.id")]
    pub email: Option<String>,
    pub role: Role,
    /// Required for every role but admin.
    #[serde(default)]
    pub organization_id: Option<Id>,
    /// 12 to 256 characters, not the username, not a commonly used password.
    #[schema(format = Password, min_length = 12, max_length = 256)]
    pub password: String,
}

/// `PATCH /users/{id}`: only the fields sent change; `email` and `organization_id` may be set to null.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(min_length = 1, max_length = 200)]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "crate::http::json::nullable")]
    #[schema(value_type = Option<Id>)]
    pub organization_id: Option<Option<Id>>,
    /// `disabled` refuses the user's tokens at once on this server and within a minute everywhere.
    pub status: Option<UserStatus>,
    /// A new password (the same rules as at creation); every refresh token of the user is revoked.
    #[schema(format = Password, min_length = 12, max_length = 256)]
    pub password: Option<String>,
}

/// Filters of the user list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub organization_id: Option<Id>,
    pub status: Option<UserStatus>,
}

/// The fields of a user that the rules below look at, whether it is being created or changed.
pub struct Profile<'a> {
    pub full_name: &'a str,
    pub email: Option<&'a str>,
    pub role: Role,
    pub organization_id: Option<Id>,
}

/// Usernames are compared as typed in lower case, so that `Rina` and `rina` cannot be two accounts.
pub fn normalize_username(username: &str) -> String {
    username.trim().to_lowercase()
}

pub fn check_username(username: &str, errors: &mut Vec<FieldError>) {
    let len = username.chars().count();
    let allowed = username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    let starts_well = username.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if !(MIN_USERNAME..=MAX_USERNAME).contains(&len) || !allowed || !starts_well {
        errors.push(FieldError::new(
            "username",
            text(
                "must be 3 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
                "harus 3 sampai 64 karakter: huruf kecil, angka, '.', '_' atau '-', diawali huruf atau angka",
            ),
        ));
    }
}

/// The rules on the profile fields (organization existence is checked against the database in `repo`).
pub fn check_profile(p: &Profile<'_>, errors: &mut Vec<FieldError>) {
    let name_len = p.full_name.trim().chars().count();
    if name_len == 0 || name_len > MAX_FULL_NAME {
        errors.push(FieldError::new(
            "full_name",
            text("must be 1 to 200 characters", "harus 1 sampai 200 karakter"),
        ));
    }
    if let Some(email) = p.email
        && !is_plausible_email(email)
    {
        errors
            .push(FieldError::new("email", text("is not an email address", "bukan alamat email yang valid")));
    }
    if p.role != Role::Admin && p.organization_id.is_none() {
        errors.push(FieldError::new(
            "organization_id",
            text("is required for every role but admin", "wajib diisi untuk semua peran kecuali admin"),
        ));
    }
}

fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    email.len() <= crate::http::validate::MAX_EMAIL
        && !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

impl NewUser {
    /// Trims and lower-cases what should be, then checks every rule that needs no database; the
    /// password rules included. Answers one 422 naming every bad field.
    pub fn validate(mut self) -> Result<NewUser, AppError> {
        self.username = normalize_username(&self.username);
        self.full_name = self.full_name.trim().to_string();
        self.email = self.email.map(|e| e.trim().to_string()).filter(|e| !e.is_empty());
        let mut errors = Vec::new();
        check_username(&self.username, &mut errors);
        check_profile(&self.profile(), &mut errors);
        if let Err(e) = crate::auth::password::check_rules(&self.password, &self.username) {
            errors.extend(e.errors.iter().cloned());
        }
        if errors.is_empty() { Ok(self) } else { Err(AppError::validation(errors)) }
    }

    pub fn profile(&self) -> Profile<'_> {
        Profile {
            full_name: &self.full_name,
            email: self.email.as_deref(),
            role: self.role,
            organization_id: self.organization_id,
        }
    }
}

impl UserPatch {
    /// Trims what should be; an empty email means none.
    pub fn normalized(mut self) -> UserPatch {
        self.full_name = self.full_name.map(|n| n.trim().to_string());
        self.email = self.email.map(|e| e.map(|e| e.trim().to_string()).filter(|e| !e.is_empty()));
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        let ok = |u: &str| {
            let mut e = Vec::new();
            check_username(u, &mut e);
            e.is_empty()
        };
        assert!(ok("rina.disnakerin"));
        assert!(ok("a_b-c9"));
        assert!(!ok("ab"));
        assert!(!ok("Rina"));
        assert!(!ok(".rina"));
        assert!(!ok("rina marlina"));
        assert!(!ok(&"a".repeat(65)));
    }

    #[test]
    fn emails() {
        assert!(is_plausible_email("rina@padang.go.id"));
        assert!(!is_plausible_email("rina"));
        assert!(!is_plausible_email("rina@padang"));
        assert!(!is_plausible_email("ri na@padang.go.id"));
        assert!(!is_plausible_email("@padang.go.id"));
    }
}
