//! The outbox table: invites (and resends and revokes of server invitations) written in one
//! transaction on Send, then moved through `queued → sending → sent | rejected | needs_attention` by
//! the sync task, one committed update per transition. The clinician can retry or discard by hand.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{params, params_from_iter, Row};

use super::{AccountStore, StoreError};
use crate::invite::types::{Channel, Invitee, SendReceipt};

/// How long a row may keep failing against a reachable server before it needs the clinician.
pub const GIVE_UP_AFTER: Duration = Duration::hours(72);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Queued,
    Sending,
    Sent,
    Rejected,
    NeedsAttention,
    Discarded,
}

impl OutboxState {
    fn as_sql(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Rejected => "rejected",
            OutboxState::NeedsAttention => "needs_attention",
            OutboxState::Discarded => "discarded",
        }
    }

    fn from_sql(s: &str) -> Self {
        match s {
            "queued" => OutboxState::Queued,
            "sending" => OutboxState::Sending,
            "sent" => OutboxState::Sent,
            "rejected" => OutboxState::Rejected,
            "discarded" => OutboxState::Discarded,
            _ => OutboxState::NeedsAttention,
        }
    }
}

/// What a row asks of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RowKind {
    Invite,
    Resend,
    Revoke,
}

impl RowKind {
    fn as_sql(self) -> &'static str {
        match self {
            RowKind::Invite => "invite",
            RowKind::Resend => "resend",
            RowKind::Revoke => "revoke",
        }
    }

    fn from_sql(s: &str) -> Self {
        match s {
            "resend" => RowKind::Resend,
            "revoke" => RowKind::Revoke,
            _ => RowKind::Invite,
        }
    }
}

pub fn channel_sql(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "sms",
        Channel::Email => "email",
    }
}

fn channel_from_sql(s: &str) -> Channel {
    if s == "sms" {
        Channel::Sms
    } else {
        Channel::Email
    }
}

/// One invite as the clinician confirmed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvite {
    pub channel: Channel,
    pub invitee: Invitee,
    /// SMS only: the exact text from the confirmation screen (the server appends the link).
    pub text: Option<String>,
}

/// A server invitation the clinician chose to resend or revoke. The invitation's code is not kept:
/// a resend looks it up when it goes out, so no secret waits on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationRef {
    /// The server's invitation id.
    pub id: String,
    pub channel: Channel,
    /// E.164 phone or email, as the pending list shows it.
    pub recipient: String,
    /// "Given Family" (may be empty), for the Outbox view.
    pub patient_name: String,
}

/// Invites that can go out in one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendGroup {
    pub list_id: String,
    pub channel: Channel,
    pub text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: String,
    pub batch_id: String,
    pub kind: RowKind,
    pub list_id: String,
    pub channel: Channel,
    pub invitee: Invitee,
    pub text: Option<String>,
    /// Resend / revoke: the server invitation acted on.
    pub invitation_id: Option<String>,
    /// Resend: the invitation's send count read just before the attempt (for reconciliation).
    pub sends_before: Option<u32>,
    pub state: OutboxState,
    pub reason: Option<String>,
    pub server_id: Option<String>,
    pub attempts: u32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub deadline_at: DateTime<Utc>,
}

impl OutboxRow {
    /// The recipient as the clinician knows it: the phone for SMS, the email otherwise.
    pub fn recipient(&self) -> &str {
        match self.channel {
            Channel::Sms => self.invitee.phone.as_deref().unwrap_or_default(),
            Channel::Email => self.invitee.email.as_deref().unwrap_or_default(),
        }
    }

    pub fn patient_name(&self) -> String {
        format!("{} {}", self.invitee.given_name, self.invitee.family_name)
            .trim()
            .to_owned()
    }
}

const COLUMNS: &str = "id, batch_id, kind, list_id, channel, given_name, family_name, email, phone, \
     text, invitation_id, sends_before, state, reason, server_id, attempts, created_at, updated_at, \
     last_attempt_at, next_attempt_at, deadline_at";

fn time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&Utc))
}

