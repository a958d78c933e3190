//! The façade the desktop shell calls: one method per UI command. It owns the session, the secret
//! store and the signed-in clinician's database, and decides nothing about windows or IPC.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use tokio::sync::RwLock;
use url::Url;

use crate::clock::Clock;
use crate::config::Resolved;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::huma::{ClientConfig, HumaClient};
use crate::patients;
use crate::secrets::{Secret, SecretError, SecretStore};
use crate::session::Auth;
use crate::store::{self, AccountStore, StoreError};
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
    /// Lists being copied for offline use right now.
    caching: std::sync::Mutex<HashSet<String>>,
}

/// The demo sandbox listens on a new port every run; its accounts are keyed by this name instead.
const DEMO_PARTITION: &str = "demo-sandbox";

/// How old a list's offline copy may get before opening the list refreshes it.
const CACHE_MAX_AGE: chrono::Duration = chrono::Duration::minutes(15);

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
                let client =
                    HumaClient::new(config).map_err(|e| AppError::internal(e.to_string()))?;
                Some(Auth::new(
                    client,
                    setup.secrets.clone(),
                    setup.clock,
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
            },
            data_dir: setup.data_dir,
            partition,
            secrets: setup.secrets,
            auth,
            store: RwLock::new(None),
            caching: std::sync::Mutex::default(),
        })
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

    pub async fn resume_session(&self) -> AppResult<Option<SessionInfo>> {
        let Some(auth) = &self.auth else {
            return Ok(None);
        };
        let session = auth.resume().await?;
        if let Some(session) = &session {
            self.open_store(&session.clinician.id).await?;
        }
        Ok(session)
    }

    pub async fn sign_in(&self, email: &str, password: &Secret) -> AppResult<SignInStep> {
        let step = self.auth()?.sign_in(email, password).await?;
        if let SignInStep::SignedIn { session } = &step {
            self.open_store(&session.clinician.id).await?;
        }
        Ok(step)
    }

    pub async fn submit_code(&self, code: &Secret) -> AppResult<SessionInfo> {
        let session = self.auth()?.submit_code(code).await?;
        self.open_store(&session.clinician.id).await?;
        Ok(session)
    }

    pub async fn sign_out(&self) -> AppResult<()> {
        // The database stays on disk (it will hold unsent invites); only the open handle is dropped.
        *self.store.write().await = None;
        self.auth()?.sign_out().await
    }

    pub async fn patient_lists(&self) -> AppResult<Vec<PatientList>> {
        let store = self.current_store().await?;
        patients::lists(self.auth()?, &store).await
    }

    /// A search; opening a list (first page, no search) also refreshes its offline copy when stale.
    pub async fn search_patients(self: &Arc<Self>, query: &PatientQuery) -> AppResult<PatientPage> {
        let store = self.current_store().await?;
        let page = patients::search(self.auth()?, &store, query).await?;
        if page.source == DataSource::Server && query.skip == 0 && query.search.trim().is_empty() {
            self.refresh_cache_in_background(&store, &query.list_id);
        }
        Ok(page)
    }

    fn refresh_cache_in_background(self: &Arc<Self>, store: &AccountStore, list_id: &str) {
        let fresh = store
            .list_synced_at(list_id)
            .ok()
            .flatten()
            .is_some_and(|at| Utc::now() - at < CACHE_MAX_AGE);
        let Ok(mut in_flight) = self.caching.lock() else {
            return;
        };
        if fresh || !in_flight.insert(list_id.to_owned()) {
            return;
        }
        drop(in_flight);
        let app = Arc::clone(self);
        let list_id = list_id.to_owned();
        tokio::spawn(async move {
            match app.cache_list(&list_id).await {
                Ok(count) => tracing::info!(count, "patient list copied for offline use"),
                Err(e) => tracing::info!(code = ?e.code, "patient list not copied for offline use"),
            }
            if let Ok(mut in_flight) = app.caching.lock() {
                in_flight.remove(&list_id);
            }
        });
    }

    /// Copies a whole list to this computer so it can be browsed offline; returns the patient count.
    pub async fn cache_list(&self, list_id: &str) -> AppResult<usize> {
        let store = self.current_store().await?;
        patients::cache_whole_list(self.auth()?, &store, list_id).await
    }

    async fn current_store(&self) -> AppResult<AccountStore> {
        self.store
            .read()
            .await
            .clone()
            .ok_or_else(AppError::not_signed_in)
    }

    /// One database per account on this computer: partitioned by backend and user id.
    async fn open_store(&self, uid: &str) -> AppResult<()> {
        let account = store::short_hash(&format!("{}\n{uid}", self.partition));
        let path = self
            .data_dir
            .join("accounts")
            .join(&account)
            .join("clinician.db");
        let store = open_account_store(self.secrets.as_ref(), &account, path)?;
        *self.store.write().await = Some(store);
        Ok(())
    }
}

/// The key lives in the keyring. No keyring: this run works on an in-memory database, and nothing
/// patient-related is written to disk unencrypted or with a key kept beside it.
fn open_account_store(
    secrets: &dyn SecretStore,
    account: &str,
    path: PathBuf,
) -> AppResult<AccountStore> {
    let key_name = format!("store-key:{account}");
    let key = match secrets.get(&key_name) {
        Ok(Some(key)) => key,
        Ok(None) => {
            let key = store::new_key();
            match secrets.set(&key_name, &key) {
                Ok(()) => key,
                Err(e) => return memory_store(&e),
            }
        }
        Err(e) => return memory_store(&e),
    };
    match AccountStore::open(&path, &key) {
        Err(StoreError::WrongKeyOrCorrupt) => {
            // Today the database is only a cache of server data: set the unreadable file aside
            // (never delete it) and start a fresh one.
            let aside =
                path.with_extension(format!("unreadable-{}", chrono::Utc::now().timestamp()));
            tracing::warn!("local database unreadable with the saved key; setting it aside");
            std::fs::rename(&path, &aside).map_err(StoreError::from)?;
            Ok(AccountStore::open(&path, &key)?)
        }
        other => Ok(other?),
    }
}

fn memory_store(e: &SecretError) -> AppResult<AccountStore> {
    tracing::warn!(error = %e, "keyring unavailable; this run's data stays in memory");
    Ok(AccountStore::open_in_memory()?)
}
