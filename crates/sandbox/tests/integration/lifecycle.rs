//! The invitation lifecycle on a moved sandbox clock: expiry, the chaser, resend and its limit,
//! revocation one by one and in bulk, and delivery status with the failure knob.

use crate::common;
use crate::common::invites::{instant, invite, DAY};
use crate::common::{assert_error, start, Env};
use serde_json::{json, Value};

const REMINDER: &str = "INVITATION_REMINDER";

/// Sam (no MFA, signed in afresh: access tokens live 15 minutes) and his only list.
async fn sam(env: &Env) -> (String, String) {
    let session = env.sign_in_sam().await;
    (session.auth, env.sandbox.demo().deployment_ids[0].clone())
}

fn sms(name: &str, phone: &str) -> Value {
    json!([{"givenName": name, "familyName": "Tester", "phoneNumber": phone}])
}

fn email(name: &str, address: &str) -> Value {
    json!([{"givenName": name, "familyName": "Tester", "email": address}])
}

#[tokio::test]
async fn the_chaser_goes_once_a_day_before_expiry_by_email_or_else_by_sms() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    let by_sms = env
        .invite_one(
            &token,
            invite(&list, "SMS", sms("Rhiannon", "+12025550141")),
        )
        .await;
    let by_email = env
        .invite_one(
            &token,
            invite(&list, "EMAIL", email("Dafydd", "dafydd@example.org")),
        )
        .await;
    // An SMS invitation that also carries an email is chased by email.
    let both = env
        .invite_one(
            &token,
            invite(
                &list,
                "SMS",
                json!([{"givenName": "Both", "phoneNumber": "+12025550142",
                        "email": "both@example.org"}]),
            ),
        )
        .await;
    let expires = instant(&env.stored(&by_sms).await["expiresAt"]);
    let due = expires - chrono::Duration::days(1);

    env.advance(6 * DAY - 10).await;
    for id in [&by_sms, &by_email, &both] {
        assert!(env.messages_about(id, Some(REMINDER)).await.is_empty());
    }
    let (token, _) = sam(&env).await;
    let item = env.pending_item(&token, &by_sms).await.unwrap();
    assert!(item.get("reminderSentDateTime").is_none(), "{item}");

    env.advance(20).await;
    let reminder = env.messages_about(&by_sms, Some(REMINDER)).await;
    assert_eq!(reminder.len(), 1);
    assert_eq!(
        (reminder[0]["channel"].as_str(), reminder[0]["to"].as_str()),
        (Some("SMS"), Some("+12025550141"))
    );
    assert_eq!(
        instant(&reminder[0]["sentAt"]),
        due,
        "stamped at its due time"
    );
    let body = reminder[0]["body"].as_str().unwrap();
    let original = &env.messages_about(&by_sms, Some("INVITATION")).await[0];
    let link = original["body"]
        .as_str()
        .unwrap()
        .split(' ')
        .next_back()
        .unwrap();
    assert!(body.contains(link), "the chaser carries the same link");
    assert!(body.contains("Rhiannon") && body.contains("Sam Okafor"));

    for (id, to) in [
        (&by_email, "dafydd@example.org"),
        (&both, "both@example.org"),
    ] {
        let reminder = env.messages_about(id, Some(REMINDER)).await;
        assert_eq!(reminder.len(), 1);
        assert_eq!(reminder[0]["channel"], "EMAIL");
        assert_eq!(reminder[0]["to"], to);
        assert!(reminder[0]["subject"]
            .as_str()
            .unwrap()
            .contains("Reminder"));
    }

    let (token, _) = sam(&env).await;
    let item = env.pending_item(&token, &by_sms).await.unwrap();
    assert_eq!(instant(&item["reminderSentDateTime"]), due);
    assert_eq!(item["status"], "DELIVERED");
    assert_eq!(
        env.stored(&by_sms).await["reminderSentDateTime"],
        item["reminderSentDateTime"]
    );

    // Further moves and reads, past expiry: never a second chaser.
    for _ in 0..3 {
        env.advance(DAY / 2).await;
        env.get("/sandbox/invitations", None).await;
    }
    for id in [&by_sms, &by_email, &both] {
        assert_eq!(env.messages_about(id, Some(REMINDER)).await.len(), 1);
    }

    // Expired: gone from the listing, and its code no longer signs anyone up.
    let (token, _) = sam(&env).await;
    assert!(env.pending(&token).await.is_empty());
    assert_eq!(env.stored(&by_sms).await["state"], "EXPIRED");
    assert_error(&env.sign_up(&by_sms, None).await, 401, 100033);
    assert_error(
        &env.sign_up(&by_email, Some("dafydd@example.org")).await,
        401,
        100033,
    );
}

