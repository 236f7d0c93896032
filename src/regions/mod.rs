//! Regions: the provinces, regencies and cities (Kemendagri/BPS codes) that organizations and coverage
//! figures refer to. Read-only through the API; the reference rows come with the schema.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
