//! Per-session state: paths, outgoing messages pulling their content, incoming messages
//! being reassembled, and the requests a session writes (responses, REPORTs, bodiless SEND).

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use super::config::{ReportOptions, SessionConfig};
use super::event::{ConnectionId, MessageError};
use crate::header::{ByteRange, FailureReport, Header, ReportStatus, Text};
use crate::ident::{IdGenerator, MessageId, TransactionId};
use crate::message::{Flag, Head, Method, Request, Response, encode_end_line};
use crate::reassembly::Reassembler;
use crate::sender::ChunkSender;
use crate::status::StatusCode;
use crate::uri::{MsrpUri, Path};

/// Message-IDs remembered per session after they end (to correlate late REPORTs and refuse
/// late chunks of refused messages); older ones are forgotten.
pub(crate) const RECENT: usize = 64;

/// A message we send.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub id: MessageId,
    pub content_type: Text,
    pub sender: ChunkSender,
    pub size: Option<u64>,
    pub reports: ReportOptions,
    /// Content asked from the application: bytes `0..asked` (0-based).
    pub asked: u64,
    /// Content handed over by the application.
    pub provided: u64,
    /// The application declared the content complete.
    pub finished: bool,
    /// Chunks awaiting their response.
    pub pending: usize,
    /// Body position (1-based) where the open chunk started.
    pub chunk_start: u64,
    /// A chunk went out (so an abort must be written as a `#` chunk).
    pub started: bool,
    /// The open chunk was answered 200 before its end-line went out.
    pub answered_early: Option<crate::ident::TransactionId>,
    /// The message must stop: `Some` once failed or aborted; it is removed when no chunk of
    /// it is open any more.
    pub stop: Option<Option<MessageError>>,
}

impl Outgoing {
    /// Content pulled but not yet written.
    pub fn queued(&self) -> u64 {
        self.provided - self.sender.sent()
    }

    /// Whether the sender can open a chunk now.
    pub fn ready(&self) -> bool {
        self.stop.is_none()
            && !self.sender.is_done()
            && (self.queued() >= crate::INTERRUPTIBLE_THRESHOLD as u64 || self.finished)
    }
}

/// A message we receive.
#[derive(Debug)]
pub(crate) struct Incoming {
    /// Success-Report of its chunks.
    pub success: crate::header::SuccessReport,
    /// Failure-Report of its chunks.
    pub failure: FailureReport,
    /// Original From-Path, for REPORTs.
    pub from_path: Path,
    pub total: Option<u64>,
    /// In-order sink: bytes handed out so far.
    pub delivered: u64,
}

#[derive(Debug)]
pub(crate) struct Session {
    pub local_path: Path,
    pub remote_path: Path,
    pub config: SessionConfig,
    pub connection: Option<ConnectionId>,
    /// Outgoing messages in the order they were submitted.
    pub outgoing: Vec<Outgoing>,
    /// Ended outgoing messages that asked for REPORTs, newest last.
    pub recent_sent: VecDeque<MessageId>,
    /// Media types the peer refused with 415 (RFC 4975 §10.6).
    pub refused_types: Vec<String>,
    pub reassembler: Reassembler,
    pub incoming: HashMap<MessageId, Incoming>,
    /// Incoming messages we refused, with the status their later chunks get.
    pub refused: VecDeque<(MessageId, StatusCode)>,
    /// Received bytes handed out and not released.
    pub unreleased: usize,
    /// When the session last wrote a request.
    pub last_sent: Option<Instant>,
    pub failed: bool,
    /// Listed in its connection's `sending` queue.
    pub in_sending: bool,
}

impl Session {
    pub fn new(local_path: Path, remote_path: Path, config: SessionConfig) -> Self {
        let reassembler = Reassembler::new(config.sink, config.reassembly.clone());
        Self {
            local_path,
            remote_path,
            config,
            connection: None,
            outgoing: Vec::new(),
            recent_sent: VecDeque::new(),
            refused_types: Vec::new(),
            reassembler,
            incoming: HashMap::new(),
            refused: VecDeque::new(),
            unreleased: 0,
            last_sent: None,
            failed: false,
            in_sending: false,
        }
    }

