//! The relay engine driven by input-chosen connections, requests, responses, partial
//! drains and timeouts, with its invariants checked after every step.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::BytesMut;

use crate::endpoint::ConnectionId;
use crate::relay::digest::{self, CredentialStore, DigestServer};
use crate::relay::engine::{Event, Relay, RelayConfig};
use crate::{Decoder, DecoderConfig, Frame, Head, MsrpUri, TransactionId};

const MESSAGE_BUFFER: usize = 4096;
const MAX_MESSAGES: usize = 6;
const CONTROL_LIMIT: usize = 16 << 10;
const MAX_CONNECTIONS: usize = 8;

/// Reads the input as operations.
struct Ops<'a>(&'a [u8]);

impl Ops<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let n = n.min(self.0.len());
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
}

struct Users;

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        (username == "alice").then(|| digest::ha1(username, realm, "pw"))
    }
}

/// What the relay wrote on one connection: it must always decode, and the requests it
/// forwarded are remembered so the harness can answer them.
struct Watch {
    decoder: Decoder,
    buf: BytesMut,
    requests: Vec<TransactionId>,
}

impl Watch {
    fn new() -> Self {
        Self {
            decoder: Decoder::new(DecoderConfig::default().with_max_message_size(u64::MAX)),
            buf: BytesMut::new(),
            requests: Vec::new(),
        }
    }

    fn output(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
        loop {
            match self.decoder.decode(&mut self.buf) {
                Ok(Some(Frame::Head(Head::Request(r)))) => {
                    if self.requests.len() < 64 {
                        self.requests.push(r.transaction_id);
                    }
                }
                Ok(Some(Frame::Rejected(r))) => panic!("the relay wrote a rejected message: {r:?}"),
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => panic!("the relay's output lost framing: {e}"),
            }
        }
    }
}

/// A request the input describes, addressed with the URIs handed out so far.
fn request(ops: &mut Ops<'_>, granted: &[MsrpUri]) -> Option<Vec<u8>> {
    let a = ops.byte()?;
    let b = ops.byte()?;
    let len = usize::from(ops.byte()?) * 24;
    let pick = |i: u8| -> String {
        if granted.is_empty() {
            "msrps://relay.example.com:2855/none0000;tcp".to_owned()
        } else {
            granted[usize::from(i) % granted.len()].to_string()
        }
    };
    let peer = "msrp://peer.example.com:7000/p1;tcp";
    let to = match a & 7 {
        0 => format!("{} {peer}", pick(b)),
        1 => format!("{} {} {peer}", pick(b), pick(b >> 3)),
        2 => "msrps://relay.example.com:2855;tcp".to_owned(),
        3 => format!("msrp://elsewhere.example.com:1/x;tcp {peer}"),
        4 => pick(b),
        5 => format!("{} msrps://relay2.example.com;tcp", pick(b)),
        _ => format!("{} {} {peer}", pick(b), pick(b.rotate_left(2))),
    };
    let from = "msrps://client.example.com:9000/c1;tcp";
    let tid = format!("tid{:04}", u16::from(b) * 7 + u16::from(a));
    let method = match a >> 3 & 7 {
        0..=3 => "SEND",
        4 => "REPORT",
        5 => "AUTH",
        6 => "PING",
        _ => "RESP",
    };
    if method == "RESP" {
        let code = [200, 400, 408, 413, 481][usize::from(b) % 5];
        return Some(
            format!(
                "MSRP {tid} {code} X\r\nTo-Path: {to}\r\nFrom-Path: {from}\r\n-------{tid}$\r\n"
            )
            .into_bytes(),
        );
    }
    let mut w = format!("MSRP {tid} {method}\r\nTo-Path: {to}\r\nFrom-Path: {from}\r\n");
    w += &format!("Message-ID: msg{}\r\n", b & 3);
    let start = u64::from(b >> 2) * 97 + 1;
    let total = if a & 64 != 0 {
        "9000".to_owned()
    } else {
        "*".into()
    };
    w += &format!("Byte-Range: {start}-*/{total}\r\n");
    match (a >> 6, b >> 6) {
        (0, 0) => w += "Failure-Report: partial\r\n",
        (0, 1) => w += "Failure-Report: no\r\n",
        (_, 2) => w += "Expires: 30\r\n",
        _ => {}
    }
    if method == "REPORT" {
        w += "Status: 000 200 OK\r\n";
    }
    let flag = ["+", "$", "#", "+"][usize::from(b & 3)];
    if method != "SEND" || (len == 0 && b & 16 != 0) {
        w += &format!("-------{tid}{flag}\r\n");
        return Some(w.into_bytes());
    }
    w += "Content-Type: application/octet-stream\r\n\r\n";
    let mut bytes = w.into_bytes();
    bytes.extend((0..len).map(|i| (start as usize + i) as u8));
    bytes.extend_from_slice(format!("\r\n-------{tid}{flag}\r\n").as_bytes());
    Some(bytes)
}

