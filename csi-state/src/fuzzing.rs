//! Fuzzing harness, compiled under `cfg(fuzzing)` (cargo-fuzz sets it) and in tests.
//!
//! [`csi_events`] decodes raw bytes into a configuration and a sequence of inputs (call
//! events, registration and bearer changes, capability results, share requests, time
//! steps), drives a [`CsiEngine`] with them and panics when an invariant breaks, so the
//! `csi_events` target in `fuzz/` is one line. The crate's property tests feed it seeded
//! random bytes.
//!
//! Encoding: byte 0 picks the timers, byte 1 the call limit and size limit; then each input
//! is an opcode byte (taken modulo 16) and a call-id byte, then a fixed number of operand
//! bytes per opcode (missing bytes read as 0):
//!
//! | opcode | input | operands |
//! |---|---|---|
//! | 0, 1 | call ringing / dialing | number ([`CS_NUMBERS`]) |
//! | 2 to 7 | connected, held, resumed, multiparty, two-party, disconnected | none |
//! | 8 | registration | on if odd |
//! | 9 | network change | none |
//! | 10 | capability result | peer ([`PEERS`]), kind, failure status |
//! | 11 | incoming share | flags (PAI, second PAI, From, size), three [`IDENTITIES`], size / 10 kB |
//! | 12 | outgoing share | peer, sized if odd, size / 10 kB |
//! | 13 | share ended | which of the ids handed out |
//! | 14 | time passes | tenths of a second |
//! | 15 | time jumps to `poll_timeout` | none | The number and identity
//! pools below hold formats that correlate with each other under the United Kingdom plan, so
//! that short inputs reach every state.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use sip_lite::StatusCode;
use sip_lite::e164::{E164, NumberingPlan};
use sip_lite::feature::FeatureSet;

use crate::{
    Availability, CallId, CallState, CapabilityResult, Config, CsiEngine, EndReason, Event,
    IncomingShare, ShareDirection, ShareId, ShareVerdict,
};

/// CS numbers as a telephony layer may report them (`None`: withheld). The first four are one
/// number, the fifth another; the rest never correlate with a UK identity or never normalise.
pub const CS_NUMBERS: [Option<&str>; 10] = [
    Some("07700 900123"),
    Some("+44 7700 900123"),
    Some("0044 7700 900123"),
    Some("+44 (0)7700 900123"),
    Some("07700 900456"),
    Some("+33 1 23 45 67 89"),
    Some("*31#"),
    Some(""),
    Some("12ab"),
    None,
];

/// SIP identities (P-Asserted-Identity or From values).
pub const IDENTITIES: [&str; 10] = [
    "tel:+447700900123",
    "<sip:+447700900123@ims.example.net;user=phone>",
    "tel:07700900123;phone-context=+44",
    "\"Emily\" <sip:+44-7700-900456@ims.example.net;user=phone>;tag=x1",
    "tel:900123;phone-context=example.com",
    "sip:anonymous@anonymous.invalid",
    "sip:alice@example.com",
    "tel:+33123456789",
    "<sip:broken",
    "",
];

/// Peers the application may name in capability results and outgoing shares.
pub const PEERS: [&str; 4] = [
    "+447700900123",
    "+447700900456",
    "+33123456789",
    "+15551234567",
];

