//! Property tests: seeded random input sequences through the fuzzing harness, whose checks
//! after every input include "never available without a connected, two-party, not held call
//! with that peer while registered", "every share ends, with an event, when its call stops
//! being the active call", "one query per peer at a time, no closer than the minimum
//! interval", "the events agree with the state", "poll_timeout is always in the future" and
//! the bounds. A failing seed is printed so that it can be replayed.

use testkit::SeededRng;

use crate::fuzzing::{Coverage, csi_events};

/// Prints the seed of a failing run.
struct SeedReport(u64);

impl Drop for SeedReport {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("failing seed: {}", self.0);
        }
    }
}

fn add(total: &mut Coverage, c: Coverage) {
    total.inputs += c.inputs;
    total.available += c.available;
    total.queries += c.queries;
    total.timeouts += c.timeouts;
    total.accepted += c.accepted;
    total.rejected += c.rejected;
    total.outgoing += c.outgoing;
    total.ended += c.ended;
    total.ended_by_disconnect += c.ended_by_disconnect;
}

fn assert_everything_reached(total: &Coverage) {
    assert!(total.available > 0, "{total:?}");
    assert!(total.queries > 0, "{total:?}");
    assert!(total.timeouts > 0, "{total:?}");
    assert!(total.accepted > 0, "{total:?}");
    assert!(total.rejected > 0, "{total:?}");
    assert!(total.outgoing > 0, "{total:?}");
    assert!(total.ended_by_disconnect > 0, "{total:?}");
    assert!(total.ended > total.ended_by_disconnect, "{total:?}");
}

/// Uniformly random bytes: every opcode and operand, including the useless ones.
#[test]
fn random_bytes_keep_the_invariants() {
    let mut total = Coverage::default();
    for seed in 0..3_000 {
        let _report = SeedReport(seed);
        let mut rng = SeededRng::new(seed);
        let len = rng.below(400) as usize;
        add(&mut total, csi_events(&rng.bytes(len)));
    }
    assert!(total.inputs > 100_000, "{total:?}");
    assert_everything_reached(&total);
}

/// Sequences shaped like a real session: registration mostly on, a few call ids, numbers and
/// identities that correlate, capability answers for the called peers, time moving to the
/// engine's timers. These reach shares and their endings far more often than random bytes.
#[test]
fn session_like_sequences_keep_the_invariants() {
    let mut total = Coverage::default();
    for seed in 0..2_000 {
        let _report = SeedReport(seed);
        let mut rng = SeededRng::new(seed);
        let data = session_like(&mut rng);
        add(&mut total, csi_events(&data));
    }
    assert_everything_reached(&total);
    // Shares are started and ended by call events in a good part of the runs (the figures
    // are deterministic: about 900 accepted, 90 outgoing, 170 ended by a disconnect).
    assert!(total.accepted > 500, "{total:?}");
    assert!(total.outgoing > 50, "{total:?}");
    assert!(total.ended_by_disconnect > 100, "{total:?}");
}

/// One input sequence in the harness's encoding (see [`crate::fuzzing`]).
fn session_like(rng: &mut SeededRng) -> Vec<u8> {
    let mut data = vec![rng.next_u64() as u8, rng.next_u64() as u8];
    let small = |rng: &mut SeededRng, n: u64| rng.below(n) as u8;
    for _ in 0..rng.below(120) {
        let call = small(rng, 3);
        match rng.below(100) {
            // Registration, mostly on.
            0..=4 => data.extend([8, 0, u8::from(!rng.chance(0.2))]),
            // A call appears with one of the correlating numbers (or another).
            5..=16 => data.extend([small(rng, 2), call, small(rng, 6)]),
            17..=29 => data.extend([2, call]),
            30..=34 => data.extend([3 + small(rng, 4), call]),
            35..=41 => data.extend([7, call]),
            42..=44 => data.extend([9, 0]),
            // A capable answer (or another) for the main peers.
            45..=56 => data.extend([10, 0, small(rng, 2), small(rng, 6), small(rng, 3)]),
            // Incoming share: identities mostly among the correlating ones, sometimes a size.
            57..=66 => data.extend([
                11,
                0,
                small(rng, 16),
                small(rng, 5),
                small(rng, 10),
                small(rng, 5),
                small(rng, 110),
            ]),
            67..=74 => data.extend([12, 0, small(rng, 2), small(rng, 2), small(rng, 110)]),
            75..=79 => data.extend([13, 0, small(rng, 8)]),
            80..=84 => data.extend([14, 0, small(rng, 255)]),
            _ => data.extend([15, 0]),
        }
    }
    data
}
