//! `/api/auth/v1/…`: sign-in (method 2: password; method 3: password then SMS code), the SMS code
//! request, token refresh and sign-out.
//!
//! As in Huma, a password sign-in succeeds whatever the account: method 2 for an account that
//! requires the SMS code gives tokens that every protected call (and a refresh) refuses with 400
//! `100021`, and that cannot ask for a code (400 `100023`: only method 3 may). `Quirks` keeps the
//! older answer, 403 `100043` at sign-in.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use rusqlite::Connection;
use serde::{Deserialize, Deserializer, Serialize};

use crate::accounts::{self, Clinician};
use crate::error::ApiError;
use crate::extract::{ApiJson, UserAgent};
use crate::ids::is_object_id;
use crate::messages::{self, Channel, Outgoing};
use crate::project::check_client;
use crate::state::AppState;
use crate::tokens::{self, Issued, Stage};
use crate::verification;
use crate::Quirks;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/v1/signin", post(sign_in))
        .route("/api/auth/v1/sendverificationtoken", post(send_code))
        .route("/api/auth/v1/refreshtoken", post(refresh))
        .route("/api/auth/v1/signout", post(sign_out))
}

/// Huma's sign-in and sign-up methods (`Method`, an integer enum).
const METHODS: &[(&str, u8)] = &[
    ("EMAIL", 0),
    ("PHONE_NUMBER", 1),
    ("EMAIL_PASSWORD", 2),
    ("TWO_FACTOR_AUTH", 3),
];
/// Huma's `SendVerificationTokenMethod`.
const CODE_METHODS: &[(&str, u8)] = &[
    ("EMAIL", 0),
    ("PHONE_NUMBER", 1),
    ("EMAIL_SIGNUP_CONFIRMATION", 2),
    ("TWO_FACTOR_AUTH", 3),
    ("EXISTING_USER_EMAIL_CONFIRMATION", 4),
];
pub const METHOD_EMAIL: u8 = 0;
const METHOD_PASSWORD: u8 = 2;
const METHOD_TWO_FACTOR: u8 = 3;

/// A member of one of Huma's integer enums, as Huma reads it: the number (`3`) or the member's
/// name (`"TWO_FACTOR_AUTH"`); the number as a string (`"3"`) is refused.
fn enum_member<'de, D: Deserializer<'de>>(d: D, members: &[(&str, u8)]) -> Result<u8, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    let found = match &value {
        serde_json::Value::Number(n) => n
            .as_u64()
            .and_then(|n| members.iter().find(|(_, v)| u64::from(*v) == n)),
        serde_json::Value::String(name) => members.iter().find(|(n, _)| n == name),
        _ => None,
    };
    found
        .map(|(_, v)| *v)
        .ok_or_else(|| serde::de::Error::custom("not a member of the enum"))
}

/// `method` of sign-in and sign-up.
pub fn method<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    enum_member(d, METHODS)
}

fn code_method<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    enum_member(d, CODE_METHODS)
}

/// A lifetime in seconds: an integer, or with `Quirks::float_lifetimes` a float a little under
/// it (`899.6`), as older servers sent.
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
#[serde(untagged)]
enum Lifetime {
    Whole(i64),
    Fractional(f64),
}

