//! A one-direction simulated link.
//!
//! ```text
//!  send(now, chunk) ──► [drop?] ──► [duplicate?] ──► [split?] ──► queue ordered by due time
//!                                                                   │
//!  poll_deliver(now) ◄── pieces whose due time (now + delay + jitter) has come
//! ```

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::rng::SeededRng;

/// How a [`Pipe`] mangles the chunks it carries.
///
/// Two families of link are modelled, chosen by [`reorder`](Self::reorder):
///
/// * **stream** (`reorder = false`): a reliable byte stream such as TCP or TLS. Bytes arrive
///   in order, exactly once, but chunk boundaries are not preserved when
///   [`split`](Self::split) is on. Drop and duplicate rates must be zero.
/// * **datagram** (`reorder = true`): an unreliable message link such as UDP. Chunks keep
///   their boundaries but may be lost, duplicated, and overtake each other when jitter is
///   non-zero.
///
/// The default is an ideal stream: no delay, no jitter, no splitting.
#[derive(Clone, Debug, PartialEq)]
pub struct PipeConfig {
    /// Fixed latency added to every chunk.
    pub delay: Duration,
    /// Upper bound (exclusive) of a random extra latency drawn independently per piece.
    ///
    /// In datagram mode this is what makes chunks overtake each other; in stream mode a piece
    /// is never delivered before one sent earlier, so jitter only bunches deliveries up.
    pub jitter: Duration,
    /// Re-split each chunk at random points into `1..=max_split_pieces` pieces, preserving
    /// byte order, the way a TCP receiver sees reads that do not line up with the writes.
    ///
    /// In datagram mode each piece then travels as an independent datagram.
    pub split: bool,
    /// Most pieces one chunk is split into (at least 1; at most one piece per byte).
    pub max_split_pieces: usize,
    /// Probability in `[0, 1]` that a sent chunk is lost. Datagram mode only.
    pub drop_rate: f64,
    /// Probability in `[0, 1]` that a chunk which was not lost arrives twice. Datagram mode
    /// only.
    pub duplicate_rate: f64,
    /// `false`: stream semantics, delivery order equals send order. `true`: datagram
    /// semantics, chunks may overtake each other, drop and duplicate rates are allowed.
    pub reorder: bool,
}

impl Default for PipeConfig {
    fn default() -> Self {
        Self {
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            split: false,
            max_split_pieces: 8,
            drop_rate: 0.0,
            duplicate_rate: 0.0,
            reorder: false,
        }
    }
}

impl PipeConfig {
    /// A reliable ordered byte stream that splits every chunk into 1 to 8 random pieces.
    #[must_use]
    pub fn stream() -> Self {
        Self {
            split: true,
            ..Self::default()
        }
    }

    /// A datagram link on which chunks may overtake each other once jitter is added; add
    /// loss and duplication with [`with_drop_rate`](Self::with_drop_rate) and
    /// [`with_duplicate_rate`](Self::with_duplicate_rate).
    #[must_use]
    pub fn datagram() -> Self {
        Self {
            reorder: true,
            ..Self::default()
        }
    }

    /// Sets [`delay`](Self::delay).
    #[must_use]
    pub fn with_delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sets [`jitter`](Self::jitter).
    #[must_use]
    pub fn with_jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    /// Sets [`split`](Self::split).
    #[must_use]
    pub fn with_split(mut self, split: bool) -> Self {
        self.split = split;
        self
    }

    /// Sets [`max_split_pieces`](Self::max_split_pieces).
    #[must_use]
    pub fn with_max_split_pieces(mut self, pieces: usize) -> Self {
        self.max_split_pieces = pieces;
        self
    }

    /// Sets [`drop_rate`](Self::drop_rate).
    #[must_use]
    pub fn with_drop_rate(mut self, rate: f64) -> Self {
        self.drop_rate = rate;
        self
    }

    /// Sets [`duplicate_rate`](Self::duplicate_rate).
    #[must_use]
    pub fn with_duplicate_rate(mut self, rate: f64) -> Self {
        self.duplicate_rate = rate;
        self
    }

