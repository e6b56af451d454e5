//! Files through one relay and through two chained relays: bytes, path rewriting, new
//! transaction ids, hop-by-hop 200s, REPORT forwarding, fairness.

use std::collections::HashSet;
use std::time::Duration;

use msrp::endpoint::{Event as EpEvent, ReportOptions, SessionConfig};
use msrp::relay::engine::{Event as RelayEvent, RelayConfig};
use msrp::{FailureReport, Head, Method, Path, SuccessReport, TransactionId};

use crate::net::{Net, Node, content, decode_stream, path};

const ALICE: &str = "msrp://alice.example.com:7777/a1x9;tcp";
const BOB: &str = "msrp://bob.example.com:8888/b1y7;tcp";
const HOUR: Duration = Duration::from_secs(3600);

fn requests(stream: &[u8]) -> Vec<(msrp::Request, usize, Option<msrp::Flag>)> {
    decode_stream(stream)
        .into_iter()
        .filter_map(|w| match w.head {
            Head::Request(r) => Some((r, w.body, w.flag)),
            Head::Response(_) => None,
        })
        .collect()
}

fn responses(stream: &[u8]) -> Vec<msrp::Response> {
    decode_stream(stream)
        .into_iter()
        .filter_map(|w| match w.head {
            Head::Response(r) => Some(r),
            Head::Request(_) => None,
        })
        .collect()
}

#[test]
fn file_through_one_relay_with_paths_rewritten_and_new_transaction_ids() {
    let mut net = Net::new();
    let config = RelayConfig::new("relay.example.com", 2855).with_message_buffer(16 << 10);
    let r = net.add_relay(config, 1);
    let (alice, bob) = (net.add_client(2), net.add_client(3));
    let (a_conn, a_rc) = net.connect_client(alice, r, true);
    let (b_conn, b_rc) = net.connect_client(bob, r, true);
    let now = net.now;
    let ua = net.relays[r].grant(now, a_rc, HOUR).unwrap();
    let ub = net.relays[r].grant(now, b_rc, HOUR).unwrap();
    assert_eq!(ua.host_str(), "relay.example.com");
    assert_eq!(ua.port(), Some(2855));
    assert!(
        ua.session_id().is_some_and(|s| s.len() >= 11),
        "64 random bits at least"
    );
    let reports = ReportOptions::new(SuccessReport::Yes, FailureReport::Yes);
    let sa = net.clients[alice]
        .ep
        .add_session(
            path(ALICE),
            path(&format!("{ua} {ub} {BOB}")),
            SessionConfig::default().with_default_reports(reports),
        )
        .unwrap();
    let sb = net.session(bob, BOB, &format!("{ub} {ua} {ALICE}"));
    net.clients[alice].ep.bind(now, sa, a_conn).unwrap();
    let len = 300_000;
    let m = net.send(alice, sa, 7, len);
    net.run_until(Duration::from_secs(60), |n| {
        n.clients[alice]
            .events()
            .any(|e| matches!(e, EpEvent::Report { message_id, .. } if *message_id == m))
    });
    assert_eq!(net.clients[bob].received.get(&m).map(Vec::len), Some(len));
    assert_eq!(net.clients[bob].received[&m], content(7, len));
    assert!(net.clients[alice].sent(m));
    assert!(net.clients[bob].events().any(
        |e| matches!(e, EpEvent::SessionBound { session, connection } if *session == sb && *connection == b_conn)
    ));
    // Alice's success REPORT came back through the relay (§6.4.2).
    assert!(net.clients[alice].events().any(|e| matches!(
        e,
        EpEvent::Report { message_id, status, .. } if *message_id == m && status.code() == 200
    )));

    // On the wire towards Bob: the relay's URIs moved from To-Path to From-Path.
    let to_bob = requests(net.delivered_to(Node::Ep(bob), b_conn));
    let from_alice = requests(net.delivered_to(Node::Relay(r), a_rc));
    let alice_tids: HashSet<TransactionId> = from_alice
        .iter()
        .map(|(r, _, _)| r.transaction_id)
        .collect();
    let chunks: Vec<_> = to_bob
        .iter()
        .filter(|(r, body, _)| r.method == Method::Send && *body > 0)
        .collect();
    // Cut through as it came: one chunk, as nothing else waited for Bob's connection (an
    // open chunk is interrupted only for other traffic, see the protocol tests).
    assert_eq!(chunks.len(), 1, "{chunks:?}");
    let mut next = 1;
    for (req, body, flag) in &chunks {
        assert_eq!(req.to_path, path(BOB));
        assert_eq!(req.from_path, path(&format!("{ub} {ua} {ALICE}")));
        assert!(
            !alice_tids.contains(&req.transaction_id),
            "a new transaction id"
        );
        assert_eq!(req.headers.message_id(), Some(m));
        assert_eq!(req.headers.success_report(), SuccessReport::Yes);
        let range = req.headers.byte_range().expect("Byte-Range");
        assert_eq!(range.start(), next);
        assert_eq!(range.total(), Some(len as u64));
        next += *body as u64;
        let last = next == len as u64 + 1;
        assert_eq!(
            *flag,
            Some(if last {
                msrp::Flag::Complete
            } else {
                msrp::Flag::Continued
            })
        );
        if *body > 2048 {
            assert_eq!(range.end(), None, "an interruptible chunk");
        }
    }
    assert_eq!(next, len as u64 + 1);

    // Towards Alice: one hop-by-hop 200 per chunk she sent, from the relay; Bob's own 200s
    // to the relay are not forwarded.
    let alice_chunks = from_alice
        .iter()
        .filter(|(r, _, _)| r.method == Method::Send)
        .count();
    let answers = responses(net.delivered_to(Node::Ep(alice), a_conn));
    assert_eq!(answers.len(), alice_chunks);
    for a in &answers {
        assert_eq!(a.status.code(), 200);
        assert_eq!(a.from_path, Path::new(ua.clone()));
        assert_eq!(a.to_path, path(ALICE));
    }
    let bob_answers = responses(net.delivered_to(Node::Relay(r), b_rc));
    assert!(
        bob_answers
            .iter()
            .all(|a| a.to_path == Path::new(ub.clone()))
    );
    assert_eq!(net.relays[r].forward_count(), 0, "nothing left in flight");
    let stats = net.relays[r].stats();
    assert_eq!(stats.messages_forwarded, 1);
    assert_eq!(stats.messages_failed, 0);
    assert_eq!(stats.body_bytes, len as u64);
    // Alice's bodiless SEND and Bob's success REPORT.
    assert_eq!(stats.requests_forwarded, 2);
    assert!(stats.bytes_written > len as u64);
}

