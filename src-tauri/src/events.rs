//! The events the app sends the UI, named once: the emitters use these, and the development host
//! forwards exactly these to a browser.

/// The outbox's counts and state changed (`OutboxStatus`).
pub const OUTBOX_CHANGED: &str = "outbox-changed";
/// A CSV file is being read (`CsvProgress`).
pub const CSV_PROGRESS: &str = "csv-progress";

/// Every event above.
#[cfg_attr(not(feature = "dev-host"), allow(dead_code))]
pub const ALL: [&str; 2] = [OUTBOX_CHANGED, CSV_PROGRESS];
