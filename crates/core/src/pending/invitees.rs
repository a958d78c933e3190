//! The patient list's "invited, not signed up yet" group. Huma's profiles call lists only people
//! with an account (all `signedUp`); the people invited to the list who have not signed up come
//! from the pending view's sources: the server's pending list (or its copy) and this computer's
//! outbox. Pure functions of their inputs, so the state rule is unit-tested.
//!
//! - **pending**: a pending invitation on the server, or an invite queued or sending here.
//! - **expired**: an invite sent from here that is no longer on the server's list, whose week has
//!   passed (before that, an invitation leaves the list only by sign-up or revoke), that was not
//!   revoked from here, and whose recipient is none of the list's users known on this computer.
//! - Anyone whose phone or email belongs to a known user of the list is signed up: they show
//!   among the users, not here.
//!
//! One row per recipient: a pending invitation outranks an expired one, the newest wins a tie.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

use super::merge::{self, LocalKind, LocalRow, LocalState, ServerList, INVITATION_LIFETIME};
use super::types::{InvitationState, PendingStatus};
use crate::invite::types::Channel;

/// Invites sent from here longer ago than this no longer show as expired.
pub const EXPIRED_SHOWN_FOR: Duration = Duration::days(90);

/// Someone invited to the list who has not signed up (yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct InvitedPatient {
    /// The server's invitation id, or the outbox row id for an invite not sent yet.
    pub id: String,
    /// May be empty (email invites carry no names).
    pub given_name: String,
    pub family_name: String,
    /// E.164 phone or email.
    pub recipient: String,
    /// As shown to the clinician: a number in international format (`+44 7911 123456`), or the
    /// email address.
    pub recipient_display: String,
    pub channel: Channel,
    /// `pending` or `expired`.
    pub invitation: InvitationState,
    /// Queued or sending on this computer, not on the server yet.
    pub on_this_computer: bool,
    /// RFC 3339; `None` while not sent.
    pub sent_at: Option<String>,
    pub expires_at: Option<String>,
    /// Why "Invite again" is not offered for this row, in a few words; `None`: it is (expired).
    pub invite_again_blocked_reason: Option<String>,
}

/// Why a pending invite waiting in this computer's outbox offers no "Invite again".
pub const WAITING_HERE: &str = "Waiting to be sent from this computer";
/// Why a pending invitation on the server offers no "Invite again": it is resent instead.
pub const RESEND_IT: &str = "Pending: resend it from Pending invites";

/// Why "Invite again" is not offered: only an expired invitation is sent afresh; a pending one
/// is resent from Pending invites, or is still on its way from this computer.
fn invite_again_blocked_reason(
    invitation: InvitationState,
    on_this_computer: bool,
) -> Option<String> {
    match invitation {
        InvitationState::Expired => None,
        _ if on_this_computer => Some(WAITING_HERE.to_owned()),
        _ => Some(RESEND_IT.to_owned()),
    }
}

/// A name as typed, for the invite dialog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub given: String,
    pub family: String,
}

/// What this computer knows besides the server's list and the outbox rows.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Names of invites sent from here, by outbox row id and by server invitation id.
    pub names: HashMap<String, Names>,
    /// Lower-cased emails and E.164 phones of the list's users in its offline copy.
    pub users: HashSet<String>,
}

/// How a recipient is compared: emails without case, phones as stored (E.164).
pub fn contact_key(recipient: &str) -> String {
    recipient.trim().to_lowercase()
}

/// "Given Family" split at the first space, for invitations whose names were not kept apart.
fn split_name(full: &str) -> Names {
    let full = full.trim();
    match full.split_once(char::is_whitespace) {
        Some((given, family)) => Names {
            given: given.to_owned(),
            family: family.trim().to_owned(),
        },
        None => Names {
            given: full.to_owned(),
            family: String::new(),
        },
    }
}

struct Candidate {
    row: InvitedPatient,
    sent: Option<DateTime<Utc>>,
}

impl Candidate {
    /// Pending before expired; then the newest (an invite not sent yet is the newest of all).
    fn outranks(&self, other: &Candidate) -> bool {
        let rank = |c: &Candidate| match c.row.invitation {
            InvitationState::Pending => 0,
            _ => 1,
        };
        match rank(self).cmp(&rank(other)) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => match (self.sent, other.sent) {
                (None, Some(_)) => true,
                (Some(a), Some(b)) => a > b,
                _ => false,
            },
        }
    }
}

