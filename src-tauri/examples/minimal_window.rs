//! The baseline for the start-up benchmark (`scripts/app_footprint.sh`): the smallest Tauri app
//! built like ours (same Tauri, same features, same profile), one window showing one line of HTML.
//! What the real app takes beyond this is what our own start-up costs: the policy and settings
//! read, logging, the keyring, the core, and the UI's bundle rendering the sign-in screen.

// As the app: no console window beside it on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use tauri::http::Response;
use tauri::{WebviewUrl, WebviewWindowBuilder};

/// What the benchmark waits for: painted once WebDriver finds it. Served the way the app serves
/// its own UI, from a custom protocol (a data URL would need another Tauri feature).
const PAGE: &str = "<!doctype html><title>Baseline</title><h1 id='ready'>Ready</h1>";
const PAGE_URL: &str = "baseline://localhost/";

fn main() {
    let mut context = tauri::generate_context!("tauri.conf.json");
    // The app's own window (and its UI bundle) is not this baseline's.
    context.config_mut().app.windows.clear();
    let result = tauri::Builder::default()
        .register_uri_scheme_protocol("baseline", |_, _| {
            Response::builder()
                .header("Content-Type", "text/html")
                .body(PAGE.as_bytes().to_vec())
                .unwrap_or_default()
        })
        .setup(|app| {
            let url = PAGE_URL.parse().map_err(|e| format!("{PAGE_URL}: {e}"))?;
            WebviewWindowBuilder::new(app, "main", WebviewUrl::CustomProtocol(url))
                .title("Baseline")
                .inner_size(1200.0, 780.0)
                .build()?;
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("minimal_window: {e}");
        std::process::exit(1);
    }
}
