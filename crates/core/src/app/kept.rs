//! What the keyring keeps so that a restart can resume a session, and for whom.
//!
//! Only the clinician who signed in last and did not sign out may be resumed. Their saved session
//! (`session:<account>`) and database key (`store-key:<account>`) stay in the keyring, and a marker
//! (`last-signed-in:<backend>`, not secret: an account hash) names them, so a start-up knows whom to
//! resume. Whoever signs in next displaces them and sign-out removes them: from then on only their
//! password opens their data (the wrapped copy of the key, as after a keyring loss). With resuming
//! turned off by policy nothing is kept at all.

use super::store_open::store_key_entry;
use super::*;
use crate::secrets::SecretError;
use crate::session::saved_session_entry;

impl ClinicianApp {
    fn marker_entry(&self) -> String {
        format!("last-signed-in:{}", store::short_hash(&self.partition))
    }

    /// The account a restart may resume, if any.
    pub(super) fn last_signed_in(&self) -> Option<String> {
        let marker = self.secrets.get(&self.marker_entry()).ok().flatten()?;
        let name = marker.expose();
        // Account names are our own 16-hex-digit hashes; anything else is not trusted.
        (name.len() == 16 && name.bytes().all(|b| b.is_ascii_hexdigit())).then(|| name.to_owned())
    }

    /// `account` has just signed in on this computer: it is now the one a restart may resume.
    /// Whoever was kept before leaves the keyring.
    pub(super) fn mark_signed_in(&self, account: &str) {
        let previous = self.last_signed_in();
        if let Some(previous) = previous.as_deref() {
            if previous != account || !self.resume_allowed {
                if let Err(e) = self.forget_kept(previous) {
                    tracing::warn!(error = %e, "the previous sign-in could not be removed from the keyring");
                }
            }
        }
        if self.resume_allowed && previous.as_deref() != Some(account) {
            if let Err(e) = self
                .secrets
                .set(&self.marker_entry(), &Secret::new(account))
            {
                tracing::info!(error = %e, "keyring unavailable; nobody will be resumed at start");
            }
        }
    }

    /// Removes `account`'s saved session and database key from the keyring, and the marker if it
    /// names them.
    pub(super) fn forget_kept(&self, account: &str) -> Result<(), SecretError> {
        let session = self.secrets.delete(&saved_session_entry(account));
        let key = self.secrets.delete(&store_key_entry(account));
        if self.last_signed_in().as_deref() == Some(account) {
            self.secrets.delete(&self.marker_entry())?;
        }
        session.and(key)
    }
}
