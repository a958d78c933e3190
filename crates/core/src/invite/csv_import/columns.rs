//! What each column holds: a recognised header row, else inferred from the content.

use csv::StringRecord;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Columns {
    pub(super) email: Option<usize>,
    pub(super) phone: Option<usize>,
    pub(super) given: Option<usize>,
    pub(super) family: Option<usize>,
    /// A single "Name" column, split on its last space (or "Last, First").
    pub(super) full: Option<usize>,
    /// The patient's language ("cy", "Welsh", …); only from a header ("Language", "lang").
    pub(super) language: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Email,
    Phone,
    Given,
    Family,
    Full,
    Language,
}

/// What a header cell names, with a rank (0 = exact name) so that "Mobile Phone" beats
/// "Business Phone" and "Name" beats "Company Name".
fn header_kind(cell: &str) -> Option<(Kind, u8)> {
    let key: String = cell
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    let exact: &[(Kind, &[&str])] = &[
        (Kind::Email, &["email", "emailaddress", "mail", "emails"]),
        (
            Kind::Phone,
            &[
                "phone",
                "mobile",
                "mobilenumber",
                "phonenumber",
                "tel",
                "telephone",
                "cell",
                "mobilephone",
                "cellphone",
                "mobileno",
                "phoneno",
                "telno",
            ],
        ),
        (
            Kind::Given,
            &[
                "firstname",
                "givenname",
                "forename",
                "forenames",
                "first",
                "givennames",
            ],
        ),
        (Kind::Family, &["lastname", "surname", "familyname", "last"]),
        (Kind::Full, &["name", "fullname", "patientname", "patient"]),
        (
            Kind::Language,
            &["language", "lang", "preferredlanguage", "patientlanguage"],
        ),
    ];
    if let Some((kind, _)) = exact
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
    {
        return Some((*kind, 0));
    }
    // Words inside a longer heading ("Mobile Phone", "E-mail 2 Address"); a single word must match
    // exactly, so a first name like "Marcella" in a file without a header never reads as "cell".
    if !cell.trim().contains(|c: char| !c.is_alphanumeric()) {
        return None;
    }
    let has = |parts: &[&str]| parts.iter().any(|p| key.contains(p));
    if has(&["language"]) {
        Some((Kind::Language, 1))
    } else if has(&["mail"]) {
        Some((Kind::Email, 1))
    } else if has(&["mobile", "cell"]) {
        Some((Kind::Phone, 1))
    } else if has(&["phone", "telephone"]) {
        Some((Kind::Phone, 2))
    } else if has(&["firstname", "forename", "givenname"]) {
        Some((Kind::Given, 1))
    } else if has(&["surname", "lastname", "familyname"]) {
        Some((Kind::Family, 1))
    } else if key.ends_with("name") {
        Some((Kind::Full, 2))
    } else {
        None
    }
}

/// The columns named by a header row, or `None` when the row is data (or names nothing we use).
pub(super) fn header_columns(record: &StringRecord) -> Option<Columns> {
    if record
        .iter()
        .any(|c| looks_like_email(c) || looks_like_phone(c))
    {
        return None;
    }
    let mut best: [Option<(u8, usize)>; 6] = [None; 6];
    for (i, cell) in record.iter().enumerate() {
        if let Some((kind, rank)) = header_kind(cell) {
            let slot = &mut best[kind as usize];
            if slot.is_none_or(|(r, _)| rank < r) {
                *slot = Some((rank, i));
            }
        }
    }
    let pick = |kind: Kind| best[kind as usize].map(|(_, i)| i);
    best.iter().any(Option::is_some).then(|| Columns {
        email: pick(Kind::Email),
        phone: pick(Kind::Phone),
        given: pick(Kind::Given),
        family: pick(Kind::Family),
        full: pick(Kind::Full),
        language: pick(Kind::Language),
    })
}

/// Without a header: the column mostly holding emails, the one mostly holding phone numbers, and
/// text columns as first and last name (one text column is a full name).
pub(super) fn infer_columns(sample: &[StringRecord]) -> Columns {
    let width = sample.iter().map(StringRecord::len).max().unwrap_or(0);
    let mostly = |col: usize, test: fn(&str) -> bool| {
        let cells = sample.iter().filter_map(|r| r.get(col)).map(str::trim);
        let (filled, matching) = cells
            .filter(|c| !c.is_empty())
            .fold((0, 0), |(f, m), c| (f + 1, m + usize::from(test(c))));
        (matching * 2 > filled).then_some(matching)
    };
    let best_column = |test: fn(&str) -> bool| {
        (0..width)
            .filter_map(|col| mostly(col, test).map(|m| (m, std::cmp::Reverse(col))))
            .max()
            .map(|(_, std::cmp::Reverse(col))| col)
    };
    let email = best_column(looks_like_email);
    let phone = best_column(looks_like_phone);
    let text: Vec<usize> = (0..width)
        .filter(|&c| Some(c) != email && Some(c) != phone && mostly(c, looks_like_name).is_some())
        .collect();
    let mut columns = Columns {
        email,
        phone,
        ..Columns::default()
    };
    match text[..] {
        [] => {}
        [full] => columns.full = Some(full),
        [given, family, ..] => (columns.given, columns.family) = (Some(given), Some(family)),
    }
    columns
}

fn looks_like_email(cell: &str) -> bool {
    cell.trim()
        .split_once('@')
        .is_some_and(|(_, domain)| domain.contains('.'))
}

fn looks_like_phone(cell: &str) -> bool {
    let digits = cell.bytes().filter(u8::is_ascii_digit).count();
    digits >= 7
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_whitespace() || "+-.()".contains(c))
}

fn looks_like_name(cell: &str) -> bool {
    cell.chars().any(char::is_alphabetic)
        && !cell.contains('@')
        && !cell.contains(|c: char| c.is_ascii_digit())
}
