//! The `sinergi` command line: serve, migrate, user, audit, openapi.

use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use sinergi::clock::Clock;
use sinergi::config::Settings;
use sinergi::{audit, startup, telemetry};

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
    /// Print the OpenAPI document.
    Openapi,
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and name the first broken link (exit code 1 when broken).
    Verify,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        print!("{}", sinergi::openapi::document_json());
        return ExitCode::SUCCESS;
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
        Command::Audit { command: AuditCommand::Verify } => {
            let db = sinergi::db::Database::new(&settings.database_url, 1, settings.db_checkout_timeout)
                .map_err(|e| e.to_string())?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let result = audit::verify(&mut conn).map_err(|e| e.to_string())?;
            println!("{}", serde_json::to_string_pretty(&result).unwrap_or_default());
            Ok(if result.valid { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Openapi => Ok(ExitCode::SUCCESS),
    }
}
