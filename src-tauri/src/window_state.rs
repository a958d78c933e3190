//! Remembers the main window's size between runs.

use tauri::{AppHandle, LogicalSize, Manager, Runtime, WindowEvent};

use crate::preferences::{self, WindowSize};

pub fn restore_and_track<R: Runtime>(handle: &AppHandle<R>) {
    let Some(window) = handle.get_webview_window("main") else {
        return;
    };
    if let Some(size) = preferences::window_size(handle) {
        // Ignore nonsense (a file edited by hand, a screen that got smaller).
        if (600.0..10_000.0).contains(&size.width) && (400.0..10_000.0).contains(&size.height) {
            let _ = window.set_size(LogicalSize::new(size.width, size.height));
        }
    }
    let handle = handle.clone();
    let tracked = window.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::CloseRequested { .. } = event {
            let scale = tracked.scale_factor().unwrap_or(1.0);
            if let Ok(size) = tracked.inner_size() {
                let logical = size.to_logical::<f64>(scale);
                let size = WindowSize {
                    width: logical.width,
                    height: logical.height,
                };
                if let Err(e) = preferences::set_window_size(&handle, size) {
                    tracing::warn!(error = %e, "window size not saved");
                }
            }
        }
    });
}