#[tokio::test]
async fn no_chaser_after_sign_up_or_revocation_or_for_a_short_invitation() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    let joins = env
        .invite_one(&token, invite(&list, "SMS", sms("Joins", "+12025550143")))
        .await;
    let revoked = env
        .invite_one(&token, invite(&list, "SMS", sms("Revoked", "+12025550144")))
        .await;
    let mut short = invite(&list, "SMS", sms("Short", "+12025550145"));
    short["expiresIn"] = json!("PT12H");
    let short = env.invite_one(&token, short).await;
    let chased = env
        .invite_one(&token, invite(&list, "SMS", sms("Chased", "+12025550146")))
        .await;

    env.advance(DAY).await;
    let (status, body) = env.sign_up(&joins, None).await;
    assert_eq!(status, 200, "{body}");
    let (token, _) = sam(&env).await;
    assert_eq!(env.revoke_one(&token, &revoked).await.0, 204);

    env.advance(7 * DAY).await;
    for id in [&joins, &revoked, &short] {
        assert!(
            env.messages_about(id, Some(REMINDER)).await.is_empty(),
            "{id}"
        );
        assert!(env.stored(id).await.get("reminderSentDateTime").is_none());
    }
    assert_eq!(env.messages_about(&chased, Some(REMINDER)).await.len(), 1);
}

#[tokio::test]
async fn resend_keeps_code_and_expiry_and_allows_five_resends() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    let id = env
        .invite_one(&token, invite(&list, "SMS", sms("Resent", "+12025550147")))
        .await;
    let before = env.stored(&id).await;
    let first_body = env.messages_about(&id, Some("INVITATION")).await[0]["body"].clone();

    // numberOfTry is 1 after the first send; a resend is allowed while it is at most 5.
    for send in 2..=6 {
        env.advance(3600).await;
        let (token, _) = sam(&env).await;
        let (status, reply) = env.resend(&token, &[&id]).await;
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply, json!({"resentInvitations": 1}));
        let item = env.pending_item(&token, &id).await.unwrap();
        assert_eq!(item["numberOfTry"], send);
        assert_eq!(item["status"], "SENT");
    }
    let (token, _) = sam(&env).await;
    assert_error(&env.resend(&token, &[&id]).await, 400, 1000005);

    let after = env.stored(&id).await;
    assert_eq!(after["numberOfTry"], 6);
    for field in ["code", "shortenedCode", "expiresAt", "createDateTime"] {
        assert_eq!(after[field], before[field], "{field}");
    }
    let resends = env.messages_about(&id, Some("INVITATION_RESEND")).await;
    assert_eq!(resends.len(), 5, "the refused sixth resend sent nothing");
    assert!(resends
        .iter()
        .all(|m| m["body"] == first_body && m["to"] == "+12025550147"));

    // The resent link still signs the patient up.
    let (status, body) = env.sign_up(&id, None).await;
    assert_eq!(status, 200, "{body}");
    assert_error(&env.resend(&token, &[&id]).await, 404, 1000004);
}

#[tokio::test]
async fn bulk_resend_and_revoke_are_all_or_nothing() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    let mut ids = Vec::new();
    for (n, phone) in ["+12025550151", "+12025550152", "+12025550153"]
        .iter()
        .enumerate()
    {
        let name = format!("Bulk{n}");
        ids.push(
            env.invite_one(&token, invite(&list, "SMS", sms(&name, phone)))
                .await,
        );
    }
    let [a, b, c] = [&ids[0], &ids[1], &ids[2]];
    for _ in 0..5 {
        assert_eq!(env.resend(&token, &[a]).await.0, 200);
    }

    // `a` is at its limit, so nothing is resent.
    assert_error(&env.resend(&token, &[b, a]).await, 400, 1000005);
    assert_eq!(env.stored(b).await["numberOfTry"], 1);
    assert!(env
        .messages_about(b, Some("INVITATION_RESEND"))
        .await
        .is_empty());
    // An unknown code, likewise (Huma looks every code up and wants them all found).
    let list = json!([
        {"invitationCode": env.stored(b).await["code"], "phoneNumber": "+12025550152"},
        {"invitationCode": "0".repeat(64), "phoneNumber": "+12025550152"},
    ]);
    assert_error(&env.resend_list(&token, list).await, 404, 1000004);
    // And a code named twice: Huma finds one invitation for two codes.
    assert_error(&env.resend(&token, &[b, c, b]).await, 404, 1000004);
    assert_eq!(env.stored(b).await["numberOfTry"], 1);
    let (status, reply) = env.resend(&token, &[b, c]).await;
    assert_eq!((status, reply), (200, json!({"resentInvitations": 2})));

    // Revoke in bulk: one unknown id and nothing is deleted.
    let unknown = "0123456789abcdef01234567";
    assert_error(&env.revoke_many(&token, &[b, unknown]).await, 404, 1000004);
    assert_eq!(env.pending(&token).await.len(), 3);
    let (status, reply) = env.revoke_many(&token, &[b, c]).await;
    assert_eq!((status, reply), (200, json!({"deletedInvitations": 2})));
    let left: Vec<Value> = env.pending(&token).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["id"], a.as_str());
    for id in [b, c] {
        assert_eq!(env.stored(id).await["state"], "REVOKED");
        assert_error(&env.sign_up(id, None).await, 401, 100033);
        let short = env.stored(id).await["shortenedCode"]
            .as_str()
            .unwrap()
            .to_owned();
        let page = env
            .http
            .get(env.url(&format!("/sandbox/signup/{short}")))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 401, "the link stops working");
    }
    assert_error(&env.revoke_many(&token, &[b]).await, 404, 1000004);
    assert_error(&env.resend(&token, &[b]).await, 404, 1000004);
}

