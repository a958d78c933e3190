//! Huma's wire format, exactly as the server speaks it (camelCase JSON). Converted to UI and store types
//! at the edge. Assumptions where Huma's public docs are silent are marked ASSUMED and listed in
//! docs/ARCHITECTURE.md.

use serde::{Deserialize, Serialize};

pub const SIGNIN: &str = "/api/auth/v1/signin";
pub const SEND_VERIFICATION_TOKEN: &str = "/api/auth/v1/sendverificationtoken";
pub const REFRESH_TOKEN: &str = "/api/auth/v1/refreshtoken";
pub const SIGNOUT: &str = "/api/auth/v1/signout";
pub const PROFILES: &str = "/api/extensions/v1/user/profiles";

/// The clinician's own user (SPEC `UserDTODRF`), with the patient lists they belong to
/// (`deploymentsInfo`) and their language. (`…/user/{id}/configuration` is one deployment's
/// configuration, not a list of deployments: the app does not call it.)
pub fn user_path(uid: &str) -> String {
    format!("/api/extensions/v1beta/user/{uid}")
}

/// `signin` method 2 (password only) and method 3 (password, then an SMS code), sent as the enum's
/// name: Huma's server parses an integer or the name, the published spec types `method` as a
/// string, and only the name satisfies both.
pub const METHOD_PASSWORD: &str = "EMAIL_PASSWORD";
pub const METHOD_PASSWORD_AND_SMS: &str = "TWO_FACTOR_AUTH";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest<'a> {
    pub method: &'static str,
    pub email: &'a str,
    pub password: &'a str,
    pub project_id: &'a str,
    pub client_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendVerificationRequest<'a> {
    pub method: &'static str,
    pub refresh_token: &'a str,
    pub project_id: &'a str,
    pub client_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmCodeRequest<'a> {
    pub method: &'static str,
    pub refresh_token: &'a str,
    pub confirmation_code: &'a str,
    pub project_id: &'a str,
    pub client_id: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInResponse {
    pub auth_token: String,
    /// Seconds until the access token expires.
    #[serde(deserialize_with = "seconds")]
    pub auth_token_expires_in: u64,
    pub refresh_token: String,
    /// Seconds until the REFRESH token expires.
    #[serde(deserialize_with = "seconds")]
    pub expires_in: u64,
    pub uid: String,
}

/// Token lifetimes: integers in the spec; older servers sent floats (`3887999.6`). Read both,
/// rounding down, and refuse what cannot be a lifetime.
fn seconds<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if value.is_finite() && value >= 0.0 {
        // `as` saturates at u64::MAX for absurd values; the session caps expiries anyway.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "finite and not negative, checked above"
        )]
        Ok(value.floor() as u64)
    } else {
        Err(serde::de::Error::custom(
            "a token lifetime must be a number of seconds",
        ))
    }
}

#[derive(Deserialize)]
pub struct SendVerificationResponse {
    /// The masked phone number the code went to (the spec does not promise it).
    #[serde(default)]
    pub to: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest<'a> {
    pub refresh_token: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshResponse {
    pub auth_token: String,
    /// Seconds until the new access token expires.
    #[serde(deserialize_with = "seconds")]
    pub expires_in: u64,
    pub refresh_token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOutRequest<'a> {
    pub user_id: &'a str,
    pub refresh_token: &'a str,
    /// Required by the spec: the device signing out (the app's user agent).
    pub device_agent: &'a str,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    pub id: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    /// The clinician's stored language: sent back as `x-hu-locale`, which the server stores.
    pub language: Option<String>,
    /// The patient lists (deployments) the clinician belongs to.
    #[serde(default)]
    pub deployments_info: Vec<DeploymentDto>,
}

/// SPEC `DeploymentInfoDRF` (`id` and `name` required).
#[derive(Deserialize)]
pub struct DeploymentDto {
    pub id: String,
    pub name: String,
}

#[derive(Serialize)]
pub struct ProfilesRequest<'a> {
    #[serde(skip_serializing_if = "str::is_empty")]
    pub search: &'a str,
    pub skip: u32,
    pub limit: u32,
    pub sort: SortDto,
}

#[derive(Serialize)]
pub struct SortDto {
    pub fields: Vec<&'static str>,
    pub order: &'static str,
}

