//! A thin, typed Huma HTTP client. It knows paths, headers and error bodies; it does not know about
//! sessions, retries or the UI. Timeouts are set on purpose: a clinic's network fails by hanging.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

use super::wire;
use crate::Secret;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: Url,
    pub project_id: String,
    pub client_id: String,
    /// Where patients sign up (Huma's `deepLinkBaseUrl` of the patient app), when known: the
    /// base of the personal sign-up links shown as QR codes.
    pub sign_up_link_base: Option<Url>,
    /// `x-hu-user-agent`: `Product/1.2.3 (bundleId: …; build: …; software: <OS>; component: …)`.
    pub user_agent: String,
    /// `User-Agent` (Huma's server refuses sign-in, refresh and sign-out without one; sent on every
    /// request) and the `deviceAgent` of a sign-out.
    pub device_agent: String,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

impl ClientConfig {
    pub fn new(base_url: Url) -> Self {
        let version = env!("CARGO_PKG_VERSION");
        Self {
            base_url,
            project_id: "p1".into(),
            client_id: "c3".into(),
            sign_up_link_base: None,
            user_agent: format!(
                "HumaClinician/{version} (bundleId: com.huma.clinician; build: {version}; software: {} {}; component: desktop)",
                std::env::consts::OS,
                std::env::consts::ARCH
            ),
            device_agent: format!(
                "HumaClinician/{version} ({} {})",
                std::env::consts::OS,
                std::env::consts::ARCH
            ),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
        }
    }
}

/// What went wrong talking to Huma, in the terms the caller decides on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// No connection could be made (offline, DNS, refused).
    #[error("the server cannot be reached")]
    Unreachable,
    /// The request may have reached the server; no answer came in time.
    #[error("the server did not answer in time")]
    Timeout,
    /// The connection broke after the request went out: the server may have acted on it.
    #[error("the connection broke before the server answered")]
    ConnectionLost,
    /// A Huma error body `{code, message}`.
    #[error("the server refused the request (HTTP {status}, code {code})")]
    Huma {
        status: u16,
        code: i64,
        message: String,
    },
    /// A 3xx: the server (or something in front of it) sent the request elsewhere. Not followed.
    #[error("the server redirected the request (HTTP {status})")]
    Redirected { status: u16 },
    /// An error without a Huma body (an HTML 500 from a proxy, say).
    #[error("the server answered HTTP {status}")]
    Http { status: u16 },
    /// A 2xx whose body is not what the contract says.
    #[error("the server's answer could not be read: {0}")]
    Decode(String),
    /// 429: the server turned the request away before acting; `retry_after` is its Retry-After.
    #[error("the server asked to slow down (HTTP 429)")]
    RateLimited {
        code: Option<i64>,
        retry_after: Option<Duration>,
    },
}

impl ApiError {
    pub fn huma_code(&self) -> Option<i64> {
        match self {
            ApiError::Huma { code, .. } => Some(*code),
            ApiError::RateLimited { code, .. } => *code,
            _ => None,
        }
    }

    /// 401 with a token code: the access token is expired or unknown; a refresh may cure it.
    pub fn is_token_rejected(&self) -> bool {
        matches!(
            self,
            ApiError::Huma { status: 401, code, .. }
                if *code == wire::codes::TOKEN_EXPIRED || *code == wire::codes::WRONG_TOKEN
        )
    }
}

fn map_transport_error(e: &reqwest::Error) -> ApiError {
    if e.is_timeout() {
        ApiError::Timeout
    } else if e.is_decode() {
        ApiError::Decode(e.to_string())
    } else if e.is_connect() {
        ApiError::Unreachable
    } else {
        // Not a failure to connect: the request (or part of it) may have reached the server.
        ApiError::ConnectionLost
    }
}

#[derive(Clone)]
pub struct HumaClient {
    http: reqwest::Client,
    config: ClientConfig,
    /// Whether the last request got an answer (`Some(true)`) or could not reach the server.
    contact: std::sync::Arc<tokio::sync::watch::Sender<Option<bool>>>,
    /// `x-hu-locale`: the clinician's own stored language, once known. Huma's server overwrites the
    /// user's language with this header, so nothing is sent until the server has told us theirs.
    locale: std::sync::Arc<std::sync::RwLock<Option<String>>>,
}

