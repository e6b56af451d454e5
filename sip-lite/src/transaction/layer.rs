//! The transaction layer: every transaction of an element, its timers and its queues.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::{Message, Method, Request, Response, StatusCode};

use super::key::{
    ClientKey, ServerKey, client_key_for_request, client_key_for_response, server_key,
};
use super::{
    Destination, Event, Kind, State, TransactionConfig, TransactionError, TransactionId, Transmit,
    Transport, ack_for, cancel_for,
};

/// The timers of RFC 3261 §17 (and the 100 Trying delay).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Timer {
    /// Client INVITE request retransmission.
    A,
    /// Client INVITE timeout.
    B,
    /// Client INVITE: wait for response retransmissions in Completed.
    D,
    /// Client non-INVITE request retransmission.
    E,
    /// Client non-INVITE timeout.
    F,
    /// Server INVITE final response retransmission.
    G,
    /// Server INVITE: wait for ACK.
    H,
    /// Server INVITE: wait for ACK retransmissions in Confirmed.
    I,
    /// Server non-INVITE: wait for request retransmissions in Completed.
    J,
    /// Client non-INVITE: wait for response retransmissions in Completed.
    K,
    /// Server INVITE: Accepted (RFC 6026).
    L,
    /// Client INVITE: Accepted (RFC 6026).
    M,
    /// Server INVITE: send 100 Trying if the TU has not answered.
    Trying,
    /// Client INVITE: a CANCEL went out; no final response within 64*T1 ends it (§9.1).
    CancelWait,
}

struct Transaction {
    kind: Kind,
    state: State,
    /// The request that created it.
    request: Request,
    /// Where requests (client) or responses (server) go.
    peer: Destination,
    /// Server: the last response sent. Client INVITE: the ACK sent for a non-2xx.
    last: Option<Message>,
    /// The current retransmission interval of timer A, E or G.
    interval: Duration,
    /// Deadlines of the running timers.
    timers: Vec<(Instant, Timer)>,
    client_key: Option<ClientKey>,
    server_key: Option<ServerKey>,
    /// Server: the To tag of the request (RFC 2543 matching) and of the response sent.
    request_to_tag: Option<String>,
    response_to_tag: Option<String>,
    /// Client INVITE: a CANCEL waiting for a provisional response (§9.1).
    pending_cancel: Option<TransactionId>,
    /// Client non-INVITE: a CANCEL created but not sent yet.
    held: bool,
}

/// Every transaction of an element (see the [module docs](super)).
///
/// ```
/// use std::time::{Duration, Instant};
/// use sip_lite::transaction::{Destination, Event, TransactionLayer, Transport};
/// use sip_lite::{Message, StatusCode};
///
/// let mut layer = TransactionLayer::default();
/// let now = Instant::now();
/// let bob = Destination::new("127.0.0.1:5060".parse().unwrap(), Transport::Udp);
/// let options = Message::parse(
///     "OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa1\r\n\
///      To: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=1\r\nCall-ID: c1\r\n\
///      CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
/// ).unwrap();
/// let request = options.as_request().unwrap().clone();
/// let tx = layer.send_request(now, request.clone(), bob).unwrap();
/// assert_eq!(layer.poll_transmit().unwrap().message, options); // sent at once
///
/// // Over UDP, timer E retransmits after T1.
/// assert_eq!(layer.poll_timeout(), Some(now + Duration::from_millis(500)));
/// layer.handle_timeout(now + Duration::from_millis(500));
/// assert!(layer.poll_transmit().is_some());
///
/// // The 200 completes it.
/// let ok = sip_lite::Response::to_request(&request, StatusCode::OK, Some("b1"));
/// layer.handle_message(now + Duration::from_millis(600), Message::Response(ok), bob);
/// assert!(matches!(layer.poll_event(), Some(Event::Response { transaction, .. }) if transaction == tx));
/// ```
pub struct TransactionLayer {
    config: TransactionConfig,
    next_id: u64,
    transactions: HashMap<TransactionId, Transaction>,
    clients: HashMap<ClientKey, TransactionId>,
    servers: HashMap<ServerKey, TransactionId>,
    timers: BTreeSet<(Instant, TransactionId, Timer)>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
}

impl Default for TransactionLayer {
    fn default() -> Self {
        Self::new(TransactionConfig::default())
    }
}

