//! Reading a patient list (CSV, or Excel's tab-separated "Unicode Text") into invites.
//!
//! The pipeline: refuse what is not text (signatures, NUL bytes, control characters) → decode
//! (BOM, UTF-16 by its NUL pattern, UTF-8, else windows-1252) → delimiter (`sep=` line, else the
//! most consistent of `,` `;` tab, outside quotes) → columns (a recognised header row, else
//! inferred from the content) → one `ImportRow` or `RejectedRow` per non-blank record.
//!
//! Row decisions:
//! - SMS is preferred when the row has a valid mobile AND both names (SMS is Huma's recommended
//!   channel; an SMS invite needs the patient's name). Otherwise a valid email gives an email
//!   invite, with names optional. The invitee carries only the contact of its channel.
//! - A row is rejected when no channel works; the reason names the problem. Reasons are sentences
//!   without the row number, which is `RejectedRow::row` (the UI shows "Row 7 — …").
//! - Names that are present are always validated (`< >`, digits, … refuse the row).
//! - A row repeating an accepted row's email (case-insensitive) or mobile (E.164) is rejected as
//!   a duplicate of that row. Blank rows are skipped. Short or long rows are read as they are.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use csv::StringRecord;

use super::email::{address_key, validate_email};
use super::phone::{mobile_e164, region_or_gb};
use super::sms_text::{collapse_whitespace, validate_name};
use super::types::{Channel, CsvProgress, ImportRow, Invitee, PreviewRow, RejectedRow};

mod columns;
mod decode;
mod delimiter;
mod records;
mod rejects;
mod rows;

#[cfg(test)]
mod tests;

use columns::{header_columns, infer_columns, Columns};
use decode::decode;
use delimiter::{sep_line, sniff_delimiter};
use records::{csv_reader, first_rows, is_blank, LineCounter};
pub use rejects::rejects_to_csv;
use rows::{Checker, Rows};

/// The largest file we read (20 MiB, shown as "20 MB"); well over 100,000 patients.
pub const MAX_CSV_BYTES: u64 = 20 * MIB;
const MIB: u64 = 1024 * 1024;
/// How often `progress` is called, in bytes of the file.
const PROGRESS_EVERY: u64 = MIB;
/// Lines looked at to choose the delimiter, and non-blank rows to infer columns from.
const SAMPLE_ROWS: usize = 50;
/// Characters scanned for control characters that betray a binary file.
const CONTROL_SCAN_CHARS: usize = 64 * 1024;
/// Records read before they are checked together on every core.
const CHUNK_ROWS: usize = 8 * 1024;
/// Records a thread takes at a time from a chunk.
const BATCH_ROWS: usize = 256;
/// At most this many threads check records (a list of 100,000 takes a fraction of a second on two).
const MAX_THREADS: usize = 4;

/// A file read for import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRead {
    /// `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `UTF-16BE` or `windows-1252`.
    pub encoding: String,
    pub delimiter: char,
    pub has_header: bool,
    pub accepted: Vec<ImportRow>,
    pub rejected: Vec<RejectedRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file has a header row but no patients.")]
    HeaderOnly,
    #[error(
        "This file is {} MB; the limit is {} MB. Split it into smaller files.",
        megabytes(*.size),
        MAX_CSV_BYTES / MIB
    )]
    TooLarge { size: u64 },
    #[error("This looks like an Excel workbook (.xlsx). Save it as CSV first.")]
    ExcelWorkbook,
    #[error("This looks like an older Excel workbook (.xls). Save it as CSV first.")]
    LegacyExcel,
    #[error("This looks like an OpenDocument spreadsheet (.ods). Save it as CSV first.")]
    OpenDocument,
    #[error("This is a PDF, not a CSV file.")]
    Pdf,
    #[error("This is an image, not a CSV file.")]
    Image,
    #[error("This is not a text file. Choose a CSV file, or save the list as CSV first.")]
    Binary,
    #[error(
        "Could not find an email or mobile number column. Name the columns, e.g. “Email” or “Mobile”."
    )]
    NoContactColumn,
    #[error("Could not read the file: {0}")]
    Io(String),
    /// The clinician stopped the read (`cancel` was set): nothing was kept.
    #[error("The import was cancelled.")]
    Cancelled,
}

