//! A two-party harness that steps sans-IO engines in simulated time.
//!
//! ```text
//!            poll_transmit ──► a_to_b: Pipe ──► handle_input
//!   Endpoint a                                             Endpoint b
//!            handle_input ◄── b_to_a: Pipe ◄── poll_transmit
//!
//!   SimClock jumps to the earliest of: next pipe delivery, a.poll_timeout, b.poll_timeout
//! ```
//!
//! The shape follows quinn-proto's test `Pair::drive`: each round drains what both engines
//! want to send, delivers what the links have due, fires due timers, and only when nothing is
//! left to do at the current instant does time move on.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::clock::SimClock;
use crate::pipe::{Pipe, PipeConfig};
use crate::rng::SeededRng;

/// The engine shape [`Pair`] drives: inputs carry `now`, polls drain outputs.
///
/// This is the minimal sans-IO interface (quinn-proto, str0m): the engine never reads a clock
/// or touches a socket; whoever owns it feeds it bytes and time and carries out what it asks.
/// Wrap a protocol engine in a small adapter implementing this trait to test it with
/// [`Pair`].
pub trait Endpoint {
    /// Called with every chunk the link delivers to this endpoint, at the instant it arrives.
    ///
    /// On a stream link the chunks are arbitrary slices of the peer's byte stream, not the
    /// peer's writes.
    fn handle_input(&mut self, now: Instant, data: Bytes);

    /// Called once the instant returned by [`poll_timeout`](Self::poll_timeout) has been
    /// reached, with the current time (which may be later than the instant asked for).
    ///
    /// The endpoint must then move its timer on (or clear it); a timer left in the past is
    /// fired again in every round.
    fn handle_timeout(&mut self, now: Instant);

    /// Called repeatedly after every input and timeout, until it returns `None`, to collect
    /// the chunks the endpoint wants sent to its peer.
    #[must_use]
    fn poll_transmit(&mut self) -> Option<Bytes>;

    /// Called after every round to learn when the endpoint next needs
    /// [`handle_timeout`](Self::handle_timeout); `None` means no timer is armed.
    #[must_use]
    fn poll_timeout(&self) -> Option<Instant>;
}

/// Which way a chunk travelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// From endpoint `a` to endpoint `b`.
    AToB,
    /// From endpoint `b` to endpoint `a`.
    BToA,
}

/// One chunk delivered by a [`Pair`] while recording was on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TranscriptEntry {
    /// The simulated instant of delivery.
    pub at: Instant,
    /// The same instant, relative to the start of the pair's clock.
    pub elapsed: Duration,
    /// Which endpoint received the chunk.
    pub direction: Direction,
    /// The bytes delivered.
    pub data: Bytes,
}

/// Default bound on the rounds one call of [`Pair::drive`] may take.
pub const DEFAULT_MAX_STEPS: usize = 1_000_000;

/// Two endpoints joined by a pair of simulated links and sharing a simulated clock.
///
/// All fields are public so a test can reach into either engine between drives, send an
/// extra chunk down a pipe, or move the clock by hand.
///
/// ```
/// use std::time::{Duration, Instant};
/// use bytes::Bytes;
/// use testkit::{Endpoint, Pair, PipeConfig};
///
/// /// Sends one greeting, remembers what came back.
/// #[derive(Default)]
/// struct Peer { outbox: Option<Bytes>, inbox: Vec<u8> }
///
/// impl Endpoint for Peer {
///     fn handle_input(&mut self, _now: Instant, data: Bytes) { self.inbox.extend_from_slice(&data) }
///     fn handle_timeout(&mut self, _now: Instant) {}
///     fn poll_transmit(&mut self) -> Option<Bytes> { self.outbox.take() }
///     fn poll_timeout(&self) -> Option<Instant> { None }
/// }
///
/// let a = Peer { outbox: Some(Bytes::from_static(b"hello")), ..Peer::default() };
/// let b = Peer { outbox: Some(Bytes::from_static(b"hi there")), ..Peer::default() };
/// let link = PipeConfig::stream().with_delay(Duration::from_millis(30));
/// let mut pair = Pair::new(a, b, link.clone(), link, 7);
/// pair.drive();
/// assert_eq!(pair.b.inbox, b"hello");
/// assert_eq!(pair.a.inbox, b"hi there");
/// assert_eq!(pair.clock.elapsed(), Duration::from_millis(30));
/// ```
#[derive(Clone, Debug)]
pub struct Pair<A: Endpoint, B: Endpoint> {
    /// The first endpoint.
    pub a: A,
    /// The second endpoint.
    pub b: B,
    /// Simulated time shared by both endpoints and both links.
    pub clock: SimClock,
    /// The link carrying `a`'s transmissions to `b`.
    pub a_to_b: Pipe,
    /// The link carrying `b`'s transmissions to `a`.
    pub b_to_a: Pipe,
    recording: bool,
    transcript: Vec<TranscriptEntry>,
    max_steps: usize,
}

impl<A: Endpoint, B: Endpoint> Pair<A, B> {
    /// Joins `a` and `b` with links configured by `a_to_b` and `b_to_a`.
    ///
    /// Each link gets its own random stream derived from `seed`.
    ///
    /// # Panics
    ///
    /// If either link configuration is contradictory (see [`Pipe::new`]).
    #[must_use]
    pub fn new(a: A, b: B, a_to_b: PipeConfig, b_to_a: PipeConfig, seed: u64) -> Self {
        let mut rng = SeededRng::new(seed);
        Self {
            a,
            b,
            clock: SimClock::new(),
            a_to_b: Pipe::new(a_to_b, rng.next_u64()),
            b_to_a: Pipe::new(b_to_a, rng.next_u64()),
            recording: false,
            transcript: Vec::new(),
            max_steps: DEFAULT_MAX_STEPS,
        }
    }

