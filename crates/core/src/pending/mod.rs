//! Pending invites: every invitation of a patient list not yet turned into an account — the
//! server's pending list merged with this computer's outbox — plus resend, revoke and export.
//!
//! - [`api`]: the pending list call with the clinician's session: a page, a bounded scan, or all.
//! - [`merge`]: the view's rows from the server list and the outbox (pure, unit-tested).
//! - [`export`]: the CSV file, safe to open in a spreadsheet.
//! - [`types`]: what the UI sees.
//! - [`invitees`]: the patient list's "invited, not signed up yet" group.
//! - [`sign_up_code`]: a patient's own sign-up link as a QR code.
//! - [`availability`]: which rows can be resent or revoked now, and why not.

pub mod api;
pub mod availability;
pub mod export;
pub mod invitees;
pub mod merge;
pub mod sign_up_code;
pub mod types;

use chrono::{DateTime, Utc};

use crate::error::{AppError, AppResult, ErrorCode};
use crate::session::Auth;
use crate::store::AccountStore;
use crate::ui_types::DataSource;
pub use invitees::InvitedPatient;
use merge::{Fetched, ServerInvite, ServerList};
pub use types::{
    ActionReceipt, Diagnostics, InvitationState, PendingInvite, PendingPage, PendingStatus,
};

/// Outbox rows settled longer ago than this no longer matter to the view (invitations last a week).
const SETTLED_WINDOW: chrono::Duration = chrono::Duration::days(8);

/// Only connection trouble falls back to the cache; a refusal (forbidden, signed out) does not.
fn is_unavailable(e: &AppError) -> bool {
    matches!(e.code, ErrorCode::Offline | ErrorCode::ServerError)
}

/// The server's pending list of `list_id`: fetched (and cached) when the server answers, else the
/// cached copy. With no copy at all, an empty list "as of never", so invites sent from here still
/// show.
pub async fn server_list(
    auth: &Auth,
    store: &AccountStore,
    list_id: &str,
    now: DateTime<Utc>,
) -> AppResult<Fetched> {
    match api::list_all(auth, list_id).await.map_err(AppError::from) {
        Ok(items) => {
            let invites: Vec<ServerInvite> = items.iter().map(ServerInvite::from_dto).collect();
            store.save_pending_cache(list_id, &invites, now)?;
            Ok(Fetched {
                list: ServerList {
                    invites,
                    cached_at: None,
                },
                source: DataSource::Server,
                as_of: None,
            })
        }
        Err(e) if is_unavailable(&e) => {
            tracing::info!(code = ?e.code, "server unavailable; pending invites from the cache");
            Ok(cached_list(store, list_id)?)
        }
        Err(e) => Err(e),
    }
}

/// The cached copy only (no network).
pub fn cached_list(store: &AccountStore, list_id: &str) -> AppResult<Fetched> {
    Ok(match store.pending_cache(list_id)? {
        Some(copy) => Fetched {
            list: ServerList {
                invites: copy.invites,
                cached_at: Some(copy.fetched_at),
            },
            source: DataSource::Cache,
            as_of: Some(copy.fetched_at),
        },
        None => Fetched {
            list: ServerList {
                invites: Vec::new(),
                cached_at: Some(DateTime::<Utc>::MIN_UTC),
            },
            source: DataSource::Cache,
            as_of: None,
        },
    })
}

/// The view: the server's list (or its copy) merged with the list's outbox rows.
pub fn page(
    store: &AccountStore,
    list_id: &str,
    fetched: Fetched,
    now: DateTime<Utc>,
) -> AppResult<PendingPage> {
    let local = store.pending_outbox_rows(list_id, now - SETTLED_WINDOW)?;
    Ok(PendingPage {
        invites: merge::merge(&fetched.list, &local, now),
        source: fetched.source,
        as_of: fetched.as_of.map(merge::rfc3339),
    })
}
