//! An invitation's whole life in the real app, on the embedded demo sandbox: invite one patient by
//! SMS and one by email, see both pending with about seven days to go, move the sandbox clock six
//! days so the chaser goes out (message log, then "Reminder sent" on screen), let the SMS patient
//! sign up on the sandbox's sign-up page (the row leaves the pending list and the patient shows as
//! signed up), and revoke the email invitation (its link stops working). Nothing personal reaches
//! the app's log.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use huma_e2e::{
    advance_sandbox_clock, latest_code, sandbox_base, sandbox_invitation_log, sandbox_messages,
    sign_up_on_the_page, wait_for_message, AppSession, Patient, PendingRow, TestResult,
    DEMO_CLINICIAN,
};

const GIVEN: &str = "Tamsin";
const FAMILY: &str = "Larkspur";
/// In Ofcom's drama range but no seeded patient's number on any demo list (seed 42, 1,500
/// patients), so the sandbox accepts it as someone new.
const PHONE: &str = "+447700900804";
const PHONE_SHOWN: &str = "+44 7700 900804";
const PHONE_TYPED: &str = "07700 900804";
const EMAIL: &str = "ivo.pennant@example.com";

const SIX_DAYS: u64 = 6 * 24 * 60 * 60;

/// The one invitation to `recipient` (phone or email) in the sandbox, in any state.
async fn invitation_to(messages_url: &str, recipient: &str) -> TestResult<serde_json::Value> {
    let all = sandbox_invitation_log(messages_url).await?;
    let mine: Vec<_> = all
        .into_iter()
        .filter(|i| i["phoneNumber"] == recipient || i["email"] == recipient)
        .collect();
    match mine.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "expected one invitation to {recipient}, found {}",
            mine.len()
        )
        .into()),
    }
}

