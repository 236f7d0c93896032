//! Storage: one diesel connection type over SQLite and PostgreSQL, the pool, the embedded migrations, and
//! the one way to run database work off the async workers.

pub mod schema;
pub mod types;

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

pub use types::{Id, Timestamp};

/// Every query in the code base is written once against this type; diesel dispatches it to the backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// How long a SQLite writer waits for the database's one write lock, first in this process's queue
/// ([`Database::write`]), then in SQLite's busy handler (another process).
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend is chosen by the URL's scheme, never by trying one and then the other, so that a
    /// connection error names the real cause.
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Opens connections for the pool and prepares each one (SQLite pragmas, PostgreSQL timeouts).
#[derive(Debug, Clone)]
pub struct ConnectionFactory {
    backend: Backend,
    url: String,
}

impl ConnectionFactory {
    pub fn new(url: &str) -> ConnectionFactory {
        let backend = Backend::from_url(url);
        let url = match backend {
            Backend::Sqlite => sqlite_path(url).to_string(),
            // Fail fast instead of hanging when the server is unreachable.
            Backend::Postgres if !url.contains("connect_timeout") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}connect_timeout=2")
            }
            Backend::Postgres => url.to_string(),
        };
        ConnectionFactory { backend, url }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn establish(&self) -> Result<DbConnection, diesel::ConnectionError> {
        match self.backend {
            Backend::Postgres => {
                let mut conn = diesel::PgConnection::establish(&self.url)?;
                // A query never holds a connection for ever; the client sees 503 rather than a hang.
                conn.batch_execute("SET statement_timeout = 30000; SET lock_timeout = 10000;")
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Postgres(conn))
            }
            Backend::Sqlite => {
                let mut conn = diesel::SqliteConnection::establish(&self.url)?;
                // WAL lets readers run beside the one writer; synchronous=FULL makes an acknowledged
                // commit survive a power cut; busy_timeout queues writers instead of failing them.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;",
                    SQLITE_BUSY_TIMEOUT.as_millis()
                ))
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

/// The file name inside a `sqlite://PATH` URL (a bare path is accepted too).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url)
}

impl ManageConnection for ConnectionFactory {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        self.establish().map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<ConnectionFactory>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionFactory>;

/// The pool plus the knowledge of which backend it talks to.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    backend: Backend,
    factory: ConnectionFactory,
    /// SQLite only: the writers of this process, in arrival order (see [`Database::write`]).
    writer_queue: Option<Arc<tokio::sync::Semaphore>>,
}

impl Database {
    /// Builds the pool without connecting: the server starts, and answers 503, while the database is down.
    pub fn new(url: &str, max_size: u32, checkout_timeout: Duration) -> Result<Database, AppError> {
        let factory = ConnectionFactory::new(url);
        let backend = factory.backend();
        if backend == Backend::Sqlite {
            let path = std::path::Path::new(sqlite_path(url));
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| AppError::internal(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(0))
            .connection_timeout(checkout_timeout)
            .test_on_check_out(true)
            .build_unchecked(factory.clone());
        let writer_queue = (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Semaphore::new(1)));
        Ok(Database { pool, backend, factory, writer_queue })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for work on the current thread (CLI commands, start-up). Handlers use [`Database::run`].
    pub fn get(&self) -> Result<PooledConnection, AppError> {
        self.pool.get().map_err(|e| AppError::unavailable(e.to_string()))
    }

    /// A connection of its own, outside the pool: for a session that must outlive any one request (the
    /// audit sequencer's advisory lock).
    pub fn connect(&self) -> Result<DbConnection, AppError> {
        self.factory.establish().map_err(|e| AppError::unavailable(e.to_string()))
    }

    /// Runs blocking database work on the blocking pool, never on the async workers.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(|e| AppError::unavailable(e.to_string()))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
    }

    /// Runs `f` in one write transaction (see [`write_transaction`]) on the blocking pool.
    ///
    /// SQLite has one writer at a time, and its busy handler retries with growing sleeps, so writers that
    /// arrived later often went first: at 32 writers the p99 was 4.8 s for a median of 16 ms
    /// (benches/RESULTS.md, scenario 3). Here they take turns in arrival order (tokio's semaphore is
    /// fair) and wait without holding a pooled connection that readers could use.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let _turn = match &self.writer_queue {
            Some(queue) => Some(
                tokio::time::timeout(SQLITE_BUSY_TIMEOUT, queue.acquire())
                    .await
                    .map_err(|_| AppError::unavailable("the database is busy with other writes"))?
                    .map_err(|e| AppError::internal(format!("writer queue: {e}")))?,
            ),
            None => None,
        };
        self.run(move |conn| write_transaction(conn, f)).await
    }

    pub fn migrate(&self) -> Result<Vec<String>, AppError> {
        let mut conn = self.get()?;
        run_migrations(&mut conn)
    }
}

