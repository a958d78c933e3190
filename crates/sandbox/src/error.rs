//! Errors: `ApiError` is what a handler returns (Huma's `{code, message}` body); `SandboxError` is what
//! starting the sandbox can fail with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// An error reply in Huma's shape. Codes are Huma's (see HUMA_API.md); the two the contract does not
/// name (`WRONG_CODE`, `INTERNAL`) are sandbox choices documented in the README.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: &'static str,
}

#[derive(Serialize)]
struct ErrorBody {
    code: u32,
    message: &'static str,
}

impl ApiError {
    const fn new(status: StatusCode, code: u32, message: &'static str) -> Self {
        Self {
            status,
            code,
            message,
        }
    }

    /// 401 `10001`: no bearer token, or it has expired.
    pub const fn token_missing_or_expired() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            10001,
            "The access token is missing or has expired.",
        )
    }
    /// 401 `10002`: a token the server does not know (never issued, revoked or expired refresh token).
    pub const fn wrong_token() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, 10002, "The token is not valid.")
    }
    /// 400 `100003`: a malformed request outside the JSON body (e.g. a missing header).
    pub const fn invalid_request(message: &'static str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 100003, message)
    }
    /// 404 `100003`: no such route.
    pub const fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            100003,
            "There is nothing at this address.",
        )
    }
    /// 405 `100003`: the route exists with another method.
    pub const fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            100003,
            "This method is not allowed at this address.",
        )
    }
    /// 403 `100004`: authenticated but not allowed to act on this resource.
    pub const fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            100004,
            "You do not have access to this resource.",
        )
    }
    /// 400 `100008` (sandbox choice): the SMS code is wrong, expired or was never sent.
    pub const fn wrong_code() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 100008, "The code is not valid.")
    }
    /// 429 `100009`: too many wrong codes for this sign-in; sign in again.
    pub const fn too_many_code_attempts() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            100009,
            "Too many wrong codes. Sign in again to get a new code.",
        )
    }
    /// 403 `100012`: wrong email or password.
    pub const fn bad_credentials() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            100012,
            "The email or password is not correct.",
        )
    }
    /// 401 `100017`: 2FA idle rule; refresh again with email and password.
    pub const fn session_timeout() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            100017,
            "The session timed out. Sign in again with your password.",
        )
    }
    /// 400 `100021`: a first-stage (password-only) token used where a full sign-in is needed.
    pub const fn first_stage_token() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            100021,
            "This token is only valid for completing sign-in with a verification code.",
        )
    }
    /// 401 `100033`: the invitation code is unknown, already used or expired (one error for all
    /// three, so codes cannot be probed).
    pub const fn invitation_invalid() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            100033,
            "The invitation has expired or is not valid.",
        )
    }
    /// 403 `100043`: the account requires a second factor (sign in with method 3).
    pub const fn mfa_required() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            100043,
            "This account requires two-factor sign-in.",
        )
    }
    /// 403 `100050`: Huma's validation error (no per-field detail).
    pub const fn validation() -> Self {
        Self::new(StatusCode::FORBIDDEN, 100050, "The request is not valid.")
    }
    /// 403 `100050` with a sandbox-worded reason, where a generic one would leave a user stuck.
    pub const fn validation_because(message: &'static str) -> Self {
        Self::new(StatusCode::FORBIDDEN, 100050, message)
    }
    /// 404 `1000004`: no such invitation (unknown, or no longer pending: used, expired or revoked).
    pub const fn invitation_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            1000004,
            "The invitation does not exist or is no longer pending.",
        )
    }
    /// 400 `1000005`: the invitation has been sent the maximum number of times.
    pub const fn resend_limit() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            1000005,
            "This invitation has already been sent the maximum number of times.",
        )
    }
    /// 500 with a sandbox-chosen code; details go to the log, never to the client.
    pub const fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            500000,
            "The sandbox hit an internal error.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            code: self.code,
            message: self.message,
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(err: rusqlite::Error) -> Self {
        // SQLite error texts name tables and columns, never bound values, so they are safe to log.
        tracing::error!(error = %err, "database error");
        Self::internal()
    }
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("could not bind the sandbox's listener: {0}")]
    Bind(#[source] std::io::Error),
    #[error("could not prepare the data directory: {0}")]
    DataDir(#[source] std::io::Error),
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error(
        "the database was written by a newer sandbox (schema {found}, this one knows {known})"
    )]
    NewerSchema { found: i64, known: i64 },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("the seeding task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}
