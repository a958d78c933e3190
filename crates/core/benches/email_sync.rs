//! Syncing a queue of email invites to the sandbox on loopback (its rate limit off), as a ratio to a
//! baseline measured in the same run: the same number of invitees posted straight to the sandbox,
//! in requests of the same size, one after another, with a token of the same clinician. The app's
//! figure includes everything a drain does: claiming rows in the store, the request, settling each
//! row durably, and its own sign-in checks. Also printed: requests per 100 invites (the sandbox
//! counts every API request it receives).
//! Not a timed test: it prints figures and asserts nothing about time.
//!
//! `cargo bench -p huma-core --bench email_sync` (release settings). `INVITES=2000` for a quick
//! run; 10,000 by default.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

mod support;
use support::env_count;

use huma_core::app::{AppSetup, ClinicianApp};
use huma_core::clock::SystemClock;
use huma_core::config::Resolved;
use huma_core::secrets::{MemoryStore, Secret};
use huma_core::sync::{DrainEnd, BATCH_SIZE};
use huma_core::ui_types::ConfigSource;
use huma_sandbox::{Sandbox, SandboxConfig};
use serde_json::{json, Value};

async fn requests_so_far(http: &reqwest::Client, base: &str) -> u64 {
    let report: Value = http
        .get(format!("{base}/sandbox/rate-limit"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    report["requests"].as_u64().unwrap()
}

/// The baseline: `count` invitees posted straight to the sandbox, `BATCH_SIZE` to a request.
async fn post_straight(http: &reqwest::Client, base: &str, list: &str, count: usize) {
    let signed_in: Value = http
        .post(format!("{base}/api/auth/v1/signin"))
        .json(&json!({"method": 2, "email": huma_sandbox::NO_MFA_EMAIL,
                      "password": huma_sandbox::DEMO_PASSWORD, "projectId": "p1", "clientId": "c3"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed_in["authToken"].as_str().unwrap();
    let addresses: Vec<String> = (0..count)
        .map(|i| format!("straight.{i:05}@example.com"))
        .collect();
    for batch in addresses.chunks(BATCH_SIZE) {
        let invitees: Vec<Value> = batch
            .iter()
            .map(|email| json!({"givenName": "", "familyName": "", "email": email}))
            .collect();
        let status = http
            .post(format!(
                "{base}/api/extensions/v1/deployment/send-invitation"
            ))
            .bearer_auth(token)
            .json(
                &json!({"clientId": "c3", "projectId": "p1", "roleId": "User",
                          "deploymentIds": [list], "invitees": invitees, "type": "EMAIL"}),
            )
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 202);
    }
}

#[tokio::main]
async fn main() {
    let count = env_count("INVITES", 10_000);
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let base = sandbox.base_url();
    // Huma refuses requests without a User-Agent.
    let http = reqwest::Client::builder()
        .user_agent("huma-clinician-bench")
        .build()
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let app = ClinicianApp::new(AppSetup {
        version: "bench".into(),
        data_dir: data.path().to_owned(),
        backend: Some(Resolved {
            value: base.parse().unwrap(),
            source: ConfigSource::User,
        }),
        client_id: None,
        project_id: None,
        sign_up_link_base: None,
        demo: None,
        secrets: Arc::new(MemoryStore::default()),
        clock: Arc::new(SystemClock),
    })
    .unwrap();
    let app = Arc::new(app);
    app.sign_in(
        huma_sandbox::NO_MFA_EMAIL,
        &Secret::new(huma_sandbox::DEMO_PASSWORD),
    )
    .await
    .unwrap();
    let list = app.patient_lists().await.unwrap().remove(0).id;
    let addresses: Vec<String> = (0..count)
        .map(|i| format!("queued.{i:05}@example.com"))
        .collect();
    app.send_email_invites(&list, &addresses).await.unwrap();

    let before = requests_so_far(&http, &base).await;
    let started = Instant::now();
    let mut passes = 0;
    loop {
        passes += 1;
        let report = app.sync_pass().await.unwrap();
        assert!(
            matches!(report.end, DrainEnd::Idle),
            "the drain stopped: {:?}",
            report.end
        );
        if app.outbox_status().await.unwrap().waiting == 0 {
            break;
        }
    }
    let synced = started.elapsed();
    let requests = requests_so_far(&http, &base).await - before;

    let started = Instant::now();
    post_straight(&http, &base, &list, count).await;
    let straight = started.elapsed();

    let rate = |elapsed: std::time::Duration| count as f64 / elapsed.as_secs_f64();
    println!(
        "email_sync: {count} queued email invites, {BATCH_SIZE} to a request, sandbox on loopback"
    );
    println!(
        "  the app's sync:        {:>7.2} s  {:>7.0} invites/s  ({passes} passes, {requests} requests: {:.1} per 100 invites)",
        synced.as_secs_f64(),
        rate(synced),
        requests as f64 * 100.0 / count as f64
    );
    println!(
        "  posted straight:       {:>7.2} s  {:>7.0} invites/s",
        straight.as_secs_f64(),
        rate(straight)
    );
    println!(
        "  the app reaches {:.0} % of the sandbox's accept rate (target ≥ 50 %)",
        rate(synced) / rate(straight) * 100.0
    );
}
