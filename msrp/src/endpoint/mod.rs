//! The MSRP endpoint engine (RFC 4975 §5.3, §5.4, §7): sessions multiplexed over
//! connections, sans-IO.
//!
//! An [`Endpoint`] holds the MSRP sessions of one application and the transport connections
//! they use. It knows nothing of sockets or clocks: the caller reports connections it opened
//! or accepted, feeds their bytes and the time in, and writes out what the engine hands back.
//!
//! ```text
//!   bytes in, now ──► handle_input(now, conn, bytes) ─┐
//!   timers        ──► handle_timeout(now) ────────────┤
//!   app commands  ──► add_session, bind, send_message,│
//!                     provide, finish, abort, reject, ▼
//!                     release                      Endpoint ──► poll_transmit() -> Transmit { connection, data }
//!                                                     │     ──► poll_timeout()  -> next wake-up
//!                                                     └───────► poll_event()    -> Event
//! ```
//!
//! # Sessions and connections
//!
//! A session has a local path (its From-Path; the last URI is the one peers address) and a
//! remote path (its To-Path). The active side (the SDP offerer) opens a connection,
//! [`open_connection`](Endpoint::open_connection), and [`bind`](Endpoint::bind)s the
//! session to it, which sends a bodiless SEND at once (RFC 4975 §5.4). The passive side adds
//! the session and an accepted connection; the first SEND whose To-Path is the session's URI
//! binds it ([`Event::SessionBound`]). A request whose To-Path is not exactly one URI of a
//! session gets 481; one for a session bound to another connection gets 506 (§5.4, §7.3).
//! Many sessions may share a connection. A connection with no session bound within
//! [`EndpointConfig::bind_timeout`] (30 s) fails, as one whose framing is lost or whose peer
//! stops reading our answers does ([`Event::ConnectionFailed`], [`ConnectionError`]).
//!
//! # Sending: content pulled piece by piece
//!
//! [`send_message`](Endpoint::send_message) returns a Message-ID; the engine then asks for
//! content with [`Event::ContentWanted`] (offset and length) and the application answers
//! with [`provide`](Endpoint::provide) (any number of `Bytes`), and
//! [`finish`](Endpoint::finish) when the size was not declared. At most
//! [`SessionConfig::send_buffer`] bytes per message and
//! [`EndpointConfig::write_queue_limit`] per connection are pulled ahead of the wire: a
//! caller that stops draining `poll_transmit` stops the requests (backpressure), so a large
//! file never sits in memory. Chunks over 2048 octets are interruptible; a chunk is
//! interrupted (`+`) whenever a response or REPORT is waiting, and when the session used its
//! [`fair_share`](EndpointConfig::fair_share) while another session has data, so sessions
//! take turns (§7.1.1). With `Failure-Report: yes` every chunk's response is awaited 30 s
//! from its last byte; a missing one fails the message with a local 408 ([`MessageError::Timeout`]).
//! A 413 (response or REPORT) stops the message, ending an open chunk with `#`; a 415 is
//! remembered and further messages of that type are refused locally for the session
//! (§10.5, §10.6); [`abort`](Endpoint::abort) ends a message with `#`.
//!
//! # Receiving
//!
//! Received content comes out as [`Event::Data`] slices with their offset as they arrive
//! (positional sink, any chunk order, or in-order sink), then [`Event::MessageReceived`] when
//! every byte and the last chunk are in. Responses follow the Failure-Report rules (`yes`:
//! always, `partial`: errors only, `no`: never; REPORTs are never answered): 200, 400 for a
//! malformed request, 403 when the session does not receive, 413 for a message over a limit or
//! [`reject`](Endpoint::reject)ed by the application (sent at once, even mid-chunk), 415 for
//! a type outside [`SessionConfig::accept_types`], 481, 501 for unknown methods, 506.
//! Success REPORTs go out on completion or per chunk ([`SuccessReports`]); a message the
//! application rejects between chunks gets a failure REPORT (§7.1.3, §7.1.4). Bytes handed
//! out count against [`SessionConfig::receive_window`] until
//! [`release`](Endpoint::release)d: a reader that stops makes only its own message fail
//! (413), never the connection.
//!
//! # Example
//!
//! Alice (active) and Bob (passive) over an in-memory "connection":
//!
//! ```
//! use std::time::Instant;
//! use bytes::Bytes;
//! use msrp::endpoint::{Endpoint, EndpointConfig, Event, SessionConfig};
//! use msrp::{IdGenerator, Path, Text};
//!
//! let now = Instant::now();
//! let alice_path: Path = "msrp://alice.example.com:7777/iau39soe2843z;tcp".parse()?;
//! let bob_path: Path = "msrp://bob.example.com:8888/9di4eae923wzd;tcp".parse()?;
//! let mut alice = Endpoint::new(EndpointConfig::default(), IdGenerator::default());
//! let mut bob = Endpoint::new(EndpointConfig::default(), IdGenerator::default());
//! let a_session = alice.add_session(alice_path.clone(), bob_path.clone(), SessionConfig::default())?;
//! let b_session = bob.add_session(bob_path, alice_path, SessionConfig::default())?;
//! let a_conn = alice.open_connection(now)?; // we connected to Bob ...
//! let b_conn = bob.open_connection(now)?; // ... and Bob accepted
//! alice.bind(now, a_session, a_conn)?;
//! let content = Bytes::from_static(b"Hi, I'm Alice!");
//! let id = alice.send_message(now, a_session, Text::new("text/plain")?, Some(14))?;
//!
//! let mut received = Vec::new();
//! let mut sent = false;
//! for _ in 0..10 {
//!     while let Some(event) = alice.poll_event() {
//!         match event {
//!             Event::ContentWanted { session, message_id, offset, len, .. } => {
//!                 let start = offset as usize;
//!                 let piece = content.slice(start..(start + len).min(content.len()));
//!                 alice.provide(now, session, message_id, piece)?;
//!             }
//!             Event::MessageSent { message_id, .. } => sent = message_id == id,
//!             _ => {}
//!         }
//!     }
//!     while let Some(t) = alice.poll_transmit() {
//!         bob.handle_input(now, b_conn, &t.data)?;
//!     }
//!     while let Some(t) = bob.poll_transmit() {
//!         alice.handle_input(now, a_conn, &t.data)?;
//!     }
//!     while let Some(event) = bob.poll_event() {
//!         if let Event::Data { session, data, .. } = event {
//!             received.extend_from_slice(&data);
//!             bob.release(session, data.len());
//!         }
//!     }
//! }
//! assert_eq!(received, b"Hi, I'm Alice!");
//! assert!(sent);
//! assert_eq!(bob.session_connection(b_session), Some(b_conn));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![allow(clippy::too_many_arguments)]

