//! Coverage: participation targets and realisation per region, segment and period (`YYYY` or `YYYY-MM`),
//! with the derived achievement and zone; the filtered list, the idempotent bulk upsert and the CSV
//! import.

pub mod model;
pub mod repo;
pub mod routes;

pub use routes::configure;