    /// Sets [`reorder`](Self::reorder).
    #[must_use]
    pub fn with_reorder(mut self, reorder: bool) -> Self {
        self.reorder = reorder;
        self
    }

    /// Panics with an explanation if the configuration is contradictory.
    fn validate(&self) {
        for (name, rate) in [
            ("drop_rate", self.drop_rate),
            ("duplicate_rate", self.duplicate_rate),
        ] {
            assert!(
                (0.0..=1.0).contains(&rate),
                "PipeConfig: {name} must be a probability in [0, 1], got {rate}"
            );
        }
        assert!(
            self.reorder || (self.drop_rate == 0.0 && self.duplicate_rate == 0.0),
            "PipeConfig: a stream pipe (reorder = false) models a reliable byte stream and \
             cannot drop or duplicate (drop_rate = {}, duplicate_rate = {}); set both to 0 or \
             use PipeConfig::datagram()",
            self.drop_rate,
            self.duplicate_rate,
        );
        assert!(
            !self.split || self.max_split_pieces >= 1,
            "PipeConfig: split is on but max_split_pieces is 0; use at least 1"
        );
    }
}

/// Counters of what a [`Pipe`] has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PipeStats {
    /// Chunks passed to [`Pipe::send`].
    pub sent: u64,
    /// Pieces handed out by [`Pipe::poll_deliver`]; exceeds `sent` when splitting.
    pub delivered: u64,
    /// Sent chunks that were lost.
    pub dropped: u64,
    /// Sent chunks that were queued a second time.
    pub duplicated: u64,
    /// Bytes passed to [`Pipe::send`].
    pub bytes_sent: u64,
    /// Bytes handed out by [`Pipe::poll_deliver`].
    pub bytes_delivered: u64,
}

/// A one-direction simulated link carrying byte chunks.
///
/// The pipe holds no clock of its own: [`send`](Self::send) and
/// [`poll_deliver`](Self::poll_deliver) take `now`, like the engines it connects. All
/// randomness comes from the seed, so the same sends at the same instants always produce the
/// same deliveries.
///
/// ```
/// use std::time::Duration;
/// use testkit::{Pipe, PipeConfig, SimClock};
///
/// let mut clock = SimClock::new();
/// let mut pipe = Pipe::new(PipeConfig::stream().with_delay(Duration::from_millis(20)), 1);
/// pipe.send(clock.now(), &b"hello world"[..]);
/// assert_eq!(pipe.poll_deliver(clock.now()), None); // still on the wire
///
/// clock.advance_to(pipe.next_delivery().unwrap());
/// let mut received = Vec::new();
/// while let Some(piece) = pipe.poll_deliver(clock.now()) {
///     received.extend_from_slice(&piece);
/// }
/// assert_eq!(received, b"hello world");
/// assert_eq!(clock.elapsed(), Duration::from_millis(20));
/// ```
#[derive(Clone, Debug)]
pub struct Pipe {
    config: PipeConfig,
    rng: SeededRng,
    /// Pieces on the wire keyed by (due time, send sequence): equal due times keep send order.
    queue: BTreeMap<(Instant, u64), Bytes>,
    next_seq: u64,
    /// Due time of the last piece queued, which a stream pipe never delivers anything before.
    last_due: Option<Instant>,
    stats: PipeStats,
}

impl Pipe {
    /// Creates an empty pipe.
    ///
    /// # Panics
    ///
    /// If `config` is contradictory: a rate outside `[0, 1]`, a non-zero drop or duplicate
    /// rate on a stream pipe, or splitting into zero pieces.
    #[must_use]
    pub fn new(config: PipeConfig, seed: u64) -> Self {
        config.validate();
        Self {
            config,
            rng: SeededRng::new(seed),
            queue: BTreeMap::new(),
            next_seq: 0,
            last_due: None,
            stats: PipeStats::default(),
        }
    }

    /// The configuration the pipe was created with.
    #[must_use]
    pub fn config(&self) -> &PipeConfig {
        &self.config
    }