mod commands;
mod config;
mod connection;
mod deliver;
mod event;
mod feedback;
mod foreign;
mod lifecycle;
mod receive;
mod session;
mod transmit;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

pub use config::{EndpointConfig, RESPONSE_TIMEOUT, ReportOptions, SessionConfig, SuccessReports};
pub use event::{
    ConnectionError, ConnectionId, Event, MessageError, SessionError, SessionId, Transmit,
    UserError,
};

use connection::{Connection, Pending};
use session::Session;
#[cfg(feature = "relay")]
pub(crate) use session::{answers, response};

use crate::ident::{IdGenerator, TransactionId};
use crate::uri::{MsrpUri, Path};

/// What a timer entry is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Timer {
    /// The response timeout of a transaction.
    Response(ConnectionId, TransactionId),
    /// A session's keep-alive.
    Keepalive(SessionId),
    /// A new connection must have a session bound by now.
    Bind(ConnectionId),
}

/// The MSRP endpoint engine. See the [module documentation](self).
///
/// Call [`handle_input`](Self::handle_input) with every read, [`handle_timeout`](Self::handle_timeout)
/// when [`poll_timeout`](Self::poll_timeout)'s instant is reached, and after either (and
/// after every command) drain [`poll_transmit`](Self::poll_transmit) while the connection can
/// take bytes and [`poll_event`](Self::poll_event) until it returns `None`.
#[derive(Debug)]
pub struct Endpoint {
    config: EndpointConfig,
    ids: IdGenerator,
    sessions: HashMap<SessionId, Session>,
    by_uri: HashMap<MsrpUri, SessionId>,
    connections: BTreeMap<ConnectionId, Connection>,
    next_handle: u64,
    events: VecDeque<Event>,
    timers: BTreeMap<(Instant, u64), Timer>,
    /// The latest time passed in; transmits are stamped with it.
    now: Option<Instant>,
    /// The connection `poll_transmit` serves next.
    next_connection: u64,
    /// New incoming messages are refused with 413 (the application is behind).
    refusing_new: bool,
}

impl Endpoint {
    /// An endpoint with no sessions or connections, drawing transaction ids and Message-IDs
    /// from `ids`.
    pub fn new(config: EndpointConfig, ids: IdGenerator) -> Self {
        Self {
            config,
            ids,
            sessions: HashMap::new(),
            by_uri: HashMap::new(),
            connections: BTreeMap::new(),
            next_handle: 0,
            events: VecDeque::new(),
            timers: BTreeMap::new(),
            now: None,
            next_connection: 0,
            refusing_new: false,
        }
    }

