//! Considerate sending hours in the real app: the app keeps the embedded sandbox's time, which the
//! test moves to 22:00 in London. An SMS invite sent then waits, the notice and the Outbox say
//! "Will send tomorrow at 08:00", nothing reaches the sandbox, and the notice's "Send now" sends it
//! at once, exactly once. (Delivery when the hours open is tested in the core against the sandbox.)

use chrono::{DateTime, TimeZone, Timelike, Utc};
use fantoccini::Locator;
use huma_e2e::{advance_sandbox_clock, sandbox_messages, wait_for_message, AppSession, TestResult};

const PHONE: &str = "+447700900555";
const PHONE_SHOWN: &str = "+44 7700 900555";

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

/// Seconds from `now` to the next 22:00 in London.
fn until_ten_pm(now: DateTime<Utc>) -> TestResult<i64> {
    let london = chrono_tz::Europe::London;
    let local = now.with_timezone(&london);
    let mut date = local.date_naive();
    if local.hour() >= 22 {
        date = date.succ_opt().ok_or("no next day")?;
    }
    let target = london
        .from_local_datetime(&date.and_hms_opt(22, 0, 0).ok_or("no 22:00")?)
        .earliest()
        .ok_or("22:00 does not exist")?;
    Ok((target.with_timezone(&Utc) - now).num_seconds() + 1)
}

async fn invitations_to(messages_url: &str, phone: &str) -> TestResult<usize> {
    Ok(sandbox_messages(messages_url)
        .await?
        .iter()
        .filter(|m| m["kind"] == "INVITATION" && m["to"] == phone)
        .count())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_sms_sent_at_ten_pm_waits_and_send_now_sends_it_once() -> TestResult {
    // The clinic's hours, every day so the test reads the same on any day, saved as the Settings
    // dialog saves them.
    let home = tempfile::tempdir()?;
    std::fs::create_dir_all(home.path().join("data"))?;
    std::fs::write(
        home.path().join("data/preferences.json"),
        r#"{"sendingHours": "Mon-Sun 08:00-20:00", "sendingTimeZone": "Europe/London"}"#,
    )?;
    let app = AppSession::launch_in(home, &[]).await?;
    app.wait_for_text("Demo sandbox").await?;
    let info = invoke(&app, "app_info").await?;
    let messages_url = info["sandboxMessagesUrl"]
        .as_str()
        .ok_or("no sandbox message log")?
        .to_owned();
    let now: DateTime<Utc> = advance_sandbox_clock(&messages_url, 0).await?.parse()?;
    let wait = u64::try_from(until_ten_pm(now)?)?;
    advance_sandbox_clock(&messages_url, wait).await?;
    app.sign_in_as_demo().await?;

    app.menu("SMS invite").await?;
    app.fill("First name", "Ruth").await?;
    app.fill("Last name", "Ellison").await?;
    app.fill("Mobile number", "07700 900555").await?;
    app.click_button("Confirm").await?;
    app.wait_for_text(PHONE_SHOWN).await?;
    app.click_button("Send SMS invite").await?;
    app.wait_for_toast(&format!(
        "Invite SMS to {PHONE_SHOWN} waits for sending hours. Will send tomorrow at 08:00"
    ))
    .await?;
    app.screenshot("sending-hours-01-held").await?;
    assert_eq!(invitations_to(&messages_url, PHONE).await?, 0);

    app.menu("Outbox").await?;
    let will_send = app
        .find(Locator::Css("[data-testid='outbox-entry-will-send']"))
        .await?;
    assert_eq!(
        will_send.text().await?.trim(),
        "Will send tomorrow at 08:00"
    );
    // On screen, not clipped away by the table's scrolling box.
    let seen = app
        .client
        .execute(
            "const e = document.querySelector(\"[data-testid='outbox-entry-will-send']\");
             const r = e.getBoundingClientRect();
             const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
             return r.height > 0 && hit !== null && e.contains(hit);",
            vec![],
        )
        .await?;
    assert_eq!(seen, serde_json::json!(true), "the Outbox hides its rows");
    app.screenshot("sending-hours-02-outbox").await?;
    app.click_in_dialog("Close").await?;
    assert_eq!(invitations_to(&messages_url, PHONE).await?, 0);

    app.find(Locator::XPath(
        "//*[@data-testid='toast-item']//button[normalize-space(.)='Send now']",
    ))
    .await?
    .click()
    .await?;
    wait_for_message(&messages_url, "INVITATION", PHONE).await?;
    app.wait_for_toast(&format!("Invite SMS sent to {PHONE_SHOWN}"))
        .await?;
    app.screenshot("sending-hours-03-sent-now").await?;
    assert_eq!(invitations_to(&messages_url, PHONE).await?, 1);
    app.close().await
}
