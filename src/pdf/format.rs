//! How printed records write dates, times and numbers: the Indonesian way (`Senin, 30 November 2026`,
//! `09.00 WIB`, `105.491`, `30,8 %`), in the time zone the deployment names.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Offset, Timelike, Utc, Weekday};

/// Indonesia's three time zones; none has daylight saving time, so a fixed offset is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeZone {
    /// Waktu Indonesia Barat, UTC+7 (Sumatra, Java, West and Central Kalimantan).
    #[default]
    Wib,
    /// Waktu Indonesia Tengah, UTC+8 (Bali, Nusa Tenggara, Sulawesi, East and South Kalimantan).
    Wita,
    /// Waktu Indonesia Timur, UTC+9 (Maluku, Papua).
    Wit,
}

impl TimeZone {
    pub fn parse(value: &str) -> Option<TimeZone> {
        match value.trim().to_ascii_uppercase().as_str() {
            "WIB" => Some(TimeZone::Wib),
            "WITA" => Some(TimeZone::Wita),
            "WIT" => Some(TimeZone::Wit),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TimeZone::Wib => "WIB",
            TimeZone::Wita => "WITA",
            TimeZone::Wit => "WIT",
        }
    }

    fn offset(self) -> FixedOffset {
        let hours = match self {
            TimeZone::Wib => 7,
            TimeZone::Wita => 8,
            TimeZone::Wit => 9,
        };
        // Whole hours between 7 and 9 are always a valid offset; UTC is the unreachable fallback.
        FixedOffset::east_opt(hours * 3600).unwrap_or_else(|| Utc.fix())
    }

    /// The local date and time of an instant.
    pub fn local(self, at: DateTime<Utc>) -> DateTime<FixedOffset> {
        at.with_timezone(&self.offset())
    }
}

const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

/// `30 November 2026`.
pub fn date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// `Senin, 30 November 2026`.
pub fn day_and_date(d: NaiveDate) -> String {
    format!("{}, {}", day_name(d.weekday()), date(d))
}

/// `09.00`: Indonesian writes the hour and minute with a dot.
pub fn clock(at: DateTime<FixedOffset>) -> String {
    format!("{:02}.{:02}", at.hour(), at.minute())
}

/// `30 November 2026 09.00 WIB`.
pub fn date_time(at: DateTime<Utc>, zone: TimeZone) -> String {
    let local = zone.local(at);
    format!("{} {} {}", date(local.date_naive()), clock(local), zone.label())
}

/// `105.491`: thousands grouped with dots.
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// `30,8 %`: one decimal, with a comma.
pub fn percent(value: f64) -> String {
    format!("{:.1} %", value).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_numbers_and_times_read_the_indonesian_way() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(date(d), "30 November 2026");
        assert_eq!(day_and_date(d), "Senin, 30 November 2026");
        assert_eq!(number(105_491), "105.491");
        assert_eq!(number(-1_234_567), "-1.234.567");
        assert_eq!(number(999), "999");
        assert_eq!(percent(30.84), "30,8 %");
        let at = DateTime::parse_from_rfc3339("2026-11-30T02:05:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(date_time(at, TimeZone::Wib), "30 November 2026 09.05 WIB");
        assert_eq!(date_time(at, TimeZone::Wit), "30 November 2026 11.05 WIT");
        // Late in the evening UTC is already the next day in Indonesia.
        let late = DateTime::parse_from_rfc3339("2026-11-30T18:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(date_time(late, TimeZone::Wita), "1 Desember 2026 02.00 WITA");
        assert_eq!(TimeZone::parse(" wita "), Some(TimeZone::Wita));
        assert_eq!(TimeZone::parse("CET"), None);
    }
}
