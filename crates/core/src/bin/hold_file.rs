//! Test support for `tests/integration/store_durability.rs`: holds a file open the way a backup, antivirus or
//! file-sync tool does on Windows, without sharing it, until its standard input closes. Prints
//! `holding` once the file is held. Not part of the app.
//!
//! Usage: `hold_file <path>`.

use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: hold_file <path>");
        return ExitCode::from(2);
    };
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    std::os::windows::fs::OpenOptionsExt::share_mode(&mut options, 0);
    let _held = match options.open(&path) {
        Ok(file) => file,
        Err(e) => {
            eprintln!("hold_file: {e}");
            return ExitCode::FAILURE;
        }
    };
    if writeln!(std::io::stdout(), "holding")
        .and_then(|()| std::io::stdout().flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    ExitCode::SUCCESS
}
