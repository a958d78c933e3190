//! Mobile numbers for SMS invites, checked with libphonenumber's metadata (the `phonenumber` crate).
//!
//! Accepted notations: `+44 7911 123456`, `0044 7911 123456`, `07911 123456`, `+44 (0)7911 123456`,
//! with spaces, dashes, dots or brackets anywhere. Anything else (letters, `#`, `*`, `/`, emoji,
//! a second `+`) is refused with a sentence naming the character, so a typo never becomes a
//! different number; an extension gets its own sentence.
//!
//! Accepted number types:
//! - `Mobile`, including the Isle of Man, Jersey and Guernsey ranges that share +44;
//! - `FixedLineOrMobile`: where the numbering plan cannot tell them apart (USA, Canada, …),
//!   refusing would block every patient there; the SMS provider reports undeliverable numbers;
//! - Ofcom's drama range, +44 7700 900000–900999: libphonenumber calls it invalid, but it is
//!   reserved for fiction (never allocated to a person), the sandbox and demos use it, and a send
//!   to it cannot reach anyone.
//!
//! Refused: landlines and every non-personal type — freephone, premium rate, shared cost, UAN
//! (03…), voicemail, pager (076), VoIP (056) and UK "personal" 070 numbers, which are redirection
//! services often mistaken for mobiles and a known fraud vector; none reliably receives SMS.

use phonenumber::country::Id;
use phonenumber::metadata::DATABASE;
use phonenumber::{Mode, ParseError, PhoneNumber, Type};

use super::sms_text::describe_char;

#[cfg(test)]
mod agreement_tests;
mod plain_uk;

/// A mobile number checked for an SMS invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedPhone {
    /// E.164, e.g. `+447911123456`: what is stored and sent.
    pub e164: String,
    /// For people to read and check, e.g. `+44 7911 123456`.
    pub international: String,
    /// The number's region (ISO 3166 alpha-2), e.g. `GB`, `IM`, `JE`, `GG`, `IE`.
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Enter a mobile number.")]
    Empty,
    #[error(
        "A mobile number cannot contain {0}. Use only digits, spaces, dashes, dots, brackets and a leading +."
    )]
    Character(String),
    #[error("SMS invites cannot go to an extension. Enter the mobile number on its own.")]
    Extension,
    #[error("That number is too short for a mobile number. Check for missing digits.")]
    TooShort,
    #[error("That number is too long for a mobile number. Check for extra digits.")]
    TooLong,
    #[error("That country code does not exist. Check the digits after the +.")]
    UnknownCountryCode,
    #[error(
        "That is not a valid phone number. Check the digits, and start numbers from abroad with + and the country code."
    )]
    Invalid,
    #[error("That looks like a landline number; SMS invites need a mobile number.")]
    Landline,
    #[error("That is a {0} number; SMS invites need a mobile number.")]
    NotMobile(&'static str),
}

/// Parses, validates and formats a mobile number. `default_region` (ISO 3166 alpha-2, from
/// settings) applies to numbers without a country code; an unknown region falls back to GB.
pub fn parse_mobile(input: &str, default_region: &str) -> Result<ParsedPhone, PhoneError> {
    let number = check_mobile(input, region_or_gb(default_region))?;
    let region = number
        .metadata(&DATABASE)
        .map_or_else(|| "GB".to_owned(), |m| m.id().to_owned());
    Ok(ParsedPhone {
        e164: number.format().mode(Mode::E164).to_string(),
        international: number.format().mode(Mode::International).to_string(),
        region,
    })
}

/// How a recipient is shown to the clinician: a number in libphonenumber's international format
/// (`+44 7911 123456`, `+353 85 123 4567`); anything else (an email address, text the library
/// cannot read) as it is. UK mobiles, nearly every number the app shows, are grouped here as the
/// library groups them (checked on a corpus in `display_tests`), without its global lock: a
/// pending list of thousands is shown at once.
pub fn display(recipient: &str) -> String {
    if let Some(rest) = recipient.strip_prefix("+447") {
        let bytes = rest.as_bytes();
        if bytes.len() == 9
            && bytes.iter().all(u8::is_ascii_digit)
            && matches!(bytes[0], b'1'..=b'5' | b'7'..=b'9')
        {
            return format!("+44 7{} {}", &rest[..3], &rest[3..]);
        }
    }
    if !recipient.starts_with('+') {
        return recipient.to_owned();
    }
    phonenumber::parse(None, recipient)
        .map(|n| n.format().mode(Mode::International).to_string())
        .unwrap_or_else(|_| recipient.to_owned())
}

