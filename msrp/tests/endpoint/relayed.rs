//! A session through RFC 4976 relays, seen by the endpoint: our From-Path is our own URI,
//! our To-Path the Use-Path then the peer's SDP path; requests the last relay forwards carry
//! our URI alone as To-Path and the relays before the peer in From-Path.

use std::time::Instant;

use bytes::Bytes;
use msrp::endpoint::{Event, SessionConfig, UserError};
use msrp::{
    ByteRange, Endpoint, EndpointConfig, Flag, Head, Header, Message, MessageId, Method, Request,
    StatusCode, SuccessReport, Text, TransactionId,
};

use crate::harness::{decode_stream, ids, path};

const BOB: &str = "msrps://bob.example.net:8145/b0bs3ss10nxyz;tcp";
/// Bob's relay and Alice's, as Use-Path URIs, and Alice's own URI.
const RELAY_B: &str = "msrps://relay.example.net:2855/rb1234567890;tcp";
const RELAY_A: &str = "msrps://relay.example.com:2855/ra1234567890;tcp";
const ALICE: &str = "msrps://alice.example.com:9892/al1c3s3ss10n;tcp";

#[test]
fn a_send_forwarded_by_relays_is_matched_answered_to_the_previous_hop_and_reported_back() {
    let t0 = Instant::now();
    let mut bob = Endpoint::new(EndpointConfig::default(), ids(40));
    // To-Path of Bob's requests: his Use-Path, then Alice's SDP path (her relay, her URI).
    let remote = path(&format!("{RELAY_B} {RELAY_A} {ALICE}"));
    let session = bob
        .add_session(path(BOB), remote.clone(), SessionConfig::default())
        .unwrap();
    let conn = bob.open_connection(t0).unwrap();
    bob.bind(t0, session, conn).unwrap();
    let mut out = Vec::new();
    while let Some(t) = bob.poll_transmit() {
        out.extend_from_slice(&t.data);
    }
    let wire = decode_stream(&out);
    let Head::Request(binding) = &wire[0].head else {
        panic!("expected the binding SEND");
    };
    assert_eq!(binding.to_path, remote);
    assert_eq!(binding.from_path, path(BOB));

    // Alice's SEND as Bob's relay forwards it (RFC 4976 §6.4).
    let mut ids = ids(41);
    let message_id = MessageId::generate(&mut ids);
    let mut send = Request::new(
        TransactionId::generate(&mut ids),
        Method::Send,
        path(BOB),
        path(&format!("{RELAY_B} {RELAY_A} {ALICE}")),
    );
    send.headers.push(Header::MessageId(message_id));
    send.headers.push(Header::ByteRange(
        ByteRange::new(1, Some(5), Some(5)).unwrap(),
    ));
    send.headers.push(Header::SuccessReport(SuccessReport::Yes));
    send.content_type = Some(Text::new("text/plain").unwrap());
    let bytes = Message {
        head: Head::Request(send.clone()),
        body: Some(Bytes::from_static(b"hello")),
        flag: Flag::Complete,
    }
    .to_bytes()
    .unwrap();
    bob.handle_input(t0, conn, &bytes).unwrap();
    let mut received = Vec::new();
    let mut complete = false;
    while let Some(e) = bob.poll_event() {
        match e {
            Event::Data {
                data, session: s, ..
            } => {
                assert_eq!(s, session);
                received.extend_from_slice(&data);
                bob.release(s, data.len());
            }
            Event::MessageReceived { message_id: m, .. } => complete = m == message_id,
            Event::SessionFailed { .. } => panic!("the session failed"),
            _ => {}
        }
    }
    assert_eq!(received, b"hello");
    assert!(complete);

    let mut out = Vec::new();
    while let Some(t) = bob.poll_transmit() {
        out.extend_from_slice(&t.data);
    }
    let wire = decode_stream(&out);
    // RFC 4975 §7.2: the response goes to the previous hop only, Bob's relay.
    let response = wire
        .iter()
        .find_map(|w| match &w.head {
            Head::Response(r) if r.transaction_id == send.transaction_id => Some(r),
            _ => None,
        })
        .expect("a response");
    assert_eq!(response.status, StatusCode::Ok);
    assert_eq!(response.to_path, path(RELAY_B));
    assert_eq!(response.from_path, path(BOB));
    // RFC 4975 §7.1.2: the REPORT goes back along the whole From-Path, nearest hop first.
    let report = wire
        .iter()
        .find_map(|w| match &w.head {
            Head::Request(r) if r.method == Method::Report => Some(r),
            _ => None,
        })
        .expect("a success REPORT");
    assert_eq!(report.to_path, send.from_path);
    assert_eq!(report.from_path, path(BOB));
    assert_eq!(report.headers.message_id(), Some(message_id));
}

#[test]
fn a_failed_session_refuses_new_messages() {
    let t0 = Instant::now();
    let mut bob = Endpoint::new(EndpointConfig::default(), ids(42));
    let session = bob
        .add_session(
            path(BOB),
            path(&format!("{RELAY_B} {ALICE}")),
            SessionConfig::default(),
        )
        .unwrap();
    let conn = bob.open_connection(t0).unwrap();
    bob.bind(t0, session, conn).unwrap();
    // The connection to the relay is lost.
    bob.close_connection(t0, conn).unwrap();
    assert_eq!(
        bob.send_message(t0, session, Text::new("image/png").unwrap(), Some(3)),
        Err(UserError::SessionFailed)
    );
}
