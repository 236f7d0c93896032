//! User accounts (docs/data-model.md): who may log in, with which role, for which organization. Administrators
//! manage them, auditors read them; nobody deletes one (it is disabled). The password hash is read only
//! by the login and password use cases (`repo::Credentials`) and never leaves the server.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
