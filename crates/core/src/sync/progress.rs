//! A long send in numbers and words: how many of the invites waiting since the queue last emptied
//! have gone, and about how long the rest will take at the pace so far. Under Huma's rate limit a
//! thousand personalised SMS invites take about twenty minutes however good the client is, so the
//! clinician is told how long, and why, instead of watching a count that seems stuck.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

/// Below this many invites in one send, the indicator's count says enough.
pub const LONG_SEND: u32 = 100;
/// The pace is read only once this much time has passed, so one quick first batch does not promise
/// a finish it cannot keep.
const PACE_AFTER: Duration = Duration::seconds(20);

/// One send: from the moment invites wait until none do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendRun {
    sent: u32,
    /// The pace is measured from the first invites confirmed after the send began or last stood
    /// still (offline, waiting for a sign-in), so hours of waiting (invites held for the clinic's
    /// sending hours, a night offline) do not count as slow sending.
    pace: Option<Pace>,
    /// The server asked us to slow down (429) during this send.
    slowed: bool,
    /// The clinician paused sending: no time left can be promised.
    paused: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Pace {
    since: DateTime<Utc>,
    sent: u32,
}

impl SendRun {
    pub fn new() -> Self {
        Self::default()
    }

    /// Invites the server confirmed, at `now`.
    pub fn sent(&mut self, count: u32, now: DateTime<Utc>) {
        if count == 0 {
            return;
        }
        self.sent = self.sent.saturating_add(count);
        match &mut self.pace {
            // The first confirmations start the clock: when they were sent is not known.
            None => {
                self.pace = Some(Pace {
                    since: now,
                    sent: 0,
                })
            }
            Some(pace) => pace.sent = pace.sent.saturating_add(count),
        }
    }

    /// Sending stood still (offline, or waiting for a sign-in): the pace starts again.
    pub fn stalled(&mut self) {
        self.pace = None;
    }

    /// The clinician paused sending, or resumed it (the pace then starts again).
    pub fn set_paused(&mut self, paused: bool) {
        if paused {
            self.stalled();
        }
        self.paused = paused;
    }

    /// The server's rate limit turned a request away.
    pub fn slowed(&mut self) {
        self.slowed = true;
    }
}

/// For the indicator and the Outbox view (a progress bar and its sentence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SendProgress {
    pub sent: u32,
    /// Sent so far plus still waiting (invites queued during the send count too).
    pub total: u32,
    /// "350 of 1,000 sent · about 13 minutes left", and why it is slow when the server limits it.
    pub summary: String,
}

/// Where a send stands with `waiting` invites left; `None` for a short one.
pub fn progress(run: &SendRun, waiting: u32, now: DateTime<Utc>) -> Option<SendProgress> {
    let total = run.sent.saturating_add(waiting);
    if waiting == 0 || (total < LONG_SEND && !run.slowed) {
        return None;
    }
    let mut summary = format!("{} of {} sent", grouped(run.sent), grouped(total));
    if run.paused {
        summary.push_str(" · paused");
        return Some(SendProgress {
            sent: run.sent,
            total,
            summary,
        });
    }
    if let Some(pace) = run.pace.as_ref().filter(|p| p.sent > 0) {
        let elapsed = now - pace.since;
        if elapsed >= PACE_AFTER {
            let seconds_left = elapsed.num_milliseconds() as f64 / 1000.0 * f64::from(waiting)
                / f64::from(pace.sent);
            summary.push_str(" · ");
            summary.push_str(&time_left(seconds_left));
        }
    }
    if run.slowed {
        summary.push_str(
            " · Huma's server limits how fast invites can go; they keep going by themselves",
        );
    }
    Some(SendProgress {
        sent: run.sent,
        total,
        summary,
    })
}

/// "about 13 minutes left", rounded up: a finish promised too early is worse than one too late.
fn time_left(seconds: f64) -> String {
    let minutes = (seconds / 60.0).ceil() as u64;
    match minutes {
        0 | 1 => "about a minute left".to_owned(),
        m if m < 90 => format!("about {m} minutes left"),
        m => format!("about {} hours left", (m as f64 / 60.0).round() as u64),
    }
}