/// Seed inputs for the fuzz target (written to `fuzz/corpus-seeds/csi-*.bin`; a test checks
/// the files match): a share accepted, started, ended by hold and by disconnect; call waiting
/// with a swap to a second peer; queries timing out, registration toggling, multiparty.
#[rustfmt::skip]
pub const SEEDS: [(&str, &[u8]); 3] = [
    ("csi-share.bin", &[
        0b0000_1010, 4, // query delay 2 s, timeout 32 s, no minimum interval; 1 call, 1 MB limit
        8, 0, 1, // registered
        0, 0, 0, // call 0 rings from 07700 900123
        2, 0, // answered
        15, 0, // time jumps to the query
        10, 0, 0, 0, 0, // the peer supports Image Share
        11, 0, 1, 0, 0, 0, 0, // incoming share, PAI tel:+447700900123: accepted
        12, 0, 0, 0, 0, // outgoing share to +447700900123: started
        3, 0, // held: both end
        4, 0, // resumed
        15, 0, // the query again
        10, 0, 0, 0, 0, // still capable
        12, 0, 0, 0, 0, // outgoing share
        7, 0, // disconnected: it ends
    ]),
    ("csi-call-waiting.bin", &[
        0b0001_0110, 2, // delay 500 ms, timeout 1 s, interval 500 ms; 3 calls
        8, 0, 1, // registered
        1, 1, 1, // call 1 dials +44 7700 900123
        2, 1, // answered
        15, 0, // the query
        10, 0, 0, 2, 0, // capable (simple answer)
        0, 2, 5, // call 2 rings from +33 1 23 45 67 89 (waiting)
        3, 1, // call 1 held
        2, 2, // call 2 answered
        15, 0, // the query to +33...
        10, 0, 2, 0, 0, // capable
        11, 0, 1, 7, 0, 0, 0, // incoming share from tel:+33123456789: accepted
        7, 2, // call 2 disconnected: the share ends
        4, 1, // call 1 resumed
        15, 0, 15, 0, // the query, then its timeout
        14, 0, 255, // 25.5 s pass
        15, 0,
    ]),
    ("csi-timeouts.bin", &[
        0b0000_0101, 1, // delay 500 ms, timeout 1 s, no interval; 2 calls
        0, 0, 9, // call 0 rings, withheld
        2, 0, // answered (never correlates)
        8, 0, 1, // registered
        0, 1, 4, // call 1 rings from 07700 900456 (blocked) while call 0 is active
        2, 1, // answered: two active calls, none counts
        15, 0,
        3, 0, // call 0 held: call 1 is active
        15, 0, 15, 0, // query, timeout
        9, 0, 15, 0, // network change: query again
        8, 0, 0, 8, 0, 1, // registration lost and back
        15, 0,
        5, 1, 6, 1, // multiparty and back
        15, 0,
        7, 1, 7, 0, // both end
    ]),
];

/// What a run reached, so that tests can check the harness explores the states.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Inputs applied.
    pub inputs: usize,
    /// `ShareAvailable` events.
    pub available: usize,
    /// Capability queries sent.
    pub queries: usize,
    /// Queries timed out by the engine.
    pub timeouts: usize,
    /// Incoming shares accepted.
    pub accepted: usize,
    /// Incoming shares rejected.
    pub rejected: usize,
    /// Outgoing shares started.
    pub outgoing: usize,
    /// `EndShares` events, and among them for a disconnected call.
    pub ended: usize,
    /// `EndShares` events for a call that ended.
    pub ended_by_disconnect: usize,
}

/// Decodes `data` into inputs, drives an engine with them and checks the invariants after
/// every input. Panics when one breaks.
pub fn csi_events(data: &[u8]) -> Coverage {
    let mut bytes = Bytes(data);
    let mut harness = Harness::new(bytes.next(), bytes.next());
    while let Some(op) = bytes.0.first().copied() {
        bytes.0 = &bytes.0[1..];
        harness.step(op, &mut bytes);
    }
    harness.coverage
}

/// A byte cursor that reads 0 once the input is exhausted.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn pick<T: Copy>(&mut self, pool: &[T]) -> T {
        pool[usize::from(self.next()) % pool.len()]
    }
}

fn uk_plan() -> NumberingPlan {
    NumberingPlan::new("44")
        .and_then(|p| p.with_international_prefix("00"))
        .and_then(|p| p.with_trunk_prefix("0"))
        .expect("a valid plan")
}

fn peer(text: &str) -> E164 {
    text.parse().expect("a valid E.164 number")
}

