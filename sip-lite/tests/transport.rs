//! The tokio transports over loopback: UDP, TCP (connection reuse, received/rport, large
//! requests moved off UDP), TLS with certificates made at run time, and peers that send
//! garbage, stall mid-message or idle (dropped, others unaffected).
#![cfg(feature = "tls")]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use sip_lite::net::{
    ConnectionClosed, Incoming, Receivers, SipTransport, TlsConfig, TransportConfig,
};
use sip_lite::transaction::{Destination, Transmit, Transport};
use sip_lite::{HeaderName, Message};
use tokio::io::AsyncWriteExt;
use tokio::time::timeout;

const ANY: &str = "127.0.0.1:0";

fn options(via_transport: &str, extra: &str) -> Message {
    Message::parse(format!(
        "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/{via_transport} client.invalid:5060;branch=z9hG4bKt1;rport\r\n\
         Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=a\r\n\
         Call-ID: t-1\r\nCSeq: 1 OPTIONS\r\n{extra}Content-Length: 0\r\n\r\n"
    ))
    .unwrap()
}

async fn recv(r: &mut Receivers) -> Incoming {
    timeout(Duration::from_secs(5), r.incoming.recv())
        .await
        .expect("a message in time")
        .expect("open")
}

/// `a` sends an OPTIONS to `to`; `b` receives it and answers 200, which `a` receives. Returns
/// the request as `b` saw it and the response as `a` saw it.
async fn round_trip(
    a: &SipTransport,
    ra: &mut Receivers,
    b: &SipTransport,
    rb: &mut Receivers,
    to: Destination,
    via: &str,
) -> (Incoming, Incoming) {
    let message = options(via, "");
    a.send(Transmit {
        destination: to,
        message,
    })
    .await
    .unwrap();
    let got = recv(rb).await;
    let req = got.message.as_request().unwrap();
    let resp = sip_lite::Response::to_request(req, sip_lite::StatusCode::OK, Some("b"));
    let back = Transmit {
        destination: got.source,
        message: Message::Response(resp),
    };
    b.send(back).await.unwrap();
    let answer = recv(ra).await;
    assert_eq!(answer.message.as_response().unwrap().status.as_u16(), 200);
    (got, answer)
}

fn addr_of(t: &SipTransport, transport: Transport) -> SocketAddr {
    t.local_addr(transport).unwrap()
}

#[tokio::test]
async fn udp_request_and_response_with_received_and_rport() {
    let (a, mut ra) = SipTransport::bind(ANY.parse().unwrap(), TransportConfig::default())
        .await
        .unwrap();
    let (b, mut rb) = SipTransport::bind(ANY.parse().unwrap(), TransportConfig::default())
        .await
        .unwrap();
    let to_b = Destination::new(addr_of(&b, Transport::Udp), Transport::Udp);
    let (got, _) = round_trip(&a, &mut ra, &b, &mut rb, to_b, "UDP").await;
    assert_eq!(got.source.transport, Transport::Udp);
    assert_eq!(got.source.addr, addr_of(&a, Transport::Udp));
    let via = got
        .message
        .headers()
        .get(&HeaderName::Via)
        .unwrap()
        .as_str()
        .to_owned();
    let port = got.source.addr.port();
    assert_eq!(
        via,
        format!("SIP/2.0/UDP client.invalid:5060;branch=z9hG4bKt1;rport={port};received=127.0.0.1")
    );
}

#[tokio::test]
async fn tcp_connections_are_reused_both_ways() {
    let (a, mut ra) = SipTransport::bind(ANY.parse().unwrap(), TransportConfig::default())
        .await
        .unwrap();
    let (b, mut rb) = SipTransport::bind(ANY.parse().unwrap(), TransportConfig::default())
        .await
        .unwrap();
    let to_b = Destination::new(addr_of(&b, Transport::Tcp), Transport::Tcp);
    for _ in 0..3 {
        let (got, answer) = round_trip(&a, &mut ra, &b, &mut rb, to_b, "TCP").await;
        assert_eq!(got.source.transport, Transport::Tcp);
        assert_eq!(answer.source.transport, Transport::Tcp);
    }
    assert_eq!(a.connection_count(), 1);
    assert_eq!(b.connection_count(), 1);
}

#[tokio::test]
async fn a_request_too_large_for_udp_goes_over_tcp() {
    let (a, _ra) = SipTransport::bind(ANY.parse().unwrap(), TransportConfig::default())
        .await
        .unwrap();
    let (b, mut rb) = SipTransport::bind(ANY.parse().unwrap(), TransportConfig::default())
        .await
        .unwrap();
    let big = format!("Subject: {}\r\n", "x".repeat(1400));
    let to_b = Destination::new(addr_of(&b, Transport::Udp), Transport::Udp);
    a.send(Transmit {
        destination: to_b,
        message: options("UDP", &big),
    })
    .await
    .unwrap();
    let got = recv(&mut rb).await;
    assert_eq!(got.source.transport, Transport::Tcp, "RFC 3261 §18.1.1");
    let via = got
        .message
        .headers()
        .get(&HeaderName::Via)
        .unwrap()
        .as_str()
        .to_owned();
    assert!(via.starts_with("SIP/2.0/TCP client.invalid:5060;"), "{via}");
}

