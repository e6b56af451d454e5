//! Refusals, aborts, timeouts and the Failure-Report rules.

use std::time::Duration;

use bytes::Bytes;
use msrp::endpoint::{Event, MessageError, ReportOptions, SessionConfig, SessionError};
use msrp::{EndpointConfig, FailureReport, Flag, Head, StatusCode, SuccessReport, Text};
use testkit::{Direction, SimClock};

use crate::basic::pair;
use crate::harness::{Peer, alice_uri, bob_uri, content, decode_stream};

fn stream(pair: &testkit::Pair<Peer, Peer>, dir: Direction) -> Vec<u8> {
    pair.transcript()
        .iter()
        .filter(|e| e.direction == dir)
        .flat_map(|e| e.data.to_vec())
        .collect()
}

fn responses(wire: &[crate::harness::Wire]) -> Vec<u16> {
    wire.iter()
        .filter_map(|w| match &w.head {
            Head::Response(r) => Some(r.status.code()),
            _ => None,
        })
        .collect()
}

#[test]
fn receiver_refuses_mid_transfer_with_413_and_the_sender_stops_with_hash() {
    let (mut pair, sa, sb) = pair(10, SessionConfig::default(), SessionConfig::default());
    // 100 kB per millisecond: 4 MB take 40 ms, the link's delay is 5 ms.
    pair.a.set_bandwidth(crate::harness::Bandwidth {
        bytes: 100_000,
        tick: Duration::from_millis(1),
    });
    pair.record(true);
    pair.drive();
    pair.a.hold_content = true;
    let id = pair.a.send(sa, 1, 4_000_000);
    let src = pair.a.sources[&id].clone();
    let now = pair.a.now;
    pair.a
        .ep
        .provide(now, sa, id, src.slice(..100_000))
        .unwrap();
    pair.drive_for(Duration::from_millis(20));
    assert!(pair.b.received.contains_key(&id), "some data arrived");
    // Bob's application refuses the message while more is coming.
    pair.a.resume_content(sa);
    pair.b.ep.reject(pair.b.now, sb, id).unwrap();
    pair.drive();
    assert!(pair.a.events().any(|e| matches!(
        e,
        Event::MessageFailed { message_id, outgoing: true, error: MessageError::Response(s), .. }
            if *message_id == id && *s == StatusCode::TooLarge
    )) || pair.a.events().any(|e| matches!(
        e,
        Event::MessageFailed { message_id, outgoing: true, error: MessageError::Report(s), .. }
            if *message_id == id && *s == StatusCode::TooLarge
    )));
    assert!(
        !pair
            .b
            .events()
            .any(|e| matches!(e, Event::MessageReceived { .. }))
    );
    let from_a = decode_stream(&stream(&pair, Direction::AToB));
    let sent: usize = from_a.iter().map(|w| w.body).sum();
    assert!(sent < 4_000_000, "the sender stopped early ({sent} bytes)");
    assert_eq!(from_a.last().unwrap().flag, Some(Flag::Aborted));
    // Nothing after the abort for this message.
    assert!(
        !pair
            .a
            .events()
            .any(|e| matches!(e, Event::MessageSent { .. }))
    );
}

#[test]
fn lost_responses_fail_the_message_with_a_local_408_after_30_s() {
    let clock = SimClock::new();
    let t0 = clock.now();
    let mut a = Peer::new(t0, 11, EndpointConfig::default());
    let sa = a.session(alice_uri(1), bob_uri(1), SessionConfig::default());
    a.ep.bind(t0, sa, a.conn).unwrap();
    // The binding SEND is answered ...
    let bind = a.ep.poll_transmit().unwrap();
    let Head::Request(req) = &decode_stream(&bind.data)[0].head else {
        panic!("the bodiless SEND")
    };
    let ok = req.response(StatusCode::Ok, req.to_path.clone());
    let ok = msrp::Message {
        head: Head::Response(ok),
        body: None,
        flag: Flag::Complete,
    };
    a.ep.handle_input(t0, a.conn, &ok.to_bytes().unwrap())
        .unwrap();
    let id = a.send(sa, 1, 10_000);
    let mut written = 0;
    while let Some(t) = a.ep.poll_transmit() {
        written += t.data.len();
        a.pump();
    }
    assert!(written > 10_000);
    // The peer never answers.
    let deadline = a.ep.poll_timeout().expect("response timer");
    assert_eq!(deadline, t0 + Duration::from_secs(30));
    a.ep.handle_timeout(t0 + Duration::from_secs(29));
    a.pump();
    assert!(!a.events().any(|e| matches!(e, Event::MessageFailed { .. })));
    a.now = deadline;
    a.ep.handle_timeout(deadline);
    a.pump();
    let failed = a.events().find_map(|e| match e {
        Event::MessageFailed {
            message_id, error, ..
        } if *message_id == id => Some(*error),
        _ => None,
    });
    assert_eq!(failed, Some(MessageError::Timeout));
    assert_eq!(MessageError::Timeout.status(), StatusCode::RequestTimeout);
    // The session itself is fine: only the message failed.
    assert!(!a.events().any(|e| matches!(
        e,
        Event::SessionFailed {
            error: SessionError::Timeout,
            ..
        }
    )));
}

