//! The façade the desktop shell calls: one method per UI command. It owns the session, the secret
//! store and the signed-in clinician's database, and decides nothing about windows or IPC.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::{watch, Notify, RwLock};
use url::Url;

use crate::clock::Clock;
use crate::config::Resolved;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::huma::{ClientConfig, HumaClient};
use crate::invite::csv_import::{self, CsvRead};
use crate::invite::email::address_key;
use crate::invite::language::{Language, LanguageOption};
use crate::invite::sms_text::invite_text;
use crate::invite::types::{
    BatchOutcome, Channel, CsvPreview, CsvProgress, ImportRow, OutboxStatus, PreviewRow,
    RecipientWarning, SendReceipt, SmsCheck, SmsInviteDraft,
};
use crate::invite::{drafts, outcome, warnings};
use crate::patients;
use crate::policy::settings::{Layers, DEFAULT_PHONE_REGION};
use crate::secrets::{Secret, SecretStore};
use crate::sending_hours::SendingHours;
use crate::session::Auth;
use crate::store::NewInvite;
use crate::store::{self, AccountStore, StoreError};
use crate::sync::{self, DrainEnd};
use crate::ui_types::{
    AppInfo, BackendInfo, ConfigSource, DataSource, DemoAccount, PatientList, PatientPage,
    PatientQuery, SessionInfo, SignInStep,
};

/// The embedded demo sandbox, when the app runs on one.
#[derive(Debug, Clone)]
pub struct Demo {
    pub account: DemoAccount,
    pub messages_url: String,
}

pub struct AppSetup {
    pub version: String,
    pub data_dir: PathBuf,
    pub backend: Option<Resolved<Url>>,
    pub client_id: Option<String>,
    pub project_id: Option<String>,
    /// Policy `signUpLinkBase`, or the demo sandbox's sign-up page.
    pub sign_up_link_base: Option<Url>,
    pub demo: Option<Demo>,
    pub secrets: Arc<dyn SecretStore>,
    pub clock: Arc<dyn Clock>,
}

pub struct ClinicianApp {
    info: AppInfo,
    data_dir: PathBuf,
    /// Which backend's accounts this run sees: the URL, or [`DEMO_PARTITION`].
    partition: String,
    secrets: Arc<dyn SecretStore>,
    /// `None` when no backend is configured: the UI says so and offers nothing else.
    auth: Option<Auth>,
    store: RwLock<Option<AccountStore>>,
    /// The open account's folder and database key (for the lock screen and to rewrap the key).
    account: std::sync::Mutex<Option<store_open::OpenAccount>>,
    /// Patient data is refused until the clinician's password unlocks the app (idle lock, or a
    /// session resumed at start-up).
    locked: std::sync::atomic::AtomicBool,
    /// Policy `sessionResumeAllowed`: whether a restart may resume the last clinician's session.
    resume_allowed: bool,
    /// Lists being copied for offline use right now.
    caching: std::sync::Mutex<HashSet<String>>,
    clock: Arc<dyn Clock>,
    /// The sync task's view of the connection and the pause, its wake-up, and what it announces.
    sync: sync_task::SyncState,
    /// CSV files read for import (by import id, until sent) and the read under way.
    imports: imports::Imports,
    /// The settings the core applies (policy > the clinician's setting > default; changes apply
    /// at once).
    settings: std::sync::RwLock<CoreSettings>,
}

/// What the settings decide for the core: when invites may go out, and the country a number
/// written without `+` is read in.
#[derive(Debug, Clone, PartialEq)]
struct CoreSettings {
    sending_hours: SendingHours,
    phone_region: String,
}

impl Default for CoreSettings {
    fn default() -> Self {
        Self {
            sending_hours: SendingHours::default(),
            phone_region: DEFAULT_PHONE_REGION.to_owned(),
        }
    }
}

/// How often the outbox is looked at when nothing wakes the sync task.
const SYNC_PERIOD: std::time::Duration = std::time::Duration::from_secs(30);

/// The demo sandbox listens on a new port every run; its accounts are keyed by this name instead.
const DEMO_PARTITION: &str = "demo-sandbox";

/// How old a list's offline copy may get before opening the list refreshes it.
const CACHE_MAX_AGE: chrono::Duration = chrono::Duration::minutes(15);

mod imports;
mod invite_ops;
mod kept;
mod lock;
mod outbox_ops;
mod patient_ops;
mod pending_ops;
mod session_ops;
mod store_open;
mod sync_task;

