//! The feed as the API shows it.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// The caller's calendar feed. The URL (with its token) is only in the answer that made it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarFeed {
    /// The feed's address, secret token included; give it to a calendar program. Shown once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "http://127.0.0.1:8080/api/v1/calendar/3q2-7wxWkZbq0Yt0o0pD3W8M5T1lSx0mJ1cXvQh0rV4")]
    pub url: Option<String>,
    pub created_at: DateTime<Utc>,
}
