//! The installed .deb under IT policy: `scripts/deb_smoke.sh` builds the package, installs it,
//! writes `/etc/huma-clinician/policy.json` pointing at a sandbox it started on loopback, and runs this
//! test against `/usr/bin/huma-clinician`. The app must show the sign-in screen for that server, no
//! demo sandbox, the policy's idle-lock minutes, the refused value in words, the server setting as
//! managed, keep the account database in the policy's data folder, and take nothing from the
//! environment (the installed identity).
//!
//! Without the script's environment there is no installed app to test, so that test says so and
//! passes. The second test runs in the ordinary suite against the debug build, whose policy file can
//! be named by `HUMA_CLINICIAN_POLICY_FILE`.

use std::path::{Path, PathBuf};

use fantoccini::Locator;
use huma_e2e::{logs_in, AppSession, TestResult};

/// Set by scripts/deb_smoke.sh: the sandbox the policy names, and the policy's data folder.
const BACKEND_ENV: &str = "HUMA_E2E_DEB_BACKEND";
const DATA_DIR_ENV: &str = "HUMA_E2E_DEB_DATA_DIR";

/// Calls an app command from the page, as the UI does.
async fn invoke(app: &AppSession, command: &str) -> TestResult<serde_json::Value> {
    let script = "const done = arguments[arguments.length - 1];
        window.__TAURI_INTERNALS__.invoke(arguments[0])
            .then(value => done({ ok: value }), error => done({ error: String(error) }));";
    let answer = app
        .client
        .execute_async(script, vec![serde_json::json!(command)])
        .await?;
    match answer.get("ok") {
        Some(value) => Ok(value.clone()),
        None => Err(format!("{command} failed: {answer}").into()),
    }
}

fn files_named(dir: &Path, name: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_named(&path, name));
            } else if path.file_name().is_some_and(|n| n == name) {
                found.push(path);
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn installed_app_follows_the_machine_policy() -> TestResult {
    let Ok(backend) = std::env::var(BACKEND_ENV) else {
        eprintln!("not run: scripts/deb_smoke.sh runs this against the installed .deb");
        return Ok(());
    };
    let data_dir = PathBuf::from(std::env::var(DATA_DIR_ENV)?);
    let app = AppSession::launch(&[]).await?;

    // The sign-in screen, for the policy's server, without the demo sandbox.
    let heading = app.find(Locator::Css("h1#sign-in-title")).await?;
    assert_eq!(heading.text().await?, "Sign in");
    let body = app.body_text().await?;
    assert!(!body.contains("Demo sandbox"), "demo shown: {body}");
    assert!(!body.contains("Use demo account"), "demo shown: {body}");
    let notice = app
        .find(Locator::Css("[data-testid='policy-problems-notice']"))
        .await?
        .text()
        .await?;
    assert!(notice.contains("updateChecksAllowed"), "{notice}");
    app.screenshot("deb-01-sign-in-under-policy").await?;

    let info = invoke(&app, "app_info").await?;
    assert_eq!(info["backend"]["source"], "policy", "{info}");
    assert_eq!(
        info["backend"]["url"]
            .as_str()
            .map(|u| u.trim_end_matches('/')),
        Some(backend.as_str()),
        "{info}"
    );
    assert!(info["demo"].is_null(), "{info}");
    assert_eq!(info["idleLockMinutes"], 7, "{info}");
    let problems = info["policyProblems"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(problems.len(), 1, "{info}");
    assert!(
        problems[0]
            .as_str()
            .is_some_and(|p| p.contains("updateChecksAllowed")),
        "{info}"
    );

    let settings = invoke(&app, "settings").await?;
    let items = settings["items"].as_array().cloned().unwrap_or_default();
    let item = |key: &str| {
        items
            .iter()
            .find(|i| i["key"] == key)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(item("backendUrl")["source"], "policy", "{settings}");
    assert_eq!(item("backendUrl")["editable"], false, "{settings}");
    assert_eq!(item("phoneRegion")["editable"], true, "{settings}");
    assert_eq!(item("sandboxAllowed")["value"], "false", "{settings}");
    assert_eq!(settings["problems"].as_array().map(Vec::len), Some(1));

    // Signing in reaches that server, and the account's database lands in the policy's folder.
    let code = app.sign_in_on(&backend).await?;
    app.screenshot("deb-02-signed-in-under-policy").await?;
    let databases = files_named(&data_dir.join("accounts"), "clinician.db");
    assert_eq!(
        databases.len(),
        1,
        "no database under {}",
        data_dir.display()
    );

    // The policy's log level (debug) applies: the settings summary is a debug line.
    let logs = app.logs();
    assert!(logs.contains("settings resolved"), "{logs}");
    assert!(!logs.contains(&code), "the SMS code reached the log");
    // The installed app's identity: its own folder in the user's data dir, never the folder the
    // environment names (only builds with the demo sandbox take overrides from it).
    let own = logs_in(&app.home.path().join(".local/share/com.huma.clinician"));
    assert!(
        own.contains("settings resolved"),
        "no log in the app's own folder"
    );
    assert_eq!(
        logs_in(&app.data_dir()),
        "",
        "HUMA_CLINICIAN_DATA_DIR was taken"
    );
    app.close().await
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_without_a_server_and_no_sandbox_says_it_is_not_configured() -> TestResult {
    if std::env::var_os(BACKEND_ENV).is_some() {
        return Ok(()); // the installed build ignores HUMA_CLINICIAN_POLICY_FILE
    }
    let dir = tempfile::tempdir()?;
    let policy = dir.path().join("policy.json");
    std::fs::write(
        &policy,
        r#"{"sandboxAllowed": false, "idleLockMinutes": "soon", "backendUrl": "http://huma.example.org"}"#,
    )?;
    let policy = policy.to_string_lossy().into_owned();
    let app = AppSession::launch(&[("HUMA_CLINICIAN_POLICY_FILE", policy.as_str())]).await?;
    app.wait_for_text("No server is configured").await?;
    let body = app.body_text().await?;
    assert!(!body.contains("Demo sandbox"), "{body}");
    let notice = app
        .find(Locator::Css("[data-testid='policy-problems-notice']"))
        .await?
        .text()
        .await?;
    assert!(notice.contains("idleLockMinutes"), "{notice}");
    assert!(
        notice.contains("https://"),
        "the refused plain-http address: {notice}"
    );
    let info = invoke(&app, "app_info").await?;
    assert_eq!(
        info["idleLockMinutes"], 15,
        "the invalid value is ignored: {info}"
    );
    app.screenshot("policy-not-configured").await?;
    app.close().await
}
