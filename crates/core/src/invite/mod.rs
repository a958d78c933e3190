//! Inviting patients: validation of phone numbers and emails, the SMS text, CSV import.

pub mod csv_import;
pub mod email;
pub mod language;
pub mod phone;
pub mod sms_text;
pub mod types;
