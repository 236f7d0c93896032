use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::organizations;
use crate::db::{Id, Timestamp};
use crate::http::Validator;
use crate::http::fields::{nullable, patched};

crate::str_enum! {
    /// What kind of actor an organization is.
    pub enum OrganizationKind {
        CityGovernment => "city_government",
        RegencyGovernment => "regency_government",
        RegionalAgency => "regional_agency",
        ProvincialGovernment => "provincial_government",
        Ministry => "ministry",
        SocialSecurityBranch => "social_security_branch",
        SoeForum => "soe_forum",
        PerisaiAgency => "perisai_agency",
        Employer => "employer",
        Association => "association",
        LabourUnion => "labour_union",
        CommunityOrg => "community_org",
        FinancialInstitution => "financial_institution",
        Other => "other",
    }
}

crate::str_enum! {
    /// The three sectors of collaborative governance.
    pub enum Sector {
        Government => "government",
        Private => "private",
        CivilSociety => "civil_society",
    }
}

crate::str_enum! {
    /// An inactive organization stays in the registry (and in history) but takes no new work.
    pub enum OrganizationStatus {
        Active => "active",
        Inactive => "inactive",
    }
}

impl OrganizationKind {
    /// The sector an organization of this kind belongs to unless the client says otherwise. The BPJS
    /// branch is a public body, so government; `other` defaults to civil society.
    pub fn default_sector(self) -> Sector {
        use OrganizationKind::*;
        match self {
            CityGovernment | RegencyGovernment | RegionalAgency | ProvincialGovernment | Ministry
            | SocialSecurityBranch => Sector::Government,
            SoeForum | PerisaiAgency | Employer | FinancialInstitution => Sector::Private,
            Association | LabourUnion | CommunityOrg | Other => Sector::CivilSociety,
        }
    }
}

pub const MAX_NAME: usize = 200;
pub const MAX_SHORT_NAME: usize = 50;
pub const MAX_ADDRESS: usize = 500;
pub const MAX_NOTES: usize = 4000;
pub const MAX_REGION_CODE: usize = 20;

/// An organization as stored and returned.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = organizations)]
pub struct Organization {
    pub id: Id,
    #[schema(example = "Dinas Tenaga Kerja dan Perindustrian Kota Padang")]
    pub name: String,
    /// Unique, whatever the case.
    #[schema(example = "DISNAKERIN-PDG")]
    pub short_name: String,
    pub kind: OrganizationKind,
    pub sector: Sector,
    /// The organization this one is part of (Disnakerin under Pemkot).
    pub parent_id: Option<Id>,
    /// Kemendagri/BPS region code.
    #[schema(example = "1371")]
    pub region_code: Option<String>,
    pub address: Option<String>,
    #[schema(example = "+62 751 123456")]
    pub phone: Option<String>,
    #[schema(example = "disnakerin@padang.go.id")]
    pub email: Option<String>,
    #[schema(example = "https://disnakerin.padang.go.id")]
    pub website: Option<String>,
    pub status: OrganizationStatus,
    pub notes: Option<String>,
    /// Grows by one at each change; sent as `ETag`.
    pub version: i32,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[serde(serialize_with = "crate::http::fields::utc")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// The user who created it.
    pub created_by: Option<Id>,
}

/// The body of `POST /organizations`. `name`, `short_name` and `kind` are required; `sector` defaults
/// from `kind`, `status` to `active`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganization {
    /// 1 to 200 characters.
    #[schema(
        required = true,
        nullable = false,
        example = "Dinas Tenaga Kerja dan Perindustrian Kota Padang",
        min_length = 1,
        max_length = 200
    )]
    pub name: Option<String>,
    /// 1 to 50 characters, unique whatever the case.
    #[schema(required = true, nullable = false, example = "DISNAKERIN-PDG", min_length = 1, max_length = 50)]
    pub short_name: Option<String>,
    #[schema(required = true, nullable = false)]
    pub kind: Option<OrganizationKind>,
    /// Default: from `kind` (government kinds → government; employer, soe_forum, financial_institution,
    /// perisai_agency → private; association, labour_union, community_org, other → civil_society).
    pub sector: Option<Sector>,
    /// An existing organization; not this one nor one under it.
    pub parent_id: Option<Id>,
    /// An existing region code.
    #[schema(max_length = 20, example = "1371")]
    pub region_code: Option<String>,
    /// At most 500 characters.
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// Digits, spaces, `-`, `.`, `()` and a leading `+`; 6 to 15 digits.
    #[schema(max_length = 30, pattern = r"^\+?[0-9 ().-]+$", example = "+62 751 123456")]
    pub phone: Option<String>,
    #[schema(max_length = 254, example = "disnakerin@padang.go.id")]
    pub email: Option<String>,
    /// An http:// or https:// URL.
    #[schema(max_length = 2000, pattern = "^https?://", example = "https://disnakerin.padang.go.id")]
    pub website: Option<String>,
    /// Default `active`.
    pub status: Option<OrganizationStatus>,
    /// At most 4000 characters.
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

