//! Invite types the UI sees (TypeScript bindings are generated from these).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::language::Language;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Channel {
    Sms,
    Email,
}

/// A validated recipient: names trimmed, phone in E.164, email normalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Invitee {
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    /// E.164, e.g. `+447911123456`.
    pub phone: Option<String>,
}

/// What the clinician typed in the SMS invite form.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SmsInviteDraft {
    pub list_id: String,
    pub given_name: String,
    pub family_name: String,
    pub phone: String,
    /// The patient's language: the SMS text is written in it, and it goes to Huma with the invite.
    pub language: Language,
}

/// A problem with one form field; `field` is the draft's field name (`givenName`, `phone`, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum SmsEncoding {
    #[serde(rename = "GSM-7")]
    Gsm7,
    #[serde(rename = "UCS-2")]
    Ucs2,
}

/// The confirmation screen of an SMS invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SmsPreview {
    pub invitee: Invitee,
    /// The number in international format, e.g. `+44 7911 123456`.
    pub phone_display: String,
    /// The exact text that will be sent, with `link_placeholder` where the server adds the link.
    pub text: String,
    pub link_placeholder: String,
    pub segments: u32,
    pub encoding: SmsEncoding,
    /// The language `text` is written in (the preview's `lang`).
    pub language: Language,
    pub warnings: Vec<RecipientWarning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "status", rename_all = "camelCase")]
#[ts(export)]
pub enum SmsCheck {
    Ready { preview: SmsPreview },
    Invalid { errors: Vec<FieldError> },
}

/// One address typed or pasted into the email invite field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EmailChip {
    /// What was typed, as a chip label.
    pub input: String,
    /// The normalised address when valid.
    pub address: Option<String>,
    /// A display name from `Name <addr>`.
    pub name: Option<String>,
    /// Why it is not valid.
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum WarningKind {
    PendingInvite,
    AlreadyPatient,
}

/// Something to confirm before sending: the clinician may continue or skip this recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecipientWarning {
    /// The email address or E.164 number the warning is about (what `skip` lists take).
    pub recipient: String,
    /// As shown to the clinician: a number in international format (`+44 7911 123456`), or the
    /// email address.
    pub recipient_display: String,
    pub kind: WarningKind,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportRow {
    /// 1-based line number in the file (the header is line 1 when there is one).
    pub row: u32,
    pub invitee: Invitee,
    pub channel: Channel,
    /// From the file's language column, when it has one.
    pub language: Option<Language>,
}

/// An accepted row as the preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PreviewRow {
    #[serde(flatten)]
    pub row: ImportRow,
    /// As shown to the clinician: a number in international format (`+44 7911 123456`), or the
    /// email address.
    pub recipient_display: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RejectedRow {
    pub row: u32,
    pub cells: Vec<String>,
    pub reason: String,
}

/// A CSV file read for import: what will be sent and what will not, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CsvPreview {
    pub import_id: String,
    pub file_name: String,
    /// e.g. `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `windows-1252`.
    pub encoding: String,
    /// `,`, `;` or `\t`.
    pub delimiter: String,
    pub has_header: bool,
    pub accepted_count: u32,
    pub rejected_count: u32,
    /// The first rows only (the preview); all of them are sent.
    pub accepted: Vec<PreviewRow>,
    pub rejected: Vec<RejectedRow>,
    pub warnings: Vec<RecipientWarning>,
}

/// Reading progress of a large CSV (event `csv-progress`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CsvProgress {
    // A JSON number, not a bigint: files are at most 20 MB.
    #[ts(type = "number")]
    pub bytes_read: u64,
    #[ts(type = "number")]
    pub total_bytes: u64,
}

/// What a send wrote to the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SendReceipt {
    pub batch_id: String,
    pub queued: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Rejection {
    /// As shown to the clinician (a number in international format, or the email address).
    pub recipient: String,
    pub reason: String,
}

/// Where a batch stands: all settled (sent or rejected), or some still queued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BatchOutcome {
    pub batch_id: String,
    pub sent: u32,
    pub queued: u32,
    /// Of those queued, how many wait for the clinic's sending hours (the notice offers "Send now").
    pub held: u32,
    pub rejected: Vec<Rejection>,
    /// The notification's sentence: "Invite SMS sent to +44 7911 123456", "12 invites sent",
    /// "Queued — will be sent when you're back online", "… Will send tomorrow at 08:00".
    pub summary: String,
    /// A send to one patient: whether the notice offers "Show sign-up code", or why not.
    pub sign_up_code: Option<crate::pending::sign_up_code::SignUpCodeOffer>,
}

/// The outbox indicator (event `outbox-changed`) lives with the sync engine.
pub use crate::sync::OutboxStatus;
