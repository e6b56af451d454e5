//! What the server refuses and how the client takes it.

use testkit::SeededRng;

use super::*;

#[test]
fn wrong_password_is_rejected_and_the_client_gives_up() {
    let clock = SimClock::new();
    let mut server = server(&clock);
    let mut mallory = client("alice", "guess", 10);
    let mut req = register();
    let (_, challenge) = answer(&mut server, &clock, &req);
    mallory.handle_challenge(&mut req, &challenge).unwrap();
    let (outcome, again) = answer(&mut server, &clock, &req);
    assert_eq!(
        rejected(&outcome),
        Some((&Rejection::WrongPassword, StatusCode::UNAUTHORIZED))
    );
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.headers.count(&HeaderName::WwwAuthenticate), 2);
    assert!(
        !again
            .headers
            .get(&HeaderName::WwwAuthenticate)
            .unwrap()
            .as_str()
            .contains("stale")
    );
    let before = req.clone();
    assert_eq!(
        mallory.handle_challenge(&mut req, &again),
        Err(DigestClientError::Rejected {
            realm: "example.com".into()
        })
    );
    assert_eq!(req, before, "a refused retry leaves the request alone");
}

#[test]
fn unknown_user_is_rejected_like_a_wrong_password() {
    let clock = SimClock::new();
    let mut server = server(&clock);
    let mut req = register();
    let (_, challenge) = answer(&mut server, &clock, &req);
    client("carol", "s3cret", 11)
        .handle_challenge(&mut req, &challenge)
        .unwrap();
    let (outcome, response) = answer(&mut server, &clock, &req);
    assert_eq!(
        rejected(&outcome),
        Some((&Rejection::UnknownUser, StatusCode::UNAUTHORIZED))
    );
    assert_eq!(response.headers.count(&HeaderName::WwwAuthenticate), 2);
}

#[test]
fn replayed_nonce_count_is_rejected_reordering_is_not() {
    let clock = SimClock::new();
    let mut server = server(&clock);
    let mut alice = client("alice", "s3cret", 12);
    let first = logged_in(&mut server, &clock, &mut alice);
    let (outcome, response) = answer(&mut server, &clock, &first);
    assert_eq!(
        rejected(&outcome),
        Some((&Rejection::Replay, StatusCode::FORBIDDEN))
    );
    assert_eq!(response.status, StatusCode::FORBIDDEN);
    assert_eq!(response.headers.count(&HeaderName::WwwAuthenticate), 0);

    let (mut two, mut three) = (register(), register());
    alice.authorize(&mut two).unwrap();
    alice.authorize(&mut three).unwrap();
    assert_eq!(
        authorized_as(&server.verify(clock.now(), &three, &users())),
        Some("alice")
    );
    assert_eq!(
        authorized_as(&server.verify(clock.now(), &two, &users())),
        Some("alice")
    );
    let again = server.verify(clock.now(), &two, &users());
    assert_eq!(rejected(&again).map(|r| r.0), Some(&Rejection::Replay));
}

/// Rewrites one parameter of the Authorization line.
fn edit_authorization(req: &mut Request, f: impl Fn(&str) -> String) {
    let v = req
        .headers
        .get(&HeaderName::Authorization)
        .unwrap()
        .as_str()
        .to_string();
    req.headers
        .set(HeaderName::Authorization, HeaderValue::new(f(&v)).unwrap());
}

#[test]
fn tampered_nonce_is_rejected_a_foreign_one_with_good_digest_is_stale() {
    let clock = SimClock::new();
    let mut server = server(&clock);
    let mut req = register();
    let (_, challenge) = answer(&mut server, &clock, &req);
    client("alice", "s3cret", 13)
        .handle_challenge(&mut req, &challenge)
        .unwrap();
    let mut tampered = req.clone();
    // Move the timestamp: the first hex digit of the nonce.
    edit_authorization(&mut tampered, |v| v.replacen("nonce=\"0", "nonce=\"f", 1));
    assert_ne!(tampered, req);
    let outcome = server.verify(clock.now(), &tampered, &users());
    assert_eq!(
        rejected(&outcome),
        Some((&Rejection::InvalidNonce, StatusCode::UNAUTHORIZED))
    );

    // Another server's nonce (another secret), answered with the right password: the client
    // knows the password, so it only needs a fresh nonce.
    let other = DigestServerConfig::new("example.com").secret([9; 32]);
    let mut other = DigestServer::new(other.ids(ids(99)), clock.start()).unwrap();
    let mut req = register();
    let (_, foreign) = answer(&mut other, &clock, &req);
    client("alice", "s3cret", 14)
        .handle_challenge(&mut req, &foreign)
        .unwrap();
    edit_authorization(&mut req, |v| {
        let theirs = foreign
            .headers
            .get(&HeaderName::WwwAuthenticate)
            .unwrap()
            .as_str();
        let opaque = |s: &str| s.split("opaque=\"").nth(1).unwrap()[..24].to_string();
        v.replace(
            &opaque(theirs),
            &opaque(
                challenge
                    .headers
                    .get(&HeaderName::WwwAuthenticate)
                    .unwrap()
                    .as_str(),
            ),
        )
    });
    assert_eq!(
        server.verify(clock.now(), &req, &users()),
        Outcome::Challenge { stale: true }
    );
}