    /// While `refuse` is set, the first chunk of every new incoming message is answered
    /// with 413 before anything of it is delivered (chunks of messages already started go
    /// on): for a driver whose application is behind in answering messages, so none is
    /// taken (and acknowledged) that nobody will read.
    pub fn set_refusing_new_messages(&mut self, refuse: bool) {
        self.refusing_new = refuse;
    }

    /// The configuration.
    pub fn config(&self) -> &EndpointConfig {
        &self.config
    }

    fn handle(&mut self) -> u64 {
        self.next_handle += 1;
        self.next_handle
    }

    fn tick(&mut self, now: Instant) {
        self.now = Some(self.now.map_or(now, |n| n.max(now)));
    }

    /// Adds a session: our path (From-Path of our requests; its last URI is the one the
    /// peer's requests must carry as To-Path) and the peer's path (To-Path of our requests),
    /// as negotiated in SDP. It is unbound until [`bind`](Self::bind) or a received SEND.
    pub fn add_session(
        &mut self,
        local_path: Path,
        remote_path: Path,
        config: SessionConfig,
    ) -> Result<SessionId, UserError> {
        if self.sessions.len() >= self.config.max_sessions {
            return Err(UserError::TooManySessions {
                limit: self.config.max_sessions,
            });
        }
        let uri = local_path.last().clone();
        if self.by_uri.contains_key(&uri) {
            return Err(UserError::DuplicateUri);
        }
        let id = SessionId(self.handle());
        self.by_uri.insert(uri, id);
        self.sessions
            .insert(id, Session::new(local_path, remote_path, config));
        Ok(id)
    }

    /// Removes a session: its outgoing messages stop (an open chunk ends with `#`), its
    /// incoming ones are forgotten, and later requests for it get 481.
    pub fn remove_session(&mut self, now: Instant, session: SessionId) -> Result<(), UserError> {
        self.tick(now);
        let s = self
            .sessions
            .get_mut(&session)
            .ok_or(UserError::UnknownSession)?;
        for m in &mut s.outgoing {
            m.stop.get_or_insert(None);
        }
        self.flush_stopped(session);
        self.enforce_control_limit();
        if let Some(s) = self.sessions.remove(&session) {
            self.by_uri.remove(s.local_uri());
            if let Some(c) = s.connection.and_then(|c| self.connections.get_mut(&c)) {
                c.sessions.retain(|x| *x != session);
                c.sending.retain(|x| *x != session);
            }
        }
        Ok(())
    }

    /// Reports a new transport connection (opened by us or accepted).
    pub fn open_connection(&mut self, now: Instant) -> Result<ConnectionId, UserError> {
        self.tick(now);
        if self.connections.len() >= self.config.max_connections {
            return Err(UserError::TooManyConnections {
                limit: self.config.max_connections,
            });
        }
        let id = ConnectionId(self.handle());
        self.connections
            .insert(id, Connection::new(&self.config.decoder));
        if let Some(after) = self.config.bind_timeout {
            self.add_timer(now + after, Timer::Bind(id));
        }
        Ok(id)
    }

    /// Active side: binds `session` to `connection` and sends a bodiless SEND at once
    /// (RFC 4975 §5.4), so the passive side learns the binding.
    pub fn bind(
        &mut self,
        now: Instant,
        session: SessionId,
        connection: ConnectionId,
    ) -> Result<(), UserError> {
        self.tick(now);
        if !self.connections.contains_key(&connection) {
            return Err(UserError::UnknownConnection);
        }
        let s = self
            .sessions
            .get_mut(&session)
            .ok_or(UserError::UnknownSession)?;
        if s.connection.is_some() {
            return Err(UserError::AlreadyBound);
        }
        self.attach(session, connection);
        self.send_bodiless(now, session);
        self.enforce_control_limit();
        Ok(())
    }

    fn attach(&mut self, session: SessionId, connection: ConnectionId) {
        if let Some(s) = self.sessions.get_mut(&session) {
            s.connection = Some(connection);
        }
        if let Some(c) = self.connections.get_mut(&connection) {
            c.sessions.push_back(session);
        }
        self.mark_sending(session);
    }

    /// Notes that `session`'s connection may ask for content again.
    fn needs_refill(&mut self, session: SessionId) {
        if let Some(c) = self
            .sessions
            .get(&session)
            .and_then(|s| s.connection)
            .and_then(|c| self.connections.get_mut(&c))
        {
            c.refill_needed = true;
        }
    }

