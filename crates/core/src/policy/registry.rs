//! Windows Group Policy: values under `HKLM\SOFTWARE\Policies\Huma\Clinician` (per machine) and the
//! same key under HKCU (per user). The ADMX template and MSI properties write REG_SZ and REG_DWORD
//! values; REG_EXPAND_SZ is expanded with the user's environment, as Windows does for such values.

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
fn read_hive(hive: &winreg::RegKey, hive_name: &str) -> Result<Option<RawSource>, String> {
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
    Ok(Some(source(&name, values, &env_lookup)))
}

/// Machine policy: wins over the user's, key by key.
#[cfg(windows)]
pub fn read_machine() -> Result<Option<RawSource>, String> {
    read_hive(winreg::HKLM, "HKLM")
}

#[cfg(windows)]
pub fn read_user() -> Result<Option<RawSource>, String> {
    read_hive(winreg::HKCU, "HKCU")
}