/// Megabytes (MiB) with one decimal, rounded up so a file just over the limit never reads "20.0".
fn megabytes(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10).div_ceil(MIB);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Reads a file, refusing one over [`MAX_CSV_BYTES`] before reading it; stops with
/// [`CsvError::Cancelled`] soon after `cancel` is set (it is looked at between chunks of rows).
pub fn read_csv_file(
    path: &Path,
    default_region: &str,
    progress: &mut dyn FnMut(CsvProgress),
    cancel: &AtomicBool,
) -> Result<CsvRead, CsvError> {
    let io = |e: std::io::Error| CsvError::Io(e.to_string());
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > MAX_CSV_BYTES {
        return Err(CsvError::TooLarge { size });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or_default());
    // `take` also guards against a file that grows after the size check.
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_CSV_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let read = bytes.len() as u64;
    if read > MAX_CSV_BYTES {
        return Err(CsvError::TooLarge { size: read });
    }
    read_csv_with(
        &bytes,
        default_region,
        progress,
        Parallel::for_this_computer(),
        cancel,
    )
}

/// Reads the bytes of a CSV file. `default_region` is the settings' phone region (e.g. "GB").
pub fn read_csv(
    bytes: &[u8],
    default_region: &str,
    progress: &mut dyn FnMut(CsvProgress),
) -> Result<CsvRead, CsvError> {
    read_csv_with(
        bytes,
        default_region,
        progress,
        Parallel::for_this_computer(),
        &AtomicBool::new(false),
    )
}

/// How records are checked: in chunks of `chunk_rows`, each on up to `threads` threads taking
/// `batch_rows` at a time. The answer is the same whatever these are.
#[derive(Debug, Clone, Copy)]
struct Parallel {
    chunk_rows: usize,
    batch_rows: usize,
    threads: usize,
}

impl Parallel {
    fn for_this_computer() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self {
            chunk_rows: CHUNK_ROWS,
            batch_rows: BATCH_ROWS,
            threads: cores.clamp(1, MAX_THREADS),
        }
    }
}

fn read_csv_with(
    bytes: &[u8],
    default_region: &str,
    progress: &mut dyn FnMut(CsvProgress),
    parallel: Parallel,
    cancel: &AtomicBool,
) -> Result<CsvRead, CsvError> {
    let total_bytes = bytes.len() as u64;
    progress(CsvProgress {
        bytes_read: 0,
        total_bytes,
    });
    let (text, encoding) = decode(bytes)?;
    let layout = Layout::of(&text)?;
    // Progress is reported in bytes of the file, which differ from the decoded text's for UTF-16.
    let body_start = text.len() - layout.body.len();
    let mut report = |byte: u64| {
        let scaled = u128::from(body_start as u64 + byte) * u128::from(total_bytes)
            / text.len().max(1) as u128;
        progress(CsvProgress {
            bytes_read: u64::try_from(scaled).unwrap_or(total_bytes),
            total_bytes,
        });
    };
    let checker = Checker::new(layout.columns, region_or_gb(default_region));
    let rows = layout.read_rows(checker, parallel, &mut report, cancel)?;
    if rows.accepted.is_empty() && rows.rejected.is_empty() {
        return Err(if layout.has_header {
            CsvError::HeaderOnly
        } else {
            CsvError::Empty
        });
    }
    report(layout.body.len() as u64);
    Ok(CsvRead {
        encoding: encoding.to_owned(),
        delimiter: char::from(layout.delimiter),
        has_header: layout.has_header,
        accepted: rows.accepted,
        rejected: rows.rejected,
    })
}

/// How a decoded file is laid out: delimiter, where the records start, and what each column is.
struct Layout<'a> {
    delimiter: u8,
    /// The text after any `sep=` line.
    body: &'a str,
    /// Lines before `body` (1 after a `sep=` line), so row numbers match the file.
    lines_before: u64,
    columns: Columns,
    has_header: bool,
}

