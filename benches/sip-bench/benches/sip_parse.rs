//! SIP parse throughput: sip-lite side by side with rsipstack 0.7 and sipx-sip 1.0, same bytes,
//! same run.
//!
//! - `parse/{invite_5547,register}`: the whole message into each crate's message type.
//! - `parse_read/{invite_5547,register}`: the same, then the fields every transaction layer reads
//!   first: the top Via branch, Call-ID, CSeq number and method, and the From tag, each through
//!   the crate's own typed accessors.
//!
//! Before a group is timed, each crate's reader runs once and must return exactly the fields
//! listed in `sip_bench::CASES`, so every crate is timed doing the same work.
//!
//! Run with `cargo bench -p sip-bench --bench sip_parse`. Under `cargo test --benches` each
//! function runs once.

#![allow(missing_docs)] // criterion_group! generates undocumented items.

use std::fmt::Display;
use std::hint::black_box;

use bytes::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sip_bench::{CASES, Expected};

/// The fields the `parse_read` groups read, borrowed from (or owned by) one parsed message; the
/// method stays in each crate's own type, so nothing is converted inside the timed loop.
struct Fields<'a, M> {
    branch: &'a str,
    call_id: &'a str,
    cseq: u32,
    method: &'a M,
    from_tag: &'a str,
}

impl<M: Display> Fields<'_, M> {
    /// Checks the fields against what the message carries (outside the timed loop).
    fn assert_eq(&self, crate_name: &str, case: &str, want: &Expected) {
        let got = (
            self.branch,
            self.call_id,
            self.cseq,
            self.method.to_string(),
            self.from_tag,
        );
        let want = (
            want.branch,
            want.call_id,
            want.cseq,
            want.method.to_owned(),
            want.from_tag,
        );
        assert_eq!(got, want, "{crate_name} reads {case} differently");
    }
}

fn utf8(b: &[u8]) -> &str {
    std::str::from_utf8(b).expect("UTF-8 field")
}

mod lite {
    use super::*;
    use sip_lite::{Limits, Message, Method};

    pub fn parse(msg: &'static [u8], limits: &Limits) -> Message {
        sip_lite::parse_datagram(Bytes::from_static(msg), limits).expect("sip-lite parses")
    }

    /// Parses `msg` and hands the fields to `f`.
    pub fn read<R>(
        msg: &'static [u8],
        limits: &Limits,
        f: impl FnOnce(Fields<'_, Method>) -> R,
    ) -> R {
        let m = parse(msg, limits);
        let h = m.headers();
        let via = h.top_via().expect("Via").expect("valid Via");
        let cseq = h.cseq().expect("CSeq").expect("valid CSeq");
        let from = h.from_addr().expect("From").expect("valid From");
        f(Fields {
            branch: via.branch().expect("branch"),
            call_id: h.call_id().expect("Call-ID").expect("valid Call-ID"),
            cseq: cseq.seq,
            method: &cseq.method,
            from_tag: from.tag().expect("From tag"),
        })
    }
}

mod rsip {
    use super::*;
    use rsipstack::sip::prelude::*;
    use rsipstack::sip::{Method, SipMessage};

    pub fn parse(msg: &'static [u8]) -> SipMessage {
        rsipstack::sip::parser::parse_message(msg).expect("rsipstack parses")
    }

    /// Parses `msg` and hands the fields to `f`.
    pub fn read<R>(msg: &'static [u8], f: impl FnOnce(Fields<'_, Method>) -> R) -> R {
        let m = parse(msg);
        let via = m.top_via_header().expect("Via").typed().expect("valid Via");
        let cseq = m.cseq_header().expect("CSeq").typed().expect("valid CSeq");
        let tag = m.from_header().expect("From").tag().expect("valid From");
        f(Fields {
            branch: via.branch().expect("branch").value(),
            call_id: m.call_id_header().expect("Call-ID").value(),
            cseq: cseq.seq,
            method: &cseq.method,
            from_tag: tag.as_ref().expect("From tag").value(),
        })
    }
}

mod sipx {
    use super::*;
    use sipx_sip::headers::From;
    use sipx_sip::{CSeq, CallId, Limits, Message, Method, Via};

    pub fn parse(msg: &'static [u8], limits: &Limits) -> Message {
        sipx_sip::parse_datagram(Bytes::from_static(msg), limits).expect("sipx-sip parses")
    }

    /// Parses `msg` and hands the fields to `f`.
    pub fn read<R>(
        msg: &'static [u8],
        limits: &Limits,
        f: impl FnOnce(Fields<'_, Method>) -> R,
    ) -> R {
        let m = parse(msg, limits);
        let h = m.headers();
        let via = h.typed::<Via>().expect("Via").expect("valid Via");
        let call_id = h
            .typed::<CallId>()
            .expect("Call-ID")
            .expect("valid Call-ID");
        let cseq = h.typed::<CSeq>().expect("CSeq").expect("valid CSeq");
        let from = h.typed::<From>().expect("From").expect("valid From");
        f(Fields {
            branch: utf8(via.branch().expect("branch")),
            call_id: utf8(&call_id.0),
            cseq: cseq.sequence,
            method: &cseq.method,
            from_tag: utf8(from.tag().expect("From tag")),
        })
    }
}

/// Consumes the fields inside the timed loop.
fn sink<M>(f: Fields<'_, M>) {
    black_box(f.branch);
    black_box(f.call_id);
    black_box(f.cseq);
    black_box(f.method);
    black_box(f.from_tag);
}

fn bench_parse(c: &mut Criterion) {
    let lite_limits = sip_lite::Limits::default();
    let sipx_limits = sipx_sip::Limits::datagram();
    for (case, msg, _) in &CASES {
        let msg: &'static [u8] = msg;
        let mut group = c.benchmark_group(format!("parse/{case}"));
        group.throughput(Throughput::Bytes(msg.len() as u64));
        group.bench_function("sip-lite", |b| {
            b.iter(|| lite::parse(black_box(msg), &lite_limits));
        });
        group.bench_function("rsipstack", |b| {
            b.iter(|| rsip::parse(black_box(msg)));
        });
        group.bench_function("sipx-sip", |b| {
            b.iter(|| sipx::parse(black_box(msg), &sipx_limits));
        });
        group.finish();
    }
}

fn bench_parse_read(c: &mut Criterion) {
    let lite_limits = sip_lite::Limits::default();
    let sipx_limits = sipx_sip::Limits::datagram();
    for (case, msg, want) in &CASES {
        let msg: &'static [u8] = msg;
        // The honesty check: all three read the same values from the same bytes.
        lite::read(msg, &lite_limits, |f| f.assert_eq("sip-lite", case, want));
        rsip::read(msg, |f| f.assert_eq("rsipstack", case, want));
        sipx::read(msg, &sipx_limits, |f| f.assert_eq("sipx-sip", case, want));

        let mut group = c.benchmark_group(format!("parse_read/{case}"));
        group.throughput(Throughput::Bytes(msg.len() as u64));
        group.bench_function("sip-lite", |b| {
            b.iter(|| lite::read(black_box(msg), &lite_limits, sink));
        });
        group.bench_function("rsipstack", |b| {
            b.iter(|| rsip::read(black_box(msg), sink));
        });
        group.bench_function("sipx-sip", |b| {
            b.iter(|| sipx::read(black_box(msg), &sipx_limits, sink));
        });
        group.finish();
    }
}

criterion_group!(benches, bench_parse, bench_parse_read);
criterion_main!(benches);
