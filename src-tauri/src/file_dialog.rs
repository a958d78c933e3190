//! Native file dialogs (rfd, GTK on Linux). GTK belongs to the main thread, so each dialog runs
//! there and the command awaits its answer. Never opened by tests without a display: a GTK dialog
//! with no display hangs.

use std::path::PathBuf;

use huma_core::error::{AppError, AppResult};
use rfd::FileDialog;
use tauri::{AppHandle, Manager, Runtime};

async fn on_main_thread<R: Runtime>(
    handle: &AppHandle<R>,
    dialog: impl FnOnce(FileDialog) -> Option<PathBuf> + Send + 'static,
) -> AppResult<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let window = handle.get_webview_window("main");
    handle
        .run_on_main_thread(move || {
            let mut base = FileDialog::new();
            if let Some(window) = &window {
                base = base.set_parent(window);
            }
            let _ = tx.send(dialog(base));
        })
        .map_err(|e| AppError::internal(format!("The file dialog could not open: {e}")))?;
    rx.await
        .map_err(|_| AppError::internal("The file dialog closed unexpectedly."))
}

pub async fn pick_csv<R: Runtime>(handle: &AppHandle<R>) -> AppResult<Option<PathBuf>> {
    on_main_thread(handle, |d| {
        d.set_title("Import patients from a CSV file")
            .add_filter("CSV or text files", &["csv", "txt", "tsv"])
            .add_filter("All files", &["*"])
            .pick_file()
    })
    .await
}

pub async fn save_csv<R: Runtime>(
    handle: &AppHandle<R>,
    file_name: &str,
) -> AppResult<Option<PathBuf>> {
    let file_name = file_name.to_owned();
    on_main_thread(handle, move |d| {
        d.set_title("Save the rejected rows")
            .set_file_name(file_name)
            .add_filter("CSV files", &["csv"])
            .save_file()
    })
    .await
}
