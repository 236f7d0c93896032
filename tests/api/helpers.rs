use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use sinergi::clock::Clock;
use sinergi::config::Settings;
use sinergi::startup;

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";
pub const JWT_SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body once per backend, as `<file>::<name>::sqlite` and `<file>::<name>::postgres`:
///
/// ```text
/// backend_test!(name, |app| async move { ... });
/// backend_test!(name, fixed, |app| async move { ... });
/// backend_test!(name, fixed, settings = |s| s.zone_green_pct = 90.0, |app| async move { ... });
/// ```
///
/// `fixed` stops the clock at 09:00 UTC on `support_agreements::TODAY` (else the app runs on the system
/// clock); `settings` changes the test settings. Both are optional, in that order. The PostgreSQL variant
/// is ignored, with the reason, when there is no PostgreSQL (see `harness`).
macro_rules! backend_test {
    (@clock) => { sinergi::clock::Clock::System };
    (@clock fixed) => { $crate::support_agreements::fixed_clock() };
    (@settings) => { |_: &mut sinergi::config::Settings| {} };
    (@settings $adjust:expr) => { $adjust };
    ($name:ident, fixed, $($rest:tt)*) => {
        backend_test!(@test $name, [fixed] $($rest)*);
    };
    ($name:ident, $($rest:tt)*) => {
        backend_test!(@test $name, [] $($rest)*);
    };
    (@test $name:ident, [$($clock:ident)?] $(settings = $adjust:expr,)? |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run(backend: $crate::helpers::Backend) {
                let $app = $crate::helpers::spawn_app_with(
                    backend,
                    backend_test!(@clock $($clock)?),
                    backend_test!(@settings $($adjust)?),
                )
                .await;
                $body.await
            }

            api_test!(sqlite, run($crate::helpers::Backend::Sqlite));
            api_test!(postgres, postgres, run($crate::helpers::Backend::Postgres));
        }
    };
}

/// A database made for one test, removed when the test ends.
pub enum TestDatabase {
    Sqlite {
        _dir: tempfile::TempDir,
        url: String,
    },
    Postgres {
        admin_url: String,
        name: String,
        url: String,
    },
    /// A database the test manages itself.
    External {
        url: String,
    },
}

impl TestDatabase {
    pub fn create(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.db").display());
                TestDatabase::Sqlite { _dir: dir, url }
            }
            Backend::Postgres => {
                let admin_url = crate::harness::postgres_url().to_string();
                static COUNTER: AtomicU64 = AtomicU64::new(0);
                let name = format!(
                    "sinergi_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    uuid::Uuid::new_v4().simple()
                );
                let mut conn = PgConnection::establish(&admin_url).expect("connect to the tests' PostgreSQL");
                diesel::sql_query(format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .expect("create database");
                let url = database_url_with_name(&admin_url, &name);
                TestDatabase::Postgres { admin_url, name, url }
            }
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. }
            | TestDatabase::Postgres { url, .. }
            | TestDatabase::External { url } => url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let TestDatabase::Postgres { admin_url, name, .. } = self else { return };
        if let Ok(mut conn) = PgConnection::establish(admin_url) {
            let _ =
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
        }
    }
}

/// `postgres://u@h:5432/postgres?x=y` with the database name replaced.
pub fn database_url_with_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{host_part}/{name}?{q}"),
        None => format!("{host_part}/{name}"),
    }
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub db: TestDatabase,
    pub data_dir: tempfile::TempDir,
}

/// The settings a test app runs with.
pub fn test_settings(database_url: &str, data_dir: &std::path::Path) -> Settings {
    let mut settings = Settings::from_lookup(|_| None).expect("default settings");
    settings.database_url = database_url.to_string();
    settings.data_dir = data_dir.to_path_buf();
    settings.jwt_secret = Some(JWT_SECRET.to_string());
    settings.admin_password = Some(ADMIN_PASSWORD.to_string());
    settings.workers = 1;
    settings.pool_size = 4;
    // Tests run reminder passes themselves, at the times they choose.
    settings.reminders = false;
    settings
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Clock::System, |_| {}).await
}

/// Starts the application on a fresh database, with the clock and any settings changed by `adjust`.
pub async fn spawn_app_with(backend: Backend, clock: Clock, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let db = tokio::task::spawn_blocking(move || TestDatabase::create(backend)).await.expect("create db");
    start(db, clock, adjust).await
}

/// Starts the application on a database the test made itself (a private cluster).
pub async fn spawn_app_on(url: &str, clock: Clock, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    start(TestDatabase::External { url: url.to_string() }, clock, adjust).await
}

