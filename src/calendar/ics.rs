//! iCalendar (RFC 5545) text: a `VCALENDAR` of `VEVENT`s with escaped values and lines folded at 75
//! octets, CRLF line ends.

use chrono::{DateTime, Days, NaiveDate, Utc};

/// When an event happens: at a time, or on a whole day (a due date).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum When {
    At(DateTime<Utc>),
    Day(NaiveDate),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across fetches (`activity-<id>@sinergi`), so that calendar programs update the event
    /// instead of adding it again.
    pub uid: String,
    /// The record's version: a calendar program takes the higher one as the newer.
    pub sequence: i32,
    pub start: When,
    pub end: Option<When>,
    pub summary: String,
    pub location: Option<String>,
    pub description: Option<String>,
    pub cancelled: bool,
    pub last_modified: Option<DateTime<Utc>>,
}

/// `TEXT` values escape backslashes, semicolons, commas and line breaks (RFC 5545 §3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

fn date_value(property: &str, when: When) -> String {
    match when {
        When::At(at) => format!("{property}:{}", stamp(at)),
        When::Day(day) => format!("{property};VALUE=DATE:{}", day.format("%Y%m%d")),
    }
}

/// Writes one content line, folded so that no line is longer than 75 octets (a fold never splits a
/// UTF-8 character; continuation lines start with a space).
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

/// The calendar named `name` with `events`, made at `now`.
pub fn calendar(name: &str, now: DateTime<Utc>, events: &[Event]) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sinergi//Kalender//ID",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(&mut out, l);
    }
    line(&mut out, &format!("X-WR-CALNAME:{}", text(name)));
    for event in events {
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", text(&event.uid)));
        line(&mut out, &format!("DTSTAMP:{}", stamp(now)));
        line(&mut out, &format!("SEQUENCE:{}", event.sequence.max(0)));
        line(&mut out, &date_value("DTSTART", event.start));
        // A whole-day event without an end lasts its day (the end date is exclusive).
        let end = match (event.end, event.start) {
            (Some(end), _) => Some(end),
            (None, When::Day(day)) => day.checked_add_days(Days::new(1)).map(When::Day),
            (None, When::At(_)) => None,
        };
        if let Some(end) = end {
            line(&mut out, &date_value("DTEND", end));
        }
        line(&mut out, &format!("SUMMARY:{}", text(&event.summary)));
        if let Some(location) = &event.location {
            line(&mut out, &format!("LOCATION:{}", text(location)));
        }
        if let Some(description) = &event.description {
            line(&mut out, &format!("DESCRIPTION:{}", text(description)));
        }
        if let Some(at) = event.last_modified {
            line(&mut out, &format!("LAST-MODIFIED:{}", stamp(at)));
        }
        line(&mut out, if event.cancelled { "STATUS:CANCELLED" } else { "STATUS:CONFIRMED" });
        line(&mut out, "TRANSP:TRANSPARENT");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_and_long_lines_folded_between_characters() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", text("Rapat; koordinasi, Ümmü\\ baris\nbaru")));
        assert_eq!(out, "SUMMARY:Rapat\\; koordinasi\\, Ümmü\\\\ baris\\nbaru\r\n");
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "Ş".repeat(60)));
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "Ş".repeat(60)));
    }
}
