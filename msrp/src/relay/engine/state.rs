//! The relay's per-connection, per-client and per-message state.

use std::collections::{HashSet, VecDeque};
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use crate::decoder::{Decoder, DecoderConfig};
use crate::endpoint::ConnectionId;
use crate::header::{ByteRange, FailureReport};
use crate::ident::{MessageId, TransactionId};
use crate::message::Request;
use crate::sender::ChunkSender;
use crate::status::StatusCode;
use crate::uri::{MsrpUri, Path};

/// Failed Message-IDs remembered per input connection, so their later chunks get 413.
pub(super) const FAILED_MEMORY: usize = 64;
/// Recent chunks sent with `Failure-Report: partial`, per connection, so a late error
/// response still finds its message.
pub(super) const RECENT_PARTIAL: usize = 64;
/// Body slices shorter than this are copied out of the input buffer before they are held
/// for forwarding, so a few bytes never keep a whole read buffer alive (a peer sending tiny
/// chunks to a stalled next hop would otherwise pin far more memory than the per-message
/// buffer says).
pub(super) const COPY_BELOW: usize = 8 << 10;
/// Peer authorities learned per connection.
pub(super) const MAX_ALIASES: usize = 4;

/// A timer key: its instant and a unique number.
pub(super) type TimerKey = (Instant, u64);

/// A forwarded SEND message's handle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct ForwardId(pub u64);

/// Where a URI's host and port point: the key of connection reuse (RFC 4975 §6.2,
/// RFC 4976 §6.4.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Authority {
    pub host: String,
    pub port: Option<u16>,
    pub tls: bool,
}

impl Authority {
    /// A URI without a port names the relay default, 2855 (RFC 4976 §8), so an AUTH sent to
    /// `msrps://relay;tcp` and later requests to `msrps://relay:2855/..;tcp` share one
    /// connection.
    pub fn of(uri: &MsrpUri) -> Self {
        Self {
            host: uri.host_str().to_ascii_lowercase(),
            port: Some(uri.port().unwrap_or(crate::relay::discovery::DEFAULT_PORT)),
            tls: uri.is_secure(),
        }
    }
}

/// What a timer is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Timer {
    /// A forwarded transaction's response is due.
    Response(ConnectionId, TransactionId),
    /// An accepted connection must have had a successful request by now.
    Probation(ConnectionId),
    /// A paused input connection has waited long enough for this message.
    Stall(ConnectionId, ForwardId),
    /// A forwarded message may have been idle too long.
    MessageIdle(ForwardId),
    /// A client URI expires.
    ClientExpiry(String),
    /// A connection may have been idle too long.
    Idle(ConnectionId),
}

/// A forwarded transaction awaiting its response on the outgoing connection.
#[derive(Debug)]
pub(super) enum Outstanding {
    /// A chunk of a forwarded SEND (`Failure-Report: yes`).
    Chunk {
        fwd: ForwardId,
        range: Option<ByteRange>,
        timer: Option<TimerKey>,
    },
    /// A forwarded non-SEND request whose response goes back to `in_conn` under `tid`.
    Request {
        in_conn: ConnectionId,
        tid: TransactionId,
        /// The request's From-Path as received, and our URI, for a 408 on timeout.
        from_path: Path,
        responder: Path,
        timer: Option<TimerKey>,
        /// An AUTH with credentials from a directly connected client: a 401 without
        /// `stale` counts as a failed AUTH of `in_conn` (RFC 4976 §6.3).
        credentials: bool,
    },
}

impl Outstanding {
    pub fn timer(&self) -> Option<TimerKey> {
        match self {
            Self::Chunk { timer, .. } | Self::Request { timer, .. } => *timer,
        }
    }
}

/// Where the body of the request being received goes.
#[derive(Debug)]
pub(super) enum Target {
    /// Nowhere: answered already, or not answered at all.
    Discard,
    /// Answered with this status at its end-line (rules permitting); the body is dropped.
    Answer(StatusCode),
    /// A chunk of a forwarded SEND.
    Chunk {
        fwd: ForwardId,
        /// Body bytes of this chunk received so far.
        received: u64,
        /// 1-based position of the chunk's first byte.
        start: u64,
    },
    /// A bodiless SEND or a non-SEND request, forwarded whole at its end-line (non-SEND
    /// bodies are at most 10240 octets, RFC 4975 §7.1).
    Whole {
        out: ConnectionId,
        request: Box<Request>,
        body: BytesMut,
        /// Whether the forwarded request is answered end to end (not REPORT, not SEND).
        track: bool,
    },
    /// An AUTH addressed to this relay, processed at its end-line.
    Auth { request: Box<Request> },
}

/// The request whose body and end-line are being received on a connection.
#[derive(Debug)]
pub(super) struct Receiving {
    pub tid: TransactionId,
    pub is_send: bool,
    pub is_report: bool,
    /// From-Path as received (responses go to its first URI for SEND, to all of it else).
    pub from_path: Path,
    /// Our URI that the request named: the From-Path of our answers.
    pub responder: Path,
    pub failure: FailureReport,
    pub target: Target,
}

/// Input held back while a message's buffer is full.
#[derive(Debug)]
pub(super) struct Pause {
    pub fwd: ForwardId,
    pub held: Bytes,
    pub timer: TimerKey,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// Opening (outgoing, `Event::Connect` emitted): bytes wait.
    Connecting,
    Open,
}

