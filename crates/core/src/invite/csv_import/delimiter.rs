//! The delimiter: a `sep=` first line, else the most consistent of `,` `;` tab outside quotes.

use std::collections::HashMap;

use super::*;

pub(super) const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Excel's `sep=;` first line: the delimiter and the text after that line.
pub(super) fn sep_line(text: &str) -> Option<(u8, &str)> {
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    let first = first.strip_suffix('\r').unwrap_or(first).trim_matches('"');
    if !first.get(..4)?.eq_ignore_ascii_case("sep=") {
        return None;
    }
    match first.as_bytes()[4..] {
        [d] if d.is_ascii_punctuation() && d != b'"' || d == b'\t' => Some((d, rest)),
        _ => None,
    }
}

/// The candidate that splits the most sample lines into the same number of cells (quotes
/// respected); then the one giving more cells; then the one rarer in data (tab, `;`, `,`).
/// Comma when none appears (a one-column file).
pub(super) fn sniff_delimiter(text: &str) -> u8 {
    let mut lines: Vec<[usize; 3]> = Vec::new();
    let (mut counts, mut in_quotes, mut blank) = ([0; 3], false, true);
    for &b in text.as_bytes() {
        match b {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => {
                if !blank {
                    lines.push(counts);
                }
                if lines.len() == SAMPLE_ROWS {
                    break;
                }
                (counts, blank) = ([0; 3], true);
                continue;
            }
            _ if in_quotes => {}
            _ => {
                if let Some(i) = DELIMITERS.iter().position(|&d| d == b) {
                    counts[i] += 1;
                }
            }
        }
        blank &= b.is_ascii_whitespace();
    }
    if !blank && lines.len() < SAMPLE_ROWS {
        lines.push(counts);
    }
    let score = |i: usize| {
        let mut per_count: HashMap<usize, usize> = HashMap::new();
        for line in &lines {
            *per_count.entry(line[i]).or_default() += 1;
        }
        // (lines agreeing on the most common non-zero count, that count)
        per_count
            .into_iter()
            .filter(|&(count, _)| count > 0)
            .map(|(count, agreeing)| (agreeing, count))
            .max()
            .unwrap_or((0, 0))
    };
    let best = (0..DELIMITERS.len())
        .map(|i| (score(i), i))
        .max()
        .filter(|((agreeing, _), _)| *agreeing > 0);
    best.map_or(b',', |(_, i)| DELIMITERS[i])
}