/// Waits until the sandbox holds a pending invitation to `recipient` (the outbox sends it).
async fn wait_until_invited(messages_url: &str, recipient: &str) -> TestResult<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(invitation) = invitation_to(messages_url, recipient).await {
            if invitation["state"] == "PENDING" {
                return Ok(invitation);
            }
        }
        if Instant::now() > deadline {
            return Err(format!("no pending invitation to {recipient} reached the sandbox").into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Signs the demo clinician in again from the sign-in screen, through the SMS-code step.
async fn sign_in_again(app: &AppSession, messages_url: &str) -> TestResult {
    app.click_button("Use demo account").await?;
    app.click_button("Sign in").await?;
    app.find(Locator::Css("[data-testid='sandbox-messages-url']"))
        .await?;
    let code = latest_code(messages_url).await?;
    app.fill("Verification code", &code).await?;
    app.click_button("Verify").await?;
    app.wait_for_text(DEMO_CLINICIAN).await?;
    Ok(())
}

/// Waits until the view shows the SMS invitation's reminder as sent, refreshing as a clinician
/// would. Moving the clock six days outlasts the demo clinician's session (the server's 15-minute
/// idle rule for SMS-code sign-ins), so the app asks them to sign in again: they do, and come back
/// to Pending invites.
async fn wait_for_reminder_shown(app: &AppSession, messages_url: &str) -> TestResult<PendingRow> {
    let deadline = Instant::now() + Duration::from_secs(40);
    let mut signed_in_again = false;
    loop {
        let on_sign_in = app
            .client
            .find(Locator::Id("sign-in-password"))
            .await
            .is_ok();
        if on_sign_in && !signed_in_again {
            app.screenshot("31-signed-out-after-six-days").await?;
            sign_in_again(app, messages_url).await?;
            app.show_tab("pending").await?;
            signed_in_again = true;
            continue;
        }
        let rows = app.pending_rows().await?;
        if let Some(row) = rows
            .iter()
            .find(|r| r.text.contains(PHONE_SHOWN) && r.reminder == "Reminder sent")
        {
            return Ok(row.clone());
        }
        if Instant::now() > deadline {
            return Err(format!("\"Reminder sent\" never showed; rows: {rows:?}").into());
        }
        let refresh_shown = app
            .client
            .find(Locator::XPath(
                "//*[@data-testid='pending-view']//button[normalize-space(.)='Refresh']",
            ))
            .await
            .is_ok();
        if refresh_shown {
            // Refresh, as the clinician would (the view also refreshes every minute).
            app.refresh_pending().await?;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invitation_is_chased_signed_up_and_another_revoked() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    let (messages_url, _) = app.sign_in_as_demo().await?;
    let base = sandbox_base(&messages_url);

    // Invite one patient by SMS…
    app.send_sms_invite(GIVEN, FAMILY, PHONE_TYPED, PHONE_SHOWN)
        .await?;
    let sms_invitation = wait_until_invited(&messages_url, PHONE).await?;

    // …and another by email.
    app.menu("Email invite").await?;
    app.by_label("Email addresses")
        .await?
        .send_keys(&format!("{EMAIL}\u{E007}"))
        .await?;
    app.wait_for_text("1 recipient").await?;
    app.click_button("Send invites").await?;
    app.wait_for_toast(&format!("Invite email sent to {EMAIL}"))
        .await?;
    let email_invitation = wait_until_invited(&messages_url, EMAIL).await?;

    // Both are pending, from the server, with about seven days to go and a reminder planned.
    app.show_tab("pending").await?;
    let sms_row = app
        .wait_for_pending_row(PHONE_SHOWN, Duration::from_secs(20), |r| !r.local)
        .await?;
    assert_eq!(
        sms_row.id,
        sms_invitation["id"].as_str().unwrap_or_default()
    );
    assert_eq!(sms_row.channel, "sms");
    assert!(
        ["sent", "delivered"].contains(&sms_row.status.as_str()),
        "{sms_row:?}"
    );
    assert!(
        sms_row.text.contains(&format!("{GIVEN} {FAMILY}")),
        "{sms_row:?}"
    );
    assert_eq!(sms_row.expiry, "6 days 23 h", "{sms_row:?}");
    assert!(
        sms_row.reminder != "Reminder sent" && sms_row.reminder != "—",
        "the reminder is shown as due, not sent: {sms_row:?}"
    );
    let email_row = app
        .wait_for_pending_row(EMAIL, Duration::from_secs(20), |r| !r.local)
        .await?;
    assert_eq!(email_row.channel, "email");
    assert_eq!(email_row.expiry, "6 days 23 h", "{email_row:?}");
    app.screenshot("30-pending-two-invites").await?;
    let resends_left = |id: &str| {
        format!("//tr[@data-testid='pending-row'][@data-id='{id}']//*[@data-testid='pending-resends-left']")
    };
    let left = app.find(Locator::XPath(&resends_left(&sms_row.id))).await?;
    assert!(
        left.text().await?.starts_with('5'),
        "5 resends after the first send"
    );

    // Resend the SMS invitation: through the outbox, with the same sign-up link, one send more on
    // the server (Huma's server needs the project, the client and the recipient for it).
    app.click_pending_action(&sms_row.id, "Resend").await?;
    app.click_button("Yes, resend").await?;
    app.wait_for_toast("Resend queued: 1 invitation will be sent again")
        .await?;
    let resent = wait_for_message(&messages_url, "INVITATION_RESEND", PHONE).await?;
    let sms_code = sms_invitation["shortenedCode"].as_str().unwrap_or_default();
    assert!(
        resent["body"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("{base}/sandbox/signup/{sms_code}")),
        "the resend carries the same sign-up link"
    );
    assert_eq!(invitation_to(&messages_url, PHONE).await?["numberOfTry"], 2);
    app.refresh_pending().await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = app.find(Locator::XPath(&resends_left(&sms_row.id))).await?;
        if left.text().await?.starts_with('4') {
            break;
        }
        if Instant::now() > deadline {
            return Err("the row never showed 4 resends left".into());
        }
        app.refresh_pending().await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    app.screenshot("30b-resent").await?;

    // Six days later the chaser goes out: one reminder, by SMS (this invitation has no email),
    // with the same sign-up link.
    let reminders_before = sandbox_messages(&messages_url)
        .await?
        .into_iter()
        .filter(|m| m["kind"] == "INVITATION_REMINDER")
        .count();
    assert_eq!(reminders_before, 0, "no reminder before it is due");
    advance_sandbox_clock(&messages_url, SIX_DAYS).await?;
    let messages = sandbox_messages(&messages_url).await?;
    let reminders: Vec<_> = messages
        .iter()
        .filter(|m| m["kind"] == "INVITATION_REMINDER" && m["to"] == PHONE)
        .collect();
    assert_eq!(reminders.len(), 1, "one reminder to the SMS patient");
    let reminder = reminders[0];
    assert_eq!(reminder["channel"], "SMS");
    assert_eq!(reminder["invitationId"], sms_invitation["id"]);
    let code = sms_invitation["shortenedCode"]
        .as_str()
        .ok_or("the invitation has no shortened code")?;
    let link = format!("{base}/sandbox/signup/{code}");
    assert!(
        reminder["body"]
            .as_str()
            .unwrap_or_default()
            .contains(&link),
        "the reminder carries the sign-up link"
    );
    assert!(
        messages
            .iter()
            .any(|m| m["kind"] == "INVITATION_REMINDER" && m["to"] == EMAIL),
        "the email patient is chased too"
    );

    let sms_row = wait_for_reminder_shown(&app, &messages_url).await?;
    assert_eq!(
        sms_row.id,
        sms_invitation["id"].as_str().unwrap_or_default()
    );
    app.screenshot("32-reminder-sent").await?;

    // The patient follows the link and signs up on the sandbox's page.
    let page = reqwest::get(&link).await?;
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await?.contains("Join Huma"));
    let patient = Patient {
        given: GIVEN,
        family: FAMILY,
        date_of_birth: "1984-05-17",
    };
    let form = format!("{base}/sandbox/signup/{code}");
    let (status, answer) = sign_up_on_the_page(&form, &patient).await?;
    assert_eq!(status, 200, "sign-up refused:\n{answer}");
    assert!(answer.contains("Your account is ready"), "{answer}");
    assert_eq!(
        invitation_to(&messages_url, PHONE).await?["state"],
        "CONSUMED"
    );

    // The invitation leaves the pending list, and the patient is on the list, signed up.
    app.refresh_pending().await?;
    app.wait_until_not_pending(PHONE_SHOWN, Duration::from_secs(30))
        .await?;
    app.wait_for_pending_row(EMAIL, Duration::from_secs(10), |_| true)
        .await?;
    app.screenshot("33-signed-up-left-pending").await?;

    app.show_tab("patients").await?;
    app.fill("Search patients", FAMILY).await?;
    let badge = app
        .find(Locator::XPath(&format!(
            "//*[@role='row'][.//*[@role='cell'][normalize-space(.)='{FAMILY}, {GIVEN}']]\
             //*[@data-testid='invitation-state']"
        )))
        .await?;
    assert_eq!(badge.attr("data-state").await?.as_deref(), Some("signedUp"));
    assert_eq!(badge.text().await?.trim(), "Signed up");
    app.screenshot("34-patient-signed-up").await?;

    // Revoke the email invitation: it goes through the outbox, then leaves the list.
    app.show_tab("pending").await?;
    let email_row = app
        .wait_for_pending_row(EMAIL, Duration::from_secs(20), |r| !r.local)
        .await?;
    app.click_pending_action(&email_row.id, "Revoke").await?;
    let confirm = app
        .find(Locator::Css("[data-testid='pending-confirm-text']"))
        .await?;
    let words = confirm.text().await?;
    assert!(words.contains("stops working"), "{words}");
    app.screenshot("35-revoke-confirm").await?;
    app.click_button("Yes, revoke").await?;
    app.wait_for_toast("Revoke queued: 1 invitation will be revoked")
        .await?;
    app.wait_until_not_pending(EMAIL, Duration::from_secs(60))
        .await?;
    app.screenshot("36-revoked").await?;
    let revoked = invitation_to(&messages_url, EMAIL).await?;
    assert_eq!(revoked["state"], "REVOKED");
    assert_eq!(revoked["id"], email_invitation["id"]);

    // Its link no longer works: the page says so (401), and so does the sign-up API (100033).
    let email_code = email_invitation["shortenedCode"]
        .as_str()
        .ok_or("the invitation has no shortened code")?;
    let page = reqwest::get(format!("{base}/sandbox/signup/{email_code}")).await?;
    assert_eq!(page.status().as_u16(), 401);
    let refused = reqwest::Client::new()
        .post(format!("{base}/api/auth/v1/signup"))
        .json(&serde_json::json!({
            "method": 0,
            "email": EMAIL,
            "password": "Pennant-Lane-2026",
            "validationData": { "shortenedCode": email_code },
            "projectId": huma_sandbox::PROJECT_ID,
            "clientId": huma_sandbox::CLIENT_ID,
        }))
        .send()
        .await?;
    assert_eq!(refused.status().as_u16(), 401);
    let refused: serde_json::Value = refused.json().await?;
    assert_eq!(refused["code"], 100033);

    // Nothing personal reached the app's log.
    let logs = app.logs();
    assert!(!logs.is_empty(), "the app writes a log");
    for personal in [
        GIVEN,
        FAMILY,
        PHONE,
        PHONE_SHOWN,
        PHONE_TYPED,
        "900804",
        EMAIL,
        "ivo.pennant",
        code,
        email_code,
    ] {
        assert!(!logs.contains(personal), "the log contains {personal:?}");
    }
    app.close().await
}
