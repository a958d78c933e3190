//! Huma's request limit seen from a real HTTP client: a fixed one-minute window on the sandbox
//! clock, 429 with an HTML page and no Retry-After past it, nothing done for a refused request, and
//! the sandbox's own routes never limited.

use crate::common::invites::{invite, SEND};
use crate::common::{start_with, Env};
use huma_sandbox::SandboxConfig;
use serde_json::{json, Value};

const PHONE: &str = "+12025550199";

async fn limited(per_minute: u32) -> Env {
    start_with(SandboxConfig {
        rate_limit_per_minute: Some(per_minute),
        ..SandboxConfig::default()
    })
    .await
}

fn one_invite(list: &str) -> Value {
    invite(
        list,
        "SMS",
        json!([{"givenName": "Rita", "familyName": "Limit", "phoneNumber": PHONE}]),
    )
}

#[tokio::test]
async fn past_the_limit_huma_answers_429_as_html_without_retry_after_and_does_nothing() {
    let env = limited(3).await;
    // Sign-in is an API request like any other: one of the three.
    let session = env.sign_in_sam().await;
    let token = session.auth.clone();
    let list = env.sandbox.demo().deployment_ids[0].clone();
    let (status, reply) = env.post_auth(SEND, &token, None, one_invite(&list)).await;
    assert_eq!(status, 202, "{reply}");
    assert_eq!(env.configuration(&session).await.0, 200);
    assert_eq!(env.invitations_to(PHONE).await.len(), 1);

    // The fourth in the minute is refused before the handler runs: no second invitation.
    let refused = env
        .http
        .post(env.url(SEND))
        .bearer_auth(&token)
        .json(&one_invite(&list))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 429);
    assert!(refused.headers().get("retry-after").is_none());
    assert!(refused.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(refused.text().await.unwrap().contains("3 per 1 minute"));
    // The sandbox's own routes are not limited.
    assert_eq!(env.invitations_to(PHONE).await.len(), 1);
    let (status, report) = env.get("/sandbox/rate-limit", None).await;
    assert_eq!(
        (status, report),
        (200, json!({"perMinute": 3, "refused": 1, "requests": 4}))
    );

    // A minute on (the sandbox clock), a new window.
    env.advance(60).await;
    let (status, reply) = env.post_auth(SEND, &token, None, one_invite(&list)).await;
    assert_eq!(status, 202, "{reply}");
}

#[tokio::test]
async fn the_limit_is_set_or_turned_off_at_run_time_and_zero_is_refused() {
    // A sign-in without credentials: refused by its handler (403), or by the limit (429).
    let env = limited(1).await;
    assert_eq!(env.post("/api/auth/v1/signin", json!({})).await.0, 403);
    assert_eq!(env.post("/api/auth/v1/signin", json!({})).await.0, 429);

    let (status, reply) = env
        .post("/sandbox/rate-limit", json!({"perMinute": null}))
        .await;
    assert_eq!((status, reply), (200, json!({"perMinute": null})));
    for _ in 0..5 {
        assert_eq!(env.post("/api/auth/v1/signin", json!({})).await.0, 403);
    }

    assert_eq!(
        env.post("/sandbox/rate-limit", json!({"perMinute": 0}))
            .await
            .0,
        403
    );
    let (status, _) = env
        .post("/sandbox/rate-limit", json!({"perMinute": 2}))
        .await;
    assert_eq!(status, 200);
    let codes: Vec<u16> = {
        let mut codes = Vec::new();
        for _ in 0..3 {
            codes.push(env.post("/api/auth/v1/signin", json!({})).await.0);
        }
        codes
    };
    assert_eq!(codes, [403, 403, 429]);
    assert_eq!(env.get("/sandbox/rate-limit", None).await.1["refused"], 2);
}
