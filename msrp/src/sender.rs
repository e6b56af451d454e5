//! The chunk sender (RFC 4975 §5.1, §7.1, §7.1.1): one message, whose body arrives piece by
//! piece, split into SEND chunks.
//!
//! The sender never needs the whole body: the application [`push`](ChunkSender::push)es pieces
//! as it reads them (up to [`room`](ChunkSender::room) bytes are queued) and drains wire bytes
//! with [`poll_segment`](ChunkSender::poll_segment): a chunk's head, then body slices (the
//! pushed `Bytes`, not copied), then its end-line. The connection's scheduler decides when
//! other traffic must go first and calls [`interrupt`](ChunkSender::interrupt), which closes the
//! chunk with `+`; the next segment opens a new chunk under a new transaction id at the next
//! Byte-Range position. [`abort`](ChunkSender::abort) ends the message with `#`.
//!
//! Rules kept: the first and every chunk carries a Byte-Range; a chunk whose length is not known
//! in advance, or is over 2048 octets, has range-end `*` (interruptible); a chunk is opened only
//! when 2048 octets (or the rest of the message) are queued and is not interrupted before 2048
//! octets, so no chunk is shorter except the last, or one cut short to keep the end-line out of
//! the body; the end-line (seven dashes and the transaction id) never appears in a chunk's body.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use memchr::memmem::Finder;
use thiserror::Error;

use crate::header::{ByteRange, FailureReport, Header, SuccessReport, Text};
use crate::ident::{IdGenerator, MessageId, TransactionId};
use crate::message::{Flag, Head, Method, Request, encode_end_line};
use crate::uri::Path;

const DASHES: &[u8] = b"-------";

/// How much of the queued body a new transaction id is checked against when a chunk opens;
/// what lies beyond is checked as it is written.
const OPEN_CHECK: usize = 8192;

/// Chunks up to this size may carry an exact range-end; larger ones must be interruptible, and
/// none is interrupted before reaching it (RFC 4975 §7.1.1).
pub const INTERRUPTIBLE_THRESHOLD: usize = 2048;

/// A caller's misuse of the sender.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendError {
    /// Data was pushed after [`finish`](ChunkSender::finish) or after the message ended.
    #[error("the message body is already complete")]
    Finished,
    /// More data than the declared total.
    #[error("more body bytes than the declared total of {total}")]
    ExceedsTotal {
        /// The declared total.
        total: u64,
    },
    /// The body ended short of the declared total.
    #[error("body ended after {pushed} of the declared {total} bytes")]
    ShortOfTotal {
        /// The declared total.
        total: u64,
        /// What was pushed.
        pushed: u64,
    },
    /// More queued than the configured limit (see [`ChunkSender::room`]).
    #[error("the send queue holds at most {limit} bytes")]
    QueueFull {
        /// The configured limit.
        limit: usize,
    },
}

/// What every chunk of the message carries, besides its transaction id and Byte-Range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageTemplate {
    /// To-Path.
    pub to_path: Path,
    /// From-Path.
    pub from_path: Path,
    /// The Message-ID, the same in every chunk.
    pub message_id: MessageId,
    /// Success-Report (written only when `yes`).
    pub success_report: SuccessReport,
    /// Failure-Report (written only when not the default `yes`).
    pub failure_report: FailureReport,
    /// Content-Type of the body.
    pub content_type: Text,
}

impl MessageTemplate {
    /// A template with the default reports (no Success-Report, Failure-Report `yes`).
    pub fn new(to_path: Path, from_path: Path, message_id: MessageId, content_type: Text) -> Self {
        Self {
            to_path,
            from_path,
            message_id,
            success_report: SuccessReport::No,
            failure_report: FailureReport::Yes,
            content_type,
        }
    }
}

/// Where the sender stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Between chunks.
    Idle,
    /// A chunk is open: its head is out, body bytes are being written.
    Open,
    /// The end-line of an open chunk must go out next with this flag.
    Closing(Flag),
    /// The message's last chunk is out (`$` or `#`).
    Ended,
}

