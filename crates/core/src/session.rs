//! Signing in and staying signed in: password sign-in with the optional SMS-code step, the refresh
//! token kept in the OS keyring (access token in memory only), single-flight automatic refresh, and
//! sign-out that removes the keyring entry.
//!
//! Each clinician's session is saved under their own entry (`session:<account>`, the account being
//! a hash of backend and user id); which one a restart resumes is the app's decision
//! ([`crate::app::ClinicianApp::resume_session`]). IT can turn saving off (`sessionResumeAllowed`):
//! then nothing is saved and a restart always asks for the password.
//!
//! A clinician let in offline (the app checked the password against the wrapped database key) has
//! an offline session: no tokens, the password kept in memory. The first authorised call once the
//! server answers signs in with that password; when the account needs an SMS code (or the password
//! was changed elsewhere) the session stays offline and [`Auth::sign_in_required`] says so, without
//! sending an SMS nobody asked for.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use crate::api_errors::to_app_error;
use crate::clock::Clock;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::huma::client::Call;
use crate::huma::{wire, ApiError, HumaClient};
use crate::secrets::{Secret, SecretError, SecretStore};
use crate::ui_types::{Clinician, SessionInfo, SignInStep, TokenStorage};

/// Refresh a little before the access token runs out, so a request never starts with a dead token.
const REFRESH_MARGIN: Duration = Duration::seconds(60);

/// Why an authorised call failed: the server's answer, or no usable session to make it with.
#[derive(Debug)]
pub enum CallError {
    Api(ApiError),
    Session(AppError),
}

/// What the clinician is told: the server's answer in words (`api_errors`), or the session's error.
impl From<CallError> for AppError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Api(e) => to_app_error(&e),
            CallError::Session(e) => e,
        }
    }
}

/// What the keyring keeps between runs, as one JSON secret.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedSession {
    refresh_token: String,
    clinician: Clinician,
    /// The clinician's language on the server (sent back as `x-hu-locale`).
    #[serde(default)]
    language: Option<String>,
}

struct SignedIn {
    clinician: Clinician,
    language: Option<String>,
    access: Secret,
    access_expires_at: DateTime<Utc>,
    refresh: Secret,
    storage: TokenStorage,
    /// The email and password typed at this sign-in, until the app has wrapped the database key
    /// with them ([`Auth::take_typed`]); none after that, after a resume, or after an offline
    /// session reconnected.
    typed: Option<Typed>,
}

/// What the clinician typed to sign in, kept in memory only until the database key is wrapped with
/// the password (an offline session keeps it until it has signed in to the server).
#[derive(Clone)]
pub(crate) struct Typed {
    pub email: String,
    pub password: Secret,
}

struct OfflineSession {
    clinician: Clinician,
    email: String,
    password: Secret,
    storage: TokenStorage,
    /// The automatic sign-in found that the clinician must sign in by hand (SMS code, or the
    /// password no longer works on the server). Not retried until they do.
    sign_in_required: bool,
}

enum State {
    SignedOut,
    AwaitingCode {
        first_stage_refresh: Secret,
        typed: Typed,
    },
    SignedIn(SignedIn),
    Offline(OfflineSession),
}

/// The server wants the SMS code: at sign-in (403 `100043`, some servers), or by refusing the tokens
/// of a password-only sign-in on the first call that needs them (400 `100021`, Huma's server).
fn needs_code(error: &ApiError) -> bool {
    matches!(
        error.huma_code(),
        Some(wire::codes::MFA_REQUIRED | wire::codes::FIRST_STAGE_TOKEN)
    )
}

fn sign_in_again() -> AppError {
    AppError::new(
        ErrorCode::SessionExpired,
        "Sign in again to send your queued invites and see the latest lists.",
    )
}

pub struct Auth {
    client: HumaClient,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    /// The backend this session belongs to (its URL, or the demo sandbox's fixed name).
    partition: String,
    /// False when policy forbids resuming a session: none is saved in the keyring.
    keep: bool,
    state: Mutex<State>,
}

