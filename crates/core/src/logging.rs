//! Diagnostics go to rotated files in the app's log folder. What is logged is chosen at each call site:
//! never tokens, passwords, codes, phone numbers, emails or patient names (an end-to-end test greps
//! the logs of a real run for them).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;

/// Flushes the log file when dropped: the app keeps it for as long as it runs.
pub type LogGuard = WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// Keep a week of daily files.
const KEPT_FILES: usize = 7;
pub const LOG_FILE_PREFIX: &str = "huma-clinician";

/// Starts file logging. Keep the guard alive for the life of the app: dropping it flushes the file.
pub fn init(log_dir: &Path, level: &str) -> Result<LogGuard, String> {
    crate::private_dir::create_dir_all_private(log_dir)
        .map_err(|e| format!("cannot create the log folder {}: {e}", log_dir.display()))?;
    let appender = Builder::new()
        .rotation(Rotation::DAILY)
        .max_log_files(KEPT_FILES)
        .filename_prefix(LOG_FILE_PREFIX)
        .filename_suffix("log")
        .build(log_dir)
        .map_err(|e| format!("cannot open a log file in {}: {e}", log_dir.display()))?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    // Every crate of ours at `level` (a new crate must be named here, or its lines are dropped:
    // the end-to-end `trace_log` test looks for the HTTP client's); chatty dependencies (HTTP
    // internals, webview) at warn.
    let filter = EnvFilter::try_new(format!(
        "warn,huma_core={level},huma_api={level},huma_clinician={level},huma_sandbox={level}"
    ))
    .map_err(|e| format!("invalid log level {level:?}: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("logging already started: {e}"))?;
    Ok(guard)
}
