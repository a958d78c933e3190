//! Errors: `ApiError` is what a handler returns (Huma's `{code, message}` body); `SandboxError` is what
//! starting the sandbox can fail with.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

/// An error reply in Huma's shape. Codes are Huma's (see HUMA_API.md); the one the contract does not
/// name (`internal`, 500) is a sandbox choice documented in the README.
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
    /// 400 `100001`: `projectId` names another project.
    pub const fn invalid_project() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 100001, "Invalid project id")
    }
    /// 400 `100002`: `clientId` names no client of the project.
    pub const fn invalid_client() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 100002, "Invalid client id")
    }
    /// 400 `100003`: no `User-Agent` on sign-in, refresh or sign-out (Huma's words).
    pub const fn user_agent_missing() -> Self {
        Self::invalid_request("User Agent is missing in headers")
    }
    /// 400 `100003`: a resent invitation's recipient is not among the request's (Huma's words).
    pub const fn invalid_email_or_code() -> Self {
        Self::invalid_request("Invalid email or invitation code")
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
    /// 403 `100004`: the request is not addressed to a loopback name (see `host`).
    pub const fn not_loopback() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            100004,
            "This sandbox answers only requests addressed to 127.0.0.1, localhost or [::1].",
        )
    }
    /// 400 `100020`: the SMS code is wrong, expired or was never sent.
    pub const fn wrong_code() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 100020, "Invalid verification code")
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
    /// 400 `100021`: a token that does not carry the second factor, used where the account needs
    /// it (a method-3 first-stage token anywhere, or a method-2 token of an MFA account).
    pub const fn not_valid_for_mfa() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            100021,
            "Access token is not valid for Multi-Factor Auth",
        )
    }
    /// 400 `100023`: the refresh token was not issued by a method-3 sign-in, so it cannot ask for
    /// or confirm an SMS code.
    pub const fn token_provider_invalid() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 100023, "Invalid token provider")
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
    /// 400 `100034`: a role that cannot be given this way (Huma's `InvalidRoleException`).
    pub const fn invalid_role() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 100034, "Invalid role provided")
    }
    /// 403 `100043`: the account requires a second factor (only with `Quirks::mfa_at_signin`).
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