#[test]
fn malformed_or_unacceptable_credentials_get_400() {
    let clock = SimClock::new();
    let mut server = server(&clock);
    let mut good = register();
    let (_, challenge) = answer(&mut server, &clock, &good);
    client("alice", "s3cret", 15)
        .handle_challenge(&mut good, &challenge)
        .unwrap();
    type Edit<'a> = &'a dyn Fn(&str) -> String;
    let cases: [(Edit<'_>, Option<Rejection>); 7] = [
        (&|_| "Digest realm=".to_string(), None),
        (
            &|v| v.replace("response=", "xresponse="),
            Some(Rejection::MissingParameter("response")),
        ),
        (
            &|v| v.replace("nc=00000001", "nc=0000001g"),
            Some(Rejection::InvalidParameter("nc")),
        ),
        (
            &|v| v.replace("qop=auth", "qop=auth-int"),
            Some(Rejection::UnsupportedQop),
        ),
        (
            &|v| v.replace("algorithm=SHA-256", "algorithm=SHA-512-256"),
            Some(Rejection::AlgorithmNotOffered),
        ),
        (
            &|v| v.replace("uri=\"sip:example.com\"", "uri=\"sip:evil.com\""),
            Some(Rejection::UriMismatch),
        ),
        (
            &|v| v.replace("opaque=\"", "opaque=\"x"),
            Some(Rejection::OpaqueMismatch),
        ),
    ];
    for (edit, want) in cases {
        let mut req = good.clone();
        edit_authorization(&mut req, edit);
        let outcome = server.verify(clock.now(), &req, &users());
        let (reason, status) = rejected(&outcome).unwrap_or_else(|| panic!("{outcome:?}"));
        assert_eq!(status, StatusCode::BAD_REQUEST);
        match &want {
            Some(want) => assert_eq!(reason, want),
            None => assert!(matches!(reason, Rejection::Malformed(_)), "{reason:?}"),
        }
        let mut response = Response::new(StatusCode::OK);
        server.respond(clock.now(), &outcome, &mut response);
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert_eq!(response.headers.count(&HeaderName::WwwAuthenticate), 0);
    }
    // The untouched request still passes: the failures did not consume its nonce count.
    assert_eq!(
        authorized_as(&server.verify(clock.now(), &good, &users())),
        Some("alice")
    );
}

#[test]
fn garbage_never_panics() {
    let clock = SimClock::new();
    let mut server = server(&clock);
    let mut rng = SeededRng::new(77);
    let alphabet =
        b"Digest realm=\"example.com\", nonce=algorithm=SHA-256 qop=auth nc=0f,\\\"* \xc3\xa4";
    let mut samples: Vec<String> = vec![
        "Digest".into(),
        "Digest realm=\"example.com\"".into(),
        "Digest realm=\"example.com\", username=\"\", nonce=\"\", uri=\"\", response=\"\"".into(),
        "Digest realm=\"example.com\", nc=ffffffffffffffff, qop=auth".into(),
        "Digest realm=\"example.com\", userhash=true, username=\"x\"".into(),
    ];
    for _ in 0..2000 {
        let len = rng.below(120) as usize;
        let bytes: Vec<u8> = (0..len)
            .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
            .collect();
        samples.push(String::from_utf8_lossy(&bytes).into_owned());
    }
    let mut alice = client("alice", "s3cret", 50);
    for s in &samples {
        let Ok(v) = HeaderValue::new(s.as_str()) else {
            continue;
        };
        let mut req = register();
        req.headers.push(HeaderName::Authorization, v.clone());
        let outcome = server.verify(clock.now(), &req, &users());
        assert!(authorized_as(&outcome).is_none(), "{s}");
        let r = challenge_of(&[v.as_str()], StatusCode::UNAUTHORIZED);
        let _ = alice.handle_challenge(&mut register(), &r);
        let mut ok = Response::new(StatusCode::OK);
        ok.headers.push(HeaderName::AuthenticationInfo, v);
        let _ = alice.check_authentication_info(&req, &ok);
    }
}