/// Splits one message into SEND chunks. Sans-IO: nothing here blocks or reads a clock.
///
/// ```
/// use bytes::{Bytes, BytesMut};
/// use msrp::{ChunkSender, Decoder, Frame, IdGenerator, MessageId, MessageTemplate, Text};
/// use msrp::{FailureReport, SuccessReport};
///
/// let mut ids = IdGenerator::default();
/// let template = MessageTemplate {
///     to_path: "msrp://bob.example.com:7777/s2;tcp".parse()?,
///     from_path: "msrp://alice.example.com:7777/s1;tcp".parse()?,
///     message_id: MessageId::generate(&mut ids),
///     success_report: SuccessReport::No,
///     failure_report: FailureReport::Yes,
///     content_type: Text::new("image/png")?,
/// };
/// let mut sender = ChunkSender::new(template, Some(5000), 1 << 20);
/// sender.push(Bytes::from(vec![7u8; 5000]))?;
/// sender.finish()?;
/// let mut wire = BytesMut::new();
/// while let Some(segment) = sender.poll_segment(&mut ids, usize::MAX) {
///     wire.extend_from_slice(&segment);
/// }
/// assert!(sender.is_done());
/// let mut decoder = Decoder::default();
/// let mut body = 0;
/// while let Some(frame) = decoder.decode(&mut wire)? {
///     if let Frame::Data(d) = frame { body += d.len(); }
/// }
/// assert_eq!(body, 5000);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct ChunkSender {
    template: MessageTemplate,
    total: Option<u64>,
    /// 1-based position of the next body byte to go out.
    next_position: u64,
    /// Body bytes pushed so far.
    pushed: u64,
    queue: VecDeque<Bytes>,
    queued: usize,
    max_queued: usize,
    input_done: bool,
    /// The body pushed so far goes out now in chunks of its own, however short, each
    /// closed with `+` (a relay moving to another position); cleared by `seek`.
    flushing: bool,
    phase: Phase,
    /// The open (or last) chunk's transaction id.
    tid: Option<TransactionId>,
    /// Body bytes written in the open chunk.
    chunk_len: usize,
    /// The last body bytes written in the open chunk, to find an end-line straddling pieces.
    tail: Vec<u8>,
    chunks: u64,
    /// Searcher for the seven dashes that start every end-line, built once per message.
    dashes: Finder<'static>,
    /// Headers written into every chunk after the Byte-Range (a relay keeps the extension
    /// and MIME headers of the chunks it forwards).
    extra: Vec<Header>,
}

impl ChunkSender {
    /// A sender for one message. `total` is the body size if known (Byte-Range total; `*`
    /// otherwise); at most `max_queued` pushed bytes wait in the sender at once.
    pub fn new(template: MessageTemplate, total: Option<u64>, max_queued: usize) -> Self {
        Self {
            template,
            total,
            next_position: 1,
            pushed: 0,
            queue: VecDeque::new(),
            queued: 0,
            max_queued,
            input_done: false,
            flushing: false,
            phase: Phase::Idle,
            tid: None,
            chunk_len: 0,
            tail: Vec::new(),
            chunks: 0,
            dashes: Finder::new(DASHES).into_owned(),
            extra: Vec::new(),
        }
    }

    /// Headers written into every chunk after the Byte-Range, before Content-Type.
    #[cfg(feature = "relay")]
    pub(crate) fn set_extra_headers(&mut self, headers: Vec<Header>) {
        self.extra = headers;
    }

    /// Moves the next body position to `position` (1-based), as if the bytes before it had
    /// been sent: a relay forwarding chunks that do not start where the last one ended.
    /// Only between chunks with nothing queued; returns whether it moved.
    #[cfg(feature = "relay")]
    pub(crate) fn seek(&mut self, position: u64) -> bool {
        let fits = self.total.is_none_or(|t| position.saturating_sub(1) <= t);
        if self.phase != Phase::Idle || self.queued != 0 || position == 0 || !fits {
            return false;
        }
        self.next_position = position;
        self.pushed = position - 1;
        self.flushing = false;
        true
    }

    /// Sends the body pushed so far without waiting for more, in chunks closed with `+`
    /// (however short), so that [`seek`](Self::seek) can follow once they are written.
    #[cfg(feature = "relay")]
    pub(crate) fn flush(&mut self) {
        self.flushing = true;
    }

    /// Declares the body complete without checking it against the declared total: a relay
    /// forwarding a message whose chunks came out of order.
    #[cfg(feature = "relay")]
    pub(crate) fn end_input(&mut self) {
        self.input_done = true;
    }