#[test]
fn failure_report_partial_gets_errors_only_and_no_gets_nothing() {
    for failure in [FailureReport::Partial, FailureReport::No] {
        let a_config = SessionConfig::default()
            .with_default_reports(ReportOptions::new(SuccessReport::No, failure));
        let b_config = SessionConfig::default().with_accept_types(["text/plain"]);
        let (mut pair, sa, _) = pair(12, a_config, b_config);
        pair.record(true);
        pair.drive();
        let before = responses(&decode_stream(&stream(&pair, Direction::BToA))).len();
        // Accepted type: no 200 with partial or no, and the sender runs no timer.
        let ct = Text::new("text/plain").unwrap();
        let now = pair.a.now;
        let ok = pair.a.ep.send_message(now, sa, ct, Some(3000)).unwrap();
        pair.a.sources.insert(ok, content(1, 3000));
        pair.a.pump();
        pair.drive();
        assert!(
            pair.a
                .events()
                .any(|e| matches!(e, Event::MessageSent { message_id, .. } if *message_id == ok))
        );
        assert!(
            pair.b.events().any(
                |e| matches!(e, Event::MessageReceived { message_id, .. } if *message_id == ok)
            )
        );
        let after_ok = responses(&decode_stream(&stream(&pair, Direction::BToA)));
        assert_eq!(after_ok.len(), before, "{failure:?}: no 200 for the chunks");
        // A refused type: 415 with partial, silence with no.
        let bad = pair.a.send(sa, 2, 3000);
        pair.drive();
        let all = responses(&decode_stream(&stream(&pair, Direction::BToA)));
        let failed = pair.a.events().any(|e| {
            matches!(
                e,
                Event::MessageFailed { message_id, error: MessageError::Response(s), .. }
                    if *message_id == bad && *s == StatusCode::UnsupportedMediaType
            )
        });
        match failure {
            FailureReport::Partial => {
                assert_eq!(&all[before..], &[415]);
                assert!(failed);
            }
            _ => {
                assert_eq!(all.len(), before);
                assert!(!failed);
            }
        }
    }
}

#[test]
fn a_415_is_remembered_for_the_session() {
    let b_config = SessionConfig::default().with_accept_types(["image/*"]);
    let (mut pair, sa, _) = pair(13, SessionConfig::default(), b_config);
    pair.drive();
    let id = pair.a.send(sa, 1, 5000);
    pair.drive();
    assert!(pair.a.events().any(|e| matches!(
        e,
        Event::MessageFailed { message_id, error: MessageError::Response(s), .. }
            if *message_id == id && *s == StatusCode::UnsupportedMediaType
    )));
    let ct = Text::new("application/octet-stream; x=1").unwrap();
    assert_eq!(
        pair.a.ep.send_message(pair.a.now, sa, ct, Some(1)),
        Err(msrp::endpoint::UserError::MediaTypeRefused)
    );
    // Another type still goes.
    let png = Text::new("image/png").unwrap();
    let ok = pair
        .a
        .ep
        .send_message(pair.a.now, sa, png, Some(4000))
        .unwrap();
    pair.a.sources.insert(ok, content(3, 4000));
    pair.a.pump();
    pair.drive();
    assert_eq!(pair.b.received[&ok], content(3, 4000));
}

/// A passive endpoint with two sessions and two connections, fed raw bytes.
struct Raw {
    ep: msrp::Endpoint,
    now: std::time::Instant,
}

impl Raw {
    fn new(seed: u64, config: SessionConfig) -> (Self, msrp::SessionId) {
        let now = SimClock::new().now();
        let mut ep = msrp::Endpoint::new(EndpointConfig::default(), crate::harness::ids(seed));
        let s = ep.add_session(bob_uri(1), alice_uri(1), config).unwrap();
        (Self { ep, now }, s)
    }

