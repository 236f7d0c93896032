//! Coverage: participation targets and realisation per region, segment and period (`YYYY` or `YYYY-MM`),
//! with the derived achievement and zone; the filtered list, the idempotent bulk upsert and the CSV
//! import.

pub mod csv;
pub mod model;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
