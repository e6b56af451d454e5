//! MSRP codec throughput.
//!
//! - `decode_64k`: a SEND chunk with a 64 KiB seeded-random body through the decoder, side by
//!   side with a `memchr::memmem::Finder` (built once) scanning the same bytes for the end-line,
//!   the floor any decoder pays; and the same for a dash-heavy body.
//! - `small`: decoding and encoding small SENDs (~200-byte body) and 200 responses, as
//!   messages per second.
//!
//! Run with `cargo bench -p msrp --bench codec`. Under `cargo test --benches` each runs once.

#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use criterion::{Bencher, Criterion, Throughput, criterion_group, criterion_main};
use msrp::{
    ByteRange, Decoder, DecoderConfig, Flag, Frame, Head, Header, Message, MessageId, Method, Path,
    Request, StatusCode, Text, TransactionId,
};
use testkit::SeededRng;

const TID: &str = "a786hjs2Bq9xR4tz";

fn send(body: Vec<u8>) -> Message {
    let to: Path = "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp"
        .parse()
        .unwrap();
    let from: Path = "msrp://atlanta.example.com:7654/jshA7weztas;tcp"
        .parse()
        .unwrap();
    let mut req = Request::new(TransactionId::parse(TID).unwrap(), Method::Send, to, from);
    req.headers.push(Header::MessageId(
        MessageId::parse("87652491dkei38sd").unwrap(),
    ));
    let len = body.len() as u64;
    req.headers.push(Header::ByteRange(
        ByteRange::new(1, Some(len), Some(len)).unwrap(),
    ));
    req.content_type = Some(Text::new("application/octet-stream").unwrap());
    Message {
        head: Head::Request(req),
        body: Some(body.into()),
        flag: Flag::Complete,
    }
}

fn ok_response() -> Message {
    let Head::Request(req) = send(Vec::new()).head else {
        unreachable!()
    };
    let responder: Path = "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp"
        .parse()
        .unwrap();
    Message {
        head: Head::Response(req.response(StatusCode::Ok, responder)),
        body: None,
        flag: Flag::Complete,
    }
}

/// Times decoding `wire` from a buffer refilled before each (untimed) run. The copy leaves the
/// input in cache, as freshly received bytes are, and as the `memmem` baseline's input is; the
/// timer runs around the decode only.
fn time_decode(b: &mut Bencher<'_>, wire: &[u8], mut decode: impl FnMut(&mut BytesMut)) {
    b.iter_custom(|iters| {
        let mut buf = BytesMut::with_capacity(wire.len());
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            buf.clear();
            buf.extend_from_slice(wire);
            let start = Instant::now();
            decode(&mut buf);
            total += start.elapsed();
        }
        total
    });
}

/// Decodes every frame in `buf`; returns the body bytes seen.
fn decode_all(decoder: &mut Decoder, buf: &mut BytesMut) -> usize {
    let mut body = 0;
    while let Some(frame) = decoder.decode(buf).expect("valid input") {
        if let Frame::Data(d) = frame {
            body += d.len();
        }
    }
    body
}

fn bench_large(c: &mut Criterion) {
    let mut rng = SeededRng::new(4975);
    let random = rng.bytes(64 * 1024);
    // Dash-heavy: runs of dashes and near-miss end-lines everywhere.
    let mut dashes = Vec::with_capacity(64 * 1024);
    while dashes.len() < 64 * 1024 {
        dashes.extend_from_slice(b"\r\n-------a786hjs2Bq9xR4t-------");
        dashes.push(b'A' + (rng.below(26) as u8));
    }
    dashes.truncate(64 * 1024);

    for (name, body) in [("random", random), ("dash_heavy", dashes)] {
        let wire = send(body).to_bytes().unwrap();
        let mut group = c.benchmark_group(format!("decode_64k/{name}"));
        group.throughput(Throughput::Bytes(wire.len() as u64));
        group.bench_function("decoder", |b| {
            let mut decoder = Decoder::new(DecoderConfig::default());
            time_decode(b, &wire, |buf| {
                black_box(decode_all(&mut decoder, buf));
            });
        });
        let mut needle = b"\r\n-------".to_vec();
        needle.extend_from_slice(TID.as_bytes());
        let finder = memchr::memmem::Finder::new(&needle);
        group.bench_function("memmem_scan", |b| {
            b.iter(|| black_box(finder.find(black_box(&wire[..]))));
        });
        group.finish();
    }
}

fn bench_small(c: &mut Criterion) {
    const N: usize = 100;
    let mut rng = SeededRng::new(4976);
    let small = send(rng.bytes(200));
    let response = ok_response();
    for (name, msg) in [("send_200b", &small), ("response_200", &response)] {
        let one = msg.to_bytes().unwrap();
        let mut many = Vec::with_capacity(one.len() * N);
        for _ in 0..N {
            many.extend_from_slice(&one);
        }
        let mut group = c.benchmark_group(format!("small/{name}"));
        group.throughput(Throughput::Elements(N as u64));
        group.bench_function("decode", |b| {
            let mut decoder = Decoder::new(DecoderConfig::default());
            time_decode(b, &many, |buf| {
                let mut ends = 0;
                while let Some(frame) = decoder.decode(buf).expect("valid") {
                    ends += usize::from(matches!(frame, Frame::End(_)));
                }
                assert_eq!(ends, N);
            });
        });
        group.bench_function("encode", |b| {
            let mut out = BytesMut::with_capacity(one.len() * N);
            b.iter(|| {
                out.clear();
                for _ in 0..N {
                    black_box(msg).encode(&mut out).unwrap();
                }
                black_box(out.len())
            });
        });
        group.finish();
    }
}

criterion_group!(benches, bench_large, bench_small);
criterion_main!(benches);
