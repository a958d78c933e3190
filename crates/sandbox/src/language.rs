//! The user's language and the `x-hu-locale` header. As in Huma, every authenticated call that
//! carries the header stores its language as the user's own; a language the server does not
//! support is stored as `en`, and an empty header changes nothing. Matching is exact (`en-GB`, not
//! `en-gb`). Huma's own list has no Welsh, Polish or South Asian languages; the sandbox adds the
//! UK's most common ones (ASSUMED, documented in the README).

/// What an unsupported language becomes.
pub const DEFAULT: &str = "en";

/// The languages the sandbox accepts.
pub const SUPPORTED: &[&str] = &[
    "en", "en-GB", "en-US", "cy", "ar", "bn", "de", "es", "fr", "it", "nl", "pa", "pl", "ur",
];

/// The language an `x-hu-locale` value stores.
pub fn from_header(value: &str) -> &'static str {
    SUPPORTED
        .iter()
        .copied()
        .find(|supported| *supported == value)
        .unwrap_or(DEFAULT)
}

/// The language a `send-invitation` request's `language` gives its invitations: as Huma's
/// `incorrect_language_to_default`, absent or unsupported means `en`.
pub fn for_invitation(value: Option<&str>) -> &'static str {
    value.map_or(DEFAULT, |v| from_header(v.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_languages_become_english() {
        assert_eq!(from_header("cy"), "cy");
        assert_eq!(from_header("en-GB"), "en-GB");
        assert_eq!(from_header("en-gb"), "en");
        assert_eq!(from_header("xx"), "en");
    }

    #[test]
    fn an_invitation_without_a_known_language_is_english() {
        assert_eq!(for_invitation(Some("cy")), "cy");
        assert_eq!(for_invitation(Some(" ur ")), "ur");
        assert_eq!(for_invitation(Some("Welsh")), "en");
        assert_eq!(for_invitation(None), "en");
    }
}