/// The keyring entry of one account's saved session.
pub(crate) fn saved_session_entry(account: &str) -> String {
    format!("session:{account}")
}

impl Auth {
    /// `partition` names the backend this session belongs to (its URL; a fixed name for the demo
    /// sandbox, whose port changes every run).
    pub fn new(
        client: HumaClient,
        secrets: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
        partition: &str,
    ) -> Self {
        Self {
            client,
            secrets,
            clock,
            partition: partition.to_owned(),
            keep: true,
            state: Mutex::new(State::SignedOut),
        }
    }

    /// Whether sessions are saved for a restart to resume (policy `sessionResumeAllowed`).
    pub fn keep_sessions(mut self, keep: bool) -> Self {
        self.keep = keep;
        self
    }

    /// The keyring entry of `clinician_id`'s saved session on this backend.
    fn entry(&self, clinician_id: &str) -> String {
        saved_session_entry(&crate::store::accounts::account_name(
            &self.partition,
            clinician_id,
        ))
    }

    /// Earlier versions saved one session per backend, whoever it belonged to: it is never
    /// resumed, and its refresh token leaves the keyring.
    pub fn forget_legacy_session(&self) {
        let legacy = format!("session:{}", crate::store::short_hash(&self.partition));
        let _ = self.secrets.delete(&legacy);
    }

    pub fn client(&self) -> &HumaClient {
        &self.client
    }

    /// Step 1: email and password. Clinicians whose deployment requires it get an SMS code next.
    pub async fn sign_in(&self, email: &str, password: &Secret) -> AppResult<SignInStep> {
        let email = email.trim();
        if email.is_empty() || password.expose().is_empty() {
            return Err(AppError::invalid_input(
                "Enter your email address and password.",
            ));
        }
        let typed = || Typed {
            email: email.to_owned(),
            password: password.clone(),
        };
        // Password first. An account that needs the SMS code is told apart either at sign-in
        // (`100043`) or, as Huma's server does it, when the password-only tokens are refused by the
        // first call that needs them (`100021`): either way, sign in again with method 3.
        let tokens = match self.password_sign_in(email, password).await {
            Ok(tokens) => tokens,
            Err(e) if needs_code(&e) => return self.request_code(typed()).await,
            Err(e) => return Err(to_app_error(&e)),
        };
        let access = Secret::new(tokens.auth_token.clone());
        match self.fetch_user(&tokens.uid, &access).await {
            Ok(user) => {
                let session = self.complete_sign_in(tokens, user, typed()).await;
                Ok(SignInStep::SignedIn { session })
            }
            // The password-only session is useless to this account; it simply lapses.
            Err(e) if needs_code(&e) => self.request_code(typed()).await,
            Err(e) => Err(to_app_error(&e)),
        }
    }

    async fn password_sign_in(
        &self,
        email: &str,
        password: &Secret,
    ) -> Result<wire::SignInResponse, ApiError> {
        let config = self.client.config();
        self.client
            .post(
                wire::SIGNIN,
                &wire::SignInRequest {
                    method: wire::METHOD_PASSWORD,
                    email,
                    password: password.expose(),
                    project_id: &config.project_id,
                    client_id: &config.client_id,
                },
                Call::default(),
            )
            .await
    }

    /// Method 3, first factor, then the SMS code sent with that first-stage refresh token (a
    /// method-2 token cannot ask for one: `100023`).
    async fn request_code(&self, typed: Typed) -> AppResult<SignInStep> {
        let config = self.client.config();
        let first: wire::SignInResponse = self
            .client
            .post(
                wire::SIGNIN,
                &wire::SignInRequest {
                    method: wire::METHOD_PASSWORD_AND_SMS,
                    email: &typed.email,
                    password: typed.password.expose(),
                    project_id: &config.project_id,
                    client_id: &config.client_id,
                },
                Call::default(),
            )
            .await
            .map_err(|e| to_app_error(&e))?;
        let sent: wire::SendVerificationResponse = self
            .client
            .post(
                wire::SEND_VERIFICATION_TOKEN,
                &wire::SendVerificationRequest {
                    method: wire::METHOD_PASSWORD_AND_SMS,
                    refresh_token: &first.refresh_token,
                    project_id: &config.project_id,
                    client_id: &config.client_id,
                },
                Call::default(),
            )
            .await
            .map_err(|e| to_app_error(&e))?;
        *self.state.lock().await = State::AwaitingCode {
            first_stage_refresh: Secret::new(first.refresh_token),
            typed,
        };
        Ok(SignInStep::CodeRequired {
            masked_phone: sent.to,
        })
    }

