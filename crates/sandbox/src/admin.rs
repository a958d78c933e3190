//! The sandbox-only surface under `/sandbox/…` (demo account, message viewer, clock, every
//! invitation) and `/healthz`.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{ACCEPT, CONTENT_SECURITY_POLICY, VARY};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::clock::{self as sandbox_clock, format_instant, format_micros};
use crate::error::ApiError;
use crate::extract::ApiJson;
use crate::invitation_store;
use crate::invite_routes::InvitationItem;
use crate::messages::{self, Message};
use crate::schedule;
use crate::state::AppState;
use crate::text::html_escape;
use crate::DemoAccount;

/// The furthest one `POST /sandbox/clock` may move the clock: ten years.
const MAX_ADVANCE_SECS: i64 = 10 * 366 * 24 * 60 * 60;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/sandbox/demo", get(demo))
        .route("/sandbox/messages", get(list_messages))
        .route("/sandbox/clock", get(clock).post(advance_clock))
        .route("/sandbox/invitations", get(list_invitations))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "ok": true }))
}

async fn demo(State(state): State<AppState>) -> Json<DemoAccount> {
    Json(DemoAccount::clone(&state.demo))
}

#[derive(Deserialize)]
struct MessagesQuery {
    to: Option<String>,
}

#[derive(Serialize)]
struct MessagesReply {
    messages: Vec<Message>,
}

/// JSON by default; an HTML page when the client prefers `text/html` (a browser).
async fn list_messages(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<MessagesQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|_| ApiError::validation())?;
    let to = query.to.filter(|t| !t.trim().is_empty());
    let filter = to.clone();
    let list = state
        .db
        .call(move |conn| messages::list(conn, filter.as_deref()))
        .await?;
    let mut response = if prefers_html(&headers) {
        let mut page = Html(render_messages(&list, to.as_deref())).into_response();
        // The page runs no script and loads nothing: say so, in case escaping ever slips.
        page.headers_mut().insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
        );
        page
    } else {
        Json(MessagesReply { messages: list }).into_response()
    };
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("accept"));
    Ok(response)
}

/// Whether the Accept header ranks `text/html` above `application/json` (ties go to JSON).
fn prefers_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (mut html, mut json) = (0.0f32, 0.0f32);
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" => html = html.max(quality),
            "application/json" => json = json.max(quality),
            "text/*" => html = html.max(quality.min(0.99)),
            "application/*" => json = json.max(quality.min(0.99)),
            "*/*" => {
                html = html.max(quality.min(0.98));
                json = json.max(quality.min(0.98));
            }
            _ => {}
        }
    }
    html > json
}

/// Escapes a message body and makes the sandbox's own sign-up links in it clickable.
fn linkify(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for token in body.split_inclusive(char::is_whitespace) {
        let word = token.trim_end();
        let is_link = word.starts_with("http://127.0.0.1:")
            && word.contains("/sandbox/signup/")
            && word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b":/._-".contains(&b));
        if is_link {
            out.push_str(&format!("<a href=\"{word}\">{word}</a>"));
            out.push_str(&html_escape(&token[word.len()..]));
        } else {
            out.push_str(&html_escape(token));
        }
    }
    out
}

fn render_messages(list: &[Message], to: Option<&str>) -> String {
    let mut rows = String::new();
    for m in list {
        rows.push_str(&format!(
            "<tr><td class=\"when\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"body\" dir=\"auto\"{}>{}</td></tr>\n",
            html_escape(&m.sent_at),
            html_escape(&m.channel),
            html_escape(&m.to),
            html_escape(&m.kind),
            html_escape(m.subject.as_deref().unwrap_or("")),
            // Right-to-left invitations (Arabic, Urdu) read in their own direction.
            m.language
                .as_deref()
                .map(|l| format!(" lang=\"{}\"", html_escape(l)))
                .unwrap_or_default(),
            linkify(&m.body),
        ));
    }
    let filter = to.map(html_escape).unwrap_or_default();
    let summary = match (list.len(), to) {
        (0, Some(_)) => format!("No messages to {filter}."),
        (0, None) => "No messages yet.".to_owned(),
        (n, Some(_)) => format!("{n} message(s) to {filter}, newest first."),
        (n, None) => format!("{n} message(s), newest first."),
    };
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Huma sandbox: messages</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem; color: #1a1a1a; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f4f4f4; }}
td.body {{ white-space: pre-wrap; }}
td.when {{ white-space: nowrap; }}
form {{ margin: 1rem 0; }}
</style>
</head>
<body>
<h1>Messages the sandbox sent</h1>
<p>Every SMS and email the sandbox "sends" is kept here instead of being delivered.</p>
<form method="get" action="/sandbox/messages">
<label for="to">Recipient (phone number or email)</label>
<input id="to" name="to" value="{filter}">
<button type="submit">Filter</button>
<a href="/sandbox/messages">Show all</a>
</form>
<p>{summary}</p>
<table>
<thead><tr><th scope="col">Sent at (UTC)</th><th scope="col">Channel</th><th scope="col">To</th><th scope="col">Kind</th><th scope="col">Subject</th><th scope="col">Message</th></tr></thead>
<tbody>
{rows}</tbody>
</table>
</body>
</html>
"#
    )
}

