//! Handles, outputs, events and errors of the [`Endpoint`](super::Endpoint).

use std::fmt;

use bytes::Bytes;
use thiserror::Error;

use crate::error::DecodeError;
use crate::header::{ByteRange, Text};
use crate::ident::MessageId;
use crate::status::StatusCode;

/// A transport connection's handle, unique within its endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(pub(crate) u64);

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conn{}", self.0)
    }
}

/// A session's handle, unique within its endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId(pub(crate) u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "session{}", self.0)
    }
}

/// Bytes to write on a connection, out of [`poll_transmit`](super::Endpoint::poll_transmit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// The connection to write on.
    pub connection: ConnectionId,
    /// The bytes, in order after those of earlier transmits on the same connection.
    pub data: Bytes,
}

/// Why an outgoing or incoming message failed.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageError {
    /// The peer answered a chunk with this error status (RFC 4975 §7.2).
    #[error("the peer answered {0}")]
    Response(StatusCode),
    /// The peer sent a failure REPORT with this status (RFC 4975 §7.1.4).
    #[error("the peer reported {0}")]
    Report(StatusCode),
    /// No response within the response timeout (RFC 4975 §7.1.1; a local 408).
    #[error("no response within the response timeout")]
    Timeout,
    /// The sender aborted the message (`#`).
    #[error("the sender aborted the message")]
    Aborted,
    /// We refused the received message with this status (415, 413, 403, ...).
    #[error("refused with {0}")]
    Refused(StatusCode),
    /// Reassembly failed (limits or contradictory ranges) with this status.
    #[error("reassembly failed: {0}")]
    Reassembly(crate::reassembly::ReassemblyError),
    /// The session or its connection ended first.
    #[error("the session ended")]
    SessionEnded,
}

impl MessageError {
    /// The MSRP status the failure corresponds to (408 for a local timeout, 400 for an abort
    /// or an ended session, which carry none of their own).
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Response(s) | Self::Report(s) | Self::Refused(s) => *s,
            Self::Timeout => StatusCode::RequestTimeout,
            Self::Reassembly(e) => e.status(),
            Self::Aborted | Self::SessionEnded => StatusCode::Unintelligible,
        }
    }

    /// Whether the session cannot be used any more: 481 and 506 (no such session, or bound
    /// elsewhere) and a session that ended. (RFC 4975 §7.3.2 also counts a failure REPORT
    /// for sent bytes as a session failure; the application decides whether to renegotiate.)
    pub fn is_fatal(&self) -> bool {
        match self {
            Self::Response(s) | Self::Report(s) => matches!(s.code(), 481 | 506),
            Self::SessionEnded => true,
            _ => false,
        }
    }
}

/// Why a session failed as a whole.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// The peer does not know the session (481) or it is bound to another connection (506).
    #[error("the peer answered {0}")]
    Rejected(StatusCode),
    /// The bodiless SEND (binding or keep-alive) got no response in time.
    #[error("no response to the bodiless SEND")]
    Timeout,
    /// The session's connection closed or failed.
    #[error("the connection ended")]
    ConnectionEnded,
}

impl SessionError {
    /// The MSRP status the failure corresponds to (408 for a timeout; 400 for a lost
    /// connection, which carries none of its own).
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Rejected(s) => *s,
            Self::Timeout => StatusCode::RequestTimeout,
            Self::ConnectionEnded => StatusCode::Unintelligible,
        }
    }

    /// Always true: a failed session cannot be used any more; a new one needs a new SDP
    /// exchange (RFC 4975 §5.4).
    pub fn is_fatal(&self) -> bool {
        true
    }
}

/// Why a connection failed. Always fatal to the connection: close it.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionError {
    /// Framing is lost (the decoder's fatal error).
    #[error("framing lost: {0}")]
    Framing(DecodeError),
    /// The peer keeps sending requests but does not read our answers (the control queue
    /// limit was reached).
    #[error("the peer does not read what we write")]
    NotReading,
    /// No session was bound to the connection within the bind timeout.
    #[error("no session bound in time")]
    Unbound,
}

impl ConnectionError {
    /// The status the failure corresponds to: the decoder error's status for lost framing,
    /// 408 for a connection left unbound, 413 for a peer that does not read.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Framing(e) => e.status(),
            Self::NotReading => StatusCode::TooLarge,
            Self::Unbound => StatusCode::RequestTimeout,
        }
    }

    /// Always true: the connection must be closed.
    pub fn is_fatal(&self) -> bool {
        true
    }
}

