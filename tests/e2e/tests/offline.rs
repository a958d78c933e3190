//! An offline clinic in the real app: with the Huma server unreachable, three invites are queued,
//! the app is quit and started again, the clinician signs in offline with their password, and when
//! the server comes back every invite reaches it exactly once, the indicator returns to zero and a
//! desktop notification says "3 queued invites were sent".
//!
//! The server is a sandbox in this test process, on a database file, so it can be stopped and
//! brought back on the same port with its state (the app only knows the address).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use huma_e2e::{AppSession, NotificationWatch, TestResult};
use huma_sandbox::{Sandbox, SandboxConfig, DEMO_PASSWORD, NO_MFA_EMAIL};

/// The clinician without a second factor, so the app can sign in again on its own when the
/// server is back (with the password it holds in memory).
const CLINICIAN: &str = "Sam Okafor";

const SMS_TO: &str = "+447700900871";
const EMAILS_TO: [&str; 2] = ["offline.one@example.com", "offline.two@example.com"];

#[tokio::test(flavor = "multi_thread")]
async fn invites_queued_offline_survive_a_restart_and_go_out_once() -> TestResult {
    let server_dir = tempfile::tempdir()?;
    let db = server_dir.path().join("sandbox.sqlite3");
    let sandbox = Sandbox::start(SandboxConfig {
        db_path: Some(db.clone()),
        patients: 120,
        ..SandboxConfig::default()
    })
    .await?;
    let port = sandbox.port();
    let base = sandbox.base_url();
    let env = [("HUMA_CLINICIAN_BACKEND_URL", base.as_str())];

    // Online once: this computer learns the clinician (their wrapped database key) and the lists.
    let app = AppSession::launch(&env).await?;
    sign_in(&app).await?;
    expect(
        &app,
        "[data-testid='connection-state'][data-connection='online']",
    )
    .await?;
    app.screenshot("20-online").await?;

    // The clinic loses its network.
    sandbox.shutdown().await;
    queue_sms_invite(&app).await?;
    queue_email_invites(&app).await?;
    wait_for_waiting(&app, 3).await?;
    expect(
        &app,
        "[data-testid='connection-state'][data-connection='offline']",
    )
    .await?;
    app.screenshot("21-three-queued-offline").await?;

    // Quit and start again, still offline: the password opens this computer's copy.
    let home = app.close_keeping_home().await?;
    let app = AppSession::launch_in(home, &env).await?;
    sign_in(&app).await?;
    expect(&app, "[data-testid='offline-session']").await?;
    wait_for_waiting(&app, 3).await?;
    app.screenshot("22-signed-in-offline").await?;

    // The network is back.
    let notifications = NotificationWatch::start().await?;
    let sandbox = Sandbox::start_at(port, &db).await?;
    app.click_button("Sync now").await?;
    wait_for_waiting(&app, 0).await?;
    expect(
        &app,
        "[data-testid='connection-state'][data-connection='online']",
    )
    .await?;
    // The clinician, maybe in another window by now, is told by the desktop.
    let told = notifications
        .wait_for("queued invites were sent", Duration::from_secs(15))
        .await?;
    assert_eq!(
        (told.summary.as_str(), told.body.as_str()),
        ("Huma Clinician", "3 queued invites were sent")
    );
    // The patient list on screen was this computer's copy: it is the server's again.
    app.wait_gone("[data-testid='offline-notice']").await?;
    app.screenshot("23-all-sent").await?;

    let counts = invitations_by_recipient(&base).await?;
    for recipient in [SMS_TO, EMAILS_TO[0], EMAILS_TO[1]] {
        assert_eq!(
            counts.get(recipient),
            Some(&1),
            "{recipient} should have exactly one invitation; the server has {counts:?}"
        );
    }

    let logs = app.logs();
    for secret in [
        SMS_TO,
        EMAILS_TO[0],
        EMAILS_TO[1],
        NO_MFA_EMAIL,
        DEMO_PASSWORD,
    ] {
        assert!(!logs.contains(secret), "the app's log contains {secret}");
    }
    app.close().await?;
    sandbox.shutdown().await;
    Ok(())
}

async fn sign_in(app: &AppSession) -> TestResult {
    app.fill("Email", NO_MFA_EMAIL).await?;
    app.fill("Password", DEMO_PASSWORD).await?;
    app.click_button("Sign in").await?;
    app.wait_for_text(CLINICIAN).await
}

/// Waits for an element; on timeout, says which and what the page showed instead.
async fn expect(app: &AppSession, css: &str) -> TestResult {
    match app.find(Locator::Css(css)).await {
        Ok(_) => Ok(()),
        Err(e) => Err(format!(
            "{css} never appeared ({e}); the page shows:\n{}",
            app.body_text().await?
        )
        .into()),
    }
}

async fn queue_sms_invite(app: &AppSession) -> TestResult {
    app.menu_of(CLINICIAN, "SMS invite").await?;
    app.fill("First name", "Nora").await?;
    app.fill("Last name", "Quayle").await?;
    app.fill("Mobile number", "07700 900871").await?;
    app.click_button("Confirm").await?;
    app.wait_for_text("+44 7700 900871").await?;
    app.click_button("Send SMS invite").await?;
    app.wait_for_toast("when you're back online").await?;
    Ok(())
}

async fn queue_email_invites(app: &AppSession) -> TestResult {
    app.menu_of(CLINICIAN, "Email invite").await?;
    let field = app.by_label("Email addresses").await?;
    field
        .send_keys(&format!("{}, {}\u{E007}", EMAILS_TO[0], EMAILS_TO[1]))
        .await?;
    app.wait_for_text("2 recipients").await?;
    app.click_button("Send invites").await?;
    app.wait_for_toast("when you're back online").await?;
    Ok(())
}

/// Waits (up to 90 s: the sync task backs off while the server is away) for the indicator's count.
async fn wait_for_waiting(app: &AppSession, expected: u32) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let shown = app
            .client
            .execute(
                "return document.querySelector(\"[data-testid='outbox-indicator']\")?.dataset.waiting ?? null;",
                vec![],
            )
            .await?;
        if shown.as_str().and_then(|t| t.parse::<u32>().ok()) == Some(expected) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the indicator shows {shown:?} waiting, expected {expected}\n--- app log ---\n{}",
                app.logs()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// Every invitation the server holds (pending or not), counted by recipient.
async fn invitations_by_recipient(base: &str) -> TestResult<HashMap<String, u32>> {
    let json: serde_json::Value = reqwest::get(format!("{base}/sandbox/invitations"))
        .await?
        .json()
        .await?;
    let mut counts = HashMap::new();
    for invitation in json["invitations"].as_array().cloned().unwrap_or_default() {
        for field in ["phoneNumber", "email"] {
            if let Some(to) = invitation[field].as_str() {
                *counts.entry(to.to_owned()).or_insert(0) += 1;
            }
        }
    }
    Ok(counts)
}
