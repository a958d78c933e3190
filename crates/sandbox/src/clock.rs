//! The sandbox clock: real time plus an offset that `POST /sandbox/clock` moves forward, so tests can
//! expire tokens and codes without sleeping. Every timestamp the sandbox writes or compares uses it.
//! The offset is saved in the database, so a restarted sandbox keeps its time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use chrono::{DateTime, Duration, SecondsFormat, Utc};

/// Cheap to clone; clones share the offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    /// A clock already moved forward by `offset_micros` (kept across restarts).
    pub fn with_offset(offset_micros: i64) -> Clock {
        Clock {
            offset_micros: Arc::new(AtomicI64::new(offset_micros)),
        }
    }

    /// How far the clock has been moved, in microseconds.
    pub fn offset_micros(&self) -> i64 {
        self.offset_micros.load(Ordering::SeqCst)
    }

    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::microseconds(self.offset_micros.load(Ordering::SeqCst))
    }

    /// Microseconds since the Unix epoch: how the database stores instants.
    pub fn now_micros(&self) -> i64 {
        self.now().timestamp_micros()
    }

    /// Moves the clock forward; the caller bounds `seconds` so this cannot overflow.
    pub fn advance(&self, seconds: i64) {
        self.offset_micros
            .fetch_add(seconds.saturating_mul(1_000_000), Ordering::SeqCst);
    }
}

/// Huma's timestamp format: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn format_instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Formats a stored instant (microseconds since the epoch).
pub fn format_micros(micros: i64) -> String {
    format_instant(DateTime::from_timestamp_micros(micros).unwrap_or_default())
}

/// A stored instant for people to read: `3 December 2026 at 18:22 UTC`.
pub fn format_micros_for_people(micros: i64) -> String {
    DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .format("%-d %B %Y at %H:%M UTC")
        .to_string()
}

const META_KEY: &str = "clock_offset_micros";

/// The offset saved by `save_offset`, or 0.
pub fn load_offset(conn: &rusqlite::Connection) -> rusqlite::Result<i64> {
    use rusqlite::OptionalExtension;
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [META_KEY], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(stored.and_then(|v| v.parse().ok()).unwrap_or(0))
}

pub fn save_offset(conn: &rusqlite::Connection, offset_micros: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        rusqlite::params![META_KEY, offset_micros.to_string()],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_every_clone() {
        let clock = Clock::default();
        let other = clock.clone();
        let before = other.now();
        clock.advance(3600);
        let moved = other.now() - before;
        assert!(moved >= Duration::seconds(3600) && moved < Duration::seconds(3660));
    }

    #[test]
    fn instants_use_huma_format() {
        assert_eq!(
            format_micros(1_700_000_000_123_456),
            "2023-11-14T22:13:20.123456Z"
        );
        assert_eq!(
            format_micros_for_people(1_700_000_000_123_456),
            "14 November 2023 at 22:13 UTC"
        );
    }
}
