//! Shared set-up for integration tests: the real sandbox on a loopback port and a core app on top.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use huma_core::app::{AppSetup, ClinicianApp};
use huma_core::clock::Clock;
use huma_core::config::Resolved;
use huma_core::secrets::{MemoryStore, Secret, SecretStore};
use huma_core::sending_hours::{parse_time_zone, SendingHours, Window};
use huma_core::ui_types::{ConfigSource, PatientQuery, SignInStep};
use huma_sandbox::{Sandbox, SandboxConfig};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A clock tests move by hand, in step with the sandbox's.
#[derive(Default)]
pub struct ManualClock {
    offset: Mutex<Duration>,
}

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + *self.offset.lock().unwrap()
    }
}

pub struct World {
    pub sandbox: Sandbox,
    pub clock: Arc<ManualClock>,
    pub secrets: Arc<dyn SecretStore>,
    pub data: tempfile::TempDir,
}

impl World {
    pub async fn new() -> TestResult<Self> {
        Self::with_secrets(Arc::new(MemoryStore::default())).await
    }

    pub async fn with_secrets(secrets: Arc<dyn SecretStore>) -> TestResult<Self> {
        Self::with_sandbox(SandboxConfig::default(), secrets).await
    }

    /// Against a sandbox started with `config` (e.g. one of its compatibility switches).
    pub async fn with_sandbox(
        config: SandboxConfig,
        secrets: Arc<dyn SecretStore>,
    ) -> TestResult<Self> {
        Ok(Self {
            sandbox: Sandbox::start(config).await?,
            clock: Arc::new(ManualClock::default()),
            secrets,
            data: tempfile::tempdir()?,
        })
    }

    /// A fresh app instance (as after a restart) sharing this world's keyring, disk and sandbox.
    pub fn app(&self) -> Arc<ClinicianApp> {
        self.app_at(&self.sandbox.base_url())
    }

    pub fn app_at(&self, base_url: &str) -> Arc<ClinicianApp> {
        self.app_with(base_url, |app| app)
    }

    /// As [`World::app_at`], with managed settings applied by `configure` (as the shell does).
    pub fn app_with(
        &self,
        base_url: &str,
        configure: impl FnOnce(ClinicianApp) -> ClinicianApp,
    ) -> Arc<ClinicianApp> {
        let app = ClinicianApp::new(AppSetup {
            version: "test".into(),
            data_dir: self.data.path().to_owned(),
            backend: Some(Resolved {
                value: base_url.parse().unwrap(),
                source: ConfigSource::User,
            }),
            client_id: None,
            project_id: None,
            sign_up_link_base: self.sandbox.sign_up_link_base().parse().ok(),
            demo: None,
            secrets: self.secrets.clone(),
            clock: self.clock.clone(),
        })
        .unwrap()
        // Invites go out at any hour of the test run; sending-hours tests configure their own.
        .with_sending_hours(any_hour());
        Arc::new(configure(app))
    }

    /// Moves both the sandbox's clock and ours.
    pub async fn advance(&self, minutes: i64) -> TestResult {
        reqwest::Client::new()
            .post(format!("{}/sandbox/clock", self.sandbox.base_url()))
            .json(&serde_json::json!({ "advanceSeconds": minutes * 60 }))
            .send()
            .await?
            .error_for_status()?;
        self.clock.advance(Duration::minutes(minutes));
        Ok(())
    }

    /// The sandbox's message log (every SMS and email "sent"), newest first.
    pub async fn messages(&self) -> TestResult<Vec<serde_json::Value>> {
        let json: serde_json::Value = reqwest::Client::new()
            .get(format!("{}/sandbox/messages", self.sandbox.base_url()))
            .header("Accept", "application/json")
            .send()
            .await?
            .json()
            .await?;
        Ok(json["messages"].as_array().cloned().unwrap_or_default())
    }

    pub async fn latest_code(&self) -> TestResult<String> {
        let messages = self.messages().await?;
        let body = messages
            .first()
            .and_then(|m| m["body"].as_str())
            .ok_or("no message")?;
        Ok(body
            .split(|c: char| !c.is_ascii_digit())
            .find(|w| w.len() == 6)
            .ok_or("no code in the message")?
            .to_owned())
    }

    /// Signs in the clinician without a second factor (one step) and returns their first list.
    pub async fn sign_in_without_code(&self, app: &ClinicianApp) -> TestResult<String> {
        let step = app
            .sign_in(
                huma_sandbox::NO_MFA_EMAIL,
                &Secret::new(huma_sandbox::DEMO_PASSWORD),
            )
            .await?;
        assert!(matches!(step, SignInStep::SignedIn { .. }), "{step:?}");
        Ok(app.patient_lists().await?.remove(0).id)
    }

    /// Signs the demo clinician in, through the SMS-code step.
    pub async fn sign_in_demo(&self, app: &ClinicianApp) -> TestResult {
        let demo = self.sandbox.demo();
        let step = app
            .sign_in(&demo.email, &Secret::new(demo.password.clone()))
            .await?;
        assert!(matches!(step, SignInStep::CodeRequired { .. }), "{step:?}");
        app.submit_code(&Secret::new(self.latest_code().await?))
            .await?;
        Ok(())
    }
}

/// Sending hours that never hold an invite.
pub fn any_hour() -> SendingHours {
    SendingHours {
        window: Window::parse("always").unwrap(),
        zone: parse_time_zone("UTC").unwrap(),
        hold_email: false,
    }
}

pub fn query(list_id: &str, search: &str) -> PatientQuery {
    PatientQuery {
        list_id: list_id.into(),
        search: search.into(),
        skip: 0,
        limit: 100,
    }
}
