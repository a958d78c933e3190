//! The settings screen's model: every setting with its value and where it came from, resolved
//! policy > the clinician's own setting > built-in default. Managed settings are not editable.

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;
use url::Url;

use super::{
    json_file, parse_value, validate, Key, LogLevel, Policy, RawSource, RawValue, Setting,
};
use crate::config::{resolve, Resolved};
use crate::error::{AppError, AppResult};
use crate::sending_hours::{
    computer_time_zone, parse_time_zone, SendingHours, Window, DEFAULT_WINDOW,
};
use crate::ui_types::ConfigSource;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Settings {
    pub items: Vec<SettingItem>,
    /// Invalid policy values, in words (each was ignored as a whole).
    pub problems: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SettingItem {
    /// e.g. "backendUrl", "phoneRegion", "idleLockMinutes".
    pub key: String,
    pub label: String,
    pub value: Option<String>,
    pub source: ConfigSource,
    /// False when managed by policy ("Managed by your organisation").
    pub editable: bool,
}

/// Built-in values for this build and computer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    /// Where account databases live unless moved by policy or the clinician.
    pub data_directory: PathBuf,
    /// Whether this build contains the embedded demo sandbox at all (release builds do not).
    pub sandbox_available: bool,
}

pub const DEFAULT_IDLE_LOCK_MINUTES: u32 = 15;
pub const DEFAULT_PHONE_REGION: &str = "GB";

impl Defaults {
    pub fn value(&self, key: Key) -> Option<Setting> {
        match key {
            Key::BackendUrl | Key::ClientId | Key::ProjectId | Key::SignUpLinkBase => None,
            Key::PhoneRegion => Some(Setting::Text(DEFAULT_PHONE_REGION.to_owned())),
            Key::IdleLockMinutes => Some(Setting::Minutes(DEFAULT_IDLE_LOCK_MINUTES)),
            Key::SessionResumeAllowed => Some(Setting::Flag(true)),
            Key::SandboxAllowed => Some(Setting::Flag(self.sandbox_available)),
            Key::UpdateChecksAllowed => Some(Setting::Flag(true)),
            Key::LogLevel => Some(Setting::Level(LogLevel::Info)),
            Key::DataDirectory => Some(Setting::Path(self.data_directory.clone())),
            Key::SendingHours => Some(Setting::Text(DEFAULT_WINDOW.to_owned())),
            Key::SendingTimeZone => Some(Setting::Text(computer_time_zone().name().to_owned())),
            Key::HoldEmailInvites => Some(Setting::Flag(false)),
        }
    }
}

/// The clinician's own values, kept as top-level keys of the preferences file. Other keys there
/// (window size, last list) are not settings and are skipped.
pub fn user_values(prefs: &serde_json::Map<String, serde_json::Value>) -> (Policy, Vec<String>) {
    let source = RawSource {
        name: "your own settings".to_owned(),
        values: prefs
            .iter()
            .filter(|(k, _)| Key::from_name(k).is_some())
            .filter_map(|(k, v)| json_file::raw_value(v).map(|raw| (k.clone(), raw)))
            .collect(),
    };
    validate(&source)
}

/// Every level of every setting for this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layers {
    pub policy: Policy,
    pub user: Policy,
    pub defaults: Defaults,
    /// Invalid policy values (shown in the app and logged).
    pub problems: Vec<String>,
}

impl Layers {
    pub fn resolved(&self, key: Key) -> Option<Resolved<Setting>> {
        resolve(
            self.policy.get(key).cloned(),
            self.user.get(key).cloned(),
            self.defaults.value(key),
        )
    }

    fn layer<T>(&self, pick: impl Fn(&Policy) -> Option<T>) -> Option<Resolved<T>> {
        resolve(pick(&self.policy), pick(&self.user), None)
    }

    pub fn backend_url(&self) -> Option<Resolved<Url>> {
        self.layer(Policy::backend_url)
    }

    /// Where patients sign up: IT's to set (see `pending::sign_up_code`).
    pub fn sign_up_link_base(&self) -> Option<Url> {
        self.layer(|p| p.url(Key::SignUpLinkBase)).map(|r| r.value)
    }

    pub fn client_id(&self) -> Option<String> {
        self.layer(|p| p.text(Key::ClientId)).map(|r| r.value)
    }

    pub fn project_id(&self) -> Option<String> {
        self.layer(|p| p.text(Key::ProjectId)).map(|r| r.value)
    }

    pub fn phone_region(&self) -> String {
        self.layer(|p| p.text(Key::PhoneRegion))
            .map_or_else(|| DEFAULT_PHONE_REGION.to_owned(), |r| r.value)
    }

