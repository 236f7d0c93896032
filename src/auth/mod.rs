//! Identity: roles, password hashing, access tokens, the `AuthUser` extractor, and the one authorisation
//! policy (`policy`) that every handler asks.

pub mod extractor;
pub mod hashing;
pub mod password;
pub mod policy;
pub mod refresh;
pub mod routes;
pub mod session;
pub mod throttle;
pub mod token;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use extractor::AuthUser;
pub use policy::Action;

/// The five roles of SPEC section 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    BpjsStaff,
    OpdStaff,
    PartnerStaff,
    Auditor,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::Admin, Role::BpjsStaff, Role::OpdStaff, Role::PartnerStaff, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::BpjsStaff => "bpjs_staff",
            Role::OpdStaff => "opd_staff",
            Role::PartnerStaff => "partner_staff",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}
