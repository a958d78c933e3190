//! One decision per record: an invite (SMS or email) or a rejection with its reason, and
//! duplicates of earlier rows.
//!
//! Deciding a row is split in two. [`Checker::check`] looks at one record alone (names, mobile,
//! email, language); it shares nothing, so the records of a chunk are checked on every core
//! ([`Checker::check_all`]). [`Rows::settle`] then takes the outcomes in file order on the calling
//! thread and rejects a row repeating an accepted row's contact, so "Duplicate of row N" names the
//! same first row whichever chunk or thread checked either of them.

use std::borrow::Cow;
use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

use csv::StringRecord;
use hashbrown::{DefaultHashBuilder, HashTable};
use phonenumber::country::Id;

use super::*;
use crate::invite::language::Language;

/// Decides each record on its own: everything but the duplicate check.
#[derive(Debug, Clone, Copy)]
pub(super) struct Checker {
    columns: Columns,
    region: Id,
}

/// A record's decision before the duplicate check.
pub(super) enum Checked {
    /// An invite, unless an earlier accepted row has one of its contacts.
    Valid(ImportRow, OtherContacts),
    Rejected(RejectedRow),
}

/// The row's valid contacts that its invite does not carry (an SMS invite's email address, an
/// email invite's mobile): they count as duplicates too.
pub(super) struct OtherContacts {
    phone: Option<String>,
    email: Option<String>,
}

impl Checker {
    pub(super) fn new(columns: Columns, region: Id) -> Self {
        Self { columns, region }
    }

    /// `check` of every record into `out`, in the same order, on up to `threads` threads that
    /// take `batch` records at a time.
    pub(super) fn check_all(
        self,
        records: &[StringRecord],
        rows: &[u32],
        out: &mut Vec<Option<Checked>>,
        threads: usize,
        batch: usize,
    ) {
        out.clear();
        out.resize_with(records.len(), || None);
        let batch = batch.max(1);
        let work = records
            .chunks(batch)
            .zip(rows.chunks(batch))
            .zip(out.chunks_mut(batch));
        let work = Mutex::new(work);
        let run = || loop {
            // The lock is held only to take the next batch.
            let next = work.lock().unwrap_or_else(PoisonError::into_inner).next();
            let Some(((records, rows), out)) = next else {
                break;
            };
            for ((record, &row), out) in records.iter().zip(rows).zip(out) {
                *out = Some(self.check(row, record));
            }
        };
        let helpers = threads.min(records.len().div_ceil(batch)).saturating_sub(1);
        if helpers == 0 {
            run();
        } else {
            std::thread::scope(|scope| {
                for _ in 0..helpers {
                    scope.spawn(run);
                }
                run();
            });
        }
    }

    /// The record's decision, all but the duplicate check.
    pub(super) fn check(self, row: u32, record: &StringRecord) -> Checked {
        let outcome = self.read(record).and_then(|(invitee, channel, other)| {
            let language = self.language(record)?;
            let row = ImportRow {
                row,
                invitee,
                channel,
                language,
            };
            Ok((row, other))
        });
        match outcome {
            Ok((row, other)) => Checked::Valid(row, other),
            Err(reason) => Checked::Rejected(rejected(row, record, reason)),
        }
    }

