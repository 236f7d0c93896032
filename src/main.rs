//! The `sinergi` command line: serve, migrate, seed, user, audit, export, openapi.

use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use sinergi::audit::note::{LogKey, NoteVerifier};
use sinergi::audit::witness::Credentials;
use sinergi::auth::AuthUser;
use sinergi::auth::Role;
use sinergi::clock::Clock;
use sinergi::config::Settings;
use sinergi::coverage::model::Zones;
use sinergi::db::write_transaction;
use sinergi::error::AppError;
use sinergi::http::Tx;
use sinergi::seed::synthetic::{self, Scale};
use sinergi::state::AppState;
use sinergi::users::model::NewUser;
use sinergi::{audit, seed, startup, telemetry, users};

#[derive(Parser)]
#[command(name = "sinergi", version, about = "Collaborative-governance registry and agreement tracker")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API.
    Serve {
        /// Address to listen on (default SINERGI_BIND or 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
        /// Load the Padang demo data into an empty database.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load a seed file (default: the Padang data set built into the binary, seeds/padang.json).
    /// Idempotent: records already there are left alone.
    Seed {
        #[arg(long, conflicts_with = "synthetic")]
        file: Option<std::path::PathBuf>,
        /// Instead, fill a fresh database with a large synthetic data set for benchmarks (bulk inserts,
        /// repeatable). Refused when the database already holds organizations.
        #[arg(long)]
        synthetic: bool,
        /// Size of the synthetic data set: large is 5,000 organizations, 20,000 agreements, 1,000,000
        /// activities and 1,000,000 audit events; small is a hundredth of that.
        #[arg(long, value_enum, default_value = "small", requires = "synthetic")]
        scale: ScaleArg,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// User accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Reminders and notifications.
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// Open data.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Write the open-data Frictionless Data Package (datapackage.json and data/*.csv) into a directory:
    /// the same package as GET /api/v1/open-data/datapackage.zip, read in one snapshot of the database.
    Datapackage {
        /// The directory to write into (created when missing; files of the same names are replaced).
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum NotifyCommand {
    /// Run one reminder pass and send what is due, then exit (for cron, with SINERGI_REMINDERS=off on
    /// the servers); prints what it did as JSON.
    RunOnce,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ScaleArg {
    Small,
    Large,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from standard input (asked for twice when it is a terminal)
    /// and must pass the same rules as through the API; the creation is audited.
    Create {
        #[arg(long)]
        username: String,
        /// admin, bpjs_staff, opd_staff, partner_staff or auditor.
        #[arg(long)]
        role: String,
        /// The user's organization id (required for every role but admin).
        #[arg(long)]
        organization: Option<String>,
        /// Defaults to the username.
        #[arg(long)]
        full_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the old hash chain, every leaf of the log and its root, and check the latest checkpoint's
    /// signature; print the result as JSON (exit code 1 when anything is wrong).
    Verify {
        /// The verifier key to check the checkpoint with (`name+keyid+base64`, from
        /// `GET /api/v1/audit/public-key`); default the server's own key (SINERGI_AUDIT_KEY or the data
        /// directory's `audit-key`).
        #[arg(long)]
        public_key: Option<String>,
    },
    /// On an auditor's machine: fetch the log's latest checkpoint, check its signature and that it extends
    /// the checkpoint stored in --store (consistency proof), and store it. Exit code 1, with the reason,
    /// when the log has been rewritten.
    Witness {
        /// The server, e.g. https://sinergi.example.go.id
        #[arg(long)]
        url: String,
        /// The directory that keeps the pinned key and the last checkpoint.
        #[arg(long)]
        store: std::path::PathBuf,
        /// An access token of an auditor or administrator.
        #[arg(long, env = "SINERGI_AUDIT_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// Or log in as this auditor, with the password in SINERGI_AUDIT_PASSWORD.
        #[arg(long, env = "SINERGI_AUDIT_USERNAME", conflicts_with = "token")]
        username: Option<String>,
        /// The verifier key to pin on the first run; default the one the server publishes (trust on first
        /// use). Later runs use the pinned key.
        #[arg(long)]
        public_key: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!("{}", sinergi::openapi::document_json());
        return ExitCode::SUCCESS;
    }
    // The witness runs on an auditor's machine, with no database or settings of the server.
    if let Command::Audit { command: AuditCommand::Witness { url, store, token, username, public_key } } =
        cli.command
    {
        return witness(&url, &store, token, username, public_key.as_deref());
    }
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init_tracing(settings.log_format);
    match run(cli.command, settings) {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Command, mut settings: Settings) -> Result<ExitCode, String> {
    match command {
        Command::Serve { bind, demo } => {
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            settings.demo |= demo;
            let bind = settings.bind.clone();
            let state = startup::prepare(settings, Clock::System)?;
            if state.settings.demo {
                load_demo(&state)?;
            }
            let listener = TcpListener::bind(&bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
            tracing::info!(address = %bind, "listening");
            actix_web::rt::System::new()
                .block_on(async move { startup::run(listener, state)?.await })
                .map_err(|e| e.to_string())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = sinergi::db::Database::new(&settings.database_url, 1, settings.db_checkout_timeout)
                .map_err(|e| e.to_string())?;
            let applied = db.migrate().map_err(|e| e.to_string())?;
            println!("applied {} migration(s)", applied.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed { synthetic: true, scale, .. } => {
            let scale = match scale {
                ScaleArg::Small => Scale::Small,
                ScaleArg::Large => Scale::Large,
            };
            let state = startup::prepare(settings, Clock::System)?;
            let mut conn = state.db.get().map_err(|e| e.to_string())?;
            let progress = std::io::IsTerminal::is_terminal(&std::io::stderr());
            let s = synthetic::generate(&mut conn, scale, progress).map_err(describe)?;
            // The sequencer's work for the new events, done here rather than by the next `serve`.
            let started = std::time::Instant::now();
            let holder = audit::sequencer::holder_name();
            let sequenced =
                audit::sequencer::integrate_all(&mut conn, &state.log_key, &holder).map_err(describe)?;
            println!(
                "{sequenced} audit events sequenced in {:.1} s (any left wait for the running server's sequencer)",
                started.elapsed().as_secs_f64()
            );
            println!(
                "synthetic data written in {:.1} s: {} organizations, {} agreements ({} parties, {} commitments, \
                 {} progress reports), {} activities ({} participants), {} outcomes, {} coverage rows, \
                 {} regions added, {} audit events",
                s.elapsed.as_secs_f64(),
                s.organizations,
                s.agreements,
                s.agreement_parties,
                s.commitments,
                s.commitment_updates,
                s.activities,
                s.activity_participants,
                s.outcomes,
                s.coverage,
                s.regions,
                s.audit_events,
            );
            if let Some(id) = s.heavy_organization_id {
                println!(
                    "heavy organization: {} id {id} organizes {} activities",
                    synthetic::HEAVY_SHORT_NAME,
                    s.heavy_organization_activities
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Seed { file, .. } => {
            let text = match &file {
                Some(path) => std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
                None => seed::PADANG.to_string(),
            };
            let seed_file = seed::parse(&text).map_err(describe)?;
            let state = startup::prepare(settings, Clock::System)?;
            let mut conn = state.db.get().map_err(|e| e.to_string())?;
            let zones = Zones::of(&state.settings);
            let summary = seed::load(&mut conn, &seed_file, Clock::System.now(), zones).map_err(describe)?;
            println!(
                "seed loaded: {} created, {} updated, {} unchanged",
                summary.created, summary.updated, summary.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User { command: UserCommand::Create { username, role, organization, full_name, email } } => {
            let role = Role::parse(&role).ok_or_else(|| {
                let roles = Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
                format!("--role must be one of {roles}, not {role:?}")
            })?;
            let organization_id = organization
                .map(|o| {
                    o.parse()
                        .map_err(|_| format!("--organization must be an organization id (a UUID), not {o:?}"))
                })
                .transpose()?;
            let password = read_password(&username)?;
            let db = sinergi::db::Database::new(&settings.database_url, 1, settings.db_checkout_timeout)
                .map_err(|e| e.to_string())?;
            db.migrate().map_err(|e| e.to_string())?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let new = NewUser {
                full_name: full_name.unwrap_or_else(|| username.clone()),
                username,
                email,
                role,
                organization_id,
                password,
            };
            // The same use case as `POST /users`, with the program as the administrator.
            let account = users::service::NewAccount::prepare(new).map_err(describe)?;
            let system = AuthUser::system("cli");
            let now = Clock::System.now();
            let user = write_transaction(&mut conn, |conn| {
                users::service::create(Tx::new(conn, &system, now), account)
            })
            .map_err(describe)?;
            println!("created user {} ({}) with id {}", user.username, user.role.as_str(), user.id);
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit { command: AuditCommand::Verify { public_key } } => {
            let verifier = match public_key {
                Some(vkey) => NoteVerifier::parse(&vkey)?,
                None if settings.audit_key.is_none() && !settings.data_dir.join("audit-key").exists() => {
                    return Err("no audit key: set SINERGI_AUDIT_KEY or SINERGI_DATA_DIR as the server has \
                                them, or give --public-key"
                        .into());
                }
                None => {
                    LogKey::load(&settings.audit_origin, settings.audit_key.as_deref(), &settings.data_dir)?
                        .verifier()
                }
            };
            let db = sinergi::db::Database::new(&settings.database_url, 1, settings.db_checkout_timeout)
                .map_err(|e| e.to_string())?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let result = audit::verify(&mut conn, &verifier).map_err(|e| e.to_string())?;
            println!("{}", serde_json::to_string_pretty(&result).unwrap_or_default());
            Ok(if result.valid { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Export { command: ExportCommand::Datapackage { out } } => {
            let db = sinergi::db::Database::new(&settings.database_url, 1, settings.db_checkout_timeout)
                .map_err(|e| e.to_string())?;
            db.migrate().map_err(|e| e.to_string())?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let started = std::time::Instant::now();
            let zones = Zones::of(&settings);
            sinergi::open_data::service::export_to_dir(&mut conn, &out, Clock::System.today(), zones)
                .map_err(describe)?;
            println!(
                "open-data package written to {} in {:.1} s",
                out.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Notify { command: NotifyCommand::RunOnce } => {
            let state = sinergi::startup::prepare(settings, sinergi::clock::Clock::System)?;
            let report = actix_rt::System::new()
                .block_on(sinergi::notifications::reminders::run_once(&state))
                .map_err(|e| e.to_string())?;
            println!("{}", serde_json::json!({ "reminders": report }));
            Ok(ExitCode::SUCCESS)
        }
        Command::Openapi | Command::Audit { command: AuditCommand::Witness { .. } } => Ok(ExitCode::SUCCESS),
    }
}

/// `sinergi audit witness`: exit code 0 when the log extends what was stored, 1 with the reason if not,
/// 2 when it cannot run.
fn witness(
    url: &str,
    store: &std::path::Path,
    token: Option<String>,
    username: Option<String>,
    public_key: Option<&str>,
) -> ExitCode {
    let credentials = match (token, username) {
        (Some(token), _) => Credentials::Token(token),
        (None, Some(username)) => match std::env::var("SINERGI_AUDIT_PASSWORD") {
            Ok(password) => Credentials::Password { username, password },
            Err(_) => {
                eprintln!("error: --username needs the password in SINERGI_AUDIT_PASSWORD");
                return ExitCode::from(2);
            }
        },
        (None, None) => {
            eprintln!("error: give --token (SINERGI_AUDIT_TOKEN) or --username (SINERGI_AUDIT_USERNAME)");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(audit::witness::run(url, store, &credentials, public_key)) {
        Ok(w) => {
            if w.pinned_now {
                println!("pinned the log's key in {}", store.join("public-key").display());
            }
            match w.previous_size {
                Some(old) => println!(
                    "the log extends the stored checkpoint: {old} -> {} leaves, root {}",
                    w.size,
                    hex::encode(w.root)
                ),
                None => {
                    println!("stored the first checkpoint: {} leaves, root {}", w.size, hex::encode(w.root))
                }
            }
            ExitCode::SUCCESS
        }
        Err(reason) => {
            eprintln!("REFUSED: {reason}");
            ExitCode::FAILURE
        }
    }
}

/// `--demo`: on a database without organizations, loads the Padang data set and creates the demo users,
/// whose passwords are printed once.
fn load_demo(state: &AppState) -> Result<(), String> {
    let mut conn = state.db.get().map_err(|e| e.to_string())?;
    if !seed::is_empty(&mut conn).map_err(describe)? {
        tracing::info!("demo: the database already holds organizations; the Padang data set is not loaded");
        return Ok(());
    }
    let seed_file = seed::parse(seed::PADANG).map_err(describe)?;
    let now = state.clock.now();
    let summary = seed::load(&mut conn, &seed_file, now, Zones::of(&state.settings)).map_err(describe)?;
    tracing::info!(created = summary.created, "demo: loaded the Padang data set");
    let users = seed::create_demo_users(&mut conn, now).map_err(describe)?;
    for user in users {
        tracing::warn!(username = %user.username, role = user.role.as_str(), organization = %user.organization,
            password = %user.password, "created a demo user; this password is shown once");
    }
    Ok(())
}

/// An error for the terminal, naming each invalid field.
fn describe(e: AppError) -> String {
    if e.errors.is_empty() {
        return e.to_string();
    }
    e.errors.iter().map(|f| format!("{}: {}", f.field, f.message.en)).collect::<Vec<_>>().join("\n")
}

/// The new user's password: asked for twice without echo on a terminal, else the first line of stdin.
fn read_password(username: &str) -> Result<String, String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let read_line = || -> Result<String, String> {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    };
    if !stdin.is_terminal() {
        return read_line();
    }
    let ask = |prompt: &str| -> Result<String, String> {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let echo = EchoOff::new();
        let line = read_line();
        drop(echo);
        eprintln!();
        line
    };
    let first = ask(&format!("Password for {username}: "))?;
    let second = ask("Repeat the password: ")?;
    if first != second {
        return Err("the two passwords differ".into());
    }
    Ok(first)
}

/// Turns terminal echo off until dropped.
struct EchoOff {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

impl EchoOff {
    #[cfg(unix)]
    fn new() -> EchoOff {
        // SAFETY: tcgetattr/tcsetattr on fd 0 with a zeroed termios that tcgetattr fills in; on failure
        // nothing is changed and echo stays on.
        unsafe {
            let mut term: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut term) != 0 {
                return EchoOff { saved: None };
            }
            let saved = term;
            term.c_lflag &= !libc::ECHO;
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &term);
            EchoOff { saved: Some(saved) }
        }
    }

    #[cfg(not(unix))]
    fn new() -> EchoOff {
        EchoOff {}
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = &self.saved {
            // SAFETY: restores the settings read in `new`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
            }
        }
    }
}
