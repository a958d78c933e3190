//! A checking reverse proxy for contract tests. The app under test talks to it as if it were Huma;
//! it forwards every request to the sandbox unchanged, checks the request and the reply against the
//! spec, and records the violations and the operations exercised. It records no body and no header
//! value: the checker's violations name fields, not their contents.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use super::spec::Spec;

/// What the proxy saw.
#[derive(Debug, Default, Clone)]
pub struct Record {
    /// Operations (`POST /api/auth/v1/signin`) that got a 2xx, so their success reply was checked.
    pub exercised: BTreeSet<String>,
    pub violations: BTreeSet<String>,
    /// Requests that are no operation of the spec, as `METHOD /path`.
    pub outside_spec: BTreeSet<String>,
}

pub struct Proxy {
    url: String,
    record: Arc<Mutex<Record>>,
}

struct Forwarder {
    spec: Spec,
    upstream: String,
    http: reqwest::Client,
    record: Arc<Mutex<Record>>,
}

/// Far above any body of these operations; a larger one is refused, not truncated.
const MAX_BODY: usize = 16 * 1024 * 1024;

impl Proxy {
    /// Listens on a loopback port, forwarding to `upstream` (a base URL without a trailing slash).
    pub async fn start(upstream: &str) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let record = Arc::new(Mutex::new(Record::default()));
        let http = reqwest::Client::builder()
            // The app's own requests, as sent: no redirects followed, no system proxy in between.
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(std::io::Error::other)?;
        let forwarder = Arc::new(Forwarder {
            spec: Spec::load(),
            upstream: upstream.trim_end_matches('/').to_owned(),
            http,
            record: record.clone(),
        });
        let router = Router::new().fallback(forward).with_state(forwarder);
        tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(Self { url, record })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn record(&self) -> Record {
        self.record.lock().expect("record lock").clone()
    }
}

async fn forward(State(proxy): State<Arc<Forwarder>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    let path = parts.uri.path();
    let operation = proxy.spec.operation(parts.method.as_str(), path);
    let mut violations = operation
        .map(|op| op.check_request(path, &parts.headers, &body))
        .unwrap_or_default();

    let target = parts.uri.path_and_query().map_or(path, |p| p.as_str());
    let answer = proxy
        .http
        .request(parts.method.clone(), format!("{}{target}", proxy.upstream))
        .headers(end_to_end(&parts.headers))
        .body(body)
        .send()
        .await;
    let Ok(answer) = answer else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = answer.status();
    let headers = end_to_end(answer.headers());
    let Ok(reply) = answer.bytes().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };

    {
        let mut record = proxy.record.lock().expect("record lock");
        match operation {
            Some(op) => {
                violations.extend(op.check_response(status.as_u16(), &reply));
                if status.is_success() {
                    record.exercised.insert(op.name.clone());
                }
            }
            None => {
                record
                    .outside_spec
                    .insert(format!("{} {path}", parts.method));
            }
        }
        record.violations.extend(violations);
    }

    let mut response = Response::new(Body::from(reply));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// The headers less those about this hop's connection, which each side sets for its own.
fn end_to_end(headers: &HeaderMap) -> HeaderMap {
    let mut headers = headers.clone();
    for name in [
        header::HOST,
        header::CONNECTION,
        header::CONTENT_LENGTH,
        header::TRANSFER_ENCODING,
    ] {
        headers.remove(name);
    }
    headers
}
