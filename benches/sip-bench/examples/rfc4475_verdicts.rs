//! How many RFC 4475 torture messages each parser judges as the vectors' MANIFEST.tsv says.
//!
//! Every message is read as one datagram (RFC 3261 §18.3), byte-exact, by:
//! - `sip-lite`: `parse_datagram`, then `Validator::default()` (`check_request` or
//!   `check_response`). A vector counts as rejected when parsing fails or the validator answers
//!   400 or 505, i.e. finds the message malformed. The validator's policy answers (416 unknown
//!   scheme, 420 bad extension, 415 unsupported body, 406 not acceptable) are an element's
//!   choice about a well-formed message, which the manifest lists as `parse`; the `any` column
//!   shows the count when they too are taken as rejections.
//! - `rsipstack`: `rsipstack::sip::parser::parse_message` (it has no separate validator).
//! - `sipx-sip`: `parse_datagram` with `Limits::datagram()`; the `+validate` column adds its own
//!   post-parse check, `sipx_sip::validate` (every finding of which answers 400 or 505).
//!
//! A verdict of `either` counts as correct whatever the parser does. A panic counts as wrong.
//!
//! Run with `cargo run -p sip-bench --release --example rfc4475_verdicts [VECTOR_DIR]`; the
//! directory defaults to the shared vectors next to the repository.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use bytes::Bytes;

const DEFAULT_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/vectors/sip-rfc4475"
);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Parse,
    Reject,
    Either,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Rejected,
    Panicked,
}

impl Outcome {
    fn from_rejected(rejected: bool) -> Outcome {
        if rejected {
            Outcome::Rejected
        } else {
            Outcome::Accepted
        }
    }

    fn agrees(self, verdict: Verdict) -> bool {
        matches!(
            (self, verdict),
            (Outcome::Accepted, Verdict::Parse | Verdict::Either)
                | (Outcome::Rejected, Verdict::Reject | Verdict::Either)
        )
    }

    fn cell(self, verdict: Verdict) -> String {
        let word = match self {
            Outcome::Accepted => "parse",
            Outcome::Rejected => "reject",
            Outcome::Panicked => "PANIC",
        };
        let mark = if self.agrees(verdict) { ' ' } else { '*' };
        format!("{word}{mark}")
    }
}

/// Runs `judge`, turning a panic into [`Outcome::Panicked`].
fn guarded(judge: impl FnOnce() -> bool) -> Outcome {
    // The default hook would print each panic's message in the middle of the table.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome =
        catch_unwind(AssertUnwindSafe(judge)).map_or(Outcome::Panicked, Outcome::from_rejected);
    std::panic::set_hook(hook);
    outcome
}

/// sip-lite: `(malformed, any rejection)`.
fn sip_lite(raw: &[u8]) -> (Outcome, Outcome) {
    use sip_lite::{Message, StatusCode, Validator};
    let mut any = false;
    let malformed = guarded(|| {
        let Ok(msg) =
            sip_lite::parse_datagram(Bytes::copy_from_slice(raw), &sip_lite::Limits::default())
        else {
            any = true;
            return true;
        };
        let checked = match &msg {
            Message::Request(r) => Validator::default().check_request(r),
            Message::Response(r) => Validator::default().check_response(r),
        };
        match checked {
            Ok(()) => false,
            Err(e) => {
                any = true;
                matches!(
                    e.status(),
                    StatusCode::BAD_REQUEST | StatusCode::VERSION_NOT_SUPPORTED
                )
            }
        }
    });
    let any = match malformed {
        Outcome::Panicked => Outcome::Panicked,
        _ => Outcome::from_rejected(any),
    };
    (malformed, any)
}

fn rsipstack(raw: &[u8]) -> Outcome {
    guarded(|| rsipstack::sip::parser::parse_message(raw).is_err())
}

/// sipx-sip: `(parser, parser + validate)`.
fn sipx(raw: &[u8]) -> (Outcome, Outcome) {
    let mut findings = false;
    let parsed = guarded(|| {
        match sipx_sip::parse_datagram(Bytes::copy_from_slice(raw), &sipx_sip::Limits::datagram()) {
            Ok(msg) => {
                findings = !sipx_sip::validate(&msg).is_empty();
                false
            }
            Err(_) => true,
        }
    });
    let validated = match parsed {
        Outcome::Accepted => Outcome::from_rejected(findings),
        other => other,
    };
    (parsed, validated)
}

struct Vector {
    name: String,
    verdict: Verdict,
    raw: Vec<u8>,
}

fn load(dir: &Path) -> Vec<Vector> {
    let manifest = dir.join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|line| {
            // name, rfc4475-section, verdict, note
            let cols: Vec<&str> = line.split('\t').collect();
            let verdict = match cols.get(2).copied() {
                Some("parse") => Verdict::Parse,
                Some("reject") => Verdict::Reject,
                Some("either") => Verdict::Either,
                other => panic!("unknown verdict {other:?} in {line:?}"),
            };
            let name = cols[0].to_owned();
            let file = dir.join(format!("{name}.dat"));
            let raw = std::fs::read(&file)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
            Vector { name, verdict, raw }
        })
        .collect()
}

fn main() {
    let dir = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from(DEFAULT_DIR), PathBuf::from);
    let vectors = load(&dir);

    const COLUMNS: [&str; 5] = [
        "sip-lite",
        "sip-lite any",
        "rsipstack",
        "sipx-sip",
        "sipx+validate",
    ];
    let mut correct = [[0usize; 3]; COLUMNS.len()];
    let mut totals = [0usize; 3];
    println!(
        "{:<11} {:<7} {:<9} {:<13} {:<10} {:<9} {:<13}",
        "vector", "verdict", COLUMNS[0], COLUMNS[1], COLUMNS[2], COLUMNS[3], COLUMNS[4]
    );
    for v in &vectors {
        let (lite, lite_any) = sip_lite(&v.raw);
        let rsip = rsipstack(&v.raw);
        let (sipx_parse, sipx_validate) = sipx(&v.raw);
        let outcomes = [lite, lite_any, rsip, sipx_parse, sipx_validate];
        let class = match v.verdict {
            Verdict::Parse => 0,
            Verdict::Reject => 1,
            Verdict::Either => 2,
        };
        totals[class] += 1;
        for (count, o) in correct.iter_mut().zip(outcomes) {
            count[class] += usize::from(o.agrees(v.verdict));
        }
        let verdict = ["parse", "reject", "either"][class];
        let c = outcomes.map(|o| o.cell(v.verdict));
        println!(
            "{:<11} {:<7} {:<9} {:<13} {:<10} {:<9} {:<13}",
            v.name, verdict, c[0], c[1], c[2], c[3], c[4]
        );
    }
    println!("(* = disagrees with the manifest)\n");
    println!(
        "{:<14} {:>8} {:>8} {:>8} {:>8}",
        "agrees", "parse", "reject", "either", "total"
    );
    for (name, count) in COLUMNS.iter().zip(correct) {
        println!(
            "{:<14} {:>4}/{:<3} {:>4}/{:<3} {:>4}/{:<3} {:>4}/{:<3}",
            name,
            count[0],
            totals[0],
            count[1],
            totals[1],
            count[2],
            totals[2],
            count.iter().sum::<usize>(),
            vectors.len()
        );
    }
}
