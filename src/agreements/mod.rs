//! Agreements (MoU, Nota Kesepakatan, PKS): their parties, scopes and legal basis, the lifecycle
//! (draft → active → terminated, with `expired` derived from the date), amendments, the commitments each
//! party takes on with their progress log, and the per-agreement report.

pub mod commitments;
pub mod lifecycle;
pub mod model;
pub mod printed_report;
pub mod repo;
pub mod report;
pub mod routes;
pub mod service;
pub mod visibility;

pub use routes::configure;
