//! The tokio driver over TLS (`msrps:`) on loopback, with self-signed certificates made at
//! run time and authenticated by their SHA-256 fingerprints (RFC 8122), in both roles.

#[path = "support/identity.rs"]
mod identity;

use identity::{Identity, identity, provider};
use std::sync::Arc;
use std::time::Duration;

use msrp::net::tls::{Fingerprint, FingerprintVerifier};
use msrp::net::{Driver, DriverConfig, NetError, NetEvent};
use msrp::{Path, SessionConfig, Text};

use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(30);

/// A server config presenting `me` and requiring a client certificate with `peer`'s fingerprint.
fn server_config(me: &Identity, peer: Fingerprint) -> Arc<rustls::ServerConfig> {
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(FingerprintVerifier::new([peer]))
        .with_single_cert(vec![me.cert.clone()], me.key.clone_key())
        .unwrap();
    Arc::new(config)
}

/// A client config presenting `me` and accepting only a server with `peer`'s fingerprint.
fn client_config(me: &Identity, peer: Fingerprint) -> Arc<rustls::ClientConfig> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(FingerprintVerifier::new([peer]))
        .with_client_auth_cert(vec![me.cert.clone()], me.key.clone_key())
        .unwrap();
    Arc::new(config)
}

/// Takes the next incoming message into a pipe and reads it whole; checks that the transfer
/// reports every byte.
async fn receive_whole(driver: &Driver, events: &mut mpsc::Receiver<NetEvent>) -> Vec<u8> {
    let (session, id) = loop {
        if let NetEvent::Incoming {
            session,
            message_id,
            ..
        } = timeout(LIMIT, events.recv()).await.unwrap().unwrap()
        {
            break (session, message_id);
        }
    };
    let (sink, mut reader) = tokio::io::duplex(64 << 10);
    let received = driver.accept(session, id, sink).await.unwrap();
    let mut got = Vec::new();
    timeout(LIMIT, reader.read_to_end(&mut got))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(received.result().await, Ok(got.len() as u64));
    got
}

