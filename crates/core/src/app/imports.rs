//! CSV files read for import: each kept by its import id for the preview's Send (the newest few
//! only), and the read under way, which the clinician can cancel.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::invite::csv_import::CsvRead;

/// How many read CSV files are kept for their Send button.
const KEPT_IMPORTS: usize = 3;

#[derive(Default)]
pub(super) struct Imports {
    read: Mutex<Vec<(String, CsvRead)>>,
    /// The cancel flag of the read under way, if any.
    reading: Mutex<Option<Arc<AtomicBool>>>,
}

fn guard<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

impl Imports {
    /// A read begins: its cancel flag. One import dialog reads at a time, so a read still running
    /// from an earlier choice is cancelled (its answer would be thrown away).
    pub(super) fn begin_read(&self) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        if let Some(earlier) = guard(&self.reading).replace(Arc::clone(&flag)) {
            earlier.store(true, Ordering::Relaxed);
        }
        flag
    }

    /// The read with this flag is over (read, refused or cancelled).
    pub(super) fn end_read(&self, flag: &Arc<AtomicBool>) {
        let mut reading = guard(&self.reading);
        if reading.as_ref().is_some_and(|r| Arc::ptr_eq(r, flag)) {
            *reading = None;
        }
    }

    /// Stops the read under way; whether there was one.
    pub(super) fn cancel_read(&self) -> bool {
        match guard(&self.reading).take() {
            Some(flag) => {
                flag.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    pub(super) fn keep(&self, import_id: String, read: CsvRead) {
        let mut kept = guard(&self.read);
        kept.push((import_id, read));
        if kept.len() > KEPT_IMPORTS {
            kept.remove(0);
        }
    }

    pub(super) fn with<T>(&self, import_id: &str, f: impl FnOnce(&CsvRead) -> T) -> Option<T> {
        guard(&self.read)
            .iter()
            .find(|(id, _)| id == import_id)
            .map(|(_, read)| f(read))
    }
}