    /// Step 2 (when asked): the SMS code.
    pub async fn submit_code(&self, code: &Secret) -> AppResult<SessionInfo> {
        let code_text = code.expose().trim();
        if code_text.len() != 6 || !code_text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AppError::new(
                ErrorCode::WrongCode,
                "The code is the 6 digits in the SMS.",
            ));
        }
        let (first_stage, typed) = match &*self.state.lock().await {
            State::AwaitingCode {
                first_stage_refresh,
                typed,
            } => (first_stage_refresh.clone(), typed.clone()),
            _ => {
                return Err(AppError::new(
                    ErrorCode::SessionExpired,
                    "The sign-in has started over. Enter your email and password again.",
                ))
            }
        };
        let config = self.client.config();
        let tokens: wire::SignInResponse = self
            .client
            .post(
                wire::SIGNIN,
                &wire::ConfirmCodeRequest {
                    method: wire::METHOD_PASSWORD_AND_SMS,
                    refresh_token: first_stage.expose(),
                    confirmation_code: code_text,
                    project_id: &config.project_id,
                    client_id: &config.client_id,
                },
                Call::default(),
            )
            .await
            .map_err(|e| to_app_error(&e))?;
        let access = Secret::new(tokens.auth_token.clone());
        let user = self
            .fetch_user(&tokens.uid, &access)
            .await
            .map_err(|e| to_app_error(&e))?;
        Ok(self.complete_sign_in(tokens, user, typed).await)
    }

    async fn complete_sign_in(
        &self,
        tokens: wire::SignInResponse,
        user: wire::UserDto,
        typed: Typed,
    ) -> SessionInfo {
        let (clinician, language) = clinician_of(user);
        let signed_in = SignedIn {
            clinician,
            language,
            access: Secret::new(tokens.auth_token),
            access_expires_at: self.expiry(tokens.auth_token_expires_in),
            refresh: Secret::new(tokens.refresh_token),
            storage: TokenStorage::Keyring,
            typed: Some(typed),
        };
        self.install(signed_in).await
    }

    /// Lets a clinician in without the server, after the app checked `password` locally (it opened
    /// their wrapped database key). The server sign-in happens on the first call once it answers.
    pub async fn enter_offline(
        &self,
        email: &str,
        password: &Secret,
        clinician: Clinician,
    ) -> SessionInfo {
        let storage = if !self.keep {
            TokenStorage::NotKept
        } else {
            match self.secrets.get(&self.entry(&clinician.id)) {
                Ok(_) => TokenStorage::Keyring,
                Err(_) => TokenStorage::MemoryOnly,
            }
        };
        let info = SessionInfo {
            clinician: clinician.clone(),
            token_storage: storage,
            offline: true,
            locked: false,
        };
        *self.state.lock().await = State::Offline(OfflineSession {
            clinician,
            email: email.trim().to_owned(),
            password: password.clone(),
            storage,
            sign_in_required: false,
        });
        info
    }

    /// True when calls go to the server with a token (not signed out, not an offline session).
    pub async fn has_server_session(&self) -> bool {
        matches!(&*self.state.lock().await, State::SignedIn(_))
    }

    /// True while the clinician is in on the locally checked password only.
    pub async fn is_offline(&self) -> bool {
        matches!(&*self.state.lock().await, State::Offline(_))
    }

    /// True when the server answers but the clinician must sign in by hand before anything is sent:
    /// an offline session whose automatic sign-in needs an SMS code or was refused, or a session
    /// that lapsed on the server (the app still has the account's database open).
    pub async fn sign_in_required(&self) -> bool {
        match &*self.state.lock().await {
            State::Offline(o) => o.sign_in_required,
            State::SignedIn(_) => false,
            State::SignedOut | State::AwaitingCode { .. } => true,
        }
    }

    /// The session as the UI sees it, if anyone is in.
    pub async fn session_info(&self) -> Option<SessionInfo> {
        match &*self.state.lock().await {
            State::SignedIn(s) => Some(SessionInfo {
                clinician: s.clinician.clone(),
                token_storage: s.storage,
                offline: false,
                locked: false,
            }),
            State::Offline(o) => Some(SessionInfo {
                clinician: o.clinician.clone(),
                token_storage: o.storage,
                offline: true,
                locked: false,
            }),
            _ => None,
        }
    }

    /// The email and password typed at this sign-in, to wrap the database key with. A signed-in
    /// session hands them over and forgets them; an offline session keeps its copy to sign in to
    /// the server once it answers.
    pub(crate) async fn take_typed(&self) -> Option<Typed> {
        match &mut *self.state.lock().await {
            State::SignedIn(s) => s.typed.take(),
            State::Offline(o) => Some(Typed {
                email: o.email.clone(),
                password: o.password.clone(),
            }),
            State::AwaitingCode { typed, .. } => Some(typed.clone()),
            State::SignedOut => None,
        }
    }

    /// True while the typed password is held in memory (waiting for the SMS code, or an offline
    /// session not yet signed in to the server).
    pub async fn has_password_in_memory(&self) -> bool {
        match &*self.state.lock().await {
            State::SignedIn(s) => s.typed.is_some(),
            State::Offline(_) | State::AwaitingCode { .. } => true,
            State::SignedOut => false,
        }
    }

    /// Forgets the session in this run only (no server call, keyring untouched).
    pub async fn forget_locally(&self) {
        *self.state.lock().await = State::SignedOut;
        self.client.set_locale(None);
    }

    /// Signs in to the server with an offline session's password. Unreachable stays an API error
    /// (the caller retries later); anything needing the clinician becomes `sign_in_required`.
    async fn reconnect_locked(&self, state: &mut State) -> Result<(), CallError> {
        let State::Offline(offline) = state else {
            return Err(CallError::Session(AppError::not_signed_in()));
        };
        if offline.sign_in_required {
            return Err(CallError::Session(sign_in_again()));
        }
        // The password-only tokens are checked with the user call: an account that needs the SMS
        // code gets them, then sees them refused (`100021`).
        let result = match self
            .password_sign_in(&offline.email, &offline.password)
            .await
        {
            Ok(tokens) if tokens.uid == offline.clinician.id => {
                let access = Secret::new(tokens.auth_token.clone());
                self.fetch_user(&tokens.uid, &access)
                    .await
                    .map(|user| (tokens, user))
            }
            Ok(tokens) => Ok((tokens, wire::UserDto::default())),
            Err(e) => Err(e),
        };
        match result {
            Ok((tokens, user)) if tokens.uid == offline.clinician.id => {
                self.client.set_locale(user.language.clone());
                let mut signed_in = SignedIn {
                    clinician: offline.clinician.clone(),
                    language: user.language,
                    access: Secret::new(tokens.auth_token),
                    access_expires_at: self.expiry(tokens.auth_token_expires_in),
                    refresh: Secret::new(tokens.refresh_token),
                    storage: TokenStorage::Keyring,
                    // The key was wrapped with this password when it let the clinician in offline.
                    typed: None,
                };
                signed_in.storage = self.save(&signed_in);
                tracing::info!("signed in to the server after an offline start");
                *state = State::SignedIn(signed_in);
                Ok(())
            }
            Ok(_) => {
                // The email now belongs to another user id: never send this account's queue with it.
                tracing::warn!("the server sign-in returned another account; sign-in required");
                offline.sign_in_required = true;
                Err(CallError::Session(sign_in_again()))
            }
            Err(e) if needs_code(&e) => {
                tracing::info!("the server is back; the clinician's SMS code is needed to sign in");
                offline.sign_in_required = true;
                Err(CallError::Session(sign_in_again()))
            }
            Err(e) => {
                let app = to_app_error(&e);
                if matches!(
                    app.code,
                    ErrorCode::BadCredentials | ErrorCode::TooManyAttempts | ErrorCode::Forbidden
                ) {
                    tracing::info!(code = ?app.code, "the server refused the offline password");
                    offline.sign_in_required = true;
                    Err(CallError::Session(sign_in_again()))
                } else {
                    Err(CallError::Api(e))
                }
            }
        }
    }

    async fn fetch_user(&self, uid: &str, access: &Secret) -> Result<wire::UserDto, ApiError> {
        self.client
            .get(
                &wire::user_path(uid),
                Call {
                    token: Some(access),
                    deployment_id: None,
                },
            )
            .await
    }

    /// Keeps the session, saving its refresh token in the keyring; a dead keyring means memory only.
    async fn install(&self, mut signed_in: SignedIn) -> SessionInfo {
        self.client.set_locale(signed_in.language.clone());
        signed_in.storage = self.save(&signed_in);
        let info = SessionInfo {
            clinician: signed_in.clinician.clone(),
            token_storage: signed_in.storage,
            offline: false,
            locked: false,
        };
        *self.state.lock().await = State::SignedIn(signed_in);
        info
    }

    fn save(&self, signed_in: &SignedIn) -> TokenStorage {
        let entry = self.entry(&signed_in.clinician.id);
        if !self.keep {
            // Saved before the policy said no: not resumable any more.
            let _ = self.secrets.delete(&entry);
            return TokenStorage::NotKept;
        }
        let saved = SavedSession {
            refresh_token: signed_in.refresh.expose().to_owned(),
            clinician: signed_in.clinician.clone(),
            language: signed_in.language.clone(),
        };
        let Ok(json) = serde_json::to_string(&saved) else {
            return TokenStorage::MemoryOnly;
        };
        match self.secrets.set(&entry, &Secret::new(json)) {
            Ok(()) => TokenStorage::Keyring,
            Err(e) => {
                tracing::warn!(error = %e, "keyring unavailable; the session is kept in memory only");
                TokenStorage::MemoryOnly
            }
        }
    }

    /// At start-up: `account`'s session saved in the keyring, refreshed. `Ok(None)` when there is
    /// none (or saving is turned off).
    pub async fn resume(&self, account: &str) -> AppResult<Option<SessionInfo>> {
        let entry = saved_session_entry(account);
        if !self.keep {
            let _ = self.secrets.delete(&entry);
            return Ok(None);
        }
        let saved = match self.secrets.get(&entry) {
            Ok(Some(secret)) => secret,
            Ok(None) => {
                tracing::info!("no saved session");
                return Ok(None);
            }
            Err(SecretError::Unavailable(e)) => {
                tracing::warn!(error = %e, "keyring unavailable at start-up");
                return Ok(None);
            }
            Err(SecretError::Corrupt(e)) => {
                tracing::warn!(error = %e, "saved session unreadable; discarding it");
                let _ = self.secrets.delete(&entry);
                return Ok(None);
            }
        };
        let saved = serde_json::from_str::<SavedSession>(saved.expose())
            .ok()
            .filter(|saved| self.entry(&saved.clinician.id) == entry);
        let Some(saved) = saved else {
            tracing::warn!("saved session unreadable or not this account's; discarding it");
            let _ = self.secrets.delete(&entry);
            return Ok(None);
        };
        match self.refresh_with(&Secret::new(saved.refresh_token)).await {
            Ok(tokens) => {
                let signed_in = SignedIn {
                    clinician: saved.clinician,
                    language: saved.language,
                    access: Secret::new(tokens.auth_token),
                    access_expires_at: self.expiry(tokens.expires_in),
                    refresh: Secret::new(tokens.refresh_token),
                    storage: TokenStorage::Keyring,
                    typed: None,
                };
                Ok(Some(self.install(signed_in).await))
            }
            Err(e) => {
                let app = to_app_error(&e);
                tracing::info!(error = %e, "the saved session could not be resumed");
                if app.code == ErrorCode::SessionExpired {
                    let _ = self.secrets.delete(&entry);
                }
                Err(app)
            }
        }
    }

    async fn refresh_with(&self, refresh: &Secret) -> Result<wire::RefreshResponse, ApiError> {
        self.client
            .post(
                wire::REFRESH_TOKEN,
                &wire::RefreshRequest {
                    refresh_token: refresh.expose(),
                },
                Call::default(),
            )
            .await
    }

    fn expiry(&self, seconds: u64) -> DateTime<Utc> {
        self.clock.now() + Duration::seconds(i64::try_from(seconds).unwrap_or(i64::MAX / 2_000))
    }

    /// A valid access token, refreshed first if it is about to expire. Single-flight: concurrent
    /// callers wait on the same lock instead of each spending the (rotating) refresh token.
    pub async fn access_token(&self) -> AppResult<(Secret, String)> {
        self.access_token_raw().await.map_err(AppError::from)
    }

    /// As [`Auth::access_token`]; a server that cannot be reached stays an API error, so callers
    /// tell "offline, try later" from "signed out".
    async fn access_token_raw(&self) -> Result<(Secret, String), CallError> {
        let mut state = self.state.lock().await;
        if let State::Offline(_) = &*state {
            self.reconnect_locked(&mut state).await?;
        }
        let State::SignedIn(signed_in) = &mut *state else {
            return Err(CallError::Session(AppError::not_signed_in()));
        };
        if self.clock.now() + REFRESH_MARGIN >= signed_in.access_expires_at {
            self.refresh_locked(&mut state).await?;
        }
        match &*state {
            State::SignedIn(s) => Ok((s.access.clone(), s.clinician.id.clone())),
            _ => Err(CallError::Session(AppError::not_signed_in())),
        }
    }

    /// Called after the server refused `stale`: refresh unless another caller already did.
    pub async fn refresh_after_rejection(&self, stale: &Secret) -> AppResult<Secret> {
        let mut state = self.state.lock().await;
        match &*state {
            State::SignedIn(s) if &s.access != stale => return Ok(s.access.clone()),
            State::SignedIn(_) => {}
            _ => return Err(AppError::not_signed_in()),
        }
        self.refresh_locked(&mut state)
            .await
            .map_err(AppError::from)?;
        match &*state {
            State::SignedIn(s) => Ok(s.access.clone()),
            _ => Err(AppError::not_signed_in()),
        }
    }

    async fn refresh_locked(&self, state: &mut State) -> Result<(), CallError> {
        let State::SignedIn(signed_in) = state else {
            return Err(CallError::Session(AppError::not_signed_in()));
        };
        match self.refresh_with(&signed_in.refresh).await {
            Ok(tokens) => {
                signed_in.access = Secret::new(tokens.auth_token);
                signed_in.access_expires_at = self.expiry(tokens.expires_in);
                signed_in.refresh = Secret::new(tokens.refresh_token);
                if signed_in.storage == TokenStorage::Keyring {
                    signed_in.storage = self.save(signed_in);
                }
                Ok(())
            }
            Err(e) => {
                let app = to_app_error(&e);
                if app.code == ErrorCode::SessionExpired {
                    tracing::info!("session expired; signing out locally");
                    let _ = self.secrets.delete(&self.entry(&signed_in.clinician.id));
                    *state = State::SignedOut;
                    return Err(CallError::Session(app));
                }
                Err(CallError::Api(e))
            }
        }
    }

    /// Runs an authorised call; on a rejected token it refreshes once and tries again.
    pub async fn authorised<T, F, Fut>(&self, call: F) -> AppResult<T>
    where
        F: Fn(Secret, String) -> Fut,
        Fut: std::future::Future<Output = Result<T, ApiError>>,
    {
        self.authorised_raw(call).await.map_err(AppError::from)
    }

    /// As [`Auth::authorised`], keeping the API error for callers that classify it themselves (the
    /// sync task tells "never sent" from "outcome unknown").
    pub async fn authorised_raw<T, F, Fut>(&self, call: F) -> Result<T, CallError>
    where
        F: Fn(Secret, String) -> Fut,
        Fut: std::future::Future<Output = Result<T, ApiError>>,
    {
        let (token, uid) = self.access_token_raw().await?;
        let result = match call(token.clone(), uid.clone()).await {
            Err(e) if e.is_token_rejected() => {
                let fresh = self
                    .refresh_after_rejection(&token)
                    .await
                    .map_err(CallError::Session)?;
                call(fresh.clone(), uid).await.map_err(|e| (e, fresh))
            }
            other => other.map_err(|e| (e, token)),
        };
        match result {
            Ok(value) => Ok(value),
            Err((e, used)) if needs_code(&e) => {
                self.needs_code_again(&used).await;
                Err(CallError::Session(sign_in_again()))
            }
            Err((e, _)) => Err(CallError::Api(e)),
        }
    }

    /// The server refused `used` until the SMS code is entered (`100021`): the session cannot be
    /// cured by a refresh, so the clinician signs in by hand. The saved refresh token is of no
    /// further use and goes; the account's database stays open, its queue waiting for the sign-in.
    async fn needs_code_again(&self, used: &Secret) {
        let mut state = self.state.lock().await;
        let State::SignedIn(s) = &*state else { return };
        if &s.access != used {
            return;
        }
        tracing::info!("the server wants the SMS code for this session; sign-in required");
        let _ = self.secrets.delete(&self.entry(&s.clinician.id));
        *state = State::SignedOut;
    }

    /// Signs out on the server (best effort: offline still signs out here) and forgets the keyring entry.
    pub async fn sign_out(&self) -> AppResult<()> {
        let previous = std::mem::replace(&mut *self.state.lock().await, State::SignedOut);
        self.client.set_locale(None);
        let (entry, kept_in_keyring) = match &previous {
            State::SignedIn(s) => (
                Some(self.entry(&s.clinician.id)),
                s.storage == TokenStorage::Keyring,
            ),
            State::Offline(o) => (
                Some(self.entry(&o.clinician.id)),
                o.storage == TokenStorage::Keyring,
            ),
            _ => (None, false),
        };
        if let State::SignedIn(s) = previous {
            let result: Result<serde_json::Value, _> = self
                .client
                .post(
                    wire::SIGNOUT,
                    &wire::SignOutRequest {
                        user_id: &s.clinician.id,
                        refresh_token: s.refresh.expose(),
                        device_agent: &self.client.config().device_agent,
                    },
                    Call {
                        token: Some(&s.access),
                        deployment_id: None,
                    },
                )
                .await;
            if let Err(e) = result {
                tracing::info!(error = %e, "server sign-out failed; signed out on this computer");
            }
        }
        let Some(entry) = entry else { return Ok(()) };
        match self.secrets.delete(&entry) {
            Ok(()) => Ok(()),
            // Nothing was saved there in this run: the keyring being down changes nothing.
            Err(e) if !kept_in_keyring => {
                tracing::info!(error = %e, "keyring unavailable at sign-out; nothing was saved there");
                Ok(())
            }
            Err(e) => Err(AppError::new(
                ErrorCode::KeyringUnavailable,
                format!("You are signed out, but the saved sign-in could not be removed from the system keyring ({e})."),
            )),
        }
    }

    pub async fn clinician(&self) -> Option<Clinician> {
        match &*self.state.lock().await {
            State::SignedIn(s) => Some(s.clinician.clone()),
            State::Offline(o) => Some(o.clinician.clone()),
            _ => None,
        }
    }
}

/// The clinician as the app shows them, and their language on the server.
fn clinician_of(user: wire::UserDto) -> (Clinician, Option<String>) {
    let clinician = Clinician {
        id: user.id,
        given_name: user.given_name.unwrap_or_default(),
        family_name: user.family_name.unwrap_or_default(),
        email: user.email.unwrap_or_default(),
    };
    (clinician, user.language)
}
