//! The pending invites view against the real sandbox: an invite sent from here shows once with a
//! week to expiry, unsent invites show as "on this computer", the view works offline from its copy,
//! and resend / revoke go out through the outbox.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{query, TestResult, World};
use huma_core::app::ClinicianApp;
use huma_core::clock::Clock;
use huma_core::invite::language::Language;
use huma_core::invite::types::{Channel, SmsInviteDraft};
use huma_core::pending::{InvitationState, PendingInvite, PendingStatus};
use huma_core::ui_types::DataSource;
use huma_core::ErrorCode;

async fn signed_in(world: &World) -> TestResult<(Arc<ClinicianApp>, String)> {
    let app = world.app();
    world.sign_in_demo(&app).await?;
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

fn time(s: Option<&str>) -> DateTime<Utc> {
    s.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default()
}

fn find<'a>(rows: &'a [PendingInvite], recipient: &str) -> Vec<&'a PendingInvite> {
    rows.iter().filter(|r| r.recipient == recipient).collect()
}

/// Sends an SMS invite through the outbox and waits until the server has it.
async fn invite(app: &ClinicianApp, list: &str, phone: &str) -> TestResult {
    let receipt = app.send_sms_invite(&draft(list, phone)).await?;
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(10))
        .await?;
    assert_eq!(outcome.sent, 1, "{outcome:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invite_sent_from_here_is_pending_once_with_a_week_to_expiry() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    tokio::spawn(app.clone().run_sync());
    invite(&app, &list, "+1 202 555 0142").await?;

    let page = app.pending_invites(&list).await?;
    assert_eq!(page.source, DataSource::Server);
    assert_eq!(page.as_of, None);
    let rows = find(&page.invites, "+12025550142");
    assert_eq!(rows.len(), 1, "{:?}", page.invites);
    let row = rows[0];
    assert!(!row.on_this_computer);
    assert_eq!(row.patient_name, "Ruth Ellison");
    assert_eq!(row.channel, Channel::Sms);
    assert_eq!(row.invited_by.as_deref(), Some("Amelia Hart"));
    // Huma resends an invitation 5 times after its first send.
    assert_eq!(row.resends_left, Some(5));
    assert!(!row.reminder_sent);
    let now = world_now(&world);
    let to_expiry = time(row.expires_at.as_deref()) - now;
    assert!(
        to_expiry > chrono::Duration::days(7) - chrono::Duration::minutes(5)
            && to_expiry <= chrono::Duration::days(7),
        "{to_expiry}"
    );
    assert_eq!(
        time(row.expires_at.as_deref()) - time(row.reminder_due_at.as_deref()),
        chrono::Duration::hours(24)
    );
    Ok(())
}

fn world_now(world: &World) -> DateTime<Utc> {
    world.clock.now()
}

