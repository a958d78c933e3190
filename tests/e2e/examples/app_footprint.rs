//! Start-up time and memory of the release app, each beside a baseline measured in the same run
//! (docs/PERFORMANCE.md). Run by `scripts/app_footprint.sh`, which builds both programs, starts a
//! sandbox with a 100,000-patient list and points the app at it by machine policy.
//!
//! - Start-up: to the sign-in screen's heading found and the frame holding it drawn, timed from
//!   the program's own process start and from asking WebDriver for the session (which adds the
//!   driver's start), against the same for a bare Tauri window
//!   (`src-tauri/examples/minimal_window.rs`); the difference is what the app adds. Rounds
//!   alternate, each in a new HOME (a first start).
//! - Memory: PSS of the app and every process it started, on the sign-in screen (the baseline),
//!   then signed in with the 100,000-patient list open and copied for offline use, then after
//!   scrolling to its end.
//! - A day of use, compressed: rounds of what a busy clinician does in 5 minutes, driven as fast
//!   as the app answers; memory after the first 10 minutes' worth (the baseline, once the lists
//!   opened by then are copied for offline use), then after each hour's worth.
//!
//! Environment: `HUMA_E2E_APP` (the release app), `HUMA_FOOTPRINT_BASELINE` (the bare window),
//! `HUMA_FOOTPRINT_BACKEND` (the sandbox the policy names), `HUMA_FOOTPRINT_ROUNDS` (start-up
//! rounds, default 5; 0 skips it), `HUMA_FOOTPRINT_DAY_HOURS` (hours of use simulated, default 8,
//! at most 83: a round's new mobile number has three digits of its own).

#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::Locator;
use huma_e2e::footprint::{total_mib, ProcessMemory};
use huma_e2e::{app_binary, AppSession, TestResult};

/// How long the app is left alone before memory is read: timers, lazy loads and WebKit's own
/// start-up work settle.
const SETTLE: Duration = Duration::from_secs(5);

#[tokio::main]
async fn main() -> TestResult {
    let baseline = PathBuf::from(std::env::var("HUMA_FOOTPRINT_BASELINE")?);
    let backend = std::env::var("HUMA_FOOTPRINT_BACKEND")?;
    let rounds: usize = std::env::var("HUMA_FOOTPRINT_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let soak_hours: usize = std::env::var("HUMA_FOOTPRINT_DAY_HOURS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(8);
    start_up(&baseline, rounds).await?;
    memory(&backend, soak_hours).await
}

async fn start_up(baseline: &Path, rounds: usize) -> TestResult {
    if rounds == 0 {
        return Ok(());
    }
    let app = app_binary();
    // One start of each first, not counted: the files are read from disk once.
    time_to_paint(&app, "h1#sign-in-title").await?;
    time_to_paint(baseline, "h1#ready").await?;
    let (mut ours, mut bare) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        // Alternating which goes first spreads the machine's drift over both.
        if round.is_multiple_of(2) {
            ours.push(time_to_paint(&app, "h1#sign-in-title").await?);
            bare.push(time_to_paint(baseline, "h1#ready").await?);
        } else {
            bare.push(time_to_paint(baseline, "h1#ready").await?);
            ours.push(time_to_paint(&app, "h1#sign-in-title").await?);
        }
    }
    for (from, pick) in [
        (
            "asking WebDriver for a session",
            (|p: &Paint| p.from_request) as fn(&Paint) -> Duration,
        ),
        ("the program's process start", |p: &Paint| p.from_process),
    ] {
        let ours = median_ms(ours.iter().map(pick));
        let bare = median_ms(bare.iter().map(pick));
        println!(
            "start-up from {from}, median of {rounds}: sign-in screen painted {ours:.0} ms; bare \
             Tauri window painted {bare:.0} ms; the app adds {:.0} ms ({:.2}x the bare window)",
            ours - bare,
            ours / bare
        );
    }
    Ok(())
}

/// Times to `ready` found and a frame drawn after it: from asking WebDriver for the session, and
/// from the program's own process start.
async fn time_to_paint(binary: &Path, ready: &str) -> TestResult<Paint> {
    let started = Instant::now();
    let session = AppSession::launch_program(binary, tempfile::tempdir()?, &[]).await?;
    session
        .client
        .wait()
        .at_most(Duration::from_secs(30))
        .every(Duration::from_millis(5))
        .for_element(Locator::Css(ready))
        .await?;
    // The second animation frame runs once the first, which holds the element, was drawn.
    session
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        )
        .await?;
    let paint = Paint {
        from_request: started.elapsed(),
        from_process: session.program_age()?,
    };
    session.close().await?;
    Ok(paint)
}

#[derive(Debug, Clone, Copy)]
struct Paint {
    from_request: Duration,
    from_process: Duration,
}

