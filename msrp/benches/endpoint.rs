//! Endpoint engine throughput: a 64 MiB message (1 MiB under `cargo test --benches`) from one
//! endpoint to another through memory, every chunk answered, with the sender's content
//! pulled in pieces and the receiver's slices released as they arrive; beside it a plain copy
//! of the same bytes into one buffer.
//!
//! - `endpoint/one_message`: one session.
//! - `endpoint/two_sessions`: two sessions sharing the connection, half the bytes each.
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::hint::black_box;
use std::time::Instant;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp::endpoint::{Endpoint, EndpointConfig, Event, SessionConfig};
use msrp::{IdGenerator, Path, Text};
use testkit::SeededRng;

fn body_size() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        64 << 20
    } else {
        1 << 20
    }
}

fn path(s: &str) -> Path {
    s.parse().unwrap()
}

/// Transfers `sessions` messages splitting `body` between them; returns bytes received.
fn transfer(body: &Bytes, sessions: usize) -> usize {
    let now = Instant::now();
    let ids = |seed| IdGenerator::from_fn(testkit::id_source(seed));
    let mut a = Endpoint::new(EndpointConfig::default(), ids(1));
    let mut b = Endpoint::new(EndpointConfig::default(), ids(2));
    let ca = a.open_connection(now).unwrap();
    let cb = b.open_connection(now).unwrap();
    let part = body.len() / sessions;
    let mut sources = Vec::new();
    for i in 0..sessions {
        let la = path(&format!("msrp://a.example.com:1/s{i};tcp"));
        let lb = path(&format!("msrp://b.example.com:2/s{i};tcp"));
        let sa = a
            .add_session(la.clone(), lb.clone(), SessionConfig::default())
            .unwrap();
        b.add_session(lb, la, SessionConfig::default()).unwrap();
        a.bind(now, sa, ca).unwrap();
        let ct = Text::new("application/octet-stream").unwrap();
        let id = a.send_message(now, sa, ct, Some(part as u64)).unwrap();
        sources.push((id, body.slice(i * part..(i + 1) * part)));
    }
    let mut received = 0;
    let mut done = 0;
    while done < sessions {
        while let Some(e) = a.poll_event() {
            if let Event::ContentWanted {
                session,
                message_id,
                offset,
                len,
            } = e
            {
                let src = &sources.iter().find(|(m, _)| *m == message_id).unwrap().1;
                let start = offset as usize;
                let piece = src.slice(start..(start + len).min(src.len()));
                a.provide(now, session, message_id, piece).unwrap();
            }
        }
        while let Some(t) = a.poll_transmit() {
            b.handle_input(now, cb, &t.data).unwrap();
        }
        while let Some(e) = b.poll_event() {
            match e {
                Event::Data { session, data, .. } => {
                    received += black_box(&data).len();
                    b.release(session, data.len());
                }
                Event::MessageReceived { .. } => done += 1,
                _ => {}
            }
        }
        while let Some(t) = b.poll_transmit() {
            a.handle_input(now, ca, &t.data).unwrap();
        }
    }
    received
}

fn bench(c: &mut Criterion) {
    let size = body_size();
    let body = Bytes::from(SeededRng::new(5).bytes(size));
    let mut g = c.benchmark_group("endpoint");
    g.throughput(Throughput::Bytes(size as u64));
    g.sample_size(10);
    g.bench_function("one_message", |bch| {
        bch.iter(|| assert_eq!(transfer(black_box(&body), 1), size))
    });
    g.bench_function("two_sessions", |bch| {
        bch.iter(|| assert_eq!(transfer(black_box(&body), 2), size))
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
