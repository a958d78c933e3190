//! An accessibility scan (axe-core, WCAG 2.1 A and AA) of each screen of the real app: sign-in, the
//! SMS code, the patient list, the SMS invite (with a field error, its confirmation, the notice that
//! it went out, the patient's sign-up code), the email invite (with an invalid address), pending invites, the Outbox, Settings,
//! Contact support and About. Reports go to target/e2e/axe-<screen>.json.

use fantoccini::Locator;
use huma_e2e::{AppSession, TestResult};

#[tokio::test(flavor = "multi_thread")]
async fn every_screen_passes_an_accessibility_scan() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    app.wait_for_text("Demo sandbox").await?;

    // The scan itself works: a button without a name planted in the page is reported, and only it.
    app.client
        .execute(
            "const b = document.createElement('button'); b.id = 'planted'; document.body.append(b);",
            vec![],
        )
        .await?;
    let found = app.axe_violations("planted-problem").await?;
    assert_eq!(
        found.iter().map(|v| v.id.as_str()).collect::<Vec<_>>(),
        ["button-name"],
        "{found:?}"
    );
    assert_eq!(found[0].targets, ["#planted"]);
    app.client
        .execute("document.getElementById('planted').remove();", vec![])
        .await?;

    app.click_button("Use demo account").await?;
    app.assert_accessible("sign-in").await?;
    app.click_button("Sign in").await?;
    app.wait_for_text("Verification code").await?;
    app.assert_accessible("verification-code").await?;
    app.close().await?;

    let app = AppSession::launch(&[]).await?;
    app.sign_in_as_demo().await?;
    app.wait_for_text("patients").await?;
    app.assert_accessible("patient-list").await?;

    app.menu("SMS invite").await?;
    app.fill("First name", "Ruth").await?;
    app.fill("Last name", "Ellison").await?;
    app.fill("Mobile number", "12").await?;
    app.click_button("Confirm").await?;
    app.wait_for_text("mobile number").await?;
    app.assert_accessible("sms-invite-with-error").await?;
    app.fill("Mobile number", "07700 900456").await?;
    app.click_button("Confirm").await?;
    app.wait_for_text("+44 7700 900456").await?;
    app.assert_accessible("sms-confirmation").await?;
    app.click_in_dialog("Send SMS invite").await?;
    app.wait_for_toast("Invite SMS sent").await?;
    app.assert_accessible("sms-sent").await?;
    app.click_button("Show sign-up code").await?;
    app.find(Locator::Css("[data-testid='sign-up-code']"))
        .await?;
    app.assert_accessible("sign-up-code").await?;
    app.click_in_dialog("Done").await?;

    app.menu("Email invite").await?;
    app.by_label("Email addresses")
        .await?
        .send_keys("ann.a11y@example.com, not-an-address\u{E007}")
        .await?;
    app.wait_for_text("1 invalid address").await?;
    app.assert_accessible("email-invite-with-invalid-address")
        .await?;
    app.click_in_dialog("Cancel").await?;

    app.show_tab("pending").await?;
    app.find(Locator::Css("[data-testid='pending-row']"))
        .await?;
    app.assert_accessible("pending-invites").await?;

    for (item, screen) in [
        ("Outbox", "outbox"),
        ("Settings", "settings"),
        ("Contact support", "contact-support"),
        ("About Huma Clinician", "about"),
    ] {
        app.menu(item).await?;
        app.find(Locator::Css("dialog[open]")).await?;
        app.assert_accessible(screen).await?;
        app.click_in_dialog("Close").await?;
    }
    app.close().await
}
