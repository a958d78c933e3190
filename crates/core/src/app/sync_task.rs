//! The outbox indicator and the background sync task.

use chrono::DateTime;
use tokio::sync::broadcast;

use super::*;
use crate::sync::progress::{self, SendRun};
use crate::sync::{Connection, DrainReport, PauseReason};

/// What the sync task knows beyond the database (the connection as of the last exchange, whether
/// the queue waits for a sign-in, since when queued invites have been held back), what wakes it,
/// and what it announces.
pub(super) struct SyncState {
    facts: std::sync::Mutex<SyncFacts>,
    /// Wakes the sync task (an invite was queued, the clinician signed in, "Sync now").
    wakeup: Notify,
    /// The outbox counts, for the indicator.
    outbox: watch::Sender<OutboxStatus>,
    /// One drain at a time (the task, "Sync now" and tests may all ask).
    draining: tokio::sync::Mutex<()>,
    /// Invites that went out after the app had been offline or paused (native notification).
    delivered: broadcast::Sender<u32>,
}

struct SyncFacts {
    connection: Connection,
    /// The last drain found no usable session: queued invites wait for a sign-in.
    waiting_for_sign_in: bool,
    /// Invites created up to this moment were held back (offline, paused, or queued in an earlier
    /// run); when they go out the clinician is told. `None` once a drain went through.
    held_since: Option<DateTime<Utc>>,
    /// The send under way: from the moment invites wait until none do.
    send: Option<SendRun>,
}

impl SyncState {
    /// At start-up: the queue counts as held from `now` until the first exchange.
    pub(super) fn new(now: DateTime<Utc>) -> Self {
        Self {
            facts: std::sync::Mutex::new(SyncFacts {
                connection: Connection::Unknown,
                waiting_for_sign_in: false,
                held_since: Some(now),
                send: None,
            }),
            wakeup: Notify::new(),
            outbox: watch::channel(OutboxStatus::default()).0,
            draining: tokio::sync::Mutex::new(()),
            delivered: broadcast::channel(8).0,
        }
    }

    /// Looks at the outbox now rather than at the next tick.
    pub(super) fn wake(&self) {
        self.wakeup.notify_one();
    }
}