    /// Whether the message has ended (`$` or `#` written) or its body is complete.
    #[cfg(feature = "relay")]
    pub(crate) fn is_finished(&self) -> bool {
        self.input_done || self.phase == Phase::Ended
    }

    /// Body bytes pushed and not yet written.
    #[cfg(feature = "relay")]
    pub(crate) fn queued(&self) -> usize {
        self.queued
    }

    /// The declared total, if any.
    #[cfg(feature = "relay")]
    pub(crate) fn total(&self) -> Option<u64> {
        self.total
    }

    /// How many more bytes [`push`](Self::push) accepts now.
    pub fn room(&self) -> usize {
        if self.input_done || self.phase == Phase::Ended {
            return 0;
        }
        let by_queue = self.max_queued.saturating_sub(self.queued);
        match self.total {
            Some(t) => by_queue.min(usize::try_from(t - self.pushed).unwrap_or(usize::MAX)),
            None => by_queue,
        }
    }

    /// Queues the next piece of the body.
    pub fn push(&mut self, data: Bytes) -> Result<(), SendError> {
        if self.input_done || self.phase == Phase::Ended {
            return Err(SendError::Finished);
        }
        if let Some(total) = self.total {
            if self.pushed + data.len() as u64 > total {
                return Err(SendError::ExceedsTotal { total });
            }
        }
        if self.queued + data.len() > self.max_queued {
            return Err(SendError::QueueFull {
                limit: self.max_queued,
            });
        }
        self.pushed += data.len() as u64;
        self.queued += data.len();
        if !data.is_empty() {
            self.queue.push_back(data);
        }
        Ok(())
    }

    /// Declares the body complete. With a declared total, everything must have been pushed.
    pub fn finish(&mut self) -> Result<(), SendError> {
        if let Some(total) = self.total {
            if self.pushed != total {
                return Err(SendError::ShortOfTotal {
                    total,
                    pushed: self.pushed,
                });
            }
        }
        self.input_done = true;
        Ok(())
    }

