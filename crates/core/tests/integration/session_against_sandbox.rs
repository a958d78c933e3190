//! Sign-in, session persistence and refresh, against the real sandbox on a loopback port.

use crate::common;

use std::sync::Arc;

use common::{TestResult, World};
use huma_core::secrets::{MemoryStore, Secret};
use huma_core::ui_types::{SignInStep, TokenStorage};
use huma_core::ErrorCode;
use huma_sandbox::{Quirks, SandboxConfig};

/// Huma's server lets the password sign-in through and refuses its tokens later (`100021`); some
/// servers refuse at sign-in (`100043`). The clinician sees the same two steps with either.
#[tokio::test]
async fn demo_clinician_signs_in_with_the_sms_code_whichever_way_the_server_asks_for_it(
) -> TestResult {
    for mfa_at_signin in [false, true] {
        let config = SandboxConfig {
            quirks: Quirks {
                mfa_at_signin,
                ..Quirks::default()
            },
            ..SandboxConfig::default()
        };
        let world = World::with_sandbox(config, Arc::new(MemoryStore::default())).await?;
        let app = world.app();
        let demo = world.sandbox.demo();
        let step = app
            .sign_in(&demo.email, &Secret::new(demo.password.clone()))
            .await?;
        let SignInStep::CodeRequired { masked_phone } = step else {
            panic!("expected the code step (mfa_at_signin: {mfa_at_signin}), got {step:?}");
        };
        let masked_phone = masked_phone.ok_or("no masked number")?;
        assert!(
            masked_phone.contains('*') && !masked_phone.contains("900123"),
            "{masked_phone}"
        );
        let session = app
            .submit_code(&Secret::new(world.latest_code().await?))
            .await?;
        assert_eq!(session.clinician.given_name, "Amelia");
        assert_eq!(session.clinician.family_name, "Hart");
        assert_eq!(session.token_storage, TokenStorage::Keyring);
        assert!(!app.patient_lists().await?.is_empty());
    }
    Ok(())
}

/// Older servers sent token lifetimes as floats: the session still refreshes on time.
#[tokio::test]
async fn float_lifetimes_are_read_and_the_session_refreshes_on_time() -> TestResult {
    let config = SandboxConfig {
        quirks: Quirks {
            float_lifetimes: true,
            ..Quirks::default()
        },
        ..SandboxConfig::default()
    };
    let world = World::with_sandbox(config, Arc::new(MemoryStore::default())).await?;
    let app = world.app();
    world.sign_in_demo(&app).await?;
    world.advance(14).await?;
    assert!(!app.patient_lists().await?.is_empty());
    world.advance(14).await?;
    assert!(!app.patient_lists().await?.is_empty());
    Ok(())
}

/// Huma's server stores `x-hu-locale` as the user's language: a whole session leaves a Welsh
/// speaker's language as it was.
#[tokio::test]
async fn a_session_leaves_the_clinicians_own_language_alone() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    app.sign_in(
        huma_sandbox::NO_MFA_EMAIL,
        &Secret::new(huma_sandbox::DEMO_PASSWORD),
    )
    .await?;
    let lists = app.patient_lists().await?;
    app.search_patients(&common::query(&lists[0].id, "a"))
        .await?;
    assert_eq!(stored_language(&world).await?, "cy");
    app.sign_out().await?;
    assert_eq!(stored_language(&world).await?, "cy");
    Ok(())
}

/// A saved session whose refresh token came from a password-only sign-in of an account that
/// needs the SMS code (`100021` from the server): the next start asks for a sign-in and forgets it.
#[tokio::test]
async fn a_saved_session_the_server_wants_the_code_for_is_forgotten_at_start() -> TestResult {
    let world = World::new().await?;
    let demo = world.sandbox.demo();
    let app = world.app();
    world.sign_in_demo(&app).await?;
    let uid = app
        .session_info()
        .await
        .ok_or("not signed in")?
        .clinician
        .id;
    let entry = format!(
        "session:{}",
        // The partition is the backend URL as the app parsed it (with its trailing slash).
        huma_core::store::accounts::account_name(&format!("{}/", world.sandbox.base_url()), &uid)
    );
    let saved = world.secrets.get(&entry)?.ok_or("no saved session")?;
    let mut saved: serde_json::Value = serde_json::from_str(saved.expose())?;
    let password_only = password_sign_in(&world, &demo.email).await?;
    saved["refreshToken"] = password_only["refreshToken"].clone();
    world
        .secrets
        .set(&entry, &Secret::new(serde_json::to_string(&saved)?))?;

    let err = world
        .app()
        .resume_session()
        .await
        .err()
        .ok_or("resumed a session the server refuses")?;
    assert_eq!(err.code, ErrorCode::SessionExpired);
    assert!(
        world.secrets.get(&entry)?.is_none(),
        "the dead session was kept"
    );
    Ok(())
}

