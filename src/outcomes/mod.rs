//! Outcomes: the measured results of the collaboration (enrolments, regulations enacted, budget
//! allocated, people reached), credited to an organization and optionally linked to an agreement,
//! activity, commitment or regulation.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
