//! Seeded random two-party runs: sessions, sizes (empty included), sinks, report settings,
//! declared or undeclared sizes and link speeds drawn from a seed; every message must arrive
//! intact and be reported sent.

use std::time::Duration;

use msrp::endpoint::{Event, ReportOptions, SessionConfig};
use msrp::{EndpointConfig, FailureReport, SinkKind, SuccessReport, Text};
use testkit::{Pair, PipeConfig, SeededRng, SimClock};

use crate::harness::{Bandwidth, Peer, alice_uri, bob_uri, content};

#[test]
fn seeded_random_transfers_arrive_intact() {
    let mut messages = 0;
    let mut bytes = 0;
    for seed in 0..30u64 {
        let mut rng = SeededRng::new(seed);
        let n = 1 + rng.below(4) as usize;
        let t0 = SimClock::new().now();
        let endpoint_config = EndpointConfig::default()
            .with_fair_share(2048 + rng.below(40_000) as usize)
            .with_max_segment(1 + rng.below(20_000) as usize)
            .with_write_queue_limit(4096 + rng.below(1 << 20) as usize);
        let mut a = Peer::new(t0, seed * 2, endpoint_config.clone());
        let mut b = Peer::new(t0, seed * 2 + 1, endpoint_config);
        if rng.chance(0.5) {
            let bw = Bandwidth {
                bytes: 1000 + rng.below(200_000) as usize,
                tick: Duration::from_millis(1),
            };
            a.set_bandwidth(bw);
            b.set_bandwidth(bw);
        }
        let mut sessions = Vec::new();
        for i in 0..n {
            let failure = [
                FailureReport::Yes,
                FailureReport::Partial,
                FailureReport::No,
            ][rng.below(3) as usize];
            let success = if rng.chance(0.5) {
                SuccessReport::Yes
            } else {
                SuccessReport::No
            };
            let a_config = SessionConfig::default()
                .with_default_reports(ReportOptions::new(success, failure))
                .with_send_buffer(2048 + rng.below(300_000) as usize);
            let sink = if rng.chance(0.5) {
                SinkKind::Positional
            } else {
                SinkKind::InOrder
            };
            let sa = a.session(alice_uri(i), bob_uri(i), a_config);
            b.session(
                bob_uri(i),
                alice_uri(i),
                SessionConfig::default().with_sink(sink),
            );
            sessions.push(sa);
        }
        let link = PipeConfig::stream().with_delay(Duration::from_millis(rng.below(20)));
        let mut pair = Pair::new(a, b, link.clone(), link, seed);
        let now = pair.now();
        pair.a.now = now;
        pair.b.now = now;
        for s in &sessions {
            pair.a.ep.bind(now, *s, pair.a.conn).unwrap();
        }
        let mut expected = Vec::new();
        for (i, s) in sessions.iter().enumerate() {
            for k in 0..1 + rng.below(3) {
                let size = match rng.below(4) {
                    0 => 0,
                    1 => rng.below(3000) as usize,
                    _ => rng.below(400_000) as usize,
                };
                let seed_byte = (i * 7 + k as usize) as u8;
                let ct = Text::new("application/octet-stream").unwrap();
                let declared = rng.chance(0.7);
                let now = pair.a.now;
                let id = pair
                    .a
                    .ep
                    .send_message(now, *s, ct, declared.then_some(size as u64))
                    .unwrap();
                pair.a.sources.insert(id, content(seed_byte, size));
                if !declared {
                    // Finished when the harness has handed over the last byte.
                    pair.a.undeclared.insert(id);
                    if size == 0 {
                        pair.a.ep.finish(now, *s, id).unwrap();
                    }
                }
                expected.push((id, seed_byte, size, declared));
            }
        }
        pair.a.pump();
        pair.drive();
        for (id, seed_byte, size, declared) in expected {
            messages += 1;
            bytes += size;
            let got = pair.b.received.get(&id).cloned().unwrap_or_default();
            assert_eq!(
                got.len(),
                size,
                "seed {seed}: size of {id} (declared {declared})"
            );
            assert!(
                got == content(seed_byte, size)[..],
                "seed {seed}: content of {id}"
            );
            assert!(
                pair.b.events().any(|e| matches!(e, Event::MessageReceived { message_id, size: s, .. } if *message_id == id && *s == size as u64)),
                "seed {seed}: {id} not complete"
            );
            assert!(
                pair.a.events().any(
                    |e| matches!(e, Event::MessageSent { message_id, .. } if *message_id == id)
                ),
                "seed {seed}: {id} not reported sent"
            );
        }
        assert!(
            !pair
                .a
                .events()
                .any(|e| matches!(e, Event::MessageFailed { .. } | Event::SessionFailed { .. })),
            "seed {seed}"
        );
        assert!(
            !pair
                .b
                .events()
                .any(|e| matches!(e, Event::MessageFailed { .. } | Event::SessionFailed { .. })),
            "seed {seed}"
        );
    }
    println!("{messages} messages, {bytes} bytes");
    assert!(messages > 60 && bytes > 10_000_000);
}
