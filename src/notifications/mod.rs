//! Reminders and in-app notifications: the rules (what is reminded of, how many days ahead, who is
//! told), the reminder pass that applies them once per occurrence, the notices users read in the app,
//! their settings (language, channel per kind) and mutes, and the daily digest email the pass queues in
//! the outbox (`crate::delivery`) for users who want email.

pub mod messages;
pub mod model;
pub mod reminders;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
