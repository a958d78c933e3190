//! The loader's validation and precedence, with fixtures shaped like each store's values: the Linux
//! JSON file, Windows registry values (REG_SZ / REG_DWORD / REG_EXPAND_SZ) and macOS CFPreferences
//! values (CFString / CFNumber / CFBoolean). The platform calls themselves are thin and behind cfg.

use std::path::{Path, PathBuf};

use super::cfprefs::{self, CfValue};
use super::registry::{self, RegistryValue};
use super::settings::{user_values, Defaults, Layers};
use super::*;
use crate::error::ErrorCode;
use crate::ui_types::ConfigSource;

fn no_env(_: &str) -> Option<String> {
    None
}

/// An absolute folder on this OS (a Windows path needs a drive).
const ROOT: &str = if cfg!(windows) { "C:/srv" } else { "/srv" };

fn data_dir() -> PathBuf {
    PathBuf::from(format!("{ROOT}/huma"))
}

fn complete_json() -> String {
    r#"{
        "backendUrl": "https://eu.clinician.example.org",
        "clientId": "c3",
        "projectId": "p1",
        "phoneRegion": "ie",
        "idleLockMinutes": 5,
        "sandboxAllowed": false,
        "updateChecksAllowed": false,
        "logLevel": "WARN",
        "dataDirectory": "ROOT/huma"
    }"#
    .replace("ROOT", ROOT)
}

fn assert_complete(policy: &Policy) {
    assert_eq!(
        policy.backend_url().map(|u| u.to_string()),
        Some("https://eu.clinician.example.org/".to_owned())
    );
    assert_eq!(policy.text(Key::ClientId).as_deref(), Some("c3"));
    assert_eq!(policy.text(Key::ProjectId).as_deref(), Some("p1"));
    assert_eq!(policy.text(Key::PhoneRegion).as_deref(), Some("IE"));
    assert_eq!(policy.minutes(Key::IdleLockMinutes), Some(5));
    assert_eq!(policy.flag(Key::SandboxAllowed), Some(false));
    assert_eq!(policy.flag(Key::UpdateChecksAllowed), Some(false));
    assert_eq!(policy.log_level(), Some(LogLevel::Warn));
    assert_eq!(policy.path(Key::DataDirectory), Some(data_dir()));
}

#[test]
fn json_policy_file_sets_every_key() -> Result<(), String> {
    let raw = json_file::parse("policy.json", complete_json().as_bytes())?;
    let (policy, problems) = validate_policy(&raw);
    assert_eq!(problems, Vec::<String>::new());
    assert_complete(&policy);
    Ok(())
}

#[test]
fn registry_values_set_every_key() {
    let values = vec![
        (
            "BackendUrl".into(),
            RegistryValue::Sz("https://eu.clinician.example.org".into()),
        ),
        ("clientId".into(), RegistryValue::Sz("c3".into())),
        ("projectId".into(), RegistryValue::Sz("p1".into())),
        ("phoneRegion".into(), RegistryValue::Sz("IE".into())),
        ("idleLockMinutes".into(), RegistryValue::Dword(5)),
        ("sandboxAllowed".into(), RegistryValue::Dword(0)),
        // MSI properties write text: "0" and "false" read as false too.
        (
            "updateChecksAllowed".into(),
            RegistryValue::Sz("false".into()),
        ),
        ("logLevel".into(), RegistryValue::Sz("warn".into())),
        (
            "dataDirectory".into(),
            RegistryValue::ExpandSz("%HUMA_ROOT%/huma".into()),
        ),
        (
            String::new(),
            RegistryValue::Sz("the key's (Default) value".into()),
        ),
    ];
    let lookup = |name: &str| (name == "HUMA_ROOT").then(|| ROOT.to_owned());
    let raw = registry::source(r"HKLM\SOFTWARE\Policies\Huma\Clinician", values, &lookup);
    let (policy, problems) = validate_policy(&raw);
    assert_eq!(problems, Vec::<String>::new());
    assert_complete(&policy);
}

