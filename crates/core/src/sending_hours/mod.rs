//! Considerate sending hours: an SMS invite queued outside the clinic's hours (an email invite too,
//! when the clinic says so) waits in the outbox until the window next opens, in the clinic's time
//! zone. Local times are resolved with the IANA database, so daylight-saving changes are handled:
//! a start time skipped by the spring change opens the window when the clocks jump (the first
//! instant whose local time is past it); one repeated by the autumn change opens it the first time.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::invite::types::Channel;

#[cfg(test)]
mod tests;

/// The built-in window: 08:00–20:00, Monday to Saturday.
pub const DEFAULT_WINDOW: &str = "Mon-Sat 08:00-20:00";
/// The window IT or a clinician writes to turn holding off.
const ALWAYS: &str = "always";
const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MINUTES_PER_DAY: u16 = 24 * 60;

/// The days and the local time window in which invites may go out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Monday first.
    days: [bool; 7],
    /// Minutes after local midnight: from `start` (inclusive) to `end` (exclusive, at most 24:00).
    start: u16,
    end: u16,
}

impl Default for Window {
    fn default() -> Self {
        Window::parse(DEFAULT_WINDOW).unwrap_or(Window {
            days: [true; 7],
            start: 0,
            end: MINUTES_PER_DAY,
        })
    }
}

impl Window {
    /// Reads `Mon-Sat 08:00-20:00` (days as names, ranges or both, comma-separated: `Mon-Wed,Fri`),
    /// or `always`. The error says what is wrong, for IT and for the Settings dialog.
    pub fn parse(text: &str) -> Result<Window, String> {
        let text = text.trim();
        if text.eq_ignore_ascii_case(ALWAYS) {
            return Ok(Window {
                days: [true; 7],
                start: 0,
                end: MINUTES_PER_DAY,
            });
        }
        let Some((days, times)) = text.split_once(char::is_whitespace) else {
            return Err(format!(
                "it must name days and a time window, such as “{DEFAULT_WINDOW}” (or “{ALWAYS}”)"
            ));
        };
        let days = parse_days(days)?;
        let (start, end) = times.trim().split_once(['-', '–']).ok_or_else(|| {
            format!(
                "“{}” is not a time window such as 08:00-20:00",
                times.trim()
            )
        })?;
        let (start, end) = (parse_time(start)?, parse_time(end)?);
        if start >= end {
            return Err(
                "the window must start before it ends on the same day (08:00-20:00, not 20:00-08:00)"
                    .into(),
            );
        }
        Ok(Window { days, start, end })
    }

    fn open_on(&self, date: NaiveDate) -> bool {
        self.days[date.weekday().num_days_from_monday() as usize]
    }

    /// Whether invites may go out at `now`.
    pub fn is_open(&self, zone: Tz, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&zone);
        let minute = (local.hour() * 60 + local.minute()) as u16;
        self.open_on(local.date_naive()) && (self.start..self.end).contains(&minute)
    }

    /// When the window next opens after `now`; `None` while it is open.
    pub fn next_opening(&self, zone: Tz, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(zone, now) {
            return None;
        }
        let today = now.with_timezone(&zone).date_naive();
        // Some day of the next week is open (parsing refuses a window with no days).
        (0..=7)
            .filter_map(|n| today.checked_add_signed(Duration::days(n)))
            .filter(|date| self.open_on(*date))
            .map(|date| opening(zone, date, self.start))
            .find(|at| *at > now)
    }
}

/// The first instant of `date` whose local time is `minute` or later.
fn opening(zone: Tz, date: NaiveDate, minute: u16) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    // A skipped local time (spring change) resolves to the first minute after the gap.
    (i64::from(minute)..i64::from(minute) + 24 * 60)
        .find_map(
            |m| match zone.from_local_datetime(&(midnight + Duration::minutes(m))) {
                LocalResult::Single(t) => Some(t),
                // Repeated (autumn change): the first time the clocks show it.
                LocalResult::Ambiguous(first, _) => Some(first),
                LocalResult::None => None,
            },
        )
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