fn median_ms(times: impl Iterator<Item = Duration>) -> f64 {
    let mut times: Vec<Duration> = times.collect();
    times.sort_unstable();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

async fn memory(backend: &str, soak_hours: usize) -> TestResult {
    let app = AppSession::launch(&[]).await?;
    app.find(Locator::Css("h1#sign-in-title")).await?;
    tokio::time::sleep(SETTLE).await;
    let signed_out = app.memory()?;
    report("sign-in screen (baseline)", &signed_out, None);

    app.sign_in_on(backend).await?;

    // The first list is the largest (the script seeds 250,000 patients, 40 % of them on it).
    let picker = app.by_label("Patient list").await?;
    let opened = Instant::now();
    picker.select_by_index(0).await?;
    let count = wait_for_count(&app, "100,000 patients").await?;
    let copied = wait_for_offline_copy(&app, 1, Duration::from_secs(600)).await?;
    println!(
        "offline copy: {copied} {:.1} s after the list was chosen",
        opened.elapsed().as_secs_f64()
    );
    tokio::time::sleep(SETTLE).await;
    let open = app.memory()?;
    report(
        &format!("{count} open, {copied} copied for offline use"),
        &open,
        Some(("the sign-in screen", &signed_out)),
    );

    scroll_to_end(&app).await?;
    tokio::time::sleep(SETTLE).await;
    let scrolled = app.memory()?;
    report(
        "the same list scrolled to its end",
        &scrolled,
        Some(("the sign-in screen", &signed_out)),
    );
    day_of_use(&app, soak_hours).await?;
    app.close().await
}

async fn wait_for_count(app: &AppSession, want: &str) -> TestResult<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let count = app.texts("[data-testid='patient-count']").await?;
        if let Some(text) = count.into_iter().find(|t| t.contains(want)) {
            return Ok(text);
        }
        if Instant::now() > deadline {
            return Err(format!("the list never showed {want:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opening a list copies it for offline use in the background; waits for the `copies`th copy to
/// end, whose log line gives the count.
async fn wait_for_offline_copy(
    app: &AppSession,
    copies: usize,
    within: Duration,
) -> TestResult<String> {
    const LINE: &str = "patient list copied for offline use";
    let deadline = Instant::now() + within;
    loop {
        if let Some(line) = app
            .logs()
            .lines()
            .filter(|l| l.contains(LINE))
            .nth(copies - 1)
        {
            let count = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("count="))
                .unwrap_or("?");
            return Ok(format!("{count} patients"));
        }
        if Instant::now() > deadline {
            return Err("the list was not copied for offline use in time".into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Scrolls the patient table to its last row and waits for that page's names.
async fn scroll_to_end(app: &AppSession) -> TestResult {
    app.client
        .execute(
            "const s = document.querySelector(\"[data-testid='patient-scroller']\");
             s.scrollTop = s.scrollHeight;",
            vec![],
        )
        .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.patient_names().await?;
    Ok(())
}

/// Prints the total and each process's part, and the ratio to `baseline` (named, and its figures).
fn report(what: &str, processes: &[ProcessMemory], baseline: Option<(&str, &[ProcessMemory])>) {
    let total = total_mib(processes);
    let parts: Vec<String> = processes
        .iter()
        .map(|p| format!("{} {:.0}", p.name, p.pss_kib as f64 / 1024.0))
        .collect();
    let against = baseline
        .map(|(name, b)| format!("; {:.2}x {name}", total / total_mib(b)))
        .unwrap_or_default();
    println!(
        "memory, {what}: {total:.0} MiB PSS over {} processes ({}){against}",
        processes.len(),
        parts.join(", ")
    );
}

/// A working day compressed: each round is what a busy clinician does in `ROUND_MINUTES` (switch
/// list, search, look at pending invites and refresh them, invite one patient by SMS, which the
/// outbox then sends). Memory is read after the first 10 minutes' worth and then every hour's.
async fn day_of_use(app: &AppSession, hours: usize) -> TestResult {
    const ROUND_MINUTES: usize = 5;
    let rounds = hours * 60 / ROUND_MINUTES;
    if rounds > 999 {
        return Err(format!("{hours} hours is more than the 83 a day of use can simulate").into());
    }
    let mut after_ten_minutes = None;
    for round in 1..=rounds {
        use_for_a_while(app, round).await?;
        let minutes = round * ROUND_MINUTES;
        if minutes == 10 {
            // By then every list has been opened once, and each opening started a copy for
            // offline use. A copy takes minutes however fast the rounds go (most of it the
            // sandbox's time), so the baseline waits for all three: without that it is taken
            // before two lists' copies and the day's figures count them as growth.
            wait_for_offline_copy(app, 3, Duration::from_secs(900)).await?;
            tokio::time::sleep(SETTLE).await;
            let memory = app.memory()?;
            report("after 10 minutes of use (baseline)", &memory, None);
            after_ten_minutes = Some(memory);
        } else if minutes.is_multiple_of(60) {
            tokio::time::sleep(SETTLE).await;
            page_census(app).await?;
            report(
                &format!("after {} hour(s) of use ({round} invites)", minutes / 60),
                &app.memory()?,
                after_ten_minutes
                    .as_deref()
                    .map(|b| ("after 10 minutes", b)),
            );
        }
    }
    Ok(())
}

/// What the page holds that could grow with use: its elements, and the IPC callbacks Tauri keeps
/// (one per listener and per call in flight).
async fn page_census(app: &AppSession) -> TestResult {
    let census = app
        .client
        .execute(
            "return { elements: document.getElementsByTagName('*').length,
                      callbacks: window.__TAURI_INTERNALS__?.callbacks?.size ?? null };",
            vec![],
        )
        .await?;
    println!("page: {census}");
    Ok(())
}

async fn use_for_a_while(app: &AppSession, round: usize) -> TestResult {
    app.show_tab("patients").await?;
    let picker = app.by_label("Patient list").await?;
    picker.select_by_index(round % 3).await?;
    let name = app.patient_names().await?.remove(0);
    let family = name.split(',').next().unwrap_or_default().trim().to_owned();
    app.fill("Search patients", &family).await?;
    app.patient_names().await?;
    app.by_label("Search patients").await?.clear().await?;
    app.show_tab("pending").await?;
    app.refresh_pending().await?;
    app.show_tab("patients").await?;
    // A new number each round, outside the drama range the seeded patients' numbers come from
    // (an invite to one of them is refused: "Already signed up to Huma").
    app.send_sms_invite(
        "Sam",
        "Soak",
        &format!("07911 123{round:03}"),
        &format!("+44 7911 123{round:03}"),
    )
    .await
}
