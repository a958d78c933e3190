//! The patient's language: which invite texts exist, how a CSV cell names one, and the code Huma's
//! `send-invitation` takes for it.
//!
//! Huma's `language` is one value per request (SPEC: a top-level field of
//! `SendInvitationsRequestDataV1DRF`, not of an invitee), so the sync engine never mixes languages
//! in one request. The codes are ISO 639-1 as Huma's server spells them (`en`, `cy`, …). ASSUMED:
//! Huma accepts `cy`, `pl` and `ur` (its published list has `en` and `ar`; the sandbox accepts the
//! UK's common ones); a server that does not know a code sends its default (English) emails, but the
//! SMS text is ours, so the patient still reads their language.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A language the SMS invite can be written in, serialised as Huma's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Language {
    #[default]
    #[serde(rename = "en")]
    English,
    #[serde(rename = "cy")]
    Welsh,
    #[serde(rename = "pl")]
    Polish,
    #[serde(rename = "ur")]
    Urdu,
    #[serde(rename = "ar")]
    Arabic,
}

/// What the SMS form offers for a language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct LanguageOption {
    pub language: Language,
    /// The English name, for the en-GB UI ("Welsh").
    pub name: String,
    /// The language's own name ("Cymraeg").
    pub native_name: String,
    /// Whether a native speaker has checked the invite text. The UI says so when not.
    pub checked_by_native_speaker: bool,
    /// Written right to left (the preview sets its direction from the text).
    pub right_to_left: bool,
}

/// Facts about one language, in one place.
struct Facts {
    language: Language,
    code: &'static str,
    name: &'static str,
    native_name: &'static str,
    checked_by_native_speaker: bool,
    right_to_left: bool,
    /// Further names a CSV cell may use (compared case-insensitively, besides code and names).
    aliases: &'static [&'static str],
}

/// Every language we have an invite text for, in the order the form offers them. Only English has
/// been checked by a native speaker; the others are our own translations, to be checked before
/// a clinic relies on them.
const LANGUAGES: &[Facts] = &[
    Facts {
        language: Language::English,
        code: "en",
        name: "English",
        native_name: "English",
        checked_by_native_speaker: true,
        right_to_left: false,
        aliases: &["en-gb", "eng", "saesneg"],
    },
    Facts {
        language: Language::Welsh,
        code: "cy",
        name: "Welsh",
        native_name: "Cymraeg",
        checked_by_native_speaker: false,
        right_to_left: false,
        aliases: &["cy-gb", "cym", "wel"],
    },
    Facts {
        language: Language::Polish,
        code: "pl",
        name: "Polish",
        native_name: "Polski",
        checked_by_native_speaker: false,
        right_to_left: false,
        aliases: &["pl-pl", "pol"],
    },
    Facts {
        language: Language::Urdu,
        code: "ur",
        name: "Urdu",
        native_name: "اردو",
        checked_by_native_speaker: false,
        right_to_left: true,
        aliases: &["ur-pk", "urd"],
    },
    Facts {
        language: Language::Arabic,
        code: "ar",
        name: "Arabic",
        native_name: "العربية",
        checked_by_native_speaker: false,
        right_to_left: true,
        aliases: &["ara", "عربي"],
    },
];

impl Language {
    fn facts(self) -> &'static Facts {
        LANGUAGES
            .iter()
            .find(|f| f.language == self)
            .unwrap_or(&LANGUAGES[0])
    }

    /// Huma's code, as sent in `send-invitation` and kept in the outbox.
    pub fn code(self) -> &'static str {
        self.facts().code
    }

    pub fn name(self) -> &'static str {
        self.facts().name
    }

    /// The language a stored code names (`None` for a code this version does not know).
    pub fn from_code(code: &str) -> Option<Language> {
        LANGUAGES
            .iter()
            .find(|f| f.code == code)
            .map(|f| f.language)
    }

    /// The language a CSV cell names: its code, English or own name, or a common alias, in any
    /// case ("cy", "Welsh", "Cymraeg"). Otherwise a sentence naming the value.
    pub fn from_csv_cell(cell: &str) -> Result<Language, String> {
        let key = cell.trim().to_lowercase().replace('_', "-");
        LANGUAGES
            .iter()
            .find(|f| {
                f.code == key
                    || f.name.to_lowercase() == key
                    || f.native_name.to_lowercase() == key
                    || f.aliases.contains(&key.as_str())
            })
            .map(|f| f.language)
            .ok_or_else(|| {
                let known: Vec<&str> = LANGUAGES.iter().map(|f| f.name).collect();
                format!(
                    "Language “{}” is not one we have an invite text for (use {}).",
                    cell.trim(),
                    or_list(&known)
                )
            })
    }

    /// Every language we have a text for, as the SMS form offers them.
    pub fn options() -> Vec<LanguageOption> {
        LANGUAGES
            .iter()
            .map(|f| LanguageOption {
                language: f.language,
                name: f.name.to_owned(),
                native_name: f.native_name.to_owned(),
                checked_by_native_speaker: f.checked_by_native_speaker,
                right_to_left: f.right_to_left,
            })
            .collect()
    }

    pub fn all() -> impl Iterator<Item = Language> {
        LANGUAGES.iter().map(|f| f.language)
    }
}

/// "English, Welsh or Polish".
fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_name_languages_by_code_or_name_in_any_case() {
        let cases = [
            ("cy", Language::Welsh),
            ("Welsh", Language::Welsh),
            (" CYMRAEG ", Language::Welsh),
            ("en", Language::English),
            ("English", Language::English),
            ("en_GB", Language::English),
            ("pl", Language::Polish),
            ("Polish", Language::Polish),
            ("polski", Language::Polish),
            ("Urdu", Language::Urdu),
            ("ar", Language::Arabic),
            ("العربية", Language::Arabic),
        ];
        for (cell, want) in cases {
            assert_eq!(Language::from_csv_cell(cell), Ok(want), "{cell:?}");
        }
        assert_eq!(
            Language::from_csv_cell(" Klingon ").unwrap_err(),
            "Language “Klingon” is not one we have an invite text for \
             (use English, Welsh, Polish, Urdu or Arabic)."
        );
    }

    #[test]
    fn codes_round_trip_and_match_the_wire_form() {
        for language in Language::all() {
            assert_eq!(Language::from_code(language.code()), Some(language));
            let json = serde_json::to_string(&language).unwrap();
            assert_eq!(json, format!("\"{}\"", language.code()));
        }
        assert_eq!(Language::from_code("xx"), None);
    }

    #[test]
    fn the_form_offers_english_first_and_says_which_texts_are_unchecked() {
        let options = Language::options();
        assert_eq!(options[0].language, Language::English);
        assert!(options[0].checked_by_native_speaker);
        let welsh = options.iter().find(|o| o.language == Language::Welsh);
        assert!(welsh.is_some_and(|w| w.native_name == "Cymraeg" && !w.right_to_left));
        let rtl: Vec<Language> = options
            .iter()
            .filter(|o| o.right_to_left)
            .map(|o| o.language)
            .collect();
        assert_eq!(rtl, [Language::Urdu, Language::Arabic]);
    }
}
