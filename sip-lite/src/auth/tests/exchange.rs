//! Client and server against each other: successful exchanges, challenge choice, stale nonces.

use std::time::Duration;

use super::*;

#[test]
fn challenge_then_success_with_rspauth_and_preemptive_reuse() {
    let clock = SimClock::new();
    let mut server = server(&clock);
    let mut alice = client("alice", "s3cret", 2);
    let mut req = register();
    let (outcome, challenge) = answer(&mut server, &clock, &req);
    assert_eq!(outcome, Outcome::Challenge { stale: false });
    assert_eq!(challenge.status, StatusCode::UNAUTHORIZED);
    alice.handle_challenge(&mut req, &challenge).unwrap();
    let auth = req
        .headers
        .get(&HeaderName::Authorization)
        .unwrap()
        .as_str();
    for part in [
        "username=\"alice\"",
        "realm=\"example.com\"",
        "uri=\"sip:example.com\"",
    ] {
        assert!(auth.contains(part), "{auth}");
    }
    for part in [
        "algorithm=SHA-256",
        "qop=auth",
        "nc=00000001",
        "cnonce=\"",
        "opaque=\"",
    ] {
        assert!(auth.contains(part), "{auth}");
    }
    let (outcome, ok) = answer(&mut server, &clock, &req);
    assert_eq!(authorized_as(&outcome), Some("alice"));
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(
        alice.check_authentication_info(&req, &ok),
        Ok(ServerProof::Verified)
    );

    // The next request reuses the nonce with nc=2, without a new challenge.
    let mut next = register();
    assert_eq!(alice.authorize(&mut next), Ok(1));
    let auth = next
        .headers
        .get(&HeaderName::Authorization)
        .unwrap()
        .as_str();
    assert!(auth.contains("nc=00000002"), "{auth}");
    let (outcome, _) = answer(&mut server, &clock, &next);
    assert_eq!(authorized_as(&outcome), Some("alice"));

    // A forged rspauth is caught.
    let mut forged = ok.clone();
    let info = ok
        .headers
        .get(&HeaderName::AuthenticationInfo)
        .unwrap()
        .as_str();
    let at = info.find("rspauth=\"").unwrap() + 9;
    let flipped = if &info[at..=at] == "0" { "1" } else { "0" };
    let bad = format!("{}{flipped}{}", &info[..at], &info[at + 1..]);
    forged.headers.set(
        HeaderName::AuthenticationInfo,
        HeaderValue::new(bad).unwrap(),
    );
    assert_eq!(
        alice.check_authentication_info(&req, &forged),
        Err(DigestClientError::ServerNotAuthenticated)
    );
}

#[test]
fn proxy_authentication_uses_407_and_proxy_headers() {
    let clock = SimClock::new();
    let mut proxy = server_with(
        DigestServerConfig::new("proxy.example.com").proxy(true),
        &clock,
    );
    let mut alice = client("alice", "s3cret", 3);
    let mut req = Request::new(
        Method::Invite,
        RequestUri::new("sip:bob@example.com").unwrap(),
    );
    let (_, challenge) = answer(&mut proxy, &clock, &req);
    assert_eq!(challenge.status, StatusCode::PROXY_AUTHENTICATION_REQUIRED);
    assert_eq!(challenge.headers.count(&HeaderName::ProxyAuthenticate), 2);
    assert_eq!(challenge.headers.count(&HeaderName::WwwAuthenticate), 0);
    alice.handle_challenge(&mut req, &challenge).unwrap();
    assert_eq!(req.headers.count(&HeaderName::ProxyAuthorization), 1);
    assert_eq!(req.headers.count(&HeaderName::Authorization), 0);
    let (outcome, _) = answer(&mut proxy, &clock, &req);
    assert_eq!(authorized_as(&outcome), Some("alice"));
    // A wrong password at a proxy is answered 407 with fresh Proxy-Authenticate lines.
    let mut req = Request::new(
        Method::Invite,
        RequestUri::new("sip:bob@example.com").unwrap(),
    );
    let (_, challenge) = answer(&mut proxy, &clock, &req);
    client("alice", "guess", 33)
        .handle_challenge(&mut req, &challenge)
        .unwrap();
    let (outcome, refused) = answer(&mut proxy, &clock, &req);
    assert_eq!(
        rejected(&outcome),
        Some((
            &Rejection::WrongPassword,
            StatusCode::PROXY_AUTHENTICATION_REQUIRED
        ))
    );
    assert_eq!(refused.headers.count(&HeaderName::ProxyAuthenticate), 2);
}

