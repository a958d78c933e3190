//! The patient in the room scans their own sign-up code: the code the app draws is read back with
//! an independent QR decoder (as a phone would), the link signs the patient up on the sandbox's
//! page, and the patient then shows as signed up.

use crate::common;

use std::collections::HashSet;
use std::time::Duration;

use common::{query, TestResult, World};
use huma_core::invite::language::Language;
use huma_core::invite::types::SmsInviteDraft;
use huma_core::pending::sign_up_code::{SignUpCode, SignUpCodeOffer};
use huma_core::pending::InvitationState;
use huma_core::ErrorCode;

/// Pixels per module when the code is drawn for the decoder.
const SCALE: u32 = 4;

/// What a phone's camera would read off the dialog.
fn decode(code: &SignUpCode) -> TestResult<String> {
    let mut dark = HashSet::new();
    for square in code.path.split('M').filter(|s| !s.is_empty()) {
        let corner = square.trim_end_matches("h1v1h-1z");
        let (x, y) = corner.split_once(' ').ok_or("a square without a corner")?;
        dark.insert((x.parse::<u32>()?, y.parse::<u32>()?));
    }
    let side = (code.size * SCALE) as usize;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
        let module = (x as u32 / SCALE, y as u32 / SCALE);
        if dark.contains(&module) {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    let grid = grids.first().ok_or("no QR code found")?;
    let (_, content) = grid.decode()?;
    Ok(content)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_patient_scans_their_code_and_signs_up_with_it() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    world.sign_in_demo(&app).await?;
    tokio::spawn(app.clone().run_sync());
    let list = app.patient_lists().await?.remove(0).id;
    let draft = SmsInviteDraft {
        list_id: list.clone(),
        given_name: "Ruth".into(),
        family_name: "Ellison".into(),
        phone: "07700 900456".into(),
        language: Language::English,
    };
    let receipt = app.send_sms_invite(&draft).await?;
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(10))
        .await?;
    let Some(SignUpCodeOffer::Ready {
        list_id,
        invitation_id,
    }) = outcome.sign_up_code
    else {
        panic!(
            "the notice offers the code: {:?} {outcome:?}",
            outcome.sign_up_code
        );
    };

    assert_eq!(list_id, list);
    let code = app.sign_up_code(&list, &invitation_id).await?;
    assert_eq!(code.patient_name, "Ruth Ellison");
    let link = decode(&code)?;
    let personal = format!(
        "{}/signup?shortenedCode=",
        world.sandbox.sign_up_link_base()
    );
    assert!(link.starts_with(&personal), "{link}");
    // The patient's own code: the one in the SMS they were sent, not a deployment-wide link.
    let sms = world
        .messages()
        .await?
        .into_iter()
        .find(|m| m["kind"] == "INVITATION" && m["to"] == "+447700900456")
        .ok_or("no invitation SMS")?;
    let shortened = &link[personal.len()..];
    assert!(
        sms["body"]
            .as_str()
            .unwrap_or_default()
            .ends_with(shortened),
        "the code and the SMS lead to the same invitation"
    );

    // The phone opens the link: the sandbox's sign-up page, where the patient sets a password.
    let http = reqwest::Client::new();
    let page = http.get(&link).send().await?;
    assert!(page.status().is_success());
    let form_url = page.url().clone();
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("givenName", "Ruth"),
            ("familyName", "Ellison"),
            ("email", ""),
            ("dateOfBirth", "1961-05-04"),
            ("password", "a long sandbox password"),
        ])
        .finish();
    let signed_up = http
        .post(form_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await?;
    assert!(
        signed_up.status().is_success(),
        "{}",
        signed_up.text().await?
    );

    let found = app.search_patients(&query(&list, "Ellison")).await?;
    let ruth = found
        .patients
        .iter()
        .find(|p| p.given_name == "Ruth")
        .ok_or("Ruth is on the list")?;
    assert_eq!(ruth.invitation, InvitationState::SignedUp);
    // The invitation is used: no code is shown for it any more.
    let Err(gone) = app.sign_up_code(&list, &invitation_id).await else {
        panic!("a used invitation has no code");
    };
    assert_eq!(gone.code, ErrorCode::InvalidInput);
    assert!(
        gone.message.contains("no longer pending"),
        "{}",
        gone.message
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_invite_still_in_the_outbox_offers_no_code_and_says_why() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    world.sign_in_demo(&app).await?;
    // No sync task runs: the invite stays queued, as when the clinic is offline.
    let list = app.patient_lists().await?.remove(0).id;
    let draft = SmsInviteDraft {
        list_id: list.clone(),
        given_name: "Ruth".into(),
        family_name: "Ellison".into(),
        phone: "07700 900457".into(),
        language: Language::English,
    };
    let receipt = app.send_sms_invite(&draft).await?;
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_millis(200))
        .await?;
    let Some(SignUpCodeOffer::Unavailable { reason }) = outcome.sign_up_code else {
        panic!(
            "a queued invite has no code yet: {:?}",
            outcome.sign_up_code
        );
    };
    assert!(reason.contains("once the invite has gone out"), "{reason}");
    let view = app.pending_invites(&list).await?;
    let row = view
        .invites
        .iter()
        .find(|r| r.on_this_computer)
        .ok_or("the queued invite is in the view")?;
    assert_eq!(
        row.sign_up_code_unavailable.as_deref(),
        Some(reason.as_str())
    );
    let Err(refused) = app.sign_up_code(&list, &row.id).await else {
        panic!("a queued invite has no code");
    };
    assert_eq!(refused.message, reason);
    Ok(())
}
