//! Native file dialogs (rfd, GTK on Linux). GTK belongs to the main thread: each dialog is created
//! there (it does not block it — the app keeps painting) and the command awaits the answer. Never
//! opened by tests without a display: a GTK dialog with no display hangs.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

use huma_core::error::{AppError, AppResult};
use rfd::{AsyncFileDialog, FileHandle};
use tauri::{AppHandle, Manager, Runtime};

type Answer = Pin<Box<dyn Future<Output = Option<FileHandle>> + Send>>;

async fn show<R: Runtime>(
    handle: &AppHandle<R>,
    dialog: impl FnOnce(AsyncFileDialog) -> Answer + Send + 'static,
) -> AppResult<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let window = handle.get_webview_window("main");
    handle
        .run_on_main_thread(move || {
            let mut base = AsyncFileDialog::new();
            if let Some(window) = &window {
                base = base.set_parent(window);
            }
            let _ = tx.send(dialog(base));
        })
        .map_err(|e| AppError::internal(format!("The file dialog could not open: {e}")))?;
    let answer = rx
        .await
        .map_err(|_| AppError::internal("The file dialog closed unexpectedly."))?;
    Ok(answer.await.map(|file| file.path().to_path_buf()))
}

pub async fn pick_csv<R: Runtime>(handle: &AppHandle<R>) -> AppResult<Option<PathBuf>> {
    show(handle, |d| {
        Box::pin(
            d.set_title("Import patients from a CSV file")
                .add_filter("CSV or text files", &["csv", "txt", "tsv"])
                .pick_file(),
        )
    })
    .await
}

pub async fn save_csv<R: Runtime>(
    handle: &AppHandle<R>,
    file_name: &str,
) -> AppResult<Option<PathBuf>> {
    let file_name = file_name.to_owned();
    show(handle, move |d| {
        Box::pin(
            d.set_title("Save the rejected rows")
                .set_file_name(file_name)
                .add_filter("CSV files", &["csv"])
                .save_file(),
        )
    })
    .await
}
