//! Inviting patients in the real app against the demo sandbox: an SMS invite whose delivered text is
//! the confirmation screen's, an email invite to three typed addresses, and a CSV import through the
//! real GTK file chooser (driven with xdotool) — each ending in a notification on screen and the
//! invitations pending in the sandbox.

use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::Locator;
use huma_e2e::{sandbox_messages, workspace_root, AppSession, TestResult};

/// The sandbox's admin view of every invitation (`/sandbox/invitations`), beside the message log.
async fn sandbox_invitations(messages_url: &str) -> TestResult<Vec<serde_json::Value>> {
    let url = messages_url.replace("/sandbox/messages", "/sandbox/invitations");
    let json: serde_json::Value = reqwest::get(url).await?.json().await?;
    Ok(json["invitations"].as_array().cloned().unwrap_or_default())
}

fn pending_to(invitations: &[serde_json::Value], recipient: &str) -> bool {
    invitations.iter().any(|i| {
        i["state"] == "PENDING" && (i["email"] == recipient || i["phoneNumber"] == recipient)
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn sms_invite_delivers_exactly_the_confirmed_text() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    let (messages_url, _) = app.sign_in_as_demo().await?;

    app.menu("SMS invite").await?;
    app.fill("First name", "Ruth").await?;
    app.fill("Last name", "Ellison").await?;
    // A Jersey-style spelling of a UK mobile: +44, (0), spaces and dashes.
    app.fill("Mobile number", "+44 (0)7700-900 456").await?;
    app.click_button("Confirm").await?;
    app.wait_for_text("+44 7700 900456").await?;
    let confirmed = app.texts("[data-testid='sms-text']").await?.remove(0);
    assert!(confirmed.contains("Hi Ruth,"), "{confirmed}");
    app.screenshot("06-sms-confirmation").await?;

    app.click_button("Send SMS invite").await?;
    app.wait_for_toast("Invite SMS sent to +44 7700 900456")
        .await?;
    app.screenshot("07-sms-sent").await?;

    let sms = sandbox_messages(&messages_url)
        .await?
        .into_iter()
        .find(|m| m["kind"] == "INVITATION" && m["to"] == "+447700900456")
        .ok_or("the sandbox delivered no invitation SMS")?;
    let body = sms["body"].as_str().unwrap_or_default();
    let link = body.rsplit(' ').next().unwrap_or_default();
    assert_eq!(body, confirmed.replace("[sign-up link]", link));
    assert!(pending_to(
        &sandbox_invitations(&messages_url).await?,
        "+447700900456"
    ));
    app.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_welsh_sms_invite_is_delivered_as_its_confirmation_screen_shows() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    let (messages_url, _) = app.sign_in_as_demo().await?;

    app.menu("SMS invite").await?;
    app.fill("First name", "Siân").await?;
    app.fill("Last name", "Prys").await?;
    app.fill("Mobile number", "07700 900467").await?;
    app.find(Locator::Css("#sms-language"))
        .await?
        .select_by_value("cy")
        .await?;
    let hint = app
        .texts("[data-testid='sms-language-hint']")
        .await?
        .remove(0);
    assert!(
        hint.contains("Our Welsh text has not yet been checked by a native speaker."),
        "{hint}"
    );
    app.click_button("Confirm").await?;
    app.wait_for_text("+44 7700 900467").await?;
    let confirmed = app.texts("[data-testid='sms-text']").await?.remove(0);
    assert!(confirmed.starts_with("Helo Siân, mae "), "{confirmed}");
    let shown = app.texts("[data-testid='sms-segments']").await?.remove(0);
    app.screenshot("06b-welsh-sms-confirmation").await?;

    app.click_button("Send SMS invite").await?;
    app.wait_for_toast("Invite SMS sent to +44 7700 900467")
        .await?;

    let sms = sandbox_messages(&messages_url)
        .await?
        .into_iter()
        .find(|m| m["kind"] == "INVITATION" && m["to"] == "+447700900467")
        .ok_or("the sandbox delivered no invitation SMS")?;
    let body = sms["body"].as_str().unwrap_or_default();
    let link = body.rsplit(' ').next().unwrap_or_default();
    assert!(link.contains("/sandbox/signup/"), "{body}");
    assert_eq!(body, confirmed.replace("[sign-up link]", link));
    assert_eq!(sms["language"], "cy");
    // The count shown is the delivered message's: UCS-2 (â is not in GSM-7), so 70 UTF-16 units
    // in one part, else 67 a part.
    let units = body.encode_utf16().count();
    let parts = if units <= 70 { 1 } else { units.div_ceil(67) };
    assert!(parts > 1, "{units} UTF-16 units: {body}");
    assert_eq!(shown, format!("{parts} SMS · UCS-2"), "{body}");
    app.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn email_invite_to_three_typed_addresses() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    let (messages_url, _) = app.sign_in_as_demo().await?;

    app.menu("Email invite").await?;
    let field = app.by_label("Email addresses").await?;
    field
        .send_keys("ann.e2e@example.com, Bob E2E <bob.e2e@example.com>; cy.e2e@example.com\u{E007}")
        .await?;
    app.wait_for_text("3 recipients").await?;
    app.screenshot("08-email-chips").await?;
    app.click_button("Send invites").await?;
    app.wait_for_toast("3 invites sent").await?;
    app.screenshot("09-email-sent").await?;

    let invitations = sandbox_invitations(&messages_url).await?;
    for address in [
        "ann.e2e@example.com",
        "bob.e2e@example.com",
        "cy.e2e@example.com",
    ] {
        assert!(
            pending_to(&invitations, address),
            "{address} is not pending"
        );
    }
    app.close().await
}

/// Types a path into the GTK file chooser the app opened (its title names it), as a person would.
fn choose_file_in_gtk_dialog(title: &str, path: &std::path::Path) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(20);
    let window = loop {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", title])
            .output()?;
        let found = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .map(str::to_owned);
        if let Some(id) = found {
            break id;
        }
        if Instant::now() > deadline {
            return Err(format!("no file chooser titled {title:?} appeared").into());
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let xdotool = |args: &[&str]| -> TestResult {
        let status = Command::new("xdotool").args(args).status()?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("xdotool {args:?} failed").into())
        }
    };
    // Xvfb runs no window manager, so focus the chooser directly (no "activate"), then type into
    // its location bar as a person would.
    std::thread::sleep(Duration::from_millis(500));
    xdotool(&["windowfocus", "--sync", &window])?;
    xdotool(&["key", "ctrl+l"])?;
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&["type", "--delay", "10", &path.display().to_string()])?;
    std::thread::sleep(Duration::from_millis(300));
    xdotool(&["key", "Return"])?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_import_through_the_native_file_chooser() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    let (messages_url, _) = app.sign_in_as_demo().await?;
    let fixture = workspace_root().join("tests/fixtures/csv/mixed-valid-invalid.csv");

    app.menu("Email invite").await?;
    // The chooser is modal on the app's main thread, so the click only returns once it is closed:
    // start driving it first.
    let chooser = tokio::task::spawn_blocking(move || {
        choose_file_in_gtk_dialog("Import patients from a CSV file", &fixture)
    });
    app.click_button("Import CSV…").await?;
    chooser.await.map_err(|e| e.to_string())??;

    app.find(Locator::Css("[data-testid='csv-preview']"))
        .await?;
    let counts = app.texts("[data-testid='csv-counts']").await?.remove(0);
    assert!(
        counts.contains("ready") && counts.contains("rejected"),
        "{counts}"
    );
    let rejected = app.texts("[data-testid='csv-rejected'] tbody tr").await?;
    assert!(
        !rejected.is_empty(),
        "rejected rows are listed with their reasons"
    );
    app.screenshot("10-csv-preview").await?;

    let send = app
        .find(Locator::XPath(
            "//button[starts-with(normalize-space(.), 'Send ') and contains(., 'invite')]",
        ))
        .await?;
    send.click().await?;
    // The fixture's one mobile belongs to a seeded patient: the server refuses it, and the
    // notification names it with the reason; the email row goes out.
    let toast = app.wait_for_toast("1 of 2 invites sent").await?;
    app.screenshot("11-csv-sent").await?;
    assert!(
        toast.contains("+44 7700 900031") && toast.contains("Already signed up"),
        "{toast}"
    );
    let invitations = sandbox_invitations(&messages_url).await?;
    assert!(
        pending_to(&invitations, "uma@example.com"),
        "the imported email invite is pending"
    );
    app.close().await
}
