//! Calendar feeds: each user may have one iCalendar (RFC 5545) feed of the dates that concern their
//! organization (the meetings it organizes or takes part in, the due dates of its open commitments and
//! action items, the end dates of its active agreements), reached by a secret token in the URL so that
//! calendar programs can subscribe to it. The token is shown once, replaced by a new one on request, and
//! revoked by deleting the feed.

pub mod ics;
pub mod model;
pub mod repo;
pub mod routes;
pub mod service;

pub use routes::configure;
