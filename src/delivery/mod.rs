//! Delivery: the outbox of emails and webhook calls. Whoever decides that something is to be sent (a
//! reminder pass, a change that a webhook endpoint subscribes to) calls [`enqueue`] inside its own
//! transaction with a key that names the occurrence, so that it is sent once however often it is
//! decided. A worker inside `serve` (and `sinergi notify run-once`) claims due rows, sends them and
//! records the result.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::outbox;
use crate::db::types::from_utc;
use crate::db::{DbConnection, Id};
use crate::error::AppError;

crate::str_enum! {
    /// How a message leaves.
    pub enum Channel { Email => "email", Webhook => "webhook" }
}

crate::str_enum! {
    /// Where a message is in its delivery.
    pub enum DeliveryStatus {
        /// Waiting for its (next) attempt.
        Queued => "queued",
        Sent => "sent",
        /// Given up after the retry budget.
        Failed => "failed",
    }
}

/// One email, as the outbox keeps it (the digest is composed when it is queued, in the user's
/// language).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Email {
    pub to: String,
    pub subject: String,
    /// Plain text.
    pub text: String,
}

/// Something to send.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Email(Email),
    /// A webhook call: the endpoint it goes to and the JSON body (signed when it is sent).
    Webhook {
        endpoint_id: Id,
        body: serde_json::Value,
    },
}

/// Queues `message` under `key`, which names the occurrence (`digest:<user>:<day>`,
/// `webhook:<endpoint>:<event>`): answers false, queuing nothing, when that key was queued before. The
/// caller's transaction makes it part of the change that decided it; callers that may race on one key
/// serialise first (the reminder pass does).
pub fn enqueue(
    conn: &mut DbConnection,
    key: &str,
    message: &Message,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let exists: Option<Id> =
        outbox::table.filter(outbox::dedupe_key.eq(key)).select(outbox::id).first(conn).optional()?;
    if exists.is_some() {
        return Ok(false);
    }
    let (channel, target, payload) = match message {
        Message::Email(email) => (Channel::Email, email.to.clone(), serde_json::to_string(email)),
        Message::Webhook { endpoint_id, body } => {
            (Channel::Webhook, endpoint_id.to_string(), serde_json::to_string(body))
        }
    };
    let payload = payload.map_err(|e| AppError::internal(format!("outbox {key}: {e}")))?;
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(Id::new()),
            outbox::dedupe_key.eq(key),
            outbox::channel.eq(channel.as_str()),
            outbox::target.eq(target),
            outbox::payload.eq(payload),
            outbox::status.eq(DeliveryStatus::Queued.as_str()),
            outbox::next_attempt_at.eq(from_utc(now)),
            outbox::created_at.eq(from_utc(now)),
        ))
        .execute(conn)?;
    Ok(true)
}
