//! The patient in the room, in the real app on the embedded demo sandbox: invite by SMS, "Show
//! sign-up code" on the notice, read the QR code off the screen with zbar (as a phone's camera
//! would), see the code hide when the window loses focus, sign the patient up through the link on
//! the sandbox's page, and see them on the list as signed up.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::Locator;
use huma_e2e::{
    sandbox_base, screenshot_dir, sign_up_on_the_page, AppSession, Patient, TestResult,
};

const GIVEN: &str = "Morwenna";
const FAMILY: &str = "Quillfeather";
/// In Ofcom's drama range and no seeded patient's number (see `pending_lifecycle`).
const PHONE_TYPED: &str = "07700 900811";
const PHONE_SHOWN: &str = "+44 7700 900811";

/// What zbar reads off the screenshot `name` (taken by [`AppSession::screenshot`]).
fn qr_on_screen(name: &str) -> TestResult<String> {
    let path = screenshot_dir().join(format!("{name}.png"));
    let out = Command::new("zbarimg")
        .args(["--quiet", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(&path)
        .output()
        .map_err(|e| format!("zbarimg (Debian's zbar-tools) is needed: {e}"))?;
    if !out.status.success() {
        return Err(format!("no QR code on {}: {}", path.display(), out.status).into());
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// Another window on the display, given the keyboard focus: the app's window loses it.
struct OtherWindow(Child);

impl OtherWindow {
    async fn take_focus() -> TestResult<OtherWindow> {
        let child = Command::new("xmessage")
            .args([
                "-name",
                "other-window",
                "-geometry",
                "+900+10",
                "Another window",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("xmessage (x11-utils) is needed: {e}"))?;
        let other = OtherWindow(child);
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let focused = Command::new("xdotool")
                .args([
                    "search",
                    "--sync",
                    "--name",
                    "other-window",
                    "windowfocus",
                    "--sync",
                ])
                .status()?;
            if focused.success() {
                return Ok(other);
            }
        }
        Err("the other window could not take the focus".into())
    }
}

impl Drop for OtherWindow {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_patient_scans_the_code_on_screen_and_signs_up() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    let (messages_url, _) = app.sign_in_as_demo().await?;
    let base = sandbox_base(&messages_url);

    app.send_sms_invite(GIVEN, FAMILY, PHONE_TYPED, PHONE_SHOWN)
        .await?;
    app.click_button("Show sign-up code").await?;
    app.find(Locator::Css("[data-testid='sign-up-code']"))
        .await?;
    app.wait_for_text(&format!("Sign-up code for {GIVEN} {FAMILY}"))
        .await?;
    // The time it stays up comes from the core: two minutes.
    app.wait_for_text("Hides in 1:5").await?;
    app.screenshot("40-sign-up-code").await?;
    let link = qr_on_screen("40-sign-up-code")?;
    let personal = format!("{base}/sandbox/signup?shortenedCode=");
    assert!(link.starts_with(&personal), "the QR code holds {link}");

    // Someone else's window comes to the front: the code goes from the screen.
    {
        let _other = OtherWindow::take_focus().await?;
        app.wait_for_text("The code is hidden. The window lost focus.")
            .await?;
        app.wait_gone("[data-testid='sign-up-code']").await?;
        app.screenshot("41-sign-up-code-hidden").await?;
    }

    // The patient's phone follows the link: the sandbox's sign-up page, then the form.
    let page = reqwest::get(&link).await?;
    assert_eq!(page.status().as_u16(), 200);
    let form_url = page.url().to_string();
    let patient = Patient {
        given: GIVEN,
        family: FAMILY,
        date_of_birth: "1979-11-02",
    };
    let (status, answer) = sign_up_on_the_page(&form_url, &patient).await?;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("Your account is ready"), "{answer}");

    app.click_in_dialog("Done").await?;
    app.show_tab("patients").await?;
    app.fill("Search patients", FAMILY).await?;
    let badge = app
        .find(Locator::XPath(&format!(
            "//*[@role='row'][.//*[@role='cell'][normalize-space(.)='{FAMILY}, {GIVEN}']]\
             //*[@data-testid='invitation-state']"
        )))
        .await?;
    assert_eq!(badge.text().await?.trim(), "Signed up");
    app.screenshot("42-signed-up-with-the-code").await?;
    app.close().await
}
