//! Single rules on raw connections: AUTH tunnelled through a relay to a second one (the
//! RFC 4976 §5.1 example), unknown methods forwarded with their responses routed back,
//! Failure-Report `no`, aborts passed on, per-connection limits.

use std::time::{Duration, Instant};

use msrp::endpoint::ConnectionId;
use msrp::relay::digest::{self, Challenge, CredentialStore, DigestServer};
use msrp::relay::engine::{Event, Relay, RelayConfig};
use msrp::{Flag, Head, Method, Path, Request, Response};

use crate::net::{decode_stream, ids};

const HOUR: Duration = Duration::from_secs(3600);
const ALICE: &str = "msrps://alice.example.com:9892/98cjs;tcp";
const BOB: &str = "msrp://bob.example.com:8888/b1y7;tcp";

struct Users;

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        (username == "Alice").then(|| digest::ha1(username, realm, "pw"))
    }
}

fn with_auth(relay: Relay, realm: &str, now: Instant) -> Relay {
    let server = DigestServer::new(realm, [3; 32], Duration::from_secs(300), now);
    relay.with_authentication(server, Box::new(Users))
}

/// Everything `relay` has for `conn`, decoded.
fn drain(relay: &mut Relay, conn: ConnectionId) -> Vec<(Head, usize, Option<Flag>)> {
    let mut out = Vec::new();
    while let Some(t) = relay.poll_transmit_on(conn) {
        out.extend_from_slice(&t.data);
    }
    decode_stream(&out)
        .into_iter()
        .map(|w| (w.head, w.body, w.flag))
        .collect()
}

fn wire(relay: &mut Relay, conn: ConnectionId) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(t) = relay.poll_transmit_on(conn) {
        out.extend_from_slice(&t.data);
    }
    out
}

fn only_response(heads: Vec<(Head, usize, Option<Flag>)>) -> Response {
    assert_eq!(heads.len(), 1, "{heads:?}");
    match heads.into_iter().next() {
        Some((Head::Response(r), _, _)) => r,
        other => panic!("expected a response: {other:?}"),
    }
}

fn only_request(heads: Vec<(Head, usize, Option<Flag>)>) -> Request {
    assert_eq!(heads.len(), 1, "{heads:?}");
    match heads.into_iter().next() {
        Some((Head::Request(r), _, _)) => r,
        other => panic!("expected a request: {other:?}"),
    }
}

fn auth(tid: &str, to: &str, authorization: Option<&str>) -> Vec<u8> {
    let mut s = format!("MSRP {tid} AUTH\r\nTo-Path: {to}\r\nFrom-Path: {ALICE}\r\n");
    if let Some(a) = authorization {
        s.push_str(&format!("Authorization: {a}\r\n"));
    }
    s.push_str(&format!("-------{tid}$\r\n"));
    s.into_bytes()
}

