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

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use csv::StringRecord;
use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
use phonenumber::country::Id;

use super::email::{address_key, validate_email};
use super::phone::{mobile_e164, region_or_gb};
use super::sms_text::{collapse_whitespace, validate_name};
use super::types::{Channel, CsvProgress, ImportRow, Invitee, RejectedRow};

/// The largest file we read (20 MiB, shown as "20 MB"); well over 100,000 patients.
pub const MAX_CSV_BYTES: u64 = 20 * MIB;
const MIB: u64 = 1024 * 1024;
/// How often `progress` is called, in bytes of the file.
const PROGRESS_EVERY: u64 = MIB;
/// Lines looked at to choose the delimiter, and non-blank rows to infer columns from.
const SAMPLE_ROWS: usize = 50;
/// Characters scanned for control characters that betray a binary file.
const CONTROL_SCAN_CHARS: usize = 64 * 1024;

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
}

/// Megabytes (MiB) with one decimal, rounded up so a file just over the limit never reads "20.0".
fn megabytes(bytes: u64) -> String {
    let tenths = bytes.saturating_mul(10).div_ceil(MIB);
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// Reads a file, refusing one over [`MAX_CSV_BYTES`] before reading it.
pub fn read_csv_file(
    path: &Path,
    default_region: &str,
    progress: &mut dyn FnMut(CsvProgress),
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
    read_csv(&bytes, default_region, progress)
}

/// Reads the bytes of a CSV file. `default_region` is the settings' phone region (e.g. "GB").
pub fn read_csv(
    bytes: &[u8],
    default_region: &str,
    progress: &mut dyn FnMut(CsvProgress),
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
    let mut rows = Rows::new(layout.columns, region_or_gb(default_region));
    layout.read_rows(&mut rows, &mut report)?;
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

    /// Every non-blank record after the header into `rows`; `report` gets the byte offset in
    /// `body` about every [`PROGRESS_EVERY`] bytes.
    fn read_rows(&self, rows: &mut Rows, report: &mut dyn FnMut(u64)) -> Result<(), CsvError> {
        let mut reader = csv_reader(self.body, self.delimiter);
        let mut lines = LineCounter::new(self.body);
        let mut record = StringRecord::new();
        let (mut skip_header, mut next_report) = (self.has_header, PROGRESS_EVERY);
        while reader
            .read_record(&mut record)
            .map_err(|e| CsvError::Io(e.to_string()))?
        {
            if is_blank(&record) || std::mem::take(&mut skip_header) {
                continue;
            }
            let byte = record.position().map_or(0, csv::Position::byte);
            let line = lines.line_at(byte) + self.lines_before;
            rows.add(u32::try_from(line).unwrap_or(u32::MAX), &record);
            if byte >= next_report {
                report(byte);
                next_report = byte + PROGRESS_EVERY;
            }
        }
        Ok(())
    }
}

// ---- Decoding -------------------------------------------------------------------------------

fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), CsvError> {
    if bytes.is_empty() {
        return Err(CsvError::Empty);
    }
    if let Some(refusal) = sniff_signature(bytes) {
        return Err(refusal);
    }
    let utf16 = |encoding: &'static Encoding, rest| {
        (
            encoding.decode_without_bom_handling(rest).0,
            encoding.name(),
        )
    };
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        (UTF_8.decode_without_bom_handling(rest).0, "UTF-8 (BOM)")
    } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(UTF_16LE, rest)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(UTF_16BE, rest)
    } else if let Some(encoding) = utf16_by_nul_pattern(bytes) {
        utf16(encoding, bytes)
    } else if bytes.contains(&0) {
        return Err(CsvError::Binary);
    } else if let Ok(text) = std::str::from_utf8(bytes) {
        (Cow::Borrowed(text), "UTF-8")
    } else {
        (
            WINDOWS_1252.decode_without_bom_handling(bytes).0,
            "windows-1252",
        )
    };
    let control = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r' | '\x0C' | '\x1A');
    if text.contains('\0') || text.chars().take(CONTROL_SCAN_CHARS).any(control) {
        return Err(CsvError::Binary);
    }
    Ok((text, encoding))
}

