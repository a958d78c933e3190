//! Fault injection seen from a real HTTP client: errors, latency, 429 with Retry-After, and
//! connections dropped before acting or after committing.

use crate::common;
use std::time::{Duration, Instant};

use crate::common::invites::{invite, SEND};
use crate::common::{assert_error, start, Env};
use serde_json::{json, Value};

/// Sam's token and list, signed in before any fault is set.
async fn sam(env: &Env) -> (String, String) {
    let session = env.sign_in_sam().await;
    (session.auth, env.sandbox.demo().deployment_ids[0].clone())
}

async fn set_faults(env: &Env, faults: Value) {
    let (status, reply) = env.post("/sandbox/faults", faults.clone()).await;
    assert_eq!((status, reply), (200, faults));
}

fn one(phone: &str) -> Value {
    json!([{"givenName": "Faulty", "familyName": "Tester", "phoneNumber": phone}])
}

/// A send through the raw client: the connection error, if any, instead of a reply.
async fn raw_send(
    env: &Env,
    token: &str,
    body: &Value,
) -> Result<reqwest::Response, reqwest::Error> {
    env.http
        .post(env.url(SEND))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
}

async fn messages_to(env: &Env, phone: &str) -> usize {
    let path = format!("/sandbox/messages?to={}", phone.replace('+', "%2B"));
    env.get(&path, None).await.1["messages"]
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn an_error_rate_answers_the_status_without_acting_on_named_paths_only() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    set_faults(
        &env,
        json!({"errorRate": 1.0, "errorStatus": 502, "paths": ["send-invitation"]}),
    )
    .await;
    assert_eq!(
        env.get("/sandbox/faults", None).await,
        (
            200,
            json!({"errorRate": 1.0, "errorStatus": 502, "paths": ["send-invitation"]})
        )
    );
    let reply = env
        .post_auth(
            SEND,
            &token,
            None,
            invite(&list, "SMS", one("+12025550171")),
        )
        .await;
    assert_error(&reply, 502, 502_000);
    assert!(env.invitations_to("+12025550171").await.is_empty());
    // Other API routes are untouched.
    assert_eq!(env.pending(&token).await.len(), 0);

    // Without `paths`, every API route fails, but never /sandbox/… nor /healthz.
    set_faults(&env, json!({"errorRate": 1.0})).await;
    let reply = env
        .post_auth(
            common::invites::LIST,
            &token,
            None,
            json!({"clientId": "c3", "projectId": "p1", "roleType": "User"}),
        )
        .await;
    assert_error(&reply, 503, 503_000);
    assert_eq!(env.get("/healthz", None).await.0, 200);
    assert_eq!(env.get("/sandbox/messages", None).await.0, 200);

    // `{}` clears.
    set_faults(&env, json!({})).await;
    assert_eq!(env.get("/sandbox/faults", None).await, (200, json!({})));
    env.invite_one(&token, invite(&list, "SMS", one("+12025550171")))
        .await;

    for bad in [
        json!({"errorRate": 1.5}),
        json!({"errorStatus": 200}),
        json!({"dropBeforeAct": -0.1}),
        json!({"latencyMs": 600_000}),
        json!({"errorRatio": 0.1}),
    ] {
        assert_error(&env.post("/sandbox/faults", bad).await, 403, 100050);
    }
}

#[tokio::test]
async fn latency_delays_api_calls_only() {
    let env = start().await;
    let (token, _) = sam(&env).await;
    set_faults(&env, json!({"latencyMs": 400})).await;
    let started = Instant::now();
    env.pending(&token).await;
    assert!(started.elapsed() >= Duration::from_millis(400));
    let started = Instant::now();
    env.get("/healthz", None).await;
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn rate_429_sends_retry_after_and_a_huma_error_body() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    set_faults(&env, json!({"rate429": 1.0, "retryAfterSeconds": 2})).await;
    let response = raw_send(&env, &token, &invite(&list, "SMS", one("+12025550172")))
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 429);
    assert_eq!(response.headers()["retry-after"], "2");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], 429_000);
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(env.invitations_to("+12025550172").await.is_empty());
}

#[tokio::test]
async fn drop_before_act_closes_the_connection_and_invites_nobody() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    set_faults(
        &env,
        json!({"dropBeforeAct": 1.0, "paths": ["send-invitation"]}),
    )
    .await;
    let result = raw_send(&env, &token, &invite(&list, "SMS", one("+12025550173"))).await;
    let err = result.expect_err("the client sees the connection drop, not a reply");
    assert!(err.status().is_none(), "{err}");
    assert!(env.invitations_to("+12025550173").await.is_empty());
    assert_eq!(messages_to(&env, "+12025550173").await, 0);
}

#[tokio::test]
async fn drop_after_commit_invites_but_the_client_never_hears() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    set_faults(
        &env,
        json!({"dropResponseAfterCommit": 1.0, "paths": ["send-invitation"]}),
    )
    .await;
    let body = invite(&list, "SMS", one("+12025550174"));
    let err = raw_send(&env, &token, &body)
        .await
        .expect_err("the client sees the connection drop, not the 202");
    assert!(err.status().is_none(), "{err}");
    let made = env.invitations_to("+12025550174").await;
    assert_eq!(made.len(), 1, "the invitation was committed");
    assert_eq!(made[0]["state"], "PENDING");
    assert_eq!(messages_to(&env, "+12025550174").await, 1);

    // A blind retry is reported as already invited (phones are deduplicated; emails are not).
    set_faults(&env, json!({})).await;
    let (status, reply) = env.post_auth(SEND, &token, None, body).await;
    assert_eq!(status, 202);
    assert_eq!(reply["alreadyInvitedPhoneNumbers"], json!(["+12025550174"]));
}

#[tokio::test]
async fn a_seed_makes_the_faults_repeatable() {
    let env = start().await;
    let (token, _) = sam(&env).await;
    let list_body = json!({"clientId": "c3", "projectId": "p1", "roleType": "User"});
    let mut runs = Vec::new();
    for _ in 0..2 {
        set_faults(
            &env,
            json!({"dropResponseAfterCommit": 0.5, "errorRate": 0.2, "seed": 11}),
        )
        .await;
        let mut outcomes = Vec::new();
        for _ in 0..24 {
            let result = env
                .http
                .post(env.url(common::invites::LIST))
                .bearer_auth(&token)
                .json(&list_body)
                .send()
                .await;
            outcomes.push(result.map(|r| r.status().as_u16()).unwrap_or(0));
        }
        runs.push(outcomes);
    }
    assert_eq!(runs[0], runs[1]);
    for outcome in [0, 200, 503] {
        assert!(runs[0].contains(&outcome), "{outcome}: {:?}", runs[0]);
    }
}