/// An invitation in any state, for tests: Huma's item plus what the sandbox knows about it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AdminInvitation {
    #[serde(flatten)]
    item: InvitationItem,
    deployment_id: String,
    /// `SMS` or `EMAIL`.
    channel: String,
    /// `PENDING`, `CONSUMED`, `REVOKED` or `EXPIRED` (sandbox only: Huma lists pending ones
    /// alone).
    state: &'static str,
    /// When a sign-up used it; null while unused.
    consumed_at: Option<String>,
    /// When it was deleted (`DELETE invitation`); absent unless revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    revoked_at: Option<String>,
    /// The patient the sign-up created.
    #[serde(skip_serializing_if = "Option::is_none")]
    patient_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
}

#[derive(Serialize)]
struct InvitationsReply {
    invitations: Vec<AdminInvitation>,
}

/// Every invitation, newest first, consumed and expired ones included.
async fn list_invitations(
    State(state): State<AppState>,
) -> Result<Json<InvitationsReply>, ApiError> {
    let now = state.clock.now_micros();
    let all = state
        .db
        .call(|conn| invitation_store::list_all(conn))
        .await?;
    let invitations = all
        .into_iter()
        .map(|i| AdminInvitation {
            item: InvitationItem::new(&i, &state.base_url),
            state: match (i.consumed_at, i.revoked_at, i.is_pending(now)) {
                (Some(_), _, _) => "CONSUMED",
                (None, Some(_), _) => "REVOKED",
                (None, None, true) => "PENDING",
                (None, None, false) => "EXPIRED",
            },
            consumed_at: i.consumed_at.map(format_micros),
            revoked_at: i.revoked_at.map(format_micros),
            deployment_id: i.deployment_id,
            channel: i.channel,
            patient_id: i.patient_id,
            text: i.text,
            language: i.language,
        })
        .collect();
    Ok(Json(InvitationsReply { invitations }))
}

#[derive(Serialize)]
struct ClockReply {
    now: String,
}

async fn clock(State(state): State<AppState>) -> Json<ClockReply> {
    Json(ClockReply {
        now: format_instant(state.clock.now()),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AdvanceRequest {
    advance_seconds: i64,
}

/// Moves the clock forward only: tokens and codes must never come back to life. Saves the new
/// offset (a restart keeps it) and runs the work that fell due, before answering.
async fn advance_clock(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<AdvanceRequest>,
) -> Result<Json<ClockReply>, ApiError> {
    if !(0..=MAX_ADVANCE_SECS).contains(&req.advance_seconds) {
        return Err(ApiError::validation());
    }
    let clock = state.clock.clone();
    let base_url = state.base_url.clone();
    state
        .db
        .call(move |conn| {
            // Under the database lock, so concurrent moves save in order.
            clock.advance(req.advance_seconds);
            sandbox_clock::save_offset(conn, clock.offset_micros())?;
            schedule::run_due(conn, clock.now_micros(), &base_url)
        })
        .await?;
    Ok(self::clock(State(state)).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(ACCEPT, value);
        }
        headers
    }

    #[test]
    fn browsers_get_html_and_clients_get_json() {
        let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(prefers_html(&accept(firefox)));
        assert!(prefers_html(&accept("text/html")));
        assert!(!prefers_html(&accept("*/*")));
        assert!(!prefers_html(&accept("application/json")));
        assert!(!prefers_html(&accept("application/json, text/html;q=0.5")));
        assert!(!prefers_html(&accept("text/html;q=0.5, application/json")));
        assert!(!prefers_html(&HeaderMap::new()));
    }

    #[test]
    fn the_page_escapes_everything() {
        let message = Message {
            id: "1".into(),
            channel: "SMS".into(),
            to: "<b>".into(),
            subject: Some("\"quoted\"".into()),
            body: "<script>alert('x')</script> & more".into(),
            sent_at: "now".into(),
            kind: "VERIFICATION_CODE".into(),
            invitation_id: None,
            language: None,
        };
        let page = render_messages(&[message], Some("\"><script>"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assert!(page.contains("value=\"&quot;&gt;&lt;script&gt;\""));
    }

    #[test]
    fn only_the_sandboxs_signup_links_become_links() {
        let link = "http://127.0.0.1:8787/sandbox/signup/AbC123xyz0-_";
        assert_eq!(
            linkify(&format!("Hi <b>, sign up: {link}\n\nBye")),
            format!("Hi &lt;b&gt;, sign up: <a href=\"{link}\">{link}</a>\n\nBye")
        );
        for text in [
            "http://example.com/sandbox/signup/x",
            "http://127.0.0.1:1/sandbox/signup/\"><script>",
            "http://127.0.0.1:1/elsewhere",
        ] {
            assert!(!linkify(text).contains("<a"), "{text}");
        }
    }
}