fn row_to_outbox(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    let created_at = time(r.get(16)?).unwrap_or_default();
    Ok(OutboxRow {
        id: r.get(0)?,
        batch_id: r.get(1)?,
        kind: RowKind::from_sql(&r.get::<_, String>(2)?),
        list_id: r.get(3)?,
        channel: channel_from_sql(&r.get::<_, String>(4)?),
        invitee: Invitee {
            given_name: r.get(5)?,
            family_name: r.get(6)?,
            email: r.get(7)?,
            phone: r.get(8)?,
        },
        text: r.get(9)?,
        invitation_id: r.get(10)?,
        sends_before: r.get(11)?,
        state: OutboxState::from_sql(&r.get::<_, String>(12)?),
        reason: r.get(13)?,
        server_id: r.get(14)?,
        attempts: r.get(15)?,
        created_at,
        updated_at: time(r.get(17)?).unwrap_or(created_at),
        last_attempt_at: time(r.get(18)?),
        next_attempt_at: time(r.get(19)?),
        deadline_at: time(r.get(20)?).unwrap_or(created_at + GIVE_UP_AFTER),
    })
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Outbox counts for the indicator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub waiting: u32,
    pub needs_attention: u32,
    pub rejected: u32,
}

const LAST_SYNCED: &str = "last_synced_at";