#[test]
fn server_offers_one_challenge_per_algorithm_in_preference_order() {
    let clock = SimClock::new();
    let order = [
        Algorithm::Sha512_256,
        Algorithm::Sha256,
        Algorithm::Md5,
        Algorithm::Sha256,
    ];
    let mut server = server_with(
        DigestServerConfig::new("example.com").algorithms(order),
        &clock,
    );
    let (_, challenge) = answer(&mut server, &clock, &register());
    let lines: Vec<_> = challenge
        .headers
        .challenges(&HeaderName::WwwAuthenticate)
        .map(Result::unwrap)
        .collect();
    let algs: Vec<_> = lines
        .iter()
        .map(|c| c.params().get("algorithm").unwrap())
        .collect();
    assert_eq!(algs, ["SHA-512-256", "SHA-256", "MD5"]); // the duplicate is dropped
    let nonces: Vec<_> = lines
        .iter()
        .map(|c| c.params().get("nonce").unwrap())
        .collect();
    assert!(nonces[0] != nonces[1] && nonces[1] != nonces[2]);
    for c in &lines {
        assert_eq!(c.params().get("qop").unwrap(), "auth");
        assert_eq!(c.params().get("realm").unwrap(), "example.com");
        assert!(c.params().get("opaque").is_some());
        assert!(c.params().get("stale").is_none());
    }
    // The client answers the first one, SHA-512-256, and the server accepts it.
    let mut req = register();
    let mut alice = client("alice", "s3cret", 4);
    alice.handle_challenge(&mut req, &challenge).unwrap();
    let auth = req
        .headers
        .get(&HeaderName::Authorization)
        .unwrap()
        .as_str();
    assert!(auth.contains("algorithm=SHA-512-256"), "{auth}");
    let (outcome, _) = answer(&mut server, &clock, &req);
    assert_eq!(authorized_as(&outcome), Some("alice"));
}

#[test]
fn client_takes_the_first_supported_challenge_in_server_order() {
    let r = challenge_of(
        &[
            "Digest realm=\"a\", nonce=\"n0\", algorithm=SHA-999, qop=\"auth\"",
            "Digest realm=\"a\", nonce=\"n1\", algorithm=MD5, qop=\"auth-int\"",
            "Basic realm=\"a\"",
            "Digest realm=\"a\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth-int, auth\"",
            "Digest realm=\"a\", nonce=\"n3\", algorithm=SHA-512-256, qop=\"auth\"",
        ],
        StatusCode::UNAUTHORIZED,
    );
    let mut req = register();
    client("alice", "pw", 5)
        .handle_challenge(&mut req, &r)
        .unwrap();
    let auth = req
        .headers
        .get(&HeaderName::Authorization)
        .unwrap()
        .as_str();
    assert!(
        auth.contains("nonce=\"n2\"") && auth.contains("algorithm=SHA-256"),
        "{auth}"
    );
    assert_eq!(req.headers.count(&HeaderName::Authorization), 1);

    // Local policy without MD5, and an MD5-only challenge: nothing to answer.
    let md5_only = challenge_of(
        &["Digest realm=\"a\", nonce=\"n\", qop=\"auth\""],
        StatusCode::UNAUTHORIZED,
    );
    let mut strict = DigestClient::new(
        DigestCredentials::new("alice", "pw"),
        DigestClientConfig::default().ids(ids(6)).allow_md5(false),
    );
    assert_eq!(
        strict.handle_challenge(&mut register(), &md5_only),
        Err(DigestClientError::NoSupportedChallenge)
    );
    // A realm restriction, and a response that is not a challenge.
    let mut elsewhere = DigestClient::new(
        DigestCredentials::new("alice", "pw").with_realm("b"),
        DigestClientConfig::default().ids(ids(7)),
    );
    assert_eq!(
        elsewhere.handle_challenge(&mut register(), &r),
        Err(DigestClientError::NoSupportedChallenge)
    );
    assert_eq!(
        elsewhere.handle_challenge(&mut register(), &Response::new(StatusCode::OK)),
        Err(DigestClientError::NotAChallenge(StatusCode::OK))
    );
}

