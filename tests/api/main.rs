//! Black-box API tests: each test starts the application on a fresh database and talks HTTP to it.
//! `backend_test!` runs a test on SQLite and, when `SINERGI_TEST_POSTGRES_URL` is set, on PostgreSQL.

#[macro_use]
#[allow(dead_code)] // each test file uses some of the helpers
mod helpers;
#[allow(dead_code)]
mod support_registry;

#[macro_use]
mod support_agreements;

#[allow(dead_code)]
mod support_results;

mod support_load;
mod support_server;

mod activities;
mod agreements;
mod audit;
mod auth;
mod commitments;
mod contacts;
mod conventions;
mod coverage;
mod crash;
mod demo;
mod foundation;
mod gate;
mod hostile;
mod organizations;
mod outage;
mod outcomes;
mod permissions;
mod private_cluster;
mod regulations;
mod reports;
mod support_users;
mod synthetic;
mod users;
