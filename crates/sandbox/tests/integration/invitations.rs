//! Invitations: sending by SMS and email, the pending listing, expiry, and patient sign-up through
//! the page and through Huma's JSON `signup`.

use crate::common;
use std::collections::HashSet;

use crate::common::invites::REVOKE;
use crate::common::{assert_error, start, Env};
use huma_sandbox::nhs;
use serde_json::{json, Value};

const SEND: &str = "/api/extensions/v1/deployment/send-invitation";
const LIST: &str = "/api/extensions/v1/deployment/invitations";
const SIGNUP: &str = "/api/auth/v1/signup";
const LINK: &str = "/api/extensions/v1/deployment/invitation-link";
const WEEK: i64 = 7 * 24 * 60 * 60;
const FIRST_LIST_NAME: &str = "Cardiology follow-up — St Thomas' Hospital";

/// A `send-invitation` body for one list.
fn invite(list: &str, channel: &str, invitees: Value) -> Value {
    json!({"clientId": "c3", "projectId": "p1", "roleId": "User", "deploymentIds": [list],
           "invitees": invitees, "type": channel})
}

fn with(mut body: Value, extra: Value) -> Value {
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

async fn send(env: &Env, token: &str, body: Value) -> (u16, Value) {
    env.post_auth(SEND, token, None, body).await
}

/// Sends and expects 202; returns the reply.
async fn sent(env: &Env, token: &str, body: Value) -> Value {
    let (status, reply) = send(env, token, body).await;
    assert_eq!(status, 202, "{reply}");
    assert_eq!(reply["ok"], true);
    reply
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// The pending listing of personal invitations (as the app asks for it; the seed's universal
/// links are left out) with `extra` in the body; expects 200.
async fn pending(env: &Env, token: &str, deployment: Option<&str>, extra: Value) -> Value {
    let body = with(
        json!({"clientId": "c3", "projectId": "p1", "roleType": "User",
               "invitationType": "PERSONAL"}),
        extra,
    );
    let (status, reply) = env.post_auth(LIST, token, deployment, body).await;
    assert_eq!(status, 200, "{reply}");
    reply
}

fn given_names(reply: &Value) -> Vec<String> {
    reply["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["givenName"].as_str().unwrap().to_owned())
        .collect()
}

/// Every invitation the sandbox holds (`/sandbox/invitations`) of one type, newest first.
async fn stored_of_type(env: &Env, kind: &str) -> Vec<Value> {
    let (status, body) = env.get("/sandbox/invitations", None).await;
    assert_eq!(status, 200);
    body["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["type"] == kind)
        .cloned()
        .collect()
}

/// Every personal invitation the sandbox holds, newest first (the seed has none).
async fn all_invitations(env: &Env) -> Vec<Value> {
    stored_of_type(env, "PERSONAL").await
}

async fn invitation(env: &Env, id: &str) -> Value {
    all_invitations(env)
        .await
        .into_iter()
        .find(|i| i["id"] == id)
        .unwrap()
}

async fn messages_to(env: &Env, to: &str) -> Vec<Value> {
    let (status, body) = env
        .get(
            &format!("/sandbox/messages?to={}", to.replace('+', "%2B")),
            None,
        )
        .await;
    assert_eq!(status, 200);
    body["messages"].as_array().unwrap().clone()
}

/// The sign-up link in a message body (its last word, or the word after "account:").
fn link_in(body: &str) -> String {
    body.split_whitespace()
        .find(|w| w.contains("/sandbox/signup/"))
        .unwrap()
        .to_owned()
}

/// Status, content type and text of a page.
async fn page(env: &Env, url: &str) -> (u16, String, String) {
    let response = env.http.get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (status, content_type, response.text().await.unwrap())
}

fn form_encode(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    char::from(b).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Posts the sign-up form; status and page.
async fn submit(env: &Env, url: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let response = env
        .http
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode(pairs))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

fn signup_body(validation: Value, extra: Value) -> Value {
    with(
        json!({"method": 0, "password": "a long passphrase", "validationData": validation,
               "projectId": "p1", "clientId": "c3"}),
        extra,
    )
}

fn instant(value: &Value) -> chrono::DateTime<chrono::Utc> {
    let text = value.as_str().unwrap();
    assert_eq!(text.len(), 27, "YYYY-MM-DDTHH:MM:SS.ffffffZ: {text}");
    assert!(text.ends_with('Z'));
    chrono::DateTime::parse_from_rfc3339(text).unwrap().into()
}

/// 24 lowercase hex digits, as Huma's ids are.
fn is_object_id(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| s.len() == 24 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

/// Sam (no MFA) and his only list, the first.
async fn sam(env: &Env) -> (common::Session, String) {
    let session = env.sign_in_sam().await;
    (session, env.sandbox.demo().deployment_ids[0].clone())
}

#[tokio::test]
async fn an_sms_invitation_sends_the_text_a_space_and_a_working_link() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let text = "Hi Zoë, Sam Okafor has invited you to join Huma for cardiology. Sign up here:";
    let reply = sent(
        &env,
        &sam.auth,
        with(
            invite(
                &list,
                "SMS",
                json!([{"givenName": "Zoë", "familyName": "O'Neill", "phoneNumber": "+12025550101"}]),
            ),
            json!({"text": text, "language": "en"}),
        ),
    )
    .await;
    let ids = strings(&reply["ids"]);
    assert_eq!(ids.len(), 1);
    assert!(is_object_id(&reply["ids"][0]), "{reply}");
    for key in [
        "alreadySignedUpEmails",
        "alreadySignedUpPhoneNumbers",
        "alreadyInvitedPhoneNumbers",
        "failedSendInvitePhoneNumbers",
    ] {
        assert_eq!(reply[key], json!([]), "{key}");
    }

    let messages = messages_to(&env, "+12025550101").await;
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message["kind"], "INVITATION");
    assert_eq!(message["channel"], "SMS");
    assert_eq!(message["to"], "+12025550101");
    assert_eq!(message["invitationId"], ids[0].as_str());
    assert!(message.get("subject").is_none());
    let body = message["body"].as_str().unwrap();
    let link = link_in(body);
    assert_eq!(body, format!("{text} {link}"));
    let short = link
        .strip_prefix(&format!("{}/sandbox/signup/", env.base))
        .unwrap();
    assert_eq!(short.len(), 16);
    assert!(short.bytes().all(|b| b.is_ascii_alphanumeric()));

    let stored = invitation(&env, &ids[0]).await;
    assert_eq!(stored["shortenedCode"], short);
    assert!(stored["code"].as_str().unwrap().len() >= 32);
    assert_eq!(stored["type"], "PERSONAL");
    assert_eq!(stored["channel"], "SMS");
    assert_eq!(stored["numberOfTry"], 1);
    assert_eq!(stored["status"], "SENT");
    assert_eq!(stored["state"], "PENDING");
    assert_eq!(stored["consumedAt"], Value::Null);
    assert_eq!(stored["roleName"], "User");
    assert_eq!(stored["invitedBy"], "Sam Okafor");
    assert_eq!(stored["senderId"], sam.uid.as_str());
    assert_eq!(stored["deploymentId"], list.as_str());
    assert_eq!(stored["text"], text);
    assert_eq!(stored["language"], "en");
    assert_eq!(stored["phoneNumber"], "+12025550101");
    assert!(stored.get("email").is_none());
    let lifetime = instant(&stored["expiresAt"]) - instant(&stored["createDateTime"]);
    assert_eq!(lifetime.num_seconds(), WEEK);

    let (status, content_type, html) = page(&env, &link).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("Sam Okafor has invited you"));
    assert!(html.contains("Cardiology follow-up — St Thomas&#39; Hospital"));
    assert!(html.contains("value=\"Zoë\""));
    assert!(html.contains("value=\"O&#39;Neill\""));
    assert!(html.contains(">Create account</button>"));
    assert!(html.contains("<label for=\"password\">"));

    // The message viewer makes the link clickable.
    let viewer = env
        .http
        .get(env.url("/sandbox/messages"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(viewer.contains(&format!("<a href=\"{link}\">{link}</a>")));
}

#[tokio::test]
async fn an_email_invitation_to_three_addresses_makes_three_invitations_and_emails() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let addresses = [
        "ada.lovelace@example.org",
        "Grace.Hopper@Example.org",
        "alan.turing@example.net",
    ];
    let invitees: Vec<Value> = addresses
        .iter()
        .map(|a| json!({"givenName": "Pat", "familyName": "Example", "email": a}))
        .collect();
    let reply = sent(&env, &sam.auth, invite(&list, "EMAIL", json!(invitees))).await;
    let ids = strings(&reply["ids"]);
    assert_eq!(ids.len(), 3);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 3);

    for (address, id) in addresses.iter().zip(&ids) {
        let messages = messages_to(&env, address).await;
        assert_eq!(messages.len(), 1, "{address}");
        let message = &messages[0];
        assert_eq!(message["channel"], "EMAIL");
        assert_eq!(message["kind"], "INVITATION");
        assert_eq!(message["to"], *address);
        assert_eq!(message["invitationId"], id.as_str());
        assert_eq!(message["subject"], "Dr Sam Okafor invited you to join Huma");
        let body = message["body"].as_str().unwrap();
        assert!(body.starts_with("Hi Pat,"), "{body}");
        assert!(body.contains(FIRST_LIST_NAME), "{body}");
        let stored = invitation(&env, id).await;
        assert_eq!(stored["email"], *address);
        assert_eq!(stored["channel"], "EMAIL");
        assert_eq!(
            link_in(body),
            format!(
                "{}/sandbox/signup/{}",
                env.base,
                stored["shortenedCode"].as_str().unwrap()
            )
        );
    }
    let (_, log) = env.get("/sandbox/messages", None).await;
    let invitation_messages = log["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "INVITATION")
        .count();
    assert_eq!(invitation_messages, 3);
}

#[tokio::test]
async fn patients_already_on_the_list_are_reported_and_not_invited() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let (_, page) = env
        .profiles(&sam.auth, Some(&list), json!({"limit": 100}))
        .await;
    let users = page["users"].as_array().unwrap();
    let email = users.iter().find_map(|u| u["email"].as_str()).unwrap();
    let phone = users
        .iter()
        .find_map(|u| u["phoneNumber"].as_str())
        .unwrap();

    let shouted = email.to_uppercase();
    let reply = sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "EMAIL",
            json!([{"givenName": "A", "familyName": "B", "email": shouted},
                   {"givenName": "New", "familyName": "Person", "email": "new.person@example.org"}]),
        ),
    )
    .await;
    assert_eq!(reply["alreadySignedUpEmails"], json!([shouted]));
    assert_eq!(strings(&reply["ids"]).len(), 1);

    let reply = sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "SMS",
            json!([{"givenName": "A", "familyName": "B", "phoneNumber": phone}]),
        ),
    )
    .await;
    assert_eq!(reply["alreadySignedUpPhoneNumbers"], json!([phone]));
    assert_eq!(reply["ids"], json!([]));
    assert_eq!(reply["alreadyInvitedPhoneNumbers"], json!([]));

    let all = all_invitations(&env).await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0]["email"], "new.person@example.org");
    assert!(messages_to(&env, phone).await.is_empty());
    assert!(messages_to(&env, email).await.is_empty());
}

