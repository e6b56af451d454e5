use std::time::{Duration, Instant};

use super::*;

fn relay(uri: &str) -> Relay {
    Relay::new(uri.parse().unwrap(), "alice", "pw")
}

fn seeded(seed: u8) -> IdGenerator {
    let mut state = seed;
    IdGenerator::from_fn(move |buf: &mut [u8]| {
        for b in buf.iter_mut() {
            state = state.wrapping_mul(181).wrapping_add(59);
            *b = state;
        }
    })
}

#[test]
fn alternatives_replace_only_the_first_relay() {
    let config = ClientConfig::new(vec![
        relay("msrps://a.example.com;tcp"),
        relay("msrps://b.example.com;tcp"),
    ])
    .with_alternatives(vec![relay("msrps://a2.example.com;tcp")]);
    let mut c = AuthClient::new(config, "me.example.com", 1234, seeded(1)).unwrap();
    assert_eq!(c.relay(0).uri.host_str(), "a.example.com");
    assert_eq!(c.relay(1).uri.host_str(), "b.example.com");
    c.candidate = 1;
    assert_eq!(c.relay(0).uri.host_str(), "a2.example.com");
    assert_eq!(c.relay(1).uri.host_str(), "b.example.com");
    // Out of range falls back to the primary instead of panicking.
    c.candidate = 9;
    assert_eq!(c.relay(0).uri.host_str(), "a.example.com");
    assert_eq!(c.relay(7).uri.host_str(), "a.example.com");
}

#[test]
fn local_uri_has_a_long_random_session_id() {
    let config = ClientConfig::new(vec![relay("msrps://a.example.com;tcp")]);
    let c = AuthClient::new(config.clone(), "me.example.com", 1234, seeded(1)).unwrap();
    let sid = c.local_uri().session_id().unwrap();
    assert_eq!(sid.len(), SESSION_ID_LEN);
    assert!(sid.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(c.local_uri().transport(), "tcp");
    let other = AuthClient::new(config, "me.example.com", 1234, seeded(2)).unwrap();
    assert_ne!(other.local_uri(), c.local_uri());
}

#[test]
fn idle_and_given_up_clients_do_nothing_on_timeouts() {
    let config = ClientConfig::new(vec![relay("msrps://a.example.com;tcp")]);
    let mut c = AuthClient::new(config, "me.example.com", 1234, seeded(3)).unwrap();
    let t0 = Instant::now();
    c.handle_timeout(t0 + Duration::from_secs(3600));
    c.connection_lost(t0);
    assert!(c.poll_transmit().is_none() && c.poll_event().is_none());
    c.start(t0);
    let _ = c.poll_transmit();
    c.handle_timeout(t0 + Duration::from_secs(30));
    assert_eq!(c.phase, Phase::GaveUp);
    while c.poll_event().is_some() {}
    c.handle_timeout(t0 + Duration::from_secs(3600));
    assert!(c.poll_transmit().is_none() && c.poll_event().is_none());
    assert_eq!(c.poll_timeout(), None);
}
