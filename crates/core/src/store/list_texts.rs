//! The search texts of one cached list, in the list's order, held in memory for searches too short
//! for the trigram index. Counting such a search's matches in SQLite reads the text of every entry
//! of the name index (about 15 ms for 100,000 patients on a 2-core machine, before any matching);
//! a scan of this copy takes a few. About 7 MB for 100,000 patients; one list at a time, dropped
//! whenever the cache of patients is written.

use memchr::memmem;
use rusqlite::Connection;

use super::StoreError;

pub struct ListTexts {
    list_id: String,
    /// Each patient's row, in the list's order.
    seqs: Vec<i64>,
    /// Every search text, one after another; patient `i`'s ends at `ends[i]`.
    text: String,
    ends: Vec<usize>,
}

impl ListTexts {
    pub fn load(conn: &Connection, list_id: &str) -> Result<Self, StoreError> {
        let mut stmt = conn.prepare(
            "SELECT seq, search_text FROM patient INDEXED BY patient_by_name WHERE list_id = ?1
             ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id",
        )?;
        let mut rows = stmt.query([list_id])?;
        let mut texts = Self {
            list_id: list_id.to_owned(),
            seqs: Vec::new(),
            text: String::new(),
            ends: Vec::new(),
        };
        while let Some(row) = rows.next()? {
            texts.seqs.push(row.get(0)?);
            texts
                .text
                .push_str(row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?);
            texts.ends.push(texts.text.len());
        }
        Ok(texts)
    }

    pub fn is_for(&self, list_id: &str) -> bool {
        self.list_id == list_id
    }

    /// How many texts contain `needle`, and the rows of the `limit` matches from the `skip`th on,
    /// in the list's order.
    pub fn matches(&self, needle: &str, skip: u32, limit: u32) -> (u32, Vec<i64>) {
        let finder = memmem::Finder::new(needle.as_bytes());
        let bytes = self.text.as_bytes();
        let (mut count, mut page, mut start) = (0_u32, Vec::new(), 0);
        for (&end, &seq) in self.ends.iter().zip(&self.seqs) {
            if finder.find(&bytes[start..end]).is_some() {
                if count >= skip && page.len() < limit as usize {
                    page.push(seq);
                }
                count += 1;
            }
            start = end;
        }
        (count, page)
    }
}
