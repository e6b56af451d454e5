//! The tokio driver over real loopback TCP sockets.

use std::net::SocketAddr;
use std::time::Duration;

use msrp::net::{
    CloseReason, Driver, DriverConfig, HashingWriter, NetEvent, PositionalHashingWriter,
    TransferError,
};
use msrp::{ConnectionId, Path, SessionConfig, SessionId, Text};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

/// Deterministic content: byte i is a function of i.
fn content(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).rotate_left(7) as u8)
        .collect()
}

fn path(port: u16, id: &str) -> Path {
    format!("msrp://127.0.0.1:{port}/{id};tcp").parse().unwrap()
}

struct Pair {
    alice: Driver,
    alice_events: mpsc::Receiver<NetEvent>,
    bob: Driver,
    bob_events: mpsc::Receiver<NetEvent>,
    bob_addr: SocketAddr,
}

async fn pair() -> Pair {
    pair_with(DriverConfig::default()).await
}

/// [`pair`] with Bob's driver configured by `bob_config`.
async fn pair_with(bob_config: DriverConfig) -> Pair {
    let (bob, bob_events) = Driver::spawn(bob_config);
    let bob_addr = bob.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (alice, alice_events) = Driver::spawn(DriverConfig::default());
    Pair {
        alice,
        alice_events,
        bob,
        bob_events,
        bob_addr,
    }
}

/// Alice (active) and Bob (passive) sessions named `a{n}`/`b{n}`, Alice connected.
async fn sessions(p: &Pair, n: u32) -> (SessionId, SessionId, ConnectionId) {
    let a_path = path(9, &format!("alicesess{n}"));
    let b_path = path(p.bob_addr.port(), &format!("bobsess{n}"));
    let b = p
        .bob
        .add_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    let a = p
        .alice
        .add_session(a_path, b_path, SessionConfig::default())
        .await
        .unwrap();
    let conn = p.alice.connect(a).await.unwrap();
    (a, b, conn)
}

async fn next_incoming(events: &mut mpsc::Receiver<NetEvent>) -> (SessionId, msrp::MessageId) {
    loop {
        match timeout(LIMIT, events.recv()).await.unwrap().unwrap() {
            NetEvent::Incoming {
                session,
                message_id,
                ..
            } => return (session, message_id),
            _ => continue,
        }
    }
}

