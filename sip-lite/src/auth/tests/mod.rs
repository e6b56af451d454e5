//! Digest authentication: RFC vectors, and client and server driven against each other in
//! simulated time.

mod exchange;
mod rejections;
mod vectors;

use std::collections::HashMap;

use testkit::{SimClock, id_source};

use super::*;
use crate::{HeaderName, HeaderValue, Method, Request, RequestUri, Response, StatusCode};

pub(super) fn ids(seed: u64) -> IdGenerator {
    IdGenerator::from_fn(id_source(seed))
}

pub(super) fn users() -> HashMap<String, String> {
    HashMap::from([
        ("alice".to_string(), "s3cret".to_string()),
        ("bob".to_string(), "zanzibar".to_string()),
    ])
}

pub(super) fn server_with(config: DigestServerConfig, clock: &SimClock) -> DigestServer {
    DigestServer::new(config.ids(ids(1)), clock.start()).unwrap()
}

pub(super) fn server(clock: &SimClock) -> DigestServer {
    server_with(DigestServerConfig::new("example.com"), clock)
}

pub(super) fn client(user: &str, password: &str, seed: u64) -> DigestClient {
    DigestClient::new(
        DigestCredentials::new(user, password),
        DigestClientConfig::default().ids(ids(seed)),
    )
}

pub(super) fn register() -> Request {
    Request::new(
        Method::Register,
        RequestUri::new("sip:example.com").unwrap(),
    )
}

/// The server's answer to `request` as a response (challenge or not).
pub(super) fn answer(
    server: &mut DigestServer,
    clock: &SimClock,
    request: &Request,
) -> (Outcome, Response) {
    let outcome = server.verify(clock.now(), request, &users());
    let mut response = Response::new(StatusCode::OK);
    server.respond(clock.now(), &outcome, &mut response);
    (outcome, response)
}

pub(super) fn authorized_as(outcome: &Outcome) -> Option<&str> {
    match outcome {
        Outcome::Authorized(a) => Some(&a.username),
        _ => None,
    }
}

pub(super) fn rejected(outcome: &Outcome) -> Option<(&Rejection, StatusCode)> {
    match outcome {
        Outcome::Rejected { reason, status } => Some((reason, *status)),
        _ => None,
    }
}

/// Runs challenge -> credentials -> verification; returns the authorized request.
pub(super) fn logged_in(
    server: &mut DigestServer,
    clock: &SimClock,
    client: &mut DigestClient,
) -> Request {
    let mut req = register();
    let (outcome, challenge) = answer(server, clock, &req);
    assert_eq!(outcome, Outcome::Challenge { stale: false });
    client.handle_challenge(&mut req, &challenge).unwrap();
    let (outcome, _) = answer(server, clock, &req);
    assert!(authorized_as(&outcome).is_some(), "{outcome:?}");
    req
}

pub(super) fn input<'a>(
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

pub(super) fn challenge_of(lines: &[&str], status: StatusCode) -> Response {
    let mut r = Response::new(status);
    for l in lines {
        r.headers
            .push(HeaderName::WwwAuthenticate, HeaderValue::new(*l).unwrap());
    }
    r
}