    /// Lists `session` in its connection's round-robin queue if it has messages to send.
    fn mark_sending(&mut self, session: SessionId) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        if s.in_sending || s.outgoing.is_empty() {
            return;
        }
        if let Some(c) = s.connection.and_then(|c| self.connections.get_mut(&c)) {
            c.sending.push_back(session);
            c.refill_needed = true;
            s.in_sending = true;
        }
    }

    /// The transport connection closed (or the caller closed it): its sessions fail
    /// (RFC 4975 §5.4) and the handle is forgotten.
    pub fn close_connection(
        &mut self,
        now: Instant,
        connection: ConnectionId,
    ) -> Result<(), UserError> {
        self.tick(now);
        let c = self
            .connections
            .remove(&connection)
            .ok_or(UserError::UnknownConnection)?;
        for (_, p) in c.pending {
            if let Some(key) = p.timer() {
                self.timers.remove(&key);
            }
        }
        for session in c.sessions {
            self.fail_session(session, SessionError::ConnectionEnded);
        }
        Ok(())
    }

    /// The connection a session is bound to.
    pub fn session_connection(&self, session: SessionId) -> Option<ConnectionId> {
        self.sessions.get(&session)?.connection
    }

    /// Number of sessions.
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// Content pulled from the application for `connection` and not yet handed out by
    /// `poll_transmit` (bounded by [`EndpointConfig::write_queue_limit`]).
    pub fn queued_content(&self, connection: ConnectionId) -> u64 {
        self.connections
            .get(&connection)
            .map_or(0, |c| self.connection_queued(c))
    }

    fn connection_queued(&self, c: &Connection) -> u64 {
        c.sending
            .iter()
            .filter_map(|s| self.sessions.get(s))
            .flat_map(|s| s.outgoing.iter())
            .map(|m| m.queued() + (m.asked - m.provided))
            .sum()
    }

    /// The next event, if any. Call after every other call until it returns `None`.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next, if ever. Ask again
    /// after every other call: commands and input arm new timers.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.keys().next().map(|(at, _)| *at)
    }

    /// Fires the timers due at `now`: response timeouts (a local 408) and keep-alives. Call
    /// it once the instant of [`poll_timeout`](Self::poll_timeout) is reached (calling it
    /// earlier does nothing), then drain `poll_transmit` and `poll_event`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.tick(now);
        while let Some((&key, &timer)) = self.timers.iter().next() {
            if key.0 > now {
                break;
            }
            self.timers.remove(&key);
            match timer {
                Timer::Response(conn, tid) => self.response_timeout(conn, tid),
                Timer::Keepalive(session) => self.keepalive(now, session),
                Timer::Bind(conn) => {
                    let unbound = self
                        .connections
                        .get(&conn)
                        .is_some_and(|c| !c.failed && !c.foreign_use && c.sessions.is_empty());
                    if unbound {
                        self.connection_failed(conn, ConnectionError::Unbound);
                    }
                }
            }
        }
        self.enforce_control_limit();
    }

    fn response_timeout(&mut self, conn: ConnectionId, tid: TransactionId) {
        let Some(p) = self
            .connections
            .get_mut(&conn)
            .and_then(|c| c.pending.remove(&tid))
        else {
            return;
        };
        match p {
            Pending::Chunk {
                session, message, ..
            } => {
                self.fail_outgoing(session, message, MessageError::Timeout);
                self.chunk_answered(session, message);
            }
            Pending::Bodiless { session, .. } => {
                self.fail_session(session, SessionError::Timeout);
            }
        }
    }

    fn keepalive(&mut self, now: Instant, session: SessionId) {
        let Some(s) = self.sessions.get(&session) else {
            return;
        };
        let (Some(every), Some(last)) = (s.config.keepalive, s.last_sent) else {
            return;
        };
        if s.failed || s.connection.is_none() {
            return;
        }
        if now >= last + every {
            self.send_bodiless(now, session);
        } else {
            self.add_timer(last + every, Timer::Keepalive(session));
        }
    }

    fn add_timer(&mut self, at: Instant, timer: Timer) -> (Instant, u64) {
        let key = (at, self.handle());
        self.timers.insert(key, timer);
        key
    }

    /// Queues a bodiless SEND for `session` on its connection and awaits its response.
    fn send_bodiless(&mut self, now: Instant, session: SessionId) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        let Some(conn) = s.connection else {
            return;
        };
        let (tid, bytes) = s.bodiless_send(&mut self.ids);
        s.last_sent = Some(now);
        let keepalive = s.config.keepalive;
        let timer = self.add_timer(
            now + self.config.response_timeout,
            Timer::Response(conn, tid),
        );
        if let Some(c) = self.connections.get_mut(&conn) {
            c.push_control(bytes);
            c.pending.insert(
                tid,
                Pending::Bodiless {
                    session,
                    timer: Some(timer),
                },
            );
        }
        if let Some(every) = keepalive {
            self.add_timer(now + every, Timer::Keepalive(session));
        }
    }
}
