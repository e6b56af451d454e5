//! The sans-IO MSRP relay engine (RFC 4976 §6).
//!
//! A [`Relay`] forwards MSRP requests between connections. It knows nothing of sockets or
//! clocks: the driver reports connections it accepted or opened, feeds their bytes and the
//! time in, and writes out what the engine hands back per connection.
//!
//! ```text
//!   bytes in, now ──► handle_input(now, conn, bytes) ─┐
//!   timers        ──► handle_timeout(now) ────────────┤
//!   driver        ──► open_connection, connected,     ▼
//!                     connect_failed, close_connection Relay ──► poll_transmit_on(conn) -> Transmit
//!                                                       │    ──► poll_timeout()  -> next wake-up
//!                                                       └──────► poll_event()    -> Connect, Close, ...
//! ```
//!
//! # AUTH and client URIs
//!
//! With [`Relay::with_authentication`] (a [`DigestServer`](crate::relay::digest::DigestServer)
//! and a [`CredentialStore`](crate::relay::digest::CredentialStore)), an AUTH addressed to
//! the relay's own URI (no session part; the port may be left out, §8) is answered 401 with
//! a digest challenge, then 200 with `Use-Path` (the inner relays it came through, then a
//! new URI of this relay: `msrps://host:port/<96 random bits>;tcp`), `Expires` and
//! `Authentication-Info` (§5.1, §9.1). An `Expires` outside [`RelayConfig::min_expires`]
//! ..=[`RelayConfig::max_expires`] gets 423 with `Min-Expires` or `Max-Expires`; AUTH over a
//! connection that is not TLS, or by a user the store does not know, gets 403; wrong
//! credentials get a new challenge, and [`RelayConfig::max_failed_requests`] of them close
//! a directly connected client's connection (§6.3). A client URI is valid only on the
//! connection it was handed out on and until it expires (§6.3); [`Relay::grant`] hands one
//! out without AUTH (a relay authenticated by mutual TLS, provisioning).
//!
//! # Addressing and forwarding
//!
//! Every request's first To-Path URI must name this relay ([`RelayConfig::host`] and
//! [`RelayConfig::port`]); otherwise the connection is dropped at once (§6.2). A URI with a
//! session part must be a client URI the relay handed out (§6.4) and not expired; others
//! are refused (403 for the relay's bare URI outside AUTH, 481 for an unknown or expired
//! client URI) and count against the connection's probation (§6.1). The relay's URI moves
//! from the front of To-Path to the front of From-Path and the request goes out under a new
//! transaction id (§6.4):
//!
//! - to the client's own connection when it came from elsewhere (towards the client);
//! - from the client's connection, to the next To-Path URI: another client URI of this
//!   relay (its connection), or an outward connection to that URI's host and port, reusing
//!   one that is open or being opened ([`Event::Connect`]).
//!
//! # SEND: hop-by-hop answers and cut-through
//!
//! A chunk is answered at its end-line (200 with `Failure-Report: yes`; errors only with
//! `partial`; nothing with `no`), not when the next hop answers (§6.4.1). Bodies are never
//! buffered whole: each message's bytes go out as they come, re-chunked (new transaction
//! ids, correct Byte-Range, `+`/`$`/`#` kept, Message-IDs never merged), with at most
//! [`RelayConfig::message_buffer`] bytes held per message. When a message's buffer is full,
//! reading of its input connection pauses ([`readable`](Relay::readable) is false): its
//! sender slows down. A pause lasts at most [`RelayConfig::stall_timeout`]; then that
//! message alone fails (its open forwarded chunk ends with `#`, its sender gets 413 for the
//! chunk and a failure REPORT) and the connection's other messages go on. Messages sharing
//! an outgoing connection take turns of [`RelayConfig::fair_share`] bytes, interrupting
//! their chunks (RFC 4975 §7.1.1). A forwarded chunk whose bytes run out stays open for the
//! ones still coming while nothing else waits for its connection (a message that streams
//! through goes out as one chunk); an answer, a REPORT or another message waiting (one with
//! 2048 octets queued, or all of it) ends it with `+`, and the rest follows in a new chunk.
//! Chunks of a message may come in any order (RFC 4975 §7.1): one that does not start where
//! the previous ended pauses its connection until the bytes before it are written, however
//! few, in a chunk closed with `+`; then it goes on from its own start in a new chunk (and
//! its `$` may come before the last byte: the receiver judges the whole).
//!
//! A forwarded chunk sent with `Failure-Report: yes` must be answered within 30 s of its
//! last byte; otherwise, and when the next hop's connection drops, the sender gets a REPORT
//! with 408 (§6.4.1). An error response from the next hop becomes a REPORT with that
//! status (`yes` and `partial`). Responses to forwarded SEND chunks are not forwarded;
//! responses to other forwarded requests go back the way the request came (§6.4.3).
//! REPORTs and unknown methods are forwarded like other non-SEND requests (§6.4.2).
//!
//! # Connections and limits
//!
//! An accepted connection must carry a successful request within
//! [`RelayConfig::probation`] (30 s) and is closed after
//! [`RelayConfig::max_failed_requests`] unsuccessful ones without a success (§6.1).
//! Connections nothing depends on close after [`RelayConfig::idle_timeout`], and at
//! [`RelayConfig::max_connections`] the least recently used of them makes room (§6.5).
//! Client URIs, messages in flight (in all and per connection), queued answers per
//! connection and held input are bounded by the configuration; [`Relay::stats`] counts
//! what went through.
//!
//! # Example
//!
//! A relay handing out two client URIs and forwarding a SEND from one client to the other:
//!
//! ```
//! use std::time::{Duration, Instant};
//! use msrp::relay::engine::{Relay, RelayConfig};
//! use msrp::{IdGenerator, Message, Head, Path};
//!
//! let now = Instant::now();
//! let mut relay = Relay::new(RelayConfig::new("relay.example.com", 2855), IdGenerator::default());
//! let alice = relay.open_connection(now, true)?;
//! let bob = relay.open_connection(now, true)?;
//! let ua = relay.grant(now, alice, Duration::from_secs(600))?;
//! let ub = relay.grant(now, bob, Duration::from_secs(600))?;
//! let send = format!(
//!     "MSRP t1x9 SEND\r\nTo-Path: {ua} {ub} msrp://bob.example.com:8888/b1;tcp\r\n\
//!      From-Path: msrp://alice.example.com:7777/a1;tcp\r\nMessage-ID: m1x9\r\n\
//!      Byte-Range: 1-2/2\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------t1x9$\r\n"
//! );
//! relay.handle_input(now, alice, send.as_bytes())?;
//! let mut wire = Vec::new();
//! while let Some(t) = relay.poll_transmit_on(bob) {
//!     wire.extend_from_slice(&t.data);
//! }
//! let (msg, _) = Message::decode(&wire)?.expect("a whole request");
//! let Head::Request(forwarded) = msg.head else { panic!("a request") };
//! assert_eq!(forwarded.to_path.to_string(), "msrp://bob.example.com:8888/b1;tcp");
//! assert_eq!(forwarded.from_path, format!("{ub} {ua} msrp://alice.example.com:7777/a1;tcp").parse::<Path>()?);
//! assert_eq!(msg.body.as_deref(), Some(&b"hi"[..]));
//! // Alice got the hop-by-hop 200.
//! let ok = relay.poll_transmit_on(alice).expect("a response");
//! assert!(ok.data.starts_with(b"MSRP t1x9 200"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![allow(clippy::too_many_arguments)]

