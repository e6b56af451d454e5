//! The RFC 4976 AUTH client against scripted relays: responses are built in the test (with
//! the crate's `DigestServer` checking the client's credentials), time is simulated.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use msrp::relay::client::{
    AuthClient, ClientConfig, ConfigError, Event, Failure, Relay, ResponseError, Transmit,
};
use msrp::relay::digest::{
    self, Authorization, Challenge, CredentialStore, DigestError, DigestServer,
};
use msrp::{Head, Header, IdGenerator, Message, MsrpUri, Path, Request, Response, StatusCode};

const INTRA: &str = "msrps://alice@intra.example.com;tcp";
const INTRA_ASSIGNED: &str = "msrps://intra.example.com:9000/jui787s2f;tcp";
const EXTRA: &str = "msrps://extra.example.com;tcp";
const EXTRA_ASSIGNED: &str = "msrps://extra.example.com:9000/mywdEe1233;tcp";
const BACKUP: &str = "msrps://alice@backup.example.com;tcp";
const BACKUP_ASSIGNED: &str = "msrps://backup.example.com:9000/b4ckup77;tcp";

fn uri(s: &str) -> MsrpUri {
    s.parse().unwrap()
}

fn path(s: &str) -> Path {
    s.parse().unwrap()
}

struct Users(HashMap<&'static str, &'static str>);

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        self.0
            .get(username)
            .map(|pw| digest::ha1(username, realm, pw))
    }
}

/// A relay played by the test: a digest server and its user table.
struct ScriptedRelay {
    uri: MsrpUri,
    server: DigestServer,
    users: Users,
}

impl ScriptedRelay {
    fn new(uri: &str, realm: &str, t0: Instant) -> Self {
        Self {
            uri: self::uri(uri),
            server: DigestServer::new(realm, [9; 32], Duration::from_secs(3600), t0),
            users: Users(HashMap::from([("alice", "wonderland")])),
        }
    }

    fn respond(&self, req: &Request, status: StatusCode) -> Response {
        req.response(status, Path::new(self.uri.clone()))
    }

    fn challenge(&mut self, now: Instant, req: &Request, stale: bool) -> Response {
        let mut r = self.respond(req, StatusCode::Unauthorized);
        let c = self.server.challenge(now, stale);
        r.headers
            .push(Header::other("WWW-Authenticate", &c.to_string()).unwrap());
        r
    }

    /// The relay's verdict on an AUTH: 401 without or with wrong credentials, 200 with
    /// Use-Path = `use_path`, Expires and Authentication-Info otherwise.
    fn handle(&mut self, now: Instant, req: &Request, use_path: &str, expires: u32) -> Response {
        let Some(value) = req.headers.get("Authorization") else {
            return self.challenge(now, req, false);
        };
        let auth = Authorization::parse(&value).unwrap();
        let digest_uri = req.to_path.last().to_string();
        match self
            .server
            .verify(now, "AUTH", &digest_uri, &auth, &self.users)
        {
            Ok(user) => assert_eq!(user, "alice"),
            Err(digest::AuthFailure::Stale) => return self.challenge(now, req, true),
            Err(_) => return self.challenge(now, req, false),
        }
        let info = self
            .server
            .authentication_info(now, &auth, &digest_uri, &self.users)
            .unwrap();
        let mut ok = self.respond(req, StatusCode::Ok);
        ok.headers.push(Header::UsePath(path(use_path)));
        ok.headers
            .push(Header::other("Authentication-Info", &info.to_string()).unwrap());
        ok.headers.push(Header::Expires(expires));
        ok
    }
}

fn client(config: ClientConfig, seed: u64) -> AuthClient {
    AuthClient::new(
        config,
        "alice.example.com",
        9892,
        IdGenerator::from_fn(testkit::id_source(seed)),
    )
    .unwrap()
}

fn alice(uri: &str) -> Relay {
    Relay::new(self::uri(uri), "alice", "wonderland")
}

/// The one pending AUTH; checks its wire form decodes back to it.
fn take(c: &mut AuthClient) -> Transmit {
    let t = c.poll_transmit().expect("an AUTH to send");
    assert!(
        c.poll_transmit().is_none(),
        "AUTH requests are not pipelined"
    );
    let wire = t.encode().unwrap();
    let (msg, used) = Message::decode(&wire).unwrap().unwrap();
    assert_eq!(used, wire.len());
    assert_eq!(msg.head, Head::Request(t.request.clone()));
    t
}

fn events(c: &mut AuthClient) -> Vec<Event> {
    std::iter::from_fn(|| c.poll_event()).collect()
}

/// Runs the exchanges with one relay to completion; returns the next AUTH if it is for
/// another relay.
fn run(
    c: &mut AuthClient,
    relay: &mut ScriptedRelay,
    now: Instant,
    use_path: &str,
    expires: u32,
) -> Option<Transmit> {
    for _ in 0..4 {
        let t = c.poll_transmit()?;
        if t.request.to_path.last() != &relay.uri {
            return Some(t);
        }
        let r = relay.handle(now, &t.request, use_path, expires);
        c.handle_response(now, &r).unwrap();
    }
    None
}

