//! Offline sign-in and the lock screen, against the real sandbox behind a relay that is switched off
//! (connection refused) and on again, with a real SQLite file per account.

use crate::common;
use crate::switch;

use std::sync::Arc;
use std::time::Duration;

use common::{query, TestResult, World};
use huma_core::app::ClinicianApp;
use huma_core::secrets::{MemoryStore, Secret};
use huma_core::sync::{Connection, OutboxStatus};
use huma_core::ui_types::{DataSource, SessionInfo, SignInStep, TokenStorage};
use huma_core::ErrorCode;
use switch::Switch;

const SAM: &str = huma_sandbox::NO_MFA_EMAIL;

fn password() -> Secret {
    Secret::new(huma_sandbox::DEMO_PASSWORD)
}

async fn signed_in(step: SignInStep) -> TestResult<SessionInfo> {
    match step {
        SignInStep::SignedIn { session } => Ok(session),
        other => Err(format!("expected to be signed in, got {other:?}").into()),
    }
}

/// Every invitation the sandbox holds, newest first.
async fn invitations(world: &World) -> TestResult<Vec<serde_json::Value>> {
    let json: serde_json::Value =
        reqwest::get(format!("{}/sandbox/invitations", world.sandbox.base_url()))
            .await?
            .json()
            .await?;
    Ok(json["invitations"].as_array().cloned().unwrap_or_default())
}

fn sent_to<'a>(all: &'a [serde_json::Value], email: &str) -> Vec<&'a serde_json::Value> {
    all.iter().filter(|i| i["email"] == email).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clinician_who_signed_in_here_before_signs_in_offline_and_browses_the_cache() -> TestResult
{
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let online = world.app_at(&server.url());
    let wrong_online = online
        .sign_in(SAM, &Secret::new("not-the-password"))
        .await
        .err()
        .ok_or("a wrong password was accepted")?;
    signed_in(online.sign_in(SAM, &password()).await?).await?;
    let list = online.patient_lists().await?.remove(0).id;
    assert!(online.cache_list(&list).await? > 0);
    drop(online);

    server.down().await;
    let app = world.app_at(&server.url());
    // The saved session cannot be refreshed: the app asks for the password.
    assert!(app.resume_session().await.is_err());

    // A wrong password and an email never used here get one answer: the server's sentence, and
    // why only some clinicians can sign in now.
    let mut answers = Vec::new();
    for (email, pw) in [
        (SAM, Secret::new("not-the-password")),
        ("someone.else@example.com", password()),
    ] {
        answers.push(app.sign_in(email, &pw).await.err().ok_or("let in")?);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].code, wrong_online.code);
    assert!(answers[0].message.starts_with(&wrong_online.message));
    assert!(answers[0].message.contains("cannot be reached"));

    let session = signed_in(
        app.sign_in(" Sam.Okafor@demo.huma.local ", &password())
            .await?,
    )
    .await?;
    assert!(session.offline);
    assert_eq!(session.clinician.family_name, "Okafor");
    assert_eq!(app.patient_lists().await?.len(), 1);
    let page = app.search_patients(&query(&list, "")).await?;
    assert_eq!(page.source, DataSource::Cache);
    assert!(!page.patients.is_empty());
    // Still offline: nothing tried to hide that.
    assert!(app.session_info().await.ok_or("signed out")?.offline);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn invites_queued_offline_survive_a_restart_with_a_dead_keyring_and_go_out_once_back(
) -> TestResult {
    let world = World::with_secrets(Arc::new(MemoryStore::unavailable())).await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let first = world.app_at(&server.url());
    let session = signed_in(first.sign_in(SAM, &password()).await?).await?;
    assert_eq!(session.token_storage, TokenStorage::MemoryOnly);
    let list = first.patient_lists().await?.remove(0).id;

    server.down().await;
    let addresses = vec![
        "queued.one@example.com".to_owned(),
        "queued.two@example.com".to_owned(),
    ];
    let receipt = first.send_email_invites(&list, &addresses).await?;
    assert_eq!(receipt.queued, 2);
    drop(first);

    // Restart: the keyring remembers nothing, the password opens the database.
    let app = world.app_at(&server.url());
    assert_eq!(app.resume_session().await?, None);
    let offline = signed_in(app.sign_in(SAM, &password()).await?).await?;
    assert!(offline.offline);
    // Kept to sign in to the server once it answers.
    assert!(app.has_password_in_memory().await);
    assert_eq!(app.outbox_status().await?.waiting, 2);

    server.up().await?;
    tokio::spawn(app.clone().run_sync());
    app.sync_now();
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(20))
        .await?;
    assert_eq!((outcome.sent, outcome.queued), (2, 0), "{outcome:?}");
    assert!(!app.session_info().await.ok_or("signed out")?.offline);
    assert!(!app.has_password_in_memory().await);

    let all = invitations(&world).await?;
    for address in &addresses {
        let sent = sent_to(&all, address);
        assert_eq!(sent.len(), 1, "{address}: {sent:?}");
        assert_eq!(sent[0]["senderId"], session.clinician.id.as_str());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_account_with_sms_codes_waits_for_the_clinician_when_the_server_is_back() -> TestResult {
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let demo = world.sandbox.demo();
    let online = world.app_at(&server.url());
    world.sign_in_demo(&online).await?;
    let list = online.patient_lists().await?.remove(0).id;
    drop(online);

    server.down().await;
    let app = world.app_at(&server.url());
    let session = signed_in(
        app.sign_in(&demo.email, &Secret::new(demo.password.clone()))
            .await?,
    )
    .await?;
    assert!(session.offline);
    let receipt = app
        .send_email_invites(&list, &["waits.for.code@example.com".to_owned()])
        .await?;
    let codes_before = world.messages().await?.len();

    server.up().await?;
    tokio::spawn(app.clone().run_sync());
    app.sync_now();
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(3))
        .await?;
    assert_eq!(outcome.queued, 1, "{outcome:?}");
    assert!(app.sign_in_required().await);
    // No SMS code was sent behind the clinician's back, and nothing went out.
    assert_eq!(world.messages().await?.len(), codes_before);
    assert!(sent_to(&invitations(&world).await?, "waits.for.code@example.com").is_empty());

    // The clinician signs in (with the code): the queue goes out with their token.
    world.sign_in_demo(&app).await?;
    assert!(!app.sign_in_required().await);
    app.sync_now();
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(20))
        .await?;
    assert_eq!(outcome.sent, 1, "{outcome:?}");
    let all = invitations(&world).await?;
    let sent = sent_to(&all, "waits.for.code@example.com");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["senderId"], session.clinician.id.as_str());
    Ok(())
}