#[test]
fn cfpreferences_values_set_every_forced_key() {
    let values = vec![
        (
            Key::BackendUrl,
            CfValue::String("https://eu.clinician.example.org".into()),
            true,
        ),
        (Key::ClientId, CfValue::String("c3".into()), true),
        (Key::ProjectId, CfValue::String("p1".into()), true),
        (Key::PhoneRegion, CfValue::String("IE".into()), true),
        (Key::IdleLockMinutes, CfValue::Real(5.0), true),
        (Key::SandboxAllowed, CfValue::Boolean(false), true),
        (Key::UpdateChecksAllowed, CfValue::Integer(0), true),
        (Key::LogLevel, CfValue::String("warn".into()), true),
        (
            Key::DataDirectory,
            CfValue::String(format!("{ROOT}/huma")),
            true,
        ),
    ];
    let (policy, problems) = validate_policy(&cfprefs::source(values));
    assert_eq!(problems, Vec::<String>::new());
    assert_complete(&policy);
}

#[test]
fn a_users_own_defaults_on_macos_are_not_policy() {
    let values = vec![
        (
            Key::BackendUrl,
            CfValue::String("https://user-choice.example.org".into()),
            false,
        ),
        (Key::IdleLockMinutes, CfValue::Integer(30), true),
    ];
    let (policy, _) = validate_policy(&cfprefs::source(values));
    assert_eq!(policy.backend_url(), None);
    assert_eq!(policy.minutes(Key::IdleLockMinutes), Some(30));
}

#[test]
fn invalid_values_are_reported_and_dropped_whole_while_the_rest_applies() -> Result<(), String> {
    let raw = json_file::parse(
        "/etc/huma-clinician/policy.json",
        br#"{
            "backendUrl": "http://huma.example.org",
            "idleLockMinutes": 90000,
            "sandboxAllowed": "sometimes",
            "logLevel": "chatty",
            "phoneRegion": "Britain",
            "clientId": "has spaces",
            "dataDirectory": "relative/dir",
            "projectId": ["p1"],
            "updateChecksAllowed": 2,
            "colour": "blue",
            "unset": null
        }"#,
    )?;
    let (policy, problems) = validate_policy(&raw);
    assert!(policy.is_empty(), "nothing half-applied: {policy:?}");
    assert_eq!(problems.len(), 10, "{problems:#?}");
    let about = |key: &str| {
        problems
            .iter()
            .find(|p| p.contains(&format!("“{key}”")))
            .cloned()
            .unwrap_or_default()
    };
    assert!(about("backendUrl").contains("https://"));
    assert!(about("backendUrl").contains("/etc/huma-clinician/policy.json"));
    assert!(about("idleLockMinutes").contains("0 (never lock) to 1440"));
    assert!(about("logLevel").contains("“chatty”"));
    assert!(about("projectId").contains("a list"));
    assert!(about("colour").contains("not one Huma Clinician knows"));

    // Valid keys next to invalid ones still apply.
    let raw = json_file::parse(
        "policy.json",
        br#"{"backendUrl": "http://10.0.0.1", "idleLockMinutes": 0}"#,
    )?;
    let (policy, problems) = validate_policy(&raw);
    assert_eq!(policy.backend_url(), None);
    assert_eq!(policy.minutes(Key::IdleLockMinutes), Some(0));
    assert_eq!(problems.len(), 1);
    Ok(())
}

