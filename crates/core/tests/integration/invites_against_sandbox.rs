//! Invites through the outbox to the real sandbox: queue on Send, the sync task sends them, the
//! notification says what happened, and the sandbox delivers exactly the text that was confirmed.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{TestResult, World};
use huma_core::app::ClinicianApp;
use huma_core::error::ErrorCode;
use huma_core::invite::language::Language;
use huma_core::invite::sms_text::LINK_PLACEHOLDER;
use huma_core::invite::types::{SmsCheck, SmsInviteDraft, WarningKind};
use huma_core::policy::settings::{Defaults, Layers};

async fn signed_in(world: &World) -> TestResult<(Arc<ClinicianApp>, String)> {
    let app = world.app();
    world.sign_in_demo(&app).await?;
    tokio::spawn(app.clone().run_sync());
    let list = app.patient_lists().await?.remove(0).id;
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

/// The clinician's phone region applies to the next number read, without a restart: a number
/// written without `+` is read in that country.
#[tokio::test(flavor = "multi_thread")]
async fn a_changed_phone_region_reads_the_next_number_in_that_country() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    let irish = draft(&list, "085 123 4567");
    let SmsCheck::Invalid { errors } = app.prepare_sms_invite(&irish).await? else {
        panic!("an Irish number read as British");
    };
    assert_eq!(errors[0].field, "phone", "{errors:?}");

    let mut layers = Layers {
        policy: Default::default(),
        user: Default::default(),
        defaults: Defaults {
            data_directory: "unused".into(),
            sandbox_available: true,
        },
        problems: Vec::new(),
    };
    layers.set_user("phoneRegion", Some("IE".into()))?;
    app.apply_settings(&layers);
    let SmsCheck::Ready { preview } = app.prepare_sms_invite(&irish).await? else {
        panic!("the number was not read in Ireland");
    };
    assert_eq!(preview.phone_display, "+353 85 123 4567");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sms_invite_goes_out_with_exactly_the_confirmed_text() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    let SmsCheck::Ready { preview } = app
        .prepare_sms_invite(&draft(&list, "07700 900456"))
        .await?
    else {
        panic!("the form was valid");
    };
    assert_eq!(preview.phone_display, "+44 7700 900456");
    let receipt = app.send_sms_invite(&draft(&list, "07700 900456")).await?;
    assert_eq!(receipt.queued, 1);
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(10))
        .await?;
    assert_eq!(outcome.summary, "Invite SMS sent to +44 7700 900456");
    assert_eq!((outcome.sent, outcome.queued), (1, 0));
    assert_eq!(app.outbox_status().await?.waiting, 0);

    let sms = world
        .messages()
        .await?
        .into_iter()
        .find(|m| m["kind"] == "INVITATION" && m["to"] == "+447700900456")
        .ok_or("no invitation SMS in the sandbox")?;
    let body = sms["body"].as_str().unwrap_or_default();
    let link = body.rsplit(' ').next().unwrap_or_default();
    assert!(link.contains("/sandbox/signup/"), "{body}");
    assert_eq!(body, preview.text.replace(LINK_PLACEHOLDER, link));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn email_invites_go_out_in_one_batch_and_a_second_time_is_warned_about() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    let addresses: Vec<String> = ["ann@example.com", "bob@example.com", "cy@example.com"]
        .map(String::from)
        .to_vec();
    assert!(app.check_email_invites(&list, &addresses).await?.is_empty());
    let receipt = app.send_email_invites(&list, &addresses).await?;
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(10))
        .await?;
    assert_eq!(outcome.summary, "3 invites sent");
    let sent = world.messages().await?;
    for a in &addresses {
        assert!(
            sent.iter()
                .any(|m| m["to"] == a.as_str() && m["kind"] == "INVITATION"),
            "{a}"
        );
    }
    let warnings = app.check_email_invites(&list, &addresses[..1]).await?;
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].kind, WarningKind::PendingInvite);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_s_refusals_are_shown_per_recipient() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    let first = app.send_sms_invite(&draft(&list, "07700 900457")).await?;
    app.await_batch(&first.batch_id, Duration::from_secs(10))
        .await?;
    // The same number again: the server says it already has a pending invitation.
    let again = app
        .send_sms_invite(&draft(&list, "+44 7700 900457"))
        .await?;
    let outcome = app
        .await_batch(&again.batch_id, Duration::from_secs(10))
        .await?;
    assert_eq!(outcome.sent, 0);
    assert_eq!(outcome.rejected.len(), 1);
    assert_eq!(outcome.rejected[0].recipient, "+44 7700 900457");
    assert!(
        outcome.rejected[0].reason.contains("pending invitation"),
        "{:?}",
        outcome.rejected
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_the_invite_is_queued_and_the_clinician_is_told() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    // Warm the list cache, then lose the server.
    app.patient_lists().await?;
    let World {
        sandbox,
        data: _data,
        ..
    } = world;
    sandbox.shutdown().await;
    let receipt = app.send_sms_invite(&draft(&list, "07700 900458")).await?;
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(3))
        .await?;
    assert_eq!(outcome.queued, 1);
    assert_eq!(
        outcome.summary,
        "Queued — will be sent when you're back online"
    );
    assert_eq!(app.outbox_status().await?.waiting, 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_read_the_clinician_stops_answers_cancelled_and_the_next_read_is_whole() -> TestResult
{
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/csv/mixed-valid-invalid.csv");
    assert!(!app.cancel_csv_import(), "no read under way");
    // "Stop" pressed while the file is read (at its first progress report).
    let stopper = Arc::clone(&app);
    let stopped = app
        .import_csv(&list, file.clone(), move |_| {
            stopper.cancel_csv_import();
        })
        .await
        .err()
        .ok_or("the read went on after the cancel")?;
    assert_eq!(stopped.code, ErrorCode::Cancelled);
    assert_eq!(stopped.message, "The import was cancelled.");
    assert_eq!(app.outbox_status().await?.waiting, 0);
    // Nothing stays cancelled: the same file read again is read whole.
    let preview = app.import_csv(&list, file, |_| {}).await?;
    assert!(preview.accepted_count > 0);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_import_queues_the_accepted_rows_only() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/csv");
    let preview = app
        .import_csv(&list, fixtures.join("mixed-valid-invalid.csv"), |_| {})
        .await?;
    assert!(preview.accepted_count > 0 && preview.rejected_count > 0);
    assert!(preview
        .rejected
        .iter()
        .all(|r| r.row > 1 && !r.reason.is_empty()));
    let rejects = app.csv_rejects(&preview.import_id)?;
    assert_eq!(rejects.lines().count() as u32, preview.rejected_count + 1);
    let receipt = app.send_import(&list, &preview.import_id, &[]).await?;
    // Only what can be a patient list is read: not, say, a key file dropped on the window.
    let refused = app
        .import_csv(&list, fixtures.join("binary.bin"), |_| {})
        .await
        .err()
        .ok_or("a .bin file was read")?;
    assert!(
        refused.message.contains("Choose a CSV file"),
        "{}",
        refused.message
    );
    assert_eq!(receipt.queued, preview.accepted_count);
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(15))
        .await?;
    assert_eq!(
        outcome.sent + outcome.rejected.len() as u32,
        preview.accepted_count
    );
    Ok(())
}