    /// Puts a chunk on the wire at `now`.
    ///
    /// A stream pipe ignores empty chunks: a byte stream has no zero-length segments, and an
    /// empty read means end of stream to most receivers.
    pub fn send(&mut self, now: Instant, data: impl Into<Bytes>) {
        let data = data.into();
        self.stats.sent += 1;
        self.stats.bytes_sent += data.len() as u64;
        if !self.config.reorder && data.is_empty() {
            return;
        }
        if self.rng.chance(self.config.drop_rate) {
            self.stats.dropped += 1;
            return;
        }
        if self.rng.chance(self.config.duplicate_rate) {
            self.stats.duplicated += 1;
            self.enqueue(now, data.clone());
        }
        self.enqueue(now, data);
    }

    /// Returns the next piece due by `now`, if any.
    ///
    /// Call it until it returns `None` after every change of `now`.
    #[must_use]
    pub fn poll_deliver(&mut self, now: Instant) -> Option<Bytes> {
        let (&(due, _), _) = self.queue.first_key_value()?;
        if due > now {
            return None;
        }
        let (_, data) = self.queue.pop_first()?;
        self.stats.delivered += 1;
        self.stats.bytes_delivered += data.len() as u64;
        Some(data)
    }

    /// When the earliest piece on the wire is due, or `None` if the wire is empty.
    #[must_use]
    pub fn next_delivery(&self) -> Option<Instant> {
        self.queue.first_key_value().map(|(&(due, _), _)| due)
    }

    /// Number of pieces on the wire.
    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    /// Counters of what the pipe has done so far.
    #[must_use]
    pub fn stats(&self) -> PipeStats {
        self.stats
    }

    fn enqueue(&mut self, now: Instant, data: Bytes) {
        let pieces = if self.config.split {
            self.split(data)
        } else {
            vec![data]
        };
        for piece in pieces {
            let mut due = now + self.config.delay + self.jitter();
            if !self.config.reorder {
                if let Some(last) = self.last_due {
                    due = due.max(last);
                }
                self.last_due = Some(due);
            }
            self.queue.insert((due, self.next_seq), piece);
            self.next_seq += 1;
        }
    }

    fn jitter(&mut self) -> Duration {
        let bound = u64::try_from(self.config.jitter.as_nanos()).unwrap_or(u64::MAX);
        if bound == 0 {
            Duration::ZERO
        } else {
            Duration::from_nanos(self.rng.below(bound))
        }
    }