#[tokio::test]
async fn a_phone_with_a_pending_invitation_is_not_invited_again_on_that_list() {
    let env = start().await;
    let amelia = env.sign_in_amelia().await;
    let lists = env.sandbox.demo().deployment_ids;
    let person = json!({"givenName": "Rhys", "familyName": "Evans", "phoneNumber": "+12025550102"});
    let first = sent(
        &env,
        &amelia.auth,
        invite(&lists[0], "SMS", json!([person])),
    )
    .await;
    assert_eq!(strings(&first["ids"]).len(), 1);

    let again = sent(
        &env,
        &amelia.auth,
        invite(&lists[0], "SMS", json!([person])),
    )
    .await;
    assert_eq!(again["ids"], json!([]));
    assert_eq!(again["alreadyInvitedPhoneNumbers"], json!(["+12025550102"]));
    assert_eq!(again["alreadySignedUpPhoneNumbers"], json!([]));

    // The same phone twice in one request: the second is already invited by the first.
    let twice = sent(
        &env,
        &amelia.auth,
        invite(
            &lists[1],
            "SMS",
            json!([person, {"givenName": "Rhys", "familyName": "Evans", "phoneNumber": "+12025550102"}]),
        ),
    )
    .await;
    assert_eq!(strings(&twice["ids"]).len(), 1, "another list may invite");
    assert_eq!(twice["alreadyInvitedPhoneNumbers"], json!(["+12025550102"]));

    assert_eq!(all_invitations(&env).await.len(), 2);
    assert_eq!(messages_to(&env, "+12025550102").await.len(), 2);
}

