//! The walking skeleton, end to end in the real app: sign in to the embedded demo sandbox with the
//! SMS-code step, pick a patient list, search for a patient; the session survives a restart through
//! the OS keyring and sign-out forgets it. Screenshots of each screen go to target/e2e/.

use fantoccini::Locator;
use huma_e2e::{AppSession, TestResult, DEMO_CLINICIAN};

#[tokio::test(flavor = "multi_thread")]
async fn clinician_signs_in_picks_a_list_and_finds_a_patient() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    let (_, code) = app.sign_in_as_demo().await?;

    // Pick the second list, then search for the first patient shown there.
    let picker = app.by_label("Patient list").await?;
    let options = picker.find_all(Locator::Css("option")).await?;
    assert_eq!(options.len(), 3, "the demo clinician has three lists");
    let second = options[1].text().await?;
    picker.select_by_index(1).await?;
    app.wait_for_text("patients").await?;
    let name = app.patient_names().await?.remove(0);
    let family = name.split(',').next().unwrap_or_default().trim().to_owned();
    assert!(!family.is_empty(), "first row shows a name: {name:?}");
    app.screenshot("03-patient-list").await?;

    app.fill("Search patients", &family).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let names = app.patient_names().await?;
        if names.iter().all(|n| n.contains(&family)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "search for {family:?} in {second:?} never narrowed the table: {names:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    app.screenshot("04-search-result").await?;

    // Nothing personal or secret reached the log files.
    let logs = app.logs();
    assert!(!logs.is_empty(), "the app writes a log");
    for secret in [
        huma_sandbox::DEMO_PASSWORD,
        code.as_str(),
        family.as_str(),
        "amelia.hart@",
    ] {
        assert!(!logs.contains(secret), "the log contains {secret:?}");
    }
    app.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_password_is_explained_and_shows_in_the_support_diagnostics() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    app.wait_for_text("Demo sandbox").await?;
    app.click_button("Use demo account").await?;
    app.fill("Password", "not the password").await?;
    app.click_button("Sign in").await?;
    let alert = app.find(Locator::Css("[role='alert']")).await?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while alert.text().await?.trim().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        alert.text().await?.contains("password is not right"),
        "{}",
        alert.text().await?
    );
    app.screenshot("05-wrong-password").await?;

    // Support can see what went wrong (the error's code, never what was typed).
    app.sign_in_as_demo().await?;
    app.menu("Contact support").await?;
    let diagnostics = app
        .find(Locator::Id("support-diagnostics"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    assert!(
        diagnostics.contains("Last error: BadCredentials at "),
        "{diagnostics}"
    );
    assert!(!diagnostics.contains("not the password"), "{diagnostics}");
    app.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_session_survives_a_restart_and_sign_out_forgets_it() -> TestResult {
    let app = AppSession::launch(&[]).await?;
    app.sign_in_as_demo().await?;
    let home = app.close_keeping_home().await?;

    // Same computer, same keyring: the session is back, but locked until the clinician's password
    // (the idle lock holds across a restart), and no patient is shown before it.
    let app = AppSession::launch_in(home, &[]).await?;
    app.find(Locator::Css("[data-testid='lock-screen']"))
        .await?;
    assert!(
        app.client
            .find(Locator::Css("[role='table'][aria-label='Patients']"))
            .await
            .is_err(),
        "patients shown while locked"
    );
    app.screenshot("06-locked-after-restart").await?;
    app.fill("Password", huma_sandbox::DEMO_PASSWORD).await?;
    app.click_button("Unlock").await?;
    app.wait_for_text(DEMO_CLINICIAN).await?;
    app.click_button(DEMO_CLINICIAN).await?;
    app.find(Locator::XPath(
        "//*[@role='menuitem'][normalize-space(.)='Sign out']",
    ))
    .await?
    .click()
    .await?;
    app.wait_for_text("Use demo account").await?;
    let home = app.close_keeping_home().await?;

    // Signed out means signed out after a restart too.
    let app = AppSession::launch_in(home, &[]).await?;
    app.wait_for_text("Use demo account").await?;
    assert!(!app.body_text().await?.contains(DEMO_CLINICIAN));
    app.close().await
}
