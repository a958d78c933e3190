//! The store at open: a damaged database is set aside (never deleted) with a clear error; a data
//! folder that cannot be written is reported as such, with nothing half-written; a database another
//! program holds is reported as held, never set aside, and opens once it is let go.

use crate::common;

use common::{TestResult, World};
use huma_core::clock::Clock;
use huma_core::secrets::Secret;
use huma_core::ErrorCode;

/// Overwrites part of every page in the second half of the file (SQLCipher authenticates each
/// page): where the cached patients are, away from the schema's pages, which are read at open to
/// prove the key (a damaged one reads as a wrong key). Every page, as any one may be free and
/// never read by the integrity check.
fn damage_the_second_half(path: &std::path::Path) -> TestResult {
    const PAGE: usize = 4096;
    let mut bytes = std::fs::read(path)?;
    let pages = bytes.len() / PAGE;
    assert!(
        pages >= 8,
        "database too small to damage: {} bytes",
        bytes.len()
    );
    for page in bytes.chunks_mut(PAGE).skip(pages / 2) {
        for b in page.iter_mut().skip(100).take(200) {
            *b ^= 0x5a;
        }
    }
    std::fs::write(path, bytes)?;
    Ok(())
}

/// The folder of the one account signed in so far.
fn account_folder(world: &World) -> TestResult<std::path::PathBuf> {
    Ok(std::fs::read_dir(world.data.path().join("accounts"))?
        .flatten()
        .find(|e| e.path().is_dir())
        .ok_or("no account folder")?
        .path())
}

/// The names in `folder`, sorted.
fn file_names(folder: &std::path::Path) -> TestResult<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(folder)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_sets_a_damaged_database_aside_and_says_so_then_starts_afresh() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    let password = Secret::new(huma_sandbox::DEMO_PASSWORD);
    app.sign_in(huma_sandbox::NO_MFA_EMAIL, &password).await?;
    let list = app.patient_lists().await?.remove(0).id;
    app.cache_list(&list).await?;
    app.sign_out().await?;
    // Weeks later by the app's clock, which names the copy set aside.
    world.advance(40 * 24 * 60).await?;

    let folder = account_folder(&world)?;
    damage_the_second_half(&folder.join("clinician.db"))?;

    let err = app
        .sign_in(huma_sandbox::NO_MFA_EMAIL, &password)
        .await
        .err()
        .ok_or("signed in on a damaged database")?;
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(err.message.contains("integrity check"), "{}", err.message);
    assert!(err.message.contains("set aside"), "{}", err.message);
    assert_eq!(app.session_info().await, None, "half signed in");
    let names = file_names(&folder)?;
    let set_aside = format!(
        "clinician.db.damaged-{}",
        world.clock.now().format("%Y%m%d")
    );
    assert!(
        names.iter().any(|n| n.starts_with(&set_aside)),
        "no {set_aside}…: {names:?}"
    );

    // The next sign-in starts with a fresh copy.
    app.sign_in(huma_sandbox::NO_MFA_EMAIL, &password).await?;
    assert!(!app.patient_lists().await?.is_empty());
    Ok(())
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread")]
async fn a_data_folder_that_cannot_be_written_is_a_clear_error() -> TestResult {
    use std::sync::Arc;

    use huma_core::app::{AppSetup, ClinicianApp};
    use huma_core::config::Resolved;
    use huma_core::ui_types::ConfigSource;

    let world = World::new().await?;
    // Nobody, root included, may create folders here.
    let unwritable = std::path::PathBuf::from("/sys/fs/huma-clinician-test");
    let app = Arc::new(ClinicianApp::new(AppSetup {
        version: "test".into(),
        data_dir: unwritable.clone(),
        backend: Some(Resolved {
            value: world.sandbox.base_url().parse()?,
            source: ConfigSource::User,
        }),
        client_id: None,
        project_id: None,
        sign_up_link_base: None,
        demo: None,
        secrets: world.secrets.clone(),
        clock: world.clock.clone(),
    })?);
    let err = app
        .sign_in(
            huma_sandbox::NO_MFA_EMAIL,
            &Secret::new(huma_sandbox::DEMO_PASSWORD),
        )
        .await
        .err()
        .ok_or("signed in without a data folder")?;
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(
        err.message.contains("data folder cannot be written to"),
        "{}",
        err.message
    );
    assert_eq!(app.session_info().await, None);
    assert!(!unwritable.exists());
    Ok(())
}

/// What a backup, antivirus or file-sync tool does on Windows: another process opens the database
/// without sharing it. Unix has no such refusal (its locks are advisory); a second copy of the app
/// holding SQLite's lock is the store's unit test.
#[cfg(windows)]
#[tokio::test(flavor = "multi_thread")]
async fn a_database_another_program_holds_is_reported_then_opens_with_its_queue() -> TestResult {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let world = World::new().await?;
    let app = world.app();
    let list = world.sign_in_without_code(&app).await?;
    app.send_email_invites(&list, &["held.open@example.com".to_owned()])
        .await?;
    let queued = app.outbox_entries().await?;
    assert_eq!(queued.len(), 1);
    app.sign_out().await?;
    let folder = account_folder(&world)?;
    let names_before = file_names(&folder)?;

    let mut holder = Command::new(env!("CARGO_BIN_EXE_hold_file"))
        .arg(folder.join("clinician.db"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut said = String::new();
    std::io::BufReader::new(holder.stdout.take().ok_or("no stdout")?).read_line(&mut said)?;
    assert_eq!(said.trim(), "holding");

    let password = Secret::new(huma_sandbox::DEMO_PASSWORD);
    let err = app
        .sign_in(huma_sandbox::NO_MFA_EMAIL, &password)
        .await
        .err()
        .ok_or("signed in on a database another program holds")?;
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(
        err.message.starts_with("Another program is using"),
        "{}",
        err.message
    );
    assert_eq!(app.session_info().await, None, "half signed in");
    assert_eq!(
        file_names(&folder)?,
        names_before,
        "a file was set aside or added"
    );

    // Let go: the same database opens, its queued invite still there.
    drop(holder.stdin.take());
    assert!(holder.wait()?.success());
    app.sign_in(huma_sandbox::NO_MFA_EMAIL, &password).await?;
    assert_eq!(app.outbox_entries().await?, queued);
    Ok(())
}
