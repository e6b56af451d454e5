//! The receiver's reassembly of chunked messages (RFC 4975 §7.3.1): per Message-ID, chunks in
//! any order, duplicated or overlapping, into one of two sinks.
//!
//! - [`SinkKind::Positional`]: every slice is handed out with its offset, for a file written at
//!   offsets; only the set of received intervals is kept (last write wins on overlaps).
//! - [`SinkKind::InOrder`]: bytes are handed out in order; slices that arrive early wait in a
//!   bounded reordering window; bytes overlapping what was already delivered are dropped.
//!
//! A message completes when bytes 1..total are all present and the chunk ending at the total
//! (`$`) has arrived. Memory is bounded by [`ReassemblyConfig`]; a message that would exceed a
//! limit fails alone with an error that maps to 413, and its state is freed.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use bytes::Bytes;
use thiserror::Error;

use crate::header::ByteRange;
use crate::ident::MessageId;
use crate::message::Flag;
use crate::status::StatusCode;

/// Which sink a reassembler feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkKind {
    /// Slices with their offsets; nothing buffered.
    Positional,
    /// Bytes in order; early slices buffered in a bounded window.
    InOrder,
}

/// Limits of a reassembler (one per connection).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReassemblyConfig {
    /// Messages being reassembled at once. Default 1024.
    pub max_messages: usize,
    /// Received intervals kept per message (16 bytes each). Default 4096.
    pub max_intervals: usize,
    /// Received intervals kept across all messages of the connection. Default 65536.
    pub max_total_intervals: usize,
    /// In-order sink: bytes waiting out of order per message. Default 1 MiB.
    pub max_window: usize,
    /// In-order sink: bytes waiting out of order across all messages. Default 16 MiB.
    pub max_buffered: usize,
    /// Largest message size (highest byte position). Default 16 GiB.
    pub max_message_size: u64,
}

impl Default for ReassemblyConfig {
    fn default() -> Self {
        Self {
            max_messages: 1024,
            max_intervals: 4096,
            max_total_intervals: 65536,
            max_window: 1 << 20,
            max_buffered: 16 << 20,
            max_message_size: 16 << 30,
        }
    }
}

impl ReassemblyConfig {
    /// Sets [`max_messages`](Self::max_messages).
    pub fn with_max_messages(mut self, v: usize) -> Self {
        self.max_messages = v;
        self
    }
    /// Sets [`max_intervals`](Self::max_intervals).
    pub fn with_max_intervals(mut self, v: usize) -> Self {
        self.max_intervals = v;
        self
    }
    /// Sets [`max_total_intervals`](Self::max_total_intervals).
    pub fn with_max_total_intervals(mut self, v: usize) -> Self {
        self.max_total_intervals = v;
        self
    }
    /// Sets [`max_window`](Self::max_window).
    pub fn with_max_window(mut self, v: usize) -> Self {
        self.max_window = v;
        self
    }
    /// Sets [`max_buffered`](Self::max_buffered).
    pub fn with_max_buffered(mut self, v: usize) -> Self {
        self.max_buffered = v;
        self
    }
    /// Sets [`max_message_size`](Self::max_message_size).
    pub fn with_max_message_size(mut self, v: u64) -> Self {
        self.max_message_size = v;
        self
    }
}

/// Why a chunk was refused. The message it belongs to has failed and its state is freed;
/// others go on.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReassemblyError {
    /// Too many messages in progress on this connection.
    #[error("more than {limit} messages in progress")]
    TooManyMessages {
        /// The limit.
        limit: usize,
    },
    /// The message is larger than allowed (or a position overflows 64 bits).
    #[error("message larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The positional sink would keep more intervals than allowed.
    #[error("more than {limit} separate byte ranges")]
    TooFragmented {
        /// The limit.
        limit: usize,
    },
    /// The in-order sink would buffer more than its window.
    #[error("more than {limit} bytes out of order")]
    WindowExceeded {
        /// The limit.
        limit: usize,
    },
    /// Out-of-order bytes across messages would exceed the connection's budget.
    #[error("more than {limit} bytes buffered on the connection")]
    BufferExceeded {
        /// The limit.
        limit: usize,
    },
    /// Chunks disagree on the total, or data lies beyond it.
    #[error("byte ranges disagree with the message's total")]
    InconsistentTotal,
}

impl ReassemblyError {
    /// The status for the failing chunk and its message: 413 for limits (stop sending this
    /// message, RFC 4975 §7.2), 400 for contradictory ranges.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InconsistentTotal => StatusCode::Unintelligible,
            _ => StatusCode::TooLarge,
        }
    }
}