#[tokio::test]
async fn resend_needs_the_project_the_client_and_each_invitations_recipient() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    let by_email = env
        .invite_one(
            &token,
            invite(&list, "EMAIL", email("Mail", "mail@example.org")),
        )
        .await;
    let by_sms = env
        .invite_one(&token, invite(&list, "SMS", sms("Text", "+12025550171")))
        .await;
    let mail_code = env.stored(&by_email).await["code"].clone();
    let sms_code = env.stored(&by_sms).await["code"].clone();
    let (_, all) = env.get("/sandbox/invitations", None).await;
    let universal_code = all["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["type"] == "UNIVERSAL" && i["deploymentId"] == list.as_str())
        .unwrap()["code"]
        .clone();

    let ok_items = json!([{"invitationCode": mail_code, "email": "mail@example.org"}]);
    let body = |extra: Value| {
        let mut body = json!({"clientId": "c3", "projectId": "p1", "invitationsList": ok_items});
        for (key, value) in extra.as_object().unwrap() {
            if value.is_null() {
                body.as_object_mut().unwrap().remove(key);
            } else {
                body[key] = value.clone();
            }
        }
        body
    };
    let refusals = [
        (body(json!({"clientId": null})), 403, 100050),
        (body(json!({"projectId": null})), 403, 100050),
        (body(json!({"projectId": ""})), 403, 100050),
        (body(json!({"projectId": "p2"})), 400, 100001),
        (body(json!({"clientId": "c4"})), 400, 100002),
        (body(json!({"invitationsList": []})), 403, 100050),
        // Each item needs its code and a recipient.
        (
            body(json!({"invitationsList": [{"invitationCode": mail_code}]})),
            403,
            100050,
        ),
        (
            body(json!({"invitationsList": [{"email": "mail@example.org"}]})),
            403,
            100050,
        ),
        (
            body(json!({"invitationsList": [{"invitationCode": "", "email": "mail@example.org"}]})),
            403,
            100050,
        ),
        (
            body(
                json!({"invitationsList": [{"invitationCode": mail_code, "email": "not-an-email"}]}),
            ),
            403,
            100050,
        ),
        // The recipient must be the invitation's, exactly.
        (
            body(
                json!({"invitationsList": [{"invitationCode": mail_code, "email": "other@example.org"}]}),
            ),
            400,
            100003,
        ),
        (
            body(
                json!({"invitationsList": [{"invitationCode": mail_code, "email": "Mail@example.org"}]}),
            ),
            400,
            100003,
        ),
        (
            body(
                json!({"invitationsList": [{"invitationCode": mail_code, "phoneNumber": "+12025550171"}]}),
            ),
            400,
            100003,
        ),
        (
            body(
                json!({"invitationsList": [{"invitationCode": sms_code, "phoneNumber": "+12025550172"}]}),
            ),
            400,
            100003,
        ),
        (
            body(
                json!({"invitationsList": [{"invitationCode": sms_code, "email": "mail@example.org"}]}),
            ),
            400,
            100003,
        ),
        // A universal link has no recipient to send to.
        (
            body(
                json!({"invitationsList": [{"invitationCode": universal_code, "email": "mail@example.org"}]}),
            ),
            400,
            100003,
        ),
    ];
    for (request, status, code) in refusals {
        let reply = env
            .post_auth(common::invites::RESEND, &token, None, request.clone())
            .await;
        assert_error(&reply, status, code);
    }
    let refused = env.post_auth(common::invites::RESEND, &token, None, body(json!({"invitationsList": [{"invitationCode": mail_code, "email": "other@example.org"}]}))).await;
    assert_eq!(refused.1["message"], "Invalid email or invitation code");
    for id in [&by_email, &by_sms] {
        assert_eq!(env.stored(id).await["numberOfTry"], 1, "nothing was sent");
        assert!(env
            .messages_about(id, Some("INVITATION_RESEND"))
            .await
            .is_empty());
    }

    // As in Huma, the recipients are checked against the whole list, not item by item.
    let crossed = json!([
        {"invitationCode": mail_code, "phoneNumber": "+12025550171"},
        {"invitationCode": sms_code, "email": "mail@example.org"},
    ]);
    let (status, reply) = env.resend_list(&token, crossed).await;
    assert_eq!((status, reply), (200, json!({"resentInvitations": 2})));
    assert_eq!(env.stored(&by_email).await["numberOfTry"], 2);
    assert_eq!(env.stored(&by_sms).await["numberOfTry"], 2);
}

