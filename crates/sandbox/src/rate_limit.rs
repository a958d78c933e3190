//! Huma's request limit, as its server applies it (flask-limiter, `fixed-window` strategy, keyed by
//! the client's address; `rateLimit.default`, about 50 a minute): a window of one minute opens at
//! the first request, every request in it counts (refused ones too: the limiter counts a hit before
//! checking it), and past the limit the answer is 429 with werkzeug's HTML page and no
//! `Retry-After` (Huma does not turn the limiter's headers on). The sandbox listens on loopback
//! only, so all its clients share one address and one window. The window runs on the sandbox clock.
//!
//! Only `/api/…` routes are limited. Off unless `SandboxConfig::rate_limit_per_minute` or
//! `POST /sandbox/rate-limit {"perMinute": 50}` sets it (`{"perMinute": null}` turns it off);
//! `GET /sandbox/rate-limit` also says how many requests it has refused, and how many API requests
//! it has received in all.
//!
//! This module is the setting and the window; `rate_limit_layer` serves the routes and refuses
//! requests. They are apart because `AppState` holds `RateLimit` while the routes and the
//! middleware need `AppState`.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The shape of `POST /sandbox/rate-limit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RateLimitSetting {
    /// Requests allowed per one-minute window; `None` (or absent): no limit.
    pub per_minute: Option<u32>,
}

/// The shape of `GET /sandbox/rate-limit`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimitReport {
    per_minute: Option<u32>,
    /// 429s answered since the sandbox started.
    refused: u64,
    /// API requests received since the sandbox started, refused or not (what a client spent).
    requests: u64,
}

#[derive(Default)]
struct Inner {
    per_minute: Option<u32>,
    window_start: Option<DateTime<Utc>>,
    count: u32,
    refused: u64,
    requests: u64,
}

impl Inner {
    /// Counts one request at `now`; true when it is over the limit.
    fn hit(&mut self, now: DateTime<Utc>) -> bool {
        self.requests += 1;
        let Some(limit) = self.per_minute else {
            return false;
        };
        let window_open = self
            .window_start
            .is_some_and(|start| now >= start && now < start + Duration::minutes(1));
        if !window_open {
            self.window_start = Some(now);
            self.count = 0;
        }
        self.count = self.count.saturating_add(1);
        let over = self.count > limit;
        if over {
            self.refused += 1;
        }
        over
    }
}

/// Shared by every request; clones share the setting and the window.
#[derive(Clone, Default)]
pub struct RateLimit {
    inner: Arc<Mutex<Inner>>,
}

impl RateLimit {
    pub fn new(per_minute: Option<u32>) -> RateLimit {
        let limit = RateLimit::default();
        limit.set(per_minute);
        limit
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A new setting starts a new window.
    pub fn set(&self, per_minute: Option<u32>) {
        let mut inner = self.lock();
        *inner = Inner {
            per_minute,
            refused: inner.refused,
            requests: inner.requests,
            ..Inner::default()
        };
    }

    /// What `GET /sandbox/rate-limit` answers.
    pub fn report(&self) -> RateLimitReport {
        let inner = self.lock();
        RateLimitReport {
            per_minute: inner.per_minute,
            refused: inner.refused,
            requests: inner.requests,
        }
    }

    /// Counts one API request at `now`; `Some(limit)` when it is over that limit.
    pub fn count_request(&self, now: DateTime<Utc>) -> Option<u32> {
        let mut inner = self.lock();
        inner.hit(now).then(|| inner.per_minute.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::seconds(seconds)
    }

    #[test]
    fn a_fixed_window_opens_at_the_first_request_and_counts_refusals_too() {
        let mut inner = Inner {
            per_minute: Some(3),
            ..Inner::default()
        };
        let refused: Vec<bool> = [10, 20, 30, 40, 69, 70, 71]
            .into_iter()
            .map(|s| inner.hit(at(s)))
            .collect();
        // The window is 10..70 s: the fourth and fifth are refused; at 70 a new one opens.
        assert_eq!(refused, [false, false, false, true, true, false, false]);
        assert_eq!(inner.refused, 2);
    }

    #[test]
    fn without_a_limit_nothing_is_refused() {
        let mut inner = Inner::default();
        assert!((0..1000).all(|s| !inner.hit(at(s / 100))));
    }
}