impl std::fmt::Debug for TransactionLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionLayer")
            .field("transactions", &self.transactions.len())
            .field("queued_transmits", &self.transmits.len())
            .field("queued_events", &self.events.len())
            .finish()
    }
}

impl TransactionLayer {
    /// A layer with no transactions. T1 and T2 are kept between one millisecond and one day
    /// (so retransmission timers always move forward and deadlines never overflow), T4 and
    /// the 100 Trying delay at most one day.
    pub fn new(mut config: TransactionConfig) -> Self {
        let floor = Duration::from_millis(1);
        // A day is far beyond any sane value and keeps every deadline representable.
        let ceiling = Duration::from_secs(86_400);
        config.timers.t1 = config.timers.t1.clamp(floor, ceiling);
        config.timers.t2 = config.timers.t2.clamp(floor, ceiling);
        config.timers.t4 = config.timers.t4.min(ceiling);
        config.timers.trying = config.timers.trying.map(|d| d.min(ceiling));
        TransactionLayer {
            config,
            next_id: 0,
            transactions: HashMap::new(),
            clients: HashMap::new(),
            servers: HashMap::new(),
            timers: BTreeSet::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &TransactionConfig {
        &self.config
    }

    /// How many transactions exist.
    pub fn len(&self) -> usize {
        self.transactions.len()
    }

    /// Whether no transaction exists.
    pub fn is_empty(&self) -> bool {
        self.transactions.is_empty()
    }

    /// A transaction's kind and state, or `None` once it has terminated.
    pub fn state(&self, id: TransactionId) -> Option<(Kind, State)> {
        self.transactions.get(&id).map(|t| (t.kind, t.state))
    }

    /// Where a transaction sends: the request's destination (client) or source (server).
    pub fn peer(&self, id: TransactionId) -> Option<Destination> {
        self.transactions.get(&id).map(|t| t.peer)
    }

    /// The request that created a transaction.
    pub fn request(&self, id: TransactionId) -> Option<&Request> {
        self.transactions.get(&id).map(|t| &t.request)
    }

    /// Starts a client transaction and sends `request` (it must carry a top Via with an RFC
    /// 3261 branch and a CSeq naming its method). Call [`poll_transmit`](Self::poll_transmit)
    /// afterwards.
    pub fn send_request(
        &mut self,
        now: Instant,
        request: Request,
        destination: Destination,
    ) -> Result<TransactionId, TransactionError> {
        let id = self.create_client(request, destination)?;
        self.start_client(now, id);
        Ok(id)
    }

    fn create_client(
        &mut self,
        mut request: Request,
        mut destination: Destination,
    ) -> Result<TransactionId, TransactionError> {
        if request.method == Method::Ack {
            return Err(TransactionError::AckNotTransactional);
        }
        // §18.1.1: a request too large for UDP goes over TCP, decided here so that the
        // transaction's timers, its ACK and its CANCEL follow the transport it really uses.
        if let (Transport::Udp, Some(limit)) =
            (destination.transport, self.config.udp_request_limit)
        {
            if Message::Request(request.clone()).to_bytes().len() > limit {
                destination.transport = Transport::Tcp;
                super::switch_via_transport(&mut request, "TCP");
            }
        }
        let key = client_key_for_request(&request)?;
        if self.clients.contains_key(&key) {
            return Err(TransactionError::DuplicateBranch);
        }
        if self.transactions.len() >= self.config.max_transactions {
            return Err(TransactionError::TooManyTransactions);
        }
        let id = self.new_id();
        let kind = if request.method == Method::Invite {
            Kind::ClientInvite
        } else {
            Kind::ClientNonInvite
        };
        self.clients.insert(key.clone(), id);
        self.transactions.insert(
            id,
            Transaction {
                kind,
                state: if kind == Kind::ClientInvite {
                    State::Calling
                } else {
                    State::Trying
                },
                request,
                peer: destination,
                last: None,
                interval: self.config.timers.t1,
                timers: Vec::new(),
                client_key: Some(key),
                server_key: None,
                request_to_tag: None,
                response_to_tag: None,
                pending_cancel: None,
                held: true,
            },
        );
        Ok(id)
    }

    /// Sends a created client transaction's request and starts its timers (§17.1.1.2,
    /// §17.1.2.2).
    fn start_client(&mut self, now: Instant, id: TransactionId) {
        let timers = self.config.timers;
        let Some(t) = self.transactions.get_mut(&id) else {
            return;
        };
        t.held = false;
        let reliable = t.peer.transport.is_reliable();
        let (retransmit, timeout) = match t.kind {
            Kind::ClientInvite => (Timer::A, Timer::B),
            _ => (Timer::E, Timer::F),
        };
        self.transmits.push_back(Transmit {
            destination: t.peer,
            message: Message::Request(t.request.clone()),
        });
        if !reliable {
            self.set_timer(id, now + timers.t1, retransmit);
        }
        self.set_timer(id, now + timers.t1x64(), timeout);
    }

    /// Sends a message outside any transaction: the ACK for a 2xx (§13.2.2.4), a 2xx
    /// retransmitted by the UA core (§13.3.1.4), or a stateless response.
    pub fn send_stateless(&mut self, message: Message, destination: Destination) {
        self.transmits.push_back(Transmit {
            destination,
            message,
        });
    }

    /// Cancels a client INVITE transaction (§9.1): creates the CANCEL's own client transaction
    /// and returns its handle. The CANCEL goes out at once if a provisional response has
    /// arrived, otherwise as soon as one does; if a final response comes first it is never
    /// sent and its transaction terminates.
    pub fn cancel(
        &mut self,
        now: Instant,
        invite: TransactionId,
    ) -> Result<TransactionId, TransactionError> {
        let t = self
            .transactions
            .get(&invite)
            .ok_or(TransactionError::UnknownTransaction)?;
        if t.kind != Kind::ClientInvite {
            return Err(TransactionError::WrongKind(t.kind));
        }
        let state = t.state;
        if !matches!(state, State::Calling | State::Proceeding) {
            return Err(TransactionError::WrongState(state));
        }
        if let Some(existing) = t
            .pending_cancel
            .filter(|c| self.transactions.contains_key(c))
        {
            return Ok(existing);
        }
        let cancel = cancel_for(&t.request);
        let peer = t.peer;
        let id = self.create_client(cancel, peer)?;
        if let Some(t) = self.transactions.get_mut(&invite) {
            t.pending_cancel = Some(id);
        }
        if state == State::Proceeding {
            self.start_client(now, id);
            self.arm_cancel_wait(now, invite);
        }
        Ok(id)
    }

    /// Sends a response in a server transaction (§17.2.1, §17.2.2). The response should be
    /// built with [`Response::to_request`] from the transaction's request.
    pub fn respond(
        &mut self,
        now: Instant,
        id: TransactionId,
        response: Response,
    ) -> Result<(), TransactionError> {
        let timers = self.config.timers;
        let t = self
            .transactions
            .get_mut(&id)
            .ok_or(TransactionError::UnknownTransaction)?;
        let code = response.status.as_u16();
        let reliable = t.peer.transport.is_reliable();
        match (t.kind, t.state) {
            (Kind::ServerInvite, State::Proceeding) => {}
            // RFC 6026 §7.1: the TU retransmits its 2xx through the Accepted transaction.
            (Kind::ServerInvite, State::Accepted) if (200..300).contains(&code) => {}
            (Kind::ServerNonInvite, State::Trying | State::Proceeding) => {}
            (Kind::ServerInvite | Kind::ServerNonInvite, state) => {
                return Err(TransactionError::WrongState(state));
            }
            (kind, _) => return Err(TransactionError::WrongKind(kind)),
        }
        if !belongs_to(&response, &t.request) {
            return Err(TransactionError::ResponseMismatch);
        }
        if let Some(tag) = response
            .headers
            .to_addr()
            .and_then(Result::ok)
            .and_then(|a| a.tag())
        {
            t.response_to_tag = Some(tag.to_owned());
        }
        let message = Message::Response(response);
        t.last = Some(message.clone());
        self.transmits.push_back(Transmit {
            destination: t.peer,
            message,
        });
        let kind = t.kind;
        self.clear_timer(id, Timer::Trying);
        match (kind, code) {
            (_, 100..=199) => self.set_state(id, State::Proceeding),
            (Kind::ServerInvite, 200..=299) => {
                if self.state_of(id) != Some(State::Accepted) {
                    self.set_state(id, State::Accepted);
                    self.set_timer(id, now + timers.t1x64(), Timer::L);
                }
            }
            (Kind::ServerInvite, _) => {
                self.set_state(id, State::Completed);
                if !reliable {
                    if let Some(t) = self.transactions.get_mut(&id) {
                        t.interval = timers.t1;
                    }
                    self.set_timer(id, now + timers.t1, Timer::G);
                }
                self.set_timer(id, now + timers.t1x64(), Timer::H);
            }
            (_, _) => {
                self.set_state(id, State::Completed);
                let wait = if reliable {
                    Duration::ZERO
                } else {
                    timers.t1x64()
                };
                self.set_timer(id, now + wait, Timer::J);
            }
        }
        self.expire_zero_timers(now);
        Ok(())
    }

    /// Reports that the transport failed to send for a transaction (§17.1.4, §17.2.4): the
    /// transaction terminates with [`Event::TransportError`].
    pub fn transport_error(&mut self, _now: Instant, id: TransactionId) {
        if let Some(t) = self.transactions.get(&id) {
            let held_cancel = t.pending_cancel;
            self.events
                .push_back(Event::TransportError { transaction: id });
            self.drop_held_cancel(held_cancel);
            self.terminate(id);
        }
    }

    /// Feeds a message received from `source`. Call the polls afterwards.
    pub fn handle_message(&mut self, now: Instant, message: Message, source: Destination) {
        match message {
            Message::Request(req) => self.handle_request(now, req, source),
            Message::Response(resp) => self.handle_response(now, resp, source),
        }
    }

    fn handle_request(&mut self, now: Instant, req: Request, source: Destination) {
        let (key, to_tag) = match server_key(&req) {
            Ok(k) => k,
            Err(error) => {
                // With a usable Via the peer can be told (§8.2, RFC 4475 §3.1.2.17): 400,
                // without state. An ACK is never answered.
                if error != TransactionError::MissingVia && req.method != Method::Ack {
                    let tag = stateless_tag(&req);
                    let bad = Response::to_request(&req, StatusCode::BAD_REQUEST, Some(&tag));
                    self.send_stateless(Message::Response(bad), source);
                }
                self.events.push_back(Event::Dropped { source, error });
                return;
            }
        };
        let found = self.servers.get(&key).copied().filter(|id| {
            // RFC 2543 matching also compares To tags (§17.2.3).
            let Some(t) = self.transactions.get(id) else {
                return false;
            };
            match key {
                ServerKey::Branch { .. } => true,
                ServerKey::Legacy { .. } if req.method == Method::Ack => {
                    to_tag.is_some() && to_tag == t.response_to_tag
                }
                ServerKey::Legacy { .. } => to_tag == t.request_to_tag,
            }
        });
        match (found, req.method == Method::Ack) {
            (Some(id), true) => self.server_ack(now, id, req, source),
            (Some(id), false) => self.server_retransmission(id),
            (None, true) => self.events.push_back(Event::Ack {
                request: req,
                source,
                transaction: None,
            }),
            (None, false) => self.new_server(now, key, to_tag, req, source),
        }
    }

    fn server_ack(&mut self, now: Instant, id: TransactionId, req: Request, source: Destination) {
        let timers = self.config.timers;
        let Some(t) = self.transactions.get(&id) else {
            return;
        };
        match t.state {
            State::Completed => {
                let reliable = t.peer.transport.is_reliable();
                self.set_state(id, State::Confirmed);
                self.clear_timer(id, Timer::G);
                self.clear_timer(id, Timer::H);
                let wait = if reliable { Duration::ZERO } else { timers.t4 };
                self.set_timer(id, now + wait, Timer::I);
                self.expire_zero_timers(now);
            }
            // RFC 6026 §7.1: an ACK in Accepted goes to the TU (it acknowledges the 2xx).
            State::Accepted => self.events.push_back(Event::Ack {
                request: req,
                source,
                transaction: Some(id),
            }),
            _ => {}
        }
    }

    /// A retransmitted request: resend the last response where the RFC says so.
    fn server_retransmission(&mut self, id: TransactionId) {
        let Some(t) = self.transactions.get(&id) else {
            return;
        };
        let resend = match (t.kind, t.state) {
            (Kind::ServerInvite, State::Proceeding | State::Completed) => true,
            (Kind::ServerNonInvite, State::Proceeding | State::Completed) => true,
            // Trying absorbs; Accepted absorbs INVITE retransmissions (RFC 6026 §7.1), the
            // TU retransmits the 2xx on its own schedule; Confirmed absorbs.
            _ => false,
        };
        if let (true, Some(last)) = (resend, &t.last) {
            self.transmits.push_back(Transmit {
                destination: t.peer,
                message: last.clone(),
            });
        }
    }

    fn new_server(
        &mut self,
        now: Instant,
        key: ServerKey,
        to_tag: Option<String>,
        req: Request,
        source: Destination,
    ) {
        if self.transactions.len() >= self.config.max_transactions {
            // §21.5.4: overloaded; answered without keeping state.
            let tag = stateless_tag(&req);
            let busy = Response::to_request(&req, StatusCode::SERVICE_UNAVAILABLE, Some(&tag));
            self.send_stateless(Message::Response(busy), source);
            self.events.push_back(Event::Dropped {
                source,
                error: TransactionError::TooManyTransactions,
            });
            return;
        }
        // §9.2: a CANCEL matches the INVITE server transaction it cancels by the same key
        // with method INVITE.
        let cancels = if req.method == Method::Cancel {
            let invite_key = match &key {
                ServerKey::Branch {
                    branch, sent_by, ..
                } => ServerKey::Branch {
                    branch: branch.clone(),
                    sent_by: sent_by.clone(),
                    method: Method::Invite,
                },
                ServerKey::Legacy {
                    request_uri,
                    from_tag,
                    call_id,
                    cseq,
                    via,
                    ..
                } => ServerKey::Legacy {
                    request_uri: request_uri.clone(),
                    from_tag: from_tag.clone(),
                    call_id: call_id.clone(),
                    cseq: *cseq,
                    via: via.clone(),
                    method: Method::Invite,
                },
            };
            self.servers.get(&invite_key).copied()
        } else {
            None
        };
        let id = self.new_id();
        let kind = if req.method == Method::Invite {
            Kind::ServerInvite
        } else {
            Kind::ServerNonInvite
        };
        self.servers.insert(key.clone(), id);
        self.transactions.insert(
            id,
            Transaction {
                kind,
                state: if kind == Kind::ServerInvite {
                    State::Proceeding
                } else {
                    State::Trying
                },
                request: req.clone(),
                peer: source,
                last: None,
                interval: self.config.timers.t1,
                timers: Vec::new(),
                client_key: None,
                server_key: Some(key),
                request_to_tag: to_tag,
                response_to_tag: None,
                pending_cancel: None,
                held: false,
            },
        );
        if kind == Kind::ServerInvite {
            if let Some(delay) = self.config.timers.trying {
                self.set_timer(id, now + delay, Timer::Trying);
            }
        }
        self.events.push_back(Event::Request {
            transaction: id,
            request: req,
            source,
            cancels,
        });
        self.expire_zero_timers(now);
    }

    fn handle_response(&mut self, now: Instant, resp: Response, source: Destination) {
        let timers = self.config.timers;
        let id = match client_key_for_response(&resp) {
            Ok(key) => self.clients.get(&key).copied(),
            Err(error) => {
                self.events.push_back(Event::Dropped { source, error });
                return;
            }
        };
        let Some(id) = id.filter(|id| self.transactions.get(id).is_some_and(|t| !t.held)) else {
            self.events.push_back(Event::StrayResponse {
                response: resp,
                source,
            });
            return;
        };
        let Some(t) = self.transactions.get(&id) else {
            return;
        };
        let code = resp.status.as_u16();
        let reliable = t.peer.transport.is_reliable();
        let (kind, state, peer, pending_cancel) = (t.kind, t.state, t.peer, t.pending_cancel);
        // §17.1.1.3: the ACK for a non-2xx final response, built from the INVITE.
        let ack = (kind == Kind::ClientInvite && code >= 300 && state != State::Completed)
            .then(|| ack_for(&t.request, &resp));
        let last = t.last.clone();
        match (kind, state) {
            (Kind::ClientInvite, State::Calling | State::Proceeding) => {
                self.clear_timer(id, Timer::A);
                self.clear_timer(id, Timer::B);
                if code >= 200 {
                    self.clear_timer(id, Timer::CancelWait);
                }
                match code {
                    100..=199 => {
                        self.set_state(id, State::Proceeding);
                        if let Some(cancel) = pending_cancel {
                            if self.transactions.get(&cancel).is_some_and(|c| c.held) {
                                self.start_client(now, cancel);
                                self.arm_cancel_wait(now, id);
                            }
                        }
                    }
                    200..=299 => {
                        self.drop_held_cancel(pending_cancel);
                        self.set_state(id, State::Accepted);
                        self.set_timer(id, now + timers.t1x64(), Timer::M);
                    }
                    _ => {
                        self.drop_held_cancel(pending_cancel);
                        let Some(ack) = ack else {
                            return;
                        };
                        let ack = Message::Request(ack);
                        self.transmits.push_back(Transmit {
                            destination: peer,
                            message: ack.clone(),
                        });
                        if let Some(t) = self.transactions.get_mut(&id) {
                            t.last = Some(ack);
                        }
                        self.set_state(id, State::Completed);
                        let wait = if reliable {
                            Duration::ZERO
                        } else {
                            Duration::from_secs(32).max(timers.t1x64())
                        };
                        self.set_timer(id, now + wait, Timer::D);
                    }
                }
                self.events.push_back(Event::Response {
                    transaction: id,
                    response: resp,
                });
            }
            // RFC 6026 §8.4: every further 2xx goes to the TU (forked answers).
            (Kind::ClientInvite, State::Accepted) if (200..300).contains(&code) => {
                self.events.push_back(Event::Response {
                    transaction: id,
                    response: resp,
                });
            }
            // §17.1.1.2: a retransmitted final response gets the ACK again.
            (Kind::ClientInvite, State::Completed) if code >= 300 => {
                if let Some(ack) = last {
                    self.transmits.push_back(Transmit {
                        destination: peer,
                        message: ack,
                    });
                }
            }
            (Kind::ClientNonInvite, State::Trying | State::Proceeding) => {
                if code < 200 {
                    if state == State::Trying {
                        self.set_state(id, State::Proceeding);
                    }
                } else {
                    self.clear_timer(id, Timer::E);
                    self.clear_timer(id, Timer::F);
                    self.set_state(id, State::Completed);
                    let wait = if reliable { Duration::ZERO } else { timers.t4 };
                    self.set_timer(id, now + wait, Timer::K);
                }
                self.events.push_back(Event::Response {
                    transaction: id,
                    response: resp,
                });
            }
            // Retransmissions and late provisionals are absorbed.
            _ => {}
        }
        self.expire_zero_timers(now);
    }

    /// §9.1: once the CANCEL is sent, an INVITE without a final response within 64*T1 is
    /// given up.
    fn arm_cancel_wait(&mut self, now: Instant, invite: TransactionId) {
        let wait = self.config.timers.t1x64();
        self.set_timer(invite, now + wait, Timer::CancelWait);
    }

    /// A CANCEL that never went out because the INVITE got a final response first.
    fn drop_held_cancel(&mut self, cancel: Option<TransactionId>) {
        if let Some(c) = cancel {
            if self.transactions.get(&c).is_some_and(|t| t.held) {
                self.terminate(c);
            }
        }
    }

    /// Fires every timer due at `now`. Call it when the deadline of
    /// [`poll_timeout`](Self::poll_timeout) has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(&(at, id, timer)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.pop_first();
            if let Some(t) = self.transactions.get_mut(&id) {
                t.timers.retain(|&(a, k)| !(a == at && k == timer));
            }
            self.fire(now, id, timer);
        }
    }

