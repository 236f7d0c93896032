//! Black-box API tests: each test starts the application on a fresh database and talks HTTP to it.
//! `backend_test!` runs a test on SQLite and, when `SINERGI_TEST_POSTGRES_URL` is set, on PostgreSQL.

#[macro_use]
#[allow(dead_code)] // each test file uses some of the helpers
mod helpers;
#[allow(dead_code)]
mod support_registry;

#[macro_use]
mod support_agreements;

mod agreements;
mod commitments;
mod auth;
mod contacts;
mod conventions;
mod foundation;
mod support_users;
mod users;
mod organizations;
mod regulations;
