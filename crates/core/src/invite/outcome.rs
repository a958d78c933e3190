//! The notification sentence once a batch has gone out: what went, what waits (and until when),
//! what the server refused and why.

use chrono::{DateTime, Utc};

use crate::invite::phone::parse_mobile;
use crate::invite::types::{BatchOutcome, Channel, Rejection};
use crate::pending::sign_up_code::{self, SignUpCodeOffer};
use crate::sending_hours::SendingHours;
use crate::store::{OutboxRow, OutboxState};
use crate::sync::plan::ADDED_NOTE;

/// The notification for a batch: what went out, what waits (and until when, outside the sending
/// hours; or until the clinician resumes sending, when `paused`), what the server refused and why.
pub fn of_batch(
    batch_id: &str,
    rows: &[OutboxRow],
    hours: &SendingHours,
    now: DateTime<Utc>,
    paused: bool,
) -> BatchOutcome {
    let waits = if paused { Waits::Resume } else { Waits::Online };
    let count = |state| rows.iter().filter(|r| r.state == state).count() as u32;
    let sent = count(OutboxState::Sent);
    let queued = count(OutboxState::Queued) + count(OutboxState::Sending);
    let first_hold = rows.iter().filter_map(|r| r.held_until(now)).min();
    let held = rows.iter().filter(|r| r.held_until(now).is_some()).count() as u32;
    let rejected: Vec<Rejection> = rows
        .iter()
        .filter(|r| matches!(r.state, OutboxState::Rejected | OutboxState::NeedsAttention))
        .map(|r| Rejection {
            recipient: display_recipient(r),
            reason: r.reason.clone().unwrap_or_default(),
        })
        .collect();
    let summary = match first_hold {
        Some(at) => held_summary(
            rows,
            sent,
            queued,
            held,
            rejected.len(),
            hours.will_send(at, now),
            waits,
        ),
        None => settled_summary(rows, sent, queued, rejected.len(), waits),
    };
    BatchOutcome {
        batch_id: batch_id.to_owned(),
        sent,
        queued,
        held,
        rejected,
        summary,
        sign_up_code: sign_up_code_offer(rows),
    }
}

/// "Invite SMS to +44 … waits for sending hours. Will send tomorrow at 08:00", or, when only part
/// of the batch waits, each part in turn.
fn held_summary(
    rows: &[OutboxRow],
    sent: u32,
    queued: u32,
    held: u32,
    rejected: usize,
    will_send: String,
    waits: Waits,
) -> String {
    if held as usize == rows.len() {
        return match rows {
            [one] => format!(
                "Invite {} to {} waits for sending hours. {will_send}",
                channel_word(one.channel),
                display_recipient(one)
            ),
            _ => format!("{held} invites wait for sending hours. {will_send}"),
        };
    }
    let mut parts = Vec::new();
    if sent > 0 {
        parts.push(format!("{sent} sent"));
    }
    parts.push(format!(
        "{held} wait for sending hours ({})",
        will_send.to_lowercase()
    ));
    if queued > held {
        parts.push(format!("{} queued — {}", queued - held, waits.they()));
    }
    if rejected > 0 {
        parts.push(format!("{rejected} not sent"));
    }
    parts.join("; ")
}

fn channel_word(channel: Channel) -> &'static str {
    match channel {
        Channel::Sms => "SMS",
        Channel::Email => "email",
    }
}

/// What queued invites that are not held for the sending hours wait for.
#[derive(Debug, Clone, Copy)]
enum Waits {
    /// The connection (or the server): they go by themselves.
    Online,
    /// The clinician paused sending: they go when it is resumed.
    Resume,
}

impl Waits {
    /// After "N queued — ".
    fn they(self) -> &'static str {
        match self {
            Waits::Online => "they will be sent when you're back online",
            Waits::Resume => "sending is paused: resume it in the Outbox to send them",
        }
    }

    /// The whole batch, `queued` invites, waits.
    fn all(self, queued: u32) -> String {
        match (self, queued) {
            (Waits::Online, _) => "Queued — will be sent when you're back online".to_owned(),
            (Waits::Resume, 1) => {
                "Queued — sending is paused: resume it in the Outbox to send this invite".to_owned()
            }
            (Waits::Resume, q) => format!("{q} invites queued — {}", self.they()),
        }
    }
}

fn settled_summary(
    rows: &[OutboxRow],
    sent: u32,
    queued: u32,
    rejected: usize,
    waits: Waits,
) -> String {
    match (sent, queued, rejected) {
        (1, 0, 0) if rows.len() == 1 => format!(
            "Invite {} sent to {}",
            channel_word(rows[0].channel),
            display_recipient(&rows[0])
        ),
        (s, 0, 0) => format!("{s} invites sent"),
        (0, q, 0) if q == rows.len() as u32 => waits.all(q),
        (s, 0, r) => format!("{s} of {} invites sent; {r} not sent", s + r as u32),
        (s, q, r) => {
            let mut parts = vec![
                format!("{s} sent"),
                format!("{q} queued — {}", waits.they()),
            ];
            if r > 0 {
                parts.push(format!("{r} not sent"));
            }
            parts.join("; ")
        }
    }
}

/// For a send to one patient: whether the notice can offer their sign-up code, or why not.
fn sign_up_code_offer(rows: &[OutboxRow]) -> Option<SignUpCodeOffer> {
    let [row] = rows else { return None };
    let reason = match (row.state, &row.server_id) {
        (OutboxState::Sent, Some(id)) => {
            return Some(SignUpCodeOffer::Ready {
                list_id: row.list_id.clone(),
                invitation_id: id.clone(),
            })
        }
        (OutboxState::Sent, None) if row.reason.as_deref() == Some(ADDED_NOTE) => {
            sign_up_code::ALREADY_A_USER
        }
        (OutboxState::Queued | OutboxState::Sending, _) => sign_up_code::NOT_SENT_YET,
        _ => return None,
    };
    Some(SignUpCodeOffer::Unavailable {
        reason: reason.to_owned(),
    })
}

/// Phone numbers in international format for people; emails as they are.
fn display_recipient(row: &OutboxRow) -> String {
    let recipient = row.recipient();
    match row.channel {
        Channel::Sms => parse_mobile(recipient, "GB")
            .map(|p| p.international)
            .unwrap_or_else(|_| recipient.to_owned()),
        Channel::Email => recipient.to_owned(),
    }
}