    fn fire(&mut self, now: Instant, id: TransactionId, timer: Timer) {
        let timers = self.config.timers;
        let Some(t) = self.transactions.get_mut(&id) else {
            return;
        };
        match timer {
            Timer::A | Timer::E | Timer::G => {
                let resend = match timer {
                    Timer::A => t.state == State::Calling,
                    Timer::E => matches!(t.state, State::Trying | State::Proceeding),
                    _ => t.state == State::Completed,
                };
                if !resend {
                    return;
                }
                let message = match timer {
                    Timer::G => t.last.clone(),
                    _ => Some(Message::Request(t.request.clone())),
                };
                // §17.1.1.2: A doubles without bound; §17.1.2.2: E doubles up to T2 and stays
                // at T2 in Proceeding; §17.2.1: G doubles up to T2.
                t.interval = match (timer, t.state) {
                    (Timer::A, _) => t.interval.saturating_mul(2),
                    (Timer::E, State::Proceeding) => timers.t2,
                    _ => t.interval.saturating_mul(2).min(timers.t2),
                };
                let next = now + t.interval;
                let peer = t.peer;
                if let Some(message) = message {
                    self.transmits.push_back(Transmit {
                        destination: peer,
                        message,
                    });
                }
                self.set_timer(id, next, timer);
            }
            Timer::B | Timer::F | Timer::H => {
                let live = match timer {
                    Timer::B => t.state == State::Calling,
                    Timer::F => matches!(t.state, State::Trying | State::Proceeding),
                    _ => t.state == State::Completed,
                };
                if live {
                    self.events.push_back(Event::Timeout { transaction: id });
                    if let Some(cancel) = t.pending_cancel {
                        self.drop_held_cancel(Some(cancel));
                    }
                    self.terminate(id);
                }
            }
            Timer::CancelWait => {
                if t.state == State::Proceeding {
                    self.events.push_back(Event::Timeout { transaction: id });
                    self.terminate(id);
                }
            }
            Timer::Trying => {
                if t.state == State::Proceeding && t.last.is_none() {
                    let trying = Response::to_request(&t.request, StatusCode::TRYING, None);
                    let message = Message::Response(trying);
                    t.last = Some(message.clone());
                    let peer = t.peer;
                    self.transmits.push_back(Transmit {
                        destination: peer,
                        message,
                    });
                }
            }
            Timer::D | Timer::I | Timer::J | Timer::K | Timer::L | Timer::M => self.terminate(id),
        }
    }