/// The engine under test and what the checks remember between inputs.
struct Harness {
    engine: CsiEngine,
    now: Instant,
    /// The last availability each peer's events announced.
    announced: BTreeMap<E164, Availability>,
    /// Peers with a query outstanding, as the events tell it.
    outstanding: BTreeSet<E164>,
    /// When each peer was last queried, while the engine keeps it.
    last_query: BTreeMap<E164, Instant>,
    /// Share ids handed out, to end some of them.
    issued: Vec<ShareId>,
    coverage: Coverage,
}

impl Harness {
    fn new(timers: u8, limits: u8) -> Self {
        const DELAYS: [u64; 4] = [0, 500, 2_000, 10_000];
        let config = Config::default()
            .with_numbering_plan(uk_plan())
            .with_query_delay(Duration::from_millis(DELAYS[usize::from(timers & 3)]))
            .with_query_timeout(Duration::from_millis(
                [1, 1_000, 32_000, u64::MAX][usize::from((timers >> 2) & 3)],
            ))
            .with_min_query_interval(Duration::from_millis(
                DELAYS[usize::from((timers >> 4) & 3)],
            ))
            .with_max_calls(1 + usize::from(limits & 3))
            .with_blocked(peer("+447700900456"))
            .with_max_share_size((limits & 4 != 0).then_some(1_000_000));
        Self {
            engine: CsiEngine::new(config).expect("a valid configuration"),
            now: Instant::now(),
            announced: BTreeMap::new(),
            outstanding: BTreeSet::new(),
            last_query: BTreeMap::new(),
            issued: Vec::new(),
            coverage: Coverage::default(),
        }
    }

    fn step(&mut self, op: u8, bytes: &mut Bytes<'_>) {
        self.coverage.inputs += 1;
        let now = self.now;
        let before: BTreeSet<ShareId> = self.engine.shares().map(|s| s.id).collect();
        let mut ended_by_app = None;
        let mut disconnected = None;
        let call = CallId(u64::from(bytes.next() % 6));
        match op % 16 {
            0 => {
                let number = bytes.pick(&CS_NUMBERS);
                let _ = self.engine.call_ringing(now, call, number);
            }
            1 => {
                let number = bytes.pick(&CS_NUMBERS).unwrap_or("");
                let _ = self.engine.call_dialing(now, call, number);
            }
            2 => {
                let _ = self.engine.call_connected(now, call);
            }
            3 => {
                let _ = self.engine.call_held(now, call);
            }
            4 => {
                let _ = self.engine.call_resumed(now, call);
            }
            5 => {
                let _ = self.engine.call_multiparty(now, call);
            }
            6 => {
                let _ = self.engine.call_two_party(now, call);
            }
            7 => {
                let shares_on_call: BTreeSet<ShareId> = self
                    .engine
                    .shares()
                    .filter(|s| s.call == call)
                    .map(|s| s.id)
                    .collect();
                if self.engine.call_disconnected(now, call).is_ok() {
                    disconnected = Some((call, shares_on_call));
                }
            }
            8 => self.engine.registration_changed(now, bytes.next() & 1 == 1),
            9 => self.engine.network_changed(now),
            10 => {
                let who = peer(bytes.pick(&PEERS));
                let kind = bytes.next() % 6;
                let status = bytes.pick(&[
                    StatusCode::NOT_FOUND,
                    StatusCode::TEMPORARILY_UNAVAILABLE,
                    StatusCode::REQUEST_TIMEOUT,
                ]);
                let result = match kind {
                    0 => CapabilityResult::Features(FeatureSet::image_share()),
                    1 => CapabilityResult::Features(FeatureSet::new()),
                    2 => CapabilityResult::ImageShare(true),
                    3 => CapabilityResult::ImageShare(false),
                    4 => CapabilityResult::Failed(status),
                    _ => CapabilityResult::TimedOut,
                };
                self.engine.capabilities_received(now, &who, result);
                self.outstanding.remove(&who);
            }
            11 => self.incoming(bytes),
            12 => self.outgoing(bytes),
            13 => {
                let pick = usize::from(bytes.next());
                if !self.issued.is_empty() {
                    let id = self.issued[pick % self.issued.len()];
                    let running = before.contains(&id);
                    assert_eq!(self.engine.share_ended(now, id), running);
                    ended_by_app = Some(id);
                }
            }
            14 => {
                let step = u64::from(bytes.next()) * 100;
                self.now = self
                    .now
                    .checked_add(Duration::from_millis(step))
                    .unwrap_or(now);
                self.engine.handle_timeout(self.now);
            }
            _ => {
                if let Some(t) = self.engine.poll_timeout() {
                    assert!(t > now, "poll_timeout {t:?} is not after now {now:?}");
                    self.now = t;
                    self.engine.handle_timeout(t);
                }
            }
        }
        self.check(before, ended_by_app, disconnected);
    }