impl AccountStore {
    /// Writes every invite of one Send in a single transaction: all of them or none.
    pub fn enqueue(
        &self,
        list_id: &str,
        invites: &[NewInvite],
        now: DateTime<Utc>,
    ) -> Result<SendReceipt, StoreError> {
        let batch_id = uuid::Uuid::now_v7().to_string();
        let at = ts(now);
        let deadline = ts(now + GIVE_UP_AFTER);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO outbox (id, batch_id, kind, list_id, channel, given_name, family_name,
                                     email, phone, text, state, created_at, updated_at, deadline_at)
                 VALUES (?1, ?2, 'invite', ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?10, ?10, ?11)",
            )?;
            for invite in invites {
                insert.execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    batch_id,
                    list_id,
                    channel_sql(invite.channel),
                    invite.invitee.given_name,
                    invite.invitee.family_name,
                    invite.invitee.email,
                    invite.invitee.phone,
                    invite.text,
                    at,
                    deadline
                ])?;
            }
        }
        tx.commit()?;
        Ok(SendReceipt {
            batch_id,
            queued: invites.len() as u32,
        })
    }

    /// Queues resends or revokes of server invitations in one transaction. An invitation that
    /// already has the same action waiting is not queued twice. Returns how many were queued.
    pub fn enqueue_actions(
        &self,
        list_id: &str,
        kind: RowKind,
        invitations: &[InvitationRef],
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let batch_id = uuid::Uuid::now_v7().to_string();
        let at = ts(now);
        let deadline = ts(now + GIVE_UP_AFTER);
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut queued = 0;
        {
            let mut waiting = tx.prepare_cached(
                "SELECT count(*) FROM outbox WHERE kind = ?1 AND invitation_id = ?2
                   AND state IN ('queued', 'sending')",
            )?;
            let mut insert = tx.prepare_cached(
                "INSERT INTO outbox (id, batch_id, kind, list_id, channel, given_name, family_name,
                                     email, phone, invitation_id, state, created_at, updated_at,
                                     deadline_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '', ?7, ?8, ?9, 'queued', ?10, ?10, ?11)",
            )?;
            for inv in invitations {
                let already: u32 =
                    waiting.query_row(params![kind.as_sql(), inv.id], |r| r.get(0))?;
                if already > 0 {
                    continue;
                }
                let (email, phone) = match inv.channel {
                    Channel::Sms => (None, Some(inv.recipient.as_str())),
                    Channel::Email => (Some(inv.recipient.as_str()), None),
                };
                insert.execute(params![
                    uuid::Uuid::now_v7().to_string(),
                    batch_id,
                    kind.as_sql(),
                    list_id,
                    channel_sql(inv.channel),
                    inv.patient_name,
                    email,
                    phone,
                    inv.id,
                    at,
                    deadline
                ])?;
                queued += 1;
            }
        }
        tx.commit()?;
        Ok(queued)
    }

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
            "UPDATE outbox SET state = ?2, reason = ?3, server_id = coalesce(?4, server_id),
                               next_attempt_at = NULL, updated_at = ?5 WHERE id = ?1",
            params![id, state.as_sql(), reason, server_id, ts(now)],
        )?;
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

    /// Back to `queued`, not before `next`: the server failed; `reason` says how, for the Outbox view.
    pub fn retry_later(
        &self,
        id: &str,
        reason: &str,
        next: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn().execute(
            "UPDATE outbox SET state = 'queued', reason = ?2, next_attempt_at = ?3, updated_at = ?4
             WHERE id = ?1",
            params![id, reason, ts(next), ts(now)],
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
        self.conn().execute(
            "UPDATE outbox SET reason = ?2, updated_at = ?3 WHERE id = ?1 AND state = 'sending'",
            params![id, reason, ts(now)],
        )?;
        Ok(())
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

    /// Rows the clinician may act on in the Outbox view: the given ids in one of `states`.
    fn update_ids(
        &self,
        ids: &[String],
        states: &[OutboxState],
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
            "UPDATE outbox SET {set}, updated_at = ?1 WHERE state IN ({state_list}) AND id IN ({id_marks})"
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
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT value FROM sync_meta WHERE key = ?1")?;
        let mut rows = stmt.query([LAST_SYNCED])?;
        Ok(match rows.next()? {
            Some(r) => time(Some(r.get(0)?)),
            None => None,
        })
    }

    pub fn set_last_synced_at(&self, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT INTO sync_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![LAST_SYNCED, ts(at)],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn invite(email: &str) -> NewInvite {
        NewInvite {
            channel: Channel::Email,
            invitee: Invitee {
                given_name: String::new(),
                family_name: String::new(),
                email: Some(email.into()),
                phone: None,
            },
            text: None,
        }
    }

    #[test]
    fn a_full_disk_during_enqueue_is_a_clear_error_and_writes_nothing() {
        let store = AccountStore::open_in_memory().unwrap();
        let now = Utc::now();
        store.enqueue("L", &[invite("a@example.com")], now).unwrap();
        // Cap the file at its current size: the next pages cannot be allocated, as on a full disk.
        {
            let conn = store.conn();
            let pages: u32 = conn
                .pragma_query_value(None, "page_count", |r| r.get(0))
                .unwrap();
            conn.pragma_update(None, "max_page_count", pages).unwrap();
        }
        let many: Vec<NewInvite> = (0..2_000)
            .map(|i| invite(&format!("patient{i}-with-a-long-address@example.com")))
            .collect();
        let err = store.enqueue("L", &many, now).err().unwrap();
        let app = crate::error::AppError::from(err);
        assert_eq!(app.code, crate::error::ErrorCode::Storage);
        assert!(app.message.contains("disk is full"), "{}", app.message);
        assert_eq!(store.counts().unwrap().waiting, 1);
    }

    #[test]
    fn a_read_only_data_folder_refuses_the_enqueue_with_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clinician.db");
        let key = super::super::new_key();
        AccountStore::open(&path, &key).unwrap();
        let store = {
            let conn = rusqlite::Connection::open_with_flags(
                &path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .unwrap();
            conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.expose()))
                .unwrap();
            AccountStore {
                conn: std::sync::Arc::new(std::sync::Mutex::new(conn)),
            }
        };
        let err = store
            .enqueue("L", &[invite("a@example.com")], Utc::now())
            .err()
            .unwrap();
        let app = crate::error::AppError::from(err);
        assert!(app.message.contains("cannot be written"), "{}", app.message);
        assert_eq!(store.counts().unwrap().waiting, 0);
    }

    #[test]
    fn actions_are_queued_once_per_invitation_and_discard_skips_rows_in_flight() {
        let store = AccountStore::open_in_memory().unwrap();
        let now = Utc::now();
        let inv = InvitationRef {
            id: "inv1".into(),
            channel: Channel::Sms,
            recipient: "+447700900001".into(),
            patient_name: "Ann Lee".into(),
        };
        assert_eq!(
            store
                .enqueue_actions("L", RowKind::Resend, &[inv.clone(), inv.clone()], now)
                .unwrap(),
            1
        );
        assert_eq!(
            store
                .enqueue_actions("L", RowKind::Revoke, &[inv], now)
                .unwrap(),
            1
        );
        let rows = store.active_rows().unwrap();
        assert_eq!(rows.len(), 2);
        let claimed = store.claim(&rows[..1], &[Some(1)], now).unwrap();
        assert_eq!(claimed[0].sends_before, Some(1));
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        assert_eq!(store.discard_rows(&ids, now).unwrap(), 1);
        assert_eq!(store.counts().unwrap().waiting, 1);
        store.mark_rejected(&ids[0], "No.", now).unwrap();
        assert_eq!(store.retry_rows(&ids, now).unwrap(), 1);
        assert_eq!(store.counts().unwrap().waiting, 1);
    }
}