#[test]
fn challenge_answer_and_use_path_on_the_wire() {
    let t0 = Instant::now();
    let mut relay = ScriptedRelay::new(INTRA, "intra.example.com", t0);
    let mut c = client(ClientConfig::new(vec![alice(INTRA)]), 1);
    assert_eq!(c.poll_timeout(), None);
    assert!(c.poll_transmit().is_none());
    c.start(t0);
    let local = c.local_uri().clone();
    assert!(local.is_secure());
    assert_eq!(local.port(), Some(9892));
    assert!(local.session_id().is_some_and(|s| s.len() >= 14)); // >= 80 bits

    // 1. The bare AUTH, byte for byte.
    let first = take(&mut c);
    assert_eq!(first.connect_to, uri(INTRA));
    let tid = first.request.transaction_id;
    assert_eq!(
        first.encode().unwrap(),
        format!("MSRP {tid} AUTH\r\nTo-Path: {INTRA}\r\nFrom-Path: {local}\r\n-------{tid}$\r\n")
    );
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(30)));

    // 2. The relay challenges; the answer carries the digest for the rightmost To-Path URI.
    let now = t0 + Duration::from_millis(40);
    let challenge = relay.challenge(now, &first.request, false);
    c.handle_response(now, &challenge).unwrap();
    assert!(events(&mut c).is_empty());
    let second = take(&mut c);
    let tid2 = second.request.transaction_id;
    assert_ne!(tid2, tid);
    let auth = Authorization::parse(&second.request.headers.get("Authorization").unwrap()).unwrap();
    let sent_challenge =
        Challenge::parse(&challenge.headers.get("WWW-Authenticate").unwrap()).unwrap();
    let expected = digest::respond(
        &sent_challenge,
        "alice",
        "wonderland",
        "AUTH",
        INTRA,
        &auth.cnonce,
        1,
    );
    assert_eq!(auth, expected);
    assert_eq!(auth.cnonce.len(), 16);
    assert_eq!(
        second.encode().unwrap(),
        format!(
            "MSRP {tid2} AUTH\r\nTo-Path: {INTRA}\r\nFrom-Path: {local}\r\n\
             Authorization: {expected}\r\n-------{tid2}$\r\n"
        )
    );
    assert_eq!(c.poll_timeout(), Some(now + Duration::from_secs(30)));

    // 3. The relay accepts: Use-Path and Expires recorded, paths available.
    let ok = relay.handle(now, &second.request, INTRA_ASSIGNED, 900);
    c.handle_response(now, &ok).unwrap();
    assert_eq!(
        events(&mut c),
        vec![
            Event::RelayAuthenticated {
                hop: 0,
                relay: uri(INTRA),
                assigned: uri(INTRA_ASSIGNED),
                expires: Duration::from_secs(900),
            },
            Event::Authenticated {
                use_path: path(INTRA_ASSIGNED)
            },
        ]
    );
    assert!(c.is_authenticated());
    assert_eq!(c.use_path(), Some(path(INTRA_ASSIGNED)));
    assert_eq!(
        c.sdp_path().unwrap().to_string(),
        format!("{INTRA_ASSIGNED} {local}")
    );
    let bob = path("msrps://b.example.net:9000/aeiug;tcp msrps://bob.example.net:8145/foo;tcp");
    assert_eq!(
        c.to_path_for(&bob).unwrap().to_string(),
        format!("{INTRA_ASSIGNED} {bob}")
    );
    assert_eq!(c.poll_timeout(), Some(now + Duration::from_secs(810)));
    assert!(c.poll_transmit().is_none());
    // A late duplicate of the 200 matches nothing.
    assert_eq!(
        c.handle_response(now, &ok),
        Err(ResponseError::UnknownTransaction)
    );
}

#[test]
fn wrong_password_fails_after_the_second_challenge() {
    let t0 = Instant::now();
    let mut relay = ScriptedRelay::new(INTRA, "intra.example.com", t0);
    let mut c = client(
        ClientConfig::new(vec![Relay::new(uri(INTRA), "alice", "guess")]),
        2,
    );
    c.start(t0);
    let first = take(&mut c);
    c.handle_response(t0, &relay.handle(t0, &first.request, INTRA_ASSIGNED, 900))
        .unwrap();
    let second = take(&mut c);
    assert!(second.request.headers.get("Authorization").is_some());
    // The relay refuses the answer with a new, not stale, challenge.
    let again = relay.handle(t0, &second.request, INTRA_ASSIGNED, 900);
    assert_eq!(again.status, StatusCode::Unauthorized);
    c.handle_response(t0, &again).unwrap();
    assert_eq!(
        events(&mut c),
        vec![
            Event::Failed {
                relay: uri(INTRA),
                reason: Failure::WrongCredentials
            },
            Event::GaveUp,
        ]
    );
    assert!(c.poll_transmit().is_none());
    assert!(!c.is_authenticated());
    assert_eq!(c.use_path(), None);
    assert_eq!(c.sdp_path(), None);
    assert_eq!(c.poll_timeout(), None);
    // start() tries again from the beginning.
    c.start(t0);
    assert!(take(&mut c).request.headers.get("Authorization").is_none());
}

