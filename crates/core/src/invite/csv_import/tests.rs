#![allow(clippy::unwrap_used)]

use encoding_rs::{UTF_16BE, UTF_16LE};

use super::decode::utf16_by_nul_pattern;
use super::rows::split_full_name;
use super::*;

fn read(text: &str) -> Result<CsvRead, CsvError> {
    read_csv(text.as_bytes(), "GB", &mut |_| {})
}

#[test]
fn delimiter_sniffing_respects_quotes_and_consistency() {
    let cases = [
        ("a,b,c\n1,2,3\n", b','),
        ("a;b;c\n1;2;3\n", b';'),
        ("a\tb\tc\n1\t2\t3", b'\t'),
        (
            "\"Smith, Jo\";x@example.com\n\"Hart, Al\";y@example.com\n",
            b';',
        ),
        (
            "\"Smith; Jo\",x@example.com\n\"Hart; Al\",y@example.com\n",
            b',',
        ),
        ("x@example.com\ny@example.com\n", b','),
        (
            "name;e-mail\nSmith, Jo;x@example.com\nHart;y@example.com\n",
            b';',
        ),
        ("", b','),
    ];
    for (text, want) in cases {
        assert_eq!(
            char::from(sniff_delimiter(text)),
            char::from(want),
            "{text:?}"
        );
    }
    assert_eq!(sep_line("sep=;\na;b"), Some((b';', "a;b")));
    assert_eq!(sep_line("\"SEP=|\"\r\na|b").map(|(d, _)| d), Some(b'|'));
    assert_eq!(sep_line("sep=\t\r\na\tb"), Some((b'\t', "a\tb")));
    assert_eq!(sep_line("sep=;;\n"), None);
    assert_eq!(sep_line("separate,x\n"), None);
}

#[test]
fn header_names_are_recognised_loosely_but_ranked() {
    let header = StringRecord::from(vec![
        "Company Name",
        "First_Name",
        "SURNAME",
        "Business Phone",
        "Mobile Phone",
        "E-mail Address",
        "Name",
    ]);
    assert_eq!(
        header_columns(&header),
        Some(Columns {
            email: Some(5),
            phone: Some(4),
            given: Some(1),
            family: Some(2),
            full: Some(6),
            language: None,
        })
    );
    let data = StringRecord::from(vec!["Sam", "mail@example.com"]);
    assert_eq!(header_columns(&data), None);
    let names_only = StringRecord::from(vec!["Marcella", "Lastname-Smith"]);
    assert_eq!(header_columns(&names_only).and_then(|c| c.phone), None);
    assert_eq!(
        header_columns(&StringRecord::from(vec!["NHS number", "DOB"])),
        None
    );
}

#[test]
fn utf16_is_told_from_binary_by_its_nul_pattern() {
    let le: Vec<u8> = "email\r\nx@example.com"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let be: Vec<u8> = "email\r\nx@example.com"
        .encode_utf16()
        .flat_map(u16::to_be_bytes)
        .collect();
    assert_eq!(utf16_by_nul_pattern(&le), Some(UTF_16LE));
    assert_eq!(utf16_by_nul_pattern(&be), Some(UTF_16BE));
    assert_eq!(
        utf16_by_nul_pattern(b"\x00\x01\x02\x03\xff\x10\x80\x00"),
        None
    );
    assert_eq!(
        decode(b"a,b\x00\x00\x07\x00\x00c").unwrap_err(),
        CsvError::Binary
    );
    assert_eq!(
        decode(b"email\x07\nx@example.com").unwrap_err(),
        CsvError::Binary
    );
}

#[test]
fn full_names_split_on_the_last_space_or_a_comma() {
    let split = |s| split_full_name(s);
    assert_eq!(
        split("Mary Ann  Smith"),
        ("Mary Ann".into(), "Smith".into())
    );
    assert_eq!(
        split("Smith, Mary Ann"),
        ("Mary Ann".into(), "Smith".into())
    );
    assert_eq!(split("Cher"), ("Cher".into(), String::new()));
}

