//! Reassembly throughput: a 64 MiB message (1 MiB under `cargo test --benches`) from 2048-byte
//! chunks delivered in shuffled order, into the positional sink, each slice copied to its
//! offset of a destination buffer as a file writer would.
#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use msrp::{ByteRange, Flag, MessageId, Output, Reassembler, ReassemblyConfig, SinkKind};
use testkit::SeededRng;

const CHUNK: usize = 2048;

fn body_size() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        64 << 20
    } else {
        1 << 20
    }
}

fn bench_reassembly(c: &mut Criterion) {
    let size = body_size();
    let mut rng = SeededRng::new(4975);
    let body = Bytes::from(rng.bytes(size));
    let mut order: Vec<usize> = (0..size / CHUNK).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    let id = MessageId::parse("reassemblybench1").unwrap();
    let last = order.len() - 1;
    let config = ReassemblyConfig::default().with_max_intervals(order.len());

    let mut group = c.benchmark_group("reassembly_2k_shuffled");
    group.throughput(Throughput::Bytes(size as u64));
    group.sample_size(10);
    group.bench_function("positional_into_buffer", |b| {
        let mut file = vec![0u8; size];
        b.iter(|| {
            let mut r = Reassembler::new(SinkKind::Positional, config.clone());
            let mut done = false;
            for &i in &order {
                let start = (i * CHUNK) as u64 + 1;
                let range = ByteRange::new(start, None, Some(size as u64)).unwrap();
                let mut cursor = r.chunk(id, Some(range)).unwrap();
                r.data(&mut cursor, body.slice(i * CHUNK..(i + 1) * CHUNK))
                    .unwrap();
                let flag = if i == last {
                    Flag::Complete
                } else {
                    Flag::Continued
                };
                r.end(cursor, flag).unwrap();
                while let Some(out) = r.poll_output() {
                    match out {
                        Output::Write { offset, data, .. } => {
                            let off = offset as usize;
                            file[off..off + data.len()].copy_from_slice(&data);
                        }
                        Output::Complete { .. } => done = true,
                        _ => {}
                    }
                }
            }
            assert!(done);
            black_box(&file);
        });
    });
    group.finish();
}

criterion_group!(benches, bench_reassembly);
criterion_main!(benches);