#[test]
fn forked_challenges_of_two_realms_get_one_line_each() {
    // RFC 3261 §22.3: a 401 may carry challenges of several realms.
    let clock = SimClock::new();
    let mut a = server_with(DigestServerConfig::new("a.example"), &clock);
    let mut b = server_with(
        DigestServerConfig::new("b.example").algorithms([Algorithm::Md5]),
        &clock,
    );
    let mut merged = Response::new(StatusCode::UNAUTHORIZED);
    for v in a
        .challenges(clock.now(), false)
        .into_iter()
        .chain(b.challenges(clock.now(), false))
    {
        merged.headers.push(HeaderName::WwwAuthenticate, v);
    }
    let mut req = register();
    client("alice", "s3cret", 8)
        .handle_challenge(&mut req, &merged)
        .unwrap();
    assert_eq!(req.headers.count(&HeaderName::Authorization), 2);
    assert_eq!(
        authorized_as(&a.verify(clock.now(), &req, &users())),
        Some("alice")
    );
    assert_eq!(
        authorized_as(&b.verify(clock.now(), &req, &users())),
        Some("alice")
    );
}

#[test]
fn expired_nonce_is_stale_and_the_client_retries_without_asking() {
    let mut clock = SimClock::new();
    let config = DigestServerConfig::new("example.com").nonce_lifetime(Duration::from_secs(30));
    let mut server = server_with(config, &clock);
    let mut alice = client("alice", "s3cret", 9);
    logged_in(&mut server, &clock, &mut alice);

    clock.advance(Duration::from_secs(31));
    let mut req = register();
    alice.authorize(&mut req).unwrap();
    let (outcome, challenge) = answer(&mut server, &clock, &req);
    assert_eq!(outcome, Outcome::Challenge { stale: true });
    let lines: Vec<_> = challenge
        .headers
        .get_all(&HeaderName::WwwAuthenticate)
        .collect();
    assert!(
        lines.iter().all(|v| v.as_str().contains("stale=true")),
        "{lines:?}"
    );
    alice.handle_challenge(&mut req, &challenge).unwrap();
    assert_eq!(
        req.headers.count(&HeaderName::Authorization),
        1,
        "the old line is replaced"
    );
    let (outcome, _) = answer(&mut server, &clock, &req);
    assert_eq!(authorized_as(&outcome), Some("alice"));
}

#[test]
fn full_nonce_table_forgets_the_oldest_and_answers_it_stale() {
    let mut clock = SimClock::new();
    let config = DigestServerConfig::new("example.com").max_tracked_nonces(2);
    let mut server = server_with(config, &clock);
    let mut clients: Vec<_> = (0..3).map(|i| client("alice", "s3cret", 20 + i)).collect();
    for c in &mut clients {
        logged_in(&mut server, &clock, c);
        clock.advance(Duration::from_secs(1));
    }
    // The first client's nonce was evicted: it is not accepted again, but answered stale.
    let mut req = register();
    clients[0].authorize(&mut req).unwrap();
    let (outcome, challenge) = answer(&mut server, &clock, &req);
    assert_eq!(outcome, Outcome::Challenge { stale: true });
    clients[0].handle_challenge(&mut req, &challenge).unwrap();
    assert_eq!(
        authorized_as(&server.verify(clock.now(), &req, &users())),
        Some("alice")
    );
    // The third's is still tracked.
    let mut req = register();
    clients[2].authorize(&mut req).unwrap();
    assert_eq!(
        authorized_as(&server.verify(clock.now(), &req, &users())),
        Some("alice")
    );
}

