//! "Pause sending" in the Outbox, against the real sandbox: nothing queued reaches the server while
//! paused, the pause outlives a restart, and on resume each invite goes out exactly once.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{TestResult, World};
use huma_core::app::ClinicianApp;
use huma_core::invite::language::Language;
use huma_core::invite::types::SmsInviteDraft;
use huma_core::sync::{DrainEnd, PauseReason};

/// Invitation SMS the sandbox sent to `phone`.
async fn invitations_to(world: &World, phone: &str) -> TestResult<usize> {
    Ok(world
        .messages()
        .await?
        .iter()
        .filter(|m| m["to"] == phone && m["kind"] == "INVITATION")
        .count())
}

async fn signed_in(world: &World) -> TestResult<(Arc<ClinicianApp>, String)> {
    let app = world.app();
    world.sign_in_demo(&app).await?;
    let list = app.patient_lists().await?.remove(0).id;
    Ok((app, list))
}

fn draft(list: &str) -> SmsInviteDraft {
    SmsInviteDraft {
        list_id: list.to_owned(),
        given_name: "Cerys".into(),
        family_name: "Hughes".into(),
        phone: "07911 123471".into(),
        language: Language::English,
    }
}

const PHONE: &str = "+447911123471";

#[tokio::test(flavor = "multi_thread")]
async fn paused_sending_keeps_invites_queued_across_a_restart_and_resuming_sends_each_once(
) -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    app.pause_sending().await?;
    let status = app.outbox_status().await?;
    assert_eq!(status.paused, Some(PauseReason::ByClinician));
    assert_eq!(status.waiting, 0, "said even with nothing waiting yet");

    // The clinician is told at once that the invite waits, and why: no waiting for a send.
    let receipt = app.send_sms_invite(&draft(&list)).await?;
    let outcome = tokio::time::timeout(
        Duration::from_secs(2),
        app.await_batch(&receipt.batch_id, Duration::from_secs(30)),
    )
    .await??;
    assert_eq!((outcome.sent, outcome.queued), (0, 1));
    assert_eq!(
        outcome.summary,
        "Queued — sending is paused: resume it in the Outbox to send this invite"
    );
    assert_eq!(app.sync_pass().await?.end, DrainEnd::Paused);
    assert_eq!(invitations_to(&world, PHONE).await?, 0);
    assert_eq!(app.outbox_status().await?.waiting, 1);

    // Still paused after a restart, and still nothing sent.
    drop(app);
    let (app, _) = signed_in(&world).await?;
    let status = app.outbox_status().await?;
    assert_eq!(
        (status.paused, status.waiting),
        (Some(PauseReason::ByClinician), 1)
    );
    assert_eq!(app.sync_pass().await?.end, DrainEnd::Paused);
    assert_eq!(invitations_to(&world, PHONE).await?, 0);

    // Resumed: sent, once, however many passes follow.
    app.resume_sending().await?;
    assert_eq!(app.outbox_status().await?.paused, None);
    for _ in 0..3 {
        app.sync_pass().await?;
    }
    assert_eq!(app.outbox_status().await?.waiting, 0);
    assert_eq!(invitations_to(&world, PHONE).await?, 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn each_invite_sent_while_paused_says_so_and_pausing_twice_is_harmless() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    app.pause_sending().await?;
    let mut drafts = vec![draft(&list)];
    drafts.push(SmsInviteDraft {
        phone: "07911 123472".into(),
        given_name: "Osian".into(),
        ..draft(&list)
    });
    let mut summaries = Vec::new();
    for d in &drafts {
        let receipt = app.send_sms_invite(d).await?;
        summaries.push(
            app.await_batch(&receipt.batch_id, Duration::from_secs(5))
                .await?
                .summary,
        );
    }
    assert!(
        summaries.iter().all(|s| s.contains("sending is paused")),
        "{summaries:?}"
    );
    // Pausing twice, or resuming twice, is harmless.
    app.pause_sending().await?;
    app.resume_sending().await?;
    app.resume_sending().await?;
    app.sync_pass().await?;
    assert_eq!(app.outbox_status().await?.waiting, 0);
    Ok(())
}