    /// Fires timers that were set to expire at `now` (the zero waits of reliable transports).
    fn expire_zero_timers(&mut self, now: Instant) {
        if self.timers.first().is_some_and(|&(at, _, _)| at <= now) {
            self.handle_timeout(now);
        }
    }

    /// The next message to send, if any. Call after every input until it returns `None`.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called, if any timer runs.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.first().map(|&(at, _, _)| at)
    }

    /// The next event for the transaction user, if any. Call after every input until it
    /// returns `None`.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    fn new_id(&mut self) -> TransactionId {
        self.next_id += 1;
        TransactionId(self.next_id)
    }

    fn state_of(&self, id: TransactionId) -> Option<State> {
        self.transactions.get(&id).map(|t| t.state)
    }

    fn set_state(&mut self, id: TransactionId, state: State) {
        if let Some(t) = self.transactions.get_mut(&id) {
            t.state = state;
        }
    }

    fn set_timer(&mut self, id: TransactionId, at: Instant, timer: Timer) {
        self.clear_timer(id, timer);
        if let Some(t) = self.transactions.get_mut(&id) {
            t.timers.push((at, timer));
            self.timers.insert((at, id, timer));
        }
    }

    fn clear_timer(&mut self, id: TransactionId, timer: Timer) {
        if let Some(t) = self.transactions.get_mut(&id) {
            let timers = &mut self.timers;
            t.timers.retain(|&(at, k)| {
                if k == timer {
                    timers.remove(&(at, id, k));
                    false
                } else {
                    true
                }
            });
        }
    }

    fn terminate(&mut self, id: TransactionId) {
        let Some(t) = self.transactions.remove(&id) else {
            return;
        };
        for (at, k) in t.timers {
            self.timers.remove(&(at, id, k));
        }
        if let Some(k) = t.client_key {
            self.clients.remove(&k);
        }
        if let Some(k) = t.server_key {
            if self.servers.get(&k) == Some(&id) {
                self.servers.remove(&k);
            }
        }
        self.events.push_back(Event::Terminated { transaction: id });
    }
}

/// Whether a response answers `request`: the same top Via (as written) and CSeq (§8.2.6.2
/// copies both), which is what lets the peer match it to its transaction.
fn belongs_to(response: &Response, request: &Request) -> bool {
    use crate::header::HeaderName;
    let top = |h: &crate::Headers| {
        h.get(&HeaderName::Via)
            .and_then(|v| v.list_items().next().map(|s| s.trim().to_owned()))
    };
    let cseq = |h: &crate::Headers| h.cseq().and_then(Result::ok);
    top(&response.headers) == top(&request.headers)
        && cseq(&response.headers) == cseq(&request.headers)
}

/// The To tag of a response sent without state: the same for every retransmission of the
/// request (RFC 3261 §8.2.6.2, §16.11), derived from its top Via, Call-ID and From.
fn stateless_tag(request: &Request) -> String {
    use crate::header::HeaderName;
    // FNV-1a: stable across runs and platforms; uniqueness, not secrecy, is what matters.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for name in [HeaderName::Via, HeaderName::CallId, HeaderName::From] {
        for b in request
            .headers
            .get(&name)
            .map(|v| v.as_str())
            .unwrap_or_default()
            .bytes()
        {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        hash = (hash ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    }
    format!("sl{hash:016x}")
}
