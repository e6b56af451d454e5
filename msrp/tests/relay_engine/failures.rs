//! What the sender hears when forwarding fails: a next hop that never answers (REPORT 408
//! after 30 s), a next hop whose connection drops mid-message, a receiver that stops
//! reading (only its own message fails).

use std::time::Duration;

use msrp::endpoint::{Event as EpEvent, MessageError};
use msrp::relay::engine::{Event as RelayEvent, ForwardFailure, RelayConfig};
use msrp::{Head, Method};

use crate::net::{Net, Node, content, decode_stream};

const ALICE: &str = "msrp://alice.example.com:7777/a1x9;tcp";
const BOB: &str = "msrp://bob.example.com:8888/b1y7;tcp";
const CAROL: &str = "msrp://carol.example.com:9999/c1w5;tcp";
const HOUR: Duration = Duration::from_secs(3600);

/// The REPORTs delivered on a byte stream: (status code, Byte-Range end).
fn reports(stream: &[u8]) -> Vec<(u16, Option<u64>, msrp::Request)> {
    decode_stream(stream)
        .into_iter()
        .filter_map(|w| match w.head {
            Head::Request(r) if r.method == Method::Report => {
                let status = r.headers.status()?.code().code();
                let end = r.headers.byte_range().and_then(|b| b.end());
                Some((status, end, r))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn next_hop_that_never_answers_gets_the_sender_a_408_report_after_30_s() {
    let mut net = Net::new();
    let r = net.add_relay(RelayConfig::new("relay.example.com", 2855), 1);
    let alice = net.add_client(2);
    let sink = net.add_sink("sink.example.com:4444");
    let (a_conn, a_rc) = net.connect_client(alice, r, true);
    let now = net.now;
    let ua = net.relays[r].grant(now, a_rc, HOUR).unwrap();
    let s = net.session(
        alice,
        ALICE,
        &format!("{ua} msrp://sink.example.com:4444/s1;tcp"),
    );
    net.clients[alice].ep.bind(now, s, a_conn).unwrap();
    let m = net.send(alice, s, 3, 10_000);
    net.settle();
    // Hop by hop, the relay answered every chunk already.
    assert!(net.clients[alice].sent(m));
    let sent_at = net.now;
    assert!(
        !net.sinks[sink].is_empty(),
        "the chunks went to the next hop"
    );
    net.run_until(Duration::from_secs(120), |n| {
        !reports(n.delivered_to(Node::Ep(alice), a_conn)).is_empty()
    });
    let waited = net.now - sent_at;
    assert!(waited >= Duration::from_secs(30), "{waited:?}");
    assert!(waited < Duration::from_secs(31), "{waited:?}");
    let got = reports(net.delivered_to(Node::Ep(alice), a_conn));
    let (status, end, report) = &got[0];
    assert_eq!(*status, 408);
    assert_eq!(*end, Some(10_000));
    assert_eq!(report.to_path.to_string(), ALICE);
    assert_eq!(report.from_path.to_string(), ua.to_string());
    assert_eq!(report.headers.message_id(), Some(m));
    assert!(net.clients[alice].events().any(|e| matches!(
        e,
        EpEvent::Report { message_id, status, .. } if *message_id == m && status.code() == 408
    )));
    assert!(net.relay_events[r].iter().any(|(_, e)| matches!(
        e,
        RelayEvent::MessageFailed {
            failure: ForwardFailure::Timeout,
            ..
        }
    )));
    assert_eq!(net.relays[r].forward_count(), 0);
}

#[test]
fn next_hop_connection_dropping_mid_message_fails_it_with_a_report() {
    let mut net = Net::new();
    let r = net.add_relay(RelayConfig::new("relay.example.com", 2855), 1);
    let (alice, bob) = (net.add_client(2), net.add_client(3));
    let (a_conn, a_rc) = net.connect_client(alice, r, true);
    let (b_conn, b_rc) = net.connect_client(bob, r, true);
    let now = net.now;
    let ua = net.relays[r].grant(now, a_rc, HOUR).unwrap();
    let ub = net.relays[r].grant(now, b_rc, HOUR).unwrap();
    let sa = net.session(alice, ALICE, &format!("{ua} {ub} {BOB}"));
    net.session(bob, BOB, &format!("{ub} {ua} {ALICE}"));
    net.clients[alice].ep.bind(now, sa, a_conn).unwrap();
    let bob_link = net.link_of(Node::Ep(bob), b_conn).unwrap();
    net.links[bob_link].stalled[0] = true;
    let m = net.send(alice, sa, 4, 2_000_000);
    net.settle();
    assert!(!net.clients[alice].sent(m));
    net.cut(bob_link);
    net.run_until(Duration::from_secs(10), |n| {
        n.clients[alice].failed(m).is_some()
    });
    assert!(net.clients[alice].failed(m).is_some());
    let got = reports(net.delivered_to(Node::Ep(alice), a_conn));
    assert!(
        got.iter()
            .any(|(status, _, r)| *status == 408 && r.headers.message_id() == Some(m))
    );
    assert!(net.relay_events[r].iter().any(|(_, e)| matches!(
        e,
        RelayEvent::MessageFailed {
            failure: ForwardFailure::NextHopLost,
            ..
        }
    )));
    assert_eq!(
        net.relays[r].client_count(),
        1,
        "Bob's URI went with his connection"
    );
    assert_eq!(net.relays[r].forward_count(), 0);
}

#[test]
fn stalled_receiver_fails_only_its_own_message() {
    let mut net = Net::new();
    let config = RelayConfig::new("relay.example.com", 2855)
        .with_message_buffer(32 << 10)
        .with_stall_timeout(Duration::from_secs(5));
    let r = net.add_relay(config, 1);
    let (alice, bob, carol) = (net.add_client(2), net.add_client(3), net.add_client(4));
    let (a_conn, a_rc) = net.connect_client(alice, r, true);
    let (b_conn, b_rc) = net.connect_client(bob, r, true);
    let (c_conn, c_rc) = net.connect_client(carol, r, true);
    let now = net.now;
    let ua1 = net.relays[r].grant(now, a_rc, HOUR).unwrap();
    let ua2 = net.relays[r].grant(now, a_rc, HOUR).unwrap();
    let ub = net.relays[r].grant(now, b_rc, HOUR).unwrap();
    let uc = net.relays[r].grant(now, c_rc, HOUR).unwrap();
    const ALICE2: &str = "msrp://alice.example.com:7777/a2x8;tcp";
    let to_bob = net.session(alice, ALICE, &format!("{ua1} {ub} {BOB}"));
    let to_carol = net.session(alice, ALICE2, &format!("{ua2} {uc} {CAROL}"));
    net.session(bob, BOB, &format!("{ub} {ua1} {ALICE}"));
    net.session(carol, CAROL, &format!("{uc} {ua2} {ALICE2}"));
    net.clients[alice].ep.bind(now, to_bob, a_conn).unwrap();
    net.clients[alice].ep.bind(now, to_carol, a_conn).unwrap();
    net.settle();
    // Carol stops reading.
    let carol_link = net.link_of(Node::Ep(carol), c_conn).unwrap();
    net.links[carol_link].stalled[0] = true;
    let mb = net.send(alice, to_bob, 8, 600_000);
    let mc = net.send(alice, to_carol, 9, 600_000);
    net.run_until(Duration::from_secs(60), |n| {
        n.clients[alice].sent(mb) && n.clients[alice].failed(mc).is_some()
    });
    assert_eq!(net.clients[bob].received[&mb], content(8, 600_000));
    assert!(net.clients[alice].sent(mb));
    assert!(matches!(
        net.clients[alice].failed(mc),
        Some(EpEvent::MessageFailed { error: MessageError::Response(s), .. }) if s.code() == 413
    ));
    assert!(net.elapsed() >= Duration::from_secs(5));
    assert!(
        net.elapsed() < Duration::from_secs(10),
        "{:?}",
        net.elapsed()
    );
    let got = reports(net.delivered_to(Node::Ep(alice), a_conn));
    assert!(
        got.iter()
            .any(|(status, _, r)| *status == 408 && r.headers.message_id() == Some(mc))
    );
    assert!(net.relay_events[r].iter().any(|(_, e)| matches!(
        e,
        RelayEvent::MessageFailed { failure: ForwardFailure::Stalled, message_id, .. } if *message_id == mc
    )));
    let stats = net.relays[r].stats();
    assert_eq!((stats.messages_forwarded, stats.messages_failed), (1, 1));
    // Only what the stalled message holds stays queued for Carol: bounded by its buffer.
    assert!(net.relays[r].queued(c_rc) <= (32 << 10) + 1024);
    let _ = b_conn;
}

#[test]
fn error_response_from_the_next_hop_becomes_a_report_with_its_status() {
    let mut net = Net::new();
    let r = net.add_relay(RelayConfig::new("relay.example.com", 2855), 1);
    let (alice, bob) = (net.add_client(2), net.add_client(3));
    let (a_conn, a_rc) = net.connect_client(alice, r, true);
    let (_b_conn, b_rc) = net.connect_client(bob, r, true);
    let now = net.now;
    let ua = net.relays[r].grant(now, a_rc, HOUR).unwrap();
    let ub = net.relays[r].grant(now, b_rc, HOUR).unwrap();
    let sa = net.session(alice, ALICE, &format!("{ua} {ub} {BOB}"));
    // Bob takes text only: Alice's octet stream gets 415 from him.
    net.clients[bob]
        .ep
        .add_session(
            crate::net::path(BOB),
            crate::net::path(&format!("{ub} {ua} {ALICE}")),
            msrp::endpoint::SessionConfig::default().with_accept_types(["text/plain"]),
        )
        .unwrap();
    net.clients[alice].ep.bind(now, sa, a_conn).unwrap();
    let m = net.send(alice, sa, 5, 50_000);
    net.run_until(Duration::from_secs(10), |n| {
        n.clients[alice].failed(m).is_some()
    });
    let got = reports(net.delivered_to(Node::Ep(alice), a_conn));
    assert!(
        got.iter()
            .any(|(status, _, r)| *status == 415 && r.headers.message_id() == Some(m)),
        "{got:?}"
    );
    // Alice's endpoint had every chunk answered by the relay already: it hears the failure
    // through the REPORT.
    assert!(net.clients[alice].events().any(|e| matches!(
        e,
        EpEvent::Report { message_id, status, .. } if *message_id == m && status.code() == 415
    )));
    assert!(net.relay_events[r].iter().any(|(_, e)| matches!(
        e,
        RelayEvent::MessageFailed { failure: ForwardFailure::Response(s), .. } if s.code() == 415
    )));
    assert!(
        net.clients[bob]
            .received
            .get(&m)
            .is_none_or(|b| b.is_empty())
    );
}

/// The sender's connection closing after its whole message was taken (every chunk answered
/// hop by hop) does not lose the message: the relay still delivers what it holds. Only a
/// message still arriving from the closed connection is aborted downstream.
#[test]
fn a_message_taken_whole_is_delivered_after_its_sender_leaves() {
    let mut net = Net::new();
    let config = RelayConfig::new("relay.example.com", 2855).with_message_buffer(64 << 10);
    let r = net.add_relay(config, 1);
    let (alice, bob) = (net.add_client(2), net.add_client(3));
    let (a_conn, a_rc) = net.connect_client(alice, r, true);
    let (b_conn, b_rc) = net.connect_client(bob, r, true);
    let now = net.now;
    let ua = net.relays[r].grant(now, a_rc, HOUR).unwrap();
    let ub = net.relays[r].grant(now, b_rc, HOUR).unwrap();
    let sa = net.session(alice, ALICE, &format!("{ua} {ub} {BOB}"));
    net.session(bob, BOB, &format!("{ub} {ua} {ALICE}"));
    net.clients[alice].ep.bind(now, sa, a_conn).unwrap();
    net.settle();
    // Bob does not read for now: the relay keeps the message in its buffer.
    let bob_link = net.link_of(Node::Ep(bob), b_conn).unwrap();
    net.links[bob_link].stalled[0] = true;
    let m = net.send(alice, sa, 5, 50_000);
    net.run_until(Duration::from_secs(2), |n| n.clients[alice].sent(m));
    assert!(
        net.clients[alice].sent(m),
        "every chunk answered by the relay"
    );
    assert!(!net.clients[bob].received.contains_key(&m));
    // Alice leaves; then Bob reads again.
    let alice_link = net.link_of(Node::Ep(alice), a_conn).unwrap();
    net.cut(alice_link);
    net.links[bob_link].stalled[0] = false;
    net.run_until(Duration::from_secs(10), |n| {
        n.clients[bob].received.contains_key(&m)
    });
    assert!(
        net.clients[bob].received.get(&m) == Some(&content(5, 50_000).to_vec()),
        "Bob did not get the whole message"
    );
    assert!(
        !net.relay_events[r]
            .iter()
            .any(|(_, e)| matches!(e, RelayEvent::MessageFailed { .. }))
    );
    assert_eq!(net.relays[r].forward_count(), 0, "done once Bob answered");
}
