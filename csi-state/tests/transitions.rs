//! Every transition of the engine as a table: a sequence of inputs and the transcript of what
//! the engine said (events, verdicts, errors), with the simulated time of each line.
//!
//! Unless a row says otherwise the configuration is the United Kingdom plan, a 2 s query
//! delay, a 32 s query timeout, a 5 s minimum interval, at most 3 calls, +447700900456
//! blocked and a 1 MB size limit. `A` is +447700900123, `B` +447700900456 (blocked), `C`
//! +33123456789.

use std::time::Duration;

use csi_state::{
    CallId, CallState, CapabilityResult, Config, CsiEngine, Event, IncomingShare, ShareId,
    ShareVerdict,
};
use sip_lite::StatusCode;
use sip_lite::e164::{E164, NumberingPlan};
use sip_lite::feature::FeatureSet;
use testkit::SimClock;

#[derive(Clone, Copy, Debug)]
enum Caps {
    Capable,
    NoTags,
    No,
    Failed(u16),
    TimedOut,
}

#[derive(Clone, Copy, Debug)]
enum Step {
    Ring(u64, Option<&'static str>),
    Dial(u64, &'static str),
    Connect(u64),
    Hold(u64),
    Resume(u64),
    Merge(u64),
    Split(u64),
    Hangup(u64),
    Register(bool),
    Network,
    /// A capability result for a peer.
    Caps(&'static str, Caps),
    /// An incoming share with these P-Asserted-Identity values (up to two), From, and size.
    Incoming(&'static [&'static str], Option<&'static str>, Option<u64>),
    /// An outgoing share to a peer.
    Outgoing(&'static str, Option<u64>),
    /// The application ends the n-th share id handed out.
    End(usize),
    /// Lets this many milliseconds pass, waking the engine at each of its timeouts.
    Wait(u64),
    /// Checks a call's state (no transcript line).
    State(u64, Option<CallState>),
}

use Step::*;

const A: &str = "+447700900123";
const B: &str = "+447700900456";
const C: &str = "+33123456789";

fn config() -> Config {
    let uk = NumberingPlan::new("44")
        .and_then(|p| p.with_international_prefix("00"))
        .and_then(|p| p.with_trunk_prefix("0"))
        .unwrap();
    Config::default()
        .with_numbering_plan(uk)
        .with_max_calls(3)
        .with_blocked(B.parse().unwrap())
        .with_max_share_size(Some(1_000_000))
}

fn e164(s: &str) -> E164 {
    s.parse().unwrap()
}

/// Runs `steps` and returns the transcript.
fn run(steps: &[Step]) -> Vec<String> {
    let mut engine = CsiEngine::new(config()).unwrap();
    let mut clock = SimClock::new();
    let mut out = Vec::new();
    let mut shares: Vec<ShareId> = Vec::new();
    for &step in steps {
        let now = clock.now();
        let t = clock.elapsed().as_millis();
        let mut line = |s: String| out.push(format!("{t} {s}"));
        match step {
            Ring(c, n) => note(&mut line, engine.call_ringing(now, CallId(c), n)),
            Dial(c, n) => note(&mut line, engine.call_dialing(now, CallId(c), n)),
            Connect(c) => note(&mut line, engine.call_connected(now, CallId(c))),
            Hold(c) => note(&mut line, engine.call_held(now, CallId(c))),
            Resume(c) => note(&mut line, engine.call_resumed(now, CallId(c))),
            Merge(c) => note(&mut line, engine.call_multiparty(now, CallId(c))),
            Split(c) => note(&mut line, engine.call_two_party(now, CallId(c))),
            Hangup(c) => note(&mut line, engine.call_disconnected(now, CallId(c))),
            Register(r) => engine.registration_changed(now, r),
            Network => engine.network_changed(now),
            Caps(p, caps) => {
                let result = match caps {
                    Caps::Capable => CapabilityResult::Features(FeatureSet::image_share()),
                    Caps::NoTags => CapabilityResult::Features(FeatureSet::new()),
                    Caps::No => CapabilityResult::ImageShare(false),
                    Caps::Failed(code) => {
                        CapabilityResult::Failed(StatusCode::from_u16(code).unwrap())
                    }
                    Caps::TimedOut => CapabilityResult::TimedOut,
                };
                engine.capabilities_received(now, &e164(p), result);
            }
            Incoming(pai, from, size) => {
                let mut request = IncomingShare::new().with_size(size);
                for id in pai {
                    request = request.with_asserted_identity_str(id);
                }
                if let Some(from) = from {
                    request = request.with_from_str(from);
                }
                match engine.incoming_share(now, &request) {
                    ShareVerdict::Accept { share } => {
                        shares.push(share);
                        line(format!("accept share {}", share.as_u64()));
                    }
                    ShareVerdict::Reject { reason, status } => {
                        line(format!("reject {reason:?} {}", status.as_u16()));
                    }
                    other => line(format!("{other:?}")),
                }
            }
            Outgoing(p, size) => match engine.start_outgoing_share(now, &e164(p), size) {
                Ok(share) => {
                    shares.push(share);
                    line(format!("started share {}", share.as_u64()));
                }
                Err(e) => line(format!("refused {e:?}")),
            },
            End(n) => {
                let ended = engine.share_ended(now, shares[n]);
                line(format!("ended share {} {ended}", shares[n].as_u64()));
            }
            State(c, expected) => {
                assert_eq!(
                    engine.call(CallId(c)).map(|i| i.state),
                    expected,
                    "{step:?}"
                );
            }
            Wait(ms) => {
                let until = clock.now() + Duration::from_millis(ms);
                drain(&mut engine, clock.elapsed().as_millis(), &mut out);
                while let Some(at) = engine.poll_timeout().filter(|&at| at <= until) {
                    clock.advance_to(at);
                    engine.handle_timeout(at);
                    drain(&mut engine, clock.elapsed().as_millis(), &mut out);
                }
                clock.advance_to(until);
            }
        }
        drain(&mut engine, clock.elapsed().as_millis(), &mut out);
    }
    out
}

fn note(line: &mut impl FnMut(String), result: Result<(), csi_state::CallError>) {
    if let Err(e) = result {
        line(format!("error {e:?}"));
    }
}

fn drain(engine: &mut CsiEngine, t: u128, out: &mut Vec<String>) {
    while let Some(event) = engine.poll_event() {
        out.push(format!(
            "{t} {}",
            match event {
                Event::QueryCapabilities { peer } => format!("query {peer}"),
                Event::CapabilityQueryTimedOut { peer } => format!("query timed out {peer}"),
                Event::ShareAvailable { peer } => format!("available {peer}"),
                Event::ShareUnavailable { peer, reason } =>
                    format!("unavailable {peer} {reason:?}"),
                Event::EndShares {
                    peer,
                    call,
                    reason,
                    shares,
                } => format!(
                    "end {peer} call {} {reason:?} {:?}",
                    call.0,
                    shares.iter().map(|s| s.as_u64()).collect::<Vec<_>>()
                ),
                other => format!("{other:?}"),
            }
        ));
    }
}

/// Registered, call 1 from A connected at 0 and capable: A available at 2 s.
const A_AVAILABLE: &[Step] = &[
    Register(true),
    Ring(1, Some("07700 900123")),
    Connect(1),
    Wait(2000),
    Caps(A, Caps::Capable),
];

const A_AVAILABLE_LINES: &[&str] = &[
    "0 unavailable +447700900123 CallNotConnected",
    "0 unavailable +447700900123 CapabilitiesUnknown",
    "2000 query +447700900123",
    "2000 available +447700900123",
];

struct Row {
    name: &'static str,
    prefix: &'static [Step],
    steps: &'static [Step],
    expected: &'static [&'static str],
}

const fn row(name: &'static str, steps: &'static [Step], expected: &'static [&'static str]) -> Row {
    Row {
        name,
        prefix: &[],
        steps,
        expected,
    }
}

/// A row that starts from [`A_AVAILABLE`]; `expected` lists only what follows it.
const fn after_available(
    name: &'static str,
    steps: &'static [Step],
    expected: &'static [&'static str],
) -> Row {
    Row {
        name,
        prefix: A_AVAILABLE,
        steps,
        expected,
    }
}

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // ----- call life and the query after connect -----
    row(
        "incoming call: ringing, connected, query 2 s later",
        &[Register(true), Ring(1, Some("07700 900123")), State(1, Some(CallState::Ringing)), Connect(1), State(1, Some(CallState::Connected)), Wait(1999), Wait(1)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "2000 query +447700900123",
        ],
    ),
    row(
        "outgoing call: dialing, connected, query 2 s later",
        &[Register(true), Dial(1, "+44 (0)7700 900123"), State(1, Some(CallState::Dialing)), Wait(10_000), Connect(1), Wait(2000)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "10000 unavailable +447700900123 CapabilitiesUnknown",
            "12000 query +447700900123",
        ],
    ),
    row("capable answer: available", A_AVAILABLE, A_AVAILABLE_LINES),
    row(
        "200 without the Image Share tags: not capable",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Wait(2000), Caps(A, Caps::NoTags)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "2000 query +447700900123",
            "2000 unavailable +447700900123 NotCapable",
        ],
    ),
    row(
        "simple negative answer: not capable",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Wait(2000), Caps(A, Caps::No)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "2000 query +447700900123",
            "2000 unavailable +447700900123 NotCapable",
        ],
    ),
    row(
        "404 / 480 answers: query failed",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Wait(2000), Caps(A, Caps::Failed(404)), Network, Wait(5000), Caps(A, Caps::Failed(480))],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "2000 query +447700900123",
            "2000 unavailable +447700900123 QueryFailed(404 Not Found)",
            "7000 query +447700900123",
            "7000 unavailable +447700900123 QueryFailed(480 Temporarily Unavailable)",
        ],
    ),
    row(
        "the application's own timeout",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Wait(2000), Caps(A, Caps::TimedOut)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "2000 query +447700900123",
            "2000 unavailable +447700900123 QueryTimedOut",
        ],
    ),
    row(
        "the engine's query timeout (32 s), then a late answer counts",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Wait(40_000), Caps(A, Caps::Capable)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "2000 query +447700900123",
            "34000 query timed out +447700900123",
            "34000 unavailable +447700900123 QueryTimedOut",
            "40000 available +447700900123",
        ],
    ),
    row(
        "not registered: no query until registration, then at once",
        &[Ring(1, Some("07700 900123")), Connect(1), Wait(5000), Register(true), Wait(1000), Caps(A, Caps::Capable)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 NotRegistered",
            "5000 unavailable +447700900123 CapabilitiesUnknown",
            "5000 query +447700900123",
            "6000 available +447700900123",
        ],
    ),
    row(
        "registration before the settle delay keeps the delay",
        &[Ring(1, Some("07700 900123")), Connect(1), Wait(500), Register(true), Wait(2000)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 NotRegistered",
            "500 unavailable +447700900123 CapabilitiesUnknown",
            "2000 query +447700900123",
        ],
    ),
    row(
        "disconnected while ringing: the peer is forgotten",
        &[Register(true), Ring(1, Some("07700 900123")), Hangup(1), State(1, None)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 NoCall",
        ],
    ),
    row(
        "disconnected before the query is sent: no query",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Wait(1000), Hangup(1), Wait(60_000)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "1000 unavailable +447700900123 NoCall",
        ],
    ),
    row(
        "withheld caller: never correlates, never queried",
        &[Register(true), Ring(1, None), Connect(1), Wait(10_000), Incoming(&["tel:+447700900123"], None, None)],
        &["10000 reject NoCorrelatedCall 606"],
    ),
    row(
        "unrecognised number (service code): never correlates",
        &[Register(true), Dial(1, "*31#"), Connect(1), Wait(10_000), Incoming(&["tel:+447700900123"], None, None)],
        &["10000 reject NoCorrelatedCall 606"],
    ),
    // ----- leaving and re-entering the active state -----
    after_available(
        "hold ends shares; resume re-queries after the delay and the minimum interval",
        &[Incoming(&["tel:+447700900123"], None, None), Hold(1), State(1, Some(CallState::Held)), Resume(1), Wait(5000), Caps(A, Caps::Capable)],
        &[
            "2000 accept share 0",
            "2000 end +447700900123 call 1 CallHeld [0]",
            "2000 unavailable +447700900123 CallHeld",
            "2000 unavailable +447700900123 CapabilitiesUnknown",
            "7000 query +447700900123",
            "7000 available +447700900123",
        ],
    ),
    after_available(
        "resume soon after a query waits for the minimum interval",
        &[Hold(1), Wait(1000), Resume(1), Wait(5000)],
        &[
            "2000 unavailable +447700900123 CallHeld",
            "3000 unavailable +447700900123 CapabilitiesUnknown",
            "7000 query +447700900123",
        ],
    ),
    after_available(
        "multiparty ends shares; back to two-party re-queries",
        &[Outgoing(A, Some(1000)), Merge(1), State(1, Some(CallState::Multiparty)), Split(1), Wait(5000)],
        &[
            "2000 started share 0",
            "2000 end +447700900123 call 1 Multiparty [0]",
            "2000 unavailable +447700900123 Multiparty",
            "2000 unavailable +447700900123 CapabilitiesUnknown",
            "7000 query +447700900123",
        ],
    ),
    after_available(
        "held and multiparty at once, undone in either order",
        &[Hold(1), Merge(1), State(1, Some(CallState::HeldMultiparty)), Resume(1), Split(1), Wait(5000)],
        &[
            "2000 unavailable +447700900123 CallHeld",
            "2000 unavailable +447700900123 Multiparty",
            "2000 unavailable +447700900123 CapabilitiesUnknown",
            "7000 query +447700900123",
        ],
    ),
    after_available(
        "multiparty then held, split while held, then resumed",
        &[Merge(1), Hold(1), State(1, Some(CallState::HeldMultiparty)), Split(1), State(1, Some(CallState::Held)), Resume(1), Wait(5000)],
        &[
            "2000 unavailable +447700900123 Multiparty",
            "2000 unavailable +447700900123 CallHeld",
            "2000 unavailable +447700900123 CapabilitiesUnknown",
            "7000 query +447700900123",
        ],
    ),
    row(
        "disconnected while dialing, held or multiparty",
        &[Register(true), Dial(1, "07700 900123"), Hangup(1), Dial(2, "07700 900123"), Connect(2), Hold(2), Hangup(2), Dial(3, "07700 900123"), Connect(3), Merge(3), Hangup(3), Wait(60_000)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 NoCall",
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "0 unavailable +447700900123 CallHeld",
            "0 unavailable +447700900123 NoCall",
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "0 unavailable +447700900123 Multiparty",
            "0 unavailable +447700900123 NoCall",
        ],
    ),
    row(
        "held before the query is due: no query until resumed, then the delay again",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Wait(1000), Hold(1), Wait(10_000), Resume(1), Wait(2000)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "1000 unavailable +447700900123 CallHeld",
            "11000 unavailable +447700900123 CapabilitiesUnknown",
            "13000 query +447700900123",
        ],
    ),
    after_available(
        "not capable, then capable after a re-query",
        &[Network, Wait(5000), Caps(A, Caps::NoTags), Network, Wait(5000), Caps(A, Caps::Capable)],
        &[
            "7000 query +447700900123",
            "7000 unavailable +447700900123 NotCapable",
            "12000 query +447700900123",
            "12000 available +447700900123",
        ],
    ),
    after_available(
        "disconnect ends both shares and forgets the peer",
        &[Incoming(&["tel:+447700900123"], None, None), Outgoing(A, None), Hangup(1), Wait(60_000)],
        &[
            "2000 accept share 0",
            "2000 started share 1",
            "2000 end +447700900123 call 1 CallEnded [0, 1]",
            "2000 unavailable +447700900123 NoCall",
        ],
    ),
    after_available(
        "registration lost: unavailable, shares go on; back: available and re-queried",
        &[Incoming(&["tel:+447700900123"], None, None), Register(false), Wait(10_000), Register(true), Caps(A, Caps::Capable)],
        &[
            "2000 accept share 0",
            "2000 unavailable +447700900123 NotRegistered",
            "12000 available +447700900123",
            "12000 query +447700900123",
        ],
    ),
    after_available(
        "network change: re-query after the minimum interval, then the new answer counts",
        &[Wait(1000), Network, Wait(5000), Caps(A, Caps::NoTags)],
        &[
            "7000 query +447700900123",
            "8000 unavailable +447700900123 NotCapable",
        ],
    ),
    row(
        "network change while a query is outstanding: one query at a time",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Wait(2000), Network, Wait(10_000), Caps(A, Caps::Capable), Wait(1000)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "2000 query +447700900123",
            "12000 available +447700900123",
            "12000 query +447700900123",
        ],
    ),
    after_available(
        "answer for a held call's peer is dropped",
        &[Network, Wait(5000), Hold(1), Caps(A, Caps::Capable), Resume(1)],
        &[
            "7000 query +447700900123",
            "7000 unavailable +447700900123 CallHeld",
            "7000 unavailable +447700900123 CapabilitiesUnknown",
        ],
    ),
    row(
        "unsolicited answer for the active peer counts; for others it is ignored",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Caps(A, Caps::Capable), Caps(C, Caps::Capable), Wait(2000)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "0 available +447700900123",
            "2000 query +447700900123",
        ],
    ),
    row(
        "peer calls again while its old query is outstanding: no overlapping query",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Wait(2000), Hangup(1), Wait(1000), Ring(2, Some("+447700900123")), Connect(2), Wait(5000), Caps(A, Caps::Capable)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "2000 query +447700900123",
            "2000 unavailable +447700900123 NoCall",
            "3000 unavailable +447700900123 CallNotConnected",
            "3000 unavailable +447700900123 CapabilitiesUnknown",
            "8000 available +447700900123",
            "8000 query +447700900123",
        ],
    ),
    // ----- several calls -----
    after_available(
        "call waiting: second call rings, first is held, second answered",
        &[Incoming(&["tel:+447700900123"], None, None), Ring(2, Some("0033 1 23 45 67 89")), Hold(1), Connect(2), Wait(2000), Caps(C, Caps::Capable), Hangup(2), Resume(1), Wait(3000)],
        &[
            "2000 accept share 0",
            "2000 unavailable +33123456789 CallNotConnected",
            "2000 end +447700900123 call 1 CallHeld [0]",
            "2000 unavailable +447700900123 CallHeld",
            "2000 unavailable +33123456789 CapabilitiesUnknown",
            "4000 query +33123456789",
            "4000 available +33123456789",
            "4000 unavailable +33123456789 NoCall",
            "4000 unavailable +447700900123 CapabilitiesUnknown",
            "7000 query +447700900123",
        ],
    ),
    after_available(
        "swap reported in two steps: no call counts while both are active",
        &[Outgoing(A, None), Ring(2, Some("+33 1 23 45 67 89")), Connect(2), Hold(1), Wait(2000)],
        &[
            "2000 started share 0",
            "2000 unavailable +33123456789 CallNotConnected",
            "2000 end +447700900123 call 1 OtherCallActive [0]",
            "2000 unavailable +33123456789 OtherCallActive",
            "2000 unavailable +447700900123 OtherCallActive",
            "2000 unavailable +33123456789 CapabilitiesUnknown",
            "2000 unavailable +447700900123 CallHeld",
            "4000 query +33123456789",
        ],
    ),
    // ----- incoming share verdicts -----
    after_available(
        "incoming: P-Asserted-Identity of the call's peer is accepted, a second gets 486",
        &[Incoming(&["<sip:+447700900123@ims.example.net;user=phone>"], None, Some(1_000_000)), Incoming(&["tel:+447700900123"], None, None), End(0), Incoming(&["tel:+447700900123"], None, None)],
        &["2000 accept share 0", "2000 reject Busy 486", "2000 ended share 0 true", "2000 accept share 1"],
    ),
    after_available(
        "incoming: From is used when there is no P-Asserted-Identity",
        &[Incoming(&[], Some("\"Emily\" <tel:07700900123;phone-context=+44>;tag=9fxced76sl"), None)],
        &["2000 accept share 0"],
    ),
    after_available(
        "incoming: the first asserted identity that is a number wins",
        &[Incoming(&["<sip:emily@example.net>", "<tel:+447700900123>"], None, None)],
        &["2000 accept share 0"],
    ),
    after_available(
        "incoming: an asserted identity that is no number is not replaced by From",
        &[Incoming(&["<sip:emily@example.net>"], Some("tel:+447700900123"), None)],
        &["2000 reject UnknownIdentity 606"],
    ),
    after_available(
        "incoming: anonymous, unparsable or missing identity gets 606",
        &[Incoming(&["sip:anonymous@anonymous.invalid"], None, None), Incoming(&["<sip:broken"], None, None), Incoming(&[], None, None), Incoming(&["tel:900123;phone-context=example.com"], None, None)],
        &[
            "2000 reject UnknownIdentity 606",
            "2000 reject UnknownIdentity 606",
            "2000 reject UnknownIdentity 606",
            "2000 reject UnknownIdentity 606",
        ],
    ),
    after_available(
        "incoming: another number, or the peer while held, gets 606",
        &[Incoming(&["tel:+33123456789"], None, None), Hold(1), Incoming(&["tel:+447700900123"], None, None)],
        &[
            "2000 reject NoCorrelatedCall 606",
            "2000 unavailable +447700900123 CallHeld",
            "2000 reject NoCorrelatedCall 606",
        ],
    ),
    after_available(
        "incoming: over the size limit gets 603",
        &[Incoming(&["tel:+447700900123"], None, Some(1_000_001))],
        &["2000 reject TooLarge 603"],
    ),
    row(
        "incoming: blocked sender gets 603, even before capabilities are known",
        &[Register(true), Ring(1, Some("07700 900456")), Connect(1), Incoming(&["tel:+447700900456"], None, None)],
        &[
            "0 unavailable +447700900456 CallNotConnected",
            "0 unavailable +447700900456 CapabilitiesUnknown",
            "0 reject Blocked 603",
        ],
    ),
    row(
        "incoming: accepted while capabilities are unknown (the peer evidently has them)",
        &[Register(true), Ring(1, Some("07700 900123")), Connect(1), Incoming(&["tel:+447700900123"], None, None)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "0 accept share 0",
        ],
    ),
    // ----- outgoing shares -----
    row(
        "outgoing: refused until available",
        &[Register(true), Ring(1, Some("07700 900123")), Outgoing(A, None), Connect(1), Outgoing(A, None), Outgoing(C, None)],
        &[
            "0 unavailable +447700900123 CallNotConnected",
            "0 refused Unavailable(CallNotConnected)",
            "0 unavailable +447700900123 CapabilitiesUnknown",
            "0 refused Unavailable(CapabilitiesUnknown)",
            "0 refused Unavailable(NoCall)",
        ],
    ),
    after_available(
        "outgoing: one at a time, size limit, unknown share ids",
        &[Outgoing(A, Some(2_000_000)), Outgoing(A, Some(1_000_000)), Outgoing(A, None), End(0), End(0), Outgoing(A, None)],
        &[
            "2000 refused TooLarge { size: 2000000, max: 1000000 }",
            "2000 started share 0",
            "2000 refused Busy",
            "2000 ended share 0 true",
            "2000 ended share 0 false",
            "2000 started share 1",
        ],
    ),
    after_available(
        "outgoing: refused while not registered",
        &[Register(false), Outgoing(A, None)],
        &["2000 unavailable +447700900123 NotRegistered", "2000 refused Unavailable(NotRegistered)"],
    ),
    // ----- errors -----
    row(
        "call errors leave the state alone",
        &[Connect(7), Hangup(7), Ring(1, None), Ring(1, None), Hold(1), Resume(1), Merge(1), Split(1), Ring(2, None), Ring(3, None), Ring(4, None), State(4, None)],
        &[
            "0 error UnknownCall(CallId(7))",
            "0 error UnknownCall(CallId(7))",
            "0 error DuplicateCall(CallId(1))",
            "0 error NotConnected(CallId(1))",
            "0 error NotConnected(CallId(1))",
            "0 error NotConnected(CallId(1))",
            "0 error NotConnected(CallId(1))",
            "0 error TooManyCalls { limit: 3 }",
        ],
    ),
    after_available(
        "repeated connected / resumed / two-party change nothing",
        &[Connect(1), Resume(1), Split(1), State(1, Some(CallState::Connected))],
        &[],
    ),
];

#[test]
fn transition_table() {
    let mut failures = Vec::new();
    for row in ROWS {
        let steps: Vec<Step> = row.prefix.iter().chain(row.steps).copied().collect();
        let transcript = run(&steps);
        let mut expected: Vec<String> = Vec::new();
        if !row.prefix.is_empty() {
            expected.extend(A_AVAILABLE_LINES.iter().map(|s| s.to_string()));
        }
        expected.extend(row.expected.iter().map(|s| s.to_string()));
        if transcript != expected {
            failures.push(format!(
                "{}:\n  expected {expected:#?}\n  got      {transcript:#?}",
                row.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
