//! Pending-invite types the UI sees (TypeScript bindings are generated from these).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::invite::types::Channel;
use crate::ui_types::DataSource;
pub use crate::ui_types::InvitationState;

/// One row of the pending invites view: a server invitation, or an invite still on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PendingInvite {
    /// The server's invitation id, or the outbox row id for rows only on this computer.
    pub id: String,
    pub on_this_computer: bool,
    /// "Given Family"; may be empty for email invites.
    pub patient_name: String,
    /// E.164 phone or email.
    pub recipient: String,
    /// As shown to the clinician: a number in international format (`+44 7911 123456`), or the
    /// email address.
    pub recipient_display: String,
    pub channel: Channel,
    /// RFC 3339; `None` while not sent.
    pub sent_at: Option<String>,
    pub expires_at: Option<String>,
    /// When the automatic reminder goes out: 24 hours before expiry.
    pub reminder_due_at: Option<String>,
    /// RFC 3339: from this time until `expires_at` the row is shown as urgent (less than a day
    /// left, `merge::URGENT_BEFORE_EXPIRY`); `None` with no expiry.
    pub urgent_from: Option<String>,
    pub reminder_sent: bool,
    /// The clinician who sent it.
    pub invited_by: Option<String>,
    /// Sends left of those Huma allows per invitation (`wire::MAX_INVITATION_SENDS`); `None` for rows only on this computer.
    pub resends_left: Option<u32>,
    pub status: PendingStatus,
    pub reason: Option<String>,
    /// Why "Show sign-up code" is not offered for this row; `None`: it is.
    pub sign_up_code_unavailable: Option<String>,
    /// Why this row cannot be resent now, in a few words; `None`: it can (`pending::availability`).
    pub resend_unavailable: Option<String>,
    /// Why this row cannot be revoked now, in a few words; `None`: it can.
    pub revoke_unavailable: Option<String>,
}

#[cfg(test)]
impl PendingInvite {
    /// A sent SMS invitation, delivered, four resends left: tests change what they look at.
    pub(crate) fn sample() -> Self {
        PendingInvite {
            id: "i".into(),
            on_this_computer: false,
            patient_name: "Sam Patel".into(),
            recipient: "+447700900123".into(),
            recipient_display: "+44 7700 900123".into(),
            channel: Channel::Sms,
            sent_at: Some("2026-03-01T09:30:00Z".into()),
            expires_at: Some("2026-03-08T09:30:00Z".into()),
            reminder_due_at: Some("2026-03-07T09:30:00Z".into()),
            urgent_from: Some("2026-03-07T09:30:00Z".into()),
            reminder_sent: false,
            invited_by: Some("Amelia Hart".into()),
            resends_left: Some(4),
            status: PendingStatus::Delivered,
            reason: None,
            sign_up_code_unavailable: None,
            resend_unavailable: None,
            revoke_unavailable: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum PendingStatus {
    Queued,
    Sending,
    Rejected,
    NeedsAttention,
    Sent,
    Delivered,
    Failed,
    ResendQueued,
    RevokeQueued,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PendingPage {
    pub invites: Vec<PendingInvite>,
    pub source: DataSource,
    /// When the server's list was fetched (RFC 3339), for pages read from the cache.
    pub as_of: Option<String>,
}

/// How many actions went into the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ActionReceipt {
    pub queued: u32,
}

/// Text for a support email: no patient data, no emails, no tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Diagnostics {
    pub text: String,
}
