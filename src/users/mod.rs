//! User accounts (SPEC section 3): who may log in, with which role, for which organization. Administrators
//! manage them, auditors read them; nobody deletes one (it is disabled). The password hash is read only
//! by the login and password code (`repo::credentials`) and never leaves the server.

pub mod model;
pub mod repo;
pub mod routes;

pub use routes::configure;

use chrono::{DateTime, Utc};

use crate::audit::Actor;
use crate::auth::password;
use crate::db::{DbConnection, write_transaction};
use crate::error::AppError;
use model::{NewUser, User};

/// Creates a user from the command line or at start-up: the same validation, hashing and audit event as
/// `POST /users`, on the current thread (there are no HTTP workers to keep free).
pub fn create_directly(
    conn: &mut DbConnection,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewUser,
) -> Result<User, AppError> {
    let new = new.validate()?;
    let hash = password::hash(&new.password)?;
    write_transaction(conn, |conn| repo::create(conn, actor, now, &new, &hash))
}
