//! The pending view's offline copy: the server's pending invitations of a list, as last fetched.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension};

use super::{AccountStore, StoreError};
use crate::invite::types::Channel;
use crate::pending::merge::{CachedList, LocalKind, LocalRow, LocalState, ServerInvite};

fn parse_time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&Utc))
}

impl AccountStore {
    /// Replaces the list's copy with what the server just answered.
    pub fn save_pending_cache(
        &self,
        list_id: &str,
        invites: &[ServerInvite],
        fetched_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let json = serde_json::to_string(invites)
            .map_err(|e| StoreError::Sqlite(rusqlite::Error::ToSqlConversionFailure(e.into())))?;
        self.conn().execute(
            "INSERT INTO pending_cache (list_id, fetched_at, invites) VALUES (?1, ?2, ?3)
             ON CONFLICT(list_id) DO UPDATE SET fetched_at = excluded.fetched_at,
                                                invites = excluded.invites",
            params![
                list_id,
                fetched_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                json
            ],
        )?;
        Ok(())
    }

    /// The list's copy and when it was fetched; `None` before the first fetch. An unreadable copy
    /// (written by another version) counts as none.
    pub fn pending_cache(&self, list_id: &str) -> Result<Option<CachedList>, StoreError> {
        let row: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT fetched_at, invites FROM pending_cache WHERE list_id = ?1",
                [list_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(row.and_then(|(at, json)| {
            let at = DateTime::parse_from_rfc3339(&at).ok()?.with_timezone(&Utc);
            let invites = serde_json::from_str(&json).ok()?;
            Some(CachedList {
                invites,
                fetched_at: at,
            })
        }))
    }
}

impl AccountStore {
    /// The list's outbox rows the pending view merges: everything not discarded, except invites and
    /// actions that went out before `sent_since` (they are settled on the server by now).
    pub fn pending_outbox_rows(
        &self,
        list_id: &str,
        sent_since: DateTime<Utc>,
    ) -> Result<Vec<LocalRow>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, kind, state, channel, given_name, family_name, email, phone, reason,
                    created_at, last_attempt_at, server_id, invitation_id
             FROM outbox
             WHERE list_id = ?1 AND state <> 'discarded' AND (state <> 'sent' OR updated_at >= ?2)
             ORDER BY created_at, id",
        )?;
        let since = sent_since.to_rfc3339_opts(SecondsFormat::Micros, true);
        let rows = stmt
            .query_map(params![list_id, since], |r| {
                let kind = match r.get::<_, String>(1)?.as_str() {
                    "resend" => LocalKind::Resend,
                    "revoke" => LocalKind::Revoke,
                    _ => LocalKind::Invite,
                };
                let state = match r.get::<_, String>(2)?.as_str() {
                    "queued" => LocalState::Queued,
                    "sending" => LocalState::Sending,
                    "sent" => LocalState::Sent,
                    "rejected" => LocalState::Rejected,
                    _ => LocalState::NeedsAttention,
                };
                let channel = if r.get::<_, String>(3)? == "sms" {
                    Channel::Sms
                } else {
                    Channel::Email
                };
                let given: String = r.get(4)?;
                let family: String = r.get(5)?;
                let email: Option<String> = r.get(6)?;
                let phone: Option<String> = r.get(7)?;
                let recipient = match channel {
                    Channel::Sms => phone,
                    Channel::Email => email,
                };
                let server_id: Option<String> = r.get(11)?;
                let invitation_id: Option<String> = r.get(12)?;
                Ok(LocalRow {
                    id: r.get(0)?,
                    kind,
                    state,
                    channel,
                    patient_name: format!("{given} {family}").trim().to_owned(),
                    recipient: recipient.unwrap_or_default(),
                    reason: r.get(8)?,
                    created_at: parse_time(r.get(9)?).unwrap_or_default(),
                    last_attempt_at: parse_time(r.get(10)?),
                    server_id: match kind {
                        LocalKind::Invite => server_id,
                        LocalKind::Resend | LocalKind::Revoke => invitation_id,
                    },
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
