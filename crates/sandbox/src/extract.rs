//! Request extractors that answer in Huma's error shape: a JSON body whose every failure is 403
//! `100050`, the `User-Agent` check, an ObjectId path segment, the bearer-token check (which also
//! applies `x-hu-locale`), and the `x-deployment-id` scope check.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::{AUTHORIZATION, USER_AGENT};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::accounts;
use crate::error::ApiError;
use crate::ids::is_object_id;
use crate::language;
use crate::state::AppState;
use crate::tokens::{self, Caller};

/// A JSON body. Like Huma, any problem with it (not JSON, wrong types, missing fields, too large)
/// is 403 `100050` without detail. The content type is not checked.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| ApiError::validation())?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(|_| ApiError::validation())
    }
}

/// Huma requires a `User-Agent` on sign-in, refresh and sign-out: absent or blank is 400 `100003`.
pub struct UserAgent;

impl<S: Send + Sync> FromRequestParts<S> for UserAgent {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let present = parts
            .headers
            .get(USER_AGENT)
            .is_some_and(|v| !v.as_bytes().trim_ascii().is_empty());
        present
            .then_some(UserAgent)
            .ok_or(ApiError::user_agent_missing())
    }
}

/// The one path parameter of a route, which must be an ObjectId: anything else is 403 `100050`.
pub struct IdPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for IdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::validation())?;
        if !is_object_id(&id) {
            return Err(ApiError::validation());
        }
        Ok(IdPath(id))
    }
}

/// `Authorization: Bearer <token>`, if present and well-formed.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// The language a non-empty `x-hu-locale` asks to store; `None` leaves the user's as it is.
fn locale(headers: &HeaderMap) -> Option<&'static str> {
    let value = headers.get("x-hu-locale")?;
    if value.is_empty() {
        return None;
    }
    Some(
        value
            .to_str()
            .map_or(language::DEFAULT, language::from_header),
    )
}

/// The authenticated clinician of a protected call. As in Huma, a call that carries `x-hu-locale`
/// also stores that language as the clinician's own.
impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers).ok_or(ApiError::token_missing_or_expired())?;
        let language = locale(&parts.headers);
        let now = state.clock.now_micros();
        state
            .db
            .call(move |conn| {
                let caller = tokens::authenticate(conn, &token, now)?;
                if let Some(language) = language {
                    accounts::set_language(conn, &caller.user_id, language)?;
                }
                Ok(caller)
            })
            .await
    }
}

/// `x-deployment-id`, if sent: blank is 400 `100003`.
pub fn deployment_header(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("x-deployment-id") {
        None => Ok(None),
        Some(value) => value
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(|v| Some(v.to_owned()))
            .ok_or(ApiError::invalid_request(
                "The x-deployment-id header is empty.",
            )),
    }
}

/// A protected call acting on the patient list named by `x-deployment-id`: missing → 400
/// `100003`; a list the caller has no role in (or that does not exist) → 403 `100004`.
pub struct InDeployment {
    pub deployment_id: String,
}

impl FromRequestParts<AppState> for InDeployment {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let deployment_id = parts
            .headers
            .get("x-deployment-id")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(ApiError::invalid_request(
                "The x-deployment-id header is missing.",
            ))?
            .to_owned();
        let (user, deployment) = (caller.user_id, deployment_id.clone());
        let allowed = state
            .db
            .call(move |conn| Ok(accounts::has_role(conn, &user, &deployment)?))
            .await?;
        if !allowed {
            return Err(ApiError::forbidden());
        }
        Ok(InDeployment { deployment_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_auth(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(AUTHORIZATION, value);
        }
        headers
    }

    #[test]
    fn bearer_parsing() {
        assert_eq!(
            bearer_token(&with_auth("Bearer abc")).as_deref(),
            Some("abc")
        );
        assert_eq!(
            bearer_token(&with_auth("bearer  abc ")).as_deref(),
            Some("abc")
        );
        assert_eq!(bearer_token(&with_auth("Basic abc")), None);
        assert_eq!(bearer_token(&with_auth("Bearer ")), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }
}
