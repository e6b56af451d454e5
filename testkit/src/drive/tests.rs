use super::*;

const RETRANSMIT: Duration = Duration::from_millis(100);

/// Sends `PING n` for n in `0..count`, one at a time, retransmitting every 100 ms until the
/// matching `PONG n` arrives.
#[derive(Debug)]
struct Pinger {
    count: u32,
    next: u32,
    outbox: Option<Bytes>,
    /// When the outstanding ping must be sent again.
    retransmit_at: Option<Instant>,
    transmissions: u32,
    latest_now: Option<Instant>,
}

impl Pinger {
    fn new(start: Instant, count: u32) -> Self {
        let mut pinger = Self {
            count,
            next: 0,
            outbox: None,
            retransmit_at: None,
            transmissions: 0,
            latest_now: None,
        };
        pinger.send_ping(start);
        pinger
    }

    fn done(&self) -> bool {
        self.next == self.count
    }

    fn send_ping(&mut self, now: Instant) {
        self.outbox = Some(Bytes::from(format!("PING {}", self.next)));
        self.retransmit_at = Some(now + RETRANSMIT);
        self.transmissions += 1;
    }

    fn saw(&mut self, now: Instant) {
        assert!(self.latest_now.is_none_or(|t| t <= now), "time went back");
        self.latest_now = Some(now);
    }
}

impl Endpoint for Pinger {
    fn handle_input(&mut self, now: Instant, data: Bytes) {
        self.saw(now);
        if !self.done() && data == format!("PONG {}", self.next).as_bytes() {
            self.next += 1;
            self.retransmit_at = None;
            if !self.done() {
                self.send_ping(now);
            }
        }
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.saw(now);
        if self.retransmit_at.is_some_and(|at| at <= now) {
            self.send_ping(now);
        }
    }

    fn poll_transmit(&mut self) -> Option<Bytes> {
        self.outbox.take()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.retransmit_at
    }
}

/// Answers every `PING n` with `PONG n`.
#[derive(Debug, Default)]
struct Ponger {
    outbox: Vec<Bytes>,
    pings: u32,
}

