//! A sandbox stopped and started again on the same port with the same database file carries on:
//! its invitations, messages, clock and delivery knob, and the work still scheduled.

use crate::common;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::invites::{invite, DAY};
use crate::common::Env;
use huma_sandbox::Sandbox;
use serde_json::{json, Value};

fn env_for(sandbox: Sandbox) -> Env {
    let base = sandbox.base_url();
    Env {
        sandbox,
        http: common::http_client(),
        base,
    }
}

async fn now(env: &Env) -> chrono::DateTime<chrono::Utc> {
    common::invites::instant(&env.get("/sandbox/clock", None).await.1["now"])
}

#[tokio::test]
async fn the_library_restarts_on_the_same_port_with_its_state() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("state").join("sandbox.sqlite3");
    let env = env_for(Sandbox::start_at(0, &file).await.unwrap());
    let port = env.sandbox.port();
    let sam = env.sign_in_sam().await;
    let list = env.sandbox.demo().deployment_ids[0].clone();
    let id = env
        .invite_one(
            &sam.auth,
            invite(
                &list,
                "SMS",
                json!([{"givenName": "Kept", "phoneNumber": "+12025550181"}]),
            ),
        )
        .await;
    env.post(
        "/sandbox/delivery",
        json!({"failNumbers": ["+12025550199"]}),
    )
    .await;
    env.advance(2 * DAY).await;
    let before = now(&env).await;
    env.sandbox.shutdown().await;

    let env = env_for(Sandbox::start_at(port, &file).await.unwrap());
    assert_eq!(env.sandbox.port(), port);
    assert!(now(&env).await >= before, "the clock keeps its offset");
    assert_eq!(
        env.get("/sandbox/delivery", None).await.1,
        json!({"failNumbers": ["+12025550199"], "failEmails": []})
    );
    let sam = env.sign_in_sam().await;
    let item = env.pending_item(&sam.auth, &id).await.unwrap();
    assert_eq!(item["status"], "DELIVERED");
    assert_eq!(env.messages_about(&id, Some("INVITATION")).await.len(), 1);

    // The chaser still goes, once.
    env.advance(4 * DAY).await;
    env.advance(DAY / 2).await;
    let reminders = env.messages_about(&id, Some("INVITATION_REMINDER")).await;
    assert_eq!(reminders.len(), 1);
    env.sandbox.shutdown().await;
}

/// The binary's process, killed (SIGKILL) when dropped, so a failing test leaves nothing running.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the binary on `port` with `--db file`; returns it and its base URL (first stdout line).
fn run_binary(port: u16, file: &std::path::Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_huma-sandbox"))
        .args(["--port", &port.to_string(), "--db"])
        .arg(file)
        .args(["--patients", "50"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    // Read the rest of what it prints: a pipe closed under it would fail its next line.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let base = line.trim().rsplit(' ').next().unwrap().to_owned();
    (Running(child), base)
}

#[tokio::test]
async fn the_binary_killed_and_restarted_with_db_keeps_what_it_committed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.sqlite3");
    let (first, base) = run_binary(0, &file);
    let port: u16 = base.rsplit(':').next().unwrap().parse().unwrap();
    let http = common::http_client();
    let demo: Value = http
        .get(format!("{base}/sandbox/demo"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let signin: Value = http
        .post(format!("{base}/api/auth/v1/signin"))
        .json(&json!({"method": 2, "email": huma_sandbox::NO_MFA_EMAIL,
                      "password": huma_sandbox::DEMO_PASSWORD, "projectId": "p1", "clientId": "c3"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = demo["deploymentIds"][0].as_str().unwrap();
    let sent = http
        .post(format!(
            "{base}/api/extensions/v1/deployment/send-invitation"
        ))
        .bearer_auth(signin["authToken"].as_str().unwrap())
        .json(&invite(
            list,
            "SMS",
            json!([{"givenName": "Durable", "phoneNumber": "+12025550182"}]),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status().as_u16(), 202);
    drop(first); // SIGKILL: no graceful shutdown

    let (second, again) = run_binary(port, &file);
    assert_eq!(again, base);
    // A new client: the old one's pooled connection died with the first process.
    let http = common::http_client();
    let all: Value = http
        .get(format!("{base}/sandbox/invitations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kept: Vec<&Value> = all["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["phoneNumber"] == "+12025550182")
        .collect();
    assert_eq!(kept.len(), 1);
    drop(second);
}
