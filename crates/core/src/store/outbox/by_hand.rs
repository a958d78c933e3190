//! What the clinician does from the Outbox view: retry, send now (before the sending hours open) or
//! discard rows, or discard everything unsent at sign-out.

use super::*;

impl AccountStore {
    /// Rows the clinician may act on in the Outbox view: the given ids in one of `states`.
    fn update_ids(
        &self,
        ids: &[String],
        states: &[OutboxState],
        set: &str,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        self.update_ids_where(ids, states, "1", set, now)
    }

    /// As [`Self::update_ids`], only rows that also meet `condition` (our own SQL, never input).
    fn update_ids_where(
        &self,
        ids: &[String],
        states: &[OutboxState],
        condition: &str,
        set: &str,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let id_marks = vec!["?"; ids.len()].join(", ");
        let state_list = states
            .iter()
            .map(|s| format!("'{}'", s.as_sql()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE outbox SET {set}, updated_at = ?1
             WHERE state IN ({state_list}) AND ({condition}) AND id IN ({id_marks})"
        );
        let at = ts(now);
        let values = std::iter::once(at.as_str()).chain(ids.iter().map(String::as_str));
        Ok(self.conn().execute(&sql, params_from_iter(values))? as u32)
    }

    /// Retry by hand: rejected, needs-attention or waiting rows go back to `queued`, due now, with
    /// a fresh give-up deadline. Returns how many rows changed.
    pub fn retry_rows(&self, ids: &[String], now: DateTime<Utc>) -> Result<u32, StoreError> {
        let deadline = ts(now + GIVE_UP_AFTER);
        // The deadline is a constant of this call, so it is inlined as a literal (it is our own
        // RFC 3339 text: no quoting issue).
        self.update_ids(
            ids,
            &[
                OutboxState::Queued,
                OutboxState::Rejected,
                OutboxState::NeedsAttention,
            ],
            &format!(
                "state = 'queued', reason = NULL, next_attempt_at = NULL, deadline_at = '{deadline}'"
            ),
            now,
        )
    }

    /// "Send now": queued rows held for the clinic's sending hours may go at once. Returns how
    /// many rows changed.
    pub fn release_holds(&self, ids: &[String], now: DateTime<Utc>) -> Result<u32, StoreError> {
        self.update_ids_where(
            ids,
            &[OutboxState::Queued],
            "send_after IS NOT NULL",
            "send_after = NULL",
            now,
        )
    }

    /// Discard by hand. Rows `sending` are not discardable: the server may already have them.
    pub fn discard_rows(&self, ids: &[String], now: DateTime<Utc>) -> Result<u32, StoreError> {
        self.update_ids(
            ids,
            &[
                OutboxState::Queued,
                OutboxState::Rejected,
                OutboxState::NeedsAttention,
            ],
            "state = 'discarded', next_attempt_at = NULL",
            now,
        )
    }

    /// The sign-out dialog's explicit discard: every unsent row but those in flight.
    pub fn discard_unsent(&self, now: DateTime<Utc>) -> Result<u32, StoreError> {
        Ok(self.conn().execute(
            "UPDATE outbox SET state = 'discarded', next_attempt_at = NULL, updated_at = ?1
             WHERE state IN ('queued', 'rejected', 'needs_attention')",
            [ts(now)],
        )? as u32)
    }
}
