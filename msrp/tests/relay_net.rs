//! The driver's RFC 4976 client side against a relay scripted here, over TLS on loopback:
//! authentication (401, answer, 200 with Use-Path and Expires), sessions whose traffic goes
//! through the relay in both directions over each client's one connection to it, wrong
//! credentials, a relay that drops its connections, and refreshes during a transfer.

#[path = "support/identity.rs"]
mod identity;

use identity::{identity, provider};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use msrp::net::relay::RelayRegistration;
use msrp::net::tls::{Fingerprint, FingerprintVerifier};
use msrp::net::{Driver, DriverConfig, NetError, NetEvent};
use msrp::relay::client::{ClientConfig, Failure, Relay};
use msrp::relay::digest::{self, AuthFailure, Authorization, CredentialStore, DigestServer};
use msrp::{
    Decoder, DecoderConfig, Flag, Frame, Head, Header, IdGenerator, Message, Method, MsrpUri, Path,
    SessionConfig, SessionId, StatusCode, Text, TransactionId,
};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

struct Users(HashMap<&'static str, &'static str>);

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        self.0
            .get(username)
            .map(|pw| digest::ha1(username, realm, pw))
    }
}

/// A SEND as the relay forwarded it.
#[derive(Clone, Debug)]
struct Forwarded {
    to: Path,
    from: Path,
}

/// How the scripted relay answers AUTH.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Digest, then 200.
    Normal,
    /// Digest, then 423 to every Expires (RFC 4976 §4.6).
    OutOfBounds,
    /// Never answers.
    Silent,
}

struct RelayState {
    mode: Mode,
    uri: MsrpUri,
    port: u16,
    server: DigestServer,
    users: Users,
    expires: u32,
    ids: IdGenerator,
    /// Assigned URI -> the connection it routes to.
    routes: HashMap<MsrpUri, (u64, mpsc::UnboundedSender<Bytes>)>,
    /// (connection, client URI) -> assigned URI, so a refresh keeps the URI.
    assigned: HashMap<(u64, MsrpUri), MsrpUri>,
    accepted_auths: usize,
    forwarded: Vec<Forwarded>,
}

/// The scripted relay: answers AUTH with digest, forwards requests between its clients by
/// the RFC 4976 §6 rule, whole messages at a time.
struct ScriptedRelay {
    uri: MsrpUri,
    fingerprint: Fingerprint,
    state: Arc<Mutex<RelayState>>,
    kill: watch::Sender<u32>,
}

impl ScriptedRelay {
    async fn start(expires: u32) -> Self {
        Self::start_with(expires, Mode::Normal).await
    }

    async fn start_with(expires: u32, mode: Mode) -> Self {
        let me = identity();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let uri: MsrpUri = format!("msrps://127.0.0.1:{};tcp", addr.port())
            .parse()
            .unwrap();
        let state = Arc::new(Mutex::new(RelayState {
            mode,
            uri: uri.clone(),
            port: addr.port(),
            server: DigestServer::new(
                "relay.test",
                [7; 32],
                Duration::from_secs(600),
                Instant::now(),
            ),
            users: Users(HashMap::from([("alice", "wonderland"), ("bob", "builder")])),
            expires,
            ids: IdGenerator::default(),
            routes: HashMap::new(),
            assigned: HashMap::new(),
            accepted_auths: 0,
            forwarded: Vec::new(),
        }));
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![me.cert.clone()], me.key.clone_key())
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let (kill, _) = watch::channel(0u32);
        let kills = kill.clone();
        let shared = state.clone();
        tokio::spawn(async move {
            let mut next = 0u64;
            while let Ok((tcp, _)) = listener.accept().await {
                next += 1;
                let (acceptor, shared, kill) =
                    (acceptor.clone(), shared.clone(), kills.subscribe());
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        serve(tls, next, shared, kill).await;
                    }
                });
            }
        });
        Self {
            uri,
            fingerprint: me.fingerprint,
            state,
            kill,
        }
    }

    /// Drops every client connection (as a relay that goes away does).
    fn drop_connections(&self) {
        self.kill.send_modify(|g| *g += 1);
    }

    fn accepted_auths(&self) -> usize {
        self.state.lock().unwrap().accepted_auths
    }

    fn forwarded(&self) -> Vec<Forwarded> {
        self.state.lock().unwrap().forwarded.clone()
    }

    fn client_tls(&self) -> Arc<rustls::ClientConfig> {
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(FingerprintVerifier::new([self.fingerprint]))
            .with_no_client_auth();
        Arc::new(config)
    }

    fn config(&self, user: &str, password: &str) -> ClientConfig {
        ClientConfig::new(vec![Relay::new(self.uri.clone(), user, password)])
    }
}

