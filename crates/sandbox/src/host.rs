//! Answers only requests addressed to this computer by a loopback name. The sandbox has no
//! authentication on `/sandbox/…` (the demo account, every message "sent"): a web page could
//! otherwise rebind its own domain name to 127.0.0.1 (DNS rebinding) and read them through the
//! clinician's browser. Such a request still carries the page's name in `Host`, so it is refused.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// `127.0.0.1`, `localhost` or `[::1]`, each with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some(("::1", port)) => ("[::1]", port),
            _ => return false,
        },
        None => host.split_at(host.find(':').unwrap_or(host.len())),
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    let name_ok = matches!(name, "127.0.0.1" | "[::1]") || name.eq_ignore_ascii_case("localhost");
    port_ok && name_ok
}

/// The middleware: `Host` (or, over HTTP/2, the request's authority) must be a loopback name.
pub async fn require_loopback_host(req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_owned()));
    if host.as_deref().is_some_and(is_loopback_host) {
        next.run(req).await
    } else {
        tracing::warn!("request refused: not addressed to a loopback name");
        ApiError::not_loopback().into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_loopback_names_with_an_optional_port_pass() {
        for host in [
            "127.0.0.1",
            "127.0.0.1:8787",
            "localhost",
            "LocalHost:1",
            "[::1]",
            "[::1]:65535",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:8787",
            "127.0.0.1.evil.example",
            "localhost.evil.example:80",
            "127.0.0.2:8787",
            "0.0.0.0:8787",
            "::1",
            "[::1",
            "[::2]:80",
            "127.0.0.1:",
            "127.0.0.1:80x",
            "127.0.0.1:8787:1",
            "[::1]x",
            "user@127.0.0.1",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
