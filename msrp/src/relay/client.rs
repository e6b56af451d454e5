//! The sans-IO RFC 4976 AUTH client: authenticates to a chain of relays and yields the paths
//! to use in SDP and in requests.
//!
//! An [`AuthClient`] knows nothing of sockets or clocks. The caller opens one TLS connection
//! to the relay named by [`Transmit::connect_to`], writes the AUTH requests from
//! [`poll_transmit`](AuthClient::poll_transmit) on it, feeds the responses to
//! [`handle_response`](AuthClient::handle_response), and calls
//! [`handle_timeout`](AuthClient::handle_timeout) when
//! [`poll_timeout`](AuthClient::poll_timeout) says.
//!
//! ```text
//!   start(now) ──────────────────► AuthClient ──► poll_transmit() -> Transmit { connect_to, request }
//!   handle_response(now, resp) ──►            ──► poll_timeout()  -> next wake-up
//!   handle_timeout(now) ─────────►            ──► poll_event()    -> Event
//!   connection_lost(now) ────────►                use_path(), sdp_path(), to_path_for(peer)
//! ```
//!
//! For each relay of the chain in turn (RFC 4976 §5.1) the client sends an AUTH whose To-Path
//! is the Use-Path obtained so far followed by the relay's URI (so it is tunnelled through the
//! relays already authenticated) and whose From-Path is the client's own URI (`msrps:`, a
//! fresh session id of 16 random alphanumerics, about 95 bits). A 401 is answered with digest
//! credentials (the digest URI is the rightmost To-Path URI, the relay's); a second 401 to an
//! answer that is not `stale` means wrong credentials. A 423 is retried once with Expires
//! moved into `[Min-Expires, Max-Expires]`. A 200 gives the relay's Use-Path entry and its
//! Expires; the client re-AUTHs at 90 % of Expires, using the relay's `nextnonce` when it
//! offered one. No response within the transaction timeout (30 s), or any other failure,
//! fails the relay; the client then starts over with the next alternative first relay, and
//! gives up when there is none.
//!
//! # Example
//!
//! Against one relay, whose responses are built by hand:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use msrp::relay::client::{AuthClient, ClientConfig, Event, Relay};
//! use msrp::relay::digest::Challenge;
//! use msrp::{Header, IdGenerator, Path, StatusCode};
//!
//! let now = Instant::now();
//! let relay = Relay::new("msrps://relay.example.com;tcp".parse()?, "alice", "secret");
//! let mut client =
//!     AuthClient::new(ClientConfig::new(vec![relay]), "alice.example.com", 9892, IdGenerator::default())?;
//! client.start(now);
//!
//! // The first AUTH carries no credentials; the relay challenges it.
//! let auth = client.poll_transmit().expect("an AUTH").request;
//! let relay_path: Path = "msrps://relay.example.com;tcp".parse()?;
//! let mut unauthorized = auth.response(StatusCode::Unauthorized, relay_path.clone());
//! let challenge = Challenge { realm: "relay".into(), nonce: "n1".into(), opaque: None, stale: false };
//! unauthorized.headers.push(Header::other("WWW-Authenticate", &challenge.to_string())?);
//! client.handle_response(now, &unauthorized)?;
//!
//! // The second carries them; the relay accepts it.
//! let auth = client.poll_transmit().expect("an answer").request;
//! assert!(auth.headers.get("Authorization").is_some());
//! let mut ok = auth.response(StatusCode::Ok, relay_path);
//! ok.headers.push(Header::UsePath("msrps://relay.example.com:9000/jui787s2f;tcp".parse()?));
//! ok.headers.push(Header::Expires(600));
//! client.handle_response(now, &ok)?;
//!
//! assert!(client.is_authenticated());
//! let peer: Path = "msrp://bob.example.net:8145/foo;tcp".parse()?;
//! assert_eq!(
//!     client.to_path_for(&peer).expect("authenticated").to_string(),
//!     "msrps://relay.example.com:9000/jui787s2f;tcp msrp://bob.example.net:8145/foo;tcp"
//! );
//! // Refreshed at 90 % of Expires.
//! assert_eq!(client.poll_timeout(), Some(now + Duration::from_secs(540)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::header::{Header, HeaderName};
use crate::ident::{IdGenerator, TransactionId};
use crate::message::{Method, Request, Response};
use crate::relay::digest::{self, AuthenticationInfo, Authorization, Challenge};
use crate::status::StatusCode;
use crate::uri::{MsrpUri, Path, Scheme};

