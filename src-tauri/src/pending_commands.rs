//! IPC commands of the pending invites view and Contact support: adapters onto `ClinicianApp`.
//! Errors they return are noted (code only) for the support diagnostics.

use std::path::PathBuf;
use std::sync::Arc;

use huma_core::app::ClinicianApp;
use huma_core::error::{AppError, AppResult, ErrorCode};
use huma_core::pending::sign_up_code::SignUpCode;
use huma_core::pending::{ActionReceipt, Diagnostics, InvitedPatient, PendingPage};
use rfd::AsyncFileDialog;
use tauri::{AppHandle, Manager, Runtime, State};

use crate::command_error::CommandResult;

type App<'a> = State<'a, Arc<ClinicianApp>>;

/// The server's pending invitations merged with this computer's outbox.
#[tauri::command]
pub async fn pending_invites(app: App<'_>, list_id: String) -> CommandResult<PendingPage> {
    Ok(app.pending_invites(&list_id).await?)
}

/// People invited to the list who have not signed up (pending / expired), searched.
#[tauri::command]
pub async fn invited_patients(
    app: App<'_>,
    list_id: String,
    search: String,
) -> CommandResult<Vec<InvitedPatient>> {
    Ok(app.invited_patients(&list_id, &search).await?)
}

/// Queued in the outbox (all or nothing); the expiry date does not change.
#[tauri::command]
pub async fn resend_invites(
    app: App<'_>,
    list_id: String,
    ids: Vec<String>,
) -> CommandResult<ActionReceipt> {
    Ok(app.resend_invites(&list_id, &ids).await?)
}

/// The patient's personal sign-up link as QR modules; nothing of it is kept or logged here.
#[tauri::command]
pub async fn sign_up_code(
    app: App<'_>,
    list_id: String,
    invitation_id: String,
) -> CommandResult<SignUpCode> {
    Ok(app.sign_up_code(&list_id, &invitation_id).await?)
}

/// Queued in the outbox (all or nothing); the invitation link stops working.
#[tauri::command]
pub async fn revoke_invites(
    app: App<'_>,
    list_id: String,
    ids: Vec<String>,
) -> CommandResult<ActionReceipt> {
    Ok(app.revoke_invites(&list_id, &ids).await?)
}

/// Saves the chosen rows as CSV where the clinician says; none when the dialog is cancelled.
#[tauri::command]
pub async fn export_pending<R: Runtime>(
    handle: AppHandle<R>,
    app: App<'_>,
    list_id: String,
    ids: Vec<String>,
) -> CommandResult<Option<String>> {
    Ok(export(&handle, &app, &list_id, &ids).await?)
}

async fn export<R: Runtime>(
    handle: &AppHandle<R>,
    app: &ClinicianApp,
    list_id: &str,
    ids: &[String],
) -> AppResult<Option<String>> {
    let csv = app.pending_csv(list_id, ids).await?;
    let file_name = app.pending_export_file_name();
    let Some(path) = save_dialog(handle, file_name).await? else {
        return Ok(None);
    };
    std::fs::write(&path, csv).map_err(|e| {
        AppError::new(
            ErrorCode::Storage,
            format!("The list could not be saved to {}: {e}", path.display()),
        )
    })?;
    Ok(Some(path.display().to_string()))
}

/// The native save dialog, created on the main thread (GTK's rule); the command awaits the answer.
async fn save_dialog<R: Runtime>(
    handle: &AppHandle<R>,
    file_name: String,
) -> AppResult<Option<PathBuf>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let window = handle.get_webview_window("main");
    handle
        .run_on_main_thread(move || {
            let mut dialog = AsyncFileDialog::new()
                .set_title("Save the pending invites")
                .set_file_name(file_name)
                .add_filter("CSV files", &["csv"]);
            if let Some(window) = &window {
                dialog = dialog.set_parent(window);
            }
            let _ = tx.send(dialog.save_file());
        })
        .map_err(|e| AppError::internal(format!("The file dialog could not open: {e}")))?;
    let answer = rx
        .await
        .map_err(|_| AppError::internal("The file dialog closed unexpectedly."))?;
    Ok(answer.await.map(|file| file.path().to_path_buf()))
}

/// No patient data, safe to paste into an email.
#[tauri::command]
pub async fn support_diagnostics(app: App<'_>) -> CommandResult<Diagnostics> {
    Ok(app.support_diagnostics().await?)
}

/// Opens the system mail client from Rust: the UI needs no permission to open links.
#[tauri::command]
pub async fn contact_support(app: App<'_>) -> CommandResult<()> {
    Ok(app.contact_support().await?)
}
