//! Signing in (online, or offline with the password checked on this computer), the lock screen,
//! signing out, and opening the signed-in clinician's database.

use std::sync::atomic::Ordering;

use super::store_open::{self, OpenAccount, OpenRequest};
use super::*;
use crate::ui_types::Clinician;

/// Wrong passwords in a row on the lock screen before the session is ended (the queue is kept).
const MAX_UNLOCK_FAILURES: u32 = 5;

impl ClinicianApp {
    pub async fn resume_session(&self) -> AppResult<Option<SessionInfo>> {
        let Some(auth) = &self.auth else {
            return Ok(None);
        };
        let Some(session) = auth.resume().await? else {
            return Ok(None);
        };
        match self.open_store(&session.clinician).await {
            Ok(()) => Ok(Some(session)),
            // Only the password can open this account's data now: show the sign-in screen.
            Err(e) if e.code == ErrorCode::SessionExpired => {
                auth.forget_locally().await;
                Ok(None)
            }
            Err(e) => {
                auth.forget_locally().await;
                Err(e)
            }
        }
    }

    /// Signs in on the server; when it cannot be reached, a clinician who signed in on this computer
    /// before is let in offline with the password checked against their wrapped database key.
    pub async fn sign_in(&self, email: &str, password: &Secret) -> AppResult<SignInStep> {
        let auth = self.auth()?;
        let _no_sync = self.hold_sync().await;
        match auth.sign_in(email, password).await {
            Ok(SignInStep::SignedIn { session }) => {
                self.open_store_or_forget(&session.clinician).await?;
                Ok(SignInStep::SignedIn { session })
            }
            Ok(step) => Ok(step),
            Err(e) if e.code == ErrorCode::Offline => {
                let session = self.sign_in_offline(email, password).await?;
                Ok(SignInStep::SignedIn { session })
            }
            Err(e) => Err(e),
        }
    }

    pub async fn submit_code(&self, code: &Secret) -> AppResult<SessionInfo> {
        let _no_sync = self.hold_sync().await;
        let session = self.auth()?.submit_code(code).await?;
        self.open_store_or_forget(&session.clinician).await?;
        Ok(session)
    }

    async fn sign_in_offline(&self, email: &str, password: &Secret) -> AppResult<SessionInfo> {
        let auth = self.auth()?;
        let data_dir = self.data_dir.clone();
        let partition = self.partition.clone();
        let (email_owned, password_owned) = (email.to_owned(), password.clone());
        // Argon2 takes a quarter of a second of CPU: off the async workers.
        let (store, account, clinician) = tokio::task::spawn_blocking(move || {
            store_open::open_offline(&data_dir, &partition, &email_owned, &password_owned)
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))??;
        tracing::info!("signed in offline with the password checked on this computer");
        let session = auth.enter_offline(email, password, clinician).await;
        self.install_store(store, account).await;
        Ok(session)
    }

    /// The idle lock screen: checks the password against this account's wrapped key, on this
    /// computer only. Five wrong passwords in a row end the session (unsent invites are kept).
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
        let password = password.clone();
        let right =
            tokio::task::spawn_blocking(move || store_open::verify_password(&account, &password))
                .await
                .map_err(|e| AppError::internal(e.to_string()))??;
        if right {
            self.unlock_failures.store(0, Ordering::SeqCst);
            return Ok(());
        }
        let failures = self.unlock_failures.fetch_add(1, Ordering::SeqCst) + 1;
        if failures >= MAX_UNLOCK_FAILURES {
            tracing::warn!("too many wrong passwords on the lock screen; signing out");
            let _ = self.sign_out().await;
            return Err(AppError::new(
                ErrorCode::TooManyAttempts,
                "Too many wrong passwords, so you have been signed out. Invites waiting to be sent are kept. Sign in again.",
            ));
        }
        Err(store_open::wrong_password())
    }

    /// The session as it stands now (`offline` turns false once the server sign-in succeeded).
    pub async fn session_info(&self) -> Option<SessionInfo> {
        self.auth.as_ref()?.session_info().await
    }

    /// True when an account's data is open but nothing can be sent until the clinician signs in
    /// by hand (see [`Auth::sign_in_required`]).
    pub async fn sign_in_required(&self) -> bool {
        let open = self.store.read().await.is_some();
        match &self.auth {
            Some(auth) => open && auth.sign_in_required().await,
            None => false,
        }
    }

    pub async fn sign_out(&self) -> AppResult<()> {
        let _no_sync = self.hold_sync().await;
        // The database stays on disk with its unsent invites; only the open handle is dropped.
        *self.store.write().await = None;
        if let Ok(mut account) = self.account.lock() {
            *account = None;
        }
        self.unlock_failures.store(0, Ordering::SeqCst);
        self.auth()?.sign_out().await
    }

    /// A failed open leaves nobody half signed in (session without a database).
    async fn open_store_or_forget(&self, clinician: &Clinician) -> AppResult<()> {
        let opened = self.open_store(clinician).await;
        if opened.is_err() {
            if let Some(auth) = &self.auth {
                auth.forget_locally().await;
            }
        }
        opened
    }

    /// One database per account on this computer: partitioned by backend and user id.
    pub(super) async fn open_store(&self, clinician: &Clinician) -> AppResult<()> {
        let auth = self.auth()?;
        let open_key = self
            .account
            .lock()
            .ok()
            .and_then(|a| a.clone())
            .filter(|a| {
                a.dir
                    == crate::store::accounts::AccountDir::for_user(
                        &self.data_dir,
                        &self.partition,
                        &clinician.id,
                    )
            })
            .map(|a| a.key);
        let request = OpenRequest {
            secrets: self.secrets.clone(),
            data_dir: self.data_dir.clone(),
            partition: self.partition.clone(),
            clinician: clinician.clone(),
            typed: auth.typed().await,
            open_key,
        };
        let (store, account) =
            tokio::task::spawn_blocking(move || store_open::open_signed_in(request))
                .await
                .map_err(|e| AppError::internal(e.to_string()))??;
        self.install_store(store, account).await;
        Ok(())
    }

    async fn install_store(&self, store: AccountStore, account: OpenAccount) {
        if let Ok(mut open) = self.account.lock() {
            *open = Some(account);
        }
        self.unlock_failures.store(0, Ordering::SeqCst);
        *self.store.write().await = Some(store);
        self.publish_outbox().await;
        self.sync_wakeup.notify_one();
    }
}
