//! Settings from environment variables (and a `.env` file, if present), read and checked once at start.
//! Every variable is documented in the README with its default.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `DATABASE_URL`: `sqlite://PATH` or `postgres://…`; default `sqlite://<data_dir>/sinergi.db`.
    pub database_url: String,
    /// `SINERGI_BIND`: the address `serve` listens on.
    pub bind: String,
    /// `SINERGI_DATA_DIR`: where the SQLite file and the generated JWT secret live.
    pub data_dir: PathBuf,
    /// `SINERGI_JWT_SECRET`: at least 32 bytes; generated and kept in the data directory when unset.
    pub jwt_secret: Option<String>,
    /// `SINERGI_AUDIT_KEY`: the Ed25519 key (32 bytes, hex or base64) that signs the audit log's
    /// checkpoints; generated and kept in the data directory (`audit-key`, mode 0600) when unset. Every
    /// server process on one database must have the same key.
    pub audit_key: Option<String>,
    /// `SINERGI_AUDIT_ORIGIN`: the audit log's name, the first line of its checkpoints.
    pub audit_origin: String,
    /// `SINERGI_AUDIT_SEQUENCER`: `off` keeps `serve` from ever sequencing the audit log (another process
    /// on the database must); on by default, where one process at a time sequences.
    pub audit_sequencer: bool,
    /// `SINERGI_REMINDERS`: `off` keeps `serve` from running reminder passes (run `sinergi notify
    /// run-once` from cron instead); on by default.
    pub reminders: bool,
    /// `SINERGI_ADMIN_PASSWORD`: the first administrator's password; random and logged once when unset.
    pub admin_password: Option<String>,
    /// `SINERGI_DEMO`: load the Padang demo data into an empty database.
    pub demo: bool,
    /// `SINERGI_DB_POOL_SIZE`: connections in the pool; default four per core. More connections than the
    /// cores can serve only queue inside the database: 16 on 2 cores had a p99 five times that of 8 in the
    /// benchmark (benches/RESULTS.md).
    pub pool_size: u32,
    /// `SINERGI_DB_TIMEOUT_MS`: how long a request waits for a connection before answering 503.
    pub db_checkout_timeout: Duration,
    /// `SINERGI_WORKERS`: HTTP worker threads; default the number of cores.
    pub workers: usize,
    /// `SINERGI_LOG_FORMAT`: `text` or `json`.
    pub log_format: LogFormat,
    /// `SINERGI_CORS_ORIGINS`: comma-separated origins allowed to call the API from a browser; none by default.
    pub cors_origins: Vec<String>,
    /// `SINERGI_ZONE_GREEN_PCT` and `SINERGI_ZONE_YELLOW_PCT`: coverage zone thresholds.
    pub zone_green_pct: f64,
    pub zone_yellow_pct: f64,
    /// `SINERGI_MAX_PASSWORD_HASHES`: password hashes computed at once (each takes 19 MiB and tens of ms);
    /// default half the cores, at least one, so that logins never take the whole machine.
    pub max_concurrent_hashes: usize,
    /// `SINERGI_TRUST_FORWARDED`: take the client address (for login throttling) from `Forwarded` /
    /// `X-Forwarded-For`; set it only behind a reverse proxy that sets those headers. Off by default.
    pub trust_forwarded: bool,
    /// `SINERGI_MAX_UPLOAD_BYTES`: the largest document that may be uploaded (413 above it); default
    /// 25 MiB.
    pub max_upload_bytes: u64,
    /// `SINERGI_TIME_ZONE`: `WIB` (default), `WITA` or `WIT`, the zone printed records give times in.
    pub time_zone: crate::pdf::TimeZone,
    /// `SINERGI_PUBLIC_URL`: where users reach this server (the links in emails); default
    /// `http://<SINERGI_BIND>`.
    pub public_url: String,
    /// `SINERGI_SMTP_*`: the mail server; without `SINERGI_SMTP_HOST` no email is sent.
    pub smtp: Option<Smtp>,
}