#[test]
fn stale_challenge_is_answered_again() {
    let t0 = Instant::now();
    let mut relay = ScriptedRelay::new(INTRA, "intra.example.com", t0);
    let mut c = client(ClientConfig::new(vec![alice(INTRA)]), 3);
    c.start(t0);
    let first = take(&mut c);
    c.handle_response(t0, &relay.challenge(t0, &first.request, false))
        .unwrap();
    let second = take(&mut c);
    // The relay says the nonce went stale; the client answers the new one.
    c.handle_response(t0, &relay.challenge(t0, &second.request, true))
        .unwrap();
    let third = take(&mut c);
    let ok = relay.handle(t0, &third.request, INTRA_ASSIGNED, 60);
    assert_eq!(ok.status, StatusCode::Ok);
    c.handle_response(t0, &ok).unwrap();
    assert!(c.is_authenticated());
    // Endless stale challenges are a failure.
    let mut c = client(ClientConfig::new(vec![alice(INTRA)]), 4);
    c.start(t0);
    for _ in 0..=msrp::relay::client::MAX_STALE_RETRIES {
        let t = take(&mut c);
        c.handle_response(t0, &relay.challenge(t0, &t.request, true))
            .unwrap();
    }
    assert!(events(&mut c).contains(&Event::Failed {
        relay: uri(INTRA),
        reason: Failure::TooManyStale
    }));
}

#[test]
fn out_of_bounds_expires_is_adjusted_once() {
    let t0 = Instant::now();
    let mut relay = ScriptedRelay::new(INTRA, "intra.example.com", t0);
    let mut c = client(
        ClientConfig::new(vec![alice(INTRA)]).with_expires(Some(60)),
        5,
    );
    c.start(t0);
    let first = take(&mut c);
    assert_eq!(first.request.headers.expires(), Some(60));
    c.handle_response(t0, &relay.handle(t0, &first.request, INTRA_ASSIGNED, 300))
        .unwrap();
    let second = take(&mut c);
    assert_eq!(second.request.headers.expires(), Some(60));
    // 423 with Min-Expires: the retry asks for exactly that, with the same nonce counted on.
    let mut too_short = relay.respond(&second.request, StatusCode::OutOfBounds);
    too_short.headers.push(Header::MinExpires(300));
    too_short.headers.push(Header::MaxExpires(7200));
    c.handle_response(t0, &too_short).unwrap();
    let third = take(&mut c);
    assert_eq!(third.request.headers.expires(), Some(300));
    let a2 = Authorization::parse(&second.request.headers.get("Authorization").unwrap()).unwrap();
    let a3 = Authorization::parse(&third.request.headers.get("Authorization").unwrap()).unwrap();
    assert_eq!((a3.nonce.as_str(), a3.nc), (a2.nonce.as_str(), 2));
    let ok = relay.handle(t0, &third.request, INTRA_ASSIGNED, 300);
    assert_eq!(ok.status, StatusCode::Ok, "the counted-on answer verifies");
    c.handle_response(t0, &ok).unwrap();
    assert!(c.is_authenticated());
    // The adjusted value is kept for the refresh.
    c.handle_timeout(t0 + Duration::from_secs(270));
    assert_eq!(take(&mut c).request.headers.expires(), Some(300));

    // Max-Expires lowers it; a second 423 fails the relay.
    let mut c = client(
        ClientConfig::new(vec![alice(INTRA)]).with_expires(Some(86_400)),
        6,
    );
    c.start(t0);
    let first = take(&mut c);
    let mut too_long = relay.respond(&first.request, StatusCode::OutOfBounds);
    too_long.headers.push(Header::MaxExpires(3600));
    c.handle_response(t0, &too_long).unwrap();
    let second = take(&mut c);
    assert_eq!(second.request.headers.expires(), Some(3600));
    let mut again = relay.respond(&second.request, StatusCode::OutOfBounds);
    again.headers.push(Header::MaxExpires(1800));
    c.handle_response(t0, &again).unwrap();
    assert_eq!(
        events(&mut c),
        vec![
            Event::Failed {
                relay: uri(INTRA),
                reason: Failure::ExpiresOutOfBounds
            },
            Event::GaveUp
        ]
    );
    // A 423 with no bounds cannot be adjusted to.
    let mut c = client(ClientConfig::new(vec![alice(INTRA)]), 7);
    c.start(t0);
    let first = take(&mut c);
    c.handle_response(t0, &relay.respond(&first.request, StatusCode::OutOfBounds))
        .unwrap();
    assert!(events(&mut c).contains(&Event::Failed {
        relay: uri(INTRA),
        reason: Failure::ExpiresOutOfBounds
    }));
}

