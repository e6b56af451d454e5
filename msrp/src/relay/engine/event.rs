//! Events and errors of the [`Relay`](super::Relay).

use std::time::Duration;

use thiserror::Error;

use crate::endpoint::ConnectionId;
use crate::error::DecodeError;
use crate::ident::MessageId;
use crate::status::StatusCode;
use crate::uri::MsrpUri;

/// Why the relay closed a connection. Always fatal to the connection.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionError {
    /// Framing is lost (the decoder's fatal error).
    #[error("framing lost: {0}")]
    Framing(DecodeError),
    /// A request's first To-Path URI does not name this relay (RFC 4976 §6.2).
    #[error("a request was not addressed to the relay")]
    NotAddressedToRelay,
    /// No successful request within the probation period (RFC 4976 §6.1).
    #[error("no successful request in the probation period")]
    Probation,
    /// Several unsuccessful requests and no successful one (RFC 4976 §6.1, §6.3).
    #[error("too many unsuccessful requests")]
    TooManyFailures,
    /// The peer does not read what we write (the control queue limit was reached).
    #[error("the peer does not read what we write")]
    NotReading,
    /// Unused for [`idle_timeout`](super::RelayConfig::idle_timeout), or the least
    /// recently used unused connection when the connection limit was reached (RFC 4976
    /// §6.5).
    #[error("unused connection closed")]
    Unused,
}

impl ConnectionError {
    /// The MSRP status the failure corresponds to.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Framing(e) => e.status(),
            Self::NotAddressedToRelay | Self::TooManyFailures => StatusCode::Forbidden,
            Self::Probation | Self::Unused => StatusCode::RequestTimeout,
            Self::NotReading => StatusCode::TooLarge,
        }
    }

    /// Always true: the connection is closed.
    pub fn is_fatal(&self) -> bool {
        true
    }
}

/// A caller's misuse of the relay (never caused by a peer).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserError {
    /// No open or connecting connection with this handle.
    #[error("unknown connection")]
    UnknownConnection,
    /// The connection limit is reached.
    #[error("at most {limit} connections")]
    TooManyConnections {
        /// The limit.
        limit: usize,
    },
    /// The client URI limit is reached.
    #[error("at most {limit} client URIs")]
    TooManyClients {
        /// The limit.
        limit: usize,
    },
    /// The configured host and port do not make a valid MSRP URI.
    #[error("the relay's host and port do not form a valid MSRP URI")]
    InvalidHost,
    /// The identifier source kept returning client URIs already handed out.
    #[error("no fresh client URI could be drawn")]
    IdCollision,
    /// `connected`/`connect_failed` for a connection that is not being opened.
    #[error("the connection is not being opened")]
    NotConnecting,
    /// Input for a connection whose reading is paused, beyond
    /// [`input_buffer_limit`](super::RelayConfig::input_buffer_limit): the bytes were not
    /// taken. Read a connection only while [`readable`](super::Relay::readable) says so.
    #[error("the connection's input is paused and its buffer is full")]
    InputPaused,
}

/// Why a forwarded message failed, as [`Event::MessageFailed`] reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ForwardFailure {
    /// The next hop answered a chunk with this error status.
    Response(StatusCode),
    /// The next hop did not answer within the response timeout (RFC 4976 §6.4.1).
    Timeout,
    /// The connection to the next hop closed or could not be opened.
    NextHopLost,
    /// The next hop did not take the bytes within the stall timeout.
    Stalled,
    /// The sender went quiet in the middle of the message.
    Idle,
    /// The chunks were inconsistent: bytes beyond the declared total, a route that changed
    /// mid-message, `$` short of the total in a message whose chunks came in order, or a chunk
    /// the decoder refused.
    BadChunks,
}

impl ForwardFailure {
    /// The status the failure REPORT to the sender carries.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Response(s) => *s,
            Self::Timeout | Self::NextHopLost | Self::Stalled | Self::Idle => {
                StatusCode::RequestTimeout
            }
            Self::BadChunks => StatusCode::Unintelligible,
        }
    }
}

/// Counters of a [`Relay`](super::Relay) since it started, out of
/// [`stats`](super::Relay::stats).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RelayStats {
    /// SEND messages forwarded whole: last chunk written and, with `Failure-Report: yes`,
    /// every forwarded chunk answered 200.
    pub messages_forwarded: u64,
    /// Forwarded SEND messages that failed (their senders were told).
    pub messages_failed: u64,
    /// SEND messages the sender aborted (`#`), passed on downstream.
    pub messages_aborted: u64,
    /// Non-SEND requests (and bodiless SENDs) forwarded.
    pub requests_forwarded: u64,
    /// Requests refused (not forwarded): unknown or expired URIs, limits, bad messages.
    pub requests_refused: u64,
    /// Body bytes of SEND messages taken in for forwarding.
    pub body_bytes: u64,
    /// Bytes handed out by `poll_transmit` / `poll_transmit_on`.
    pub bytes_written: u64,
    /// AUTH requests answered 200 (a client URI handed out).
    pub auth_accepted: u64,
    /// AUTH requests refused with 401 after credentials, or 403; and AUTHs this relay
    /// forwarded for a directly connected client that a relay further on refused with 401.
    pub auth_refused: u64,
    /// Connections the relay dropped ([`Event::Close`]).
    pub connections_dropped: u64,
}

/// What happened, out of [`poll_event`](super::Relay::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Open a transport connection to the host and port of `uri` (TLS when `tls`), then
    /// call [`connected`](super::Relay::connected) or
    /// [`connect_failed`](super::Relay::connect_failed) with `connection`. A URI without
    /// a port names the relay default (RFC 4976 §8: SRV `_msrps._tcp`, then port 2855).
    Connect {
        /// The handle the connection will have.
        connection: ConnectionId,
        /// The next hop.
        uri: MsrpUri,
        /// Whether to use TLS (`msrps`).
        tls: bool,
    },
    /// Close this connection: the relay already forgot it (do not call
    /// [`close_connection`](super::Relay::close_connection) for it).
    Close {
        /// The connection.
        connection: ConnectionId,
        /// Why.
        error: ConnectionError,
    },
    /// A client authenticated and got a URI (RFC 4976 §6.3), valid on `connection` until
    /// it expires.
    ClientAuthenticated {
        /// The connection the client authenticated on.
        connection: ConnectionId,
        /// The authenticated user name.
        username: String,
        /// The URI handed out in Use-Path.
        uri: MsrpUri,
        /// How long it is valid.
        expires: Duration,
    },
    /// A forwarded message failed; its sender was told (REPORT, unless it asked for none).
    MessageFailed {
        /// The connection the message came in on.
        connection: ConnectionId,
        /// The message.
        message_id: MessageId,
        /// Why.
        failure: ForwardFailure,
    },
}
