//! End to end over loopback: the real relay (`RelayDriver` running the relay engine) and real
//! client drivers (`Driver::authenticate`, AUTH with digest over TLS), certificates made at
//! run time and checked by fingerprint, OS-chosen ports. Files both ways through one relay
//! and through a chain of two; a relay restarted in the middle of a transfer; a receiver
//! whose sink never reads beside a transfer that must go on; garbage from other clients
//! (over TLS, and plain TCP on the TLS port) in the middle of a transfer.

#[path = "support/identity.rs"]
mod identity;

use identity::{Identity, identity, provider};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use msrp::endpoint::ConnectionId;
use msrp::net::relay::{RegistrationId, RelayRegistration};
use msrp::net::relay_server::{RelayDriver, RelayDriverConfig, RelayNetEvent};
use msrp::net::tls::{Fingerprint, FingerprintVerifier};
use msrp::net::{CloseReason, Driver, DriverConfig, HashingWriter, NetEvent, Transfer};
use msrp::relay::client::{ClientConfig, Failure, Relay as RelayHop};
use msrp::relay::digest::{self, CredentialStore, DigestServer};
use msrp::relay::engine::{Event, Relay, RelayConfig};
use msrp::{IdGenerator, MessageId, MsrpUri, SessionConfig, SessionId, Text};
use rustls::pki_types::ServerName;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::timeout;

/// Bound on any one await of the tests (transfers of a few MiB in a debug build included).
const LIMIT: Duration = Duration::from_secs(60);
const MIB: usize = 1 << 20;

struct Users;

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        match username {
            "alice" => Some(digest::ha1(username, realm, "alice-secret")),
            "bob" => Some(digest::ha1(username, realm, "bob-secret")),
            _ => None,
        }
    }
}

fn password(user: &str) -> String {
    format!("{user}-secret")
}

fn server_tls(me: &Identity) -> Arc<rustls::ServerConfig> {
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![me.cert.clone()], me.key.clone_key())
        .unwrap();
    Arc::new(config)
}

/// A client configuration that accepts only servers with one of these fingerprints.
fn client_tls(accepted: impl IntoIterator<Item = Fingerprint>) -> Arc<rustls::ClientConfig> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(FingerprintVerifier::new(accepted))
        .with_no_client_auth();
    Arc::new(config)
}

/// A port the OS chose: bound, read, released (the relay's URIs name it before it listens).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A running relay: TLS listener on 127.0.0.1, digest AUTH for alice and bob.
struct RelayNode {
    driver: RelayDriver,
    /// Its events, all of them: a task moves them here as they come, so none is dropped
    /// for want of a reader while a test looks elsewhere.
    events: mpsc::UnboundedReceiver<RelayNetEvent>,
    uri: MsrpUri,
}

async fn start_relay(
    me: &Identity,
    port: u16,
    config: RelayConfig,
    driver_config: RelayDriverConfig,
) -> RelayNode {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).unwrap();
    let auth = DigestServer::new(
        "relay.e2e",
        secret,
        Duration::from_secs(300),
        Instant::now(),
    );
    let relay =
        Relay::new(config, IdGenerator::default()).with_authentication(auth, Box::new(Users));
    let (driver, mut bounded) = RelayDriver::spawn(relay, driver_config);
    let (keep, events) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(event) = bounded.recv().await {
            if keep.send(event).is_err() {
                break;
            }
        }
    });
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let bound = driver.listen_tls(addr, server_tls(me)).await.unwrap();
    assert_eq!(bound, addr);
    RelayNode {
        driver,
        events,
        uri: format!("msrps://127.0.0.1:{port};tcp").parse().unwrap(),
    }
}

/// A relay with the default settings on a fresh port.
async fn default_relay(me: &Identity) -> RelayNode {
    let port = free_port();
    start_relay(
        me,
        port,
        RelayConfig::new("127.0.0.1", port),
        RelayDriverConfig::default(),
    )
    .await
}