impl Lifetime {
    fn new(seconds: i64, quirks: Quirks) -> Lifetime {
        if quirks.float_lifetimes {
            Lifetime::Fractional(seconds as f64 - 0.4)
        } else {
            Lifetime::Whole(seconds)
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInRequest {
    #[serde(deserialize_with = "method")]
    method: u8,
    email: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    confirmation_code: Option<String>,
    project_id: String,
    client_id: String,
    /// Huma's v1 sign-in works the stage out itself and refuses one given (`must_not_be_present`).
    auth_stage: Option<serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignInReply {
    auth_token: String,
    auth_token_expires_in: Lifetime,
    refresh_token: String,
    /// Seconds, of the refresh token.
    expires_in: Lifetime,
    uid: String,
}

impl SignInReply {
    fn new(issued: Issued, uid: String, quirks: Quirks) -> Self {
        SignInReply {
            auth_token: issued.access,
            auth_token_expires_in: Lifetime::new(issued.access_ttl, quirks),
            refresh_token: issued.refresh,
            expires_in: Lifetime::new(issued.refresh_ttl, quirks),
            uid,
        }
    }
}

async fn sign_in(
    State(state): State<AppState>,
    _: UserAgent,
    ApiJson(req): ApiJson<SignInRequest>,
) -> Result<Json<SignInReply>, ApiError> {
    if req.auth_stage.is_some() {
        return Err(ApiError::validation());
    }
    check_client(&req.project_id, &req.client_id)?;
    let now = state.clock.now_micros();
    let quirks = state.quirks;
    let reply = state
        .db
        .call(move |conn| {
            let (user_id, issued) = match (
                req.method,
                req.email,
                req.password,
                req.refresh_token,
                req.confirmation_code,
            ) {
                (METHOD_PASSWORD, Some(email), Some(password), None, None) => {
                    let clinician = accounts::check_password(conn, &email, &password)?;
                    if clinician.mfa_required && quirks.mfa_at_signin {
                        return Err(ApiError::mfa_required());
                    }
                    let issued =
                        tokens::open_session(conn, &clinician.id, Stage::Password, false, now)?;
                    (clinician.id, issued)
                }
                (METHOD_TWO_FACTOR, Some(email), Some(password), None, None) => {
                    let clinician = accounts::check_password(conn, &email, &password)?;
                    let issued =
                        tokens::open_session(conn, &clinician.id, Stage::First, true, now)?;
                    (clinician.id, issued)
                }
                (METHOD_TWO_FACTOR, None, None, Some(refresh), Some(code)) => {
                    let first = first_stage(conn, &refresh, now)?;
                    verification::confirm(conn, &first.session_id, code.trim(), now)?;
                    tokens::revoke_session(conn, &first.session_id)?;
                    let issued =
                        tokens::open_session(conn, &first.user_id, Stage::Full, true, now)?;
                    (first.user_id, issued)
                }
                _ => return Err(ApiError::validation()),
            };
            Ok(SignInReply::new(issued, user_id, quirks))
        })
        .await?;
    Ok(Json(reply))
}

/// The live refresh token of a method-3 sign-in still waiting for its code. A method-2 token is 400
/// `100023` (Huma lets only method-3 tokens ask for or confirm a code); the token of a completed
/// method-3 sign-in is 401 `10002` (sandbox choice).
fn first_stage(conn: &Connection, refresh: &str, now: i64) -> Result<tokens::RefreshRow, ApiError> {
    let row = tokens::find_refresh(conn, refresh, now)?;
    match row.stage {
        Stage::First => Ok(row),
        Stage::Password => Err(ApiError::token_provider_invalid()),
        Stage::Full => Err(ApiError::wrong_token()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendCodeRequest {
    #[serde(deserialize_with = "code_method")]
    method: u8,
    refresh_token: Option<String>,
    project_id: String,
    client_id: String,
}

#[derive(Serialize)]
struct SendCodeReply {
    ok: bool,
    /// The masked phone number the code went to.
    to: String,
}

async fn send_code(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SendCodeRequest>,
) -> Result<Json<SendCodeReply>, ApiError> {
    check_client(&req.project_id, &req.client_id)?;
    let refresh = match (req.method, req.refresh_token) {
        (METHOD_TWO_FACTOR, Some(refresh)) if !refresh.is_empty() => refresh,
        _ => return Err(ApiError::validation()),
    };
    let now = state.clock.now_micros();
    let reply = state
        .db
        .call(move |conn| {
            let first = first_stage(conn, &refresh, now)?;
            let Some(Clinician { phone, .. }) = accounts::clinician_by_id(conn, &first.user_id)?
            else {
                return Err(ApiError::wrong_token());
            };
            let code = verification::issue(conn, &first.session_id, now)?;
            let body = format!(
                "Your Huma verification code is {code}. It expires in {} minutes. Never share it.",
                verification::CODE_TTL_SECS / 60
            );
            let message = Outgoing {
                channel: Channel::Sms,
                to: &phone,
                subject: None,
                body: &body,
                kind: "VERIFICATION_CODE",
                invitation_id: None,
            };
            messages::record(conn, &message, now)?;
            Ok(SendCodeReply {
                ok: true,
                to: mask_phone(&phone),
            })
        })
        .await?;
    Ok(Json(reply))
}

/// `+447700900123` → `+44 ***** ***123`: enough for the clinician to recognise their phone.
fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits[digits.len().saturating_sub(3)..].iter().collect();
    match phone.strip_prefix("+44") {
        Some(_) => format!("+44 ***** ***{last}"),
        None => format!("***{last}"),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshRequest {
    refresh_token: String,
    email: Option<String>,
    password: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefreshReply {
    auth_token: String,
    /// Seconds, of the access token.
    expires_in: Lifetime,
    refresh_token: String,
    refresh_token_expires_in: Lifetime,
}

async fn refresh(
    State(state): State<AppState>,
    _: UserAgent,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<Json<RefreshReply>, ApiError> {
    let now = state.clock.now_micros();
    let issued = state
        .db
        .call(move |conn| {
            let row = tokens::find_refresh(conn, &req.refresh_token, now)?;
            if !row.stage.usable(row.mfa_required) {
                return Err(ApiError::not_valid_for_mfa());
            }
            match (req.email, req.password) {
                (Some(email), Some(password)) => {
                    let clinician = accounts::check_password(conn, &email, &password)?;
                    if clinician.id != row.user_id {
                        return Err(ApiError::bad_credentials());
                    }
                }
                (None, None) if tokens::idle_too_long(&row, now) => {
                    return Err(ApiError::session_timeout())
                }
                (None, None) => {}
                _ => return Err(ApiError::validation()),
            }
            tokens::rotate(conn, &row, now)
        })
        .await?;
    Ok(Json(RefreshReply {
        auth_token: issued.access,
        expires_in: Lifetime::new(issued.access_ttl, state.quirks),
        refresh_token: issued.refresh,
        refresh_token_expires_in: Lifetime::new(issued.refresh_ttl, state.quirks),
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignOutRequest {
    user_id: String,
    refresh_token: String,
    /// Required by Huma's v1 sign-out; the sandbox does not use it.
    #[expect(dead_code, reason = "only its presence is checked, by deserialisation")]
    device_agent: String,
}

#[derive(Serialize)]
struct SignOutReply {
    id: String,
}

async fn sign_out(
    State(state): State<AppState>,
    _: UserAgent,
    ApiJson(req): ApiJson<SignOutRequest>,
) -> Result<Json<SignOutReply>, ApiError> {
    if !is_object_id(&req.user_id) {
        return Err(ApiError::validation());
    }
    let now = state.clock.now_micros();
    let id = state
        .db
        .call(move |conn| {
            let row = tokens::find_refresh(conn, &req.refresh_token, now)?;
            if row.user_id != req.user_id {
                return Err(ApiError::forbidden());
            }
            tokens::revoke_session(conn, &row.session_id)?;
            Ok(row.user_id)
        })
        .await?;
    Ok(Json(SignOutReply { id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_the_last_three_digits() {
        assert_eq!(mask_phone("+447700900123"), "+44 ***** ***123");
        assert_eq!(mask_phone("+15551234567"), "***567");
        assert_eq!(mask_phone("12"), "***12");
    }

    #[derive(Deserialize)]
    struct WithMethod {
        #[serde(deserialize_with = "method")]
        method: u8,
    }

    #[test]
    fn methods_are_numbers_or_names_never_digit_strings() {
        let parse = |json: &str| {
            serde_json::from_str::<WithMethod>(json)
                .ok()
                .map(|m| m.method)
        };
        assert_eq!(parse(r#"{"method": 3}"#), Some(3));
        assert_eq!(parse(r#"{"method": "TWO_FACTOR_AUTH"}"#), Some(3));
        assert_eq!(parse(r#"{"method": "EMAIL_PASSWORD"}"#), Some(2));
        for bad in [
            r#"{"method": "3"}"#,
            r#"{"method": 7}"#,
            r#"{"method": -1}"#,
            r#"{"method": 3.0}"#,
            r#"{"method": "two_factor_auth"}"#,
            r#"{"method": true}"#,
            r#"{"method": null}"#,
            r#"{}"#,
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn lifetimes_are_integers_unless_the_quirk_asks_for_floats() {
        let json = |quirks| serde_json::to_string(&Lifetime::new(900, quirks)).ok();
        assert_eq!(json(Quirks::default()).as_deref(), Some("900"));
        let floats = Quirks {
            float_lifetimes: true,
            ..Quirks::default()
        };
        assert_eq!(json(floats).as_deref(), Some("899.6"));
    }
}