/// Per-request options: the bearer token and the patient list (`x-deployment-id`) it acts on.
#[derive(Default, Clone, Copy)]
pub struct Call<'a> {
    pub token: Option<&'a Secret>,
    pub deployment_id: Option<&'a str>,
}

impl<'a> Call<'a> {
    /// The clinician's call about one patient list (Huma's `x-deployment-id`).
    pub fn for_list(token: &'a Secret, list_id: &'a str) -> Self {
        Call {
            token: Some(token),
            deployment_id: Some(list_id),
        }
    }
}

impl HumaClient {
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .user_agent(config.device_agent.clone())
            // A 307/308 would send the request again, body and all (a password, a patient's
            // details), to whatever address it names; the server must be the one configured.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .build()
            .map_err(|e| ApiError::Decode(format!("HTTP client setup failed: {e}")))?;
        Ok(Self {
            http,
            config,
            contact: std::sync::Arc::new(tokio::sync::watch::channel(None).0),
            locale: std::sync::Arc::default(),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sets (or, at sign-out, clears) the language sent as `x-hu-locale`.
    pub fn set_locale(&self, language: Option<String>) {
        let language = language.filter(|l| !l.trim().is_empty());
        if let Ok(mut locale) = self.locale.write() {
            *locale = language;
        }
    }

    fn locale(&self) -> Option<String> {
        self.locale.read().ok().and_then(|l| l.clone())
    }

    pub async fn post<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        call: Call<'_>,
    ) -> Result<R, ApiError> {
        self.send(Method::POST, path, Some(body), call).await
    }

    pub async fn get<R: DeserializeOwned>(
        &self,
        path: &str,
        call: Call<'_>,
    ) -> Result<R, ApiError> {
        self.send::<(), R>(Method::GET, path, None, call).await
    }

    /// `DELETE` without a body (a 204 reads as JSON `null`, so `R = ()` fits).
    pub async fn delete<R: DeserializeOwned>(
        &self,
        path: &str,
        call: Call<'_>,
    ) -> Result<R, ApiError> {
        self.send::<(), R>(Method::DELETE, path, None, call).await
    }

    /// `DELETE` with a JSON body (Huma's bulk revoke).
    pub async fn delete_with_body<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        call: Call<'_>,
    ) -> Result<R, ApiError> {
        self.send(Method::DELETE, path, Some(body), call).await
    }

    /// Invites people to one list: Huma sends each SMS or email before it answers.
    pub async fn send_invitation(
        &self,
        request: &wire::SendInvitationRequest<'_>,
        call: Call<'_>,
    ) -> Result<wire::SendInvitationResponse, ApiError> {
        self.post(wire::SEND_INVITATION, request, call).await
    }

    /// One page of the pending invitations (`x-deployment-id` scopes it to one list).
    pub async fn list_invitations(
        &self,
        request: &wire::InvitationsRequest<'_>,
        call: Call<'_>,
    ) -> Result<wire::InvitationsPage, ApiError> {
        self.post(wire::INVITATIONS, request, call).await
    }

    /// Sends invitations again with their own codes; all-or-nothing, 400 `1000005` past the limit.
    pub async fn resend_invitations(
        &self,
        request: &wire::ResendInvitationsRequest<'_>,
        call: Call<'_>,
    ) -> Result<wire::ResendInvitationsResponse, ApiError> {
        self.post(wire::RESEND_INVITATIONS, request, call).await
    }

    /// Revokes one invitation: its link stops working. 404 `1000004` when it is already gone.
    pub async fn revoke_invitation(&self, id: &str, call: Call<'_>) -> Result<(), ApiError> {
        self.delete::<serde_json::Value>(&wire::invitation_path(id), call)
            .await
            .map(drop)
    }

