//! The router: every route, JSON fallbacks, and request logging that records
//! method, route template and status only (never bodies, queries, headers or ids).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::error::ApiError;
use crate::fault_layer;
use crate::rate_limit_layer;
use crate::state::AppState;
use crate::{
    admin, auth, delivery, host, invite_routes, manage, profiles, redirect, schedule, signup,
};

pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(auth::routes())
        .merge(profiles::routes())
        .merge(invite_routes::routes())
        .merge(signup::routes())
        .merge(admin::routes())
        .merge(manage::routes())
        .merge(fault_layer::routes())
        .merge(rate_limit_layer::routes())
        .merge(delivery::routes())
        .merge(redirect::routes())
        // route_layer: runs after routing, so the matched template is known.
        .route_layer(middleware::from_fn(log_request))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // Outermost last: faults wrap the scheduled work and the handler.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            run_scheduled_work,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            fault_layer::inject,
        ))
        // Huma's limiter answers before any of its handlers (or our faults) run.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit_layer::limit,
        ))
        // Before anything else: a request under a name other than loopback is refused unseen.
        .layer(middleware::from_fn(host::require_loopback_host))
        .with_state(state)
}

/// Does the work that fell due on the sandbox clock (chasers, deliveries) before any request is
/// answered, so every reply reflects it.
async fn run_scheduled_work(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let now = state.clock.now_micros();
    let base_url = state.base_url.clone();
    let done = state
        .db
        .call(move |conn| schedule::run_due(conn, now, &base_url))
        .await;
    if let Err(err) = done {
        return err.into_response();
    }
    next.run(req).await
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
