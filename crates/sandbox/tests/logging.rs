//! The sandbox's logs never carry tokens, passwords, codes, phone numbers, emails or names.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{start, DEMO_PHONE};
use huma_sandbox::{DEMO_EMAIL, DEMO_PASSWORD};
use serde_json::json;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_carry_no_secrets_or_personal_data() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let env = start().await;
    let first = env.first_stage().await;
    env.send_code(&first).await;
    let code = env.latest_code(DEMO_PHONE).await;
    let (_, body) = env.confirm(&first, &code).await;
    let amelia = common::session(&body);
    let list = env.sandbox.demo().deployment_ids[0].clone();
    let (_, page) = env
        .profiles(&amelia.auth, Some(&list), json!({"search": "O'Brien"}))
        .await;
    let patient = page["users"][0].clone();
    env.get("/sandbox/messages?to=%2B447700900123", None).await;
    let (_, refreshed) = env
        .refresh(
            json!({"refreshToken": amelia.refresh, "email": DEMO_EMAIL, "password": DEMO_PASSWORD}),
        )
        .await;
    env.configuration(&amelia).await;
    env.sandbox.shutdown().await;

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("/api/auth/v1/signin"),
        "requests are logged:\n{logs}"
    );
    let secrets = [
        DEMO_EMAIL.to_owned(),
        DEMO_PASSWORD.to_owned(),
        DEMO_PHONE.to_owned(),
        "7700900123".to_owned(),
        code,
        first.auth,
        first.refresh,
        amelia.auth,
        amelia.refresh,
        refreshed["refreshToken"].as_str().unwrap().to_owned(),
        "O'Brien".to_owned(),
        "Amelia".to_owned(),
        patient["nhsId"].as_str().unwrap().to_owned(),
        patient["givenName"].as_str().unwrap().to_owned(),
        amelia.uid,
    ];
    for secret in secrets {
        assert!(!logs.contains(&secret), "the logs contain {secret:?}");
    }
}
