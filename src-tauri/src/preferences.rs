//! UI preferences (last list opened, window size) and the clinician's own settings (top-level keys
//! named as in `huma_core::policy::Key`) in tauri-plugin-store. Nothing that matters lives here: the
//! plugin's file can be lost on power failure, and that is fine for preferences. Invites and caches
//! live in the encrypted database.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use huma_core::app::ClinicianApp;
use huma_core::error::{AppError, AppResult};
use huma_core::policy::settings::{Layers, Settings};
use huma_core::ui_types::Preferences;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::{Store, StoreExt};

const LAST_LIST: &str = "lastListId";
const WINDOW: &str = "window";

/// Where the preferences file lives, decided at start-up (the data dir of this build's identity).
pub struct PreferencesPath(pub PathBuf);

/// Every level of every setting, read at start; the clinician's own level changes with `set_setting`.
pub struct SettingsState {
    layers: Mutex<Layers>,
    /// The embedded sandbox's address when this run uses it (shown as the server, source "demo").
    demo_backend: Option<String>,
}

impl SettingsState {
    pub fn new(layers: Layers, demo_backend: Option<String>) -> Self {
        Self {
            layers: Mutex::new(layers),
            demo_backend,
        }
    }

    fn layers(&self) -> std::sync::MutexGuard<'_, Layers> {
        // A panic elsewhere cannot leave `Layers` half-changed: set_user validates before it writes.
        self.layers.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn settings(&self) -> Settings {
        self.layers().settings(self.demo_backend.as_deref())
    }
}

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
    // Policy > the clinician's setting > default, as on the settings screen.
    let phone_region = match handle.try_state::<SettingsState>() {
        Some(state) => state.layers().phone_region(),
        None => Preferences::default().phone_region,
    };
    Ok(Preferences {
        last_list_id: string(&store, LAST_LIST),
        phone_region,
    })
}

pub fn settings<R: Runtime>(handle: &AppHandle<R>) -> AppResult<Settings> {
    let state = handle
        .try_state::<SettingsState>()
        .ok_or_else(|| AppError::internal("The settings are not loaded yet."))?;
    Ok(state.settings())
}

/// Saves a clinician's own setting (refused when IT manages it). Most take effect at the next start;
/// those the core applies (the phone region, the sending hours) at once.
pub fn set_setting<R: Runtime>(
    handle: &AppHandle<R>,
    key: &str,
    value: Option<String>,
) -> AppResult<Settings> {
    let state = handle
        .try_state::<SettingsState>()
        .ok_or_else(|| AppError::internal("The settings are not loaded yet."))?;
    let store = store(handle)?;
    let mut layers = state.layers();
    let mut changed = layers.clone();
    let (key, setting) = changed.set_user(key, value)?;
    match &setting {
        Some(setting) => store.set(key.name(), setting.to_json()),
        None => {
            store.delete(key.name());
        }
    }
    save(&store)?;
    tracing::info!(
        setting = key.name(),
        cleared = setting.is_none(),
        "setting changed"
    );
    *layers = changed;
    if let Some(app) = handle.try_state::<Arc<ClinicianApp>>() {
        app.apply_settings(&layers);
    }
    Ok(layers.settings(state.demo_backend.as_deref()))
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
