//! Harness for end-to-end tests: the real app binary in a real window (Xvfb), driven through
//! WebDriver (tauri-driver in front of WebKitWebDriver). Each test gets its own HOME, data dir,
//! keyring service, IT policy file and driver ports, so tests never share state.
//!
//! Needs: a display (`DISPLAY`), `tauri-driver` and `WebKitWebDriver` on PATH, a session bus with a
//! Secret Service for the keyring, and the app built with the `custom-protocol` and `sandbox`
//! features. The test command (`scripts/test.sh`) provides all of that.

#![allow(clippy::unwrap_used)]

mod a11y;
pub mod footprint;
mod notifications;
pub use a11y::Violation;
pub use notifications::{Notification, NotificationWatch};

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};

/// The demo clinician's name, as the sandbox seeds it (and the app shows it, top right).
pub const DEMO_CLINICIAN: &str = "Amelia Hart";

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The workspace root (this crate lives in tests/e2e).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The app under test: `HUMA_E2E_APP`, else the debug build in the shared target dir.
pub fn app_binary() -> PathBuf {
    std::env::var_os("HUMA_E2E_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/debug/huma-clinician"))
}

/// Where screenshots go (kept as CI artefacts).
pub fn screenshot_dir() -> PathBuf {
    let dir = workspace_root().join("target/e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Invites go out at whatever hour the tests run: the simulated clinician's own setting, as the
/// Settings dialog saves it, unless the computer already has preferences (a restart, or a test that
/// wrote its own).
fn allow_any_hour(home: &std::path::Path) -> TestResult {
    let data = home.join("data");
    let preferences = data.join("preferences.json");
    if !preferences.exists() {
        std::fs::create_dir_all(&data)?;
        std::fs::write(&preferences, r#"{"sendingHours": "always"}"#)?;
    }
    Ok(())
}

/// One app at a time: tests in this crate run in parallel threads, but two windows would compete
/// for focus and for the machine's two cores.
static ONE_APP_AT_A_TIME: std::sync::LazyLock<Arc<tokio::sync::Mutex<()>>> =
    std::sync::LazyLock::new(Arc::default);

/// One running app under one WebDriver session.
pub struct AppSession {
    pub client: Client,
    driver: Child,
    /// The program WebDriver started: the app, or another Tauri program (a benchmark's baseline).
    binary: PathBuf,
    pub home: tempfile::TempDir,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl AppSession {
    /// The data directory the app writes (logs, databases, preferences).
    pub fn data_dir(&self) -> PathBuf {
        self.home.path().join("data")
    }

    /// Launches the app with a fresh HOME and the given extra environment.
    pub async fn launch(env: &[(&str, &str)]) -> TestResult<Self> {
        Self::launch_in(tempfile::tempdir()?, env).await
    }

    /// Launches the app in an existing HOME (a restart on the same computer).
    pub async fn launch_in(home: tempfile::TempDir, env: &[(&str, &str)]) -> TestResult<Self> {
        Self::launch_program(&app_binary(), home, env).await
    }

    /// Launches `binary`, the app or any other Tauri program, as [`AppSession::launch_in`] does.
    pub async fn launch_program(
        binary: &Path,
        home: tempfile::TempDir,
        env: &[(&str, &str)],
    ) -> TestResult<Self> {
        let turn = ONE_APP_AT_A_TIME.clone().lock_owned().await;
        let binary = binary.to_owned();
        if !binary.exists() {
            return Err(format!(
                "{} is missing: build it with `cargo build --features custom-protocol,sandbox`",
                binary.display()
            )
            .into());
        }
        allow_any_hour(home.path())?;
        let port = free_port();
        let native_port = free_port();
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", home.path().join(".cache"))
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .env("XDG_DATA_HOME", home.path().join(".local/share"))
            .env("HUMA_CLINICIAN_DATA_DIR", home.path().join("data"))
            // The simulated computer's own IT policy (none unless a test writes one): the machine's
            // /etc/huma-clinician/policy.json belongs to whatever else runs here (the .deb check).
            .env(
                "HUMA_CLINICIAN_POLICY_FILE",
                home.path().join("policy.json"),
            )
            // One keyring namespace per simulated computer (the HOME), shared by its restarts.
            .env(
                "HUMA_CLINICIAN_KEYRING_SERVICE",
                format!("Huma Clinician (e2e {})", home.path().display()),
            )
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .env("NO_AT_BRIDGE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in env {
            command.env(k, v);
        }
        let driver = command
            .spawn()
            .map_err(|e| format!("tauri-driver could not start ({e}); install it with `cargo install tauri-driver --locked`"))?;
        let caps: serde_json::Map<String, serde_json::Value> =
            serde_json::from_value(serde_json::json!({
                "tauri:options": { "application": binary },
                "browserName": "wry",
            }))?;
        let url = format!("http://127.0.0.1:{port}");
        // The first start of a run (WebKit's driver, the app and its web process, all cold) has
        // taken over 30 s on a 2-core machine also compiling the Windows build in the background.
        let deadline = Instant::now() + Duration::from_secs(90);
        // Asked as soon as the driver listens (the start-up benchmark times this path); a session
        // refused after that is asked for again less often, as each try may start the program.
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
            && Instant::now() < deadline
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let client = loop {
            match ClientBuilder::rustls()?
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() < deadline => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => return Err(format!("no WebDriver session: {e}").into()),
            }
        };
        Ok(Self {
            client,
            driver,
            binary,
            home,
            _turn: turn,
        })
    }

    /// Waits (up to 20 s) for an element; the UI talks to a server, so nothing is instant.
    pub async fn find(&self, locator: Locator<'_>) -> TestResult<Element> {
        Ok(self
            .client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(locator)
            .await?)
    }

    /// Waits until the page's visible text contains `text`.
    pub async fn wait_for_text(&self, text: &str) -> TestResult {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let body = self.body_text().await?;
            if body.contains(text) {
                return Ok(());
            }
            if Instant::now() > deadline {
                // The app's log holds no personal data, so it is safe to show here.
                let logs = self.logs();
                return Err(format!(
                    "text {text:?} never appeared; the page shows:\n{body}\n--- app log ---\n{logs}"
                )
                .into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// `textContent` of every element matching `css`. Unlike WebDriver's element text it does not
    /// depend on the driver's visibility heuristics, which miss rows of a virtualised table.
    pub async fn texts(&self, css: &str) -> TestResult<Vec<String>> {
        let value = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.textContent.trim());",
                vec![serde_json::json!(css)],
            )
            .await?;
        Ok(serde_json::from_value(value)?)
    }

    /// Waits (up to 20 s) until nothing matches `css`.
    pub async fn wait_gone(&self, css: &str) -> TestResult {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = self.texts(css).await?;
            if left.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("{css} is still there: {left:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    pub async fn body_text(&self) -> TestResult<String> {
        Ok(self.client.find(Locator::Css("body")).await?.text().await?)
    }

    /// Fills a form field found by its label text.
    pub async fn fill(&self, label: &str, value: &str) -> TestResult {
        let field = self.by_label(label).await?;
        field.clear().await?;
        field.send_keys(value).await?;
        Ok(())
    }

    /// The form control whose <label> says `label`.
    pub async fn by_label(&self, label: &str) -> TestResult<Element> {
        let label_el = self
            .find(Locator::XPath(&format!(
                "//label[normalize-space(.)='{label}' or .//text()[normalize-space(.)='{label}']]"
            )))
            .await?;
        if let Some(id) = label_el.attr("for").await? {
            return self.find(Locator::Id(&id)).await;
        }
        Ok(label_el
            .find(Locator::Css("input, select, textarea"))
            .await?)
    }

    /// Signs in as the demo clinician through the SMS-code step; returns the sandbox's message-log
    /// address (shown on the code screen) and the code used.
    pub async fn sign_in_as_demo(&self) -> TestResult<(String, String)> {
        self.wait_for_text("Demo sandbox").await?;
        self.click_button("Use demo account").await?;
        self.screenshot("01-sign-in").await?;
        self.click_button("Sign in").await?;
        let url = self
            .find(Locator::Css("[data-testid='sandbox-messages-url']"))
            .await?
            .text()
            .await?
            .trim()
            .to_owned();
        let code = latest_code(&url).await?;
        self.screenshot("02-verification-code").await?;
        self.fill("Verification code", &code).await?;
        self.click_button("Verify").await?;
        self.wait_for_text(DEMO_CLINICIAN).await?;
        Ok((url, code))
    }

    /// Signs in as the demo clinician of the sandbox at `backend` (an app that does not embed it,
    /// pointed at it by policy) through the sign-in form and the SMS-code step; returns the code.
    pub async fn sign_in_on(&self, backend: &str) -> TestResult<String> {
        let demo: serde_json::Value = reqwest::get(format!("{backend}/sandbox/demo"))
            .await?
            .json()
            .await?;
        self.fill("Email", demo["email"].as_str().unwrap_or_default())
            .await?;
        self.fill("Password", demo["password"].as_str().unwrap_or_default())
            .await?;
        self.click_button("Sign in").await?;
        self.find(Locator::Id("sign-in-code")).await?;
        let code = latest_code(&format!("{backend}/sandbox/messages")).await?;
        self.fill("Verification code", &code).await?;
        self.click_button("Verify").await?;
        self.wait_for_text(DEMO_CLINICIAN).await?;
        Ok(code)
    }

    /// Invites one patient by SMS through the form and its confirmation screen, and waits for the
    /// notice that it went out. `phone_shown` is the number as the confirmation screen writes it.
    pub async fn send_sms_invite(
        &self,
        given: &str,
        family: &str,
        phone_typed: &str,
        phone_shown: &str,
    ) -> TestResult {
        self.menu("SMS invite").await?;
        self.fill("First name", given).await?;
        self.fill("Last name", family).await?;
        self.fill("Mobile number", phone_typed).await?;
        self.click_button("Confirm").await?;
        self.wait_for_text(phone_shown).await?;
        self.click_button("Send SMS invite").await?;
        self.wait_for_toast(&format!("Invite SMS sent to {phone_shown}"))
            .await?;
        Ok(())
    }

    /// Opens the clinician's menu (their name, top right) and picks an item.
    pub async fn menu(&self, item: &str) -> TestResult {
        self.menu_of(DEMO_CLINICIAN, item).await
    }

    /// Opens the menu of the signed-in clinician named `clinician` and picks an item.
    pub async fn menu_of(&self, clinician: &str, item: &str) -> TestResult {
        self.click_button(clinician).await?;
        self.find(Locator::XPath(&format!(
            "//*[@role='menuitem'][normalize-space(.)='{item}' or starts-with(normalize-space(.), '{item} ')]"
        )))
        .await?
        .click()
        .await?;
        Ok(())
    }

    /// Waits for a notification containing `text` and returns the notification's whole text.
    pub async fn wait_for_toast(&self, text: &str) -> TestResult<String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let toasts = self.texts("[data-testid='toast-item']").await?;
            if let Some(t) = toasts.iter().find(|t| t.contains(text)) {
                return Ok(t.clone());
            }
            if Instant::now() > deadline {
                return Err(format!("no notification with {text:?}; shown: {toasts:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Clicks the button with exactly this visible text.
    pub async fn click_button(&self, text: &str) -> TestResult {
        self.click_xpath(&format!("//button[normalize-space(.)='{text}']"))
            .await
    }

    /// Clicks a button of the open dialog: closed dialogs in the page have buttons of the same
    /// name ("Cancel", "Close"), which cannot be clicked.
    pub async fn click_in_dialog(&self, text: &str) -> TestResult {
        self.click_xpath(&format!(
            "//dialog[@open]//button[normalize-space(.)='{text}']"
        ))
        .await
    }

    /// Clicks the element, again for up to two seconds while something passing over it takes the
    /// click (a toast sliding in, a dialog closing): a clinician would simply click again.
    async fn click_xpath(&self, xpath: &str) -> TestResult {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match self.find(Locator::XPath(xpath)).await?.click().await {
                Ok(_) => return Ok(()),
                Err(fantoccini::error::CmdError::Standard(e))
                    if e.error == fantoccini::error::ErrorStatus::ElementClickIntercepted
                        && Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Saves a screenshot of the display. It is taken by the X server (ImageMagick's `import`), not
    /// through WebDriver: WebKitWebDriver waits for a new paint, which an idle page under Xvfb may
    /// never schedule.
    pub async fn screenshot(&self, name: &str) -> TestResult {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let path = screenshot_dir().join(format!("{name}.png"));
        let status = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .status()
            .map_err(|e| format!("ImageMagick's import is needed for screenshots: {e}"))?;
        if !status.success() {
            return Err(format!("screenshot {name} failed: {status}").into());
        }
        Ok(())
    }

    /// Ends the WebDriver session (closing the app) and stops the driver.
    pub async fn close(self) -> TestResult {
        self.close_keeping_home().await.map(drop)
    }

    /// Quits the app but keeps its HOME, for a restart with [`AppSession::launch_in`].
    pub async fn close_keeping_home(mut self) -> TestResult<tempfile::TempDir> {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // The app winds down after its WebDriver session ends; a restart must not overlap it.
        let deadline = Instant::now() + Duration::from_secs(15);
        while is_running(&self.binary) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let placeholder = tempfile::tempdir()?;
        Ok(std::mem::replace(&mut self.home, placeholder))
    }

    /// Every log file the app wrote, concatenated. A build without the demo sandbox (the installed
    /// .deb) ignores `HUMA_CLINICIAN_DATA_DIR` and logs in the user's own app-data folder.
    pub fn logs(&self) -> String {
        let release = self.home.path().join(".local/share/com.huma.clinician");
        logs_in(&self.data_dir()) + &logs_in(&release)
    }
}

/// Every log file in the `logs` folder of the app data dir `data_dir`, concatenated (also once
/// the app has quit: see [`AppSession::close_keeping_home`]).
pub fn logs_in(data_dir: &Path) -> String {
    let mut all = String::new();
    if let Ok(entries) = std::fs::read_dir(data_dir.join("logs")) {
        for entry in entries.flatten() {
            all.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    all
}

/// Whether a process of `binary` is still alive (Linux: looks through /proc).
fn is_running(binary: &Path) -> bool {
    std::fs::read_dir("/proc")
        .map(|entries| {
            entries.flatten().any(|entry| {
                std::fs::read_link(entry.path().join("exe")).is_ok_and(|exe| exe == binary)
            })
        })
        .unwrap_or(false)
}

impl Drop for AppSession {
    fn drop(&mut self) {
        let _ = self.driver.kill();
    }
}

/// What the demo sandbox logged: every SMS and email "sent", newest first.
pub async fn sandbox_messages(messages_url: &str) -> TestResult<Vec<serde_json::Value>> {
    let json: serde_json::Value = reqwest::Client::new()
        .get(messages_url)
        .header("Accept", "application/json")
        .send()
        .await?
        .json()
        .await?;
    Ok(json["messages"].as_array().cloned().unwrap_or_default())
}

/// The newest 6-digit verification code in the sandbox message log (JSON at `messages_url`).
pub async fn latest_code(messages_url: &str) -> TestResult<String> {
    let messages = sandbox_messages(messages_url).await?;
    let body = messages
        .iter()
        .find(|m| m["kind"] == "VERIFICATION_CODE")
        .and_then(|m| m["body"].as_str())
        .ok_or("no verification code in the sandbox message log")?;
    let code: String = body
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .ok_or("no 6-digit code in the message")?
        .to_owned();
    Ok(code)
}

/// Who signs up on the sandbox's page.
pub struct Patient<'a> {
    pub given: &'a str,
    pub family: &'a str,
    /// `YYYY-MM-DD`.
    pub date_of_birth: &'a str,
}

/// Posts the sandbox's sign-up form at `form_url` as the patient's browser would; gives the status
/// and the page.
pub async fn sign_up_on_the_page(
    form_url: &str,
    patient: &Patient<'_>,
) -> TestResult<(u16, String)> {
    let body = [
        ("givenName", patient.given),
        ("familyName", patient.family),
        ("email", ""),
        ("dateOfBirth", patient.date_of_birth),
        ("password", "Sandbox-Walk-2026"),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", form_encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let response = reqwest::Client::new()
        .post(form_url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.text().await?))
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The sandbox's base address (`http://127.0.0.1:PORT`), from its message-log address.
pub fn sandbox_base(messages_url: &str) -> String {
    messages_url
        .trim_end_matches('/')
        .trim_end_matches("/sandbox/messages")
        .to_owned()
}

/// The sandbox's admin view of every invitation (`/sandbox/invitations`), newest first, in every
/// state (PENDING, CONSUMED, REVOKED, EXPIRED), with its code and shortened code.
pub async fn sandbox_invitation_log(messages_url: &str) -> TestResult<Vec<serde_json::Value>> {
    let url = format!("{}/sandbox/invitations", sandbox_base(messages_url));
    let json: serde_json::Value = reqwest::get(url).await?.error_for_status()?.json().await?;
    Ok(json["invitations"].as_array().cloned().unwrap_or_default())
}

/// Waits (up to 30 s) for a message of `kind` (`INVITATION_RESEND`, …) to `to` in the sandbox's
/// message log, and gives it.
pub async fn wait_for_message(
    messages_url: &str,
    kind: &str,
    to: &str,
) -> TestResult<serde_json::Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let messages = sandbox_messages(messages_url).await?;
        if let Some(m) = messages.iter().find(|m| m["kind"] == kind && m["to"] == to) {
            return Ok(m.clone());
        }
        if Instant::now() > deadline {
            return Err(format!("no {kind} message to {to} reached the sandbox").into());
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Moves the sandbox clock forward; scheduled work that fell due (chasers, deliveries) is done
/// when this returns. Gives the sandbox's new `now`.
pub async fn advance_sandbox_clock(messages_url: &str, seconds: u64) -> TestResult<String> {
    let url = format!("{}/sandbox/clock", sandbox_base(messages_url));
    let json: serde_json::Value = reqwest::Client::new()
        .post(url)
        .json(&serde_json::json!({ "advanceSeconds": seconds }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(json["now"].as_str().unwrap_or_default().to_owned())
}

/// One row of the Pending invites table, as the DOM contract exposes it.
#[derive(Debug, Clone)]
pub struct PendingRow {
    pub id: String,
    pub status: String,
    pub channel: String,
    pub local: bool,
    /// The row header: the patient's name, or the recipient when there is none.
    pub name: String,
    /// The whole row's text (recipient included, phones formatted "+44 7700 900123").
    pub text: String,
    pub expiry: String,
    pub reminder: String,
}

impl AppSession {
    /// Selects a main view tab: "patients" or "pending".
    pub async fn show_tab(&self, view: &str) -> TestResult {
        self.find(Locator::Id(&format!("tab-{view}")))
            .await?
            .click()
            .await?;
        self.find(Locator::Css(&format!("#tab-{view}[aria-selected='true']")))
            .await?;
        Ok(())
    }

    /// The rows of the Pending invites table on screen (empty while it loads or is not shown).
    pub async fn pending_rows(&self) -> TestResult<Vec<PendingRow>> {
        let value = self
            .client
            .execute(
                r#"return Array.from(document.querySelectorAll("[data-testid='pending-row']")).map(r => {
                    const cell = (id) => (r.querySelector(`[data-testid='${id}']`)?.textContent ?? "").trim();
                    return {
                        id: r.dataset.id ?? "",
                        status: r.dataset.status ?? "",
                        channel: r.dataset.channel ?? "",
                        local: r.dataset.local === "true",
                        name: (r.querySelector("th")?.textContent ?? "").trim(),
                        text: r.textContent.replace(/\s+/g, " ").trim(),
                        expiry: cell("pending-expiry"),
                        reminder: cell("pending-reminder"),
                    };
                });"#,
                vec![],
            )
            .await?;
        let text =
            |row: &serde_json::Value, key: &str| row[key].as_str().unwrap_or_default().to_owned();
        Ok(value
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|row| PendingRow {
                id: text(row, "id"),
                status: text(row, "status"),
                channel: text(row, "channel"),
                local: row["local"].as_bool().unwrap_or(false),
                name: text(row, "name"),
                text: text(row, "text"),
                expiry: text(row, "expiry"),
                reminder: text(row, "reminder"),
            })
            .collect())
    }

    /// Waits (up to `within`) until a pending row whose text contains `recipient` satisfies `ok`,
    /// clicking "Refresh" every few seconds; gives that row.
    pub async fn wait_for_pending_row(
        &self,
        recipient: &str,
        within: Duration,
        ok: impl Fn(&PendingRow) -> bool,
    ) -> TestResult<PendingRow> {
        let deadline = Instant::now() + within;
        let mut next_refresh = Instant::now() + Duration::from_secs(3);
        loop {
            let rows = self.pending_rows().await?;
            if let Some(row) = rows.iter().find(|r| r.text.contains(recipient) && ok(r)) {
                return Ok(row.clone());
            }
            if Instant::now() > deadline {
                let seen: Vec<_> = rows.iter().filter(|r| r.text.contains(recipient)).collect();
                return Err(format!(
                    "no pending row for {recipient:?} as expected; its rows: {seen:?}"
                )
                .into());
            }
            if Instant::now() > next_refresh {
                self.refresh_pending().await?;
                next_refresh = Instant::now() + Duration::from_secs(3);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Waits (up to `within`) until no pending row mentions `recipient`, clicking "Refresh" every
    /// few seconds.
    pub async fn wait_until_not_pending(&self, recipient: &str, within: Duration) -> TestResult {
        let deadline = Instant::now() + within;
        loop {
            // Only a loaded table counts: while loading, the old rows stay on screen.
            let loaded = self
                .texts("[data-testid='pending-count']")
                .await?
                .first()
                .is_some_and(|t| t.contains("invitation"));
            let rows = self.pending_rows().await?;
            if loaded && !rows.iter().any(|r| r.text.contains(recipient)) {
                return Ok(());
            }
            if Instant::now() > deadline {
                let seen: Vec<_> = rows.iter().filter(|r| r.text.contains(recipient)).collect();
                return Err(format!("{recipient:?} is still pending: {seen:?}").into());
            }
            self.refresh_pending().await?;
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
    }

    /// Clicks `action` ("Resend", "Revoke") on the Pending invites row of invitation `id`.
    pub async fn click_pending_action(&self, id: &str, action: &str) -> TestResult {
        self.click_xpath(&format!(
            "//tr[@data-testid='pending-row'][@data-id='{id}']//button[normalize-space(.)='{action}']"
        ))
        .await
    }

    /// The names ("Family, Given") in the patient rows on screen, once loaded (a row still loading
    /// has empty cells).
    pub async fn patient_names(&self) -> TestResult<Vec<String>> {
        const ROW_NAMES: &str = "[role='rowgroup'] [role='row'] [role='cell']:first-child";
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let names = self.texts(ROW_NAMES).await?;
            if !names.is_empty() && names.iter().all(|n| !n.is_empty()) {
                return Ok(names);
            }
            if Instant::now() > deadline {
                self.screenshot("failed-table").await?;
                return Err(format!("the patient table never filled: {names:?}").into());
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// Clicks the Pending invites view's "Refresh" (once it is enabled: it is disabled while a
    /// fetch runs).
    pub async fn refresh_pending(&self) -> TestResult {
        let button = self
            .find(Locator::XPath(
                "//*[@data-testid='pending-view']//button[normalize-space(.)='Refresh']",
            ))
            .await?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while !button.is_enabled().await? {
            if Instant::now() > deadline {
                return Err("the pending view's Refresh button stayed disabled".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        button.click().await?;
        Ok(())
    }
}