#[test]
fn refresh_before_expiry_with_the_next_nonce() {
    let t0 = Instant::now();
    let mut relay = ScriptedRelay::new(INTRA, "intra.example.com", t0);
    let mut c = client(ClientConfig::new(vec![alice(INTRA)]), 8);
    c.start(t0);
    assert!(run(&mut c, &mut relay, t0, INTRA_ASSIGNED, 1000).is_none());
    assert!(c.is_authenticated());
    events(&mut c);
    let due = t0 + Duration::from_secs(900);
    assert_eq!(c.poll_timeout(), Some(due));
    c.handle_timeout(due - Duration::from_millis(1));
    assert!(c.poll_transmit().is_none());
    c.handle_timeout(due);
    let refresh = take(&mut c);
    // Sent straight away with credentials for the relay's nextnonce.
    let auth =
        Authorization::parse(&refresh.request.headers.get("Authorization").unwrap()).unwrap();
    assert_eq!(auth.nc, 1);
    let ok = relay.handle(due, &refresh.request, INTRA_ASSIGNED, 1000);
    assert_eq!(ok.status, StatusCode::Ok);
    c.handle_response(due, &ok).unwrap();
    assert_eq!(
        events(&mut c),
        vec![Event::Refreshed {
            hop: 0,
            relay: uri(INTRA),
            expires: Duration::from_secs(1000)
        }]
    );
    assert!(c.is_authenticated());
    assert_eq!(c.poll_timeout(), Some(due + Duration::from_secs(900)));

    // A refresh whose cached nonce the relay no longer takes gets challenged and answered.
    let due2 = due + Duration::from_secs(900);
    c.handle_timeout(due2);
    let r = take(&mut c);
    c.handle_response(due2, &relay.challenge(due2, &r.request, false))
        .unwrap();
    let r2 = take(&mut c);
    let ok = relay.handle(due2, &r2.request, INTRA_ASSIGNED, 1000);
    assert_eq!(ok.status, StatusCode::Ok);
    c.handle_response(due2, &ok).unwrap();
    assert!(matches!(events(&mut c)[..], [Event::Refreshed { .. }]));
    // A refresh that gets no answer fails the relay; the path is gone.
    let due3 = due2 + Duration::from_secs(900);
    c.handle_timeout(due3);
    let _ = take(&mut c);
    c.handle_timeout(due3 + Duration::from_secs(29));
    assert!(events(&mut c).is_empty());
    c.handle_timeout(due3 + Duration::from_secs(30));
    assert_eq!(
        events(&mut c),
        vec![
            Event::Failed {
                relay: uri(INTRA),
                reason: Failure::Timeout
            },
            Event::GaveUp
        ]
    );
    assert_eq!(c.use_path(), None);
}

#[test]
fn timeout_falls_back_to_the_alternative_relay() {
    let t0 = Instant::now();
    let mut backup = ScriptedRelay::new(BACKUP, "backup.example.com", t0);
    let mut c = client(
        ClientConfig::new(vec![alice(INTRA)]).with_alternatives(vec![alice(BACKUP)]),
        9,
    );
    c.start(t0);
    assert_eq!(c.first_hop(), &uri(INTRA));
    let first = take(&mut c);
    assert_eq!(first.connect_to, uri(INTRA));
    let deadline = t0 + Duration::from_secs(30);
    assert_eq!(c.poll_timeout(), Some(deadline));
    c.handle_timeout(deadline - Duration::from_millis(1));
    assert!(events(&mut c).is_empty() && c.poll_transmit().is_none());
    c.handle_timeout(deadline);
    assert_eq!(
        events(&mut c),
        vec![
            Event::Failed {
                relay: uri(INTRA),
                reason: Failure::Timeout
            },
            Event::FallingBack {
                from: uri(INTRA),
                to: uri(BACKUP)
            },
        ]
    );
    assert_eq!(c.first_hop(), &uri(BACKUP));
    let t = take(&mut c);
    assert_eq!(t.connect_to, uri(BACKUP));
    assert_eq!(t.request.to_path, path(BACKUP));
    // The late answer of the first relay is ignored.
    let late = first.request.response(StatusCode::Ok, path(INTRA));
    assert_eq!(
        c.handle_response(deadline, &late),
        Err(ResponseError::UnknownTransaction)
    );
    c.handle_response(
        deadline,
        &backup.handle(deadline, &t.request, BACKUP_ASSIGNED, 600),
    )
    .unwrap();
    assert!(run(&mut c, &mut backup, deadline, BACKUP_ASSIGNED, 600).is_none());
    assert_eq!(c.use_path(), Some(path(BACKUP_ASSIGNED)));
    // When the alternative fails too, the client gives up.
    c.connection_lost(deadline);
    assert_eq!(
        events(&mut c)[2..],
        [
            Event::Failed {
                relay: uri(BACKUP),
                reason: Failure::ConnectionLost
            },
            Event::GaveUp
        ]
    );
}