impl Endpoint for Ponger {
    fn handle_input(&mut self, _now: Instant, data: Bytes) {
        if let Some(n) = data.strip_prefix(b"PING ") {
            self.pings += 1;
            let mut reply = b"PONG ".to_vec();
            reply.extend_from_slice(n);
            self.outbox.push(reply.into());
        }
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self) -> Option<Bytes> {
        self.outbox.pop()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

/// Sends every input straight back.
#[derive(Debug, Default)]
struct Echo {
    outbox: Vec<Bytes>,
}

impl Endpoint for Echo {
    fn handle_input(&mut self, _now: Instant, data: Bytes) {
        self.outbox.push(data);
    }

    fn handle_timeout(&mut self, _now: Instant) {}

    fn poll_transmit(&mut self) -> Option<Bytes> {
        self.outbox.pop()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}

fn lossy() -> PipeConfig {
    PipeConfig::datagram()
        .with_delay(Duration::from_millis(10))
        .with_jitter(Duration::from_millis(5))
        .with_drop_rate(0.3)
}

fn ping_pair(count: u32, seed: u64) -> Pair<Pinger, Ponger> {
    let clock = SimClock::new();
    let pinger = Pinger::new(clock.now(), count);
    let mut pair = Pair::new(pinger, Ponger::default(), lossy(), lossy(), seed);
    pair.clock = clock;
    pair.record(true);
    pair
}

#[test]
fn ping_pong_over_lossy_link_completes_with_retransmissions() {
    let mut pair = ping_pair(10, 1);
    pair.drive();

    assert!(pair.a.done(), "pinger stuck at {}", pair.a.next);
    assert_eq!(pair.next_event(), None);
    assert_eq!(pair.a_to_b.in_flight() + pair.b_to_a.in_flight(), 0);
    assert!(pair.a.transmissions > 10, "no ping was ever retransmitted");
    assert!(pair.a_to_b.stats().dropped + pair.b_to_a.stats().dropped > 0);

    // The transcript shows some ping delivered more than once, the copies one retransmission
    // interval apart (give or take the link's jitter).
    let pings: Vec<&TranscriptEntry> = pair
        .transcript()
        .iter()
        .filter(|entry| entry.direction == Direction::AToB)
        .collect();
    assert_eq!(pings.len() as u32, pair.b.pings);
    let mut retransmissions = 0;
    for w in pings.windows(2).filter(|w| w[0].data == w[1].data) {
        retransmissions += 1;
        // A copy lost in between makes the gap a multiple of the interval.
        let gap = (w[1].at - w[0].at).as_micros();
        let interval = RETRANSMIT.as_micros();
        let off = (gap + interval / 2) % interval;
        assert!(
            gap > interval / 2 && off.abs_diff(interval / 2) < 5_000,
            "copies {gap} us apart, not a multiple of {interval} us give or take 5 ms of jitter"
        );
    }
    assert!(retransmissions > 0, "no retransmission in the transcript");

    // Every pong in the transcript answers a ping delivered earlier.
    for (i, entry) in pair.transcript().iter().enumerate() {
        if entry.direction == Direction::BToA {
            let ping = [b"PING ", &entry.data[5..]].concat();
            assert!(pair.transcript()[..i].iter().any(|e| e.data == ping));
        }
    }
}

#[test]
fn same_seed_same_transcript() {
    let run = |seed| {
        let mut pair = ping_pair(10, seed);
        pair.drive();
        let start = pair.clock.start();
        pair.transcript()
            .iter()
            .map(|entry| {
                assert_eq!(entry.at - start, entry.elapsed);
                (entry.elapsed, entry.direction, entry.data.clone())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn transcript_is_off_by_default() {
    let mut pair = ping_pair(3, 2);
    pair.record(false);
    pair.drive();
    assert!(pair.a.done());
    assert!(pair.transcript().is_empty());
}

#[test]
fn drive_until_never_passes_the_deadline() {
    let blackhole = PipeConfig::datagram().with_drop_rate(1.0);
    let clock = SimClock::new();
    let pinger = Pinger::new(clock.now(), 1);
    let mut pair = Pair::new(pinger, Ponger::default(), blackhole.clone(), blackhole, 0);
    pair.clock = clock;
    let deadline = pair.now() + Duration::from_millis(1050);

    pair.drive_until(deadline);
    assert_eq!(pair.now(), deadline);
    assert!(pair.a.latest_now.is_some_and(|t| t <= deadline));
    // Sent at 0, 100, ..., 1000 ms; the one due at 1100 ms is beyond the deadline.
    assert_eq!(pair.a.transmissions, 11);
    assert_eq!(pair.a_to_b.stats().sent, 11);
    assert_eq!(
        pair.a.poll_timeout(),
        Some(pair.clock.start() + 11 * RETRANSMIT)
    );

    pair.drive_for(Duration::from_millis(500));
    assert_eq!(pair.clock.elapsed(), Duration::from_millis(1550));
    assert_eq!(pair.a.transmissions, 16);
}

#[test]
fn drive_until_a_past_deadline_does_not_move_the_clock() {
    let mut pair = ping_pair(1, 3);
    let start = pair.clock.start();
    pair.clock.advance(Duration::from_millis(50));
    pair.drive_until(start + Duration::from_millis(10));
    assert_eq!(pair.clock.elapsed(), Duration::from_millis(50));
    // Work already due at the current instant is still done: the first ping went out, but
    // its delivery 10 to 15 ms later is beyond the deadline.
    assert_eq!(pair.a_to_b.stats().sent, 1);
    assert_eq!(pair.a_to_b.stats().delivered, 0);
}

#[test]
fn stream_links_deliver_exact_bytes_in_pieces() {
    let mut rng = SeededRng::new(17);
    let message = rng.bytes(10_000);
    let sender = Echo {
        outbox: message
            .chunks(1000)
            .rev()
            .map(Bytes::copy_from_slice)
            .collect(),
    };
    /// Collects everything, sends nothing.
    #[derive(Default)]
    struct Sink(Vec<u8>, usize);
    impl Endpoint for Sink {
        fn handle_input(&mut self, _now: Instant, data: Bytes) {
            self.0.extend_from_slice(&data);
            self.1 += 1;
        }
        fn handle_timeout(&mut self, _now: Instant) {}
        fn poll_transmit(&mut self) -> Option<Bytes> {
            None
        }
        fn poll_timeout(&self) -> Option<Instant> {
            None
        }
    }
    let link = PipeConfig::stream()
        .with_delay(Duration::from_millis(20))
        .with_jitter(Duration::from_millis(20));
    let mut pair = Pair::new(sender, Sink::default(), link.clone(), link, 9);
    pair.drive();
    assert_eq!(pair.b.0, message);
    assert!(pair.b.1 > 10, "the stream link never split a write");
    assert!(pair.clock.elapsed() >= Duration::from_millis(20));
    assert!(pair.clock.elapsed() < Duration::from_millis(40));
}

#[test]
fn default_step_bound_is_one_million() {
    let pair = ping_pair(1, 0);
    assert_eq!(pair.max_steps(), DEFAULT_MAX_STEPS);
    assert_eq!(DEFAULT_MAX_STEPS, 1_000_000);
}

#[test]
#[should_panic(expected = "livelocked")]
fn endless_echo_trips_the_step_bound() {
    let a = Echo {
        outbox: vec![Bytes::from_static(b"ball")],
    };
    let link = PipeConfig::default();
    let mut pair = Pair::new(a, Echo::default(), link.clone(), link, 0);
    pair.set_max_steps(10_000);
    pair.drive();
}

#[test]
#[should_panic(expected = "livelocked")]
fn timer_left_in_the_past_trips_the_step_bound() {
    /// Arms a timer and never moves it.
    struct StuckTimer(Instant);
    impl Endpoint for StuckTimer {
        fn handle_input(&mut self, _now: Instant, _data: Bytes) {}
        fn handle_timeout(&mut self, _now: Instant) {}
        fn poll_transmit(&mut self) -> Option<Bytes> {
            None
        }
        fn poll_timeout(&self) -> Option<Instant> {
            Some(self.0)
        }
    }
    let clock = SimClock::new();
    let stuck = StuckTimer(clock.now() + Duration::from_millis(10));
    let mut pair = Pair::new(
        stuck,
        Ponger::default(),
        PipeConfig::default(),
        PipeConfig::default(),
        0,
    );
    pair.clock = clock;
    pair.set_max_steps(1000);
    pair.drive();
}

#[test]
#[should_panic(expected = "never reports that it is done")]
fn endless_poll_transmit_is_caught() {
    struct Firehose;
    impl Endpoint for Firehose {
        fn handle_input(&mut self, _now: Instant, _data: Bytes) {}
        fn handle_timeout(&mut self, _now: Instant) {}
        fn poll_transmit(&mut self) -> Option<Bytes> {
            Some(Bytes::from_static(b"x"))
        }
        fn poll_timeout(&self) -> Option<Instant> {
            None
        }
    }
    let mut pair = Pair::new(
        Firehose,
        Ponger::default(),
        PipeConfig::default(),
        PipeConfig::default(),
        0,
    );
    pair.set_max_steps(100);
    let _ = pair.step();
}
