//! A large queue against Huma's request limit (the sandbox's, set low so the test stays small): the
//! sync engine sends until the server refuses, then waits out the limiter's window, whole queue
//! included, instead of spending requests on refusals; every invite goes out exactly once and none
//! is given up on.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;

use common::{TestResult, World};
use huma_core::secrets::MemoryStore;
use huma_core::sync::{DrainEnd, OutboxEntryState};
use huma_sandbox::SandboxConfig;

/// Requests the sandbox allows per minute.
const PER_MINUTE: u32 = 6;
/// Eight batches of 50 (the client's batch size) in one send.
const INVITES: usize = 400;

async fn refused_so_far(world: &World) -> TestResult<u64> {
    let report: serde_json::Value =
        reqwest::get(format!("{}/sandbox/rate-limit", world.sandbox.base_url()))
            .await?
            .json()
            .await?;
    Ok(report["refused"].as_u64().ok_or("no refusal count")?)
}

/// Invitation emails the sandbox sent, per address.
async fn invitations_per_address(world: &World) -> TestResult<BTreeMap<String, usize>> {
    let mut per_address = BTreeMap::new();
    for m in world.messages().await? {
        if m["kind"] == "INVITATION" {
            let to = m["to"].as_str().unwrap_or_default().to_owned();
            *per_address.entry(to).or_default() += 1;
        }
    }
    Ok(per_address)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_queue_larger_than_the_limit_waits_out_the_window_and_goes_out_exactly_once() -> TestResult
{
    let world = World::with_sandbox(
        SandboxConfig {
            rate_limit_per_minute: Some(PER_MINUTE),
            // Few patients, so the lookup of whose invitation is whose is one page: with six
            // requests a minute, a lookup of many pages could never finish in a window.
            patients: 50,
            ..SandboxConfig::default()
        },
        Arc::new(MemoryStore::default()),
    )
    .await?;
    let app = world.app();
    let list = world.sign_in_without_code(&app).await?;
    let addresses: Vec<String> = (0..INVITES)
        .map(|i| format!("patient.{i:03}@example.com"))
        .collect();
    app.send_email_invites(&list, &addresses).await?;

    // Sends until the limit refuses one request, then stops.
    let report = app.sync_pass().await?;
    assert_eq!(report.end, DrainEnd::ServerTrouble);
    assert_eq!(refused_so_far(&world).await?, 1);
    let sent_first = invitations_per_address(&world).await?.len();
    assert!(
        sent_first > 0 && sent_first < INVITES,
        "{sent_first} sent in the first minute"
    );
    // Asked again within the minute, it does not knock: no request, no second refusal. Nothing is
    // given up on either: what has not gone waits.
    let report = app.sync_pass().await?;
    assert_eq!(report.end, DrainEnd::ServerTrouble);
    assert!(report.busy_until.is_some());
    assert_eq!(refused_so_far(&world).await?, 1);
    assert_eq!(invitations_per_address(&world).await?.len(), sent_first);
    // Each row is sent, queued, or (accepted, but the lookup of whose invitation is whose was
    // refused) in flight until confirmed: none rejected, none waiting for the clinician.
    let entries = app.outbox_entries().await?;
    let count = |state: OutboxEntryState| entries.iter().filter(|e| e.state == state).count();
    assert_eq!(count(OutboxEntryState::Queued), INVITES - sent_first);
    assert_eq!(
        count(OutboxEntryState::Queued)
            + count(OutboxEntryState::Sending)
            + count(OutboxEntryState::Sent),
        INVITES
    );
    // The clinician sees how far the send is, and why it is slow.
    let progress = app
        .outbox_status()
        .await?
        .progress
        .ok_or("no progress shown")?;
    assert_eq!(
        (progress.sent as usize, progress.total as usize),
        (count(OutboxEntryState::Sent), INVITES)
    );
    assert!(
        progress.summary.contains("limits how fast invites can go"),
        "{}",
        progress.summary
    );

    // Each minute the limiter's window turns: the engine sends (and confirms) what the window
    // allows and stops at the first refusal, never knocking twice in one pass, until all are out.
    // Six requests a minute is a slow trickle, so this takes a number of (simulated) minutes.
    let mut minutes: u64 = 0;
    let mut estimates = Vec::new();
    while app
        .outbox_entries()
        .await?
        .iter()
        .any(|e| e.state != OutboxEntryState::Sent)
    {
        minutes += 1;
        assert!(minutes <= 40, "still not all sent after {minutes} minutes");
        let refused_before = refused_so_far(&world).await?;
        world.advance(1).await?;
        app.sync_pass().await?;
        assert!(refused_so_far(&world).await? <= refused_before + 1);
        if let Some(progress) = app.outbox_status().await?.progress {
            estimates.push(progress.summary);
        }
    }
    // Once the pace is known, the time left is said.
    assert!(
        estimates.iter().any(|s| s.contains("minutes left")),
        "{estimates:#?}"
    );
    assert_eq!(app.outbox_status().await?.progress, None, "all sent");
    let per_address = invitations_per_address(&world).await?;
    assert_eq!(per_address.len(), INVITES);
    assert!(
        per_address.values().all(|&n| n == 1),
        "an invite went twice"
    );
    assert!(refused_so_far(&world).await? <= 1 + minutes);
    // A request the limit turned away was never read: it used none of its invites' attempts.
    let entries = app.outbox_entries().await?;
    let attempts: BTreeMap<u32, usize> = entries.iter().fold(BTreeMap::new(), |mut by, e| {
        *by.entry(e.attempts).or_default() += 1;
        by
    });
    assert_eq!(
        attempts,
        BTreeMap::from([(1, INVITES)]),
        "invites by attempts"
    );
    Ok(())
}
