//! The common case of a patient list — a UK number written plainly (`07911 123456`,
//! `+44 7911 123456`, `0044 7911-123-456`, `(07911) 123.456`) — answered without the `phonenumber`
//! crate's parser. That crate looks up every regex in one cache behind a global mutex (about 13 µs
//! a number, and no faster on more threads), which made a 100,000-row import spend over a second
//! on mobiles.
//!
//! The answer is still libphonenumber's: the same metadata patterns, compiled once into regexes
//! that need no lock (each thread asks its own copy), asked in the same order as `phonenumber`'s
//! own number-type check. Any other notation, and any number it cannot classify, returns `None`
//! and goes to `phonenumber`.
//! `the_plain_uk_path_agrees_with_libphonenumber` holds the two to the same answer on a large corpus.

use std::sync::OnceLock;

use phonenumber::country::Id;
use phonenumber::metadata::{Descriptor, Metadata, DATABASE};
use phonenumber::Type;
use regex::{Regex, RegexBuilder};

use super::{is_drama_range, mobile_or_refusal, PhoneError};

/// The UK's country calling code, shared with Guernsey, the Isle of Man and Jersey.
const UK: u16 = 44;
/// Digits in a UK national number (without the leading 0).
const NATIONAL_DIGITS: usize = 10;
/// More digits than any plain UK notation has (`0044` + 10).
const MAX_DIGITS: usize = 14;

/// The E.164 form of `input` when it is a plainly written UK number whose type the metadata
/// settles; `None` when `phonenumber` must decide.
pub(super) fn mobile_e164(input: &str, region: Id) -> Option<Result<String, PhoneError>> {
    let national = uk_national(input.trim(), region)?;
    let national = std::str::from_utf8(&national).ok()?;
    let value: u64 = national.parse().ok()?;
    let e164 = format!("+{UK}{national}");
    if is_drama_range(UK, value) {
        return Some(Ok(e164));
    }
    match with_uk_metadata(|uk| uk.number_type(national))? {
        Type::Unknown => None,
        kind => Some(mobile_or_refusal(kind).map(|()| e164)),
    }
}

/// The ten national digits of `+44 …`, or of `0044 …` and `0 …` when the default region is GB
/// (where 00 is the international prefix and 0 the national one); `None` for anything else.
fn uk_national(input: &str, region: Id) -> Option<[u8; NATIONAL_DIGITS]> {
    let (plus, rest) = match input.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, input),
    };
    let mut digits = [0u8; MAX_DIGITS];
    let mut len = 0;
    for byte in rest.bytes() {
        match byte {
            b'0'..=b'9' => {
                *digits.get_mut(len)? = byte;
                len += 1;
            }
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            _ => return None,
        }
    }
    let digits = &digits[..len];
    let national = match (plus, region) {
        (true, _) => digits.strip_prefix(b"44")?,
        (false, Id::GB) => digits
            .strip_prefix(b"0044")
            .or_else(|| digits.strip_prefix(b"0"))?,
        (false, _) => return None,
    };
    // A 0 after the country code is a national prefix written in (`+44 (0)7911 …`): rare, and
    // libphonenumber's handling of it is subtle, so it goes there.
    if national.first() == Some(&b'0') {
        return None;
    }
    national.try_into().ok()
}

/// The regions sharing +44, in the metadata's order, with their patterns compiled once; `None`
/// (everything goes to `phonenumber`) if a pattern it compiled does not compile here.
fn uk_metadata() -> Option<&'static CallingCode> {
    static UK_METADATA: OnceLock<Option<CallingCode>> = OnceLock::new();
    UK_METADATA
        .get_or_init(|| CallingCode::of(UK).ok())
        .as_ref()
}

thread_local! {
    /// This thread's copy of [`uk_metadata`]. A `Regex` keeps a pool of search caches whose
    /// owner slot is an atomic: its owning thread writes it on every search and every other
    /// thread reads it, so with two threads searching the same `Regex` the cache line moves
    /// between cores a dozen times per number, and checking a CSV file's rows on two threads took
    /// longer than on one. A clone shares the compiled program and has its own pool.
    static THREAD_UK_METADATA: Option<CallingCode> = uk_metadata().cloned();
}

/// `f` of this thread's copy of the +44 patterns; `None` when they did not compile.
fn with_uk_metadata<T>(f: impl FnOnce(&CallingCode) -> T) -> Option<T> {
    THREAD_UK_METADATA.with(|uk| uk.as_ref().map(f))
}

