//! Test support for `tests/integration/outbox_crash.rs`: runs the real sync engine on one outbox database
//! against a Huma-compatible server until the outbox is empty, so the test can kill it at random
//! moments and start it again. Not part of the app.
//!
//! Usage: `outbox_crash_worker <base-url> <database-path>`, with the database key (64 hex digits)
//! in `HUMA_CRASH_WORKER_KEY` and the clinician's email and password in `HUMA_CRASH_WORKER_EMAIL`
//! and `HUMA_CRASH_WORKER_PASSWORD`. Exits 0 once nothing is left to send.

use std::process::ExitCode;
use std::sync::Arc;

use huma_core::clock::SystemClock;
use huma_core::huma::{ClientConfig, HumaClient};
use huma_core::secrets::{MemoryStore, Secret};
use huma_core::session::Auth;
use huma_core::store::AccountStore;
use huma_core::sync;

fn env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("{name} is not set"))
}

async fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (Some(base), Some(db)) = (args.next(), args.next()) else {
        return Err("usage: outbox_crash_worker <base-url> <database-path>".into());
    };
    let key = Secret::new(env("HUMA_CRASH_WORKER_KEY")?);
    let store = AccountStore::open(std::path::Path::new(&db), &key).map_err(|e| e.to_string())?;
    let mut config = ClientConfig::new(base.parse().map_err(|e| format!("base URL: {e}"))?);
    config.request_timeout = std::time::Duration::from_secs(5);
    let client = HumaClient::new(config).map_err(|e| e.to_string())?;
    let clock = Arc::new(SystemClock);
    let auth = Auth::new(
        client,
        Arc::new(MemoryStore::default()),
        clock.clone(),
        "crash-worker",
    );
    auth.sign_in(
        &env("HUMA_CRASH_WORKER_EMAIL")?,
        &Secret::new(env("HUMA_CRASH_WORKER_PASSWORD")?),
    )
    .await
    .map_err(|e| e.to_string())?;
    loop {
        let report = sync::drain(&auth, &store, clock.as_ref())
            .await
            .map_err(|e| e.to_string())?;
        let active = store.active_rows().map_err(|e| e.to_string())?;
        if active.is_empty() {
            return Ok(());
        }
        let wait = match report.end {
            sync::DrainEnd::Idle => sync::plan::next_due(&active)
                .and_then(|at| (at - chrono::Utc::now()).to_std().ok())
                .unwrap_or_default(),
            _ => std::time::Duration::from_millis(50),
        };
        tokio::time::sleep(wait.min(std::time::Duration::from_secs(2))).await;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("outbox_crash_worker: {e}");
            ExitCode::FAILURE
        }
    }
}
