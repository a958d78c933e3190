//! What a command answers when it fails: the core's `AppError` (`{code, message}` to the UI),
//! noted for the support diagnostics on its way out. Every command that can fail returns
//! `CommandResult`, and the `?` that turns an `AppError` into a `CommandError` is where the note is
//! taken: no command can show the clinician an error without it, and none notes one by hand.

use huma_core::error::AppError;
use serde::Serialize;

/// An error on its way to the UI, serialised exactly as the `AppError` it holds.
#[derive(Debug, Serialize)]
#[serde(transparent)]
pub struct CommandError(AppError);

impl From<AppError> for CommandError {
    fn from(error: AppError) -> Self {
        // Only the code and the time: a message may quote what the clinician typed.
        huma_core::support::record_error(error.code, chrono::Utc::now());
        Self(error)
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

#[cfg(test)]
mod tests {
    use super::*;
    use huma_core::error::ErrorCode;

    #[test]
    fn an_error_reaches_the_ui_as_the_core_wrote_it_and_is_noted() {
        let failing = || -> CommandResult<()> {
            Err(AppError::invalid_input("That paste is too long."))?;
            Ok(())
        };
        let error = failing().expect_err("the command failed");
        assert_eq!(
            serde_json::to_value(&error).expect("it serialises"),
            serde_json::json!({"code": "InvalidInput", "message": "That paste is too long."})
        );
        let (code, _) = huma_core::support::last_error().expect("the error was noted");
        assert_eq!(code, ErrorCode::InvalidInput);
    }
}
