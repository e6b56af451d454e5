//! The endpoint engine driven by input-chosen bytes, requests, timeouts and application
//! commands, with its invariants checked after every step.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};

use crate::endpoint::{ConnectionId, Event, SessionConfig, SessionId};
use crate::{
    Decoder, DecoderConfig, Endpoint, EndpointConfig, Frame, Head, MessageId, Method,
    ReassemblyConfig, SinkKind, Text, TransactionId,
};

const LOCAL: [&str; 2] = [
    "msrp://bob.example.com:8888/b1;tcp",
    "msrp://bob.example.com:8888/b2;tcp",
];
const REMOTE: [&str; 2] = [
    "msrp://alice.example.com:7777/a1;tcp",
    "msrp://alice.example.com:7777/a2;tcp",
];
const MAX_SIZE: u64 = 4096;

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

/// What the harness saw of one connection's two directions.
struct Watch {
    out: Decoder,
    out_buf: BytesMut,
    inp: Decoder,
    inp_buf: BytesMut,
    /// Transaction ids of REPORTs received, and of other requests received.
    reports: HashSet<TransactionId>,
    requests: HashSet<TransactionId>,
}

impl Watch {
    fn new() -> Self {
        let generous = DecoderConfig::default().with_max_message_size(u64::MAX);
        Self {
            out: Decoder::new(generous.clone()),
            out_buf: BytesMut::new(),
            inp: Decoder::new(generous),
            inp_buf: BytesMut::new(),
            reports: HashSet::new(),
            requests: HashSet::new(),
        }
    }

    fn input(&mut self, data: &[u8]) {
        self.inp_buf.extend_from_slice(data);
        while let Ok(Some(frame)) = self.inp.decode(&mut self.inp_buf) {
            if let Frame::Head(Head::Request(r)) = frame {
                if r.method == Method::Report {
                    self.reports.insert(r.transaction_id);
                } else {
                    self.requests.insert(r.transaction_id);
                }
            }
        }
    }

    /// Our output must decode, and never answers a REPORT (RFC 4975 §7.1.2).
    fn output(&mut self, data: &[u8]) {
        self.out_buf.extend_from_slice(data);
        loop {
            match self.out.decode(&mut self.out_buf) {
                Ok(Some(Frame::Head(Head::Response(r)))) => {
                    let tid = r.transaction_id;
                    assert!(
                        !self.reports.contains(&tid) || self.requests.contains(&tid),
                        "a REPORT was answered"
                    );
                }
                Ok(Some(Frame::Rejected(r))) => panic!("we wrote a rejected message: {r:?}"),
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => panic!("our output lost framing: {e}"),
            }
        }
    }
}

/// A request the input describes: which session, message, range, flag and reports.
fn request(ops: &mut Ops<'_>) -> Option<Vec<u8>> {
    let a = ops.byte()?;
    let b = ops.byte()?;
    let len = usize::from(ops.byte()?) * 8;
    let to = if a & 1 == 0 { LOCAL[0] } else { LOCAL[1] };
    let to = if a & 2 != 0 {
        "msrp://bob.example.com:8888/zz;tcp"
    } else {
        to
    };
    let from = REMOTE[usize::from(a >> 2 & 1)];
    let tid = format!("tid{:04}", u16::from(b) * 7 + u16::from(a));
    let method = match a >> 3 & 3 {
        0 | 1 => "SEND",
        2 => "REPORT",
        _ => "FOO",
    };
    let mut w = format!("MSRP {tid} {method}\r\nTo-Path: {to}\r\nFrom-Path: {from}\r\n");
    w += &format!("Message-ID: msg{}\r\n", b & 3);
    let start = u64::from(b >> 2) * 97 + 1;
    let total = if a & 32 != 0 {
        MAX_SIZE.to_string()
    } else {
        "*".into()
    };
    w += &format!("Byte-Range: {start}-*/{total}\r\n");
    match a >> 6 {
        0 => {}
        1 => w += "Failure-Report: partial\r\n",
        2 => w += "Failure-Report: no\r\nSuccess-Report: yes\r\n",
        _ => w += "Success-Report: yes\r\n",
    }
    if method == "REPORT" {
        w += "Status: 000 413 Too Large\r\n";
    }
    let flag = ["+", "$", "#", "+"][usize::from(b & 3)];
    if len == 0 && b & 64 != 0 {
        w += &format!("-------{tid}{flag}\r\n");
    } else {
        let ct = if b & 128 != 0 {
            "text/plain"
        } else {
            "image/png"
        };
        w += &format!("Content-Type: {ct}\r\n\r\n");
        let mut bytes = w.into_bytes();
        bytes.extend((0..len).map(|i| (start as usize + i) as u8));
        bytes.extend_from_slice(format!("\r\n-------{tid}{flag}\r\n").as_bytes());
        return Some(bytes);
    }
    Some(w.into_bytes())
}