/// What the reassembler hands out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Output {
    /// Positional sink: write `data` at 0-based `offset` of the message.
    Write {
        /// The message.
        message_id: MessageId,
        /// 0-based offset in the message.
        offset: u64,
        /// The bytes (a slice of the received buffer).
        data: Bytes,
    },
    /// In-order sink: the next bytes of the message.
    Deliver {
        /// The message.
        message_id: MessageId,
        /// The bytes.
        data: Bytes,
    },
    /// Every byte is in and the last chunk arrived.
    Complete {
        /// The message.
        message_id: MessageId,
        /// Its size.
        size: u64,
    },
    /// The sender aborted the message (`#`); its state is freed.
    Aborted {
        /// The message.
        message_id: MessageId,
    },
    /// The message failed (the error was also returned to the caller, who answers with its
    /// status); what was handed out of it must be discarded, and its state is freed.
    Failed {
        /// The message.
        message_id: MessageId,
        /// Why.
        error: ReassemblyError,
    },
}

/// Where a chunk's data goes; returned by [`Reassembler::chunk`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChunkCursor {
    message_id: MessageId,
    /// 1-based position of the next byte of this chunk.
    position: u64,
}

impl ChunkCursor {
    /// The message.
    pub fn message_id(&self) -> MessageId {
        self.message_id
    }
}

#[derive(Debug, Default)]
struct MessageState {
    total: Option<u64>,
    /// Received `[start, end)` intervals (1-based), merged, by start.
    intervals: BTreeMap<u64, u64>,
    /// The `$` chunk arrived, ending at this position (inclusive).
    last_end: Option<u64>,
    /// In-order: next position to deliver.
    next: u64,
    /// In-order: early slices by start position.
    pending: BTreeMap<u64, Bytes>,
    pending_bytes: usize,
}

/// Reassembles the messages of one connection. Sans-IO: feed it the decoder's frames
/// ([`chunk`](Self::chunk) per head, [`data`](Self::data) per slice, [`end`](Self::end) per
/// end-line) and drain [`poll_output`](Self::poll_output).
#[derive(Debug)]
pub struct Reassembler {
    config: ReassemblyConfig,
    kind: SinkKind,
    messages: HashMap<MessageId, MessageState>,
    buffered: usize,
    /// Intervals kept across all messages.
    total_intervals: usize,
    outputs: VecDeque<Output>,
    /// Recently ended messages (completed, aborted or failed), oldest first, so their late or
    /// duplicated chunks are dropped instead of starting them again; at most `max_messages`.
    ended: VecDeque<MessageId>,
    ended_set: HashSet<MessageId>,
}

impl Reassembler {
    /// A reassembler feeding `kind` sinks.
    pub fn new(kind: SinkKind, config: ReassemblyConfig) -> Self {
        Self {
            config,
            kind,
            messages: HashMap::new(),
            buffered: 0,
            total_intervals: 0,
            outputs: VecDeque::new(),
            ended: VecDeque::new(),
            ended_set: HashSet::new(),
        }
    }

    /// Messages in progress.
    pub fn in_progress(&self) -> usize {
        self.messages.len()
    }

    /// Bytes held out of order across all messages (in-order sink).
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Intervals kept across all messages.
    pub fn intervals(&self) -> usize {
        self.total_intervals
    }

    /// The next output, if any.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// A chunk of `message_id` begins; `range` is its Byte-Range (absent means the whole
    /// message in one chunk, RFC 4975 §7.1.1).
    pub fn chunk(
        &mut self,
        message_id: MessageId,
        range: Option<ByteRange>,
    ) -> Result<ChunkCursor, ReassemblyError> {
        let start = range.map_or(1, |r| r.start());
        let cursor = ChunkCursor {
            message_id,
            position: start,
        };
        if self.ended_set.contains(&message_id) {
            // A late or repeated chunk of a message already over: its data is dropped.
            return Ok(cursor);
        }
        if !self.messages.contains_key(&message_id) {
            if self.messages.len() >= self.config.max_messages {
                return Err(ReassemblyError::TooManyMessages {
                    limit: self.config.max_messages,
                });
            }
            self.messages.insert(
                message_id,
                MessageState {
                    next: 1,
                    ..MessageState::default()
                },
            );
        }
        if let Err(e) = self.check_range(message_id, range) {
            self.fail_with(message_id, e);
            return Err(e);
        }
        Ok(cursor)
    }

