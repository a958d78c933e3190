//! The patient list's "invited, not signed up yet" group against the real sandbox: an invite sent
//! from here is pending with a week to go; once the sandbox's clock passes its expiry it is
//! expired, while one the patient accepted (a user of the list) and one revoked from here are not
//! shown at all.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use common::{TestResult, World};
use huma_core::app::ClinicianApp;
use huma_core::invite::language::Language;
use huma_core::invite::types::{Channel, SmsInviteDraft};
use huma_core::pending::{InvitationState, InvitedPatient};
use huma_core::secrets::Secret;
use huma_core::ui_types::SignInStep;

/// The clinician without the SMS factor: moving the clock days ahead does not time her out.
async fn signed_in(world: &World) -> TestResult<(Arc<ClinicianApp>, String)> {
    let app = world.app();
    let step = app
        .sign_in(
            "sam.okafor@demo.huma.local",
            &Secret::new(world.sandbox.demo().password),
        )
        .await?;
    assert!(matches!(step, SignInStep::SignedIn { .. }), "{step:?}");
    let list = app.patient_lists().await?.remove(0).id;
    Ok((app, list))
}

async fn invite(app: &ClinicianApp, list: &str, given: &str, phone: &str) -> TestResult {
    let draft = SmsInviteDraft {
        list_id: list.into(),
        given_name: given.into(),
        family_name: "Ellison".into(),
        phone: phone.into(),
        language: Language::English,
    };
    let receipt = app.send_sms_invite(&draft).await?;
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(10))
        .await?;
    assert_eq!(outcome.sent, 1, "{outcome:?}");
    Ok(())
}

fn row<'a>(rows: &'a [InvitedPatient], recipient: &str) -> Option<&'a InvitedPatient> {
    rows.iter().find(|r| r.recipient == recipient)
}

fn time(s: Option<&str>) -> DateTime<Utc> {
    s.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default()
}

/// Signs a patient up with the invitation's code, as its link would.
async fn accept(world: &World, recipient: &str) -> TestResult {
    let base = world.sandbox.base_url();
    let all: serde_json::Value = reqwest::get(format!("{base}/sandbox/invitations"))
        .await?
        .json()
        .await?;
    let code = all["invitations"]
        .as_array()
        .and_then(|list| list.iter().find(|i| i["phoneNumber"] == recipient))
        .and_then(|i| i["shortenedCode"].as_str())
        .ok_or("no such invitation in the sandbox")?
        .to_owned();
    reqwest::Client::new()
        .post(format!("{base}/api/auth/v1/signup"))
        .json(&serde_json::json!({
            "method": 0, "password": "Patient-2026!", "givenName": "Ruth", "familyName": "Ellison",
            "validationData": {"shortenedCode": code}, "projectId": "p1", "clientId": "c3"
        }))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn invited_patients_are_pending_then_expired_unless_they_signed_up_or_were_revoked(
) -> TestResult {
    let world = World::new().await?;
    let (app, list) = signed_in(&world).await?;
    tokio::spawn(app.clone().run_sync());
    invite(&app, &list, "Ruth", "+1 202 555 0150").await?;
    invite(&app, &list, "Rita", "+1 202 555 0151").await?;
    invite(&app, &list, "Rosa", "+1 202 555 0152").await?;

    // All three pending, with their names apart for the invite dialog and a week to go.
    let rows = app.invited_patients(&list, "").await?;
    for phone in ["+12025550150", "+12025550151", "+12025550152"] {
        let r = row(&rows, phone).ok_or("not listed")?;
        assert_eq!(r.invitation, InvitationState::Pending, "{r:?}");
        assert_eq!(r.channel, Channel::Sms);
        assert!(!r.on_this_computer);
        assert_eq!(r.family_name, "Ellison");
    }
    let ruth = row(&rows, "+12025550150").ok_or("not listed")?;
    assert_eq!(ruth.given_name, "Ruth");
    let week = time(ruth.expires_at.as_deref()) - time(ruth.sent_at.as_deref());
    assert_eq!(week, chrono::Duration::days(7));
    // Search narrows the group like the users: by name, or the number as typed.
    let found = app.invited_patients(&list, "rita").await?;
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].recipient, "+12025550151");
    assert_eq!(app.invited_patients(&list, "202 555 0152").await?.len(), 1);

    // Rita accepts; the list's copy on this computer then knows her as a user.
    accept(&world, "+12025550151").await?;
    app.cache_list(&list).await?;
    // Rosa's invitation is revoked from here.
    let pending = app.pending_invites(&list).await?;
    let rosa = pending
        .invites
        .iter()
        .find(|r| r.recipient == "+12025550152")
        .ok_or("Rosa not pending")?
        .id
        .clone();
    app.revoke_invites(&list, &[rosa]).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while app.outbox_status().await?.waiting > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the revoke never went out"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A week and a minute later the sandbox has dropped Ruth's invitation at its expiry.
    world.advance(7 * 24 * 60 + 1).await?;
    let rows = app.invited_patients(&list, "").await?;
    let ruth = row(&rows, "+12025550150").ok_or("Ruth not listed")?;
    assert_eq!(ruth.invitation, InvitationState::Expired, "{ruth:?}");
    assert!(row(&rows, "+12025550151").is_none(), "signed up: {rows:?}");
    assert!(row(&rows, "+12025550152").is_none(), "revoked: {rows:?}");
    Ok(())
}