#[test]
fn sms_is_preferred_and_email_is_the_fallback() {
    let text = "first,last,email,mobile\n\
                Sam,Patel,sam@example.com,07700 900001\n\
                ,,nameless@example.com,07700 900002\n\
                Ana,Ruiz,ana@example.com,020 7946 0000\n\
                Bo,,,07700 900004\n";
    let read = read(text).unwrap();
    let got: Vec<_> = read
        .accepted
        .iter()
        .map(|r| {
            (
                r.row,
                r.channel,
                r.invitee.phone.as_deref(),
                r.invitee.email.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (2, Channel::Sms, Some("+447700900001"), None),
            (3, Channel::Email, None, Some("nameless@example.com")),
            (4, Channel::Email, None, Some("ana@example.com")),
        ]
    );
    assert_eq!(read.rejected.len(), 1);
    assert_eq!(read.rejected[0].row, 5);
    assert!(read.rejected[0].reason.starts_with("Last name is empty"));
}

#[test]
fn a_read_stops_once_cancelled_and_keeps_nothing() {
    let text = varied_file(3, 3_000, "First name,Last name,Email,Mobile", false);
    // Small chunks: the flag is looked at between them.
    let parallel = Parallel {
        chunk_rows: 100,
        batch_rows: 10,
        threads: 2,
    };
    let cancel = AtomicBool::new(false);
    let mut reports = 0;
    // Cancelled while the read is under way (at its first progress report).
    let read = read_csv_with(
        text.as_bytes(),
        "GB",
        &mut |_| {
            reports += 1;
            cancel.store(true, Ordering::Relaxed);
        },
        parallel,
        &cancel,
    );
    assert!(matches!(read, Err(CsvError::Cancelled)), "{read:?}");
    assert_eq!(reports, 1, "no progress after the cancel");
    // Not cancelled, the same file reads whole, as it does through the plain entry point.
    let read = read_csv_with(
        text.as_bytes(),
        "GB",
        &mut |_| {},
        parallel,
        &AtomicBool::new(false),
    );
    assert!(read.unwrap() == read_csv(text.as_bytes(), "GB", &mut |_| {}).unwrap());
}

#[test]
fn progress_is_reported_from_zero_to_the_total() {
    let mut text = String::from("email\n");
    for i in 0..120_000 {
        text.push_str(&format!("patient{i}@example.com\n"));
    }
    let mut seen = Vec::new();
    let read = read_csv(text.as_bytes(), "GB", &mut |p| seen.push(p.bytes_read)).unwrap();
    assert_eq!(read.accepted.len(), 120_000);
    assert_eq!(seen.first(), Some(&0));
    assert_eq!(seen.last(), Some(&(text.len() as u64)));
    assert!(
        seen.len() >= 3 && seen.windows(2).all(|w| w[0] <= w[1]),
        "{seen:?}"
    );
}

#[test]
fn rejects_export_neutralises_formulas() {
    let rejected = vec![
        RejectedRow {
            row: 3,
            cells: vec![
                "=HYPERLINK(\"http://x\")".into(),
                "+44 20 7946 0000".into(),
                "Zoë".into(),
            ],
            reason: "That looks like a landline number; SMS invites need a mobile number.".into(),
        },
        RejectedRow {
            row: 7,
            cells: vec![
                "-1".into(),
                "@SUM(A1)".into(),
                "\tx".into(),
                "\ry".into(),
                "a, b".into(),
            ],
            reason: "The email address is missing an @.".into(),
        },
    ];
    let csv = rejects_to_csv(&rejected);
    assert!(csv.starts_with("\u{FEFF}row,reason,column 1,"));
    let back: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.trim_start_matches('\u{FEFF}').as_bytes())
        .into_records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let header = [
        "row", "reason", "column 1", "column 2", "column 3", "column 4", "column 5",
    ];
    assert_eq!(back[0], header);
    assert_eq!(
        back[1],
        [
            "3",
            "That looks like a landline number; SMS invites need a mobile number.",
            "'=HYPERLINK(\"http://x\")",
            "'+44 20 7946 0000",
            "Zoë"
        ]
    );
    assert_eq!(
        back[2],
        [
            "7",
            "The email address is missing an @.",
            "'-1",
            "'@SUM(A1)",
            "'\tx",
            "'\ry",
            "a, b"
        ]
    );
    assert!(csv.starts_with('\u{FEFF}'));
    assert_eq!(megabytes(MAX_CSV_BYTES + 1), "20.1");
    assert_eq!(megabytes(21 * MIB), "21.0");
}

#[test]
fn a_language_column_is_read_under_each_of_its_header_names() {
    use crate::invite::language::Language::{English, Polish, Welsh};
    for header in ["language", "Language", "lang", "LANG", "Preferred language"] {
        let text = format!(
            "First name,Last name,Mobile,Email,{header}\n\
             Siân,Jones,07700 900001,,cy\n\
             Ola,Nowak,,ola@example.com,Polish\n\
             Sam,Hart,07700 900003,,\n\
             Ann,Lee,07700 900004,,Cymraeg\n\
             Tom,Ray,07700 900005,,English\n"
        );
        let read = read(&text).unwrap();
        assert!(read.rejected.is_empty(), "{header}: {:?}", read.rejected);
        let languages: Vec<_> = read.accepted.iter().map(|r| r.language).collect();
        assert_eq!(
            languages,
            [Some(Welsh), Some(Polish), None, Some(Welsh), Some(English)],
            "{header}"
        );
    }
}

#[test]
fn an_unknown_language_rejects_its_row_naming_the_value() {
    let read = read(
        "Name,Mobile,Language\n\
         Siân Jones,07700 900001,cy\n\
         Sam Hart,07700 900002,Klingon\n\
         Ann Lee,07700 900003,en\n",
    )
    .unwrap();
    assert_eq!(read.accepted.len(), 2);
    assert_eq!(read.rejected.len(), 1);
    let rejected = &read.rejected[0];
    assert_eq!(rejected.row, 3);
    assert_eq!(
        rejected.reason,
        "Language “Klingon” is not one we have an invite text for \
         (use English, Welsh, Polish, Urdu or Arabic)."
    );
    assert_eq!(rejected.cells, ["Sam Hart", "07700 900002", "Klingon"]);
    // The rejects export carries the reason as it does for every other rejected row.
    assert!(rejects_to_csv(&read.rejected).contains("Klingon"));
}

