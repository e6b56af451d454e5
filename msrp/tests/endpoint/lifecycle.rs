//! Sessions and connections ending, duplicates, relay answers.

use std::time::Duration;

use msrp::endpoint::{Event, MessageError, SessionConfig, SessionError};
use msrp::{EndpointConfig, Flag, Head, Message, StatusCode};
use testkit::{Direction, SimClock};

use crate::basic::pair;
use crate::harness::{Bandwidth, Peer, alice_uri, bob_uri, content, decode_stream};

#[test]
fn removing_a_session_mid_chunk_ends_it_with_hash_and_the_other_session_goes_on() {
    let (mut pair, sa, _) = pair(30, SessionConfig::default(), SessionConfig::default());
    let sa2 = pair
        .a
        .session(alice_uri(2), bob_uri(2), SessionConfig::default());
    pair.b
        .session(bob_uri(2), alice_uri(2), SessionConfig::default());
    let now = pair.now();
    pair.a.ep.bind(now, sa2, pair.a.conn).unwrap();
    pair.a.set_bandwidth(Bandwidth {
        bytes: 64 << 10,
        tick: Duration::from_millis(1),
    });
    pair.record(true);
    pair.drive();
    let gone = pair.a.send(sa, 1, 2 << 20);
    let kept = pair.a.send(sa2, 2, 2 << 20);
    pair.drive_for(Duration::from_millis(10));
    pair.a.ep.remove_session(pair.a.now, sa).unwrap();
    pair.drive();
    assert_eq!(pair.b.received[&kept], content(2, 2 << 20));
    assert!(pair.b.events().any(|e| matches!(
        e,
        Event::MessageFailed { message_id, error: MessageError::Aborted, .. } if *message_id == gone
    )));
    let from_a: Vec<u8> = pair
        .transcript()
        .iter()
        .filter(|e| e.direction == Direction::AToB)
        .flat_map(|e| e.data.to_vec())
        .collect();
    // The stream stays well framed and the removed message's last chunk is aborted.
    let wire = decode_stream(&from_a);
    let last_of_gone = wire
        .iter()
        .rfind(|w| matches!(&w.head, Head::Request(r) if r.headers.message_id() == Some(gone)))
        .unwrap();
    assert_eq!(last_of_gone.flag, Some(Flag::Aborted));
    assert!(
        !pair
            .b
            .events()
            .any(|e| matches!(e, Event::ConnectionFailed { .. }))
    );
}

#[test]
fn closing_the_connection_fails_its_sessions_and_their_messages() {
    let (mut pair, sa, _) = pair(31, SessionConfig::default(), SessionConfig::default());
    pair.drive();
    pair.a.hold_content = true;
    let id = pair.a.send(sa, 1, 100_000);
    let now = pair.a.now;
    pair.a.ep.close_connection(now, pair.a.conn).unwrap();
    pair.a.pump();
    assert!(pair.a.events().any(|e| matches!(
        e,
        Event::MessageFailed { message_id, outgoing: true, error: MessageError::SessionEnded, .. }
            if *message_id == id
    )));
    assert!(pair.a.events().any(|e| matches!(
        e,
        Event::SessionFailed { session, error: SessionError::ConnectionEnded } if *session == sa
    )));
    assert_eq!(
        pair.a.ep.handle_input(now, pair.a.conn, b"x"),
        Err(msrp::endpoint::UserError::UnknownConnection)
    );
}