/// Drives an endpoint with two sessions and two connections from `data`; panics when an
/// invariant breaks: no panic inside the engine, memory within the limits, a message
/// completes only with all its bytes, REPORTs are never answered, output always decodes.
pub fn endpoint(data: &[u8]) {
    let mut ops = Ops(data);
    let config = EndpointConfig::default()
        .with_decoder(
            DecoderConfig::default()
                .with_max_head(2048)
                .with_max_message_size(MAX_SIZE),
        )
        .with_write_queue_limit(16 << 10)
        .with_control_queue_limit(8 << 10)
        .with_max_pending_transactions(64)
        .with_fair_share(4096)
        .with_max_segment(1500);
    let mut ep = Endpoint::new(config, super::seeded_ids(data.len() as u64));
    let mut now = Instant::now();
    let reassembly = ReassemblyConfig::default()
        .with_max_messages(3)
        .with_max_message_size(MAX_SIZE)
        .with_max_window(2048)
        .with_max_buffered(4096);
    let mut sessions: Vec<SessionId> = Vec::new();
    for (i, (l, r)) in LOCAL.iter().zip(REMOTE).enumerate() {
        let sink = if i == 0 {
            SinkKind::Positional
        } else {
            SinkKind::InOrder
        };
        let cfg = SessionConfig::default()
            .with_sink(sink)
            .with_reassembly(reassembly.clone())
            .with_receive_window(3000)
            .with_send_buffer(4096)
            .with_accept_types(["text/*"]);
        let (Ok(l), Ok(r)) = (crate::Path::parse(l), crate::Path::parse(r)) else {
            return;
        };
        if let Ok(s) = ep.add_session(l, r, cfg) {
            sessions.push(s);
        }
    }
    let conns: Vec<ConnectionId> = (0..2)
        .filter_map(|_| ep.open_connection(now).ok())
        .collect();
    let mut watch: HashMap<ConnectionId, Watch> =
        conns.iter().map(|c| (*c, Watch::new())).collect();
    // Per incoming message: which bytes were handed out.
    let mut got: HashMap<(SessionId, MessageId), Vec<bool>> = HashMap::new();
    let mut outgoing: Vec<(SessionId, MessageId)> = Vec::new();
    let mut steps = 0;
    while let Some(op) = ops.byte() {
        steps += 1;
        if steps > 400 {
            break;
        }
        let conn = conns[usize::from(op >> 7)];
        let session = sessions[usize::from(op >> 6 & 1)];
        match op & 15 {
            0 | 1 => {
                let n = usize::from(ops.byte().unwrap_or(0));
                let bytes = ops.bytes(n).to_vec();
                if let Some(w) = watch.get_mut(&conn) {
                    w.input(&bytes);
                }
                let _ = ep.handle_input(now, conn, &bytes);
            }
            2..=5 => {
                if let Some(req) = request(&mut ops) {
                    // Fed in two pieces, split where the input says.
                    let cut = usize::from(ops.byte().unwrap_or(0)) % (req.len() + 1);
                    if let Some(w) = watch.get_mut(&conn) {
                        w.input(&req);
                    }
                    let _ = ep.handle_input(now, conn, &req[..cut]);
                    let _ = ep.handle_input(now, conn, &req[cut..]);
                }
            }
            6 => {
                now += Duration::from_millis(u64::from(ops.byte().unwrap_or(0)) * 500);
                ep.handle_timeout(now);
            }
            7 => {
                let _ = ep.bind(now, session, conn);
            }
            8 => {
                let size = u64::from(ops.byte().unwrap_or(0)) * 40;
                let known = op & 16 == 0;
                let ct = Text::new(if op & 32 == 0 {
                    "text/plain"
                } else {
                    "image/png"
                });
                if let Ok(ct) = ct {
                    if let Ok(id) = ep.send_message(now, session, ct, known.then_some(size)) {
                        outgoing.push((session, id));
                    }
                }
            }
            9 => {
                if let Some(&(s, id)) = outgoing.last() {
                    let _ = ep.finish(now, s, id);
                }
            }
            10 => {
                if let Some(&(s, id)) = outgoing.first() {
                    let _ = ep.abort(now, s, id);
                }
            }
            11 => {
                if let Some(&(s, id)) = got.keys().next() {
                    let _ = ep.reject(now, s, id);
                }
            }
            12 => ep.release(session, usize::from(ops.byte().unwrap_or(0)) * 16),
            13 => {
                let _ = ep.close_connection(now, conn);
            }
            _ => {
                // The socket takes some bytes.
                for _ in 0..usize::from(ops.byte().unwrap_or(0)) {
                    let Some(t) = ep.poll_transmit() else { break };
                    if let Some(w) = watch.get_mut(&t.connection) {
                        w.output(&t.data);
                    }
                }
            }
        }
        while let Some(event) = ep.poll_event() {
            match event {
                Event::ContentWanted {
                    session,
                    message_id,
                    offset,
                    len,
                } => {
                    // The application gives what was asked, in one piece.
                    let piece: Bytes = (0..len.min(1 << 16))
                        .map(|i| (offset as usize + i) as u8)
                        .collect();
                    let _ = ep.provide(now, session, message_id, piece);
                }
                Event::Data {
                    session,
                    message_id,
                    offset,
                    data,
                } => {
                    let seen = got.entry((session, message_id)).or_default();
                    let end = offset as usize + data.len();
                    assert!(end as u64 <= MAX_SIZE, "data beyond the size limit");
                    if seen.len() < end {
                        seen.resize(end, false);
                    }
                    seen[offset as usize..end]
                        .iter_mut()
                        .for_each(|b| *b = true);
                }
                Event::MessageReceived {
                    session,
                    message_id,
                    size,
                } => {
                    let seen = got.remove(&(session, message_id)).unwrap_or_default();
                    assert!(
                        seen.len() as u64 >= size && seen.iter().take(size as usize).all(|b| *b),
                        "completed without all its bytes"
                    );
                    ep.release(session, size as usize);
                }
                Event::MessageFailed {
                    session,
                    message_id,
                    ..
                } => {
                    got.remove(&(session, message_id));
                    outgoing.retain(|m| *m != (session, message_id));
                }
                Event::MessageSent {
                    session,
                    message_id,
                } => {
                    outgoing.retain(|m| *m != (session, message_id));
                }
                _ => {}
            }
        }
        ep.assert_invariants();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn endpoint_harness_on_random_inputs() {
        let mut rng = testkit::SeededRng::new(99);
        for len in (0..400).map(|i| i * 7) {
            let data = rng.bytes(len);
            super::endpoint(&data);
        }
    }

    #[test]
    fn fuzz_regressions() {
        // A connection whose answers outgrew the control limit through commands, not input.
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fuzz/corpus-seeds/regress-msrp_endpoint-73397ef6f3e4"
        );
        // The fuzz corpus is not part of the published crate; skip when absent.
        if let Ok(data) = std::fs::read(path) {
            super::endpoint(&data);
        }
    }

    #[test]
    fn endpoint_harness_on_a_transfer() {
        // Bind session 0 on connection 0, send 4000 bytes of text, write it out in turns.
        let mut data = vec![7, 8, 100];
        for _ in 0..40 {
            data.extend_from_slice(&[14, 50]);
        }
        // A SEND to session 1 on connection 1, then timeouts.
        data.extend_from_slice(&[0x82, 0b1000_0001, 0b0000_0101, 10, 3]);
        data.extend_from_slice(&[6, 80, 6, 80, 142, 50]);
        super::endpoint(&data);
    }
}
