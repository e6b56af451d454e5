//! Per-connection state: the decoder and its buffer, the request being received, the queue
//! of responses and REPORTs (which go before chunks), the chunk being written, and the
//! transactions awaiting a response.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use super::event::SessionId;
use crate::decoder::{Decoder, DecoderConfig};
use crate::header::FailureReport;
use crate::ident::{MessageId, TransactionId};
use crate::reassembly::ChunkCursor;
use crate::uri::Path;

/// A transaction we sent and await the response to.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pending {
    /// A chunk of an outgoing message, bytes `start..=end` (1-based).
    Chunk {
        session: SessionId,
        message: MessageId,
        /// When its timeout fires (Failure-Report `yes` only), as a timer key.
        timer: Option<(Instant, u64)>,
    },
    /// A bodiless SEND (binding or keep-alive).
    Bodiless {
        session: SessionId,
        timer: Option<(Instant, u64)>,
    },
}

impl Pending {
    pub fn timer(&self) -> Option<(Instant, u64)> {
        match self {
            Self::Chunk { timer, .. } | Self::Bodiless { timer, .. } => *timer,
        }
    }
}

/// A chunk sent with `Failure-Report: partial`: no response is awaited, but an error
/// response may still come.
#[derive(Debug)]
pub(crate) struct RecentChunk {
    pub tid: TransactionId,
    pub session: SessionId,
    pub message: MessageId,
    pub content_type: crate::header::Text,
}

/// Where the body of the request being received goes.
#[derive(Debug)]
pub(crate) enum Target {
    /// Nowhere: the request was answered or is ignored.
    Discard,
    /// A chunk of a message of `session`.
    Chunk {
        session: SessionId,
        cursor: ChunkCursor,
        /// 1-based position of the chunk's first byte.
        start: u64,
        /// Body bytes received in this chunk.
        received: u64,
        /// The transaction was already answered (an early 413).
        answered: bool,
    },
    /// A bodiless SEND of `session`.
    Bodiless { session: SessionId },
    /// A REPORT for `session`, processed at its end-line.
    Report {
        session: SessionId,
        headers: crate::header::Headers,
    },
}

/// The request whose body and end-line are being received.
#[derive(Debug)]
pub(crate) struct Receiving {
    pub tid: TransactionId,
    pub is_send: bool,
    /// REPORTs are never answered (RFC 4975 §7.1.2).
    pub method_is_report: bool,
    pub from_path: Path,
    pub failure: FailureReport,
    pub target: Target,
}

#[derive(Debug)]
pub(crate) struct Connection {
    pub decoder: Decoder,
    pub buf: BytesMut,
    pub receiving: Option<Receiving>,
    /// Responses, REPORTs and bodiless SENDs, written before any more chunk data.
    pub control: VecDeque<Bytes>,
    pub control_bytes: usize,
    /// The message whose chunk is open (only one per connection at a time).
    pub current: Option<(SessionId, MessageId)>,
    /// Body bytes the current session wrote in its turn.
    pub turn_bytes: usize,
    /// Sessions bound here.
    pub sessions: VecDeque<SessionId>,
    /// Sessions bound here that have outgoing messages, in round-robin order (entries
    /// whose messages are all gone are dropped as they are met).
    pub sending: VecDeque<SessionId>,
    /// Something changed that may let more content be asked for.
    pub refill_needed: bool,
    pub pending: HashMap<TransactionId, Pending>,
    /// Recent chunks sent with `Failure-Report: partial` (no timer, no pending entry).
    pub recent: VecDeque<RecentChunk>,
    /// Framing lost or the peer stopped reading: nothing more is read or written.
    pub failed: bool,
    /// Transaction ids of the caller's own requests (e.g. RFC 4976 AUTH) whose responses
    /// are handed back as events, oldest first, at most [`FOREIGN_TRANSACTIONS`].
    pub foreign: VecDeque<TransactionId>,
    /// The caller sends its own requests here: the connection is in use even with no
    /// session bound, so the bind timeout does not apply.
    pub foreign_use: bool,
}

/// Requests of the caller's own awaiting their response, per connection; beyond it the
/// oldest is forgotten (its response then gets no event).
pub(crate) const FOREIGN_TRANSACTIONS: usize = 16;

impl Connection {
    pub fn new(config: &DecoderConfig) -> Self {
        Self {
            decoder: Decoder::new(config.clone()),
            buf: BytesMut::new(),
            receiving: None,
            control: VecDeque::new(),
            control_bytes: 0,
            current: None,
            turn_bytes: 0,
            sessions: VecDeque::new(),
            sending: VecDeque::new(),
            refill_needed: false,
            pending: HashMap::new(),
            recent: VecDeque::new(),
            failed: false,
            foreign: VecDeque::new(),
            foreign_use: false,
        }
    }

    pub fn push_control(&mut self, bytes: Bytes) {
        if self.failed {
            // Nothing more is written on a failed connection.
            return;
        }
        self.control_bytes += bytes.len();
        self.control.push_back(bytes);
    }

    pub fn pop_control(&mut self) -> Option<Bytes> {
        let b = self.control.pop_front()?;
        self.control_bytes -= b.len();
        Some(b)
    }
}
