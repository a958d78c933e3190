//! What the clinician sees of the outbox: the indicator (`OutboxStatus`, event `outbox-changed`) and
//! the Outbox view's rows (`OutboxEntry`). These cross IPC (ts-rs bindings).

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::invite::types::Channel;
use crate::store::{OutboxRow, OutboxState, RowKind};
use crate::sync::progress::SendProgress;

/// Whether the last exchange with the server got an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Connection {
    Online,
    Offline,
    Unknown,
}

/// Why the queue is not being sent: a lapsed session (when there is work), or the clinician's pause
/// (said even with nothing waiting, so the next invite is known to wait too).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PauseReason {
    /// The session lapsed: "Sign in to send N queued invites". The queue is kept.
    SignInRequired,
    /// The clinician paused sending (the Outbox's "Pause sending"), until they resume it, even
    /// across restarts. Invites they send meanwhile are queued.
    ByClinician,
}

/// The outbox indicator (event `outbox-changed`, command `outbox_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OutboxStatus {
    /// Queued + sending (invites and resend / revoke actions).
    pub waiting: u32,
    pub needs_attention: u32,
    /// Rejected and not yet dismissed by the clinician.
    pub rejected: u32,
    pub connection: Connection,
    pub paused: Option<PauseReason>,
    /// RFC 3339: the last successful exchange with the server.
    pub last_synced_at: Option<String>,
    /// A long send (many invites, or slowed by the server): its count and time left.
    pub progress: Option<SendProgress>,
}

impl Default for OutboxStatus {
    fn default() -> Self {
        Self {
            waiting: 0,
            needs_attention: 0,
            rejected: 0,
            connection: Connection::Unknown,
            paused: None,
            last_synced_at: None,
            progress: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum OutboxKind {
    Invite,
    Resend,
    Revoke,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum OutboxEntryState {
    Queued,
    Sending,
    Rejected,
    NeedsAttention,
    Sent,
}

/// One row of the Outbox view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OutboxEntry {
    /// The outbox row id (UUIDv7).
    pub id: String,
    pub kind: OutboxKind,
    pub channel: Channel,
    pub list_id: String,
    /// "Given Family" (may be empty for email invites).
    pub patient_name: String,
    /// E.164 phone or email.
    pub recipient: String,
    /// As shown to the clinician: a number in international format (`+44 7911 123456`), or the
    /// email address.
    pub recipient_display: String,
    pub state: OutboxEntryState,
    /// Why rejected / needs attention, or the last retry's error, in words.
    pub reason: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    pub attempts: u32,
    pub next_attempt_at: Option<String>,
    /// Held for the clinic's sending hours: "Will send tomorrow at 08:00" (the view offers
    /// "Send now"). `None` once it may go.
    pub will_send: Option<String>,
}

pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl From<&OutboxRow> for OutboxEntry {
    fn from(row: &OutboxRow) -> Self {
        OutboxEntry {
            id: row.id.clone(),
            kind: match row.kind {
                RowKind::Invite => OutboxKind::Invite,
                RowKind::Resend => OutboxKind::Resend,
                RowKind::Revoke => OutboxKind::Revoke,
            },
            channel: row.channel,
            list_id: row.list_id.clone(),
            patient_name: row.patient_name(),
            recipient: row.recipient().to_owned(),
            recipient_display: crate::invite::phone::display(row.recipient()),
            state: match row.state {
                OutboxState::Queued => OutboxEntryState::Queued,
                OutboxState::Sending => OutboxEntryState::Sending,
                OutboxState::Rejected => OutboxEntryState::Rejected,
                OutboxState::NeedsAttention => OutboxEntryState::NeedsAttention,
                OutboxState::Sent | OutboxState::Discarded => OutboxEntryState::Sent,
            },
            reason: row.reason.clone(),
            created_at: rfc3339(row.created_at),
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at.map(rfc3339),
            // Needs the clinic's hours and the time: set by the Outbox view's command.
            will_send: None,
        }
    }
}
