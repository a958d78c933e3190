//! The sync engine's moves of a row: claimed (`sending`) before its request, settled after it
//! (`sent`, `rejected`, `needs_attention`, or back to `queued` for later): a request's rows are
//! claimed in one commit and settled in one.

use super::*;

const SET_STATE: &str =
    "UPDATE outbox SET state = ?2, reason = ?3, server_id = coalesce(?4, server_id),
                       next_attempt_at = NULL, updated_at = ?5 WHERE id = ?1";
const NOTE_UNKNOWN: &str =
    "UPDATE outbox SET reason = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'sending'";

/// What became of one row of a request the server answered, for [`AccountStore::settle_rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome<'a> {
    /// The server has the invite: its invitation's id.
    Sent(&'a str),
    /// Done with no invitation to record, and why (see [`AccountStore::mark_sent_with_note`]).
    SentWithNote(&'a str),
    Rejected(&'a str),
    /// Sent, but whose invitation is whose is not known yet: stays in flight, with this reason.
    Unconfirmed(&'a str),
}

impl AccountStore {
    /// Marks the given queued rows `sending` (committed BEFORE the request goes out, so a crash
    /// leaves them visibly in flight) and returns those it claimed, in the order given.
    /// `sends_before` records, per row, a resend's send count read just before the attempt.
    pub fn claim(
        &self,
        rows: &[OutboxRow],
        sends_before: &[Option<u32>],
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let at = ts(now);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut claimed = Vec::with_capacity(rows.len());
        for (i, row) in rows.iter().enumerate() {
            let before = sends_before.get(i).copied().flatten();
            let changed = tx.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, last_attempt_at = ?2,
                                   updated_at = ?2, sends_before = ?3
                 WHERE id = ?1 AND state = 'queued'",
                params![row.id, at, before],
            )?;
            if changed == 1 {
                let mut r = row.clone();
                r.state = OutboxState::Sending;
                r.attempts += 1;
                r.last_attempt_at = Some(now);
                r.sends_before = before;
                claimed.push(r);
            }
        }
        tx.commit()?;
        Ok(claimed)
    }

    fn set_state(
        &self,
        id: &str,
        state: OutboxState,
        reason: Option<&str>,
        server_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            SET_STATE,
            params![id, state.as_sql(), reason, server_id, ts(now)],
        )?;
        Ok(())
    }

    /// Records what became of a request's rows in one commit: one wait for the disk per request
    /// instead of one per row (50 for a batch of email invites).
    pub fn settle_rows(
        &self,
        outcomes: &[(&str, RowOutcome<'_>)],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = ts(now);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut set = tx.prepare_cached(SET_STATE)?;
            let mut note = tx.prepare_cached(NOTE_UNKNOWN)?;
            let sent = OutboxState::Sent.as_sql();
            for (id, outcome) in outcomes {
                match *outcome {
                    RowOutcome::Sent(server_id) => {
                        set.execute(params![id, sent, None::<&str>, Some(server_id), at])?
                    }
                    RowOutcome::SentWithNote(why) => {
                        set.execute(params![id, sent, Some(why), None::<&str>, at])?
                    }
                    RowOutcome::Rejected(why) => set.execute(params![
                        id,
                        OutboxState::Rejected.as_sql(),
                        Some(why),
                        None::<&str>,
                        at
                    ])?,
                    RowOutcome::Unconfirmed(why) => note.execute(params![id, why, at])?,
                };
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Done: the server has the invite (`server_id`), or the resend / revoke took effect.
    pub fn mark_sent(
        &self,
        id: &str,
        server_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_state(id, OutboxState::Sent, None, server_id, now)
    }

    /// Done with no server invitation to record, saying why in the Outbox view (an existing Huma
    /// user given the list's role directly).
    pub fn mark_sent_with_note(
        &self,
        id: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_state(id, OutboxState::Sent, Some(note), None, now)
    }

    pub fn mark_rejected(
        &self,
        id: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_state(id, OutboxState::Rejected, Some(reason), None, now)
    }

    pub fn mark_needs_attention(
        &self,
        id: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_state(id, OutboxState::NeedsAttention, Some(reason), None, now)
    }

    /// Back to `queued` at once: the request certainly did not reach the server (no connection, or
    /// a session to sign in to), so the attempt does not count.
    pub fn release(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE outbox SET state = 'queued', attempts = max(attempts - 1, 0),
                               updated_at = ?2 WHERE id = ?1 AND state = 'sending'",
            params![id, ts(now)],
        )?;
        Ok(())
    }

    /// Back to `queued`, not before `next`, the attempt not counted: the server's rate limit turned
    /// the request away unread (429), so it was no attempt at all.
    pub fn turned_away(
        &self,
        id: &str,
        reason: &str,
        next: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.requeue(id, reason, next, now, 1)
    }

    /// Back to `queued`, not before `next`: the server failed; `reason` says how, for the Outbox view.
    pub fn retry_later(
        &self,
        id: &str,
        reason: &str,
        next: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.requeue(id, reason, next, now, 0)
    }

    /// Back to `queued` with `reason`, not before `next`, taking back `uncounted` attempts.
    fn requeue(
        &self,
        id: &str,
        reason: &str,
        next: DateTime<Utc>,
        now: DateTime<Utc>,
        uncounted: u32,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE outbox SET state = 'queued', attempts = max(attempts - ?5, 0), reason = ?2,
                               next_attempt_at = ?3, updated_at = ?4
             WHERE id = ?1",
            params![id, reason, ts(next), ts(now), uncounted],
        )?;
        Ok(())
    }

    /// Notes why a row in flight is waiting (its outcome is being confirmed), keeping it `sending`.
    pub fn note_unknown(
        &self,
        id: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn()
            .execute(NOTE_UNKNOWN, params![id, reason, ts(now)])?;
        Ok(())
    }
}