    fn incoming(&mut self, bytes: &mut Bytes<'_>) {
        let mut request = IncomingShare::new();
        let flags = bytes.next();
        let (first, second, from) = (
            bytes.pick(&IDENTITIES),
            bytes.pick(&IDENTITIES),
            bytes.pick(&IDENTITIES),
        );
        let size = u64::from(bytes.next()) * 10_000;
        if flags & 1 != 0 {
            request = request.with_asserted_identity_str(first);
        }
        if flags & 2 != 0 {
            request = request.with_asserted_identity_str(second);
        }
        if flags & 4 != 0 {
            request = request.with_from_str(from);
        }
        if flags & 8 != 0 {
            request = request.with_size(Some(size));
        }
        let plan = self.engine.config().numbering_plan.clone();
        let incoming_before = self.running(ShareDirection::Incoming);
        let active_before = self.engine.active_peer().cloned();
        match self.engine.incoming_share(self.now, &request) {
            ShareVerdict::Accept { share } => {
                self.coverage.accepted += 1;
                self.issued.push(share);
                let sender = request.sender(&plan);
                assert!(sender.is_some(), "accepted an unidentified sender");
                assert_eq!(
                    sender, active_before,
                    "accepted a share with no correlated call"
                );
                assert!(!incoming_before, "accepted a second incoming share");
                if let Some(sender) = &sender {
                    assert!(
                        !self.engine.config().blocked.contains(sender),
                        "accepted a blocked sender"
                    );
                }
            }
            ShareVerdict::Reject { status, .. } => {
                self.coverage.rejected += 1;
                assert!(status.as_u16() >= 400);
            }
        }
    }

    fn outgoing(&mut self, bytes: &mut Bytes<'_>) {
        let who = peer(bytes.pick(&PEERS));
        let sized = bytes.next() & 1 == 1;
        let size = u64::from(bytes.next()) * 10_000;
        let size = sized.then_some(size);
        let availability = self.engine.availability(&who);
        let outgoing_before = self.running(ShareDirection::Outgoing);
        if let Ok(share) = self.engine.start_outgoing_share(self.now, &who, size) {
            self.coverage.outgoing += 1;
            self.issued.push(share);
            assert!(
                availability.is_available(),
                "outgoing share while {availability:?}"
            );
            assert!(!outgoing_before, "a second outgoing share");
        }
    }

    fn running(&self, direction: ShareDirection) -> bool {
        self.engine.shares().any(|s| s.direction == direction)
    }

