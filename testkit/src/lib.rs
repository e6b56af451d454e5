//! Simulated time and network for testing sans-IO protocol engines.
//!
//! The engines in this workspace never read a clock or touch a socket: they take `now` and
//! bytes as arguments and hand back bytes to send and the instant they next need attention.
//! This crate supplies the rest of the world for their tests, all of it deterministic from a
//! seed, so a failure found once can be replayed exactly:
//!
//! * [`SeededRng`] and [`id_source`]: reproducible randomness, including for engines' ids;
//! * [`SimClock`]: time that only moves when the test moves it;
//! * [`Pipe`]: a one-way link with delay, jitter, loss, duplication, reordering, and random
//!   splitting of a byte stream into pieces;
//! * [`Pair`]: two [`Endpoint`]s joined by two pipes, stepped until quiet, with an optional
//!   transcript of every chunk delivered.
//!
//! ```text
//!   seed ─► SeededRng ─┬─► Pipe a_to_b ─┐
//!                      └─► Pipe b_to_a ─┤
//!   Endpoint a ◄──────────────────────► Pair ◄──────────────────────► Endpoint b
//!                                        │
//!                         SimClock jumps to the next delivery or timer
//! ```
//!
//! # Quick start
//!
//! An engine that retransmits a request every 100 ms until answered, against an echo peer,
//! over links that lose a third of what they carry:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use bytes::Bytes;
//! use testkit::{Direction, Endpoint, Pair, PipeConfig};
//!
//! struct Requester { answered: bool, outbox: Option<Bytes>, resend_at: Option<Instant> }
//!
//! impl Endpoint for Requester {
//!     fn handle_input(&mut self, _now: Instant, data: Bytes) {
//!         if data == "hello" {
//!             self.answered = true;
//!             self.resend_at = None;
//!         }
//!     }
//!     fn handle_timeout(&mut self, now: Instant) {
//!         self.outbox = Some(Bytes::from_static(b"hello"));
//!         self.resend_at = Some(now + Duration::from_millis(100));
//!     }
//!     fn poll_transmit(&mut self) -> Option<Bytes> { self.outbox.take() }
//!     fn poll_timeout(&self) -> Option<Instant> { self.resend_at }
//! }
//!
//! struct Echo(Vec<Bytes>);
//!
//! impl Endpoint for Echo {
//!     fn handle_input(&mut self, _now: Instant, data: Bytes) { self.0.push(data) }
//!     fn handle_timeout(&mut self, _now: Instant) {}
//!     fn poll_transmit(&mut self) -> Option<Bytes> { self.0.pop() }
//!     fn poll_timeout(&self) -> Option<Instant> { None }
//! }
//!
//! let link = PipeConfig::datagram()
//!     .with_delay(Duration::from_millis(25))
//!     .with_drop_rate(0.33);
//! let requester = Requester { answered: false, outbox: None, resend_at: None };
//! let mut pair = Pair::new(requester, Echo(Vec::new()), link.clone(), link, 42);
//! pair.a.resend_at = Some(pair.now()); // send the first request straight away
//! pair.record(true);
//! pair.drive();
//!
//! assert!(pair.a.answered);
//! let requests = pair.transcript().iter().filter(|e| e.direction == Direction::AToB);
//! assert!(requests.count() >= 1);
//! assert!(pair.clock.elapsed() >= Duration::from_millis(50)); // at least one round trip
//! ```
//!
//! To make an engine's identifiers reproducible as well, build its id generator from
//! [`id_source`] instead of the operating system's randomness.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod clock;
pub mod drive;
pub mod pipe;
pub mod rng;

pub use clock::SimClock;
pub use drive::{DEFAULT_MAX_STEPS, Direction, Endpoint, Pair, TranscriptEntry};
pub use pipe::{Pipe, PipeConfig, PipeStats};
pub use rng::{SeededRng, id_source};
