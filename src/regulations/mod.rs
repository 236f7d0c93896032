//! Regulations: the legal instruments the collaboration rests on (UU 24/2011, PP 85/2013, a Perwako, ...),
//! one per (kind, number, year, issuer).

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
