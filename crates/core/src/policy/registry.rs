//! Windows Group Policy: values under `HKLM\SOFTWARE\Policies\Huma\Clinician` (per machine) and the
//! same key under HKCU (per user). The ADMX template and MSI properties write REG_SZ and REG_DWORD
//! values. REG_EXPAND_SZ in HKCU is expanded with the user's environment, as Windows does for such
//! values; in HKLM only with the machine's own variables ([`MachineEnvironment`]).

use std::collections::BTreeMap;

use super::{RawSource, RawValue};

/// The policy key, under HKLM and HKCU.
pub const POLICY_KEY: &str = r"SOFTWARE\Policies\Huma\Clinician";

/// A registry value as read, before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryValue {
    Sz(String),
    ExpandSz(String),
    Dword(u32),
    Qword(u64),
    /// Any other type (REG_BINARY, REG_MULTI_SZ…), in words.
    Other(&'static str),
}

/// Replaces `%NAME%` with the variable's value; unknown names stay as written.
pub fn expand_env(value: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find('%') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('%') {
            Some(end) if end > 0 => {
                let name = &after[..end];
                match lookup(name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('%');
                        out.push_str(name);
                        out.push('%');
                    }
                }
                rest = &after[end + 1..];
            }
            _ => {
                out.push('%');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn raw_value(value: &RegistryValue, lookup: &dyn Fn(&str) -> Option<String>) -> RawValue {
    match value {
        RegistryValue::Sz(s) => RawValue::Text(s.clone()),
        RegistryValue::ExpandSz(s) => RawValue::Text(expand_env(s, lookup)),
        RegistryValue::Dword(n) => RawValue::Integer(i64::from(*n)),
        RegistryValue::Qword(n) => i64::try_from(*n)
            .map(RawValue::Integer)
            .unwrap_or(RawValue::Other("a number too large")),
        RegistryValue::Other(what) => RawValue::Other(what),
    }
}

/// One key's values as a raw source. Value names are case-insensitive in the registry, and so is
/// the validation that reads them.
pub fn source(
    name: &str,
    values: Vec<(String, RegistryValue)>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> RawSource {
    RawSource {
        name: name.to_owned(),
        values: values
            .into_iter()
            // The key's "(Default)" value has an empty name; Group Policy never writes it.
            .filter(|(n, _)| !n.is_empty())
            .map(|(n, v)| (n, raw_value(&v, lookup)))
            .collect(),
    }
}

/// The variables a machine-policy value may use: the machine's own, as Windows keeps them in HKLM
/// (which only administrators can change). Not the process environment: it carries the user's
/// variables too, which override the machine's, and a user can start the app with any they like,
/// so a folder IT placed would move with them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MachineEnvironment {
    /// Upper-cased names: Windows matches variable names without regard to case.
    variables: BTreeMap<String, String>,
}

impl MachineEnvironment {
    /// Adds a variable; a REG_EXPAND_SZ value may use the variables added before it. Other types
    /// are not variables and are skipped.
    pub fn add(&mut self, name: &str, value: &RegistryValue) {
        let value = match value {
            RegistryValue::Sz(v) => v.clone(),
            RegistryValue::ExpandSz(v) => expand_env(v, &|n| self.lookup(n)),
            _ => return,
        };
        self.variables.insert(name.to_ascii_uppercase(), value);
    }

    pub fn lookup(&self, name: &str) -> Option<String> {
        self.variables.get(&name.to_ascii_uppercase()).cloned()
    }
}

/// HKLM's values: REG_EXPAND_SZ expands only the machine's own variables; any other `%NAME%` stays
/// as written, and validation refuses a folder that still names one.
pub fn machine_source(
    name: &str,
    values: Vec<(String, RegistryValue)>,
    machine: &MachineEnvironment,
) -> RawSource {
    source(name, values, &|n| machine.lookup(n))
}

/// The first `%NAME%` left in `value` after expansion, if any.
pub fn unexpanded_variable(value: &str) -> Option<&str> {
    let mut rest = value;
    while let Some(start) = rest.find('%') {
        let after = &rest[start + 1..];
        let end = after.find('%')?;
        let name = &after[..end];
        if !name.is_empty() && !name.contains(['/', '\\']) {
            return Some(&rest[start..start + end + 2]);
        }
        rest = after;
    }
    None
}

/// Where Windows keeps the machine-wide variables that are not in the system environment key:
/// (key, value, variable), in an order where each may use those before it.
#[cfg(windows)]
const MACHINE_VARIABLES: &[(&str, &str, &str)] = &[
    (
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "SystemRoot",
        "SystemRoot",
    ),
    (
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion",
        "SystemRoot",
        "windir",
    ),
    (
        r"SOFTWARE\Microsoft\Windows\CurrentVersion",
        "ProgramFilesDir",
        "ProgramFiles",
    ),
    (
        r"SOFTWARE\Microsoft\Windows\CurrentVersion",
        "ProgramFilesDir (x86)",
        "ProgramFiles(x86)",
    ),
    (
        r"SOFTWARE\Microsoft\Windows\CurrentVersion",
        "ProgramW6432Dir",
        "ProgramW6432",
    ),
    (
        r"SOFTWARE\Microsoft\Windows\CurrentVersion",
        "CommonFilesDir",
        "CommonProgramFiles",
    ),
    (
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList",
        "ProgramData",
        "ProgramData",
    ),
    (
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList",
        "ProgramData",
        "ALLUSERSPROFILE",
    ),
    (
        r"SOFTWARE\Microsoft\Windows NT\CurrentVersion\ProfileList",
        "Public",
        "PUBLIC",
    ),
];

/// The system environment (what System Properties → Environment Variables → System variables
/// shows), after the variables above.
#[cfg(windows)]
const SYSTEM_ENVIRONMENT_KEY: &str =
    r"SYSTEM\CurrentControlSet\Control\Session Manager\Environment";

#[cfg(windows)]
fn machine_environment() -> MachineEnvironment {
    let mut machine = MachineEnvironment::default();
    for (key, value, variable) in MACHINE_VARIABLES {
        if let Ok(raw) = winreg::HKLM
            .open_subkey(key)
            .and_then(|k| k.get_raw_value(value))
        {
            machine.add(variable, &convert(&raw));
        }
        // Windows derives SystemDrive from SystemRoot ("C:\Windows" → "C:"); ProgramData uses it.
        if *variable == "SystemRoot" {
            if let Some(drive) = machine
                .lookup("SystemRoot")
                .and_then(|r| r.get(..2).map(str::to_owned))
            {
                machine.add("SystemDrive", &RegistryValue::Sz(drive));
            }
        }
    }
    if let Ok(key) = winreg::HKLM.open_subkey(SYSTEM_ENVIRONMENT_KEY) {
        for (name, value) in key.enum_values().flatten() {
            machine.add(&name, &convert(&value));
        }
    }
    machine
}

#[cfg(windows)]
fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(windows)]
fn convert(value: &winreg::RegValue) -> RegistryValue {
    use winreg::enums::RegType;
    use winreg::types::FromRegValue;
    match value.vtype {
        RegType::REG_SZ => String::from_reg_value(value)
            .map(RegistryValue::Sz)
            .unwrap_or(RegistryValue::Other("unreadable text")),
        RegType::REG_EXPAND_SZ => String::from_reg_value(value)
            .map(RegistryValue::ExpandSz)
            .unwrap_or(RegistryValue::Other("unreadable text")),
        RegType::REG_DWORD | RegType::REG_DWORD_BIG_ENDIAN => u32::from_reg_value(value)
            .map(RegistryValue::Dword)
            .unwrap_or(RegistryValue::Other("an unreadable number")),
        RegType::REG_QWORD => u64::from_reg_value(value)
            .map(RegistryValue::Qword)
            .unwrap_or(RegistryValue::Other("an unreadable number")),
        RegType::REG_MULTI_SZ => RegistryValue::Other("a list of texts (REG_MULTI_SZ)"),
        RegType::REG_BINARY => RegistryValue::Other("binary data (REG_BINARY)"),
        _ => RegistryValue::Other("a registry value of an unsupported type"),
    }
}

#[cfg(windows)]
fn read_hive(
    hive: &winreg::RegKey,
    hive_name: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<RawSource>, String> {
    let name = format!(r"{hive_name}\{POLICY_KEY}");
    let key = match hive.open_subkey(POLICY_KEY) {
        Ok(key) => key,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(format!(
                "The policy key {name} cannot be read ({e}), so none of it is used."
            ))
        }
    };
    let mut values = Vec::new();
    for item in key.enum_values() {
        let (value_name, value) = item.map_err(|e| {
            format!("The policy key {name} cannot be read ({e}), so none of it is used.")
        })?;
        values.push((value_name, convert(&value)));
    }
    Ok(Some(source(&name, values, lookup)))
}

/// Machine policy: wins over the user's, key by key.
#[cfg(windows)]
pub fn read_machine() -> Result<Option<RawSource>, String> {
    let machine = machine_environment();
    read_hive(winreg::HKLM, "HKLM", &|n| machine.lookup(n))
}

#[cfg(windows)]
pub fn read_user() -> Result<Option<RawSource>, String> {
    read_hive(winreg::HKCU, "HKCU", &env_lookup)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{validate_policy, Key};

    const POLICY: &str = r"HKLM\SOFTWARE\Policies\Huma\Clinician";

    /// An absolute folder on this OS (a Windows path needs a drive).
    const ROOT: &str = if cfg!(windows) { "C:/srv" } else { "/srv" };

    fn machine() -> MachineEnvironment {
        let mut machine = MachineEnvironment::default();
        machine.add("SystemDrive", &RegistryValue::Sz("C:".into()));
        machine.add(
            "ProgramData",
            &RegistryValue::ExpandSz(r"%SystemDrive%\ProgramData".into()),
        );
        // Set machine-wide by IT (Session Manager\Environment).
        machine.add("HUMA_ROOT", &RegistryValue::Sz(ROOT.into()));
        machine
    }

    fn data_directory(value: &str) -> (Option<std::path::PathBuf>, Vec<String>) {
        let values = vec![(
            "dataDirectory".to_owned(),
            RegistryValue::ExpandSz(value.to_owned()),
        )];
        let (policy, problems) = validate_policy(&machine_source(POLICY, values, &machine()));
        (policy.path(Key::DataDirectory), problems)
    }

    /// A user can set any variable for the programs they start (and their own override the
    /// machine's): a folder IT placed in machine policy must not move with them.
    #[test]
    fn machine_policy_expands_only_the_machines_own_variables() {
        let user_variable = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
        assert!(
            std::env::var_os(user_variable).is_some(),
            "{user_variable} is set"
        );
        let (path, problems) = data_directory(&format!("%{user_variable}%/huma"));
        assert_eq!(path, None, "a user's variable was expanded");
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains(&format!("%{user_variable}%"))
                && problems[0].contains("machine-wide"),
            "{}",
            problems[0]
        );

        let (path, problems) = data_directory("%huma_root%/huma");
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(path, Some(std::path::PathBuf::from(format!("{ROOT}/huma"))));
    }

    #[test]
    fn a_name_left_between_percent_signs_is_found() {
        assert_eq!(unexpanded_variable(r"%APPDATA%\Huma"), Some("%APPDATA%"));
        assert_eq!(unexpanded_variable(r"D:\Huma\%USER%"), Some("%USER%"));
        assert_eq!(unexpanded_variable(r"D:\100%\a%b%"), Some("%b%"));
        for none in [r"D:\Huma", "100%", "a%%b", r"D:\50%\x\60%"] {
            assert_eq!(unexpanded_variable(none), None, "{none}");
        }
    }

    #[test]
    fn machine_variables_build_on_earlier_ones_and_ignore_case() {
        let machine = machine();
        assert_eq!(
            machine.lookup("PROGRAMDATA").as_deref(),
            Some(r"C:\ProgramData")
        );
        assert_eq!(machine.lookup("programdata"), machine.lookup("ProgramData"));
        assert_eq!(machine.lookup("USERPROFILE"), None);
    }
}
