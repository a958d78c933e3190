//! Who this build is (identity, data dir, keyring service) and where settings come from.
//! Precedence for every managed setting: IT policy > the clinician's own setting > built-in default
//! (the policy itself is read and validated in [`crate::policy`]).

use std::ffi::OsString;
use std::path::PathBuf;

use url::Url;

use crate::ui_types::ConfigSource;

/// A build's identity. Development and test builds have their own, so they never read or write a real
/// installation's data directory or keyring entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppIdentity {
    pub identifier: &'static str,
    pub keyring_service: &'static str,
    /// Whether settings may come from environment variables (data folder, log level, policy file,
    /// server, keyring service): development and test builds only. An installed app ignores them,
    /// so a user's environment can neither move a managed installation's data nor raise its log
    /// level; IT does both through policy.
    pub takes_environment_overrides: bool,
}

pub const RELEASE_IDENTITY: AppIdentity = AppIdentity {
    identifier: "com.huma.clinician",
    keyring_service: "Huma Clinician",
    takes_environment_overrides: false,
};

pub const DEVELOPMENT_IDENTITY: AppIdentity = AppIdentity {
    identifier: "com.huma.clinician.dev",
    keyring_service: "Huma Clinician (development)",
    takes_environment_overrides: true,
};

/// Development builds only: overrides the data directory (tests and developers; IT's override
/// comes through policy).
pub const DATA_DIR_ENV: &str = "HUMA_CLINICIAN_DATA_DIR";
/// Development builds only: read IT policy from this JSON file instead of the platform's store
/// (tests).
pub const POLICY_FILE_ENV: &str = "HUMA_CLINICIAN_POLICY_FILE";
pub const LINUX_POLICY_FILE: &str = "/etc/huma-clinician/policy.json";

impl AppIdentity {
    /// An environment variable's value, when this build takes overrides from the environment and
    /// the variable is set and not empty.
    pub fn env_override(&self, name: &str) -> Option<String> {
        self.override_from(std::env::var_os(name))?
            .into_string()
            .ok()
    }

    fn override_from(&self, value: Option<OsString>) -> Option<OsString> {
        value.filter(|v| self.takes_environment_overrides && !v.is_empty())
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir_with(std::env::var_os(DATA_DIR_ENV))
    }

    fn data_dir_with(&self, from_environment: Option<OsString>) -> PathBuf {
        if let Some(dir) = self.override_from(from_environment) {
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

/// Huma's own domains: a server the clinician types in must be one of them or under one of them.
/// Any other server needs IT policy to name it.
pub const HUMA_DOMAINS: &[&str] = &["huma.com"];

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BackendUrlError {
    #[error("“{0}” is not a web address")]
    NotAUrl(String),
    #[error(
        "the server address must start with https:// (plain http is allowed only on this computer)"
    )]
    NotHttps,
    #[error(
        "only Huma's own servers can be used unless your IT team sets another in policy \
         (an address ending in {})",
        HUMA_DOMAINS.join(" or ")
    )]
    NotHuma,
}

/// Whether `host` is one of [`HUMA_DOMAINS`] or a subdomain of one (`eu.api.huma.com`), never a
/// look-alike (`huma.com.example.net`, `evilhuma.com`).
fn is_huma_host(url: &Url) -> bool {
    let Some(url::Host::Domain(host)) = url.host() else {
        return false;
    };
    // `Url` has already lower-cased the name; a fully qualified name may end in a dot.
    let host = host.strip_suffix('.').unwrap_or(host);
    HUMA_DOMAINS.iter().any(|domain| {
        host == *domain
            || host
                .strip_suffix(domain)
                .is_some_and(|sub| sub.ends_with('.'))
    })
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// A backend base URL must be https, except on loopback (the sandbox, local development). This is
/// all IT policy has to meet: IT may name any server.
pub fn parse_backend_url(raw: &str) -> Result<Url, BackendUrlError> {
    let url = Url::parse(raw.trim()).map_err(|_| BackendUrlError::NotAUrl(raw.to_owned()))?;
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(BackendUrlError::NotHttps),
        _ => Err(BackendUrlError::NotAUrl(raw.to_owned())),
    }
}

/// A server the clinician chose themselves (settings): one of Huma's own, so that an address a
/// phishing message gave them never gets their password or their patients. Development builds
/// also take the sandbox on loopback.
pub fn parse_clinicians_backend_url(raw: &str, development: bool) -> Result<Url, BackendUrlError> {
    let url = parse_backend_url(raw)?;
    if is_huma_host(&url) || (development && is_loopback(&url)) {
        Ok(url)
    } else {
        Err(BackendUrlError::NotHuma)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn only_development_builds_take_the_data_folder_from_the_environment() {
        let elsewhere = || Some(OsString::from("/tmp/elsewhere"));
        assert_eq!(
            DEVELOPMENT_IDENTITY.data_dir_with(elsewhere()),
            Path::new("/tmp/elsewhere")
        );
        // An installed app keeps its data where IT documents it; policy may move it, a user's
        // environment may not.
        let release = RELEASE_IDENTITY.data_dir_with(elsewhere());
        assert_ne!(release, Path::new("/tmp/elsewhere"));
        assert!(
            release.ends_with("com.huma.clinician"),
            "{}",
            release.display()
        );
        assert!(DEVELOPMENT_IDENTITY
            .data_dir_with(None)
            .ends_with("com.huma.clinician.dev"));
    }

    #[test]
    fn only_development_builds_take_overrides_from_the_environment() {
        let set = || Some(OsString::from("debug"));
        assert_eq!(DEVELOPMENT_IDENTITY.override_from(set()), set());
        assert_eq!(RELEASE_IDENTITY.override_from(set()), None);
        assert_eq!(
            DEVELOPMENT_IDENTITY.override_from(Some(OsString::new())),
            None
        );
    }

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
    fn clinicians_may_choose_only_humas_servers_and_loopback_only_in_development() {
        for development in [false, true] {
            for ok in [
                "https://huma.com",
                "https://eu.api.huma.com/",
                "https://EU.HUMA.COM.:8443/base",
            ] {
                assert!(
                    parse_clinicians_backend_url(ok, development).is_ok(),
                    "{ok}"
                );
            }
            for bad in [
                "https://huma.com.example.net",
                "https://evilhuma.com",
                "https://xhuma.com",
                "https://huma.com@example.net",
                "https://example.net/eu.huma.com",
                "https://example.net?huma.com",
                "https://203.0.113.7",
                "https://com",
            ] {
                assert_eq!(
                    parse_clinicians_backend_url(bad, development),
                    Err(BackendUrlError::NotHuma),
                    "{bad}"
                );
            }
            assert_eq!(
                parse_clinicians_backend_url("http://eu.huma.com", development),
                Err(BackendUrlError::NotHttps)
            );
        }
        for sandbox in [
            "http://127.0.0.1:8787",
            "http://localhost:8787",
            "http://[::1]:8787",
        ] {
            assert!(
                parse_clinicians_backend_url(sandbox, true).is_ok(),
                "{sandbox}"
            );
            assert_eq!(
                parse_clinicians_backend_url(sandbox, false),
                Err(BackendUrlError::NotHuma),
                "{sandbox}"
            );
        }
        assert!(BackendUrlError::NotHuma.to_string().starts_with(
            "only Huma's own servers can be used unless your IT team sets another in policy"
        ));
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
