//! The sync engine: drains the outbox (invites, and resends and revokes of server invitations)
//! whenever there is work and the server is reachable.
//!
//! - [`plan`]: pure decisions — which operations are due, what an error means, what a reply or a
//!   lookup means for each row, backoff and the give-up deadline.
//! - [`execute`]: carries them out against the store and the server ([`drain`]).
//! - [`status`]: what the clinician sees (the indicator and the Outbox view's rows).
//! - [`progress`]: a long send's count and the time it will take at the pace so far.

pub mod execute;
pub mod plan;
pub mod progress;
pub mod status;

pub use execute::{drain, DrainEnd, DrainReport};
pub use plan::{classify, settle, ErrorClass, Settlement, BATCH_SIZE};
pub use progress::SendProgress;
pub use status::{
    Connection, OutboxEntry, OutboxEntryState, OutboxKind, OutboxStatus, PauseReason,
};
