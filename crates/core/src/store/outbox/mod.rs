//! The outbox table: invites (and resends and revokes of server invitations) written in one
//! transaction on Send, then moved through `queued → sending → sent | rejected | needs_attention` by
//! the sync task, one committed update per transition. The clinician can retry or discard by hand.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::{params, params_from_iter, Row};

use super::{AccountStore, StoreError};
use crate::invite::language::Language;
use crate::invite::types::{Channel, Invitee, SendReceipt};

mod by_hand;
mod enqueue;
mod queries;
#[cfg(test)]
mod tests;
mod transitions;
pub use transitions::RowOutcome;

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
    /// The patient's language (always for SMS; for email only when a CSV named one).
    pub language: Option<Language>,
}

impl NewInvite {
    /// An email invite to an address typed or pasted: no names, no language.
    pub fn email(address: String) -> Self {
        NewInvite {
            channel: Channel::Email,
            invitee: Invitee {
                given_name: String::new(),
                family_name: String::new(),
                email: Some(address),
                phone: None,
            },
            text: None,
            language: None,
        }
    }
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

/// Until when the invites of one Send wait, per channel (outside the clinic's sending hours);
/// `None` for a channel that may go at once. The rule that sets these lives in `sending_hours`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Holds {
    pub sms: Option<DateTime<Utc>>,
    pub email: Option<DateTime<Utc>>,
}

impl Holds {
    pub fn of(&self, channel: Channel) -> Option<DateTime<Utc>> {
        match channel {
            Channel::Sms => self.sms,
            Channel::Email => self.email,
        }
    }
}

/// Invites that can go out in one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendGroup {
    pub list_id: String,
    pub channel: Channel,
    pub text: Option<String>,
    /// Huma's `language` is per request: one language per group.
    pub language: Option<String>,
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
    /// Invite: Huma's language code sent with it (`None`: the server's default).
    pub language: Option<String>,
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
    /// Not before: the invite was queued outside the clinic's sending hours.
    pub send_after: Option<DateTime<Utc>>,
}

impl OutboxRow {
    /// The recipient as the clinician knows it: the phone for SMS, the email otherwise.
    pub fn recipient(&self) -> &str {
        match self.channel {
            Channel::Sms => self.invitee.phone.as_deref().unwrap_or_default(),
            Channel::Email => self.invitee.email.as_deref().unwrap_or_default(),
        }
    }

    /// Until when the row waits for the clinic's sending hours, if it still does at `now`.
    pub fn held_until(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.send_after
            .filter(|at| self.state == OutboxState::Queued && *at > now)
    }

    pub fn patient_name(&self) -> String {
        format!("{} {}", self.invitee.given_name, self.invitee.family_name)
            .trim()
            .to_owned()
    }
}

const COLUMNS: &str = "id, batch_id, kind, list_id, channel, given_name, family_name, email, phone, \
     text, invitation_id, sends_before, state, reason, server_id, attempts, created_at, updated_at, \
     last_attempt_at, next_attempt_at, deadline_at, send_after, language";

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
        send_after: time(r.get(21)?),
        language: r.get(22)?,
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
const SERVER_BUSY_UNTIL: &str = "server_busy_until";
const SENDING_PAUSED_SINCE: &str = "sending_paused_since";