fn time(s: Option<&str>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// The invited, not signed-up people of a list, matching `search`, sorted by name.
pub fn invited(
    server: &ServerList,
    local: &[LocalRow],
    known: &Known,
    now: DateTime<Utc>,
    search: &str,
) -> Vec<InvitedPatient> {
    let mut candidates: Vec<Candidate> = Vec::new();
    let names_of = |id: &str, full: &str| -> Names {
        let on_server = server
            .invites
            .iter()
            .find(|s| s.id == id)
            .filter(|s| !s.given_name.is_empty() || !s.family_name.is_empty())
            .map(|s| Names {
                given: s.given_name.clone(),
                family: s.family_name.clone(),
            });
        on_server
            .or_else(|| known.names.get(id).cloned())
            .unwrap_or_else(|| split_name(full))
    };

    // Pending: what the pending view shows, less what is not (or not yet) an invitation.
    let view = merge::merge(server, local, now);
    let mut still_pending: HashSet<&str> = HashSet::new();
    for row in &view {
        let keep = if row.on_this_computer {
            matches!(row.status, PendingStatus::Queued | PendingStatus::Sending)
        } else {
            still_pending.insert(row.id.as_str());
            true
        };
        if !keep {
            continue;
        }
        let names = names_of(&row.id, &row.patient_name);
        candidates.push(Candidate {
            sent: time(row.sent_at.as_deref()),
            row: InvitedPatient {
                id: row.id.clone(),
                given_name: names.given,
                family_name: names.family,
                recipient: row.recipient.clone(),
                recipient_display: row.recipient_display.clone(),
                channel: row.channel,
                invitation: InvitationState::Pending,
                on_this_computer: row.on_this_computer,
                sent_at: row.sent_at.clone(),
                expires_at: row.expires_at.clone(),
                invite_again_blocked_reason: invite_again_blocked_reason(
                    InvitationState::Pending,
                    row.on_this_computer,
                ),
            },
        });
    }

    // Expired: sent from here, gone from the server's list, and past its week.
    let revoked_here: HashSet<&str> = local
        .iter()
        .filter(|l| l.kind == LocalKind::Revoke)
        .filter(|l| {
            matches!(
                l.state,
                LocalState::Queued | LocalState::Sending | LocalState::Sent
            )
        })
        .filter_map(|l| l.server_id.as_deref())
        .collect();
    for row in local
        .iter()
        .filter(|l| l.kind == LocalKind::Invite && l.state == LocalState::Sent)
    {
        let Some(server_id) = row.server_id.as_deref() else {
            continue;
        };
        if still_pending.contains(server_id) || revoked_here.contains(server_id) {
            continue;
        }
        let sent = row.last_attempt_at.unwrap_or(row.created_at);
        let expires = sent + INVITATION_LIFETIME;
        // Gone before its expiry: signed up or revoked elsewhere, not expired.
        if now < expires || now - expires > EXPIRED_SHOWN_FOR {
            continue;
        }
        let names = known
            .names
            .get(&row.id)
            .cloned()
            .unwrap_or_else(|| split_name(&row.patient_name));
        candidates.push(Candidate {
            sent: Some(sent),
            row: InvitedPatient {
                id: server_id.to_owned(),
                given_name: names.given,
                family_name: names.family,
                recipient: row.recipient.clone(),
                recipient_display: crate::invite::phone::display(&row.recipient),
                channel: row.channel,
                invitation: InvitationState::Expired,
                on_this_computer: false,
                sent_at: Some(merge::rfc3339(sent)),
                expires_at: Some(merge::rfc3339(expires)),
                invite_again_blocked_reason: invite_again_blocked_reason(
                    InvitationState::Expired,
                    false,
                ),
            },
        });
    }

    // One row per recipient; known users are signed up and show among the users.
    let mut best: HashMap<String, Candidate> = HashMap::new();
    for candidate in candidates {
        let key = contact_key(&candidate.row.recipient);
        if key.is_empty() || known.users.contains(&key) {
            continue;
        }
        match best.get(&key) {
            Some(held) if !candidate.outranks(held) => {}
            _ => {
                best.insert(key, candidate);
            }
        }
    }
    let needle = search.trim().to_lowercase();
    let mut rows: Vec<InvitedPatient> = best
        .into_values()
        .map(|c| c.row)
        .filter(|r| matches_search(r, &needle))
        .collect();
    rows.sort_by_cached_key(|r| {
        let name = format!("{} {}", r.given_name, r.family_name)
            .trim()
            .to_lowercase();
        (
            name.is_empty(),
            name,
            r.recipient.to_lowercase(),
            r.id.clone(),
        )
    });
    rows
}

/// Name or recipient contains the search; a phone search ignores spaces, dashes and brackets, and
/// matches with or without the international or trunk prefix ("07911 123" finds +447911123…).
fn matches_search(row: &InvitedPatient, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    let haystack = format!(
        "{} {}\n{}, {}\n{}",
        row.given_name, row.family_name, row.family_name, row.given_name, row.recipient
    )
    .to_lowercase();
    if haystack.contains(needle) {
        return true;
    }
    let compact: String = needle
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = compact.trim_start_matches('+');
    if row.channel != Channel::Sms
        || digits.len() < 3
        || !digits.chars().all(|c| c.is_ascii_digit())
    {
        return false;
    }
    let significant = digits
        .strip_prefix("00")
        .or_else(|| digits.strip_prefix('0'))
        .unwrap_or(digits);
    !significant.is_empty() && row.recipient.contains(significant)
}

#[cfg(test)]
mod tests;