/// Files people pick by mistake, recognised by their first bytes. (An .xlsx or .ods is a ZIP.)
fn sniff_signature(bytes: &[u8]) -> Option<CsvError> {
    let head = &bytes[..bytes.len().min(4096)];
    let zip = [b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08"];
    if zip.iter().any(|sig| head.starts_with(*sig)) {
        let ods = head.windows(12).any(|w| w == b"opendocument");
        return Some(if ods {
            CsvError::OpenDocument
        } else {
            CsvError::ExcelWorkbook
        });
    }
    let signatures: [(&[u8], CsvError); 5] = [
        (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", CsvError::LegacyExcel),
        (b"%PDF-", CsvError::Pdf),
        (b"\x89PNG\r\n\x1a\n", CsvError::Image),
        (b"\xFF\xD8\xFF", CsvError::Image),
        (b"GIF8", CsvError::Image),
    ];
    signatures
        .into_iter()
        .find(|(sig, _)| head.starts_with(sig))
        .map(|(_, refusal)| refusal)
}

/// UTF-16 without a BOM: text in the Latin range has a NUL in (nearly) every other byte, on the
/// odd side for little-endian and the even side for big-endian. Binary files have NULs on both.
fn utf16_by_nul_pattern(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    let pairs = sample.len() / 2;
    let (even, odd) = sample.chunks_exact(2).fold((0, 0), |(e, o), pair| {
        (e + usize::from(pair[0] == 0), o + usize::from(pair[1] == 0))
    });
    let one_sided =
        |this: usize, other: usize| pairs >= 2 && this * 4 >= pairs && other * 20 <= this;
    if one_sided(odd, even) {
        Some(UTF_16LE)
    } else if one_sided(even, odd) {
        Some(UTF_16BE)
    } else {
        None
    }
}

// ---- Delimiter ------------------------------------------------------------------------------

const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];

/// Excel's `sep=;` first line: the delimiter and the text after that line.
fn sep_line(text: &str) -> Option<(u8, &str)> {
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
fn sniff_delimiter(text: &str) -> u8 {
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

// ---- Columns --------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Columns {
    email: Option<usize>,
    phone: Option<usize>,
    given: Option<usize>,
    family: Option<usize>,
    /// A single "Name" column, split on its last space (or "Last, First").
    full: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Email,
    Phone,
    Given,
    Family,
    Full,
}

/// What a header cell names, with a rank (0 = exact name) so that "Mobile Phone" beats
/// "Business Phone" and "Name" beats "Company Name".
fn header_kind(cell: &str) -> Option<(Kind, u8)> {
    let key: String = cell
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let exact: &[(Kind, &[&str])] = &[
        (Kind::Email, &["email", "emailaddress", "mail", "emails"]),
        (
            Kind::Phone,
            &[
                "phone",
                "mobile",
                "mobilenumber",
                "phonenumber",
                "tel",
                "telephone",
                "cell",
                "mobilephone",
                "cellphone",
                "mobileno",
                "phoneno",
                "telno",
            ],
        ),
        (
            Kind::Given,
            &[
                "firstname",
                "givenname",
                "forename",
                "forenames",
                "first",
                "givennames",
            ],
        ),
        (Kind::Family, &["lastname", "surname", "familyname", "last"]),
        (Kind::Full, &["name", "fullname", "patientname", "patient"]),
    ];
    if let Some((kind, _)) = exact
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
    {
        return Some((*kind, 0));
    }
    // Words inside a longer heading ("Mobile Phone", "E-mail 2 Address"); a single word must match
    // exactly, so a first name like "Marcella" in a file without a header never reads as "cell".
    if !cell.trim().contains(|c: char| !c.is_alphanumeric()) {
        return None;
    }
    let has = |parts: &[&str]| parts.iter().any(|p| key.contains(p));
    if has(&["mail"]) {
        Some((Kind::Email, 1))
    } else if has(&["mobile", "cell"]) {
        Some((Kind::Phone, 1))
    } else if has(&["phone", "telephone"]) {
        Some((Kind::Phone, 2))
    } else if has(&["firstname", "forename", "givenname"]) {
        Some((Kind::Given, 1))
    } else if has(&["surname", "lastname", "familyname"]) {
        Some((Kind::Family, 1))
    } else if key.ends_with("name") {
        Some((Kind::Full, 2))
    } else {
        None
    }
}

/// The columns named by a header row, or `None` when the row is data (or names nothing we use).
fn header_columns(record: &StringRecord) -> Option<Columns> {
    if record
        .iter()
        .any(|c| looks_like_email(c) || looks_like_phone(c))
    {
        return None;
    }
    let mut best: [Option<(u8, usize)>; 5] = [None; 5];
    for (i, cell) in record.iter().enumerate() {
        if let Some((kind, rank)) = header_kind(cell) {
            let slot = &mut best[kind as usize];
            if slot.is_none_or(|(r, _)| rank < r) {
                *slot = Some((rank, i));
            }
        }
    }
    let pick = |kind: Kind| best[kind as usize].map(|(_, i)| i);
    best.iter().any(Option::is_some).then(|| Columns {
        email: pick(Kind::Email),
        phone: pick(Kind::Phone),
        given: pick(Kind::Given),
        family: pick(Kind::Family),
        full: pick(Kind::Full),
    })
}

/// Without a header: the column mostly holding emails, the one mostly holding phone numbers, and
/// text columns as first and last name (one text column is a full name).
fn infer_columns(sample: &[StringRecord]) -> Columns {
    let width = sample.iter().map(StringRecord::len).max().unwrap_or(0);
    let mostly = |col: usize, test: fn(&str) -> bool| {
        let cells = sample.iter().filter_map(|r| r.get(col)).map(str::trim);
        let (filled, matching) = cells
            .filter(|c| !c.is_empty())
            .fold((0, 0), |(f, m), c| (f + 1, m + usize::from(test(c))));
        (matching * 2 > filled).then_some(matching)
    };
    let best_column = |test: fn(&str) -> bool| {
        (0..width)
            .filter_map(|col| mostly(col, test).map(|m| (m, std::cmp::Reverse(col))))
            .max()
            .map(|(_, std::cmp::Reverse(col))| col)
    };
    let email = best_column(looks_like_email);
    let phone = best_column(looks_like_phone);
    let text: Vec<usize> = (0..width)
        .filter(|&c| Some(c) != email && Some(c) != phone && mostly(c, looks_like_name).is_some())
        .collect();
    let mut columns = Columns {
        email,
        phone,
        ..Columns::default()
    };
    match text[..] {
        [] => {}
        [full] => columns.full = Some(full),
        [given, family, ..] => (columns.given, columns.family) = (Some(given), Some(family)),
    }
    columns
}

fn looks_like_email(cell: &str) -> bool {
    cell.trim()
        .split_once('@')
        .is_some_and(|(_, domain)| domain.contains('.'))
}

fn looks_like_phone(cell: &str) -> bool {
    let digits = cell.bytes().filter(u8::is_ascii_digit).count();
    digits >= 7
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || "+-.()".contains(c))
}

fn looks_like_name(cell: &str) -> bool {
    cell.chars().any(char::is_alphabetic)
        && !cell.contains('@')
        && !cell.contains(|c: char| c.is_ascii_digit())
}

// ---- Rows -----------------------------------------------------------------------------------

fn csv_reader(body: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body.as_bytes())
}