fn tls_configs() -> TlsConfig {
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let der = cert.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::try_from(cert.signing_key.serialize_der()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let server = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der.clone()], key)
        .unwrap();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(der).unwrap();
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConfig {
        server: Arc::new(server),
        client: Arc::new(client),
    }
}

#[tokio::test]
async fn tls_with_certificates_made_at_run_time() {
    let tls = tls_configs();
    let (a, mut ra) = SipTransport::bind_with_tls(
        ANY.parse().unwrap(),
        ANY.parse().unwrap(),
        tls.clone(),
        TransportConfig::default(),
    )
    .await
    .unwrap();
    let (b, mut rb) = SipTransport::bind_with_tls(
        ANY.parse().unwrap(),
        ANY.parse().unwrap(),
        tls,
        TransportConfig::default(),
    )
    .await
    .unwrap();
    let to_b = Destination::new(addr_of(&b, Transport::Tls), Transport::Tls);
    let (got, answer) = round_trip(&a, &mut ra, &b, &mut rb, to_b, "TLS").await;
    assert_eq!(got.source.transport, Transport::Tls);
    assert_eq!(answer.source.transport, Transport::Tls);

    // A client that does not trust the server's certificate gets no connection: the send is
    // queued, the handshake fails in the background and the connection is reported closed.
    let other = tls_configs();
    let (c, mut rc) = SipTransport::bind_with_tls(
        ANY.parse().unwrap(),
        ANY.parse().unwrap(),
        other,
        TransportConfig::default(),
    )
    .await
    .unwrap();
    c.send(Transmit {
        destination: to_b,
        message: options("TLS", ""),
    })
    .await
    .unwrap();
    let (addr, transport, why) = timeout(Duration::from_secs(5), rc.closed.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((addr, transport), (to_b.addr, Transport::Tls));
    assert_eq!(why, ConnectionClosed::Io("TLS handshake failed".into()));
    assert_eq!(c.connection_count(), 0);
}

async fn closed_reason(r: &mut Receivers) -> ConnectionClosed {
    timeout(Duration::from_secs(5), r.closed.recv())
        .await
        .expect("closed in time")
        .expect("open")
        .2
}

#[tokio::test]
async fn garbage_stalled_and_idle_peers_are_dropped_and_others_go_on() {
    let config = TransportConfig::default()
        .stall_timeout(Duration::from_millis(300))
        .idle_timeout(Duration::from_millis(600));
    let (b, mut rb) = SipTransport::bind(ANY.parse().unwrap(), config)
        .await
        .unwrap();
    let b_tcp = addr_of(&b, Transport::Tcp);

    // Garbage: a head that is not SIP and has no readable length; framing is lost.
    let mut garbage = tokio::net::TcpStream::connect(b_tcp).await.unwrap();
    garbage
        .write_all(b"\x16\x03\x01 hello\r\n\r\n")
        .await
        .unwrap();
    assert!(matches!(
        closed_reason(&mut rb).await,
        ConnectionClosed::Garbage(_)
    ));

    // Stalled half way through a message.
    let mut stalled = tokio::net::TcpStream::connect(b_tcp).await.unwrap();
    stalled
        .write_all(b"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n")
        .await
        .unwrap();
    // Meanwhile a well-behaved client gets through.
    let (a, _ra) = SipTransport::bind(ANY.parse().unwrap(), TransportConfig::default())
        .await
        .unwrap();
    a.send(Transmit {
        destination: Destination::new(b_tcp, Transport::Tcp),
        message: options("TCP", ""),
    })
    .await
    .unwrap();
    assert_eq!(recv(&mut rb).await.source.addr.ip(), b_tcp.ip());
    assert_eq!(closed_reason(&mut rb).await, ConnectionClosed::Stalled);

    // Connected but silent.
    let _idle = tokio::net::TcpStream::connect(b_tcp).await.unwrap();
    let mut reasons = Vec::new();
    for _ in 0..2 {
        reasons.push(closed_reason(&mut rb).await);
    }
    // The well-behaved client's connection and the silent one both idle out.
    assert_eq!(reasons, [ConnectionClosed::Idle, ConnectionClosed::Idle]);
    drop(stalled);
    drop(garbage);
}

/// Two UA cores on real sockets through `run_user_agent`: INVITE, 200, ACK, BYE, 200 over TCP.
#[tokio::test]
async fn two_user_agents_complete_a_call_over_tcp() {
    use sip_lite::dialog::{LocalParty, UaConfig, UaEvent, UserAgent};
    use sip_lite::net::run_user_agent;
    use sip_lite::{HeaderValue, IdGenerator, Method, Response, StatusCode};
    use std::ops::ControlFlow;

    let bind = || SipTransport::bind(ANY.parse().unwrap(), TransportConfig::default());
    let (alice_t, mut alice_r) = bind().await.unwrap();
    let (bob_t, mut bob_r) = bind().await.unwrap();
    let (alice_addr, bob_addr) = (
        addr_of(&alice_t, Transport::Tcp),
        addr_of(&bob_t, Transport::Tcp),
    );
    let party = |addr: SocketAddr| LocalParty {
        via: format!("SIP/2.0/TCP {addr}"),
        contact: format!("<sip:ua@{addr};transport=tcp>"),
    };
    let ids = |n: u8| {
        IdGenerator::from_fn(move |b: &mut [u8]| {
            b.iter_mut()
                .enumerate()
                .for_each(|(i, x)| *x = n.wrapping_add(i as u8))
        })
    };

    // Bob answers the INVITE 200 and stops when the dialog ends.
    let mut bob = UserAgent::new(UaConfig::new(party(bob_addr)), ids(1));
    let bob_task = tokio::spawn(async move {
        let mut seen = Vec::new();
        run_user_agent(&mut bob, &bob_t, &mut bob_r.incoming, |ua, now, e| {
            if let UaEvent::Request {
                transaction,
                request,
                dialog: None,
            } = &e
            {
                if request.method == Method::Invite {
                    let mut ok = Response::to_request(request, StatusCode::OK, Some("bob"));
                    let contact = format!("<sip:bob@{bob_addr};transport=tcp>");
                    ok.headers
                        .push(HeaderName::Contact, HeaderValue::new(contact).unwrap());
                    ua.respond(now, *transaction, ok).unwrap();
                }
            }
            let done = matches!(e, UaEvent::DialogTerminated { .. });
            seen.push(e);
            if done {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .await;
        seen
    });

    // Alice calls, hangs up as soon as the call is up, and stops when BYE is answered.
    let mut alice = UserAgent::new(UaConfig::new(party(alice_addr)), ids(2));
    let branch = alice.ids().branch();
    let invite = Message::parse(format!(
        "INVITE sip:bob@{bob_addr};transport=tcp SIP/2.0\r\nVia: SIP/2.0/TCP {alice_addr};branch={branch}\r\n\
         Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=al\r\n\
         Call-ID: real-1\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@{alice_addr};transport=tcp>\r\n\
         Content-Length: 0\r\n\r\n"
    ))
    .unwrap();
    let start = std::time::Instant::now();
    alice
        .send_request(
            start,
            invite.as_request().unwrap().clone(),
            Destination::new(bob_addr, Transport::Tcp),
        )
        .unwrap();
    let mut alice_seen = Vec::new();
    let run = run_user_agent(&mut alice, &alice_t, &mut alice_r.incoming, |ua, now, e| {
        if let UaEvent::DialogConfirmed { dialog } = &e {
            ua.bye(now, dialog).unwrap();
        }
        let done = matches!(e, UaEvent::DialogTerminated { .. });
        alice_seen.push(e);
        if done {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    timeout(Duration::from_secs(10), run)
        .await
        .expect("the call ends in time");
    let bob_seen = timeout(Duration::from_secs(10), bob_task)
        .await
        .unwrap()
        .unwrap();

    let reason = |seen: &[UaEvent]| {
        seen.iter().find_map(|e| match e {
            UaEvent::DialogTerminated { reason, .. } => Some(*reason),
            _ => None,
        })
    };
    use sip_lite::dialog::TerminationReason;
    assert_eq!(reason(&alice_seen), Some(TerminationReason::ByeSent));
    assert_eq!(reason(&bob_seen), Some(TerminationReason::ByeReceived));
    assert!(
        bob_seen
            .iter()
            .any(|e| matches!(e, UaEvent::AckReceived { .. }))
    );
    // One TCP connection carried everything, both ways.
    assert_eq!(alice_t.connection_count(), 1);
}

#[tokio::test]
async fn a_peer_that_trickles_bytes_is_dropped_at_the_message_deadline() {
    let config = TransportConfig::default().stall_timeout(Duration::from_millis(400));
    let (b, mut rb) = SipTransport::bind(ANY.parse().unwrap(), config)
        .await
        .unwrap();
    let mut slow = tokio::net::TcpStream::connect(addr_of(&b, Transport::Tcp))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    // One byte every 100 ms: each read is quick, the message never ends.
    let trickle = tokio::spawn(async move {
        for &byte in
            b"OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n".iter()
        {
            if slow.write_all(&[byte]).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    assert_eq!(closed_reason(&mut rb).await, ConnectionClosed::Stalled);
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "{:?}",
        started.elapsed()
    );
    trickle.abort();
}

#[tokio::test]
async fn a_connection_that_cannot_be_opened_is_reported_and_sending_does_not_wait() {
    let (a, mut ra) = SipTransport::bind(ANY.parse().unwrap(), TransportConfig::default())
        .await
        .unwrap();
    // A port nobody listens on.
    let unused = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = Destination::new(unused.local_addr().unwrap(), Transport::Tcp);
    drop(unused);
    let sent = timeout(
        Duration::from_millis(200),
        a.send(Transmit {
            destination: dead,
            message: options("TCP", ""),
        }),
    )
    .await;
    assert!(matches!(sent, Ok(Ok(()))), "queued at once");
    let (addr, _, why) = timeout(Duration::from_secs(5), ra.closed.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(addr, dead.addr);
    assert!(matches!(why, ConnectionClosed::Io(_)));
}