mod auth;
mod config;
mod event;
mod failure;
mod input;
mod output;
mod response;
mod route;
mod state;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

pub use config::RelayConfig;
pub use event::{ConnectionError, Event, ForwardFailure, RelayStats, UserError};

pub use crate::endpoint::{ConnectionId, Transmit};

use state::{Authority, Client, Conn, Forward, ForwardId, Outstanding, Phase, Timer, TimerKey};

use crate::ident::{IdGenerator, MessageId, TransactionId};
use crate::uri::MsrpUri;

/// Random bytes in the session part of a client URI: 96 bits, over the 64 RFC 4976 §6.3
/// asks for.
const CLIENT_ID_LEN: usize = 16;

/// Longest delay a timer is set for: durations from the configuration or the caller are
/// clamped to it, so adding them to an instant never overflows.
const MAX_DELAY: Duration = Duration::from_secs(100 * 365 * 86_400);

/// `now + d`, with `d` clamped to [`MAX_DELAY`] (and `now` itself if even that overflows).
fn later(now: Instant, d: Duration) -> Instant {
    now.checked_add(d.min(MAX_DELAY)).unwrap_or(now)
}

/// The MSRP relay engine. See the [module documentation](self).
///
/// Call [`handle_input`](Self::handle_input) with every read (only while
/// [`readable`](Self::readable)), [`handle_timeout`](Self::handle_timeout) when
/// [`poll_timeout`](Self::poll_timeout)'s instant is reached, and after any call drain
/// [`poll_event`](Self::poll_event) and, for every connection that can take bytes,
/// [`poll_transmit_on`](Self::poll_transmit_on).
#[derive(Debug)]
pub struct Relay {
    config: RelayConfig,
    ids: IdGenerator,
    connections: BTreeMap<ConnectionId, Conn>,
    /// Connections by the authority they reach (outgoing targets and learned aliases).
    by_authority: HashMap<Authority, ConnectionId>,
    /// Client URIs handed out, by their session part.
    clients: HashMap<String, Client>,
    forwards: HashMap<ForwardId, Forward>,
    /// Forwarded messages by input connection and Message-ID.
    by_message: HashMap<(ConnectionId, MessageId), ForwardId>,
    /// Forwarded transactions awaiting a response, by outgoing connection and id.
    outstanding: HashMap<(ConnectionId, TransactionId), Outstanding>,
    events: VecDeque<Event>,
    timers: BTreeMap<TimerKey, Timer>,
    next_handle: u64,
    /// The latest time passed in.
    now: Option<Instant>,
    /// The connection `poll_transmit` serves next.
    next_connection: u64,
    auth: Option<auth::Authenticator>,
    stats: RelayStats,
}

