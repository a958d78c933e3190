//! Huma's wire format, exactly as the server speaks it (camelCase JSON). Converted to UI and store types
//! at the edge. Assumptions where Huma's public docs are silent are marked ASSUMED and listed in
//! docs/ARCHITECTURE.md.

use serde::{Deserialize, Serialize};

pub const SIGNIN: &str = "/api/auth/v1/signin";
pub const SEND_VERIFICATION_TOKEN: &str = "/api/auth/v1/sendverificationtoken";
pub const REFRESH_TOKEN: &str = "/api/auth/v1/refreshtoken";
pub const SIGNOUT: &str = "/api/auth/v1/signout";
pub const PROFILES: &str = "/api/extensions/v1/user/profiles";

/// ASSUMED: the clinician's own profile (`id, givenName, familyName, email`).
pub fn user_path(uid: &str) -> String {
    format!("/api/extensions/v1beta/user/{uid}")
}

/// ASSUMED shape: `{deployments: [{id, name}]}` — the patient lists the clinician may invite into.
pub fn configuration_path(uid: &str) -> String {
    format!("/api/extensions/v1beta/user/{uid}/configuration")
}

/// `signin` method 2 (password only) and method 3 step 1 (password, then an SMS code).
pub const METHOD_PASSWORD: u8 = 2;
pub const METHOD_PASSWORD_AND_SMS: u8 = 3;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest<'a> {
    pub method: u8,
    pub email: &'a str,
    pub password: &'a str,
    pub project_id: &'a str,
    pub client_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SendVerificationRequest<'a> {
    pub method: u8,
    pub refresh_token: &'a str,
    pub project_id: &'a str,
    pub client_id: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmCodeRequest<'a> {
    pub method: u8,
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
    pub auth_token_expires_in: u64,
    pub refresh_token: String,
    /// Seconds until the REFRESH token expires.
    pub expires_in: u64,
    pub uid: String,
}

#[derive(Deserialize)]
pub struct SendVerificationResponse {
    /// The masked phone number the code went to.
    pub to: String,
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
    pub expires_in: u64,
    pub refresh_token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignOutRequest<'a> {
    pub user_id: &'a str,
    pub refresh_token: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDto {
    pub id: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
}

#[derive(Deserialize)]
pub struct ConfigurationResponse {
    pub deployments: Vec<DeploymentDto>,
}

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
    /// ASSUMED (Huma's docs name no code for it): a wrong SMS confirmation code.
    pub const WRONG_CONFIRMATION_CODE: i64 = 100008;
    pub const TOO_MANY_CODE_ATTEMPTS: i64 = 100009;
    pub const BAD_CREDENTIALS: i64 = 100012;
    pub const EMAIL_NOT_VERIFIED: i64 = 100015;
    pub const SESSION_TIMEOUT: i64 = 100017;
    pub const NO_PASSWORD: i64 = 100018;
    pub const FIRST_STAGE_TOKEN: i64 = 100021;
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<&'a str>,
}

/// `POST resend-invitation-list`: same code, expiry not extended, at most 5 sends per invitation.
pub const RESEND_INVITATIONS: &str = "/api/extensions/v1/deployment/resend-invitation-list";
/// `DELETE invitation` with a JSON body (bulk, all-or-nothing).
pub const INVITATIONS_DELETE: &str = "/api/extensions/v1/deployment/invitation";

/// `DELETE invitation/{id}`: revokes one invitation (404 `1000004` when unknown).
pub fn invitation_path(id: &str) -> String {
    format!("/api/extensions/v1/deployment/invitation/{id}")
}

/// Huma sends an invitation at most this many times (the first send counts).
pub const MAX_INVITATION_SENDS: u32 = 5;

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
    pub resent_invitations: u32,
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
