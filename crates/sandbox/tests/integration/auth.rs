//! Sign-in, the SMS second factor, refresh, idle timeout, expiry and sign-out, over HTTP.

use crate::common;
use crate::common::{assert_error, start, start_with, Env, Session, DEMO_PHONE, USER_AGENT};
use huma_sandbox::{Quirks, SandboxConfig, DEMO_EMAIL, DEMO_PASSWORD, NO_MFA_EMAIL};
use serde_json::{json, Value};

const SIGNIN: &str = "/api/auth/v1/signin";
const SEND_CODE: &str = "/api/auth/v1/sendverificationtoken";
const REFRESH: &str = "/api/auth/v1/refreshtoken";
const SIGNOUT: &str = "/api/auth/v1/signout";

fn password_sign_in(email: &str) -> Value {
    json!({"method": 2, "email": email, "password": DEMO_PASSWORD,
           "projectId": "p1", "clientId": "c3"})
}

/// Method 2 as the demo clinician, who requires the SMS code: Huma lets it through.
async fn amelia_by_password(env: &Env) -> Session {
    let (status, body) = env.post(SIGNIN, password_sign_in(DEMO_EMAIL)).await;
    assert_eq!(status, 200, "{body}");
    common::session(&body)
}

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
    assert_eq!(body["authTokenExpiresIn"].as_i64(), Some(900));
    assert_eq!(body["expiresIn"].as_i64(), Some(14 * 24 * 3600));
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
async fn a_password_sign_in_of_an_mfa_account_succeeds_but_its_tokens_are_refused() {
    let env = start().await;
    let session = amelia_by_password(&env).await;
    let list = env.sandbox.demo().deployment_ids[0].clone();

    // Every protected call refuses the token: it lacks the second factor the account needs.
    assert_error(&env.user(&session, None).await, 400, 100021);
    assert_error(&env.configuration(&session).await, 400, 100021);
    assert_error(
        &env.profiles(&session.auth, Some(&list), json!({})).await,
        400,
        100021,
    );
    let calls = [
        (
            "/api/extensions/v1/deployment/invitations",
            json!({"clientId": "c3", "projectId": "p1", "roleType": "User"}),
        ),
        (
            "/api/extensions/v1/deployment/send-invitation",
            common::invites::invite(
                &list,
                "SMS",
                json!([{"givenName": "A", "phoneNumber": "+12025550123"}]),
            ),
        ),
        (
            "/api/extensions/v1/deployment/invitation-link",
            json!({"clientId": "c3", "projectId": "p1", "deploymentId": list, "roleId": "User"}),
        ),
    ];
    for (path, body) in calls {
        assert_error(
            &env.post_auth(path, &session.auth, None, body).await,
            400,
            100021,
        );
    }
    // Its refresh token neither refreshes nor asks for a code (only method 3 may).
    let reply = env.refresh(json!({"refreshToken": session.refresh})).await;
    assert_error(&reply, 400, 100021);
    let ask =
        json!({"method": 3, "refreshToken": session.refresh, "projectId": "p1", "clientId": "c3"});
    assert_error(&env.post(SEND_CODE, ask).await, 400, 100023);
    let confirm = json!({"method": 3, "refreshToken": session.refresh, "confirmationCode": "123456",
                         "projectId": "p1", "clientId": "c3"});
    assert_error(&env.post(SIGNIN, confirm).await, 400, 100023);
    assert!(env.get("/sandbox/messages", None).await.1["messages"]
        .as_array()
        .unwrap()
        .is_empty());

    // A wrong password is still "bad credentials"; method 3 then works as usual.
    let mut wrong = password_sign_in(DEMO_EMAIL);
    wrong["password"] = json!("nope");
    assert_error(&env.post(SIGNIN, wrong).await, 403, 100012);
    let full = env.sign_in_amelia().await;
    assert_eq!(env.configuration(&full).await.0, 200);
}

#[tokio::test]
async fn only_method_3_tokens_may_ask_for_a_code() {
    let env = start().await;
    let sam = env.sign_in_sam().await;
    assert_eq!(env.configuration(&sam).await.0, 200, "no MFA: usable");
    let ask =
        json!({"method": 3, "refreshToken": sam.refresh, "projectId": "p1", "clientId": "c3"});
    assert_error(&env.post(SEND_CODE, ask).await, 400, 100023);
    // A completed method-3 sign-in's token cannot either (sandbox choice: unknown token).
    let amelia = env.sign_in_amelia().await;
    let ask =
        json!({"method": 3, "refreshToken": amelia.refresh, "projectId": "p1", "clientId": "c3"});
    assert_error(&env.post(SEND_CODE, ask).await, 401, 10002);
}

