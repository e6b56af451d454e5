//! SIP transactions (RFC 3261 §17 as updated by RFC 6026), sans-IO.
//!
//! A [`TransactionLayer`] holds every client and server transaction of an element. The
//! transaction user (a UA core or a proxy) hands it requests to send and responses to answer
//! with; the transport hands it every received message. It decides what goes on the wire
//! (retransmissions over unreliable transports, ACK for non-2xx final responses, 100 Trying)
//! and when, and tells the transaction user what happened:
//!
//! ```text
//!   received Message ──► handle_message(now, msg, source) ─┐
//!   send_request / respond / cancel (now, ..) ─────────────┤
//!   handle_timeout(now) ───────────────────────────────────┤
//!                                                          ▼
//!                    poll_transmit() ◄── TransactionLayer ──► poll_event()
//!                    (message + destination)     │            Request, Response, Ack,
//!                                                ▼            Timeout, TransportError, ...
//!                                         poll_timeout()
//! ```
//!
//! Timers A-M follow §17 with the RFC 6026 changes: a client INVITE transaction that receives
//! a 2xx moves to Accepted and passes every further 2xx (forked answers) to the transaction
//! user until timer M; a server INVITE transaction that sends a 2xx moves to Accepted, absorbs
//! retransmitted INVITEs and passes ACKs up until timer L. Retransmission timers run only over
//! unreliable transports, and the wait timers D, I, J and K are zero over reliable ones.
//!
//! Matching follows §17.1.3 (client: the top Via branch and the CSeq method) and §17.2.3
//! (server: branch, sent-by and method, ACK matching its INVITE; the RFC 2543 rules when the
//! branch lacks the `z9hG4bK` cookie).

mod key;
mod layer;
mod received;
#[cfg(test)]
mod tests;

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use crate::{Message, Request};

pub use key::{ack_for, cancel_for};
pub use layer::TransactionLayer;
pub use received::stamp_received;
pub(crate) use received::switch_via_transport;

/// The transport a message travels over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Transport {
    /// UDP: unreliable, so requests and final responses are retransmitted.
    Udp,
    /// TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
}

impl Transport {
    /// Whether the transport delivers reliably (no retransmissions, zero wait timers).
    pub fn is_reliable(self) -> bool {
        !matches!(self, Transport::Udp)
    }

    /// The token in a Via header (`UDP`, `TCP`, `TLS`).
    pub fn via_token(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
        }
    }
}

/// Where a message goes to or came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Destination {
    /// The peer's address.
    pub addr: SocketAddr,
    /// The transport.
    pub transport: Transport,
}

impl Destination {
    /// A destination.
    pub fn new(addr: SocketAddr, transport: Transport) -> Destination {
        Destination { addr, transport }
    }
}

/// A message to send, out of [`TransactionLayer::poll_transmit`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub destination: Destination,
    /// What to send.
    pub message: Message,
}

/// A transaction's handle, unique within its [`TransactionLayer`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TransactionId(pub(crate) u64);

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tx{}", self.0)
    }
}

/// The four transaction machines of RFC 3261 §17.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// §17.1.1, with RFC 6026's Accepted state.
    ClientInvite,
    /// §17.1.2.
    ClientNonInvite,
    /// §17.2.1, with RFC 6026's Accepted state.
    ServerInvite,
    /// §17.2.2.
    ServerNonInvite,
}

/// A transaction's state (RFC 3261 §17 figures 5-8, RFC 6026 figures 3-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum State {
    /// Client INVITE: request sent, no response yet.
    Calling,
    /// Non-INVITE: request sent (client) or received (server), no response yet.
    Trying,
    /// A provisional response received (client) or sent (server).
    Proceeding,
    /// A final response (non-2xx for INVITE) received or sent; absorbing retransmissions.
    Completed,
    /// INVITE with a 2xx: absorbing retransmissions, passing 2xx (client) or ACK (server) up.
    Accepted,
    /// Server INVITE: ACK received for a non-2xx final response.
    Confirmed,
    /// Gone; the handle is no longer valid.
    Terminated,
}

/// The timer values of RFC 3261 §17.1.1.1 and Table 4, and the 100 Trying delay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Timers {
    /// T1, the RTT estimate: 500 ms.
    pub t1: Duration,
    /// T2, the longest retransmit interval for non-INVITE requests and INVITE responses: 4 s.
    pub t2: Duration,
    /// T4, how long a message may stay in the network: 5 s.
    pub t4: Duration,
    /// How long a server INVITE transaction waits for the transaction user's first response
    /// before it sends 100 Trying itself (§17.2.1: 200 ms). `None` never sends it.
    pub trying: Option<Duration>,
}

impl Default for Timers {
    fn default() -> Self {
        Timers {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            trying: Some(Duration::from_millis(200)),
        }
    }
}

impl Timers {
    /// Sets T1.
    pub fn t1(mut self, t1: Duration) -> Self {
        self.t1 = t1;
        self
    }

    /// Sets T2.
    pub fn t2(mut self, t2: Duration) -> Self {
        self.t2 = t2;
        self
    }

    /// Sets T4.
    pub fn t4(mut self, t4: Duration) -> Self {
        self.t4 = t4;
        self
    }

    /// Sets the 100 Trying delay.
    pub fn trying(mut self, delay: Option<Duration>) -> Self {
        self.trying = delay;
        self
    }

