//! The test harness of the `api` target (`harness = false` in Cargo.toml): libtest-mimic, so that a
//! PostgreSQL variant that cannot run is reported as `ignored`, with the reason, instead of as passed.
//!
//! Tests register themselves where they are written, through `backend_test!` and `api_test!`, with
//! `inventory`: a test is a static next to its code, and no central list can forget one. (A plain
//! `#[test]` or `#[tokio::test]` would not run under this harness; `harness::tests_are_registered` fails
//! on one.)
//!
//! PostgreSQL: `SINERGI_TEST_POSTGRES_URL` names the server whose databases the tests create and drop;
//! without it the harness tries the machine's default server (`postgres://postgres@127.0.0.1:5432/postgres`)
//! and uses it when it answers. When neither works the PostgreSQL variants are ignored, or, with
//! `SINERGI_TEST_REQUIRE_POSTGRES=1` (CI), they fail.

use std::future::Future;
use std::process::ExitCode;
use std::sync::OnceLock;
use std::time::Duration;

use diesel::{Connection, PgConnection};
use libtest_mimic::{Arguments, Completion, Failed, Trial};

/// One registered test.
pub struct Test {
    /// `module_path!()` where it was registered: `api::permissions::every_role_…`.
    pub module: &'static str,
    /// The last part of its name: `sqlite`, `postgres`, or the test's own name.
    pub name: &'static str,
    /// Whether it needs PostgreSQL (the shared server, or the server binaries for a private cluster).
    pub postgres: bool,
    pub run: fn(),
}

inventory::collect!(Test);

impl Test {
    /// The name libtest printed before this harness: `permissions::every_role_…::postgres`.
    pub fn full_name(&self) -> String {
        let module =
            self.module.strip_prefix("api").map(|m| m.trim_start_matches("::")).unwrap_or(self.module);
        if module.is_empty() { self.name.to_string() } else { format!("{module}::{}", self.name) }
    }
}

/// Registers a test that is not one per backend: `api_test!(name, async { … });` runs the block on its
/// own runtime; `api_test!(name, postgres, async { … })` marks it as needing PostgreSQL.
macro_rules! api_test {
    ($name:ident, postgres, $body:expr) => {
        api_test!(@register $name, true, $body);
    };
    ($name:ident, $body:expr) => {
        api_test!(@register $name, false, $body);
    };
    (@register $name:ident, $postgres:expr, $body:expr) => {
        fn $name() {
            $crate::harness::block_on($body)
        }

        inventory::submit! {
            $crate::harness::Test { module: module_path!(), name: stringify!($name), postgres: $postgres, run: $name }
        }
    };
}

/// Runs a test body the way `#[tokio::test(flavor = "multi_thread", worker_threads = 2)]` did.
pub fn block_on<F: Future<Output = ()>>(body: F) {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(body)
}

/// The server the PostgreSQL variants create their databases on, or why they do not run.
#[derive(Debug, Clone)]
pub enum Postgres {
    /// `how`: from `SINERGI_TEST_POSTGRES_URL`, or found on this machine.
    Available { url: String, how: &'static str },
    /// Neither a URL nor the default server: the variants are ignored.
    Missing { reason: String },
    /// Asked for (a URL, or `SINERGI_TEST_REQUIRE_POSTGRES=1`) and not usable: the variants fail.
    Broken { reason: String },
}

pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

static POSTGRES: OnceLock<Postgres> = OnceLock::new();

/// The PostgreSQL of this run, found once (and said once, on standard error).
pub fn postgres() -> &'static Postgres {
    POSTGRES.get_or_init(|| {
        let found = find_postgres();
        match &found {
            Postgres::Available { url, how } => eprintln!("PostgreSQL for the tests: {url} ({how})"),
            Postgres::Missing { reason } => eprintln!("PostgreSQL variants are ignored: {reason}"),
            Postgres::Broken { reason } => eprintln!("PostgreSQL variants fail: {reason}"),
        }
        found
    })
}

/// The URL of the server the PostgreSQL variants use. Only they call it, and only when it is there.
pub fn postgres_url() -> &'static str {
    match postgres() {
        Postgres::Available { url, .. } => url,
        other => panic!("a PostgreSQL test ran without PostgreSQL: {other:?}"),
    }
}

