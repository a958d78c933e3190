//! The project and client that every auth and invitation call names. Huma checks the project
//! first, then the client: a missing or blank one is a validation error (403 `100050`), another
//! project is 400 `100001`, a client the project does not have is 400 `100002`.

use crate::error::ApiError;
use crate::{CLIENT_ID, PROJECT_ID};

pub fn check_client(project_id: &str, client_id: &str) -> Result<(), ApiError> {
    if project_id.trim().is_empty() || client_id.trim().is_empty() {
        return Err(ApiError::validation());
    }
    if project_id != PROJECT_ID {
        return Err(ApiError::invalid_project());
    }
    if client_id != CLIENT_ID {
        return Err(ApiError::invalid_client());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_project_is_checked_before_the_client() {
        assert_eq!(check_client(PROJECT_ID, CLIENT_ID), Ok(()));
        assert_eq!(check_client("p2", "c9"), Err(ApiError::invalid_project()));
        assert_eq!(
            check_client(PROJECT_ID, "c9"),
            Err(ApiError::invalid_client())
        );
        assert_eq!(check_client(" ", CLIENT_ID), Err(ApiError::validation()));
        assert_eq!(check_client(PROJECT_ID, ""), Err(ApiError::validation()));
    }
}
