//! Digest authentication: RFC vectors, and client and server driven against each other in
//! simulated time.

use std::collections::HashMap;
use std::time::Duration;

use testkit::{SeededRng, SimClock, id_source};

use super::*;
use crate::{HeaderName, HeaderValue, Method, Request, RequestUri, Response, StatusCode};

fn ids(seed: u64) -> IdGenerator {
    IdGenerator::from_fn(id_source(seed))
}

fn users() -> HashMap<String, String> {
    HashMap::from([
        ("alice".to_string(), "s3cret".to_string()),
        ("bob".to_string(), "zanzibar".to_string()),
    ])
}

fn server_with(config: DigestServerConfig, clock: &SimClock) -> DigestServer {
    DigestServer::new(config.ids(ids(1)), clock.start()).unwrap()
}

fn server(clock: &SimClock) -> DigestServer {
    server_with(DigestServerConfig::new("example.com"), clock)
}

fn client(user: &str, password: &str, seed: u64) -> DigestClient {
    DigestClient::new(
        DigestCredentials::new(user, password),
        DigestClientConfig::default().ids(ids(seed)),
    )
}

fn register() -> Request {
    Request::new(
        Method::Register,
        RequestUri::new("sip:example.com").unwrap(),
    )
}

/// The server's answer to `request` as a response (challenge or not).
fn answer(server: &mut DigestServer, clock: &SimClock, request: &Request) -> (Outcome, Response) {
    let outcome = server.verify(clock.now(), request, &users());
    let mut response = Response::new(StatusCode::OK);
    server.respond(clock.now(), &outcome, &mut response);
    (outcome, response)
}

fn authorized_as(outcome: &Outcome) -> Option<&str> {
    match outcome {
        Outcome::Authorized(a) => Some(&a.username),
        _ => None,
    }
}

fn rejected(outcome: &Outcome) -> Option<(&Rejection, StatusCode)> {
    match outcome {
        Outcome::Rejected { reason, status } => Some((reason, *status)),
        _ => None,
    }
}

/// Runs challenge -> credentials -> verification; returns the authorized request.
fn logged_in(server: &mut DigestServer, clock: &SimClock, client: &mut DigestClient) -> Request {
    let mut req = register();
    let (outcome, challenge) = answer(server, clock, &req);
    assert_eq!(outcome, Outcome::Challenge { stale: false });
    client.handle_challenge(&mut req, &challenge).unwrap();
    let (outcome, _) = answer(server, clock, &req);
    assert!(authorized_as(&outcome).is_some(), "{outcome:?}");
    req
}

fn input<'a>(
    alg: Algorithm,
    nonce: &'a str,
    cnonce: &'a str,
    method: &'a str,
) -> ResponseInput<'a> {
    ResponseInput {
        algorithm: alg,
        nonce,
        cnonce,
        nc: "00000001",
        qop: Some(Qop::Auth),
        method,
        uri: "/dir/index.html",
    }
}

#[test]
fn rfc7616_section_3_9_1_md5_and_sha256() {
    // RFC 7616 §3.9.1 (HTTP: method GET, uri /dir/index.html; password per erratum 4495).
    let nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    let (user, realm, pw) = ("Mufasa", "http-auth@example.org", "Circle of Life");
    let md5 = response(
        &input(Algorithm::Md5, nonce, cnonce, "GET"),
        &ha1(Algorithm::Md5, user, realm, pw),
    );
    assert_eq!(md5, "8ca523f5e9506fed4657c9700eebdbec");
    let sha = response(
        &input(Algorithm::Sha256, nonce, cnonce, "GET"),
        &ha1(Algorithm::Sha256, user, realm, pw),
    );
    assert_eq!(
        sha,
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
}

#[test]
fn rfc7616_section_3_9_2_userhash_and_sha512_256() {
    // SHA-512/256 itself: FIPS 180-4 example "abc".
    assert_eq!(
        Algorithm::Sha512_256.h(&[b"abc"]),
        "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"
    );
    // RFC 7616 §3.9.2 prints userhash 488869477bf2... and response ae66e67d6b42..., which no
    // reading of §3.4.4 reproduces (erratum 4897). These are H("Jäsøn Doe:api@example.org")
    // in UTF-8 and the response with the plain username in A1, as computed independently.
    let (user, realm) = ("J\u{e4}s\u{f8}n Doe", "api@example.org");
    assert_eq!(
        userhash(Algorithm::Sha512_256, user, realm),
        "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"
    );
    let mut i = input(
        Algorithm::Sha512_256,
        "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",
        "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
        "GET",
    );
    i.uri = "/doe.json";
    let secret = ha1(Algorithm::Sha512_256, user, realm, "Secret, or not?");
    assert_eq!(
        response(&i, &secret),
        "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"
    );
}

#[test]
fn older_rfc_and_sip_vectors() {
    // RFC 2617 §3.5 (qop=auth) and RFC 2069 (no qop, password "CircleOfLife").
    let mut i = input(
        Algorithm::Md5,
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "0a4f113b",
        "GET",
    );
    let secret = ha1(
        Algorithm::Md5,
        "Mufasa",
        "testrealm@host.com",
        "Circle Of Life",
    );
    assert_eq!(response(&i, &secret), "6629fae49393a05397450978507c4ef1");
    i.qop = None;
    let secret = ha1(
        Algorithm::Md5,
        "Mufasa",
        "testrealm@host.com",
        "CircleOfLife",
    );
    assert_eq!(response(&i, &secret), "1949323746fe6a43ef61f9606e7febea");
    // A SIP INVITE (draft-smith-sipping-auth-examples §3.2): bob / zanzibar at biloxi.com.
    let secret = ha1(Algorithm::Md5, "bob", "biloxi.com", "zanzibar");
    assert_eq!(secret, "12af60467a33e8518da5c68bbff12b11");
    let mut i = input(
        Algorithm::Md5,
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "0a4f113b",
        "INVITE",
    );
    i.uri = "sip:bob@biloxi.com";
    assert_eq!(response(&i, &secret), "89eb0059246c02b2f6ee02c7961d5ea3");
}

#[test]
fn sess_variants_fold_nonce_and_cnonce_into_ha1() {
    for alg in [
        Algorithm::Md5Sess,
        Algorithm::Sha256Sess,
        Algorithm::Sha512_256Sess,
    ] {
        let base = ha1(alg.base(), "u", "r", "p");
        let i = input(alg, "N", "C", "REGISTER");
        let folded = alg.h(&[base.as_bytes(), b"N", b"C"]);
        let plain = ResponseInput {
            algorithm: alg.base(),
            ..i
        };
        assert_eq!(response(&i, &base), response(&plain, &folded));
        assert_ne!(response(&i, &base), response(&plain, &base));
        assert_eq!(response(&i, &base).len(), alg.hex_len());
    }
    assert_eq!("sha-512-256-SESS".parse(), Ok(Algorithm::Sha512_256Sess));
    assert_eq!("SHA-1".parse::<Algorithm>(), Err(UnknownAlgorithm));
}

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

fn challenge_of(lines: &[&str], status: StatusCode) -> Response {
    let mut r = Response::new(status);
    for l in lines {
        r.headers
            .push(HeaderName::WwwAuthenticate, HeaderValue::new(*l).unwrap());
    }
    r
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
    let cases: [(&dyn Fn(&str) -> String, Option<Rejection>); 7] = [
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