    fn check(
        &mut self,
        before: BTreeSet<ShareId>,
        ended_by_app: Option<ShareId>,
        disconnected: Option<(CallId, BTreeSet<ShareId>)>,
    ) {
        let now = self.now;
        let mut ended_by_engine = BTreeSet::new();
        let mut availability_events = BTreeSet::new();
        let mut events = Vec::new();
        while let Some(event) = self.engine.poll_event() {
            events.push(event);
        }
        let engine_ref = &self.engine;
        for event in events {
            match event {
                Event::QueryCapabilities { peer } => {
                    self.coverage.queries += 1;
                    assert!(engine_ref.is_registered(), "query while not registered");
                    assert_eq!(
                        engine_ref.active_peer(),
                        Some(&peer),
                        "query to a peer not in the active call"
                    );
                    assert!(
                        self.outstanding.insert(peer.clone()),
                        "second query to {peer} while one is outstanding"
                    );
                    if let Some(last) = self.last_query.insert(peer, now) {
                        let interval = engine_ref.config().min_query_interval;
                        assert!(
                            last.checked_add(interval).is_none_or(|t| t <= now),
                            "queries closer than the minimum interval"
                        );
                    }
                }
                Event::CapabilityQueryTimedOut { peer } => {
                    self.coverage.timeouts += 1;
                    assert!(
                        self.outstanding.remove(&peer),
                        "timeout of a query not outstanding"
                    );
                }
                Event::ShareAvailable { ref peer } | Event::ShareUnavailable { ref peer, .. } => {
                    let now_available = match event {
                        Event::ShareAvailable { .. } => Availability::Available,
                        Event::ShareUnavailable { reason, .. } => Availability::Unavailable(reason),
                        _ => unreachable!(),
                    };
                    if now_available.is_available() {
                        self.coverage.available += 1;
                    }
                    assert!(
                        availability_events.insert(peer.clone()),
                        "two availability events for {peer} in one input"
                    );
                    let previous = self.announced.insert(peer.clone(), now_available);
                    assert_ne!(
                        previous,
                        Some(now_available),
                        "availability of {peer} repeated"
                    );
                }
                Event::EndShares {
                    shares,
                    reason,
                    call,
                    peer,
                } => {
                    self.coverage.ended += 1;
                    assert!(!shares.is_empty(), "EndShares with no share");
                    assert_ne!(
                        engine_ref.active_call(),
                        Some(call),
                        "shares of the active call ended"
                    );
                    if reason == EndReason::CallEnded {
                        self.coverage.ended_by_disconnect += 1;
                        assert!(
                            engine_ref.call(call).is_none(),
                            "CallEnded for a call still tracked"
                        );
                    }
                    for s in shares {
                        assert!(before.contains(&s), "ended {s} which was not running");
                        assert!(ended_by_engine.insert(s), "{s} ended twice");
                    }
                    let _ = peer;
                }
            }
        }
        let engine = &self.engine;

        // Every share that stopped running was ended by the application or by an event, and
        // every share beside a disconnected call ended.
        let after: BTreeSet<ShareId> = engine.shares().map(|s| s.id).collect();
        let mut expected_gone: BTreeSet<ShareId> = before.difference(&after).copied().collect();
        if let Some(id) = ended_by_app {
            expected_gone.remove(&id);
        }
        assert_eq!(
            expected_gone, ended_by_engine,
            "shares ended without an event"
        );
        if let Some((_, on_call)) = disconnected {
            for s in on_call {
                assert!(!after.contains(&s), "{s} survived its call");
            }
        }

        // Running shares: at most one per direction, all beside the active call.
        for direction in [ShareDirection::Incoming, ShareDirection::Outgoing] {
            assert!(engine.shares().filter(|s| s.direction == direction).count() <= 1);
        }
        for share in engine.shares() {
            assert_eq!(
                engine.active_call(),
                Some(share.call),
                "{} outlived its call",
                share.id
            );
            let call = engine
                .call(share.call)
                .expect("the share's call is tracked");
            assert_eq!(call.state, CallState::Connected);
            assert_eq!(call.peer.as_ref().ok(), Some(&share.peer));
        }

        // The events tell the state: what each peer's last event said is its availability now,
        // and "available" needs a connected, two-party, not held call with it while registered.
        for (peer, announced) in &self.announced {
            assert_eq!(
                *announced,
                engine.availability(peer),
                "events and state disagree for {peer}"
            );
            if announced.is_available() {
                let active = engine
                    .active_call()
                    .and_then(|c| engine.call(c))
                    .expect("an active call");
                assert_eq!(active.state, CallState::Connected);
                assert_eq!(active.peer.as_ref().ok(), Some(peer));
                assert!(engine.is_registered());
            }
        }
        if let Some(active) = engine.active_call() {
            assert_eq!(
                engine.call(active).map(|c| c.state),
                Some(CallState::Connected)
            );
        }

        // Queries: the engine and the events agree on what is outstanding, except for a peer
        // the engine has dropped (the documented overflow of retired peers).
        self.outstanding.retain(|p| {
            let known = engine.calls().any(|(_, c)| c.peer.as_ref().ok() == Some(p))
                || engine.query_outstanding(p);
            if known {
                assert!(
                    engine.query_outstanding(p),
                    "{p}'s query vanished without an event"
                );
            }
            known
        });
        self.last_query.retain(|p, _| {
            engine.calls().any(|(_, c)| c.peer.as_ref().ok() == Some(p))
                || engine.query_outstanding(p)
        });

        // Timers: everything due at `now` has been done.
        if let Some(t) = engine.poll_timeout() {
            assert!(t > now, "poll_timeout {t:?} is not after now {now:?}");
        }

        // Bounds.
        let limit = engine.config().max_calls;
        assert!(engine.calls().count() <= limit);
        assert!(engine.peer_count() <= 2 * limit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_reach_what_they_say() {
        let [share, waiting, timeouts] = SEEDS.map(|(_, data)| csi_events(data));
        assert_eq!(
            (
                share.accepted,
                share.outgoing,
                share.ended,
                share.ended_by_disconnect
            ),
            (1, 2, 2, 1),
            "{share:?}"
        );
        assert_eq!(
            (
                waiting.accepted,
                waiting.ended_by_disconnect,
                waiting.queries
            ),
            (1, 1, 3),
            "{waiting:?}"
        );
        assert!(waiting.timeouts >= 1, "{waiting:?}");
        assert!(
            timeouts.queries >= 2 && timeouts.timeouts >= 2,
            "{timeouts:?}"
        );
    }

    /// The committed seed files are [`SEEDS`] (checked when the repository's `fuzz/` is there).
    #[test]
    fn seed_files_match() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus-seeds");
        if !dir.is_dir() {
            return;
        }
        for (name, data) in SEEDS {
            let file = std::fs::read(dir.join(name)).unwrap_or_default();
            assert_eq!(
                file, data,
                "fuzz/corpus-seeds/{name} differs from fuzzing::SEEDS"
            );
        }
    }

    #[test]
    fn empty_and_short_inputs() {
        for data in [&[][..], &[0], &[0, 0], &[0, 0, 0], &[255; 7]] {
            csi_events(data);
        }
    }

    #[test]
    #[rustfmt::skip]
    fn a_scripted_share_is_covered() {
        // Register, ring from 07700 900123 on call 0, connect, wait for the query, answer it
        // with Image Share, accept an incoming share, disconnect.
        let data = [
            0b0000_1010, // query delay 2 s, timeout 32 s, no minimum interval
            0, // max_calls 1, no size limit
            8, 0, 1, // registered
            0, 0, 0, // call 0 ringing, CS_NUMBERS[0]
            2, 0, // call 0 connected
            15, 0, // time jumps to the query
            10, 0, 0, 0, 0, // capabilities: +447700900123 supports Image Share
            11, 0, 1, 0, 0, 0, 0, // incoming share, PAI tel:+447700900123
            7, 0, // call 0 disconnected
        ];
        let coverage = csi_events(&data);
        assert_eq!(coverage.queries, 1);
        assert_eq!(coverage.available, 1);
        assert_eq!(coverage.accepted, 1);
        assert_eq!(coverage.ended_by_disconnect, 1);
    }
}
