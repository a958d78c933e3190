//! The sandbox surface: demo account, message log (JSON and HTML), clock, health, fallbacks,
//! persistence and shutdown.

use crate::common::{assert_error, start, start_with, DEMO_PHONE};
use huma_sandbox::{Sandbox, SandboxConfig, CLIENT_ID, DEMO_EMAIL, DEMO_PASSWORD, PROJECT_ID};
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_demo_account() {
    let env = start().await;
    assert_eq!(env.get("/healthz", None).await.0, 200);
    let (status, demo) = env.get("/sandbox/demo", None).await;
    assert_eq!(status, 200);
    let account = env.sandbox.demo();
    assert_eq!(account.email, DEMO_EMAIL);
    assert_eq!(account.password, DEMO_PASSWORD);
    assert_eq!(account.deployment_ids.len(), 3);
    assert_eq!(
        (PROJECT_ID, CLIENT_ID),
        ("p1", "c3"),
        "the client's defaults"
    );
    assert_eq!(
        (account.project_id.as_str(), account.client_id.as_str()),
        (PROJECT_ID, CLIENT_ID)
    );
    assert_eq!(
        demo,
        json!({"email": DEMO_EMAIL, "password": DEMO_PASSWORD,
               "deploymentIds": account.deployment_ids,
               "projectId": PROJECT_ID, "clientId": CLIENT_ID})
    );
    assert!(!env.base.ends_with('/'));
    assert!(env.base.starts_with("http://127.0.0.1:"));
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_json() {
    let env = start().await;
    assert_error(&env.get("/nowhere", None).await, 404, 100003);
    assert_error(&env.get("/api/auth/v1/signin", None).await, 405, 100003);
}

fn parse_instant(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value.as_str().unwrap();
    // YYYY-MM-DDTHH:MM:SS.ffffffZ
    assert_eq!(text.len(), 27, "{text}");
    assert!(text.ends_with('Z'));
    chrono::DateTime::parse_from_rfc3339(text).unwrap().into()
}

#[tokio::test]
async fn the_clock_moves_forward_only() {
    let env = start().await;
    let (_, before) = env.get("/sandbox/clock", None).await;
    let (status, after) = env
        .post("/sandbox/clock", json!({"advanceSeconds": 3600}))
        .await;
    assert_eq!(status, 200);
    let moved = parse_instant(&after["now"]) - parse_instant(&before["now"]);
    assert!(
        moved.num_seconds() >= 3600 && moved.num_seconds() < 3660,
        "{moved}"
    );
    for body in [
        json!({"advanceSeconds": -1}),
        json!({"advanceSeconds": "60"}),
        json!({}),
        json!({"advanceSeconds": 400_000_000_i64}),
    ] {
        assert_error(&env.post("/sandbox/clock", body).await, 403, 100050);
    }
}

#[tokio::test]
async fn messages_as_json_newest_first_and_filtered() {
    let env = start().await;
    let (_, empty) = env.get("/sandbox/messages", None).await;
    assert_eq!(empty, json!({"messages": []}));

    let first = env.first_stage().await;
    env.send_code(&first).await;
    env.advance(60).await;
    env.send_code(&first).await;

    let (status, body) = env.get("/sandbox/messages", None).await;
    assert_eq!(status, 200);
    let messages = body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    let (newest, oldest) = (&messages[0], &messages[1]);
    assert!(parse_instant(&newest["sentAt"]) > parse_instant(&oldest["sentAt"]));
    assert_eq!(newest["channel"], "SMS");
    assert_eq!(newest["kind"], "VERIFICATION_CODE");
    assert_eq!(newest["to"], DEMO_PHONE);
    assert!(newest.get("subject").is_none());
    assert_ne!(newest["id"], oldest["id"]);
    // The newest code is the one that works.
    let code = env.latest_code(DEMO_PHONE).await;
    assert!(newest["body"].as_str().unwrap().contains(&code));
    assert_eq!(env.confirm(&first, &code).await.0, 200);

    for filter in ["%2B447700900123", "+447700900123", "%2B44%207700%20900123"] {
        let (_, body) = env
            .get(&format!("/sandbox/messages?to={filter}"), None)
            .await;
        assert_eq!(body["messages"].as_array().unwrap().len(), 2, "{filter}");
    }
    let (_, body) = env.get("/sandbox/messages?to=%2B447700900999", None).await;
    assert_eq!(body, json!({"messages": []}));
}

#[tokio::test]
async fn messages_as_an_escaped_html_page_for_browsers() {
    let env = start().await;
    let first = env.first_stage().await;
    env.send_code(&first).await;
    let code = env.latest_code(DEMO_PHONE).await;

    let browser_accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let response = env
        .http
        .get(env.url("/sandbox/messages?to=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"))
        .header("accept", browser_accept)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(response.headers().contains_key("content-security-policy"));
    let page = response.text().await.unwrap();
    assert!(!page.contains("<script>"));
    assert!(page.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("No messages to"));

    let response = env
        .http
        .get(env.url("/sandbox/messages"))
        .header("accept", browser_accept)
        .send()
        .await
        .unwrap();
    let page = response.text().await.unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains(&code));
    assert!(page.contains("+447700900123"));
    assert!(page.contains("1 message(s)"));
}

#[tokio::test]
async fn a_data_dir_keeps_the_database_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        data_dir: Some(dir.path().join("nested")),
        patients: 50,
        ..SandboxConfig::default()
    };
    let env = start_with(config.clone()).await;
    let demo = env.sandbox.demo();
    let first = env.first_stage().await;
    env.send_code(&first).await;
    env.sandbox.shutdown().await;
    assert!(dir.path().join("nested/sandbox.sqlite3").exists());

    // A different seed does not reseed an existing database.
    let again = start_with(SandboxConfig { seed: 99, ..config }).await;
    assert_eq!(again.sandbox.demo(), demo);
    let (_, body) = again.get("/sandbox/messages", None).await;
    assert_eq!(body["messages"].as_array().unwrap().len(), 1);
}

async fn refused(http: &reqwest::Client, url: &str) -> bool {
    for _ in 0..50 {
        if http.get(url).send().await.is_err() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    false
}

#[tokio::test]
async fn shutdown_and_drop_stop_the_server() {
    let http = reqwest::Client::new();
    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let url = format!("{}/healthz", sandbox.base_url());
    assert!(http.get(&url).send().await.unwrap().status().is_success());
    sandbox.shutdown().await;
    assert!(refused(&reqwest::Client::new(), &url).await);

    let sandbox = Sandbox::start(SandboxConfig::default()).await.unwrap();
    let url = format!("{}/healthz", sandbox.base_url());
    assert!(http.get(&url).send().await.unwrap().status().is_success());
    drop(sandbox);
    assert!(refused(&reqwest::Client::new(), &url).await);
}

#[tokio::test]
async fn too_many_patients_is_a_config_error() {
    let result = Sandbox::start(SandboxConfig {
        patients: huma_sandbox::MAX_PATIENTS + 1,
        ..SandboxConfig::default()
    })
    .await;
    assert!(matches!(result, Err(huma_sandbox::SandboxError::Config(_))));
}