    /// Turns recording of delivered chunks into the [transcript](Self::transcript) on or off.
    ///
    /// Turning it off keeps what was recorded so far.
    pub fn record(&mut self, on: bool) {
        self.recording = on;
    }

    /// Every chunk delivered while recording was on, in delivery order.
    #[must_use]
    pub fn transcript(&self) -> &[TranscriptEntry] {
        &self.transcript
    }

    /// Sets how many rounds one call of [`drive`](Self::drive),
    /// [`drive_until`](Self::drive_until) or [`drive_for`](Self::drive_for) may take before
    /// it panics; also bounds how many chunks one endpoint may transmit in a single round.
    pub fn set_max_steps(&mut self, steps: usize) {
        self.max_steps = steps;
    }

    /// The bound set by [`set_max_steps`](Self::set_max_steps), [`DEFAULT_MAX_STEPS`] unless
    /// changed.
    #[must_use]
    pub fn max_steps(&self) -> usize {
        self.max_steps
    }

    /// The current simulated instant.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.clock.now()
    }

    /// The earliest instant at which a link delivers or an endpoint's timer fires, or `None`
    /// if nothing at all is pending.
    #[must_use]
    pub fn next_event(&self) -> Option<Instant> {
        [
            self.a_to_b.next_delivery(),
            self.b_to_a.next_delivery(),
            self.a.poll_timeout(),
            self.b.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs one round at the current instant without moving the clock.
    ///
    /// Drains both endpoints' transmissions into their links, delivers every chunk due now,
    /// then fires the timers that are due. Returns whether anything happened.
    ///
    /// # Panics
    ///
    /// If an endpoint returns more than [`max_steps`](Self::max_steps) chunks from
    /// `poll_transmit` in a row.
    pub fn step(&mut self) -> bool {
        let now = self.clock.now();
        let mut progressed = false;

        progressed |= transmit(&mut self.a, &mut self.a_to_b, now, self.max_steps, "a");
        progressed |= transmit(&mut self.b, &mut self.b_to_a, now, self.max_steps, "b");

        while let Some(data) = self.a_to_b.poll_deliver(now) {
            self.log(now, Direction::AToB, &data);
            self.b.handle_input(now, data);
            progressed = true;
        }
        while let Some(data) = self.b_to_a.poll_deliver(now) {
            self.log(now, Direction::BToA, &data);
            self.a.handle_input(now, data);
            progressed = true;
        }

        if self.a.poll_timeout().is_some_and(|at| at <= now) {
            self.a.handle_timeout(now);
            progressed = true;
        }
        if self.b.poll_timeout().is_some_and(|at| at <= now) {
            self.b.handle_timeout(now);
            progressed = true;
        }
        progressed
    }

    /// Steps until nothing is pending at all, moving the clock to the next event whenever
    /// nothing is due now.
    ///
    /// An endpoint with a timer that is always armed (a keep-alive, say) never lets this
    /// finish; use [`drive_until`](Self::drive_until) or [`drive_for`](Self::drive_for) for
    /// those.
    ///
    /// # Panics
    ///
    /// After [`max_steps`](Self::max_steps) rounds, which catches livelocks.
    pub fn drive(&mut self) {
        self.run(None, "drive");
    }

    /// Like [`drive`](Self::drive), but handles only events up to `deadline` and never moves
    /// the clock past it; on return the clock reads `deadline` (or later, if it already did).
    ///
    /// # Panics
    ///
    /// After [`max_steps`](Self::max_steps) rounds.
    pub fn drive_until(&mut self, deadline: Instant) {
        self.run(Some(deadline), "drive_until");
    }

    /// [`drive_until`](Self::drive_until) the current instant plus `d`.
    ///
    /// # Panics
    ///
    /// After [`max_steps`](Self::max_steps) rounds.
    pub fn drive_for(&mut self, d: Duration) {
        let deadline = self.clock.now() + d;
        self.run(Some(deadline), "drive_for");
    }

    fn run(&mut self, deadline: Option<Instant>, caller: &str) {
        let mut steps = 0;
        loop {
            steps += 1;
            assert!(
                steps <= self.max_steps,
                "Pair::{caller}: still busy after {} steps at {:?} of simulated time; the \
                 endpoints look livelocked (if the exchange is just long, raise the bound with \
                 Pair::set_max_steps)",
                self.max_steps,
                self.clock.elapsed(),
            );
            if self.step() {
                continue;
            }
            let Some(next) = self.next_event() else { break };
            if deadline.is_some_and(|deadline| next > deadline) {
                break;
            }
            self.clock.advance_to(next);
        }
        if let Some(deadline) = deadline {
            self.clock.advance_to(deadline);
        }
    }

    fn log(&mut self, now: Instant, direction: Direction, data: &Bytes) {
        if self.recording {
            self.transcript.push(TranscriptEntry {
                at: now,
                elapsed: now - self.clock.start(),
                direction,
                data: data.clone(),
            });
        }
    }
}

/// Moves everything `endpoint` wants to send into `pipe`; returns whether there was any.
fn transmit(
    endpoint: &mut impl Endpoint,
    pipe: &mut Pipe,
    now: Instant,
    limit: usize,
    name: &str,
) -> bool {
    let mut count = 0;
    while let Some(data) = endpoint.poll_transmit() {
        count += 1;
        assert!(
            count <= limit,
            "Pair::step: endpoint {name} returned more than {limit} chunks from poll_transmit \
             in one round; it never reports that it is done"
        );
        pipe.send(now, data);
    }
    count > 0
}

#[cfg(test)]
mod tests;
