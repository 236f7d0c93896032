//! Contact types: the row, the request bodies and their checks.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::contacts;
use crate::db::{Id, Timestamp};
use crate::http::Validator;
use crate::http::fields::{nullable, patched};

pub const MAX_NAME: usize = 200;
pub const MAX_POSITION: usize = 200;
pub const MAX_NOTES: usize = 4000;

/// A person of an organization.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = contacts)]
pub struct Contact {
    pub id: Id,
    pub organization_id: Id,
    #[schema(example = "Budi Santoso")]
    pub full_name: String,
    /// Jabatan.
    #[schema(example = "Kepala Bidang Hubungan Industrial")]
    pub position: Option<String>,
    #[schema(example = "+62 812 6600 1234")]
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
    /// Grows by one at each change; sent as `ETag`.
    pub version: i32,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    pub created_by: Option<Id>,
}

/// The body of `POST /organizations/{id}/contacts`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    /// 1 to 200 characters.
    #[schema(required = true, nullable = false, example = "Budi Santoso", min_length = 1, max_length = 200)]
    pub full_name: Option<String>,
    /// Jabatan; at most 200 characters.
    #[schema(max_length = 200, example = "Kepala Bidang Hubungan Industrial")]
    pub position: Option<String>,
    /// Digits, spaces, `-`, `.`, `()` and a leading `+`; 6 to 15 digits.
    #[schema(max_length = 30, pattern = r"^\+?[0-9 ().-]+$", example = "+62 812 6600 1234")]
    pub phone: Option<String>,
    #[schema(max_length = 254, example = "budi.santoso@padang.go.id")]
    pub email: Option<String>,
    /// At most 4000 characters.
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

/// The body of `PATCH /contacts/{id}`: only the fields to change; `null` clears an optional field.
/// A contact stays with its organization.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub full_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub position: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 30, pattern = r"^\+?[0-9 ().-]+$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub notes: Option<Option<String>>,
}

impl ContactPatch {
    pub fn apply(self, current: &Contact) -> NewContact {
        NewContact {
            full_name: patched(Some(current.full_name.clone()), self.full_name),
            position: patched(current.position.clone(), self.position),
            phone: patched(current.phone.clone(), self.phone),
            email: patched(current.email.clone(), self.email),
            notes: patched(current.notes.clone(), self.notes),
        }
    }
}

/// The checked values of a contact, as they are written.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = contacts, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct ContactFields {
    /// Set at creation; a contact stays with its organization.
    pub organization_id: Id,
    pub full_name: String,
    pub position: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub notes: Option<String>,
}

impl From<&Contact> for ContactFields {
    fn from(c: &Contact) -> Self {
        ContactFields {
            organization_id: c.organization_id,
            full_name: c.full_name.clone(),
            position: c.position.clone(),
            phone: c.phone.clone(),
            email: c.email.clone(),
            notes: c.notes.clone(),
        }
    }
}

impl NewContact {
    /// Every bad field in one 422; the contact is one of `organization`.
    pub fn validate(self, organization: Id) -> Result<ContactFields, crate::error::AppError> {
        let mut v = Validator::new();
        let fields = ContactFields {
            organization_id: organization,
            full_name: v.required("full_name", self.full_name, MAX_NAME),
            position: v.optional("position", self.position, MAX_POSITION),
            phone: v.phone("phone", self.phone),
            email: v.email("email", self.email),
            notes: v.optional("notes", self.notes, MAX_NOTES),
        };
        v.finish()?;
        Ok(fields)
    }
}

/// Filters of an organization's contact list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactFilter {
    /// Case-insensitive text contained in `full_name` or `position`.
    pub q: Option<String>,
}
