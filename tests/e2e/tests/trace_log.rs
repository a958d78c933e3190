//! The app's whole log at `trace` level holds no secret and nothing personal. A real run signs in
//! with the SMS code, searches a patient list, sends an SMS and an email invite, opens Pending
//! invites, shows the SMS patient's sign-up code, resends one and revokes the other, signs in again when the token refresh is refused,
//! and signs out; then every line of the log is scanned for the password, the SMS codes, tokens
//! (any run of 64 hex digits: the sandbox's access and refresh tokens, the database key and
//! invitation codes all are one), `Bearer `, the invitations' codes and shortened codes, and every
//! name, phone number and email of the run.

use std::fmt;
use std::time::Duration;

use fantoccini::Locator;
use huma_e2e::{
    advance_sandbox_clock, logs_in, sandbox_base, sandbox_invitation_log, wait_for_message,
    AppSession, TestResult, DEMO_CLINICIAN,
};
use huma_sandbox::{CLIENT_ID, DEMO_EMAIL, DEMO_PASSWORD, PROJECT_ID};

const SMS_GIVEN: &str = "Marisol";
const SMS_FAMILY: &str = "Quenby";
/// No seeded patient's number (seed 42), so the sandbox takes it as someone new.
const PHONE: &str = "+447700900804";
const PHONE_TYPED: &str = "07700 900804";
const PHONE_SHOWN: &str = "+44 7700 900804";
const EMAIL_GIVEN: &str = "Tobias";
const EMAIL_FAMILY: &str = "Fairweather";
const EMAIL: &str = "tobias.fairweather@example.net";

/// How a secret is recognised in a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    /// Exactly, anywhere (the password, codes).
    Exact(String),
    /// In any case, anywhere (emails: a log could lower-case them).
    AnyCase(String),
    /// As a whole word, case and all (names: "Ali" is not in "Alias").
    Word(String),
    /// As a whole number (the SMS code, not six digits inside a longer number).
    Number(String),
    /// Any run of at least this many hex digits.
    HexRun(usize),
}

/// Something that must not be in the log; `what` says which, without the value.
struct Needle {
    what: &'static str,
    pattern: Pattern,
}

impl Needle {
    fn new(what: &'static str, pattern: Pattern) -> Self {
        Self { what, pattern }
    }

    /// Where in `text` the secret is: every occurrence, as byte ranges.
    fn find(&self, text: &str) -> Vec<(usize, usize)> {
        let bounded = |value: &str, haystack: &str, boundary: fn(char) -> bool| {
            haystack
                .match_indices(value)
                .map(|(at, m)| (at, at + m.len()))
                .filter(|&(at, end)| {
                    !text[..at].chars().next_back().is_some_and(boundary)
                        && !text[end..].chars().next().is_some_and(boundary)
                })
                .collect()
        };
        match &self.pattern {
            Pattern::Exact(value) => bounded(value, text, |_| false),
            // ASCII case folding keeps byte offsets.
            Pattern::AnyCase(value) => bounded(
                &value.to_ascii_lowercase(),
                &text.to_ascii_lowercase(),
                |_| false,
            ),
            Pattern::Word(value) => bounded(value, text, char::is_alphanumeric),
            Pattern::Number(value) => bounded(value, text, |c| c.is_ascii_digit()),
            Pattern::HexRun(min) => {
                let mut runs = Vec::new();
                let mut start = None;
                for (at, c) in text.char_indices().chain([(text.len(), ' ')]) {
                    match (c.is_ascii_hexdigit(), start) {
                        (true, None) => start = Some(at),
                        (false, Some(s)) => {
                            if at - s >= *min {
                                runs.push((s, at));
                            }
                            start = None;
                        }
                        _ => {}
                    }
                }
                runs
            }
        }
    }
}

/// A line of the log holding secrets, shown with each of them replaced by what it is.
struct Hit {
    line: usize,
    shape: String,
}

impl fmt::Debug for Hit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.shape)
    }
}

/// What the scan saw: lines per level, and every line with a secret.
#[derive(Debug, Default)]
struct Scan {
    lines: usize,
    /// TRACE, DEBUG, INFO, WARN, ERROR.
    levels: [usize; 5],
    hits: Vec<Hit>,
}

const LEVELS: [&str; 5] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"];

/// The logger's own timestamp (`2026-01-31T09:15:02.123456Z`) starts each line; it is left out of
/// the scan, as its microseconds could read as an SMS code.
fn without_timestamp(line: &str) -> &str {
    match line.split_once(' ') {
        Some((first, rest))
            if first.len() > 20
                && first.ends_with('Z')
                && first.as_bytes()[..4].iter().all(u8::is_ascii_digit)
                && first.as_bytes()[10] == b'T' =>
        {
            rest
        }
        _ => line,
    }
}

