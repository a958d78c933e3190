//! Inviting patients: validation of phone numbers and emails, the SMS text, CSV import.

pub mod types;
