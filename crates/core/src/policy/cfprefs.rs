//! macOS managed preferences for the domain `com.huma.clinician`, read through CFPreferences.
//!
//! Configuration profiles (Jamf, Intune, any MDM) land in `/Library/Managed Preferences`, whose
//! plist files are an implementation detail: CFPreferences is the documented way to read them, and
//! `CFPreferencesAppValueIsForced` tells a value IT forced from one the user wrote with `defaults`.
//! Only forced values count as policy. Keys are case-sensitive here, as in every plist.

use super::{Key, RawSource, RawValue};

pub const DOMAIN: &str = "com.huma.clinician";

/// A CFPreferences value as read, before validation.
#[derive(Debug, Clone, PartialEq)]
pub enum CfValue {
    String(String),
    Integer(i64),
    Real(f64),
    Boolean(bool),
    /// CFArray, CFDictionary, CFData, CFDate…, in words.
    Other(&'static str),
}

pub fn raw_value(value: &CfValue) -> RawValue {
    match value {
        CfValue::String(s) => RawValue::Text(s.clone()),
        CfValue::Integer(n) => RawValue::Integer(*n),
        // A profile editor may store a whole number as <real>: accept 15.0, not 15.5.
        CfValue::Real(r) if r.fract() == 0.0 && r.abs() < 1e15 =>
        {
            #[allow(clippy::cast_possible_truncation)]
            RawValue::Integer(*r as i64)
        }
        CfValue::Real(_) => RawValue::Other("a decimal number"),
        CfValue::Boolean(b) => RawValue::Bool(*b),
        CfValue::Other(what) => RawValue::Other(what),
    }
}

/// What CFPreferences returned for each known key: the value, and whether a profile forces it.
pub fn source(values: Vec<(Key, CfValue, bool)>) -> RawSource {
    RawSource {
        name: format!("the managed preferences of {DOMAIN}"),
        values: values
            .into_iter()
            .filter(|(_, _, forced)| *forced)
            .map(|(key, value, _)| (key.name().to_owned(), raw_value(&value)))
            .collect(),
    }
}

#[cfg(target_os = "macos")]
fn convert(value: &objc2_core_foundation::CFType) -> CfValue {
    use objc2_core_foundation::{CFBoolean, CFNumber, CFString};
    if let Some(s) = value.downcast_ref::<CFString>() {
        CfValue::String(s.to_string())
    } else if let Some(b) = value.downcast_ref::<CFBoolean>() {
        CfValue::Boolean(b.as_bool())
    } else if let Some(n) = value.downcast_ref::<CFNumber>() {
        if n.is_float_type() {
            n.as_f64()
                .map(CfValue::Real)
                .unwrap_or(CfValue::Other("an unreadable number"))
        } else {
            n.as_i64()
                .map(CfValue::Integer)
                .unwrap_or(CfValue::Other("an unreadable number"))
        }
    } else {
        CfValue::Other("a list, dictionary, date or data value")
    }
}

/// Reads every known key; a domain with no forced values is no policy.
#[cfg(target_os = "macos")]
pub fn read_managed() -> Result<Option<RawSource>, String> {
    use objc2_core_foundation::{
        CFPreferencesAppValueIsForced, CFPreferencesCopyAppValue, CFString,
    };
    let domain = CFString::from_static_str(DOMAIN);
    let mut values = Vec::new();
    for key in Key::ALL {
        let name = CFString::from_static_str(key.name());
        if let Some(value) = CFPreferencesCopyAppValue(&name, &domain) {
            let forced = CFPreferencesAppValueIsForced(&name, &domain);
            values.push((key, convert(&value), forced));
        }
    }
    let source = source(values);
    Ok((!source.values.is_empty()).then_some(source))
}
