//! CSV import throughput, as a ratio to the bare `csv` crate reading the same bytes in the same run
//! (so the figure means the same on a fast laptop and a loaded CI runner). Not a timed test:
//! it prints figures and asserts nothing about time.
//!
//! `cargo bench -p huma-core --bench csv_import` (release settings). `ROWS=20000` for a quick run.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

mod support;
use support::time;

use huma_core::invite::csv_import::read_csv;

const GIVEN: [&str; 8] = [
    "Sam", "Zoë", "Amélie", "Mary Ann", "Chidi", "Seán", "Olive", "Jean-Luc",
];
const FAMILY: [&str; 6] = ["Patel", "Brontë", "O'Hara", "Nguyen", "Okafor", "Smith"];

/// Names, an email and a mobile on every row (the worst case: both contacts are validated), with
/// one row in ten invalid in some way. Mobiles are unique numbers in the 07400 range, held in
/// memory only: the 1,000-number drama range would make most rows duplicates.
fn generate(rows: usize) -> Vec<u8> {
    let mut out = String::from("First name,Last name,Email,Mobile\n");
    for i in 0..rows {
        let given = GIVEN[i % GIVEN.len()];
        let family = FAMILY[(i / GIVEN.len()) % FAMILY.len()];
        let email = format!("patient.{i}@example.com");
        let mobile = format!("07400 {:06}", i % 1_000_000);
        let line = match i % 10 {
            0 => format!("{given},{family},{email},020 7946 {:04}\n", i % 1000),
            5 => format!("{given},{family},patient.{i}.example.com,\n"),
            _ => format!("\"{given}\",{family},{email},{mobile}\n"),
        };
        out.push_str(&line);
    }
    out.into_bytes()
}

fn main() {
    let rows: usize = std::env::var("ROWS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000);
    let bytes = generate(rows);
    let mb = bytes.len() as f64 / 1e6;

    let baseline = time(7, || {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(&bytes[..]);
        let mut record = csv::ByteRecord::new();
        let mut fields = 0usize;
        while reader.read_byte_record(&mut record).unwrap() {
            fields += record.len();
        }
        black_box(fields);
    });
    let mut accepted = 0;
    let import = time(5, || {
        let read = read_csv(black_box(&bytes), "GB", &mut |p| {
            black_box(p);
        })
        .unwrap();
        accepted = read.accepted.len();
        black_box(read);
    });

    let rate = |d: Duration| mb / d.as_secs_f64();
    println!("csv_import: {rows} rows, {mb:.1} MB, {accepted} accepted");
    println!(
        "  baseline (csv crate, no validation): {:>8.1} ms  {:>7.1} MB/s",
        baseline.as_secs_f64() * 1e3,
        rate(baseline)
    );
    println!(
        "  read_csv (decode + validate):        {:>8.1} ms  {:>7.1} MB/s",
        import.as_secs_f64() * 1e3,
        rate(import)
    );
    println!(
        "  ratio read_csv / baseline: {:.1}x slower",
        import.as_secs_f64() / baseline.as_secs_f64()
    );
}
