//! AUTH (RFC 4976 §5.1, §6.3, §9.1): 401 challenge, 200 with Use-Path and Expires, 423
//! outside the lifetime bounds, 403 over plain TCP and for unknown users, repeated
//! failures, and client URIs that expire.

use std::time::{Duration, Instant};

use msrp::endpoint::ConnectionId;
use msrp::relay::digest::{self, Challenge, CredentialStore, DigestServer};
use msrp::relay::engine::{ConnectionError, Event, Relay, RelayConfig};
use msrp::{Head, Message, Response};

use crate::net::ids;

const ME: &str = "msrps://alice.example.com:9892/98cjs;tcp";
const RELAY: &str = "msrps://alice@relay.example.com;tcp";

struct Users;

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        (username == "alice").then(|| digest::ha1(username, realm, "secret"))
    }
}

fn relay(now: Instant) -> Relay {
    let server = DigestServer::new("relay.example.com", [9; 32], Duration::from_secs(300), now);
    Relay::new(RelayConfig::new("relay.example.com", 2855), ids(1))
        .with_authentication(server, Box::new(Users))
}

fn auth(tid: &str, authorization: Option<&str>, expires: Option<u32>) -> Vec<u8> {
    let mut s = format!("MSRP {tid} AUTH\r\nTo-Path: {RELAY}\r\nFrom-Path: {ME}\r\n");
    if let Some(a) = authorization {
        s.push_str(&format!("Authorization: {a}\r\n"));
    }
    if let Some(e) = expires {
        s.push_str(&format!("Expires: {e}\r\n"));
    }
    s.push_str(&format!("-------{tid}$\r\n"));
    s.into_bytes()
}

/// Feeds `input` and returns the one response it gets.
fn exchange(relay: &mut Relay, now: Instant, conn: ConnectionId, input: &[u8]) -> Response {
    relay.handle_input(now, conn, input).unwrap();
    let mut out = Vec::new();
    while let Some(t) = relay.poll_transmit_on(conn) {
        out.extend_from_slice(&t.data);
    }
    let (msg, used) = Message::decode(&out).unwrap().expect("a response");
    assert_eq!(used, out.len(), "exactly one response");
    match msg.head {
        Head::Response(r) => r,
        Head::Request(r) => panic!("expected a response, got {r:?}"),
    }
}

fn challenge(resp: &Response) -> Challenge {
    Challenge::parse(&resp.headers.get("WWW-Authenticate").expect("a challenge")).unwrap()
}

fn answer(c: &Challenge, password: &str, nc: u32) -> String {
    digest::respond(c, "alice", password, "AUTH", RELAY, "0a4f113b", nc).to_string()
}

fn closed(relay: &mut Relay) -> Vec<(ConnectionId, ConnectionError)> {
    let mut out = Vec::new();
    while let Some(e) = relay.poll_event() {
        if let Event::Close { connection, error } = e {
            out.push((connection, error));
        }
    }
    out
}

#[test]
fn challenge_then_use_path_and_expires() {
    let now = Instant::now();
    let mut relay = relay(now);
    let c = relay.open_connection(now, true).unwrap();
    let first = exchange(&mut relay, now, c, &auth("49fh", None, None));
    assert_eq!(first.status.code(), 401);
    assert_eq!(first.to_path.to_string(), ME);
    assert_eq!(first.from_path.to_string(), RELAY);
    let ch = challenge(&first);
    assert_eq!(ch.realm, "relay.example.com");
    let ok = exchange(
        &mut relay,
        now,
        c,
        &auth("49fi", Some(&answer(&ch, "secret", 1)), None),
    );
    assert_eq!(ok.status.code(), 200);
    let use_path = ok.headers.use_path().expect("Use-Path");
    assert_eq!(use_path.len(), 1);
    let uri = use_path.first().clone();
    assert_eq!(uri.host_str(), "relay.example.com");
    assert_eq!(uri.port(), Some(2855));
    assert!(uri.is_secure());
    assert!(uri.session_id().is_some_and(|s| s.len() >= 11));
    assert_eq!(ok.headers.expires(), Some(1800));
    let info = ok
        .headers
        .get("Authentication-Info")
        .expect("Authentication-Info");
    assert!(
        info.contains("rspauth=") && info.contains("nextnonce="),
        "{info}"
    );
    assert_eq!(relay.client_count(), 1);
    let mut authenticated = None;
    while let Some(e) = relay.poll_event() {
        if let Event::ClientAuthenticated {
            username,
            uri: u,
            expires,
            connection,
        } = e
        {
            authenticated = Some((username, u, expires, connection));
        }
    }
    assert_eq!(
        authenticated,
        Some(("alice".to_owned(), uri, Duration::from_secs(1800), c))
    );
}