fn path(port: u16, id: &str) -> Path {
    format!("msrps://127.0.0.1:{port}/{id};tcp")
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfers_over_tls_with_fingerprints_checked_both_ways() {
    let (alice_id, bob_id) = (identity(), identity());
    let (bob, mut bob_events) = Driver::spawn(DriverConfig::default());
    let addr = bob
        .listen_tls(
            "127.0.0.1:0".parse().unwrap(),
            server_config(&bob_id, alice_id.fingerprint),
        )
        .await
        .unwrap();
    let a_path = path(9, "alicetls1");
    let b_path = path(addr.port(), "bobtls1");
    bob.add_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
    let a = alice
        .add_session(a_path, b_path, SessionConfig::default())
        .await
        .unwrap();
    // msrps needs the TLS call.
    assert!(matches!(
        alice.connect(a).await,
        Err(NetError::UnsupportedScheme)
    ));
    alice
        .connect_tls(a, client_config(&alice_id, bob_id.fingerprint))
        .await
        .unwrap();
    let data: Vec<u8> = (0..1u32 << 20).map(|i| (i % 251) as u8).collect();
    let sent = alice
        .send(
            a,
            Text::new("application/octet-stream").unwrap(),
            Some(data.len() as u64),
            std::io::Cursor::new(data.clone()),
        )
        .await
        .unwrap();
    let got = receive_whole(&bob, &mut bob_events).await;
    assert!(got == data, "received bytes differ");
    assert_eq!(sent.result().await, Ok(data.len() as u64));
    alice.shutdown().await;
    bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_with_another_fingerprint_is_refused() {
    let (alice_id, bob_id, mallory_id) = (identity(), identity(), identity());
    let (bob, _bob_events) = Driver::spawn(DriverConfig::default());
    // The server presents Mallory's certificate where Bob's was negotiated.
    let addr = bob
        .listen_tls(
            "127.0.0.1:0".parse().unwrap(),
            server_config(&mallory_id, alice_id.fingerprint),
        )
        .await
        .unwrap();
    let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
    let a = alice
        .add_session(
            path(9, "alicetls2"),
            path(addr.port(), "bobtls2"),
            SessionConfig::default(),
        )
        .await
        .unwrap();
    let result = timeout(
        LIMIT,
        alice.connect_tls(a, client_config(&alice_id, bob_id.fingerprint)),
    )
    .await
    .unwrap();
    assert!(matches!(result, Err(NetError::Io(_))), "{result:?}");
    alice.shutdown().await;
    bob.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_with_another_fingerprint_is_refused() {
    let (alice_id, bob_id, mallory_id) = (identity(), identity(), identity());
    let (bob, mut bob_events) = Driver::spawn(DriverConfig::default());
    let addr = bob
        .listen_tls(
            "127.0.0.1:0".parse().unwrap(),
            server_config(&bob_id, alice_id.fingerprint),
        )
        .await
        .unwrap();
    let a_path = path(9, "alicetls3");
    let b_path = path(addr.port(), "bobtls3");
    bob.add_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    // Mallory presents her own certificate where Alice's was negotiated.
    let (mallory, mut mallory_events) = Driver::spawn(DriverConfig::default());
    let m = mallory
        .add_session(a_path, b_path, SessionConfig::default())
        .await
        .unwrap();
    // With TLS 1.3 the client may finish its side before the server refuses its certificate:
    // then the connection closes right after, and the session fails.
    match timeout(
        LIMIT,
        mallory.connect_tls(m, client_config(&mallory_id, bob_id.fingerprint)),
    )
    .await
    .unwrap()
    {
        Err(_) => {}
        Ok(_) => loop {
            if let NetEvent::SessionFailed { session, .. } = timeout(LIMIT, mallory_events.recv())
                .await
                .unwrap()
                .unwrap()
            {
                assert_eq!(session, m);
                break;
            }
        },
    }
    // Bob never accepted a connection, so nothing was bound or received.
    while let Ok(Some(event)) = timeout(Duration::from_millis(100), bob_events.recv()).await {
        assert!(
            !matches!(
                event,
                NetEvent::ConnectionAccepted { .. }
                    | NetEvent::SessionBound { .. }
                    | NetEvent::Incoming { .. }
            ),
            "{event:?}"
        );
    }
    mallory.shutdown().await;
    bob.shutdown().await;
}

/// CEMA over TLS (RFC 6714 §4): the paths name a host that does not resolve here; the
/// connection goes to the SDP address, the TLS name stays the path's host, and the peer is
/// authenticated by its fingerprint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cema_over_tls_connects_to_the_sdp_address() {
    let (alice_id, bob_id) = (identity(), identity());
    let (bob, mut bob_events) = Driver::spawn(DriverConfig::default());
    let addr = bob
        .listen_tls(
            "127.0.0.1:0".parse().unwrap(),
            server_config(&bob_id, alice_id.fingerprint),
        )
        .await
        .unwrap();
    let a_path: Path = "msrps://alice.invalid:2855/alicecema;tcp".parse().unwrap();
    let b_path: Path = "msrps://relay.bob.invalid:2855/bobcema;tcp"
        .parse()
        .unwrap();
    bob.add_session(b_path.clone(), a_path.clone(), SessionConfig::default())
        .await
        .unwrap();
    let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
    let a = alice
        .add_session(a_path, b_path, SessionConfig::default())
        .await
        .unwrap();
    alice
        .connect_tls_via(a, addr, client_config(&alice_id, bob_id.fingerprint))
        .await
        .unwrap();
    let sent = alice
        .send(a, Text::new("text/plain").unwrap(), Some(4), &b"cema"[..])
        .await
        .unwrap();
    assert_eq!(receive_whole(&bob, &mut bob_events).await, b"cema");
    assert_eq!(sent.result().await, Ok(4));
    alice.shutdown().await;
    bob.shutdown().await;
}

/// A TLS connection is reused only by a session that asked for the same verification (the
/// same client configuration and server name); another configuration gets its own
/// connection, checked with its own fingerprints.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_connections_are_reused_only_with_the_same_verification() {
    let (alice_id, bob_id, mallory_id) = (identity(), identity(), identity());
    let (bob, _bob_events) = Driver::spawn(DriverConfig::default());
    let addr = bob
        .listen_tls(
            "127.0.0.1:0".parse().unwrap(),
            server_config(&bob_id, alice_id.fingerprint),
        )
        .await
        .unwrap();
    let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
    let trusting = client_config(&alice_id, bob_id.fingerprint);
    let mut ids = Vec::new();
    for n in 0..2 {
        let b = path(addr.port(), &format!("bobreuse{n}"));
        bob.add_session(
            b.clone(),
            path(9, &format!("alicereuse{n}")),
            SessionConfig::default(),
        )
        .await
        .unwrap();
        let a = alice
            .add_session(
                path(9, &format!("alicereuse{n}")),
                b,
                SessionConfig::default(),
            )
            .await
            .unwrap();
        ids.push(alice.connect_tls(a, trusting.clone()).await.unwrap());
    }
    assert_eq!(ids[0], ids[1], "same configuration: one connection");
    // A session whose configuration expects Mallory's fingerprint must not ride on the
    // connection verified for Bob's: it connects anew, and Bob's certificate is refused.
    let b = path(addr.port(), "bobreuse2");
    let a = alice
        .add_session(path(9, "alicereuse2"), b, SessionConfig::default())
        .await
        .unwrap();
    let result = timeout(
        LIMIT,
        alice.connect_tls(a, client_config(&alice_id, mallory_id.fingerprint)),
    )
    .await
    .unwrap();
    assert!(matches!(result, Err(NetError::Io(_))), "{result:?}");
    alice.shutdown().await;
    bob.shutdown().await;
}
