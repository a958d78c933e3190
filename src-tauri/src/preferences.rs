//! UI preferences (last list opened, window size, default phone region) in tauri-plugin-store.
//! Nothing that matters lives here: the plugin's file can be lost on power failure, and that is fine
//! for preferences. Invites and caches live in the encrypted database.

use std::path::PathBuf;
use std::sync::Arc;

use huma_core::error::{AppError, AppResult};
use huma_core::ui_types::Preferences;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::{Store, StoreExt};

const LAST_LIST: &str = "lastListId";
const PHONE_REGION: &str = "phoneRegion";
const WINDOW: &str = "window";
/// A developer's or user's own backend choice (below IT policy in precedence).
pub const BACKEND_URL: &str = "backendUrl";

/// Where the preferences file lives, decided at start-up (the data dir of this build's identity).
pub struct PreferencesPath(pub PathBuf);

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct WindowSize {
    pub width: f64,
    pub height: f64,
}

fn store<R: Runtime>(handle: &AppHandle<R>) -> AppResult<Arc<Store<R>>> {
    let path = handle.state::<PreferencesPath>().0.clone();
    handle
        .store(path)
        .map_err(|e| AppError::internal(format!("The preferences file could not be opened: {e}")))
}

fn string<R: Runtime>(store: &Store<R>, key: &str) -> Option<String> {
    store.get(key).and_then(|v| v.as_str().map(str::to_owned))
}

pub fn load<R: Runtime>(handle: &AppHandle<R>) -> AppResult<Preferences> {
    let store = store(handle)?;
    let defaults = Preferences::default();
    Ok(Preferences {
        last_list_id: string(&store, LAST_LIST),
        phone_region: string(&store, PHONE_REGION).unwrap_or(defaults.phone_region),
    })
}

pub fn set_last_list<R: Runtime>(handle: &AppHandle<R>, list_id: String) -> AppResult<()> {
    if list_id.is_empty() || list_id.len() > 200 {
        return Err(AppError::invalid_input(
            "That patient list id is not valid.",
        ));
    }
    let store = store(handle)?;
    store.set(LAST_LIST, list_id);
    save(&store)
}

pub fn user_backend_url<R: Runtime>(handle: &AppHandle<R>) -> Option<String> {
    store(handle).ok().and_then(|s| string(&s, BACKEND_URL))
}

pub fn window_size<R: Runtime>(handle: &AppHandle<R>) -> Option<WindowSize> {
    let store = store(handle).ok()?;
    serde_json::from_value(store.get(WINDOW)?).ok()
}

pub fn set_window_size<R: Runtime>(handle: &AppHandle<R>, size: WindowSize) -> AppResult<()> {
    let store = store(handle)?;
    store.set(WINDOW, serde_json::json!(size));
    save(&store)
}

fn save<R: Runtime>(store: &Store<R>) -> AppResult<()> {
    store
        .save()
        .map_err(|e| AppError::internal(format!("The preferences could not be saved: {e}")))
}