impl Relay {
    /// A relay with no connections, drawing transaction ids and client URIs from `ids`.
    pub fn new(config: RelayConfig, ids: IdGenerator) -> Self {
        Self {
            config,
            ids,
            connections: BTreeMap::new(),
            by_authority: HashMap::new(),
            clients: HashMap::new(),
            forwards: HashMap::new(),
            by_message: HashMap::new(),
            outstanding: HashMap::new(),
            events: VecDeque::new(),
            timers: BTreeMap::new(),
            next_handle: 0,
            now: None,
            next_connection: 0,
            auth: None,
            stats: RelayStats::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &RelayConfig {
        &self.config
    }

    fn handle(&mut self) -> u64 {
        self.next_handle += 1;
        self.next_handle
    }

    fn tick(&mut self, now: Instant) -> Instant {
        let now = self.now.map_or(now, |n| n.max(now));
        self.now = Some(now);
        now
    }

    fn add_timer(&mut self, at: Instant, timer: Timer) -> TimerKey {
        let key = (at, self.handle());
        self.timers.insert(key, timer);
        key
    }

    /// Reports an accepted transport connection; `tls` says whether it runs TLS (AUTH is
    /// only accepted over TLS, RFC 4976 §9.1). It must carry a successful request within
    /// [`RelayConfig::probation`] (§6.1).
    pub fn open_connection(&mut self, now: Instant, tls: bool) -> Result<ConnectionId, UserError> {
        let now = self.tick(now);
        if !self.make_room(now) {
            return Err(UserError::TooManyConnections {
                limit: self.config.max_connections,
            });
        }
        let id = ConnectionId(self.handle());
        let mut c = Conn::new(&self.config.decoder, Phase::Open, true, tls, now);
        c.probation = Some(self.add_timer(later(now, self.config.probation), Timer::Probation(id)));
        self.connections.insert(id, c);
        self.arm_idle(now, id);
        Ok(id)
    }

    /// Whether a connection may be added: below the limit, or after closing the least
    /// recently used connection nothing depends on (RFC 4976 §6.5).
    pub(super) fn make_room(&mut self, now: Instant) -> bool {
        if self.connections.len() < self.config.max_connections {
            return true;
        }
        let victim = self
            .connections
            .iter()
            .filter(|(_, c)| c.is_unused())
            .min_by_key(|(id, c)| (c.last_activity, **id))
            .map(|(id, _)| *id);
        match victim {
            Some(id) => {
                self.drop_connection(now, id, Some(ConnectionError::Unused));
                true
            }
            None => false,
        }
    }

    /// Arms the idle check of `conn`, if idle connections are closed.
    pub(super) fn arm_idle(&mut self, now: Instant, conn: ConnectionId) {
        if let Some(idle) = self.config.idle_timeout {
            self.add_timer(later(now, idle), Timer::Idle(conn));
        }
    }

    /// Closes `conn` if it stayed unused for the idle timeout; checks again later if not.
    fn idle_check(&mut self, now: Instant, conn: ConnectionId) {
        let Some(idle) = self.config.idle_timeout else {
            return;
        };
        let Some(c) = self.connections.get(&conn) else {
            return;
        };
        let due = later(c.last_activity, idle);
        if due <= now && c.is_unused() {
            self.drop_connection(now, conn, Some(ConnectionError::Unused));
        } else {
            self.add_timer(due.max(later(now, idle / 4)), Timer::Idle(conn));
        }
    }

    /// The connection asked for by [`Event::Connect`] is open (`tls` as asked).
    pub fn connected(&mut self, now: Instant, connection: ConnectionId) -> Result<(), UserError> {
        let now = self.tick(now);
        let c = self
            .connections
            .get_mut(&connection)
            .ok_or(UserError::UnknownConnection)?;
        if c.phase != Phase::Connecting {
            return Err(UserError::NotConnecting);
        }
        c.phase = Phase::Open;
        // Anything the peer sent before the driver reported the connection open.
        self.decode_loop(now, connection);
        Ok(())
    }

    /// The connection asked for by [`Event::Connect`] could not be opened: what waited for
    /// it fails (its senders get 408 REPORTs).
    pub fn connect_failed(
        &mut self,
        now: Instant,
        connection: ConnectionId,
    ) -> Result<(), UserError> {
        let now = self.tick(now);
        let c = self
            .connections
            .get(&connection)
            .ok_or(UserError::UnknownConnection)?;
        if c.phase != Phase::Connecting {
            return Err(UserError::NotConnecting);
        }
        self.drop_connection(now, connection, None);
        Ok(())
    }

    /// The transport connection closed (or the driver closed it): its client URIs are
    /// forgotten (RFC 4976 §6.3), messages forwarded to it fail (408 REPORTs to their
    /// senders), messages coming from it are aborted downstream (`#`).
    pub fn close_connection(
        &mut self,
        now: Instant,
        connection: ConnectionId,
    ) -> Result<(), UserError> {
        let now = self.tick(now);
        if !self.connections.contains_key(&connection) {
            return Err(UserError::UnknownConnection);
        }
        self.drop_connection(now, connection, None);
        Ok(())
    }

    /// Hands out a client URI valid on `connection` for `lifetime`, for a peer
    /// authenticated by other means than AUTH (for example a relay authenticated by mutual
    /// TLS, RFC 4976 §6.3, or provisioning): `msrps://host:port/<96 random bits>;tcp`.
    pub fn grant(
        &mut self,
        now: Instant,
        connection: ConnectionId,
        lifetime: Duration,
    ) -> Result<MsrpUri, UserError> {
        let now = self.tick(now);
        if !self.connections.contains_key(&connection) {
            return Err(UserError::UnknownConnection);
        }
        let per_conn = self
            .connections
            .get(&connection)
            .map_or(0, |c| c.clients.len());
        if self.clients.len() >= self.config.max_clients
            || per_conn >= self.config.max_clients_per_connection
        {
            return Err(UserError::TooManyClients {
                limit: self
                    .config
                    .max_clients
                    .min(self.config.max_clients_per_connection),
            });
        }
        let mut found = None;
        for _ in 0..8 {
            let mut raw = [0u8; CLIENT_ID_LEN];
            self.ids.fill_alphanumeric(&mut raw);
            let sid = String::from_utf8_lossy(&raw).into_owned();
            if !self.clients.contains_key(&sid) {
                found = Some(sid);
                break;
            }
        }
        let sid = found.ok_or(UserError::IdCollision)?;
        let text = format!(
            "msrps://{}:{}/{};tcp",
            self.config.host, self.config.port, sid
        );
        let uri = MsrpUri::parse(&text).map_err(|_| UserError::InvalidHost)?;
        let expires_at = later(now, lifetime);
        let timer = self.add_timer(expires_at, Timer::ClientExpiry(sid.clone()));
        self.clients.insert(
            sid.clone(),
            Client {
                connection,
                expires_at,
                timer,
            },
        );
        if let Some(c) = self.connections.get_mut(&connection) {
            c.clients.insert(sid);
            // A peer that was granted a URI has passed probation.
            c.successful = true;
        }
        Ok(uri)
    }

    /// Whether `connection`'s input is read now. False while a forwarded message's buffer
    /// is full (see the [module documentation](self)): the driver must stop reading it
    /// until this turns true again, which happens in [`poll_transmit_on`](Self::poll_transmit_on)
    /// of another connection or in [`handle_timeout`](Self::handle_timeout).
    pub fn readable(&self, connection: ConnectionId) -> bool {
        self.connections
            .get(&connection)
            .is_some_and(|c| c.paused.is_none() && c.phase == Phase::Open)
    }

    /// Counters since the relay started.
    pub fn stats(&self) -> RelayStats {
        self.stats
    }

    /// Number of open or opening connections.
    pub fn connection_count(&self) -> usize {
        self.connections.len()
    }

    /// Number of client URIs handed out and not expired.
    pub fn client_count(&self) -> usize {
        self.clients.len()
    }

    /// Number of SEND messages being forwarded.
    pub fn forward_count(&self) -> usize {
        self.forwards.len()
    }

    /// Bytes held for `connection`: forwarded body bytes waiting to be written to it and
    /// its queue of responses, REPORTs and whole requests.
    pub fn queued(&self, connection: ConnectionId) -> usize {
        let Some(c) = self.connections.get(&connection) else {
            return 0;
        };
        let body: usize = c
            .sending
            .iter()
            .filter_map(|f| self.forwards.get(f))
            .map(|f| f.sender.queued())
            .sum();
        body + c.control_bytes + c.urgent.iter().map(|b| b.len()).sum::<usize>()
    }

    /// The next event, if any. Call after every other call until it returns `None`.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, if ever. Ask
    /// again after every other call.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.keys().next().map(|(at, _)| *at)
    }

    /// Fires the timers due at `now`: response timeouts (408 REPORTs and responses),
    /// probation, stalled and idle messages, client URI expiry. Then drain the polls.
    pub fn handle_timeout(&mut self, now: Instant) {
        let now = self.tick(now);
        while let Some((&key, _)) = self.timers.iter().next() {
            if key.0 > now {
                break;
            }
            let Some(timer) = self.timers.remove(&key) else {
                break;
            };
            match timer {
                Timer::Response(conn, tid) => self.response_timeout(now, conn, tid),
                Timer::Probation(conn) => {
                    let failed = self.connections.get(&conn).is_some_and(|c| !c.successful);
                    if failed {
                        self.drop_connection(now, conn, Some(ConnectionError::Probation));
                    }
                }
                Timer::Stall(conn, fwd) => self.stall_timeout(now, conn, fwd),
                Timer::MessageIdle(fwd) => self.message_idle_check(now, fwd),
                Timer::Idle(conn) => self.idle_check(now, conn),
                Timer::ClientExpiry(sid) => {
                    let expired = self.clients.get(&sid).is_some_and(|c| c.expires_at <= now);
                    if expired {
                        self.forget_client(&sid);
                    }
                }
            }
        }
        self.enforce_control_limit(now);
    }

    /// Forgets a client URI (expired, or its connection closed).
    fn forget_client(&mut self, sid: &str) {
        if let Some(client) = self.clients.remove(sid) {
            self.timers.remove(&client.timer);
            if let Some(c) = self.connections.get_mut(&client.connection) {
                c.clients.remove(sid);
            }
        }
    }
}