#[tokio::test]
async fn the_mfa_at_signin_quirk_refuses_method_2_at_once() {
    let env = start_with(SandboxConfig {
        quirks: Quirks {
            mfa_at_signin: true,
            ..Quirks::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let reply = env.post(SIGNIN, password_sign_in(DEMO_EMAIL)).await;
    assert_error(&reply, 403, 100043);
    let mut wrong = password_sign_in(DEMO_EMAIL);
    wrong["password"] = json!("nope");
    assert_error(&env.post(SIGNIN, wrong).await, 403, 100012);
    // Accounts without MFA, and method 3, are unaffected.
    let sam = env.sign_in_sam().await;
    assert_eq!(env.configuration(&sam).await.0, 200);
    let amelia = env.sign_in_amelia().await;
    assert_eq!(env.configuration(&amelia).await.0, 200);
}

#[tokio::test]
async fn methods_are_numbers_or_enum_names_never_digit_strings() {
    let env = start().await;
    // Names throughout: method 3 by name, the code request by name.
    let body = json!({"method": "TWO_FACTOR_AUTH", "email": DEMO_EMAIL, "password": DEMO_PASSWORD,
                      "projectId": "p1", "clientId": "c3"});
    let (status, reply) = env.post(SIGNIN, body).await;
    assert_eq!(status, 200, "{reply}");
    let first = common::session(&reply);
    let ask = json!({"method": "TWO_FACTOR_AUTH", "refreshToken": first.refresh,
                     "projectId": "p1", "clientId": "c3"});
    assert_eq!(env.post(SEND_CODE, ask).await.0, 200);
    let code = env.latest_code(DEMO_PHONE).await;
    let confirm = json!({"method": "TWO_FACTOR_AUTH", "refreshToken": first.refresh,
                         "confirmationCode": code, "projectId": "p1", "clientId": "c3"});
    let (status, reply) = env.post(SIGNIN, confirm).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(env.configuration(&common::session(&reply)).await.0, 200);
    let mut by_name = password_sign_in(NO_MFA_EMAIL);
    by_name["method"] = json!("EMAIL_PASSWORD");
    assert_eq!(env.post(SIGNIN, by_name).await.0, 200);

    // The digit as a string, an unknown name, and a stage given by the client are refused.
    for (method, extra) in [
        (json!("3"), json!({})),
        (json!("2"), json!({})),
        (json!("two_factor_auth"), json!({})),
        (json!(3), json!({"authStage": 1})),
        (json!(3), json!({"authStage": "FIRST"})),
    ] {
        let mut body = json!({"method": method, "email": DEMO_EMAIL, "password": DEMO_PASSWORD,
                              "projectId": "p1", "clientId": "c3"});
        for (key, value) in extra.as_object().unwrap() {
            body[key] = value.clone();
        }
        assert_error(&env.post(SIGNIN, body).await, 403, 100050);
    }
    let first = env.first_stage().await;
    let ask =
        json!({"method": "3", "refreshToken": first.refresh, "projectId": "p1", "clientId": "c3"});
    assert_error(&env.post(SEND_CODE, ask).await, 403, 100050);
}

#[tokio::test]
async fn user_agent_is_required_on_sign_in_refresh_and_sign_out() {
    let env = start().await;
    let session = env.sign_in_sam().await;
    let other = env.sign_in_sam().await;
    let bare = reqwest::Client::new();
    let calls = [
        (SIGNIN, password_sign_in(NO_MFA_EMAIL)),
        (REFRESH, json!({"refreshToken": session.refresh})),
        (
            SIGNOUT,
            json!({"userId": other.uid, "refreshToken": other.refresh,
                   "deviceAgent": USER_AGENT}),
        ),
    ];
    for (path, body) in &calls {
        for user_agent in [None, Some(""), Some("  ")] {
            let mut request = bare.post(env.url(path)).json(body);
            if let Some(value) = user_agent {
                request = request.header("user-agent", value);
            }
            let response = request.send().await.unwrap();
            let reply = (response.status().as_u16(), response.json().await.unwrap());
            assert_error(&reply, 400, 100003);
            assert_eq!(reply.1["message"], "User Agent is missing in headers");
        }
    }
    // Nothing was done: with a User-Agent each call works.
    for (path, body) in calls {
        let (status, reply) = env.post(path, body).await;
        assert_eq!(status, 200, "{path}: {reply}");
    }
    // The code request does not need one.
    let first = env.first_stage().await;
    let ask =
        json!({"method": 3, "refreshToken": first.refresh, "projectId": "p1", "clientId": "c3"});
    let response = bare
        .post(env.url(SEND_CODE))
        .json(&ask)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
}

#[tokio::test]
async fn project_and_client_are_checked_on_sign_in_and_code_requests() {
    let env = start().await;
    let first = env.first_stage().await;
    for (project, client, code) in [
        ("p2", "c3", 100001),
        ("p1", "c4", 100002),
        ("P1", "C3", 100001),
    ] {
        let mut body = password_sign_in(NO_MFA_EMAIL);
        body["projectId"] = json!(project);
        body["clientId"] = json!(client);
        assert_error(&env.post(SIGNIN, body).await, 400, code);
        let ask = json!({"method": 3, "refreshToken": first.refresh,
                         "projectId": project, "clientId": client});
        assert_error(&env.post(SEND_CODE, ask).await, 400, code);
    }
    // Missing or blank is a validation error.
    for body in [
        json!({"method": 2, "email": NO_MFA_EMAIL, "password": DEMO_PASSWORD, "clientId": "c3"}),
        json!({"method": 2, "email": NO_MFA_EMAIL, "password": DEMO_PASSWORD,
               "projectId": "p1", "clientId": ""}),
    ] {
        assert_error(&env.post(SIGNIN, body).await, 403, 100050);
    }
    let ask = json!({"method": 3, "refreshToken": first.refresh, "projectId": "p1"});
    assert_error(&env.post(SEND_CODE, ask).await, 403, 100050);
    assert!(env.get("/sandbox/messages", None).await.1["messages"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn lifetimes_are_integers_unless_the_float_quirk_is_on() {
    for (floats, access, refresh) in [
        (false, json!(900), json!(14 * 24 * 3600)),
        (true, json!(899.6), json!(1_209_599.6)),
    ] {
        let env = start_with(SandboxConfig {
            quirks: Quirks {
                float_lifetimes: floats,
                ..Quirks::default()
            },
            ..SandboxConfig::default()
        })
        .await;
        let (_, signed_in) = env.post(SIGNIN, password_sign_in(NO_MFA_EMAIL)).await;
        assert_eq!(signed_in["authTokenExpiresIn"], access, "{signed_in}");
        assert_eq!(signed_in["expiresIn"], refresh, "{signed_in}");
        assert_eq!(signed_in["authTokenExpiresIn"].is_i64(), !floats);
        let (_, refreshed) = env
            .refresh(json!({"refreshToken": signed_in["refreshToken"]}))
            .await;
        assert_eq!(refreshed["expiresIn"], access, "{refreshed}");
        assert_eq!(refreshed["expiresIn"].is_i64(), !floats);
        assert_eq!(refreshed["refreshTokenExpiresIn"].is_i64(), !floats);
    }
}

#[tokio::test]
async fn sms_second_factor_end_to_end() {
    let env = start().await;
    let first = env.first_stage().await;
    assert_eq!(first.uid.len(), 24);

    // A first-stage token is refused on protected calls.
    assert_error(&env.configuration(&first).await, 400, 100021);
    assert_error(&env.user(&first, None).await, 400, 100021);
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
    assert_eq!(config["id"], env.sandbox.demo().deployment_ids[0].as_str());

    // The first stage is spent: neither the code nor its tokens work again.
    assert_error(&env.confirm(&first, &code).await, 401, 10002);
    assert_error(&env.configuration(&first).await, 401, 10002);
}

#[tokio::test]
async fn wrong_codes_are_100020_then_429_after_five() {
    let env = start().await;
    let first = env.first_stage().await;
    env.send_code(&first).await;
    let code = env.latest_code(DEMO_PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let reply = env.confirm(&first, wrong).await;
        assert_error(&reply, 400, 100020);
        assert_eq!(reply.1["message"], "Invalid verification code");
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
    assert_error(&env.confirm(&first, "123456").await, 400, 100020);
    env.send_code(&first).await;
    let code = env.latest_code(DEMO_PHONE).await;
    env.advance(10 * 60 + 1).await;
    assert_error(&env.confirm(&first, &code).await, 400, 100020);
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
        assert_error(&env.confirm(&first, &old).await, 400, 100020);
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
            SIGNOUT,
            json!({"userId": "0123456789abcdef01234567", "refreshToken": session.refresh,
                   "deviceAgent": USER_AGENT}),
        )
        .await;
    assert_error(&reply, 403, 100004);

    let (status, body) = env.sign_out(&session).await;
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
async fn sign_out_needs_a_device_agent_and_an_object_id() {
    let env = start().await;
    let session = env.sign_in_sam().await;
    for body in [
        json!({"userId": session.uid, "refreshToken": session.refresh}),
        json!({"userId": session.uid, "refreshToken": session.refresh, "deviceAgent": null}),
        json!({"userId": "someone-else", "refreshToken": session.refresh,
               "deviceAgent": USER_AGENT}),
        json!({"userId": session.uid.to_uppercase(), "refreshToken": session.refresh,
               "deviceAgent": USER_AGENT}),
    ] {
        assert_error(&env.post(SIGNOUT, body).await, 403, 100050);
    }
    assert_eq!(env.configuration(&session).await.0, 200, "still signed in");
    assert_eq!(env.sign_out(&session).await.0, 200);
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
    assert_error(&env.post(SIGNOUT, json!({"userId": 1})).await, 403, 100050);
}
