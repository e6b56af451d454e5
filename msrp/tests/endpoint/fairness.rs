//! Sharing one connection: interruption, fairness, responses first, stalled readers, many
//! sessions.

use std::collections::HashMap;
use std::time::Duration;

use msrp::endpoint::{Event, MessageError, SessionConfig};
use msrp::{EndpointConfig, Flag, Head, Method, StatusCode};
use testkit::{Pair, PipeConfig, SimClock};

use crate::harness::{Bandwidth, Peer, alice_uri, bob_uri, content, decode_stream};

/// 64 KiB per millisecond each way (about 500 Mbit/s), 1 ms of delay.
const LINK: Bandwidth = Bandwidth {
    bytes: 64 << 10,
    tick: Duration::from_millis(1),
};

/// Alice and Bob with `n` sessions each on one connection, Alice's all bound.
fn pair_n(
    seed: u64,
    n: usize,
    bandwidth: Option<Bandwidth>,
    b_config: impl Fn(usize) -> SessionConfig,
) -> (Pair<Peer, Peer>, Vec<msrp::SessionId>, Vec<msrp::SessionId>) {
    let clock = SimClock::new();
    let t0 = clock.now();
    let mut a = Peer::new(t0, seed, EndpointConfig::default());
    let mut b = Peer::new(t0, seed + 1, EndpointConfig::default());
    if let Some(bw) = bandwidth {
        a.set_bandwidth(bw);
        b.set_bandwidth(bw);
    }
    let sa: Vec<_> = (0..n)
        .map(|i| a.session(alice_uri(i), bob_uri(i), SessionConfig::default()))
        .collect();
    let sb: Vec<_> = (0..n)
        .map(|i| b.session(bob_uri(i), alice_uri(i), b_config(i)))
        .collect();
    let link = PipeConfig::stream().with_delay(Duration::from_millis(1));
    let mut pair = Pair::new(a, b, link.clone(), link, seed);
    let now = pair.now();
    pair.a.now = now;
    pair.b.now = now;
    for s in &sa {
        pair.a.ep.bind(now, *s, pair.a.conn).unwrap();
    }
    pair.drive();
    (pair, sa, sb)
}

fn received_at(peer: &Peer, id: msrp::MessageId) -> std::time::Instant {
    peer.time_of(|e| matches!(e, Event::MessageReceived { message_id, .. } if *message_id == id))
        .expect("received")
}

#[test]
fn two_concurrent_8_mib_messages_finish_within_10_percent() {
    let (mut pair, sa, _) = pair_n(20, 2, Some(LINK), |_| SessionConfig::default());
    let start = pair.now();
    let m1 = pair.a.send(sa[0], 1, 8 << 20);
    let m2 = pair.a.send(sa[1], 2, 8 << 20);
    pair.drive();
    assert_eq!(pair.b.received[&m1], content(1, 8 << 20));
    assert_eq!(pair.b.received[&m2], content(2, 8 << 20));
    let t1 = (received_at(&pair.b, m1) - start).as_secs_f64();
    let t2 = (received_at(&pair.b, m2) - start).as_secs_f64();
    let ratio = t1.min(t2) / t1.max(t2);
    println!("8 MiB messages finished at {t1:.4} s and {t2:.4} s (ratio {ratio:.3})");
    assert!(ratio >= 0.9, "{t1} vs {t2}");
    // Neither was done before the link could carry 16 MiB: they really shared it.
    assert!(t1.min(t2) > 0.2);
}