#[test]
fn expires_outside_the_bounds_gets_423_and_the_uri_expires() {
    let now = Instant::now();
    let mut relay = relay(now);
    let c = relay.open_connection(now, true).unwrap();
    let ch = challenge(&exchange(&mut relay, now, c, &auth("t001", None, None)));
    let low = exchange(
        &mut relay,
        now,
        c,
        &auth("t002", Some(&answer(&ch, "secret", 1)), Some(10)),
    );
    assert_eq!(low.status.code(), 423);
    assert_eq!(low.headers.get("Min-Expires").as_deref(), Some("60"));
    let high = exchange(
        &mut relay,
        now,
        c,
        &auth("t003", Some(&answer(&ch, "secret", 2)), Some(1_000_000)),
    );
    assert_eq!(high.status.code(), 423);
    assert_eq!(high.headers.get("Max-Expires").as_deref(), Some("86400"));
    assert_eq!(relay.client_count(), 0);
    let ok = exchange(
        &mut relay,
        now,
        c,
        &auth("t004", Some(&answer(&ch, "secret", 3)), Some(60)),
    );
    assert_eq!(ok.status.code(), 200);
    assert_eq!(ok.headers.expires(), Some(60));
    let uri = ok.headers.use_path().unwrap().first().clone();
    // Valid until it expires: a SEND through it is forwarded (here: towards a new hop).
    let send = |tid: &str| {
        format!(
            "MSRP {tid} SEND\r\nTo-Path: {uri} msrp://bob.example.com:8888/b1;tcp\r\n\
             From-Path: {ME}\r\nMessage-ID: {tid}m\r\nByte-Range: 1-2/2\r\n\
             Content-Type: text/plain\r\n\r\nhi\r\n-------{tid}$\r\n"
        )
        .into_bytes()
    };
    let before = exchange(&mut relay, now, c, &send("s001"));
    assert_eq!(before.status.code(), 200);
    let later = now + Duration::from_secs(61);
    assert!(relay.poll_timeout().is_some_and(|t| t <= later));
    relay.handle_timeout(later);
    assert_eq!(relay.client_count(), 0);
    let after = exchange(&mut relay, later, c, &send("s002"));
    assert_eq!(after.status.code(), 481);
}

#[test]
fn auth_over_plain_tcp_or_for_unknown_users_is_forbidden() {
    let now = Instant::now();
    let mut relay = relay(now);
    let plain = relay.open_connection(now, false).unwrap();
    let resp = exchange(&mut relay, now, plain, &auth("p001", None, None));
    assert_eq!(resp.status.code(), 403);
    let tls = relay.open_connection(now, true).unwrap();
    let ch = challenge(&exchange(&mut relay, now, tls, &auth("u001", None, None)));
    let mallory = digest::respond(&ch, "mallory", "x", "AUTH", RELAY, "abcd1234", 1).to_string();
    let resp = exchange(&mut relay, now, tls, &auth("u002", Some(&mallory), None));
    assert_eq!(resp.status.code(), 403);
    assert_eq!(relay.client_count(), 0);
}

#[test]
fn repeated_wrong_passwords_close_the_connection() {
    let now = Instant::now();
    let mut relay = relay(now);
    let c = relay.open_connection(now, true).unwrap();
    let ch = challenge(&exchange(&mut relay, now, c, &auth("w001", None, None)));
    for (i, tid) in ["w002", "w003"].iter().enumerate() {
        let resp = exchange(
            &mut relay,
            now,
            c,
            &auth(tid, Some(&answer(&ch, "wrong", i as u32 + 1)), None),
        );
        assert_eq!(resp.status.code(), 401, "a new challenge");
        challenge(&resp);
        assert!(closed(&mut relay).is_empty());
    }
    relay
        .handle_input(now, c, &auth("w004", Some(&answer(&ch, "wrong", 3)), None))
        .unwrap();
    assert_eq!(
        closed(&mut relay),
        vec![(c, ConnectionError::TooManyFailures)]
    );
    assert!(!relay.readable(c));
    let stats = relay.stats();
    assert_eq!((stats.auth_accepted, stats.auth_refused), (0, 3));
    assert_eq!(stats.connections_dropped, 1);
}