#[test]
fn auth_tunnelled_through_the_inner_relay_to_the_outer_one() {
    let now = Instant::now();
    let intra = RelayConfig::new("intra.example.com", 9000);
    let extra = RelayConfig::new("extra.example.com", 2855);
    let mut r1 = with_auth(Relay::new(intra, ids(1)), "intra.example.com", now);
    let mut r2 = with_auth(Relay::new(extra, ids(2)), "extra.example.com", now);
    let a = r1.open_connection(now, true).unwrap();

    // AUTH with the inner relay (two rounds).
    let bare1 = "msrps://alice@intra.example.com;tcp";
    r1.handle_input(now, a, &auth("49fh", bare1, None)).unwrap();
    let ch = Challenge::parse(
        &only_response(drain(&mut r1, a))
            .headers
            .get("WWW-Authenticate")
            .unwrap(),
    )
    .unwrap();
    let answer = digest::respond(&ch, "Alice", "pw", "AUTH", bare1, "0a4f113b", 1).to_string();
    r1.handle_input(now, a, &auth("49fi", bare1, Some(&answer)))
        .unwrap();
    let ok = only_response(drain(&mut r1, a));
    assert_eq!(ok.status.code(), 200);
    let u1 = ok.headers.use_path().unwrap().first().clone();

    // AUTH with the outer relay, tunnelled: To-Path = inner Use-Path + outer relay.
    let bare2 = "msrps://extra.example.com;tcp";
    let to = format!("{u1} {bare2}");
    r1.handle_input(now, a, &auth("mnbvw", &to, None)).unwrap();
    let connect =
        std::iter::from_fn(|| r1.poll_event()).find(|e| matches!(e, Event::Connect { .. }));
    let Some(Event::Connect {
        connection: c12,
        uri,
        tls: true,
    }) = connect
    else {
        panic!("relay 1 connects to relay 2 over TLS");
    };
    assert_eq!(uri.to_string(), bare2);
    r1.connected(now, c12).unwrap();
    let c21 = r2.open_connection(now, true).unwrap();
    let forwarded = wire(&mut r1, c12);
    let fwd = only_request(
        decode_stream(&forwarded)
            .into_iter()
            .map(|w| (w.head, w.body, w.flag))
            .collect(),
    );
    assert_eq!(fwd.method, Method::Auth);
    assert_ne!(fwd.transaction_id.as_str(), "mnbvw");
    assert_eq!(fwd.to_path.to_string(), bare2);
    assert_eq!(
        fwd.from_path,
        format!("{u1} {ALICE}").parse::<Path>().unwrap()
    );
    r2.handle_input(now, c21, &forwarded).unwrap();
    let challenge_back = wire(&mut r2, c21);
    r1.handle_input(now, c12, &challenge_back).unwrap();
    let to_alice = only_response(drain(&mut r1, a));
    assert_eq!(to_alice.status.code(), 401);
    assert_eq!(
        to_alice.transaction_id.as_str(),
        "mnbvw",
        "the original transaction"
    );
    assert_eq!(to_alice.to_path.to_string(), ALICE);
    assert_eq!(
        to_alice.from_path,
        format!("{u1} {bare2}").parse::<Path>().unwrap()
    );
    let ch2 = Challenge::parse(&to_alice.headers.get("WWW-Authenticate").unwrap()).unwrap();
    assert_eq!(ch2.realm, "extra.example.com");

    let answer = digest::respond(&ch2, "Alice", "pw", "AUTH", bare2, "85a0dca8", 1).to_string();
    r1.handle_input(now, a, &auth("m3nbvx", &to, Some(&answer)))
        .unwrap();
    let forwarded = wire(&mut r1, c12);
    r2.handle_input(now, c21, &forwarded).unwrap();
    let ok_back = wire(&mut r2, c21);
    r1.handle_input(now, c12, &ok_back).unwrap();
    let ok = only_response(drain(&mut r1, a));
    assert_eq!(ok.status.code(), 200);
    assert_eq!(ok.transaction_id.as_str(), "m3nbvx");
    let use_path = ok.headers.use_path().unwrap();
    assert_eq!(use_path.len(), 2);
    assert_eq!(
        use_path.first(),
        &u1,
        "the inner relay first, as in To-Path"
    );
    assert_eq!(use_path.last().host_str(), "extra.example.com");
    assert!(ok.headers.get("Authentication-Info").is_some());
    assert_eq!(r2.client_count(), 1);
}

