//! IPC commands: one-line adapters onto `huma_core::app::ClinicianApp`. They parse nothing and decide
//! nothing; inputs are re-validated in core because the UI is not trusted.

use std::sync::Arc;

use huma_core::app::ClinicianApp;
use huma_core::secrets::Secret;
use huma_core::support::noting;
use huma_core::ui_types::{
    AppInfo, PatientList, PatientPage, PatientQuery, Preferences, SessionInfo, SignInStep,
};
use huma_core::AppResult;
use tauri::{AppHandle, Runtime, State};

use crate::preferences;

type App<'a> = State<'a, Arc<ClinicianApp>>;

#[tauri::command]
pub fn app_info(app: App<'_>) -> AppInfo {
    app.info()
}

/// The session saved in the OS keyring, if any.
#[tauri::command]
pub async fn resume_session(app: App<'_>) -> AppResult<Option<SessionInfo>> {
    app.resume_session().await
}

#[tauri::command]
pub async fn sign_in(app: App<'_>, email: String, password: String) -> AppResult<SignInStep> {
    noting(app.sign_in(&email, &Secret::new(password)).await)
}

/// The second factor, after `sign_in` answered that a code was sent.
#[tauri::command]
pub async fn submit_code(app: App<'_>, code: String) -> AppResult<SessionInfo> {
    noting(app.submit_code(&Secret::new(code)).await)
}

#[tauri::command]
pub async fn sign_out(app: App<'_>) -> AppResult<()> {
    app.sign_out().await
}

/// The idle lock: patient data is refused until `unlock`, in this run and after a restart.
#[tauri::command]
pub async fn lock(app: App<'_>) -> AppResult<()> {
    app.lock().await
}

/// The idle lock screen: the password is checked on this computer, no network needed.
#[tauri::command]
pub async fn unlock(app: App<'_>, password: String) -> AppResult<()> {
    noting(app.unlock(&Secret::new(password)).await)
}

#[tauri::command]
pub async fn patient_lists(app: App<'_>) -> AppResult<Vec<PatientList>> {
    noting(app.patient_lists().await)
}

#[tauri::command]
pub async fn search_patients(app: App<'_>, query: PatientQuery) -> AppResult<PatientPage> {
    noting(ClinicianApp::search_patients(&app, &query).await)
}

#[tauri::command]
pub fn preferences<R: Runtime>(handle: AppHandle<R>) -> AppResult<Preferences> {
    preferences::load(&handle)
}

#[tauri::command]
pub fn set_last_list<R: Runtime>(handle: AppHandle<R>, list_id: String) -> AppResult<()> {
    preferences::set_last_list(&handle, list_id)
}
