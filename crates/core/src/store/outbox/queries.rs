//! Reading the outbox: rows for the planner and the Outbox view, counts for the indicator, and
//! the last sync time.

use super::*;

impl AccountStore {
    /// Rows the sync task still has work for (queued or in flight), oldest first.
    pub fn active_rows(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE state IN ('queued', 'sending')
             ORDER BY created_at, id"
        ))?;
        let rows = stmt
            .query_map([], row_to_outbox)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    pub fn rows_in_state(&self, state: OutboxState) -> Result<Vec<OutboxRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE state = ?1 ORDER BY created_at, id"
        ))?;
        let rows = stmt
            .query_map([state.as_sql()], row_to_outbox)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    pub fn batch_rows(&self, batch_id: &str) -> Result<Vec<OutboxRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE batch_id = ?1 ORDER BY created_at, id"
        ))?;
        let rows = stmt
            .query_map([batch_id], row_to_outbox)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Every row of the outbox, discarded ones included (for tests and diagnostics).
    pub fn all_rows(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox ORDER BY created_at, id"
        ))?;
        let rows = stmt
            .query_map([], row_to_outbox)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The Outbox view: everything not sent (nor discarded), plus what was sent since `sent_since`.
    pub fn outbox_entries(&self, sent_since: DateTime<Utc>) -> Result<Vec<OutboxRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM outbox
             WHERE state IN ('queued', 'sending', 'rejected', 'needs_attention')
                OR (state = 'sent' AND updated_at >= ?1)
             ORDER BY created_at DESC, id DESC"
        ))?;
        let rows = stmt
            .query_map([ts(sent_since)], row_to_outbox)?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// Invites not yet settled: queued or being sent.
    pub fn waiting_count(&self) -> Result<u32, StoreError> {
        Ok(self.counts()?.waiting)
    }

    pub fn counts(&self) -> Result<OutboxCounts, StoreError> {
        Ok(self.conn().query_row(
            "SELECT coalesce(sum(state IN ('queued', 'sending')), 0),
                    coalesce(sum(state = 'needs_attention'), 0),
                    coalesce(sum(state = 'rejected'), 0)
             FROM outbox",
            [],
            |r| {
                Ok(OutboxCounts {
                    waiting: r.get(0)?,
                    needs_attention: r.get(1)?,
                    rejected: r.get(2)?,
                })
            },
        )?)
    }

    /// Server invitation ids already recorded against some row (one server invitation is never
    /// claimed by two rows during reconciliation).
    pub fn known_server_ids(&self, list_id: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT server_id FROM outbox WHERE list_id = ?1 AND kind = 'invite'
               AND server_id IS NOT NULL",
        )?;
        let ids = stmt
            .query_map([list_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(ids)
    }

    pub fn last_synced_at(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.meta_time(LAST_SYNCED)
    }

    pub fn set_last_synced_at(&self, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.set_meta_time(LAST_SYNCED, at)
    }

    /// Until when the server asked not to be sent anything (a rate limit), kept across restarts.
    pub fn server_busy_until(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.meta_time(SERVER_BUSY_UNTIL)
    }

    pub fn set_server_busy_until(&self, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.set_meta_time(SERVER_BUSY_UNTIL, at)
    }

    /// Since when the clinician has paused sending ("Pause sending" in the Outbox): kept across
    /// restarts until they resume, because they paused for a reason the app cannot see.
    pub fn sending_paused_since(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.meta_time(SENDING_PAUSED_SINCE)
    }

    /// Pauses sending from `since`, or resumes it (`None`).
    pub fn set_sending_paused(&self, since: Option<DateTime<Utc>>) -> Result<(), StoreError> {
        match since {
            Some(at) => self.set_meta_time(SENDING_PAUSED_SINCE, at),
            None => {
                self.conn().execute(
                    "DELETE FROM sync_meta WHERE key = ?1",
                    [SENDING_PAUSED_SINCE],
                )?;
                Ok(())
            }
        }
    }

    fn meta_time(&self, key: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT value FROM sync_meta WHERE key = ?1")?;
        let mut rows = stmt.query([key])?;
        Ok(match rows.next()? {
            Some(r) => time(Some(r.get(0)?)),
            None => None,
        })
    }

    fn set_meta_time(&self, key: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO sync_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, ts(at)],
        )?;
        Ok(())
    }
}
