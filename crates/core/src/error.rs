//! The one error shape that crosses into the UI: a stable `code` the UI branches on and a sentence a
//! clinician can act on. Lower layers keep their own error types and convert here, at the edge.

use serde::Serialize;
use ts_rs::TS;

/// Add a code only when the UI acts on it differently from the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum ErrorCode {
    BadCredentials,
    WrongCode,
    TooManyAttempts,
    SessionExpired,
    NotSignedIn,
    Offline,
    ServerError,
    KeyringUnavailable,
    InvalidInput,
    Forbidden,
    Storage,
    NotConfigured,
    /// The app is locked (idle lock, or a resumed session): the UI shows the lock screen.
    Locked,
    /// The clinician cancelled the work (a CSV file being read): nothing to show, nothing lost.
    Cancelled,
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[ts(export, rename = "IpcError")]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    pub fn not_signed_in() -> Self {
        Self::new(ErrorCode::NotSignedIn, "Please sign in to continue.")
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
}

pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_and_message_for_the_ui() {
        let err = AppError::new(ErrorCode::Offline, "You are offline.");
        let json = serde_json::to_value(&err).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({"code": "Offline", "message": "You are offline."})
        );
    }
}
