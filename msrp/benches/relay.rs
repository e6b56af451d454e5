//! Relay engine throughput: a 64 MiB message (1 MiB under `cargo test --benches`) fed to a
//! relay in 64 KiB reads from one client connection and drained from the other, re-chunked
//! cut-through with the default per-message buffer; beside it a plain copy of the same bytes.
//!
//! - `relay/forward_one_message`: one message.
//! - `relay/forward_two_messages`: two messages from two clients to one, sharing the
//!   outgoing connection in fair turns.
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp::relay::engine::{Relay, RelayConfig};
use msrp::{Decoder, Frame, IdGenerator};
use testkit::SeededRng;

const READ: usize = 64 << 10;

fn body_size() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        64 << 20
    } else {
        1 << 20
    }
}

/// One SEND chunk carrying `body`, as a client writes it.
fn send_wire(to: &str, tid: &str, body: &[u8]) -> Vec<u8> {
    let mut w = format!(
        "MSRP {tid} SEND\r\nTo-Path: {to}\r\nFrom-Path: msrp://a.example.com:1/{tid};tcp\r\n\
         Message-ID: {tid}-m\r\nByte-Range: 1-*/{}\r\nContent-Type: application/octet-stream\r\n\r\n",
        body.len()
    )
    .into_bytes();
    w.extend_from_slice(body);
    w.extend_from_slice(format!("\r\n-------{tid}$\r\n").as_bytes());
    w
}

/// Forwards `senders` messages of `body` (split between them) through one relay; returns the
/// body bytes the receiving connection got.
fn forward(body: &Bytes, senders: usize) -> usize {
    let now = Instant::now();
    let mut relay = Relay::new(
        RelayConfig::new("relay.example.com", 2855),
        IdGenerator::from_fn(testkit::id_source(1)),
    );
    let out = relay.open_connection(now, true).unwrap();
    let uo = relay.grant(now, out, Duration::from_secs(60)).unwrap();
    let part = body.len() / senders;
    let mut inputs = Vec::new();
    for i in 0..senders {
        let c = relay.open_connection(now, true).unwrap();
        let u = relay.grant(now, c, Duration::from_secs(60)).unwrap();
        let to = format!("{u} {uo} msrp://b.example.com:2/s{i};tcp");
        let wire = send_wire(&to, &format!("tx{i}abc"), &body[i * part..(i + 1) * part]);
        inputs.push((c, Bytes::from(wire), 0usize));
    }
    let mut decoder = Decoder::default();
    let mut buf = bytes::BytesMut::new();
    let mut received = 0;
    loop {
        let mut moved = false;
        for (c, wire, at) in &mut inputs {
            if *at < wire.len() && relay.readable(*c) {
                let end = (*at + READ).min(wire.len());
                relay.handle_input(now, *c, &wire[*at..end]).unwrap();
                *at = end;
                moved = true;
            }
            while relay.poll_transmit_on(*c).is_some() {}
        }
        while let Some(t) = relay.poll_transmit_on(out) {
            buf.extend_from_slice(&t.data);
            while let Some(frame) = decoder.decode(&mut buf).unwrap() {
                if let Frame::Data(d) = frame {
                    received += black_box(&d).len();
                }
            }
            moved = true;
        }
        if !moved {
            return received;
        }
    }
}

fn bench(c: &mut Criterion) {
    let size = body_size();
    let body = Bytes::from(SeededRng::new(9).bytes(size));
    let mut g = c.benchmark_group("relay");
    g.throughput(Throughput::Bytes(size as u64));
    g.sample_size(10);
    g.bench_function("forward_one_message", |bch| {
        bch.iter(|| assert_eq!(forward(black_box(&body), 1), size))
    });
    g.bench_function("forward_two_messages", |bch| {
        bch.iter(|| assert_eq!(forward(black_box(&body), 2), size))
    });
    g.bench_function("plain_copy", |bch| {
        bch.iter(|| {
            let mut out = Vec::with_capacity(size);
            out.extend_from_slice(black_box(&body));
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