/// `Mon`, `Monday` and `mon` all name Monday; `Monkey` does not.
fn day(name: &str) -> Result<usize, String> {
    const FULL: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let name = name.trim();
    (0..7)
        .find(|&d| name.eq_ignore_ascii_case(DAY_NAMES[d]) || name.eq_ignore_ascii_case(FULL[d]))
        .ok_or_else(|| format!("“{name}” is not a day: use Mon, Tue, Wed, Thu, Fri, Sat or Sun"))
}

fn parse_days(text: &str) -> Result<[bool; 7], String> {
    let mut days = [false; 7];
    for part in text.split(',').filter(|p| !p.trim().is_empty()) {
        match part.split_once(['-', '–']) {
            Some((from, to)) => {
                let (from, to) = (day(from)?, day(to)?);
                // A range may wrap past Sunday (Sat-Mon).
                let mut d = from;
                loop {
                    days[d] = true;
                    if d == to {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[day(part)?] = true,
        }
    }
    if days.iter().any(|d| *d) {
        Ok(days)
    } else {
        Err("it must name at least one day".into())
    }
}

/// `08:00` or `8:00` → minutes after midnight; `24:00` is the end of the day.
fn parse_time(text: &str) -> Result<u16, String> {
    let text = text.trim();
    let bad = || format!("“{text}” is not a time of day: use 24-hour HH:MM, such as 08:00");
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    let digits = |s: &str, max_len| {
        (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    match (digits(h, 2), digits(m, 2).filter(|_| m.len() == 2)) {
        (Some(h), Some(m)) if (h < 24 && m < 60) || (h == 24 && m == 0) => Ok(h * 60 + m),
        _ => Err(bad()),
    }
}

impl fmt::Display for Window {
    /// The canonical form: `Mon-Sat 08:00-20:00`, `Mon-Wed,Fri 09:00-17:30`, or `always`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.days == [true; 7] && self.start == 0 && self.end == MINUTES_PER_DAY {
            return f.write_str(ALWAYS);
        }
        let mut runs: Vec<String> = Vec::new();
        let mut d = 0;
        while d < 7 {
            if !self.days[d] {
                d += 1;
                continue;
            }
            let first = d;
            while d + 1 < 7 && self.days[d + 1] {
                d += 1;
            }
            runs.push(if first == d {
                DAY_NAMES[d].to_owned()
            } else {
                format!("{}-{}", DAY_NAMES[first], DAY_NAMES[d])
            });
            d += 1;
        }
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{} {}-{}", runs.join(","), hm(self.start), hm(self.end))
    }
}

/// An IANA time zone name (`Europe/London`), as IT and clinicians write it.
pub fn parse_time_zone(text: &str) -> Result<Tz, String> {
    text.trim().parse::<Tz>().map_err(|_| {
        format!(
            "“{}” is not a time zone: use an IANA name such as Europe/London",
            text.trim()
        )
    })
}

/// This computer's time zone, or UTC when the system does not name one (the Settings dialog then
/// shows UTC, and the clinic can set its zone).
pub fn computer_time_zone() -> Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse().ok())
        .unwrap_or(Tz::UTC)
}

/// The clinic's sending hours as the core applies them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendingHours {
    pub window: Window,
    pub zone: Tz,
    /// Whether email invites are held too (by default only SMS invites are).
    pub hold_email: bool,
}

impl Default for SendingHours {
    fn default() -> Self {
        SendingHours {
            window: Window::default(),
            zone: computer_time_zone(),
            hold_email: false,
        }
    }
}

impl SendingHours {
    /// Until when an invite on `channel` queued at `now` must wait; `None`: it may go at once.
    pub fn hold_until(&self, channel: Channel, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if channel == Channel::Email && !self.hold_email {
            return None;
        }
        self.window.next_opening(self.zone, now)
    }

    /// The sentence the Outbox view and the notice after Send show for an invite held until `at`:
    /// "Will send at 08:00", "Will send tomorrow at 08:00", "Will send on Monday at 08:00".
    pub fn will_send(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let at = at.with_timezone(&self.zone);
        let today = now.with_timezone(&self.zone).date_naive();
        let time = at.format("%H:%M");
        match (at.date_naive() - today).num_days() {
            ..=0 => format!("Will send at {time}"),
            1 => format!("Will send tomorrow at {time}"),
            2..=6 => format!("Will send on {} at {time}", at.format("%A")),
            _ => format!("Will send on {} at {time}", at.format("%A %-d %B")),
        }
    }
}
