//! IT-managed policy: read once at start from the platform's managed store, validated in one place.
//!
//! Each platform reader only turns its store into raw key → value pairs ([`RawSource`]); [`validate`]
//! turns those into a [`Policy`] the same way for every store, so the parsing is tested on every OS
//! with fixtures shaped like each store's values. A value that fails validation is reported and
//! dropped as a whole; the other keys still apply.
//!
//! Sources, highest first:
//! - Windows: `HKLM\SOFTWARE\Policies\Huma\Clinician`, then `HKCU\…` (machine policy wins per key).
//! - macOS: managed preferences of `com.huma.clinician`, read through CFPreferences (only values an
//!   MDM profile forces count as policy: a user's own `defaults write` does not).
//! - Linux: `/etc/huma-clinician/policy.json`.
//!
//! Development builds (those with the demo sandbox) read the JSON file named by
//! `HUMA_CLINICIAN_POLICY_FILE` instead, on every OS (tests).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use url::Url;

use crate::config::{parse_backend_url, parse_clinicians_backend_url, POLICY_FILE_ENV};
use crate::sending_hours::{parse_time_zone, Window, DEFAULT_WINDOW};

pub mod cfprefs;
pub mod json_file;
pub mod registry;
pub mod settings;

/// The longest idle-lock setting accepted: a day. 0 means "never lock".
pub const MAX_IDLE_LOCK_MINUTES: u32 = 24 * 60;

/// Every setting IT can manage (and a clinician can set for themselves when IT does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    BackendUrl,
    ClientId,
    ProjectId,
    PhoneRegion,
    IdleLockMinutes,
    SessionResumeAllowed,
    SandboxAllowed,
    UpdateChecksAllowed,
    LogLevel,
    DataDirectory,
    SignUpLinkBase,
    SendingHours,
    SendingTimeZone,
    HoldEmailInvites,
}

impl Key {
    pub const ALL: [Key; 14] = [
        Key::BackendUrl,
        Key::ClientId,
        Key::ProjectId,
        Key::PhoneRegion,
        Key::IdleLockMinutes,
        Key::SessionResumeAllowed,
        Key::SandboxAllowed,
        Key::UpdateChecksAllowed,
        Key::LogLevel,
        Key::DataDirectory,
        Key::SignUpLinkBase,
        Key::SendingHours,
        Key::SendingTimeZone,
        Key::HoldEmailInvites,
    ];

    /// The name in every store: JSON key, registry value name, CFPreferences key, settings key.
    pub fn name(self) -> &'static str {
        match self {
            Key::BackendUrl => "backendUrl",
            Key::ClientId => "clientId",
            Key::ProjectId => "projectId",
            Key::PhoneRegion => "phoneRegion",
            Key::IdleLockMinutes => "idleLockMinutes",
            Key::SessionResumeAllowed => "sessionResumeAllowed",
            Key::SandboxAllowed => "sandboxAllowed",
            Key::UpdateChecksAllowed => "updateChecksAllowed",
            Key::LogLevel => "logLevel",
            Key::DataDirectory => "dataDirectory",
            Key::SignUpLinkBase => "signUpLinkBase",
            Key::SendingHours => "sendingHours",
            Key::SendingTimeZone => "sendingTimeZone",
            Key::HoldEmailInvites => "holdEmailInvites",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Key::BackendUrl => "Huma server address",
            Key::ClientId => "Client ID",
            Key::ProjectId => "Project ID",
            Key::PhoneRegion => "Default phone region",
            Key::IdleLockMinutes => "Lock after minutes without use",
            Key::SessionResumeAllowed => "Stay signed in when the app is closed",
            Key::SandboxAllowed => "Demo sandbox allowed",
            Key::UpdateChecksAllowed => "Update checks allowed",
            Key::LogLevel => "Log level",
            Key::DataDirectory => "Data folder",
            Key::SignUpLinkBase => "Patient sign-up address",
            Key::SendingHours => "Sending hours for SMS invites",
            Key::SendingTimeZone => "Time zone of the sending hours",
            Key::HoldEmailInvites => "Email invites also wait for sending hours",
        }
    }

    /// Registry value names are case-insensitive, and IT types these by hand: match the same way
    /// in every store.
    pub fn from_name(name: &str) -> Option<Key> {
        Key::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// A value as a store holds it, before validation.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Text(String),
    Integer(i64),
    Bool(bool),
    /// A type no setting takes; the words say what it was ("a list", "a decimal number").
    Other(&'static str),
}

/// One store's raw values, with a name IT recognises in messages (a path or registry key).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawSource {
    pub name: String,
    pub values: BTreeMap<String, RawValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }

    pub fn parse(raw: &str) -> Option<LogLevel> {
        let raw = raw.trim();
        [
            LogLevel::Error,
            LogLevel::Warn,
            LogLevel::Info,
            LogLevel::Debug,
            LogLevel::Trace,
        ]
        .into_iter()
        .find(|l| l.as_str().eq_ignore_ascii_case(raw))
    }
}

