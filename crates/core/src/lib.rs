//! Huma Clinician's core: everything worth testing, with no dependency on Tauri or a webview.
//!
//! - [`app`]: the façade the desktop shell calls, one method per command.
//! - [`session`]: sign-in (with the SMS-code step), tokens, keyring persistence, refresh.
//! - [`patients`]: patient lists and search, online with an offline cache.
//! - [`huma`]: the Huma HTTP API (wire DTOs and client), the `huma-api` crate.
//! - [`store`]: the encrypted per-account SQLite database.
//! - [`secrets`], [`config`], [`clock`], [`logging`], [`error`], [`ui_types`]: plumbing.

pub mod api_errors;
pub mod app;
pub mod clock;
pub mod config;
pub mod dropped_files;
pub mod error;
/// Huma's HTTP API (its own crate, `crates/huma-api`).
pub use huma_api as huma;
pub mod invite;
pub mod list_calls;
pub mod logging;
pub mod patients;
pub mod pending;
pub mod policy;
pub mod private_dir;
pub mod secrets;
pub mod sending_hours;
pub mod session;
pub mod store;
pub mod support;
pub mod sync;
pub mod ui_types;

pub use error::{AppError, AppResult, ErrorCode};