/// A user of the sandbox with an account but no role (its README lists them).
const HAS_ACCOUNT_WITHOUT_ROLE: &str = "former.niamh.gallagher@example.org";

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_user_is_added_without_an_invitation_and_the_others_get_theirs() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    let addresses: Vec<String> = [
        "first.new@example.com",
        HAS_ACCOUNT_WITHOUT_ROLE,
        "second.new@example.com",
    ]
    .map(String::from)
    .to_vec();
    let receipt = app.send_email_invites(&list, &addresses).await?;
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(10))
        .await?;
    assert_eq!(outcome.summary, "3 invites sent", "{outcome:?}");

    // The Outbox view says why one of them has no invitation.
    let entries = app.outbox_entries().await?;
    let added = entries
        .iter()
        .find(|e| e.recipient == HAS_ACCOUNT_WITHOUT_ROLE)
        .ok_or("no outbox row")?;
    assert_eq!(
        added.reason.as_deref(),
        Some("Already had a Huma account: added to this list without an invitation.")
    );
    // Each new patient has exactly one pending invitation, and the existing user none.
    let pending = app.pending_invites(&list).await?;
    for address in &addresses {
        let rows = pending
            .invites
            .iter()
            .filter(|r| r.recipient == *address && !r.on_this_computer)
            .count();
        let expected = usize::from(address != HAS_ACCOUNT_WITHOUT_ROLE);
        assert_eq!(rows, expected, "{address}");
    }
    let invitations = world
        .messages()
        .await?
        .into_iter()
        .filter(|m| m["kind"] == "INVITATION")
        .count();
    assert_eq!(invitations, 2);
    Ok(())
}
