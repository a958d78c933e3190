//! Scheduled work on the sandbox clock: deliveries settling and the chaser. `run_due` does whatever
//! has fallen due by `now`; it runs before every request and after every clock move, so work runs
//! as soon as its time has passed and never needs a timer. Each item is done once: its due column
//! is cleared in the same transaction.
//!
//! The chaser: one reminder per invitation at `expiresAt − 24 h`, if the invitation was still
//! pending then (not used, not revoked). It is stamped with its due time, not with the moment the
//! sandbox noticed, so a clock jump of several days still shows it sent at the right time.
//! ASSUMED: it goes by email when the invitation has an address, else by SMS.

use rusqlite::{params, Connection};

use crate::clock::format_micros_for_people;
use crate::delivery;
use crate::error::ApiError;
use crate::invitation_store::{self, Invitation};
use crate::invite_routes::{greeting, signup_link};
use crate::messages::{self, Channel, Outgoing};

/// The message log's `kind` for the chaser.
pub const REMINDER_KIND: &str = "INVITATION_REMINDER";

/// Does all work due by `now`, in one transaction.
pub fn run_due(conn: &mut Connection, now: i64, base_url: &str) -> Result<(), ApiError> {
    let tx = conn.transaction()?;
    delivery::settle_due(&tx, now)?;
    send_reminders(&tx, now, base_url)?;
    tx.commit()?;
    Ok(())
}

fn send_reminders(conn: &Connection, now: i64, base_url: &str) -> Result<(), ApiError> {
    let due: Vec<(String, i64)> = conn
        .prepare_cached(
            "SELECT id, reminder_due_at FROM invitations \
             WHERE reminder_due_at IS NOT NULL AND reminder_due_at <= ?1 \
             ORDER BY reminder_due_at, seq",
        )?
        .query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (id, due_at) in due {
        let Some(invitation) = invitation_store::find_by_id(conn, &id)? else {
            continue;
        };
        let ended_before = |at: Option<i64>| at.is_some_and(|at| at <= due_at);
        let still_pending = !ended_before(invitation.consumed_at)
            && !ended_before(invitation.revoked_at)
            && due_at < invitation.expires_at;
        if still_pending {
            remind(conn, &invitation, base_url, due_at)?;
        }
        conn.prepare_cached(
            "UPDATE invitations SET reminder_due_at = NULL, \
             reminder_sent_at = CASE WHEN ?2 THEN ?3 ELSE reminder_sent_at END WHERE id = ?1",
        )?
        .execute(params![id, still_pending, due_at])?;
    }
    Ok(())
}

/// Logs the chaser: an email if the invitation has an address, else an SMS.
fn remind(
    conn: &Connection,
    invitation: &Invitation,
    base_url: &str,
    at: i64,
) -> Result<(), ApiError> {
    let link = signup_link(base_url, &invitation.shortened_code);
    let expires = format_micros_for_people(invitation.expires_at);
    let (channel, to, subject, body) = match &invitation.email {
        Some(email) => {
            let list = invitation_store::deployment_name(conn, &invitation.deployment_id)?
                .unwrap_or_default();
            let body = format!(
                "{}\n\nA reminder: {} invited you to join the patient list \"{list}\" on Huma, \
                 and your invitation expires on {expires}.\n\nCreate your account: {link}\n\n\
                 If you were not expecting this, you can ignore this email.",
                greeting(invitation),
                invitation.invited_by
            );
            let subject = "Reminder: your invitation to join Huma expires tomorrow".to_owned();
            (Channel::Email, email.as_str(), Some(subject), body)
        }
        None => {
            let body = format!(
                "{} a reminder: {} invited you to join Huma. The invitation expires on {expires}. \
                 Create your account here: {link}",
                greeting(invitation),
                invitation.invited_by
            );
            let phone = invitation.phone.as_deref().unwrap_or_default();
            (Channel::Sms, phone, None, body)
        }
    };
    let message = Outgoing {
        channel,
        to,
        subject: subject.as_deref(),
        body: &body,
        kind: REMINDER_KIND,
        invitation_id: Some(&invitation.id),
    };
    messages::record(conn, &message, at)
}
