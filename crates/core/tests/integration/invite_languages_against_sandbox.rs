//! The patient's language against the real sandbox: a CSV with a language column queues each row
//! with its language, the sync task sends one `send-invitation` per language (Huma's `language` is
//! per request), and the sandbox records each invitation's language and delivers its text.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use common::{TestResult, World};
use serde_json::Value;

/// Each `send-invitation` seen: its `language` and its number of invitees.
type Sends = Arc<Mutex<Vec<(Option<String>, usize)>>>;

/// A loopback proxy in front of the sandbox that notes, for each `send-invitation`, its `language`
/// and how many invitees it carried (nothing else of the body).
struct Recorder {
    url: String,
    sends: Sends,
}

struct Upstream {
    base: String,
    http: reqwest::Client,
    sends: Sends,
}

impl Recorder {
    async fn start(upstream: &str) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let sends = Arc::new(Mutex::new(Vec::new()));
        let state = Arc::new(Upstream {
            base: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .map_err(std::io::Error::other)?,
            sends: sends.clone(),
        });
        let router = Router::new().fallback(forward).with_state(state);
        tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(Self { url, sends })
    }

    fn sends(&self) -> Vec<(Option<String>, usize)> {
        self.sends.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

async fn forward(State(up): State<Arc<Upstream>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, 16 * 1024 * 1024).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if parts.uri.path().ends_with("/deployment/send-invitation") {
        let json: Value = serde_json::from_slice(&body).unwrap_or_default();
        let language = json["language"].as_str().map(str::to_owned);
        let invitees = json["invitees"].as_array().map_or(0, Vec::len);
        if let Ok(mut sends) = up.sends.lock() {
            sends.push((language, invitees));
        }
    }
    let mut headers = parts.headers.clone();
    for name in [header::HOST, header::CONTENT_LENGTH, header::CONNECTION] {
        headers.remove(name);
    }
    let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let answer = up
        .http
        .request(parts.method, format!("{}{target}", up.base))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let Ok(answer) = answer else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    let reply = answer.bytes().await.unwrap_or_default();
    let mut response = Response::new(Body::from(reply));
    *response.status_mut() = status;
    if let Some(content_type) = content_type {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
    }
    response
}

/// Every invitation the sandbox holds, as (email or phone, language), sorted.
async fn languages_on_the_sandbox(world: &World) -> TestResult<Vec<(String, String)>> {
    let json: Value = reqwest::Client::new()
        .get(format!("{}/sandbox/invitations", world.sandbox.base_url()))
        .send()
        .await?
        .json()
        .await?;
    let mut out: Vec<(String, String)> = json["invitations"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| {
            let to = i["email"].as_str().or(i["phoneNumber"].as_str());
            (
                to.unwrap_or_default().to_owned(),
                i["language"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    Ok(out)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mixed_language_import_goes_out_as_one_request_per_language() -> TestResult {
    let world = World::new().await?;
    let recorder = Recorder::start(&world.sandbox.base_url()).await?;
    let app = world.app_at(&recorder.url);
    world.sign_in_demo(&app).await?;
    let list = app.patient_lists().await?.remove(0).id;

    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("clinic.csv");
    std::fs::write(
        &csv,
        "First name,Last name,Email,Mobile,lang\n\
         Ann,Lee,ann@example.com,,cy\n\
         Bob,Hart,bob@example.com,,English\n\
         Cat,Ray,cat@example.com,,Cymraeg\n\
         Dan,Roe,dan@example.com,,\n\
         Eve,Nowak,eve@example.com,,pl\n\
         Siân,Jones,,07911 123480,Welsh\n\
         Tom,Vale,tom@example.com,,Klingon\n",
    )?;
    let preview = app.import_csv(&list, csv, |_| {}).await?;
    assert_eq!(preview.accepted_count, 6);
    assert_eq!(preview.rejected.len(), 1);
    assert_eq!(preview.rejected[0].row, 8);
    assert!(
        preview.rejected[0].reason.contains("“Klingon”"),
        "{}",
        preview.rejected[0].reason
    );
    // Queued while the sync task is not running: the batch is all in the outbox at once.
    let receipt = app.send_import(&list, &preview.import_id, &[]).await?;
    assert_eq!(receipt.queued, 6);
    tokio::spawn(app.clone().run_sync());
    let outcome = app
        .await_batch(&receipt.batch_id, Duration::from_secs(15))
        .await?;
    assert_eq!((outcome.sent, outcome.queued), (6, 0), "{outcome:?}");

    // Emails: Welsh (2), English (1), none named (1, the server's default), Polish (1); the Welsh
    // SMS has its own text, so its own request.
    let mut sends = recorder.sends();
    sends.sort();
    let want = |language: Option<&str>, n| (language.map(str::to_owned), n);
    assert_eq!(
        sends,
        [
            want(None, 1),
            want(Some("cy"), 1),
            want(Some("cy"), 2),
            want(Some("en"), 1),
            want(Some("pl"), 1),
        ]
    );
    let on_server = languages_on_the_sandbox(&world).await?;
    // The seed's own invitations (link invitations, with no recipient) are left out.
    let pairs: Vec<(&str, &str)> = on_server
        .iter()
        .filter(|(to, _)| !to.is_empty())
        .map(|(to, l)| (to.as_str(), l.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("+447911123480", "cy"),
            ("ann@example.com", "cy"),
            ("bob@example.com", "en"),
            ("cat@example.com", "cy"),
            ("dan@example.com", "en"),
            ("eve@example.com", "pl"),
        ]
    );

    // The Welsh SMS is delivered in Welsh, as the sandbox logged it.
    let sms = world
        .messages()
        .await?
        .into_iter()
        .find(|m| m["kind"] == "INVITATION" && m["to"] == "+447911123480")
        .ok_or("no invitation SMS in the sandbox")?;
    let body = sms["body"].as_str().unwrap_or_default();
    assert!(
        body.starts_with("Helo Siân, mae Amelia Hart wedi eich gwahodd i ymuno â Huma"),
        "{body}"
    );
    assert_eq!(sms["language"], "cy");
    Ok(())
}
