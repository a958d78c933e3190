//! IPC commands of the Outbox view and the sync indicator: adapters onto `ClinicianApp`, plus the
//! forwarding of outbox changes to the UI and the native "queued invites were sent" notification.

use std::sync::Arc;

use huma_core::app::ClinicianApp;
use huma_core::sync::OutboxEntry;
use tauri::{AppHandle, Runtime, State};

use crate::command_error::CommandResult;

type App<'a> = State<'a, Arc<ClinicianApp>>;

/// Everything not sent, plus what was sent in the last 24 hours.
#[tauri::command]
pub async fn outbox_entries(app: App<'_>) -> CommandResult<Vec<OutboxEntry>> {
    Ok(app.outbox_entries().await?)
}

/// Needs-attention / rejected rows back to the queue; how many.
#[tauri::command]
pub async fn retry_outbox(app: App<'_>, ids: Vec<String>) -> CommandResult<u32> {
    Ok(app.retry_outbox(&ids).await?)
}

/// "Send now" on rows held for the sending hours; how many.
#[tauri::command]
pub async fn send_outbox_now(app: App<'_>, ids: Vec<String>) -> CommandResult<u32> {
    Ok(app.send_outbox_now(&ids).await?)
}

/// "Send now" on the notice after Send: the batch's held invites; how many.
#[tauri::command]
pub async fn send_batch_now(app: App<'_>, batch_id: String) -> CommandResult<u32> {
    Ok(app.send_batch_now(&batch_id).await?)
}

/// These rows will not be sent; how many were discarded.
#[tauri::command]
pub async fn discard_outbox(app: App<'_>, ids: Vec<String>) -> CommandResult<u32> {
    Ok(app.discard_outbox(&ids).await?)
}

/// Every unsent row of the signed-in clinician (sign-out's explicit discard).
#[tauri::command]
pub async fn discard_unsent(app: App<'_>) -> CommandResult<u32> {
    Ok(app.discard_unsent().await?)
}

/// "Pause sending": queued invites stay on this computer until `resume_sending`, even after a
/// restart.
#[tauri::command]
pub async fn pause_sending(app: App<'_>) -> CommandResult<()> {
    Ok(app.pause_sending().await?)
}

/// "Resume sending": the queue goes out again.
#[tauri::command]
pub async fn resume_sending(app: App<'_>) -> CommandResult<()> {
    Ok(app.resume_sending().await?)
}

#[tauri::command]
pub fn sync_now(app: App<'_>) {
    app.sync_now();
}

/// Keeps the UI's indicator current (event `outbox-changed`) and tells the clinician, with a native
/// notification, when invites queued while offline have gone out. Notification failures (no
/// notification daemon, permission refused) are ignored: the indicator says the same.
pub fn forward_outbox_changes<R: Runtime>(handle: &AppHandle<R>, app: &ClinicianApp) {
    let mut changes = app.subscribe_outbox();
    let events = handle.clone();
    tauri::async_runtime::spawn(async move {
        while changes.changed().await.is_ok() {
            let status = changes.borrow_and_update().clone();
            crate::events::OUTBOX_CHANGED.emit(&events, status);
        }
    });
    let mut deliveries = app.subscribe_deliveries();
    let notifier = handle.clone();
    tauri::async_runtime::spawn(async move {
        use tauri_plugin_notification::NotificationExt;
        loop {
            let count = match deliveries.recv().await {
                Ok(count) => count,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            };
            let body = if count == 1 {
                "1 queued invite was sent".to_owned()
            } else {
                format!("{count} queued invites were sent")
            };
            let _ = notifier
                .notification()
                .builder()
                .title("Huma Clinician")
                .body(body)
                .show();
        }
    });
}