    /// Our URI, which the To-Path of every request to us holds (RFC 4975 §7.3).
    pub fn local_uri(&self) -> &MsrpUri {
        self.local_path.last()
    }

    pub fn outgoing_mut(&mut self, id: MessageId) -> Option<&mut Outgoing> {
        self.outgoing.iter_mut().find(|m| m.id == id)
    }

    pub fn is_refused_type(&self, content_type: &Text) -> bool {
        let media = media_type(content_type.as_str());
        self.refused_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case(media))
    }

    pub fn refuse_type(&mut self, content_type: &Text) {
        if !self.is_refused_type(content_type) && self.refused_types.len() < RECENT {
            self.refused_types
                .push(media_type(content_type.as_str()).to_owned());
        }
    }

    pub fn refused_status(&self, id: MessageId) -> Option<StatusCode> {
        self.refused.iter().find(|(m, _)| *m == id).map(|(_, s)| *s)
    }

    pub fn remember_refused(&mut self, id: MessageId, status: StatusCode) {
        if self.refused_status(id).is_none() {
            if self.refused.len() >= RECENT {
                self.refused.pop_front();
            }
            self.refused.push_back((id, status));
        }
    }

    pub fn remember_sent(&mut self, id: MessageId) {
        if self.recent_sent.len() >= RECENT {
            self.recent_sent.pop_front();
        }
        self.recent_sent.push_back(id);
    }

    /// A bodiless SEND (RFC 4975 §5.4 binding, §7.1 keep-alive).
    pub fn bodiless_send(&self, ids: &mut IdGenerator) -> (TransactionId, Bytes) {
        let tid = TransactionId::generate(ids);
        let mut req = Request::new(
            tid,
            Method::Send,
            self.remote_path.clone(),
            self.local_path.clone(),
        );
        req.headers
            .push(Header::MessageId(MessageId::generate(ids)));
        (tid, encode_bodiless(Head::Request(req), tid))
    }

    /// A REPORT about message `id` (RFC 4975 §7.1.3, §7.1.4): To-Path is the original
    /// From-Path; no Success-Report or Failure-Report header.
    pub fn report(
        &self,
        ids: &mut IdGenerator,
        to_path: Path,
        id: MessageId,
        range: Option<ByteRange>,
        status: StatusCode,
    ) -> Bytes {
        let tid = TransactionId::generate(ids);
        let mut req = Request::new(tid, Method::Report, to_path, self.local_path.clone());
        req.headers.push(Header::MessageId(id));
        if let Some(range) = range {
            req.headers.push(Header::ByteRange(range));
        }
        req.headers.push(Header::Status(ReportStatus::new(status)));
        encode_bodiless(Head::Request(req), tid)
    }
}

/// The media type of a Content-Type value, without parameters.
fn media_type(value: &str) -> &str {
    value[..value.find(';').unwrap_or(value.len())].trim()
}

fn encode_bodiless(head: Head, tid: TransactionId) -> Bytes {
    let mut out = BytesMut::with_capacity(256);
    head.encode(&mut out);
    encode_end_line(tid, Flag::Complete, &mut out);
    out.freeze()
}

/// The response to a request (RFC 4975 §7.2): same transaction id; To-Path is the leftmost
/// From-Path URI for SEND and the whole From-Path otherwise; From-Path is `responder`.
pub(crate) fn response(
    tid: TransactionId,
    method_is_send: bool,
    from_path: &Path,
    status: StatusCode,
    responder: Path,
) -> Bytes {
    let to_path = if method_is_send {
        Path::new(from_path.first().clone())
    } else {
        from_path.clone()
    };
    let reason = status.reason();
    let head = Head::Response(Response {
        transaction_id: tid,
        status,
        comment: (!reason.is_empty())
            .then(|| Text::new(reason))
            .and_then(Result::ok),
        to_path,
        from_path: responder,
        headers: crate::header::Headers::new(),
    });
    encode_bodiless(head, tid)
}

/// Whether a request with this Failure-Report gets a response with `status` (RFC 4975
/// §7.1.4, §7.2): `yes` always, `partial` only errors, `no` never.
pub(crate) fn answers(failure: FailureReport, status: StatusCode) -> bool {
    match failure {
        FailureReport::Yes => true,
        FailureReport::Partial => !status.is_success(),
        FailureReport::No => false,
    }
}
