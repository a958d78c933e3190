//! The outbox's counts and the background sync task.

use super::*;

impl ClinicianApp {
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

    pub(super) async fn publish_outbox(&self) {
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

/// Exponential backoff with full jitter: a random pause up to 2^n seconds, at most 5 minutes.
fn backoff(failures: u32) -> std::time::Duration {
    let cap_ms = 1_000u64.saturating_mul(1 << failures.min(8)).min(300_000);
    std::time::Duration::from_millis(rand::random_range(100..=cap_ms))
}
