//! `/audit-events`: reading and verifying the trail (auditors and administrators).

use actix_web::web;

pub fn configure(_cfg: &mut web::ServiceConfig) {}
