//! The HTTP side of fault injection (see `faults` for what each setting does): the
//! `/sandbox/faults` routes that set and read it, and the middleware that acts out each request's
//! decision.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::faults::FaultConfig;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sandbox/faults", get(current).post(set))
}

async fn current(State(state): State<AppState>) -> Json<FaultConfig> {
    Json(state.faults.config())
}

async fn set(
    State(state): State<AppState>,
    ApiJson(config): ApiJson<FaultConfig>,
) -> Result<Json<FaultConfig>, ApiError> {
    if !config.is_valid() {
        return Err(ApiError::validation());
    }
    state.faults.set(config.clone());
    tracing::info!(active = config != FaultConfig::default(), "faults set");
    Ok(Json(config))
}

/// The middleware: wraps everything, acts only on API routes the setting names.
pub async fn inject(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let decision = state.faults.decide(req.uri().path());
    if let Some(latency) = decision.latency {
        tokio::time::sleep(latency).await;
    }
    if decision.drop_before {
        tracing::info!(fault = "dropBeforeAct", "fault injected");
        return severed();
    }
    if let Some(seconds) = decision.too_many {
        tracing::info!(fault = "rate429", "fault injected");
        return too_many_requests(seconds);
    }
    if let Some(status) = decision.error {
        tracing::info!(fault = "errorRate", status, "fault injected");
        return injected_error(status);
    }
    let response = next.run(req).await;
    if decision.drop_after {
        tracing::info!(fault = "dropResponseAfterCommit", "fault injected");
        drop(response);
        return severed();
    }
    response
}

/// 429 in Huma's error shape (code = status × 1000, the sandbox's convention for HTTP-level
/// errors), with `Retry-After` in seconds.
fn too_many_requests(seconds: u64) -> Response {
    let body = serde_json::json!({
        "code": 429_000,
        "message": "Too many requests. Try again later.",
    });
    let mut response = (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}

fn injected_error(status: u16) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let body = serde_json::json!({
        "code": u32::from(status.as_u16()) * 1000,
        "message": "The sandbox injected this failure.",
    });
    (status, Json(body)).into_response()
}

/// A response whose body fails before its first byte: hyper then closes the connection without
/// writing anything (the head is still in its buffer), so the client sees the connection drop.
fn severed() -> Response {
    Response::new(Body::new(Severed))
}

struct Severed;

impl HttpBody for Severed {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, io::Error>>> {
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            "connection dropped by fault injection",
        ))))
    }
}
