//! The relay driver on loopback: raw MSRP clients over TCP and TLS, a SEND forwarded
//! between two clients with its hop-by-hop answers, AUTH over TLS, AUTH refused over TCP.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use msrp::endpoint::ConnectionId;
use msrp::net::relay_server::{RelayDriver, RelayDriverConfig, RelayNetEvent};
use msrp::net::tls::{Fingerprint, FingerprintVerifier};
use msrp::relay::digest::{self, Challenge, CredentialStore, DigestServer};
use msrp::relay::engine::{Relay, RelayConfig};
use msrp::{Decoder, Flag, Frame, Head, IdGenerator, Message, Response};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(20);
const BOB: &str = "msrp://bob.example.com:8888/b1y7;tcp";
const ALICE: &str = "msrp://alice.example.com:7777/a1x9;tcp";

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Waits for the Accepted event of the socket whose local address is `local`.
async fn accepted(events: &mut mpsc::Receiver<RelayNetEvent>, local: SocketAddr) -> ConnectionId {
    loop {
        match timeout(LIMIT, events.recv()).await.unwrap().unwrap() {
            RelayNetEvent::Accepted {
                connection, peer, ..
            } if peer == local => return connection,
            _ => {}
        }
    }
}

/// Reads one whole message (head, body, flag).
async fn read_message<S: AsyncRead + Unpin>(
    s: &mut S,
    decoder: &mut Decoder,
    buf: &mut BytesMut,
) -> (Head, Vec<u8>, Flag) {
    let mut head = None;
    let mut body = Vec::new();
    loop {
        while let Some(frame) = decoder.decode(buf).unwrap() {
            match frame {
                Frame::Head(h) => head = Some(h),
                Frame::Data(d) => body.extend_from_slice(&d),
                Frame::End(f) => return (head.unwrap(), body, f),
                other => panic!("{other:?}"),
            }
        }
        let n = timeout(LIMIT, s.read_buf(buf)).await.unwrap().unwrap();
        assert!(n > 0, "closed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_forwarded_between_two_clients_over_tcp() {
    let port = free_port();
    let relay = Relay::new(RelayConfig::new("localhost", port), IdGenerator::default());
    let (driver, mut events) = RelayDriver::spawn(relay, RelayDriverConfig::default());
    driver
        .listen(format!("127.0.0.1:{port}").parse().unwrap())
        .await
        .unwrap();
    let mut alice = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let a = accepted(&mut events, alice.local_addr().unwrap()).await;
    let mut bob = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let b = accepted(&mut events, bob.local_addr().unwrap()).await;
    let hour = Duration::from_secs(3600);
    let ua = driver.grant(a, hour).await.unwrap();
    let ub = driver.grant(b, hour).await.unwrap();

    let body: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut send = format!(
        "MSRP t1x9 SEND\r\nTo-Path: {ua} {ub} {BOB}\r\nFrom-Path: {ALICE}\r\n\
         Message-ID: m1x9q\r\nByte-Range: 1-*/{}\r\nContent-Type: application/octet-stream\r\n\r\n",
        body.len()
    )
    .into_bytes();
    send.extend_from_slice(&body);
    send.extend_from_slice(b"\r\n-------t1x9$\r\n");
    let writer = tokio::spawn(async move {
        alice.write_all(&send).await.unwrap();
        alice
    });

    // Bob receives the re-chunked message and answers every chunk.
    let (mut decoder, mut buf) = (Decoder::default(), BytesMut::new());
    let mut received = Vec::new();
    loop {
        let (head, data, flag) = read_message(&mut bob, &mut decoder, &mut buf).await;
        let Head::Request(req) = head else {
            panic!("a request")
        };
        assert_eq!(req.to_path.to_string(), BOB);
        assert_eq!(req.from_path.to_string(), format!("{ub} {ua} {ALICE}"));
        received.extend_from_slice(&data);
        let ok = Head::Response(req.response(msrp::StatusCode::Ok, BOB.parse().unwrap()));
        let bytes = Message {
            head: ok,
            body: None,
            flag: Flag::Complete,
        }
        .to_bytes()
        .unwrap();
        bob.write_all(&bytes).await.unwrap();
        if flag == Flag::Complete {
            break;
        }
    }
    assert_eq!(received, body);

    // Alice gets the relay's hop-by-hop 200.
    let mut alice = writer.await.unwrap();
    let (mut decoder, mut buf) = (Decoder::default(), BytesMut::new());
    let (head, _, _) = read_message(&mut alice, &mut decoder, &mut buf).await;
    let Head::Response(resp) = head else {
        panic!("a response")
    };
    assert_eq!(resp.status.code(), 200);
    assert_eq!(resp.transaction_id.as_str(), "t1x9");
    driver.shutdown().await;
}

struct Users;

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        (username == "alice").then(|| digest::ha1(username, realm, "secret"))
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(s: &mut S, request: &str) -> Response {
    s.write_all(request.as_bytes()).await.unwrap();
    let (mut decoder, mut buf) = (Decoder::default(), BytesMut::new());
    match read_message(s, &mut decoder, &mut buf).await.0 {
        Head::Response(r) => r,
        Head::Request(r) => panic!("{r:?}"),
    }
}

fn auth(tid: &str, to: &str, authorization: Option<&str>) -> String {
    let mut s = format!("MSRP {tid} AUTH\r\nTo-Path: {to}\r\nFrom-Path: {ALICE}\r\n");
    if let Some(a) = authorization {
        s.push_str(&format!("Authorization: {a}\r\n"));
    }
    s.push_str(&format!("-------{tid}$\r\n"));
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_over_tls_gets_a_uri_and_over_tcp_is_refused() {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let cert: CertificateDer<'static> = made.cert.der().clone();
    let key = PrivateKeyDer::try_from(made.signing_key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![cert.clone()], key)
        .unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(FingerprintVerifier::new([Fingerprint::of(
            cert.as_ref(),
        )]))
        .with_no_client_auth();

    let (tls_port, tcp_port) = (free_port(), free_port());
    let now = std::time::Instant::now();
    let digest = DigestServer::new("localhost", [5; 32], Duration::from_secs(300), now);
    let relay = Relay::new(
        RelayConfig::new("localhost", tls_port),
        IdGenerator::default(),
    )
    .with_authentication(digest, Box::new(Users));
    let (driver, _events) = RelayDriver::spawn(relay, RelayDriverConfig::default());
    driver
        .listen_tls(
            format!("127.0.0.1:{tls_port}").parse().unwrap(),
            Arc::new(server),
        )
        .await
        .unwrap();
    driver
        .listen(format!("127.0.0.1:{tcp_port}").parse().unwrap())
        .await
        .unwrap();

    let me = format!("msrps://localhost:{tls_port};tcp");
    let tcp = TcpStream::connect(("127.0.0.1", tls_port)).await.unwrap();
    let mut tls = tokio_rustls::TlsConnector::from(Arc::new(client))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let challenge = exchange(&mut tls, &auth("au01", &me, None)).await;
    assert_eq!(challenge.status.code(), 401);
    let ch = Challenge::parse(&challenge.headers.get("WWW-Authenticate").unwrap()).unwrap();
    let answer = digest::respond(&ch, "alice", "secret", "AUTH", &me, "c0ffee01", 1).to_string();
    let ok = exchange(&mut tls, &auth("au02", &me, Some(&answer))).await;
    assert_eq!(ok.status.code(), 200);
    let uri = ok.headers.use_path().unwrap().first().clone();
    assert_eq!(uri.host_str(), "localhost");
    assert_eq!(uri.port(), Some(tls_port));
    assert!(ok.headers.expires().is_some());

    let mut plain = TcpStream::connect(("127.0.0.1", tcp_port)).await.unwrap();
    let refused = exchange(&mut plain, &auth("au03", &me, None)).await;
    assert_eq!(refused.status.code(), 403);
    driver.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_the_engine_drops_is_closed_and_reported() {
    let port = free_port();
    let relay = Relay::new(RelayConfig::new("localhost", port), IdGenerator::default());
    let (driver, mut events) = RelayDriver::spawn(relay, RelayDriverConfig::default());
    driver
        .listen(format!("127.0.0.1:{port}").parse().unwrap())
        .await
        .unwrap();
    let mut mallory = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let m = accepted(&mut events, mallory.local_addr().unwrap()).await;
    mallory
        .write_all(b"GET / HTTP/1.1\r\nHost: relay\r\n\r\n")
        .await
        .unwrap();
    // The socket is closed without an answer: the read ends, empty.
    let mut rest = Vec::new();
    let ended = timeout(LIMIT, mallory.read_to_end(&mut rest)).await;
    assert!(ended.is_ok(), "the relay closed the socket");
    assert!(rest.is_empty(), "nothing was answered: {rest:?}");
    loop {
        match timeout(LIMIT, events.recv()).await.unwrap().unwrap() {
            RelayNetEvent::Closed { connection, reason } if connection == m => {
                assert!(
                    matches!(reason, msrp::net::CloseReason::RelayEngine(_)),
                    "{reason:?}"
                );
                break;
            }
            _ => {}
        }
    }
    driver.shutdown().await;
}
