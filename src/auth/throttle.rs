//! Login throttling: after 5 failed logins for one username, or 20 from one client address, within 15
//! minutes, further attempts get 429 until the oldest counted failure leaves the window. The failures
//! live in the database, so every server process counts the same ones.

use actix_web::HttpRequest;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;

use crate::db::schema::login_failures;
use crate::db::types::{from_utc, to_utc};
use crate::db::{DbConnection, Id, Timestamp};
use crate::error::AppError;

pub const WINDOW_SECONDS: i64 = 15 * 60;
pub const MAX_FAILURES_PER_USERNAME: i64 = 5;
pub const MAX_FAILURES_PER_ADDRESS: i64 = 20;

/// The client's address: the TCP peer, or (only when `trust_forwarded` is set, behind a proxy that sets
/// them) the `Forwarded`/`X-Forwarded-For` headers.
pub fn client_address(req: &HttpRequest, trust_forwarded: bool) -> String {
    let forwarded =
        trust_forwarded.then(|| req.connection_info().realip_remote_addr().map(str::to_string)).flatten();
    forwarded
        .map(|a| strip_port(&a).to_string())
        .or_else(|| req.peer_addr().map(|a| a.ip().to_string()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// `1.2.3.4:5678` → `1.2.3.4`, `[::1]:80` → `::1`; a bare address stays as it is.
fn strip_port(addr: &str) -> &str {
    if let Some(rest) = addr.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match addr.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => addr,
    }
}

/// Why an attempt is refused, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    pub by: &'static str,
    pub retry_after: u64,
}

/// Whether attempts for `username` from `address` are throttled at `now`.
pub fn check(
    conn: &mut DbConnection,
    username: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Option<Throttled>, AppError> {
    let since = from_utc(now - Duration::seconds(WINDOW_SECONDS));
    let by_username = login_failures::table
        .filter(login_failures::username.eq(username.to_string()))
        .filter(login_failures::failed_at.gt(since))
        .select(login_failures::failed_at)
        .order(login_failures::failed_at.asc())
        .into_boxed();
    if let Some(retry_after) = wait(conn, by_username, MAX_FAILURES_PER_USERNAME, now)? {
        return Ok(Some(Throttled { by: "username", retry_after }));
    }
    let by_address = login_failures::table
        .filter(login_failures::client_addr.eq(address.to_string()))
        .filter(login_failures::failed_at.gt(since))
        .select(login_failures::failed_at)
        .order(login_failures::failed_at.asc())
        .into_boxed();
    Ok(wait(conn, by_address, MAX_FAILURES_PER_ADDRESS, now)?
        .map(|retry_after| Throttled { by: "address", retry_after }))
}

type FailureTimes<'a> = login_failures::BoxedQuery<'a, crate::db::MultiBackend, diesel::sql_types::Timestamp>;

/// Seconds until fewer than `limit` of the failures (oldest first) are in the window; `None` when fewer
/// are already.
fn wait(
    conn: &mut DbConnection,
    failures: FailureTimes<'_>,
    limit: i64,
    now: DateTime<Utc>,
) -> Result<Option<u64>, AppError> {
    let times: Vec<Timestamp> = failures.load(conn)?;
    let count = times.len() as i64;
    if count < limit {
        return Ok(None);
    }
    // When this failure leaves the window, `limit - 1` remain.
    let pivot = times[(count - limit) as usize];
    let leaves = to_utc(pivot) + Duration::seconds(WINDOW_SECONDS);
    let ms = (leaves - now).num_milliseconds().max(0);
    Ok(Some(((ms + 999) / 1000).max(1) as u64))
}

/// Counts one failed attempt, and forgets failures that have left the window.
pub fn record_failure(
    conn: &mut DbConnection,
    username: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    diesel::delete(
        login_failures::table
            .filter(login_failures::failed_at.le(from_utc(now - Duration::seconds(WINDOW_SECONDS)))),
    )
    .execute(conn)?;
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::id.eq(Id::new()),
            login_failures::username.eq(username),
            login_failures::client_addr.eq(address),
            login_failures::failed_at.eq(from_utc(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// After a successful login the username's earlier failures no longer count.
pub fn clear_username(conn: &mut DbConnection, username: &str) -> Result<(), AppError> {
    diesel::delete(login_failures::table.filter(login_failures::username.eq(username.to_string())))
        .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::strip_port;

    #[test]
    fn ports_are_stripped() {
        assert_eq!(strip_port("10.0.0.1:443"), "10.0.0.1");
        assert_eq!(strip_port("10.0.0.1"), "10.0.0.1");
        assert_eq!(strip_port("[2001:db8::1]:8080"), "2001:db8::1");
        assert_eq!(strip_port("2001:db8::1"), "2001:db8::1");
    }
}