/// A validated setting value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    Url(Url),
    Text(String),
    Minutes(u32),
    Flag(bool),
    Level(LogLevel),
    Path(PathBuf),
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Without the trailing slash `Url` adds to a bare host: show what IT typed.
            Setting::Url(u) => f.write_str(u.as_str().trim_end_matches('/')),
            Setting::Text(t) => f.write_str(t),
            Setting::Minutes(m) => write!(f, "{m}"),
            Setting::Flag(b) => write!(f, "{b}"),
            Setting::Level(l) => f.write_str(l.as_str()),
            Setting::Path(p) => write!(f, "{}", p.display()),
        }
    }
}

impl Setting {
    /// How a clinician's own value is kept in the preferences file (typed, so it reads back through
    /// the same validation as a policy file).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Setting::Minutes(m) => serde_json::json!(m),
            Setting::Flag(b) => serde_json::json!(b),
            other => serde_json::json!(other.to_string()),
        }
    }
}

/// Validated settings from one level (IT policy, or the clinician's own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    values: BTreeMap<Key, Setting>,
}

impl Policy {
    pub fn get(&self, key: Key) -> Option<&Setting> {
        self.values.get(&key)
    }

    pub fn is_set(&self, key: Key) -> bool {
        self.values.contains_key(&key)
    }

    pub fn set(&mut self, key: Key, value: Setting) {
        self.values.insert(key, value);
    }

    pub fn remove(&mut self, key: Key) {
        self.values.remove(&key);
    }

    pub fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.values.keys().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn backend_url(&self) -> Option<Url> {
        self.url(Key::BackendUrl)
    }

    pub fn url(&self, key: Key) -> Option<Url> {
        match self.get(key) {
            Some(Setting::Url(u)) => Some(u.clone()),
            _ => None,
        }
    }

    pub fn text(&self, key: Key) -> Option<String> {
        match self.get(key) {
            Some(Setting::Text(t)) => Some(t.clone()),
            _ => None,
        }
    }

    pub fn minutes(&self, key: Key) -> Option<u32> {
        match self.get(key) {
            Some(Setting::Minutes(m)) => Some(*m),
            _ => None,
        }
    }

    pub fn flag(&self, key: Key) -> Option<bool> {
        match self.get(key) {
            Some(Setting::Flag(b)) => Some(*b),
            _ => None,
        }
    }

    pub fn log_level(&self) -> Option<LogLevel> {
        match self.get(Key::LogLevel) {
            Some(Setting::Level(l)) => Some(*l),
            _ => None,
        }
    }

    pub fn path(&self, key: Key) -> Option<PathBuf> {
        match self.get(key) {
            Some(Setting::Path(p)) => Some(p.clone()),
            _ => None,
        }
    }

    /// Fills keys this level does not set from a lower-precedence source of the same level.
    fn fill_from(&mut self, lower: Policy) {
        for (key, value) in lower.values {
            self.values.entry(key).or_insert(value);
        }
    }
}

/// What the store holds, in words for a message ("the text “x”", "the number 7").
fn describe(raw: &RawValue) -> String {
    match raw {
        RawValue::Text(t) if t.chars().count() > 80 => "a text too long to show".to_owned(),
        RawValue::Text(t) => format!("“{t}”"),
        RawValue::Integer(n) => format!("the number {n}"),
        RawValue::Bool(b) => format!("{b}"),
        RawValue::Other(what) => (*what).to_owned(),
    }
}