    fn check_range(
        &mut self,
        message_id: MessageId,
        range: Option<ByteRange>,
    ) -> Result<(), ReassemblyError> {
        let max = self.config.max_message_size;
        let Some(state) = self.messages.get_mut(&message_id) else {
            return Ok(());
        };
        if let Some(total) = range.and_then(|r| r.total()) {
            if total > max {
                return Err(ReassemblyError::TooLarge { limit: max });
            }
            match state.total {
                Some(t) if t != total => return Err(ReassemblyError::InconsistentTotal),
                _ => state.total = Some(total),
            }
        }
        if range.is_some_and(|r| r.start() - 1 > max) {
            return Err(ReassemblyError::TooLarge { limit: max });
        }
        Ok(())
    }

    /// The next slice of the chunk at `cursor`.
    pub fn data(&mut self, cursor: &mut ChunkCursor, data: Bytes) -> Result<(), ReassemblyError> {
        if data.is_empty() {
            return Ok(());
        }
        let id = cursor.message_id;
        let start = cursor.position;
        let end = start
            .checked_add(data.len() as u64)
            .filter(|&e| e - 1 <= self.config.max_message_size)
            .ok_or(ReassemblyError::TooLarge {
                limit: self.config.max_message_size,
            });
        let result = end.and_then(|end| {
            cursor.position = end;
            self.place(id, start, end, data)
        });
        if let Err(e) = result {
            self.fail_with(id, e);
        }
        result
    }

    fn place(
        &mut self,
        id: MessageId,
        start: u64,
        end: u64,
        data: Bytes,
    ) -> Result<(), ReassemblyError> {
        let Some(state) = self.messages.get_mut(&id) else {
            // The message failed or finished earlier: its late chunks are dropped.
            return Ok(());
        };
        if state.total.is_some_and(|t| end - 1 > t) {
            return Err(ReassemblyError::InconsistentTotal);
        }
        let before = state.intervals.len();
        insert_interval(&mut state.intervals, start, end);
        // One interval more at most; merges make fewer.
        self.total_intervals = self.total_intervals + state.intervals.len() - before;
        if state.intervals.len() > self.config.max_intervals {
            return Err(ReassemblyError::TooFragmented {
                limit: self.config.max_intervals,
            });
        }
        if self.total_intervals > self.config.max_total_intervals {
            return Err(ReassemblyError::TooFragmented {
                limit: self.config.max_total_intervals,
            });
        }
        match self.kind {
            SinkKind::Positional => self.outputs.push_back(Output::Write {
                message_id: id,
                offset: start - 1,
                data,
            }),
            SinkKind::InOrder => {
                if end <= state.next {
                    // Already delivered: dropped.
                } else if start <= state.next {
                    let skip = (state.next - start) as usize;
                    state.next = end;
                    self.outputs.push_back(Output::Deliver {
                        message_id: id,
                        data: data.slice(skip..),
                    });
                    Self::drain_pending(state, &mut self.buffered, &mut self.outputs, id);
                } else {
                    let len = data.len();
                    if state.pending_bytes + len > self.config.max_window {
                        return Err(ReassemblyError::WindowExceeded {
                            limit: self.config.max_window,
                        });
                    }
                    if self.buffered + len > self.config.max_buffered {
                        return Err(ReassemblyError::BufferExceeded {
                            limit: self.config.max_buffered,
                        });
                    }
                    // Last write wins for the same start.
                    if let Some(old) = state.pending.insert(start, data) {
                        state.pending_bytes -= old.len();
                        self.buffered -= old.len();
                    }
                    state.pending_bytes += len;
                    self.buffered += len;
                }
            }
        }
        Ok(())
    }

    fn drain_pending(
        state: &mut MessageState,
        buffered: &mut usize,
        outputs: &mut VecDeque<Output>,
        id: MessageId,
    ) {
        while let Some(entry) = state.pending.first_entry() {
            let start = *entry.key();
            if start > state.next {
                break;
            }
            let data = entry.remove();
            state.pending_bytes -= data.len();
            *buffered -= data.len();
            let end = start + data.len() as u64;
            if end > state.next {
                let skip = (state.next - start) as usize;
                state.next = end;
                outputs.push_back(Output::Deliver {
                    message_id: id,
                    data: data.slice(skip..),
                });
            }
        }
    }

