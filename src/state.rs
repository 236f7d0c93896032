//! What every handler can reach: the database, the settings, the clock and the keys.

use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::auth::extractor::SessionCache;
use crate::auth::token::Keys;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Database;
use crate::error::AppError;

#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    pub keys: Arc<Keys>,
    pub sessions: Arc<SessionCache>,
    /// Bounds how many password hashes run at once, so that a burst of logins cannot take every core.
    pub hashing: Arc<Semaphore>,
}

impl AppState {
    /// Runs CPU-heavy password work on the blocking pool, a few at a time.
    pub async fn hash_work<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let _permit =
            self.hashing.acquire().await.map_err(|_| AppError::internal("password hashing is shut down"))?;
        actix_web::web::block(f)
            .await
            .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
    }
}
