//! The Linux policy file (`/etc/huma-clinician/policy.json`), and the same shape for the clinician's
//! own settings in the preferences file: one JSON object of key → string, number or boolean.

use std::path::Path;

use super::{RawSource, RawValue};

/// A JSON value as a raw policy value; `None` for `null` (the key counts as not set).
pub fn raw_value(value: &serde_json::Value) -> Option<RawValue> {
    Some(match value {
        serde_json::Value::Null => return None,
        serde_json::Value::Bool(b) => RawValue::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => RawValue::Integer(i),
            None => RawValue::Other("a decimal number"),
        },
        serde_json::Value::String(s) => RawValue::Text(s.clone()),
        serde_json::Value::Array(_) => RawValue::Other("a list"),
        serde_json::Value::Object(_) => RawValue::Other("a group of settings"),
    })
}

/// Parses a policy file's bytes. Anything but a JSON object is an error for the whole file.
pub fn parse(name: &str, bytes: &[u8]) -> Result<RawSource, String> {
    let json: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        format!("The policy file {name} is not valid JSON ({e}), so none of it is used.")
    })?;
    let serde_json::Value::Object(map) = json else {
        return Err(format!(
            "The policy file {name} must hold one JSON object of settings, so none of it is used."
        ));
    };
    Ok(RawSource {
        name: name.to_owned(),
        values: map
            .iter()
            .filter_map(|(k, v)| raw_value(v).map(|raw| (k.clone(), raw)))
            .collect(),
    })
}

/// Reads a policy file. A missing file is no policy; an unreadable one is reported.
pub fn read(path: &Path) -> Result<Option<RawSource>, String> {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => parse(&name, &bytes).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!(
            "The policy file {name} cannot be read ({e}), so none of it is used."
        )),
    }
}
