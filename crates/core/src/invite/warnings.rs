//! What to confirm before sending: recipients already on the list, or already invited to it.

use std::collections::HashSet;

use crate::error::AppResult;
use crate::invite::email::address_key;
use crate::invite::phone::display;
use crate::invite::types::{RecipientWarning, WarningKind};
use crate::session::{Auth, CallError};
use crate::store::AccountStore;

/// Recipients who already have a pending invitation on the list (from the server) or are already
/// patients on it (from this computer's copy of the list). Offline, the first check is skipped.
pub async fn about(
    auth: &Auth,
    store: &AccountStore,
    list_id: &str,
    recipients: &[&str],
) -> AppResult<Vec<RecipientWarning>> {
    let pending = pending_recipients(auth, list_id).await.unwrap_or_default();
    let patients = store.patient_contacts(list_id)?;
    let mut out = Vec::new();
    for recipient in recipients {
        let key = address_key(recipient);
        if patients.contains(&key) {
            out.push(RecipientWarning {
                recipient: (*recipient).to_owned(),
                recipient_display: display(recipient),
                kind: WarningKind::AlreadyPatient,
                message: format!("{recipient} is already a patient on this list."),
            });
        } else if pending.contains(&key) {
            out.push(RecipientWarning {
                recipient: (*recipient).to_owned(),
                recipient_display: display(recipient),
                kind: WarningKind::PendingInvite,
                message: format!("{recipient} already has a pending invitation to this list."),
            });
        }
    }
    Ok(out)
}

/// Lower-cased emails and phone numbers of the list's pending invitations.
async fn pending_recipients(auth: &Auth, list_id: &str) -> Result<HashSet<String>, CallError> {
    let mut keys = HashSet::new();
    for inv in crate::pending::api::list_all(auth, list_id).await? {
        keys.extend(inv.email.as_deref().map(address_key));
        keys.extend(inv.phone_number);
    }
    Ok(keys)
}