#[derive(Debug)]
pub(super) struct Conn {
    pub phase: Phase,
    pub tls: bool,
    /// Accepted (true) or opened by us.
    pub accepted: bool,
    pub decoder: Decoder,
    pub buf: BytesMut,
    pub receiving: Option<Receiving>,
    pub paused: Option<Pause>,
    /// Bytes that must go out before anything else: the `#` end-line of a chunk that
    /// was open when its message failed.
    pub urgent: VecDeque<Bytes>,
    /// Responses, REPORTs and whole forwarded requests, written between chunks.
    pub control: VecDeque<Bytes>,
    pub control_bytes: usize,
    /// The forwarded message whose chunk is open on this connection.
    pub current: Option<ForwardId>,
    /// Body bytes the current message wrote in its turn.
    pub turn_bytes: usize,
    /// Forwarded messages writing to this connection, in round-robin order.
    pub sending: VecDeque<ForwardId>,
    /// Transactions sent here awaiting a response.
    pub pending: usize,
    /// Recent chunks sent with `Failure-Report: partial` (transaction, message).
    pub recent: VecDeque<(TransactionId, ForwardId)>,
    /// Message-IDs of messages received here that failed, with the status later chunks get.
    pub failed_messages: VecDeque<MessageId>,
    /// Client URIs (session ids) handed out on this connection.
    pub clients: HashSet<String>,
    /// Peer authorities this connection reaches (its target, or learned ones).
    pub aliases: Vec<Authority>,
    /// A request succeeded here (RFC 4976 §6.1 probation).
    pub successful: bool,
    pub failures: u32,
    pub auth_failures: u32,
    /// Forwarded messages coming in on this connection.
    pub forwards_in: usize,
    pub probation: Option<TimerKey>,
    /// When bytes last moved either way.
    pub last_activity: Instant,
}

impl Conn {
    pub fn new(
        config: &DecoderConfig,
        phase: Phase,
        accepted: bool,
        tls: bool,
        now: Instant,
    ) -> Self {
        Self {
            phase,
            tls,
            accepted,
            decoder: Decoder::new(config.clone()),
            buf: BytesMut::new(),
            receiving: None,
            paused: None,
            urgent: VecDeque::new(),
            control: VecDeque::new(),
            control_bytes: 0,
            current: None,
            turn_bytes: 0,
            sending: VecDeque::new(),
            pending: 0,
            recent: VecDeque::new(),
            failed_messages: VecDeque::new(),
            clients: HashSet::new(),
            aliases: Vec::new(),
            successful: false,
            failures: 0,
            auth_failures: 0,
            forwards_in: 0,
            probation: None,
            last_activity: now,
        }
    }

    pub fn push_control(&mut self, bytes: Bytes) {
        self.control_bytes += bytes.len();
        self.control.push_back(bytes);
    }

    pub fn pop_control(&mut self) -> Option<Bytes> {
        let b = self.control.pop_front()?;
        self.control_bytes -= b.len();
        Some(b)
    }

    /// Whether nothing depends on this connection: no client URI, no message or request
    /// in flight either way (not even part of one received), nothing queued.
    pub fn is_unused(&self) -> bool {
        self.phase == Phase::Open
            && self.clients.is_empty()
            && self.forwards_in == 0
            && self.sending.is_empty()
            && self.current.is_none()
            && self.pending == 0
            && self.paused.is_none()
            && self.receiving.is_none()
            && self.buf.is_empty()
            && self.control.is_empty()
            && self.urgent.is_empty()
    }

    pub fn remember_failed(&mut self, id: MessageId) {
        if self.failed_messages.len() >= FAILED_MEMORY {
            self.failed_messages.pop_front();
        }
        self.failed_messages.push_back(id);
    }
}

/// A client URI handed out (RFC 4976 §6.3): valid on one connection until it expires.
#[derive(Debug)]
pub(super) struct Client {
    pub connection: ConnectionId,
    pub expires_at: Instant,
    pub timer: TimerKey,
}

/// A SEND message being forwarded chunk by chunk (cut-through).
#[derive(Debug)]
pub(super) struct Forward {
    pub in_conn: ConnectionId,
    pub out_conn: ConnectionId,
    pub message_id: MessageId,
    /// Re-chunks the body towards the next hop, holding at most the message buffer.
    pub sender: ChunkSender,
    /// Where failure REPORTs go: the From-Path as received, and our URI as their From-Path.
    pub report_to: Path,
    pub responder: Path,
    pub failure: FailureReport,
    /// Transactions of forwarded chunks awaiting a response on `out_conn`.
    pub outstanding: Vec<TransactionId>,
    /// Listed in the outgoing connection's `sending` queue.
    pub in_sending: bool,
    /// When bytes last came in.
    pub last_input: Instant,
    /// 1-based position where the outgoing chunk that is open started.
    pub chunk_start: u64,
    /// Highest 1-based position received.
    pub received_end: u64,
    /// A chunk that starts at this position came while bytes before it were still held or
    /// their chunk open: its input waits (paused) until they are out and the chunk closed.
    pub reposition: Option<u64>,
    /// Some chunk did not start where the previous one ended (RFC 4975 lets chunks come in
    /// any order), so `$` may come before every byte did: the receiver judges the whole.
    pub out_of_order: bool,
}
