//! `/sandbox/redirect/{port}/{*rest}`: answers every method with 307 to the same path and query on
//! `http://127.0.0.1:{port}/`. A client configured with `http://127.0.0.1:PORT/sandbox/redirect/OTHER`
//! as its base URL sees what a redirecting server would do to it: a 307 asks for the same request,
//! body included, to be sent again to the other address. Only loopback targets, so it is not an
//! open redirect.

use axum::extract::{Path, Request};
use axum::http::header::LOCATION;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/sandbox/redirect/{port}/{*rest}", any(redirect))
}

async fn redirect(Path((port, rest)): Path<(u16, String)>, req: Request) -> Response {
    let query = req
        .uri()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let location = format!("http://127.0.0.1:{port}/{rest}{query}");
    (StatusCode::TEMPORARY_REDIRECT, [(LOCATION, location)]).into_response()
}