impl SyncState {
    fn facts(&self) -> std::sync::MutexGuard<'_, SyncFacts> {
        self.facts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl ClinicianApp {
    /// Waits up to `timeout` for a batch to be settled (or held for the sending hours), then says
    /// where it stands.
    pub async fn await_batch(
        &self,
        batch_id: &str,
        timeout: std::time::Duration,
    ) -> AppResult<BatchOutcome> {
        let store = self.current_store().await?;
        let deadline = tokio::time::Instant::now() + timeout;
        let mut changes = self.sync.outbox.subscribe();
        loop {
            let rows = store.batch_rows(batch_id)?;
            if rows.is_empty() {
                return Err(AppError::invalid_input("No such batch of invites."));
            }
            let paused = store.sending_paused_since()?.is_some();
            let outcome = outcome::of_batch(
                batch_id,
                &rows,
                &self.sending_hours(),
                self.clock.now(),
                paused,
            );
            // Settled, or nothing more will happen before the sending hours open or the clinician
            // resumes sending.
            if outcome.queued == outcome.held || paused {
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
        // Counts only: the indicator keeps going behind the lock screen.
        let store = self.store_even_if_locked().await?;
        let counts = store.counts()?;
        let by_clinician = store.sending_paused_since()?.is_some();
        let now = self.clock.now();
        let (connection, paused, progress) = {
            let mut facts = self.sync.facts();
            // A send begins when invites wait and ends when none do.
            if counts.waiting == 0 {
                facts.send = None;
            } else if facts.send.is_none() {
                facts.send = Some(SendRun::new());
            }
            if let Some(send) = facts.send.as_mut() {
                send.set_paused(by_clinician);
            }
            let progress = facts
                .send
                .as_ref()
                .and_then(|send| progress::progress(send, counts.waiting, now));
            // The clinician's pause first: signing in would not send anything while it holds.
            let paused = if by_clinician {
                Some(PauseReason::ByClinician)
            } else {
                (facts.waiting_for_sign_in && counts.waiting > 0)
                    .then_some(PauseReason::SignInRequired)
            };
            (facts.connection, paused, progress)
        };
        Ok(OutboxStatus {
            waiting: counts.waiting,
            needs_attention: counts.needs_attention,
            rejected: counts.rejected,
            connection,
            paused,
            last_synced_at: store.last_synced_at()?.map(crate::sync::status::rfc3339),
            progress,
        })
    }

    /// Outbox counts as they change, for the indicator.
    pub fn subscribe_outbox(&self) -> watch::Receiver<OutboxStatus> {
        self.sync.outbox.subscribe()
    }

    /// How many queued invites went out after the app had been offline, paused for a sign-in, or
    /// restarted with a queue: one message per drain that delivered some (for a native notification).
    pub fn subscribe_deliveries(&self) -> broadcast::Receiver<u32> {
        self.sync.delivered.subscribe()
    }

    pub(super) async fn publish_outbox(&self) {
        if let Ok(status) = self.outbox_status().await {
            self.sync.outbox.send_replace(status);
        }
    }

    /// "Sync now".
    pub fn sync_now(&self) {
        self.sync.wake();
    }

    /// The shell saw the network come or go: look at the outbox now rather than at the next tick.
    pub fn connectivity_changed(&self) {
        self.sync.wake();
    }

    /// Keeps the indicator's online/offline current from every exchange with the server (patient
    /// lists and sign-in too, not only sync), and drains the outbox as soon as the server answers
    /// again after being out of reach.
    fn follow_server_contact(self: &Arc<Self>) {
        let Some(auth) = &self.auth else {
            return;
        };
        let mut contact = auth.client().watch_contact();
        let app = Arc::clone(self);
        tokio::spawn(async move {
            // The current value first: sign-in may have reached the server before this task began.
            loop {
                let reached = *contact.borrow_and_update();
                if let Some(reached) = reached {
                    app.note_connection(reached).await;
                }
                if contact.changed().await.is_err() {
                    break;
                }
            }
        });
    }

    async fn note_connection(&self, reached: bool) {
        let connection = if reached {
            Connection::Online
        } else {
            Connection::Offline
        };
        let was = std::mem::replace(&mut self.sync.facts().connection, connection);
        self.publish_outbox().await;
        if reached && was != Connection::Online {
            self.connectivity_changed();
        }
    }

    /// The background sync task: drains the outbox at start (rows left `sending` by a crash are
    /// reconciled first), whenever woken (enqueue, sign-in, "Sync now", connectivity), when the next
    /// row falls due, and every 30 s; backing off with full jitter while the server is out of reach
    /// or failing. Spawn it once on the app's async runtime.
    pub async fn run_sync(self: Arc<Self>) {
        self.follow_server_contact();
        let mut failures: u32 = 0;
        loop {
            let pause = match self.sync_pass().await {
                Ok(report) => match report.end {
                    DrainEnd::Idle if report.connection.is_none() => {
                        failures = 0;
                        self.probe_when_out_of_touch().await;
                        self.until_next_due().await.unwrap_or(SYNC_PERIOD)
                    }
                    DrainEnd::Offline | DrainEnd::ServerTrouble => {
                        failures = failures.saturating_add(1);
                        // A rate limit says when: no sooner (nor much later) than that.
                        match report.busy_until {
                            Some(until) => self.until(until),
                            None => backoff(failures),
                        }
                    }
                    // Woken by the sign-in, or by "Resume sending".
                    DrainEnd::SignedOut | DrainEnd::Paused => {
                        failures = 0;
                        SYNC_PERIOD
                    }
                    DrainEnd::Idle => {
                        failures = 0;
                        self.until_next_due().await.unwrap_or(SYNC_PERIOD)
                    }
                },
                Err(_) => SYNC_PERIOD,
            };
            tokio::select! {
                () = self.sync.wakeup.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// With nothing to send, nothing else may talk to the server for a long time: while it is
    /// known (or not yet known) to be out of reach, ask it directly, so that the indicator and the
    /// offline banner follow the network coming back. `follow_server_contact` does the rest.
    async fn probe_when_out_of_touch(&self) {
        if self.sync.facts().connection == Connection::Online {
            return;
        }
        if let Some(auth) = &self.auth {
            auth.client().probe().await;
        }
    }

    /// How long until `at` on the app's clock (at least a moment, at most the sync period).
    fn until(&self, at: DateTime<Utc>) -> std::time::Duration {
        let wait = (at - self.clock.now()).to_std().unwrap_or_default();
        wait.clamp(std::time::Duration::from_millis(200), SYNC_PERIOD)
    }

    /// How long until the next queued row is due, at most the sync period.
    async fn until_next_due(&self) -> Option<std::time::Duration> {
        let store = self.store.read().await.clone()?;
        let next = crate::sync::plan::next_due(&store.active_rows().ok()?)?;
        Some(self.until(next))
    }

    /// Waits for a running sync pass to finish and keeps the next one from starting while held.
    /// Whoever changes who is signed in holds it, so a pass never sends one clinician's queue with
    /// another clinician's token (shared computers).
    pub(super) async fn hold_sync(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.sync.draining.lock().await
    }

    /// One drain of the signed-in clinician's outbox, with the indicator and the delivery
    /// announcement brought up to date. Used by the sync task; callable directly (tests, tools).
    pub async fn sync_pass(&self) -> AppResult<DrainReport> {
        let _one_at_a_time = self.sync.draining.lock().await;
        // Queued invites keep going out while the app is locked.
        let store = self.store_even_if_locked().await?;
        let auth = self.auth()?;
        let report = match sync::drain(auth, &store, self.clock.as_ref()).await {
            Ok(report) => report,
            Err(e) => {
                tracing::error!(error = %e, "the outbox could not be updated");
                self.publish_outbox().await;
                return Err(e.into());
            }
        };
        // The connection first: a status read between the two must not show a sync time beside
        // a connection not yet known.
        if let Some(connection) = report.connection {
            self.sync.facts().connection = connection;
        }
        // Nothing exchanged because nothing waits, and the server answers: in sync as of now.
        let in_sync = || {
            report.end == DrainEnd::Idle
                && self.sync.facts().connection == Connection::Online
                && store.counts().is_ok_and(|c| c.waiting == 0)
        };
        let synced_at = report
            .synced_at
            .or_else(|| in_sync().then(|| self.clock.now()));
        if let Some(at) = synced_at {
            if let Err(e) = store.set_last_synced_at(at) {
                tracing::warn!(error = %e, "the last sync time could not be saved");
            }
        }
        let delivered = {
            let mut facts = self.sync.facts();
            let send = facts.send.get_or_insert_with(SendRun::new);
            send.sent(report.invites_sent_created.len() as u32, self.clock.now());
            if report.busy_until.is_some() {
                send.slowed();
            }
            if matches!(
                report.end,
                DrainEnd::Offline | DrainEnd::SignedOut | DrainEnd::Paused
            ) {
                send.stalled();
            }
            let delivered = facts.held_since.map_or(0, |since| {
                report
                    .invites_sent_created
                    .iter()
                    .filter(|created| **created <= since)
                    .count() as u32
            });
            match report.end {
                DrainEnd::SignedOut => {
                    facts.waiting_for_sign_in = true;
                    facts.held_since.get_or_insert(self.clock.now());
                }
                DrainEnd::Offline | DrainEnd::Paused => {
                    facts.waiting_for_sign_in = false;
                    facts.held_since.get_or_insert(self.clock.now());
                }
                DrainEnd::ServerTrouble => facts.waiting_for_sign_in = false,
                DrainEnd::Idle => {
                    facts.waiting_for_sign_in = false;
                    facts.held_since = None;
                }
            }
            delivered
        };
        if delivered > 0 {
            tracing::info!(count = delivered, "queued invites sent after being offline");
            let _ = self.sync.delivered.send(delivered);
        }
        self.publish_outbox().await;
        Ok(report)
    }
}

/// Exponential backoff with full jitter for the task as a whole: a random pause up to 2^n seconds,
/// at most 60 s (short enough that a clinic coming back online is noticed within a minute).
fn backoff(failures: u32) -> std::time::Duration {
    let cap_ms = 1_000u64.saturating_mul(1 << failures.min(8)).min(60_000);
    std::time::Duration::from_millis(rand::random_range(100..=cap_ms))
}
