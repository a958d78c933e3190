//! The SMS invite text, its segment count, and the hygiene of the names that go into it.
//!
//! ASSUMED: the server appends one space and the patient's sign-up link to the `text` we send
//! (Huma's `send-invitation` takes an optional `text`; its docs do not say where the link goes). The
//! confirmation screen therefore shows [`preview_text`], and segment counts include the space and a
//! link of `DEFAULT_LINK_LEN` characters.

use super::language::Language;
use super::types::SmsEncoding;

/// Where the server's sign-up link goes in the preview.
pub const LINK_PLACEHOLDER: &str = "[sign-up link]";
/// Length assumed for the server's link when counting segments (a shortened link plus its host).
pub const DEFAULT_LINK_LEN: usize = 40;
/// The longest name we accept, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The text the server sends, without the link (which it appends), in the patient's language.
pub fn invite_text(
    language: Language,
    given_name: &str,
    clinician_name: &str,
    list_name: &str,
) -> String {
    let given = for_sms(given_name);
    let clinician = for_sms(clinician_name);
    let list = for_sms(list_name);
    let parts = Parts {
        given: Some(given.as_str()).filter(|s| !s.is_empty()),
        clinician: Some(clinician.as_str()).filter(|s| !s.is_empty()),
        list: Some(list.trim_end_matches('.')).filter(|s| !s.is_empty()),
    };
    match language {
        Language::English => english(&parts),
        Language::Welsh => welsh(&parts),
        Language::Polish => polish(&parts),
        Language::Urdu => urdu(&parts),
        Language::Arabic => arabic(&parts),
    }
}

/// The pieces of an invite text; a missing one is left out of the sentence.
struct Parts<'a> {
    given: Option<&'a str>,
    clinician: Option<&'a str>,
    list: Option<&'a str>,
}

fn english(p: &Parts) -> String {
    let greeting = p.given.map_or("Hi,".to_owned(), |g| format!("Hi {g},"));
    let who = p.clinician.unwrap_or("your clinician");
    let what = p.list.map_or("to join Huma".to_owned(), |l| {
        format!("to join Huma for {l}")
    });
    format!("{greeting} {who} has invited you {what}. Sign up here:")
}

fn welsh(p: &Parts) -> String {
    let greeting = p.given.map_or("Helo,".to_owned(), |g| format!("Helo {g},"));
    let who = p.clinician.unwrap_or("eich clinigydd");
    let what = p.list.map_or("i ymuno â Huma".to_owned(), |l| {
        format!("i ymuno â Huma ar gyfer {l}")
    });
    format!("{greeting} mae {who} wedi eich gwahodd {what}. Cofrestrwch yma:")
}

fn polish(p: &Parts) -> String {
    let greeting = p
        .given
        .map_or("Dzień dobry,".to_owned(), |g| format!("Dzień dobry {g},"));
    let who = p.clinician.unwrap_or("Twój zespół medyczny");
    let what = p
        .list
        .map_or("do Huma".to_owned(), |l| format!("do Huma ({l})"));
    format!("{greeting} {who} zaprasza Cię {what}. Zarejestruj się tutaj:")
}

fn urdu(p: &Parts) -> String {
    let greeting = p.given.map_or("السلام علیکم،".to_owned(), |g| {
        format!("السلام علیکم {g}،")
    });
    let who = p.clinician.unwrap_or("آپ کے معالج");
    let what = p
        .list
        .map_or("Huma".to_owned(), |l| format!("{l} کے لیے Huma"));
    format!("{greeting} {who} نے آپ کو {what} میں شامل ہونے کی دعوت دی ہے۔ یہاں سائن اپ کریں:")
}

fn arabic(p: &Parts) -> String {
    let greeting = p
        .given
        .map_or("مرحبًا،".to_owned(), |g| format!("مرحبًا {g}،"));
    let who = p.clinician.unwrap_or("فريق رعايتك");
    let what = p
        .list
        .map_or("إلى Huma".to_owned(), |l| format!("إلى Huma ضمن {l}"));
    format!("{greeting} دعاك {who} للانضمام {what}. سجّل من هنا:")
}