/// Method 2 straight at the sandbox (no app): its tokens as JSON.
async fn password_sign_in(world: &World, email: &str) -> TestResult<serde_json::Value> {
    let http = reqwest::Client::builder().user_agent("test").build()?;
    Ok(http
        .post(format!("{}/api/auth/v1/signin", world.sandbox.base_url()))
        .json(&serde_json::json!({
            "method": 2, "email": email, "password": huma_sandbox::DEMO_PASSWORD,
            "projectId": huma_sandbox::PROJECT_ID, "clientId": huma_sandbox::CLIENT_ID,
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?)
}

/// The no-MFA clinician's language as the server has it, read without `x-hu-locale`.
async fn stored_language(world: &World) -> TestResult<String> {
    let http = reqwest::Client::builder().user_agent("test").build()?;
    let base = world.sandbox.base_url();
    let tokens = password_sign_in(world, huma_sandbox::NO_MFA_EMAIL).await?;
    let user: serde_json::Value = http
        .get(format!(
            "{base}/api/extensions/v1beta/user/{}",
            tokens["uid"].as_str().ok_or("no uid")?
        ))
        .bearer_auth(tokens["authToken"].as_str().ok_or("no token")?)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(user["language"].as_str().ok_or("no language")?.to_owned())
}

#[tokio::test]
async fn a_clinician_without_mfa_is_signed_in_at_once() -> TestResult {
    let world = World::new().await?;
    let step = world
        .app()
        .sign_in(
            huma_sandbox::NO_MFA_EMAIL,
            &Secret::new(huma_sandbox::DEMO_PASSWORD),
        )
        .await?;
    assert!(matches!(step, SignInStep::SignedIn { .. }), "{step:?}");
    Ok(())
}

#[tokio::test]
async fn wrong_password_and_wrong_code_say_so() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    let demo = world.sandbox.demo();
    let err = app
        .sign_in(&demo.email, &Secret::new("not-the-password"))
        .await
        .err()
        .ok_or("signed in with a wrong password")?;
    assert_eq!(err.code, ErrorCode::BadCredentials);
    app.sign_in(&demo.email, &Secret::new(demo.password.clone()))
        .await?;
    let real = world.latest_code().await?;
    let wrong = if real == "000000" { "111111" } else { "000000" };
    let err = app
        .submit_code(&Secret::new(wrong))
        .await
        .err()
        .ok_or("wrong code accepted")?;
    assert_eq!(err.code, ErrorCode::WrongCode);
    let err = app
        .submit_code(&Secret::new("12ab"))
        .await
        .err()
        .ok_or("junk accepted")?;
    assert_eq!(err.code, ErrorCode::WrongCode);
    // The right code still works after a wrong one.
    app.submit_code(&Secret::new(real)).await?;
    Ok(())
}

#[tokio::test]
async fn a_restart_resumes_the_session_from_the_keyring_and_sign_out_forgets_it() -> TestResult {
    let world = World::new().await?;
    world.sign_in_demo(&world.app()).await?;
    let restarted = world.app();
    let session = restarted
        .resume_session()
        .await?
        .ok_or("no session resumed")?;
    assert_eq!(session.clinician.family_name, "Hart");
    // Resumed locked (the idle lock is on by default): the password first.
    assert!(session.locked);
    restarted
        .unlock(&Secret::new(world.sandbox.demo().password.clone()))
        .await?;
    assert!(!restarted.patient_lists().await?.is_empty());
    restarted.sign_out().await?;
    assert_eq!(world.app().resume_session().await?, None);
    let err = restarted
        .patient_lists()
        .await
        .err()
        .ok_or("still signed in")?;
    assert_eq!(err.code, ErrorCode::NotSignedIn);
    Ok(())
}

/// The password typed at sign-in only wraps the database key: once signed in, it is no longer held
/// in memory (waiting for the SMS code, it must be).
#[tokio::test]
async fn the_password_is_not_kept_in_memory_once_signed_in() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    let demo = world.sandbox.demo();
    app.sign_in(&demo.email, &Secret::new(demo.password.clone()))
        .await?;
    assert!(app.has_password_in_memory().await);
    app.submit_code(&Secret::new(world.latest_code().await?))
        .await?;
    assert!(!app.has_password_in_memory().await);
    assert!(!app.patient_lists().await?.is_empty());
    app.sign_out().await?;

    app.sign_in(
        huma_sandbox::NO_MFA_EMAIL,
        &Secret::new(huma_sandbox::DEMO_PASSWORD),
    )
    .await?;
    assert!(!app.has_password_in_memory().await);
    // The lock screen needs no password in memory: it checks the wrapped key on disk.
    app.lock().await?;
    app.unlock(&Secret::new(huma_sandbox::DEMO_PASSWORD))
        .await?;
    Ok(())
}

#[tokio::test]
async fn the_access_token_is_refreshed_before_it_expires() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    world.sign_in_demo(&app).await?;
    // 14.5 minutes in: inside the refresh margin of the 15-minute access token.
    world.advance(14).await?;
    world.clock.advance(chrono::Duration::seconds(30));
    let lists = app.patient_lists().await?;
    assert_eq!(lists.len(), 3);
    // The refreshed tokens carry on for another stretch.
    world.advance(10).await?;
    assert_eq!(app.patient_lists().await?.len(), 3);
    Ok(())
}

