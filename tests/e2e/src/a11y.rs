//! Accessibility scans of the real app's screens with axe-core (WCAG 2.1 A and AA rules), run inside
//! the app's own web view through WebDriver. axe-core comes from the UI's npm packages.

use std::path::PathBuf;
use std::sync::OnceLock;

use crate::{screenshot_dir, workspace_root, AppSession, TestResult};

/// The rule sets checked: the WCAG 2.0 and 2.1 success criteria at levels A and AA.
const WCAG_TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

fn axe_path() -> PathBuf {
    workspace_root().join("ui/node_modules/axe-core/axe.min.js")
}

fn axe_source() -> TestResult<&'static str> {
    static SOURCE: OnceLock<String> = OnceLock::new();
    if let Some(source) = SOURCE.get() {
        return Ok(source);
    }
    let source = std::fs::read_to_string(axe_path()).map_err(|e| {
        format!(
            "{} is missing ({e}): run `npm --prefix ui ci`",
            axe_path().display()
        )
    })?;
    Ok(SOURCE.get_or_init(|| source))
}

/// One rule broken on a screen, with (some of) the elements that break it.
#[derive(Debug, serde::Deserialize)]
pub struct Violation {
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    pub targets: Vec<String>,
}

impl AppSession {
    /// Runs axe on what the window shows now and fails, listing each broken rule and where, when
    /// anything breaks a WCAG 2.1 A/AA rule. The full report goes to `target/e2e/axe-<screen>.json`.
    pub async fn assert_accessible(&self, screen: &str) -> TestResult {
        let violations = self.axe_violations(screen).await?;
        if violations.is_empty() {
            return Ok(());
        }
        self.screenshot(&format!("axe-{screen}")).await?;
        let listed: Vec<String> = violations
            .iter()
            .map(|v| {
                format!(
                    "- {} ({}): {} at {}",
                    v.id,
                    v.impact.as_deref().unwrap_or("?"),
                    v.help,
                    v.targets.join(" | ")
                )
            })
            .collect();
        Err(format!(
            "accessibility scan of {screen:?} found {} problem(s):\n{}",
            violations.len(),
            listed.join("\n")
        )
        .into())
    }

    /// What axe finds on the window now (the report is also saved as `target/e2e/axe-<screen>.json`).
    pub async fn axe_violations(&self, screen: &str) -> TestResult<Vec<Violation>> {
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await?;
        if loaded != serde_json::Value::Bool(true) {
            // Evaluated by the driver, not loaded as a <script>: the page's CSP is not involved.
            self.client
                .execute(&format!("{}\nreturn true;", axe_source()?), vec![])
                .await?;
        }
        let report = self
            .client
            .execute_async(
                r#"
                const done = arguments[arguments.length - 1];
                const options = {
                  runOnly: { type: "tag", values: arguments[0] },
                  resultTypes: ["violations"],
                };
                window.axe.run(document, options).then(
                  (r) => done(JSON.stringify(r.violations.map((v) => ({
                    id: v.id,
                    impact: v.impact,
                    help: v.help,
                    targets: v.nodes.slice(0, 8).map((n) => n.target.join(" ")),
                  })))),
                  (e) => done(JSON.stringify({ error: String(e) })),
                );
                "#,
                vec![serde_json::json!(WCAG_TAGS)],
            )
            .await?;
        let text = report.as_str().ok_or("axe returned no report")?;
        std::fs::write(screenshot_dir().join(format!("axe-{screen}.json")), text)?;
        if let Ok(failure) = serde_json::from_str::<serde_json::Map<_, _>>(text) {
            return Err(format!("axe could not scan {screen:?}: {failure:?}").into());
        }
        Ok(serde_json::from_str(text)?)
    }
}
