//! The crate's AUTH client (`relay::client::AuthClient`) against two chained relay engines:
//! it authenticates to the first, then through it to the second (RFC 4976 §5.1), and the
//! paths it derives carry messages both ways, to and from a peer without relays that
//! connects to the second relay directly (§9.2).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use msrp::endpoint::ConnectionId;
use msrp::relay::client::{AuthClient, ClientConfig, Relay as ChainRelay};
use msrp::relay::digest::{self, CredentialStore, DigestServer};
use msrp::relay::engine::{Event, Relay, RelayConfig};
use msrp::{Decoder, Flag, Frame, Head, Path, Request};

use crate::net::ids;

struct Users;

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        (username == "alice").then(|| digest::ha1(username, realm, "secret"))
    }
}

fn relay(host: &str, seed: u64, now: Instant) -> Relay {
    let server = DigestServer::new(host, [seed as u8; 32], Duration::from_secs(300), now);
    Relay::new(RelayConfig::new(host, 2855), ids(seed)).with_authentication(server, Box::new(Users))
}

/// Two relays and the connections between them and their clients, moved by hand.
struct Pair {
    now: Instant,
    r: [Relay; 2],
    /// Connections from relay 0 to relay 1: (relay 0's handle, relay 1's handle).
    links: Vec<(ConnectionId, ConnectionId)>,
    connects: [usize; 2],
    /// What each relay wrote to its client-side connections, by handle.
    out: HashMap<(usize, ConnectionId), Vec<u8>>,
}

impl Pair {
    /// Moves bytes and connections until nothing moves.
    fn settle(&mut self) {
        loop {
            let mut moved = false;
            for i in 0..2 {
                while let Some(event) = self.r[i].poll_event() {
                    if let Event::Connect {
                        connection, uri, ..
                    } = event
                    {
                        assert_eq!(i, 0, "only relay 1 opens connections");
                        assert_eq!(uri.host_str(), "relay2.example.com");
                        self.connects[i] += 1;
                        let other = self.r[1].open_connection(self.now, true).unwrap();
                        self.r[0].connected(self.now, connection).unwrap();
                        self.links.push((connection, other));
                    }
                }
            }
            for &(c0, c1) in &self.links.clone() {
                while let Some(t) = self.r[0].poll_transmit_on(c0) {
                    self.r[1].handle_input(self.now, c1, &t.data).unwrap();
                    moved = true;
                }
                while let Some(t) = self.r[1].poll_transmit_on(c1) {
                    self.r[0].handle_input(self.now, c0, &t.data).unwrap();
                    moved = true;
                }
            }
            let client_side: Vec<(usize, ConnectionId)> = self.out.keys().copied().collect();
            for (i, c) in client_side {
                while let Some(t) = self.r[i].poll_transmit_on(c) {
                    self.out
                        .entry((i, c))
                        .or_default()
                        .extend_from_slice(&t.data);
                    moved = true;
                }
            }
            if !moved {
                return;
            }
        }
    }

    /// Takes the decoded messages relay `i` wrote to client connection `c`.
    fn take(&mut self, i: usize, c: ConnectionId) -> Vec<(Head, Vec<u8>, Flag)> {
        let bytes = std::mem::take(self.out.entry((i, c)).or_default());
        let mut decoder = Decoder::default();
        let mut buf = BytesMut::from(&bytes[..]);
        let mut out = Vec::new();
        let mut current: Option<(Head, Vec<u8>)> = None;
        while let Some(frame) = decoder.decode(&mut buf).unwrap() {
            match frame {
                Frame::Head(h) => current = Some((h, Vec::new())),
                Frame::Data(d) => {
                    if let Some((_, body)) = &mut current {
                        body.extend_from_slice(&d);
                    }
                }
                Frame::End(f) => {
                    if let Some((h, body)) = current.take() {
                        out.push((h, body, f));
                    }
                }
                other => panic!("{other:?}"),
            }
        }
        out
    }
}

fn send(tid: &str, to: &Path, from: &str, body: &str) -> Vec<u8> {
    format!(
        "MSRP {tid} SEND\r\nTo-Path: {to}\r\nFrom-Path: {from}\r\nMessage-ID: {tid}-m\r\n\
         Byte-Range: 1-{n}/{n}\r\nContent-Type: text/plain\r\n\r\n{body}\r\n-------{tid}$\r\n",
        n = body.len()
    )
    .into_bytes()
}