/// Takes the next incoming message into a pipe, reads it whole and checks that the transfer
/// reports every byte; returns the session it came on and the bytes.
async fn receive_whole(
    driver: &Driver,
    events: &mut mpsc::Receiver<NetEvent>,
) -> (SessionId, Vec<u8>) {
    let (session, id) = next_incoming(events).await;
    let (sink, mut reader) = tokio::io::duplex(1024);
    let received = driver.accept(session, id, sink).await.unwrap();
    let mut got = Vec::new();
    timeout(LIMIT, reader.read_to_end(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        timeout(LIMIT, received.result()).await.unwrap(),
        Ok(got.len() as u64)
    );
    (session, got)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_16_mib_over_loopback_and_reuses_the_connection() {
    let mut p = pair().await;
    let (a, b, conn) = sessions(&p, 1).await;
    let data = content(16 << 20);
    let sent = p
        .alice
        .send(
            a,
            Text::new("application/octet-stream").unwrap(),
            Some(data.len() as u64),
            std::io::Cursor::new(data.clone()),
        )
        .await
        .unwrap();
    let (session, id) = next_incoming(&mut p.bob_events).await;
    assert_eq!(session, b);
    assert_eq!(id, sent.message_id());
    let (sink, mut reader) = tokio::io::duplex(64 << 10);
    let (sink, digests) = HashingWriter::new(sink);
    let received = p.bob.accept(session, id, sink).await.unwrap();
    let mut got = Vec::new();
    timeout(LIMIT, reader.read_to_end(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        timeout(LIMIT, received.result()).await.unwrap(),
        Ok(data.len() as u64)
    );
    assert_eq!(
        timeout(LIMIT, sent.result()).await.unwrap(),
        Ok(data.len() as u64)
    );
    assert!(got == data, "received bytes differ");
    // Hashes computed while streaming match the content's.
    let digests = digests.await.unwrap();
    assert_eq!(digests.size, data.len() as u64);
    assert_eq!(digests.sha256, <[u8; 32]>::from(Sha256::digest(&data)));

    // A second session to the same peer host:port uses the same connection.
    let (a2, _b2, conn2) = sessions(&p, 2).await;
    assert_eq!(conn2, conn);
    let small = p
        .alice
        .send(
            a2,
            Text::new("text/plain").unwrap(),
            None,
            &b"second session"[..],
        )
        .await
        .unwrap();
    let (_, got) = receive_whole(&p.bob, &mut p.bob_events).await;
    assert_eq!(got, b"second session");
    assert_eq!(small.result().await, Ok(14));
    p.alice.shutdown().await;
    p.bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_disconnects_mid_transfer_fails_the_message() {
    let (bob, mut bob_events) = Driver::spawn(DriverConfig::default());
    let addr = bob.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let a_path = path(9, "alicecut");
    let b_path = path(addr.port(), "bobcut");
    bob.add_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();

    // A hand-written sender: a SEND chunk with half its declared bytes, then the socket closes.
    let mut raw = TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "MSRP txn00001 SEND\r\nTo-Path: {b_path}\r\nFrom-Path: {a_path}\r\nMessage-ID: msg00001\r\n\
         Byte-Range: 1-*/100000\r\nContent-Type: text/plain\r\n\r\n"
    );
    raw.write_all(head.as_bytes()).await.unwrap();
    raw.write_all(&[b'x'; 50_000]).await.unwrap();
    let (session, id) = next_incoming(&mut bob_events).await;
    let (sink, mut reader) = tokio::io::duplex(1 << 20);
    let received = bob.accept(session, id, sink).await.unwrap();
    drop(raw);
    let result = timeout(LIMIT, received.result()).await.unwrap();
    assert!(
        result.is_err(),
        "a cut transfer must not complete: {result:?}"
    );
    let mut got = Vec::new();
    // The sink is not shut down on failure: read what arrived without waiting for EOF.
    let _ = timeout(Duration::from_millis(200), reader.read_to_end(&mut got)).await;
    assert!(got.len() <= 50_000);
    loop {
        match timeout(LIMIT, bob_events.recv()).await.unwrap().unwrap() {
            NetEvent::ConnectionClosed { reason, .. } => {
                assert_eq!(reason, CloseReason::PeerClosed);
                break;
            }
            _ => continue,
        }
    }
    bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sender_sees_a_failure_when_the_receiver_goes_away() {
    let mut p = pair().await;
    let (a, _b, _conn) = sessions(&p, 3).await;
    let data = content(8 << 20);
    let sent = p
        .alice
        .send(
            a,
            Text::new("application/octet-stream").unwrap(),
            Some(data.len() as u64),
            std::io::Cursor::new(data),
        )
        .await
        .unwrap();
    let _ = next_incoming(&mut p.bob_events).await;
    // Bob never accepts and stops: the connection goes, the message fails.
    p.bob.shutdown().await;
    let result = timeout(LIMIT, sent.result()).await.unwrap();
    assert!(
        matches!(result, Err(TransferError::Message(_))),
        "{result:?}"
    );
    loop {
        if let NetEvent::SessionFailed { session, .. } = timeout(LIMIT, p.alice_events.recv())
            .await
            .unwrap()
            .unwrap()
        {
            assert_eq!(session, a);
            break;
        }
    }
    p.alice.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_closes_only_its_own_connection() {
    let mut p = pair().await;
    let (a, _b, _conn) = sessions(&p, 4).await;

    // A peer whose first line is not MSRP: framing is lost, that connection closes.
    let mut raw = TcpStream::connect(p.bob_addr).await.unwrap();
    raw.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 64];
    let n = timeout(LIMIT, raw.read(&mut buf))
        .await
        .unwrap()
        .unwrap_or(0);
    assert_eq!(n, 0, "the garbage connection is closed");
    loop {
        if let NetEvent::ConnectionClosed { reason, .. } =
            timeout(LIMIT, p.bob_events.recv()).await.unwrap().unwrap()
        {
            assert!(matches!(reason, CloseReason::Engine(_)), "{reason:?}");
            break;
        }
    }

    // The other connection still works.
    let sent = p
        .alice
        .send(a, Text::new("text/plain").unwrap(), Some(5), &b"still"[..])
        .await
        .unwrap();
    let (_, got) = receive_whole(&p.bob, &mut p.bob_events).await;
    assert_eq!(got, b"still");
    assert_eq!(sent.result().await, Ok(5));
    p.alice.shutdown().await;
    p.bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recoverable_error_is_answered_and_the_connection_stays() {
    let (bob, mut bob_events) = Driver::spawn(DriverConfig::default());
    let addr = bob.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let a_path = path(9, "alicebad");
    let b_path = path(addr.port(), "bobbad");
    bob.add_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    let mut raw = TcpStream::connect(addr).await.unwrap();
    // A SEND for an unknown session: 481, the connection stays.
    let unknown = path(addr.port(), "nosuchsession");
    let send = format!(
        "MSRP txn00009 SEND\r\nTo-Path: {unknown}\r\nFrom-Path: {a_path}\r\nMessage-ID: msg00009\r\n\
         Byte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------txn00009$\r\n"
    );
    raw.write_all(send.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 256];
    let n = timeout(LIMIT, raw.read(&mut answer))
        .await
        .unwrap()
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
    assert!(answer.starts_with("MSRP txn00009 481"), "{answer}");
    // The same connection then binds the real session.
    let good = format!(
        "MSRP txn00010 SEND\r\nTo-Path: {b_path}\r\nFrom-Path: {a_path}\r\nMessage-ID: msg00010\r\n\
         Byte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nok\r\n-------txn00010$\r\n"
    );
    raw.write_all(good.as_bytes()).await.unwrap();
    let (_, got) = receive_whole(&bob, &mut bob_events).await;
    assert_eq!(got, b"ok");
    bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_sink_slows_the_sender_instead_of_failing() {
    // A receive window far below the message size: only backpressure can make it through.
    let window = SessionConfig::default().with_receive_window(512 << 10);
    let config = DriverConfig::default().with_input_pause(64 << 10);
    let (bob, mut bob_events) = Driver::spawn(config);
    let addr = bob.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
    let a_path = path(9, "aliceslow");
    let b_path = path(addr.port(), "bobslow");
    bob.add_session(b_path.clone(), a_path.clone(), window)
        .await
        .unwrap();
    let a = alice
        .add_session(a_path, b_path, SessionConfig::default())
        .await
        .unwrap();
    alice.connect(a).await.unwrap();
    let data = content(4 << 20);
    // The content comes through a pipe: 4 KiB first (enough for a first chunk), the rest
    // once Bob has accepted, so what is tested is the slow sink, not a slow accept.
    let (mut source_in, source) = tokio::io::duplex(64 << 10);
    let sent = alice
        .send(
            a,
            Text::new("application/octet-stream").unwrap(),
            Some(data.len() as u64),
            source,
        )
        .await
        .unwrap();
    source_in.write_all(&data[..4096]).await.unwrap();
    let (session, id) = next_incoming(&mut bob_events).await;
    let (sink, mut reader) = tokio::io::duplex(4 << 10);
    let received = bob.accept(session, id, sink).await.unwrap();
    let rest = data[4096..].to_vec();
    tokio::spawn(async move { source_in.write_all(&rest).await });
    let mut got = Vec::new();
    let mut buf = vec![0u8; 16 << 10];
    loop {
        let n = timeout(LIMIT, reader.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    assert_eq!(
        timeout(LIMIT, received.result()).await.unwrap(),
        Ok(data.len() as u64)
    );
    assert_eq!(
        timeout(LIMIT, sent.result()).await.unwrap(),
        Ok(data.len() as u64)
    );
    assert!(got == data, "received bytes differ");
    alice.shutdown().await;
    bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed_and_a_refused_connect_is_reported() {
    let config = DriverConfig::default().with_idle_timeout(Some(Duration::from_millis(200)));
    let (bob, mut bob_events) = Driver::spawn(config);
    let addr = bob.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let mut raw = TcpStream::connect(addr).await.unwrap();
    loop {
        if let NetEvent::ConnectionClosed { reason, .. } =
            timeout(LIMIT, bob_events.recv()).await.unwrap().unwrap()
        {
            assert_eq!(reason, CloseReason::Idle);
            break;
        }
    }
    let mut buf = [0u8; 8];
    assert_eq!(
        timeout(LIMIT, raw.read(&mut buf))
            .await
            .unwrap()
            .unwrap_or(0),
        0
    );

    // Nobody listens on the port the listener had once it is gone.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let a = bob
        .add_session(
            path(addr.port(), "bobidle"),
            path(closed, "nobody"),
            SessionConfig::default(),
        )
        .await
        .unwrap();
    let result = timeout(LIMIT, bob.connect(a)).await.unwrap();
    assert!(
        matches!(result, Err(msrp::net::NetError::Io(_))),
        "{result:?}"
    );
    bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_positional_sink_writes_chunks_that_arrive_out_of_order() {
    let (bob, mut bob_events) = Driver::spawn(DriverConfig::default());
    let addr = bob.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let a_path = path(9, "alicepos");
    let b_path = path(addr.port(), "bobpos");
    bob.add_positional_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    // The second half (the last chunk, `$`) first, then the first half (`+`).
    let chunk = |tid: &str, range: &str, body: &str, flag: char| {
        format!(
            "MSRP {tid} SEND\r\nTo-Path: {b_path}\r\nFrom-Path: {a_path}\r\n\
             Message-ID: msgpos01\r\nByte-Range: {range}\r\nContent-Type: text/plain\r\n\r\n\
             {body}\r\n-------{tid}{flag}\r\n"
        )
    };
    let mut raw = TcpStream::connect(addr).await.unwrap();
    raw.write_all(chunk("txnpos02", "6-10/10", "world", '$').as_bytes())
        .await
        .unwrap();
    let (session, id) = next_incoming(&mut bob_events).await;
    let file = std::env::temp_dir().join(format!("msrp-net-positional-{}", std::process::id()));
    let sink = tokio::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&file)
        .await
        .unwrap();
    let (sink, digests) = PositionalHashingWriter::new(sink);
    // A positional session takes only positional sinks.
    let (wrong, _) = tokio::io::duplex(16);
    assert!(matches!(
        bob.accept(session, id, wrong).await,
        Err(msrp::net::NetError::WrongSink)
    ));
    let received = bob.accept_positional(session, id, sink).await.unwrap();
    raw.write_all(chunk("txnpos01", "1-5/10", "hello", '+').as_bytes())
        .await
        .unwrap();
    assert_eq!(timeout(LIMIT, received.result()).await.unwrap(), Ok(10));
    assert_eq!(tokio::fs::read(&file).await.unwrap(), b"helloworld");
    // Hashed while written, except "world", which came ahead of the prefix and was read back.
    let digests = digests.await.unwrap();
    assert_eq!(digests.size, 10);
    assert_eq!(digests.reread, 5);
    assert_eq!(
        digests.sha256,
        <[u8; 32]>::from(Sha256::digest(b"helloworld"))
    );
    let _ = tokio::fs::remove_file(&file).await;
    bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_message_is_refused_after_the_accept_timeout() {
    let config = DriverConfig::default().with_accept_timeout(Duration::from_millis(200));
    let (bob, mut bob_events) = Driver::spawn(config);
    let addr = bob.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
    let a_path = path(9, "aliceunans");
    let b_path = path(addr.port(), "bobunans");
    bob.add_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    let a = alice
        .add_session(a_path, b_path, SessionConfig::default())
        .await
        .unwrap();
    alice.connect(a).await.unwrap();
    let data = content(4 << 20);
    let sent = alice
        .send(
            a,
            Text::new("application/octet-stream").unwrap(),
            Some(data.len() as u64),
            std::io::Cursor::new(data),
        )
        .await
        .unwrap();
    let (session, id) = next_incoming(&mut bob_events).await;
    // Bob never answers: the message is refused with 413 and the sender learns it.
    let result = timeout(LIMIT, sent.result()).await.unwrap();
    assert!(
        matches!(&result, Err(TransferError::Message(e)) if e.status().code() == 413),
        "{result:?}"
    );
    // A late accept gets the failure, never a complete message.
    let (sink, _reader) = tokio::io::duplex(1024);
    match bob.accept(session, id, sink).await {
        Ok(t) => assert!(t.result().await.is_err()),
        Err(e) => assert!(matches!(e, msrp::net::NetError::UnknownMessage), "{e:?}"),
    }
    // The connection was not harmed: another message goes through.
    let small = alice
        .send(a, Text::new("text/plain").unwrap(), Some(2), &b"ok"[..])
        .await
        .unwrap();
    let (_, got) = receive_whole(&bob, &mut bob_events).await;
    assert_eq!(got, b"ok");
    assert_eq!(small.result().await, Ok(2));
    alice.shutdown().await;
    bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_refused_when_nobody_listens_for_events() {
    let (bob, bob_events) = Driver::spawn(DriverConfig::default());
    drop(bob_events);
    let addr = bob.listen("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
    let a_path = path(9, "alicedeaf");
    let b_path = path(addr.port(), "bobdeaf");
    bob.add_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    let a = alice
        .add_session(a_path, b_path, SessionConfig::default())
        .await
        .unwrap();
    alice.connect(a).await.unwrap();
    // A message of many chunks (one that fits a single read may be answered 200 before the
    // driver sees it start).
    let data = content(4 << 20);
    let sent = alice
        .send(
            a,
            Text::new("application/octet-stream").unwrap(),
            Some(data.len() as u64),
            std::io::Cursor::new(data),
        )
        .await
        .unwrap();
    let result = timeout(Duration::from_secs(5), sent.result())
        .await
        .unwrap();
    assert!(
        matches!(&result, Err(TransferError::Message(e)) if e.status().code() == 413),
        "{result:?}"
    );
    alice.shutdown().await;
    bob.shutdown().await;
}

/// CEMA (RFC 6714 §4): the active side connects to the SDP address it is given while the
/// path URIs name a host it could not reach (here a `.invalid` name).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cema_connects_to_the_given_address_not_the_path_host() {
    let mut p = pair().await;
    let a_path = path(9, "alicecema");
    let b_path: Path = "msrp://bob.cema.invalid:1/bobcema;tcp".parse().unwrap();
    let b = p
        .bob
        .add_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    let a = p
        .alice
        .add_session(a_path, b_path, SessionConfig::default())
        .await
        .unwrap();
    p.alice.connect_via(a, p.bob_addr).await.unwrap();
    let sent = p
        .alice
        .send(a, Text::new("text/plain").unwrap(), None, &b"via CEMA"[..])
        .await
        .unwrap();
    let (session, got) = receive_whole(&p.bob, &mut p.bob_events).await;
    assert_eq!(session, b);
    assert_eq!(got, b"via CEMA");
    assert_eq!(timeout(LIMIT, sent.result()).await.unwrap(), Ok(8));
    p.alice.shutdown().await;
}

/// Endless content that counts what the driver pulled from it.
struct Counting {
    pulled: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl tokio::io::AsyncRead for Counting {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let n = buf.remaining().min(16 << 10);
        buf.put_slice(&vec![b'x'; n]);
        self.pulled
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        std::task::Poll::Ready(Ok(()))
    }
}

/// A peer that answers the binding SEND and then never reads again: the sender pulls only
/// what its bounded queues and the sockets' buffers hold, not the whole message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_reading_bounds_what_the_sender_pulls() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (a_path, b_path) = (path(9, "alicestall"), path(port, "bobstall"));
    let peer = tokio::spawn({
        let (a_path, b_path) = (a_path.clone(), b_path.clone());
        async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            // Read the bodiless SEND whole, answer it, then stop reading.
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"$\r\n") {
                socket.read_exact(&mut byte).await.unwrap();
                head.push(byte[0]);
            }
            let text = String::from_utf8(head).unwrap();
            let tid = text.split(' ').nth(1).unwrap().to_owned();
            let answer = format!(
                "MSRP {tid} 200 OK\r\nTo-Path: {a_path}\r\nFrom-Path: {b_path}\r\n-------{tid}$\r\n"
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
            tokio::time::sleep(Duration::from_secs(60)).await;
            drop(socket);
        }
    });
    let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
    let a = alice
        .add_session(a_path, b_path, SessionConfig::default())
        .await
        .unwrap();
    alice.connect(a).await.unwrap();
    let pulled = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let size = 256u64 << 20;
    let sent = alice
        .send(
            a,
            Text::new("application/octet-stream").unwrap(),
            Some(size),
            Counting {
                pulled: pulled.clone(),
            },
        )
        .await
        .unwrap();
    // Wait until the pulling stops (unchanged for half a second).
    let mut last = u64::MAX;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = pulled.load(std::sync::atomic::Ordering::Relaxed);
        if now == last {
            break;
        }
        last = now;
    }
    let now = pulled.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(now, last, "the sender kept pulling");
    // The engine's write queue (1 MiB), send buffer (256 KiB) and the driver's segment
    // queue, plus what the two loopback socket buffers took: far below the message.
    assert!(now < 16 << 20, "pulled {now} bytes of {size}");
    assert!(now > 0);
    alice.shutdown().await;
    assert!(sent.result().await.is_err());
    // The writer blocked on the full socket is stopped after its linger time, which closes
    // the socket: only the peer's task is left (this test's runtime is its own).
    let metrics = tokio::runtime::Handle::current().metrics();
    let mut alive = metrics.num_alive_tasks();
    for _ in 0..100 {
        if alive == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        alive = metrics.num_alive_tasks();
    }
    assert_eq!(alive, 1, "tasks left behind after shutdown");
    peer.abort();
}

/// Bob with a 4 KiB input pause (and `config`'s other settings) and Alice connected; a
/// 10 kB message from Alice that completes (every chunk acknowledged) while Bob leaves it
/// unanswered. Returns the pair, Alice's session and the unanswered message.
async fn unanswered_complete_message(
    config: DriverConfig,
) -> (Pair, SessionId, SessionId, msrp::MessageId) {
    let mut p = pair_with(config.with_input_pause(4 << 10)).await;
    let (a, _, _) = sessions(&p, 77).await;
    let data = content(10_000);
    let sent = p
        .alice
        .send(
            a,
            Text::new("text/plain").unwrap(),
            Some(10_000),
            std::io::Cursor::new(data),
        )
        .await
        .unwrap();
    let (session, id) = next_incoming(&mut p.bob_events).await;
    assert_eq!(timeout(LIMIT, sent.result()).await.unwrap(), Ok(10_000));
    (p, a, session, id)
}

/// After the held message is gone, five more messages on the same connection get through
/// (before, the held bytes kept the connection's reads paused for good).
async fn five_more_get_through(p: &mut Pair, a: SessionId) {
    for i in 0..5u8 {
        let body = vec![b'a' + i; 3000];
        let sent = p
            .alice
            .send(
                a,
                Text::new("text/plain").unwrap(),
                Some(3000),
                std::io::Cursor::new(body.clone()),
            )
            .await
            .unwrap();
        let (_, got) = receive_whole(&p.bob, &mut p.bob_events).await;
        assert_eq!(got, body);
        assert_eq!(timeout(LIMIT, sent.result()).await.unwrap(), Ok(3000));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejecting_a_message_that_already_completed_frees_its_bytes() {
    let (mut p, a, session, id) = unanswered_complete_message(DriverConfig::default()).await;
    // The engine has forgotten it (complete); the driver still held its bytes.
    p.bob.reject(session, id).await.unwrap();
    assert!(matches!(
        p.bob.reject(session, id).await,
        Err(msrp::net::NetError::User(_))
    ));
    five_more_get_through(&mut p, a).await;
    p.alice.shutdown().await;
    p.bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completed_message_nobody_answers_is_dropped_after_the_accept_timeout() {
    let config = DriverConfig::default().with_accept_timeout(Duration::from_millis(300));
    let (mut p, a, session, id) = unanswered_complete_message(config).await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (sink, _reader) = tokio::io::duplex(16);
    assert!(matches!(
        p.bob.accept(session, id, sink).await,
        Err(msrp::net::NetError::UnknownMessage)
    ));
    five_more_get_through(&mut p, a).await;
    p.alice.shutdown().await;
    p.bob.shutdown().await;
}

/// Takes `left` bytes, then fails every write.
struct FailingSink {
    left: usize,
}

impl tokio::io::AsyncWrite for FailingSink {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        if self.left == 0 {
            return std::task::Poll::Ready(Err(std::io::ErrorKind::StorageFull.into()));
        }
        let n = buf.len().min(self.left);
        self.left -= n;
        std::task::Poll::Ready(Ok(n))
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// A sink that fails mid-message fails that message (the sender hears 413) and gives its
/// bytes back: later messages on the same connection still get through, several times.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sink_failing_mid_message_fails_only_that_message() {
    let mut p = pair_with(DriverConfig::default().with_input_pause(64 << 10)).await;
    let (a, _, _) = sessions(&p, 78).await;
    for _ in 0..3 {
        let data = content(1 << 20);
        let sent = p
            .alice
            .send(
                a,
                Text::new("application/octet-stream").unwrap(),
                Some(data.len() as u64),
                std::io::Cursor::new(data),
            )
            .await
            .unwrap();
        let (session, id) = next_incoming(&mut p.bob_events).await;
        let received = p
            .bob
            .accept(session, id, FailingSink { left: 20_000 })
            .await
            .unwrap();
        assert_eq!(
            timeout(LIMIT, received.result()).await.unwrap(),
            Err(TransferError::Sink(std::io::ErrorKind::StorageFull))
        );
        let failed = timeout(LIMIT, sent.result()).await.unwrap().unwrap_err();
        assert!(
            matches!(&failed, TransferError::Message(e) if e.status() == msrp::StatusCode::TooLarge),
            "{failed:?}"
        );
    }
    five_more_get_through(&mut p, a).await;
    p.alice.shutdown().await;
    p.bob.shutdown().await;
}

/// A sink nobody reads pauses its connection; after `sink_stall` its message is failed
/// (413 to the sender) and the other session on the connection completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_sink_is_failed_so_the_connection_goes_on() {
    let config = DriverConfig::default()
        .with_input_pause(64 << 10)
        .with_sink_stall(Duration::from_millis(500));
    let mut p = pair_with(config).await;
    let (a1, _, c1) = sessions(&p, 80).await;
    let (a2, _, c2) = sessions(&p, 81).await;
    assert_eq!(c1, c2, "one connection");
    let big = content(2 << 20);
    let stalled = p
        .alice
        .send(
            a1,
            Text::new("application/octet-stream").unwrap(),
            Some(big.len() as u64),
            std::io::Cursor::new(big),
        )
        .await
        .unwrap();
    let (session, id) = next_incoming(&mut p.bob_events).await;
    // A pipe whose reader never reads.
    let (sink, _never_read) = tokio::io::duplex(1024);
    let received = p.bob.accept(session, id, sink).await.unwrap();
    let small = content(100_000);
    let other = p
        .alice
        .send(
            a2,
            Text::new("application/octet-stream").unwrap(),
            Some(small.len() as u64),
            std::io::Cursor::new(small.clone()),
        )
        .await
        .unwrap();
    assert_eq!(
        timeout(LIMIT, received.result()).await.unwrap(),
        Err(TransferError::Sink(std::io::ErrorKind::TimedOut))
    );
    let failed = timeout(LIMIT, stalled.result()).await.unwrap().unwrap_err();
    assert!(
        matches!(&failed, TransferError::Message(e) if e.status() == msrp::StatusCode::TooLarge),
        "{failed:?}"
    );
    let (_, got) = receive_whole(&p.bob, &mut p.bob_events).await;
    assert!(got == small, "the other session's bytes differ");
    assert_eq!(timeout(LIMIT, other.result()).await.unwrap(), Ok(100_000));
    p.alice.shutdown().await;
    p.bob.shutdown().await;
}

/// At most `max_unanswered` messages wait for an answer; the next is refused (413, before
/// anything of it is acknowledged) while the waiting ones can still be taken, and once they
/// are answered new messages are taken again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_beyond_max_unanswered_are_refused() {
    let mut p = pair_with(DriverConfig::default().with_max_unanswered(2)).await;
    let (a, _, _) = sessions(&p, 82).await;
    let send = |i: u8| {
        let alice = p.alice.clone();
        async move {
            let body = vec![b'0' + i; 100];
            alice
                .send(
                    a,
                    Text::new("text/plain").unwrap(),
                    Some(100),
                    std::io::Cursor::new(body),
                )
                .await
                .unwrap()
        }
    };
    // Two messages, each announced before the next is sent.
    let mut waiting = Vec::new();
    for i in 0..2 {
        let transfer = send(i).await;
        let (session, id) = next_incoming(&mut p.bob_events).await;
        assert_eq!(timeout(LIMIT, transfer.result()).await.unwrap(), Ok(100));
        waiting.push((session, id, i));
    }
    let refused = timeout(LIMIT, send(2).await.result())
        .await
        .unwrap()
        .unwrap_err();
    assert!(
        matches!(&refused, TransferError::Message(e) if e.status() == msrp::StatusCode::TooLarge),
        "{refused:?}"
    );
    for (session, id, i) in waiting {
        let (sink, mut reader) = tokio::io::duplex(1024);
        let received = p.bob.accept(session, id, sink).await.unwrap();
        let mut got = Vec::new();
        reader.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, vec![b'0' + i; 100]);
        assert_eq!(timeout(LIMIT, received.result()).await.unwrap(), Ok(100));
    }
    let again = send(3).await;
    let (_, got) = receive_whole(&p.bob, &mut p.bob_events).await;
    assert_eq!(got, vec![b'3'; 100]);
    assert_eq!(timeout(LIMIT, again.result()).await.unwrap(), Ok(100));
    p.alice.shutdown().await;
    p.bob.shutdown().await;
}