/// The body of `PATCH /organizations/{id}`: only the fields to change. `null` clears an optional field;
/// changing `kind` without giving `sector` sets the sector to the new kind's default.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationPatch {
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 200)]
    pub name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub short_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<OrganizationKind>)]
    pub kind: Option<Option<OrganizationKind>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Sector>)]
    pub sector: Option<Option<Sector>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub parent_id: Option<Option<Id>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub region_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 30, pattern = r"^\+?[0-9 ().-]+$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 2000, pattern = "^https?://")]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<OrganizationStatus>)]
    pub status: Option<Option<OrganizationStatus>>,
    #[serde(default, deserialize_with = "nullable", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub notes: Option<Option<String>>,
}

impl OrganizationPatch {
    /// The current organization with this patch applied, as a create body, so that one validation
    /// serves both.
    pub fn apply(self, current: &Organization) -> NewOrganization {
        let kind = patched(Some(current.kind), self.kind);
        // The sector follows a changed kind unless the patch sets it.
        let sector = match (self.sector, kind != Some(current.kind)) {
            (Some(sector), _) => sector,
            (None, true) => None,
            (None, false) => Some(current.sector),
        };
        NewOrganization {
            name: patched(Some(current.name.clone()), self.name),
            short_name: patched(Some(current.short_name.clone()), self.short_name),
            kind,
            sector,
            parent_id: patched(current.parent_id, self.parent_id),
            region_code: patched(current.region_code.clone(), self.region_code),
            address: patched(current.address.clone(), self.address),
            phone: patched(current.phone.clone(), self.phone),
            email: patched(current.email.clone(), self.email),
            website: patched(current.website.clone(), self.website),
            status: patched(Some(current.status), self.status),
            notes: patched(current.notes.clone(), self.notes),
        }
    }
}

/// The checked values of an organization, as they are written.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = organizations, treat_none_as_null = true, treat_none_as_default_value = false)]
pub struct OrganizationFields {
    pub name: String,
    pub short_name: String,
    pub kind: OrganizationKind,
    pub sector: Sector,
    pub parent_id: Option<Id>,
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub status: OrganizationStatus,
    pub notes: Option<String>,
}

impl From<&Organization> for OrganizationFields {
    fn from(o: &Organization) -> Self {
        OrganizationFields {
            name: o.name.clone(),
            short_name: o.short_name.clone(),
            kind: o.kind,
            sector: o.sector,
            parent_id: o.parent_id,
            region_code: o.region_code.clone(),
            address: o.address.clone(),
            phone: o.phone.clone(),
            email: o.email.clone(),
            website: o.website.clone(),
            status: o.status,
            notes: o.notes.clone(),
        }
    }
}

impl NewOrganization {
    /// Checks the fields that need no database; records every problem in `v`.
    pub fn validate(self, v: &mut Validator) -> OrganizationFields {
        let name = v.required("name", self.name, MAX_NAME);
        let short_name = v.required("short_name", self.short_name, MAX_SHORT_NAME);
        let kind = v.present("kind", self.kind).unwrap_or(OrganizationKind::Other);
        OrganizationFields {
            name,
            short_name,
            kind,
            sector: self.sector.unwrap_or(kind.default_sector()),
            parent_id: self.parent_id,
            region_code: v.optional("region_code", self.region_code, MAX_REGION_CODE),
            address: v.optional("address", self.address, MAX_ADDRESS),
            phone: v.phone("phone", self.phone),
            email: v.email("email", self.email),
            website: v.url("website", self.website),
            status: self.status.unwrap_or(OrganizationStatus::Active),
            notes: v.optional("notes", self.notes, MAX_NOTES),
        }
    }
}

/// Filters of the organization list (all optional, combined with AND).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationFilter {
    pub kind: Option<OrganizationKind>,
    pub sector: Option<Sector>,
    pub status: Option<OrganizationStatus>,
    /// Only the organizations directly under this one.
    pub parent_id: Option<Id>,
    /// Only the organizations in this region (exact code).
    pub region_code: Option<String>,
    /// Case-insensitive text contained in `name` or `short_name`.
    pub q: Option<String>,
}
