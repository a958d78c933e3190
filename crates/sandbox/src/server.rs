//! The router: every route, the shared state, JSON fallbacks, and request logging that records
//! method, route template and status only (never bodies, queries, headers or ids).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;

use crate::clock::Clock;
use crate::db::Db;
use crate::error::ApiError;
use crate::{admin, auth, invite, profiles, signup, DemoAccount};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub demo: Arc<DemoAccount>,
    /// `http://127.0.0.1:PORT`: the bound address, for links in the messages the sandbox sends.
    pub base_url: Arc<str>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(auth::routes())
        .merge(profiles::routes())
        .merge(invite::routes())
        .merge(signup::routes())
        .merge(admin::routes())
        // route_layer: runs after routing, so the matched template is known.
        .route_layer(middleware::from_fn(log_request))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let started = Instant::now();
    let response = next.run(req).await;
    tracing::info!(
        %method,
        route,
        status = response.status().as_u16(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

async fn method_not_allowed() -> ApiError {
    ApiError::method_not_allowed()
}