#[tokio::test]
async fn the_same_email_twice_and_a_repeated_request_create_new_invitations() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let body = invite(
        &list,
        "EMAIL",
        json!([{"givenName": "Twin", "familyName": "One", "email": "twin@example.org"}]),
    );
    let first = strings(&sent(&env, &sam.auth, body.clone()).await["ids"]);
    let second = strings(&sent(&env, &sam.auth, body).await["ids"]);
    assert_eq!((first.len(), second.len()), (1, 1));
    assert_ne!(first, second, "nothing is idempotent");
    assert_eq!(messages_to(&env, "twin@example.org").await.len(), 2);
    let listed = pending(&env, &sam.auth, None, json!({"email": "twin@"})).await;
    assert_eq!(listed["filtered"], 2);

    // Both are usable until one signs up; then the address is on the list.
    let codes: Vec<String> = all_invitations(&env)
        .await
        .iter()
        .map(|i| i["shortenedCode"].as_str().unwrap().to_owned())
        .collect();
    let (status, body) = env
        .post(
            SIGNUP,
            signup_body(
                json!({"shortenedCode": codes[0]}),
                json!({"email": "twin@example.org"}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let reply = env
        .post(
            SIGNUP,
            signup_body(
                json!({"shortenedCode": codes[1]}),
                json!({"email": "twin@example.org"}),
            ),
        )
        .await;
    assert_error(&reply, 403, 100050);
}

#[tokio::test]
async fn invalid_requests_are_100050_and_invite_nobody() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let other = env.sandbox.demo().deployment_ids[1].clone();
    let sms = |invitees: Value| invite(&list, "SMS", invitees);
    let ok_sms = json!([{"givenName": "A", "familyName": "B", "phoneNumber": "+12025550103"}]);
    let many: Vec<Value> = (0..1001)
        .map(|n| json!({"givenName": "A", "familyName": "B", "email": format!("p{n}@example.org")}))
        .collect();
    let mut cases = vec![
        with(sms(ok_sms.clone()), json!({"deploymentIds": []})),
        with(sms(ok_sms.clone()), json!({"deploymentIds": [list, list]})),
        with(sms(ok_sms.clone()), json!({"deploymentIds": [list, other]})),
        with(sms(ok_sms.clone()), json!({"deploymentIds": list})),
        with(
            sms(ok_sms.clone()),
            json!({"deploymentIds": ["not-an-object-id"]}),
        ),
        with(
            sms(ok_sms.clone()),
            json!({"deploymentIds": [list.to_uppercase()]}),
        ),
        with(
            sms(ok_sms.clone()),
            json!({"deploymentIds": [format!(" {list}")]}),
        ),
        sms(json!([])),
        sms(json!({"givenName": "A"})),
        invite(&list, "EMAIL", json!(many)),
        with(sms(ok_sms.clone()), json!({"type": "WHATSAPP"})),
        with(sms(ok_sms.clone()), json!({"type": "sms"})),
        with(sms(ok_sms.clone()), json!({"roleId": "Admin"})),
        with(sms(ok_sms.clone()), json!({"clientId": ""})),
        with(sms(ok_sms.clone()), json!({"projectId": " "})),
        sms(json!([{"givenName": "A", "familyName": "B", "email": "a@example.org"}])),
        invite(
            &list,
            "EMAIL",
            json!([{"givenName": "A", "familyName": "B", "phoneNumber": "+12025550103"}]),
        ),
        invite(
            &list,
            "EMAIL",
            json!([{"givenName": "A", "familyName": "B", "email": "   "}]),
        ),
        invite(
            &list,
            "EMAIL",
            json!([{"givenName": "A", "familyName": "B", "email": "not-an-email"}]),
        ),
        invite(
            &list,
            "EMAIL",
            json!([{"givenName": "A", "familyName": "B", "email": "a@b"}]),
        ),
        sms(json!([{"givenName": "A", "familyName": "B", "phoneNumber": "07700900123"}])),
        sms(json!([{"givenName": "A", "familyName": "B", "phoneNumber": "+44 7700 900123"}])),
        sms(json!([{"givenName": "A", "familyName": "B", "phoneNumber": "+4477"}])),
        sms(json!([{"givenName": "A", "familyName": "B", "phoneNumber": 447700900123_i64}])),
        // One bad invitee spoils the request.
        sms(
            json!([{"givenName": "A", "familyName": "B", "phoneNumber": "+12025550104"},
                   {"givenName": "A", "familyName": "B", "phoneNumber": "12025550105"}]),
        ),
        sms(
            json!([{"givenName": "A".repeat(101), "familyName": "B", "phoneNumber": "+12025550106"}]),
        ),
    ];
    for expires_in in [
        "P1M", "1 week", "P0D", "PT", "P", "p1w", "P1.5D", "P400D", "",
    ] {
        cases.push(with(sms(ok_sms.clone()), json!({"expiresIn": expires_in})));
    }
    for body in cases {
        let reply = send(&env, &sam.auth, body.clone()).await;
        assert_error(&reply, 403, 100050);
    }
    for (project, client, code) in [("p2", "c3", 100001), ("p1", "c4", 100002)] {
        let body = with(
            sms(ok_sms.clone()),
            json!({"projectId": project, "clientId": client}),
        );
        assert_error(&send(&env, &sam.auth, body).await, 400, code);
    }
    let raw = env
        .http
        .post(env.url(SEND))
        .bearer_auth(&sam.auth)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status().as_u16(), 403);
    assert!(all_invitations(&env).await.is_empty());
    let (_, log) = env.get("/sandbox/messages", None).await;
    assert_eq!(log["messages"], json!([]));

    // The accepted forms of expiresIn.
    for (n, (expires_in, seconds)) in [
        ("P2D", 172_800),
        ("PT12H", 43_200),
        ("P1W1DT1H30M", 696_600),
    ]
    .into_iter()
    .enumerate()
    {
        let phone = format!("+1202555020{n}");
        let body = with(
            sms(json!([{"givenName": "A", "familyName": "B", "phoneNumber": phone}])),
            json!({"expiresIn": expires_in}),
        );
        let id = strings(&sent(&env, &sam.auth, body).await["ids"]).remove(0);
        let stored = invitation(&env, &id).await;
        let lifetime = instant(&stored["expiresAt"]) - instant(&stored["createDateTime"]);
        assert_eq!(lifetime.num_seconds(), seconds, "{expires_in}");
    }
}

#[tokio::test]
async fn only_a_clinician_of_the_list_may_invite() {
    let env = start().await;
    let (sam, _) = sam(&env).await;
    let other = env.sandbox.demo().deployment_ids[1].clone();
    let invitees = json!([{"givenName": "A", "familyName": "B", "phoneNumber": "+12025550107"}]);
    for list in [other.as_str(), "000000000000000000000000"] {
        let reply = send(&env, &sam.auth, invite(list, "SMS", invitees.clone())).await;
        assert_error(&reply, 403, 100004);
    }
    let (status, body) = env.post(SEND, invite(&other, "SMS", invitees)).await;
    assert_eq!((status, body["code"].as_u64()), (401, Some(10001)));
    assert!(all_invitations(&env).await.is_empty());
}