    /// Feeds `wire` and returns what comes back on that connection.
    fn feed(&mut self, conn: msrp::ConnectionId, wire: &[u8]) -> Vec<crate::harness::Wire> {
        self.ep.handle_input(self.now, conn, wire).unwrap();
        let mut out = Vec::new();
        while let Some(t) = self.ep.poll_transmit() {
            assert_eq!(t.connection, conn);
            out.extend_from_slice(&t.data);
        }
        decode_stream(&out)
    }

    fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.ep.poll_event()).collect()
    }
}

fn send(tid: &str, to: &str, mid: &str, range: &str, body: &[u8], flag: char) -> Vec<u8> {
    let mut w = format!(
        "MSRP {tid} SEND\r\nTo-Path: {to}\r\nFrom-Path: msrp://alice.example.com:7777/a1x9;tcp\r\n\
         Message-ID: {mid}\r\nByte-Range: {range}\r\nContent-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    w.extend_from_slice(body);
    w.extend_from_slice(format!("\r\n-------{tid}{flag}\r\n").as_bytes());
    w
}

const BOB: &str = "msrp://bob.example.com:8888/b1y7;tcp";

#[test]
fn no_such_session_gets_481_and_a_session_bound_elsewhere_gets_506() {
    let (mut raw, s) = Raw::new(14, SessionConfig::default());
    let c1 = raw.ep.open_connection(raw.now).unwrap();
    let c2 = raw.ep.open_connection(raw.now).unwrap();
    // Unknown URI: 481.
    let out = raw.feed(
        c1,
        &send(
            "t1aaaa",
            "msrp://bob.example.com:8888/nope;tcp",
            "m1aa",
            "1-3/3",
            b"abc",
            '$',
        ),
    );
    assert_eq!(responses(&out), [481]);
    // Two URIs in To-Path at an endpoint: 481.
    let two = format!("{BOB} {BOB}");
    let out = raw.feed(c1, &send("t2aaaa", &two, "m1aa", "1-3/3", b"abc", '$'));
    assert_eq!(responses(&out), [481]);
    // The first SEND binds the session to c1 ...
    let out = raw.feed(c1, &send("t3aaaa", BOB, "m2aa", "1-3/3", b"abc", '$'));
    assert_eq!(responses(&out), [200]);
    assert_eq!(raw.ep.session_connection(s), Some(c1));
    // ... so the same session on c2 gets 506, and nothing of it is delivered.
    let out = raw.feed(c2, &send("t4aaaa", BOB, "m3aa", "1-3/3", b"xyz", '$'));
    assert_eq!(responses(&out), [506]);
    let events = raw.events();
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::SessionBound { connection, .. } if *connection == c1))
    );
    let received: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::MessageReceived { message_id, .. } => Some(message_id.as_str().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(received, ["m2aa"]);
}

#[test]
fn out_of_order_and_rechunked_delivery_reassembles() {
    let body = content(7, 10_000);
    for sink in [msrp::SinkKind::Positional, msrp::SinkKind::InOrder] {
        let (mut raw, s) = Raw::new(15, SessionConfig::default().with_sink(sink));
        let c = raw.ep.open_connection(raw.now).unwrap();
        // Chunks as a relay might re-chunk them, delivered out of order, one duplicated
        // and overlapping.
        let pieces: [(usize, usize, char); 5] = [
            (6000, 10_000, '$'),
            (0, 2500, '+'),
            (4000, 7000, '+'),
            (2500, 4000, '+'),
            (0, 3000, '+'),
        ];
        let mut statuses = Vec::new();
        for (i, (a, b, flag)) in pieces.iter().enumerate() {
            let range = format!("{}-{}/10000", a + 1, b);
            let wire = send(
                &format!("tid{i}xx"),
                BOB,
                "msgOOO1",
                &range,
                &body[*a..*b],
                *flag,
            );
            // Split the wire at an odd place too.
            let (x, y) = wire.split_at(wire.len() / 3);
            statuses.extend(responses(&raw.feed(c, x)));
            statuses.extend(responses(&raw.feed(c, y)));
        }
        assert_eq!(statuses, [200; 5]);
        let mut got = vec![0u8; 10_000];
        let mut complete = false;
        for e in raw.events() {
            match e {
                Event::Data {
                    offset,
                    data,
                    session,
                    ..
                } => {
                    let o = offset as usize;
                    got[o..o + data.len()].copy_from_slice(&data);
                    raw.ep.release(session, data.len());
                }
                Event::MessageReceived { size, session, .. } => {
                    assert_eq!((size, session), (10_000, s));
                    complete = true;
                }
                _ => {}
            }
        }
        assert!(complete, "{sink:?}");
        assert_eq!(&got[..], &body[..], "{sink:?}");
    }
}

