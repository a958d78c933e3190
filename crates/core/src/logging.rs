//! Diagnostics go to rotated files in the app's log folder. What is logged is chosen at each call site:
//! never tokens, passwords, codes, phone numbers, emails or patient names (an end-to-end test greps
//! the logs of a real run for them).

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;

/// Flushes the log file when dropped: the app keeps it for as long as it runs.
pub type LogGuard = WorkerGuard;
use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;

/// The crates whose lines are logged at the chosen level (as `tracing` names their targets): every
/// crate of ours that runs in the app. A test holds this to the workspace's packages.
const OUR_CRATES: [&str; 4] = ["huma_core", "huma_api", "huma_clinician", "huma_sandbox"];

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
    let filter = EnvFilter::try_new(filter_directives(level))
        .map_err(|e| format!("invalid log level {level:?}: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("logging already started: {e}"))?;
    Ok(guard)
}

/// Every crate of ours at `level`; chatty dependencies (HTTP internals, webview) at warn.
fn filter_directives(level: &str) -> String {
    OUR_CRATES
        .iter()
        .fold("warn".to_owned(), |directives, krate| {
            format!("{directives},{krate}={level}")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `[package]` name of a Cargo.toml, as `tracing` spells it in targets.
    fn package_name(manifest: &Path) -> String {
        let text = std::fs::read_to_string(manifest).expect("a readable Cargo.toml");
        let package = text.split("[package]").nth(1).expect("a [package] table");
        let line = package.lines().find(|l| l.trim_start().starts_with("name"));
        let line = line.expect("a package name");
        line.split('"')
            .nth(1)
            .expect("a quoted name")
            .replace('-', "_")
    }

    /// A crate added to the workspace and left out of the filter would have its lines dropped
    /// without a word (the HTTP client's were, once). The end-to-end test crate never runs in the app.
    #[test]
    fn every_crate_of_the_app_is_logged_at_the_chosen_level() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut manifests = vec![root.join("Cargo.toml")];
        for entry in std::fs::read_dir(root.join("crates")).expect("the crates folder") {
            let manifest = entry.expect("a crate folder").path().join("Cargo.toml");
            if manifest.exists() {
                manifests.push(manifest);
            }
        }
        let mut ours: Vec<String> = manifests.iter().map(|m| package_name(m)).collect();
        ours.sort();
        let mut logged: Vec<String> = OUR_CRATES.iter().map(|c| c.to_string()).collect();
        logged.sort();
        assert_eq!(logged, ours, "OUR_CRATES must name every crate of the app");
        assert_eq!(
            filter_directives("debug"),
            "warn,huma_core=debug,huma_api=debug,huma_clinician=debug,huma_sandbox=debug"
        );
    }
}
