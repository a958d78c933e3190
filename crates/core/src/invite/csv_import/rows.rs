//! One decision per record: an invite (SMS or email) or a rejection with its reason, and
//! duplicates of earlier rows.

use std::collections::HashMap;

use csv::StringRecord;
use phonenumber::country::Id;

use super::*;
use crate::invite::language::Language;

pub(super) struct Rows {
    columns: Columns,
    region: Id,
    /// Accepted rows' contacts → their row, to report duplicates.
    seen: HashMap<String, u32>,
    pub(super) accepted: Vec<ImportRow>,
    pub(super) rejected: Vec<RejectedRow>,
}

/// A row's usable contacts, as duplicate keys.
struct Contacts {
    phone: Option<String>,
    email: Option<String>,
}

impl Rows {
    pub(super) fn new(columns: Columns, region: Id) -> Self {
        Self {
            columns,
            region,
            seen: HashMap::new(),
            accepted: Vec::new(),
            rejected: Vec::new(),
        }
    }

    pub(super) fn add(&mut self, row: u32, record: &StringRecord) {
        let outcome = self.read(record).and_then(|(invitee, channel, contacts)| {
            let language = self.language(record)?;
            let keys = [contacts.phone, contacts.email.as_deref().map(address_key)];
            if let Some(first) = keys.iter().flatten().find_map(|k| self.seen.get(k)) {
                return Err(format!("Duplicate of row {first}."));
            }
            for key in keys.into_iter().flatten() {
                self.seen.insert(key, row);
            }
            Ok((invitee, channel, language))
        });
        match outcome {
            Ok((invitee, channel, language)) => self.accepted.push(ImportRow {
                row,
                invitee,
                channel,
                language,
            }),
            Err(reason) => self.rejected.push(RejectedRow {
                row,
                cells: record.iter().map(str::to_owned).collect(),
                reason,
            }),
        }
    }

    /// The row's language cell: `None` when the file has no such column or the cell is blank.
    fn language(&self, record: &StringRecord) -> Result<Option<Language>, String> {
        let cell = self
            .columns
            .language
            .and_then(|i| record.get(i))
            .map_or("", str::trim);
        if cell.is_empty() {
            return Ok(None);
        }
        Language::from_csv_cell(cell).map(Some)
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
pub(super) fn split_full_name(full: &str) -> (String, String) {
    let full = collapse_whitespace(full);
    let (given, family) = match full.split_once(',') {
        Some((family, given)) => (given, family),
        None => full.rsplit_once(' ').unwrap_or((&full, "")),
    };
    (given.trim().to_owned(), family.trim().to_owned())
}
