//! Files the clinician dropped on the window. The webview is not trusted to name files: a page
//! that was made to run someone else's script could otherwise ask to import anything the clinician
//! can read. It may only hand back a file the operating system itself just reported as dropped.
//! (A file chosen in the native file dialog never passes through the webview at all.)

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{AppError, AppResult};

/// The latest drop's files, each usable once.
#[derive(Debug, Default)]
pub struct DroppedFiles {
    latest: Mutex<Vec<PathBuf>>,
}

impl DroppedFiles {
    /// The operating system reports a drop on the window: it replaces the previous one.
    pub fn dropped(&self, paths: Vec<PathBuf>) {
        *self.latest() = paths;
    }

    /// Gives `path` back if it came with the latest drop, and forgets it.
    pub fn take(&self, path: &Path) -> AppResult<PathBuf> {
        let mut latest = self.latest();
        match latest.iter().position(|p| p == path) {
            Some(i) => Ok(latest.swap_remove(i)),
            None => Err(AppError::invalid_input(
                "That file was not dropped on this window. Drop it again, or use the Import CSV… button.",
            )),
        }
    }

    fn latest(&self) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
        // A panic while holding it cannot leave a half-written list: each write replaces it whole.
        self.latest.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn only_a_file_from_the_latest_drop_is_imported_and_only_once() {
        let files = DroppedFiles::default();
        let clinic = Path::new("/home/clinician/Clinic list.csv");
        let other = Path::new("/home/clinician/.ssh/id_ed25519");

        // Nothing dropped: the webview cannot name a file.
        let refused = files.take(clinic);
        assert_eq!(refused.map_err(|e| e.code), Err(ErrorCode::InvalidInput));

        files.dropped(vec![clinic.to_path_buf()]);
        assert_eq!(
            files.take(other).map_err(|e| e.code),
            Err(ErrorCode::InvalidInput)
        );
        assert_eq!(files.take(clinic), Ok(clinic.to_path_buf()));
        assert!(files.take(clinic).is_err(), "a drop is used once");

        // A new drop replaces the one before.
        files.dropped(vec![clinic.to_path_buf()]);
        files.dropped(vec![other.with_file_name("today.csv")]);
        assert!(files.take(clinic).is_err());
        assert!(files.take(&other.with_file_name("today.csv")).is_ok());
    }
}
