//! Turns Huma API failures into the sentences a clinician sees. One table, so every screen says the
//! same thing for the same problem.

use crate::error::{AppError, ErrorCode};
use crate::huma::wire::codes;
use crate::huma::ApiError;

pub fn to_app_error(error: &ApiError) -> AppError {
    use ErrorCode as C;
    match error {
        ApiError::Unreachable => AppError::new(
            C::Offline,
            "Cannot reach the Huma server. Check your internet connection and try again.",
        ),
        ApiError::ConnectionLost => AppError::new(
            C::Offline,
            "The connection to the Huma server broke. Check your connection and try again.",
        ),
        ApiError::Timeout => AppError::new(
            C::Offline,
            "The Huma server did not answer in time. Check your connection and try again.",
        ),
        ApiError::Http { status } | ApiError::Huma { status, .. } if *status >= 500 => AppError::new(
            C::ServerError,
            format!("The Huma server had a problem (error {status}). Please try again in a few minutes."),
        ),
        ApiError::Http { status } => AppError::new(
            C::ServerError,
            format!("The Huma server answered with an unexpected error (HTTP {status})."),
        ),
        ApiError::Redirected { .. } => AppError::new(
            C::ServerError,
            "The Huma server redirected the request; the app does not follow redirects. \
             Ask your IT team to check the server address.",
        ),
        ApiError::Decode(_) => AppError::new(
            C::ServerError,
            "The Huma server sent an answer this app cannot read. Please try again later.",
        ),
        ApiError::Huma { code, status, .. } => from_huma_code(*code, *status),
        ApiError::RateLimited { code, .. } => from_huma_code(code.unwrap_or_default(), 429),
    }
}

fn from_huma_code(code: i64, status: u16) -> AppError {
    use ErrorCode as C;
    let (c, message) = match code {
        codes::BAD_CREDENTIALS => (C::BadCredentials, "The email address or password is not right."),
        codes::EMAIL_NOT_VERIFIED => (C::BadCredentials, "This account's email address has not been verified yet. Check your inbox for the verification email."),
        codes::NO_PASSWORD => (C::BadCredentials, "This account has no password yet. Set one from the invitation email first."),
        codes::PASSWORD_EXPIRED => (C::BadCredentials, "Your password has expired. Reset it in the Huma web portal, then sign in here."),
        codes::WRONG_CONFIRMATION_CODE => (C::WrongCode, "That code is not right. Check the latest SMS and try again."),
        codes::TOO_MANY_CODE_ATTEMPTS => (C::TooManyAttempts, "Too many wrong codes. Wait a few minutes, then sign in again."),
        codes::SESSION_TIMEOUT
        | codes::TOKEN_EXPIRED
        | codes::WRONG_TOKEN
        | codes::FIRST_STAGE_TOKEN
        | codes::TOKEN_PROVIDER_INVALID => {
            (C::SessionExpired, "Your session has timed out. Please sign in again.")
        }
        codes::FORBIDDEN => (C::Forbidden, "Your account is not allowed to do this for this patient list."),
        codes::INVALID_PROJECT | codes::INVALID_CLIENT => (C::ServerError, "The Huma server does not accept this app's project or client setting. Ask your IT team to check the app's configuration."),
        codes::CLIENT_UPDATE_REQUIRED => (C::ServerError, "This version of Huma Clinician is too old for the server. Ask your IT team to update it."),
        codes::VALIDATION | codes::INVALID_REQUEST => (C::InvalidInput, "The server did not accept the request as it was."),
        _ if status == 429 => (C::TooManyAttempts, "Too many requests. Wait a minute and try again."),
        _ => return AppError::new(C::ServerError, format!("The Huma server refused the request (code {code}).")),
    };
    AppError::new(c, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn huma(status: u16, code: i64) -> ApiError {
        ApiError::Huma {
            status,
            code,
            message: "server text".into(),
        }
    }

    #[test]
    fn each_failure_has_its_own_code_for_the_ui() {
        assert_eq!(
            to_app_error(&ApiError::Unreachable).code,
            ErrorCode::Offline
        );
        assert_eq!(to_app_error(&ApiError::Timeout).code, ErrorCode::Offline);
        assert_eq!(
            to_app_error(&ApiError::Http { status: 500 }).code,
            ErrorCode::ServerError
        );
        assert!(to_app_error(&ApiError::Http { status: 502 })
            .message
            .contains("502"));
        assert_eq!(
            to_app_error(&huma(403, codes::BAD_CREDENTIALS)).code,
            ErrorCode::BadCredentials
        );
        assert_eq!(
            to_app_error(&huma(401, codes::SESSION_TIMEOUT)).code,
            ErrorCode::SessionExpired
        );
        assert_eq!(
            to_app_error(&huma(400, codes::WRONG_CONFIRMATION_CODE)).code,
            ErrorCode::WrongCode
        );
        assert_eq!(
            to_app_error(&huma(429, codes::TOO_MANY_CODE_ATTEMPTS)).code,
            ErrorCode::TooManyAttempts
        );
        assert_eq!(to_app_error(&huma(500, 1)).code, ErrorCode::ServerError);
    }

    #[test]
    fn server_text_is_never_shown_verbatim() {
        assert!(!to_app_error(&huma(403, codes::BAD_CREDENTIALS))
            .message
            .contains("server text"));
    }
}
