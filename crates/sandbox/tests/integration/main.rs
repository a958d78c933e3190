//! The sandbox's HTTP API tested as a client sees it: each module an area, each test with its own
//! sandbox on 127.0.0.1:0 (`common`). One test binary, as in the core, so the suite links once.
#![allow(clippy::unwrap_used)]

mod common;

mod admin;
mod auth;
mod faults;
mod host;
mod invitations;
mod lifecycle;
mod logging;
mod profiles;
mod rate_limit;
mod restart;
