//! Wrong passwords typed on this computer (offline sign-in and the lock screen) and the growing
//! wait they impose. Kept on disk beside each account, so quitting the app resets nothing.
//!
//! The password is checked here without the server (against the wrapped database key), so nothing
//! else limits how fast someone at the keyboard may guess: after a few wrong passwords in a row,
//! each further try must wait, twice as long each time.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// Wrong passwords in a row that are free (typos happen); the next ones wait.
const FREE_FAILURES: u32 = 2;
const FIRST_WAIT: Duration = Duration::seconds(30);
const LONGEST_WAIT: Duration = Duration::minutes(15);

/// A run of wrong passwords: how many, and when the next try is allowed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempts {
    pub failures: u32,
    #[serde(default)]
    pub retry_after: Option<DateTime<Utc>>,
}

/// The wait after `failures` wrong passwords in a row: none for the first two, then 30 s,
/// 1 min, 2 min… up to 15 min.
pub fn wait_after(failures: u32) -> Duration {
    let Some(doublings) = failures.checked_sub(FREE_FAILURES + 1) else {
        return Duration::zero();
    };
    let factor = 1_i32.checked_shl(doublings.min(16)).unwrap_or(i32::MAX);
    (FIRST_WAIT * factor).min(LONGEST_WAIT)
}

impl Attempts {
    /// How long before the next try is allowed, if it must wait. Never longer than the run's own
    /// wait, so a clock set back does not lock anyone out for days.
    pub fn wait(&self, now: DateTime<Utc>) -> Option<Duration> {
        let left = (self.retry_after? - now).min(wait_after(self.failures));
        (left > Duration::zero()).then_some(left)
    }

    /// One more wrong password at `now`. Returns the wait it starts, if any.
    pub fn failed(&mut self, now: DateTime<Utc>) -> Option<Duration> {
        self.failures = self.failures.saturating_add(1);
        let wait = wait_after(self.failures);
        self.retry_after = (wait > Duration::zero()).then(|| now + wait);
        self.wait(now)
    }

    pub fn is_clear(&self) -> bool {
        *self == Self::default()
    }
}

/// A wait in words, rounded up: "30 seconds", "1 minute", "15 minutes".
pub fn describe_wait(wait: Duration) -> String {
    let millis = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
    let seconds = millis.div_ceil(1_000).max(1);
    if seconds < 60 {
        return plural(seconds, "second");
    }
    plural(seconds.div_ceil(60), "minute")
}

fn plural(n: u64, unit: &str) -> String {
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_grows_after_two_free_tries_and_stops_at_fifteen_minutes() {
        let waits: Vec<i64> = (0..=10).map(|n| wait_after(n).num_seconds()).collect();
        assert_eq!(waits, [0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(wait_after(u32::MAX), LONGEST_WAIT);
    }

    #[test]
    fn a_run_of_wrong_passwords_makes_the_next_try_wait() {
        let now = Utc::now();
        let mut attempts = Attempts::default();
        assert_eq!(attempts.failed(now), None);
        assert_eq!(attempts.failed(now), None);
        assert_eq!(attempts.failed(now), Some(Duration::seconds(30)));
        assert_eq!(
            attempts.wait(now + Duration::seconds(10)),
            Some(Duration::seconds(20))
        );
        assert_eq!(attempts.wait(now + Duration::seconds(30)), None);
        // A clock set back a day still waits only the run's own 30 seconds.
        assert_eq!(
            attempts.wait(now - Duration::days(1)),
            Some(Duration::seconds(30))
        );
    }

    #[test]
    fn waits_read_as_words() {
        assert_eq!(describe_wait(Duration::milliseconds(200)), "1 second");
        assert_eq!(describe_wait(Duration::seconds(30)), "30 seconds");
        assert_eq!(describe_wait(Duration::seconds(61)), "2 minutes");
        assert_eq!(describe_wait(Duration::minutes(1)), "1 minute");
    }
}