    /// Cuts `data` at random distinct points into `1..=max_split_pieces` slices of the same
    /// buffer, in order.
    fn split(&mut self, data: Bytes) -> Vec<Bytes> {
        let len = data.len();
        let max_pieces = self.config.max_split_pieces.min(len) as u64;
        if max_pieces < 2 {
            return vec![data];
        }
        let pieces = 1 + self.rng.below(max_pieces);
        let mut cuts: Vec<usize> = (1..pieces)
            .map(|_| 1 + self.rng.below(len as u64 - 1) as usize)
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut out = Vec::with_capacity(cuts.len() + 1);
        let mut start = 0;
        for cut in cuts {
            out.push(data.slice(start..cut));
            start = cut;
        }
        out.push(data.slice(start..));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Delivers everything due by `now`.
    fn drain(pipe: &mut Pipe, now: Instant) -> Vec<Bytes> {
        std::iter::from_fn(|| pipe.poll_deliver(now)).collect()
    }

    /// Runs `pipe` to empty, returning each piece with the instant it became deliverable.
    fn drain_all(pipe: &mut Pipe) -> Vec<(Instant, Bytes)> {
        let mut out = Vec::new();
        while let Some(due) = pipe.next_delivery() {
            for piece in drain(pipe, due) {
                out.push((due, piece));
            }
        }
        out
    }

    fn index_of(piece: &[u8]) -> u32 {
        u32::from_be_bytes(piece.try_into().expect("4-byte datagram"))
    }

    #[test]
    fn stream_split_preserves_exact_bytes() {
        let mut rng = SeededRng::new(99);
        let config = PipeConfig::stream()
            .with_delay(Duration::from_millis(5))
            .with_jitter(Duration::from_millis(3));
        let mut pipe = Pipe::new(config, 4);
        let mut now = Instant::now();
        let mut sent = Vec::new();
        let mut received = Vec::new();
        let mut non_empty_sends = 0u64;
        for _ in 0..1000 {
            let len = rng.below(200) as usize;
            let chunk = rng.bytes(len);
            non_empty_sends += u64::from(len > 0);
            sent.extend_from_slice(&chunk);
            pipe.send(now, chunk);
            now += Duration::from_micros(rng.below(2000));
            for piece in drain(&mut pipe, now) {
                assert!(!piece.is_empty(), "a stream pipe delivered an empty piece");
                received.extend_from_slice(&piece);
            }
        }
        for (_, piece) in drain_all(&mut pipe) {
            received.extend_from_slice(&piece);
        }
        assert_eq!(received, sent);
        let stats = pipe.stats();
        assert_eq!(stats.sent, 1000);
        assert_eq!(stats.bytes_delivered, sent.len() as u64);
        assert!(
            stats.delivered > non_empty_sends + 500,
            "chunks were hardly split: {stats:?}"
        );
    }

    #[test]
    fn split_respects_piece_bound() {
        let config = PipeConfig::stream().with_max_split_pieces(3);
        let mut pipe = Pipe::new(config, 8);
        let now = Instant::now();
        let mut most = 0;
        for _ in 0..200 {
            pipe.send(now, vec![0u8; 100]);
            let pieces = drain(&mut pipe, now).len();
            assert!((1..=3).contains(&pieces), "{pieces} pieces");
            most = most.max(pieces);
        }
        assert_eq!(most, 3);
    }

    #[test]
    fn delay_is_respected() {
        let delay = Duration::from_millis(50);
        let jitter = Duration::from_millis(20);
        for config in [
            PipeConfig::stream().with_split(false),
            PipeConfig::datagram(),
        ] {
            let mut pipe = Pipe::new(config.with_delay(delay).with_jitter(jitter), 21);
            let start = Instant::now();
            let mut sent_at = Vec::new();
            let mut delivered = 0;
            // Send one datagram every 3 ms and poll every millisecond for a while after.
            for ms in 0..400u32 {
                let now = start + Duration::from_millis(u64::from(ms));
                if ms % 3 == 0 && ms < 200 {
                    let index = sent_at.len() as u32;
                    sent_at.push(now);
                    pipe.send(now, index.to_be_bytes().to_vec());
                }
                for piece in drain(&mut pipe, now) {
                    let at = sent_at[index_of(&piece) as usize];
                    assert!(now >= at + delay, "delivered {:?} early", at + delay - now);
                    // Polling once a millisecond observes a delivery up to 1 ms late.
                    assert!(now <= at + delay + jitter + Duration::from_millis(1));
                    delivered += 1;
                }
            }
            assert_eq!(delivered, sent_at.len());
            assert_eq!(pipe.in_flight(), 0);
        }
    }

    #[test]
    fn zero_delay_delivers_at_send_time() {
        let mut pipe = Pipe::new(PipeConfig::default(), 0);
        let now = Instant::now();
        pipe.send(now, &b"abc"[..]);
        assert_eq!(pipe.in_flight(), 1);
        assert_eq!(pipe.next_delivery(), Some(now));
        assert_eq!(pipe.poll_deliver(now).as_deref(), Some(&b"abc"[..]));
        assert_eq!(pipe.poll_deliver(now), None);
        assert_eq!(pipe.next_delivery(), None);
    }

    #[test]
    fn datagram_with_jitter_reorders_but_stream_does_not() {
        let jitter = Duration::from_millis(30);
        let run = |config: PipeConfig| -> Vec<u32> {
            let mut pipe = Pipe::new(config.with_jitter(jitter), 5);
            let start = Instant::now();
            for i in 0..200u32 {
                pipe.send(
                    start + Duration::from_millis(u64::from(i)),
                    i.to_be_bytes().to_vec(),
                );
            }
            drain_all(&mut pipe)
                .iter()
                .map(|(_, piece)| index_of(piece))
                .collect()
        };
        let inversions = |order: &[u32]| order.windows(2).filter(|w| w[0] > w[1]).count();

        let datagram = run(PipeConfig::datagram());
        assert!(
            inversions(&datagram) > 10,
            "datagrams were not reordered: {datagram:?}"
        );
        let mut sorted = datagram.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..200).collect::<Vec<_>>(), "lost or duplicated");