#[tokio::test(flavor = "multi_thread")]
async fn unsent_invites_show_as_on_this_computer_and_the_view_works_offline() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    // No sync task yet: the invite waits in the outbox.
    app.send_email_invites(&list, &["queued.patient@example.com".to_owned()])
        .await?;
    let page = app.pending_invites(&list).await?;
    let rows = find(&page.invites, "queued.patient@example.com");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].on_this_computer);
    assert_eq!(rows[0].status, PendingStatus::Queued);
    assert_eq!(rows[0].resends_left, None);

    tokio::spawn(app.clone().run_sync());
    invite(&app, &list, "+1 202 555 0143").await?;
    let online = app.pending_invites(&list).await?;
    let rows = find(&online.invites, "queued.patient@example.com");
    assert_eq!(rows.len(), 1, "sent, and shown once");
    assert!(!rows[0].on_this_computer);

    // The server goes away: the view comes from this computer's copy, saying when it was taken.
    let World {
        sandbox,
        clock,
        data: _data,
        ..
    } = world;
    sandbox.shutdown().await;
    let offline = app.pending_invites(&list).await?;
    assert_eq!(offline.source, DataSource::Cache);
    assert!(offline.as_of.is_some());
    assert_eq!(offline.invites, online.invites);
    // Export works from the copy too, in the order asked.
    let ids: Vec<String> = offline.invites.iter().rev().map(|r| r.id.clone()).collect();
    let csv = app.pending_csv(&list, &ids).await?;
    assert!(csv.starts_with('\u{FEFF}'));
    let first = csv.lines().nth(1).unwrap_or_default();
    assert!(first.contains(
        &offline
            .invites
            .last()
            .map(|r| r.recipient.clone())
            .unwrap_or_default()
    ));
    assert!(
        csv.contains("'+12025550143"),
        "phone numbers are kept as text"
    );
    // The file the save dialog offers is dated by the app's clock, in this computer's time zone.
    clock.advance(chrono::Duration::days(40));
    let dated = |at: DateTime<Utc>| {
        let day = at.with_timezone(&chrono::Local).format("%Y-%m-%d");
        format!("pending-invites-{day}.csv")
    };
    let before = dated(clock.now());
    let name = app.pending_export_file_name();
    assert!(name == before || name == dated(clock.now()), "{name}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn resend_and_revoke_are_validated_and_go_out_through_the_outbox() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    tokio::spawn(app.clone().run_sync());
    invite(&app, &list, "+1 202 555 0144").await?;
    invite(&app, &list, "+1 202 555 0145").await?;
    let page = app.pending_invites(&list).await?;
    let resend_id = find(&page.invites, "+12025550144")[0].id.clone();
    let revoke_id = find(&page.invites, "+12025550145")[0].id.clone();

    let unknown = app
        .resend_invites(&list, &["not-an-invitation".to_owned()])
        .await
        .err()
        .ok_or("an unknown id is refused")?;
    assert_eq!(unknown.code, ErrorCode::InvalidInput);

    assert_eq!(
        app.resend_invites(&list, std::slice::from_ref(&resend_id))
            .await?
            .queued,
        1
    );
    assert_eq!(
        app.revoke_invites(&list, std::slice::from_ref(&revoke_id))
            .await?
            .queued,
        1
    );

    // Both go out; then the resent one has had two sends and the revoked one is gone.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let page = app.pending_invites(&list).await?;
        let resent = page.invites.iter().find(|r| r.id == resend_id);
        let revoked = page.invites.iter().any(|r| r.id == revoke_id);
        // Sent again (not "Delivered" from before), and settled on this computer.
        if resent.map(|r| (r.resends_left, r.status)) == Some((Some(4), PendingStatus::Sent))
            && !revoked
        {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "resend and revoke did not go out: {:?}",
            page.invites
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // The revoked invitation's link no longer works.
    let signup = signup_with(&world, &revoke_id).await?;
    assert_eq!(signup, 401);

    // Four more resends reach Huma's limit of 5 resends after the first send; the next is refused
    // before it is queued.
    for left in [3, 2, 1, 0] {
        app.resend_invites(&list, std::slice::from_ref(&resend_id))
            .await?;
        // Settled on this computer too: a resend while one is on its way is refused, not folded.
        wait_for(&app, &list, |rows| {
            rows.iter().any(|r| {
                r.id == resend_id
                    && r.resends_left == Some(left)
                    && r.status != PendingStatus::ResendQueued
            })
        })
        .await?;
    }
    let refused = app
        .resend_invites(&list, std::slice::from_ref(&resend_id))
        .await
        .err()
        .ok_or("a seventh send is refused")?;
    assert_eq!(refused.code, ErrorCode::InvalidInput);
    assert!(
        refused.message.contains("sent 6 times"),
        "{}",
        refused.message
    );
    let to_resent = world
        .messages()
        .await?
        .into_iter()
        .filter(|m| m["to"] == "+12025550144")
        .count();
    assert_eq!(to_resent, 6, "the invitation SMS went out again each time");
    Ok(())
}

/// Polls the view until `done` holds (the sync task works in the background).
async fn wait_for(
    app: &ClinicianApp,
    list: &str,
    done: impl Fn(&[PendingInvite]) -> bool,
) -> TestResult {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let page = app.pending_invites(list).await?;
        if done(&page.invites) {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            return Err(format!("the view never got there: {:?}", page.invites).into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Signs a patient up with the invitation's code, as its link would; returns the HTTP status.
async fn signup_with(world: &World, invitation_id: &str) -> TestResult<u16> {
    let base = world.sandbox.base_url();
    let all: serde_json::Value = reqwest::get(format!("{base}/sandbox/invitations"))
        .await?
        .json()
        .await?;
    let code = all["invitations"]
        .as_array()
        .and_then(|list| list.iter().find(|i| i["id"] == invitation_id))
        .and_then(|i| i["shortenedCode"].as_str())
        .ok_or("no such invitation in the sandbox")?
        .to_owned();
    let status = reqwest::Client::new()
        .post(format!("{base}/api/auth/v1/signup"))
        .json(&serde_json::json!({
            "method": 0, "password": "Patient-2026!", "givenName": "Ruth", "familyName": "Ellison",
            "validationData": {"shortenedCode": code}, "projectId": "p1", "clientId": "c3"
        }))
        .send()
        .await?
        .status();
    Ok(status.as_u16())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reminder_shows_as_sent_after_six_days_and_the_invitation_leaves_at_expiry(
) -> TestResult {
    let world = World::new().await?;
    // The clinician without the SMS factor: moving the clock days ahead does not time her out.
    let app = world.app();
    let step = app
        .sign_in(
            "sam.okafor@demo.huma.local",
            &huma_core::secrets::Secret::new(world.sandbox.demo().password),
        )
        .await?;
    assert!(
        matches!(step, huma_core::ui_types::SignInStep::SignedIn { .. }),
        "{step:?}"
    );
    let list = app.patient_lists().await?.remove(0).id;
    tokio::spawn(app.clone().run_sync());
    invite(&app, &list, "+1 202 555 0146").await?;
    let row = |page: &huma_core::pending::PendingPage| {
        find(&page.invites, "+12025550146")
            .first()
            .map(|r| (*r).clone())
    };
    let fresh = row(&app.pending_invites(&list).await?).ok_or("not pending")?;
    assert!(!fresh.reminder_sent);

    world.advance(6 * 24 * 60 + 1).await?;
    let later = row(&app.pending_invites(&list).await?).ok_or("still pending")?;
    assert!(later.reminder_sent, "{later:?}");
    let chasers = world
        .messages()
        .await?
        .into_iter()
        .filter(|m| m["to"] == "+12025550146")
        .count();
    assert_eq!(chasers, 2, "the invitation and one reminder");

    world.advance(24 * 60).await?;
    let page = app.pending_invites(&list).await?;
    assert!(row(&page).is_none(), "expired invitations leave the list");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn patients_on_a_list_are_signed_up_and_diagnostics_carry_no_patient_data() -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    let page = app.search_patients(&query(&list, "")).await?;
    assert!(!page.patients.is_empty());
    assert!(page
        .patients
        .iter()
        .all(|p| p.invitation == InvitationState::SignedUp));

    app.send_email_invites(&list, &["diag.patient@example.com".to_owned()])
        .await?;
    let text = app.support_diagnostics().await?.text;
    assert!(text.contains("1 waiting"), "{text}");
    assert!(text.contains("127.0.0.1"), "{text}");
    let demo = world.sandbox.demo();
    let mut forbidden = vec![
        demo.email.clone(),
        demo.password.clone(),
        "diag.patient".to_owned(),
        "Amelia".to_owned(),
        "Hart".to_owned(),
        list.clone(),
    ];
    for p in page.patients.iter().take(20) {
        forbidden.push(p.family_name.clone());
        forbidden.push(p.nhs_number.clone());
        forbidden.extend(p.phone_number.clone());
        forbidden.extend(p.email.clone());
    }
    for f in forbidden.iter().filter(|f| f.len() > 3) {
        assert!(
            !text.contains(f.as_str()),
            "diagnostics leak {f:?}:\n{text}"
        );
    }
    Ok(())
}
