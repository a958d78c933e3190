//! Request extractors that answer in Huma's error shape: a JSON body whose every failure is 403
//! `100050`, the bearer-token check, and the `x-deployment-id` scope check.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::accounts;
use crate::error::ApiError;
use crate::server::AppState;
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

/// `Authorization: Bearer <token>`, if present and well-formed.
fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

/// The authenticated clinician of a protected call.
impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers).ok_or(ApiError::token_missing_or_expired())?;
        let now = state.clock.now_micros();
        state
            .db
            .call(move |conn| tokens::authenticate(conn, &token, now))
            .await
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