/// The first non-blank records (for the header and column inference).
fn first_rows(body: &str, delimiter: u8) -> Vec<StringRecord> {
    csv_reader(body, delimiter)
        .into_records()
        .map_while(Result::ok)
        .filter(|r| !is_blank(r))
        .take(SAMPLE_ROWS)
        .collect()
}

/// The 1-based line a record starts on, as a text editor shows it. (`csv::Position::line` lags by
/// one after a CRLF line end, so lines are counted from the record's byte offset.)
struct LineCounter<'a> {
    text: &'a [u8],
    counted_to: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text: text.as_bytes(),
            counted_to: 0,
            line: 1,
        }
    }

    /// Records come in order, so each call counts only the bytes since the previous one.
    fn line_at(&mut self, byte: u64) -> u64 {
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

fn is_blank(record: &StringRecord) -> bool {
    record.iter().all(|c| c.trim().is_empty())
}

struct Rows {
    columns: Columns,
    region: Id,
    /// Accepted rows' contacts → their row, to report duplicates.
    seen: HashMap<String, u32>,
    accepted: Vec<ImportRow>,
    rejected: Vec<RejectedRow>,
}

/// A row's usable contacts, as duplicate keys.
struct Contacts {
    phone: Option<String>,
    email: Option<String>,
}

impl Rows {
    fn new(columns: Columns, region: Id) -> Self {
        Self {
            columns,
            region,
            seen: HashMap::new(),
            accepted: Vec::new(),
            rejected: Vec::new(),
        }
    }

    fn add(&mut self, row: u32, record: &StringRecord) {
        let outcome = self.read(record).and_then(|(invitee, channel, contacts)| {
            let keys = [contacts.phone, contacts.email.as_deref().map(address_key)];
            if let Some(first) = keys.iter().flatten().find_map(|k| self.seen.get(k)) {
                return Err(format!("Duplicate of row {first}."));
            }
            for key in keys.into_iter().flatten() {
                self.seen.insert(key, row);
            }
            Ok((invitee, channel))
        });
        match outcome {
            Ok((invitee, channel)) => self.accepted.push(ImportRow {
                row,
                invitee,
                channel,
            }),
            Err(reason) => self.rejected.push(RejectedRow {
                row,
                cells: record.iter().map(str::to_owned).collect(),
                reason,
            }),
        }
    }

    fn read(&self, record: &StringRecord) -> Result<(Invitee, Channel, Contacts), String> {
        let cell = |col: Option<usize>| col.and_then(|i| record.get(i)).map_or("", str::trim);
        let c = self.columns;
        let (given, family) = match (c.given, c.family, c.full) {
            (None, None, Some(_)) => split_full_name(cell(c.full)),
            _ => (cell(c.given).to_owned(), cell(c.family).to_owned()),
        };
        let given = optional_name("First name", &given)?;
        let family = optional_name("Last name", &family)?;
        let filled = |col| Some(cell(col)).filter(|s| !s.is_empty());
        let phone = filled(c.phone).map(|p| mobile_e164(p, self.region));
        let email = filled(c.email).map(validate_email);
        let contacts = Contacts {
            phone: phone.clone().and_then(Result::ok),
            email: email.clone().and_then(Result::ok),
        };
        let named = !given.is_empty() && !family.is_empty();
        let (channel, phone, email) = match (phone, email) {
            (Some(Ok(phone)), _) if named => (Channel::Sms, Some(phone), None),
            (_, Some(Ok(email))) => (Channel::Email, None, Some(email)),
            (Some(Ok(_)), _) => {
                let missing = if given.is_empty() { "First" } else { "Last" };
                return Err(format!(
                    "{missing} name is empty; SMS invites need the patient's first and last name."
                ));
            }
            (Some(Err(p)), Some(Err(e))) => return Err(format!("{p} {e}")),
            (Some(Err(p)), None) => return Err(p.to_string()),
            (None, Some(Err(e))) => return Err(e.to_string()),
            (None, None) => return Err("No email address or mobile number.".to_owned()),
        };
        let invitee = Invitee {
            given_name: given,
            family_name: family,
            email,
            phone,
        };
        Ok((invitee, channel, contacts))
    }
}

/// An empty name is allowed here (email invites); a present one must be valid.
fn optional_name(label: &str, name: &str) -> Result<String, String> {
    if name.is_empty() {
        Ok(String::new())
    } else {
        validate_name(label, name)
    }
}

/// "Mary Ann Smith" → ("Mary Ann", "Smith"); "Smith, Mary Ann" → ("Mary Ann", "Smith").
fn split_full_name(full: &str) -> (String, String) {
    let full = collapse_whitespace(full);
    let (given, family) = match full.split_once(',') {
        Some((family, given)) => (given, family),
        None => full.rsplit_once(' ').unwrap_or((&full, "")),
    };
    (given.trim().to_owned(), family.trim().to_owned())
}

// ---- Rejects export -------------------------------------------------------------------------

/// The rejected rows as CSV for the clinician to fix: `row,reason,column 1,…`, starting with a
/// UTF-8 BOM so Excel shows accents correctly. Every cell that a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-`, `@`, tab or CR) is prefixed with `'`.
pub fn rejects_to_csv(rejected: &[RejectedRow]) -> String {
    // Writing to memory cannot fail; an empty export is the safe answer if it ever did.
    let bytes = write_rejects(rejected).unwrap_or_default();
    format!("\u{FEFF}{}", String::from_utf8_lossy(&bytes))
}

fn write_rejects(rejected: &[RejectedRow]) -> csv::Result<Vec<u8>> {
    let width = rejected.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    let header = ["row".to_owned(), "reason".to_owned()];
    writer.write_record(
        header
            .into_iter()
            .chain((1..=width).map(|i| format!("column {i}"))),
    )?;
    for r in rejected {
        let cells = [r.row.to_string(), r.reason.clone()]
            .into_iter()
            .chain(r.cells.iter().cloned());
        writer.write_record(cells.map(neutralise))?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}

fn neutralise(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<CsvRead, CsvError> {
        read_csv(text.as_bytes(), "GB", &mut |_| {})
    }

    #[test]
    fn delimiter_sniffing_respects_quotes_and_consistency() {
        let cases = [
            ("a,b,c\n1,2,3\n", b','),
            ("a;b;c\n1;2;3\n", b';'),
            ("a\tb\tc\n1\t2\t3", b'\t'),
            (
                "\"Smith, Jo\";x@example.com\n\"Hart, Al\";y@example.com\n",
                b';',
            ),
            (
                "\"Smith; Jo\",x@example.com\n\"Hart; Al\",y@example.com\n",
                b',',
            ),
            ("x@example.com\ny@example.com\n", b','),
            (
                "name;e-mail\nSmith, Jo;x@example.com\nHart;y@example.com\n",
                b';',
            ),
            ("", b','),
        ];
        for (text, want) in cases {
            assert_eq!(
                char::from(sniff_delimiter(text)),
                char::from(want),
                "{text:?}"
            );
        }
        assert_eq!(sep_line("sep=;\na;b"), Some((b';', "a;b")));
        assert_eq!(sep_line("\"SEP=|\"\r\na|b").map(|(d, _)| d), Some(b'|'));
        assert_eq!(sep_line("sep=\t\r\na\tb"), Some((b'\t', "a\tb")));
        assert_eq!(sep_line("sep=;;\n"), None);
        assert_eq!(sep_line("separate,x\n"), None);
    }

    #[test]
    fn header_names_are_recognised_loosely_but_ranked() {
        let header = StringRecord::from(vec![
            "Company Name",
            "First_Name",
            "SURNAME",
            "Business Phone",
            "Mobile Phone",
            "E-mail Address",
            "Name",
        ]);
        assert_eq!(
            header_columns(&header),
            Some(Columns {
                email: Some(5),
                phone: Some(4),
                given: Some(1),
                family: Some(2),
                full: Some(6),
            })
        );
        let data = StringRecord::from(vec!["Sam", "mail@example.com"]);
        assert_eq!(header_columns(&data), None);
        let names_only = StringRecord::from(vec!["Marcella", "Lastname-Smith"]);
        assert_eq!(header_columns(&names_only).and_then(|c| c.phone), None);
        assert_eq!(
            header_columns(&StringRecord::from(vec!["NHS number", "DOB"])),
            None
        );
    }

    #[test]
    fn utf16_is_told_from_binary_by_its_nul_pattern() {
        let le: Vec<u8> = "email\r\nx@example.com"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "email\r\nx@example.com"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(utf16_by_nul_pattern(&le), Some(UTF_16LE));
        assert_eq!(utf16_by_nul_pattern(&be), Some(UTF_16BE));
        assert_eq!(
            utf16_by_nul_pattern(b"\x00\x01\x02\x03\xff\x10\x80\x00"),
            None
        );
        assert_eq!(
            decode(b"a,b\x00\x00\x07\x00\x00c").unwrap_err(),
            CsvError::Binary
        );
        assert_eq!(
            decode(b"email\x07\nx@example.com").unwrap_err(),
            CsvError::Binary
        );
    }

    #[test]
    fn full_names_split_on_the_last_space_or_a_comma() {
        let split = |s| split_full_name(s);
        assert_eq!(
            split("Mary Ann  Smith"),
            ("Mary Ann".into(), "Smith".into())
        );
        assert_eq!(
            split("Smith, Mary Ann"),
            ("Mary Ann".into(), "Smith".into())
        );
        assert_eq!(split("Cher"), ("Cher".into(), String::new()));
    }

    #[test]
    fn sms_is_preferred_and_email_is_the_fallback() {
        let text = "first,last,email,mobile\n\
                    Sam,Patel,sam@example.com,07700 900001\n\
                    ,,nameless@example.com,07700 900002\n\
                    Ana,Ruiz,ana@example.com,020 7946 0000\n\
                    Bo,,,07700 900004\n";
        let read = read(text).unwrap();
        let got: Vec<_> = read
            .accepted
            .iter()
            .map(|r| {
                (
                    r.row,
                    r.channel,
                    r.invitee.phone.as_deref(),
                    r.invitee.email.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (2, Channel::Sms, Some("+447700900001"), None),
                (3, Channel::Email, None, Some("nameless@example.com")),
                (4, Channel::Email, None, Some("ana@example.com")),
            ]
        );
        assert_eq!(read.rejected.len(), 1);
        assert_eq!(read.rejected[0].row, 5);
        assert!(read.rejected[0].reason.starts_with("Last name is empty"));
    }

    #[test]
    fn progress_is_reported_from_zero_to_the_total() {
        let mut text = String::from("email\n");
        for i in 0..120_000 {
            text.push_str(&format!("patient{i}@example.com\n"));
        }
        let mut seen = Vec::new();
        let read = read_csv(text.as_bytes(), "GB", &mut |p| seen.push(p.bytes_read)).unwrap();
        assert_eq!(read.accepted.len(), 120_000);
        assert_eq!(seen.first(), Some(&0));
        assert_eq!(seen.last(), Some(&(text.len() as u64)));
        assert!(
            seen.len() >= 3 && seen.windows(2).all(|w| w[0] <= w[1]),
            "{seen:?}"
        );
    }

    #[test]
    fn rejects_export_neutralises_formulas() {
        let rejected = vec![
            RejectedRow {
                row: 3,
                cells: vec![
                    "=HYPERLINK(\"http://x\")".into(),
                    "+44 20 7946 0000".into(),
                    "Zoë".into(),
                ],
                reason: "That looks like a landline number; SMS invites need a mobile number."
                    .into(),
            },
            RejectedRow {
                row: 7,
                cells: vec![
                    "-1".into(),
                    "@SUM(A1)".into(),
                    "\tx".into(),
                    "\ry".into(),
                    "a, b".into(),
                ],
                reason: "The email address is missing an @.".into(),
            },
        ];
        let csv = rejects_to_csv(&rejected);
        assert!(csv.starts_with("\u{FEFF}row,reason,column 1,"));
        let back: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(csv.trim_start_matches('\u{FEFF}').as_bytes())
            .into_records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        let header = [
            "row", "reason", "column 1", "column 2", "column 3", "column 4", "column 5",
        ];
        assert_eq!(back[0], header);
        assert_eq!(
            back[1],
            [
                "3",
                "That looks like a landline number; SMS invites need a mobile number.",
                "'=HYPERLINK(\"http://x\")",
                "'+44 20 7946 0000",
                "Zoë"
            ]
        );
        assert_eq!(
            back[2],
            [
                "7",
                "The email address is missing an @.",
                "'-1",
                "'@SUM(A1)",
                "'\tx",
                "'\ry",
                "a, b"
            ]
        );
        assert!(csv.starts_with('\u{FEFF}'));
        assert_eq!(megabytes(MAX_CSV_BYTES + 1), "20.1");
        assert_eq!(megabytes(21 * MIB), "21.0");
    }
}