#[test]
fn two_relay_chain_tunnels_the_second_auth() {
    let t0 = Instant::now();
    let mut intra = ScriptedRelay::new(INTRA, "intra.example.com", t0);
    let mut extra = ScriptedRelay::new(EXTRA, "extra.example.com", t0);
    let mut c = client(
        ClientConfig::new(vec![
            alice(INTRA),
            Relay::new(uri(EXTRA), "alice", "wonderland"),
        ]),
        10,
    );
    c.start(t0);
    let tunnelled = run(&mut c, &mut intra, t0, INTRA_ASSIGNED, 900).unwrap();
    let evs = events(&mut c);
    assert!(
        matches!(evs[..], [Event::RelayAuthenticated { hop: 0, .. }]),
        "{evs:?}"
    );
    assert!(!c.is_authenticated(), "the second relay is still to come");
    // The AUTH for the second relay goes through the first (RFC 4976 §5.1, as 5.1-5).
    assert_eq!(tunnelled.connect_to, uri(INTRA));
    assert_eq!(
        tunnelled.request.to_path.to_string(),
        format!("{INTRA_ASSIGNED} {EXTRA}")
    );
    assert_eq!(
        tunnelled.request.from_path,
        Path::new(c.local_uri().clone())
    );
    // The second relay challenges; the first relay forwards the 401 to the client.
    c.handle_response(t0, &extra.challenge(t0, &tunnelled.request, false))
        .unwrap();
    let answer = take(&mut c);
    assert_eq!(answer.request.to_path, tunnelled.request.to_path);
    let auth = Authorization::parse(&answer.request.headers.get("Authorization").unwrap()).unwrap();
    assert_eq!(auth.realm, "extra.example.com");
    assert_eq!(
        auth.uri, EXTRA,
        "the digest URI is the rightmost To-Path URI"
    );
    let both = format!("{INTRA_ASSIGNED} {EXTRA_ASSIGNED}");
    let ok = extra.handle(t0, &answer.request, &both, 1800);
    assert_eq!(ok.status, StatusCode::Ok);
    c.handle_response(t0, &ok).unwrap();
    assert_eq!(
        events(&mut c),
        vec![
            Event::RelayAuthenticated {
                hop: 1,
                relay: uri(EXTRA),
                assigned: uri(EXTRA_ASSIGNED),
                expires: Duration::from_secs(1800),
            },
            Event::Authenticated {
                use_path: path(&both)
            },
        ]
    );
    let local = c.local_uri().clone();
    assert_eq!(c.use_path(), Some(path(&both)));
    // SDP: reversed Use-Path + own URI; requests: Use-Path + the peer's SDP path.
    assert_eq!(
        c.sdp_path().unwrap().to_string(),
        format!("{EXTRA_ASSIGNED} {INTRA_ASSIGNED} {local}")
    );
    let bob = path("msrps://b.example.net:9000/aeiug;tcp msrps://bob.example.net:8145/foo;tcp");
    assert_eq!(
        c.to_path_for(&bob).unwrap().to_string(),
        format!("{both} {bob}")
    );
    // Each relay refreshes on its own schedule: the first at 810 s, the second at 1620 s.
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(810)));
    c.handle_timeout(t0 + Duration::from_secs(810));
    let r = take(&mut c);
    assert_eq!(r.request.to_path, path(INTRA));
    // A relay that names only itself in Use-Path is accepted too.
    let mut c2 = client(ClientConfig::new(vec![alice(INTRA), alice(EXTRA)]), 11);
    c2.start(t0);
    let next = run(&mut c2, &mut intra, t0, INTRA_ASSIGNED, 900).unwrap();
    let r = extra.handle(t0, &next.request, EXTRA_ASSIGNED, 900);
    c2.handle_response(t0, &r).unwrap();
    assert!(run(&mut c2, &mut extra, t0, EXTRA_ASSIGNED, 900).is_none());
    assert_eq!(c2.use_path(), Some(path(&both)));
    // One that names something else is not.
    let mut c3 = client(ClientConfig::new(vec![alice(INTRA), alice(EXTRA)]), 12);
    c3.start(t0);
    let t = run(&mut c3, &mut intra, t0, INTRA_ASSIGNED, 900).unwrap();
    let mut ok = t.request.response(StatusCode::Ok, path(EXTRA));
    ok.headers.push(Header::UsePath(path(&format!(
        "{BACKUP_ASSIGNED} {EXTRA_ASSIGNED}"
    ))));
    ok.headers.push(Header::Expires(900));
    assert_eq!(
        c3.handle_response(t0, &ok),
        Err(ResponseError::UsePathMismatch)
    );
    // Nor one that repeats the first relay's URI as its own (as RFC 4976's inconsistent
    // 5.1-12 example does).
    let mut c4 = client(ClientConfig::new(vec![alice(INTRA), alice(EXTRA)]), 14);
    c4.start(t0);
    let t = run(&mut c4, &mut intra, t0, INTRA_ASSIGNED, 900).unwrap();
    let mut ok = t.request.response(StatusCode::Ok, path(EXTRA));
    ok.headers.push(Header::UsePath(path(INTRA_ASSIGNED)));
    ok.headers.push(Header::Expires(900));
    assert_eq!(
        c4.handle_response(t0, &ok),
        Err(ResponseError::UsePathMismatch)
    );
}

