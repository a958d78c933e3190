//! Group Policy as Windows stores it: real values written under HKLM and HKCU (and a machine-wide
//! variable in the system environment), read back by the app's own loader. Windows only; ignored by
//! a plain `cargo test` because it changes this computer's policy keys. `scripts/windows_tests.sh`
//! runs it under Wine, in a private Wine prefix.

#![cfg(windows)]

use std::path::PathBuf;

use huma_core::policy::registry::POLICY_KEY;
use huma_core::policy::settings::{Defaults, Layers};
use huma_core::policy::{self, Key, LoadedPolicy, Policy};
use winreg::enums::{RegType, HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE};
use winreg::{RegKey, RegValue};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Where System Properties keeps the machine's environment variables.
const SYSTEM_ENVIRONMENT: &str = r"SYSTEM\CurrentControlSet\Control\Session Manager\Environment";
const MACHINE_VARIABLE: &str = "HUMA_TEST_SHARE";

fn hklm() -> RegKey {
    RegKey::predef(HKEY_LOCAL_MACHINE)
}

fn hkcu() -> RegKey {
    RegKey::predef(HKEY_CURRENT_USER)
}

/// A REG_EXPAND_SZ value, as the ADMX template writes folder settings.
fn expand_sz(text: &str) -> RegValue<'static> {
    let bytes: Vec<u8> = text
        .encode_utf16()
        .chain([0])
        .flat_map(u16::to_le_bytes)
        .collect();
    RegValue {
        bytes: bytes.into(),
        vtype: RegType::REG_EXPAND_SZ,
    }
}

/// Removes both policy keys and the test's machine variable (left over from a failed run, or
/// written by this one).
fn clear() -> TestResult {
    for hive in [hklm(), hkcu()] {
        match hive.delete_subkey_all(POLICY_KEY) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    match hklm()
        .open_subkey_with_flags(SYSTEM_ENVIRONMENT, winreg::enums::KEY_ALL_ACCESS)?
        .delete_value(MACHINE_VARIABLE)
    {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

fn layers(loaded: LoadedPolicy) -> Layers {
    Layers {
        policy: loaded.policy,
        user: Policy::default(),
        defaults: Defaults {
            data_directory: PathBuf::from(r"C:\default"),
            sandbox_available: false,
        },
        problems: loaded.problems,
    }
}

/// The whole story in one test: the policy keys are one per computer and per user, so tests run in
/// parallel would see each other's values.
#[test]
#[ignore = "writes this computer's policy keys; scripts/windows_tests.sh runs it under Wine"]
fn group_policy_in_the_registry_is_read_with_machine_precedence_types_and_machine_variables(
) -> TestResult {
    clear()?;
    assert_eq!(
        policy::load(false),
        LoadedPolicy::default(),
        "no policy yet"
    );

    let (machine, _) = hklm().create_subkey(POLICY_KEY)?;
    let (user, _) = hkcu().create_subkey(POLICY_KEY)?;
    let (environment, _) = hklm().create_subkey(SYSTEM_ENVIRONMENT)?;
    environment.set_value(MACHINE_VARIABLE, &r"\\files\Huma")?;
    // Machine policy: a REG_DWORD, a REG_SZ and a folder using a machine variable of IT's own.
    machine.set_value("idleLockMinutes", &5u32)?;
    machine.set_value("backendUrl", &"https://machine.example.org")?;
    machine.set_raw_value(
        "dataDirectory",
        &expand_sz(&format!(r"%{MACHINE_VARIABLE}%\data")),
    )?;
    // User policy: loses where the machine sets the same key, applies where it does not. Value
    // names are case-insensitive, as IT may type them.
    user.set_value("IdleLockMinutes", &30u32)?;
    user.set_value("backendUrl", &"https://user.example.org")?;
    user.set_value("phoneRegion", &"DE")?;
    user.set_value("sessionResumeAllowed", &0u32)?;

    let loaded = policy::load(false);
    assert_eq!(loaded.problems, Vec::<String>::new());
    let read = &loaded.policy;
    assert_eq!(read.minutes(Key::IdleLockMinutes), Some(5));
    assert_eq!(
        read.backend_url().map(|u| u.to_string()),
        Some("https://machine.example.org/".to_owned())
    );
    assert_eq!(read.text(Key::PhoneRegion).as_deref(), Some("DE"));
    assert_eq!(read.flag(Key::SessionResumeAllowed), Some(false));
    assert_eq!(
        read.path(Key::DataDirectory),
        Some(PathBuf::from(r"\\files\Huma\data"))
    );

    // A setting IT manages is locked: the clinician's change is refused, their own still apply.
    let mut settings = layers(loaded);
    let refused = settings.set_user("idleLockMinutes", Some("60".into()));
    assert!(
        refused.is_err_and(|e| e.message.contains("managed by your organisation")),
        "a managed setting was changed"
    );
    assert_eq!(settings.idle_lock_minutes(), 5);
    assert!(settings.set_user("logLevel", Some("debug".into())).is_ok());

    // Machine policy may not use the user's variables (a user can set their own): the folder is
    // refused with a reason naming the variable, and the rest of the machine policy still applies.
    machine.set_raw_value("dataDirectory", &expand_sz(r"%USERPROFILE%\Huma"))?;
    let loaded = policy::load(false);
    assert_eq!(loaded.policy.path(Key::DataDirectory), None);
    assert_eq!(loaded.policy.minutes(Key::IdleLockMinutes), Some(5));
    assert_eq!(loaded.problems.len(), 1, "{:?}", loaded.problems);
    assert!(
        loaded.problems[0].contains("%USERPROFILE%") && loaded.problems[0].contains("HKLM"),
        "{}",
        loaded.problems[0]
    );

    clear()?;
    assert_eq!(
        policy::load(false),
        LoadedPolicy::default(),
        "policy left behind"
    );
    Ok(())
}
