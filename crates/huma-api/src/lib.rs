//! Huma's HTTP API: wire DTOs (`wire`) and a thin client (`client`), and the `Secret` its calls
//! carry. Nothing here knows about the UI, the store or the desktop shell; being a crate of its
//! own, it cannot come to.

pub mod client;
mod secret;
pub mod wire;

pub use client::{ApiError, ClientConfig, HumaClient};
pub use secret::Secret;