#[test]
fn responses_wait_behind_at_most_64_kib_and_chunks_resume_where_interrupted() {
    let (mut pair, sa, sb) = pair_n(21, 2, Some(LINK), |_| SessionConfig::default());
    pair.a.record_output = true;
    pair.b.record_output = true;
    // Alice sends two 8 MiB messages (so her chunks alternate and each is answered) while
    // Bob sends 8 MiB back on another session of the same connection: his chunk must be
    // interrupted for every response.
    let to_b = pair.a.send(sa[0], 3, 8 << 20);
    let to_b2 = pair.a.send(sa[1], 5, 8 << 20);
    let to_a = pair.b.send(sb[1], 4, 8 << 20);
    pair.drive();
    assert_eq!(pair.b.received[&to_b], content(3, 8 << 20));
    assert_eq!(pair.b.received[&to_b2], content(5, 8 << 20));
    assert_eq!(pair.a.received[&to_a], content(4, 8 << 20));

    for peer in [&pair.a, &pair.b] {
        // For each request the peer read, how much it wrote after reading it and before
        // starting the response.
        let requests = decode_stream(&peer.read);
        let written = decode_stream(&peer.written);
        let response_at: HashMap<_, _> = written
            .iter()
            .filter(|w| matches!(w.head, Head::Response(_)))
            .map(|w| (w.head.transaction_id(), w.at))
            .collect();
        let mut worst = 0;
        let mut answered = 0;
        for req in requests
            .iter()
            .filter(|w| matches!(&w.head, Head::Request(r) if r.method == Method::Send))
        {
            let Some(&at) = response_at.get(&req.head.transaction_id()) else {
                continue;
            };
            // Bytes written when the request's end-line had been read.
            let (_, wrote) = peer
                .marks
                .iter()
                .find(|(read, _)| *read >= req.end)
                .copied()
                .expect("the end-line was read");
            worst = worst.max(at.saturating_sub(wrote));
            answered += 1;
        }
        println!("{answered} responses, the longest waited behind {worst} bytes");
        assert!(answered >= 5, "{answered}");
        assert!(worst <= 64 << 10, "a response waited behind {worst} bytes");

        // The big messages went out in many interrupted chunks, each resuming where the
        // last one of its message stopped, none shorter than 2048 octets but the last.
        let mut next: HashMap<msrp::MessageId, u64> = HashMap::new();
        let mut chunks = 0;
        for w in &written {
            let Head::Request(r) = &w.head else { continue };
            if r.method != Method::Send || r.content_type.is_none() {
                continue;
            }
            let next = next.entry(r.headers.message_id().unwrap()).or_insert(1);
            let range = r.headers.byte_range().unwrap();
            assert_eq!(range.start(), *next);
            *next += w.body as u64;
            chunks += 1;
            if *next <= 8 << 20 {
                assert_eq!(w.flag, Some(Flag::Continued));
                assert!(w.body >= 2048);
            } else {
                assert_eq!(w.flag, Some(Flag::Complete));
            }
        }
        assert!(next.values().all(|n| *n == (8 << 20) + 1));
        assert!(chunks >= 5, "{chunks} chunks");
    }
}

#[test]
fn a_stalled_reader_fails_only_its_own_message() {
    let window = 1 << 20;
    let (mut pair, sa, sb) = pair_n(22, 2, Some(LINK), |_| {
        SessionConfig::default().with_receive_window(window)
    });
    // Bob's application stops reading session 0.
    pair.b.stalled.insert(sb[0]);
    let stuck = pair.a.send(sa[0], 5, 4 << 20);
    let fine = pair.a.send(sa[1], 6, 4 << 20);
    pair.drive();
    assert_eq!(pair.b.received[&fine], content(6, 4 << 20));
    assert!(pair.b.events().any(|e| matches!(
        e,
        Event::MessageFailed { message_id, outgoing: false, error: MessageError::Refused(s), .. }
            if *message_id == stuck && *s == StatusCode::TooLarge
    )));
    assert!(pair.a.events().any(|e| matches!(
        e,
        Event::MessageFailed { message_id, outgoing: true, error, .. }
            if *message_id == stuck && error.status() == StatusCode::TooLarge
    )));
    assert!(
        pair.a
            .events()
            .any(|e| matches!(e, Event::MessageSent { message_id, .. } if *message_id == fine))
    );
    // What Bob holds for the stalled session stays within its window.
    let held = pair.b.received.get(&stuck).map_or(0, Vec::len);
    assert!(held <= window, "{held}");
}

#[test]
fn a_thousand_sessions_share_one_connection() {
    let n = 1000;
    let (mut pair, sa, sb) = pair_n(23, n, None, |_| SessionConfig::default());
    let bound = pair
        .b
        .events()
        .filter(|e| matches!(e, Event::SessionBound { .. }))
        .count();
    assert_eq!(bound, n);
    let ids: Vec<_> = sa
        .iter()
        .enumerate()
        .map(|(i, s)| pair.a.send(*s, i as u8, 3000 + i))
        .collect();
    let back: Vec<_> = sb
        .iter()
        .enumerate()
        .map(|(i, s)| pair.b.send(*s, (i + 7) as u8, 100 + i))
        .collect();
    pair.drive();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(pair.b.received[id], content(i as u8, 3000 + i));
    }
    for (i, id) in back.iter().enumerate() {
        assert_eq!(pair.a.received[id], content((i + 7) as u8, 100 + i));
    }
    let sent = pair
        .a
        .events()
        .filter(|e| matches!(e, Event::MessageSent { .. }))
        .count();
    assert_eq!(sent, n);
}