fn text(raw: &RawValue) -> Option<&str> {
    match raw {
        RawValue::Text(t) => Some(t.trim()),
        _ => None,
    }
}

/// An identifier Huma issues (client id, project id): short, no spaces or punctuation beyond `-_.`.
fn identifier(raw: &RawValue) -> Result<Setting, String> {
    let value = text(raw).unwrap_or_default();
    let ok = !value.is_empty()
        && value.len() <= 100
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(Setting::Text(value.to_owned()))
    } else {
        Err("it must be an identifier of letters, digits, “-”, “_” or “.” (at most 100)".into())
    }
}

fn flag(raw: &RawValue) -> Result<Setting, String> {
    const WANT: &str = "it must be true or false (1 or 0)";
    match raw {
        RawValue::Bool(b) => Ok(Setting::Flag(*b)),
        RawValue::Integer(0) => Ok(Setting::Flag(false)),
        RawValue::Integer(1) => Ok(Setting::Flag(true)),
        RawValue::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(Setting::Flag(true)),
            "false" | "0" | "no" => Ok(Setting::Flag(false)),
            _ => Err(WANT.into()),
        },
        _ => Err(WANT.into()),
    }
}

fn minutes(raw: &RawValue) -> Result<Setting, String> {
    let n = match raw {
        RawValue::Integer(n) => Some(*n),
        RawValue::Text(t) => t.trim().parse::<i64>().ok(),
        _ => None,
    };
    match n.and_then(|n| u32::try_from(n).ok()) {
        Some(m) if m <= MAX_IDLE_LOCK_MINUTES => Ok(Setting::Minutes(m)),
        _ => Err(format!(
            "it must be a whole number of minutes from 0 (never lock) to {MAX_IDLE_LOCK_MINUTES}"
        )),
    }
}

fn phone_region(raw: &RawValue) -> Result<Setting, String> {
    let region = text(raw).unwrap_or_default().to_ascii_uppercase();
    match region.parse::<phonenumber::country::Id>() {
        Ok(_) if region.len() == 2 => Ok(Setting::Text(region)),
        _ => Err(
            "it must be a two-letter country code with a phone numbering plan, such as GB".into(),
        ),
    }
}

fn data_directory(raw: &RawValue) -> Result<Setting, String> {
    let text = text(raw).unwrap_or_default();
    if let Some(variable) = registry::unexpanded_variable(text) {
        return Err(format!(
            "it names {variable}, which is not set: machine policy (HKLM) expands only \
             machine-wide variables such as %ProgramData%, never a user's own"
        ));
    }
    let path = PathBuf::from(text);
    if path.is_absolute() {
        Ok(Setting::Path(path))
    } else {
        Err(
            "it must be a full folder path (a relative path would depend on where the app starts)"
                .into(),
        )
    }
}

/// Who gave a value. The rules differ in one place: IT policy may name any server, a clinician only
/// one of Huma's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Policy,
    Clinician,
}

/// The one validation every store's values go through, for a value the clinician gave (the stricter
/// rules). IT policy goes through [`parse_value_from`] with [`Origin::Policy`].
pub fn parse_value(key: Key, raw: &RawValue) -> Result<Setting, String> {
    parse_value_from(Origin::Clinician, key, raw)
}

pub fn parse_value_from(origin: Origin, key: Key, raw: &RawValue) -> Result<Setting, String> {
    match key {
        Key::BackendUrl => match text(raw) {
            Some(t) => match origin {
                Origin::Policy => parse_backend_url(t),
                Origin::Clinician => parse_clinicians_backend_url(t, cfg!(debug_assertions)),
            }
            .map(Setting::Url)
            .map_err(|e| e.to_string()),
            None => Err("it must be a web address such as https://eu.example.huma.com".into()),
        },
        // The patient app's address (Huma's `deepLinkBaseUrl`), IT's to set: not one of the
        // server's domains, so only its shape is checked.
        Key::SignUpLinkBase => text(raw)
            .ok_or(())
            .and_then(|t| parse_backend_url(t).map_err(|_| ()))
            .map(Setting::Url)
            .map_err(|()| "it must be an https address such as https://app.example.com".into()),
        Key::ClientId | Key::ProjectId => identifier(raw),
        Key::PhoneRegion => phone_region(raw),
        Key::IdleLockMinutes => minutes(raw),
        Key::SessionResumeAllowed
        | Key::SandboxAllowed
        | Key::UpdateChecksAllowed
        | Key::HoldEmailInvites => flag(raw),
        Key::LogLevel => text(raw)
            .and_then(LogLevel::parse)
            .map(Setting::Level)
            .ok_or_else(|| "it must be one of error, warn, info, debug or trace".into()),
        Key::DataDirectory => data_directory(raw),
        // Kept in canonical form, so the Settings dialog shows what applies.
        Key::SendingHours => text(raw)
            .ok_or_else(|| format!("it must be text such as “{DEFAULT_WINDOW}”"))
            .and_then(Window::parse)
            .map(|w| Setting::Text(w.to_string())),
        Key::SendingTimeZone => text(raw)
            .ok_or_else(|| "it must be text such as “Europe/London”".to_owned())
            .and_then(parse_time_zone)
            .map(|tz| Setting::Text(tz.name().to_owned())),
    }
}

