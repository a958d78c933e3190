//! The development host: the app's commands over HTTP on loopback, so the UI runs in a plain
//! browser (`npm run dev`) and its behaviour tests run against the real core, not a copy of its
//! rules. It builds the very app the desktop runs (`app_builder`: same core, same commands, same
//! permission checks) on Tauri's mock runtime, which has no window and no webview, and hands each
//! request to the app's invoke handler as the webview would.
//!
//! - `POST /cmd/{command}` with the command's arguments as a JSON object: 200 with the result, or
//!   422 with the error the UI would have caught from `invoke`.
//! - `GET /events`: the app's events (`crate::events`) as server-sent events.
//!
//! Development builds only (the `dev-host` feature needs the embedded sandbox, which a release build
//! refuses). It listens on 127.0.0.1 alone and refuses requests a web page on another origin sends.

use std::convert::Infallible;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use futures_util::Stream;
use tauri::ipc::{CallbackFn, InvokeBody, InvokeResponse, InvokeResponseBody};
use tauri::test::MockRuntime;
use tauri::webview::InvokeRequest;
use tauri::{Listener, Manager, WebviewWindow};
use tokio::sync::broadcast;

use crate::{app_builder, events, start, Start};

/// The URL the desktop's webview calls from; the window's capability is granted to it.
const APP_URL: &str = if cfg!(windows) {
    "http://tauri.localhost"
} else {
    "tauri://localhost"
};

#[derive(Clone)]
struct Host {
    window: WebviewWindow<MockRuntime>,
    events: broadcast::Sender<(&'static str, String)>,
}

/// Builds the app, serves it on `port` (0: any free port) and prints the address it listens on.
pub fn run(port: u16) -> Result<(), String> {
    let Start {
        data_dir,
        startup,
        _log_guard,
    } = start();
    let app = app_builder(tauri::test::mock_builder(), &data_dir, startup)
        .build(tauri::generate_context!("tauri.conf.json"))
        .map_err(|e| format!("the app could not start: {e}"))?;
    let listener = tauri::async_runtime::block_on(tokio::net::TcpListener::bind(SocketAddr::from(
        (Ipv4Addr::LOCALHOST, port),
    )))
    .map_err(|e| format!("port {port} on 127.0.0.1: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("the listening address: {e}"))?;
    let mut listener = Some(listener);
    // The app is set up (its core made, the config's "main" window opened, without a webview on
    // this runtime) when the loop starts: serve from then on.
    app.run(move |handle, event| {
        let (tauri::RunEvent::Ready, Some(listener)) = (event, listener.take()) else {
            return;
        };
        let Some(window) = handle.get_webview_window("main") else {
            tracing::error!("the development host has no main window");
            handle.exit(1);
            return;
        };
        let (sender, _) = broadcast::channel(256);
        for name in events::ALL {
            let sender = sender.clone();
            handle.listen_any(name, move |event| {
                let _ = sender.send((name, event.payload().to_owned()));
            });
        }
        let host = Host {
            window,
            events: sender,
        };
        let router = Router::new()
            .route("/cmd/{command}", post(command))
            .route("/events", get(event_stream))
            .with_state(host);
        tauri::async_runtime::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the development host stopped");
            }
        });
        // The one line a caller waits for (the UI's test set-up reads the address from it).
        let _ = writeln!(
            std::io::stdout(),
            "Huma Clinician development host on http://{address}"
        );
        let _ = std::io::stdout().flush();
    });
    Ok(())
}

/// A page on another site may send a simple POST to loopback: only this computer's pages (the Vite
/// dev server, or a caller that sends no origin, such as Node) are answered.
fn from_this_computer(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(url) = url::Url::parse(origin.to_str().unwrap_or_default()) else {
        return false;
    };
    matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

async fn command(
    State(host): State<Host>,
    Path(command): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !from_this_computer(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let args = if body.is_empty() {
        serde_json::Value::Object(Default::default())
    } else {
        match serde_json::from_slice(&body) {
            Ok(args) => args,
            Err(e) => return (StatusCode::BAD_REQUEST, format!("arguments: {e}")).into_response(),
        }
    };
    let request = InvokeRequest {
        cmd: command,
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: APP_URL.parse().expect("a valid URL"),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: tauri::test::INVOKE_KEY.to_owned(),
    };
    let (sender, answer) = tokio::sync::oneshot::channel();
    host.window.as_ref().clone().on_message(
        request,
        Box::new(move |_, _, response, _, _| {
            let _ = sender.send(response);
        }),
    );
    let json = [(header::CONTENT_TYPE, "application/json")];
    match answer.await {
        Ok(InvokeResponse::Ok(InvokeResponseBody::Json(body))) => (json, body).into_response(),
        Ok(InvokeResponse::Ok(InvokeResponseBody::Raw(bytes))) => bytes.into_response(),
        Ok(InvokeResponse::Err(error)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, json, error.0.to_string()).into_response()
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

async fn event_stream(
    State(host): State<Host>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, StatusCode> {
    if !from_this_computer(&headers) {
        return Err(StatusCode::FORBIDDEN);
    }
    let receiver = host.events.subscribe();
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        loop {
            match receiver.recv().await {
                Ok((name, payload)) => {
                    return Some((Ok(Event::default().event(name).data(payload)), receiver))
                }
                // A slow reader misses events, as a busy webview would; the next one is current.
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
