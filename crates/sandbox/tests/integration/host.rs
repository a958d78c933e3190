//! The sandbox answers only requests addressed to a loopback name (a web page rebinding its own
//! domain to 127.0.0.1 is refused), and its redirect route answers 307 without acting.

use crate::common::{assert_error, http_client, start, DEMO_PHONE};
use reqwest::header::{ACCEPT, HOST, LOCATION};
use serde_json::Value;

#[tokio::test]
async fn a_page_rebinding_its_name_to_loopback_gets_nothing() {
    let env = start().await;
    let port = env.sandbox.port();
    for path in [
        "/sandbox/demo",
        "/sandbox/messages",
        "/sandbox/invitations",
        "/api/auth/v1/signin",
        "/healthz",
    ] {
        for host in [
            format!("rebound.example:{port}"),
            format!("127.0.0.1.rebound.example:{port}"),
        ] {
            let response = env
                .http
                .get(env.url(path))
                .header(HOST, &host)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            assert_error(&(status, body.clone()), 403, 100004);
            assert!(
                !body.to_string().contains(DEMO_PHONE) && !body.to_string().contains("password"),
                "{path} under {host}: {body}"
            );
        }
    }
    // Nothing was acted on: a sign-in under another name sends no code.
    let (status, messages) = env.get("/sandbox/messages", None).await;
    assert_eq!(status, 200);
    assert_eq!(messages["messages"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn the_clinicians_browser_on_loopback_still_gets_the_pages() {
    let env = start().await;
    let port = env.sandbox.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        let response = env
            .http
            .get(env.url("/sandbox/messages"))
            .header(HOST, &host)
            .header(ACCEPT, "text/html,application/xhtml+xml")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "{host}");
        let page = response.text().await.unwrap();
        assert!(
            page.contains("<html") || page.contains("<!DOCTYPE"),
            "{host}: {page}"
        );
    }
    let (status, demo) = env.get("/sandbox/demo", None).await;
    assert_eq!(status, 200);
    assert!(demo["email"].is_string());
}

#[tokio::test]
async fn the_redirect_route_answers_307_to_the_same_path_on_another_loopback_port() {
    let env = start().await;
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = no_follow
        .post(env.url("/sandbox/redirect/4321/api/auth/v1/signin?x=1"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 307);
    assert_eq!(
        response.headers()[LOCATION],
        "http://127.0.0.1:4321/api/auth/v1/signin?x=1"
    );
    // Not a port: nothing matches.
    let response = http_client()
        .get(env.url("/sandbox/redirect/example.org/x"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
}
