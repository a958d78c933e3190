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

/// A patient of a list, as fetched or cached. It is sent with what the core decides from these
/// very fields, `invite_blocked_reason` (its form on the wire: `PatientOnScreen`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(into = "PatientOnScreen")]
#[ts(export, as = "PatientOnScreen")]
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

/// Why a signed-up patient's row offers no "Invite".
pub const ALREADY_SIGNED_UP: &str = "Already signed up";
/// Why a patient with neither a mobile number nor an email address can't be invited.
pub const NO_CONTACT: &str = "No mobile number or email";

impl Patient {
    /// Why "Invite" is not offered on this patient's row, in a few words; `None`: it is. A patient
    /// who has signed up needs no invitation; one with neither a number nor an address cannot be
    /// reached.
    pub fn invite_blocked_reason(&self) -> Option<&'static str> {
        let missing = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        if self.invitation == InvitationState::SignedUp {
            Some(ALREADY_SIGNED_UP)
        } else if missing(&self.phone_number) && missing(&self.email) {
            Some(NO_CONTACT)
        } else {
            None
        }
    }
}

/// `Patient` as the UI receives it (its TypeScript type is `Patient`).
#[derive(Debug, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PatientOnScreen {
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
    /// Why "Invite" is not offered on this patient's row, in a few words; `None`: it is
    /// (`Patient::invite_blocked_reason`).
    pub invite_blocked_reason: Option<String>,
}

impl From<Patient> for PatientOnScreen {
    fn from(patient: Patient) -> Self {
        let invite_blocked_reason = patient.invite_blocked_reason().map(str::to_owned);
        // Every field, by name: a field added to `Patient` does not compile until it is sent too.
        let Patient {
            id,
            given_name,
            family_name,
            date_of_birth,
            nhs_number,
            email,
            phone_number,
            phone_display,
            invitation,
        } = patient;
        PatientOnScreen {
            id,
            given_name,
            family_name,
            date_of_birth,
            nhs_number,
            email,
            phone_number,
            phone_display,
            invitation,
            invite_blocked_reason,
        }
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn patient(invitation: InvitationState, phone: Option<&str>, email: Option<&str>) -> Patient {
        Patient {
            id: "p1".into(),
            given_name: "Ruth".into(),
            family_name: "Ellison".into(),
            date_of_birth: "1956-03-12".into(),
            nhs_number: "9434765919".into(),
            email: email.map(Into::into),
            phone_number: phone.map(Into::into),
            phone_display: phone.map(Into::into),
            invitation,
        }
    }

    #[test]
    fn a_patient_who_signed_up_is_not_invited_again() {
        let p = patient(
            InvitationState::SignedUp,
            Some("+447700900123"),
            Some("ruth@example.com"),
        );
        assert_eq!(p.invite_blocked_reason(), Some("Already signed up"));
    }

    #[test]
    fn a_patient_with_neither_a_number_nor_an_email_cannot_be_invited() {
        for (phone, email) in [(None, None), (Some(""), Some(" "))] {
            let p = patient(InvitationState::NotInvited, phone, email);
            assert_eq!(
                p.invite_blocked_reason(),
                Some("No mobile number or email"),
                "{phone:?} {email:?}"
            );
        }
        // Signed up outranks: that is the reason given.
        let p = patient(InvitationState::SignedUp, None, None);
        assert_eq!(p.invite_blocked_reason(), Some("Already signed up"));
    }

    #[test]
    fn a_patient_not_signed_up_with_a_number_or_an_email_can_be_invited() {
        for state in [
            InvitationState::NotInvited,
            InvitationState::Pending,
            InvitationState::Expired,
        ] {
            assert_eq!(
                patient(state, Some("+447700900123"), None).invite_blocked_reason(),
                None
            );
            assert_eq!(
                patient(state, None, Some("ruth@example.com")).invite_blocked_reason(),
                None
            );
        }
    }

    #[test]
    fn the_ui_receives_the_patient_with_why_it_cannot_be_invited() {
        let json = |p: Patient| serde_json::to_value(p).unwrap();
        let signed_up = json(patient(
            InvitationState::SignedUp,
            Some("+447700900123"),
            None,
        ));
        assert_eq!(signed_up["inviteBlockedReason"], "Already signed up");
        assert_eq!(signed_up["phoneNumber"], "+447700900123");
        assert_eq!(signed_up["invitation"], "signedUp");
        let open = json(patient(
            InvitationState::NotInvited,
            None,
            Some("ruth@example.com"),
        ));
        assert_eq!(open["inviteBlockedReason"], serde_json::Value::Null);
        // The same fields as the TypeScript type, and no other.
        let mut keys: Vec<&str> = open
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "dateOfBirth",
                "email",
                "familyName",
                "givenName",
                "id",
                "invitation",
                "inviteBlockedReason",
                "nhsNumber",
                "phoneDisplay",
                "phoneNumber"
            ]
        );
    }
}