#[test]
fn a_506_to_the_binding_send_fails_the_session() {
    let clock = SimClock::new();
    let t0 = clock.now();
    let mut a = Peer::new(t0, 32, EndpointConfig::default());
    let mut b = Peer::new(t0, 33, EndpointConfig::default());
    let sa = a.session(alice_uri(1), bob_uri(1), SessionConfig::default());
    let sb = b.session(bob_uri(1), alice_uri(1), SessionConfig::default());
    // Bob's session is already bound to another connection.
    let other = b.ep.open_connection(t0).unwrap();
    let mut intruder = msrp::Endpoint::new(EndpointConfig::default(), crate::harness::ids(34));
    let si = intruder
        .add_session(alice_uri(9), bob_uri(1), SessionConfig::default())
        .unwrap();
    let ci = intruder.open_connection(t0).unwrap();
    intruder.bind(t0, si, ci).unwrap();
    while let Some(t) = intruder.poll_transmit() {
        b.ep.handle_input(t0, other, &t.data).unwrap();
    }
    assert_eq!(b.ep.session_connection(sb), Some(other));
    // Alice's binding SEND on her own connection gets 506.
    a.ep.bind(t0, sa, a.conn).unwrap();
    while let Some(t) = a.ep.poll_transmit() {
        b.ep.handle_input(t0, b.conn, &t.data).unwrap();
    }
    while let Some(t) = b.ep.poll_transmit() {
        if t.connection == b.conn {
            a.ep.handle_input(t0, a.conn, &t.data).unwrap();
        }
    }
    a.pump();
    assert!(a.events().any(|e| matches!(
        e,
        Event::SessionFailed { error: SessionError::Rejected(s), .. } if *s == StatusCode::SessionInUse
    )));
}

#[test]
fn a_duplicate_of_a_completed_message_is_answered_but_not_delivered_again() {
    let t0 = SimClock::new().now();
    let mut b = Peer::new(t0, 35, EndpointConfig::default());
    let sb = b.session(bob_uri(1), alice_uri(1), SessionConfig::default());
    let wire = format!(
        "MSRP dup1 SEND\r\nTo-Path: {}\r\nFrom-Path: {}\r\nMessage-ID: dupmsg1\r\n\
         Byte-Range: 1-5/5\r\nContent-Type: text/plain\r\n\r\nhello\r\n-------dup1$\r\n",
        bob_uri(1),
        alice_uri(1)
    );
    let mut answers = Vec::new();
    for _ in 0..2 {
        b.ep.handle_input(t0, b.conn, wire.as_bytes()).unwrap();
        while let Some(t) = b.ep.poll_transmit() {
            answers.extend(decode_stream(&t.data));
        }
        b.pump();
    }
    assert_eq!(answers.len(), 2, "both copies answered");
    let started = b
        .events()
        .filter(|e| matches!(e, Event::MessageStarted { session, .. } if *session == sb))
        .count();
    let received = b
        .events()
        .filter(|e| matches!(e, Event::MessageReceived { .. }))
        .count();
    assert_eq!((started, received), (1, 1));
}

#[test]
fn a_408_response_counts_as_a_local_timeout() {
    let t0 = SimClock::new().now();
    let mut a = Peer::new(t0, 36, EndpointConfig::default());
    let sa = a.session(alice_uri(1), bob_uri(1), SessionConfig::default());
    a.ep.bind(t0, sa, a.conn).unwrap();
    let id = a.send(sa, 1, 3000);
    let mut out = Vec::new();
    while let Some(t) = a.ep.poll_transmit() {
        out.extend_from_slice(&t.data);
        a.pump();
    }
    for w in decode_stream(&out) {
        let Head::Request(r) = &w.head else { continue };
        let status = if r.content_type.is_some() {
            StatusCode::RequestTimeout
        } else {
            StatusCode::Ok
        };
        let resp = Message {
            head: Head::Response(r.response(status, r.to_path.clone())),
            body: None,
            flag: Flag::Complete,
        };
        a.ep.handle_input(t0, a.conn, &resp.to_bytes().unwrap())
            .unwrap();
    }
    a.pump();
    assert!(a.events().any(|e| matches!(
        e,
        Event::MessageFailed { message_id, error: MessageError::Timeout, .. } if *message_id == id
    )));
    assert!(!a.events().any(|e| matches!(e, Event::SessionFailed { .. })));
}