#[tokio::test]
async fn the_pending_listing_filters_pages_and_sorts() {
    let env = start().await;
    let amelia = env.sign_in_amelia().await;
    let lists = env.sandbox.demo().deployment_ids;
    let sends = [
        (
            &lists[0],
            "SMS",
            json!({"givenName": "Zoë", "familyName": "Ferreira-Lund", "phoneNumber": "+12025550111"}),
        ),
        (
            &lists[0],
            "EMAIL",
            json!({"givenName": "Marcus", "familyName": "Oyelaran", "email": "marcus.oyelaran@Example.org"}),
        ),
        (
            &lists[1],
            "EMAIL",
            json!({"givenName": "Priya", "familyName": "Ferreira", "email": "priya.f@example.net"}),
        ),
        (
            &lists[0],
            "SMS",
            json!({"givenName": "Tomasz", "familyName": "Brennan", "phoneNumber": "+12025550122"}),
        ),
    ];
    for (list, channel, person) in sends {
        sent(&env, &amelia.auth, invite(list, channel, json!([person]))).await;
        env.advance(1).await;
    }

    let everything = pending(&env, &amelia.auth, None, json!({})).await;
    assert_eq!(
        given_names(&everything),
        ["Tomasz", "Priya", "Marcus", "Zoë"]
    );
    assert_eq!(
        (
            everything["filtered"].as_i64(),
            everything["total"].as_i64()
        ),
        (Some(4), Some(4))
    );
    let times: Vec<_> = everything["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| instant(&i["createDateTime"]))
        .collect();
    assert!(times.windows(2).all(|w| w[0] > w[1]), "newest first");

    // The item's shape.
    let zoe = &everything["invitations"][3];
    let keys: HashSet<&str> = zoe
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let want: HashSet<&str> = [
        "id",
        "phoneNumber",
        "givenName",
        "familyName",
        "code",
        "shortenedCode",
        "roles",
        "numberOfTry",
        "type",
        "expiresAt",
        "createDateTime",
        "senderId",
        "invitedBy",
        "status",
        "roleName",
    ]
    .into_iter()
    .collect();
    assert_eq!(keys, want);
    assert_eq!(
        zoe["roles"],
        json!([{"roleId": "User", "resource": format!("deployment/{}", lists[0])}])
    );
    assert_eq!(zoe["senderId"], amelia.uid.as_str());
    assert_eq!(zoe["invitedBy"], "Amelia Hart");
    assert_eq!(
        (zoe["type"].as_str(), zoe["status"].as_str()),
        (Some("PERSONAL"), Some("SENT"))
    );
    assert_eq!(
        (zoe["numberOfTry"].as_i64(), zoe["roleName"].as_str()),
        (Some(1), Some("User"))
    );
    assert_eq!(zoe["phoneNumber"], "+12025550111");
    instant(&zoe["expiresAt"]);

    let first = pending(&env, &amelia.auth, Some(&lists[0]), json!({})).await;
    assert_eq!(given_names(&first), ["Tomasz", "Marcus", "Zoë"]);
    assert_eq!(first["total"], 3);
    let second = pending(&env, &amelia.auth, Some(&lists[1]), json!({})).await;
    assert_eq!(given_names(&second), ["Priya"]);
    let third = pending(&env, &amelia.auth, Some(&lists[2]), json!({})).await;
    assert_eq!(
        (third["total"].as_i64(), third["invitations"].clone()),
        (Some(0), json!([]))
    );

    let all = vec!["Tomasz", "Priya", "Marcus", "Zoë"];
    for (filter, want) in [
        // Huma filters on the email only: a case-insensitive substring.
        (json!({"email": "EXAMPLE"}), vec!["Priya", "Marcus"]),
        (json!({"email": "oyelaran@ex"}), vec!["Marcus"]),
        (json!({"email": "nobody"}), vec![]),
        (json!({"email": "%"}), vec![]),
        (json!({"email": ""}), all.clone()),
        (json!({"email": " example"}), vec![]),
        // `search` is accepted and ignored, as Huma's server does.
        (json!({"search": "zoe"}), all.clone()),
        (json!({"search": "no such person"}), all.clone()),
        (
            json!({"search": "ferreira", "email": "example.net"}),
            vec!["Priya"],
        ),
        (json!({"invitationType": "PERSONAL"}), all.clone()),
    ] {
        let reply = pending(&env, &amelia.auth, None, filter.clone()).await;
        assert_eq!(given_names(&reply), want, "{filter}");
        assert_eq!(
            reply["filtered"].as_u64(),
            Some(want.len() as u64),
            "{filter}"
        );
        assert_eq!(reply["total"], 4, "{filter}");
    }

    let page = |skip: i64, limit: i64| json!({"skip": skip, "limit": limit});
    let one = pending(&env, &amelia.auth, None, page(0, 2)).await;
    let two = pending(&env, &amelia.auth, None, page(2, 2)).await;
    let three = pending(&env, &amelia.auth, None, page(4, 2)).await;
    assert_eq!(given_names(&one), ["Tomasz", "Priya"]);
    assert_eq!(given_names(&two), ["Marcus", "Zoë"]);
    assert_eq!(three["invitations"], json!([]));
    assert_eq!(
        (two["filtered"].as_i64(), two["total"].as_i64()),
        (Some(4), Some(4))
    );
    let counts = pending(&env, &amelia.auth, None, page(0, 0)).await;
    assert_eq!(
        (counts["invitations"].clone(), counts["total"].as_i64()),
        (json!([]), Some(4))
    );

    let oldest_first = pending(
        &env,
        &amelia.auth,
        None,
        json!({"sortFields": [{"field": "createDateTime", "direction": "ASC"}]}),
    )
    .await;
    assert_eq!(
        given_names(&oldest_first),
        ["Zoë", "Marcus", "Priya", "Tomasz"]
    );
    let newest_first = pending(
        &env,
        &amelia.auth,
        None,
        json!({"sortFields": [{"field": "createDateTime", "direction": "DESC"}]}),
    )
    .await;
    assert_eq!(given_names(&newest_first), given_names(&everything));

    // Sam sees only his list; the other is not his.
    let sam = env.sign_in_sam().await;
    let his = pending(&env, &sam.auth, None, json!({})).await;
    assert_eq!(given_names(&his), ["Tomasz", "Marcus", "Zoë"]);
    let body = json!({"clientId": "c3", "projectId": "p1", "roleType": "User"});
    assert_error(
        &env.post_auth(LIST, &sam.auth, Some(&lists[1]), body.clone())
            .await,
        403,
        100004,
    );
    assert_error(
        &env.post_auth(LIST, &sam.auth, Some(" "), body.clone())
            .await,
        400,
        100003,
    );
    let (status, _) = env.post(LIST, body.clone()).await;
    assert_eq!(status, 401);
    for bad in [
        json!({"roleType": "Admin"}),
        json!({"limit": 501}),
        json!({"limit": -1}),
        json!({"skip": -1}),
        json!({"invitationType": "OTHER"}),
        json!({"sortFields": [{"field": "givenName", "direction": "ASC"}]}),
        json!({"sortFields": [{"field": "createDateTime", "direction": "UP"}]}),
        json!({"search": 42}),
        json!({"clientId": ""}),
        json!({"projectId": null}),
    ] {
        let reply = env
            .post_auth(LIST, &sam.auth, None, with(body.clone(), bad.clone()))
            .await;
        assert_error(&reply, 403, 100050);
    }
    for (project, client, code) in [("p2", "c3", 100001), ("p1", "c4", 100002)] {
        let bad = with(
            body.clone(),
            json!({"projectId": project, "clientId": client}),
        );
        assert_error(&env.post_auth(LIST, &sam.auth, None, bad).await, 400, code);
    }
}

#[tokio::test]
async fn invitations_expire_after_their_lifetime_on_the_sandbox_clock() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let sms = strings(
        &sent(
            &env,
            &sam.auth,
            invite(
                &list,
                "SMS",
                json!([{"givenName": "Week", "familyName": "Long", "phoneNumber": "+12025550131"}]),
            ),
        )
        .await["ids"],
    )
    .remove(0);
    let email = strings(
        &sent(
            &env,
            &sam.auth,
            with(
                invite(&list, "EMAIL", json!([{"givenName": "Hour", "familyName": "Long", "email": "hour@example.org"}])),
                json!({"expiresIn": "PT1H"}),
            ),
        )
        .await["ids"],
    )
    .remove(0);
    let short = invitation(&env, &sms).await["shortenedCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = format!("{}/sandbox/signup/{short}", env.base);

    // Access tokens live 15 minutes: sign in again after each jump.
    env.advance(3601).await;
    let sam = env.sign_in_sam().await;
    let listed = pending(&env, &sam.auth, None, json!({})).await;
    assert_eq!(given_names(&listed), ["Week"]);
    assert_eq!(invitation(&env, &email).await["state"], "EXPIRED");

    env.advance(WEEK - 3601 - 5).await;
    let sam = env.sign_in_sam().await;
    assert_eq!(pending(&env, &sam.auth, None, json!({})).await["total"], 1);
    assert_eq!(page(&env, &link).await.0, 200);

    env.advance(6).await; // now a week and a second after sending
    let sam = env.sign_in_sam().await;
    let listed = pending(&env, &sam.auth, None, json!({})).await;
    assert_eq!(
        (listed["total"].as_i64(), listed["invitations"].clone()),
        (Some(0), json!([]))
    );
    let stored = invitation(&env, &sms).await;
    assert_eq!(
        (stored["state"].as_str(), stored["consumedAt"].clone()),
        (Some("EXPIRED"), Value::Null)
    );

    let reply = env
        .post(
            SIGNUP,
            signup_body(json!({"shortenedCode": short}), json!({})),
        )
        .await;
    assert_error(&reply, 401, 100033);
    let (status, content_type, html) = page(&env, &link).await;
    assert_eq!(status, 401);
    assert!(content_type.starts_with("text/html"));
    assert!(html.contains("has expired"));
    assert!(!html.contains("<form"));
    let (status, _) = submit(&env, &link, &[("password", "a long passphrase")]).await;
    assert_eq!(status, 401);

    // An expired invitation no longer blocks a new one to the same phone.
    let again = sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "SMS",
            json!([{"givenName": "Week", "familyName": "Long", "phoneNumber": "+12025550131"}]),
        ),
    )
    .await;
    assert_eq!(strings(&again["ids"]).len(), 1);
}

