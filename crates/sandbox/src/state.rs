//! What every handler shares: the database, the clock, the demo account and the switches tests
//! turn. Its own module so that handlers and the router both depend on it, not on each other.

use std::sync::Arc;

use crate::clock::Clock;
use crate::db::Db;
use crate::faults::Faults;
use crate::rate_limit::RateLimit;
use crate::{DemoAccount, Quirks};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub demo: Arc<DemoAccount>,
    /// `http://127.0.0.1:PORT`: the bound address, for links in the messages the sandbox sends.
    pub base_url: Arc<str>,
    pub faults: Faults,
    pub rate_limit: RateLimit,
    pub quirks: Quirks,
}
