//! The sandbox's logs never carry tokens, passwords, codes (SMS or invitation), phone numbers,
//! emails, names or ids.

use crate::common;
use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::common::{start, DEMO_PHONE};
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

    // An invitation and its sign-up, through the page and the JSON door.
    let invitee_phone = "+12025550177";
    let (status, sent) = env
        .post_auth(
            "/api/extensions/v1/deployment/send-invitation",
            &amelia.auth,
            None,
            json!({"clientId": "c3", "projectId": "p1", "roleId": "User", "deploymentIds": [list],
                   "type": "SMS", "text": "Perpetua, join us:",
                   "invitees": [{"givenName": "Perpetua", "familyName": "Quixley",
                                 "phoneNumber": invitee_phone}]}),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    env.post_auth(
        "/api/extensions/v1/deployment/invitations",
        &amelia.auth,
        Some(&list),
        json!({"clientId": "c3", "projectId": "p1", "roleType": "User", "search": "Quixley"}),
    )
    .await;
    let (_, link) = env
        .post_auth(
            "/api/extensions/v1/deployment/invitation-link",
            &amelia.auth,
            None,
            json!({"clientId": "c3", "projectId": "p1", "deploymentId": list, "roleId": "User",
                   "retrieveShortened": true}),
        )
        .await;
    let link_code = link["link"]
        .as_str()
        .unwrap()
        .rsplit('=')
        .next()
        .unwrap()
        .to_owned();
    // A user without a role given the role instead of an invitation.
    env.post_auth(
        "/api/extensions/v1/deployment/send-invitation",
        &amelia.auth,
        None,
        json!({"clientId": "c3", "projectId": "p1", "roleId": "User", "deploymentIds": [list],
               "type": "SMS", "invitees": [{"givenName": "Kofi", "phoneNumber": "+12125550193"}]}),
    )
    .await;
    let (_, all) = env.get("/sandbox/invitations", None).await;
    let invitation = all["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == "PERSONAL")
        .unwrap()
        .clone();
    let short = invitation["shortenedCode"].as_str().unwrap().to_owned();
    let invitation_code = invitation["code"].as_str().unwrap().to_owned();
    env.http
        .get(env.url(&format!("/sandbox/signup/{short}")))
        .send()
        .await
        .unwrap();
    let (status, signed_up) = env
        .post(
            "/api/auth/v1/signup",
            json!({"method": 0, "password": "Quixley-secret-99", "email": "perpetua@example.org",
                   "validationData": {"invitationCode": invitation_code},
                   "projectId": "p1", "clientId": "c3"}),
        )
        .await;
    assert_eq!(status, 200, "{signed_up}");
    env.sandbox.shutdown().await;

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    for route in [
        "/api/auth/v1/signin",
        "/api/extensions/v1/deployment/send-invitation",
        "/sandbox/signup/{code}",
        "/api/auth/v1/signup",
    ] {
        assert!(logs.contains(route), "{route} is logged:\n{logs}");
    }
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
        invitee_phone.to_owned(),
        "2025550177".to_owned(),
        "Perpetua".to_owned(),
        "Quixley".to_owned(),
        "perpetua@example.org".to_owned(),
        short,
        invitation_code,
        link_code,
        "Kofi".to_owned(),
        "2125550193".to_owned(),
        sent["ids"][0].as_str().unwrap().to_owned(),
        signed_up["uid"].as_str().unwrap().to_owned(),
    ];
    for secret in secrets {
        assert!(!logs.contains(&secret), "the logs contain {secret:?}");
    }
}