/// `text` with every range in `found` replaced by the name of what was found there.
fn masked(text: &str, mut found: Vec<(usize, usize, &str)>) -> String {
    found.sort();
    let mut shape = String::new();
    let mut done = 0;
    for (start, end, what) in found {
        if start >= done {
            shape.push_str(&text[done..start]);
            shape.push_str(&format!("[{what}]"));
        }
        done = done.max(end);
    }
    shape.push_str(&text[done..]);
    shape
}

fn scan(log: &str, needles: &[Needle]) -> Scan {
    let mut result = Scan::default();
    for (index, line) in log.lines().enumerate() {
        result.lines += 1;
        let text = without_timestamp(line);
        if let Some(level) = text.split_whitespace().next() {
            if let Some(i) = LEVELS.iter().position(|l| *l == level) {
                result.levels[i] += 1;
            }
        }
        let found: Vec<_> = needles
            .iter()
            .flat_map(|n| n.find(text).into_iter().map(|(s, e)| (s, e, n.what)))
            .collect();
        if !found.is_empty() {
            result.hits.push(Hit {
                line: index + 1,
                shape: masked(text, found),
            });
        }
    }
    result
}

/// Signs in to the sandbox's API with the password, as any client may: the tokens it gives show
/// what the sandbox issues, so the test knows its rule for tokens still covers them.
async fn sample_tokens(base: &str) -> TestResult<[String; 2]> {
    let reply: serde_json::Value = reqwest::Client::new()
        .post(format!("{base}/api/auth/v1/signin"))
        .header("User-Agent", "huma-e2e")
        .json(&serde_json::json!({
            "method": "EMAIL_PASSWORD",
            "email": DEMO_EMAIL,
            "password": DEMO_PASSWORD,
            "projectId": PROJECT_ID,
            "clientId": CLIENT_ID,
        }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let token = |key: &str| reply[key].as_str().unwrap_or_default().to_owned();
    Ok([token("authToken"), token("refreshToken")])
}

#[tokio::test(flavor = "multi_thread")]
async fn a_whole_run_at_trace_level_logs_no_secret_and_nothing_personal() -> TestResult {
    let app = AppSession::launch(&[("HUMA_CLINICIAN_LOG", "trace")]).await?;
    let (messages_url, code) = app.sign_in_as_demo().await?;
    let base = sandbox_base(&messages_url);

    // A patient search: every name shown on the way is personal data.
    let mut patients = app.patient_names().await?;
    let family = patients[0]
        .split(',')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    app.fill("Search patients", &family).await?;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let names = app.patient_names().await?;
        if names.iter().all(|n| n.contains(&family)) {
            patients.extend(names);
            break;
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("the search never narrowed the table: {names:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    app.send_sms_invite(SMS_GIVEN, SMS_FAMILY, PHONE_TYPED, PHONE_SHOWN)
        .await?;

    app.menu("Email invite").await?;
    app.by_label("Email addresses")
        .await?
        .send_keys(&format!("{EMAIL_GIVEN} {EMAIL_FAMILY} <{EMAIL}>\u{E007}"))
        .await?;
    app.wait_for_text("1 recipient").await?;
    app.click_button("Send invites").await?;
    app.wait_for_toast("Invite email sent").await?;

    // Pending invites: resend the SMS invitation, revoke the email one.
    app.show_tab("pending").await?;
    let sms_row = app
        .wait_for_pending_row(PHONE_SHOWN, Duration::from_secs(20), |r| !r.local)
        .await?;
    let email_row = app
        .wait_for_pending_row(EMAIL, Duration::from_secs(20), |r| !r.local)
        .await?;
    // The patient's sign-up code goes on screen (its shortened code is among the needles).
    app.click_pending_action(&sms_row.id, "Show sign-up code")
        .await?;
    app.find(Locator::Css("[data-testid='sign-up-code']"))
        .await?;
    app.click_in_dialog("Done").await?;
    app.click_pending_action(&sms_row.id, "Resend").await?;
    app.click_button("Yes, resend").await?;
    wait_for_message(&messages_url, "INVITATION_RESEND", PHONE).await?;
    app.click_pending_action(&email_row.id, "Revoke").await?;
    app.click_button("Yes, revoke").await?;
    app.wait_until_not_pending(EMAIL, Duration::from_secs(60))
        .await?;

    // A quarter of an hour later the access token has expired and the server refuses the refresh
    // (its idle rule for SMS-code sign-ins): the clinician signs in again, with a new code.
    advance_sandbox_clock(&messages_url, 16 * 60).await?;
    app.refresh_pending().await?;
    app.find(Locator::Id("sign-in-password")).await?;
    let (_, second_code) = app.sign_in_as_demo().await?;

    // The codes of every invitation on the server (this run's two among them), read before the
    // app, and its embedded sandbox, quit.
    let invitations = sandbox_invitation_log(&messages_url).await?;
    for recipient in [PHONE, EMAIL] {
        assert!(
            invitations
                .iter()
                .any(|i| i["phoneNumber"] == recipient || i["email"] == recipient),
            "no invitation to {recipient} on the server"
        );
    }
    let sample = sample_tokens(&base).await?;

    app.menu("Sign out").await?;
    app.wait_for_text("Use demo account").await?;
    let home = app.close_keeping_home().await?;
    let log = logs_in(&home.path().join("data"));

    let hex_run = Needle::new("64 hex digits", Pattern::HexRun(64));
    for token in &sample {
        assert!(
            hex_run.find(token) == [(0, token.len())],
            "the sandbox's tokens are no longer 64 hex digits: the scan must learn their shape"
        );
    }
    let mut needles = vec![
        hex_run,
        Needle::new("Bearer", Pattern::Exact("Bearer ".into())),
        Needle::new("password", Pattern::Exact(DEMO_PASSWORD.into())),
        Needle::new("SMS code", Pattern::Number(code)),
        Needle::new("SMS code", Pattern::Number(second_code)),
        Needle::new("clinician email", Pattern::AnyCase(DEMO_EMAIL.into())),
        Needle::new("patient email", Pattern::AnyCase(EMAIL.into())),
    ];
    for phone in [PHONE, PHONE_TYPED, PHONE_SHOWN, "7700900804", "7700 900804"] {
        needles.push(Needle::new("phone", Pattern::Exact(phone.into())));
    }
    let names = patients
        .iter()
        .flat_map(|n| n.split(',').map(str::trim).map(str::to_owned))
        .chain(DEMO_CLINICIAN.split(' ').map(str::to_owned))
        .chain([SMS_GIVEN, SMS_FAMILY, EMAIL_GIVEN, EMAIL_FAMILY].map(str::to_owned));
    for name in names.filter(|n| !n.is_empty()) {
        needles.push(Needle::new("name", Pattern::Word(name)));
    }
    for invitation in &invitations {
        for (what, key) in [
            ("invitation code", "code"),
            ("shortened code", "shortenedCode"),
        ] {
            if let Some(value) = invitation[key].as_str().filter(|v| !v.is_empty()) {
                needles.push(Needle::new(what, Pattern::Exact(value.to_owned())));
            }
        }
    }

    let result = scan(&log, &needles);
    let [trace, debug, info, warn, error] = result.levels;
    eprintln!(
        "scanned {} log lines (TRACE {trace}, DEBUG {debug}, INFO {info}, WARN {warn}, ERROR {error}) \
         for {} secrets and personal values ({} invitations' codes): {} hits",
        result.lines,
        needles.len(),
        invitations.len(),
        result.hits.len()
    );
    assert!(result.lines > 0, "the app wrote no log");
    assert!(
        trace + debug > 0,
        "no TRACE or DEBUG line: HUMA_CLINICIAN_LOG=trace did not take effect"
    );
    assert!(
        log.contains("path=/api/auth/v1/signout"),
        "the log does not reach the sign-out: the scan would miss the end of the run"
    );
    assert!(
        result.hits.is_empty(),
        "secrets or personal data in the app's log:\n{:#?}",
        result.hits
    );
    Ok(())
}

#[test]
fn each_pattern_finds_its_secret_only_where_it_stands_alone() {
    let found = |pattern: Pattern, text: &str| Needle::new("x", pattern).find(text).len();
    let token = "0123456789abcdef".repeat(4);
    assert_eq!(
        found(Pattern::HexRun(64), &format!("a={token} b={token}")),
        2
    );
    assert_eq!(
        found(Pattern::HexRun(64), &format!("id={}", &token[..63])),
        0
    );
    assert_eq!(found(Pattern::Number("123456".into()), "code=123456,"), 1);
    assert_eq!(found(Pattern::Number("123456".into()), "ms=9123456"), 0);
    assert_eq!(found(Pattern::Word("Ali".into()), "patient Ali signed"), 1);
    assert_eq!(found(Pattern::Word("Ali".into()), "Alias of Khalid"), 0);
    assert_eq!(
        found(Pattern::AnyCase("a.b@x.org".into()), "to=A.B@X.org"),
        1
    );
    assert_eq!(
        found(Pattern::Exact("Bearer ".into()), "authorization: Bearer x"),
        1
    );
}

#[test]
fn a_hit_names_the_line_and_masks_every_secret_on_it() {
    let log = "2026-01-31T09:15:02.123456Z  INFO huma_core: signed in\n\
               2026-01-31T09:15:02.900804Z DEBUG huma_core: sent code=900804 to Ann\n";
    let needles = [
        Needle::new("SMS code", Pattern::Number("900804".into())),
        Needle::new("name", Pattern::Word("Ann".into())),
    ];
    let result = scan(log, &needles);
    assert_eq!((result.lines, result.levels), (2, [0, 1, 1, 0, 0]));
    assert_eq!(
        format!("{:?}", result.hits),
        "[line 2: DEBUG huma_core: sent code=[SMS code] to [name]]"
    );
}