/// Validates the clinician's own values (the stricter rules; see [`Origin`]). Problems are
/// sentences they can act on; an invalid key is dropped.
pub fn validate(source: &RawSource) -> (Policy, Vec<String>) {
    validate_from(Origin::Clinician, source)
}

/// Validates one store of IT policy. Problems are sentences IT can act on; an invalid key is dropped.
pub fn validate_policy(source: &RawSource) -> (Policy, Vec<String>) {
    validate_from(Origin::Policy, source)
}

fn validate_from(origin: Origin, source: &RawSource) -> (Policy, Vec<String>) {
    let mut policy = Policy::default();
    let mut problems = Vec::new();
    for (name, raw) in &source.values {
        let Some(key) = Key::from_name(name) else {
            problems.push(format!(
                "The policy setting “{name}” in {} is not one Huma Clinician knows, so it is ignored.",
                source.name
            ));
            continue;
        };
        if policy.is_set(key) {
            problems.push(format!(
                "The policy setting “{name}” appears twice in {}; the first is used.",
                source.name
            ));
            continue;
        }
        match parse_value_from(origin, key, raw) {
            Ok(value) => policy.set(key, value),
            Err(reason) => problems.push(format!(
                "The policy setting “{}” in {} is ignored: {} was given, but {reason}.",
                key.name(),
                source.name,
                describe(raw)
            )),
        }
    }
    (policy, problems)
}

/// The policy in force for this run, and what was wrong with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadedPolicy {
    pub policy: Policy,
    pub problems: Vec<String>,
}

/// Merges stores, highest precedence first: a key set validly in a higher store wins; an invalid
/// value in a higher store lets a valid one in a lower store apply.
pub fn merge(sources: Vec<Result<Option<RawSource>, String>>) -> LoadedPolicy {
    let mut loaded = LoadedPolicy::default();
    for source in sources {
        match source {
            Ok(Some(raw)) => {
                let (policy, problems) = validate_policy(&raw);
                loaded.policy.fill_from(policy);
                loaded.problems.extend(problems);
            }
            Ok(None) => {}
            Err(problem) => loaded.problems.push(problem),
        }
    }
    loaded
}

/// Where a development build's test policy file is, if one is named.
fn policy_file_override(allow: bool) -> Option<PathBuf> {
    if !allow {
        return None;
    }
    std::env::var_os(POLICY_FILE_ENV)
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// Reads this computer's policy. `allow_file_override` is true only in development builds.
pub fn load(allow_file_override: bool) -> LoadedPolicy {
    if let Some(path) = policy_file_override(allow_file_override) {
        return merge(vec![json_file::read(&path)]);
    }
    merge(platform_sources())
}

#[cfg(windows)]
fn platform_sources() -> Vec<Result<Option<RawSource>, String>> {
    vec![registry::read_machine(), registry::read_user()]
}

#[cfg(target_os = "macos")]
fn platform_sources() -> Vec<Result<Option<RawSource>, String>> {
    vec![cfprefs::read_managed()]
}

#[cfg(not(any(windows, target_os = "macos")))]
fn platform_sources() -> Vec<Result<Option<RawSource>, String>> {
    vec![json_file::read(std::path::Path::new(
        crate::config::LINUX_POLICY_FILE,
    ))]
}

#[cfg(test)]
mod tests;
