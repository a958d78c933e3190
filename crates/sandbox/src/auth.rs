//! `/api/auth/v1/…`: sign-in (method 2: password; method 3: password then SMS code), the SMS code
//! request, token refresh and sign-out.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::accounts::{self, Clinician};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::messages::{self, Channel, Outgoing};
use crate::server::AppState;
use crate::tokens::{self, Issued, Stage};
use crate::verification;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/auth/v1/signin", post(sign_in))
        .route("/api/auth/v1/sendverificationtoken", post(send_code))
        .route("/api/auth/v1/refreshtoken", post(refresh))
        .route("/api/auth/v1/signout", post(sign_out))
}

const METHOD_PASSWORD: u8 = 2;
const METHOD_TWO_FACTOR: u8 = 3;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignInRequest {
    method: u8,
    email: Option<String>,
    password: Option<String>,
    refresh_token: Option<String>,
    confirmation_code: Option<String>,
    project_id: String,
    client_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignInReply {
    auth_token: String,
    auth_token_expires_in: i64,
    refresh_token: String,
    /// Seconds, of the refresh token.
    expires_in: i64,
    uid: String,
}

impl SignInReply {
    fn new(issued: Issued, uid: String) -> Self {
        SignInReply {
            auth_token: issued.access,
            auth_token_expires_in: issued.access_ttl,
            refresh_token: issued.refresh,
            expires_in: issued.refresh_ttl,
            uid,
        }
    }
}

/// Huma requires both on every auth call; the sandbox accepts any non-empty values.
pub fn require_client(project_id: &str, client_id: &str) -> Result<(), ApiError> {
    if project_id.trim().is_empty() || client_id.trim().is_empty() {
        return Err(ApiError::validation());
    }
    Ok(())
}

async fn sign_in(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SignInRequest>,
) -> Result<Json<SignInReply>, ApiError> {
    require_client(&req.project_id, &req.client_id)?;
    let now = state.clock.now_micros();
    let reply = state
        .db
        .call(move |conn| {
            match (
                req.method,
                req.email,
                req.password,
                req.refresh_token,
                req.confirmation_code,
            ) {
                (METHOD_PASSWORD, Some(email), Some(password), None, None) => {
                    let clinician = accounts::check_password(conn, &email, &password)?;
                    if clinician.mfa_required {
                        return Err(ApiError::mfa_required());
                    }
                    let issued =
                        tokens::open_session(conn, &clinician.id, Stage::Full, false, now)?;
                    Ok(SignInReply::new(issued, clinician.id))
                }
                (METHOD_TWO_FACTOR, Some(email), Some(password), None, None) => {
                    let clinician = accounts::check_password(conn, &email, &password)?;
                    let issued =
                        tokens::open_session(conn, &clinician.id, Stage::FirstStage, true, now)?;
                    Ok(SignInReply::new(issued, clinician.id))
                }
                (METHOD_TWO_FACTOR, None, None, Some(refresh), Some(code)) => {
                    let first = first_stage(conn, &refresh, now)?;
                    verification::confirm(conn, &first.session_id, code.trim(), now)?;
                    tokens::revoke_session(conn, &first.session_id)?;
                    let issued =
                        tokens::open_session(conn, &first.user_id, Stage::Full, true, now)?;
                    Ok(SignInReply::new(issued, first.user_id))
                }
                _ => Err(ApiError::validation()),
            }
        })
        .await?;
    Ok(Json(reply))
}

/// The live first-stage refresh token; a full-session token here is 401 `10002` (sandbox choice).
fn first_stage(conn: &Connection, refresh: &str, now: i64) -> Result<tokens::RefreshRow, ApiError> {
    let row = tokens::find_refresh(conn, refresh, now)?;
    match row.stage {
        Stage::FirstStage => Ok(row),
        Stage::Full => Err(ApiError::wrong_token()),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendCodeRequest {
    method: u8,
    refresh_token: String,
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
    require_client(&req.project_id, &req.client_id)?;
    if req.method != METHOD_TWO_FACTOR {
        return Err(ApiError::validation());
    }
    let now = state.clock.now_micros();
    let reply = state
        .db
        .call(move |conn| {
            let first = first_stage(conn, &req.refresh_token, now)?;
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
    expires_in: i64,
    refresh_token: String,
    refresh_token_expires_in: i64,
}

async fn refresh(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RefreshRequest>,
) -> Result<Json<RefreshReply>, ApiError> {
    let now = state.clock.now_micros();
    let issued = state
        .db
        .call(move |conn| {
            let row = tokens::find_refresh(conn, &req.refresh_token, now)?;
            if row.stage == Stage::FirstStage {
                return Err(ApiError::first_stage_token());
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
        expires_in: issued.access_ttl,
        refresh_token: issued.refresh,
        refresh_token_expires_in: issued.refresh_ttl,
    }))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignOutRequest {
    user_id: String,
    refresh_token: String,
}

#[derive(Serialize)]
struct SignOutReply {
    id: String,
}

async fn sign_out(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<SignOutRequest>,
) -> Result<Json<SignOutReply>, ApiError> {
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
}
