//! Records out of the decoded text, and the file line each starts on.

use csv::StringRecord;

use super::*;

pub(super) fn csv_reader(body: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes())
}

/// The first non-blank records (for the header and column inference).
pub(super) fn first_rows(body: &str, delimiter: u8) -> Vec<StringRecord> {
    csv_reader(body, delimiter)
        .into_records()
        .map_while(Result::ok)
        .filter(|r| !is_blank(r))
        .take(SAMPLE_ROWS)
        .collect()
}

/// The 1-based line a record starts on, as a text editor shows it. (`csv::Position::line` lags by
/// one after a CRLF line end, so lines are counted from the record's byte offset.)
pub(super) struct LineCounter<'a> {
    pub(super) text: &'a [u8],
    pub(super) counted_to: usize,
    pub(super) line: u64,
}

impl<'a> LineCounter<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            counted_to: 0,
            line: 1,
        }
    }

    /// Records come in order, so each call counts only the bytes since the previous one.
    pub(super) fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte).map_or(self.text.len(), |b| b.min(self.text.len()));
        // The offset may point at the previous record's line break.
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let start = start.max(self.counted_to);
        let breaks = self.text[self.counted_to..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += breaks as u64;
        self.counted_to = start;
        self.line
    }
}

pub(super) fn is_blank(record: &StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}
