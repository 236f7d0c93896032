//! Sessions as the access-token check needs them: a user's role, organization and the organizations it
//! acts for, read from the database and cached for at most [`SESSION_TTL`], so that a disabled user is
//! refused within a minute without a database read on every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::prelude::*;

use crate::auth::Role;
use crate::db::schema::users;
use crate::db::{DbConnection, Id};
use crate::error::AppError;
use crate::users::model::UserStatus;

const SESSION_TTL: Duration = Duration::from_secs(30);

/// What the extractor needs of a user, as the database has it now.
#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub role: Role,
    pub organization_id: Option<Id>,
    pub acts_for: Vec<Id>,
    pub active: bool,
    /// Access tokens of another epoch are refused (see `users.session_epoch`).
    pub epoch: i32,
}

/// Recently read sessions. Each process has its own; entries expire after [`SESSION_TTL`].
#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<Id, (Instant, Option<Session>)>>,
}

impl SessionCache {
    pub(crate) fn get(&self, user: Id) -> Option<Option<Session>> {
        let entries = self.entries.lock().ok()?;
        entries.get(&user).filter(|(at, _)| at.elapsed() < SESSION_TTL).map(|(_, s)| s.clone())
    }

    pub(crate) fn put(&self, user: Id, session: Option<Session>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() > 10_000 {
                entries.retain(|_, (at, _)| at.elapsed() < SESSION_TTL);
            }
            entries.insert(user, (Instant::now(), session));
        }
    }

    /// Forgets a user at once (after this process disabled it or changed its role).
    pub fn forget(&self, user: Id) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(&user);
        }
    }
}

/// Reads a user's session from the database: `None` for no such user. A stored role or status the
/// program does not know is an error naming the user (a 500), never "no session".
pub fn load(conn: &mut DbConnection, user: Id) -> Result<Option<Session>, AppError> {
    let row: Option<(String, Role, Option<Id>, UserStatus, i32)> = users::table
        .find(user)
        .select((users::username, users::role, users::organization_id, users::status, users::session_epoch))
        .first(conn)
        .optional()
        .map_err(|e| match e {
            diesel::result::Error::DeserializationError(cause) => {
                AppError::internal(format!("the stored row of user {user} is not readable: {cause}"))
            }
            other => other.into(),
        })?;
    let Some((username, role, organization_id, status, epoch)) = row else {
        return Ok(None);
    };
    Ok(Some(Session {
        username,
        role,
        organization_id,
        acts_for: crate::organizations::repo::with_ancestors(conn, organization_id)?,
        active: status == UserStatus::Active,
        epoch,
    }))
}
