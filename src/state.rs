//! What every handler can reach: the database, the settings, the clock and the keys.

use std::sync::Arc;

use actix_web::web;

use crate::audit::note::LogKey;
use crate::auth::hashing::HashingPool;
use crate::auth::session::SessionCache;
use crate::auth::token::Keys;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Database;
use crate::error::AppError;

/// The state as handlers extract it.
pub type State = web::Data<AppState>;

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    pub keys: Arc<Keys>,
    /// Signs the audit log's checkpoints.
    pub log_key: Arc<LogKey>,
    pub sessions: Arc<SessionCache>,
    /// The few threads that hash passwords, so that a burst of logins can take neither every core nor
    /// much memory.
    pub hashing: Arc<HashingPool>,
}

impl AppState {
    /// Runs CPU-heavy password work on the hashing threads, in arrival order.
    pub async fn hash_work<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.hashing.run(f).await
    }
}