/// libphonenumber's international format of an E.164 number (the reference for `display`).
#[cfg(test)]
fn library_display(e164: &str) -> Option<String> {
    phonenumber::parse(None, e164)
        .ok()
        .map(|n| n.format().mode(Mode::International).to_string())
}

/// The default region to parse with; GB when the setting is not a region libphonenumber knows.
pub(crate) fn region_or_gb(region: &str) -> Id {
    region.trim().to_ascii_uppercase().parse().unwrap_or(Id::GB)
}

/// The E.164 form of a mobile number (the CSV import needs nothing else, and skips formatting).
/// Plainly written UK numbers take a lock-free path with libphonenumber's own patterns.
pub(crate) fn mobile_e164(input: &str, region: Id) -> Result<String, PhoneError> {
    plain_uk::mobile_e164(input, region).unwrap_or_else(|| libphonenumber_e164(input, region))
}

fn libphonenumber_e164(input: &str, region: Id) -> Result<String, PhoneError> {
    check_mobile(input, region).map(|n| n.format().mode(Mode::E164).to_string())
}

fn check_mobile(input: &str, region: Id) -> Result<PhoneNumber, PhoneError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(PhoneError::Empty);
    }
    if let Some(c) = stray_char(input) {
        let has_extension =
            phonenumber::parse(Some(region), input).is_ok_and(|n| n.extension().is_some());
        return Err(if has_extension {
            PhoneError::Extension
        } else {
            PhoneError::Character(describe_char(c))
        });
    }
    if !input.chars().any(|c| c.is_ascii_digit()) {
        return Err(PhoneError::Invalid);
    }
    let number = phonenumber::parse(Some(region), input).map_err(|e| match e {
        ParseError::NoNumber | ParseError::TooShortNsn | ParseError::TooShortAfterIdd => {
            PhoneError::TooShort
        }
        ParseError::TooLong => PhoneError::TooLong,
        ParseError::InvalidCountryCode => PhoneError::UnknownCountryCode,
        ParseError::MalformedInteger(_) => PhoneError::Invalid,
    })?;
    let national = number.national();
    if national.zeros() == 0 && is_drama_range(number.country().code(), national.value()) {
        return Ok(number);
    }
    // `is_valid()` is defined by the library as "number_type() is not Unknown"; asking for the type
    // once gives both answers and halves the regex work on a 100,000-row import.
    match number.number_type(&DATABASE) {
        Type::Unknown => Err(invalid_length_or_number(&number)),
        kind => mobile_or_refusal(kind).map(|()| number),
    }
}

/// Whether a valid number of this type can take an SMS invite, and if not, why.
fn mobile_or_refusal(kind: Type) -> Result<(), PhoneError> {
    match kind {
        Type::Mobile | Type::FixedLineOrMobile => Ok(()),
        Type::FixedLine => Err(PhoneError::Landline),
        other => Err(PhoneError::NotMobile(type_name(other))),
    }
}

/// The first character outside the accepted notation (`+` only as the very first character).
fn stray_char(input: &str) -> Option<char> {
    input.char_indices().find_map(|(i, c)| {
        let ok = c.is_ascii_digit()
            || c.is_whitespace()
            || matches!(c, '-' | '.' | '(' | ')')
            || (c == '+' && i == 0);
        (!ok).then_some(c)
    })
}

/// +44 7700 900000–900999 (a national number without leading zeros).
fn is_drama_range(country_code: u16, national: u64) -> bool {
    country_code == 44 && (7_700_900_000..=7_700_900_999).contains(&national)
}

/// An invalid number is "too short" / "too long" when its length is outside every length a mobile
/// of its country can have, so the clinician knows what to look for.
fn invalid_length_or_number(number: &PhoneNumber) -> PhoneError {
    let len = number.national().to_string().len();
    let lengths: Vec<u16> = DATABASE
        .by_code(&number.country().code())
        .unwrap_or_default()
        .into_iter()
        .flat_map(|meta| {
            let descriptors = meta.descriptors();
            match descriptors.mobile() {
                Some(mobile) if !mobile.possible_length().is_empty() => mobile.possible_length(),
                _ => descriptors.general().possible_length(),
            }
            .to_vec()
        })
        .collect();
    match (lengths.iter().min(), lengths.iter().max()) {
        (Some(&min), _) if len < usize::from(min) => PhoneError::TooShort,
        (_, Some(&max)) if len > usize::from(max) => PhoneError::TooLong,
        _ => PhoneError::Invalid,
    }
}

