//! SDP throughput on the RFC 5547 §9.1 push offer (Figure 8's SDP part, 597 bytes).
//!
//! - `parse`: bytes to a [`SessionDescription`] (all fields and attributes typed).
//! - `serialize`: the parsed description back to text.
//!
//! Run with `cargo bench -p sdp-filetransfer --bench sdp`. Under `cargo test --benches` each runs
//! once.

#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sdp_filetransfer::SessionDescription;

const PUSH_OFFER: &[u8] = include_bytes!("../tests/vectors/rfc5547-9.1-offer.sdp");

fn sdp(c: &mut Criterion) {
    let mut g = c.benchmark_group("rfc5547_push_offer");
    g.throughput(Throughput::Bytes(PUSH_OFFER.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| SessionDescription::parse(black_box(PUSH_OFFER)).unwrap())
    });
    let parsed = SessionDescription::parse(PUSH_OFFER).unwrap();
    assert_eq!(parsed.to_string().as_bytes(), PUSH_OFFER);
    g.bench_function("serialize", |b| b.iter(|| black_box(&parsed).to_string()));
    g.finish();
}

criterion_group!(benches, sdp);
criterion_main!(benches);
