//! The time source. Derived values (overdue, expired, token expiry) read the clock from here so that
//! tests can fix it instead of sleeping.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};

#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// Now, cut to microseconds (what PostgreSQL keeps).
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now().trunc_subsecs(6),
            Clock::Fixed(t) => *t,
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }
}