    /// 64*T1: timers B, F, H, J (unreliable), L and M.
    pub fn t1x64(&self) -> Duration {
        self.t1.saturating_mul(64)
    }
}

/// Configuration of a [`TransactionLayer`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TransactionConfig {
    /// Timer values.
    pub timers: Timers,
    /// The most transactions kept at once (default 65536). A request that would open one
    /// more is answered 503 without a transaction (RFC 3261 §21.5.4); `send_request` fails.
    pub max_transactions: usize,
    /// A request larger than this (bytes) for a UDP destination goes over TCP instead, with
    /// its top Via changed to match (§18.1.1; default 1300). `None` never switches.
    pub udp_request_limit: Option<usize>,
}

impl Default for TransactionConfig {
    fn default() -> Self {
        TransactionConfig {
            timers: Timers::default(),
            max_transactions: 65536,
            udp_request_limit: Some(1300),
        }
    }
}

impl TransactionConfig {
    /// Sets the timers.
    pub fn timers(mut self, timers: Timers) -> Self {
        self.timers = timers;
        self
    }

    /// Sets the UDP request size limit (§18.1.1).
    pub fn udp_request_limit(mut self, limit: Option<usize>) -> Self {
        self.udp_request_limit = limit;
        self
    }

    /// Sets the transaction limit.
    pub fn max_transactions(mut self, n: usize) -> Self {
        self.max_transactions = n;
        self
    }
}

/// What happened, out of [`TransactionLayer::poll_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A new request: a server transaction was created for it. Answer with
    /// [`TransactionLayer::respond`].
    Request {
        /// The new server transaction.
        transaction: TransactionId,
        /// The request.
        request: Request,
        /// Where it came from (responses go back there).
        source: Destination,
        /// For a CANCEL: the INVITE server transaction it cancels, if that still exists
        /// (§9.2; answer the CANCEL 200 and the INVITE 487), else `None` (answer 481).
        cancels: Option<TransactionId>,
    },
    /// An ACK that is not part of a non-2xx transaction: the ACK for a 2xx, which belongs to
    /// the dialog (§13.3.1.4, §17.2.1; RFC 6026 §8.7).
    Ack {
        /// The ACK.
        request: Request,
        /// Where it came from.
        source: Destination,
        /// The INVITE server transaction in the Accepted state it matched, if any.
        transaction: Option<TransactionId>,
    },
    /// A response for a client transaction (in the Accepted state: each further 2xx, as
    /// forking proxies may send several, RFC 6026 §8.4).
    Response {
        /// The client transaction.
        transaction: TransactionId,
        /// The response.
        response: crate::Response,
    },
    /// A response that matches no client transaction. A UA core still acknowledges a 2xx to
    /// an INVITE it sent (§13.2.2.4); anything else is dropped.
    StrayResponse {
        /// The response.
        response: crate::Response,
        /// Where it came from.
        source: Destination,
    },
    /// Timer B or F (client: no final response) or H (server: no ACK for a non-2xx final
    /// response) fired. The transaction is terminated.
    Timeout {
        /// The transaction.
        transaction: TransactionId,
    },
    /// The transport could not send for this transaction (reported through
    /// [`TransactionLayer::transport_error`]). The transaction is terminated.
    TransportError {
        /// The transaction.
        transaction: TransactionId,
    },
    /// The transaction ended; its handle is no longer valid.
    Terminated {
        /// The transaction.
        transaction: TransactionId,
    },
    /// A received message that no transaction can take, dropped (§18.1.2, §18.2.1).
    Dropped {
        /// Where it came from.
        source: Destination,
        /// Why.
        error: TransactionError,
    },
}

/// Why a call into the transaction layer failed, or why a received message was dropped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransactionError {
    /// No transaction has this handle (it never existed or has terminated).
    #[error("no such transaction")]
    UnknownTransaction,
    /// The message has no (valid) top Via.
    #[error("missing or invalid top Via")]
    MissingVia,
    /// A request to send has no RFC 3261 branch (`z9hG4bK...`) in its top Via.
    #[error("the top Via has no RFC 3261 branch")]
    MissingBranch,
    /// A header the transaction needs is missing or invalid.
    #[error("missing or invalid {0}")]
    MissingHeader(&'static str),
    /// The CSeq method differs from the request method.
    #[error("CSeq method does not match the request")]
    CSeqMismatch,
    /// ACK is not sent in a transaction of its own: the layer sends the ACK for non-2xx
    /// responses itself, and an ACK for a 2xx goes out with
    /// [`TransactionLayer::send_stateless`].
    #[error("ACK is not sent in a transaction")]
    AckNotTransactional,
    /// A client transaction with this branch and method already exists.
    #[error("a transaction with this branch already exists")]
    DuplicateBranch,
    /// The call does not fit the transaction's kind (e.g. `respond` on a client transaction,
    /// `cancel` on a non-INVITE).
    #[error("not possible for a {0:?} transaction")]
    WrongKind(Kind),
    /// The call does not fit the transaction's state (e.g. a second final response).
    #[error("not possible in state {0:?}")]
    WrongState(State),
    /// The response does not belong to the request (a 100 from the TU of a non-INVITE is
    /// fine; a response without the request's Via is not).
    #[error("the response does not match the transaction's request")]
    ResponseMismatch,
    /// The transaction limit is reached.
    #[error("too many transactions")]
    TooManyTransactions,
}
