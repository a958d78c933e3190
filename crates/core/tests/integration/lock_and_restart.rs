//! The lock, sign-out and what a restart resumes, against the real sandbox (behind a relay that can
//! be switched off) with a real database file per account: locked means no patient data from any
//! command, also after quitting; wrong passwords stay counted and make the next try wait; the
//! keyring keeps a clinician's database key only while they may be resumed.

use crate::common;
use crate::switch;

use std::sync::Arc;

use chrono::Duration;
use common::{query, TestResult, World};
use huma_core::app::ClinicianApp;
use huma_core::secrets::Secret;
use huma_core::store::accounts::account_name;
use huma_core::ui_types::{SessionInfo, SignInStep, TokenStorage};
use huma_core::{AppError, ErrorCode};
use switch::Switch;

const SAM: &str = huma_sandbox::NO_MFA_EMAIL;

fn password() -> Secret {
    Secret::new(huma_sandbox::DEMO_PASSWORD)
}

fn wrong() -> Secret {
    Secret::new("not-the-password")
}

fn signed_in(step: SignInStep) -> TestResult<SessionInfo> {
    match step {
        SignInStep::SignedIn { session } => Ok(session),
        other => Err(format!("expected to be signed in, got {other:?}").into()),
    }
}

fn refused<T>(result: Result<T, AppError>) -> TestResult<AppError> {
    result.err().ok_or_else(|| "the app answered".into())
}

/// The keyring entries the app keeps for one clinician on `server`.
struct Entries {
    session: String,
    store_key: String,
}

fn entries(server: &Switch, session: &SessionInfo) -> Entries {
    // The partition is the backend URL as the app parsed it (with its trailing slash).
    let account = account_name(&format!("{}/", server.url()), &session.clinician.id);
    Entries {
        session: format!("session:{account}"),
        store_key: format!("store-key:{account}"),
    }
}

fn kept(world: &World, name: &str) -> TestResult<bool> {
    Ok(world.secrets.get(name)?.is_some())
}

