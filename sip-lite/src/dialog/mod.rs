//! Dialogs (RFC 3261 §12-15) and a UA core that keeps them over the transaction layer,
//! sans-IO.
//!
//! [`Dialog`] is the plain state of one dialog: identity, sequence numbers, route set and
//! remote target, with the requests it builds and the checks it makes. [`UserAgent`] is an
//! engine of the usual shape (inputs with `now`, `poll_transmit`, `poll_timeout`,
//! `poll_event`) that owns a [`TransactionLayer`](crate::transaction::TransactionLayer) and
//! does what the UA core must do around it:
//!
//! - creates dialogs from 1xx (early) and 2xx (confirmed) responses, on both sides;
//! - sends the ACK for every 2xx it receives (§13.2.2.4), again for each retransmitted 2xx,
//!   and for a forked 2xx beyond the first, an ACK followed by a BYE (unless configured to
//!   keep forks);
//! - retransmits its own 2xx to an INVITE until the ACK arrives, and gives up with a BYE after
//!   64*T1 (§13.3.1.4);
//! - answers requests for unknown dialogs 481 and out-of-order CSeqs 500 (§12.2.2), a
//!   re-INVITE that crosses its own 491 and one that overlaps an incoming one 500 with
//!   Retry-After (§14.2), a CANCEL 200 and its INVITE 487 (§9.2), and a BYE 200 (§15.1.2).

mod core;
mod state;
#[cfg(test)]
mod tests;

pub use core::{MAX_FORKS, TerminationReason, UaConfig, UaError, UaEvent, UserAgent};
pub use state::{Dialog, DialogId, DialogState, LocalParty};

/// Why a dialog could not be created or a request in it not be handled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DialogError {
    /// A header the dialog needs is missing or invalid.
    #[error("missing or invalid {0}")]
    MissingHeader(&'static str),
    /// From or To lacks the tag that identifies the dialog.
    #[error("missing tag")]
    MissingTag,
    /// A request inside the dialog with a CSeq number not above the last one (answer 500,
    /// §12.2.2).
    #[error("CSeq {received} is not above the last one, {last}")]
    OutOfOrder {
        /// The number received.
        received: u32,
        /// The last number accepted.
        last: u32,
    },
    /// The remote target or first route is not a valid Request-URI.
    #[error("invalid target {0:?}")]
    InvalidTarget(String),
}