mod types;

pub use types::{
    ClientConfig, ConfigError, DEFAULT_TRANSACTION_TIMEOUT, Event, Failure, MAX_STALE_RETRIES,
    Relay, ResponseError, Transmit,
};

/// Length of the generated session id of the client's URI: 16 alphanumerics, about 95
/// random bits (at least 80 are required, RFC 4975 §14.1).
const SESSION_ID_LEN: usize = 16;

/// Where the client is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Not started.
    Idle,
    /// Authenticating or authenticated.
    Running,
    /// Every first relay failed.
    GaveUp,
}

/// A nonce the client may use without waiting for a challenge.
#[derive(Clone, Debug)]
struct Cached {
    challenge: Challenge,
    nc: u32,
}

/// What the client holds for one relay of the chain.
#[derive(Clone, Debug, Default)]
struct Hop {
    /// The relay's Use-Path entry, once it accepted the client.
    assigned: Option<MsrpUri>,
    /// When to re-AUTH.
    refresh_at: Option<Instant>,
    /// The Expires to request (the configured one, or as a 423 adjusted it).
    expires: Option<u32>,
    /// A nonce for the next AUTH (the relay's nextnonce, or the last one with nc + 1).
    cached: Option<Cached>,
}

/// The AUTH transaction in progress (AUTH requests are never pipelined, RFC 4976 §9.1).
#[derive(Clone, Debug)]
struct Attempt {
    hop: usize,
    transaction_id: TransactionId,
    deadline: Instant,
    refresh: bool,
    /// The credentials the request carried.
    sent: Option<Authorization>,
    /// The challenge `sent` answers, and whether it arrived in this attempt (rather than
    /// being a cached nonce).
    challenge: Option<(Challenge, bool)>,
    stale_retries: u8,
    retried_423: bool,
}

/// The sans-IO RFC 4976 AUTH client. See the [module documentation](self).
#[derive(Debug)]
pub struct AuthClient {
    config: ClientConfig,
    /// The chain's first relay (`config.chain` is never empty).
    primary: Relay,
    ids: IdGenerator,
    local: MsrpUri,
    /// 0: the chain's first relay; k: `alternatives[k - 1]`.
    candidate: usize,
    hops: Vec<Hop>,
    attempt: Option<Attempt>,
    phase: Phase,
    /// The Use-Path last announced with [`Event::Authenticated`], while it is valid.
    ready: Option<Path>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
}