#[test]
fn a_peer_that_does_not_read_our_answers_is_cut_off() {
    let t0 = SimClock::new().now();
    let config = EndpointConfig::default().with_control_queue_limit(4096);
    let mut b = Peer::new(t0, 37, config);
    let sb = b.session(bob_uri(1), alice_uri(1), SessionConfig::default());
    // Bodiless SENDs keep coming; nobody drains poll_transmit.
    for i in 0..200 {
        let wire = format!(
            "MSRP flood{i:03} SEND\r\nTo-Path: {}\r\nFrom-Path: {}\r\nMessage-ID: fl{i:04}\r\n-------flood{i:03}$\r\n",
            bob_uri(1),
            alice_uri(1)
        );
        b.ep.handle_input(t0, b.conn, wire.as_bytes()).unwrap();
    }
    b.pump();
    assert!(b.events().any(|e| matches!(
        e,
        Event::ConnectionFailed { error: msrp::endpoint::ConnectionError::NotReading, connection } if *connection == b.conn
    )));
    assert!(b.events().any(|e| matches!(
        e,
        Event::SessionFailed { session, error: SessionError::ConnectionEnded } if *session == sb
    )));
    assert!(b.ep.poll_transmit().is_none(), "nothing more is written");
}

#[test]
fn a_connection_left_unbound_fails_after_the_bind_timeout() {
    let t0 = SimClock::new().now();
    let mut b = Peer::new(t0, 38, EndpointConfig::default());
    b.session(bob_uri(1), alice_uri(1), SessionConfig::default());
    // Peer::new opened a connection at t0; another is bound in time.
    let bound = b.ep.open_connection(t0).unwrap();
    let wire = format!(
        "MSRP bind1 SEND\r\nTo-Path: {}\r\nFrom-Path: {}\r\nMessage-ID: bm01\r\n-------bind1$\r\n",
        bob_uri(1),
        alice_uri(1)
    );
    b.ep.handle_input(t0 + Duration::from_secs(5), bound, wire.as_bytes())
        .unwrap();
    assert_eq!(b.ep.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    b.ep.handle_timeout(t0 + Duration::from_secs(30));
    b.pump();
    let failed: Vec<_> = b
        .events()
        .filter_map(|e| match e {
            Event::ConnectionFailed { connection, error } => Some((*connection, *error)),
            _ => None,
        })
        .collect();
    assert_eq!(failed, [(b.conn, msrp::endpoint::ConnectionError::Unbound)]);
    assert_eq!(failed[0].1.status(), StatusCode::RequestTimeout);
}

#[test]
fn a_200_before_the_chunk_ends_is_not_awaited_again() {
    let t0 = SimClock::new().now();
    let mut a = Peer::new(t0, 39, EndpointConfig::default());
    let sa = a.session(alice_uri(1), bob_uri(1), SessionConfig::default());
    a.ep.bind(t0, sa, a.conn).unwrap();
    let answer = |a: &mut Peer, req: &msrp::Request| {
        let ok = Message {
            head: Head::Response(req.response(StatusCode::Ok, req.to_path.clone())),
            body: None,
            flag: Flag::Complete,
        };
        a.ep.handle_input(t0, a.conn, &ok.to_bytes().unwrap())
            .unwrap();
    };
    // The binding SEND, answered.
    let bind = a.ep.poll_transmit().unwrap();
    let Head::Request(req) = &decode_stream(&bind.data)[0].head else {
        panic!("a request")
    };
    answer(&mut a, req);
    let id = a.send(sa, 1, 100_000);
    // The chunk's head and first slice go out; the peer answers at once.
    let head = a.ep.poll_transmit().unwrap();
    let mut decoder = msrp::Decoder::default();
    let mut buf = bytes::BytesMut::from(&head.data[..]);
    let Some(msrp::Frame::Head(Head::Request(req))) = decoder.decode(&mut buf).unwrap() else {
        panic!("a chunk head")
    };
    answer(&mut a, &req);
    while a.ep.poll_transmit().is_some() {
        a.pump();
    }
    a.pump();
    assert!(
        a.events()
            .any(|e| matches!(e, Event::MessageSent { message_id, .. } if *message_id == id))
    );
    a.ep.handle_timeout(t0 + Duration::from_secs(31));
    a.pump();
    assert!(!a.events().any(|e| matches!(e, Event::MessageFailed { .. })));
}