#[tokio::test]
async fn revoking_one_invitation_stops_its_code_and_only_its_lists_clinicians_may() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    let id = env
        .invite_one(
            &token,
            invite(&list, "EMAIL", email("Gone", "gone@example.org")),
        )
        .await;
    assert_eq!(env.revoke_one(&token, &id).await, (204, Value::Null));
    assert_error(&env.revoke_one(&token, &id).await, 404, 1000004);
    assert_error(
        &env.revoke_one(&token, "0123456789abcdef01234567").await,
        404,
        1000004,
    );
    assert!(env.pending_item(&token, &id).await.is_none());
    assert_error(
        &env.sign_up(&id, Some("gone@example.org")).await,
        401,
        100033,
    );

    // Amelia invites on her second list, which Sam has no role in.
    let amelia = env.sign_in_amelia().await;
    let other = env.sandbox.demo().deployment_ids[1].clone();
    let hers = env
        .invite_one(
            &amelia.auth,
            invite(&other, "SMS", sms("Hers", "+12025550155")),
        )
        .await;
    assert_error(&env.revoke_one(&token, &hers).await, 403, 100004);
    assert_error(&env.revoke_many(&token, &[&hers]).await, 403, 100004);
    assert_error(&env.resend(&token, &[&hers]).await, 403, 100004);
    assert_eq!(env.stored(&hers).await["state"], "PENDING");
    assert_eq!(env.revoke_one(&amelia.auth, &hers).await.0, 204);
}

#[tokio::test]
async fn delivery_is_sent_then_delivered_or_failed_for_knob_recipients() {
    let env = start().await;
    let (token, list) = sam(&env).await;
    let knob = json!({"failNumbers": ["+12025550160"], "failEmails": ["Bounce@Example.org"]});
    let (status, reply) = env.post("/sandbox/delivery", knob.clone()).await;
    assert_eq!((status, &reply), (200, &knob));
    assert_eq!(env.get("/sandbox/delivery", None).await, (200, knob));

    let failing = env
        .invite_one(&token, invite(&list, "SMS", sms("Fails", "+12025550160")))
        .await;
    let bouncing = env
        .invite_one(
            &token,
            invite(&list, "EMAIL", email("Bounces", "bounce@example.org")),
        )
        .await;
    let fine = env
        .invite_one(&token, invite(&list, "SMS", sms("Fine", "+12025550161")))
        .await;
    let status_of =
        |items: &[Value], id: &str| items.iter().find(|i| i["id"] == id).unwrap()["status"].clone();
    let items = env.pending(&token).await;
    assert_eq!(status_of(&items, &failing), "FAILED");
    assert_eq!(status_of(&items, &bouncing), "FAILED");
    assert_eq!(status_of(&items, &fine), "SENT");

    env.advance(11).await;
    let items = env.pending(&token).await;
    assert_eq!(status_of(&items, &failing), "FAILED");
    assert_eq!(status_of(&items, &fine), "DELIVERED");

    // Cleared: a resend of the failed one goes out and is delivered.
    assert_eq!(env.post("/sandbox/delivery", json!({})).await.0, 200);
    assert_eq!(env.resend(&token, &[&failing]).await.0, 200);
    assert_eq!(
        env.pending_item(&token, &failing).await.unwrap()["status"],
        "SENT"
    );
    env.advance(11).await;
    assert_eq!(
        env.pending_item(&token, &failing).await.unwrap()["status"],
        "DELIVERED"
    );
    assert_error(
        &env.post("/sandbox/delivery", json!({"failNumber": []}))
            .await,
        403,
        100050,
    );
}