impl SortDto {
    pub fn by_name() -> Self {
        Self {
            fields: vec!["familyName", "givenName"],
            order: "ASCENDING",
        }
    }
}

#[derive(Deserialize)]
pub struct ProfilesResponse {
    pub users: Vec<ProfileDto>,
    pub filtered: u32,
    pub total: u32,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileDto {
    pub id: String,
    #[serde(default)]
    pub given_name: String,
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub date_of_birth: String,
    #[serde(default)]
    pub nhs_id: String,
    pub email: Option<String>,
    pub phone_number: Option<String>,
}

/// Every Huma error body.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub code: i64,
    #[serde(default)]
    pub message: String,
}

/// Huma error codes the app acts on.
pub mod codes {
    pub const TOKEN_EXPIRED: i64 = 10001;
    pub const WRONG_TOKEN: i64 = 10002;
    pub const INVALID_REQUEST: i64 = 100003;
    pub const FORBIDDEN: i64 = 100004;
    pub const INVALID_PROJECT: i64 = 100001;
    pub const INVALID_CLIENT: i64 = 100002;
    /// A wrong or expired SMS code.
    pub const WRONG_CONFIRMATION_CODE: i64 = 100020;
    pub const TOO_MANY_CODE_ATTEMPTS: i64 = 100009;
    pub const BAD_CREDENTIALS: i64 = 100012;
    pub const EMAIL_NOT_VERIFIED: i64 = 100015;
    pub const SESSION_TIMEOUT: i64 = 100017;
    pub const NO_PASSWORD: i64 = 100018;
    /// A token from a password-only sign-in used where the account needs the SMS code.
    pub const FIRST_STAGE_TOKEN: i64 = 100021;
    /// `sendverificationtoken` with a refresh token that did not come from method 3.
    pub const TOKEN_PROVIDER_INVALID: i64 = 100023;
    pub const PASSWORD_EXPIRED: i64 = 100032;
    pub const MFA_REQUIRED: i64 = 100043;
    pub const VALIDATION: i64 = 100050;
    pub const CLIENT_UPDATE_REQUIRED: i64 = 100426;
}

pub const SEND_INVITATION: &str = "/api/extensions/v1/deployment/send-invitation";
pub const INVITATIONS: &str = "/api/extensions/v1/deployment/invitations";

/// How long an invitation stays valid (Huma's default).
pub const INVITATION_EXPIRES_IN: &str = "P1W";

/// ASSUMED value set of the invite `type`.
pub const INVITE_TYPE_SMS: &str = "SMS";
pub const INVITE_TYPE_EMAIL: &str = "EMAIL";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendInvitationRequest<'a> {
    pub client_id: &'a str,
    pub project_id: &'a str,
    pub role_id: &'static str,
    /// Exactly one.
    pub deployment_ids: [&'a str; 1],
    pub invitees: Vec<InviteeDto<'a>>,
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// ASSUMED: the server appends the sign-up link to this text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<&'a str>,
    /// The patient's language, one per request (SPEC: a field of the request, not of an invitee).
    /// Absent: the server's default (English).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<&'a str>,
    pub expires_in: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InviteeDto<'a> {
    pub given_name: &'a str,
    pub family_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<&'a str>,
}

/// 202: `ids` are the invitations created, in invitee order, skipping the invitees listed below.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SendInvitationResponse {
    pub ids: Vec<String>,
    pub already_signed_up_emails: Vec<String>,
    pub already_signed_up_phone_numbers: Vec<String>,
    pub already_invited_phone_numbers: Vec<String>,
    pub failed_send_invite_phone_numbers: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationsRequest<'a> {
    pub client_id: &'a str,
    pub project_id: &'a str,
    pub role_type: &'static str,
    pub skip: u32,
    pub limit: u32,
    /// The only filter Huma's server applies: a substring of the email, ignoring case. (The spec's
    /// `search` is ignored by the server, so the app never relies on it.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    /// Always PERSONAL: UNIVERSAL (link) invitations have no recipient.
    pub invitation_type: &'static str,
}

/// `POST resend-invitation-list`: same code, expiry not extended, at most 5 resends after the first
/// send ([`MAX_INVITATION_SENDS`]).
pub const RESEND_INVITATIONS: &str = "/api/extensions/v1/deployment/resend-invitation-list";
/// `DELETE invitation` with a JSON body (bulk, all-or-nothing).
pub const INVITATIONS_DELETE: &str = "/api/extensions/v1/deployment/invitation";