/// A client: its driver, its events (and those set aside while waiting for others), and
/// the one TLS configuration it uses, so its registrations share one connection.
struct Client {
    name: &'static str,
    driver: Driver,
    events: mpsc::Receiver<NetEvent>,
    seen: Vec<NetEvent>,
    tls: Arc<rustls::ClientConfig>,
}

fn client(name: &'static str, config: DriverConfig, tls: Arc<rustls::ClientConfig>) -> Client {
    let (driver, events) = Driver::spawn(config);
    Client {
        name,
        driver,
        events,
        seen: Vec::new(),
        tls,
    }
}

impl Client {
    /// Authenticates through `chain` (first hop first) with this client's credentials.
    async fn register(&self, chain: &[&MsrpUri]) -> RelayRegistration {
        let hops = chain
            .iter()
            .map(|uri| RelayHop::new((*uri).clone(), self.name, password(self.name)))
            .collect();
        timeout(
            LIMIT,
            self.driver
                .authenticate(ClientConfig::new(hops), "127.0.0.1", 9, self.tls.clone()),
        )
        .await
        .expect("AUTH in time")
        .expect("AUTH accepted")
    }

    /// The next event, in time.
    async fn next_event(&mut self) -> NetEvent {
        timeout(LIMIT, self.events.recv())
            .await
            .unwrap_or_else(|_| panic!("{}: no event in time", self.name))
            .expect("the driver runs")
    }

    /// Waits for the incoming message of `session`; other events are set aside.
    async fn incoming(&mut self, session: SessionId) -> (MessageId, Option<u64>) {
        loop {
            match self.next_event().await {
                NetEvent::Incoming {
                    session: s,
                    message_id,
                    size,
                    ..
                } if s == session => return (message_id, size),
                other => self.seen.push(other),
            }
        }
    }

    /// Whether any set-aside event says a connection closed or something failed.
    fn saw_failure(&self) -> Option<&NetEvent> {
        self.seen.iter().find(|e| {
            matches!(
                e,
                NetEvent::ConnectionClosed { .. }
                    | NetEvent::SessionFailed { .. }
                    | NetEvent::RelayFailed { .. }
            )
        })
    }
}

