//! The store at open: a damaged database is set aside (never deleted) with a clear error, and a data
//! folder that cannot be written is reported as such, with nothing half-written.

mod common;

use common::{TestResult, World};
use huma_core::secrets::Secret;
use huma_core::ErrorCode;

/// Overwrites part of the file's last page (SQLCipher authenticates each page).
fn damage_last_page(path: &std::path::Path) -> TestResult {
    let mut bytes = std::fs::read(path)?;
    let len = bytes.len();
    assert!(len > 8192, "database too small to damage: {len}");
    for b in &mut bytes[len - 3000..len - 2000] {
        *b ^= 0x5a;
    }
    std::fs::write(path, bytes)?;
    Ok(())
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

    let folder = std::fs::read_dir(world.data.path().join("accounts"))?
        .flatten()
        .find(|e| e.path().is_dir())
        .ok_or("no account folder")?
        .path();
    damage_last_page(&folder.join("clinician.db"))?;

    let err = app
        .sign_in(huma_sandbox::NO_MFA_EMAIL, &password)
        .await
        .err()
        .ok_or("signed in on a damaged database")?;
    assert_eq!(err.code, ErrorCode::Storage);
    assert!(err.message.contains("integrity check"), "{}", err.message);
    assert!(err.message.contains("set aside"), "{}", err.message);
    assert_eq!(app.session_info().await, None, "half signed in");
    let names: Vec<String> = std::fs::read_dir(&folder)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.starts_with("clinician.db.damaged-")),
        "{names:?}"
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