#[test]
fn forbidden_unknown_method_and_malformed_requests() {
    let (mut raw, _) = Raw::new(16, SessionConfig::default().with_receive(false));
    let c = raw.ep.open_connection(raw.now).unwrap();
    // Bodiless SEND binds and gets 200 even when the session does not receive content.
    let bind = format!(
        "MSRP b1nd SEND\r\nTo-Path: {BOB}\r\nFrom-Path: msrp://alice.example.com:7777/a1x9;tcp\r\n\
         Message-ID: bindmsg1\r\n-------b1nd$\r\n"
    );
    assert_eq!(responses(&raw.feed(c, bind.as_bytes())), [200]);
    // Content to a session that does not receive: 403.
    assert_eq!(
        responses(&raw.feed(c, &send("t403", BOB, "m403", "1-3/3", b"abc", '$'))),
        [403]
    );
    // An extension method: 501.
    let other = format!(
        "MSRP t501 FOO\r\nTo-Path: {BOB}\r\nFrom-Path: msrp://alice.example.com:7777/a1x9;tcp\r\n-------t501$\r\n"
    );
    assert_eq!(responses(&raw.feed(c, other.as_bytes())), [501]);
    // A bad Byte-Range: 400, and the connection goes on.
    let bad = send("t400", BOB, "m400", "9-3/3", b"abc", '$');
    assert_eq!(responses(&raw.feed(c, &bad)), [400]);
    // A REPORT for an unknown message: ignored, never answered.
    let report = format!(
        "MSRP trep1 REPORT\r\nTo-Path: {BOB}\r\nFrom-Path: msrp://alice.example.com:7777/a1x9;tcp\r\n\
         Message-ID: unknown1\r\nStatus: 000 200 OK\r\n-------trep1$\r\n"
    );
    assert!(raw.feed(c, report.as_bytes()).is_empty());
    // Framing lost: the connection fails.
    raw.ep
        .handle_input(raw.now, c, b"HTTP/1.1 200 OK\r\n")
        .unwrap();
    assert!(raw.events().iter().any(|e| matches!(
        e,
        Event::ConnectionFailed {
            error: msrp::endpoint::ConnectionError::Framing(_),
            ..
        }
    )));
}

#[test]
fn keepalive_sends_bodiless_sends_while_idle() {
    let a_config = SessionConfig::default().with_keepalive(Some(Duration::from_secs(10)));
    let (mut pair, _, _) = pair(17, a_config, SessionConfig::default());
    pair.record(true);
    pair.drive_for(Duration::from_secs(35));
    let from_a = decode_stream(&stream(&pair, Direction::AToB));
    // The binding SEND and one per 10 s.
    assert_eq!(from_a.len(), 4, "{from_a:#?}");
    assert!(from_a.iter().all(|w| w.body == 0 && !w.head.has_body()));
    assert_eq!(
        responses(&decode_stream(&stream(&pair, Direction::BToA))),
        [200; 4]
    );
    assert!(
        !pair
            .a
            .events()
            .any(|e| matches!(e, Event::SessionFailed { .. }))
    );
}

#[test]
fn content_is_pulled_within_the_write_queue_limit() {
    let clock = SimClock::new();
    let t0 = clock.now();
    let config = EndpointConfig::default().with_write_queue_limit(300_000);
    let mut a = Peer::new(t0, 18, config);
    let sa = a.session(alice_uri(1), bob_uri(1), SessionConfig::default());
    let sb = a.session(alice_uri(2), bob_uri(2), SessionConfig::default());
    a.ep.bind(t0, sa, a.conn).unwrap();
    a.ep.bind(t0, sb, a.conn).unwrap();
    a.send(sa, 1, 10_000_000);
    a.send(sb, 2, 10_000_000);
    // The driver writes nothing (the socket is full): pulled content stays bounded.
    assert!(a.ep.queued_content(a.conn) <= 300_000);
    let asked: usize = a.wanted.values().flatten().map(|(_, l)| l).sum();
    assert!(asked <= 300_000, "{asked}");
    // Writing some frees room and more is asked for, still within the limit.
    let mut written = 0;
    while written < 1_000_000 {
        let t = a.ep.poll_transmit().expect("data to write");
        written += t.data.len();
        a.pump();
        assert!(a.ep.queued_content(a.conn) <= 300_000);
    }
    let asked: usize = a.wanted.values().flatten().map(|(_, l)| l).sum();
    assert!(asked > 1_000_000 && asked <= written + 300_000, "{asked}");
    let _ = Bytes::new();
}