fn type_name(kind: Type) -> &'static str {
    match kind {
        Type::TollFree => "freephone",
        Type::PremiumRate => "premium-rate",
        Type::SharedCost => "shared-cost",
        Type::PersonalNumber => "personal (070)",
        Type::Voip => "internet (VoIP)",
        Type::Pager => "pager",
        Type::Uan => "non-geographic",
        Type::Voicemail => "voicemail",
        _ => "service",
    }
}

#[cfg(test)]
mod display_tests {
    use super::{display, library_display};

    #[test]
    fn uk_mobiles_are_grouped_exactly_as_libphonenumber_groups_them() {
        // Every UK mobile range the fast path takes, 2,000 numbers each (a fixed stride, so the
        // same numbers on every run), and the ranges it leaves to the library.
        let mut checked = 0;
        for range in ["71", "72", "73", "74", "75", "77", "78", "79", "76", "70"] {
            for n in 0..2_000u64 {
                let e164 = format!("+44{range}{:08}", (n * 49_979_687) % 100_000_000);
                if let Some(expected) = library_display(&e164) {
                    assert_eq!(display(&e164), expected, "{e164}");
                    checked += 1;
                }
            }
        }
        assert!(checked >= 18_000, "{checked} numbers checked");
    }

    #[test]
    fn other_numbers_take_the_library_s_format_and_text_stays_as_it_is() {
        assert_eq!(display("+353851234567"), "+353 85 123 4567");
        assert_eq!(display("+442071234567"), "+44 20 7123 4567");
        assert_eq!(display("sam@example.com"), "sam@example.com");
        assert_eq!(display("+44 7911 123456"), "+44 7911 123456");
        assert_eq!(display("+4"), "+4");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    enum Want {
        Ok(&'static str, &'static str, &'static str),
        Err(PhoneError),
    }
    use Want::*;

    fn ch(c: &str) -> PhoneError {
        PhoneError::Character(c.to_owned())
    }

    #[test]
    fn validation_table() {
        let gb = |intl| Ok("+447911123456", intl, "GG");
        let cases: Vec<(&str, &str, Want)> = vec![
            // GB mobiles in every accepted notation (07911 1… is a Guernsey range).
            ("07911 123456", "GB", gb("+44 7911 123456")),
            ("07911123456", "GB", gb("+44 7911 123456")),
            ("+44 7911 123456", "GB", gb("+44 7911 123456")),
            ("+447911123456", "GB", gb("+44 7911 123456")),
            ("0044 7911 123456", "GB", gb("+44 7911 123456")),
            ("+44 (0)7911 123456", "GB", gb("+44 7911 123456")),
            ("(07911) 123-456", "GB", gb("+44 7911 123456")),
            ("07911-123-456", "GB", gb("+44 7911 123456")),
            ("07911.123.456", "GB", gb("+44 7911 123456")),
            ("  07911\u{A0}123456 ", "GB", gb("+44 7911 123456")),
            ("+44 7911 123456", "FR", gb("+44 7911 123456")),
            (
                "07400 123456",
                "GB",
                Ok("+447400123456", "+44 7400 123456", "GB"),
            ),
            (
                "07400 123456",
                "XX",
                Ok("+447400123456", "+44 7400 123456", "GB"),
            ),
            (
                "07400 123456",
                "",
                Ok("+447400123456", "+44 7400 123456", "GB"),
            ),
            (
                "07400 123456",
                "gb",
                Ok("+447400123456", "+44 7400 123456", "GB"),
            ),
            // Crown dependencies share +44.
            (
                "07624 212345",
                "GB",
                Ok("+447624212345", "+44 7624 212345", "IM"),
            ),
            (
                "07797 123456",
                "GB",
                Ok("+447797123456", "+44 7797 123456", "JE"),
            ),
            (
                "07781 123456",
                "GB",
                Ok("+447781123456", "+44 7781 123456", "GG"),
            ),
            // Ofcom drama range: accepted on purpose (see the module doc).
            (
                "+44 7700 900123",
                "GB",
                Ok("+447700900123", "+44 7700 900123", "GB"),
            ),
            (
                "07700 900000",
                "GB",
                Ok("+447700900000", "+44 7700 900000", "GB"),
            ),
            (
                "07700900999",
                "GB",
                Ok("+447700900999", "+44 7700 900999", "GB"),
            ),
            ("07700 901000", "GB", Err(PhoneError::Invalid)),
            // Abroad, with +.
            (
                "+353 85 123 4567",
                "GB",
                Ok("+353851234567", "+353 85 123 4567", "IE"),
            ),
            (
                "+33 6 12 34 56 78",
                "GB",
                Ok("+33612345678", "+33 6 12 34 56 78", "FR"),
            ),
            (
                "+1 201 555 0123",
                "GB",
                Ok("+12015550123", "+1 201-555-0123", "US"),
            ),
            (
                "085 123 4567",
                "IE",
                Ok("+353851234567", "+353 85 123 4567", "IE"),
            ),
            // Not mobiles.
            ("020 7946 0000", "GB", Err(PhoneError::Landline)),
            ("+44 1624 812345", "GB", Err(PhoneError::Landline)),
            ("+33 1 23 45 67 89", "GB", Err(PhoneError::Landline)),
            (
                "0800 123 4567",
                "GB",
                Err(PhoneError::NotMobile("freephone")),
            ),
            (
                "0909 879 0000",
                "GB",
                Err(PhoneError::NotMobile("premium-rate")),
            ),
            (
                "0300 123 4567",
                "GB",
                Err(PhoneError::NotMobile("non-geographic")),
            ),
            (
                "070 1234 5678",
                "GB",
                Err(PhoneError::NotMobile("personal (070)")),
            ),
            ("076 0012 3456", "GB", Err(PhoneError::NotMobile("pager"))),
            (
                "056 1234 5678",
                "GB",
                Err(PhoneError::NotMobile("internet (VoIP)")),
            ),
            (
                "+1 800 555 0199",
                "GB",
                Err(PhoneError::NotMobile("freephone")),
            ),
            // Stray characters, named.
            ("07911 12345a", "GB", Err(ch("“a”"))),
            ("O7911 123456", "GB", Err(ch("“O”"))),
            ("07911/123456", "GB", Err(ch("“/”"))),
            ("*07911 123456", "GB", Err(ch("“*”"))),
            ("07911 123456 📱", "GB", Err(ch("“📱”"))),
            ("+44 +7911 123456", "GB", Err(ch("“+”"))),
            (
                "07911\u{200B}123456",
                "GB",
                Err(ch("an invisible character (U+200B)")),
            ),
            // Extensions.
            ("07911 123456 ext 12", "GB", Err(PhoneError::Extension)),
            ("07911 123456 x12", "GB", Err(PhoneError::Extension)),
            ("+44 7911 123456#12", "GB", Err(PhoneError::Extension)),
            // Length and existence.
            ("07911 12345", "GB", Err(PhoneError::TooShort)),
            ("1234567", "GB", Err(PhoneError::TooShort)),
            ("07", "GB", Err(PhoneError::TooShort)),
            ("+44", "GB", Err(PhoneError::TooShort)),
            ("07911 1234567", "GB", Err(PhoneError::TooLong)),
            ("+44 7911 1234567890123456", "GB", Err(PhoneError::TooLong)),
            ("+999 1234 5678", "GB", Err(PhoneError::UnknownCountryCode)),
            ("07011 1234", "GB", Err(PhoneError::TooShort)),
            ("---", "GB", Err(PhoneError::Invalid)),
            ("", "GB", Err(PhoneError::Empty)),
            ("   \t ", "GB", Err(PhoneError::Empty)),
        ];
        assert!(cases.len() >= 30);
        for (input, region, want) in cases {
            let got = parse_mobile(input, region);
            match want {
                Ok(e164, international, region_want) => {
                    let got = got.unwrap_or_else(|e| panic!("{input:?}: {e}"));
                    assert_eq!(got.e164, e164, "{input:?}");
                    assert_eq!(got.international, international, "{input:?}");
                    assert_eq!(got.region, region_want, "{input:?}");
                }
                Err(err) => assert_eq!(got, Result::Err(err), "{input:?}"),
            }
        }
    }

    #[test]
    fn messages_are_sentences_a_clinician_can_act_on() {
        assert_eq!(PhoneError::Empty.to_string(), "Enter a mobile number.");
        assert_eq!(
            PhoneError::Landline.to_string(),
            "That looks like a landline number; SMS invites need a mobile number."
        );
        assert_eq!(
            parse_mobile("07911 12345#", "GB").unwrap_err().to_string(),
            "A mobile number cannot contain “#”. Use only digits, spaces, dashes, dots, brackets and a leading +."
        );
        assert_eq!(
            PhoneError::NotMobile("freephone").to_string(),
            "That is a freephone number; SMS invites need a mobile number."
        );
    }

    #[test]
    fn the_csv_shortcut_agrees_with_parse_mobile() {
        assert_eq!(
            mobile_e164("07700 900123", Id::GB).unwrap(),
            parse_mobile("07700 900123", "GB").unwrap().e164
        );
        assert_eq!(
            mobile_e164("020 7946 0000", Id::GB),
            Result::Err(PhoneError::Landline)
        );
    }
}
