//! Inviting patients: validation of phone numbers and emails, the SMS text, CSV import; drafts made
//! into outbox rows, the warnings before sending, and the outcome once a batch has gone out.

pub mod csv_import;
pub mod drafts;
pub mod email;
pub mod language;
pub mod outcome;
pub mod phone;
pub mod sms_text;
pub mod types;
pub mod warnings;
