//! Activities (coordination meetings, regulation drafting, sosialisasi, pembinaan, monev, ...): who
//! organises and takes part, when and where, the lifecycle planned → held | cancelled, minutes,
//! decisions and CGR components; and the action items (follow-ups) a held activity decides.

pub mod action_items;
pub mod model;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