    /// Whether the message's last chunk has been written.
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Ended
    }

    /// Whether a chunk is open (its end-line is still to come).
    pub fn in_chunk(&self) -> bool {
        matches!(self.phase, Phase::Open | Phase::Closing(_))
    }

    /// Body bytes written so far.
    pub fn sent(&self) -> u64 {
        self.next_position - 1
    }

    /// Chunks opened so far.
    pub fn chunks(&self) -> u64 {
        self.chunks
    }

    /// The open or last chunk's transaction id.
    pub fn transaction_id(&self) -> Option<TransactionId> {
        self.tid
    }

    /// Whether [`interrupt`](Self::interrupt) would close the open chunk now.
    pub fn can_interrupt(&self) -> bool {
        self.phase == Phase::Open && self.chunk_len >= INTERRUPTIBLE_THRESHOLD
    }

    /// Closes the open chunk with `+` so other traffic can go first; returns its end-line, or
    /// `None` if no chunk is open or it holds fewer than 2048 octets (write more first).
    pub fn interrupt(&mut self) -> Option<Bytes> {
        if !self.can_interrupt() {
            return None;
        }
        Some(self.end_chunk(Flag::Continued))
    }

    /// Aborts the message: the open chunk ends with `#`, or, between chunks, an empty chunk
    /// flagged `#` is written (RFC 4975 §7.1). Nothing more is sent afterwards.
    pub fn abort(&mut self, ids: &mut IdGenerator) -> Option<Bytes> {
        match self.phase {
            Phase::Ended => None,
            Phase::Open | Phase::Closing(_) => Some(self.end_chunk(Flag::Aborted)),
            Phase::Idle => {
                let mut out = BytesMut::from(&self.open_chunk(ids, Some(0))[..]);
                let tid = self.tid.unwrap_or_else(|| TransactionId::generate(ids));
                out.extend_from_slice(b"\r\n");
                encode_end_line(tid, Flag::Aborted, &mut out);
                self.finish_ended();
                Some(out.freeze())
            }
        }
    }

    /// The next wire bytes to send: a chunk head, a body slice of at most `max_body` bytes, or
    /// an end-line. `None` when waiting for more body data, or when the message is done.
    pub fn poll_segment(&mut self, ids: &mut IdGenerator, max_body: usize) -> Option<Bytes> {
        match self.phase {
            Phase::Ended => None,
            Phase::Closing(flag) => Some(self.end_chunk(flag)),
            Phase::Idle => {
                if self.flushing && self.queued == 0 && !self.input_done {
                    return None;
                }
                let remaining_known = self.input_done || self.flushing;
                if self.queued < INTERRUPTIBLE_THRESHOLD && !remaining_known {
                    // Wait for a full-size chunk's worth, so no short chunk goes out.
                    return None;
                }
                // An exact range-end only for a last chunk of at most 2048 octets.
                let exact = (remaining_known && self.queued <= INTERRUPTIBLE_THRESHOLD)
                    .then_some(self.queued);
                Some(self.open_chunk(ids, exact))
            }
            Phase::Open => {
                if self.queued == 0 {
                    if self.input_done {
                        return Some(self.end_chunk(Flag::Complete));
                    }
                    if self.flushing {
                        return Some(self.end_chunk(Flag::Continued));
                    }
                    return None;
                }
                self.next_body_slice(max_body.max(1))
            }
        }
    }

    /// Writes the next chunk's head and opens it. `exact` is the chunk's length when known and
    /// small enough to state.
    fn open_chunk(&mut self, ids: &mut IdGenerator, exact: Option<usize>) -> Bytes {
        let (tid, clean) = self.fresh_tid(ids, exact);
        // A stated range-end is a promise of the chunk's length: only made when the whole
        // chunk is known to be free of the end-line.
        let exact = exact.filter(|_| clean);
        let start = self.next_position;
        let range = match exact {
            Some(len) => ByteRange::new(start, Some(start - 1 + len as u64), self.total),
            None => ByteRange::new(start, None, self.total),
        };
        let t = &self.template;
        let mut req = Request::new(tid, Method::Send, t.to_path.clone(), t.from_path.clone());
        req.headers.push(Header::MessageId(t.message_id));
        if t.success_report != SuccessReport::No {
            req.headers.push(Header::SuccessReport(t.success_report));
        }
        if t.failure_report != FailureReport::Yes {
            req.headers.push(Header::FailureReport(t.failure_report));
        }
        // Positions and sizes come from this sender's own counters, which keep them
        // consistent; a failure here would be a bug, and the header is then left out.
        if let Ok(range) = range {
            req.headers.push(Header::ByteRange(range));
        }
        for h in &self.extra {
            req.headers.push(h.clone());
        }
        req.content_type = Some(t.content_type.clone());
        let mut out = BytesMut::with_capacity(256);
        Head::Request(req).encode(&mut out);
        out.extend_from_slice(b"\r\n");
        self.tid = Some(tid);
        self.phase = Phase::Open;
        self.chunk_len = 0;
        self.tail.clear();
        self.chunks += 1;
        out.freeze()
    }

    /// A transaction id whose end-line does not occur at the front of the queued body
    /// (RFC 4975 §7.1), so a chunk is rarely cut short for it. With `exact`, the chunk's whole
    /// body (that many queued bytes, at most 2048) is checked, pieces joined. The flag says
    /// whether the checked bytes are free of the end-line.
    fn fresh_tid(&self, ids: &mut IdGenerator, exact: Option<usize>) -> (TransactionId, bool) {
        let joined: Vec<u8>;
        let window = match exact {
            Some(len) => {
                joined = self
                    .queue
                    .iter()
                    .flat_map(|p| p.iter().copied())
                    .take(len)
                    .collect();
                &joined[..]
            }
            None => self
                .queue
                .front()
                .map_or(&[][..], |p| &p[..p.len().min(OPEN_CHECK)]),
        };
        let mut tid = TransactionId::generate(ids);
        for _ in 0..8 {
            if find_end_line(&self.dashes, window, tid).is_none() {
                return (tid, true);
            }
            tid = TransactionId::generate(ids);
        }
        (tid, false)
    }

    /// The next body slice of the open chunk, cut short before any end-line of this
    /// transaction (the chunk is then closed with `+` and the rest goes under a new id).
    fn next_body_slice(&mut self, max_body: usize) -> Option<Bytes> {
        let tid = self.tid?;
        let front = self.queue.front_mut()?;
        let len = front.len().min(max_body);
        let mut cut = len;
        if let Some(at) = end_line_position(&self.dashes, &self.tail, &front[..len], tid) {
            // Stop before the pattern's bytes in this slice; close the chunk.
            cut = at;
            self.phase = Phase::Closing(Flag::Continued);
        }
        if cut == 0 {
            // The pattern starts right here: close now (the chunk may be short).
            return Some(self.end_chunk(Flag::Continued));
        }
        let slice = front.split_to(cut);
        if front.is_empty() {
            self.queue.pop_front();
        }
        self.queued -= cut;
        self.chunk_len += cut;
        self.next_position += cut as u64;
        remember_tail(&mut self.tail, &slice, 7 + tid.as_bytes().len());
        Some(slice)
    }

    /// Writes the open chunk's end-line with `flag`.
    fn end_chunk(&mut self, flag: Flag) -> Bytes {
        let tid = self.tid.unwrap_or_else(TransactionId::placeholder);
        let mut out = BytesMut::with_capacity(48);
        out.extend_from_slice(b"\r\n");
        encode_end_line(tid, flag, &mut out);
        match flag {
            Flag::Continued => self.phase = Phase::Idle,
            Flag::Complete | Flag::Aborted => self.finish_ended(),
        }
        out.freeze()
    }

    fn finish_ended(&mut self) {
        self.phase = Phase::Ended;
        self.queue.clear();
        self.queued = 0;
    }
}

