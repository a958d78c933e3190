//! Signing in and out, and opening the signed-in clinician's database.

use super::store_open::open_account_store;
use super::*;

impl ClinicianApp {
    pub async fn resume_session(&self) -> AppResult<Option<SessionInfo>> {
        let Some(auth) = &self.auth else {
            return Ok(None);
        };
        let session = auth.resume().await?;
        if let Some(session) = &session {
            self.open_store(&session.clinician.id).await?;
        }
        Ok(session)
    }

    pub async fn sign_in(&self, email: &str, password: &Secret) -> AppResult<SignInStep> {
        let step = self.auth()?.sign_in(email, password).await?;
        if let SignInStep::SignedIn { session } = &step {
            self.open_store(&session.clinician.id).await?;
        }
        Ok(step)
    }

    pub async fn submit_code(&self, code: &Secret) -> AppResult<SessionInfo> {
        let session = self.auth()?.submit_code(code).await?;
        self.open_store(&session.clinician.id).await?;
        Ok(session)
    }

    pub async fn sign_out(&self) -> AppResult<()> {
        // The database stays on disk (it will hold unsent invites); only the open handle is dropped.
        *self.store.write().await = None;
        self.auth()?.sign_out().await
    }

    /// One database per account on this computer: partitioned by backend and user id.
    pub(super) async fn open_store(&self, uid: &str) -> AppResult<()> {
        let account = store::short_hash(&format!("{}\n{uid}", self.partition));
        let path = self
            .data_dir
            .join("accounts")
            .join(&account)
            .join("clinician.db");
        let store = open_account_store(self.secrets.as_ref(), &account, path)?;
        *self.store.write().await = Some(store);
        self.publish_outbox().await;
        self.sync_wakeup.notify_one();
        Ok(())
    }
}