    pub fn idle_lock_minutes(&self) -> u32 {
        self.layer(|p| p.minutes(Key::IdleLockMinutes))
            .map_or(DEFAULT_IDLE_LOCK_MINUTES, |r| r.value)
    }

    /// Whether a restart may resume the last clinician's session (it then opens locked when an
    /// idle lock is set). False: every start asks for the password, and nothing is kept in the
    /// keyring for it.
    pub fn session_resume_allowed(&self) -> bool {
        self.layer(|p| p.flag(Key::SessionResumeAllowed))
            .is_none_or(|r| r.value)
    }

    /// The demo sandbox needs the build to contain it and nobody to have said no.
    pub fn sandbox_allowed(&self) -> bool {
        self.defaults.sandbox_available
            && self
                .layer(|p| p.flag(Key::SandboxAllowed))
                .is_none_or(|r| r.value)
    }

    pub fn update_checks_allowed(&self) -> bool {
        self.layer(|p| p.flag(Key::UpdateChecksAllowed))
            .is_none_or(|r| r.value)
    }

    pub fn log_level(&self) -> Resolved<LogLevel> {
        self.layer(Policy::log_level).unwrap_or(Resolved {
            value: LogLevel::Info,
            source: ConfigSource::Default,
        })
    }

    /// When invites may go out: each part from policy, the clinician's setting or the default
    /// (08:00–20:00 Monday–Saturday, the computer's zone, SMS only).
    pub fn sending_hours(&self) -> SendingHours {
        let window = self
            .layer(|p| p.text(Key::SendingHours))
            .and_then(|r| Window::parse(&r.value).ok())
            .unwrap_or_default();
        let zone = self
            .layer(|p| p.text(Key::SendingTimeZone))
            .and_then(|r| parse_time_zone(&r.value).ok())
            .unwrap_or_else(computer_time_zone);
        let hold_email = self
            .layer(|p| p.flag(Key::HoldEmailInvites))
            .is_some_and(|r| r.value);
        SendingHours {
            window,
            zone,
            hold_email,
        }
    }

    pub fn data_directory(&self) -> PathBuf {
        self.layer(|p| p.path(Key::DataDirectory))
            .map_or_else(|| self.defaults.data_directory.clone(), |r| r.value)
    }

    /// The settings screen. `demo_backend` is the embedded sandbox's address when this run uses it.
    pub fn settings(&self, demo_backend: Option<&str>) -> Settings {
        let items = Key::ALL
            .into_iter()
            .map(|key| {
                let managed = self.policy.is_set(key);
                let resolved = self.resolved(key);
                let (value, source) = match (key, resolved, demo_backend) {
                    (Key::BackendUrl, None, Some(demo)) => {
                        (Some(demo.to_owned()), ConfigSource::Demo)
                    }
                    (_, Some(r), _) => (Some(r.value.to_string()), r.source),
                    (_, None, _) => (None, ConfigSource::Default),
                };
                let editable =
                    !managed && (key != Key::SandboxAllowed || self.defaults.sandbox_available);
                SettingItem {
                    key: key.name().to_owned(),
                    label: key.label().to_owned(),
                    value,
                    source,
                    editable,
                }
            })
            .collect();
        Settings {
            items,
            problems: self.problems.clone(),
        }
    }

    /// Checks a clinician's change and records it in `user`. Returns the key and the value to keep
    /// in the preferences file (`None`: back to the default).
    pub fn set_user(
        &mut self,
        name: &str,
        value: Option<String>,
    ) -> AppResult<(Key, Option<Setting>)> {
        let key = Key::from_name(name).ok_or_else(|| {
            AppError::invalid_input(format!("There is no setting called “{name}”."))
        })?;
        if self.policy.is_set(key) {
            return Err(AppError::invalid_input(format!(
                "“{}” is managed by your organisation and cannot be changed here.",
                key.label()
            )));
        }
        if key == Key::SandboxAllowed && !self.defaults.sandbox_available {
            return Err(AppError::invalid_input(
                "This version of Huma Clinician has no demo sandbox.",
            ));
        }
        let value = value.filter(|v| !v.trim().is_empty());
        match value {
            None => {
                self.user.remove(key);
                Ok((key, None))
            }
            Some(raw) => {
                let setting = parse_value(key, &RawValue::Text(raw)).map_err(|reason| {
                    AppError::invalid_input(format!("{}: {reason}.", key.label()))
                })?;
                self.user.set(key, setting.clone());
                Ok((key, Some(setting)))
            }
        }
    }
}