        let stream = run(PipeConfig::stream().with_split(false));
        assert_eq!(stream, (0..200).collect::<Vec<_>>());
    }

    #[test]
    fn drop_and_duplicate_rates_are_roughly_honoured() {
        let config = PipeConfig::datagram()
            .with_drop_rate(0.1)
            .with_duplicate_rate(0.05)
            .with_jitter(Duration::from_millis(10));
        let mut pipe = Pipe::new(config, 1234);
        let now = Instant::now();
        for i in 0..10_000u32 {
            pipe.send(now, i.to_be_bytes().to_vec());
        }
        let mut copies = vec![0u32; 10_000];
        for (_, piece) in drain_all(&mut pipe) {
            copies[index_of(&piece) as usize] += 1;
        }
        let stats = pipe.stats();
        let lost = copies.iter().filter(|&&c| c == 0).count() as u64;
        let twice = copies.iter().filter(|&&c| c == 2).count() as u64;
        assert!(copies.iter().all(|&c| c <= 2));
        assert_eq!(stats.dropped, lost);
        assert_eq!(stats.duplicated, twice);
        assert_eq!(
            stats.delivered,
            stats.sent - stats.dropped + stats.duplicated
        );
        // Expected 1000 lost and 0.9 * 0.05 * 10000 = 450 duplicated.
        assert!((800..=1200).contains(&lost), "{lost} lost");
        assert!((300..=600).contains(&twice), "{twice} duplicated");
    }

    #[test]
    fn same_seed_same_schedule() {
        let config = PipeConfig::datagram()
            .with_jitter(Duration::from_millis(40))
            .with_split(true)
            .with_drop_rate(0.2)
            .with_duplicate_rate(0.2);
        let run = |seed: u64| {
            let mut pipe = Pipe::new(config.clone(), seed);
            let start = Instant::now();
            for i in 0..100u8 {
                pipe.send(start, vec![i; 16]);
            }
            drain_all(&mut pipe)
                .into_iter()
                .map(|(at, piece)| (at - start, piece))
                .collect::<Vec<_>>()
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }

    #[test]
    fn stream_ignores_empty_chunks_but_datagram_carries_them() {
        let now = Instant::now();
        let mut stream = Pipe::new(PipeConfig::stream(), 0);
        stream.send(now, Bytes::new());
        assert_eq!(stream.in_flight(), 0);
        assert_eq!(stream.stats().sent, 1);

        let mut datagram = Pipe::new(PipeConfig::datagram(), 0);
        datagram.send(now, Bytes::new());
        assert_eq!(datagram.poll_deliver(now), Some(Bytes::new()));
    }

    #[test]
    #[should_panic(expected = "stream pipe (reorder = false)")]
    fn stream_with_drop_rate_panics() {
        let _ = Pipe::new(PipeConfig::stream().with_drop_rate(0.01), 0);
    }

    #[test]
    #[should_panic(expected = "stream pipe (reorder = false)")]
    fn stream_with_duplicate_rate_panics() {
        let _ = Pipe::new(PipeConfig::default().with_duplicate_rate(0.5), 0);
    }

    #[test]
    #[should_panic(expected = "probability in [0, 1]")]
    fn out_of_range_rate_panics() {
        let _ = Pipe::new(PipeConfig::datagram().with_drop_rate(1.5), 0);
    }
}
