//! Crash test: a process running the real sync engine on a real database file is killed (SIGKILL on
//! Unix, TerminateProcess on Windows) at random moments, again and again, and restarted, while the sandbox drops responses
//! after committing (the case that creates duplicates). At the end the sandbox holds each invite
//! exactly once, and the outbox records each as sent with that invitation's id.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;

use huma_core::store::{self, AccountStore, NewInvite, OutboxState};
use huma_sandbox::{Sandbox, SandboxConfig};

const KILLS: u32 = 60;

/// How `Child::kill` ends a process: SIGKILL on Unix; Windows has no signals, and std calls
/// TerminateProcess there. Either way the worker runs no destructor, flushes nothing, says no goodbye.
const KILL: &str = if cfg!(windows) {
    "TerminateProcess"
} else {
    "SIGKILL"
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_sync_workers_still_invite_everyone_exactly_once() {
    let sandbox = Sandbox::start(SandboxConfig {
        patients: 50,
        ..SandboxConfig::default()
    })
    .await
    .unwrap_or_else(|e| panic!("sandbox: {e}"));
    let base = sandbox.base_url();
    let list = sandbox.demo().deployment_ids[0].clone();
    let http = reqwest::Client::new();
    http.post(format!("{base}/sandbox/faults"))
        .json(&serde_json::json!({
            "dropResponseAfterCommit": 0.4,
            "latencyMs": 40,
            "paths": ["send-invitation"],
        }))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("faults: {e}"));

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let db = dir.path().join("clinician.db");
    let key = store::new_key();
    let mut next = 0u32;
    let mut enqueue = |count: u32| {
        let store = AccountStore::open(&db, &key).unwrap_or_else(|e| panic!("store: {e}"));
        let invites: Vec<NewInvite> = (0..count)
            .map(|_| {
                next += 1;
                NewInvite::email(format!("crash{next}@example.org"))
            })
            .collect();
        store
            .enqueue(&list, &invites, Utc::now())
            .unwrap_or_else(|e| panic!("enqueue: {e}"));
    };
    let worker = |db: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_outbox_crash_worker"))
            .arg(&base)
            .arg(db)
            .env("HUMA_CRASH_WORKER_KEY", key.expose())
            .env("HUMA_CRASH_WORKER_EMAIL", huma_sandbox::NO_MFA_EMAIL)
            .env("HUMA_CRASH_WORKER_PASSWORD", huma_sandbox::DEMO_PASSWORD)
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("worker: {e}"))
    };

    let started = Instant::now();
    let mut kills = 0;
    let mut finished_early = 0;
    while kills < KILLS {
        // New invites keep arriving between runs, as a clinician keeps working.
        enqueue(3);
        let mut child = worker(&db);
        tokio::time::sleep(Duration::from_millis(rand::random_range(20..250))).await;
        match child.try_wait() {
            Ok(Some(_)) => finished_early += 1,
            _ => {
                // See KILL.
                child.kill().unwrap_or_else(|e| panic!("kill: {e}"));
                kills += 1;
            }
        }
        let _ = child.wait();
    }
    // The last run goes to the end.
    let status = worker(&db).wait().unwrap_or_else(|e| panic!("worker: {e}"));
    assert!(status.success(), "the last worker run failed: {status}");

    let store = AccountStore::open(&db, &key).unwrap_or_else(|e| panic!("store: {e}"));
    let rows = store.all_rows().unwrap_or_else(|e| panic!("rows: {e}"));
    let json: serde_json::Value = http
        .get(format!("{base}/sandbox/invitations"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("invitations: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("invitations: {e}"));
    let mut on_server: HashMap<String, Vec<String>> = HashMap::new();
    for inv in json["invitations"].as_array().cloned().unwrap_or_default() {
        if let Some(email) = inv["email"].as_str() {
            on_server
                .entry(email.to_owned())
                .or_default()
                .push(inv["id"].as_str().unwrap_or_default().to_owned());
        }
    }
    // Lost: not recorded as sent with the one invitation the server has for it. Doubled: more
    // than one invitation on the server for one invite.
    let mut lost = 0;
    let mut doubled = 0;
    for row in &rows {
        let ids = on_server.get(row.recipient()).cloned().unwrap_or_default();
        doubled += ids.len().saturating_sub(1);
        if row.state != OutboxState::Sent
            || ids.is_empty()
            || row.server_id.as_deref() != ids.first().map(String::as_str)
        {
            lost += 1;
        }
    }
    eprintln!(
        "outbox crash test: {kills} kills with {KILL} ({finished_early} runs finished before their kill), \
         {} invites, {} invitations on the sandbox: {lost} lost, {doubled} doubled, in {:.1?}",
        rows.len(),
        on_server.values().map(Vec::len).sum::<usize>(),
        started.elapsed()
    );
    assert_eq!(rows.len() as u32, next);
    assert_eq!(
        (lost, doubled),
        (0, 0),
        "{:?}",
        rows.iter()
            .map(|r| (r.state, r.reason.clone()))
            .collect::<Vec<_>>()
    );
    assert!(kills >= 50);
}