#[test]
fn plain_http_is_accepted_only_on_loopback() {
    for ok in [
        "http://127.0.0.1:8787",
        "http://localhost:1",
        "http://[::1]:2",
        "https://x.org",
    ] {
        assert!(
            parse_value_from(Origin::Policy, Key::BackendUrl, &RawValue::Text(ok.into())).is_ok(),
            "{ok}"
        );
    }
    for bad in [
        "http://192.168.1.10",
        "http://huma.example.org",
        "ftp://x.org",
        "x",
    ] {
        assert!(
            parse_value_from(Origin::Policy, Key::BackendUrl, &RawValue::Text(bad.into())).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn wrong_types_from_each_store_are_refused() {
    // REG_DWORD where text is expected; REG_BINARY anywhere; a decimal CFNumber for minutes.
    let raw = registry::source(
        "HKLM",
        vec![
            ("backendUrl".into(), RegistryValue::Dword(1)),
            (
                "logLevel".into(),
                RegistryValue::Other("binary data (REG_BINARY)"),
            ),
            ("sandboxAllowed".into(), RegistryValue::Dword(7)),
        ],
        &no_env,
    );
    let (policy, problems) = validate_policy(&raw);
    assert!(policy.is_empty());
    assert_eq!(problems.len(), 3);
    assert!(problems.iter().any(|p| p.contains("REG_BINARY")));

    let (policy, problems) = validate_policy(&cfprefs::source(vec![
        (Key::IdleLockMinutes, CfValue::Real(2.5), true),
        (Key::PhoneRegion, CfValue::Integer(44), true),
    ]));
    assert!(policy.is_empty());
    assert_eq!(problems.len(), 2);
}

#[test]
fn registry_expand_sz_uses_the_environment_and_keeps_unknown_names() {
    let lookup = |name: &str| (name == "LOCALAPPDATA").then(|| r"C:\Users\a\AppData\Local".into());
    assert_eq!(
        registry::expand_env(r"%LOCALAPPDATA%\Huma", &lookup),
        r"C:\Users\a\AppData\Local\Huma"
    );
    assert_eq!(registry::expand_env("%NOPE%/x", &lookup), "%NOPE%/x");
    assert_eq!(registry::expand_env("100%", &lookup), "100%");
    assert_eq!(registry::expand_env("a%%b", &lookup), "a%%b");
}

#[test]
fn machine_policy_beats_user_policy_key_by_key_and_bad_machine_values_fall_through() {
    let machine = registry::source(
        r"HKLM\SOFTWARE\Policies\Huma\Clinician",
        vec![
            (
                "backendUrl".into(),
                RegistryValue::Sz("https://machine.example.org".into()),
            ),
            ("idleLockMinutes".into(), RegistryValue::Sz("soon".into())),
        ],
        &no_env,
    );
    let user = registry::source(
        r"HKCU\SOFTWARE\Policies\Huma\Clinician",
        vec![
            (
                "backendUrl".into(),
                RegistryValue::Sz("https://user.example.org".into()),
            ),
            ("idleLockMinutes".into(), RegistryValue::Dword(3)),
            ("phoneRegion".into(), RegistryValue::Sz("FR".into())),
        ],
        &no_env,
    );
    let loaded = merge(vec![Ok(Some(machine)), Ok(None), Ok(Some(user))]);
    assert_eq!(
        loaded
            .policy
            .backend_url()
            .map(|u| u.host_str().map(str::to_owned)),
        Some(Some("machine.example.org".to_owned()))
    );
    assert_eq!(loaded.policy.minutes(Key::IdleLockMinutes), Some(3));
    assert_eq!(loaded.policy.text(Key::PhoneRegion).as_deref(), Some("FR"));
    assert_eq!(loaded.problems.len(), 1);
    assert!(loaded.problems[0].starts_with("The policy setting “idleLockMinutes” in HKLM"));
}

#[test]
fn a_broken_policy_file_is_reported_and_ignored_whole() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    assert_eq!(json_file::read(&dir.path().join("missing.json")), Ok(None));
    let broken = dir.path().join("policy.json");
    std::fs::write(&broken, r#"{"backendUrl": "https://a.example.org", "#)?;
    let loaded = merge(vec![json_file::read(&broken)]);
    assert!(loaded.policy.is_empty());
    assert_eq!(loaded.problems.len(), 1);
    assert!(loaded.problems[0].contains("not valid JSON"));
    std::fs::write(&broken, r#"["backendUrl"]"#)?;
    assert!(json_file::read(&broken).is_err());
    Ok(())
}

fn layers(policy_json: &str, user_json: &str) -> Layers {
    let policy = json_file::parse("policy.json", policy_json.as_bytes())
        .map(|raw| validate_policy(&raw))
        .unwrap_or_default();
    let user: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(user_json).unwrap_or_default();
    Layers {
        policy: policy.0,
        user: user_values(&user).0,
        defaults: Defaults {
            data_directory: PathBuf::from("/home/a/.local/share/com.huma.clinician"),
            sandbox_available: true,
        },
        problems: policy.1,
    }
}

#[test]
fn policy_beats_the_clinicians_setting_which_beats_the_default() {
    let l = layers(
        r#"{"idleLockMinutes": 5, "logLevel": "debug", "sandboxAllowed": false}"#,
        r#"{"idleLockMinutes": 30, "phoneRegion": "FR", "backendUrl": "https://mine.huma.com",
            "lastListId": "not a setting", "window": {"width": 1}}"#,
    );
    assert_eq!(l.idle_lock_minutes(), 5);
    assert_eq!(l.phone_region(), "FR");
    assert_eq!(
        l.backend_url().map(|b| (b.value.to_string(), b.source)),
        Some(("https://mine.huma.com/".to_owned(), ConfigSource::User))
    );
    assert_eq!(l.log_level().value, LogLevel::Debug);
    assert!(!l.sandbox_allowed());
    assert!(l.update_checks_allowed());
    assert_eq!(
        l.data_directory(),
        Path::new("/home/a/.local/share/com.huma.clinician")
    );

    let l = layers("{}", "{}");
    assert_eq!(l.idle_lock_minutes(), 15);
    assert_eq!(l.phone_region(), "GB");
    assert_eq!(l.backend_url(), None);
    assert!(l.sandbox_allowed());
    assert_eq!(l.log_level().source, ConfigSource::Default);

    let l = layers(
        &format!(r#"{{"dataDirectory": "{ROOT}/huma"}}"#),
        &format!(r#"{{"dataDirectory": "{ROOT}/other"}}"#),
    );
    assert_eq!(l.data_directory(), data_dir());
}

#[test]
fn settings_screen_shows_managed_items_as_not_editable() {
    let l = layers(
        r#"{"backendUrl": "https://eu.clinician.example.org", "logLevel": "loud"}"#,
        r#"{"phoneRegion": "FR"}"#,
    );
    let settings = l.settings(None);
    let item = |key: &str| settings.items.iter().find(|i| i.key == key).cloned();
    let backend = item("backendUrl");
    assert_eq!(
        backend
            .as_ref()
            .map(|b| (b.value.as_deref(), b.source, b.editable)),
        Some((
            Some("https://eu.clinician.example.org"),
            ConfigSource::Policy,
            false
        ))
    );
    let region = item("phoneRegion");
    assert_eq!(
        region.map(|r| (r.value, r.source, r.editable)),
        Some((Some("FR".to_owned()), ConfigSource::User, true))
    );
    let minutes = item("idleLockMinutes");
    assert_eq!(
        minutes.map(|m| (m.value, m.source, m.editable)),
        Some((Some("15".to_owned()), ConfigSource::Default, true))
    );
    assert_eq!(settings.items.len(), Key::ALL.len());
    assert_eq!(settings.problems.len(), 1);
    assert!(settings.problems[0].contains("logLevel"));

    let demo = layers("{}", "{}").settings(Some("http://127.0.0.1:4000"));
    assert!(demo
        .items
        .iter()
        .any(|i| i.key == "backendUrl" && i.source == ConfigSource::Demo));
}

#[test]
fn clinicians_changes_are_validated_and_managed_ones_refused() {
    let mut l = layers(
        r#"{"backendUrl": "https://eu.clinician.example.org"}"#,
        "{}",
    );
    let refused = l.set_user("backendUrl", Some("https://other.example.org".into()));
    assert_eq!(refused.map_err(|e| e.code), Err(ErrorCode::InvalidInput));
    assert!(l
        .set_user("idleLockMinutes", Some("2000".into()))
        .is_err_and(|e| e.message.contains("1440")));
    assert!(l.set_user("favouriteColour", Some("x".into())).is_err());

    let set = l.set_user("idleLockMinutes", Some(" 45 ".into()));
    assert_eq!(
        set.map(|(k, v)| (k, v.map(|v| v.to_json()))),
        Ok((Key::IdleLockMinutes, Some(serde_json::json!(45))))
    );
    assert_eq!(l.idle_lock_minutes(), 45);
    // What is saved reads back through the same validation.
    let saved =
        serde_json::json!({"idleLockMinutes": 45, "sandboxAllowed": false, "phoneRegion": "DE"});
    let (user, problems) = user_values(
        saved
            .as_object()
            .cloned()
            .as_ref()
            .unwrap_or(&Default::default()),
    );
    assert!(problems.is_empty());
    assert_eq!(user.minutes(Key::IdleLockMinutes), Some(45));

    assert_eq!(
        l.set_user("idleLockMinutes", None),
        Ok((Key::IdleLockMinutes, None))
    );
    assert_eq!(l.idle_lock_minutes(), 15);
}

/// A phished clinician types whatever address they were sent: only Huma's own servers are taken
/// from them. IT policy may name any https server.
#[test]
fn a_clinician_can_choose_only_one_of_humas_own_servers() {
    let mut l = layers("{}", "{}");
    for bad in [
        "https://huma-login.example.net",
        "https://huma.com.example.net",
        "https://evilhuma.com",
        "https://huma.com@example.net",
        "https://example.net/huma.com",
        "https://203.0.113.7",
    ] {
        let refused = l.set_user("backendUrl", Some(bad.into()));
        let error = refused
            .err()
            .unwrap_or_else(|| panic!("{bad} was accepted"));
        assert_eq!(error.code, ErrorCode::InvalidInput, "{bad}");
        assert!(
            error.message.contains(
                "only Huma's own servers can be used unless your IT team sets another in policy"
            ),
            "{bad}: {}",
            error.message
        );
        assert_eq!(l.backend_url(), None, "{bad}");
    }
    for ok in [
        "https://huma.com",
        "https://eu.api.huma.com",
        "https://EU.Huma.COM:8443/base",
    ] {
        assert!(l.set_user("backendUrl", Some(ok.into())).is_ok(), "{ok}");
        assert_eq!(
            l.backend_url().map(|b| b.source),
            Some(ConfigSource::User),
            "{ok}"
        );
    }

    // A value saved before this rule is ignored at start, with the reason.
    let saved = serde_json::json!({"backendUrl": "https://huma-login.example.net"});
    let (user, problems) = user_values(saved.as_object().unwrap_or(&Default::default()));
    assert_eq!(user.backend_url(), None);
    assert!(
        problems[0].contains("only Huma's own servers"),
        "{problems:?}"
    );

    // IT names the server: any https address.
    let l = layers(
        r#"{"backendUrl": "https://eu.clinician.example.org"}"#,
        "{}",
    );
    assert_eq!(
        l.backend_url().map(|b| (b.value.to_string(), b.source)),
        Some((
            "https://eu.clinician.example.org/".to_owned(),
            ConfigSource::Policy
        ))
    );
}

/// IT can stop the app from resuming the last session at start (every start then asks for the
/// password); each store sets it the way it sets the other switches.
#[test]
fn session_resume_can_be_turned_off_from_every_store() -> Result<(), String> {
    let json = json_file::parse("policy.json", br#"{"sessionResumeAllowed": false}"#)?;
    let registry = registry::source(
        r"HKLM\SOFTWARE\Policies\Huma\Clinician",
        vec![("SessionResumeAllowed".into(), RegistryValue::Dword(0))],
        &no_env,
    );
    let cfprefs = cfprefs::source(vec![(
        Key::SessionResumeAllowed,
        CfValue::Boolean(false),
        true,
    )]);
    for source in [json, registry, cfprefs] {
        let loaded = merge(vec![Ok(Some(source))]);
        assert_eq!(loaded.problems, Vec::<String>::new());
        assert_eq!(loaded.policy.flag(Key::SessionResumeAllowed), Some(false));
    }

    assert!(layers("{}", "{}").session_resume_allowed());
    // A clinician may turn it off for themselves, not on against policy.
    assert!(!layers("{}", r#"{"sessionResumeAllowed": false}"#).session_resume_allowed());
    let mut l = layers(r#"{"sessionResumeAllowed": false}"#, "{}");
    assert!(!l.session_resume_allowed());
    assert!(l
        .set_user("sessionResumeAllowed", Some("true".into()))
        .is_err());
    Ok(())
}

/// IT can set and lock the sending hours from every store; a bad value is named with what is wrong
/// and the built-in hours apply; a clinician may change them only where IT does not.
#[test]
fn sending_hours_are_set_and_locked_by_policy_and_bad_values_are_named() -> Result<(), String> {
    let json = json_file::parse(
        "policy.json",
        br#"{"sendingHours": "mon-fri 09:00-17:30", "sendingTimeZone": "Europe/London",
             "holdEmailInvites": true}"#,
    )?;
    let registry = registry::source(
        r"HKLM\SOFTWARE\Policies\Huma\Clinician",
        vec![
            (
                "SendingHours".into(),
                RegistryValue::Sz("Mon-Fri 09:00-17:30".into()),
            ),
            (
                "sendingTimeZone".into(),
                RegistryValue::Sz("Europe/London".into()),
            ),
            ("holdEmailInvites".into(), RegistryValue::Dword(1)),
        ],
        &no_env,
    );
    let cfprefs = cfprefs::source(vec![
        (
            Key::SendingHours,
            CfValue::String("Mon-Fri 09:00-17:30".into()),
            true,
        ),
        (
            Key::SendingTimeZone,
            CfValue::String("Europe/London".into()),
            true,
        ),
        (Key::HoldEmailInvites, CfValue::Boolean(true), true),
    ]);
    for source in [json, registry, cfprefs] {
        let loaded = merge(vec![Ok(Some(source))]);
        assert_eq!(loaded.problems, Vec::<String>::new());
        assert_eq!(
            loaded.policy.text(Key::SendingHours).as_deref(),
            Some("Mon-Fri 09:00-17:30")
        );
        assert_eq!(loaded.policy.flag(Key::HoldEmailInvites), Some(true));
    }

    let mut l = layers(
        r#"{"sendingHours": "Mon-Fri 09:00-17:30", "sendingTimeZone": "Europe/London"}"#,
        r#"{"sendingHours": "always"}"#,
    );
    let hours = l.sending_hours();
    assert_eq!(hours.window.to_string(), "Mon-Fri 09:00-17:30");
    assert_eq!(hours.zone.name(), "Europe/London");
    assert!(!hours.hold_email);
    assert!(l
        .set_user("sendingHours", Some("always".into()))
        .is_err_and(|e| e.message.contains("managed by your organisation")));
    let item = l
        .settings(None)
        .items
        .into_iter()
        .find(|i| i.key == "sendingHours");
    assert_eq!(
        item.map(|i| (i.value, i.editable)),
        Some((Some("Mon-Fri 09:00-17:30".into()), false))
    );

    let bad = layers(
        r#"{"sendingHours": "Mon-Sat 20:00-08:00", "sendingTimeZone": "GMT+1 London"}"#,
        "{}",
    );
    assert_eq!(bad.problems.len(), 2, "{:?}", bad.problems);
    assert!(bad.problems.iter().any(
        |p| p.contains("“sendingHours”") && p.contains("the window must start before it ends")
    ));
    assert!(bad.problems.iter().any(
        |p| p.contains("“sendingTimeZone”") && p.contains("“GMT+1 London” is not a time zone")
    ));
    assert_eq!(
        bad.sending_hours().window.to_string(),
        "Mon-Sat 08:00-20:00"
    );

    // The clinician's own change is checked the same way, with the setting's name.
    let mut mine = layers("{}", "{}");
    assert!(mine
        .set_user("sendingHours", Some("Mon-Fri 8-5".into()))
        .is_err_and(|e| e
            .message
            .starts_with("Sending hours for SMS invites: “8” is not a time")));
    let set = mine.set_user("sendingHours", Some("saturday 10:00-12:00".into()));
    assert_eq!(
        set.map(|(_, v)| v.map(|v| v.to_string())),
        Ok(Some("Sat 10:00-12:00".to_owned()))
    );
    assert_eq!(mine.sending_hours().window.to_string(), "Sat 10:00-12:00");
    Ok(())
}
