//! Organizations: the actors of the collaboration (Pemkot and its OPDs, the BPJS branch, Rumah BUMN,
//! Perisai agencies, employers, associations, ...), their hierarchy (`parent_id`) and sector.
//! Contacts hang off organizations (see `crate::contacts`).

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
