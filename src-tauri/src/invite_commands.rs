//! IPC commands of the invite flows: adapters onto `ClinicianApp`, plus the native file dialogs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use huma_core::app::ClinicianApp;
use huma_core::dropped_files::DroppedFiles;
use huma_core::error::{AppError, AppResult};
use huma_core::invite::email::parse_recipients;
use huma_core::invite::language::LanguageOption;
use huma_core::invite::types::{
    BatchOutcome, CsvPreview, EmailChip, OutboxStatus, RecipientWarning, SendReceipt, SmsCheck,
    SmsInviteDraft,
};
use tauri::{AppHandle, Runtime, State};

use crate::command_error::CommandResult;
use crate::file_dialog;

type App<'a> = State<'a, Arc<ClinicianApp>>;

/// Longer pastes are refused rather than parsed (a whole document pasted by mistake).
const MAX_PASTE_CHARS: usize = 200_000;
/// The longest a notification waits for the server before saying "queued".
const MAX_AWAIT: Duration = Duration::from_secs(30);

/// The languages the core has an SMS invite text for, English first.
#[tauri::command]
pub fn invite_languages(app: App<'_>) -> Vec<LanguageOption> {
    app.invite_languages()
}

/// Validates the draft; `ready` carries the confirmation screen.
#[tauri::command]
pub async fn prepare_sms_invite(app: App<'_>, draft: SmsInviteDraft) -> CommandResult<SmsCheck> {
    Ok(app.prepare_sms_invite(&draft).await?)
}

/// Writes the invite to the outbox (never waits for the network).
#[tauri::command]
pub async fn send_sms_invite(app: App<'_>, draft: SmsInviteDraft) -> CommandResult<SendReceipt> {
    Ok(app.send_sms_invite(&draft).await?)
}

/// A typed or pasted string → chips (invalid ones carry `error`).
#[tauri::command]
pub fn parse_email_recipients(text: String) -> CommandResult<Vec<EmailChip>> {
    if text.chars().count() > MAX_PASTE_CHARS {
        return Err(AppError::invalid_input(format!(
            "That paste is too long; paste at most {MAX_PASTE_CHARS} characters, or import a CSV file."
        )).into());
    }
    Ok(parse_recipients(&text))
}

/// Recipients already invited or already patients.
#[tauri::command]
pub async fn check_email_invites(
    app: App<'_>,
    list_id: String,
    addresses: Vec<String>,
) -> CommandResult<Vec<RecipientWarning>> {
    Ok(app.check_email_invites(&list_id, &addresses).await?)
}

#[tauri::command]
pub async fn send_email_invites(
    app: App<'_>,
    list_id: String,
    addresses: Vec<String>,
) -> CommandResult<SendReceipt> {
    Ok(app.send_email_invites(&list_id, &addresses).await?)
}

/// The native file chooser, then the file read; none when the clinician cancelled.
#[tauri::command]
pub async fn pick_csv<R: Runtime>(
    handle: AppHandle<R>,
    app: App<'_>,
    list_id: String,
) -> CommandResult<Option<CsvPreview>> {
    let Some(path) = file_dialog::pick_csv(&handle).await? else {
        return Ok(None);
    };
    Ok(Some(import(&handle, &app, &list_id, path).await?))
}

/// A file dropped on the window: only one the operating system reported as dropped (see
/// `DroppedFiles`), never any path the webview names.
#[tauri::command]
pub async fn import_csv<R: Runtime>(
    handle: AppHandle<R>,
    app: App<'_>,
    dropped: State<'_, DroppedFiles>,
    list_id: String,
    path: PathBuf,
) -> CommandResult<CsvPreview> {
    let path = dropped.take(&path)?;
    Ok(import(&handle, &app, &list_id, path).await?)
}

async fn import<R: Runtime>(
    handle: &AppHandle<R>,
    app: &ClinicianApp,
    list_id: &str,
    path: PathBuf,
) -> AppResult<CsvPreview> {
    let emitter = handle.clone();
    let progress = move |p| crate::events::CSV_PROGRESS.emit(&emitter, p);
    app.import_csv(list_id, path, progress).await
}

/// "Cancel" while a CSV file is read (after `pick_csv` or `import_csv`): that command then fails
/// with `Cancelled`, keeping nothing. Whether a read was under way.
#[tauri::command]
pub fn cancel_csv_import(app: App<'_>) -> bool {
    app.cancel_csv_import()
}

/// The native save dialog; the saved path, or none when cancelled.
#[tauri::command]
pub async fn save_csv_rejects<R: Runtime>(
    handle: AppHandle<R>,
    app: App<'_>,
    import_id: String,
) -> CommandResult<Option<String>> {
    let csv = app.csv_rejects(&import_id)?;
    let Some(path) = file_dialog::save_csv(&handle, "rejected-rows.csv").await? else {
        return Ok(None);
    };
    std::fs::write(&path, csv).map_err(|e| {
        AppError::new(
            huma_core::ErrorCode::Storage,
            format!(
                "The rejected rows could not be saved to {}: {e}",
                path.display()
            ),
        )
    })?;
    Ok(Some(path.display().to_string()))
}

/// Every accepted row of the import except the `skip`ped recipients.
#[tauri::command]
pub async fn send_import(
    app: App<'_>,
    list_id: String,
    import_id: String,
    skip: Vec<String>,
) -> CommandResult<SendReceipt> {
    Ok(app.send_import(&list_id, &import_id, &skip).await?)
}

/// Waits up to `timeout_ms` for the server; `queued > 0` in the answer means still waiting.
#[tauri::command]
pub async fn await_batch(
    app: App<'_>,
    batch_id: String,
    timeout_ms: u64,
) -> CommandResult<BatchOutcome> {
    let timeout = Duration::from_millis(timeout_ms).min(MAX_AWAIT);
    Ok(app.await_batch(&batch_id, timeout).await?)
}

#[tauri::command]
pub async fn outbox_status(app: App<'_>) -> CommandResult<OutboxStatus> {
    Ok(app.outbox_status().await?)
}
