//! The lock-free path for plain UK numbers must give exactly libphonenumber's answer: the same
//! E.164 for every number it accepts, the same refusal for every number it refuses. Checked on a
//! deterministic corpus of UK mobiles and landlines in every written form, numbers from abroad,
//! garbage and edge lengths.

use std::collections::BTreeMap;

use phonenumber::country::Id;

use super::{libphonenumber_e164, plain_uk, PhoneError};

/// A small deterministic generator (SplitMix64): the corpus is the same on every run and machine.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap_or_default()
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn digits(&mut self, count: usize) -> String {
        (0..count)
            .map(|_| char::from(b'0' + (self.next() % 10) as u8))
            .collect()
    }
}

/// Starts of UK national numbers: every mobile, pager and personal range, the Crown dependencies'
/// mobiles, the drama range and its neighbours, and every kind of landline and service number.
const UK_STARTS: [&str; 40] = [
    "7", "70", "71", "72", "73", "74", "75", "76", "77", "78", "79", "7400", "7624", "7781",
    "7839", "7911", "7797", "7509", "7700900", "7700901", "7700899", "7700", "7937", "7624 4", "1",
    "11", "1624", "1481", "1534", "16977", "2", "20", "3", "5", "56", "8", "800", "9", "4", "6",
];
/// Calling codes from abroad, one that does not exist, and non-geographic ones.
const CALLING_CODES: [&str; 20] = [
    "1", "7", "33", "34", "39", "49", "61", "81", "86", "91", "353", "31", "44", "999", "800",
    "979", "882", "1268", "0", "3",
];
const REGIONS: [Id; 9] = [
    Id::FR,
    Id::US,
    Id::IE,
    Id::GG,
    Id::JE,
    Id::IM,
    Id::DE,
    Id::AU,
    Id::NZ,
];
const SEPARATORS: [&str; 9] = [" ", "-", ".", "(", ")", "", "  ", " - ", "\u{A0}"];
const GARBAGE: [&str; 16] = [
    "a", "O", "#", "*", "/", "+", "x", " ext ", "📱", "\u{200B}", "\t", "\n", ",", ";", "٣", "０",
];

/// A UK national number: a known start filled up to a length around ten digits.
fn uk_national(dice: &mut Dice) -> String {
    let start = dice.pick(&UK_STARTS).replace(' ', "");
    let length = dice.pick(&[10usize, 10, 10, 10, 10, 10, 9, 11, 7, 8, 12]);
    let fill = length.saturating_sub(start.len());
    start + &dice.digits(fill)
}

/// `national` written the way people write UK numbers.
fn uk_written(dice: &mut Dice, national: &str) -> String {
    let (head, tail) = national.split_at(4.min(national.len()));
    let (mid, end) = tail.split_at(2.min(tail.len()));
    match dice.below(16) {
        0 => format!("0{national}"),
        1 => format!("0{head} {tail}"),
        2 => format!("0{head} {mid}{end}"),
        3 => format!("+44{national}"),
        4 => format!("+44 {head} {tail}"),
        5 => format!("+44 (0){head} {tail}"),
        6 => format!("+44 0{national}"),
        7 => format!("0044 {head} {tail}"),
        8 => format!("0044{national}"),
        9 => format!("44{national}"),
        10 => format!("(0{head}) {mid}-{end}"),
        11 => format!("0{head}.{mid}.{end}"),
        12 => format!("  0{head}-{tail} "),
        13 => format!("00{national}"),
        14 => format!("+440{national}"),
        _ => scatter(dice, &format!("0{national}")),
    }
}

/// Separators dropped between random digits (brackets unbalanced, doubled, at either end).
fn scatter(dice: &mut Dice, digits: &str) -> String {
    let mut out = String::new();
    if dice.below(4) == 0 {
        out.push_str(dice.pick(&SEPARATORS));
    }
    for c in digits.chars() {
        out.push(c);
        if dice.below(3) == 0 {
            out.push_str(dice.pick(&SEPARATORS));
        }
    }
    out
}

/// A number from abroad, with + or an international prefix.
fn abroad(dice: &mut Dice) -> String {
    let code = dice.pick(&CALLING_CODES);
    let length = 4 + dice.below(10);
    let rest = dice.digits(length);
    match dice.below(4) {
        0 => format!("+{code} {rest}"),
        1 => format!("+{code}{rest}"),
        2 => format!("00{code} {rest}"),
        _ => scatter(dice, &format!("+{code}{rest}")),
    }
}

/// A number with a character libphonenumber may or may not tolerate, somewhere in it.
fn garbled(dice: &mut Dice) -> String {
    let national = uk_national(dice);
    let written = uk_written(dice, &national);
    let at = dice.below(written.chars().count() + 1);
    let garbage = dice.pick(&GARBAGE);
    written
        .chars()
        .take(at)
        .chain(garbage.chars())
        .chain(written.chars().skip(at))
        .collect()
}

/// Digits of every length from none to twenty, with or without a +.
fn edge_length(dice: &mut Dice) -> String {
    let length = dice.below(21);
    let digits = dice.digits(length);
    match dice.below(3) {
        0 => format!("+{digits}"),
        1 => format!("0{digits}"),
        _ => digits,
    }
}

fn corpus(size: usize) -> Vec<(String, Id)> {
    let mut dice = Dice(0x00C0_FFEE);
    (0..size)
        .map(|_| {
            let input = match dice.below(10) {
                0..=4 => {
                    let national = uk_national(&mut dice);
                    uk_written(&mut dice, &national)
                }
                5 | 6 => abroad(&mut dice),
                7 => garbled(&mut dice),
                _ => edge_length(&mut dice),
            };
            let region = if dice.below(8) == 0 {
                dice.pick(&REGIONS)
            } else {
                Id::GB
            };
            (input, region)
        })
        .collect()
}

fn outcome(result: &Result<String, PhoneError>) -> String {
    match result {
        Ok(_) => "accepted".to_owned(),
        Err(e) => format!("{e:?}"),
    }
}

#[test]
fn the_plain_uk_path_agrees_with_libphonenumber() {
    let corpus = corpus(12_000);
    let mut disagreements = Vec::new();
    // How the plain path answered, by outcome: proof the corpus reaches it both ways.
    let mut answered: BTreeMap<String, usize> = BTreeMap::new();
    for (input, region) in &corpus {
        let want = libphonenumber_e164(input, *region);
        if let Some(got) = plain_uk::mobile_e164(input, *region) {
            *answered.entry(outcome(&got)).or_default() += 1;
            if got != want {
                disagreements.push(format!("{input:?} in {region:?}: {got:?}, want {want:?}"));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements, e.g.\n{}",
        disagreements.len(),
        disagreements[..disagreements.len().min(20)].join("\n")
    );
    let fast: usize = answered.values().sum();
    assert!(
        fast >= corpus.len() / 10,
        "plain path answered {answered:?}"
    );
    for kind in ["accepted", "Landline", "NotMobile"] {
        let count: usize = answered
            .iter()
            .filter(|(k, _)| k.starts_with(kind))
            .map(|(_, n)| n)
            .sum();
        assert!(count >= 100, "{kind}: {answered:?}");
    }
}