#[test]
fn unknown_methods_are_forwarded_and_their_responses_routed_back() {
    let now = Instant::now();
    let (mut relay, a, b, ua, ub) = two_clients(now);
    let req = format!(
        "MSRP ping1 PING\r\nTo-Path: {ua} {ub} {BOB}\r\nFrom-Path: {ALICE}\r\n\
         Content-Type: text/plain\r\n\r\nhello\r\n-------ping1$\r\n"
    );
    relay.handle_input(now, a, req.as_bytes()).unwrap();
    assert!(
        drain(&mut relay, a).is_empty(),
        "answered end to end, not by the relay"
    );
    let out = drain(&mut relay, b);
    assert_eq!(out.len(), 1);
    let (Head::Request(fwd), body, Some(Flag::Complete)) = &out[0] else {
        panic!("{out:?}");
    };
    assert_eq!(fwd.method.as_str(), "PING");
    assert_eq!(*body, 5);
    assert_eq!(fwd.to_path.to_string(), BOB);
    assert_eq!(
        fwd.from_path,
        format!("{ub} {ua} {ALICE}").parse::<Path>().unwrap()
    );
    let tid = fwd.transaction_id;
    let resp = format!(
        "MSRP {tid} 200 OK\r\nTo-Path: {ub} {ua} {ALICE}\r\nFrom-Path: {BOB}\r\n-------{tid}$\r\n"
    );
    relay.handle_input(now, b, resp.as_bytes()).unwrap();
    let back = only_response(drain(&mut relay, a));
    assert_eq!(back.transaction_id.as_str(), "ping1");
    assert_eq!(back.status.code(), 200);
    assert_eq!(back.to_path.to_string(), ALICE);
    assert_eq!(
        back.from_path,
        format!("{ua} {ub} {BOB}").parse::<Path>().unwrap()
    );
    // A second response to the same transaction goes nowhere.
    relay.handle_input(now, b, resp.as_bytes()).unwrap();
    assert!(drain(&mut relay, a).is_empty());

    // One that is never answered gets a 408 back after 30 s.
    let req = format!(
        "MSRP ping2 PING\r\nTo-Path: {ua} {ub} {BOB}\r\nFrom-Path: {ALICE}\r\n-------ping2$\r\n"
    );
    relay.handle_input(now, a, req.as_bytes()).unwrap();
    let _ = drain(&mut relay, b);
    relay.handle_timeout(now + Duration::from_secs(29));
    assert!(drain(&mut relay, a).is_empty());
    relay.handle_timeout(now + Duration::from_secs(30));
    let late = only_response(drain(&mut relay, a));
    assert_eq!(late.status.code(), 408);
    assert_eq!(late.transaction_id.as_str(), "ping2");
}