#[test]
fn files_both_ways_through_two_chained_relays() {
    let mut net = Net::new();
    let r1 = net.add_relay(RelayConfig::new("relay1.example.com", 2855), 1);
    let r2 = net.add_relay(RelayConfig::new("relay2.example.org", 9000), 2);
    let (alice, bob) = (net.add_client(3), net.add_client(4));
    let (a_conn, a_rc) = net.connect_client(alice, r1, true);
    let (b_conn, b_rc) = net.connect_client(bob, r2, true);
    let now = net.now;
    let u1 = net.relays[r1].grant(now, a_rc, HOUR).unwrap();
    let u2 = net.relays[r2].grant(now, b_rc, HOUR).unwrap();
    let sa = net.session(alice, ALICE, &format!("{u1} {u2} {BOB}"));
    let sb = net.session(bob, BOB, &format!("{u2} {u1} {ALICE}"));
    net.clients[alice].ep.bind(now, sa, a_conn).unwrap();
    let to_bob = net.send(alice, sa, 1, 200_000);
    // Alice's bodiless SEND binds Bob's session; his answer reuses relay 1's connection.
    net.settle();
    assert_eq!(net.clients[bob].ep.session_connection(sb), Some(b_conn));
    let to_alice = net.send(bob, sb, 2, 70_000);
    net.run_until(Duration::from_secs(60), |n| {
        n.clients[alice].sent(to_bob) && n.clients[bob].sent(to_alice)
    });
    assert_eq!(net.clients[bob].received[&to_bob], content(1, 200_000));
    assert_eq!(net.clients[alice].received[&to_alice], content(2, 70_000));
    // Relay 1 opened the connection to relay 2; relay 2 reuses it the other way.
    let connects = |r: usize| {
        net.relay_events[r]
            .iter()
            .filter(|(_, e)| matches!(e, RelayEvent::Connect { .. }))
            .count()
    };
    assert_eq!(connects(r1), 1);
    assert_eq!(connects(r2), 0);
    assert_eq!(net.links.len(), 3);
    let at_bob = requests(net.delivered_to(Node::Ep(bob), b_conn));
    let send = at_bob
        .iter()
        .find(|(r, body, _)| r.method == Method::Send && *body > 0)
        .expect("a chunk");
    assert_eq!(send.0.from_path, path(&format!("{u2} {u1} {ALICE}")));
    assert_eq!(send.0.to_path, path(BOB));
    let at_alice = requests(net.delivered_to(Node::Ep(alice), a_conn));
    let send = at_alice
        .iter()
        .find(|(r, body, _)| r.method == Method::Send && *body > 0)
        .expect("a chunk");
    assert_eq!(send.0.from_path, path(&format!("{u1} {u2} {BOB}")));
}