/// Applies the pending migrations of the connection's backend; answers the names of those it applied.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, AppError> {
    let source = match conn {
        DbConnection::Postgres(_) => POSTGRES_MIGRATIONS,
        DbConnection::Sqlite(_) => SQLITE_MIGRATIONS,
    };
    let applied = conn
        .run_pending_migrations(source)
        .map_err(|e| AppError::internal(format!("migrations failed: {e}")))?;
    Ok(applied.iter().map(|v| v.to_string()).collect())
}

/// One transaction for a change and its audit event. On SQLite it begins `IMMEDIATE`, taking the write
/// lock up front: a deferred transaction that read first could not wait for the lock and would fail with
/// SQLITE_BUSY under concurrent writers.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    let result = f(conn);
    let end = match (&result, &mut *conn) {
        (Ok(_), DbConnection::Sqlite(c)) => AnsiTransactionManager::commit_transaction(c),
        (Ok(_), DbConnection::Postgres(c)) => AnsiTransactionManager::commit_transaction(c),
        (Err(_), DbConnection::Sqlite(c)) => AnsiTransactionManager::rollback_transaction(c),
        (Err(_), DbConnection::Postgres(c)) => AnsiTransactionManager::rollback_transaction(c),
    };
    match (result, end) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(e)) => Err(e.into()),
        // The change's own error explains more than a failed rollback does.
        (Err(e), _) => Err(e),
    }
}

/// Changes that must not run at the same time as each other, even in different processes: two
/// concurrent moves in the organization tree could make a cycle together, two administrators demoting
/// each other could leave none.
#[derive(Debug, Clone, Copy)]
pub enum Serialize {
    OrganizationTree = 7_305_001,
    ActiveAdministrators = 7_305_002,
    /// Integrating a batch of audit events into the log (see `audit::sequencer`).
    AuditLog = 7_305_003,
    /// A reminder pass (see `notifications::reminders`): two at once would tell users twice.
    Reminders = 7_305_006,
}

/// Makes the rest of the caller's write transaction exclusive for `what`: a transaction-scoped advisory
/// lock on PostgreSQL; nothing on SQLite, whose write transaction holds the database's one write lock
/// from its start (see [`write_transaction`]).
pub fn serialize(conn: &mut DbConnection, what: Serialize) -> Result<(), diesel::result::Error> {
    if let DbConnection::Postgres(pg) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(what as i64)
            .execute(pg)?;
    }
    Ok(())
}

/// Runs `f` in one read-only snapshot of the database, so that several queries see the same data (the
/// open-data export, `audit verify`): a `REPEATABLE READ READ ONLY` transaction on PostgreSQL, with
/// parallel plans off because these reads walk keyset pages of a few thousand rows, for which starting
/// workers costs more than it saves (it tripled the time of `audit verify`); a deferred transaction on
/// SQLite, whose snapshot is taken at its first read (WAL readers never wait for the writer). Always
/// rolled back: it writes nothing.
pub fn read_snapshot<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN DEFERRED")?,
        DbConnection::Postgres(c) => {
            AnsiTransactionManager::begin_transaction_sql(
                c,
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            )?;
            if let Err(e) = c.batch_execute("SET LOCAL max_parallel_workers_per_gather = 0") {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                return Err(e.into());
            }
        }
    }
    let result = f(conn);
    let end = match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
        DbConnection::Postgres(c) => AnsiTransactionManager::rollback_transaction(c),
    };
    match (result, end) {
        (Ok(value), Ok(())) => Ok(value),
        (Ok(_), Err(e)) => Err(e.into()),
        (Err(e), _) => Err(e),
    }
}

/// A multi-row `INSERT` of `rows` (a `Vec` of insertable values) into `table`: diesel's batch insert is
/// written per backend, so it runs on the connection inside the [`DbConnection`].
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            $crate::db::DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            $crate::db::DbConnection::Postgres(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}
