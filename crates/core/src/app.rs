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
use crate::invite::sms_text::invite_text;
use crate::invite::types::{
    BatchOutcome, Channel, CsvPreview, CsvProgress, ImportRow, OutboxStatus, RecipientWarning,
    SendReceipt, SmsCheck, SmsInviteDraft,
};
use crate::invites;
use crate::patients;
use crate::secrets::{Secret, SecretError, SecretStore};
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
    clock: Arc<dyn Clock>,
    /// Wakes the sync task (an invite was queued, the clinician signed in, "Sync now").
    sync_wakeup: Arc<Notify>,
    outbox: watch::Sender<OutboxStatus>,
    /// CSV files read for import, by import id, until sent (the newest few only).
    imports: std::sync::Mutex<Vec<(String, CsvRead)>>,
}

/// How many read CSV files are kept for their Send button.
const KEPT_IMPORTS: usize = 3;
/// How often the outbox is looked at when nothing wakes the sync task.
const SYNC_PERIOD: std::time::Duration = std::time::Duration::from_secs(30);

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
            },
            data_dir: setup.data_dir,
            partition,
            secrets: setup.secrets,
            auth,
            store: RwLock::new(None),
            caching: std::sync::Mutex::default(),
            clock: setup.clock,
            sync_wakeup: Arc::new(Notify::new()),
            outbox: watch::channel(OutboxStatus { waiting: 0 }).0,
            imports: std::sync::Mutex::default(),
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
        self.publish_outbox().await;
        self.sync_wakeup.notify_one();
        Ok(())
    }

    // ---- Invites ----

    async fn list_name(&self, store: &AccountStore, list_id: &str) -> AppResult<String> {
        store
            .lists()?
            .into_iter()
            .find(|l| l.id == list_id)
            .map(|l| l.name)
            .ok_or_else(|| AppError::invalid_input("Choose one of your patient lists first."))
    }

    async fn clinician_name(&self) -> AppResult<String> {
        let clinician = self
            .auth()?
            .clinician()
            .await
            .ok_or_else(AppError::not_signed_in)?;
        Ok(
            format!("{} {}", clinician.given_name, clinician.family_name)
                .trim()
                .to_owned(),
        )
    }

    /// The SMS invite form's Confirm: field errors, or the confirmation screen.
    pub async fn prepare_sms_invite(
        &self,
        draft: &SmsInviteDraft,
        region: &str,
    ) -> AppResult<SmsCheck> {
        let store = self.current_store().await?;
        let list_name = self.list_name(&store, &draft.list_id).await?;
        let clinician = self.clinician_name().await?;
        match invites::check_sms(draft, region, &clinician, &list_name) {
            Ok((invite, mut preview)) => {
                let recipient = invites::recipient_of(&invite).to_owned();
                preview.warnings =
                    invites::warnings(self.auth()?, &store, &draft.list_id, &[&recipient]).await?;
                Ok(SmsCheck::Ready { preview })
            }
            Err(errors) => Ok(SmsCheck::Invalid { errors }),
        }
    }

    /// Send SMS invite: validated again (the UI is not trusted), queued, returns at once.
    pub async fn send_sms_invite(
        &self,
        draft: &SmsInviteDraft,
        region: &str,
    ) -> AppResult<SendReceipt> {
        let store = self.current_store().await?;
        let list_name = self.list_name(&store, &draft.list_id).await?;
        let clinician = self.clinician_name().await?;
        let (invite, _) =
            invites::check_sms(draft, region, &clinician, &list_name).map_err(|errors| {
                let first = errors
                    .into_iter()
                    .next()
                    .map(|e| e.message)
                    .unwrap_or_default();
                AppError::invalid_input(first)
            })?;
        self.enqueue(&store, &draft.list_id, &[invite]).await
    }

    pub async fn check_email_invites(
        &self,
        list_id: &str,
        addresses: &[String],
    ) -> AppResult<Vec<RecipientWarning>> {
        let store = self.current_store().await?;
        self.list_name(&store, list_id).await?;
        let invites = invites::email_invites(addresses)?;
        let recipients: Vec<&str> = invites.iter().map(invites::recipient_of).collect();
        invites::warnings(self.auth()?, &store, list_id, &recipients).await
    }

    pub async fn send_email_invites(
        &self,
        list_id: &str,
        addresses: &[String],
    ) -> AppResult<SendReceipt> {
        let store = self.current_store().await?;
        self.list_name(&store, list_id).await?;
        let invites = invites::email_invites(addresses)?;
        self.enqueue(&store, list_id, &invites).await
    }

    /// Reads a CSV file for import (off the async threads: it may be large) and keeps it for Send.
    pub async fn import_csv(
        &self,
        list_id: &str,
        path: PathBuf,
        region: String,
        progress: impl FnMut(CsvProgress) + Send + 'static,
    ) -> AppResult<CsvPreview> {
        let store = self.current_store().await?;
        self.list_name(&store, list_id).await?;
        // The path comes from the UI (a dropped file): read only what can be a patient list.
        if !has_csv_extension(&path) {
            return Err(AppError::invalid_input(
                "Choose a CSV file (.csv, .tsv or .txt). Save spreadsheets as CSV first.",
            ));
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut progress = progress;
        let read = tokio::task::spawn_blocking(move || {
            csv_import::read_csv_file(&path, &region, &mut progress)
        })
        .await
        .map_err(|e| AppError::internal(format!("The import stopped unexpectedly: {e}")))?
        .map_err(|e| AppError::new(ErrorCode::InvalidInput, e.to_string()))?;
        let recipients: Vec<String> = read
            .accepted
            .iter()
            .map(|row| import_recipient(row).to_owned())
            .collect();
        let refs: Vec<&str> = recipients.iter().map(String::as_str).collect();
        let warnings = invites::warnings(self.auth()?, &store, list_id, &refs).await?;
        let import_id = uuid::Uuid::now_v7().to_string();
        let preview = CsvPreview {
            import_id: import_id.clone(),
            file_name,
            encoding: read.encoding.clone(),
            delimiter: read.delimiter.to_string(),
            has_header: read.has_header,
            accepted_count: read.accepted.len() as u32,
            rejected_count: read.rejected.len() as u32,
            accepted: read.accepted.iter().take(PREVIEW_ROWS).cloned().collect(),
            rejected: read.rejected.iter().take(PREVIEW_ROWS).cloned().collect(),
            warnings,
        };
        let mut imports = self.imports.lock().unwrap_or_else(|p| p.into_inner());
        imports.push((import_id, read));
        if imports.len() > KEPT_IMPORTS {
            imports.remove(0);
        }
        Ok(preview)
    }

    fn with_import<T>(&self, import_id: &str, f: impl FnOnce(&CsvRead) -> T) -> AppResult<T> {
        let imports = self.imports.lock().unwrap_or_else(|p| p.into_inner());
        imports
            .iter()
            .find(|(id, _)| id == import_id)
            .map(|(_, read)| f(read))
            .ok_or_else(|| {
                AppError::invalid_input("That import has expired. Choose the file again.")
            })
    }

    /// The rejected rows of an import as CSV, safe to open in a spreadsheet.
    pub fn csv_rejects(&self, import_id: &str) -> AppResult<String> {
        self.with_import(import_id, |read| csv_import::rejects_to_csv(&read.rejected))
    }

    /// Queues every accepted row of an import but those the clinician chose to skip.
    pub async fn send_import(
        &self,
        list_id: &str,
        import_id: &str,
        skip: &[String],
    ) -> AppResult<SendReceipt> {
        let store = self.current_store().await?;
        let list_name = self.list_name(&store, list_id).await?;
        let clinician = self.clinician_name().await?;
        let skip: HashSet<String> = skip.iter().map(|s| address_key(s)).collect();
        let invites = self.with_import(import_id, |read| {
            read.accepted
                .iter()
                .filter(|row| !skip.contains(&address_key(import_recipient(row))))
                .map(|row| NewInvite {
                    channel: row.channel,
                    invitee: row.invitee.clone(),
                    text: (row.channel == Channel::Sms)
                        .then(|| invite_text(&row.invitee.given_name, &clinician, &list_name)),
                })
                .collect::<Vec<_>>()
        })?;
        if invites.is_empty() {
            return Err(AppError::invalid_input(
                "There is nobody left to invite in this file.",
            ));
        }
        self.enqueue(&store, list_id, &invites).await
    }

    async fn enqueue(
        &self,
        store: &AccountStore,
        list_id: &str,
        invites: &[NewInvite],
    ) -> AppResult<SendReceipt> {
        let receipt = store.enqueue(list_id, invites, self.clock.now())?;
        tracing::info!(count = receipt.queued, "invites queued");
        self.publish_outbox().await;
        self.sync_wakeup.notify_one();
        Ok(receipt)
    }

    /// Waits up to `timeout` for a batch to be settled, then says where it stands.
    pub async fn await_batch(
        &self,
        batch_id: &str,
        timeout: std::time::Duration,
    ) -> AppResult<BatchOutcome> {
        let store = self.current_store().await?;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.outbox.subscribe();
        loop {
            let rows = store.batch_rows(batch_id)?;
            if rows.is_empty() {
                return Err(AppError::invalid_input("No such batch of invites."));
            }
            let outcome = invites::outcome(batch_id, &rows);
            if outcome.queued == 0 {
                return Ok(outcome);
            }
            // Woken by any outbox change, and at least every half second.
            let wait =
                tokio::time::timeout(std::time::Duration::from_millis(500), changes.changed());
            if tokio::time::timeout_at(deadline, wait).await.is_err() {
                return Ok(outcome);
            }
        }
    }

    pub async fn outbox_status(&self) -> AppResult<OutboxStatus> {
        let store = self.current_store().await?;
        Ok(OutboxStatus {
            waiting: store.waiting_count()?,
        })
    }

    /// Outbox counts as they change, for the indicator.
    pub fn subscribe_outbox(&self) -> watch::Receiver<OutboxStatus> {
        self.outbox.subscribe()
    }

    async fn publish_outbox(&self) {
        if let Ok(status) = self.outbox_status().await {
            self.outbox.send_replace(status);
        }
    }

    /// "Sync now".
    pub fn sync_now(&self) {
        self.sync_wakeup.notify_one();
    }

    /// The background sync task: drains the outbox whenever woken and every 30 s, backing off with
    /// jitter while the server is unreachable. Spawn it once on the app's async runtime.
    pub async fn run_sync(self: Arc<Self>) {
        let mut failures: u32 = 0;
        loop {
            let end = self.sync_once().await;
            self.publish_outbox().await;
            let pause = match end {
                Some(DrainEnd::Unavailable) => {
                    failures = failures.saturating_add(1);
                    backoff(failures)
                }
                _ => {
                    failures = 0;
                    SYNC_PERIOD
                }
            };
            tokio::select! {
                () = self.sync_wakeup.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    async fn sync_once(&self) -> Option<DrainEnd> {
        let store = self.store.read().await.clone()?;
        let auth = self.auth.as_ref()?;
        match sync::drain(auth, &store, self.clock.as_ref()).await {
            Ok(end) => Some(end),
            Err(e) => {
                tracing::error!(error = %e, "the outbox could not be updated");
                Some(DrainEnd::Unavailable)
            }
        }
    }
}

/// How many accepted CSV rows and rejects the preview shows (all of them are sent).
const PREVIEW_ROWS: usize = 200;

fn has_csv_extension(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        ["csv", "tsv", "txt"]
            .iter()
            .any(|ok| e.eq_ignore_ascii_case(ok))
    })
}

fn import_recipient(row: &ImportRow) -> &str {
    match row.channel {
        Channel::Sms => row.invitee.phone.as_deref().unwrap_or_default(),
        Channel::Email => row.invitee.email.as_deref().unwrap_or_default(),
    }
}

/// Exponential backoff with full jitter: a random pause up to 2^n seconds, at most 5 minutes.
fn backoff(failures: u32) -> std::time::Duration {
    let cap_ms = 1_000u64.saturating_mul(1 << failures.min(8)).min(300_000);
    std::time::Duration::from_millis(rand::random_range(100..=cap_ms))
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
