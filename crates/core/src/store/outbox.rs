//! The outbox table: invites written in one transaction on Send, then moved through
//! `queued → sending → sent | rejected | needs_attention` by the sync task, one committed update each.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Row};

use super::{AccountStore, StoreError};
use crate::invite::types::{Channel, Invitee, SendReceipt};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    Queued,
    Sending,
    Sent,
    Rejected,
    NeedsAttention,
}

impl OutboxState {
    fn as_sql(self) -> &'static str {
        match self {
            OutboxState::Queued => "queued",
            OutboxState::Sending => "sending",
            OutboxState::Sent => "sent",
            OutboxState::Rejected => "rejected",
            OutboxState::NeedsAttention => "needs_attention",
        }
    }

    fn from_sql(s: &str) -> Self {
        match s {
            "queued" => OutboxState::Queued,
            "sending" => OutboxState::Sending,
            "sent" => OutboxState::Sent,
            "rejected" => OutboxState::Rejected,
            _ => OutboxState::NeedsAttention,
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
    pub list_id: String,
    pub channel: Channel,
    pub invitee: Invitee,
    pub text: Option<String>,
    pub state: OutboxState,
    pub reason: Option<String>,
    pub server_id: Option<String>,
    pub attempts: u32,
    pub last_attempt_at: Option<DateTime<Utc>>,
}

impl OutboxRow {
    /// The recipient as the clinician knows it: the phone for SMS, the email otherwise.
    pub fn recipient(&self) -> &str {
        match self.channel {
            Channel::Sms => self.invitee.phone.as_deref().unwrap_or_default(),
            Channel::Email => self.invitee.email.as_deref().unwrap_or_default(),
        }
    }
}

const COLUMNS: &str =
    "id, batch_id, list_id, channel, given_name, family_name, email, phone, text, \
                       state, reason, server_id, attempts, last_attempt_at";

fn row_to_outbox(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    let last: Option<String> = r.get(13)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        batch_id: r.get(1)?,
        list_id: r.get(2)?,
        channel: channel_from_sql(&r.get::<_, String>(3)?),
        invitee: Invitee {
            given_name: r.get(4)?,
            family_name: r.get(5)?,
            email: r.get(6)?,
            phone: r.get(7)?,
        },
        text: r.get(8)?,
        state: OutboxState::from_sql(&r.get::<_, String>(9)?),
        reason: r.get(10)?,
        server_id: r.get(11)?,
        attempts: r.get(12)?,
        last_attempt_at: last
            .and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
            .map(|d| d.with_timezone(&Utc)),
    })
}

fn ts(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

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
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO outbox (id, batch_id, list_id, channel, given_name, family_name, email,
                                     phone, text, state, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'queued', ?10, ?10)",
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
                    at
                ])?;
            }
        }
        tx.commit()?;
        Ok(SendReceipt {
            batch_id,
            queued: invites.len() as u32,
        })
    }

    /// The group of the oldest queued invite: what to send next. One request carries one list, one
    /// channel and one text (Huma's send call takes a single `text` for all its invitees).
    pub fn next_group(&self) -> Result<Option<SendGroup>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT list_id, channel, text FROM outbox WHERE state = 'queued'
             ORDER BY created_at, id LIMIT 1",
        )?;
        let mut rows = stmt.query([])?;
        Ok(match rows.next()? {
            Some(r) => Some(SendGroup {
                list_id: r.get(0)?,
                channel: channel_from_sql(&r.get::<_, String>(1)?),
                text: r.get(2)?,
            }),
            None => None,
        })
    }

    /// Marks up to `max` queued invites of one group as `sending` (committed BEFORE the request goes
    /// out, so a crash leaves them visibly in flight) and returns them, oldest first.
    pub fn claim(
        &self,
        group: &SendGroup,
        max: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let rows: Vec<OutboxRow> = {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM outbox WHERE state = 'queued' AND list_id = ?1 AND channel = ?2
                   AND text IS ?3
                 ORDER BY created_at, id LIMIT ?4"
            ))?;
            let rows = stmt
                .query_map(
                    params![group.list_id, channel_sql(group.channel), group.text, max],
                    row_to_outbox,
                )?
                .collect::<Result<_, _>>()?;
            rows
        };
        let at = ts(now);
        for row in &rows {
            tx.execute(
                "UPDATE outbox SET state = 'sending', attempts = attempts + 1, last_attempt_at = ?2,
                                   updated_at = ?2 WHERE id = ?1",
                params![row.id, at],
            )?;
        }
        tx.commit()?;
        Ok(rows
            .into_iter()
            .map(|mut r| {
                r.state = OutboxState::Sending;
                r.attempts += 1;
                r.last_attempt_at = Some(now);
                r
            })
            .collect())
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
                               updated_at = ?5 WHERE id = ?1",
            params![id, state.as_sql(), reason, server_id, ts(now)],
        )?;
        Ok(())
    }

    pub fn mark_sent(
        &self,
        id: &str,
        server_id: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.set_state(id, OutboxState::Sent, None, Some(server_id), now)
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

    /// Back to `queued`: the request certainly did not reach the server.
    pub fn release(&self, id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.set_state(id, OutboxState::Queued, None, None, now)
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

    /// Invites not yet settled: queued or being sent.
    pub fn waiting_count(&self) -> Result<u32, StoreError> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM outbox WHERE state IN ('queued', 'sending')",
            [],
            |r| r.get(0),
        )?)
    }
}
