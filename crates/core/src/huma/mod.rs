//! Huma's HTTP API: wire DTOs (`wire`) and a thin client (`client`). Nothing here knows about the UI.

pub mod client;
pub mod wire;

pub use client::{ApiError, ClientConfig, HumaClient};
