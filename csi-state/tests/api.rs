//! Configuration checks, serde, limits and the state accessors.

use std::time::{Duration, Instant};

use csi_state::{
    Availability, CallDirection, CallId, CallState, CapabilityResult, Config, ConfigError,
    CsiEngine, Event, IncomingShare, RejectStatuses, ShareDirection, ShareVerdict,
    UnavailableReason,
};
use sip_lite::e164::E164;

fn e164(s: &str) -> E164 {
    s.parse().unwrap()
}

fn drain(engine: &mut CsiEngine) -> Vec<Event> {
    std::iter::from_fn(|| engine.poll_event()).collect()
}

/// Registered, one call from `number` connected at `now` and its query answered capable.
fn available(config: Config, number: &str, now: Instant) -> CsiEngine {
    let mut engine = CsiEngine::new(config).unwrap();
    engine.registration_changed(now, true);
    engine.call_ringing(now, CallId(1), Some(number)).unwrap();
    engine.call_connected(now, CallId(1)).unwrap();
    let at = engine.poll_timeout().unwrap();
    engine.handle_timeout(at);
    let peer = engine.active_peer().unwrap().clone();
    engine.capabilities_received(at, &peer, CapabilityResult::ImageShare(true));
    assert_eq!(engine.availability(&peer), Availability::Available);
    drain(&mut engine);
    engine
}

#[test]
fn config_is_checked() {
    assert_eq!(
        CsiEngine::new(Config::default().with_max_calls(0)).err(),
        Some(ConfigError::ZeroMaxCalls)
    );
    assert_eq!(
        CsiEngine::new(Config::default().with_query_timeout(Duration::ZERO)).err(),
        Some(ConfigError::ZeroQueryTimeout)
    );
    let mut statuses = RejectStatuses::default();
    statuses.busy = 200;
    assert_eq!(
        CsiEngine::new(Config::default().with_reject_statuses(statuses)).err(),
        Some(ConfigError::RejectStatus { status: 200 })
    );
    statuses.busy = 700;
    assert!(
        Config::default()
            .with_reject_statuses(statuses)
            .check()
            .is_err()
    );
    assert!(Config::default().check().is_ok());
    // Reported errors say what is wrong.
    assert_eq!(
        ConfigError::ZeroMaxCalls.to_string(),
        "max_calls must be at least 1"
    );
}

#[test]
fn configured_statuses_are_used() {
    let now = Instant::now();
    let mut statuses = RejectStatuses::default();
    statuses.no_correlated_call = 480;
    statuses.unknown_identity = 400;
    let mut engine = available(
        Config::default().with_reject_statuses(statuses),
        "+447700900123",
        now,
    );
    let other = IncomingShare::new().with_asserted_identity_str("tel:+15551234567");
    let anon = IncomingShare::new().with_from_str("sip:anonymous@anonymous.invalid");
    let status = |v| match v {
        ShareVerdict::Reject { status, .. } => status.as_u16(),
        _ => 0,
    };
    assert_eq!(status(engine.incoming_share(now, &other)), 480);
    assert_eq!(status(engine.incoming_share(now, &anon)), 400);
}

