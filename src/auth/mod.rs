//! Identity: roles, password hashing, access tokens, the `AuthUser` extractor, and the one authorisation
//! policy (`policy`) that every handler asks.

pub mod extractor;
pub mod hashing;
pub mod model;
pub mod password;
pub mod policy;
pub mod refresh;
pub mod routes;
pub mod service;
pub mod session;
pub mod throttle;
pub mod token;

pub use extractor::AuthUser;
pub use policy::Action;

crate::str_enum! {
    /// The five roles of docs/roles.md.
    pub enum Role {
        Admin => "admin",
        BpjsStaff => "bpjs_staff",
        OpdStaff => "opd_staff",
        PartnerStaff => "partner_staff",
        Auditor => "auditor",
    }
}
