//! Signing in (online, or offline with the password checked on this computer), the lock screen,
//! signing out, and opening the signed-in clinician's database.

use std::sync::atomic::Ordering;

use super::store_open::{self, OpenAccount, OpenRequest};
use super::*;
use crate::ui_types::{Clinician, TokenStorage};

impl ClinicianApp {
    /// At start-up: the session of the clinician who signed in last and did not sign out, if
    /// policy allows resuming. With an idle lock set it starts locked: their password first.
    pub async fn resume_session(&self) -> AppResult<Option<SessionInfo>> {
        let Some(auth) = &self.auth else {
            return Ok(None);
        };
        auth.forget_legacy_session();
        let Some(account) = self.last_signed_in() else {
            tracing::info!("nobody to resume");
            return Ok(None);
        };
        if !self.resume_allowed {
            tracing::info!("resuming sessions is turned off; the kept sign-in is forgotten");
            let _ = self.forget_kept(&account);
            return Ok(None);
        }
        let Some(mut session) = auth.resume(&account).await? else {
            return Ok(None);
        };
        let locked = self.info.idle_lock_minutes > 0;
        match self.open_store(&session.clinician, locked).await {
            Ok(()) => {
                session.locked = locked;
                Ok(Some(session))
            }
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
        let clock = self.clock.clone();
        // Argon2 takes a quarter of a second of CPU: off the async workers.
        let (store, account, clinician) = tokio::task::spawn_blocking(move || {
            store_open::open_offline(
                &data_dir,
                &partition,
                &email_owned,
                &password_owned,
                clock.as_ref(),
            )
        })
        .await
        .map_err(|e| AppError::internal(e.to_string()))??;
        tracing::info!("signed in offline with the password checked on this computer");
        let session = auth.enter_offline(email, password, clinician).await;
        self.install_store(store, account, false).await;
        Ok(session)
    }

    /// True while the password typed at sign-in is still held in memory: only until the database
    /// key is wrapped with it, or, offline, until the app has signed in to the server.
    pub async fn has_password_in_memory(&self) -> bool {
        match &self.auth {
            Some(auth) => auth.has_password_in_memory().await,
            None => false,
        }
    }

    /// The session as it stands now (`offline` turns false once the server sign-in succeeded).
    pub async fn session_info(&self) -> Option<SessionInfo> {
        let mut session = self.auth.as_ref()?.session_info().await?;
        session.locked = self.is_locked();
        Some(session)
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

    /// Signs out here and on the server. The database stays on disk with its unsent invites; its
    /// key leaves the keyring, so only the clinician's password opens it again.
    pub async fn sign_out(&self) -> AppResult<()> {
        let auth = self.auth()?;
        let _no_sync = self.hold_sync().await;
        let kept_in_keyring = auth
            .session_info()
            .await
            .is_some_and(|s| s.token_storage == TokenStorage::Keyring);
        *self.store.write().await = None;
        let account = self.account.lock().ok().and_then(|mut a| a.take());
        self.locked.store(false, Ordering::SeqCst);
        let signed_out = auth.sign_out().await;
        let forgotten = match &account {
            Some(account) => self.forget_kept(account.dir.name()),
            None => Ok(()),
        };
        match forgotten {
            Err(e) if signed_out.is_ok() && kept_in_keyring => Err(AppError::new(
                ErrorCode::KeyringUnavailable,
                format!("You are signed out, but the key to your data on this computer could not be removed from the system keyring ({e})."),
            )),
            Err(e) => {
                tracing::info!(error = %e, "keyring unavailable at sign-out; nothing was kept there");
                signed_out
            }
            Ok(()) => signed_out,
        }
    }

    /// A failed open leaves nobody half signed in (session without a database).
    async fn open_store_or_forget(&self, clinician: &Clinician) -> AppResult<()> {
        let opened = self.open_store(clinician, false).await;
        if opened.is_err() {
            if let Some(auth) = &self.auth {
                auth.forget_locally().await;
            }
        }
        opened
    }

    /// One database per account on this computer: partitioned by backend and user id. `locked`:
    /// the app opens locked (a resumed session).
    pub(super) async fn open_store(&self, clinician: &Clinician, locked: bool) -> AppResult<()> {
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
            typed: auth.take_typed().await,
            open_key,
            keep_key: self.resume_allowed,
            clock: self.clock.clone(),
        };
        let (store, account) =
            tokio::task::spawn_blocking(move || store_open::open_signed_in(request))
                .await
                .map_err(|e| AppError::internal(e.to_string()))??;
        self.install_store(store, account, locked).await;
        Ok(())
    }

    async fn install_store(&self, store: AccountStore, account: OpenAccount, locked: bool) {
        self.locked.store(locked, Ordering::SeqCst);
        self.mark_signed_in(account.dir.name());
        if let Ok(mut open) = self.account.lock() {
            *open = Some(account);
        }
        *self.store.write().await = Some(store);
        self.publish_outbox().await;
        self.sync.wake();
    }
}