impl<'a> Layout<'a> {
    fn of(text: &'a str) -> Result<Self, CsvError> {
        let (delimiter, body, lines_before) = match sep_line(text) {
            Some((delimiter, rest)) => (delimiter, rest, 1),
            None => (sniff_delimiter(text), text, 0),
        };
        let sample = first_rows(body, delimiter);
        let first = sample.first().ok_or(CsvError::Empty)?;
        let (columns, has_header) = match header_columns(first) {
            Some(columns) => (columns, true),
            None => (infer_columns(&sample), false),
        };
        if columns.email.is_none() && columns.phone.is_none() {
            return Err(CsvError::NoContactColumn);
        }
        Ok(Self {
            delimiter,
            body,
            lines_before,
            columns,
            has_header,
        })
    }

    /// Every non-blank record after the header, decided in file order; `report` gets the byte
    /// offset in `body` about every [`PROGRESS_EVERY`] bytes.
    ///
    /// Records are read a chunk at a time (their buffers reused), checked on every core, then
    /// settled in order: the duplicate check and the row numbers are those of a one-by-one read.
    fn read_rows(
        &self,
        checker: Checker,
        parallel: Parallel,
        report: &mut dyn FnMut(u64),
        cancel: &AtomicBool,
    ) -> Result<Rows, CsvError> {
        let mut reader = csv_reader(self.body, self.delimiter);
        let mut lines = LineCounter::new(self.body);
        let chunk_rows = parallel.chunk_rows.max(1);
        let mut chunk = Chunk::default();
        let mut checked = Vec::new();
        let mut rows = Rows::default();
        let (mut skip_header, mut next_report, mut more) = (self.has_header, PROGRESS_EVERY, true);
        while more {
            if cancel.load(Ordering::Relaxed) {
                return Err(CsvError::Cancelled);
            }
            chunk.clear();
            while chunk.len < chunk_rows {
                if chunk.len == chunk.records.len() {
                    chunk.records.push(StringRecord::new());
                }
                let record = &mut chunk.records[chunk.len];
                more = reader
                    .read_record(record)
                    .map_err(|e| CsvError::Io(e.to_string()))?;
                if !more {
                    break;
                }
                if is_blank(record) || std::mem::take(&mut skip_header) {
                    continue;
                }
                let byte = record.position().map_or(0, csv::Position::byte);
                let line = lines.line_at(byte) + self.lines_before;
                chunk.rows.push(u32::try_from(line).unwrap_or(u32::MAX));
                chunk.bytes.push(byte);
                chunk.len += 1;
            }
            let records = &chunk.records[..chunk.len];
            checker.check_all(
                records,
                &chunk.rows,
                &mut checked,
                parallel.threads,
                parallel.batch_rows,
            );
            for ((checked, record), &byte) in checked.drain(..).zip(records).zip(&chunk.bytes) {
                if let Some(checked) = checked {
                    rows.settle(checked, record);
                }
                if byte >= next_report {
                    report(byte);
                    next_report = byte + PROGRESS_EVERY;
                }
            }
        }
        Ok(rows)
    }
}

/// The records of a chunk, with the line each starts on and its byte offset in the body.
#[derive(Default)]
struct Chunk {
    /// Buffers for at least `len` records; those past `len` are kept for the next chunk.
    records: Vec<StringRecord>,
    len: usize,
    rows: Vec<u32>,
    bytes: Vec<u64>,
}

impl Chunk {
    fn clear(&mut self) {
        self.len = 0;
        self.rows.clear();
        self.bytes.clear();
    }
}

/// An accepted row as the preview shows it: the number written as the clinician reads it.
impl From<&ImportRow> for PreviewRow {
    fn from(row: &ImportRow) -> Self {
        let recipient = match row.channel {
            Channel::Sms => row.invitee.phone.as_deref(),
            Channel::Email => row.invitee.email.as_deref(),
        };
        PreviewRow {
            recipient_display: super::phone::display(recipient.unwrap_or_default()),
            row: row.clone(),
        }
    }
}
