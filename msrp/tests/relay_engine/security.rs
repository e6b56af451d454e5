//! Connections the relay drops: garbage, requests not addressed to it, idle ones, ones
//! that keep failing (RFC 4976 §6.1, §6.2); other connections are not harmed.

use std::time::Duration;

use msrp::relay::engine::{ConnectionError, Event as RelayEvent, RelayConfig};
use msrp::{Head, Message};

use crate::net::{Net, Node, content};

const ALICE: &str = "msrp://alice.example.com:7777/a1x9;tcp";
const BOB: &str = "msrp://bob.example.com:8888/b1y7;tcp";
const HOUR: Duration = Duration::from_secs(3600);

fn closed(net: &Net, r: usize, conn: msrp::endpoint::ConnectionId) -> Option<ConnectionError> {
    net.relay_events[r].iter().find_map(|(_, e)| match e {
        RelayEvent::Close { connection, error } if *connection == conn => Some(*error),
        _ => None,
    })
}

fn send_to(to: &str, tid: &str) -> Vec<u8> {
    format!(
        "MSRP {tid} SEND\r\nTo-Path: {to}\r\nFrom-Path: msrp://mallory.example.com:6666/m1;tcp\r\n\
         Message-ID: {tid}m\r\nByte-Range: 1-5/5\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
         -------{tid}$\r\n"
    )
    .into_bytes()
}

#[test]
fn garbage_closes_only_the_connection_it_came_on() {
    let mut net = Net::new();
    let r = net.add_relay(RelayConfig::new("relay.example.com", 2855), 1);
    let (alice, bob) = (net.add_client(2), net.add_client(3));
    let (a_conn, a_rc) = net.connect_client(alice, r, true);
    let (_b_conn, b_rc) = net.connect_client(bob, r, true);
    let now = net.now;
    let ua = net.relays[r].grant(now, a_rc, HOUR).unwrap();
    let ub = net.relays[r].grant(now, b_rc, HOUR).unwrap();
    let sa = net.session(alice, ALICE, &format!("{ua} {ub} {BOB}"));
    net.session(bob, BOB, &format!("{ub} {ua} {ALICE}"));
    net.clients[alice].ep.bind(now, sa, a_conn).unwrap();
    let m = net.send(alice, sa, 2, 100_000);
    let mallory = net.relays[r].open_connection(now, false).unwrap();
    net.relays[r]
        .handle_input(now, mallory, b"GET / HTTP/1.1\r\nHost: relay\r\n\r\n")
        .unwrap();
    net.run_until(Duration::from_secs(20), |n| n.clients[alice].sent(m));
    assert!(matches!(
        closed(&net, r, mallory),
        Some(ConnectionError::Framing(_))
    ));
    assert_eq!(net.clients[bob].received[&m], content(2, 100_000));
    assert!(closed(&net, r, a_rc).is_none());
    assert!(closed(&net, r, b_rc).is_none());
}

#[test]
fn request_not_addressed_to_the_relay_drops_the_connection() {
    let mut net = Net::new();
    let r = net.add_relay(RelayConfig::new("relay.example.com", 2855), 1);
    let now = net.now;
    let mallory = net.relays[r].open_connection(now, true).unwrap();
    let other = net.relays[r].open_connection(now, true).unwrap();
    net.relays[r]
        .handle_input(
            now,
            mallory,
            &send_to("msrp://elsewhere.example.com:2855/x1;tcp", "t1aa"),
        )
        .unwrap();
    net.settle();
    assert_eq!(
        closed(&net, r, mallory),
        Some(ConnectionError::NotAddressedToRelay)
    );
    assert!(
        net.relays[r].poll_transmit_on(mallory).is_none(),
        "nothing answered"
    );
    assert!(
        !net.relay_events[r]
            .iter()
            .any(|(_, e)| matches!(e, RelayEvent::Connect { .. })),
        "nothing forwarded"
    );
    assert!(closed(&net, r, other).is_none());
    assert_eq!(net.relays[r].connection_count(), 1);
}