fn find_postgres() -> Postgres {
    let required = std::env::var("SINERGI_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    if let Some(url) = std::env::var("SINERGI_TEST_POSTGRES_URL").ok().filter(|v| !v.is_empty()) {
        return match try_connect(&url) {
            Ok(()) => Postgres::Available { url, how: "SINERGI_TEST_POSTGRES_URL" },
            Err(e) => {
                Postgres::Broken { reason: format!("SINERGI_TEST_POSTGRES_URL={url} does not connect: {e}") }
            }
        };
    }
    match try_connect(DEFAULT_POSTGRES_URL) {
        Ok(()) => Postgres::Available {
            url: DEFAULT_POSTGRES_URL.to_string(),
            how: "the server on this machine; SINERGI_TEST_POSTGRES_URL names another",
        },
        Err(e) => {
            let reason = format!(
                "SINERGI_TEST_POSTGRES_URL is not set and {DEFAULT_POSTGRES_URL} does not connect ({e})"
            );
            if required {
                Postgres::Broken { reason: format!("SINERGI_TEST_REQUIRE_POSTGRES=1, but {reason}") }
            } else {
                Postgres::Missing { reason }
            }
        }
    }
}

/// Connects once, giving up after a few seconds (a port that drops packets must not hang the run); the
/// error on one line.
fn try_connect(url: &str) -> Result<(), String> {
    let separator = if url.contains('?') { '&' } else { '?' };
    let url = format!("{url}{separator}connect_timeout=3");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let result = PgConnection::establish(&url).map(drop);
        let _ = tx.send(result.map_err(|e| e.to_string().split_whitespace().collect::<Vec<_>>().join(" ")));
    });
    rx.recv_timeout(Duration::from_secs(5)).unwrap_or_else(|_| Err("no answer within 5 s".to_string()))
}

/// The short reason on each ignored line.
const IGNORED: &str = "no PostgreSQL: SINERGI_TEST_POSTGRES_URL unset, none on 127.0.0.1:5432";

/// libtest's options that take a value (`--skip X`): what follows them is not a filter.
const OPTIONS_WITH_VALUES: [&str; 6] = ["--test-threads", "--skip", "--color", "--format", "--logfile", "-Z"];

/// libtest takes several filters (`crash:: outage::`: tests whose name holds either); libtest-mimic takes
/// one. The argument list without the filters, and the filters.
fn split_filters(argv: Vec<String>) -> (Vec<String>, Vec<String>) {
    let (mut rest, mut filters) = (Vec::new(), Vec::new());
    let mut argv = argv.into_iter();
    rest.extend(argv.next()); // the program
    while let Some(arg) = argv.next() {
        if OPTIONS_WITH_VALUES.contains(&arg.as_str()) {
            rest.push(arg);
            rest.extend(argv.next());
        } else if arg.starts_with('-') {
            rest.push(arg);
        } else {
            filters.push(arg);
        }
    }
    (rest, filters)
}

pub fn main() -> ExitCode {
    let (argv, filters) = split_filters(std::env::args().collect());
    let mut args = Arguments::from_iter(argv);
    let mut tests: Vec<&'static Test> = inventory::iter::<Test>.into_iter().collect();
    tests.sort_by_key(|t| t.full_name());
    match filters.as_slice() {
        [] => {}
        [one] => args.filter = Some(one.clone()), // libtest-mimic filters, and counts what it left out
        several => {
            let exact = args.exact;
            tests.retain(|t| {
                let name = t.full_name();
                several.iter().any(|f| if exact { name == *f } else { name.contains(f.as_str()) })
            })
        }
    }
    let trials: Vec<Trial> = tests
        .iter()
        .map(|&test| {
            if !test.postgres {
                return Trial::test(test.full_name(), move || {
                    (test.run)();
                    Ok(())
                });
            }
            Trial::ignorable_test(test.full_name(), move || match postgres() {
                Postgres::Available { .. } => {
                    (test.run)();
                    Ok(Completion::Completed)
                }
                Postgres::Missing { .. } => Ok(Completion::ignored_with(IGNORED)),
                Postgres::Broken { reason } => Err(Failed::from(reason)),
            })
        })
        .collect();
    // Looked for before the first test line, so that the one line about it comes first; not for `--list`,
    // and not when no PostgreSQL test is selected.
    if !args.list
        && tests.iter().zip(&trials).any(|(test, trial)| test.postgres && !args.is_filtered_out(trial))
    {
        postgres();
    }
    libtest_mimic::run(&args, trials).exit_code()
}

// Under `harness = false` a `#[test]` function is not even compiled: it would never run, silently.
api_test!(tests_are_registered, async {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api");
    let attributes = ["#[test]", "#[tokio::test", "#[actix_rt::test", "#[actix_web::test", "#[ignore"];
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("tests/api") {
        let path = entry.expect("a directory entry").path();
        let source = std::fs::read_to_string(&path).expect("a test file");
        for (n, line) in source.lines().enumerate() {
            if attributes.iter().any(|a| line.trim_start().starts_with(a)) {
                found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "tests that this harness never runs; register them with backend_test! or api_test!:\n{}",
        found.join("\n")
    );
    // And every test of the target registered itself: far more than a handful.
    let count = inventory::iter::<Test>.into_iter().count();
    assert!(count > 200, "only {count} tests registered");
});