    /// The chunk at `cursor` ended with `flag`. A last chunk (`$`) that ends away from the
    /// message's stated total fails the message.
    pub fn end(&mut self, cursor: ChunkCursor, flag: Flag) -> Result<(), ReassemblyError> {
        let id = cursor.message_id;
        match flag {
            Flag::Aborted => {
                if self.messages.contains_key(&id) {
                    self.fail(id);
                    self.outputs.push_back(Output::Aborted { message_id: id });
                }
            }
            Flag::Complete => {
                if let Some(state) = self.messages.get_mut(&id) {
                    // The last chunk ends the message: its end is the size.
                    let size = cursor.position - 1;
                    match state.total {
                        Some(t) if t != size => {
                            self.fail_with(id, ReassemblyError::InconsistentTotal);
                            return Err(ReassemblyError::InconsistentTotal);
                        }
                        _ => state.total = Some(size),
                    }
                    state.last_end = Some(size);
                }
                self.check_complete(id);
            }
            Flag::Continued => self.check_complete(id),
        }
        Ok(())
    }

    fn check_complete(&mut self, id: MessageId) {
        let Some(state) = self.messages.get(&id) else {
            return;
        };
        let (Some(total), Some(last)) = (state.total, state.last_end) else {
            return;
        };
        let all = total == 0
            || (state.intervals.len() == 1
                && state.intervals.first_key_value() == Some((&1, &(total + 1))));
        let delivered = self.kind == SinkKind::Positional || state.next == total + 1;
        if last == total && all && delivered {
            self.forget(id);
            self.outputs.push_back(Output::Complete {
                message_id: id,
                size: total,
            });
        }
    }

    /// Forgets a message (after an error, an abort, or when the caller gives up on it); its
    /// later chunks are dropped.
    pub fn fail(&mut self, id: MessageId) {
        self.forget(id);
    }

    fn fail_with(&mut self, id: MessageId, error: ReassemblyError) {
        if self.messages.contains_key(&id) {
            self.forget(id);
            self.outputs.push_back(Output::Failed {
                message_id: id,
                error,
            });
        }
    }

    fn forget(&mut self, id: MessageId) {
        if let Some(state) = self.messages.remove(&id) {
            self.buffered -= state.pending_bytes;
            self.total_intervals -= state.intervals.len();
            if self.ended.len() >= self.config.max_messages.max(1) {
                if let Some(old) = self.ended.pop_front() {
                    self.ended_set.remove(&old);
                }
            }
            if self.ended_set.insert(id) {
                self.ended.push_back(id);
            }
        }
    }
}

