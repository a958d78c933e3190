//! The pending view's rows: the server's pending invitations merged with this computer's outbox.
//! Pure functions of their inputs (no I/O), so every rule is unit-tested.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::types::{PendingInvite, PendingStatus};
use crate::huma::wire;
use crate::invite::types::Channel;

/// The automatic reminder goes out this long before an invitation expires.
pub const REMINDER_BEFORE_EXPIRY: Duration = Duration::hours(24);
/// An invitation is shown as urgent for this long before it expires: from when Huma sends its
/// reminder, the patient has less than a day left.
pub const URGENT_BEFORE_EXPIRY: Duration = Duration::hours(24);
/// How long an invitation sent by this app stays valid (`expiresIn` P1W).
pub const INVITATION_LIFETIME: Duration = Duration::days(7);
/// A sending invite matches a server invitation created from this long before its request.
const CLOCK_SLACK: Duration = Duration::seconds(5);

/// A server invitation as the view (and the offline cache) keeps it: no codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerInvite {
    pub id: String,
    pub patient_name: String,
    /// The names as the invitation holds them (copies from older versions have none).
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    pub recipient: String,
    pub channel: Channel,
    pub created_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub invited_by: Option<String>,
    /// Sends so far (1 after the first).
    pub sends: u32,
    pub status: PendingStatus,
    pub reminder_sent_at: Option<DateTime<Utc>>,
}

fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn full_name(given: Option<&str>, family: Option<&str>) -> String {
    format!("{} {}", given.unwrap_or(""), family.unwrap_or(""))
        .trim()
        .to_owned()
}

impl ServerInvite {
    /// Channel: an invitation with a phone number went by SMS (this app never sends both).
    pub fn from_dto(dto: &wire::InvitationItemDto) -> Self {
        let phone = dto.phone_number.as_deref().filter(|p| !p.is_empty());
        let email = dto.email.as_deref().filter(|e| !e.is_empty());
        let (channel, recipient) = match (phone, email) {
            (Some(phone), _) => (Channel::Sms, phone),
            (None, email) => (Channel::Email, email.unwrap_or_default()),
        };
        let status = match dto.status.as_deref() {
            Some(s) if s.eq_ignore_ascii_case("DELIVERED") => PendingStatus::Delivered,
            Some(s) if s.eq_ignore_ascii_case("FAILED") => PendingStatus::Failed,
            _ => PendingStatus::Sent,
        };
        Self {
            id: dto.id.clone(),
            patient_name: full_name(dto.given_name.as_deref(), dto.family_name.as_deref()),
            given_name: dto
                .given_name
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            family_name: dto
                .family_name
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            recipient: recipient.to_owned(),
            channel,
            created_at: parse_time(dto.create_date_time.as_deref()),
            expires_at: parse_time(dto.expires_at.as_deref()),
            invited_by: dto.invited_by.clone().filter(|s| !s.is_empty()),
            sends: dto.number_of_try.unwrap_or(1),
            status,
            reminder_sent_at: parse_time(dto.reminder_sent_date_time.as_deref()),
        }
    }

    pub fn resends_left(&self) -> u32 {
        wire::MAX_INVITATION_SENDS.saturating_sub(self.sends)
    }

    fn to_row(&self, now: DateTime<Utc>) -> PendingInvite {
        let due = self.expires_at.map(|e| e - REMINDER_BEFORE_EXPIRY);
        PendingInvite {
            id: self.id.clone(),
            on_this_computer: false,
            patient_name: self.patient_name.clone(),
            recipient: self.recipient.clone(),
            recipient_display: crate::invite::phone::display(&self.recipient),
            channel: self.channel,
            sent_at: self.created_at.map(rfc3339),
            expires_at: self.expires_at.map(rfc3339),
            reminder_due_at: due.map(rfc3339),
            urgent_from: self.expires_at.map(|e| rfc3339(e - URGENT_BEFORE_EXPIRY)),
            // The server may not say; past the due time the chaser has gone out.
            reminder_sent: self.reminder_sent_at.is_some() || due.is_some_and(|d| now >= d),
            invited_by: self.invited_by.clone(),
            resends_left: Some(self.resends_left()),
            status: self.status,
            reason: None,
            sign_up_code_unavailable: None,
            resend_unavailable: None,
            revoke_unavailable: None,
        }
    }
}