#[test]
fn rfc4976_example_flow() {
    // RFC 4976 §5.1: the second AUTH's To-Path, as in the RFC's 5.1-5 example.
    let t0 = Instant::now();
    let mut c = client(ClientConfig::new(vec![alice(INTRA), alice(EXTRA)]), 13);
    c.start(t0);
    let t = take(&mut c);
    let wire = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/rfc4976/5.1-4-200.msrp"
    ))
    .unwrap();
    let (msg, _) = Message::decode(&wire).unwrap().unwrap();
    let Head::Response(mut ok) = msg.head else {
        panic!("a response")
    };
    // The RFC's 200, as the answer to our (credential-less) AUTH.
    ok.transaction_id = t.request.transaction_id;
    ok.to_path = Path::new(c.local_uri().clone());
    c.handle_response(t0, &ok).unwrap();
    let second = take(&mut c);
    let example = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/rfc4976/5.1-5-auth.msrp"
    ))
    .unwrap();
    let (msg, _) = Message::decode(&example).unwrap().unwrap();
    assert_eq!(msg.head.to_path(), &second.request.to_path);
}

#[test]
fn bad_responses_are_typed_errors() {
    let t0 = Instant::now();
    let relay = ScriptedRelay::new(INTRA, "intra.example.com", t0);
    let start = |seed| {
        let mut c = client(ClientConfig::new(vec![alice(INTRA)]), seed);
        c.start(t0);
        let t = take(&mut c);
        (c, t.request)
    };
    let ok_with = |req: &Request, headers: Vec<Header>| {
        let mut r = relay.respond(req, StatusCode::Ok);
        for h in headers {
            r.headers.push(h);
        }
        r
    };

    // Wrong transaction id: refused, nothing changes.
    let (mut c, req) = start(20);
    let mut other = ok_with(
        &req,
        vec![Header::UsePath(path(INTRA_ASSIGNED)), Header::Expires(9)],
    );
    other.transaction_id = "unknown1".parse().unwrap();
    assert_eq!(
        c.handle_response(t0, &other),
        Err(ResponseError::UnknownTransaction)
    );
    // Not addressed to us: refused, nothing changes.
    let mut stray = ok_with(
        &req,
        vec![Header::UsePath(path(INTRA_ASSIGNED)), Header::Expires(9)],
    );
    stray.to_path = path("msrps://mallory.example.com:1/x;tcp");
    assert_eq!(
        c.handle_response(t0, &stray),
        Err(ResponseError::Misdirected)
    );
    assert!(events(&mut c).is_empty());
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(30)));

    let cases: Vec<(Vec<Header>, ResponseError)> = vec![
        (vec![Header::Expires(900)], ResponseError::MissingUsePath),
        (
            vec![
                Header::UsePath(path("msrp://intra.example.com:9000/jui787s2f;tcp")),
                Header::Expires(900),
            ],
            ResponseError::UsePathNotSecure(uri("msrp://intra.example.com:9000/jui787s2f;tcp")),
        ),
        (
            vec![
                Header::UsePath(path("msrps://intra.example.com/jui787s2f;tcp")),
                Header::Expires(900),
            ],
            ResponseError::UsePathWithoutPort(uri("msrps://intra.example.com/jui787s2f;tcp")),
        ),
        (
            vec![Header::UsePath(path(INTRA_ASSIGNED))],
            ResponseError::MissingExpires,
        ),
        (
            vec![Header::UsePath(path(INTRA_ASSIGNED)), Header::Expires(0)],
            ResponseError::ZeroExpires,
        ),
        (
            vec![
                Header::UsePath(path(INTRA_ASSIGNED)),
                Header::Expires(900),
                Header::other("Authentication-Info", "rspauth=zz").unwrap(),
            ],
            ResponseError::BadAuthenticationInfo(DigestError::BadDigest),
        ),
    ];
    for (i, (headers, error)) in cases.into_iter().enumerate() {
        let (mut c, req) = start(30 + i as u64);
        let r = ok_with(&req, headers);
        assert_eq!(c.handle_response(t0, &r), Err(error.clone()));
        assert_eq!(
            events(&mut c),
            vec![
                Event::Failed {
                    relay: uri(INTRA),
                    reason: Failure::InvalidResponse(error)
                },
                Event::GaveUp
            ]
        );
        assert!(!c.is_authenticated());
    }

    // A relay that does not know the password cannot forge rspauth.
    let (mut c, req) = start(40);
    let mut challenge = relay.respond(&req, StatusCode::Unauthorized);
    challenge.headers.push(
        Header::other(
            "WWW-Authenticate",
            r#"Digest realm="intra.example.com", qop="auth", nonce="abc""#,
        )
        .unwrap(),
    );
    c.handle_response(t0, &challenge).unwrap();
    let answer = take(&mut c);
    let auth = Authorization::parse(&answer.request.headers.get("Authorization").unwrap()).unwrap();
    let forged = format!(
        r#"rspauth="00000000000000000000000000000000", cnonce="{}", nc=00000001, qop=auth"#,
        auth.cnonce
    );
    let r = ok_with(
        &answer.request,
        vec![
            Header::UsePath(path(INTRA_ASSIGNED)),
            Header::Expires(900),
            Header::other("Authentication-Info", &forged).unwrap(),
        ],
    );
    assert_eq!(c.handle_response(t0, &r), Err(ResponseError::WrongRspauth));

    // Challenges the client cannot answer, and refusals.
    for (value, reason) in [
        (
            Some(r#"Basic realm="intra.example.com""#),
            Failure::BadChallenge(DigestError::NotDigest),
        ),
        (
            Some(r#"Digest realm="r", nonce="n", qop="auth-int""#),
            Failure::BadChallenge(DigestError::UnsupportedQop),
        ),
        (
            Some(r#"Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256"#),
            Failure::BadChallenge(DigestError::UnsupportedAlgorithm("SHA-256".into())),
        ),
        (None, Failure::NoChallenge),
    ] {
        let (mut c, req) = start(50);
        let mut r = relay.respond(&req, StatusCode::Unauthorized);
        if let Some(v) = value {
            r.headers
                .push(Header::other("WWW-Authenticate", v).unwrap());
        }
        c.handle_response(t0, &r).unwrap();
        assert_eq!(
            events(&mut c)[0],
            Event::Failed {
                relay: uri(INTRA),
                reason
            }
        );
    }
    // Basic offered first, Digest second: the Digest one is answered.
    let (mut c, req) = start(51);
    let mut r = relay.respond(&req, StatusCode::Unauthorized);
    r.headers
        .push(Header::other("WWW-Authenticate", r#"Basic realm="x""#).unwrap());
    r.headers.push(
        Header::other(
            "WWW-Authenticate",
            r#"Digest realm="intra.example.com", qop="auth", nonce="abc""#,
        )
        .unwrap(),
    );
    c.handle_response(t0, &r).unwrap();
    assert!(take(&mut c).request.headers.get("Authorization").is_some());

    let (mut c, req) = start(52);
    c.handle_response(t0, &relay.respond(&req, StatusCode::Forbidden))
        .unwrap();
    assert_eq!(
        events(&mut c)[0],
        Event::Failed {
            relay: uri(INTRA),
            reason: Failure::Refused(StatusCode::Forbidden)
        }
    );
}

#[test]
fn configuration_is_checked() {
    let ids = || IdGenerator::from_fn(testkit::id_source(1));
    let new = |config| AuthClient::new(config, "alice.example.com", 9892, ids()).err();
    assert_eq!(new(ClientConfig::new(vec![])), Some(ConfigError::NoRelays));
    let plain = uri("msrp://relay.example.com:2855;tcp");
    assert_eq!(
        new(ClientConfig::new(vec![Relay::new(plain.clone(), "a", "b")])),
        Some(ConfigError::RelayNotSecure(plain.clone()))
    );
    assert_eq!(
        new(
            ClientConfig::new(vec![alice(INTRA)]).with_alternatives(vec![Relay::new(
                plain.clone(),
                "a",
                "b"
            )])
        ),
        Some(ConfigError::RelayNotSecure(plain))
    );
    assert_eq!(
        new(ClientConfig::new(vec![Relay::new(
            uri(INTRA),
            "a\r\nX: y",
            "b"
        )])),
        Some(ConfigError::BadCredentials(uri(INTRA)))
    );
    assert!(matches!(
        AuthClient::new(ClientConfig::new(vec![alice(INTRA)]), "bad host", 1, ids()),
        Err(ConfigError::LocalUri(_))
    ));
    // Session ids differ between clients (never reused across sessions, RFC 4976 §5.1).
    let a = client(ClientConfig::new(vec![alice(INTRA)]), 1);
    let b = client(ClientConfig::new(vec![alice(INTRA)]), 2);
    assert_ne!(a.local_uri(), b.local_uri());
    // The password stays out of debug output.
    assert!(!format!("{:?}", alice(INTRA)).contains("wonderland"));
}

#[test]
fn random_responses_never_panic() {
    let t0 = Instant::now();
    let mut rng = testkit::SeededRng::new(77);
    let statuses = [200u16, 401, 403, 423, 481, 500, 999, 100];
    let header_pool = || -> Vec<Header> {
        vec![
            Header::UsePath(path(INTRA_ASSIGNED)),
            Header::UsePath(path(&format!("{INTRA_ASSIGNED} {EXTRA_ASSIGNED}"))),
            Header::UsePath(path("msrp://x.example.com:1/a;tcp")),
            Header::Expires(0),
            Header::Expires(u32::MAX),
            Header::Expires(30),
            Header::MinExpires(u32::MAX),
            Header::MaxExpires(0),
            Header::other(
                "WWW-Authenticate",
                r#"Digest realm="r", qop="auth", nonce="n""#,
            )
            .unwrap(),
            Header::other(
                "WWW-Authenticate",
                r#"Digest realm="r", qop="auth", nonce="n", stale=true"#,
            )
            .unwrap(),
            Header::other("WWW-Authenticate", "Digest ,,,=").unwrap(),
            Header::other("Authentication-Info", "nextnonce=\"x\"").unwrap(),
            Header::other(
                "Authentication-Info",
                r#"rspauth="00000000000000000000000000000000", cnonce="c", nc=00000001, qop=auth"#,
            )
            .unwrap(),
        ]
    };
    let pool = header_pool();
    let mut authenticated = 0;
    for round in 0..300u64 {
        let mut c = client(
            ClientConfig::new(vec![alice(INTRA), alice(EXTRA)])
                .with_alternatives(vec![alice(BACKUP)])
                .with_expires(Some(60)),
            round,
        );
        let mut now = t0;
        c.start(now);
        for _ in 0..40 {
            now += Duration::from_secs(rng.below(400));
            if rng.chance(0.2) {
                c.handle_timeout(now);
            }
            if rng.chance(0.02) {
                c.connection_lost(now);
            }
            let Some(t) = c.poll_transmit() else {
                if let Some(at) = c.poll_timeout() {
                    now = now.max(at);
                    c.handle_timeout(now);
                }
                continue;
            };
            let code = statuses[rng.below(statuses.len() as u64) as usize];
            let mut r = t
                .request
                .response(StatusCode::from_code(code).unwrap(), path(INTRA));
            if code == 200 && rng.chance(0.7) {
                // A well-formed acceptance for this hop (the To-Path length tells which).
                let entries = [INTRA_ASSIGNED, EXTRA_ASSIGNED];
                let n = t.request.to_path.len().min(2);
                r.headers
                    .push(Header::UsePath(path(&entries[..n].join(" "))));
                r.headers.push(Header::Expires(30 + rng.below(600) as u32));
            }
            for _ in 0..rng.below(3) {
                r.headers
                    .push(pool[rng.below(pool.len() as u64) as usize].clone());
            }
            let _ = c.handle_response(now, &r);
            // Start over after giving up, so that later rounds reach the later relays.
            if events(&mut c).contains(&Event::GaveUp) {
                c.start(now);
            }
            if let (Some(use_path), Some(sdp)) = (c.use_path(), c.sdp_path()) {
                authenticated += 1;
                assert_eq!(sdp.len(), use_path.len() + 1);
                assert!(use_path.iter().all(MsrpUri::is_secure));
            }
        }
    }
    assert!(
        authenticated > 0,
        "the random relays never accepted the client"
    );
}

#[test]
fn a_refresh_that_changes_the_first_uri_reauthenticates_the_rest() {
    let t0 = Instant::now();
    let mut intra = ScriptedRelay::new(INTRA, "intra.example.com", t0);
    let mut extra = ScriptedRelay::new(EXTRA, "extra.example.com", t0);
    let mut c = client(ClientConfig::new(vec![alice(INTRA), alice(EXTRA)]), 15);
    c.start(t0);
    let next = run(&mut c, &mut intra, t0, INTRA_ASSIGNED, 100).unwrap();
    let r = extra.handle(t0, &next.request, EXTRA_ASSIGNED, 1000);
    c.handle_response(t0, &r).unwrap();
    assert!(run(&mut c, &mut extra, t0, EXTRA_ASSIGNED, 1000).is_none());
    assert!(c.is_authenticated());
    events(&mut c);
    // The first relay's refresh comes back with another URI.
    let due = t0 + Duration::from_secs(90);
    assert_eq!(c.poll_timeout(), Some(due));
    c.handle_timeout(due);
    let moved = "msrps://intra.example.com:9000/n3wur1;tcp";
    let refresh = take(&mut c);
    let r = intra.handle(due, &refresh.request, moved, 100);
    c.handle_response(due, &r).unwrap();
    assert_eq!(
        events(&mut c),
        vec![Event::RelayAuthenticated {
            hop: 0,
            relay: uri(INTRA),
            assigned: uri(moved),
            expires: Duration::from_secs(100),
        }]
    );
    assert_eq!(c.use_path(), None, "the old path is void");
    // The second relay is authenticated again through the new URI.
    let again = take(&mut c);
    assert_eq!(
        again.request.to_path.to_string(),
        format!("{moved} {EXTRA}")
    );
    c.handle_response(
        due,
        &extra.handle(due, &again.request, EXTRA_ASSIGNED, 1000),
    )
    .unwrap();
    assert!(run(&mut c, &mut extra, due, EXTRA_ASSIGNED, 1000).is_none());
    assert_eq!(
        events(&mut c).last(),
        Some(&Event::Authenticated {
            use_path: path(&format!("{moved} {EXTRA_ASSIGNED}"))
        })
    );
}

#[test]
fn a_single_use_nonce_after_423_is_answered_again() {
    let t0 = Instant::now();
    let mut relay = ScriptedRelay::new(INTRA, "intra.example.com", t0);
    let mut c = client(ClientConfig::new(vec![alice(INTRA)]), 16);
    c.start(t0);
    let first = take(&mut c);
    c.handle_response(t0, &relay.challenge(t0, &first.request, false))
        .unwrap();
    let second = take(&mut c);
    let mut bounds = relay.respond(&second.request, StatusCode::OutOfBounds);
    bounds.headers.push(Header::MinExpires(600));
    c.handle_response(t0, &bounds).unwrap();
    let third = take(&mut c);
    // This relay refuses nonce reuse with a new challenge; the client answers it.
    c.handle_response(t0, &relay.challenge(t0, &third.request, false))
        .unwrap();
    let fourth = take(&mut c);
    assert_eq!(fourth.request.headers.expires(), Some(600));
    let ok = relay.handle(t0, &fourth.request, INTRA_ASSIGNED, 600);
    assert_eq!(ok.status, StatusCode::Ok);
    c.handle_response(t0, &ok).unwrap();
    assert!(c.is_authenticated());
}
