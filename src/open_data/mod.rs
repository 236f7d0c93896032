//! Open data: what the collaboration achieved, published in the forms portals and analysts read. A
//! Frictionless Data Package (CSV files with Table Schemas in Bahasa Indonesia and English, foreign keys
//! to the Kemendagri regions, Satu Data metadata of the coverage indicators), served as a zip by the API
//! and written to a directory by `sinergi export datapackage`; and coverage as an IATI-shaped results
//! framework. Restricted agreements and everything under them, and personal data (contacts, users,
//! attendees, signatories, e-mail addresses), never appear; the output is the same for every caller.

pub mod model;
pub mod repo;
pub mod results;
pub mod routes;
pub mod schema;
pub mod service;

pub use routes::configure;
