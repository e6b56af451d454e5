//! Transfers, binding, reports and responses.

use std::time::Duration;

use msrp::endpoint::{Event, MessageError, SessionConfig};
use msrp::{EndpointConfig, Flag, Head, Method, StatusCode};
use testkit::{Direction, Pair, PipeConfig};

use crate::harness::{Peer, alice_uri, bob_uri, content, decode_stream};

/// Alice (active) and Bob (passive), one session each, Alice bound.
pub fn pair(
    seed: u64,
    a_config: SessionConfig,
    b_config: SessionConfig,
) -> (Pair<Peer, Peer>, msrp::SessionId, msrp::SessionId) {
    let link = PipeConfig::stream().with_delay(Duration::from_millis(5));
    let clock = testkit::SimClock::new();
    let mut a = Peer::new(clock.now(), seed, EndpointConfig::default());
    let mut b = Peer::new(clock.now(), seed + 1000, EndpointConfig::default());
    let sa = a.session(alice_uri(1), bob_uri(1), a_config);
    let sb = b.session(bob_uri(1), alice_uri(1), b_config);
    let mut pair = Pair::new(a, b, link.clone(), link, seed);
    let now = pair.now();
    pair.a.now = now;
    pair.b.now = now;
    pair.a.ep.bind(now, sa, pair.a.conn).unwrap();
    (pair, sa, sb)
}

#[test]
fn active_side_binds_with_a_bodiless_send_and_transfers_a_message() {
    let (mut pair, sa, sb) = pair(1, SessionConfig::default(), SessionConfig::default());
    pair.record(true);
    pair.drive();
    // The first request on the wire is the bodiless SEND, answered 200.
    let a_out: Vec<u8> = pair
        .transcript()
        .iter()
        .filter(|e| e.direction == Direction::AToB)
        .flat_map(|e| e.data.to_vec())
        .collect();
    let wire = decode_stream(&a_out);
    let Head::Request(first) = &wire[0].head else {
        panic!("a request first")
    };
    assert_eq!(first.method, Method::Send);
    assert!(first.content_type.is_none(), "bodiless");
    assert!(
        pair.b
            .events()
            .any(|e| matches!(e, Event::SessionBound { session, .. } if *session == sb))
    );
    assert_eq!(pair.b.ep.session_connection(sb), Some(pair.b.conn));

    let id = pair.a.send(sa, 1, 300_000);
    pair.drive();
    assert_eq!(pair.b.received[&id], content(1, 300_000));
    assert!(pair.b.events().any(
        |e| matches!(e, Event::MessageReceived { message_id, size, .. } if *message_id == id && *size == 300_000)
    ));
    assert!(
        pair.a
            .events()
            .any(|e| matches!(e, Event::MessageSent { message_id, .. } if *message_id == id))
    );
    // Bob can send back once bound.
    let back = pair.b.send(sb, 2, 5000);
    pair.drive();
    assert_eq!(pair.a.received[&back], content(2, 5000));
}

#[test]
fn success_reports_on_completion_and_incremental() {
    use msrp::endpoint::{ReportOptions, SuccessReports};
    use msrp::{FailureReport, SuccessReport};
    for mode in [SuccessReports::OnCompletion, SuccessReports::Incremental] {
        let a_config = SessionConfig::default()
            .with_default_reports(ReportOptions::new(SuccessReport::Yes, FailureReport::Yes));
        let b_config = SessionConfig::default().with_success_reports(mode);
        let (mut pair, sa, _) = pair(2, a_config, b_config);
        pair.drive();
        let id = pair.a.send(sa, 3, 100_000);
        pair.drive();
        let reports: Vec<_> = pair
            .a
            .events()
            .filter_map(|e| match e {
                Event::Report {
                    message_id,
                    status,
                    byte_range,
                    ..
                } if *message_id == id => Some((*status, *byte_range)),
                _ => None,
            })
            .collect();
        assert!(reports.iter().all(|(s, _)| *s == StatusCode::Ok));
        match mode {
            SuccessReports::OnCompletion => {
                assert_eq!(reports.len(), 1);
                let r = reports[0].1.unwrap();
                assert_eq!(
                    (r.start(), r.end(), r.total()),
                    (1, Some(100_000), Some(100_000))
                );
            }
            _ => {
                assert!(!reports.is_empty());
                let covered: u64 = reports
                    .iter()
                    .map(|(_, r)| r.unwrap().end().unwrap() - r.unwrap().start() + 1)
                    .sum();
                assert_eq!(covered, 100_000);
            }
        }
    }
}

#[test]
fn reports_are_never_answered() {
    use msrp::endpoint::ReportOptions;
    use msrp::{FailureReport, SuccessReport};
    let a_config = SessionConfig::default()
        .with_default_reports(ReportOptions::new(SuccessReport::Yes, FailureReport::Yes));
    let (mut pair, sa, _) = pair(3, a_config, SessionConfig::default());
    pair.record(true);
    pair.drive();
    pair.a.send(sa, 4, 10_000);
    pair.drive();
    let stream = |dir| -> Vec<u8> {
        pair.transcript()
            .iter()
            .filter(|e| e.direction == dir)
            .flat_map(|e| e.data.to_vec())
            .collect()
    };
    let from_b = decode_stream(&stream(Direction::BToA));
    let from_a = decode_stream(&stream(Direction::AToB));
    let reports: Vec<_> = from_b
        .iter()
        .filter(|w| matches!(&w.head, Head::Request(r) if r.method == Method::Report))
        .map(|w| w.head.transaction_id())
        .collect();
    assert_eq!(reports.len(), 1);
    assert!(
        from_a
            .iter()
            .all(|w| !reports.contains(&w.head.transaction_id())),
        "a REPORT was answered"
    );
}

#[test]
fn abort_from_the_sender_reaches_the_receiver() {
    let (mut pair, sa, _) = pair(4, SessionConfig::default(), SessionConfig::default());
    pair.record(true);
    pair.drive();
    pair.a.hold_content = true;
    let id = pair.a.send(sa, 5, 1_000_000);
    // Give part of the content, let it go out, then abort mid-chunk.
    let src = pair.a.sources[&id].clone();
    let now = pair.a.now;
    pair.a.ep.provide(now, sa, id, src.slice(..50_000)).unwrap();
    pair.drive_for(Duration::from_millis(50));
    pair.a.ep.abort(pair.a.now, sa, id).unwrap();
    pair.drive();
    assert!(pair.b.events().any(|e| matches!(
        e,
        Event::MessageFailed { message_id, outgoing: false, error: MessageError::Aborted, .. } if *message_id == id
    )));
    assert!(
        !pair
            .b
            .events()
            .any(|e| matches!(e, Event::MessageReceived { .. }))
    );
    let a_out: Vec<u8> = pair
        .transcript()
        .iter()
        .filter(|e| e.direction == Direction::AToB)
        .flat_map(|e| e.data.to_vec())
        .collect();
    let wire = decode_stream(&a_out);
    assert_eq!(wire.last().unwrap().flag, Some(Flag::Aborted));
}