    /// The row's language cell: `None` when the file has no such column or the cell is blank.
    fn language(self, record: &StringRecord) -> Result<Option<Language>, String> {
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

    fn read(self, record: &StringRecord) -> Result<(Invitee, Channel, OtherContacts), String> {
        let cell = |col: Option<usize>| col.and_then(|i| record.get(i)).map_or("", str::trim);
        let c = self.columns;
        // Names are borrowed from the record until they are validated.
        let (given, family): (Cow<str>, Cow<str>) = match (c.given, c.family, c.full) {
            (None, None, Some(_)) => {
                let (given, family) = split_full_name(cell(c.full));
                (given.into(), family.into())
            }
            _ => (cell(c.given).into(), cell(c.family).into()),
        };
        let given = optional_name("First name", &given)?;
        let family = optional_name("Last name", &family)?;
        let filled = |col| Some(cell(col)).filter(|s| !s.is_empty());
        let phone = filled(c.phone).map(|p| mobile_e164(p, self.region));
        let email = filled(c.email).map(validate_email);
        let named = !given.is_empty() && !family.is_empty();
        let (channel, phone, email, other) = match (phone, email) {
            (Some(Ok(phone)), email) if named => {
                let other = OtherContacts {
                    phone: None,
                    email: email.and_then(Result::ok),
                };
                (Channel::Sms, Some(phone), None, other)
            }
            (phone, Some(Ok(email))) => {
                let other = OtherContacts {
                    phone: phone.and_then(Result::ok),
                    email: None,
                };
                (Channel::Email, None, Some(email), other)
            }
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
        Ok((invitee, channel, other))
    }
}

fn rejected(row: u32, record: &StringRecord, reason: String) -> RejectedRow {
    RejectedRow {
        row,
        cells: record.iter().map(str::to_owned).collect(),
        reason,
    }
}

/// The decisions so far, in file order.
#[derive(Default)]
pub(super) struct Rows {
    seen: SeenContacts,
    pub(super) accepted: Vec<ImportRow>,
    pub(super) rejected: Vec<RejectedRow>,
}

impl Rows {
    /// Takes a record's decision, the next in file order: a valid row repeating an accepted row's
    /// mobile (E.164) or email (case-insensitive) is rejected as a duplicate of that row.
    pub(super) fn settle(&mut self, checked: Checked, record: &StringRecord) {
        match checked {
            Checked::Valid(row, other) => {
                let invitee = &row.invitee;
                let phone = invitee.phone.as_deref().or(other.phone.as_deref());
                let email = invitee.email.as_deref().or(other.email.as_deref());
                match self.seen.first_or_insert(row.row, phone, email) {
                    Some(first) => {
                        let reason = format!("Duplicate of row {first}.");
                        self.rejected.push(rejected(row.row, record, reason));
                    }
                    None => self.accepted.push(row),
                }
            }
            Checked::Rejected(row) => self.rejected.push(row),
        }
    }
}

/// Accepted rows' contacts (E.164 mobiles and lower-cased email addresses) and the row each was
/// first accepted on. The keys are kept end to end in one string rather than one `String` each
/// (a 100,000-row list has about 180,000 of them), hashed with foldhash (`hashbrown`'s default).
#[derive(Default)]
struct SeenContacts {
    table: HashTable<Seen>,
    keys: String,
    hasher: DefaultHashBuilder,
    /// The email key being looked up.
    scratch: String,
}

struct Seen {
    hash: u64,
    key: Range<usize>,
    row: u32,
}

impl SeenContacts {
    /// The row that first had the mobile (asked first) or the email; else both are recorded as
    /// `row`'s and `None` is returned.
    fn first_or_insert(
        &mut self,
        row: u32,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> Option<u32> {
        let mut scratch = std::mem::take(&mut self.scratch);
        let email = email.map(|email| lower_case_key(email, &mut scratch));
        let keys = [phone, email];
        let hashes = keys.map(|key| key.map(|key| self.hasher.hash_one(key)));
        let first = keys
            .into_iter()
            .zip(hashes)
            .find_map(|(key, hash)| self.get(key?, hash?));
        if first.is_none() {
            for (key, hash) in keys.into_iter().zip(hashes) {
                if let (Some(key), Some(hash)) = (key, hash) {
                    self.insert(key, hash, row);
                }
            }
        }
        self.scratch = scratch;
        first
    }

    fn get(&self, key: &str, hash: u64) -> Option<u32> {
        self.table
            .find(hash, |seen| &self.keys[seen.key.clone()] == key)
            .map(|seen| seen.row)
    }

    fn insert(&mut self, key: &str, hash: u64, row: u32) {
        let start = self.keys.len();
        self.keys.push_str(key);
        let key = start..self.keys.len();
        self.table
            .insert_unique(hash, Seen { hash, key, row }, |seen| seen.hash);
    }
}

/// [`address_key`] of a validated address, written into `scratch`; an address is ASCII once
/// validated, so this takes no allocation (any other would be lower-cased by `address_key`).
fn lower_case_key<'a>(email: &str, scratch: &'a mut String) -> &'a str {
    scratch.clear();
    if email.is_ascii() {
        scratch.push_str(email);
        scratch.make_ascii_lowercase();
    } else {
        scratch.push_str(&address_key(email));
    }
    scratch
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