#[test]
fn rfc2617_client_without_qop_is_accepted_once_per_nonce() {
    let clock = SimClock::new();
    let mut server = server_with(
        DigestServerConfig::new("example.com").algorithms([Algorithm::Md5]),
        &clock,
    );
    let challenge = server.challenges(clock.now(), false).remove(0);
    let old_style = challenge.as_str().replace(", qop=\"auth\"", "");
    let r = challenge_of(&[&old_style], StatusCode::UNAUTHORIZED);
    let mut req = register();
    client("bob", "zanzibar", 30)
        .handle_challenge(&mut req, &r)
        .unwrap();
    let auth = req
        .headers
        .get(&HeaderName::Authorization)
        .unwrap()
        .as_str();
    assert!(
        !auth.contains("qop") && !auth.contains("cnonce") && !auth.contains("nc="),
        "{auth}"
    );
    match server.verify(clock.now(), &req, &users()) {
        Outcome::Authorized(a) => assert!(a.username == "bob" && a.authentication_info.is_none()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.verify(clock.now(), &req, &users()),
        Outcome::Challenge { stale: true }
    );
    // Without qop, only MD5: a SHA-256 challenge without qop is not answered.
    let sha = challenge_of(
        &["Digest realm=\"a\", nonce=\"n\", algorithm=SHA-256"],
        StatusCode::UNAUTHORIZED,
    );
    assert!(
        client("bob", "x", 31)
            .handle_challenge(&mut register(), &sha)
            .is_err()
    );
}

#[test]
fn userhash_hides_the_username_and_the_server_resolves_it() {
    let clock = SimClock::new();
    let mut server = server_with(
        DigestServerConfig::new("example.com").userhash(true),
        &clock,
    );
    let mut req = register();
    let (_, challenge) = answer(&mut server, &clock, &req);
    client("alice", "s3cret", 40)
        .handle_challenge(&mut req, &challenge)
        .unwrap();
    let auth = req
        .headers
        .get(&HeaderName::Authorization)
        .unwrap()
        .as_str();
    assert!(
        auth.contains("userhash=true") && !auth.contains("alice"),
        "{auth}"
    );
    assert!(auth.contains(&userhash(Algorithm::Sha256, "alice", "example.com")));
    assert_eq!(
        authorized_as(&server.verify(clock.now(), &req, &users())),
        Some("alice")
    );
}

#[test]
fn stored_ha1_and_sess_algorithms_verify() {
    struct Ha1Store;
    impl CredentialStore for Ha1Store {
        fn lookup(&self, user: &str, realm: &str, alg: Algorithm) -> Option<StoredSecret> {
            (user == "alice")
                .then(|| StoredSecret::Ha1(ha1(alg, user, realm, "s3cret").to_uppercase()))
        }
    }
    let clock = SimClock::new();
    let config = DigestServerConfig::new("example.com").algorithms([Algorithm::Sha256Sess]);
    let mut server = server_with(config, &clock);
    let mut req = register();
    let challenge = server.verify(clock.now(), &req, &Ha1Store);
    let mut response = Response::new(StatusCode::OK);
    server.respond(clock.now(), &challenge, &mut response);
    let mut alice = client("alice", "s3cret", 41);
    alice.handle_challenge(&mut req, &response).unwrap();
    let outcome = server.verify(clock.now(), &req, &Ha1Store);
    assert_eq!(authorized_as(&outcome), Some("alice"));
    let mut ok = Response::new(StatusCode::OK);
    server.respond(clock.now(), &outcome, &mut ok);
    assert_eq!(
        alice.check_authentication_info(&req, &ok),
        Ok(ServerProof::Verified)
    );
}

#[test]
fn too_many_stale_challenges_end_the_retries() {
    let clock = SimClock::new();
    let mut server = server(&clock);
    let mut alice = client("alice", "s3cret", 42);
    let mut req = register();
    let (_, challenge) = answer(&mut server, &clock, &req);
    alice.handle_challenge(&mut req, &challenge).unwrap();
    let mut stale = Response::new(StatusCode::UNAUTHORIZED);
    server.respond(clock.now(), &Outcome::Challenge { stale: true }, &mut stale);
    for _ in 0..3 {
        alice.handle_challenge(&mut req, &stale).unwrap();
    }
    assert_eq!(
        alice.handle_challenge(&mut req, &stale),
        Err(DigestClientError::TooManyStale {
            realm: "example.com".into()
        })
    );
}
