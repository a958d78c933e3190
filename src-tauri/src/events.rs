//! The events the app sends the UI, declared once with what they carry: the emitters use these,
//! the development host forwards exactly these to a browser, and the UI's typed subscriptions are
//! written from this file (`ui_bindings.rs`).

use std::marker::PhantomData;

use huma_core::invite::types::CsvProgress;
use huma_core::sync::OutboxStatus;
use serde::Serialize;
use tauri::{Emitter, Runtime};

/// An event, named as the UI listens for it, carrying a `P`.
pub struct Event<P> {
    pub name: &'static str,
    payload: PhantomData<fn(P)>,
}

impl<P: Serialize + Clone> Event<P> {
    const fn new(name: &'static str) -> Self {
        Self {
            name,
            payload: PhantomData,
        }
    }

    /// Sends it to every window. A failure (the window closing) is not worth more than a debug
    /// line: the UI asks for the current state when it opens.
    pub fn emit<R: Runtime>(&self, to: &impl Emitter<R>, payload: P) {
        if let Err(e) = to.emit(self.name, payload) {
            tracing::debug!(event = self.name, error = %e, "an event was not delivered");
        }
    }
}

/// The outbox's counts and state changed.
pub const OUTBOX_CHANGED: Event<OutboxStatus> = Event::new("outbox-changed");
/// A CSV file is being read (while `pick_csv` / `import_csv` run).
pub const CSV_PROGRESS: Event<CsvProgress> = Event::new("csv-progress");

/// Every event above, by name.
#[cfg_attr(not(feature = "dev-host"), allow(dead_code))]
pub const ALL: [&str; 2] = [OUTBOX_CHANGED.name, CSV_PROGRESS.name];
