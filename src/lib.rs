//! Sinergi: a collaborative-governance stakeholder registry and agreement tracker.
//!
//! `startup` puts the service together; each resource (`regions`, …) owns its routes, types and
//! queries; `db`, `http`, `auth`, `audit`, `error`, `config` and `telemetry` are the shared plumbing.

pub mod activities;
pub mod agreements;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clock;
pub mod config;
pub mod contacts;
pub mod coverage;
pub mod db;
pub mod delivery;
pub mod documents;
pub mod error;
pub mod health;
pub mod http;
pub mod minutes;
pub mod notifications;
pub mod open_data;
pub mod openapi;
pub mod organizations;
pub mod outcomes;
pub mod pdf;
pub mod regions;
pub mod regulations;
pub mod reports;
pub mod seed;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod users;