/// Waits until the outbox indicator shows what `wanted` looks for.
async fn indicator_shows(
    app: &ClinicianApp,
    wanted: impl Fn(&OutboxStatus) -> bool,
) -> TestResult<OutboxStatus> {
    let mut changes = app.subscribe_outbox();
    let found = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let status = app.outbox_status().await?;
            if wanted(&status) {
                return Ok::<_, huma_core::AppError>(status);
            }
            let _ = tokio::time::timeout(Duration::from_millis(200), changes.changed()).await;
        }
    })
    .await;
    match found {
        Ok(status) => Ok(status?),
        Err(_) => Err(format!(
            "the indicator never got there: {:?}",
            app.outbox_status().await?
        )
        .into()),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn with_nothing_to_send_the_indicator_still_follows_the_server_going_and_coming_back(
) -> TestResult {
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let app = world.app_at(&server.url());
    signed_in(app.sign_in(SAM, &password()).await?).await?;
    let list = app.patient_lists().await?.remove(0).id;
    tokio::spawn(app.clone().run_sync());

    // Signed in, nothing waiting: in sync, not "Not synced yet".
    let status = indicator_shows(&app, |s| s.last_synced_at.is_some()).await?;
    assert_eq!((status.connection, status.waiting), (Connection::Online, 0));

    server.down().await;
    let refused = app.search_patients(&query(&list, "")).await.err();
    assert_eq!(
        refused.ok_or("no server, no cache")?.code,
        ErrorCode::Offline
    );
    indicator_shows(&app, |s| s.connection == Connection::Offline).await?;

    // Back, and the clinician does nothing: the sync task asks the server itself.
    server.up().await?;
    app.sync_now();
    indicator_shows(&app, |s| s.connection == Connection::Online).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lock_screen_checks_the_password_on_this_computer_and_gives_up_after_five() -> TestResult
{
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let app: Arc<ClinicianApp> = world.app_at(&server.url());
    signed_in(app.sign_in(SAM, &password()).await?).await?;
    let list = app.patient_lists().await?.remove(0).id;
    let receipt = {
        server.down().await;
        app.send_email_invites(&list, &["kept.after.lockout@example.com".to_owned()])
            .await?
    };

    // No network needed.
    let err = app
        .unlock(&Secret::new("wrong"))
        .await
        .err()
        .ok_or("unlocked")?;
    assert_eq!(err.code, ErrorCode::BadCredentials);
    app.unlock(&password()).await?;
    for attempt in 1..=5 {
        let err = app
            .unlock(&Secret::new("wrong"))
            .await
            .err()
            .ok_or("unlocked")?;
        let expected = if attempt < 5 {
            ErrorCode::BadCredentials
        } else {
            ErrorCode::TooManyAttempts
        };
        assert_eq!(err.code, expected, "attempt {attempt}");
        // From the third, each try waits (30 s, then 1 min).
        world.clock.advance(chrono::Duration::minutes(1));
    }
    let err = app.patient_lists().await.err().ok_or("still signed in")?;
    assert_eq!(err.code, ErrorCode::NotSignedIn);

    // The queued invite was kept for the next sign-in (after the fifth wrong password's wait).
    world.clock.advance(chrono::Duration::minutes(2));
    signed_in(app.sign_in(SAM, &password()).await?).await?;
    assert_eq!(app.outbox_status().await?.waiting, 1);
    let _ = receipt;
    Ok(())
}