/// How emails leave: `SINERGI_SMTP_HOST`, `SINERGI_SMTP_PORT` (default 587 with STARTTLS, 465 with TLS,
/// 25 without), `SINERGI_SMTP_SECURITY` (`starttls` by default, `tls` or `none`), `SINERGI_SMTP_USER`
/// and `SINERGI_SMTP_PASSWORD` (both or neither), `SINERGI_SMTP_FROM` (the sender address, required).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub credentials: Option<(String, String)>,
    pub from: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    None,
    StartTls,
    Tls,
}

fn smtp(get: &impl Fn(&str) -> Option<String>) -> Result<Option<Smtp>, String> {
    let Some(host) = get("SINERGI_SMTP_HOST").map(|h| h.trim().to_string()) else { return Ok(None) };
    let security = match get("SINERGI_SMTP_SECURITY").as_deref().map(str::trim) {
        None | Some("starttls") => SmtpSecurity::StartTls,
        Some("tls") => SmtpSecurity::Tls,
        Some("none") => SmtpSecurity::None,
        Some(other) => {
            return Err(format!("SINERGI_SMTP_SECURITY must be starttls, tls or none, not {other:?}"));
        }
    };
    let port = match get("SINERGI_SMTP_PORT") {
        None => match security {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        },
        Some(v) => {
            v.trim().parse().map_err(|_| format!("SINERGI_SMTP_PORT must be a port number, not {v:?}"))?
        }
    };
    let credentials = match (get("SINERGI_SMTP_USER"), get("SINERGI_SMTP_PASSWORD")) {
        (Some(user), Some(password)) => Some((user, password)),
        (None, None) => None,
        _ => return Err("SINERGI_SMTP_USER and SINERGI_SMTP_PASSWORD go together".into()),
    };
    let from = get("SINERGI_SMTP_FROM")
        .map(|f| f.trim().to_string())
        .filter(|f| crate::http::validate::is_email(f))
        .ok_or("SINERGI_SMTP_FROM must be an email address when SINERGI_SMTP_HOST is set")?;
    Ok(Some(Smtp { host, port, security, credentials, from }))
}

