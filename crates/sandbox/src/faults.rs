//! Fault injection for API routes (`/api/…` only; never `/sandbox/…` or `/healthz`), set by
//! `POST /sandbox/faults` and read by `GET /sandbox/faults`. Every field is optional; `{}` clears.
//!
//! Per matching request, in this order: wait `latencyMs`; with `dropBeforeAct`, close the
//! connection without running the handler; with `rate429`, answer 429 with `Retry-After`; with
//! `errorRate`, answer `errorStatus`; otherwise run the handler (which commits), then with
//! `dropResponseAfterCommit` close the connection instead of answering. Each probability is drawn
//! only when set, from one generator that `seed` resets, so a sequential test sees the same faults
//! on every run. Faults live in memory: a restart clears them.
//!
//! This module is the setting and the draw; `fault_layer` serves the routes and acts the decisions
//! out. They are apart because `AppState` holds `Faults` while the routes and the middleware need
//! `AppState`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

const MAX_LATENCY_MS: u64 = 60_000;
const MAX_RETRY_AFTER_SECS: u64 = 3600;
const DEFAULT_ERROR_STATUS: u16 = 503;
const DEFAULT_RETRY_AFTER_SECS: u64 = 1;

/// The faults in force; the shape of `POST`/`GET /sandbox/faults`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultConfig {
    /// Probability (0..1) of answering `errorStatus` without acting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    /// 400..599; default 503.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_status: Option<u16>,
    /// Added before every matching request, up to a minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// Probability of answering 429 with `Retry-After`, without acting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate429: Option<f64>,
    /// The `Retry-After` of a 429, in seconds; default 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Probability of closing the connection without acting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_before_act: Option<f64>,
    /// Probability of acting (and committing), then closing the connection without an answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_response_after_commit: Option<f64>,
    /// Only paths containing one of these substrings; absent or empty: every API route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paths: Option<Vec<String>>,
    /// Resets the random generator, for repeatable tests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
}

impl FaultConfig {
    pub fn is_valid(&self) -> bool {
        let probability = |p: Option<f64>| p.is_none_or(|p| (0.0..=1.0).contains(&p));
        probability(self.error_rate)
            && probability(self.rate429)
            && probability(self.drop_before_act)
            && probability(self.drop_response_after_commit)
            && self.error_status.is_none_or(|s| (400..=599).contains(&s))
            && self.latency_ms.is_none_or(|ms| ms <= MAX_LATENCY_MS)
            && self
                .retry_after_seconds
                .is_none_or(|s| s <= MAX_RETRY_AFTER_SECS)
    }

    fn applies_to(&self, path: &str) -> bool {
        path.starts_with("/api/")
            && match self.paths.as_deref() {
                None | Some([]) => true,
                Some(paths) => paths.iter().any(|p| path.contains(p.as_str())),
            }
    }
}

/// What to do with one request.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub latency: Option<Duration>,
    pub drop_before: bool,
    /// Answer 429 with this `Retry-After`, in seconds.
    pub too_many: Option<u64>,
    /// Answer this status.
    pub error: Option<u16>,
    pub drop_after: bool,
}

struct Inner {
    config: FaultConfig,
    rng: StdRng,
}

impl Inner {
    fn draw(&mut self, probability: Option<f64>) -> bool {
        probability.is_some_and(|p| self.rng.random::<f64>() < p)
    }

    fn decide(&mut self, path: &str) -> Decision {
        if !self.config.applies_to(path) {
            return Decision::default();
        }
        let c = self.config.clone();
        let mut decision = Decision {
            latency: c.latency_ms.filter(|&ms| ms > 0).map(Duration::from_millis),
            ..Decision::default()
        };
        decision.drop_before = self.draw(c.drop_before_act);
        if self.draw(c.rate429) {
            decision.too_many = Some(c.retry_after_seconds.unwrap_or(DEFAULT_RETRY_AFTER_SECS));
        }
        if self.draw(c.error_rate) {
            decision.error = Some(c.error_status.unwrap_or(DEFAULT_ERROR_STATUS));
        }
        decision.drop_after = self.draw(c.drop_response_after_commit);
        decision
    }
}

/// Shared by every request; clones share the setting.
#[derive(Clone)]
pub struct Faults {
    inner: Arc<Mutex<Inner>>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            inner: Arc::new(Mutex::new(Inner {
                config: FaultConfig::default(),
                rng: StdRng::seed_from_u64(rand::random()),
            })),
        }
    }
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    pub fn set(&self, config: FaultConfig) {
        let mut inner = self.lock();
        if let Some(seed) = config.seed {
            inner.rng = StdRng::seed_from_u64(seed);
        }
        inner.config = config;
    }

    pub fn decide(&self, path: &str) -> Decision {
        self.lock().decide(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faults(config: FaultConfig) -> Faults {
        let faults = Faults::default();
        faults.set(config);
        faults
    }

    #[test]
    fn only_api_routes_named_by_paths_are_touched() {
        let f = faults(FaultConfig {
            error_rate: Some(1.0),
            paths: Some(vec!["send-invitation".into()]),
            seed: Some(1),
            ..FaultConfig::default()
        });
        assert_eq!(
            f.decide("/api/extensions/v1/deployment/send-invitation")
                .error,
            Some(503)
        );
        assert_eq!(
            f.decide("/api/extensions/v1/deployment/invitations"),
            Decision::default()
        );
        let all = faults(FaultConfig {
            error_rate: Some(1.0),
            ..FaultConfig::default()
        });
        assert!(all.decide("/api/auth/v1/signin").error.is_some());
        assert_eq!(all.decide("/sandbox/messages"), Decision::default());
        assert_eq!(all.decide("/healthz"), Decision::default());
    }

    #[test]
    fn a_seed_repeats_the_same_faults() {
        let config = FaultConfig {
            drop_response_after_commit: Some(0.5),
            seed: Some(7),
            ..FaultConfig::default()
        };
        let run = || {
            let f = faults(config.clone());
            (0..64)
                .map(|_| f.decide("/api/x").drop_after)
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        let dropped = first.iter().filter(|d| **d).count();
        assert!((16..=48).contains(&dropped), "{dropped}");
    }

    #[test]
    fn out_of_range_settings_are_refused() {
        for bad in [
            r#"{"errorRate": 1.5}"#,
            r#"{"rate429": -0.1}"#,
            r#"{"errorStatus": 200}"#,
            r#"{"latencyMs": 600000}"#,
        ] {
            let valid = serde_json::from_str::<FaultConfig>(bad).map(|c| c.is_valid());
            assert_eq!(valid.ok(), Some(false), "{bad}");
        }
        assert!(serde_json::from_str::<FaultConfig>(r#"{"errorRat": 0.1}"#).is_err());
        assert!(FaultConfig::default().is_valid());
    }
}
