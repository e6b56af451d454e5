//! Chunk sender throughput: a 64 MiB body (1 MiB under `cargo test --benches`) pushed in 64 KiB
//! pieces and written as 64 KiB chunks, side by side with a plain copy of the same bytes.
//!
//! - `sender/copy_out`: chunk heads, body slices and end-lines copied into one output buffer,
//!   as a transport filling its write buffer would.
//! - `sender/segments`: the same segments only handed out (zero-copy, for vectored writes).
//! - `plain_copy`: the body bytes copied into the output buffer, nothing else.
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp::{ChunkSender, IdGenerator, MessageId, MessageTemplate, Text};
use testkit::SeededRng;

const PIECE: usize = 64 * 1024;

fn body_size() -> usize {
    // Full size under `cargo bench`, shrunk when criterion runs the bench once as a test.
    if std::env::args().any(|a| a == "--bench") {
        64 << 20
    } else {
        1 << 20
    }
}

fn template(ids: &mut IdGenerator) -> MessageTemplate {
    MessageTemplate::new(
        "msrp://bob.example.com:7777/s2;tcp".parse().unwrap(),
        "msrp://alice.example.com:7777/s1;tcp".parse().unwrap(),
        MessageId::generate(ids),
        Text::new("application/octet-stream").unwrap(),
    )
}

/// Sends the whole body through a sender, handing every segment to `out`.
fn send_all(pieces: &[Bytes], ids: &mut IdGenerator, mut out: impl FnMut(&Bytes)) {
    let total: usize = pieces.iter().map(Bytes::len).sum();
    let mut sender = ChunkSender::new(template(ids), Some(total as u64), 2 * PIECE);
    let mut next = pieces.iter();
    loop {
        while sender.room() >= PIECE {
            match next.next() {
                Some(p) => sender.push(p.clone()).unwrap(),
                None => break,
            }
        }
        if sender.room() > 0 && sender.sent() + PIECE as u64 >= total as u64 {
            let _ = sender.finish();
        }
        match sender.poll_segment(ids, PIECE) {
            Some(seg) => {
                out(&seg);
                // One 64 KiB slice per chunk: close it so the next one opens.
                if let Some(end) = sender.interrupt() {
                    out(&end);
                }
            }
            None if sender.is_done() => break,
            None => {
                let _ = sender.finish();
            }
        }
    }
}

fn bench_sender(c: &mut Criterion) {
    let size = body_size();
    let mut rng = SeededRng::new(5547);
    let body = Bytes::from(rng.bytes(size));
    let pieces: Vec<Bytes> = (0..size / PIECE)
        .map(|i| body.slice(i * PIECE..(i + 1) * PIECE))
        .collect();
    let mut ids = IdGenerator::from_fn(testkit::id_source(1));

    let mut group = c.benchmark_group("sender_64k_chunks");
    group.throughput(Throughput::Bytes(size as u64));
    group.sample_size(20);
    group.bench_function("copy_out", |b| {
        let mut out = BytesMut::with_capacity(size + size / 256);
        b.iter(|| {
            out.clear();
            send_all(&pieces, &mut ids, |seg| out.extend_from_slice(seg));
            black_box(out.len())
        });
    });
    group.bench_function("segments", |b| {
        b.iter(|| {
            let mut n = 0usize;
            send_all(&pieces, &mut ids, |seg| n += seg.len());
            black_box(n)
        });
    });
    group.bench_function("plain_copy", |b| {
        let mut out = BytesMut::with_capacity(size);
        b.iter(|| {
            out.clear();
            out.extend_from_slice(black_box(&body));
            black_box(out.len())
        });
    });
    group.finish();
}

criterion_group!(benches, bench_sender);
criterion_main!(benches);
