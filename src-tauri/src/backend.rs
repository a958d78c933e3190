//! What this run is configured with, decided once at start: IT policy > the clinician's own setting >
//! the built-in default (see `huma_core::policy`). With no server configured, development builds
//! start the embedded demo sandbox unless policy forbids it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use huma_core::app::Demo;
use huma_core::clock::{Clock, SystemClock};
use huma_core::config::{parse_backend_url, Resolved};
use huma_core::policy::settings::{user_values, Defaults, Layers};
use huma_core::policy::{self, Key};
use huma_core::ui_types::ConfigSource;
use url::Url;

/// Development builds only: point the app at another backend (a sandbox started by a test, say).
/// It counts as the clinician's own setting, so IT policy still wins.
pub const BACKEND_URL_ENV: &str = "HUMA_CLINICIAN_BACKEND_URL";

/// Development builds only: `HUMA_CLINICIAN_LOG=debug` raises the log level unless policy sets one
/// (never to the point of logging personal data: what is logged is chosen at each call site).
pub const LOG_LEVEL_ENV: &str = "HUMA_CLINICIAN_LOG";

/// The settings read at start, before the window exists.
pub struct Startup {
    pub layers: Layers,
}

impl Startup {
    /// `app_data_dir` is this build's own folder: preferences and logs stay there even when policy
    /// moves the account databases elsewhere.
    pub fn load(app_data_dir: &Path, preferences_file: &Path) -> Startup {
        let loaded = policy::load(crate::IDENTITY.takes_environment_overrides);
        // The store plugin is not running yet: read its file directly (one JSON object).
        let prefs = std::fs::read(preferences_file)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default();
        let (mut user, user_problems) = user_values(&prefs);
        for problem in user_problems {
            // Written by this app, so only a hand edit gets here; logged once the logger runs.
            eprintln!("Huma Clinician: {problem}");
        }
        if let Some(url) = dev_backend_override() {
            user.set(Key::BackendUrl, policy::Setting::Url(url));
        }
        Startup {
            layers: Layers {
                policy: loaded.policy,
                user,
                defaults: Defaults {
                    data_directory: app_data_dir.to_path_buf(),
                    sandbox_available: cfg!(feature = "sandbox"),
                },
                problems: loaded.problems,
            },
        }
    }

    /// The logger's level: policy, else the environment variable, else the clinician's, else info.
    pub fn log_level(&self) -> String {
        let level = self.layers.log_level();
        let env = crate::IDENTITY
            .env_override(LOG_LEVEL_ENV)
            .and_then(|l| policy::LogLevel::parse(&l));
        match (level.source, env) {
            (ConfigSource::Policy, _) | (_, None) => level.value.as_str().to_owned(),
            (_, Some(env)) => env.as_str().to_owned(),
        }
    }

    /// Call once logging runs: IT needs to see which policy values were refused.
    pub fn log_summary(&self) {
        for problem in &self.layers.problems {
            tracing::warn!(problem = %problem, "policy value ignored");
        }
        let sources: Vec<String> = Key::ALL
            .into_iter()
            .map(|key| {
                let source = self
                    .layers
                    .resolved(key)
                    .map_or(ConfigSource::Default, |r| r.source);
                format!("{}={source:?}", key.name())
            })
            .collect();
        tracing::debug!(sources = %sources.join(" "), "settings resolved");
    }
}

fn dev_backend_override() -> Option<Url> {
    let raw = crate::IDENTITY.env_override(BACKEND_URL_ENV)?;
    match parse_backend_url(&raw) {
        Ok(url) => Some(url),
        Err(e) => {
            eprintln!("Huma Clinician: {BACKEND_URL_ENV} ignored: {e}");
            None
        }
    }
}

pub struct ResolvedBackend {
    pub backend: Option<Resolved<Url>>,
    pub client_id: Option<String>,
    pub project_id: Option<String>,
    pub sign_up_link_base: Option<Url>,
    pub demo: Option<Demo>,
    /// Where the account databases live (policy or the clinician can move them).
    pub data_dir: PathBuf,
    /// Keeps the embedded sandbox running for the life of the app.
    pub keep_alive: SandboxHandle,
    /// The computer's time, or the embedded sandbox's (which `POST /sandbox/clock` moves), so that
    /// sending hours and token lifetimes agree with the sandbox in demos and end-to-end tests.
    pub clock: Arc<dyn Clock>,
}

#[cfg(feature = "sandbox")]
pub struct SandboxHandle(#[allow(dead_code)] Option<huma_sandbox::Sandbox>);
#[cfg(not(feature = "sandbox"))]
pub struct SandboxHandle;

pub fn resolve(layers: &Layers) -> Result<ResolvedBackend, String> {
    let mut resolved = ResolvedBackend {
        backend: layers.backend_url(),
        client_id: layers.client_id(),
        project_id: layers.project_id(),
        sign_up_link_base: layers.sign_up_link_base(),
        demo: None,
        data_dir: layers.data_directory(),
        keep_alive: no_sandbox(),
        clock: Arc::new(SystemClock),
    };
    if resolved.backend.is_none() {
        if layers.sandbox_allowed() {
            start_demo(&mut resolved)?;
        } else {
            tracing::info!("no server configured and the demo sandbox is not allowed");
        }
    }
    Ok(resolved)
}

#[cfg(feature = "sandbox")]
fn no_sandbox() -> SandboxHandle {
    SandboxHandle(None)
}

#[cfg(not(feature = "sandbox"))]
fn no_sandbox() -> SandboxHandle {
    SandboxHandle
}

#[cfg(feature = "sandbox")]
fn start_demo(resolved: &mut ResolvedBackend) -> Result<(), String> {
    let config = huma_sandbox::SandboxConfig {
        data_dir: Some(resolved.data_dir.join("demo-sandbox")),
        ..Default::default()
    };
    let sandbox = tauri::async_runtime::block_on(huma_sandbox::Sandbox::start(config))
        .map_err(|e| format!("the demo sandbox could not start: {e}"))?;
    let base = sandbox.base_url();
    let url = Url::parse(&base).map_err(|e| format!("demo sandbox URL {base}: {e}"))?;
    let demo = sandbox.demo();
    if resolved.sign_up_link_base.is_none() {
        resolved.sign_up_link_base = Url::parse(&sandbox.sign_up_link_base()).ok();
    }
    tracing::info!("demo sandbox started on loopback");
    resolved.backend = Some(Resolved {
        value: url,
        source: ConfigSource::Demo,
    });
    resolved.demo = Some(Demo {
        account: huma_core::ui_types::DemoAccount {
            email: demo.email,
            password: demo.password,
        },
        messages_url: format!("{base}/sandbox/messages"),
    });
    resolved.clock = Arc::new(SandboxTime(sandbox.clock()));
    resolved.keep_alive = SandboxHandle(Some(sandbox));
    Ok(())
}

/// The embedded sandbox's time.
#[cfg(feature = "sandbox")]
struct SandboxTime<F>(F);

#[cfg(feature = "sandbox")]
impl<F> Clock for SandboxTime<F>
where
    F: Fn() -> chrono::DateTime<chrono::Utc> + Send + Sync,
{
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        (self.0)()
    }
}

#[cfg(not(feature = "sandbox"))]
fn start_demo(_resolved: &mut ResolvedBackend) -> Result<(), String> {
    Ok(())
}