/// Adds each side's session with the other's SDP path and binds both to their
/// registrations' connections.
async fn pair(
    a: &Client,
    ra: &RelayRegistration,
    b: &Client,
    rb: &RelayRegistration,
) -> (SessionId, SessionId) {
    let sa = a
        .driver
        .add_relay_session(ra.id, rb.sdp_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    let sb = b
        .driver
        .add_relay_session(rb.id, ra.sdp_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    assert_eq!(
        a.driver.connect_tls(sa, a.tls.clone()).await.unwrap(),
        ra.connection
    );
    assert_eq!(
        b.driver.connect_tls(sb, b.tls.clone()).await.unwrap(),
        rb.connection
    );
    (sa, sb)
}

/// Seeded pseudo-random content (xorshift), so a misplaced or repeated block shows.
fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

async fn send(c: &Client, session: SessionId, data: &[u8]) -> Transfer {
    c.driver
        .send(
            session,
            Text::new("application/octet-stream").unwrap(),
            Some(data.len() as u64),
            std::io::Cursor::new(data.to_vec()),
        )
        .await
        .unwrap()
}

/// Sends `len` bytes of `fill` that are produced as the engine reads them (not held).
async fn send_generated(c: &Client, session: SessionId, len: u64, fill: u8) -> Transfer {
    c.driver
        .send(
            session,
            Text::new("application/octet-stream").unwrap(),
            Some(len),
            tokio::io::repeat(fill).take(len),
        )
        .await
        .unwrap()
}

/// Reads a sink to its end.
fn drain(mut reader: DuplexStream) -> JoinHandle<Vec<u8>> {
    tokio::spawn(async move {
        let mut got = Vec::new();
        reader.read_to_end(&mut got).await.unwrap();
        got
    })
}

/// Reads a sink: says when the first bytes arrived, then reads on only after `go`.
fn drain_after(
    mut reader: DuplexStream,
    started: oneshot::Sender<()>,
    go: oneshot::Receiver<()>,
) -> JoinHandle<Vec<u8>> {
    tokio::spawn(async move {
        let mut got = vec![0u8; 1];
        reader.read_exact(&mut got).await.unwrap();
        let _ = started.send(());
        let _ = go.await;
        reader.read_to_end(&mut got).await.unwrap();
        got
    })
}

/// Takes the incoming message of `session` whole and checks it against `expected`.
async fn receive(c: &mut Client, session: SessionId, expected: &[u8]) {
    let (message_id, size) = c.incoming(session).await;
    assert_eq!(size, Some(expected.len() as u64));
    let (sink, reader) = tokio::io::duplex(64 << 10);
    let transfer = c.driver.accept(session, message_id, sink).await.unwrap();
    let got = drain(reader);
    let result = timeout(LIMIT, transfer.result()).await.expect("in time");
    assert_eq!(result.unwrap(), expected.len() as u64);
    let got = got.await.unwrap();
    assert!(
        got == expected,
        "{} got {} bytes, not the {} sent (or not in order)",
        c.name,
        got.len(),
        expected.len()
    );
}

/// Waits for the sender's result, in time.
async fn sent(transfer: Transfer) -> Result<u64, msrp::net::TransferError> {
    timeout(LIMIT, transfer.result()).await.expect("in time")
}

/// Asserts that no connection of `c` closed and nothing of it failed, in the events
/// set aside and those waiting.
fn assert_clean(c: &mut Client) {
    while let Ok(event) = c.events.try_recv() {
        c.seen.push(event);
    }
    assert!(
        c.saw_failure().is_none(),
        "{}: {:?}",
        c.name,
        c.saw_failure()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_both_ways_through_one_relay() {
    let relay_id = identity();
    let relay = default_relay(&relay_id).await;
    let tls = client_tls([relay_id.fingerprint]);
    let mut alice = client("alice", DriverConfig::default(), tls.clone());
    let mut bob = client("bob", DriverConfig::default(), tls);
    let ra = alice.register(&[&relay.uri]).await;
    let rb = bob.register(&[&relay.uri]).await;
    // RFC 4976 §5.1: one relay, so one Use-Path URI, on the relay's host and port.
    assert_eq!(ra.use_path.len(), 1);
    assert_eq!(ra.use_path.first().port(), relay.uri.port());
    assert_eq!(ra.sdp_path.last(), &ra.local_uri);
    let (sa, sb) = pair(&alice, &ra, &bob, &rb).await;

    let to_bob = content(4 * MIB + 1234, 1);
    let to_alice = content(3 * MIB + 777, 2);
    let ab = send(&alice, sa, &to_bob).await;
    let ba = send(&bob, sb, &to_alice).await;

    // Bob hashes what he gets on the way into the sink.
    let bob_side = async {
        let (message_id, size) = bob.incoming(sb).await;
        assert_eq!(size, Some(to_bob.len() as u64));
        let (sink, reader) = tokio::io::duplex(64 << 10);
        let (hashing, digests) = HashingWriter::new(sink);
        let transfer = bob.driver.accept(sb, message_id, hashing).await.unwrap();
        let got = drain(reader);
        let received = timeout(LIMIT, transfer.result()).await.expect("in time");
        assert_eq!(received.unwrap(), to_bob.len() as u64);
        let digests = digests.await.expect("digests of a complete message");
        assert_eq!(digests.size, to_bob.len() as u64);
        assert_eq!(&digests.sha256[..], Sha256::digest(&to_bob).as_slice());
        let got = got.await.unwrap();
        assert!(got == to_bob, "Bob got {} bytes, not Alice's", got.len());
    };
    tokio::join!(bob_side, receive(&mut alice, sa, &to_alice));
    assert_eq!(sent(ab).await.unwrap(), to_bob.len() as u64);
    assert_eq!(sent(ba).await.unwrap(), to_alice.len() as u64);
    assert_clean(&mut alice);
    assert_clean(&mut bob);
    alice.driver.shutdown().await;
    bob.driver.shutdown().await;
    relay.driver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_both_ways_through_two_chained_relays() {
    let (a_id, b_id) = (identity(), identity());
    let mut b = default_relay(&b_id).await;
    // Relay A opens its own TLS connection to relay B for Alice's traffic.
    let a_port = free_port();
    let mut a = start_relay(
        &a_id,
        a_port,
        RelayConfig::new("127.0.0.1", a_port),
        RelayDriverConfig::default().with_client_tls(client_tls([b_id.fingerprint])),
    )
    .await;
    let mut alice = client(
        "alice",
        DriverConfig::default(),
        client_tls([a_id.fingerprint]),
    );
    let mut bob = client(
        "bob",
        DriverConfig::default(),
        client_tls([b_id.fingerprint]),
    );
    // Alice: AUTH to A, then to B tunnelled through A (RFC 4976 §5.1).
    let ra = alice.register(&[&a.uri, &b.uri]).await;
    let rb = bob.register(&[&b.uri]).await;
    assert_eq!(ra.use_path.len(), 2);
    let hops: Vec<Option<u16>> = ra.use_path.iter().map(MsrpUri::port).collect();
    assert_eq!(hops, vec![a.uri.port(), b.uri.port()]);
    assert_eq!(rb.use_path.len(), 1);
    assert_eq!(ra.sdp_path.len(), 3);
    let (sa, sb) = pair(&alice, &ra, &bob, &rb).await;

    let to_bob = content(3 * MIB + 4321, 3);
    let to_alice = content(2 * MIB + 99, 4);
    let ab = send(&alice, sa, &to_bob).await;
    let ba = send(&bob, sb, &to_alice).await;
    tokio::join!(
        receive(&mut bob, sb, &to_bob),
        receive(&mut alice, sa, &to_alice)
    );
    assert_eq!(sent(ab).await.unwrap(), to_bob.len() as u64);
    assert_eq!(sent(ba).await.unwrap(), to_alice.len() as u64);
    assert_clean(&mut alice);
    assert_clean(&mut bob);
    // Alice authenticated at both relays; A opened a TLS connection of its own to B (Alice's
    // client configuration accepts only A's certificate, so she never reached B herself).
    let b_uri = b.uri.clone();
    relay_event(&mut a, authenticated("alice")).await;
    relay_event(&mut a, |e| {
        matches!(
            e,
            RelayNetEvent::Relay(Event::Connect { uri, tls: true, .. }) if uri.port() == b_uri.port()
        )
    })
    .await;
    relay_event(&mut b, authenticated("alice")).await;
    alice.driver.shutdown().await;
    bob.driver.shutdown().await;
    a.driver.shutdown().await;
    b.driver.shutdown().await;
}

/// Waits until `c` has reported both the failure of `session` and the end of
/// `registration` for a lost connection (looking at the events set aside first).
async fn relay_lost(c: &mut Client, session: SessionId, registration: RegistrationId) {
    let session_failed =
        |e: &NetEvent| matches!(e, NetEvent::SessionFailed { session: s, .. } if *s == session);
    let relay_failed = |e: &NetEvent| {
        matches!(
            e,
            NetEvent::RelayFailed { registration: r, reason: Failure::ConnectionLost, .. }
                if *r == registration
        )
    };
    let (mut session_seen, mut relay_seen) = (
        c.seen.iter().any(session_failed),
        c.seen.iter().any(relay_failed),
    );
    while !(session_seen && relay_seen) {
        let event = c.next_event().await;
        session_seen |= session_failed(&event);
        relay_seen |= relay_failed(&event);
        c.seen.push(event);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_restarted_mid_transfer_fails_it_and_serves_again() {
    let relay_id = identity();
    let port = free_port();
    let config = RelayConfig::new("127.0.0.1", port);
    let relay = start_relay(
        &relay_id,
        port,
        config.clone(),
        RelayDriverConfig::default(),
    )
    .await;
    let tls = client_tls([relay_id.fingerprint]);
    let mut alice = client("alice", DriverConfig::default(), tls.clone());
    let mut bob = client("bob", DriverConfig::default(), tls);
    let ra = alice.register(&[&relay.uri]).await;
    let rb = bob.register(&[&relay.uri]).await;
    let (sa, sb) = pair(&alice, &ra, &bob, &rb).await;

    // A message far larger than every buffer on the way; Bob's sink holds it up after the
    // first byte, so it is certainly in flight when the relay goes.
    let big: u64 = 256 << 20;
    let ab = send_generated(&alice, sa, big, 0x5a).await;
    let (message_id, size) = bob.incoming(sb).await;
    assert_eq!(size, Some(big));
    let (sink, reader) = tokio::io::duplex(64 << 10);
    let ba = bob.driver.accept(sb, message_id, sink).await.unwrap();
    let (started, first_bytes) = oneshot::channel();
    let (go, read_on) = oneshot::channel();
    let reading = drain_after(reader, started, read_on);
    timeout(LIMIT, first_bytes).await.unwrap().unwrap();
    relay.driver.shutdown().await;
    // The new relay takes the port at once: the same address, the same certificate.
    let relay = start_relay(&relay_id, port, config, RelayDriverConfig::default()).await;
    let _ = go.send(());

    let sender = sent(ab).await;
    assert!(sender.is_err(), "the sender's transfer ended {sender:?}");
    let receiver = timeout(LIMIT, ba.result()).await.expect("in time");
    assert!(
        receiver.is_err(),
        "the receiver's transfer ended {receiver:?}"
    );
    let got = reading.await.unwrap();
    assert!((got.len() as u64) < big);
    assert!(got.iter().all(|&b| b == 0x5a));
    relay_lost(&mut alice, sa, ra.id).await;
    relay_lost(&mut bob, sb, rb.id).await;

    // Both authenticate again to the new relay (new registrations, new connections) and
    // files go both ways.
    alice.seen.clear();
    bob.seen.clear();
    let ra2 = alice.register(&[&relay.uri]).await;
    let rb2 = bob.register(&[&relay.uri]).await;
    assert_ne!(ra2.connection, ra.connection);
    assert_ne!(rb2.connection, rb.connection);
    let (sa, sb) = pair(&alice, &ra2, &bob, &rb2).await;
    let to_bob = content(MIB + 5, 8);
    let to_alice = content(MIB / 2 + 3, 9);
    let ab = send(&alice, sa, &to_bob).await;
    let ba = send(&bob, sb, &to_alice).await;
    tokio::join!(
        receive(&mut bob, sb, &to_bob),
        receive(&mut alice, sa, &to_alice)
    );
    assert_eq!(sent(ab).await.unwrap(), to_bob.len() as u64);
    assert_eq!(sent(ba).await.unwrap(), to_alice.len() as u64);
    assert_clean(&mut alice);
    assert_clean(&mut bob);
    alice.driver.shutdown().await;
    bob.driver.shutdown().await;
    relay.driver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_receiver_fails_alone_while_another_transfer_completes() {
    let relay_id = identity();
    let port = free_port();
    // Bob's driver stops reading his whole connection while the stalled sink holds
    // `input_pause` bytes of it, so at the relay every message to Bob stalls, not just the
    // stalled one; each would fail after the relay's `stall_timeout`. Bob's `sink_stall`
    // must therefore be the shorter: his driver fails the stalled message and reads on
    // before the relay gives up on the others. (With the defaults, 30 s against 5 s, the
    // relay aborts the second transfer too.)
    let config = RelayConfig::new("127.0.0.1", port).with_stall_timeout(Duration::from_secs(5));
    let relay = start_relay(&relay_id, port, config, RelayDriverConfig::default()).await;
    let tls = client_tls([relay_id.fingerprint]);
    let mut alice = client("alice", DriverConfig::default(), tls.clone());
    let bob_config = DriverConfig::default().with_sink_stall(Duration::from_secs(1));
    let mut bob = client("bob", bob_config, tls);
    let (ra1, rb1) = (
        alice.register(&[&relay.uri]).await,
        bob.register(&[&relay.uri]).await,
    );
    let (ra2, rb2) = (
        alice.register(&[&relay.uri]).await,
        bob.register(&[&relay.uri]).await,
    );
    // Both registrations of each client share its one connection to the relay.
    assert_eq!(ra1.connection, ra2.connection);
    assert_eq!(rb1.connection, rb2.connection);
    let (stalled_a, stalled_b) = pair(&alice, &ra1, &bob, &rb1).await;
    let (sa, sb) = pair(&alice, &ra2, &bob, &rb2).await;

    let stalled = send_generated(&alice, stalled_a, 64 << 20, 0xa5).await;
    let (message_id, _) = bob.incoming(stalled_b).await;
    // A sink that is never read: 4 KiB of pipe, then it takes nothing.
    let (sink, never_read) = tokio::io::duplex(4 << 10);
    let stalled_in = bob
        .driver
        .accept(stalled_b, message_id, sink)
        .await
        .unwrap();
    let since = Instant::now();

    // The second pair shares Bob's connection: this file goes through once Bob's
    // `sink_stall` has failed the stalled message.
    let file = content(2 * MIB + 3, 5);
    let ab = send(&alice, sa, &file).await;
    receive(&mut bob, sb, &file).await;
    assert_eq!(sent(ab).await.unwrap(), file.len() as u64);

    let sender = sent(stalled).await;
    let failed_after = since.elapsed();
    assert!(sender.is_err(), "the stalled message ended {sender:?}");
    assert!(
        failed_after < Duration::from_secs(20),
        "the stalled message failed only after {failed_after:?}"
    );
    let receiver = timeout(LIMIT, stalled_in.result()).await.expect("in time");
    assert!(
        receiver.is_err(),
        "the stalled sink's transfer ended {receiver:?}"
    );
    drop(never_read);
    // The connections still carry traffic: a file back on the second pair.
    let back = content(MIB / 4, 10);
    let ba = send(&bob, sb, &back).await;
    receive(&mut alice, sa, &back).await;
    assert_eq!(sent(ba).await.unwrap(), back.len() as u64);
    // Only the message failed: no connection closed, no registration lost.
    for c in [&mut alice, &mut bob] {
        while let Ok(event) = c.events.try_recv() {
            c.seen.push(event);
        }
        let lost = c.seen.iter().find(|e| {
            matches!(
                e,
                NetEvent::ConnectionClosed { .. } | NetEvent::RelayFailed { .. }
            )
        });
        assert!(lost.is_none(), "{}: {lost:?}", c.name);
    }
    alice.driver.shutdown().await;
    bob.driver.shutdown().await;
    relay.driver.shutdown().await;
}

/// The relay's handle for the connection whose client end is `local`.
async fn accepted(relay: &mut RelayNode, local: SocketAddr) -> ConnectionId {
    loop {
        match timeout(LIMIT, relay.events.recv()).await.unwrap().unwrap() {
            RelayNetEvent::Accepted {
                connection, peer, ..
            } if peer == local => return connection,
            _ => {}
        }
    }
}

/// Waits for the first relay event that `wanted` picks.
async fn relay_event(relay: &mut RelayNode, wanted: impl Fn(&RelayNetEvent) -> bool) {
    loop {
        let event = timeout(LIMIT, relay.events.recv()).await.unwrap().unwrap();
        if wanted(&event) {
            return;
        }
    }
}

/// Whether the relay accepted `user`'s AUTH.
fn authenticated(user: &str) -> impl Fn(&RelayNetEvent) -> bool + '_ {
    move |e| {
        matches!(
            e,
            RelayNetEvent::Relay(Event::ClientAuthenticated { username, .. }) if username == user
        )
    }
}

/// The relay's bound on accepted TLS handshakes in the garbage test.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_from_other_clients_closes_only_their_connections_closes_only_its_connection() {
    let relay_id = identity();
    let port = free_port();
    let mut relay = start_relay(
        &relay_id,
        port,
        RelayConfig::new("127.0.0.1", port),
        RelayDriverConfig::default().with_connect_timeout(HANDSHAKE_TIMEOUT),
    )
    .await;
    let tls = client_tls([relay_id.fingerprint]);
    let mut alice = client("alice", DriverConfig::default(), tls.clone());
    let mut bob = client("bob", DriverConfig::default(), tls.clone());
    let ra = alice.register(&[&relay.uri]).await;
    let rb = bob.register(&[&relay.uri]).await;
    let (sa, sb) = pair(&alice, &ra, &bob, &rb).await;

    let file = content(6 * MIB + 17, 6);
    let ab = send(&alice, sa, &file).await;
    let (message_id, size) = bob.incoming(sb).await;
    assert_eq!(size, Some(file.len() as u64));
    let (sink, reader) = tokio::io::duplex(64 << 10);
    let ba = bob.driver.accept(sb, message_id, sink).await.unwrap();
    // Bob holds the transfer up after its first byte, so the garbage lands mid-transfer.
    let (started, first_bytes) = oneshot::channel();
    let (go, read_on) = oneshot::channel();
    let reading = drain_after(reader, started, read_on);
    timeout(LIMIT, first_bytes).await.unwrap().unwrap();

    // Mallory: a TLS connection of its own to the relay, then bytes that are not MSRP.
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let local = tcp.local_addr().unwrap();
    let mut mallory = tokio_rustls::TlsConnector::from(tls)
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap();
    let mallory_id = accepted(&mut relay, local).await;
    let mut garbage = b"MSRP x SEND\r\nTo-Path: \x00\xff\r\n\r\n".to_vec();
    garbage.extend_from_slice(&content(16 << 10, 11));
    mallory.write_all(&garbage).await.unwrap();
    mallory.flush().await.unwrap();
    // The relay closes Mallory's connection (an error or the end of the stream, in time)...
    let mut rest = Vec::new();
    let ended = timeout(LIMIT, mallory.read_to_end(&mut rest)).await;
    assert!(ended.is_ok(), "the relay kept the garbage connection open");
    // ... and that one only.
    loop {
        match timeout(LIMIT, relay.events.recv()).await.unwrap().unwrap() {
            RelayNetEvent::Closed { connection, reason } if connection == mallory_id => {
                assert!(matches!(reason, CloseReason::RelayEngine(_)), "{reason:?}");
                break;
            }
            RelayNetEvent::Closed { connection, reason } => {
                panic!("the relay closed {connection:?} ({reason:?}) too")
            }
            _ => {}
        }
    }
    // Eve: plain TCP to the TLS port, garbage instead of a handshake. Closed as soon as
    // the handshake fails, well before the handshake timeout.
    let mut eve = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    // The relay may close it before all is written.
    let _ = eve.write_all(&garbage).await;
    let ended = timeout(HANDSHAKE_TIMEOUT / 3, eve.read_to_end(&mut rest)).await;
    assert!(
        ended.is_ok(),
        "the relay kept the plain garbage connection open"
    );

    let _ = go.send(());
    let received = timeout(LIMIT, ba.result()).await.expect("in time");
    assert_eq!(received.unwrap(), file.len() as u64);
    let got = reading.await.unwrap();
    assert!(got == file, "Bob got {} bytes, not Alice's", got.len());
    assert_eq!(sent(ab).await.unwrap(), file.len() as u64);
    assert_clean(&mut alice);
    assert_clean(&mut bob);
    while let Ok(event) = relay.events.try_recv() {
        assert!(
            !matches!(event, RelayNetEvent::Closed { .. }),
            "the relay closed another connection: {event:?}"
        );
    }
    alice.driver.shutdown().await;
    bob.driver.shutdown().await;
    relay.driver.shutdown().await;
}