/// Drives a relay from `data`; panics when an invariant breaks: no panic inside the engine,
/// counts and queues within the configured limits, output that always decodes. Returns the
/// number of bytes the relay wrote.
pub fn relay_engine(data: &[u8]) -> usize {
    let mut ops = Ops(data);
    let mut now = Instant::now();
    let config = RelayConfig::new("relay.example.com", 2855)
        .with_decoder(DecoderConfig::default().with_max_head(2048))
        .with_max_connections(MAX_CONNECTIONS)
        .with_max_clients(6)
        .with_max_messages(MAX_MESSAGES)
        .with_message_buffer(MESSAGE_BUFFER)
        .with_control_queue_limit(CONTROL_LIMIT)
        .with_input_buffer_limit(8192)
        .with_max_segment(1500)
        .with_fair_share(4096)
        .with_max_pending_transactions(16);
    let server = DigestServer::new("relay.example.com", [1; 32], Duration::from_secs(60), now);
    let mut relay = Relay::new(config, super::seeded_ids(data.len() as u64))
        .with_authentication(server, Box::new(Users));
    let mut conns: Vec<ConnectionId> = Vec::new();
    let mut connecting: Vec<ConnectionId> = Vec::new();
    let mut granted: Vec<MsrpUri> = Vec::new();
    let mut watch: HashMap<ConnectionId, Watch> = HashMap::new();
    let mut steps = 0;
    let mut written = 0;
    while let Some(op) = ops.byte() {
        steps += 1;
        if steps > 400 {
            break;
        }
        let conn = (!conns.is_empty()).then(|| conns[usize::from(op >> 4) % conns.len()]);
        match (op & 15, conn) {
            (0, _) => {
                if let Ok(c) = relay.open_connection(now, op & 16 != 0) {
                    conns.push(c);
                }
            }
            (1, Some(c)) => {
                let secs = u64::from(ops.byte().unwrap_or(0)) * 10;
                if let Ok(uri) = relay.grant(now, c, Duration::from_secs(secs)) {
                    granted.push(uri);
                }
            }
            (2..=5, Some(c)) => {
                if let Some(req) = request(&mut ops, &granted) {
                    let cut = usize::from(ops.byte().unwrap_or(0)) % (req.len() + 1);
                    for piece in [&req[..cut], &req[cut..]] {
                        if relay.readable(c) {
                            let _ = relay.handle_input(now, c, piece);
                        }
                    }
                }
            }
            (6, Some(c)) => {
                let n = usize::from(ops.byte().unwrap_or(0));
                let bytes = ops.bytes(n).to_vec();
                let _ = relay.handle_input(now, c, &bytes);
            }
            (7, _) => {
                now += Duration::from_millis(u64::from(ops.byte().unwrap_or(0)) * 250);
                relay.handle_timeout(now);
            }
            (8, Some(c)) => {
                for _ in 0..usize::from(ops.byte().unwrap_or(0)) {
                    let Some(t) = relay.poll_transmit_on(c) else {
                        break;
                    };
                    written += t.data.len();
                    watch.entry(c).or_insert_with(Watch::new).output(&t.data);
                }
            }
            (9, _) => {
                if let Some(c) = connecting.pop() {
                    if op & 16 != 0 {
                        let _ = relay.connected(now, c);
                        conns.push(c);
                    } else {
                        let _ = relay.connect_failed(now, c);
                    }
                }
            }
            (10, Some(c)) => {
                let _ = relay.close_connection(now, c);
            }
            (11, Some(c)) => {
                // The next hop answers one of the requests forwarded to it.
                let code = [200, 408, 413, 481, 500][usize::from(op >> 4) % 5];
                let tid = watch.get_mut(&c).and_then(|w| w.requests.pop());
                if let Some(tid) = tid {
                    let to = granted
                        .first()
                        .map_or("msrps://relay.example.com:2855/x;tcp".to_owned(), |u| {
                            u.to_string()
                        });
                    let resp = format!(
                        "MSRP {tid} {code} X\r\nTo-Path: {to} msrps://client.example.com:9000/c1;tcp\r\n\
                         From-Path: msrp://peer.example.com:7000/p1;tcp\r\n-------{tid}$\r\n"
                    );
                    if relay.readable(c) {
                        let _ = relay.handle_input(now, c, resp.as_bytes());
                    }
                }
            }
            (12, _) => {
                for _ in 0..usize::from(ops.byte().unwrap_or(0)) {
                    let Some(t) = relay.poll_transmit() else {
                        break;
                    };
                    written += t.data.len();
                    watch
                        .entry(t.connection)
                        .or_insert_with(Watch::new)
                        .output(&t.data);
                }
            }
            _ => {}
        }
        while let Some(event) = relay.poll_event() {
            match event {
                Event::Connect { connection, .. } => connecting.push(connection),
                Event::Close { connection, .. } => conns.retain(|c| *c != connection),
                _ => {}
            }
        }
        assert!(relay.connection_count() <= MAX_CONNECTIONS);
        assert!(relay.client_count() <= 6);
        assert!(relay.forward_count() <= MAX_MESSAGES);
        for c in &conns {
            let bound = MAX_MESSAGES * (MESSAGE_BUFFER + 128) + CONTROL_LIMIT;
            assert!(relay.queued(*c) <= bound, "queue of {c} over its bound");
        }
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relay_harness_on_random_inputs() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for len in [0usize, 1, 7, 64, 300, 1500, 4000] {
            for _ in 0..40 {
                let data: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state as u8
                    })
                    .collect();
                let _ = relay_engine(&data);
            }
        }
    }

    #[test]
    fn relay_harness_on_a_scripted_exchange() {
        // Two connections, a URI on each, SEND chunks between them (their Message-IDs
        // repeat with starts out of sequence), the next hop connected, drains and timeouts.
        let mut script = vec![0u8, 16, 1, 100, 0x11, 100];
        for i in 0..20u8 {
            script.extend([
                2,
                1 + (i & 8),
                i.wrapping_mul(37),
                90,
                50,
                0x19,
                8,
                40,
                0x18,
                40,
                0x28,
                40,
                7,
                8,
            ]);
        }
        let written = relay_engine(&script);
        assert!(
            written > 10_000,
            "chunks were forwarded and answered: {written}"
        );
    }
}
