//! Resend and revoke through the outbox, against the real sandbox: queued offline-style, sent by the
//! sync engine, and what the clinician sees in the Outbox view afterwards.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{TestResult, World};
use huma_core::app::ClinicianApp;
use huma_core::invite::language::Language;
use huma_core::invite::types::{Channel, SmsInviteDraft};
use huma_core::store::InvitationRef;
use huma_core::sync::{Connection, OutboxEntryState, OutboxKind};

async fn settled(app: &ClinicianApp) -> TestResult {
    for _ in 0..100 {
        app.sync_pass().await?;
        if app.outbox_status().await?.waiting == 0 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the outbox did not settle".into())
}

async fn invitation_id(world: &World, phone: &str) -> TestResult<String> {
    let json: serde_json::Value =
        reqwest::get(format!("{}/sandbox/invitations", world.sandbox.base_url()))
            .await?
            .json()
            .await?;
    Ok(json["invitations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["phoneNumber"] == phone)
        .and_then(|i| i["id"].as_str())
        .ok_or("no invitation on the sandbox")?
        .to_owned())
}

/// Invitation SMS the patient received: the first send and every resend.
async fn messages_to(world: &World, phone: &str) -> TestResult<usize> {
    Ok(world
        .messages()
        .await?
        .iter()
        .filter(|m| {
            m["to"] == phone && (m["kind"] == "INVITATION" || m["kind"] == "INVITATION_RESEND")
        })
        .count())
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_and_revoke_go_through_the_outbox_and_say_what_happened() -> TestResult {
    let world = World::new().await?;
    let app: Arc<ClinicianApp> = world.app();
    world.sign_in_demo(&app).await?;
    let list = app.patient_lists().await?.remove(0).id;
    let phone = "+447911123461";
    let draft = SmsInviteDraft {
        list_id: list.clone(),
        given_name: "Nia".into(),
        family_name: "Roberts".into(),
        phone: "07911 123461".into(),
        language: Language::English,
    };
    app.send_sms_invite(&draft).await?;
    settled(&app).await?;
    let status = app.outbox_status().await?;
    assert_eq!(status.connection, Connection::Online);
    assert!(status.last_synced_at.is_some());
    assert_eq!(messages_to(&world, phone).await?, 1);

    let invitation = InvitationRef {
        id: invitation_id(&world, phone).await?,
        channel: Channel::Sms,
        recipient: phone.into(),
        patient_name: "Nia Roberts".into(),
    };
    // Clicking Resend twice before it goes out queues it once.
    assert_eq!(
        app.queue_resend(&list, std::slice::from_ref(&invitation))
            .await?,
        1
    );
    assert_eq!(
        app.queue_resend(&list, std::slice::from_ref(&invitation))
            .await?,
        0
    );
    settled(&app).await?;
    assert_eq!(messages_to(&world, phone).await?, 2, "resent once");

    assert_eq!(
        app.queue_revoke(&list, std::slice::from_ref(&invitation))
            .await?,
        1
    );
    settled(&app).await?;
    // Revoked again (already gone) is done too; a resend of a revoked invitation is refused in words.
    app.queue_revoke(&list, std::slice::from_ref(&invitation))
        .await?;
    app.queue_resend(&list, std::slice::from_ref(&invitation))
        .await?;
    settled(&app).await?;

    let entries = app.outbox_entries().await?;
    let of = |kind| entries.iter().filter(move |e| e.kind == kind);
    assert_eq!(of(OutboxKind::Revoke).count(), 2);
    assert!(of(OutboxKind::Revoke).all(|e| e.state == OutboxEntryState::Sent));
    let refused: Vec<_> = of(OutboxKind::Resend)
        .filter(|e| e.state == OutboxEntryState::Rejected)
        .collect();
    assert_eq!(refused.len(), 1, "{entries:?}");
    assert!(
        refused[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("no longer pending")),
        "{:?}",
        refused[0].reason
    );
    assert_eq!(app.outbox_status().await?.rejected, 1);
    assert_eq!(
        messages_to(&world, phone).await?,
        2,
        "nothing sent after the revoke"
    );

    // Discarding the refusal clears it from the indicator.
    assert_eq!(app.discard_outbox(&[refused[0].id.clone()]).await?, 1);
    assert_eq!(app.outbox_status().await?.rejected, 0);
    Ok(())
}

async fn set_faults(world: &World, faults: serde_json::Value) -> TestResult {
    reqwest::Client::new()
        .post(format!("{}/sandbox/faults", world.sandbox.base_url()))
        .json(&faults)
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unconfirmed_send_is_shown_with_its_reason_then_goes_out_once() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    world.sign_in_demo(&app).await?;
    let list = app.patient_lists().await?.remove(0).id;
    let addresses: Vec<String> = ["q1@example.org", "q2@example.org", "q3@example.org"]
        .map(String::from)
        .to_vec();
    // The server commits, then the answer is lost: the app cannot know the invites went out.
    set_faults(
        &world,
        serde_json::json!({"dropResponseAfterCommit": 1.0, "paths": ["send-invitation"]}),
    )
    .await?;
    app.send_email_invites(&list, &addresses).await?;
    app.sync_pass().await?;
    assert_eq!(app.outbox_status().await?.waiting, 3);
    let entries = app.outbox_entries().await?;
    assert!(entries.iter().all(|e| e.state == OutboxEntryState::Sending
        && e.reason.as_deref().is_some_and(|r| r.contains("checked"))));
    // An SMS too: Huma cannot filter its list by phone number, so it is found by reading it.
    let phone = "+447911123462";
    let sms = SmsInviteDraft {
        list_id: list.clone(),
        given_name: "Ola".into(),
        family_name: "Nowak".into(),
        phone: "07911 123462".into(),
        language: Language::English,
    };
    app.send_sms_invite(&sms).await?;
    // The emails are found on the server first; then the SMS's answer is lost in its turn.
    app.sync_pass().await?;
    let entries = app.outbox_entries().await?;
    for e in &entries {
        let expected = if e.recipient == phone {
            OutboxEntryState::Sending
        } else {
            OutboxEntryState::Sent
        };
        assert_eq!(e.state, expected, "{e:?}");
    }
    set_faults(&world, serde_json::json!({})).await?;
    settled(&app).await?;
    let sent = world.messages().await?;
    for a in addresses.iter().map(String::as_str).chain([phone]) {
        let count = sent
            .iter()
            .filter(|m| m["to"] == a && m["kind"] == "INVITATION")
            .count();
        assert_eq!(count, 1, "{a}");
    }
    let entries = app.outbox_entries().await?;
    assert!(entries.iter().all(|e| e.state == OutboxEntryState::Sent));
    Ok(())
}