    /// Revokes many invitations in one all-or-nothing request.
    pub async fn revoke_invitations(
        &self,
        ids: &[String],
        call: Call<'_>,
    ) -> Result<wire::DeleteInvitationsResponse, ApiError> {
        let body = wire::DeleteInvitationsRequest {
            invitation_id_list: ids,
            invitation_type: wire::INVITATION_TYPE_PERSONAL,
        };
        self.delete_with_body(wire::INVITATIONS_DELETE, &body, call)
            .await
    }

    /// Whether the server answers at all (any HTTP status will do), for the connection indicator
    /// when nothing else talks to the server. Carries no token and no personal data.
    pub async fn probe(&self) -> bool {
        // Only an answer counts: a connection cut half-way (the network going as the probe was
        // out) says nothing good about the server.
        let reached = self
            .http
            .head(self.config.base_url.clone())
            .send()
            .await
            .is_ok();
        tracing::debug!(reached, "server probe");
        self.note_contact(reached);
        reached
    }

    /// Follows whether the server answers: every request's outcome, as it happens.
    pub fn watch_contact(&self) -> tokio::sync::watch::Receiver<Option<bool>> {
        self.contact.subscribe()
    }

    fn note_contact(&self, reached: bool) {
        self.contact.send_if_modified(|last| {
            let changed = *last != Some(reached);
            *last = Some(reached);
            changed
        });
    }

    async fn send<B: Serialize + ?Sized, R: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        call: Call<'_>,
    ) -> Result<R, ApiError> {
        // Appended, not `Url::join`ed: IT may configure a base URL with a path prefix.
        let url = format!(
            "{}{path}",
            self.config.base_url.as_str().trim_end_matches('/')
        );
        let mut request = self
            .http
            .request(method.clone(), url)
            .header("x-hu-user-agent", &self.config.user_agent)
            .header("X-Request-ID", uuid::Uuid::now_v7().to_string());
        if let Some(locale) = self.locale() {
            request = request.header("x-hu-locale", locale);
        }
        if let Some(token) = call.token {
            request = request.bearer_auth(token.expose());
        }
        if let Some(deployment) = call.deployment_id {
            request = request.header("x-deployment-id", deployment);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = std::time::Instant::now();
        let response = request.send().await.map_err(|e| {
            let error = map_transport_error(&e);
            tracing::info!(%method, path = %redact_path(path), %error, "huma request failed");
            // No answer, whatever the reason: a connection cut mid-request (often a kept-alive one
            // the network dropped) counts too. The next answer sets it back.
            if matches!(
                error,
                ApiError::Unreachable | ApiError::Timeout | ApiError::ConnectionLost
            ) {
                self.note_contact(false);
            }
            error
        })?;
        self.note_contact(true);
        let status = response.status();
        let retry_after = retry_after(response.headers());
        tracing::debug!(%method, path = %redact_path(path), status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "huma request");
        let bytes = response
            .bytes()
            .await
            .map_err(|e| map_transport_error(&e))?;
        if status.is_success() {
            let bytes = if status == StatusCode::NO_CONTENT || bytes.is_empty() {
                &b"null"[..]
            } else {
                &bytes[..]
            };
            return serde_json::from_slice(bytes).map_err(|e| ApiError::Decode(e.to_string()));
        }
        if status.is_redirection() {
            return Err(ApiError::Redirected {
                status: status.as_u16(),
            });
        }
        let body = serde_json::from_slice::<wire::ErrorBody>(&bytes);
        if status == StatusCode::TOO_MANY_REQUESTS {
            return Err(ApiError::RateLimited {
                code: body.ok().map(|b| b.code),
                retry_after,
            });
        }
        Err(match body {
            Ok(body) => ApiError::Huma {
                status: status.as_u16(),
                code: body.code,
                message: body.message,
            },
            Err(_) => ApiError::Http {
                status: status.as_u16(),
            },
        })
    }
}