#[test]
fn messages_of_two_senders_share_the_outgoing_connection_in_turns() {
    let mut net = Net::new();
    let r = net.add_relay(RelayConfig::new("relay.example.com", 2855), 1);
    let (alice, dave, bob) = (net.add_client(2), net.add_client(3), net.add_client(4));
    let (a_conn, a_rc) = net.connect_client(alice, r, true);
    let (d_conn, d_rc) = net.connect_client(dave, r, true);
    let (b_conn, b_rc) = net.connect_client(bob, r, true);
    let now = net.now;
    let ua = net.relays[r].grant(now, a_rc, HOUR).unwrap();
    let ud = net.relays[r].grant(now, d_rc, HOUR).unwrap();
    let ub1 = net.relays[r].grant(now, b_rc, HOUR).unwrap();
    let ub2 = net.relays[r].grant(now, b_rc, HOUR).unwrap();
    const DAVE: &str = "msrp://dave.example.com:7000/d1z3;tcp";
    const BOB2: &str = "msrp://bob.example.com:8888/b2y8;tcp";
    let sa = net.session(alice, ALICE, &format!("{ua} {ub1} {BOB}"));
    let sd = net.session(dave, DAVE, &format!("{ud} {ub2} {BOB2}"));
    net.session(bob, BOB, &format!("{ub1} {ua} {ALICE}"));
    net.session(bob, BOB2, &format!("{ub2} {ud} {DAVE}"));
    net.clients[alice].ep.bind(now, sa, a_conn).unwrap();
    net.clients[dave].ep.bind(now, sd, d_conn).unwrap();
    // Bob reads nothing until both messages are queued at the relay.
    let bob_link = net.link_of(Node::Ep(bob), b_conn).unwrap();
    net.links[bob_link].stalled[0] = true;
    let ma = net.send(alice, sa, 5, 400_000);
    let md = net.send(dave, sd, 6, 400_000);
    net.settle();
    net.links[bob_link].stalled[0] = false;
    net.run_until(Duration::from_secs(60), |n| {
        n.clients[alice].sent(ma) && n.clients[dave].sent(md)
    });
    assert_eq!(net.clients[bob].received[&ma], content(5, 400_000));
    assert_eq!(net.clients[bob].received[&md], content(6, 400_000));
    // The chunks towards Bob alternate between the two messages before either ends.
    let order: Vec<msrp::MessageId> = requests(net.delivered_to(Node::Ep(bob), b_conn))
        .iter()
        .filter(|(r, body, _)| r.method == Method::Send && *body > 0)
        .filter_map(|(r, _, _)| r.headers.message_id())
        .collect();
    let first_end = order
        .iter()
        .rposition(|m| *m == ma)
        .min(order.iter().rposition(|m| *m == md))
        .unwrap();
    let switches = order[..first_end]
        .windows(2)
        .filter(|w| w[0] != w[1])
        .count();
    assert!(switches >= 4, "turns taken: {order:?}");
}
