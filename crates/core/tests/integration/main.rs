//! The core's integration tests, as one test binary: each module was once a binary of its own, and
//! every one of them linked the core, the sandbox and their dependencies again (on Windows, with
//! mingw's linker, seconds each). Modules share `common` (the sandbox on loopback and an app on
//! top) and `switch` (a relay that takes the server away and back).
//!
//! Run one module: `cargo test -p huma-core --test integration <module>::`.

mod common;
mod switch;

mod contract;
mod csv_corpus;
mod invite_languages_against_sandbox;
mod invitees_against_sandbox;
mod invites_against_sandbox;
mod keyring_os;
mod lock_and_restart;
mod offline_unlock;
mod outbox_actions_against_sandbox;
mod outbox_crash;
mod outbox_property;
mod patients_against_sandbox;
mod pause_sending_against_sandbox;
mod pending_against_sandbox;
mod policy_templates;
mod rate_limit_against_sandbox;
mod redirects_against_sandbox;
mod registry_policy;
mod sending_hours_against_sandbox;
mod session_against_sandbox;
mod shared_computer;
mod sign_up_code_against_sandbox;
mod store_durability;
