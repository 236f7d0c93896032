//! Contacts: the people of an organization (name, position/jabatan, phone, e-mail). Partner staff may
//! keep their own organization's contacts; the registry editors keep everyone's.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
