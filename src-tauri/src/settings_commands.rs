//! Settings screen commands: one-line adapters onto `preferences` (the clinician's own values) and
//! the policy read at start.

use huma_core::policy::settings::Settings;
use tauri::{AppHandle, Runtime};

use crate::command_error::CommandResult;
use crate::preferences;

/// Every setting with where its value comes from, and the policy's problems.
#[tauri::command]
pub fn settings<R: Runtime>(handle: AppHandle<R>) -> CommandResult<Settings> {
    Ok(preferences::settings(&handle)?)
}

/// No value goes back to the default; refused for managed keys and invalid values.
#[tauri::command]
pub fn set_setting<R: Runtime>(
    handle: AppHandle<R>,
    key: String,
    value: Option<String>,
) -> CommandResult<Settings> {
    Ok(preferences::set_setting(&handle, &key, value)?)
}