impl AuthClient {
    /// A client for the relays of `config`, whose own URI is
    /// `msrps://{local_host}:{local_port}/{random session id};tcp`. Nothing is sent until
    /// [`start`](Self::start).
    ///
    /// Refuses an empty chain, relay URIs other than `msrps:` (RFC 4976 §9.1), credentials
    /// that cannot go in a header, and a host that does not make a valid URI.
    pub fn new(
        config: ClientConfig,
        local_host: &str,
        local_port: u16,
        mut ids: IdGenerator,
    ) -> Result<Self, ConfigError> {
        let primary = config.chain.first().cloned().ok_or(ConfigError::NoRelays)?;
        for relay in config.chain.iter().chain(&config.alternatives) {
            if relay.uri.scheme() != Scheme::Msrps {
                return Err(ConfigError::RelayNotSecure(relay.uri.clone()));
            }
            let bad = |s: &str| s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0));
            if bad(&relay.username) || bad(&relay.password) {
                return Err(ConfigError::BadCredentials(relay.uri.clone()));
            }
        }
        let session_id = random_alphanumeric(&mut ids, SESSION_ID_LEN);
        let local = MsrpUri::parse(format!(
            "msrps://{local_host}:{local_port}/{session_id};tcp"
        ))
        .map_err(ConfigError::LocalUri)?;
        let hops = vec![Hop::default(); config.chain.len()];
        Ok(Self {
            config,
            primary,
            ids,
            local,
            candidate: 0,
            hops,
            attempt: None,
            phase: Phase::Idle,
            ready: None,
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        })
    }

    /// The client's own URI: the From-Path of every AUTH, and the last URI of its SDP path.
    pub fn local_uri(&self) -> &MsrpUri {
        &self.local
    }

    /// The relay the client's connection goes to now (the chain's first relay, or the
    /// alternative in use).
    pub fn first_hop(&self) -> &MsrpUri {
        &self.relay(0).uri
    }

    /// Starts authenticating with the chain's first relay, dropping whatever was obtained
    /// before (after [`Event::GaveUp`], or to start over). Call it once the connection to
    /// [`first_hop`](Self::first_hop) is up (or as it is being opened: the first AUTH waits
    /// in [`poll_transmit`](Self::poll_transmit)).
    pub fn start(&mut self, now: Instant) {
        self.candidate = 0;
        self.reset_chain();
        self.phase = Phase::Running;
        self.send(now, 0, false);
    }

    /// Whether every relay of the chain has accepted the client (and no fallback is under
    /// way).
    pub fn is_authenticated(&self) -> bool {
        self.ready.is_some()
    }

    /// The full Use-Path (the first relay's URI first), once authenticated.
    pub fn use_path(&self) -> Option<Path> {
        self.ready.clone()
    }

    /// The To-Path for requests to a peer whose SDP path is `peer_sdp_path`: the Use-Path
    /// followed by the peer's path (RFC 4976 §5.1, §5.2). `None` until authenticated.
    pub fn to_path_for(&self, peer_sdp_path: &Path) -> Option<Path> {
        let use_path = self.ready.as_ref()?;
        Path::from_uris(use_path.iter().chain(peer_sdp_path.iter()).cloned())
    }

    /// The client's SDP `a=path`: the Use-Path reversed, then the client's own URI
    /// (RFC 4976 §5.1, §11). `None` until authenticated.
    pub fn sdp_path(&self) -> Option<Path> {
        let use_path = self.ready.as_ref()?;
        Path::from_uris(
            use_path
                .iter()
                .rev()
                .chain(std::iter::once(&self.local))
                .cloned(),
        )
    }

    /// The next AUTH request to send. Call after every other method until it returns `None`.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event. Call after every other method until it returns `None`.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next: the transaction
    /// deadline of the AUTH in progress, or else the earliest refresh time. Call after every
    /// other method.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.phase != Phase::Running {
            return None;
        }
        match &self.attempt {
            Some(a) => Some(a.deadline),
            None => self.hops.iter().filter_map(|h| h.refresh_at).min(),
        }
    }

    /// Processes the passage of time: fails an AUTH without response after the transaction
    /// timeout, and starts due refreshes. Call at (or after) [`poll_timeout`](Self::poll_timeout).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.phase != Phase::Running {
            return;
        }
        if let Some(a) = &self.attempt {
            if now >= a.deadline {
                let hop = a.hop;
                self.fail(now, hop, Failure::Timeout);
            }
            return;
        }
        let due = self
            .hops
            .iter()
            .enumerate()
            .filter(|(_, h)| h.refresh_at.is_some_and(|t| t <= now))
            .map(|(i, _)| i)
            .next();
        if let Some(hop) = due {
            self.send(now, hop, true);
        }
    }

    /// Reports that the connection to the first relay closed: every URI obtained through it
    /// is void (RFC 4976 §6.1), so the first relay counts as failed.
    pub fn connection_lost(&mut self, now: Instant) {
        if self.phase == Phase::Running {
            self.fail(now, 0, Failure::ConnectionLost);
        }
    }

    /// Processes a response received on the connection to the first relay.
    ///
    /// A response to no waiting AUTH, or not addressed to this client, is refused and
    /// changes nothing. A 200 that is not acceptable (no Use-Path, a Use-Path that is not
    /// `msrps:` or has no port, no Expires, a wrong rspauth) is refused and fails the relay.
    pub fn handle_response(
        &mut self,
        now: Instant,
        response: &Response,
    ) -> Result<(), ResponseError> {
        let Some(attempt) = self
            .attempt
            .as_ref()
            .filter(|a| a.transaction_id == response.transaction_id)
        else {
            return Err(ResponseError::UnknownTransaction);
        };
        if response.to_path.last() != &self.local {
            return Err(ResponseError::Misdirected);
        }
        let hop = attempt.hop;
        match response.status {
            StatusCode::Ok => match self.accept(now, hop, response) {
                Ok(()) => Ok(()),
                Err(e) => {
                    self.fail(now, hop, Failure::InvalidResponse(e.clone()));
                    Err(e)
                }
            },
            StatusCode::Unauthorized => {
                self.on_challenge(now, hop, response);
                Ok(())
            }
            StatusCode::OutOfBounds => {
                self.on_out_of_bounds(now, hop, response);
                Ok(())
            }
            status => {
                self.fail(now, hop, Failure::Refused(status));
                Ok(())
            }
        }
    }

    /// Relay `hop` of the chain, with the alternative in use as the first.
    fn relay(&self, hop: usize) -> &Relay {
        let relay = match (hop, self.candidate.checked_sub(1)) {
            (0, None) => None,
            (0, Some(k)) => self.config.alternatives.get(k),
            (_, _) => self.config.chain.get(hop),
        };
        relay.unwrap_or(&self.primary)
    }

    fn reset_chain(&mut self) {
        let expires = self.config.expires;
        for hop in &mut self.hops {
            *hop = Hop {
                expires,
                ..Hop::default()
            };
        }
        self.attempt = None;
        self.ready = None;
    }

    /// Starts an AUTH transaction with relay `hop`, with cached credentials if there are
    /// some.
    fn send(&mut self, now: Instant, hop: usize, refresh: bool) {
        let cached = self.hops.get_mut(hop).and_then(|h| h.cached.take());
        let mut attempt = Attempt {
            hop,
            transaction_id: TransactionId::generate(&mut self.ids),
            deadline: later(now, self.config.transaction_timeout),
            refresh,
            sent: None,
            challenge: None,
            stale_retries: 0,
            retried_423: false,
        };
        if let Some(c) = cached {
            attempt.sent = Some(self.answer(hop, &c.challenge, c.nc));
            attempt.challenge = Some((c.challenge, false));
        }
        self.transmit(now, attempt);
    }

    /// Sends the request of `attempt` (with a fresh transaction id when retrying).
    fn transmit(&mut self, now: Instant, mut attempt: Attempt) {
        attempt.deadline = later(now, self.config.transaction_timeout);
        let hop = attempt.hop;
        let relay_uri = self.relay(hop).uri.clone();
        // To-Path: the Use-Path so far, then this relay (RFC 4976 §5.1).
        let through = self
            .hops
            .iter()
            .take(hop)
            .filter_map(|h| h.assigned.clone());
        let to_path = Path::from_uris(through.chain(std::iter::once(relay_uri.clone())))
            .unwrap_or_else(|| Path::new(relay_uri.clone()));
        let mut request = Request::new(
            attempt.transaction_id,
            Method::Auth,
            to_path,
            Path::new(self.local.clone()),
        );
        if let Some(auth) = &attempt.sent {
            match Header::other("Authorization", &auth.to_string()) {
                Ok(h) => request.headers.push(h),
                Err(e) => {
                    self.attempt = Some(attempt);
                    self.fail(now, hop, Failure::Encode(e));
                    return;
                }
            }
        }
        if let Some(expires) = self.hops.get(hop).and_then(|h| h.expires) {
            request.headers.push(Header::Expires(expires));
        }
        self.attempt = Some(attempt);
        self.transmits.push_back(Transmit {
            connect_to: self.relay(0).uri.clone(),
            request,
        });
    }

    /// Credentials for relay `hop` answering `challenge` with nonce count `nc`; the digest
    /// URI is the relay's URI, the rightmost To-Path URI (RFC 4976 §9.1).
    fn answer(&mut self, hop: usize, challenge: &Challenge, nc: u32) -> Authorization {
        let cnonce = random_alphanumeric(&mut self.ids, SESSION_ID_LEN);
        let relay = self.relay(hop);
        digest::respond(
            challenge,
            &relay.username,
            &relay.password,
            Method::Auth.as_str(),
            &relay.uri.to_string(),
            &cnonce,
            nc,
        )
    }

    fn on_challenge(&mut self, now: Instant, hop: usize, response: &Response) {
        let mut first_error = None;
        let mut challenge = None;
        for h in response.headers.iter() {
            if let Header::Other { name, value } = h {
                if is_named(name, "WWW-Authenticate") {
                    match Challenge::parse(value.as_str()) {
                        Ok(c) => {
                            challenge = Some(c);
                            break;
                        }
                        Err(e) => first_error = first_error.or(Some(e)),
                    }
                }
            }
        }
        let challenge = match (challenge, first_error) {
            (Some(c), _) => c,
            (None, Some(e)) => return self.fail(now, hop, Failure::BadChallenge(e)),
            (None, None) => return self.fail(now, hop, Failure::NoChallenge),
        };
        let Some(mut attempt) = self.attempt.take() else {
            return;
        };
        if challenge.stale {
            attempt.stale_retries += 1;
            if attempt.stale_retries > MAX_STALE_RETRIES {
                self.attempt = Some(attempt);
                return self.fail(now, hop, Failure::TooManyStale);
            }
        } else if attempt
            .challenge
            .as_ref()
            .is_some_and(|(c, fresh)| *fresh || c.nonce == challenge.nonce)
        {
            // Our answer to this relay's own challenge was challenged again: RFC 2617
            // §3.2.1, the credentials are wrong. (An answer with a cached nonce may just
            // have used a nonce the relay forgot; that one is answered once more.)
            self.attempt = Some(attempt);
            return self.fail(now, hop, Failure::WrongCredentials);
        }
        attempt.sent = Some(self.answer(hop, &challenge, 1));
        attempt.challenge = Some((challenge, true));
        attempt.transaction_id = TransactionId::generate(&mut self.ids);
        self.transmit(now, attempt);
    }

    fn on_out_of_bounds(&mut self, now: Instant, hop: usize, response: &Response) {
        let (mut min, mut max) = (None, None);
        for h in response.headers.iter() {
            match h {
                Header::MinExpires(v) => min = Some(*v),
                Header::MaxExpires(v) => max = Some(*v),
                _ => {}
            }
        }
        let Some(mut attempt) = self.attempt.take() else {
            return;
        };
        let current = self.hops.get(hop).and_then(|h| h.expires);
        let adjusted = match current {
            Some(e) => Some(e.max(min.unwrap_or(e)).min(max.unwrap_or(e))),
            None => min.or(max),
        };
        if attempt.retried_423 || adjusted.is_none() || adjusted == current {
            self.attempt = Some(attempt);
            return self.fail(now, hop, Failure::ExpiresOutOfBounds);
        }
        if let Some(h) = self.hops.get_mut(hop) {
            h.expires = adjusted;
        }
        attempt.retried_423 = true;
        // Reuse the nonce answered last, counting on (RFC 2617 §3.2.2: nc increases). A
        // relay whose nonces are single-use challenges this again: that is not a verdict on
        // the credentials, so the reused nonce counts as cached, not as a fresh challenge.
        if let Some((c, _)) = attempt.challenge.clone() {
            let nc = attempt.sent.as_ref().map_or(1, |a| a.nc.saturating_add(1));
            attempt.sent = Some(self.answer(hop, &c, nc));
            attempt.challenge = Some((c, false));
        }
        attempt.transaction_id = TransactionId::generate(&mut self.ids);
        self.transmit(now, attempt);
    }

    /// Takes a 200: checks it, records the relay's URI and Expires, and goes on with the
    /// chain.
    fn accept(
        &mut self,
        now: Instant,
        hop: usize,
        response: &Response,
    ) -> Result<(), ResponseError> {
        let use_path = response
            .headers
            .use_path()
            .ok_or(ResponseError::MissingUsePath)?;
        for uri in use_path.iter() {
            if uri.scheme() != Scheme::Msrps {
                return Err(ResponseError::UsePathNotSecure(uri.clone()));
            }
            if uri.port().is_none() {
                return Err(ResponseError::UsePathWithoutPort(uri.clone()));
            }
        }
        // The relay's entry is the last; the Use-Path either repeats the entries of the
        // relays before it (RFC 4976 §5.1's example) or names just this relay, and the
        // relay's entry is not one of theirs.
        let before: Vec<&MsrpUri> = self
            .hops
            .iter()
            .take(hop)
            .filter_map(|h| h.assigned.as_ref())
            .collect();
        let extends =
            use_path.len() == hop + 1 && use_path.iter().zip(&before).all(|(a, b)| a == *b);
        let assigned = use_path.last().clone();
        if !(extends || use_path.len() == 1) || before.contains(&&assigned) {
            return Err(ResponseError::UsePathMismatch);
        }
        let expires = response
            .headers
            .expires()
            .ok_or(ResponseError::MissingExpires)?;
        if expires == 0 {
            return Err(ResponseError::ZeroExpires);
        }
        let attempt = self.attempt.take();
        let sent = attempt.as_ref().and_then(|a| a.sent.clone());
        let mut next = None;
        for h in response.headers.iter() {
            if let Header::Other { name, value } = h {
                if is_named(name, "Authentication-Info") {
                    let info = AuthenticationInfo::parse(value.as_str())
                        .map_err(ResponseError::BadAuthenticationInfo)?;
                    if let Some(auth) = &sent {
                        let relay = self.relay(hop);
                        let ha1 = digest::ha1(&relay.username, &auth.realm, &relay.password);
                        if !info.verify(auth, &relay.uri.to_string(), &ha1) {
                            return Err(ResponseError::WrongRspauth);
                        }
                    }
                    next = info.next_nonce;
                }
            }
        }
        // For the refresh: the relay's nextnonce, or else the nonce just used, counted on.
        let cached = match (attempt.as_ref().and_then(|a| a.challenge.clone()), next) {
            (Some((c, _)), Some(nonce)) => Some(Cached {
                challenge: Challenge {
                    nonce,
                    stale: false,
                    ..c
                },
                nc: 1,
            }),
            (Some((c, _)), None) => Some(Cached {
                challenge: c,
                nc: sent.as_ref().map_or(1, |a| a.nc.saturating_add(1)),
            }),
            (None, _) => None,
        };
        let refresh = attempt.as_ref().is_some_and(|a| a.refresh);
        let lifetime = Duration::from_secs(u64::from(expires));
        let relay = self.relay(hop).uri.clone();
        let Some(h) = self.hops.get_mut(hop) else {
            return Ok(());
        };
        let changed = h.assigned.as_ref() != Some(&assigned);
        h.assigned = Some(assigned.clone());
        // Refresh at 90 % of the lifetime.
        h.refresh_at = Some(later(now, lifetime.mul_f64(0.9)));
        h.cached = cached;
        if refresh && !changed {
            self.events.push_back(Event::Refreshed {
                hop,
                relay,
                expires: lifetime,
            });
        } else {
            self.events.push_back(Event::RelayAuthenticated {
                hop,
                relay,
                assigned,
                expires: lifetime,
            });
        }
        if changed {
            // The relays after this one were reached through the old URI.
            for later in self.hops.iter_mut().skip(hop + 1) {
                later.assigned = None;
                later.refresh_at = None;
            }
        }
        self.advance(now);
        Ok(())
    }

    /// Authenticates the next relay without a URI, or announces the complete path.
    fn advance(&mut self, now: Instant) {
        if let Some(hop) = self.hops.iter().position(|h| h.assigned.is_none()) {
            self.ready = None;
            self.send(now, hop, false);
            return;
        }
        let path = Path::from_uris(self.hops.iter().filter_map(|h| h.assigned.clone()));
        if path.is_some() && path != self.ready {
            self.ready = path.clone();
            if let Some(use_path) = path {
                self.events.push_back(Event::Authenticated { use_path });
            }
        }
    }

    /// Relay `hop` failed: report it, then fall back to the next first relay or give up.
    fn fail(&mut self, now: Instant, hop: usize, reason: Failure) {
        let relay = self.relay(hop).uri.clone();
        self.events.push_back(Event::Failed { relay, reason });
        let from = self.relay(0).uri.clone();
        self.reset_chain();
        if self.candidate < self.config.alternatives.len() {
            self.candidate += 1;
            let to = self.relay(0).uri.clone();
            self.events.push_back(Event::FallingBack { from, to });
            self.send(now, 0, false);
        } else {
            self.phase = Phase::GaveUp;
            self.events.push_back(Event::GaveUp);
        }
    }
}

/// `now + d`; on overflow about 136 years from now (a timer that never fires), or `now`.
fn later(now: Instant, d: Duration) -> Instant {
    now.checked_add(d)
        .or_else(|| now.checked_add(Duration::from_secs(u64::from(u32::MAX))))
        .unwrap_or(now)
}

fn is_named(name: &HeaderName, wanted: &str) -> bool {
    name.as_str().eq_ignore_ascii_case(wanted)
}

fn random_alphanumeric(ids: &mut IdGenerator, len: usize) -> String {
    let mut buf = vec![0u8; len];
    ids.fill_alphanumeric(&mut buf);
    buf.into_iter().map(char::from).collect()
}

#[cfg(test)]
mod tests;
