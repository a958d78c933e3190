//! Considerate sending hours against the real sandbox, with one clock moved for both: an SMS invite
//! queued at 22:00 in the clinic's zone waits in the outbox (through a restart) with the sentence
//! the clinician reads, goes out exactly once after 08:00, and "Send now" sends it at once.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Timelike};
use common::{TestResult, World};
use huma_core::app::ClinicianApp;
use huma_core::clock::Clock;
use huma_core::invite::language::Language;
use huma_core::invite::types::SmsInviteDraft;
use huma_core::sending_hours::{parse_time_zone, SendingHours, Window};
use huma_core::sync::{OutboxEntry, OutboxEntryState};

const PHONE: &str = "+447700900123";

/// Every day 08:00–20:00 in London, so the test reads the same whatever day it runs.
fn clinic_hours() -> SendingHours {
    SendingHours {
        window: Window::parse("Mon-Sun 08:00-20:00").unwrap_or_else(|e| panic!("{e}")),
        zone: parse_time_zone("Europe/London").unwrap_or_else(|e| panic!("{e}")),
        hold_email: false,
    }
}

/// Moves the sandbox's clock and ours to the next 22:00 in London (within the minute after it).
async fn to_ten_in_the_evening(world: &World) -> TestResult {
    let zone = clinic_hours().zone;
    let now = world.clock.now().with_timezone(&zone);
    let mut date = now.date_naive();
    if now.hour() >= 22 {
        date = date.succ_opt().ok_or("no next day")?;
    }
    let target = zone
        .from_local_datetime(&date.and_hms_opt(22, 0, 0).ok_or("no 22:00")?)
        .earliest()
        .ok_or("22:00 does not exist")?;
    let seconds = (target.with_timezone(&chrono::Utc) - world.clock.now()).num_seconds();
    world.advance((seconds + 59) / 60).await
}

/// A fresh app (as after a restart) with the clinic's hours and no idle lock.
fn clinic_app(world: &World) -> Arc<ClinicianApp> {
    world.app_with(&world.sandbox.base_url(), |app| {
        app.with_sending_hours(clinic_hours())
            .with_managed_settings(0, vec![])
    })
}

/// Signed in at 22:00 as a clinician without a second factor, whose session outlives the night (a
/// session under 2FA lapses when idle, and the queue then waits for the next sign-in as ever).
async fn signed_in_at_ten_pm(world: &World) -> TestResult<(Arc<ClinicianApp>, String)> {
    to_ten_in_the_evening(world).await?;
    let app = clinic_app(world);
    let list = world.sign_in_without_code(&app).await?;
    Ok((app, list))
}

fn draft(list: &str, phone: &str) -> SmsInviteDraft {
    SmsInviteDraft {
        list_id: list.into(),
        given_name: "Ruth".into(),
        family_name: "Ellison".into(),
        phone: phone.into(),
        language: Language::English,
    }
}

/// Invitation SMS the sandbox delivered to `phone`.
async fn delivered_to(world: &World, phone: &str) -> TestResult<usize> {
    Ok(world
        .messages()
        .await?
        .iter()
        .filter(|m| m["kind"] == "INVITATION" && m["to"] == phone)
        .count())
}

async fn entry_for(app: &ClinicianApp, phone: &str) -> TestResult<OutboxEntry> {
    Ok(app
        .outbox_entries()
        .await?
        .into_iter()
        .find(|e| e.recipient == phone)
        .ok_or("no outbox row for the number")?)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sms_queued_at_ten_pm_waits_through_a_restart_and_goes_out_once_after_eight(
) -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in_at_ten_pm(&world).await?;
    let receipt = app.send_sms_invite(&draft(&list, "07700 900123")).await?;

    // The notice after Send says when it will go, without waiting for the server.
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(10))
        .await?;
    assert_eq!(
        outcome.summary,
        "Invite SMS to +44 7700 900123 waits for sending hours. Will send tomorrow at 08:00"
    );
    assert_eq!((outcome.sent, outcome.queued, outcome.held), (0, 1, 1));
    let entry = entry_for(&app, PHONE).await?;
    assert_eq!(entry.state, OutboxEntryState::Queued);
    assert_eq!(
        entry.will_send.as_deref(),
        Some("Will send tomorrow at 08:00")
    );

    // The sync engine looks at the outbox and leaves it alone.
    app.sync_pass().await?;
    assert_eq!(delivered_to(&world, PHONE).await?, 0);
    drop(app);

    // Quit and start again: the row is still held, with the same instant.
    let app = clinic_app(&world);
    app.resume_session().await?.ok_or("nothing resumed")?;
    app.sync_pass().await?;
    assert_eq!(delivered_to(&world, PHONE).await?, 0);
    assert_eq!(
        entry_for(&app, PHONE).await?.will_send.as_deref(),
        Some("Will send tomorrow at 08:00")
    );

    // 07:59 the next morning: still waiting, now "at 08:00" (today).
    world.advance(9 * 60 + 58).await?;
    app.sync_pass().await?;
    assert_eq!(delivered_to(&world, PHONE).await?, 0);
    assert_eq!(
        entry_for(&app, PHONE).await?.will_send.as_deref(),
        Some("Will send at 08:00")
    );

    // Past 08:00: it goes, once, however often the outbox is drained.
    world.advance(2).await?;
    app.sync_pass().await?;
    app.sync_pass().await?;
    assert_eq!(delivered_to(&world, PHONE).await?, 1);
    let entry = entry_for(&app, PHONE).await?;
    assert_eq!(entry.state, OutboxEntryState::Sent);
    assert_eq!(entry.will_send, None);
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(10))
        .await?;
    assert_eq!(outcome.summary, "Invite SMS sent to +44 7700 900123");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn send_now_sends_a_held_invite_at_once_and_email_invites_are_not_held() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in_at_ten_pm(&world).await?;

    // From the notice after Send: the whole batch.
    let receipt = app.send_sms_invite(&draft(&list, "07700 900123")).await?;
    app.sync_pass().await?;
    assert_eq!(delivered_to(&world, PHONE).await?, 0);
    assert_eq!(app.send_batch_now(&receipt.batch_id).await?, 1);
    app.sync_pass().await?;
    assert_eq!(delivered_to(&world, PHONE).await?, 1);
    // Nothing of that batch is held any more.
    assert_eq!(app.send_batch_now(&receipt.batch_id).await?, 0);

    // From the Outbox view: one row.
    let other = "+447700900124";
    app.send_sms_invite(&draft(&list, "07700 900124")).await?;
    app.sync_pass().await?;
    let held = entry_for(&app, other).await?;
    assert!(held.will_send.is_some());
    assert_eq!(delivered_to(&world, other).await?, 0);
    assert_eq!(app.send_outbox_now(&[held.id]).await?, 1);
    app.sync_pass().await?;
    assert_eq!(delivered_to(&world, other).await?, 1);
    assert_eq!(delivered_to(&world, PHONE).await?, 1);

    // Email invites go at any hour unless the clinic says otherwise.
    let receipt = app
        .send_email_invites(&list, &["late@example.com".to_owned()])
        .await?;
    app.sync_pass().await?;
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(10))
        .await?;
    assert_eq!(outcome.summary, "Invite email sent to late@example.com");
    Ok(())
}
