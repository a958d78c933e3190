//! Decoding: refuse what is not text (file signatures, NUL bytes, control characters), then the
//! byte-order mark, UTF-16 by its NUL pattern, UTF-8, else windows-1252.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use super::*;

pub(super) fn decode(bytes: &[u8]) -> Result<(Cow<'_, str>, &'static str), CsvError> {
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
pub(super) fn utf16_by_nul_pattern(bytes: &[u8]) -> Option<&'static Encoding> {
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
