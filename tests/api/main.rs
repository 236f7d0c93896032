//! Black-box API tests: each test starts the application on a fresh database and talks HTTP to it.
//! `backend_test!` runs a test on SQLite and on PostgreSQL; without PostgreSQL the PostgreSQL variants
//! are reported as ignored. The harness (libtest-mimic, `harness = false`) is in `harness.rs`.

#[macro_use]
mod harness;

#[macro_use]
#[allow(dead_code)] // each test file uses some of the helpers
mod helpers;
#[allow(dead_code)]
mod support_registry;

mod support_agreements;

#[allow(dead_code)]
mod support_results;

#[allow(dead_code)]
mod support_documents;
mod support_load;
mod support_server;
mod support_tools;

mod activities;
mod agreements;
mod audit;
mod auth;
mod calendar;
mod commitments;
mod contacts;
mod conventions;
mod coverage;
mod crash;
mod demo;
mod documents;
mod foundation;
mod gate;
mod hostile;
mod messages;
mod minutes;
mod notifications;
mod open_data;
mod organizations;
mod outage;
mod outcomes;
mod permissions;
mod printing;
mod private_cluster;
mod regulations;
mod reports;
mod support_users;
mod synthetic;
mod transparency;
mod users;

fn main() -> std::process::ExitCode {
    harness::main()
}