/// `Retry-After` in seconds (the HTTP-date form is rare for APIs and read as absent).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// User ids in paths are not secret, but keep logs free of anything that could identify a person.
fn redact_path(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            // Ids are hex (ObjectIds, UUIDs); route names are words, and stay readable for support.
            if seg.len() >= 16 && seg.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                ":id"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A loopback server that answers each connection with `reply` (nothing: it hangs up).
    async fn server(reply: &'static [u8]) -> (HumaClient, tokio::task::JoinHandle<()>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = [0u8; 1024];
                let _ = socket.read(&mut request).await;
                let _ = socket.write_all(reply).await;
            }
        });
        let client = HumaClient::new(ClientConfig::new(url.parse().unwrap())).unwrap();
        (client, task)
    }

    #[tokio::test]
    async fn a_probe_counts_any_answer_and_nothing_else() {
        let (answers, _a) = server(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").await;
        assert!(answers.probe().await, "a 404 is an answer");
        assert_eq!(*answers.watch_contact().borrow(), Some(true));

        // The network going while the probe is out: the connection is cut, nothing answered.
        let (hangs_up, _h) = server(b"").await;
        assert!(!hangs_up.probe().await);
        assert_eq!(*hangs_up.watch_contact().borrow(), Some(false));
    }

    /// A loopback server that answers 200 `{}` and hands over each request's head.
    async fn recording_server() -> (HumaClient, tokio::sync::mpsc::UnboundedReceiver<String>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let (heads, received) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut request = vec![0u8; 8192];
                let n = socket.read(&mut request).await.unwrap_or(0);
                let _ = heads.send(String::from_utf8_lossy(&request[..n]).to_lowercase());
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                    )
                    .await;
            }
        });
        let client = HumaClient::new(ClientConfig::new(url.parse().unwrap())).unwrap();
        (client, received)
    }

    #[tokio::test]
    async fn every_request_has_a_user_agent_and_the_locale_only_once_known() {
        let (client, mut heads) = recording_server().await;
        let sign_in = serde_json::json!({});
        let _: serde_json::Value = client
            .post(wire::SIGNIN, &sign_in, Call::default())
            .await
            .unwrap();
        let head = heads.recv().await.unwrap();
        let agent = format!("user-agent: humaclinician/{}", env!("CARGO_PKG_VERSION"));
        assert!(head.contains(&agent), "{head}");
        // Huma's server stores `x-hu-locale` as the user's language: nothing before it is known.
        assert!(!head.contains("x-hu-locale"), "{head}");

        client.set_locale(Some("cy".into()));
        let _: serde_json::Value = client.get("/any", Call::default()).await.unwrap();
        let head = heads.recv().await.unwrap();
        assert!(head.contains(&agent), "{head}");
        assert!(head.contains("x-hu-locale: cy"), "{head}");

        client.set_locale(None);
        assert!(client.probe().await);
        let head = heads.recv().await.unwrap();
        assert!(head.starts_with("head "), "{head}");
        assert!(
            head.contains(&agent) && !head.contains("x-hu-locale"),
            "{head}"
        );
    }

    #[test]
    fn ids_are_masked_in_logged_paths() {
        assert_eq!(
            redact_path("/api/extensions/v1beta/user/5f1a2b3c4d5e6f7a8b9c0d1e/configuration"),
            "/api/extensions/v1beta/user/:id/configuration"
        );
        for route in [
            wire::SIGNIN,
            wire::SEND_VERIFICATION_TOKEN,
            wire::RESEND_INVITATIONS,
            wire::SEND_INVITATION,
        ] {
            assert_eq!(redact_path(route), route);
        }
        assert_eq!(
            redact_path("/api/extensions/v1/deployment/invitation/0123456789abcdef01234567"),
            "/api/extensions/v1/deployment/invitation/:id"
        );
    }

    #[test]
    fn only_401_token_codes_count_as_token_rejected() {
        let expired = ApiError::Huma {
            status: 401,
            code: wire::codes::TOKEN_EXPIRED,
            message: String::new(),
        };
        let timeout = ApiError::Huma {
            status: 401,
            code: wire::codes::SESSION_TIMEOUT,
            message: String::new(),
        };
        assert!(expired.is_token_rejected());
        assert!(!timeout.is_token_rejected());
        assert!(!ApiError::Unreachable.is_token_rejected());
    }
}