/// Whether the invitation belongs to the list: items name their deployment in `roles`.
pub fn in_list(dto: &wire::InvitationItemDto, list_id: &str) -> bool {
    let resource = format!("deployment/{list_id}");
    dto.roles.is_empty() || dto.roles.iter().any(|r| r.resource == resource)
}

/// What an outbox row asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalKind {
    Invite,
    Resend,
    Revoke,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalState {
    Queued,
    Sending,
    Sent,
    Rejected,
    NeedsAttention,
}

/// One outbox row of the list, as the merge needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalRow {
    pub id: String,
    pub kind: LocalKind,
    pub state: LocalState,
    pub channel: Channel,
    pub patient_name: String,
    pub recipient: String,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    /// The last attempt (for a sent invite: about when it went out).
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Invite: the invitation the server created. Resend / revoke: the invitation acted on.
    pub server_id: Option<String>,
}

impl LocalRow {
    fn is_waiting(&self) -> bool {
        matches!(self.state, LocalState::Queued | LocalState::Sending)
    }

    fn to_row(&self) -> PendingInvite {
        PendingInvite {
            id: self.id.clone(),
            on_this_computer: true,
            patient_name: self.patient_name.clone(),
            recipient: self.recipient.clone(),
            recipient_display: crate::invite::phone::display(&self.recipient),
            channel: self.channel,
            sent_at: None,
            expires_at: None,
            reminder_due_at: None,
            urgent_from: None,
            reminder_sent: false,
            invited_by: None,
            resends_left: None,
            status: match self.state {
                LocalState::Queued => PendingStatus::Queued,
                LocalState::Sending => PendingStatus::Sending,
                LocalState::Rejected => PendingStatus::Rejected,
                LocalState::NeedsAttention | LocalState::Sent => PendingStatus::NeedsAttention,
            },
            reason: self.reason.clone(),
            sign_up_code_unavailable: Some(super::sign_up_code::NOT_SENT_YET.to_owned()),
            resend_unavailable: None,
            revoke_unavailable: None,
        }
    }
}

/// The server's list as the view last saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerList {
    pub invites: Vec<ServerInvite>,
    /// `None` when the list came straight from the server; the fetch time when read from the cache.
    pub cached_at: Option<DateTime<Utc>>,
}

/// The offline copy of a list's server rows and when they were fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedList {
    pub invites: Vec<ServerInvite>,
    pub fetched_at: DateTime<Utc>,
}

/// The server's list ready to merge, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub list: ServerList,
    pub source: crate::ui_types::DataSource,
    /// When the copy was taken, for a page read from the cache (`None` when there is none).
    pub as_of: Option<DateTime<Utc>>,
}

/// Why a row being revoked offers no sign-up code: its link is about to stop working.
const REVOKING: &str =
    "This invitation is being revoked: its sign-up code is about to stop working.";

