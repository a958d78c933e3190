//! Which Huma server this run talks to: IT policy > the user's setting > the built-in default; with
//! none configured, development builds start the embedded demo sandbox.

use std::path::Path;

use huma_core::app::Demo;
use huma_core::config::{self, parse_backend_url, Policy, Resolved};
use huma_core::ui_types::{ConfigSource, DemoAccount};
use tauri::{AppHandle, Runtime};
use url::Url;

use crate::preferences;

/// Development builds only: point the app at another backend (a sandbox started by a test, say).
pub const BACKEND_URL_ENV: &str = "HUMA_CLINICIAN_BACKEND_URL";

pub struct ResolvedBackend {
    pub backend: Option<Resolved<Url>>,
    pub client_id: Option<String>,
    pub project_id: Option<String>,
    pub demo: Option<Demo>,
    /// Keeps the embedded sandbox running for the life of the app.
    pub keep_alive: SandboxHandle,
}

#[cfg(feature = "sandbox")]
pub struct SandboxHandle(#[allow(dead_code)] Option<huma_sandbox::Sandbox>);
#[cfg(not(feature = "sandbox"))]
pub struct SandboxHandle;

fn checked(raw: Option<String>, what: &str) -> Option<Url> {
    let raw = raw?;
    match parse_backend_url(&raw) {
        Ok(url) => Some(url),
        Err(e) => {
            tracing::warn!(source = what, error = %e, "backend URL ignored");
            None
        }
    }
}

pub fn resolve<R: Runtime>(
    handle: &AppHandle<R>,
    data_dir: &Path,
) -> Result<ResolvedBackend, String> {
    let policy = match Policy::load(&Policy::default_path(cfg!(debug_assertions))) {
        Ok(policy) => policy.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "policy ignored");
            Policy::default()
        }
    };
    let user = std::env::var(BACKEND_URL_ENV)
        .ok()
        .filter(|_| cfg!(debug_assertions))
        .or_else(|| preferences::user_backend_url(handle));
    let backend = config::resolve(
        checked(policy.backend_url.clone(), "policy"),
        checked(user, "user"),
        None,
    );
    let mut resolved = ResolvedBackend {
        backend,
        client_id: policy.client_id,
        project_id: policy.project_id,
        demo: None,
        keep_alive: no_sandbox(),
    };
    if resolved.backend.is_none() {
        start_demo(&mut resolved, data_dir)?;
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
fn start_demo(resolved: &mut ResolvedBackend, data_dir: &Path) -> Result<(), String> {
    let config = huma_sandbox::SandboxConfig {
        data_dir: Some(data_dir.join("demo-sandbox")),
        ..Default::default()
    };
    let sandbox = tauri::async_runtime::block_on(huma_sandbox::Sandbox::start(config))
        .map_err(|e| format!("the demo sandbox could not start: {e}"))?;
    let base = sandbox.base_url();
    let url = Url::parse(&base).map_err(|e| format!("demo sandbox URL {base}: {e}"))?;
    let demo = sandbox.demo();
    tracing::info!("demo sandbox started on loopback");
    resolved.backend = Some(Resolved {
        value: url,
        source: ConfigSource::Demo,
    });
    resolved.demo = Some(Demo {
        account: DemoAccount {
            email: demo.email,
            password: demo.password,
        },
        messages_url: format!("{base}/sandbox/messages"),
    });
    resolved.keep_alive = SandboxHandle(Some(sandbox));
    Ok(())
}

#[cfg(not(feature = "sandbox"))]
fn start_demo(_resolved: &mut ResolvedBackend, _data_dir: &Path) -> Result<(), String> {
    Ok(())
}
