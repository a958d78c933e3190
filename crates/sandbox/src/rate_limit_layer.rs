//! The HTTP side of Huma's request limit (see `rate_limit` for how it counts): the
//! `/sandbox/rate-limit` routes that set and report it, and the middleware that refuses requests
//! over it.

use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::rate_limit::{RateLimitReport, RateLimitSetting};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sandbox/rate-limit", get(current).post(set))
}

async fn current(State(state): State<AppState>) -> Json<RateLimitReport> {
    Json(state.rate_limit.report())
}

async fn set(
    State(state): State<AppState>,
    ApiJson(setting): ApiJson<RateLimitSetting>,
) -> Result<Json<RateLimitSetting>, ApiError> {
    if setting.per_minute == Some(0) {
        return Err(ApiError::validation());
    }
    state.rate_limit.set(setting.per_minute);
    tracing::info!(per_minute = setting.per_minute, "rate limit set");
    Ok(Json(setting))
}

/// The middleware: counts API requests and refuses those over the limit without acting.
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    if let Some(per_minute) = state.rate_limit.count_request(state.clock.now()) {
        tracing::info!("rate limit: request refused");
        return too_many_requests(per_minute);
    }
    next.run(req).await
}

/// werkzeug's page for flask-limiter's `RateLimitExceeded`, which Huma's error handlers leave alone.
fn too_many_requests(per_minute: u32) -> Response {
    let page = format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>429 Too Many \
         Requests</title>\n<h1>Too Many Requests</h1>\n<p>{per_minute} per 1 minute</p>\n"
    );
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        page,
    )
        .into_response()
}
