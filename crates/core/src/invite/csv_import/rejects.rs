//! The rejected rows as a CSV file for the clinician to fix.

use super::*;

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