fn requests(heads: Vec<(Head, Vec<u8>, Flag)>) -> Vec<(Request, Vec<u8>)> {
    heads
        .into_iter()
        .filter_map(|(h, body, _)| match h {
            Head::Request(r) => Some((r, body)),
            Head::Response(_) => None,
        })
        .collect()
}

#[test]
fn auth_client_through_two_relay_engines_then_messages_both_ways() {
    let now = Instant::now();
    let mut pair = Pair {
        now,
        r: [
            relay("relay1.example.com", 1, now),
            relay("relay2.example.com", 2, now),
        ],
        links: Vec::new(),
        connects: [0, 0],
        out: HashMap::new(),
    };
    let chain = vec![
        ChainRelay::new(
            "msrps://relay1.example.com;tcp".parse().unwrap(),
            "alice",
            "secret",
        ),
        ChainRelay::new(
            "msrps://relay2.example.com;tcp".parse().unwrap(),
            "alice",
            "secret",
        ),
    ];
    let mut client =
        AuthClient::new(ClientConfig::new(chain), "alice.example.com", 9892, ids(7)).unwrap();
    let a = pair.r[0].open_connection(now, true).unwrap();
    pair.out.insert((0, a), Vec::new());
    client.start(now);
    for _ in 0..20 {
        while let Some(t) = client.poll_transmit() {
            assert_eq!(
                t.connect_to.host_str(),
                "relay1.example.com",
                "always via relay 1"
            );
            let bytes = t.encode().unwrap();
            pair.r[0].handle_input(now, a, &bytes).unwrap();
        }
        pair.settle();
        for (head, _, _) in pair.take(0, a) {
            if let Head::Response(r) = head {
                client.handle_response(now, &r).unwrap();
            }
        }
        if client.is_authenticated() {
            break;
        }
    }
    assert!(client.is_authenticated());
    let use_path = client.use_path().unwrap();
    let hosts: Vec<&str> = use_path.iter().map(|u| u.host_str()).collect();
    assert_eq!(hosts, ["relay1.example.com", "relay2.example.com"]);
    assert_eq!(pair.r[0].client_count(), 1);
    assert_eq!(pair.r[1].client_count(), 1);
    assert_eq!(pair.connects[0], 1);

    // Bob uses no relay: he connects to relay 2 and sends to Alice's SDP path.
    let bob = "msrp://bob.example.net:8145/foo1;tcp";
    let b = pair.r[1].open_connection(now, false).unwrap();
    pair.out.insert((1, b), Vec::new());
    let alice_sdp = client.sdp_path().unwrap();
    assert_eq!(alice_sdp.last(), client.local_uri());
    pair.r[1]
        .handle_input(now, b, &send("b2a1", &alice_sdp, bob, "hi alice"))
        .unwrap();
    pair.settle();
    let at_alice = requests(pair.take(0, a));
    assert_eq!(at_alice.len(), 1, "{at_alice:?}");
    let (req, body) = &at_alice[0];
    assert_eq!(body, b"hi alice");
    assert_eq!(req.to_path.to_string(), client.local_uri().to_string());
    let expected_from: Path = format!("{} {bob}", use_path).parse().unwrap();
    assert_eq!(req.from_path, expected_from);
    let answers = pair.take(1, b);
    assert!(matches!(&answers[..], [(Head::Response(r), _, _)] if r.status.code() == 200));

    // Alice answers through both relays to Bob, over the connection Bob opened.
    let to_bob = client.to_path_for(&bob.parse().unwrap()).unwrap();
    pair.r[0]
        .handle_input(
            now,
            a,
            &send("a2b1", &to_bob, &client.local_uri().to_string(), "hi bob"),
        )
        .unwrap();
    pair.settle();
    let at_bob = requests(pair.take(1, b));
    assert_eq!(at_bob.len(), 1, "{at_bob:?}");
    assert_eq!(at_bob[0].1, b"hi bob");
    assert_eq!(at_bob[0].0.to_path.to_string(), bob);
    assert_eq!(pair.connects, [1, 0], "the relays reused their connections");
    assert_eq!(pair.links.len(), 1);
}