#[tokio::test]
async fn signing_up_with_the_form_consumes_the_invitation_and_adds_the_patient() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let id = strings(
        &sent(
            &env,
            &sam.auth,
            invite(&list, "SMS", json!([{"givenName": "Wilhelmina", "familyName": "Quartermaine", "phoneNumber": "+12025550144"}])),
        )
        .await["ids"],
    )
    .remove(0);
    let link = link_in(
        messages_to(&env, "+12025550144").await[0]["body"]
            .as_str()
            .unwrap(),
    );

    // A mistake is explained in words, and what was typed (but the password) comes back.
    let (status, html) = submit(
        &env,
        &link,
        &[
            ("givenName", "Wilhelmina"),
            ("familyName", "Quartermaine"),
            ("email", ""),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("at least 8 characters"));
    assert!(html.contains("value=\"Quartermaine\""));
    assert!(!html.contains("value=\"short\""));
    let (status, html) = submit(
        &env,
        &link,
        &[
            ("givenName", "Wilhelmina"),
            ("familyName", "Quartermaine"),
            ("email", "not an email"),
            ("password", "a long passphrase"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert!(html.contains("Enter an email address like"));
    assert_eq!(
        pending(&env, &sam.auth, Some(&list), json!({})).await["total"],
        1
    );

    let (status, html) = submit(
        &env,
        &link,
        &[
            ("givenName", " Wilhelmina "),
            ("familyName", "Quartermaine"),
            ("email", ""),
            ("dateOfBirth", "1984-02-29"),
            ("password", "a long passphrase"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Your account is ready"));
    assert!(html.contains("Cardiology follow-up — St Thomas&#39; Hospital"));
    assert!(html.contains("+12025550144"));

    let listed = pending(&env, &sam.auth, Some(&list), json!({})).await;
    assert_eq!(
        (listed["total"].as_i64(), listed["invitations"].clone()),
        (Some(0), json!([]))
    );
    let stored = invitation(&env, &id).await;
    assert_eq!(stored["state"], "CONSUMED");
    instant(&stored["consumedAt"]);
    let patient_id = stored["patientId"].as_str().unwrap().to_owned();

    let (status, found) = env
        .profiles(&sam.auth, Some(&list), json!({"search": "quartermaine"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(found["filtered"], 1);
    let patient = &found["users"][0];
    assert_eq!(patient["id"], patient_id.as_str());
    assert_eq!(patient["givenName"], "Wilhelmina");
    assert_eq!(patient["familyName"], "Quartermaine");
    assert_eq!(patient["dateOfBirth"], "1984-02-29");
    assert_eq!(patient["phoneNumber"], "+12025550144");
    assert!(patient.get("email").is_none());
    let nhs_id = patient["nhsId"].as_str().unwrap();
    assert!(
        nhs::is_valid(nhs_id) && nhs_id.starts_with("999"),
        "{nhs_id}"
    );
    assert_eq!(found["total"], 601, "the list grew by one");

    // Used: every door now refuses it.
    let (status, html) = submit(&env, &link, &[("password", "a long passphrase")]).await;
    assert_eq!(status, 401);
    assert!(html.contains("already been used"));
    assert_eq!(page(&env, &link).await.0, 401);
    let short = stored["shortenedCode"].as_str().unwrap();
    let code = stored["code"].as_str().unwrap();
    for validation in [
        json!({"shortenedCode": short}),
        json!({"invitationCode": code}),
    ] {
        let reply = env.post(SIGNUP, signup_body(validation, json!({}))).await;
        assert_error(&reply, 401, 100033);
    }
    // And the phone is now a patient's.
    let reply = sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "SMS",
            json!([{"givenName": "W", "familyName": "Q", "phoneNumber": "+12025550144"}]),
        ),
    )
    .await;
    assert_eq!(
        reply["alreadySignedUpPhoneNumbers"],
        json!(["+12025550144"])
    );
}

#[tokio::test]
async fn signing_up_with_json_checks_the_email_and_consumes_the_invitation() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let id = strings(
        &sent(
            &env,
            &sam.auth,
            invite(&list, "EMAIL", json!([{"givenName": "Oluwaseun", "familyName": "Adebayo-Rhys", "email": "oluwaseun.ar@Example.net"}])),
        )
        .await["ids"],
    )
    .remove(0);
    let stored = invitation(&env, &id).await;
    let short = stored["shortenedCode"].as_str().unwrap().to_owned();
    let code = stored["code"].as_str().unwrap().to_owned();
    let by_short = json!({"shortenedCode": short});

    assert_error(
        &env.post(
            SIGNUP,
            signup_body(
                by_short.clone(),
                json!({"email": "someone.else@example.net"}),
            ),
        )
        .await,
        403,
        100050,
    );
    for bad in [
        signup_body(by_short.clone(), json!({})),
        signup_body(
            by_short.clone(),
            json!({"email": "oluwaseun.ar@example.net", "password": "short"}),
        ),
        signup_body(
            by_short.clone(),
            json!({"email": "oluwaseun.ar@example.net", "method": 1}),
        ),
        signup_body(
            by_short.clone(),
            json!({"email": "oluwaseun.ar@example.net", "projectId": ""}),
        ),
        signup_body(
            by_short.clone(),
            json!({"email": "oluwaseun.ar@example.net", "method": "0"}),
        ),
        signup_body(
            by_short.clone(),
            json!({"email": "oluwaseun.ar@example.net", "dateOfBirth": "31/12/1990"}),
        ),
        signup_body(json!({}), json!({"email": "oluwaseun.ar@example.net"})),
        json!({"method": 0, "validationData": by_short, "projectId": "p1", "clientId": "c3"}),
    ] {
        assert_error(&env.post(SIGNUP, bad).await, 403, 100050);
    }
    for (project, client, code) in [("p2", "c3", 100001), ("p1", "c4", 100002)] {
        let body = signup_body(
            by_short.clone(),
            json!({"email": "oluwaseun.ar@example.net", "projectId": project, "clientId": client}),
        );
        assert_error(&env.post(SIGNUP, body).await, 400, code);
    }
    for unknown in [
        json!({"shortenedCode": "AAAAAAAAAAAAAAAA"}),
        json!({"invitationCode": "0".repeat(64)}),
        json!({"invitationCode": code, "shortenedCode": "AAAAAAAAAAAAAAAA"}),
    ] {
        let reply = env
            .post(
                SIGNUP,
                signup_body(unknown, json!({"email": "oluwaseun.ar@example.net"})),
            )
            .await;
        assert_error(&reply, 401, 100033);
    }
    assert_eq!(invitation(&env, &id).await["state"], "PENDING");

    let (status, body) = env
        .post(
            SIGNUP,
            signup_body(
                json!({"invitationCode": code}),
                json!({"email": "OLUWASEUN.AR@example.NET"}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let uid = body["uid"].as_str().unwrap();
    assert!(is_object_id(&body["uid"]));
    assert_eq!(body.as_object().unwrap().len(), 1);

    let (_, found) = env
        .profiles(&sam.auth, Some(&list), json!({"search": "adebayo-rhys"}))
        .await;
    assert_eq!(found["filtered"], 1);
    let patient = &found["users"][0];
    assert_eq!(patient["id"], uid);
    assert_eq!(
        patient["givenName"], "Oluwaseun",
        "names default to the invitation's"
    );
    assert_eq!(patient["email"], "oluwaseun.ar@Example.net");
    assert!(nhs::is_valid(patient["nhsId"].as_str().unwrap()));
    assert!(patient["dateOfBirth"].as_str().unwrap().len() == 10);

    let stored = invitation(&env, &id).await;
    assert_eq!(
        (stored["state"].as_str(), stored["patientId"].as_str()),
        (Some("CONSUMED"), Some(uid))
    );
    let reply = env
        .post(
            SIGNUP,
            signup_body(by_short, json!({"email": "oluwaseun.ar@example.net"})),
        )
        .await;
    assert_error(&reply, 401, 100033);
    assert!(pending(&env, &sam.auth, None, json!({})).await["invitations"] == json!([]));

    // Now on the list: a new invitation to the address is refused (case-insensitively).
    let reply = sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "EMAIL",
            json!([{"givenName": "O", "familyName": "A", "email": "Oluwaseun.AR@example.net"}]),
        ),
    )
    .await;
    assert_eq!(
        reply["alreadySignedUpEmails"],
        json!(["Oluwaseun.AR@example.net"])
    );
}

#[tokio::test]
async fn the_form_refuses_another_email_for_an_email_invitation() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "EMAIL",
            json!([{"givenName": "Ines", "familyName": "Duarte", "email": "ines@example.org"}]),
        ),
    )
    .await;
    let link = link_in(
        messages_to(&env, "ines@example.org").await[0]["body"]
            .as_str()
            .unwrap(),
    );
    let (_, _, html) = page(&env, &link).await;
    assert!(html.contains("value=\"ines@example.org\""));
    assert!(html.contains("Required. Use the address this invitation was sent to."));
    let (status, html) = submit(
        &env,
        &link,
        &[
            ("givenName", "Ines"),
            ("familyName", "Duarte"),
            ("email", "ines@example.com"),
            ("password", "a long passphrase"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert!(html.contains("sent to a different email address"));
    let (status, html) = submit(
        &env,
        &link,
        &[
            ("givenName", "Ines"),
            ("familyName", "Duarte"),
            ("email", ""),
            ("password", "a long passphrase"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert!(html.contains("Enter the email address your invitation was sent to."));
    let (status, _) = submit(
        &env,
        &link,
        &[
            ("givenName", "Ines"),
            ("familyName", "Duarte"),
            ("email", "INES@example.org"),
            ("password", "a long passphrase"),
        ],
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_signup_page_escapes_names_and_protects_its_address() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "SMS",
            json!([{"givenName": "<script>alert(1)</script>", "familyName": "O'Brien & \"Co\"",
                    "phoneNumber": "+12025550155"}]),
        ),
    )
    .await;
    let body = messages_to(&env, "+12025550155").await[0]["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let link = link_in(&body);
    let response = env.http.get(&link).send().await.unwrap();
    let headers = response.headers().clone();
    let html = response.text().await.unwrap();
    assert!(!html.contains("<script>"), "{html}");
    assert!(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script&gt;\""));
    assert!(html.contains("value=\"O&#39;Brien &amp; &quot;Co&quot;\""));
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");

    // Values typed into the form are escaped when it comes back with an error.
    let (status, html) = submit(
        &env,
        &link,
        &[
            ("givenName", "\"><script>x</script>"),
            ("familyName", "B"),
            ("password", "short"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    assert!(!html.contains("<script>"));
    assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;\""));

    // Unknown codes get the same page as expired ones, in HTML.
    let (status, content_type, html) = page(&env, &env.url("/sandbox/signup/%3Cscript%3E")).await;
    assert_eq!(status, 401);
    assert!(content_type.starts_with("text/html"));
    assert!(!html.contains("<script>"));
}

/// The keys of a listed invitation.
fn keys(item: &Value) -> HashSet<&str> {
    item.as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect()
}

#[tokio::test]
async fn the_unfiltered_listing_includes_each_lists_universal_link() {
    let env = start().await;
    let amelia = env.sign_in_amelia().await;
    let lists = env.sandbox.demo().deployment_ids;
    let unfiltered = json!({"clientId": "c3", "projectId": "p1", "roleType": "User"});
    let (status, reply) = env
        .post_auth(LIST, &amelia.auth, None, unfiltered.clone())
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        (reply["filtered"].as_i64(), reply["total"].as_i64()),
        (Some(3), Some(3))
    );
    let items = reply["invitations"].as_array().unwrap();
    let want: HashSet<&str> = [
        "id",
        "code",
        "shortenedCode",
        "roles",
        "numberOfTry",
        "type",
        "expiresAt",
        "createDateTime",
        "senderId",
        "invitedBy",
        "roleName",
        "invitationLink",
    ]
    .into_iter()
    .collect();
    let mut resources = Vec::new();
    for item in items {
        assert_eq!(keys(item), want, "no recipient, no delivery status: {item}");
        assert_eq!(item["type"], "UNIVERSAL");
        assert!(is_object_id(&item["id"]));
        assert_eq!(item["senderId"], amelia.uid.as_str());
        assert_eq!(item["invitedBy"], "Amelia Hart");
        assert_eq!(
            item["invitationLink"],
            format!(
                "{}/sandbox/signup?invitationCode={}",
                env.base,
                item["code"].as_str().unwrap()
            )
        );
        resources.push(item["roles"][0]["resource"].as_str().unwrap().to_owned());
    }
    resources.sort();
    let mut expected: Vec<String> = lists.iter().map(|l| format!("deployment/{l}")).collect();
    expected.sort();
    assert_eq!(resources, expected);

    // With a personal invitation: `total` counts what every filter but `email` matches.
    sent(
        &env,
        &amelia.auth,
        invite(
            &lists[0],
            "EMAIL",
            json!([{"givenName": "Pat", "familyName": "Case", "email": "pat.case@example.org"}]),
        ),
    )
    .await;
    for (filter, filtered, total) in [
        (json!({}), 4, 4),
        (json!({"invitationType": "PERSONAL"}), 1, 1),
        (json!({"invitationType": "UNIVERSAL"}), 3, 3),
        (json!({"email": "pat.case"}), 1, 4),
        (
            json!({"email": "pat.case", "invitationType": "UNIVERSAL"}),
            0,
            3,
        ),
    ] {
        let (_, reply) = env
            .post_auth(
                LIST,
                &amelia.auth,
                None,
                with(unfiltered.clone(), filter.clone()),
            )
            .await;
        assert_eq!(reply["filtered"], filtered, "{filter}");
        assert_eq!(reply["total"], total, "{filter}");
    }
    // Sam sees his one list's link.
    let sam = env.sign_in_sam().await;
    let (_, his) = env
        .post_auth(
            LIST,
            &sam.auth,
            None,
            with(unfiltered, json!({"invitationType": "UNIVERSAL"})),
        )
        .await;
    assert_eq!(
        his["invitations"][0]["roles"][0]["resource"],
        format!("deployment/{}", lists[0])
    );
    assert_eq!(his["total"], 1);
}

#[tokio::test]
async fn invitation_link_makes_a_reusable_universal_invitation() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let body = |extra: Value| {
        with(
            json!({"clientId": "c3", "projectId": "p1", "deploymentId": list, "roleId": "User"}),
            extra,
        )
    };
    let (status, reply) = env.post_auth(LINK, &sam.auth, None, body(json!({}))).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(keys(&reply), HashSet::from(["link"]));
    let link = reply["link"].as_str().unwrap().to_owned();
    let links = stored_of_type(&env, "UNIVERSAL").await;
    assert_eq!(links.len(), 4, "the seed's three and this one");
    let made = &links[0];
    assert_eq!(
        link,
        format!(
            "{}/sandbox/signup?invitationCode={}",
            env.base,
            made["code"].as_str().unwrap()
        )
    );
    assert_eq!(made["senderId"], sam.uid.as_str());
    assert_eq!(made["invitedBy"], "Sam Okafor");
    assert_eq!(made["deploymentId"], list.as_str());
    let lifetime = instant(&made["expiresAt"]) - instant(&made["createDateTime"]);
    assert_eq!(lifetime.num_seconds(), WEEK);

    // The same expiry day: the same invitation, by either code.
    let (_, again) = env.post_auth(LINK, &sam.auth, None, body(json!({}))).await;
    assert_eq!(again["link"], link.as_str());
    let (_, short) = env
        .post_auth(
            LINK,
            &sam.auth,
            None,
            body(json!({"retrieveShortened": true})),
        )
        .await;
    assert_eq!(
        short["link"],
        format!(
            "{}/sandbox/signup?shortenedCode={}",
            env.base,
            made["shortenedCode"].as_str().unwrap()
        )
    );
    assert_eq!(stored_of_type(&env, "UNIVERSAL").await.len(), 4);
    // It shows in the unfiltered listing, as Huma lists links with the personal invitations.
    let unfiltered = json!({"clientId": "c3", "projectId": "p1", "roleType": "User"});
    let (_, listed) = env.post_auth(LIST, &sam.auth, None, unfiltered).await;
    let item = listed["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == made["id"])
        .cloned()
        .unwrap();
    assert_eq!(item["invitationLink"], link.as_str());
    // Another expiry day: another invitation.
    let (_, longer) = env
        .post_auth(LINK, &sam.auth, None, body(json!({"expiresIn": "P2W"})))
        .await;
    assert_ne!(longer["link"], link.as_str());
    assert_eq!(stored_of_type(&env, "UNIVERSAL").await.len(), 5);

    // Refusals make nothing.
    let other = env.sandbox.demo().deployment_ids[1].clone();
    let refusals = [
        (body(json!({"roleId": "Admin"})), 400, 100034),
        (body(json!({"deploymentId": other})), 403, 100004),
        (body(json!({"deploymentId": "not-a-list"})), 403, 100004),
        (body(json!({"expiresIn": "P1M"})), 403, 100050),
        (body(json!({"deploymentId": null})), 403, 100050),
        (body(json!({"roleId": null})), 403, 100050),
        (body(json!({"projectId": "p2"})), 400, 100001),
        (body(json!({"clientId": "c4"})), 400, 100002),
    ];
    for (request, status, code) in refusals {
        let reply = env.post_auth(LINK, &sam.auth, None, request.clone()).await;
        assert_error(&reply, status, code);
    }
    assert_eq!(stored_of_type(&env, "UNIVERSAL").await.len(), 5);

    // The link leads to the sign-up page; anyone may use it, more than once, and it stays.
    let response = env.http.get(&link).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(response.url().as_str().ends_with(&format!(
        "/sandbox/signup/{}",
        made["shortenedCode"].as_str().unwrap()
    )));
    for (given, email) in [("Ula", "ula@example.org"), ("Vic", "vic@example.org")] {
        let (status, reply) = env
            .post(
                SIGNUP,
                signup_body(
                    json!({"invitationCode": made["code"]}),
                    json!({"email": email, "givenName": given, "familyName": "Linkworth"}),
                ),
            )
            .await;
        assert_eq!(status, 200, "{reply}");
    }
    let (_, found) = env
        .profiles(&sam.auth, Some(&list), json!({"search": "linkworth"}))
        .await;
    assert_eq!(found["filtered"], 2);
    let still = stored_of_type(&env, "UNIVERSAL")
        .await
        .into_iter()
        .find(|i| i["id"] == made["id"])
        .unwrap();
    assert_eq!(still["state"], "PENDING");

    // Deleting it (by its type; without one, only personal invitations are) stops the link.
    let id = made["id"].as_str().unwrap();
    assert_error(&env.revoke_many(&sam.auth, &[id]).await, 404, 1000004);
    let untyped = env
        .http
        .delete(env.url(REVOKE))
        .bearer_auth(&sam.auth)
        .json(&json!({"invitationIdList": [id]}))
        .send()
        .await
        .unwrap();
    assert_eq!(untyped.status().as_u16(), 404);
    let response = env
        .http
        .delete(env.url(REVOKE))
        .bearer_auth(&sam.auth)
        .json(&json!({"invitationIdList": [id], "invitationType": "UNIVERSAL"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        env.http.get(&link).send().await.unwrap().status().as_u16(),
        401
    );
}

#[tokio::test]
async fn inviting_a_user_without_a_role_gives_them_the_role_instead() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let reply = sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "EMAIL",
            json!([{"givenName": "Bronwen", "familyName": "Pritchard",
                    "email": "Former.Bronwen.Pritchard@example.org"},
                   {"givenName": "Brand", "familyName": "New", "email": "brand.new@example.org"}]),
        ),
    )
    .await;
    let ids = strings(&reply["ids"]);
    assert_eq!(ids.len(), 1, "no invitation, no id for her: {reply}");
    for key in [
        "alreadySignedUpEmails",
        "alreadySignedUpPhoneNumbers",
        "alreadyInvitedPhoneNumbers",
        "failedSendInvitePhoneNumbers",
    ] {
        assert_eq!(reply[key], json!([]), "{key}");
    }
    let made = all_invitations(&env).await;
    assert_eq!(made.len(), 1);
    assert_eq!(made[0]["email"], "brand.new@example.org");
    assert_eq!(made[0]["id"], ids[0].as_str());

    // She is a patient of the list now, with her own id and details.
    let (_, found) = env
        .profiles(&sam.auth, Some(&list), json!({"search": "pritchard"}))
        .await;
    let bronwen = found["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "6580a0c00000000000000001")
        .cloned()
        .unwrap();
    assert_eq!(bronwen["givenName"], "Bronwen");
    assert_eq!(bronwen["email"], "former.bronwen.pritchard@example.org");
    assert_eq!(bronwen["phoneNumber"], "+12125550190");
    assert!(nhs::is_valid(bronwen["nhsId"].as_str().unwrap()));
    let told = messages_to(&env, "former.bronwen.pritchard@example.org").await;
    assert_eq!(told.len(), 1);
    assert_eq!(
        (told[0]["kind"].as_str(), told[0]["channel"].as_str()),
        (Some("ROLE_UPDATE"), Some("EMAIL"))
    );
    let body = told[0]["body"].as_str().unwrap();
    assert!(
        body.contains("Sam Okafor") && body.contains(FIRST_LIST_NAME),
        "{body}"
    );
    assert!(!body.contains("/sandbox/signup"), "no link: {body}");
    assert!(told[0].get("invitationId").is_none());
    // Invited again, she is already signed up.
    let again = sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "EMAIL",
            json!([{"givenName": "B", "familyName": "P",
                    "email": "former.bronwen.pritchard@example.org"}]),
        ),
    )
    .await;
    assert_eq!(
        again["alreadySignedUpEmails"],
        json!(["former.bronwen.pritchard@example.org"])
    );

    // By phone, on another clinician's list: a user with no email hears by SMS.
    let amelia = env.sign_in_amelia().await;
    let third = env.sandbox.demo().deployment_ids[2].clone();
    let reply = sent(
        &env,
        &amelia.auth,
        invite(
            &third,
            "SMS",
            json!([{"givenName": "Kofi", "familyName": "Mensah", "phoneNumber": "+12125550193"}]),
        ),
    )
    .await;
    assert_eq!(reply["ids"], json!([]));
    assert_eq!(reply["alreadyInvitedPhoneNumbers"], json!([]));
    let told = messages_to(&env, "+12125550193").await;
    assert_eq!(
        (told[0]["kind"].as_str(), told[0]["channel"].as_str()),
        (Some("ROLE_UPDATE"), Some("SMS"))
    );
    let (_, found) = env
        .profiles(&amelia.auth, Some(&third), json!({"search": "mensah"}))
        .await;
    assert!(found["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["id"] == "6580a0c00000000000000004"));
    assert_eq!(all_invitations(&env).await.len(), 1);
}

#[tokio::test]
async fn every_id_is_an_object_id_and_ids_given_must_be() {
    let env = start().await;
    let (sam, list) = sam(&env).await;
    let amelia = env.sign_in_amelia().await;
    let mut ids: Vec<Value> = vec![json!(sam.uid), json!(amelia.uid)];
    ids.extend(
        env.sandbox
            .demo()
            .deployment_ids
            .into_iter()
            .map(Value::from),
    );
    let (_, page) = env
        .profiles(&sam.auth, Some(&list), json!({"limit": 50}))
        .await;
    ids.extend(
        page["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].clone()),
    );
    let reply = sent(
        &env,
        &sam.auth,
        invite(
            &list,
            "SMS",
            json!([{"givenName": "Ida", "familyName": "Shape", "phoneNumber": "+12025550161"}]),
        ),
    )
    .await;
    ids.extend(reply["ids"].as_array().unwrap().iter().cloned());
    let (_, all) = env.get("/sandbox/invitations", None).await;
    ids.extend(
        all["invitations"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|i| [i["id"].clone(), i["senderId"].clone()]),
    );
    assert!(ids.len() > 55);
    for id in &ids {
        assert!(is_object_id(id), "{id}");
    }

    // An id the client sends must have the shape too.
    let id = reply["ids"][0].as_str().unwrap();
    for bad in ["not-an-id", &id.to_uppercase(), &id[1..]] {
        assert_error(&env.revoke_one(&sam.auth, bad).await, 403, 100050);
        assert_error(&env.revoke_many(&sam.auth, &[bad]).await, 403, 100050);
    }
    assert_error(
        &env.revoke_many(&sam.auth, &[id, "not-an-id"]).await,
        403,
        100050,
    );
    assert_eq!(invitation(&env, id).await["state"], "PENDING");
    assert_error(
        &env.revoke_one(&sam.auth, "0123456789abcdef01234567").await,
        404,
        1000004,
    );
}
