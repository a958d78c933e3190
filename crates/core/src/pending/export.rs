//! The pending view as a CSV file for a spreadsheet: UTF-8 with a byte-order mark (so Excel reads
//! names with accents correctly), and every cell that a spreadsheet could run as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or CR) prefixed with `'`. Phone numbers start with `+`,
//! so they carry the `'` too: it keeps them text.

use chrono::{DateTime, Local};

use super::types::{PendingInvite, PendingStatus};
use crate::invite::types::Channel;

pub const HEADER: [&str; 11] = [
    "Patient name",
    "Recipient",
    "Channel",
    "Sent",
    "Expires",
    "Reminder due",
    "Reminder sent",
    "Invited by",
    "Resends left",
    "Status",
    "On this computer",
];

pub fn neutralise(cell: &str) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// An RFC 3339 time as the computer's local date and time, as the view shows it.
fn local_time(value: Option<&str>) -> String {
    value
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

pub fn status_label(status: PendingStatus) -> &'static str {
    match status {
        PendingStatus::Queued => "Queued",
        PendingStatus::Sending => "Sending",
        PendingStatus::Rejected => "Rejected",
        PendingStatus::NeedsAttention => "Needs attention",
        PendingStatus::Sent => "Sent",
        PendingStatus::Delivered => "Delivered",
        PendingStatus::Failed => "Delivery failed",
        PendingStatus::ResendQueued => "Resend queued",
        PendingStatus::RevokeQueued => "Revoke queued",
    }
}

fn cells(row: &PendingInvite) -> [String; 11] {
    [
        row.patient_name.clone(),
        row.recipient.clone(),
        match row.channel {
            Channel::Sms => "SMS".to_owned(),
            Channel::Email => "Email".to_owned(),
        },
        local_time(row.sent_at.as_deref()),
        local_time(row.expires_at.as_deref()),
        local_time(row.reminder_due_at.as_deref()),
        if row.reminder_sent { "Yes" } else { "No" }.to_owned(),
        row.invited_by.clone().unwrap_or_default(),
        row.resends_left.map(|n| n.to_string()).unwrap_or_default(),
        status_label(row.status).to_owned(),
        if row.on_this_computer { "Yes" } else { "No" }.to_owned(),
    ]
}

/// The rows, in the order given, as CSV text starting with a byte-order mark.
pub fn to_csv(rows: &[&PendingInvite]) -> String {
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::new());
    // Writing to memory cannot fail; an empty export is the safe answer if it ever did.
    let written = writer.write_record(HEADER).and_then(|()| {
        rows.iter()
            .try_for_each(|row| writer.write_record(cells(row).iter().map(|c| neutralise(c))))
    });
    let bytes = match (written, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => bytes,
        _ => Vec::new(),
    };
    format!("\u{FEFF}{}", String::from_utf8_lossy(&bytes))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn row(name: &str, recipient: &str, invited_by: &str) -> PendingInvite {
        PendingInvite {
            patient_name: name.into(),
            recipient: recipient.into(),
            invited_by: Some(invited_by.into()),
            ..PendingInvite::sample()
        }
    }

    #[test]
    fn every_cell_that_could_be_a_formula_is_neutralised() {
        let evil = row("=HYPERLINK(\"http://x\")", "+447700900456", "@SUM(A1)");
        let tabbed = row("\tTab", "-1", "\rCR");
        let plain = row("Zoë O'Brien", "zoe@example.com", "Amelia Hart");
        let csv = to_csv(&[&evil, &tabbed, &plain]);
        assert!(csv.starts_with('\u{FEFF}'));
        let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{FEFF}').as_bytes());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), HEADER);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&records[0][0], "'=HYPERLINK(\"http://x\")");
        assert_eq!(&records[0][1], "'+447700900456");
        assert_eq!(&records[0][7], "'@SUM(A1)");
        assert_eq!(&records[1][0], "'\tTab");
        assert_eq!(&records[1][1], "'-1");
        assert_eq!(&records[1][7], "'\rCR");
        assert_eq!(&records[2][0], "Zoë O'Brien");
        assert_eq!(&records[2][8], "4");
        assert_eq!(&records[2][9], "Delivered");
        for record in &records {
            for cell in record {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{cell:?}"
                );
            }
        }
    }

    #[test]
    fn rows_keep_the_given_order() {
        let a = row("Ann", "a@example.com", "X");
        let b = row("Bob", "b@example.com", "X");
        let csv = to_csv(&[&b, &a]);
        let bob = csv.find("Bob").unwrap();
        let ann = csv.find("Ann").unwrap();
        assert!(bob < ann);
    }
}