/// Adds `[start, end)` to a merged interval map (touching intervals merge), in O(log n) per
/// interval merged.
fn insert_interval(map: &mut BTreeMap<u64, u64>, start: u64, end: u64) {
    let (mut s, mut e) = (start, end);
    if let Some((&ps, &pe)) = map.range(..=start).next_back() {
        if pe >= start {
            s = ps;
            e = e.max(pe);
            map.remove(&ps);
        }
    }
    while let Some((&ns, &ne)) = map.range(s..).next() {
        if ns > e {
            break;
        }
        e = e.max(ne);
        map.remove(&ns);
    }
    map.insert(s, e);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u32) -> MessageId {
        MessageId::parse(format!("msg{n:05}")).unwrap()
    }

    fn range(start: u64, end: Option<u64>, total: Option<u64>) -> Option<ByteRange> {
        Some(ByteRange::new(start, end, total).unwrap())
    }

    /// Feeds chunks `(start, data, flag)` of one message; returns the outputs.
    fn feed(
        r: &mut Reassembler,
        m: MessageId,
        total: Option<u64>,
        chunks: &[(u64, &[u8], Flag)],
    ) -> Vec<Output> {
        let mut out = Vec::new();
        for &(start, data, flag) in chunks {
            if let Ok(mut c) = r.chunk(m, range(start, None, total)) {
                if r.data(&mut c, Bytes::copy_from_slice(data)).is_ok() {
                    let _ = r.end(c, flag);
                }
            }
            while let Some(o) = r.poll_output() {
                out.push(o);
            }
        }
        out
    }

    fn positional_file(outs: &[Output], size: usize) -> Vec<u8> {
        let mut file = vec![0u8; size];
        for o in outs {
            if let Output::Write { offset, data, .. } = o {
                let off = *offset as usize;
                file[off..off + data.len()].copy_from_slice(data);
            }
        }
        file
    }

    fn in_order_bytes(outs: &[Output]) -> Vec<u8> {
        outs.iter()
            .filter_map(|o| match o {
                Output::Deliver { data, .. } => Some(&data[..]),
                _ => None,
            })
            .flatten()
            .copied()
            .collect()
    }

    fn completed(outs: &[Output]) -> Vec<u64> {
        outs.iter()
            .filter_map(|o| match o {
                Output::Complete { size, .. } => Some(*size),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn fuzz_harness_on_random_inputs() {
        let mut rng = testkit::SeededRng::new(11);
        for len in [0usize, 4, 400, 4000] {
            crate::fuzzing::reassembly(&rng.bytes(len));
        }
    }

    #[test]
    fn intervals_merge() {
        let mut l = BTreeMap::new();
        let list = |l: &BTreeMap<u64, u64>| l.iter().map(|(&a, &b)| (a, b)).collect::<Vec<_>>();
        insert_interval(&mut l, 5, 7);
        insert_interval(&mut l, 1, 3);
        insert_interval(&mut l, 3, 5);
        assert_eq!(list(&l), vec![(1, 7)]);
        insert_interval(&mut l, 10, 12);
        insert_interval(&mut l, 8, 9);
        assert_eq!(list(&l), vec![(1, 7), (8, 9), (10, 12)]);
        insert_interval(&mut l, 2, 11);
        assert_eq!(list(&l), vec![(1, 12)]);
        insert_interval(&mut l, 20, 30);
        insert_interval(&mut l, 12, 20);
        assert_eq!(list(&l), vec![(1, 30)]);
    }

    #[test]
    fn shuffled_duplicated_overlapping_chunks_in_both_sinks() {
        let body: Vec<u8> = (0..100u8).collect();
        let chunks: Vec<(u64, &[u8], Flag)> = vec![
            (51, &body[50..100], Flag::Complete),
            (21, &body[20..60], Flag::Continued),
            (1, &body[0..30], Flag::Continued),
            (21, &body[20..60], Flag::Continued),
            (11, &body[10..15], Flag::Continued),
        ];
        for kind in [SinkKind::Positional, SinkKind::InOrder] {
            let mut r = Reassembler::new(kind, ReassemblyConfig::default());
            let outs = feed(&mut r, id(1), Some(100), &chunks);
            assert_eq!(completed(&outs), vec![100], "{kind:?}");
            match kind {
                SinkKind::Positional => assert_eq!(positional_file(&outs, 100), body),
                SinkKind::InOrder => assert_eq!(in_order_bytes(&outs), body),
            }
            assert_eq!(r.in_progress(), 0);
            assert_eq!(r.buffered(), 0);
        }
    }

    #[test]
    fn nothing_completes_early() {
        for kind in [SinkKind::Positional, SinkKind::InOrder] {
            let mut r = Reassembler::new(kind, ReassemblyConfig::default());
            // The `$` chunk first, a hole before it.
            let outs = feed(&mut r, id(2), None, &[(6, b"world", Flag::Complete)]);
            assert!(completed(&outs).is_empty());
            let outs = feed(&mut r, id(2), None, &[(1, b"hell", Flag::Continued)]);
            assert!(completed(&outs).is_empty(), "byte 5 missing");
            let outs = feed(&mut r, id(2), None, &[(5, b"o", Flag::Continued)]);
            assert_eq!(completed(&outs), vec![10]);
        }
    }

    #[test]
    fn abort_frees_state_and_limits_fail_one_message_only() {
        let config = ReassemblyConfig {
            max_window: 10,
            ..ReassemblyConfig::default()
        };
        let mut r = Reassembler::new(SinkKind::InOrder, config);
        let outs = feed(
            &mut r,
            id(3),
            None,
            &[(5, b"abcd", Flag::Continued), (1, b"x", Flag::Aborted)],
        );
        assert!(outs.contains(&Output::Aborted { message_id: id(3) }));
        assert_eq!((r.in_progress(), r.buffered()), (0, 0));

        // Message 4 overflows its window; message 5 is unaffected.
        let mut c = r.chunk(id(4), range(50, None, None)).unwrap();
        assert_eq!(
            r.data(&mut c, Bytes::from_static(b"0123456789AB")),
            Err(ReassemblyError::WindowExceeded { limit: 10 })
        );
        assert_eq!(
            ReassemblyError::WindowExceeded { limit: 10 }.status(),
            StatusCode::TooLarge
        );
        let outs = feed(&mut r, id(5), Some(3), &[(1, b"abc", Flag::Complete)]);
        assert_eq!(completed(&outs), vec![3]);
        assert_eq!(r.in_progress(), 0);
    }

    #[test]
    fn adversarial_inputs_stay_within_limits() {
        // 1-byte chunks at alternating offsets: intervals are capped.
        let config = ReassemblyConfig {
            max_intervals: 64,
            ..ReassemblyConfig::default()
        };
        let mut r = Reassembler::new(SinkKind::Positional, config.clone());
        let mut failed = false;
        for i in 0..200u64 {
            let Ok(mut c) = r.chunk(id(6), range(1 + 2 * i, None, None)) else {
                break;
            };
            if r.data(&mut c, Bytes::from_static(b"z")).is_err() {
                failed = true;
                break;
            }
            assert!(r.intervals() <= 64);
        }
        assert!(failed);
        assert_eq!(r.in_progress(), 0);

        // A Byte-Range near u64::MAX.
        let mut r = Reassembler::new(SinkKind::Positional, ReassemblyConfig::default());
        assert_eq!(
            r.chunk(id(7), range(u64::MAX - 1, None, None)).err(),
            Some(ReassemblyError::TooLarge { limit: 16 << 30 })
        );
        let big = ReassemblyConfig {
            max_message_size: u64::MAX,
            ..ReassemblyConfig::default()
        };
        let mut r = Reassembler::new(SinkKind::Positional, big);
        let mut c = r.chunk(id(7), range(u64::MAX - 1, None, None)).unwrap();
        assert!(r.data(&mut c, Bytes::from_static(b"abc")).is_err());

        // 10 000 concurrent Message-IDs: capped by max_messages.
        let mut r = Reassembler::new(SinkKind::InOrder, ReassemblyConfig::default());
        let mut refused = 0;
        for n in 0..10_000 {
            match r.chunk(id(n), range(2, None, None)) {
                Ok(mut c) => r.data(&mut c, Bytes::from_static(b"q")).unwrap(),
                Err(e) => {
                    assert_eq!(e, ReassemblyError::TooManyMessages { limit: 1024 });
                    refused += 1;
                }
            }
        }
        assert_eq!((r.in_progress(), refused), (1024, 10_000 - 1024));
        assert_eq!(r.buffered(), 1024);

        // Duplicate floods of the same early slice do not grow the buffer.
        let mut r = Reassembler::new(SinkKind::InOrder, ReassemblyConfig::default());
        for _ in 0..1000 {
            let mut c = r.chunk(id(8), range(10, None, None)).unwrap();
            r.data(&mut c, Bytes::from_static(b"0123456789")).unwrap();
        }
        assert_eq!(r.buffered(), 10);
        // Overlapping floods: chunks shifted by one byte over the same region keep one
        // interval and, in order, deliver each byte once.
        let mut r = Reassembler::new(SinkKind::InOrder, ReassemblyConfig::default());
        let region: Vec<u8> = (0..200u8).collect();
        let mut delivered = Vec::new();
        for shift in 0..100usize {
            let mut c = r
                .chunk(id(10), range(1 + shift as u64, None, None))
                .unwrap();
            r.data(&mut c, Bytes::copy_from_slice(&region[shift..shift + 100]))
                .unwrap();
            while let Some(o) = r.poll_output() {
                if let Output::Deliver { data, .. } = o {
                    delivered.extend_from_slice(&data);
                }
            }
            assert_eq!(r.intervals(), 1);
        }
        assert_eq!(delivered, region[..199]);
        assert_eq!(r.buffered(), 0);

        // The connection-wide interval budget fails the message that would exceed it.
        let config = ReassemblyConfig::default().with_max_total_intervals(10);
        let mut r = Reassembler::new(SinkKind::Positional, config);
        for n in 0..10 {
            let mut c = r.chunk(id(100 + n), range(5, None, None)).unwrap();
            r.data(&mut c, Bytes::from_static(b"x")).unwrap();
        }
        let mut c = r.chunk(id(200), range(5, None, None)).unwrap();
        assert_eq!(
            r.data(&mut c, Bytes::from_static(b"x")),
            Err(ReassemblyError::TooFragmented { limit: 10 })
        );
        assert_eq!((r.in_progress(), r.intervals()), (10, 10));

        // Inconsistent totals are refused with 400.
        let mut r = Reassembler::new(SinkKind::Positional, ReassemblyConfig::default());
        r.chunk(id(9), range(1, None, Some(10))).unwrap();
        let e = r.chunk(id(9), range(1, None, Some(11))).unwrap_err();
        assert_eq!(
            (e, e.status()),
            (
                ReassemblyError::InconsistentTotal,
                StatusCode::Unintelligible
            )
        );
    }
}
