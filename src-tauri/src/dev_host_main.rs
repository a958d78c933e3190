//! `huma-clinician-dev-host [PORT]`: the app's commands over HTTP on 127.0.0.1 for the UI in a
//! plain browser and its behaviour tests (see `dev_host.rs`). PORT defaults to 1430; 0 picks a
//! free one. The address is printed once the host listens.

const DEFAULT_PORT: u16 = 1430;

fn main() {
    let port = match std::env::args().nth(1) {
        None => DEFAULT_PORT,
        Some(arg) => match arg.parse() {
            Ok(port) => port,
            Err(_) => {
                eprintln!("usage: huma-clinician-dev-host [PORT]");
                std::process::exit(2);
            }
        },
    };
    if let Err(e) = huma_clinician::dev_host::run(port) {
        eprintln!("Huma Clinician development host: {e}");
        std::process::exit(1);
    }
}