impl Settings {
    /// Reads the environment (after `.env`). Answers a message naming the bad variable.
    pub fn from_env() -> Result<Settings, String> {
        let _ = dotenvy::dotenv();
        Settings::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Settings, String> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let data_dir = PathBuf::from(get("SINERGI_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = get("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("sinergi.db").display()));
        let jwt_secret = get("SINERGI_JWT_SECRET");
        if jwt_secret.as_ref().is_some_and(|s| s.len() < 32) {
            return Err("SINERGI_JWT_SECRET must be at least 32 bytes long".into());
        }
        let number = |name: &str, default: u64| -> Result<u64, String> {
            match get(name) {
                None => Ok(default),
                Some(v) => v.trim().parse().map_err(|_| format!("{name} must be a whole number, not {v:?}")),
            }
        };
        let percent = |name: &str, default: f64| -> Result<f64, String> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .filter(|p| p.is_finite() && *p >= 0.0)
                    .ok_or_else(|| format!("{name} must be a percentage, not {v:?}")),
            }
        };
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        let log_format = match get("SINERGI_LOG_FORMAT").as_deref().map(str::trim) {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(format!("SINERGI_LOG_FORMAT must be text or json, not {other:?}"));
            }
        };
        let flag = |name: &str| matches!(get(name).as_deref().map(str::trim), Some("1" | "true" | "yes"));
        let demo = flag("SINERGI_DEMO");
        let time_zone = match get("SINERGI_TIME_ZONE") {
            None => crate::pdf::TimeZone::default(),
            Some(v) => crate::pdf::TimeZone::parse(&v)
                .ok_or_else(|| format!("SINERGI_TIME_ZONE must be WIB, WITA or WIT, not {v:?}"))?,
        };
        let bind = get("SINERGI_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let public_url = get("SINERGI_PUBLIC_URL")
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| format!("http://{bind}"));
        if !public_url.starts_with("http://") && !public_url.starts_with("https://") {
            return Err(format!(
                "SINERGI_PUBLIC_URL must start with http:// or https://, not {public_url:?}"
            ));
        }
        let settings = Settings {
            database_url,
            bind,
            data_dir,
            jwt_secret,
            audit_key: get("SINERGI_AUDIT_KEY"),
            audit_origin: get("SINERGI_AUDIT_ORIGIN")
                .map(|o| o.trim().to_string())
                .unwrap_or_else(|| "sinergi/audit".into()),
            audit_sequencer: !matches!(
                get("SINERGI_AUDIT_SEQUENCER").as_deref().map(str::trim),
                Some("off" | "0" | "false" | "no")
            ),
            reminders: !matches!(
                get("SINERGI_REMINDERS").as_deref().map(str::trim),
                Some("off" | "0" | "false" | "no")
            ),
            admin_password: get("SINERGI_ADMIN_PASSWORD"),
            demo,
            pool_size: number("SINERGI_DB_POOL_SIZE", 4 * cores as u64)?.clamp(1, 1000) as u32,
            db_checkout_timeout: Duration::from_millis(number("SINERGI_DB_TIMEOUT_MS", 2000)?.max(100)),
            workers: number("SINERGI_WORKERS", cores as u64)?.clamp(1, 256) as usize,
            log_format,
            cors_origins: get("SINERGI_CORS_ORIGINS")
                .map(|v| v.split(',').map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect())
                .unwrap_or_default(),
            zone_green_pct: percent("SINERGI_ZONE_GREEN_PCT", 100.0)?,
            zone_yellow_pct: percent("SINERGI_ZONE_YELLOW_PCT", 70.0)?,
            max_concurrent_hashes: number("SINERGI_MAX_PASSWORD_HASHES", (cores as u64 / 2).max(1))?
                .clamp(1, 64) as usize,
            trust_forwarded: flag("SINERGI_TRUST_FORWARDED"),
            max_upload_bytes: number("SINERGI_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)?.max(1),
            time_zone,
            public_url,
            smtp: smtp(&get)?,
        };
        if settings.audit_origin.contains(char::is_whitespace) || settings.audit_origin.contains('+') {
            return Err("SINERGI_AUDIT_ORIGIN must not contain spaces or '+'".into());
        }
        if settings.zone_yellow_pct > settings.zone_green_pct {
            return Err("SINERGI_ZONE_YELLOW_PCT must not be above SINERGI_ZONE_GREEN_PCT".into());
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_environment() {
        let s = Settings::from_lookup(|_| None).unwrap();
        assert_eq!(s.database_url, "sqlite://./data/sinergi.db");
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert!(!s.demo);
    }

    #[test]
    fn a_short_jwt_secret_is_refused() {
        let err = Settings::from_lookup(|k| (k == "SINERGI_JWT_SECRET").then(|| "short".to_string()));
        assert!(err.unwrap_err().contains("32 bytes"));
    }

    #[test]
    fn smtp_settings_are_checked_together() {
        let with = |pairs: &'static [(&'static str, &'static str)]| {
            Settings::from_lookup(move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
        };
        assert_eq!(with(&[]).unwrap().smtp, None);
        let s = with(&[
            ("SINERGI_SMTP_HOST", "mail.padang.go.id"),
            ("SINERGI_SMTP_FROM", "sinergi@padang.go.id"),
        ]);
        let smtp = s.unwrap().smtp.unwrap();
        assert_eq!((smtp.port, smtp.security, smtp.credentials), (587, SmtpSecurity::StartTls, None));
        let tls = with(&[
            ("SINERGI_SMTP_HOST", "mail"),
            ("SINERGI_SMTP_SECURITY", "tls"),
            ("SINERGI_SMTP_FROM", "a@b.id"),
        ]);
        assert_eq!(tls.unwrap().smtp.unwrap().port, 465);
        assert!(with(&[("SINERGI_SMTP_HOST", "mail")]).unwrap_err().contains("SINERGI_SMTP_FROM"));
        let half =
            with(&[("SINERGI_SMTP_HOST", "m"), ("SINERGI_SMTP_FROM", "a@b.id"), ("SINERGI_SMTP_USER", "u")]);
        assert!(half.unwrap_err().contains("go together"));
        let bad = with(&[
            ("SINERGI_SMTP_HOST", "m"),
            ("SINERGI_SMTP_FROM", "a@b.id"),
            ("SINERGI_SMTP_SECURITY", "ssl"),
        ]);
        assert!(bad.unwrap_err().contains("SINERGI_SMTP_SECURITY"));
        assert!(with(&[("SINERGI_PUBLIC_URL", "sinergi.go.id")]).unwrap_err().contains("SINERGI_PUBLIC_URL"));
    }
}