async fn serve<S>(
    stream: S,
    conn: u64,
    state: Arc<Mutex<RelayState>>,
    mut kill: watch::Receiver<u32>,
) where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + 'static,
{
    let (mut rd, mut wr) = tokio::io::split(stream);
    let (tx, mut rx) = mpsc::unbounded_channel::<Bytes>();
    let writer = tokio::spawn(async move {
        while let Some(b) = rx.recv().await {
            if wr.write_all(&b).await.is_err() {
                break;
            }
        }
    });
    let mut decoder = Decoder::new(DecoderConfig::default());
    let mut buf = BytesMut::with_capacity(64 << 10);
    let mut current: Option<(Head, BytesMut)> = None;
    'read: loop {
        tokio::select! {
            _ = kill.changed() => break,
            n = rd.read_buf(&mut buf) => {
                if !matches!(n, Ok(n) if n > 0) {
                    break;
                }
                while let Ok(Some(frame)) = decoder.decode(&mut buf) {
                    match frame {
                        Frame::Head(h) => current = Some((h, BytesMut::new())),
                        Frame::Data(d) => {
                            if let Some((_, body)) = &mut current {
                                body.extend_from_slice(&d);
                            }
                        }
                        Frame::End(flag) => {
                            if let Some((head, body)) = current.take() {
                                let mut st = state.lock().unwrap();
                                if !st.handle(conn, &tx, head, body.freeze(), flag) {
                                    break 'read;
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    state.lock().unwrap().routes.retain(|_, (c, _)| *c != conn);
    writer.abort();
}

impl RelayState {
    /// Handles one whole request or response; `false` drops the connection.
    fn handle(
        &mut self,
        conn: u64,
        reply: &mpsc::UnboundedSender<Bytes>,
        head: Head,
        body: Bytes,
        flag: Flag,
    ) -> bool {
        // Responses to what we forwarded are hop-by-hop and end here.
        let Head::Request(request) = head else {
            return true;
        };
        if request.method == Method::Auth && request.to_path.len() == 1 {
            if request.to_path.first() != &self.uri {
                return false;
            }
            if self.mode == Mode::Silent {
                return true;
            }
            let response = self.auth(conn, reply, &request);
            send(reply, Head::Response(response), None, Flag::Complete);
            return true;
        }
        // RFC 4976 §6.2, §6.4: pop our URIs from the To-Path onto the From-Path; the last
        // one popped names the connection to forward on.
        let mut to: Vec<MsrpUri> = request.to_path.iter().cloned().collect();
        let mut from: Vec<MsrpUri> = request.from_path.iter().cloned().collect();
        let mut next = None;
        let mut first_popped = None;
        while let Some(route) = to.first().and_then(|u| self.routes.get(u)).cloned() {
            let mine = to.remove(0);
            first_popped.get_or_insert_with(|| mine.clone());
            from.insert(0, mine);
            next = Some(route.1);
        }
        let (Some(next), Some(first_popped), false) = (next, first_popped, to.is_empty()) else {
            return false;
        };
        // Hop-by-hop 200 (RFC 4976 §6.4.1).
        if request.method == Method::Send
            && request.headers.failure_report() == msrp::FailureReport::Yes
        {
            let ok = request.response(StatusCode::Ok, Path::new(first_popped));
            send(reply, Head::Response(ok), None, Flag::Complete);
        }
        let mut forwarded = request.clone();
        forwarded.to_path = Path::from_uris(to).unwrap();
        forwarded.from_path = Path::from_uris(from).unwrap();
        if request.method == Method::Send {
            self.forwarded.push(Forwarded {
                to: forwarded.to_path.clone(),
                from: forwarded.from_path.clone(),
            });
        }
        let body = request.content_type.is_some().then_some(body);
        // A new transaction id (RFC 4976 §6.4), one that is not in the body.
        loop {
            forwarded.transaction_id = TransactionId::generate(&mut self.ids);
            let message = Message {
                head: Head::Request(forwarded.clone()),
                body: body.clone(),
                flag,
            };
            if let Ok(bytes) = message.to_bytes() {
                let _ = next.send(bytes);
                return true;
            }
        }
    }

    fn auth(
        &mut self,
        conn: u64,
        reply: &mpsc::UnboundedSender<Bytes>,
        request: &msrp::Request,
    ) -> msrp::Response {
        let now = Instant::now();
        let me = Path::new(self.uri.clone());
        let digest_uri = self.uri.to_string();
        let answer = request
            .headers
            .get("Authorization")
            .and_then(|v| Authorization::parse(&v).ok());
        let verdict = answer
            .as_ref()
            .map(|a| self.server.verify(now, "AUTH", &digest_uri, a, &self.users));
        let (Some(answer), Some(Ok(_))) = (answer, verdict.clone()) else {
            let stale = verdict == Some(Err(AuthFailure::Stale));
            let challenge = self.server.challenge(now, stale);
            let mut response = request.response(StatusCode::Unauthorized, me);
            response
                .headers
                .push(Header::other("WWW-Authenticate", &challenge.to_string()).unwrap());
            return response;
        };
        if self.mode == Mode::OutOfBounds {
            let mut response = request.response(StatusCode::OutOfBounds, me);
            response.headers.push(Header::MinExpires(3600));
            response.headers.push(Header::MaxExpires(7200));
            return response;
        }
        let client = request.from_path.last().clone();
        let assigned = match self.assigned.get(&(conn, client.clone())) {
            Some(uri) => uri.clone(),
            None => {
                let mut id = [0u8; 16];
                self.ids.fill_alphanumeric(&mut id);
                let uri: MsrpUri = format!(
                    "msrps://127.0.0.1:{}/{};tcp",
                    self.port,
                    std::str::from_utf8(&id).unwrap()
                )
                .parse()
                .unwrap();
                self.assigned.insert((conn, client), uri.clone());
                uri
            }
        };
        self.routes.insert(assigned.clone(), (conn, reply.clone()));
        self.accepted_auths += 1;
        let info = self
            .server
            .authentication_info(now, &answer, &digest_uri, &self.users)
            .unwrap();
        let mut response = request.response(StatusCode::Ok, me);
        response.headers.push(Header::UsePath(Path::new(assigned)));
        response.headers.push(Header::Expires(
            request.headers.expires().unwrap_or(self.expires),
        ));
        response
            .headers
            .push(Header::other("Authentication-Info", &info.to_string()).unwrap());
        response
    }
}

fn send(to: &mpsc::UnboundedSender<Bytes>, head: Head, body: Option<Bytes>, flag: Flag) {
    let bytes = Message { head, body, flag }.to_bytes().unwrap();
    let _ = to.send(bytes);
}

fn content(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| {
            (i as u8)
                .wrapping_mul(31)
                .wrapping_add((i >> 9) as u8 ^ seed)
        })
        .collect()
}

/// A client of the relay: a driver, its events and its registration.
struct Client {
    driver: Driver,
    events: mpsc::Receiver<NetEvent>,
    registration: RelayRegistration,
}

async fn client(relay: &ScriptedRelay, user: &str, password: &str) -> Client {
    let (driver, events) = Driver::spawn(DriverConfig::default());
    let registration = timeout(
        LIMIT,
        driver.authenticate(
            relay.config(user, password),
            "127.0.0.1",
            9,
            relay.client_tls(),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    Client {
        driver,
        events,
        registration,
    }
}

/// Adds each side's session with the other's SDP path and binds both to their relay
/// connections.
async fn sessions(relay: &ScriptedRelay, a: &Client, b: &Client) -> (SessionId, SessionId) {
    let sb = b
        .driver
        .add_relay_session(
            b.registration.id,
            a.registration.sdp_path.clone(),
            SessionConfig::default(),
        )
        .await
        .unwrap();
    let cb = b.driver.connect_tls(sb, relay.client_tls()).await.unwrap();
    assert_eq!(
        cb, b.registration.connection,
        "Bob's session reuses his relay connection"
    );
    let sa = a
        .driver
        .add_relay_session(
            a.registration.id,
            b.registration.sdp_path.clone(),
            SessionConfig::default(),
        )
        .await
        .unwrap();
    let ca = a.driver.connect_tls(sa, relay.client_tls()).await.unwrap();
    assert_eq!(
        ca, a.registration.connection,
        "Alice's session reuses her relay connection"
    );
    (sa, sb)
}

/// Waits for the next incoming message, takes it whole; returns it and the other events.
async fn receive(c: &mut Client) -> (Vec<u8>, Vec<NetEvent>) {
    let mut seen = Vec::new();
    loop {
        let event = c.events.recv().await.expect("events");
        if let NetEvent::Incoming {
            session,
            message_id,
            ..
        } = event
        {
            let (sink, mut reader) = tokio::io::duplex(64 << 10);
            let transfer = c.driver.accept(session, message_id, sink).await.unwrap();
            let mut got = Vec::new();
            reader.read_to_end(&mut got).await.unwrap();
            assert_eq!(transfer.result().await.unwrap(), got.len() as u64);
            return (got, seen);
        }
        seen.push(event);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_exchange_files_both_ways_through_the_relay() {
    let relay = ScriptedRelay::start(600).await;
    let mut alice = client(&relay, "alice", "wonderland").await;
    let mut bob = client(&relay, "bob", "builder").await;
    assert_eq!(relay.accepted_auths(), 2);
    // RFC 4976 §5.1: SDP path = reversed Use-Path + own URI.
    let a = &alice.registration;
    assert_eq!(a.use_path.len(), 1);
    assert_eq!(a.sdp_path.len(), 2);
    assert_eq!(a.sdp_path.first(), a.use_path.first());
    assert_eq!(a.sdp_path.last(), &a.local_uri);
    let (sa, sb) = sessions(&relay, &alice, &bob).await;

    let to_bob = content(300_000, 1);
    let to_alice = content(180_000, 2);
    let image = Text::new("image/jpeg").unwrap();
    let (sent_ab, sent_ba) = tokio::join!(
        alice.driver.send(
            sa,
            image.clone(),
            Some(to_bob.len() as u64),
            std::io::Cursor::new(to_bob.clone())
        ),
        bob.driver.send(
            sb,
            image,
            Some(to_alice.len() as u64),
            std::io::Cursor::new(to_alice.clone())
        ),
    );
    let ((got_bob, _), (got_alice, _)) = timeout(LIMIT, async {
        tokio::join!(receive(&mut bob), receive(&mut alice))
    })
    .await
    .unwrap();
    assert!(got_bob == to_bob, "Bob got Alice's bytes");
    assert!(got_alice == to_alice, "Alice got Bob's bytes");
    assert_eq!(
        sent_ab.unwrap().result().await.unwrap(),
        to_bob.len() as u64
    );
    assert_eq!(
        sent_ba.unwrap().result().await.unwrap(),
        to_alice.len() as u64
    );

    // What the clients received (RFC 4976 §6.4): To-Path their own URI only; From-Path the
    // relay's URIs (nearest first) and the sender's own URI, nothing else.
    let forwarded = relay.forwarded();
    let to_bob_hops: Vec<&Forwarded> = forwarded
        .iter()
        .filter(|f| f.to.first() == &bob.registration.local_uri)
        .collect();
    assert!(!to_bob_hops.is_empty());
    for f in to_bob_hops {
        assert_eq!(f.to.len(), 1);
        let from: Vec<&MsrpUri> = f.from.iter().collect();
        assert_eq!(
            from,
            vec![
                bob.registration.use_path.first(),
                alice.registration.use_path.first(),
                &alice.registration.local_uri
            ]
        );
    }
    // One connection each to the relay, never a listener.
    alice.driver.shutdown().await;
    bob.driver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_a_typed_error() {
    let relay = ScriptedRelay::start(600).await;
    let (driver, _events) = Driver::spawn(DriverConfig::default());
    let result = timeout(
        LIMIT,
        driver.authenticate(
            relay.config("alice", "looking-glass"),
            "127.0.0.1",
            9,
            relay.client_tls(),
        ),
    )
    .await
    .unwrap();
    match result {
        Err(NetError::Relay(failure)) => {
            assert_eq!(failure.reason, Failure::WrongCredentials);
            assert_eq!(failure.relay, relay.uri);
        }
        other => panic!("expected wrong credentials, got {other:?}"),
    }
    assert_eq!(relay.accepted_auths(), 0);
    // A relay nobody listens on: the connection cannot be opened.
    let nowhere = nowhere().await;
    let result = timeout(
        LIMIT,
        driver.authenticate(
            ClientConfig::new(vec![Relay::new(nowhere, "alice", "wonderland")]),
            "127.0.0.1",
            9,
            relay.client_tls(),
        ),
    )
    .await
    .unwrap();
    assert!(
        matches!(&result, Err(NetError::Relay(f)) if f.reason == Failure::ConnectionLost),
        "{result:?}"
    );
    driver.shutdown().await;
}

/// An `msrps:` URI on a loopback port nobody listens on.
async fn nowhere() -> MsrpUri {
    let dead = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    format!("msrps://127.0.0.1:{port};tcp").parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expires_refused_twice_is_a_typed_error() {
    let relay = ScriptedRelay::start_with(600, Mode::OutOfBounds).await;
    let (driver, _events) = Driver::spawn(DriverConfig::default());
    let result = timeout(
        LIMIT,
        driver.authenticate(
            relay.config("alice", "wonderland"),
            "127.0.0.1",
            9,
            relay.client_tls(),
        ),
    )
    .await
    .unwrap();
    assert!(
        matches!(&result, Err(NetError::Relay(f)) if f.reason == Failure::ExpiresOutOfBounds),
        "{result:?}"
    );
    driver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn falls_back_to_an_alternative_and_fails_with_the_last_one() {
    let relay = ScriptedRelay::start(600).await;
    let silent = ScriptedRelay::start_with(600, Mode::Silent).await;
    let (driver, _events) = Driver::spawn(DriverConfig::default());
    // One client configuration for both registrations: a TLS connection is shared only by
    // those that verify the relay the same way.
    let tls = relay.client_tls();
    // The first relay cannot be reached; the alternative accepts us.
    let config = ClientConfig::new(vec![Relay::new(nowhere().await, "alice", "wonderland")])
        .with_alternatives(vec![Relay::new(relay.uri.clone(), "alice", "wonderland")]);
    let first = timeout(
        LIMIT,
        driver.authenticate(config, "127.0.0.1", 9, tls.clone()),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(first.use_path.first().port(), relay.uri.port());
    // A second registration to the same relay shares the connection, with its own URIs.
    let second = timeout(
        LIMIT,
        driver.authenticate(relay.config("alice", "wonderland"), "127.0.0.1", 9, tls),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(second.connection, first.connection);
    assert_ne!(second.id, first.id);
    assert_ne!(second.local_uri, first.local_uri);
    assert_ne!(second.use_path, first.use_path);
    assert_eq!(relay.accepted_auths(), 2);

    // Every first relay fails: the error names the last one tried, with its reason.
    let config = ClientConfig::new(vec![Relay::new(nowhere().await, "alice", "wonderland")])
        .with_alternatives(vec![Relay::new(silent.uri.clone(), "alice", "wonderland")])
        .with_transaction_timeout(Duration::from_millis(300));
    let result = timeout(
        LIMIT,
        driver.authenticate(config, "127.0.0.1", 9, silent.client_tls()),
    )
    .await
    .unwrap();
    match result {
        Err(NetError::Relay(f)) => {
            assert_eq!(f.relay, silent.uri);
            assert_eq!(f.reason, Failure::Timeout);
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    driver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_dropping_the_connection_fails_sessions_and_the_registration() {
    let relay = ScriptedRelay::start(600).await;
    let mut alice = client(&relay, "alice", "wonderland").await;
    let bob = client(&relay, "bob", "builder").await;
    let (sa, _sb) = sessions(&relay, &alice, &bob).await;
    // A transfer in progress when the relay goes away: its source never ends.
    let (_feed, source) = tokio::io::duplex(1024);
    let stuck = alice
        .driver
        .send(sa, Text::new("image/png").unwrap(), Some(1 << 20), source)
        .await
        .unwrap();
    relay.drop_connections();
    let mut session_failed = false;
    let mut relay_failed = None;
    let mut closed = false;
    timeout(LIMIT, async {
        while !(session_failed && closed && relay_failed.is_some()) {
            match alice.events.recv().await.expect("events") {
                NetEvent::SessionFailed { session, .. } if session == sa => session_failed = true,
                NetEvent::ConnectionClosed { connection, .. } => {
                    closed |= connection == alice.registration.connection;
                }
                NetEvent::RelayFailed {
                    registration,
                    reason,
                    ..
                } => {
                    assert_eq!(registration, alice.registration.id);
                    relay_failed = Some(reason);
                }
                _ => {}
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(relay_failed, Some(Failure::ConnectionLost));
    // The registration is gone, and the session with it.
    let again = alice
        .driver
        .add_relay_session(
            alice.registration.id,
            bob.registration.sdp_path.clone(),
            SessionConfig::default(),
        )
        .await;
    assert!(
        matches!(again, Err(NetError::UnknownRegistration)),
        "{again:?}"
    );
    assert!(timeout(LIMIT, stuck.result()).await.unwrap().is_err());
    let sent = alice
        .driver
        .send(sa, Text::new("text/plain").unwrap(), Some(2), &b"hi"[..])
        .await;
    assert!(
        matches!(
            sent,
            Err(NetError::User(msrp::endpoint::UserError::SessionFailed))
        ),
        "{sent:?}"
    );
    alice.driver.shutdown().await;
    bob.driver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshes_run_during_a_transfer_without_disturbing_it() {
    // Expires 2 s: each client refreshes every 1.8 s.
    let relay = ScriptedRelay::start(2).await;
    let mut alice = client(&relay, "alice", "wonderland").await;
    let mut bob = client(&relay, "bob", "builder").await;
    let (sa, _sb) = sessions(&relay, &alice, &bob).await;

    // A source that trickles 32 KiB every 100 ms for 4.5 s.
    let data = content(45 * 32 * 1024, 3);
    let (mut feed, source) = tokio::io::duplex(64 << 10);
    let feeder = {
        let data = data.clone();
        tokio::spawn(async move {
            for piece in data.chunks(32 * 1024) {
                feed.write_all(piece).await.unwrap();
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let sent = alice
        .driver
        .send(
            sa,
            Text::new("image/png").unwrap(),
            Some(data.len() as u64),
            source,
        )
        .await
        .unwrap();
    let (got, _) = timeout(LIMIT, receive(&mut bob)).await.unwrap();
    feeder.await.unwrap();
    assert!(got == data, "Bob got every byte in order");
    assert_eq!(sent.result().await.unwrap(), data.len() as u64);
    let mut refreshed = 0;
    while let Ok(event) = alice.events.try_recv() {
        match event {
            NetEvent::RelayRefreshed {
                registration,
                expires,
                ..
            } => {
                assert_eq!(registration, alice.registration.id);
                assert_eq!(expires, Duration::from_secs(2));
                refreshed += 1;
            }
            NetEvent::SessionFailed { .. } | NetEvent::RelayFailed { .. } => {
                panic!("unexpected {event:?}")
            }
            _ => {}
        }
    }
    assert!(refreshed >= 2, "refreshed {refreshed} times");
    // Two initial AUTHs and the refreshes of both clients.
    assert!(relay.accepted_auths() >= 2 + refreshed);
    alice.driver.shutdown().await;
    bob.driver.shutdown().await;
}