/// 1000 → "1,000".
fn grouped(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap_or_default()
    }

    #[test]
    fn a_short_send_shows_no_progress() {
        let mut run = SendRun::new();
        run.sent(40, at(0));
        assert_eq!(progress(&run, 59, at(60)), None);
        assert_eq!(progress(&run, 0, at(60)), None, "nothing left");
    }

    #[test]
    fn a_long_send_counts_and_estimates_at_the_pace_so_far() {
        let mut run = SendRun::new();
        assert_eq!(
            progress(&run, 1000, at(0)).map(|p| p.summary),
            Some("0 of 1,000 sent".to_owned())
        );
        // 50 a minute (Huma's limit, one personalised SMS per request). The first 50 start the
        // clock; a minute later 50 more: 900 left is 18 minutes.
        run.sent(50, at(0));
        assert_eq!(
            progress(&run, 950, at(30)).map(|p| p.summary),
            Some("50 of 1,000 sent".to_owned()),
            "no pace from the first confirmations alone"
        );
        run.sent(50, at(60));
        let p = progress(&run, 900, at(60)).unwrap_or_else(|| panic!("no progress"));
        assert_eq!((p.sent, p.total), (100, 1000));
        assert_eq!(p.summary, "100 of 1,000 sent · about 18 minutes left");
        // Too early to read a pace.
        let mut early = SendRun::new();
        early.sent(50, at(0));
        early.sent(50, at(5));
        assert_eq!(
            progress(&early, 900, at(5)).map(|p| p.summary),
            Some("100 of 1,000 sent".to_owned())
        );
    }

    #[test]
    fn waiting_for_the_sending_hours_or_a_connection_is_not_slow_sending() {
        // Queued in the evening, held overnight: the pace starts with the morning's first sends.
        let mut run = SendRun::new();
        run.sent(50, at(12 * 3600));
        run.sent(50, at(12 * 3600 + 60));
        assert_eq!(
            progress(&run, 900, at(12 * 3600 + 60)).map(|p| p.summary),
            Some("100 of 1,000 sent · about 18 minutes left".to_owned())
        );
        // Offline for hours: the pace starts again when sending does.
        run.stalled();
        run.sent(50, at(16 * 3600));
        run.sent(50, at(16 * 3600 + 60));
        assert_eq!(
            progress(&run, 800, at(16 * 3600 + 60)).map(|p| p.summary),
            Some("200 of 1,000 sent · about 16 minutes left".to_owned())
        );
    }

    #[test]
    fn the_estimate_rounds_up_and_says_hours_for_long_ones() {
        let mut run = SendRun::new();
        run.sent(1, at(0));
        run.sent(100, at(60));
        assert_eq!(
            progress(&run, 10, at(60)).map(|p| p.summary),
            Some("101 of 111 sent · about a minute left".to_owned())
        );
        assert_eq!(
            progress(&run, 101, at(60)).map(|p| p.summary),
            Some("101 of 202 sent · about 2 minutes left".to_owned())
        );
        assert_eq!(
            progress(&run, 20_000, at(60)).map(|p| p.summary),
            Some("101 of 20,101 sent · about 3 hours left".to_owned())
        );
    }

    #[test]
    fn a_send_the_server_slows_says_why_even_when_short() {
        let mut run = SendRun::new();
        run.sent(10, at(0));
        run.sent(20, at(60));
        run.slowed();
        assert_eq!(
            progress(&run, 20, at(60)).map(|p| p.summary),
            Some(
                "30 of 50 sent · about a minute left · Huma's server limits how fast invites \
                 can go; they keep going by themselves"
                    .to_owned()
            )
        );
    }

    #[test]
    fn a_paused_send_promises_no_time_and_its_pace_starts_again_on_resume() {
        let mut run = SendRun::new();
        run.sent(50, at(0));
        run.sent(50, at(60));
        run.set_paused(true);
        assert_eq!(
            progress(&run, 900, at(3600)).map(|p| p.summary),
            Some("100 of 1,000 sent · paused".to_owned())
        );
        // An hour paused is not slow sending: the pace is read afresh after the resume.
        run.set_paused(false);
        run.sent(50, at(3600));
        assert_eq!(
            progress(&run, 850, at(3610)).map(|p| p.summary),
            Some("150 of 1,000 sent".to_owned())
        );
        run.sent(50, at(3660));
        assert_eq!(
            progress(&run, 800, at(3660)).map(|p| p.summary),
            Some("200 of 1,000 sent · about 16 minutes left".to_owned())
        );
    }

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_234_567), "1,234,567");
    }
}