impl ClinicianApp {
    pub fn new(setup: AppSetup) -> AppResult<Self> {
        let backend_info = BackendInfo {
            url: setup.backend.as_ref().map(|b| b.value.to_string()),
            source: match (&setup.demo, &setup.backend) {
                (Some(_), _) => ConfigSource::Demo,
                (None, Some(b)) => b.source,
                (None, None) => ConfigSource::Default,
            },
        };
        let partition = match (&setup.demo, &setup.backend) {
            (Some(_), _) => DEMO_PARTITION.to_owned(),
            (None, Some(b)) => b.value.to_string(),
            (None, None) => String::new(),
        };
        let auth = match setup.backend {
            Some(backend) => {
                let mut config = ClientConfig::new(backend.value);
                if let Some(id) = setup.client_id {
                    config.client_id = id;
                }
                if let Some(id) = setup.project_id {
                    config.project_id = id;
                }
                config.sign_up_link_base = setup.sign_up_link_base;
                let client =
                    HumaClient::new(config).map_err(|e| AppError::internal(e.to_string()))?;
                Some(Auth::new(
                    client,
                    setup.secrets.clone(),
                    setup.clock.clone(),
                    &partition,
                ))
            }
            None => None,
        };
        Ok(Self {
            info: AppInfo {
                version: setup.version,
                backend: backend_info,
                sandbox_messages_url: setup.demo.as_ref().map(|d| d.messages_url.clone()),
                demo: setup.demo.map(|d| d.account),
                idle_lock_minutes: crate::policy::settings::DEFAULT_IDLE_LOCK_MINUTES,
                policy_problems: Vec::new(),
            },
            data_dir: setup.data_dir,
            partition,
            secrets: setup.secrets,
            auth,
            store: RwLock::new(None),
            account: std::sync::Mutex::default(),
            locked: std::sync::atomic::AtomicBool::new(false),
            resume_allowed: true,
            caching: std::sync::Mutex::default(),
            sync: sync_task::SyncState::new(setup.clock.now()),
            clock: setup.clock,
            imports: imports::Imports::default(),
            settings: std::sync::RwLock::default(),
        })
    }

    /// What managed settings the UI must know (set by the shell from the policy read at start).
    pub fn with_managed_settings(
        mut self,
        idle_lock_minutes: u32,
        policy_problems: Vec<String>,
    ) -> Self {
        self.info.idle_lock_minutes = idle_lock_minutes;
        self.info.policy_problems = policy_problems;
        self
    }

    /// Policy `sessionResumeAllowed` (default true). When false nothing is kept in the keyring for
    /// a restart: no session, no database key; every start asks for the password.
    pub fn with_session_resume_allowed(mut self, allowed: bool) -> Self {
        self.resume_allowed = allowed;
        self.auth = self.auth.map(|auth| auth.keep_sessions(allowed));
        self
    }

    /// The settings as resolved from policy and the clinician's own (read at start).
    pub fn with_settings(self, layers: &Layers) -> Self {
        self.apply_settings(layers);
        self
    }

    /// Takes the settings the core applies from every level of them, after a change: the phone
    /// region for the next number read, the sending hours for invites queued from now on (rows
    /// already held keep their instant; "Send now" releases them).
    pub fn apply_settings(&self, layers: &Layers) {
        let mut settings = self.settings_mut();
        settings.sending_hours = layers.sending_hours();
        settings.phone_region = layers.phone_region();
    }

    /// Sending hours other than the settings' (default 08:00–20:00 Monday–Saturday in the
    /// computer's zone, SMS only): tests that need every hour open, or none.
    pub fn with_sending_hours(self, hours: SendingHours) -> Self {
        self.settings_mut().sending_hours = hours;
        self
    }

    fn settings_mut(&self) -> std::sync::RwLockWriteGuard<'_, CoreSettings> {
        self.settings.write().unwrap_or_else(|p| p.into_inner())
    }

    fn settings(&self) -> CoreSettings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn sending_hours(&self) -> SendingHours {
        self.settings().sending_hours
    }

    /// The country a number written without `+` is read in (setting `phoneRegion`, default GB).
    fn phone_region(&self) -> String {
        self.settings().phone_region
    }

    pub fn info(&self) -> AppInfo {
        self.info.clone()
    }

    fn auth(&self) -> AppResult<&Auth> {
        self.auth.as_ref().ok_or_else(|| {
            AppError::new(
                ErrorCode::NotConfigured,
                "No Huma server is configured for this computer. Please contact your IT team.",
            )
        })
    }

    /// The signed-in clinician's database, for anything that shows or changes patient data:
    /// refused while the app is locked.
    pub(super) async fn current_store(&self) -> AppResult<AccountStore> {
        self.ensure_unlocked()?;
        self.store_even_if_locked().await
    }

    /// The database for what goes on behind the lock screen: the sync task and the outbox counts.
    pub(super) async fn store_even_if_locked(&self) -> AppResult<AccountStore> {
        self.store
            .read()
            .await
            .clone()
            .ok_or_else(AppError::not_signed_in)
    }
}
