//! Types the UI sees. TypeScript bindings are generated from these (`cargo test` writes them to
//! `ui/src/lib/backend/bindings/`, CI fails if the committed copy drifts). They are not wire DTOs
//! (see `huma::wire`) nor database rows (see `store`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub backend: BackendInfo,
    /// Present only when the app runs against its embedded demo sandbox.
    pub demo: Option<DemoAccount>,
    pub sandbox_messages_url: Option<String>,
    /// Minutes without input before the screen locks (0 = never); IT policy can set it.
    pub idle_lock_minutes: u32,
    /// Invalid IT policy values, in words; each was ignored as a whole.
    pub policy_problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackendInfo {
    pub url: Option<String>,
    pub source: ConfigSource,
}

/// Where a setting's value came from; precedence is policy > user > default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum ConfigSource {
    Policy,
    User,
    Default,
    Demo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DemoAccount {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "step", rename_all = "camelCase")]
#[ts(export)]
pub enum SignInStep {
    SignedIn {
        session: SessionInfo,
    },
    #[serde(rename_all = "camelCase")]
    CodeRequired {
        /// The masked number the code went to, when the server says (it need not).
        masked_phone: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SessionInfo {
    pub clinician: Clinician,
    pub token_storage: TokenStorage,
    /// True when the clinician was let in with the password checked on this computer while the
    /// server was unreachable: cached lists and queueing work; the app signs in to the server when
    /// it is back (if that needs an SMS code, the outbox pauses with `signInRequired`).
    pub offline: bool,
    /// True while the app is locked (idle lock, or a session resumed at start-up): patient data is
    /// refused with `Locked` until the clinician's password unlocks it.
    pub locked: bool,
}

/// Where the sign-in is kept between runs. `Keyring`: in the OS keyring, so a restart resumes it.
/// `MemoryOnly`: the keyring is unavailable, so the sign-in is NOT remembered: after a restart the
/// clinician signs in again. `NotKept`: the organisation's policy turns resuming off, so the
/// sign-in is not remembered either (nothing is wrong). Either way their data, queued invites
/// included, is still kept (encrypted, its key wrapped by their password), never in a plain file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum TokenStorage {
    Keyring,
    MemoryOnly,
    NotKept,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Clinician {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PatientList {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PatientQuery {
    pub list_id: String,
    pub search: String,
    pub skip: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PatientPage {
    pub patients: Vec<Patient>,
    pub filtered: u32,
    pub total: u32,
    pub source: DataSource,
    /// When the cached copy was last refreshed from the server (RFC 3339), for offline pages.
    pub cached_at: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum DataSource {
    Server,
    Cache,
}

/// Where a patient on the list stands with their invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum InvitationState {
    NotInvited,
    Pending,
    Expired,
    SignedUp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Patient {
    pub id: String,
    pub given_name: String,
    pub family_name: String,
    /// `YYYY-MM-DD`.
    pub date_of_birth: String,
    pub nhs_number: String,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    /// `phone_number` as shown (`+44 7911 123456`).
    pub phone_display: Option<String>,
    /// Everyone the profiles call lists has an account, so `signedUp` (see `pending`).
    pub invitation: InvitationState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Preferences {
    pub last_list_id: Option<String>,
    /// ISO 3166 region used to read phone numbers written without a country code.
    pub phone_region: String,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            last_list_id: None,
            phone_region: "GB".into(),
        }
    }
}