/// Merges the server's list with the outbox rows of the same list.
///
/// - Invites still on this computer (queued, sending, rejected, needs attention) come first,
///   oldest first, marked `on_this_computer`.
/// - An invite sent from here shows once, as the server's row. One sent after the cached copy was
///   taken shows as sent (7 days to expiry) until the next refresh.
/// - A sending invite the server already holds (a lost answer) shows as the server's row.
/// - A queued or sending resend / revoke marks its invitation `resendQueued` / `revokeQueued`; a
///   revoke that went out hides it; a refused one puts its reason on the row.
/// - Invitations past their expiry are gone on the server, so a cached copy leaves them out.
/// - Rows on this computer and rows being revoked say why they offer no sign-up code, and every
///   row whether it can be resent and revoked.
pub fn merge(server: &ServerList, local: &[LocalRow], now: DateTime<Utc>) -> Vec<PendingInvite> {
    let mut rows: Vec<PendingInvite> = Vec::new();
    let on_server: HashSet<&str> = server.invites.iter().map(|s| s.id.as_str()).collect();
    let mut claimed: HashSet<&str> = local
        .iter()
        .filter(|l| l.kind == LocalKind::Invite)
        .filter_map(|l| l.server_id.as_deref())
        .collect();

    let mut invites: Vec<&LocalRow> = local
        .iter()
        .filter(|l| l.kind == LocalKind::Invite)
        .collect();
    invites.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let mut sent_since_cache: Vec<ServerInvite> = Vec::new();
    for row in invites {
        match row.state {
            LocalState::Sent => {
                let Some(server_id) = row.server_id.as_deref() else {
                    continue;
                };
                let sent_at = row.last_attempt_at.unwrap_or(row.created_at);
                let newer_than_copy = server.cached_at.is_some_and(|at| sent_at > at);
                if !on_server.contains(server_id) && newer_than_copy {
                    sent_since_cache.push(ServerInvite {
                        id: server_id.to_owned(),
                        patient_name: row.patient_name.clone(),
                        given_name: String::new(),
                        family_name: String::new(),
                        recipient: row.recipient.clone(),
                        channel: row.channel,
                        created_at: Some(sent_at),
                        expires_at: Some(sent_at + INVITATION_LIFETIME),
                        invited_by: None,
                        sends: 1,
                        status: PendingStatus::Sent,
                        reminder_sent_at: None,
                    });
                }
            }
            LocalState::Sending => {
                let since = row.last_attempt_at.unwrap_or(row.created_at) - CLOCK_SLACK;
                let found = server.invites.iter().find(|s| {
                    !claimed.contains(s.id.as_str())
                        && s.channel == row.channel
                        && s.recipient.eq_ignore_ascii_case(&row.recipient)
                        && s.created_at.is_none_or(|c| c >= since)
                });
                match found {
                    Some(s) => {
                        claimed.insert(s.id.as_str());
                    }
                    None => rows.push(row.to_row()),
                }
            }
            _ => rows.push(row.to_row()),
        }
    }

    // The newest action on an invitation decides its mark.
    let mut actions: Vec<&LocalRow> = local
        .iter()
        .filter(|l| l.kind != LocalKind::Invite && l.server_id.is_some())
        .collect();
    actions.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let mut marks: HashMap<&str, &LocalRow> = HashMap::new();
    for action in actions {
        let target = action.server_id.as_deref().unwrap_or_default();
        // A waiting revoke outranks anything after it: the link is about to stop working.
        let keep_revoke = marks
            .get(target)
            .is_some_and(|m| m.kind == LocalKind::Revoke && m.is_waiting());
        if !keep_revoke {
            marks.insert(target, action);
        }
    }
    let revoked: HashSet<&str> = local
        .iter()
        .filter(|l| l.kind == LocalKind::Revoke && l.state == LocalState::Sent)
        .filter_map(|l| l.server_id.as_deref())
        .collect();

    let server_rows = sent_since_cache.iter().rev().chain(server.invites.iter());
    for invite in server_rows {
        if revoked.contains(invite.id.as_str()) {
            continue;
        }
        if server.cached_at.is_some() && invite.expires_at.is_some_and(|e| e <= now) {
            continue;
        }
        let mut row = invite.to_row(now);
        if let Some(action) = marks.get(invite.id.as_str()) {
            match (action.kind, action.state) {
                (LocalKind::Revoke, LocalState::Queued | LocalState::Sending) => {
                    row.status = PendingStatus::RevokeQueued;
                    row.sign_up_code_unavailable = Some(REVOKING.to_owned());
                }
                (LocalKind::Resend, LocalState::Queued | LocalState::Sending) => {
                    row.status = PendingStatus::ResendQueued;
                }
                (kind, LocalState::Rejected | LocalState::NeedsAttention) => {
                    let what = if kind == LocalKind::Revoke {
                        "The revoke"
                    } else {
                        "The resend"
                    };
                    let why = action.reason.as_deref().unwrap_or("no reason was given");
                    row.reason = Some(format!("{what} did not go through: {why}"));
                }
                _ => {}
            }
        }
        rows.push(row);
    }
    super::availability::mark(&mut rows);
    rows
}

#[cfg(test)]
mod tests;