#[tokio::test]
async fn after_fifteen_idle_minutes_a_2fa_session_asks_for_the_password_again() -> TestResult {
    let world = World::new().await?;
    let app = world.app();
    world.sign_in_demo(&app).await?;
    world.advance(16).await?;
    let err = app
        .patient_lists()
        .await
        .err()
        .ok_or("idle session still valid")?;
    assert_eq!(err.code, ErrorCode::SessionExpired);
    // The dead session is forgotten, so the next start shows the sign-in screen.
    assert_eq!(world.app().resume_session().await?, None);
    Ok(())
}

#[tokio::test]
async fn a_dead_keyring_remembers_no_sign_in_but_keeps_the_data_encrypted() -> TestResult {
    let world = World::with_secrets(Arc::new(MemoryStore::unavailable())).await?;
    let app = world.app();
    let step = app
        .sign_in(
            huma_sandbox::NO_MFA_EMAIL,
            &Secret::new(huma_sandbox::DEMO_PASSWORD),
        )
        .await?;
    let SignInStep::SignedIn { session } = step else {
        panic!("expected to be signed in");
    };
    assert_eq!(session.token_storage, TokenStorage::MemoryOnly);
    assert!(!app.patient_lists().await?.is_empty());
    // The database is on disk, its key only wrapped by the password: no plain key file anywhere.
    let accounts = world.data.path().join("accounts");
    let folder = std::fs::read_dir(&accounts)?
        .flatten()
        .find(|e| e.path().is_dir())
        .ok_or("no account folder")?
        .path();
    let wrapped = std::fs::read_to_string(folder.join("store.key"))?;
    assert!(wrapped.contains("argon2id"), "{wrapped}");
    let database = std::fs::read(folder.join("clinician.db"))?;
    assert!(!database.starts_with(b"SQLite format 3"));
    // A restart remembers no sign-in.
    assert_eq!(world.app().resume_session().await?, None);
    Ok(())
}

#[tokio::test]
async fn an_unreachable_server_lets_in_only_clinicians_who_signed_in_here_before() -> TestResult {
    let world = World::new().await?;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let app = world.app_at(&format!("http://{closed}"));
    let err = app
        .sign_in("a@example.com", &Secret::new("x"))
        .await
        .err()
        .ok_or("signed in to nothing")?;
    // The same answer as a wrong offline password (whether the email is known here stays secret),
    // saying why.
    assert_eq!(err.code, ErrorCode::BadCredentials);
    assert!(err.message.contains("cannot be reached"), "{}", err.message);
    Ok(())
}

#[tokio::test]
async fn a_server_answering_html_500_is_a_server_error() -> TestResult {
    let world = World::new().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let body = "<html><body><h1>500 Internal Server Error</h1></body></html>";
            let response = format!(
                "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    });
    let err = world
        .app_at(&format!("http://{addr}"))
        .sign_in("a@example.com", &Secret::new("x"))
        .await
        .err()
        .ok_or("signed in to a broken server")?;
    assert_eq!(err.code, ErrorCode::ServerError);
    assert!(err.message.contains("500"), "{}", err.message);
    Ok(())
}
