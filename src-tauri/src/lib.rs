//! The desktop shell: starts logging, resolves the backend (policy > user setting > default, or the
//! embedded demo sandbox), builds the core app and exposes it to the UI through commands.

#[macro_use]
mod command_list;
mod backend;
mod command_error;
mod commands;
#[cfg(feature = "dev-host")]
pub mod dev_host;
mod events;
mod file_dialog;
mod invite_commands;
mod outbox_commands;
mod pending_commands;
mod preferences;
mod settings_commands;
#[cfg(test)]
mod ui_bindings;
mod window_state;

use std::sync::Arc;

use huma_core::config::{AppIdentity, DEVELOPMENT_IDENTITY, RELEASE_IDENTITY};
use huma_core::dropped_files::DroppedFiles;
use huma_core::secrets::KeyringStore;
use tauri::Manager;

// The demo sandbox's `/sandbox/…` pages need no sign-in: it must never ship in a release binary.
#[cfg(all(feature = "sandbox", not(debug_assertions)))]
compile_error!(
    "the `sandbox` feature (the embedded demo backend) is for development builds only: \
     build release binaries without it"
);

/// Builds with the demo sandbox (development and tests) get their own identity, data dir and
/// keyring service, and take overrides from the environment. Every build without it, debug or
/// release, is the app as installed: a package built unoptimised for a check behaves as the
/// shipped one.
pub const IDENTITY: AppIdentity = if cfg!(feature = "sandbox") {
    DEVELOPMENT_IDENTITY
} else {
    RELEASE_IDENTITY
};

/// Development builds only: a keyring service of their own (end-to-end tests give each simulated
/// computer one, so parallel tests never read each other's sessions).
const KEYRING_SERVICE_ENV: &str = "HUMA_CLINICIAN_KEYRING_SERVICE";

fn keyring_service() -> String {
    IDENTITY
        .env_override(KEYRING_SERVICE_ENV)
        .unwrap_or_else(|| IDENTITY.keyring_service.to_owned())
}

/// Called before the webview hears of the drop, so the path it then hands to `import_csv` is known.
fn remember_drop<R: tauri::Runtime>(app: &impl Manager<R>, event: &tauri::DragDropEvent) {
    if let tauri::DragDropEvent::Drop { paths, .. } = event {
        if let Some(dropped) = app.try_state::<DroppedFiles>() {
            dropped.dropped(paths.clone());
        }
    }
}

/// Tauri's handler for the listed commands (`command_list`).
macro_rules! invoke_handler {
    ($($module:ident :: $command:ident),* $(,)?) => {
        tauri::generate_handler![$($module::$command),*]
    };
}

/// What every start does before Tauri: the data folder made private, IT policy and the
/// clinician's settings read, logging started (its guard must live as long as the app).
struct Start {
    data_dir: std::path::PathBuf,
    startup: backend::Startup,
    _log_guard: Option<huma_core::logging::LogGuard>,
}

fn start() -> Start {
    let data_dir = IDENTITY.data_dir();
    // Owner-only before anything is written there (logs, preferences, the webview's own files).
    if let Err(e) = huma_core::private_dir::create_dir_all_private(&data_dir) {
        eprintln!("Huma Clinician: the data folder could not be made private: {e}");
    }
    // IT policy and the clinician's settings, read once: the log level applies from the first line.
    let startup = backend::Startup::load(&data_dir, &data_dir.join("preferences.json"));
    let level = startup.log_level();
    let log_guard = match huma_core::logging::init(&data_dir.join("logs"), &level) {
        Ok(guard) => Some(guard),
        Err(e) => {
            eprintln!("Huma Clinician: logging is off: {e}");
            None
        }
    };
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        identity = IDENTITY.identifier,
        "starting"
    );
    startup.log_summary();
    Start {
        data_dir,
        startup,
        _log_guard: log_guard,
    }
}

/// The app on any Tauri runtime: the desktop's (`run`) or the development host's mock one
/// (`dev_host`), so both answer every command with the same code.
fn app_builder<R: tauri::Runtime>(
    builder: tauri::Builder<R>,
    data_dir: &std::path::Path,
    startup: backend::Startup,
) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::new().build())
        .plugin(tauri_plugin_notification::init())
        .manage(preferences::PreferencesPath(
            data_dir.join("preferences.json"),
        ))
        .manage(DroppedFiles::default())
        // The only way a file reaches `import_csv`: the operating system reports it dropped here.
        // A webview window reports drops as window events; a webview inside a window as its own.
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::DragDrop(drop) = event {
                remember_drop(window, drop);
            }
        })
        .on_webview_event(|webview, event| {
            if let tauri::WebviewEvent::DragDrop(drop) = event {
                remember_drop(webview, drop);
            }
        })
        .setup(move |app| {
            let handle = app.handle().clone();
            let resolved = backend::resolve(&startup.layers)?;
            let demo_backend = resolved.demo.as_ref().and(resolved.backend.as_ref());
            let demo_backend =
                demo_backend.map(|b| b.value.as_str().trim_end_matches('/').to_owned());
            let app_core = huma_core::app::ClinicianApp::new(huma_core::app::AppSetup {
                version: env!("CARGO_PKG_VERSION").to_owned(),
                data_dir: resolved.data_dir.clone(),
                backend: resolved.backend,
                client_id: resolved.client_id,
                project_id: resolved.project_id,
                sign_up_link_base: resolved.sign_up_link_base,
                demo: resolved.demo,
                secrets: Arc::new(KeyringStore::new(keyring_service())),
                clock: resolved.clock,
            })?
            .with_managed_settings(
                startup.layers.idle_lock_minutes(),
                startup.layers.problems.clone(),
            )
            .with_session_resume_allowed(startup.layers.session_resume_allowed())
            .with_settings(&startup.layers);
            app.manage(preferences::SettingsState::new(
                startup.layers,
                demo_backend,
            ));
            let app_core = Arc::new(app_core);
            tauri::async_runtime::spawn(app_core.clone().run_sync());
            outbox_commands::forward_outbox_changes(&handle, &app_core);
            app.manage(app_core);
            app.manage(resolved.keep_alive);
            window_state::restore_and_track(&handle);
            Ok(())
        })
        .invoke_handler(with_commands!(invoke_handler))
}

pub fn run() {
    let Start {
        data_dir,
        startup,
        _log_guard,
    } = start();
    let result = app_builder(tauri::Builder::default(), &data_dir, startup)
        .run(tauri::generate_context!("tauri.conf.json"));
    if let Err(e) = result {
        tracing::error!(error = %e, "the app stopped with an error");
        eprintln!("Huma Clinician could not start: {e}");
        std::process::exit(1);
    }
}