#[cfg(feature = "serde")]
#[test]
fn config_serde() {
    use sip_lite::e164::NumberingPlan;

    let uk = NumberingPlan::new("44")
        .unwrap()
        .with_trunk_prefix("0")
        .unwrap();
    let config = Config::default()
        .with_numbering_plan(uk)
        .with_query_delay(Duration::from_millis(1500))
        .with_blocked(e164("+447700900456"))
        .with_max_share_size(Some(5_000_000));
    let json = serde_json::to_value(&config).unwrap();
    assert_eq!(json["query_delay_ms"], 1500);
    assert_eq!(json["query_timeout_ms"], 32_000);
    assert_eq!(json["min_query_interval_ms"], 5_000);
    assert_eq!(json["blocked"][0], "+447700900456");
    assert_eq!(json["reject_statuses"]["busy"], 486);
    let back: Config = serde_json::from_value(json).unwrap();
    assert_eq!(back, config);

    // Missing fields take their defaults.
    let partial: Config =
        serde_json::from_str(r#"{"max_calls": 4, "reject_statuses": {"busy": 600}}"#).unwrap();
    assert_eq!(partial.max_calls, 4);
    assert_eq!(partial.query_delay, Duration::from_secs(2));
    assert_eq!(partial.reject_statuses.busy, 600);
    assert_eq!(partial.reject_statuses.blocked, 603);

    // A deserialised plan is checked when the engine is built.
    let bad: Config = serde_json::from_str(r#"{"numbering_plan": {"country_code": "0"}}"#).unwrap();
    assert!(matches!(
        CsiEngine::new(bad),
        Err(ConfigError::NumberingPlan(_))
    ));
    assert!(serde_json::from_str::<Config>(r#"{"blocked": ["447700900456"]}"#).is_err());
}

#[test]
fn state_accessors() {
    let now = Instant::now();
    let mut engine = available(Config::default(), "+447700900123", now);
    let peer = e164("+447700900123");
    assert!(engine.is_registered());
    assert_eq!(engine.active_call(), Some(CallId(1)));
    assert!(engine.advertises_image_share_to(&peer));
    assert!(!engine.advertises_image_share_to(&e164("+15551234567")));
    assert!(!engine.query_outstanding(&peer));
    let info = engine.call(CallId(1)).unwrap();
    assert_eq!(
        (info.direction, info.state),
        (CallDirection::Incoming, CallState::Connected)
    );
    assert_eq!(engine.calls().count(), 1);

    let out = engine.start_outgoing_share(now, &peer, None).unwrap();
    let ShareVerdict::Accept { share: inc } = engine.incoming_share(
        now,
        &IncomingShare::new().with_from_str("tel:+447700900123"),
    ) else {
        panic!("not accepted")
    };
    let shares: Vec<_> = engine
        .shares()
        .map(|s| (s.id, s.direction, s.call))
        .collect();
    assert_eq!(
        shares,
        [
            (out, ShareDirection::Outgoing, CallId(1)),
            (inc, ShareDirection::Incoming, CallId(1))
        ]
    );
    assert_ne!(out, inc);
    assert_eq!(inc.to_string(), format!("share {}", inc.as_u64()));

    engine.call_held(now, CallId(1)).unwrap();
    assert!(!engine.advertises_image_share_to(&peer));
    assert_eq!(engine.shares().count(), 0);
    assert_eq!(
        engine.availability(&peer),
        Availability::Unavailable(UnavailableReason::CallHeld)
    );
    assert_eq!(
        engine.availability(&e164("+15551234567")),
        Availability::Unavailable(UnavailableReason::NoCall)
    );
}

#[test]
fn nothing_pending_when_idle() {
    let mut engine = CsiEngine::new(Config::default()).unwrap();
    assert_eq!(engine.poll_timeout(), None);
    assert_eq!(engine.poll_event(), None);
    let now = Instant::now();
    engine.handle_timeout(now);
    engine.network_changed(now);
    engine.registration_changed(now, true);
    assert_eq!(engine.poll_timeout(), None);
    assert_eq!(engine.poll_event(), None);
    // A withheld call is tracked but never queried.
    engine.call_ringing(now, CallId(9), None).unwrap();
    engine.call_connected(now, CallId(9)).unwrap();
    assert_eq!(engine.active_call(), Some(CallId(9)));
    assert_eq!(engine.active_peer(), None);
    assert_eq!(engine.poll_timeout(), None);
    assert_eq!(engine.poll_event(), None);
}

#[test]
fn retired_peers_with_outstanding_queries_are_bounded() {
    let now = Instant::now();
    let mut engine = CsiEngine::new(Config::default().with_max_calls(1)).unwrap();
    engine.registration_changed(now, true);
    let mut t = now;
    for (call, number) in [
        (1, "+447700900123"),
        (2, "+33123456789"),
        (3, "+15551234567"),
    ] {
        engine.call_dialing(t, CallId(call), number).unwrap();
        engine.call_connected(t, CallId(call)).unwrap();
        t = engine.poll_timeout().unwrap();
        engine.handle_timeout(t);
        assert!(engine.query_outstanding(&e164(number)));
        t += Duration::from_secs(1);
        engine.call_disconnected(t, CallId(call)).unwrap();
        assert!(engine.peer_count() <= 2);
    }
    // The oldest outstanding query was dropped with its peer; the newest is kept.
    assert!(!engine.query_outstanding(&e164("+447700900123")));
    assert!(!engine.query_outstanding(&e164("+33123456789")));
    assert!(engine.query_outstanding(&e164("+15551234567")));
    // It times out and the peer goes.
    let at = engine.poll_timeout().unwrap();
    engine.handle_timeout(at);
    assert_eq!(engine.peer_count(), 0);
    assert_eq!(engine.poll_timeout(), None);
}

#[test]
fn extreme_durations_and_clock_steps_do_not_panic() {
    let config = Config::default()
        .with_query_delay(Duration::MAX)
        .with_query_timeout(Duration::MAX)
        .with_min_query_interval(Duration::MAX);
    let now = Instant::now();
    let mut engine = CsiEngine::new(config).unwrap();
    engine.registration_changed(now, true);
    engine
        .call_ringing(now, CallId(1), Some("+447700900123"))
        .unwrap();
    engine.call_connected(now, CallId(1)).unwrap();
    // The query delay is beyond what an Instant holds: no query is ever due...
    assert_eq!(engine.poll_timeout(), None);
    // ...but a change asks for one now, and its timeout is "never".
    engine.network_changed(now);
    assert!(drain(&mut engine).contains(&Event::QueryCapabilities {
        peer: e164("+447700900123")
    }));
    assert_eq!(engine.poll_timeout(), None);
    // The minimum interval is never over, so no second query.
    engine.capabilities_received(now, &e164("+447700900123"), CapabilityResult::TimedOut);
    engine.network_changed(now + Duration::from_secs(3600));
    assert!(
        !drain(&mut engine)
            .iter()
            .any(|e| matches!(e, Event::QueryCapabilities { .. }))
    );

    // Time going backwards is judged against the earlier instant, without panicking.
    let mut engine = CsiEngine::new(Config::default()).unwrap();
    let later = now + Duration::from_secs(100);
    engine.registration_changed(later, true);
    engine
        .call_ringing(later, CallId(1), Some("+447700900123"))
        .unwrap();
    engine.call_connected(later, CallId(1)).unwrap();
    engine.handle_timeout(now);
    engine.network_changed(now);
    engine.handle_timeout(later + Duration::from_secs(2));
    assert!(
        drain(&mut engine)
            .iter()
            .any(|e| matches!(e, Event::QueryCapabilities { .. }))
    );
}