/// Every command that shows or changes patient data answers `Locked`; the outbox counts still do.
async fn assert_no_patient_data(app: &Arc<ClinicianApp>, list: &str) -> TestResult {
    let mut codes = vec![
        ("patient_lists", refused(app.patient_lists().await)?.code),
        (
            "search_patients",
            refused(app.search_patients(&query(list, "")).await)?.code,
        ),
        (
            "invited_patients",
            refused(app.invited_patients(list, "").await)?.code,
        ),
        (
            "pending_invites",
            refused(app.pending_invites(list).await)?.code,
        ),
        (
            "pending_csv",
            refused(app.pending_csv(list, &[]).await)?.code,
        ),
        ("outbox_entries", refused(app.outbox_entries().await)?.code),
        ("discard_unsent", refused(app.discard_unsent().await)?.code),
        (
            "send_email_invites",
            refused(
                app.send_email_invites(list, &["locked.out@example.com".to_owned()])
                    .await,
            )?
            .code,
        ),
        (
            "check_email_invites",
            refused(
                app.check_email_invites(list, &["locked.out@example.com".to_owned()])
                    .await,
            )?
            .code,
        ),
        ("csv_rejects", refused(app.csv_rejects("any"))?.code),
    ];
    codes.retain(|(_, code)| *code != ErrorCode::Locked);
    assert!(codes.is_empty(), "answered while locked: {codes:?}");
    app.outbox_status().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_app_starts_locked_and_shows_no_patient_data_until_the_password() -> TestResult
{
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let first = world.app_at(&server.url());
    signed_in(first.sign_in(SAM, &password()).await?)?;
    let list = first.patient_lists().await?.remove(0).id;
    drop(first);

    // Quit without signing out, start again: the session resumes, locked.
    let app = world.app_at(&server.url());
    let session = app.resume_session().await?.ok_or("nothing resumed")?;
    assert!(session.locked);
    assert!(app.session_info().await.ok_or("signed out")?.locked);
    assert_no_patient_data(&app, &list).await?;

    assert_eq!(
        refused(app.unlock(&wrong()).await)?.code,
        ErrorCode::BadCredentials
    );
    assert_no_patient_data(&app, &list).await?;
    app.unlock(&password()).await?;
    assert!(!app.session_info().await.ok_or("signed out")?.locked);
    assert!(!app.patient_lists().await?.is_empty());

    // IT turned the idle lock off: nothing to unlock at start either.
    let never_locks = world.app_with(&server.url(), |app| app.with_managed_settings(0, vec![]));
    let session = never_locks
        .resume_session()
        .await?
        .ok_or("nothing resumed")?;
    assert!(!session.locked);
    assert!(!never_locks.patient_lists().await?.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn locked_the_app_refuses_patient_data_but_queued_invites_still_go_out() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    signed_in(app.sign_in(SAM, &password()).await?)?;
    let list = app.patient_lists().await?.remove(0).id;
    let receipt = app
        .send_email_invites(&list, &["sent.while.locked@example.com".to_owned()])
        .await?;

    app.lock().await?;
    assert_no_patient_data(&app, &list).await?;
    app.sync_pass().await?;
    assert_eq!(app.outbox_status().await?.waiting, 0);

    app.unlock(&password()).await?;
    let outcome = app
        .await_batch(&receipt.batch_id, std::time::Duration::from_secs(1))
        .await?;
    assert_eq!(outcome.sent, 1, "{outcome:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_passwords_on_the_lock_screen_count_across_restarts_and_the_fifth_signs_out(
) -> TestResult {
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let app = world.app_at(&server.url());
    let session = signed_in(app.sign_in(SAM, &password()).await?)?;
    let list = app.patient_lists().await?.remove(0).id;
    server.down().await;
    app.send_email_invites(&list, &["kept.after.lockout@example.com".to_owned()])
        .await?;
    app.lock().await?;
    for _ in 0..2 {
        let err = refused(app.unlock(&wrong()).await)?;
        assert_eq!(err.code, ErrorCode::BadCredentials);
        assert!(!err.message.contains("Wait"), "{}", err.message);
    }

    // Killed and started again: still locked, and the count goes on (no network needed).
    drop(app);
    server.up().await?;
    let app = world.app_at(&server.url());
    assert!(app.resume_session().await?.ok_or("nothing resumed")?.locked);
    server.down().await;
    let third = refused(app.unlock(&wrong()).await)?;
    assert_eq!(third.code, ErrorCode::BadCredentials);
    assert!(
        third
            .message
            .ends_with("Wait 30 seconds before you try again."),
        "{}",
        third.message
    );
    // Even the right password waits its turn.
    let waiting = refused(app.unlock(&password()).await)?;
    assert_eq!(waiting.code, ErrorCode::TooManyAttempts);
    assert!(
        waiting.message.contains("Wait 30 seconds"),
        "{}",
        waiting.message
    );

    world.clock.advance(Duration::seconds(30));
    let fourth = refused(app.unlock(&wrong()).await)?;
    assert!(
        fourth.message.contains("Wait 1 minute "),
        "{}",
        fourth.message
    );
    world.clock.advance(Duration::minutes(1));
    let fifth = refused(app.unlock(&wrong()).await)?;
    assert_eq!(fifth.code, ErrorCode::TooManyAttempts);
    assert!(fifth.message.contains("signed out"), "{}", fifth.message);
    assert_eq!(
        refused(app.patient_lists().await)?.code,
        ErrorCode::NotSignedIn
    );
    assert!(!kept(&world, &entries(&server, &session).session)?);

    // Offline, the password is checked here: the run of wrong ones still makes it wait.
    let err = refused(app.sign_in(SAM, &password()).await)?;
    assert_eq!(err.code, ErrorCode::TooManyAttempts);
    assert!(err.message.contains("Wait 2 minutes"), "{}", err.message);
    world.clock.advance(Duration::minutes(2));
    assert!(signed_in(app.sign_in(SAM, &password()).await?)?.offline);
    // The queued invite was kept for the next sign-in, and the run is over.
    assert_eq!(app.outbox_status().await?.waiting, 1);
    app.lock().await?;
    assert!(!refused(app.unlock(&wrong()).await)?
        .message
        .contains("Wait"));
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn offline_sign_in_waits_longer_after_each_wrong_password_and_a_restart_changes_nothing(
) -> TestResult {
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    signed_in(
        world
            .app_at(&server.url())
            .sign_in(SAM, &password())
            .await?,
    )?;
    server.down().await;

    // The same answers for an email with an account here and one without, wait included.
    let mut answers = Vec::new();
    for email in [SAM, "nobody.here@example.com"] {
        let app = world.app_at(&server.url());
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(refused(app.sign_in(email, &wrong()).await)?);
        }
        // Quitting does not reset it; the right password waits too.
        let app = world.app_at(&server.url());
        seen.push(refused(app.sign_in(email, &password()).await)?);
        answers.push(seen);
    }
    assert_eq!(answers[0], answers[1]);
    let known = &answers[0];
    assert_eq!(known[0].code, ErrorCode::BadCredentials);
    assert_eq!(known[1], known[0]);
    assert_eq!(known[2].code, ErrorCode::BadCredentials);
    assert_eq!(
        known[2].message,
        format!("{} Wait 30 seconds before you try again.", known[0].message)
    );
    assert_eq!(known[3].code, ErrorCode::TooManyAttempts);
    assert_eq!(
        known[3].message,
        "Too many wrong passwords. Wait 30 seconds before you try again."
    );

    world.clock.advance(Duration::seconds(30));
    let app = world.app_at(&server.url());
    assert!(signed_in(app.sign_in(SAM, &password()).await?)?.offline);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_out_takes_the_database_key_out_of_the_keyring_and_the_password_opens_it_again(
) -> TestResult {
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let app = world.app_at(&server.url());
    let session = signed_in(app.sign_in(SAM, &password()).await?)?;
    let names = entries(&server, &session);
    assert!(kept(&world, &names.store_key)? && kept(&world, &names.session)?);
    let list = app.patient_lists().await?.remove(0).id;
    server.down().await;
    app.send_email_invites(&list, &["waits.for.sam@example.com".to_owned()])
        .await?;

    app.sign_out().await?;
    assert!(!kept(&world, &names.store_key)?, "the database key stayed");
    assert!(!kept(&world, &names.session)?);
    assert_eq!(world.app_at(&server.url()).resume_session().await?, None);

    // The password-wrapped copy opens the same database, offline and online.
    assert!(signed_in(app.sign_in(SAM, &password()).await?)?.offline);
    assert_eq!(app.outbox_status().await?.waiting, 1);
    app.sign_out().await?;
    server.up().await?;
    signed_in(app.sign_in(SAM, &password()).await?)?;
    assert_eq!(app.outbox_status().await?.waiting, 1);
    assert!(kept(&world, &names.store_key)?);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restart_resumes_only_the_clinician_who_signed_in_last() -> TestResult {
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    // Amelia has signed in here before and signed out.
    let app = world.app_at(&server.url());
    world.sign_in_demo(&app).await?;
    app.sign_out().await?;
    // Sam signs in and closes the app without signing out.
    let sam = signed_in(app.sign_in(SAM, &password()).await?)?;
    drop(app);

    // The network is down at the next start: Sam's session cannot be resumed now, and Amelia
    // signs in offline.
    server.down().await;
    let app = world.app_at(&server.url());
    assert_eq!(
        refused(app.resume_session().await)?.code,
        ErrorCode::Offline
    );
    let demo = world.sandbox.demo();
    let amelia = signed_in(
        app.sign_in(&demo.email, &Secret::new(demo.password.clone()))
            .await?,
    )?;
    assert!(amelia.offline);
    // Sam is no longer the one to resume: nothing of theirs is left in the keyring.
    let sam_entries = entries(&server, &sam);
    assert!(!kept(&world, &sam_entries.session)?);
    assert!(!kept(&world, &sam_entries.store_key)?);
    drop(app);

    // Back online: the next start does not open Sam's session (Amelia has none saved).
    server.up().await?;
    let app = world.app_at(&server.url());
    assert_eq!(app.resume_session().await?, None);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn with_resuming_turned_off_by_policy_nothing_is_kept_for_a_restart() -> TestResult {
    let world = World::new().await?;
    let server = Switch::start(&world.sandbox.base_url()).await?;
    let no_resume = |app: ClinicianApp| app.with_session_resume_allowed(false);

    // Kept while the policy allowed it; forgotten at the first start after IT turned it off.
    let session = signed_in(
        world
            .app_at(&server.url())
            .sign_in(SAM, &password())
            .await?,
    )?;
    let names = entries(&server, &session);
    assert!(kept(&world, &names.session)?);
    let app = world.app_with(&server.url(), no_resume);
    assert_eq!(app.resume_session().await?, None);
    assert!(!kept(&world, &names.session)? && !kept(&world, &names.store_key)?);

    let session = signed_in(app.sign_in(SAM, &password()).await?)?;
    assert_eq!(session.token_storage, TokenStorage::NotKept);
    assert!(!app.patient_lists().await?.is_empty());
    assert!(!kept(&world, &names.session)? && !kept(&world, &names.store_key)?);
    drop(app);
    assert_eq!(
        world
            .app_with(&server.url(), no_resume)
            .resume_session()
            .await?,
        None
    );
    Ok(())
}