#[derive(Clone)]
struct CallingCode {
    regions: Vec<Region>,
}

impl CallingCode {
    fn of(code: u16) -> Result<Self, regex::Error> {
        let regions = DATABASE
            .region(&code)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|id| DATABASE.by_id(id))
            .map(Region::of)
            .collect::<Result<_, _>>()?;
        Ok(Self { regions })
    }

    /// `phonenumber`'s `number_type` for a national number of this calling code: the first
    /// region whose leading digits match (or, for the region without any, which knows the
    /// number) decides, as in its `source_for`.
    fn number_type(&self, national: &str) -> Type {
        self.regions
            .iter()
            .find(|region| match &region.leading_digits {
                Some(leading) => leading.is_match(national),
                None => region.number_type(national) != Type::Unknown,
            })
            .map_or(Type::Unknown, |region| region.number_type(national))
    }
}

#[derive(Clone)]
struct Region {
    leading_digits: Option<Regex>,
    general: Pattern,
    /// The types `phonenumber` checks before fixed line and mobile, in its order.
    special: Vec<(Type, Pattern)>,
    fixed_line: Option<Pattern>,
    mobile: Option<Pattern>,
    /// Where the plan cannot tell a fixed line from a mobile (same pattern for both).
    fixed_is_mobile: bool,
}

impl Region {
    fn of(meta: &Metadata) -> Result<Self, regex::Error> {
        let d = meta.descriptors();
        let special = [
            (Type::PremiumRate, d.premium_rate()),
            (Type::TollFree, d.toll_free()),
            (Type::SharedCost, d.shared_cost()),
            (Type::Voip, d.voip()),
            (Type::PersonalNumber, d.personal_number()),
            (Type::Pager, d.pager()),
            (Type::Uan, d.uan()),
            (Type::Voicemail, d.voicemail()),
        ]
        .into_iter()
        .filter_map(|(kind, desc)| Some(Pattern::of(desc?).map(|p| (kind, p))))
        .collect::<Result<_, _>>()?;
        Ok(Self {
            leading_digits: meta
                .leading_digits()
                .map(|r| compile(r.as_str()))
                .transpose()?,
            general: Pattern::of(d.general())?,
            special,
            fixed_line: d.fixed_line().map(Pattern::of).transpose()?,
            mobile: d.mobile().map(Pattern::of).transpose()?,
            fixed_is_mobile: pattern_source(d.fixed_line()) == pattern_source(d.mobile()),
        })
    }

    fn number_type(&self, national: &str) -> Type {
        let matches = |p: &Option<Pattern>| p.as_ref().is_some_and(|p| p.matches(national));
        if !self.general.matches(national) {
            Type::Unknown
        } else if let Some((kind, _)) = self.special.iter().find(|(_, p)| p.matches(national)) {
            *kind
        } else if matches(&self.fixed_line) {
            if self.fixed_is_mobile || matches(&self.mobile) {
                Type::FixedLineOrMobile
            } else {
                Type::FixedLine
            }
        } else if matches(&self.mobile) {
            Type::Mobile
        } else {
            Type::Unknown
        }
    }
}

fn pattern_source(desc: Option<&Descriptor>) -> Option<&str> {
    desc.map(|d| d.national_number().as_str())
}

/// A descriptor's national-number pattern and possible lengths.
#[derive(Clone)]
struct Pattern {
    regex: Regex,
    lengths: Vec<u16>,
}

impl Pattern {
    fn of(desc: &Descriptor) -> Result<Self, regex::Error> {
        Ok(Self {
            regex: compile(desc.national_number().as_str())?,
            lengths: desc.possible_length().to_vec(),
        })
    }

    /// As `phonenumber`'s `Descriptor::is_match`: a possible length, and a match at the start.
    fn matches(&self, national: &str) -> bool {
        let length_ok = self.lengths.is_empty()
            || u16::try_from(national.len()).is_ok_and(|len| self.lengths.contains(&len));
        length_ok && self.regex.is_match(national)
    }
}

/// Compiled as `phonenumber` compiles its metadata (whitespace in the pattern is ignored), and
/// anchored at the start: `phonenumber` asks whether a match starts there (`find`, then
/// `start() == 0`), which an anchored `is_match` answers without searching the rest.
fn compile(source: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&format!("^(?:{source}\n)"))
        .ignore_whitespace(true)
        .build()
}
