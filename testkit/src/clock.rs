//! Simulated time.

use std::time::{Duration, Instant};

/// A clock that only moves when a test moves it.
///
/// Sans-IO engines take `now: Instant` as an argument, so tests hand them instants from a
/// `SimClock` instead of the wall clock: a 30-second timeout then costs no real time, and the
/// same test run twice sees the same sequence of instants relative to the start.
///
/// The clock never goes backwards.
///
/// ```
/// use std::time::Duration;
/// use testkit::SimClock;
///
/// let mut clock = SimClock::new();
/// let start = clock.now();
/// clock.advance(Duration::from_secs(30));
/// assert_eq!(clock.now() - start, Duration::from_secs(30));
/// clock.advance_to(start); // earlier instants are ignored
/// assert_eq!(clock.elapsed(), Duration::from_secs(30));
/// ```
#[derive(Clone, Debug)]
pub struct SimClock {
    start: Instant,
    now: Instant,
}

impl SimClock {
    /// Creates a clock at a base instant read once from the wall clock.
    ///
    /// `Instant` has no constructor from a number, so the base itself is real; everything a
    /// test observes is relative to it and therefore deterministic.
    #[must_use]
    pub fn new() -> Self {
        let start = Instant::now();
        Self { start, now: start }
    }

    /// The current simulated instant.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// The instant the clock was created at.
    #[must_use]
    pub fn start(&self) -> Instant {
        self.start
    }

    /// Simulated time elapsed since the clock was created.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// Moves the clock forward by `d`.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
    }

    /// Moves the clock forward to `t`; an instant at or before [`now`](Self::now) is ignored.
    pub fn advance_to(&mut self, t: Instant) {
        if t > self.now {
            self.now = t;
        }
    }
}

impl Default for SimClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_zero_elapsed() {
        let clock = SimClock::new();
        assert_eq!(clock.elapsed(), Duration::ZERO);
        assert_eq!(clock.now(), clock.start());
    }

    #[test]
    fn advance_accumulates() {
        let mut clock = SimClock::new();
        clock.advance(Duration::from_millis(150));
        clock.advance(Duration::from_millis(850));
        assert_eq!(clock.elapsed(), Duration::from_secs(1));
        assert_eq!(clock.now(), clock.start() + Duration::from_secs(1));
    }

    #[test]
    fn advance_to_is_monotonic() {
        let mut clock = SimClock::new();
        let start = clock.now();
        clock.advance_to(start + Duration::from_secs(5));
        assert_eq!(clock.elapsed(), Duration::from_secs(5));
        clock.advance_to(start + Duration::from_secs(2));
        assert_eq!(clock.elapsed(), Duration::from_secs(5));
        clock.advance_to(start);
        assert_eq!(clock.elapsed(), Duration::from_secs(5));
        clock.advance_to(start + Duration::from_secs(7));
        assert_eq!(clock.elapsed(), Duration::from_secs(7));
    }

    #[test]
    fn clones_are_independent() {
        let mut a = SimClock::new();
        let b = a.clone();
        a.advance(Duration::from_secs(1));
        assert_eq!(b.elapsed(), Duration::ZERO);
        assert_eq!(a.start(), b.start());
    }
}
