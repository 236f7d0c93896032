//! An activity's record of who attended and the lifecycle of its minutes: the attendees listed by
//! person (name, position, the organization they came for, optionally its contact), the finalisation
//! that freezes the minutes, decisions and attendance, and the corrections appended once they are final.

pub mod model;
pub mod print;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