#[test]
fn unknown_client_uris_are_refused_and_repeated_failures_close() {
    let mut net = Net::new();
    let r = net.add_relay(RelayConfig::new("relay.example.com", 2855), 1);
    let now = net.now;
    let mallory = net.relays[r].open_connection(now, true).unwrap();
    let guess =
        "msrps://relay.example.com:2855/guessed0000;tcp msrp://bob.example.com:8888/b1y7;tcp";
    net.relays[r]
        .handle_input(now, mallory, &send_to(guess, "t1aa"))
        .unwrap();
    let mut answer = Vec::new();
    while let Some(t) = net.relays[r].poll_transmit_on(mallory) {
        answer.extend_from_slice(&t.data);
    }
    let (msg, _) = Message::decode(&answer).unwrap().unwrap();
    let Head::Response(resp) = msg.head else {
        panic!("a response")
    };
    assert_eq!(resp.status.code(), 481);
    assert!(closed(&net, r, mallory).is_none());
    net.relays[r]
        .handle_input(now, mallory, &send_to(guess, "t2bb"))
        .unwrap();
    net.relays[r]
        .handle_input(now, mallory, &send_to(guess, "t3cc"))
        .unwrap();
    net.settle();
    assert_eq!(
        closed(&net, r, mallory),
        Some(ConnectionError::TooManyFailures)
    );
}

#[test]
fn connection_with_no_request_for_30_s_is_closed() {
    let mut net = Net::new();
    let r = net.add_relay(RelayConfig::new("relay.example.com", 2855), 1);
    let now = net.now;
    let idle = net.relays[r].open_connection(now, true).unwrap();
    let granted = net.relays[r].open_connection(now, true).unwrap();
    net.relays[r].grant(now, granted, HOUR).unwrap();
    net.run_until(Duration::from_secs(29), |_| false);
    assert!(closed(&net, r, idle).is_none());
    net.run_until(Duration::from_secs(31), |n| closed(n, r, idle).is_some());
    assert_eq!(closed(&net, r, idle), Some(ConnectionError::Probation));
    let at = net.relay_events[r]
        .iter()
        .find(|(_, e)| matches!(e, RelayEvent::Close { .. }))
        .map(|(t, _)| *t - net.start)
        .unwrap();
    assert_eq!(at, Duration::from_secs(30));
    assert!(closed(&net, r, granted).is_none());
    assert!(net.relays[r].readable(granted));
    let _ = Node::Relay(r);
}

#[test]
fn at_the_connection_limit_the_least_recently_used_unused_connection_makes_room() {
    let mut net = Net::new();
    let r = net.add_relay(
        RelayConfig::new("relay.example.com", 2855).with_max_connections(3),
        1,
    );
    let t0 = net.now;
    let client = net.relays[r].open_connection(t0, true).unwrap();
    net.relays[r].grant(t0, client, HOUR).unwrap();
    let older = net.relays[r].open_connection(t0, true).unwrap();
    let t1 = t0 + Duration::from_secs(1);
    let newer = net.relays[r].open_connection(t1, true).unwrap();
    let t2 = t0 + Duration::from_secs(2);
    net.relays[r].handle_input(t2, older, b"MSRP").unwrap();
    // `older` moved bytes last, `newer` did not: `newer` goes.
    let t3 = t0 + Duration::from_secs(3);
    let fourth = net.relays[r].open_connection(t3, true).unwrap();
    net.settle();
    assert_eq!(closed(&net, r, newer), Some(ConnectionError::Unused));
    assert_eq!(net.relays[r].connection_count(), 3);
    // `older` holds a partial request, `client` a URI, `fourth` nothing: `fourth` goes next.
    net.relays[r].open_connection(t3, true).unwrap();
    net.settle();
    assert_eq!(closed(&net, r, fourth), Some(ConnectionError::Unused));
    assert!(closed(&net, r, client).is_none());
    assert!(closed(&net, r, older).is_none());
}

#[test]
fn unused_connections_close_after_the_idle_timeout() {
    let mut net = Net::new();
    let config = RelayConfig::new("relay.example.com", 2855)
        .with_probation(Duration::from_secs(7200))
        .with_idle_timeout(Some(Duration::from_secs(3600)));
    let r = net.add_relay(config, 1);
    let now = net.now;
    let unused = net.relays[r].open_connection(now, true).unwrap();
    let client = net.relays[r].open_connection(now, true).unwrap();
    net.relays[r]
        .grant(now, client, Duration::from_secs(86_400))
        .unwrap();
    net.run_until(Duration::from_secs(3599), |_| false);
    assert!(closed(&net, r, unused).is_none());
    net.run_until(Duration::from_secs(3601), |n| {
        closed(n, r, unused).is_some()
    });
    assert_eq!(closed(&net, r, unused), Some(ConnectionError::Unused));
    net.run_until(Duration::from_secs(20_000), |_| false);
    assert!(closed(&net, r, client).is_none(), "a client URI keeps it");
}