/// The position of the first `-------<tid>` wholly inside `data`.
fn find_end_line(dashes: &Finder<'_>, data: &[u8], tid: TransactionId) -> Option<usize> {
    let tid = tid.as_bytes();
    // Overlapping occurrences matter (in a run of dashes only the last seven can precede the
    // id), so step one byte past each hit rather than use the non-overlapping `find_iter`.
    let mut from = 0;
    while let Some(p) = dashes.find(data.get(from..)?) {
        let at = from + p;
        if data.get(at + DASHES.len()..at + DASHES.len() + tid.len()) == Some(tid) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Where, within `next`, the first byte of a `-------<tid>` occurrence lies that would make it
/// appear in the chunk body after `tail` (the chunk's last bytes): clamped to 0 when it starts
/// in `tail`. An occurrence running past the end of `next` is caught with the next slice.
fn end_line_position(
    dashes: &Finder<'_>,
    tail: &[u8],
    next: &[u8],
    tid: TransactionId,
) -> Option<usize> {
    let n = DASHES.len() + tid.as_bytes().len();
    // Occurrences straddling the tail and `next`: search the tail joined with the start of
    // `next` (both shorter than the pattern).
    let t = &tail[tail.len().saturating_sub(n - 1)..];
    let head_len = next.len().min(n - 1);
    let mut joined = [0u8; 2 * (7 + crate::IDENT_MAX_LEN)];
    joined[..t.len()].copy_from_slice(t);
    joined[t.len()..t.len() + head_len].copy_from_slice(&next[..head_len]);
    if let Some(p) = find_end_line(dashes, &joined[..t.len() + head_len], tid) {
        if p < t.len() {
            return Some(0);
        }
    }
    find_end_line(dashes, next, tid)
}

/// Keeps the last `keep` bytes of the chunk body in `tail`.
fn remember_tail(tail: &mut Vec<u8>, slice: &[u8], keep: usize) {
    if slice.len() >= keep {
        tail.clear();
        tail.extend_from_slice(&slice[slice.len() - keep..]);
    } else {
        tail.extend_from_slice(slice);
        let excess = tail.len().saturating_sub(keep);
        tail.drain(..excess);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::{Event, decode_pieces};
    use crate::{DecoderConfig, Flag};

    fn template(ids: &mut IdGenerator) -> MessageTemplate {
        MessageTemplate::new(
            "msrp://bob.example.com:7777/s2;tcp".parse().unwrap(),
            "msrp://alice.example.com:7777/s1;tcp".parse().unwrap(),
            MessageId::generate(ids),
            Text::new("application/octet-stream").unwrap(),
        )
    }

    fn seeded(seed: u64) -> IdGenerator {
        IdGenerator::from_fn(testkit::id_source(seed))
    }

    fn check(wire: &[u8], body: &[u8], total: Option<u64>) -> Vec<(Request, Vec<u8>, Flag)> {
        crate::fuzzing::check_chunks(wire, body, total, false)
    }

    fn chunks(wire: &[u8]) -> Vec<(Request, Vec<u8>, Flag)> {
        let mut out = Vec::new();
        let mut cur: Option<(Request, Vec<u8>)> = None;
        for e in decode_pieces(&DecoderConfig::default(), [wire]) {
            match e {
                Event::Head(Head::Request(r)) => cur = Some((r, Vec::new())),
                Event::Data(d) => cur.as_mut().unwrap().1.extend_from_slice(&d),
                Event::End(f) => {
                    let (r, b) = cur.take().unwrap();
                    out.push((r, b, f));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        out
    }

    fn run(sender: &mut ChunkSender, ids: &mut IdGenerator, max_body: usize) -> Vec<u8> {
        let mut wire = Vec::new();
        while let Some(seg) = sender.poll_segment(ids, max_body) {
            wire.extend_from_slice(&seg);
        }
        wire
    }

    #[test]
    fn small_and_empty_messages_state_exact_ranges() {
        let mut ids = seeded(1);
        for size in [0usize, 1, 100, 2048] {
            let body = vec![b'x'; size];
            let mut s = ChunkSender::new(template(&mut ids), Some(size as u64), 1 << 20);
            s.push(body.clone().into()).unwrap();
            s.finish().unwrap();
            let wire = run(&mut s, &mut ids, usize::MAX);
            let cs = check(&wire, &body, Some(size as u64));
            assert_eq!(cs.len(), 1);
            let range = cs[0].0.headers.byte_range().unwrap();
            assert_eq!(range.end(), Some(size as u64), "{size}");
            assert!(s.is_done());
        }
    }

    #[test]
    fn streamed_body_of_unknown_size_in_full_chunks() {
        let mut ids = seeded(2);
        let mut rng = testkit::SeededRng::new(2);
        let body = rng.bytes(100_000);
        let mut s = ChunkSender::new(template(&mut ids), None, 8192);
        let mut wire = Vec::new();
        let mut fed = 0;
        let mut interrupts = 0;
        while !s.is_done() {
            // The application feeds what the sender has room for, in odd pieces.
            let room = s.room().min(1000 + (fed % 777));
            if room > 0 && fed < body.len() {
                let n = room.min(body.len() - fed);
                s.push(Bytes::copy_from_slice(&body[fed..fed + n])).unwrap();
                fed += n;
                if fed == body.len() {
                    s.finish().unwrap();
                }
            }
            // Interrupt whenever allowed, as if other traffic were always waiting.
            if let Some(end) = s.interrupt() {
                wire.extend_from_slice(&end);
                interrupts += 1;
            }
            if let Some(seg) = s.poll_segment(&mut ids, 1500) {
                wire.extend_from_slice(&seg);
            }
        }
        assert!(interrupts > 10);
        let cs = check(&wire, &body, None);
        // No chunk under 2048 octets except the last.
        for (_, data, _) in &cs[..cs.len() - 1] {
            assert!(data.len() >= INTERRUPTIBLE_THRESHOLD, "{}", data.len());
        }
        assert_eq!(s.chunks(), cs.len() as u64);
    }

    #[test]
    fn end_line_in_the_body_switches_transaction_id() {
        // Predict the sender's first transaction id from the same seed and put its end-line
        // in the body.
        let mut predict = seeded(3);
        let _ = template(&mut predict);
        let first = TransactionId::generate(&mut predict);
        let mut body = vec![b'a'; 3000];
        body.extend_from_slice(b"\r\n-------");
        body.extend_from_slice(first.as_bytes());
        body.extend_from_slice(b"$\r\n");
        body.extend_from_slice(&[b'b'; 3000]);

        let mut ids = seeded(3);
        let t = template(&mut ids);
        let mut s = ChunkSender::new(t, Some(body.len() as u64), 1 << 20);
        s.push(body.clone().into()).unwrap();
        s.finish().unwrap();
        let wire = run(&mut s, &mut ids, usize::MAX);
        let cs = check(&wire, &body, Some(body.len() as u64));
        assert_ne!(
            cs[0].0.transaction_id, first,
            "the colliding id was not used"
        );

        // The same when the pattern arrives after the chunk is open: the chunk is cut before
        // it and the rest goes under a new id.
        let mut ids = seeded(4);
        let t = template(&mut ids);
        let mut s = ChunkSender::new(t, None, 1 << 20);
        s.push(vec![b'c'; 2500].into()).unwrap();
        let mut wire = Vec::new();
        wire.extend_from_slice(&s.poll_segment(&mut ids, usize::MAX).unwrap());
        let open = s.transaction_id().unwrap();
        wire.extend_from_slice(&s.poll_segment(&mut ids, usize::MAX).unwrap());
        // Split the pattern across two pushes.
        let mut tail = b"xy-----".to_vec();
        s.push(tail.clone().into()).unwrap();
        let mut rest = b"--".to_vec();
        rest.extend_from_slice(open.as_bytes());
        rest.extend_from_slice(b"#\r\nzz");
        s.push(rest.clone().into()).unwrap();
        s.finish().unwrap();
        wire.extend_from_slice(&run(&mut s, &mut ids, usize::MAX));
        let mut body = vec![b'c'; 2500];
        body.append(&mut tail);
        body.extend_from_slice(&rest);
        let cs = check(&wire, &body, None);
        assert!(cs.len() >= 2);
        assert_eq!(cs[0].0.transaction_id, open);
    }

    #[test]
    fn abort_mid_chunk_and_between_chunks() {
        let mut ids = seeded(5);
        let mut s = ChunkSender::new(template(&mut ids), Some(10_000), 1 << 20);
        s.push(vec![1u8; 5000].into()).unwrap();
        let mut wire = Vec::new();
        wire.extend_from_slice(&s.poll_segment(&mut ids, 4000).unwrap());
        wire.extend_from_slice(&s.poll_segment(&mut ids, 4000).unwrap());
        wire.extend_from_slice(&s.abort(&mut ids).unwrap());
        assert!(s.is_done());
        assert_eq!(s.poll_segment(&mut ids, 10), None);
        assert_eq!(s.push(Bytes::from_static(b"x")), Err(SendError::Finished));
        let cs = chunks(&wire);
        assert_eq!(cs.len(), 1);
        assert_eq!((cs[0].1.len(), cs[0].2), (4000, Flag::Aborted));

        let mut s = ChunkSender::new(template(&mut ids), None, 1 << 20);
        let wire = s.abort(&mut ids).unwrap();
        let cs = chunks(&wire);
        assert_eq!((cs[0].1.len(), cs[0].2), (0, Flag::Aborted));
    }

    #[test]
    fn end_line_after_a_run_of_dashes_is_found() {
        let dashes = Finder::new(DASHES).into_owned();
        let tid = TransactionId::parse("ECKentFms0JSF2wV").unwrap();
        let mut data = vec![b'-'; 57];
        data.extend_from_slice(tid.as_bytes());
        assert_eq!(find_end_line(&dashes, &data, tid), Some(50));
        assert_eq!(find_end_line(&dashes, &data[..60], tid), None);
    }

    #[test]
    fn fuzz_harness_on_random_inputs() {
        let mut rng = testkit::SeededRng::new(7);
        for len in [0usize, 10, 11, 500, 2048, 2049, 5000, 20_000] {
            let mut data = rng.bytes(len);
            if len > 10 {
                data[1] = (len % 2) as u8;
            }
            crate::fuzzing::sender_roundtrip(&data);
        }
    }

    #[test]
    fn fuzz_regressions() {
        for name in ["017840a2d278", "6b7418ab86e4"] {
            let path = format!(
                "{}/../fuzz/corpus-seeds/regress-msrp_sender-{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            // The fuzz corpus is not part of the published crate; skip when absent.
            if let Ok(data) = std::fs::read(path) {
                crate::fuzzing::sender_roundtrip(&data);
            }
        }
    }

    #[test]
    fn misuse_is_reported() {
        let mut ids = seeded(6);
        let mut s = ChunkSender::new(template(&mut ids), Some(10), 8);
        assert_eq!(s.room(), 8);
        assert_eq!(
            s.push(vec![0u8; 9].into()),
            Err(SendError::QueueFull { limit: 8 })
        );
        s.push(vec![0u8; 8].into()).unwrap();
        assert_eq!(
            s.push(vec![0u8; 3].into()),
            Err(SendError::ExceedsTotal { total: 10 })
        );
        assert_eq!(
            s.finish(),
            Err(SendError::ShortOfTotal {
                total: 10,
                pushed: 8
            })
        );
        // Nothing opens before 2048 octets are queued or the body is complete.
        let mut s = ChunkSender::new(template(&mut ids), None, 1 << 20);
        s.push(vec![0u8; 100].into()).unwrap();
        assert_eq!(s.poll_segment(&mut ids, usize::MAX), None);
        assert!(!s.can_interrupt());
    }
}
