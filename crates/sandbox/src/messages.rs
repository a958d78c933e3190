//! The sandbox's message log: every SMS and email the sandbox "sends" lands here instead, for the
//! `/sandbox/messages` viewer and for tests to read codes from.

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::clock::format_micros;
use crate::error::ApiError;

/// The newest messages returned by one listing.
pub const LIST_LIMIT: i64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "SMS",
            Channel::Email => "EMAIL",
        }
    }
}

/// One message to log as sent.
pub struct Outgoing<'a> {
    pub channel: Channel,
    pub to: &'a str,
    pub subject: Option<&'a str>,
    pub body: &'a str,
    /// `VERIFICATION_CODE`, `INVITATION`, …
    pub kind: &'a str,
    /// The invitation this message announced, if any.
    pub invitation_id: Option<&'a str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub channel: String,
    pub to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
    pub sent_at: String,
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_id: Option<String>,
    /// The language of the invitation this message announced (from its `send-invitation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// How recipients are matched: emails case-insensitively, phone numbers by their digits only (so
/// `?to=+447700900123` matches even when the `+` arrives decoded as a space).
pub fn contact_key(contact: &str) -> String {
    let contact = contact.trim();
    if contact.contains('@') {
        contact.to_lowercase()
    } else {
        contact.chars().filter(char::is_ascii_digit).collect()
    }
}

pub fn record(conn: &Connection, message: &Outgoing<'_>, now: i64) -> Result<(), ApiError> {
    conn.execute(
        "INSERT INTO messages (id, channel, to_addr, to_key, subject, body, sent_at, kind, \
         invitation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            uuid::Uuid::new_v4().to_string(),
            message.channel.as_str(),
            message.to,
            contact_key(message.to),
            message.subject,
            message.body,
            now,
            message.kind,
            message.invitation_id,
        ],
    )?;
    Ok(())
}

/// Newest first, optionally only those sent to `to`.
pub fn list(conn: &Connection, to: Option<&str>) -> Result<Vec<Message>, ApiError> {
    let key = to.map(contact_key);
    let mut statement = conn.prepare_cached(
        "SELECT m.id, m.channel, m.to_addr, m.subject, m.body, m.sent_at, m.kind, \
         m.invitation_id, i.language FROM messages m \
         LEFT JOIN invitations i ON i.id = m.invitation_id \
         WHERE ?1 IS NULL OR m.to_key = ?1 ORDER BY m.seq DESC LIMIT ?2",
    )?;
    let rows = statement
        .query_map(params![key, LIST_LIMIT], |r| {
            Ok(Message {
                id: r.get(0)?,
                channel: r.get(1)?,
                to: r.get(2)?,
                subject: r.get(3)?,
                body: r.get(4)?,
                sent_at: format_micros(r.get(5)?),
                kind: r.get(6)?,
                invitation_id: r.get(7)?,
                language: r.get(8)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_keys_tolerate_formatting() {
        assert_eq!(contact_key("+44 7700 900123"), "447700900123");
        assert_eq!(contact_key(" 447700900123"), "447700900123");
        assert_eq!(
            contact_key(" Amelia.Hart@Example.com "),
            "amelia.hart@example.com"
        );
    }
}
