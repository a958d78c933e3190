//! `huma-sandbox`: runs the sandbox on 127.0.0.1 until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use huma_sandbox::{Quirks, Sandbox, SandboxConfig, NO_MFA_EMAIL};
use tracing_subscriber::EnvFilter;

/// A local Huma-compatible backend for tests and demos (loopback only).
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 8787)]
    port: u16,
    /// Keep the database in this directory (created if missing); default: in memory.
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Keep the database in this file (wins over --data-dir); restarting with the same file
    /// carries on with the same state.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Seed of the deterministic data generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Patients over all lists (used only when the database is new).
    #[arg(long, default_value_t = 1500)]
    patients: usize,
    /// Refuse a password-only (method 2) sign-in by an account that requires the SMS code with
    /// 403 100043, as older servers did (default: it succeeds, and its tokens get 400 100021).
    #[arg(long)]
    mfa_at_signin: bool,
    /// Send token lifetimes as floats (899.6), as older servers did (default: integers).
    #[arg(long)]
    float_lifetimes: bool,
    /// Requests allowed per minute, as Huma limits them (fixed one-minute windows; over it, 429
    /// without Retry-After); 0 turns the limit off.
    #[arg(long, default_value_t = 50)]
    rate_limit_per_minute: u32,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let config = SandboxConfig {
        port: args.port,
        data_dir: args.data_dir,
        db_path: args.db,
        seed: args.seed,
        patients: args.patients,
        quirks: Quirks {
            mfa_at_signin: args.mfa_at_signin,
            float_lifetimes: args.float_lifetimes,
        },
        rate_limit_per_minute: (args.rate_limit_per_minute > 0)
            .then_some(args.rate_limit_per_minute),
    };
    let sandbox = match Sandbox::start(config).await {
        Ok(sandbox) => sandbox,
        Err(err) => {
            eprintln!("huma-sandbox: {err}");
            return ExitCode::FAILURE;
        }
    };
    announce(&sandbox);
    if let Err(err) = tokio::signal::ctrl_c().await {
        eprintln!("huma-sandbox: cannot wait for Ctrl-C: {err}");
    }
    sandbox.shutdown().await;
    ExitCode::SUCCESS
}

#[expect(
    clippy::print_stdout,
    reason = "the CLI's purpose is to tell the user where to connect"
)]
fn announce(sandbox: &Sandbox) {
    let base = sandbox.base_url();
    let demo = sandbox.demo();
    println!("Huma sandbox listening on {base}");
    println!(
        "Demo clinician (SMS code required): {} / {}",
        demo.email, demo.password
    );
    println!(
        "Clinician without SMS code (first list only): {NO_MFA_EMAIL} / {}",
        demo.password
    );
    println!(
        "projectId {} and clientId {} on every auth and invitation call",
        demo.project_id, demo.client_id
    );
    println!("Messages sent (SMS codes, invitations with sign-up links): {base}/sandbox/messages");
    println!("Press Ctrl-C to stop.");
}