/// A caller's misuse of the endpoint (never caused by the peer).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserError {
    /// No session with this handle.
    #[error("unknown session")]
    UnknownSession,
    /// No connection with this handle.
    #[error("unknown connection")]
    UnknownConnection,
    /// No message in progress with this Message-ID in the session.
    #[error("unknown message")]
    UnknownMessage,
    /// The session limit is reached.
    #[error("at most {limit} sessions")]
    TooManySessions {
        /// The limit.
        limit: usize,
    },
    /// The connection limit is reached.
    #[error("at most {limit} connections")]
    TooManyConnections {
        /// The limit.
        limit: usize,
    },
    /// Another session already uses this local URI.
    #[error("another session has this local URI")]
    DuplicateUri,
    /// The session is already bound to a connection.
    #[error("the session is already bound to a connection")]
    AlreadyBound,
    /// The session failed (its connection ended, or the peer refused it): it sends
    /// nothing any more.
    #[error("the session failed")]
    SessionFailed,
    /// The session has no connection yet.
    #[error("the session is not bound to a connection")]
    NotBound,
    /// The peer refused this media type with 415 earlier in the session (RFC 4975 §10.6).
    #[error("the peer refused this media type in this session")]
    MediaTypeRefused,
    /// More content than asked for, or beyond the message size.
    #[error("more content than the message can take now")]
    TooMuchContent,
    /// The message's content is already complete.
    #[error("the message content is already complete")]
    ContentComplete,
    /// `finish` before the declared size was provided.
    #[error("content ended short of the declared size")]
    ShortContent,
    /// [`send_request`](super::Endpoint::send_request) was given a request with a body (a
    /// Content-Type), or one of SEND or REPORT, which belong to sessions.
    #[error("only bodiless requests of methods other than SEND and REPORT can be sent alone")]
    NotAStandaloneRequest,
}

/// What happened, out of [`poll_event`](super::Endpoint::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The response to a request sent with [`send_request`](super::Endpoint::send_request)
    /// (e.g. an RFC 4976 AUTH), handed over as received.
    ResponseReceived {
        /// The connection it came on.
        connection: ConnectionId,
        /// The response.
        response: crate::message::Response,
    },
    /// A passive connection's first SEND bound this session to it (RFC 4975 §5.4).
    SessionBound {
        /// The session.
        session: SessionId,
        /// The connection.
        connection: ConnectionId,
    },
    /// The session failed; its messages failed with it.
    SessionFailed {
        /// The session.
        session: SessionId,
        /// Why.
        error: SessionError,
    },
    /// The connection is unusable; close it. Its sessions failed.
    ConnectionFailed {
        /// The connection.
        connection: ConnectionId,
        /// Why.
        error: ConnectionError,
    },
    /// Answer with [`provide`](super::Endpoint::provide): the next `len` bytes of the
    /// message's content, from 0-based `offset`, in one or more pieces (a message of unknown
    /// size may end sooner with [`finish`](super::Endpoint::finish)). No more is asked for
    /// until they are all provided.
    ContentWanted {
        /// The session.
        session: SessionId,
        /// The message.
        message_id: MessageId,
        /// Where the wanted bytes start (0-based).
        offset: u64,
        /// How many bytes at most.
        len: usize,
    },
    /// Every byte of an outgoing message is written and, with `Failure-Report: yes`, every
    /// chunk was answered 200.
    MessageSent {
        /// The session.
        session: SessionId,
        /// The message.
        message_id: MessageId,
    },
    /// A REPORT for one of our messages (never answered, RFC 4975 §7.1.2).
    Report {
        /// The session.
        session: SessionId,
        /// The message.
        message_id: MessageId,
        /// The reported status.
        status: StatusCode,
        /// The bytes reported on.
        byte_range: Option<ByteRange>,
    },
    /// An outgoing or incoming message failed.
    MessageFailed {
        /// The session.
        session: SessionId,
        /// The message.
        message_id: MessageId,
        /// Whether we were sending it (`true`) or receiving it.
        outgoing: bool,
        /// Why.
        error: MessageError,
    },
    /// The first chunk of a new incoming message arrived.
    MessageStarted {
        /// The session.
        session: SessionId,
        /// The message.
        message_id: MessageId,
        /// Its Content-Type.
        content_type: Text,
        /// Its size, if the chunk stated it.
        size: Option<u64>,
    },
    /// Received content: `data` belongs at 0-based `offset` of the message. With the in-order
    /// sink, offsets only grow. [`release`](super::Endpoint::release) the bytes once used.
    Data {
        /// The session.
        session: SessionId,
        /// The message.
        message_id: MessageId,
        /// 0-based offset.
        offset: u64,
        /// The bytes (a slice of the received buffer).
        data: Bytes,
    },
    /// Every byte of an incoming message arrived, and its last chunk.
    MessageReceived {
        /// The session.
        session: SessionId,
        /// The message.
        message_id: MessageId,
        /// Its size.
        size: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_know_their_status_and_fatality() {
        assert_eq!(MessageError::Timeout.status().code(), 408);
        assert_eq!(
            MessageError::Refused(StatusCode::TooLarge).status().code(),
            413
        );
        assert!(MessageError::Response(StatusCode::NoSuchSession).is_fatal());
        assert!(MessageError::Report(StatusCode::SessionInUse).is_fatal());
        assert!(!MessageError::Response(StatusCode::UnsupportedMediaType).is_fatal());
        assert!(!MessageError::Aborted.is_fatal());
        assert_eq!(SessionError::Timeout.status().code(), 408);
        assert_eq!(
            SessionError::Rejected(StatusCode::NoSuchSession)
                .status()
                .code(),
            481
        );
        assert!(SessionError::ConnectionEnded.is_fatal());
        assert_eq!(ConnectionId(3).to_string(), "conn3");
        assert_eq!(SessionId(4).to_string(), "session4");
    }
}