fn send(
    tid: &str,
    to: &str,
    mid: &str,
    range: &str,
    extra: &str,
    body: &[u8],
    flag: char,
) -> Vec<u8> {
    let mut s = format!(
        "MSRP {tid} SEND\r\nTo-Path: {to}\r\nFrom-Path: {ALICE}\r\nMessage-ID: {mid}\r\n\
         Byte-Range: {range}\r\n{extra}Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    s.extend_from_slice(body);
    s.extend_from_slice(format!("\r\n-------{tid}{flag}\r\n").as_bytes());
    s
}

/// A relay with two TLS client connections `a` and `b`, each granted a URI for an hour.
fn two_clients(
    now: Instant,
) -> (
    Relay,
    ConnectionId,
    ConnectionId,
    msrp::MsrpUri,
    msrp::MsrpUri,
) {
    let mut relay = Relay::new(RelayConfig::new("relay.example.com", 2855), ids(1));
    let a = relay.open_connection(now, true).unwrap();
    let b = relay.open_connection(now, true).unwrap();
    let ua = relay.grant(now, a, HOUR).unwrap();
    let ub = relay.grant(now, b, HOUR).unwrap();
    (relay, a, b, ua, ub)
}

#[test]
fn failure_report_no_gets_no_answer_and_aborts_pass_downstream() {
    let now = Instant::now();
    let (mut relay, a, b, ua, ub) = two_clients(now);
    let to = format!("{ua} {ub} {BOB}");
    let body = vec![b'x'; 3000];
    relay
        .handle_input(
            now,
            a,
            &send(
                "t1aa",
                &to,
                "msg0001",
                "1-3000/3000",
                "Failure-Report: no\r\nX-Note: kept\r\n",
                &body,
                '$',
            ),
        )
        .unwrap();
    assert!(
        drain(&mut relay, a).is_empty(),
        "Failure-Report: no is never answered"
    );
    let out = drain(&mut relay, b);
    let (Head::Request(fwd), 3000, Some(Flag::Complete)) = &out[0] else {
        panic!("{out:?}");
    };
    assert_eq!(fwd.headers.failure_report(), msrp::FailureReport::No);
    assert_eq!(fwd.headers.get("X-Note").as_deref(), Some("kept"));
    assert_eq!(relay.forward_count(), 0, "nothing awaited");

    // An aborted message: the relay's open stream towards b ends with `#`. Its chunk
    // stays open between the sender's chunks (nothing else waits for the connection), so
    // the `#` ends that same chunk.
    relay
        .handle_input(
            now,
            a,
            &send("t2bb", &to, "msg0002", "1-*/9000", "", &body, '+'),
        )
        .unwrap();
    let mut stream = wire(&mut relay, b);
    let open = decode_stream(&stream);
    assert!(
        matches!(open.as_slice(), [w] if w.body == 3000 && w.flag.is_none()),
        "the chunk stays open: {open:?}"
    );
    relay
        .handle_input(
            now,
            a,
            &send("t3cc", &to, "msg0002", "3001-3000/9000", "", b"", '#'),
        )
        .unwrap();
    stream.extend(wire(&mut relay, b));
    let out = decode_stream(&stream);
    let flags: Vec<Option<Flag>> = out.iter().map(|w| w.flag).collect();
    assert_eq!(flags, vec![Some(Flag::Aborted)], "{out:?}");
    let bodies: usize = out.iter().map(|w| w.body).sum();
    assert_eq!(bodies, 3000);
    let answers: Vec<u16> = drain(&mut relay, a)
        .into_iter()
        .filter_map(|(h, _, _)| match h {
            Head::Response(r) => Some(r.status.code()),
            Head::Request(_) => None,
        })
        .collect();
    assert_eq!(answers, vec![200, 200]);
    assert_eq!(relay.forward_count(), 0);
}

#[test]
fn messages_beyond_the_per_connection_limit_get_413() {
    let now = Instant::now();
    let config = RelayConfig::new("relay.example.com", 2855).with_max_messages_per_connection(1);
    let mut relay = Relay::new(config, ids(1));
    let a = relay.open_connection(now, true).unwrap();
    let b = relay.open_connection(now, true).unwrap();
    let ua = relay.grant(now, a, HOUR).unwrap();
    let ub = relay.grant(now, b, HOUR).unwrap();
    let to = format!("{ua} {ub} {BOB}");
    let body = vec![b'y'; 2500];
    relay
        .handle_input(
            now,
            a,
            &send("t1aa", &to, "msg0001", "1-*/10000", "", &body, '+'),
        )
        .unwrap();
    relay
        .handle_input(
            now,
            a,
            &send("t2bb", &to, "msg0002", "1-*/10000", "", &body, '+'),
        )
        .unwrap();
    let answers: Vec<u16> = drain(&mut relay, a)
        .into_iter()
        .filter_map(|(h, _, _)| match h {
            Head::Response(r) => Some(r.status.code()),
            Head::Request(_) => None,
        })
        .collect();
    assert_eq!(answers, vec![200, 413]);
    assert_eq!(relay.forward_count(), 1);
}

#[test]
fn bytes_beyond_the_declared_total_fail_the_message_without_pausing() {
    let now = Instant::now();
    let (mut relay, a, _b, ua, ub) = two_clients(now);
    let to = format!("{ua} {ub} {BOB}");
    relay
        .handle_input(
            now,
            a,
            &send("t1aa", &to, "msg0001", "1-*/10", "", &[b'z'; 20], '$'),
        )
        .unwrap();
    assert!(relay.readable(a), "not paused");
    let heads = drain(&mut relay, a);
    let statuses: Vec<u16> = heads
        .iter()
        .filter_map(|(h, _, _)| match h {
            Head::Response(r) => Some(r.status.code()),
            Head::Request(_) => None,
        })
        .collect();
    assert_eq!(statuses, vec![413]);
    let report = heads.iter().find_map(|(h, _, _)| match h {
        Head::Request(r) if r.method == Method::Report => Some(r),
        _ => None,
    });
    assert_eq!(
        report
            .and_then(|r| r.headers.status())
            .map(|s| s.code().code()),
        Some(400)
    );
    assert_eq!(relay.forward_count(), 0);
    let mut failed = false;
    while let Some(e) = relay.poll_event() {
        failed |= matches!(e, Event::MessageFailed { .. });
    }
    assert!(failed);
}

#[test]
fn huge_lifetimes_and_timeouts_do_not_overflow() {
    let now = Instant::now();
    let config = RelayConfig::new("relay.example.com", 2855)
        .with_probation(Duration::MAX)
        .with_stall_timeout(Duration::MAX)
        .with_response_timeout(Duration::MAX)
        .with_message_idle_timeout(Duration::MAX)
        .with_idle_timeout(Some(Duration::MAX));
    let mut relay = Relay::new(config, ids(1));
    let a = relay.open_connection(now, true).unwrap();
    let b = relay.open_connection(now, true).unwrap();
    let ua = relay.grant(now, a, Duration::MAX).unwrap();
    let ub = relay.grant(now, b, Duration::MAX).unwrap();
    let to = format!("{ua} {ub} {BOB}");
    relay
        .handle_input(
            now,
            a,
            &send("t1aa", &to, "msg0001", "1-*/9000", "", &[1; 3000], '+'),
        )
        .unwrap();
    let forwarded = drain(&mut relay, b);
    assert_eq!(forwarded.iter().map(|(_, n, _)| n).sum::<usize>(), 3000);
    assert!(
        relay
            .poll_timeout()
            .is_some_and(|t| t > now + Duration::from_secs(3600))
    );
    relay.handle_timeout(now + Duration::from_secs(86_400));
    assert_eq!(relay.client_count(), 2);
}

#[test]
fn a_message_waiting_for_its_next_hop_to_connect_is_not_failed_as_stalled() {
    let now = Instant::now();
    let config = RelayConfig::new("relay.example.com", 2855)
        .with_message_buffer(4096)
        .with_stall_timeout(Duration::from_secs(5));
    let mut relay = Relay::new(config, ids(1));
    let a = relay.open_connection(now, true).unwrap();
    let ua = relay.grant(now, a, HOUR).unwrap();
    let to = format!("{ua} {BOB}");
    relay
        .handle_input(
            now,
            a,
            &send("t1aa", &to, "msg0001", "1-*/20000", "", &[2; 20000], '$'),
        )
        .unwrap();
    let connect = std::iter::from_fn(|| relay.poll_event()).find_map(|e| match e {
        Event::Connect { connection, .. } => Some(connection),
        _ => None,
    });
    let out = connect.expect("a connection to Bob is opened");
    assert!(
        !relay.readable(a),
        "paused: the buffer is full while connecting"
    );
    relay.handle_timeout(now + Duration::from_secs(8));
    assert_eq!(relay.forward_count(), 1, "still waiting for the connection");
    relay.connected(now + Duration::from_secs(8), out).unwrap();
    let mut wire = Vec::new();
    while let Some(t) = relay.poll_transmit_on(out) {
        wire.extend_from_slice(&t.data);
    }
    let body: usize = decode_stream(&wire).iter().map(|w| w.body).sum();
    assert_eq!(body, 20000, "everything went out once connected");
    assert!(relay.readable(a));
}

#[test]
fn a_client_failing_auth_with_a_farther_relay_is_cut_off_by_the_first() {
    let now = Instant::now();
    let mut r1 = with_auth(
        Relay::new(RelayConfig::new("intra.example.com", 9000), ids(1)),
        "intra.example.com",
        now,
    );
    let mut r2 = with_auth(
        Relay::new(RelayConfig::new("extra.example.com", 2855), ids(2)),
        "extra.example.com",
        now,
    );
    let a = r1.open_connection(now, true).unwrap();
    let u1 = r1.grant(now, a, HOUR).unwrap();
    let bare2 = "msrps://extra.example.com;tcp";
    let to = format!("{u1} {bare2}");
    let mut link: Option<(ConnectionId, ConnectionId)> = None;
    // Moves everything between the relays; returns what relay 1 wrote to Alice.
    let mut pump = |r1: &mut Relay, r2: &mut Relay| -> Vec<(Head, usize, Option<Flag>)> {
        while let Some(e) = r1.poll_event() {
            if let Event::Connect { connection, .. } = e {
                r1.connected(now, connection).unwrap();
                link = Some((connection, r2.open_connection(now, true).unwrap()));
            }
        }
        if let Some((c12, c21)) = link {
            for _ in 0..4 {
                let w = wire(r1, c12);
                r2.handle_input(now, c21, &w).unwrap();
                let w = wire(r2, c21);
                r1.handle_input(now, c12, &w).unwrap();
            }
        }
        drain(r1, a)
    };
    r1.handle_input(now, a, &auth("x001", &to, None)).unwrap();
    let first = only_response(pump(&mut r1, &mut r2));
    let ch = Challenge::parse(&first.headers.get("WWW-Authenticate").unwrap()).unwrap();
    for (nc, tid) in [(1, "x002"), (2, "x003")] {
        let wrong = digest::respond(&ch, "Alice", "bad", "AUTH", bare2, "0a4f113b", nc).to_string();
        r1.handle_input(now, a, &auth(tid, &to, Some(&wrong)))
            .unwrap();
        let resp = only_response(pump(&mut r1, &mut r2));
        assert_eq!(resp.status.code(), 401);
        assert!(r1.readable(a), "still open after {tid}");
    }
    let wrong = digest::respond(&ch, "Alice", "bad", "AUTH", bare2, "0a4f113b", 3).to_string();
    r1.handle_input(now, a, &auth("x004", &to, Some(&wrong)))
        .unwrap();
    let _ = pump(&mut r1, &mut r2);
    assert!(!r1.readable(a), "relay 1 closed Alice's connection");
    let (c12, _) = link.unwrap();
    assert!(r1.readable(c12), "the connection between the relays stays");
    assert!(r2.client_count() == 0);
}

/// Two clients of a relay, and Alice's first 3000 of 9000 bytes of `msg0001` sent towards
/// b: forwarded at once, the chunk left open while the rest is awaited and nothing else
/// needs the connection. Returns what b's connection got so far.
fn open_chunk_towards_b(
    now: Instant,
) -> (
    Relay,
    ConnectionId,
    ConnectionId,
    msrp::MsrpUri,
    msrp::MsrpUri,
    Vec<u8>,
) {
    let (mut relay, a, b, ua, ub) = two_clients(now);
    let to_b = format!("{ua} {ub} {BOB}");
    let first = send(
        "t1aa",
        &to_b,
        "msg0001",
        "1-3000/9000",
        "",
        &[b'x'; 3000],
        '+',
    );
    relay.handle_input(now, a, &first).unwrap();
    let stream = wire(&mut relay, b);
    let open = decode_stream(&stream);
    assert!(
        matches!(open.as_slice(), [w] if w.body == 3000 && w.flag.is_none()),
        "{open:?}"
    );
    (relay, a, b, ua, ub, stream)
}

#[test]
fn an_open_chunk_is_interrupted_only_when_something_else_waits() {
    let now = Instant::now();
    let (mut relay, a, b, ua, ub, mut stream) = open_chunk_towards_b(now);
    let to_b = format!("{ua} {ub} {BOB}");

    // A SEND from b: the relay's 200 for it waits for b's connection, so Alice's chunk is
    // ended with `+` before it.
    let from_b = send(
        "t9zz",
        &format!("{ub} {ua} {ALICE}"),
        "msgb001",
        "1-4/4",
        "",
        b"ping",
        '$',
    );
    relay.handle_input(now, b, &from_b).unwrap();
    stream.extend(wire(&mut relay, b));

    // The rest of Alice's message goes in a new chunk that starts where the first stopped.
    let rest = send(
        "t2bb",
        &to_b,
        "msg0001",
        "3001-9000/9000",
        "",
        &[b'y'; 6000],
        '$',
    );
    relay.handle_input(now, a, &rest).unwrap();
    stream.extend(wire(&mut relay, b));

    let out = decode_stream(&stream);
    let [first, answer, second] = out.as_slice() else {
        panic!("{out:?}");
    };
    let (Head::Request(c1), Head::Response(r), Head::Request(c2)) =
        (&first.head, &answer.head, &second.head)
    else {
        panic!("{out:?}");
    };
    assert_eq!((first.body, first.flag), (3000, Some(Flag::Continued)));
    assert_eq!(r.transaction_id.as_str(), "t9zz");
    assert_eq!(r.status.code(), 200);
    assert_eq!((second.body, second.flag), (6000, Some(Flag::Complete)));
    assert_ne!(c1.transaction_id, c2.transaction_id);
    let (r1, r2) = (
        c1.headers.byte_range().unwrap(),
        c2.headers.byte_range().unwrap(),
    );
    assert_eq!((r1.start(), r1.total()), (1, Some(9000)));
    assert_eq!((r2.start(), r2.total()), (3001, Some(9000)));
}

#[test]
fn an_open_chunk_gives_way_to_another_message_ready_for_its_connection() {
    let now = Instant::now();
    let (mut relay, a, b, ua, ub, mut stream) = open_chunk_towards_b(now);
    let to_b = format!("{ua} {ub} {BOB}");
    // A whole second message for the same next hop: the open chunk ends with `+` first.
    let other = send(
        "t2bb",
        &to_b,
        "msg0002",
        "1-3000/3000",
        "",
        &[b'y'; 3000],
        '$',
    );
    relay.handle_input(now, a, &other).unwrap();
    stream.extend(wire(&mut relay, b));
    let out = decode_stream(&stream);
    let seen: Vec<(Option<msrp::MessageId>, usize, Option<Flag>)> = out
        .iter()
        .map(|w| match &w.head {
            Head::Request(r) => (r.headers.message_id(), w.body, w.flag),
            Head::Response(_) => (None, w.body, w.flag),
        })
        .collect();
    let id = |s: &str| Some(msrp::MessageId::parse(s).unwrap());
    assert_eq!(
        seen,
        vec![
            (id("msg0001"), 3000, Some(Flag::Continued)),
            (id("msg0002"), 3000, Some(Flag::Complete)),
        ]
    );
}

/// The Byte-Range, body length and flag of every chunk in `out`, which holds chunks only.
fn chunks(out: &[crate::net::Wire]) -> Vec<(msrp::ByteRange, usize, Option<Flag>)> {
    out.iter()
        .map(|w| match &w.head {
            Head::Request(r) => (r.headers.byte_range().unwrap(), w.body, w.flag),
            other => panic!("only chunks go to b: {other:?}"),
        })
        .collect()
}

#[test]
fn chunks_out_of_sequence_each_wait_for_the_open_chunk_then_go_on_from_their_own_start() {
    let now = Instant::now();
    // Bytes 1-3000 of 9000 went out in a chunk left open.
    let (mut relay, a, b, ua, ub, mut stream) = open_chunk_towards_b(now);
    let to_b = format!("{ua} {ub} {BOB}");
    // RFC 4975 lets chunks come in any order: the last third, then the middle one with `$`.
    let last = send(
        "t3cc",
        &to_b,
        "msg0001",
        "6001-9000/9000",
        "",
        &[b'z'; 3000],
        '+',
    );
    relay.handle_input(now, a, &last).unwrap();
    stream.extend(wire(&mut relay, b));
    let middle = send(
        "t2bb",
        &to_b,
        "msg0001",
        "3001-6000/9000",
        "",
        &[b'y'; 3000],
        '$',
    );
    relay.handle_input(now, a, &middle).unwrap();
    stream.extend(wire(&mut relay, b));

    let out = decode_stream(&stream);
    let chunks: Vec<(u64, usize, Option<Flag>)> = chunks(&out)
        .into_iter()
        .map(|(range, body, flag)| (range.start(), body, flag))
        .collect();
    assert_eq!(
        chunks,
        [
            (1, 3000, Some(Flag::Continued)),
            (6001, 3000, Some(Flag::Continued)),
            (3001, 3000, Some(Flag::Complete)),
        ]
    );
    // Every chunk Alice sent was answered 200; nothing failed.
    let answers: Vec<(String, u16)> = decode_stream(&wire(&mut relay, a))
        .into_iter()
        .map(|w| match w.head {
            Head::Response(r) => (r.transaction_id.as_str().to_owned(), r.status.code()),
            other => panic!("only responses go to a: {other:?}"),
        })
        .collect();
    assert_eq!(
        answers,
        [
            ("t1aa".to_owned(), 200),
            ("t3cc".to_owned(), 200),
            ("t2bb".to_owned(), 200)
        ]
    );
    while let Some(event) = relay.poll_event() {
        assert!(!matches!(event, Event::MessageFailed { .. }), "{event:?}");
    }
}

#[test]
fn a_chunk_starting_past_the_total_its_message_declared_fails_it() {
    let now = Instant::now();
    let (mut relay, a, _b, ua, ub, _stream) = open_chunk_towards_b(now);
    let to_b = format!("{ua} {ub} {BOB}");
    // Its own header is consistent, but the message's first chunk declared 9000 bytes.
    let past = send(
        "t4dd",
        &to_b,
        "msg0001",
        "9002-9010/20000",
        "",
        b"too far..",
        '+',
    );
    relay.handle_input(now, a, &past).unwrap();
    let mut failed = false;
    while let Some(event) = relay.poll_event() {
        failed |= matches!(event, Event::MessageFailed { .. });
    }
    assert!(failed);
}

#[test]
fn a_chunk_out_of_sequence_waits_for_bytes_still_queued_before_it() {
    let now = Instant::now();
    let (mut relay, a, b, ua, ub) = two_clients(now);
    let to_b = format!("{ua} {ub} {BOB}");
    // The second half first, then the first half, both before b's connection is written:
    // the first half waits until the second half's bytes are out and their chunk closed.
    let second = send(
        "t1aa",
        &to_b,
        "msg0002",
        "4001-8000/8000",
        "",
        &[b'q'; 4000],
        '+',
    );
    let first = send(
        "t2bb",
        &to_b,
        "msg0002",
        "1-4000/8000",
        "",
        &[b'p'; 4000],
        '$',
    );
    let mut input = second;
    input.extend_from_slice(&first);
    relay.handle_input(now, a, &input).unwrap();
    assert!(!relay.readable(a), "the first half waits");
    let out = decode_stream(&wire(&mut relay, b));
    let chunks: Vec<(u64, usize, Option<Flag>)> = chunks(&out)
        .into_iter()
        .map(|(range, body, flag)| (range.start(), body, flag))
        .collect();
    assert_eq!(
        chunks,
        [
            (4001, 4000, Some(Flag::Continued)),
            (1, 4000, Some(Flag::Complete)),
        ]
    );
    assert!(relay.readable(a));
}

#[test]
fn a_short_chunk_held_for_more_goes_out_alone_when_the_next_one_starts_elsewhere() {
    let now = Instant::now();
    let (mut relay, a, b, ua, ub) = two_clients(now);
    let to_b = format!("{ua} {ub} {BOB}");
    // 100 bytes are too few for an open chunk: the relay holds them for more...
    let head = send(
        "t1aa",
        &to_b,
        "msg0003",
        "1-100/6000",
        "",
        &[b'h'; 100],
        '+',
    );
    relay.handle_input(now, a, &head).unwrap();
    assert!(wire(&mut relay, b).is_empty());
    // ...until a chunk starting elsewhere shows no more are coming in sequence.
    let tail = send(
        "t2bb",
        &to_b,
        "msg0003",
        "3001-6000/6000",
        "",
        &[b't'; 3000],
        '$',
    );
    relay.handle_input(now, a, &tail).unwrap();
    let out = decode_stream(&wire(&mut relay, b));
    let chunks: Vec<(String, usize, Option<Flag>)> = chunks(&out)
        .into_iter()
        .map(|(range, body, flag)| (range.to_string(), body, flag))
        .collect();
    assert_eq!(
        chunks,
        [
            ("1-100/6000".to_owned(), 100, Some(Flag::Continued)),
            ("3001-*/6000".to_owned(), 3000, Some(Flag::Complete)),
        ]
    );
    assert!(relay.readable(a));
}
