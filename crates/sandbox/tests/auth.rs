//! Sign-in, the SMS second factor, refresh, idle timeout, expiry and sign-out, over HTTP.
#![allow(clippy::unwrap_used)]

mod common;

use common::{assert_error, start, DEMO_PHONE};
use huma_sandbox::{DEMO_EMAIL, DEMO_PASSWORD, NO_MFA_EMAIL};
use serde_json::json;

const SIGNIN: &str = "/api/auth/v1/signin";

#[tokio::test]
async fn password_sign_in_returns_working_tokens() {
    let env = start().await;
    let (status, body) = env
        .post(
            SIGNIN,
            json!({"method": 2, "email": NO_MFA_EMAIL, "password": DEMO_PASSWORD,
                   "projectId": "p1", "clientId": "c3"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["authTokenExpiresIn"], 900);
    assert_eq!(body["expiresIn"], 14 * 24 * 3600);
    assert!(body["authToken"].as_str().unwrap().len() >= 32);
    assert_ne!(body["authToken"], body["refreshToken"]);
    let session = common::session(&body);
    let (status, config) = env.configuration(&session).await;
    assert_eq!(status, 200, "{config}");
}

#[tokio::test]
async fn email_is_case_insensitive() {
    let env = start().await;
    let (status, _) = env
        .post(
            SIGNIN,
            json!({"method": 2, "email": "Sam.Okafor@Demo.Huma.Local", "password": DEMO_PASSWORD,
                   "projectId": "p1", "clientId": "c3"}),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn bad_password_or_unknown_email_is_100012() {
    let env = start().await;
    for (email, password) in [
        (NO_MFA_EMAIL, "wrong"),
        (NO_MFA_EMAIL, ""),
        ("nobody@demo.huma.local", DEMO_PASSWORD),
    ] {
        let reply = env
            .post(
                SIGNIN,
                json!({"method": 2, "email": email, "password": password,
                       "projectId": "p1", "clientId": "c3"}),
            )
            .await;
        assert_error(&reply, 403, 100012);
    }
}

#[tokio::test]
async fn mfa_clinician_cannot_use_password_only() {
    let env = start().await;
    let reply = env
        .post(
            SIGNIN,
            json!({"method": 2, "email": DEMO_EMAIL, "password": DEMO_PASSWORD,
                   "projectId": "p1", "clientId": "c3"}),
        )
        .await;
    assert_error(&reply, 403, 100043);
    // A wrong password still says "bad credentials", not "MFA required".
    let reply = env
        .post(
            SIGNIN,
            json!({"method": 2, "email": DEMO_EMAIL, "password": "nope",
                   "projectId": "p1", "clientId": "c3"}),
        )
        .await;
    assert_error(&reply, 403, 100012);
}

#[tokio::test]
async fn sms_second_factor_end_to_end() {
    let env = start().await;
    let first = env.first_stage().await;
    assert_eq!(first.uid.len(), 24);

    // A first-stage token is refused on protected calls.
    assert_error(&env.configuration(&first).await, 400, 100021);
    // ...and cannot be refreshed into a full session.
    let reply = env.refresh(json!({"refreshToken": first.refresh})).await;
    assert_error(&reply, 400, 100021);

    let (status, sent) = env.send_code(&first).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent, json!({"ok": true, "to": "+44 ***** ***123"}));
    let code = env.latest_code(DEMO_PHONE).await;
    assert_eq!(code.len(), 6);

    let (status, body) = env.confirm(&first, &code).await;
    assert_eq!(status, 200, "{body}");
    let full = common::session(&body);
    assert_eq!(full.uid, first.uid);
    assert_eq!(body["expiresIn"], 14 * 24 * 3600);
    let (status, config) = env.configuration(&full).await;
    assert_eq!(status, 200, "{config}");
    assert_eq!(config["deployments"].as_array().unwrap().len(), 3);

    // The first stage is spent: neither the code nor its tokens work again.
    assert_error(&env.confirm(&first, &code).await, 401, 10002);
    assert_error(&env.configuration(&first).await, 401, 10002);
}

#[tokio::test]
async fn wrong_codes_are_100008_then_429_after_five() {
    let env = start().await;
    let first = env.first_stage().await;
    env.send_code(&first).await;
    let code = env.latest_code(DEMO_PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_error(&env.confirm(&first, wrong).await, 400, 100008);
    }
    // Locked: even the right code, and asking for a new one, are refused.
    assert_error(&env.confirm(&first, &code).await, 429, 100009);
    assert_error(&env.send_code(&first).await, 429, 100009);
    // A new sign-in starts afresh.
    let session = env.sign_in_amelia().await;
    assert_eq!(env.configuration(&session).await.0, 200);
}

#[tokio::test]
async fn a_code_before_sending_or_after_ten_minutes_is_refused() {
    let env = start().await;
    let first = env.first_stage().await;
    assert_error(&env.confirm(&first, "123456").await, 400, 100008);
    env.send_code(&first).await;
    let code = env.latest_code(DEMO_PHONE).await;
    env.advance(10 * 60 + 1).await;
    assert_error(&env.confirm(&first, &code).await, 400, 100008);
}

#[tokio::test]
async fn a_new_code_replaces_the_previous_one() {
    let env = start().await;
    let first = env.first_stage().await;
    env.send_code(&first).await;
    let old = env.latest_code(DEMO_PHONE).await;
    env.send_code(&first).await;
    let new = env.latest_code(DEMO_PHONE).await;
    if old != new {
        assert_error(&env.confirm(&first, &old).await, 400, 100008);
    }
    assert_eq!(env.confirm(&first, &new).await.0, 200);
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_stops_working() {
    let env = start().await;
    let session = env.sign_in_sam().await;
    env.advance(24 * 3600).await;
    let (status, body) = env.refresh(json!({"refreshToken": session.refresh})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["expiresIn"], 900);
    // The new refresh token keeps the old one's remaining life: 13 days, not 14.
    let remaining = body["refreshTokenExpiresIn"].as_i64().unwrap();
    assert!(
        (13 * 24 * 3600 - 5..=13 * 24 * 3600).contains(&remaining),
        "{remaining}"
    );
    let new_refresh = body["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(new_refresh, session.refresh);

    assert_error(
        &env.refresh(json!({"refreshToken": session.refresh})).await,
        401,
        10002,
    );
    let rotated = common::Session {
        uid: session.uid.clone(),
        auth: body["authToken"].as_str().unwrap().to_owned(),
        refresh: new_refresh.clone(),
    };
    assert_eq!(env.configuration(&rotated).await.0, 200);
    let (status, _) = env.refresh(json!({"refreshToken": new_refresh})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn refresh_tokens_expire_after_fourteen_days() {
    let env = start().await;
    let session = env.sign_in_sam().await;
    env.advance(14 * 24 * 3600 + 1).await;
    assert_error(
        &env.refresh(json!({"refreshToken": session.refresh})).await,
        401,
        10002,
    );
    assert_error(
        &env.refresh(json!({"refreshToken": "not-a-token"})).await,
        401,
        10002,
    );
}

#[tokio::test]
async fn two_factor_sessions_time_out_after_fifteen_idle_minutes() {
    let env = start().await;
    let session = env.sign_in_amelia().await;

    // Within 15 minutes of the refresh token's issue: fine, and the new token restarts the window.
    env.advance(14 * 60).await;
    let (status, body) = env.refresh(json!({"refreshToken": session.refresh})).await;
    assert_eq!(status, 200, "{body}");
    let refresh = body["refreshToken"].as_str().unwrap().to_owned();

    env.advance(16 * 60).await;
    let reply = env.refresh(json!({"refreshToken": refresh})).await;
    assert_error(&reply, 401, 100017);
    // The wrong password, or someone else's, does not unlock it.
    let reply = env
        .refresh(json!({"refreshToken": refresh, "email": DEMO_EMAIL, "password": "nope"}))
        .await;
    assert_error(&reply, 403, 100012);
    let reply = env
        .refresh(json!({"refreshToken": refresh, "email": NO_MFA_EMAIL, "password": DEMO_PASSWORD}))
        .await;
    assert_error(&reply, 403, 100012);
    // Email and password together are required to unlock it.
    let reply = env
        .refresh(json!({"refreshToken": refresh, "password": DEMO_PASSWORD}))
        .await;
    assert_error(&reply, 403, 100050);

    let (status, body) = env
        .refresh(json!({"refreshToken": refresh, "email": DEMO_EMAIL, "password": DEMO_PASSWORD}))
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn password_only_sessions_have_no_idle_rule() {
    let env = start().await;
    let session = env.sign_in_sam().await;
    env.advance(3 * 24 * 3600).await;
    let (status, body) = env.refresh(json!({"refreshToken": session.refresh})).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn access_tokens_expire_after_fifteen_minutes() {
    let env = start().await;
    let session = env.sign_in_sam().await;
    env.advance(14 * 60).await;
    assert_eq!(env.configuration(&session).await.0, 200);
    env.advance(60).await;
    assert_error(&env.configuration(&session).await, 401, 10001);
}

#[tokio::test]
async fn bearer_token_problems() {
    let env = start().await;
    let session = env.sign_in_sam().await;
    let path = format!("/api/extensions/v1beta/user/{}/configuration", session.uid);
    assert_error(&env.get(&path, None).await, 401, 10001);
    assert_error(&env.get(&path, Some("made-up")).await, 401, 10002);
    let reply = env
        .http
        .get(env.url(&path))
        .header("authorization", format!("Basic {}", session.auth))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status().as_u16(), 401);
    let body: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(body["code"], 10001);
}

#[tokio::test]
async fn sign_out_revokes_the_session() {
    let env = start().await;
    let session = env.sign_in_sam().await;
    let other = env.sign_in_sam().await;

    let reply = env
        .post(
            "/api/auth/v1/signout",
            json!({"userId": "someone-else", "refreshToken": session.refresh}),
        )
        .await;
    assert_error(&reply, 403, 100004);

    let (status, body) = env
        .post(
            "/api/auth/v1/signout",
            json!({"userId": session.uid, "refreshToken": session.refresh}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"id": session.uid}));

    assert_error(&env.configuration(&session).await, 401, 10002);
    assert_error(
        &env.refresh(json!({"refreshToken": session.refresh})).await,
        401,
        10002,
    );
    // Another sign-in of the same clinician is untouched.
    assert_eq!(env.configuration(&other).await.0, 200);
}

#[tokio::test]
async fn malformed_requests_are_403_100050() {
    let env = start().await;
    let bodies = [
        json!({"method": "2", "email": NO_MFA_EMAIL, "password": DEMO_PASSWORD,
               "projectId": "p1", "clientId": "c3"}),
        json!({"method": 2, "email": NO_MFA_EMAIL, "password": DEMO_PASSWORD, "clientId": "c3"}),
        json!({"method": 2, "email": NO_MFA_EMAIL, "password": DEMO_PASSWORD,
               "projectId": "", "clientId": "c3"}),
        json!({"method": 2, "email": NO_MFA_EMAIL, "projectId": "p1", "clientId": "c3"}),
        json!({"method": 7, "email": NO_MFA_EMAIL, "password": DEMO_PASSWORD,
               "projectId": "p1", "clientId": "c3"}),
        json!({"method": 3, "projectId": "p1", "clientId": "c3"}),
        json!([]),
    ];
    for body in bodies {
        assert_error(&env.post(SIGNIN, body).await, 403, 100050);
    }
    assert_error(&env.post_raw(SIGNIN, "{not json").await, 403, 100050);
    assert_error(&env.post_raw(SIGNIN, "").await, 403, 100050);
    assert_error(&env.refresh(json!({})).await, 403, 100050);
    assert_error(
        &env.post("/api/auth/v1/signout", json!({"userId": 1})).await,
        403,
        100050,
    );
}