/// The chunks of message `id` in `written`: (Byte-Range start, body length, end flag).
fn chunks_of(written: &[u8], id: msrp::MessageId) -> Vec<(u64, usize, Option<Flag>)> {
    decode_stream(written)
        .into_iter()
        .filter_map(|w| match &w.head {
            Head::Request(r) if r.headers.message_id() == Some(id) && w.body > 0 => {
                Some((r.headers.byte_range().unwrap().start(), w.body, w.flag))
            }
            _ => None,
        })
        .collect()
}

/// Starts a message of 20000 bytes (`content(seed, ..)`) on Alice's `session` whose
/// content is handed over by hand (not from `sources`): the first 5000 bytes now.
fn start_by_hand(
    pair: &mut Pair<Peer, Peer>,
    session: msrp::SessionId,
    seed: u8,
) -> (msrp::MessageId, bytes::Bytes) {
    let ct = msrp::Text::new("application/octet-stream").unwrap();
    let whole = content(seed, 20_000);
    let now = pair.a.now;
    let id = pair
        .a
        .ep
        .send_message(now, session, ct, Some(20_000))
        .unwrap();
    pair.a
        .ep
        .provide(now, session, id, whole.slice(..5000))
        .unwrap();
    pair.drive();
    (id, whole)
}

/// Hands over the rest of a message started by [`start_by_hand`].
fn finish_by_hand(
    pair: &mut Pair<Peer, Peer>,
    session: msrp::SessionId,
    id: msrp::MessageId,
    whole: &bytes::Bytes,
) {
    let now = pair.a.now;
    pair.a
        .ep
        .provide(now, session, id, whole.slice(5000..))
        .unwrap();
    pair.drive();
}

#[test]
fn a_chunk_waits_open_for_content_and_is_interrupted_when_another_session_has_some() {
    let (mut pair, sa, _) = pair_n(30, 2, None, |_| SessionConfig::default());
    pair.a.record_output = true;
    let (m0, whole) = start_by_hand(&mut pair, sa[0], 1);
    // The source ran dry: the chunk stays open, nothing else wants the connection.
    assert_eq!(chunks_of(&pair.a.written, m0), vec![(1, 5000, None)]);

    // Another session has a message: the open chunk is ended with `+` so it goes.
    let m1 = pair.a.send(sa[1], 2, 3000);
    pair.drive();
    assert_eq!(
        chunks_of(&pair.a.written, m0),
        vec![(1, 5000, Some(Flag::Continued))]
    );
    assert_eq!(
        chunks_of(&pair.a.written, m1),
        vec![(1, 3000, Some(Flag::Complete))]
    );

    // The rest follows in a new chunk from byte 5001.
    finish_by_hand(&mut pair, sa[0], m0, &whole);
    assert_eq!(
        chunks_of(&pair.a.written, m0),
        vec![
            (1, 5000, Some(Flag::Continued)),
            (5001, 15_000, Some(Flag::Complete))
        ]
    );
    assert_eq!(pair.b.received[&m0], whole);
    assert_eq!(pair.b.received[&m1], content(2, 3000));
}

#[test]
fn a_chunk_waiting_for_content_gives_way_to_another_message_of_its_session() {
    let (mut pair, sa, _) = pair_n(31, 1, None, |_| SessionConfig::default());
    pair.a.record_output = true;
    let (m0, whole) = start_by_hand(&mut pair, sa[0], 3);
    // A second message of the same session: the first one's open chunk ends with `+`.
    let m1 = pair.a.send(sa[0], 4, 3000);
    pair.drive();
    assert_eq!(
        chunks_of(&pair.a.written, m0),
        vec![(1, 5000, Some(Flag::Continued))]
    );
    assert_eq!(
        chunks_of(&pair.a.written, m1),
        vec![(1, 3000, Some(Flag::Complete))]
    );
    assert_eq!(pair.b.received[&m1], content(4, 3000));
    finish_by_hand(&mut pair, sa[0], m0, &whole);
    assert_eq!(
        chunks_of(&pair.a.written, m0),
        vec![
            (1, 5000, Some(Flag::Continued)),
            (5001, 15_000, Some(Flag::Complete))
        ]
    );
    assert_eq!(pair.b.received[&m0], whole);
}
