//! Delivery status per invitation (`status` in Huma's item). A send hands the message over:
//! `SENT`, then `DELIVERED` once `DELIVERY_DELAY_MICROS` of sandbox clock have passed. Recipients
//! named by `POST /sandbox/delivery` are `FAILED` at once (and a pending delivery to one settles
//! as `FAILED`). The knob is kept in the database, so it survives a restart.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::invitation_store::STATUS_SENT;
use crate::messages::contact_key;
use crate::state::AppState;

pub const STATUS_DELIVERED: &str = "DELIVERED";
pub const STATUS_FAILED: &str = "FAILED";
/// How long a message stays `SENT` before it is `DELIVERED`: ten seconds of sandbox clock.
pub const DELIVERY_DELAY_MICROS: i64 = 10 * 1_000_000;
const META_KEY: &str = "delivery_knob";
/// Entries per knob list, to keep the check cheap.
const MAX_ENTRIES: usize = 1000;

/// `POST /sandbox/delivery`: recipients whose messages fail. `{}` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeliveryKnob {
    #[serde(default)]
    pub fail_numbers: Vec<String>,
    #[serde(default)]
    pub fail_emails: Vec<String>,
}

impl DeliveryKnob {
    /// Whether a message to `address` (phone or email) fails. Phones match by digits, emails
    /// case-insensitively, as `/sandbox/messages?to=` does.
    pub fn fails(&self, address: &str) -> bool {
        let key = contact_key(address);
        !key.is_empty()
            && self
                .fail_numbers
                .iter()
                .chain(&self.fail_emails)
                .any(|entry| contact_key(entry) == key)
    }
}

pub fn load(conn: &Connection) -> Result<DeliveryKnob, ApiError> {
    let stored: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([META_KEY], |r| r.get(0))
        .optional()?;
    Ok(stored
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

fn save(conn: &Connection, knob: &DeliveryKnob) -> Result<(), ApiError> {
    let json = serde_json::to_string(knob).map_err(|_| ApiError::internal())?;
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) \
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![META_KEY, json],
    )?;
    Ok(())
}

/// The status of a message handed over now to `address`, and when it settles.
pub fn start(
    conn: &Connection,
    address: &str,
    now: i64,
) -> Result<(&'static str, Option<i64>), ApiError> {
    Ok(if load(conn)?.fails(address) {
        (STATUS_FAILED, None)
    } else {
        (STATUS_SENT, Some(now + DELIVERY_DELAY_MICROS))
    })
}

/// Settles every delivery due by `now`. Returns how many settled.
pub fn settle_due(conn: &Connection, now: i64) -> Result<usize, ApiError> {
    let due: Vec<(String, String, Option<String>, Option<String>)> = conn
        .prepare_cached(
            "SELECT id, channel, email, phone FROM invitations \
             WHERE delivery_due_at IS NOT NULL AND delivery_due_at <= ?1",
        )?
        .query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    if due.is_empty() {
        return Ok(0);
    }
    let knob = load(conn)?;
    for (id, channel, email, phone) in &due {
        let address = if channel == "EMAIL" { email } else { phone };
        let status = if knob.fails(address.as_deref().unwrap_or_default()) {
            STATUS_FAILED
        } else {
            STATUS_DELIVERED
        };
        conn.prepare_cached(
            "UPDATE invitations SET status = ?2, delivery_due_at = NULL WHERE id = ?1",
        )?
        .execute(params![id, status])?;
    }
    Ok(due.len())
}

pub fn routes() -> Router<AppState> {
    Router::new().route("/sandbox/delivery", get(current).post(set))
}

async fn current(State(state): State<AppState>) -> Result<Json<DeliveryKnob>, ApiError> {
    Ok(Json(state.db.call(|conn| load(conn)).await?))
}

/// Replaces the knob (`{}` clears it) and returns it.
async fn set(
    State(state): State<AppState>,
    ApiJson(knob): ApiJson<DeliveryKnob>,
) -> Result<Json<DeliveryKnob>, ApiError> {
    let entries = [&knob.fail_numbers, &knob.fail_emails];
    if entries
        .iter()
        .any(|list| list.len() > MAX_ENTRIES || list.iter().any(|e| e.trim().is_empty()))
    {
        return Err(ApiError::validation());
    }
    let stored = knob.clone();
    state.db.call(move |conn| save(conn, &stored)).await?;
    Ok(Json(knob))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knob_matches_phones_by_digits_and_emails_by_case() {
        let knob = DeliveryKnob {
            fail_numbers: vec!["+44 7700 900999".into()],
            fail_emails: vec!["Bounce@Example.com".into()],
        };
        assert!(knob.fails("+447700900999"));
        assert!(knob.fails("bounce@example.com"));
        assert!(!knob.fails("+447700900998"));
        assert!(!knob.fails(""));
        assert!(!DeliveryKnob::default().fails("+447700900999"));
    }
}
