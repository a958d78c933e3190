//! Who this build is (identity, data dir, keyring service) and where settings come from.
//! Precedence for every managed setting: IT policy > the clinician's own setting > built-in default
//! (the policy itself is read and validated in [`crate::policy`]).

use std::path::PathBuf;

use url::Url;

use crate::ui_types::ConfigSource;

/// A build's identity. Development and test builds have their own, so they never read or write a real
/// installation's data directory or keyring entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppIdentity {
    pub identifier: &'static str,
    pub keyring_service: &'static str,
}

pub const RELEASE_IDENTITY: AppIdentity = AppIdentity {
    identifier: "com.huma.clinician",
    keyring_service: "Huma Clinician",
};

pub const DEVELOPMENT_IDENTITY: AppIdentity = AppIdentity {
    identifier: "com.huma.clinician.dev",
    keyring_service: "Huma Clinician (development)",
};

/// Overrides the data directory (tests and developers; IT's override comes through policy).
pub const DATA_DIR_ENV: &str = "HUMA_CLINICIAN_DATA_DIR";
/// Debug builds only: read IT policy from this JSON file instead of the platform's store (tests).
pub const POLICY_FILE_ENV: &str = "HUMA_CLINICIAN_POLICY_FILE";
pub const LINUX_POLICY_FILE: &str = "/etc/huma-clinician/policy.json";

impl AppIdentity {
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            return PathBuf::from(dir);
        }
        dirs::data_dir()
            .unwrap_or_else(std::env::temp_dir)
            .join(self.identifier)
    }
}

/// A resolved setting and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved<T> {
    pub value: T,
    pub source: ConfigSource,
}

/// policy > user > default; `None` at every level means "not configured".
pub fn resolve<T>(policy: Option<T>, user: Option<T>, default: Option<T>) -> Option<Resolved<T>> {
    [
        (policy, ConfigSource::Policy),
        (user, ConfigSource::User),
        (default, ConfigSource::Default),
    ]
    .into_iter()
    .find_map(|(value, source)| value.map(|value| Resolved { value, source }))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BackendUrlError {
    #[error("“{0}” is not a web address")]
    NotAUrl(String),
    #[error(
        "the server address must start with https:// (plain http is allowed only on this computer)"
    )]
    NotHttps,
}

/// A backend base URL must be https, except on loopback (the sandbox, local development).
pub fn parse_backend_url(raw: &str) -> Result<Url, BackendUrlError> {
    let url = Url::parse(raw.trim()).map_err(|_| BackendUrlError::NotAUrl(raw.to_owned()))?;
    let loopback = match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(BackendUrlError::NotHttps),
        _ => Err(BackendUrlError::NotAUrl(raw.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_beats_user_beats_default() {
        let r = resolve(Some("p"), Some("u"), Some("d"));
        assert_eq!(
            r,
            Some(Resolved {
                value: "p",
                source: ConfigSource::Policy
            })
        );
        let r = resolve(None, Some("u"), Some("d"));
        assert_eq!(r.map(|r| r.source), Some(ConfigSource::User));
        let r = resolve(None, None, Some("d"));
        assert_eq!(r.map(|r| r.source), Some(ConfigSource::Default));
        assert_eq!(resolve::<&str>(None, None, None), None);
    }

    #[test]
    fn backend_urls_must_be_https_except_loopback() {
        assert!(parse_backend_url("https://eu.huma.com").is_ok());
        assert!(parse_backend_url("http://127.0.0.1:8787").is_ok());
        assert!(parse_backend_url("http://localhost:8787").is_ok());
        assert!(parse_backend_url("http://[::1]:8787").is_ok());
        assert_eq!(
            parse_backend_url("http://huma.example.org"),
            Err(BackendUrlError::NotHttps)
        );
        assert!(matches!(
            parse_backend_url("ftp://x"),
            Err(BackendUrlError::NotAUrl(_))
        ));
        assert!(matches!(
            parse_backend_url("not a url"),
            Err(BackendUrlError::NotAUrl(_))
        ));
    }
}