/// A file of `rows` records mixing every kind of row: valid and invalid names, mobiles, landlines,
/// numbers from abroad, addresses (some repeated, in other case or with `mailto:`), languages, and
/// blank, empty, multi-line and one-cell records.
fn varied_file(seed: u64, rows: usize, header: &str, crlf: bool) -> String {
    let mut s = seed;
    let mut next = move |n: u64| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (s >> 33) % n
    };
    let given = [
        "Sam", "Zoë", "", "Mary Ann", " Chidi  ", "Se4n", "<b>", "Jean-Luc", "O'Neil",
    ];
    let family = ["Patel", "Brontë", "", "O'Hara", "Ng uyen", "x1", "Smith"];
    let emails = |i: u64, r: u64| match r {
        0 => String::new(),
        1 => format!("Patient.{i}@Example.COM"),
        2 => format!("patient.{i}.example.com"),
        3 => format!("p{i}@bad"),
        4 => format!("  mailto:P{}@example.org ", i % 50),
        5 => format!("dup{}@example.com", i % 30),
        6 => "a b@example.com".to_owned(),
        _ => format!("patient.{i}@example.com"),
    };
    let phones = |i: u64, r: u64| match r {
        0 => String::new(),
        1 => format!("07400 {:06}", i % 70),
        2 => format!("+44 (0)7400 {:06}", i % 90),
        3 => format!("020 7946 {:04}", i % 1000),
        4 => format!("0800 123 {:04}", i % 1000),
        5 => "07911 12345a".to_owned(),
        6 => format!("+353 85 {:07}", i % 40),
        7 => format!("0044 7700 900{:03}", i % 1000),
        8 => "123".to_owned(),
        _ => format!("07{}00 {:06}", 4 + i % 5, i),
    };
    let langs = ["", "", "cy", "Polish", "Klingon", "en"];
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut out = String::from(header);
    out.push_str(nl);
    for i in 0..rows as u64 {
        match next(40) {
            0 => {
                out.push_str(nl);
                continue;
            }
            1 => {
                out.push_str(",,,");
                out.push_str(nl);
                continue;
            }
            2 => {
                out.push_str("\"Multi\nline\",Name,x@example.com");
                out.push_str(nl);
                continue;
            }
            3 => {
                out.push_str("only one cell");
                out.push_str(nl);
                continue;
            }
            _ => {}
        }
        let g = given[next(given.len() as u64) as usize];
        let f = family[next(family.len() as u64) as usize];
        let e = emails(i, next(9));
        let p = phones(i, next(11));
        let l = langs[next(langs.len() as u64) as usize];
        let line = if header.starts_with("Name") {
            format!("\"{g} {f}\",{p},{e},{l}")
        } else {
            format!("\"{g}\",{f},{e},{p},{l},extra")
        };
        out.push_str(&line);
        out.push_str(nl);
    }
    out
}

/// Checking records in chunks on several threads settles them as a one-by-one read does: the
/// same invites, the same rejections with the same reasons and rows ("Duplicate of row N" names
/// the first, wherever it was checked).
#[test]
fn the_answer_is_the_same_whatever_the_chunks_and_threads() {
    let one_by_one = Parallel {
        chunk_rows: 1,
        batch_rows: 1,
        threads: 1,
    };
    let splits = [
        Parallel::for_this_computer(),
        Parallel {
            chunk_rows: 7,
            batch_rows: 3,
            threads: 4,
        },
        Parallel {
            chunk_rows: 1000,
            batch_rows: 1,
            threads: 2,
        },
    ];
    let headers = [
        "First name,Last name,Email,Mobile,Language,Other",
        "Name,Mobile,Email,Language",
    ];
    let mut duplicates = 0;
    for (seed, rows) in [(1, 3_000), (2, 300)] {
        for header in headers {
            for crlf in [false, true] {
                let text = varied_file(seed, rows, header, crlf);
                let read = |parallel| {
                    read_csv_with(
                        text.as_bytes(),
                        "GB",
                        &mut |_| {},
                        parallel,
                        &AtomicBool::new(false),
                    )
                };
                let want = read(one_by_one).unwrap();
                duplicates += want
                    .rejected
                    .iter()
                    .filter(|r| r.reason.starts_with("Duplicate of row"))
                    .count();
                for parallel in splits {
                    assert!(
                        read(parallel).unwrap() == want,
                        "{parallel:?} {header} {crlf}"
                    );
                }
            }
        }
    }
    // The corpus does exercise the order-dependent rule.
    assert!(duplicates > 100, "{duplicates}");
}
