//! IPC commands of the session, lists and settings: adapters onto `huma_core::app::ClinicianApp`
//! that wrap secrets, add what only the shell knows and decide nothing; inputs are re-validated in
//! core because the UI is not trusted. A failure converts to `CommandResult`, which notes it for
//! Contact support.

use std::sync::Arc;

use huma_core::app::ClinicianApp;
use huma_core::secrets::Secret;
use huma_core::ui_types::{
    AppInfo, PatientList, PatientPage, PatientQuery, Preferences, SessionInfo, SignInStep,
};
use tauri::{AppHandle, Runtime, State};

use crate::command_error::CommandResult;
use crate::preferences;

type App<'a> = State<'a, Arc<ClinicianApp>>;

#[tauri::command]
pub fn app_info(app: App<'_>) -> AppInfo {
    app.info()
}

/// The session saved in the OS keyring, if any.
#[tauri::command]
pub async fn resume_session(app: App<'_>) -> CommandResult<Option<SessionInfo>> {
    Ok(app.resume_session().await?)
}

#[tauri::command]
pub async fn sign_in(app: App<'_>, email: String, password: String) -> CommandResult<SignInStep> {
    Ok(app.sign_in(&email, &Secret::new(password)).await?)
}

/// The second factor, after `sign_in` answered that a code was sent.
#[tauri::command]
pub async fn submit_code(app: App<'_>, code: String) -> CommandResult<SessionInfo> {
    Ok(app.submit_code(&Secret::new(code)).await?)
}

#[tauri::command]
pub async fn sign_out(app: App<'_>) -> CommandResult<()> {
    Ok(app.sign_out().await?)
}

/// The idle lock: patient data is refused until `unlock`, in this run and after a restart.
#[tauri::command]
pub async fn lock(app: App<'_>) -> CommandResult<()> {
    Ok(app.lock().await?)
}

/// The idle lock screen: the password is checked on this computer, no network needed.
#[tauri::command]
pub async fn unlock(app: App<'_>, password: String) -> CommandResult<()> {
    Ok(app.unlock(&Secret::new(password)).await?)
}

#[tauri::command]
pub async fn patient_lists(app: App<'_>) -> CommandResult<Vec<PatientList>> {
    Ok(app.patient_lists().await?)
}

#[tauri::command]
pub async fn search_patients(app: App<'_>, query: PatientQuery) -> CommandResult<PatientPage> {
    Ok(ClinicianApp::search_patients(&app, &query).await?)
}

#[tauri::command]
pub fn preferences<R: Runtime>(handle: AppHandle<R>) -> CommandResult<Preferences> {
    Ok(preferences::load(&handle)?)
}

#[tauri::command]
pub fn set_last_list<R: Runtime>(handle: AppHandle<R>, list_id: String) -> CommandResult<()> {
    Ok(preferences::set_last_list(&handle, list_id)?)
}