async fn start(db: TestDatabase, clock: Clock, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let backend = match &db {
        TestDatabase::Sqlite { .. } => Backend::Sqlite,
        _ => Backend::Postgres,
    };
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(db.url(), data_dir.path());
    adjust(&mut settings);
    let state = tokio::task::spawn_blocking(move || startup::prepare(settings, clock))
        .await
        .expect("prepare")
        .expect("the application starts");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let server = startup::run(listener, state).expect("server");
    tokio::spawn(server);
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client"),
        backend,
        db,
        data_dir,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.request(Method::POST, path)
    }

    /// `GET path` with the token.
    pub async fn read(&self, token: &str, path: &str) -> Response {
        self.get(path).bearer_auth(token).send().await.expect("request")
    }

    /// `GET path` with the token: the JSON body, whatever the status.
    pub async fn read_json(&self, token: &str, path: &str) -> Value {
        self.read(token, path).await.json().await.expect("JSON body")
    }

    /// `GET path` with the token, asking for the media type `accept`.
    pub async fn read_as(&self, token: &str, path: &str, accept: &str) -> Response {
        self.get(path).bearer_auth(token).header("Accept", accept).send().await.expect("request")
    }

    /// `PATCH path` with the token, `If-Match` and a JSON body.
    pub async fn patch_json(&self, token: &str, path: &str, if_match: &str, body: &Value) -> Response {
        let req = self.request(Method::PATCH, path).bearer_auth(token).header("If-Match", if_match);
        req.json(body).send().await.expect("request")
    }

    /// `POST path` with the token and a JSON body.
    pub async fn post_json(&self, token: &str, path: &str, body: &Value) -> Response {
        self.post(path).bearer_auth(token).json(body).send().await.expect("request")
    }

    /// Logs in and answers the access token.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let res = self
            .post("/api/v1/auth/login")
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), 200, "login as {username} failed");
        let body: Value = res.json().await.expect("login body");
        body["access_token"].as_str().expect("access_token").to_string()
    }

    pub async fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD).await
    }

    /// A direct connection to the test's database, for checking what the API wrote.
    pub fn connection(&self) -> sinergi::db::DbConnection {
        sinergi::db::ConnectionFactory::new(self.db.url()).establish().expect("direct connection")
    }
}

/// Every write operation (each method but GET, HEAD and OPTIONS, of each path) of the app's OpenAPI
/// document, as `("POST", "/api/v1/agreements/{id}/terminate")`, sorted.
pub async fn write_operations(app: &TestApp) -> Vec<(String, String)> {
    let res = app.get("/api-docs/openapi.json").send().await.expect("the OpenAPI document");
    assert_eq!(res.status(), 200, "GET /api-docs/openapi.json");
    let document: Value = res.json().await.expect("the OpenAPI document is JSON");
    let paths = document["paths"].as_object().expect("the document has paths");
    let mut operations: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            let methods = item.as_object().expect("a path item is an object");
            methods
                .keys()
                .filter(|m| ["post", "put", "patch", "delete"].contains(&m.as_str()))
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    operations.sort();
    assert!(operations.len() >= 30, "the document lists only {} write operations", operations.len());
    operations
}

/// Fails unless `table` (the operations a test has a row for) and `excluded` (the ones it leaves out on
/// purpose) together are exactly the write operations of the OpenAPI document: names every operation
/// without a row, every row or exclusion of an operation that no longer exists, and every operation
/// both in the table and excluded.
pub fn assert_rows_for_every_write_operation(
    operations: &[(String, String)],
    table: &[(String, String)],
    excluded: &[(&str, &str)],
) {
    let owned = |(m, p): &(&str, &str)| (m.to_string(), p.to_string());
    let excluded: Vec<(String, String)> = excluded.iter().map(owned).collect();
    let missing: Vec<_> =
        operations.iter().filter(|op| !table.contains(op) && !excluded.contains(op)).collect();
    let gone: Vec<_> = table.iter().chain(&excluded).filter(|op| !operations.contains(op)).collect();
    let both: Vec<_> = table.iter().filter(|op| excluded.contains(op)).collect();
    let mut twice: Vec<_> = table.iter().filter(|op| table.iter().filter(|o| o == op).count() > 1).collect();
    twice.dedup();
    let mut report = String::new();
    for (what, ops) in [
        ("operations without a row", missing),
        ("rows (or exclusions) of operations the document does not have", gone),
        ("operations both in the table and excluded", both),
        ("operations with more than one row", twice),
    ] {
        if !ops.is_empty() {
            report.push_str(&format!("\n{what}:"));
            for (method, path) in ops {
                report.push_str(&format!("\n  {method} {path}"));
            }
        }
    }
    assert!(
        report.is_empty(),
        "the table does not match the write operations of the OpenAPI document:{report}"
    );
}

/// The fields a 422 problem names (`errors[].field`), sorted.
pub fn problem_fields(problem: &Value) -> Vec<String> {
    let mut fields: Vec<String> = problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().expect("errors[].field is a string").to_string())
                .collect()
        })
        .unwrap_or_default();
    fields.sort();
    fields
}

/// Asserts an RFC 9457 problem with this status, and answers its body.
pub async fn assert_problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status(), status, "unexpected status");
    let content_type =
        res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(content_type.starts_with("application/problem+json"), "content type was {content_type:?}");
    let body: Value = res.json().await.expect("problem body");
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().is_some_and(|t| !t.is_empty()), "problem has a type: {body}");
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()), "problem has a title: {body}");
    assert!(body["detail"].as_str().is_some_and(|t| !t.is_empty()), "problem has a detail: {body}");
    body
}
