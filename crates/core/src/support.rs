//! Contact support: a diagnostics text with what support needs to place a problem (app version,
//! operating system, which server, how the outbox stands, the last error's code) and nothing about
//! patients or the clinician — no names, emails, phone numbers, ids or tokens — and a `mailto:`
//! link that opens the computer's mail client with it.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use crate::error::ErrorCode;
use crate::ui_types::ConfigSource;

pub const SUPPORT_EMAIL: &str = "support@huma.com";

/// The code of the last error shown to the clinician in this run (process-wide).
static LAST_ERROR: Mutex<Option<(ErrorCode, DateTime<Utc>)>> = Mutex::new(None);

/// Notes an error the clinician saw, for the diagnostics (the shell does, for every command that
/// fails: `src-tauri/src/command_error.rs`). Only the code is kept, never the message
/// (a message may quote what the clinician typed).
pub fn record_error(code: ErrorCode, at: DateTime<Utc>) {
    if let Ok(mut last) = LAST_ERROR.lock() {
        *last = Some((code, at));
    }
}

pub fn last_error() -> Option<(ErrorCode, DateTime<Utc>)> {
    LAST_ERROR.lock().ok().and_then(|last| *last)
}

/// Everything the diagnostics say; each field is safe to share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub version: String,
    /// The server's host (and port), never its path or query.
    pub server: Option<String>,
    pub server_source: ConfigSource,
    pub signed_in: bool,
    pub waiting: u32,
    pub needs_attention: u32,
    pub rejected: u32,
    pub last_synced_at: Option<DateTime<Utc>>,
    pub last_error: Option<(ErrorCode, DateTime<Utc>)>,
    pub now: DateTime<Utc>,
}

/// Host and port of a URL: whatever else it carries (a path, a query, credentials) stays out.
pub fn server_host(url: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

fn source_label(source: ConfigSource) -> &'static str {
    match source {
        ConfigSource::Policy => "set by your organisation",
        ConfigSource::User => "set on this computer",
        ConfigSource::Default => "default",
        ConfigSource::Demo => "demo sandbox on this computer",
    }
}

pub fn diagnostics_text(facts: &Facts) -> String {
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let server = match &facts.server {
        Some(host) => format!("{host} ({})", source_label(facts.server_source)),
        None => "not configured".to_owned(),
    };
    let last_error = match facts.last_error {
        Some((code, at)) => format!("{code:?} at {}", time(at)),
        None => "none".to_owned(),
    };
    [
        format!("App: Huma Clinician {}", facts.version),
        format!(
            "Operating system: {} ({}, {})",
            std::env::consts::OS,
            std::env::consts::FAMILY,
            std::env::consts::ARCH
        ),
        format!("Server (region): {server}"),
        format!("Signed in: {}", if facts.signed_in { "yes" } else { "no" }),
        format!(
            "Outbox: {} waiting, {} need attention, {} rejected",
            facts.waiting, facts.needs_attention, facts.rejected
        ),
        format!(
            "Last successful sync: {}",
            facts
                .last_synced_at
                .map_or_else(|| "never".to_owned(), time)
        ),
        format!("Last error: {last_error}"),
        format!("Generated: {}", time(facts.now)),
    ]
    .join("\n")
}

/// RFC 6068 percent-encoding: everything but unreserved characters (spaces as `%20`, which every
/// mail client reads; `+` would show up literally in some).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The support email, addressed and filled in, leaving room above the diagnostics to write.
pub fn mailto(diagnostics: &str) -> String {
    let subject = "Huma Clinician: help needed";
    let body = format!(
        "Please describe what happened and what you expected:\n\n\n\n\
         --- Diagnostics (no patient data) ---\n{diagnostics}\n"
    );
    format!(
        "mailto:{SUPPORT_EMAIL}?subject={}&body={}",
        percent_encode(subject),
        percent_encode(&body)
    )
}

/// Hands a `mailto:` link to the operating system, which opens the default mail client. Spawned
/// and not waited for: some launchers stay until the mail window closes.
pub fn open_mail_client(url: &str) -> std::io::Result<()> {
    if !url.starts_with("mailto:") {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "only mailto: links are opened",
        ));
    }
    let mut command = if cfg!(target_os = "windows") {
        // `start` would need cmd's quoting; the URL handler takes the link as one argument.
        let mut c = std::process::Command::new("rundll32");
        c.arg("url.dll,FileProtocolHandler");
        c
    } else if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else {
        std::process::Command::new("xdg-open")
    };
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            version: "1.2.3".into(),
            server: server_host("https://user:pw@eu.api.huma.com:8443/path?token=abc"),
            server_source: ConfigSource::Policy,
            signed_in: true,
            waiting: 2,
            needs_attention: 1,
            rejected: 0,
            last_synced_at: None,
            last_error: Some((
                ErrorCode::Offline,
                DateTime::parse_from_rfc3339("2026-03-02T10:00:00Z")
                    .unwrap()
                    .with_timezone(&Utc),
            )),
            now: Utc::now(),
        }
    }

    #[test]
    fn diagnostics_name_the_server_host_only() {
        let text = diagnostics_text(&facts());
        assert!(text.contains("App: Huma Clinician 1.2.3"), "{text}");
        assert!(text.contains("eu.api.huma.com:8443 (set by your organisation)"));
        assert!(text.contains("2 waiting, 1 need attention, 0 rejected"));
        assert!(text.contains("Last error: Offline at 2026-03-02T10:00:00Z"));
        assert!(text.contains(std::env::consts::OS));
        for secret in ["user", "pw", "path", "token", "abc"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    #[test]
    fn the_mailto_link_is_addressed_to_support_and_fully_encoded() {
        let url = mailto("App: Huma Clinician 1.2.3\nOutbox: 2 waiting & more");
        assert!(url.starts_with(
            "mailto:support@huma.com?subject=Huma%20Clinician%3A%20help%20needed&body="
        ));
        let body = url.split("&body=").nth(1).unwrap();
        assert!(!body.contains(['&', ' ', '\n', '?', '#', '+']), "{body}");
        assert!(body.contains("2%20waiting%20%26%20more"));
    }

    #[test]
    fn only_mailto_links_are_opened() {
        assert!(open_mail_client("file:///etc/passwd").is_err());
    }
}