/// What the patient will receive, with the server's link shown as [`LINK_PLACEHOLDER`].
pub fn preview_text(text: &str) -> String {
    format!("{text} {LINK_PLACEHOLDER}")
}

/// Trims and collapses whitespace, and uses the plain apostrophe and hyphen: the typographic ones
/// (’ ‘ — –, common in list names) are outside GSM 03.38 and would switch the whole message to UCS-2,
/// tripling its cost.
fn for_sms(s: &str) -> String {
    collapse_whitespace(s)
        .replace(['\u{2019}', '\u{2018}'], "'")
        .replace(['\u{2014}', '\u{2013}'], "-")
}

/// Segments and encoding of `text` followed by a link of `link_len` ASCII characters.
///
/// GSM-7: 160 septets in one segment, 153 per segment when concatenated; an extension-table
/// character takes two septets and is never split across segments. UCS-2: 70 UTF-16 code units,
/// 67 when concatenated; a surrogate pair (emoji) takes two and is never split. Always at least 1.
pub fn segments(text: &str, link_len: usize) -> (u32, SmsEncoding) {
    // The server's separating space, then the link (none when there is no link).
    let appended = if link_len > 0 { link_len + 1 } else { 0 };
    let link = std::iter::repeat_n(1, appended);
    if text.chars().all(|c| gsm_septets(c).is_some()) {
        let units = text.chars().filter_map(gsm_septets).chain(link);
        (pack(units, 160, 153), SmsEncoding::Gsm7)
    } else {
        let units = text.chars().map(|c| c.len_utf16()).chain(link);
        (pack(units, 70, 67), SmsEncoding::Ucs2)
    }
}

fn pack(units: impl Iterator<Item = usize> + Clone, single: usize, part: usize) -> u32 {
    if units.clone().sum::<usize>() <= single {
        return 1;
    }
    let (mut count, mut used) = (1, 0);
    for unit in units {
        if used + unit > part {
            count += 1;
            used = 0;
        }
        used += unit;
    }
    count
}

/// GSM 03.38 basic character set (without ESC, which only introduces the extension table).
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
    ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// The extension table: each is sent as ESC + character, two septets.
const GSM_EXTENSION: &str = "\u{0C}^{}\\[~]|€";

fn gsm_septets(c: char) -> Option<usize> {
    if GSM_BASIC.contains(c) {
        Some(1)
    } else if GSM_EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Trims and turns every run of whitespace (tabs and line breaks included) into one space.
pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name as it will be stored and sent (whitespace collapsed), or a sentence saying why not.
///
/// Letters of any script, combining accents, spaces, hyphens, apostrophes (' ’ ‘) and dots
/// ("St. John") are accepted. Digits are refused: in a patient list they mean a wrong column or a
/// typo, never a name.
pub fn validate_name(field_label: &str, s: &str) -> Result<String, String> {
    let name = collapse_whitespace(s);
    if name.is_empty() {
        return Err(format!("{field_label} is empty."));
    }
    if name.contains(['<', '>']) {
        return Err("Names cannot contain < or >.".to_owned());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!(
            "{field_label} is longer than {MAX_NAME_CHARS} characters."
        ));
    }
    if let Some(c) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(if c.is_control() {
            format!("{field_label} contains a control character.")
        } else if c.is_numeric() {
            format!("{field_label} cannot contain digits.")
        } else {
            format!("{field_label} cannot contain {}.", describe_char(c))
        });
    }
    Ok(name)
}

fn is_name_char(c: char) -> bool {
    c.is_alphabetic()
        || ('\u{0300}'..='\u{036F}').contains(&c)
        || matches!(
            c,
            ' ' | '-' | '\u{2010}' | '\'' | '\u{2019}' | '\u{2018}' | '.'
        )
}

