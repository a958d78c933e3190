//! The lock: after the idle minutes (the UI asks), and at start-up after a session was resumed,
//! patient data is refused until the clinician's password unlocks the app. The password is
//! checked on this computer only, against the account's wrapped key; wrong ones are counted on
//! disk, so quitting the app neither unlocks it nor resets the count. Queued invites keep going
//! out behind the lock.

use std::sync::atomic::Ordering;

use super::store_open::{self, Checked};
use super::*;

/// Wrong passwords in a row on the lock screen before the session is ended (the queue is kept).
const MAX_UNLOCK_FAILURES: u32 = 5;

impl ClinicianApp {
    /// Locks the app (the clinician has been away). Nothing to lock when nobody is signed in.
    pub async fn lock(&self) -> AppResult<()> {
        if self.store.read().await.is_none() {
            return Err(AppError::not_signed_in());
        }
        self.locked.store(true, Ordering::SeqCst);
        tracing::info!("locked");
        Ok(())
    }

    pub fn is_locked(&self) -> bool {
        self.locked.load(Ordering::SeqCst)
    }

    pub(super) fn ensure_unlocked(&self) -> AppResult<()> {
        if self.is_locked() {
            return Err(AppError::new(
                ErrorCode::Locked,
                "Huma Clinician is locked. Enter your password to unlock it.",
            ));
        }
        Ok(())
    }

    /// The lock screen: checks the password against this account's wrapped key, on this computer
    /// only. After a few wrong ones each try waits longer; five in a row end the session (unsent
    /// invites are kept).
    pub async fn unlock(&self, password: &Secret) -> AppResult<()> {
        let account = self
            .account
            .lock()
            .ok()
            .and_then(|a| a.clone())
            .ok_or_else(AppError::not_signed_in)?;
        if password.expose().is_empty() {
            return Err(AppError::invalid_input("Enter your password."));
        }
        let (password, clock) = (password.clone(), self.clock.clone());
        let checked = tokio::task::spawn_blocking(move || {
            store_open::check_unlock(&account, &password, clock.as_ref())
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))??;
        match checked {
            Checked::Right(()) => {
                self.locked.store(false, Ordering::SeqCst);
                tracing::info!("unlocked");
                Ok(())
            }
            Checked::Wrong { failures, .. } if failures >= MAX_UNLOCK_FAILURES => {
                tracing::warn!("too many wrong passwords on the lock screen; signing out");
                let _ = self.sign_out().await;
                Err(AppError::new(
                    ErrorCode::TooManyAttempts,
                    "Too many wrong passwords, so you have been signed out. Invites waiting to be sent are kept. Sign in again.",
                ))
            }
            Checked::Wrong { wait, .. } => {
                Err(store_open::with_wait(store_open::wrong_password(), wait))
            }
        }
    }
}
