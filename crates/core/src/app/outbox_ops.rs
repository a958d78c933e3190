//! The Outbox view's commands (Retry, Discard, Send now, Pause and Resume sending), and resend /
//! revoke of server invitations through the outbox.

use super::*;
use crate::store::{InvitationRef, RowKind};
use crate::sync::OutboxEntry;

/// Sent rows stay in the Outbox view this long.
const SENT_SHOWN_FOR: chrono::Duration = chrono::Duration::hours(24);
/// Ids per Retry / Discard call (the view acts on a selection).
const MAX_IDS: usize = 1_000;

fn check_ids(ids: &[String]) -> AppResult<()> {
    if ids.len() > MAX_IDS {
        return Err(AppError::invalid_input(format!(
            "Choose at most {MAX_IDS} rows at a time."
        )));
    }
    Ok(())
}

impl ClinicianApp {
    /// Everything not sent, plus what was sent in the last 24 hours, newest first.
    pub async fn outbox_entries(&self) -> AppResult<Vec<OutboxEntry>> {
        let store = self.current_store().await?;
        let now = self.clock.now();
        let rows = store.outbox_entries(now - SENT_SHOWN_FOR)?;
        let hours = self.sending_hours();
        Ok(rows
            .iter()
            .map(|row| OutboxEntry {
                will_send: row.held_until(now).map(|at| hours.will_send(at, now)),
                ..OutboxEntry::from(row)
            })
            .collect())
    }

    /// "Pause sending": nothing queued goes to Huma (invites, resends, revokes) until
    /// `resume_sending`, in this run and after a restart; what is sent meanwhile is queued. A
    /// request already under way completes, and invites in flight are still looked up.
    pub async fn pause_sending(&self) -> AppResult<()> {
        let store = self.current_store().await?;
        if store.sending_paused_since()?.is_none() {
            store.set_sending_paused(Some(self.clock.now()))?;
            tracing::info!("sending paused by the clinician");
        }
        self.publish_outbox().await;
        Ok(())
    }

    /// "Resume sending": the queue goes out again, starting now.
    pub async fn resume_sending(&self) -> AppResult<()> {
        let store = self.current_store().await?;
        if store.sending_paused_since()?.is_some() {
            store.set_sending_paused(None)?;
            tracing::info!("sending resumed by the clinician");
        }
        self.outbox_changed().await;
        Ok(())
    }

    /// "Send now" for invites held for the sending hours: they go at once. Returns how many were
    /// released.
    pub async fn send_outbox_now(&self, ids: &[String]) -> AppResult<u32> {
        check_ids(ids)?;
        let store = self.current_store().await?;
        let changed = store.release_holds(ids, self.clock.now())?;
        tracing::info!(count = changed, "held invites sent now by the clinician");
        self.outbox_changed().await;
        Ok(changed)
    }

    /// "Send now" on the notice after Send: every held invite of that batch goes at once.
    pub async fn send_batch_now(&self, batch_id: &str) -> AppResult<u32> {
        let store = self.current_store().await?;
        let rows = store.batch_rows(batch_id)?;
        if rows.is_empty() {
            return Err(AppError::invalid_input("No such batch of invites."));
        }
        let ids: Vec<String> = rows.into_iter().map(|r| r.id).collect();
        let changed = store.release_holds(&ids, self.clock.now())?;
        tracing::info!(count = changed, "held invites sent now by the clinician");
        self.outbox_changed().await;
        Ok(changed)
    }

    /// Retry by hand: the rows go back to the queue, due now, with a fresh give-up deadline.
    pub async fn retry_outbox(&self, ids: &[String]) -> AppResult<u32> {
        check_ids(ids)?;
        let store = self.current_store().await?;
        let changed = store.retry_rows(ids, self.clock.now())?;
        self.outbox_changed().await;
        Ok(changed)
    }

    /// Discard by hand (queued, rejected or needs-attention rows; a row being sent cannot be, as the
    /// server may already have it).
    pub async fn discard_outbox(&self, ids: &[String]) -> AppResult<u32> {
        check_ids(ids)?;
        let store = self.current_store().await?;
        let changed = store.discard_rows(ids, self.clock.now())?;
        tracing::info!(count = changed, "outbox rows discarded by the clinician");
        self.publish_outbox().await;
        Ok(changed)
    }

    /// The sign-out dialog's explicit "discard N unsent invites" for the signed-in account.
    pub async fn discard_unsent(&self) -> AppResult<u32> {
        let store = self.current_store().await?;
        let changed = store.discard_unsent(self.clock.now())?;
        tracing::info!(
            count = changed,
            "unsent outbox rows discarded before sign-out"
        );
        self.publish_outbox().await;
        Ok(changed)
    }

    /// Queues resends of server invitations on `list_id` (works offline; each goes out once, with
    /// the invitation's own code looked up when it is sent). An invitation with a resend already
    /// waiting is not queued again. Returns how many were queued.
    pub async fn queue_resend(
        &self,
        list_id: &str,
        invitations: &[InvitationRef],
    ) -> AppResult<u32> {
        self.queue_action(list_id, RowKind::Resend, invitations)
            .await
    }

    /// Queues revokes of server invitations on `list_id` (works offline; an invitation already
    /// gone counts as revoked). Returns how many were queued.
    pub async fn queue_revoke(
        &self,
        list_id: &str,
        invitations: &[InvitationRef],
    ) -> AppResult<u32> {
        self.queue_action(list_id, RowKind::Revoke, invitations)
            .await
    }

    async fn queue_action(
        &self,
        list_id: &str,
        kind: RowKind,
        invitations: &[InvitationRef],
    ) -> AppResult<u32> {
        check_ids(&invitations.iter().map(|i| i.id.clone()).collect::<Vec<_>>())?;
        if list_id.trim().is_empty() || invitations.iter().any(|i| i.id.trim().is_empty()) {
            return Err(AppError::invalid_input(
                "Choose invitations from a patient list.",
            ));
        }
        let store = self.current_store().await?;
        let queued = store.enqueue_actions(list_id, kind, invitations, self.clock.now())?;
        tracing::info!(count = queued, kind = ?kind, "invitation actions queued");
        self.outbox_changed().await;
        Ok(queued)
    }

    async fn outbox_changed(&self) {
        self.publish_outbox().await;
        self.sync.wake();
    }
}