/// How a message names a character: quoted when visible, by code point when not.
pub(crate) fn describe_char(c: char) -> String {
    let invisible = c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}');
    if invisible {
        format!("an invisible character (U+{:04X})", u32::from(c))
    } else {
        format!("“{c}”")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use SmsEncoding::{Gsm7, Ucs2};

    #[test]
    fn the_invite_text_reads_well_and_fits_one_segment() {
        let text = invite_text(
            Language::English,
            " Sam ",
            "Dr  Amelia Hart",
            "Cardiology follow-up",
        );
        assert_eq!(
            text,
            "Hi Sam, Dr Amelia Hart has invited you to join Huma for Cardiology follow-up. Sign up here:"
        );
        assert_eq!(segments(&text, DEFAULT_LINK_LEN), (1, Gsm7));
        let preview = preview_text(&text);
        assert!(preview.ends_with("Sign up here: [sign-up link]"));
    }

    #[test]
    fn a_list_name_with_typographic_dashes_stays_in_gsm_7() {
        let text = invite_text(
            Language::English,
            "Ruth",
            "Amelia Hart",
            "Cardiology follow-up — St Thomas’ Hospital",
        );
        assert!(
            text.contains("Cardiology follow-up - St Thomas' Hospital"),
            "{text}"
        );
        assert_eq!(segments(&text, DEFAULT_LINK_LEN).1, Gsm7);
    }

    #[test]
    fn the_invite_text_copes_with_missing_parts_and_typographic_apostrophes() {
        assert_eq!(
            invite_text(Language::English, "", "", "Renal."),
            "Hi, your clinician has invited you to join Huma for Renal. Sign up here:"
        );
        let text = invite_text(Language::English, "Seán", "Dr O’Neill", "");
        assert_eq!(
            text,
            "Hi Seán, Dr O'Neill has invited you to join Huma. Sign up here:"
        );
        // á is not in GSM 03.38: the name alone decides the encoding.
        assert_eq!(segments(&text, DEFAULT_LINK_LEN).1, Ucs2);
        let two_segments = invite_text(Language::English, "Sam", &"Hart ".repeat(20), "Cardiology");
        assert_eq!(segments(&two_segments, DEFAULT_LINK_LEN), (2, Gsm7));
    }

    #[test]
    fn every_language_names_the_patient_the_clinician_and_the_list() {
        for language in Language::all() {
            let text = invite_text(language, "Sam", "Dr Amelia Hart", "Cardiology follow-up");
            for part in ["Sam", "Dr Amelia Hart", "Cardiology follow-up", "Huma"] {
                assert!(text.contains(part), "{language:?} lacks {part:?}: {text}");
            }
            assert!(
                text.ends_with(':'),
                "{language:?}: the link follows: {text}"
            );
            let anonymous = invite_text(language, "", "", "");
            assert!(!anonymous.contains("  "), "{language:?}: {anonymous}");
            if language != Language::English {
                assert_ne!(anonymous, invite_text(Language::English, "", "", ""));
            }
        }
    }

    #[test]
    fn welsh_is_ucs_2_and_its_segments_are_counted_as_such() {
        let text = invite_text(Language::Welsh, "Siân", "Dr Amelia Hart", "Cardiology");
        assert_eq!(
            text,
            "Helo Siân, mae Dr Amelia Hart wedi eich gwahodd i ymuno â Huma ar gyfer \
             Cardiology. Cofrestrwch yma:"
        );
        // 100 characters, the space and a 40-character link: 141 UTF-16 units, three parts of 67.
        assert_eq!(text.chars().count(), 100);
        assert_eq!(segments(&text, DEFAULT_LINK_LEN), (3, Ucs2));
        // â alone makes it UCS-2, as do ŵ and ŷ in a Welsh name.
        let plain_name = invite_text(Language::Welsh, "Sam", "", "");
        assert_eq!(segments(&plain_name, 0).1, Ucs2);
        assert_eq!(segments("Dŵr", 0), (1, Ucs2));
        assert_eq!(segments("Dafydd ap Gwŷn", 0), (1, Ucs2));
        // The same invite in English fits one GSM-7 segment.
        let english = invite_text(Language::English, "Sam", "Dr Amelia Hart", "Cardiology");
        assert_eq!(segments(&english, DEFAULT_LINK_LEN), (1, Gsm7));
    }

    #[test]
    fn segment_boundaries() {
        let cases: &[(String, usize, u32, SmsEncoding)] = &[
            (String::new(), 0, 1, Gsm7),
            ("a".repeat(160), 0, 1, Gsm7),
            ("a".repeat(161), 0, 2, Gsm7),
            // The link follows one separating space.
            ("a".repeat(119), 40, 1, Gsm7),
            ("a".repeat(120), 40, 2, Gsm7),
            ("a".repeat(306), 0, 2, Gsm7),
            ("a".repeat(307), 0, 3, Gsm7),
            // Extension characters take two septets.
            ("€".repeat(80), 0, 1, Gsm7),
            (format!("{}^", "a".repeat(159)), 0, 2, Gsm7),
            (format!("{}{{", "a".repeat(158)), 0, 1, Gsm7),
            // An escape pair is not split: 152 + 2 does not fit 153, so it opens segment 2.
            (
                format!("{}€{}", "a".repeat(152), "a".repeat(10)),
                0,
                2,
                Gsm7,
            ),
            (
                format!("{}€{}", "a".repeat(152), "a".repeat(152)),
                0,
                3,
                Gsm7,
            ),
            // The basic set's accented letters stay GSM-7...
            ("éèùìòÇØøÅåÄÖÑÜßÉäöñüà".to_owned(), 0, 1, Gsm7),
            ("Zoé".to_owned(), 40, 1, Gsm7),
            // ...but ë and ç are not in it.
            ("Zoë".to_owned(), 40, 1, Ucs2),
            ("ç".to_owned(), 0, 1, Ucs2),
            ("ë".repeat(70), 0, 1, Ucs2),
            ("ë".repeat(71), 0, 2, Ucs2),
            ("ë".repeat(29), 40, 1, Ucs2),
            ("ë".repeat(30), 40, 2, Ucs2),
            ("ë".repeat(134), 0, 2, Ucs2),
            ("ë".repeat(135), 0, 3, Ucs2),
            // An emoji is two UTF-16 code units.
            ("😀".repeat(35), 0, 1, Ucs2),
            (format!("{}😀", "ë".repeat(69)), 0, 2, Ucs2),
            // A surrogate pair is not split: 66 + 2 does not fit 67.
            (
                format!("{}😀{}", "ë".repeat(66), "ë".repeat(67)),
                0,
                3,
                Ucs2,
            ),
        ];
        for (text, link, want, encoding) in cases {
            assert_eq!(
                segments(text, *link),
                (*want, *encoding),
                "{} chars + link {link}: {text:?}",
                text.chars().count()
            );
        }
    }

    #[test]
    fn names_are_tidied_or_refused_with_a_sentence() {
        let ok = [
            ("  Mary   Ann ", "Mary Ann"),
            ("Jean-Luc", "Jean-Luc"),
            ("O'Brien", "O'Brien"),
            ("O’Brien", "O’Brien"),
            ("Zoë", "Zoë"),
            ("Zoe\u{0308}", "Zoe\u{0308}"),
            ("St. John", "St. John"),
            ("Nguyễn", "Nguyễn"),
            ("Ana\tMaria\n", "Ana Maria"),
        ];
        for (input, want) in ok {
            assert_eq!(
                validate_name("First name", input).unwrap(),
                want,
                "{input:?}"
            );
        }
        let refused = [
            ("", "First name is empty."),
            ("   ", "First name is empty."),
            ("<b>Sam</b>", "Names cannot contain < or >."),
            ("Sam>", "Names cannot contain < or >."),
            ("Sam2", "First name cannot contain digits."),
            ("Sam\u{7}", "First name contains a control character."),
            ("Sam@home", "First name cannot contain “@”."),
            ("Sam 😀", "First name cannot contain “😀”."),
            (
                "Sam\u{200B}",
                "First name cannot contain an invisible character (U+200B).",
            ),
        ];
        for (input, want) in refused {
            assert_eq!(
                validate_name("First name", input).unwrap_err(),
                want,
                "{input:?}"
            );
        }
        assert!(validate_name("Last name", &"a".repeat(100)).is_ok());
        assert_eq!(
            validate_name("Last name", &"a".repeat(101)).unwrap_err(),
            "Last name is longer than 100 characters."
        );
    }
}