/// `DELETE invitation/{id}`: revokes one invitation (404 `1000004` when unknown).
pub fn invitation_path(id: &str) -> String {
    format!("/api/extensions/v1/deployment/invitation/{id}")
}

/// Huma sends an invitation at most this many times: `numberOfTry` is 1 after the first send and a
/// resend is allowed while it is at most 5 (`maxInvitationResendTimes`): 5 resends after the first.
pub const MAX_INVITATION_SENDS: u32 = 6;

/// Invitation error codes.
pub mod invitation_codes {
    pub const NOT_FOUND: i64 = 1_000_004;
    pub const RESEND_LIMIT: i64 = 1_000_005;
}

/// The pending list's paging counts (`filtered` matches the request's filters).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InvitationsPage {
    pub invitations: Vec<InvitationItemDto>,
    pub filtered: u32,
    pub total: u32,
}

/// One pending invitation with every field the pending view shows. `code` and `shortened_code`
/// are secrets: they are only ever sent back to the server in a resend, never logged or stored.
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InvitationItemDto {
    pub id: String,
    pub email: Option<String>,
    pub phone_number: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub code: Option<String>,
    /// The code of the patient's personal sign-up link (see `pending::sign_up_code`).
    pub shortened_code: Option<String>,
    pub roles: Vec<InvitationRoleDto>,
    pub number_of_try: Option<u32>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub expires_at: Option<String>,
    pub create_date_time: Option<String>,
    pub invited_by: Option<String>,
    /// ASSUMED value set: `SENT`, `DELIVERED`, `FAILED`.
    pub status: Option<String>,
    /// ASSUMED (sandbox only, optional): when the automatic reminder went out.
    pub reminder_sent_date_time: Option<String>,
}

/// Only the id and dates: names, contacts and the code stay out of any debug output.
impl std::fmt::Debug for InvitationItemDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InvitationItemDto")
            .field("id", &self.id)
            .field("number_of_try", &self.number_of_try)
            .field("expires_at", &self.expires_at)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InvitationRoleDto {
    pub role_id: String,
    /// `deployment/<id>`.
    pub resource: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResendInvitationsRequest<'a> {
    pub client_id: &'a str,
    pub project_id: &'a str,
    pub invitations_list: Vec<ResendItemDto<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResendItemDto<'a> {
    pub invitation_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<&'a str>,
    pub invitation_code: &'a str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResendInvitationsResponse {
    /// Counts only the invitations found and resent (codes it cannot find are skipped).
    pub resent_invitations: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteInvitationsRequest<'a> {
    pub invitation_id_list: &'a [String],
    pub invitation_type: &'static str,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeleteInvitationsResponse {
    pub deleted_invitations: u32,
}

/// The only invitation type the app creates (one invitee each).
pub const INVITATION_TYPE_PERSONAL: &str = "PERSONAL";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn lifetimes_are_read_as_integers_or_floats() {
        let int: SignInResponse = serde_json::from_str(
            r#"{"authToken":"a","authTokenExpiresIn":900,"refreshToken":"r","expiresIn":1209600,"uid":"u"}"#,
        )
        .unwrap();
        assert_eq!(
            (int.auth_token_expires_in, int.expires_in),
            (900, 1_209_600)
        );
        let float: RefreshResponse = serde_json::from_str(
            r#"{"authToken":"a","expiresIn":899.6,"refreshToken":"r","refreshTokenExpiresIn":3887999.6}"#,
        )
        .unwrap();
        assert_eq!(float.expires_in, 899);
        for bad in ["-5", "\"900\"", "null"] {
            let json = format!(r#"{{"authToken":"a","expiresIn":{bad},"refreshToken":"r"}}"#);
            assert!(
                serde_json::from_str::<RefreshResponse>(&json).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn method_goes_as_the_enum_name_huma_and_its_spec_both_accept() {
        let body = serde_json::to_value(SignInRequest {
            method: METHOD_PASSWORD_AND_SMS,
            email: "e",
            password: "p",
            project_id: "p1",
            client_id: "c3",
        })
        .unwrap();
        assert_eq!(body["method"], "TWO_FACTOR_AUTH");
        assert_eq!(METHOD_PASSWORD, "EMAIL_PASSWORD");
    }
}
