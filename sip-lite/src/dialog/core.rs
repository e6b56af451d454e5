//! The UA core: dialogs kept over a transaction layer (see the module docs).

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::header::{HeaderName, HeaderValue};
use crate::transaction::{
    Destination, Event, TransactionConfig, TransactionError, TransactionId, TransactionLayer,
    Transmit,
};
use crate::{IdGenerator, Message, Method, Request, Response, StatusCode};

use super::{Dialog, DialogError, DialogId, LocalParty};

/// The most dialogs (early or confirmed) one INVITE may create through forking.
pub const MAX_FORKS: usize = 16;

/// Configuration of a [`UserAgent`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UaConfig {
    /// The transaction layer's configuration (its T1 and T2 also pace 2xx retransmissions).
    pub transactions: TransactionConfig,
    /// This side's Via sent-by and Contact.
    pub local: LocalParty,
    /// Keep every dialog a forked INVITE creates (`true`), or only the first confirmed one,
    /// ending the others with ACK and BYE (`false`, the default; §13.2.2.4).
    pub keep_forks: bool,
    /// The most dialogs kept at once (default 10000): a new INVITE beyond it is answered 503.
    pub max_dialogs: usize,
}

impl UaConfig {
    /// A configuration for `local` with the defaults.
    pub fn new(local: LocalParty) -> UaConfig {
        UaConfig {
            transactions: TransactionConfig::default(),
            local,
            keep_forks: false,
            max_dialogs: 10_000,
        }
    }

    /// Sets the transaction configuration.
    pub fn transactions(mut self, config: TransactionConfig) -> Self {
        self.transactions = config;
        self
    }

    /// Sets [`UaConfig::keep_forks`].
    pub fn keep_forks(mut self, keep: bool) -> Self {
        self.keep_forks = keep;
        self
    }

    /// Sets the dialog limit.
    pub fn max_dialogs(mut self, n: usize) -> Self {
        self.max_dialogs = n;
        self
    }
}

/// Why a dialog ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TerminationReason {
    /// The peer sent BYE.
    ByeReceived,
    /// This side's BYE got its final response (or timed out).
    ByeSent,
    /// The ACK for this side's 2xx never came (§13.3.1.4); a BYE was sent.
    NoAck,
    /// An early dialog ended with the INVITE's non-2xx final response.
    Rejected,
    /// A forked 2xx beyond the first; it was acknowledged and ended with BYE.
    ExtraFork,
    /// A request inside the dialog got 481 or 408, or timed out (§12.2.1.2).
    PeerGone,
}

/// What happened, out of [`UserAgent::poll_event`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UaEvent {
    /// A request for the application (answer with [`UserAgent::respond`]); `dialog` is set
    /// for requests inside a dialog. BYE, CANCEL, glare and unknown-dialog requests are
    /// answered by the core and still reported.
    Request {
        /// The server transaction.
        transaction: TransactionId,
        /// The request.
        request: Request,
        /// The dialog it belongs to.
        dialog: Option<DialogId>,
    },
    /// A response to a request this side sent; `dialog` is set when one exists or was created.
    Response {
        /// The client transaction.
        transaction: TransactionId,
        /// The response.
        response: Response,
        /// The dialog.
        dialog: Option<DialogId>,
    },
    /// The INVITE server transaction was cancelled; the core answered it 487.
    Cancelled {
        /// The INVITE's server transaction.
        invite: TransactionId,
    },
    /// A dialog was confirmed (a 2xx sent or received).
    DialogConfirmed {
        /// The dialog.
        dialog: DialogId,
    },
    /// The ACK for this side's 2xx arrived.
    AckReceived {
        /// The dialog.
        dialog: DialogId,
        /// The ACK (it may carry the SDP answer).
        request: Request,
    },
    /// A dialog ended.
    DialogTerminated {
        /// The dialog.
        dialog: DialogId,
        /// Why.
        reason: TerminationReason,
    },
    /// A client transaction timed out (B or F) or a server INVITE never got its ACK (H).
    Timeout {
        /// The transaction.
        transaction: TransactionId,
    },
    /// The transport failed for a transaction.
    TransportError {
        /// The transaction.
        transaction: TransactionId,
    },
}

/// Why a call into the UA core failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UaError {
    /// No such dialog.
    #[error("no such dialog")]
    UnknownDialog,
    /// An INVITE transaction is already in progress in the dialog (§14.1: do not start a
    /// re-INVITE before the previous one completes).
    #[error("an INVITE is already in progress in this dialog")]
    RequestPending,
    /// The transaction layer refused.
    #[error(transparent)]
    Transaction(#[from] TransactionError),
    /// The dialog could not be created or could not build the request.
    #[error(transparent)]
    Dialog(#[from] DialogError),
    /// The dialog limit is reached; a 2xx that would create one more is not sent.
    #[error("too many dialogs")]
    TooManyDialogs,
    /// ACK and CANCEL are not sent with `send_in_dialog`: the core sends the ACK for a 2xx,
    /// the transaction layer the one for other finals, and [`UserAgent::cancel`] the CANCEL.
    #[error("{0} is not sent with send_in_dialog")]
    NotInDialog(Method),
}

/// Which side started the INVITE in progress in a dialog.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum InviteSide {
    Client(TransactionId),
    Server(TransactionId),
}

struct Entry {
    dialog: Dialog,
    peer: Destination,
    invite: Option<InviteSide>,
    /// This side was the UAC of the initial INVITE (it owns the Call-ID, §14.1).
    owner: bool,
    /// UAC: the ACK sent for the latest 2xx, resent for its retransmissions.
    ack: Option<(u32, Request)>,
    /// UAS: the 2xx being retransmitted until the ACK.
    unacked: Option<Unacked>,
    /// The BYE this side sent.
    bye: Option<TransactionId>,
}

struct Unacked {
    response: Response,
    cseq: u32,
    next: Option<Instant>,
    interval: Duration,
    give_up: Instant,
}

impl Unacked {
    /// When something must next happen: a retransmission or giving up.
    fn deadline(&self) -> Instant {
        self.next.map_or(self.give_up, |n| n.min(self.give_up))
    }
}

/// What a client transaction of ours was for.
enum ClientRole {
    /// An initial INVITE; the dialogs its responses created.
    Invite {
        dialogs: Vec<DialogId>,
        confirmed: usize,
    },
    /// A request inside a dialog.
    InDialog(DialogId),
}

/// A UA core over a transaction layer (see the [module docs](super)).
pub struct UserAgent {
    config: UaConfig,
    layer: TransactionLayer,
    ids: IdGenerator,
    dialogs: HashMap<DialogId, Entry>,
    clients: HashMap<TransactionId, ClientRole>,
    /// Server transactions of requests inside dialogs, and initial INVITEs.
    servers: HashMap<TransactionId, Option<DialogId>>,
    /// Deadlines of 2xx retransmissions, so a timeout looks only at the dialogs it concerns.
    ack_timers: BTreeSet<(Instant, DialogId)>,
    events: VecDeque<UaEvent>,
}

impl std::fmt::Debug for UserAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserAgent")
            .field("dialogs", &self.dialogs.len())
            .field("layer", &self.layer)
            .finish()
    }
}

fn tags(h: &crate::Headers) -> (Option<String>, Option<String>) {
    let tag = |a: Option<Result<crate::typed::NameAddr<'_>, _>>| {
        a.and_then(Result::ok)
            .and_then(|a| a.tag().map(str::to_owned))
    };
    (tag(h.from_addr()), tag(h.to_addr()))
}

/// The dialog a message names (§12): its Call-ID and both tags, this side's tag read from To
/// (`local_in_to`: requests received) or from From (responses to this side's requests).
/// Missing parts are empty, which names no dialog.
fn dialog_id(h: &crate::Headers, local_in_to: bool) -> DialogId {
    let (from_tag, to_tag) = tags(h);
    let (local, remote) = if local_in_to {
        (to_tag, from_tag)
    } else {
        (from_tag, to_tag)
    };
    DialogId {
        call_id: h
            .call_id()
            .and_then(Result::ok)
            .unwrap_or_default()
            .to_owned(),
        local_tag: local.unwrap_or_default(),
        remote_tag: remote.unwrap_or_default(),
    }
}

impl UserAgent {
    /// A UA core with its own transaction layer; identifiers come from `ids`.
    pub fn new(config: UaConfig, ids: IdGenerator) -> UserAgent {
        let layer = TransactionLayer::new(config.transactions.clone());
        let mut config = config;
        // The same floors as the transaction layer, so 2xx retransmissions move forward too.
        config.transactions = layer.config().clone();
        UserAgent {
            layer,
            config,
            ids,
            dialogs: HashMap::new(),
            clients: HashMap::new(),
            servers: HashMap::new(),
            ack_timers: BTreeSet::new(),
            events: VecDeque::new(),
        }
    }

    /// The transaction layer (for inspection).
    pub fn transactions(&self) -> &TransactionLayer {
        &self.layer
    }

    /// A dialog.
    pub fn dialog(&self, id: &DialogId) -> Option<&Dialog> {
        self.dialogs.get(id).map(|e| &e.dialog)
    }

    /// The identifiers of every dialog.
    pub fn dialog_ids(&self) -> impl Iterator<Item = &DialogId> {
        self.dialogs.keys()
    }

    /// The identifier generator (to make tags, Call-IDs and branches for new requests).
    pub fn ids(&mut self) -> &mut IdGenerator {
        &mut self.ids
    }

    /// Sends a request outside any dialog (an initial INVITE, OPTIONS, REGISTER, MESSAGE).
    /// The request needs a top Via with a fresh branch and a From tag.
    pub fn send_request(
        &mut self,
        now: Instant,
        request: Request,
        destination: Destination,
    ) -> Result<TransactionId, UaError> {
        let invite = request.method == Method::Invite;
        let tx = self.layer.send_request(now, request, destination)?;
        if invite {
            self.clients.insert(
                tx,
                ClientRole::Invite {
                    dialogs: Vec::new(),
                    confirmed: 0,
                },
            );
        }
        Ok(tx)
    }

    /// Sends a request inside a dialog (re-INVITE, UPDATE, INFO, BYE, ...), with an optional
    /// body and its Content-Type.
    pub fn send_in_dialog(
        &mut self,
        now: Instant,
        dialog: &DialogId,
        method: Method,
        body: Option<(HeaderValue, bytes::Bytes)>,
    ) -> Result<TransactionId, UaError> {
        if matches!(method, Method::Ack | Method::Cancel) {
            return Err(UaError::NotInDialog(method));
        }
        let entry = self.dialogs.get_mut(dialog).ok_or(UaError::UnknownDialog)?;
        // §14.1: no re-INVITE while an INVITE is in progress, including the initial one of
        // an early dialog.
        let early = entry.dialog.state() == super::DialogState::Early;
        if method == Method::Invite && (entry.invite.is_some() || early) {
            return Err(UaError::RequestPending);
        }
        let mut request =
            entry
                .dialog
                .request(method.clone(), &self.config.local, &mut self.ids)?;
        if let Some((ct, body)) = body {
            request.set_body(Some(ct), body);
        }
        let peer = entry.peer;
        let tx = self.layer.send_request(now, request, peer)?;
        if let Some(entry) = self.dialogs.get_mut(dialog) {
            match method {
                Method::Invite => entry.invite = Some(InviteSide::Client(tx)),
                Method::Bye => {
                    entry.bye = Some(tx);
                    entry.unacked = None;
                }
                _ => {}
            }
        }
        self.clients
            .insert(tx, ClientRole::InDialog(dialog.clone()));
        Ok(tx)
    }

    /// Sends a message outside any transaction (e.g. a response relayed statelessly).
    pub fn send_stateless(&mut self, message: Message, destination: Destination) {
        self.layer.send_stateless(message, destination);
    }

    /// Ends a dialog with BYE (§15.1.1).
    pub fn bye(&mut self, now: Instant, dialog: &DialogId) -> Result<TransactionId, UaError> {
        self.send_in_dialog(now, dialog, Method::Bye, None)
    }

    /// Cancels an initial INVITE this side sent (§9.1).
    pub fn cancel(
        &mut self,
        now: Instant,
        invite: TransactionId,
    ) -> Result<TransactionId, UaError> {
        Ok(self.layer.cancel(now, invite)?)
    }

    /// How long to wait before retrying a re-INVITE that got 491 (§14.1): 2.1-4 s in 10 ms
    /// steps if this side owns the Call-ID, 0-2 s otherwise.
    pub fn glare_delay(&mut self, dialog: &DialogId) -> Duration {
        let owner = self.dialogs.get(dialog).is_some_and(|e| e.owner);
        let mut b = [0u8; 2];
        self.ids.fill(&mut b);
        let r = u64::from(u16::from_le_bytes(b));
        if owner {
            Duration::from_millis(2100 + (r % 191) * 10)
        } else {
            Duration::from_millis((r % 201) * 10)
        }
    }

    /// Answers a request. A 1xx with a To tag or a 2xx to an initial INVITE creates a dialog;
    /// a 2xx to any INVITE is retransmitted until its ACK arrives.
    pub fn respond(
        &mut self,
        now: Instant,
        transaction: TransactionId,
        response: Response,
    ) -> Result<(), UaError> {
        let request = self
            .layer
            .request(transaction)
            .ok_or(UaError::Transaction(TransactionError::UnknownTransaction))?
            .clone();
        let code = response.status.as_u16();
        let peer_dest = self.layer.peer(transaction);
        let existing = self.servers.get(&transaction).cloned().flatten();
        // A 2xx to an initial INVITE must come with its dialog (§12.1.1, §13.3.1.4: it is
        // retransmitted until the ACK); refuse to send one that cannot have it.
        if request.method == Method::Invite && existing.is_none() && (200..300).contains(&code) {
            let dialog = Dialog::uas(&request, &response)?;
            let full = self.dialogs.len() >= self.config.max_dialogs
                && !self.dialogs.contains_key(dialog.id());
            if full {
                return Err(UaError::TooManyDialogs);
            }
        }
        self.layer.respond(now, transaction, response.clone())?;
        if (200..300).contains(&code) && request.method == Method::Update {
            if let Some(entry) = self
                .dialog_of(&request)
                .and_then(|id| self.dialogs.get_mut(&id))
            {
                entry.dialog.accept_refresh(&request);
            }
        }
        if request.method != Method::Invite {
            return Ok(());
        }
        let id = match existing {
            Some(id) => Some(id),
            // An initial INVITE: a 1xx with a To tag makes an early dialog, a 2xx a confirmed
            // one (§12.1.1).
            None if (101..300).contains(&code) => {
                match (Dialog::uas(&request, &response), peer_dest) {
                    (Ok(dialog), Some(peer)) => {
                        let id = dialog.id().clone();
                        if !self.dialogs.contains_key(&id)
                            && self.dialogs.len() < self.config.max_dialogs
                        {
                            self.dialogs.insert(
                                id.clone(),
                                Entry {
                                    dialog,
                                    peer,
                                    invite: Some(InviteSide::Server(transaction)),
                                    owner: false,
                                    ack: None,
                                    unacked: None,
                                    bye: None,
                                },
                            );
                        }
                        self.servers.insert(transaction, Some(id.clone()));
                        Some(id)
                    }
                    _ => None,
                }
            }
            None => None,
        };
        let Some(id) = id else {
            return Ok(());
        };
        let timers = self.config.transactions.timers;
        if let Some(entry) = self.dialogs.get_mut(&id) {
            if (200..300).contains(&code) {
                entry.dialog.confirm();
                entry.dialog.accept_refresh(&request);
                entry.invite = None;
                let reliable = entry.peer.transport.is_reliable();
                let cseq = request
                    .headers
                    .cseq()
                    .and_then(Result::ok)
                    .map_or(0, |c| c.seq);
                // §13.3.1.4: retransmit the 2xx (T1 doubling to T2) until the ACK, over
                // unreliable transports; give up after 64*T1 either way.
                let unacked = Unacked {
                    response,
                    cseq,
                    next: (!reliable).then(|| now + timers.t1),
                    interval: timers.t1,
                    give_up: now + timers.t1x64(),
                };
                self.ack_timers.insert((unacked.deadline(), id.clone()));
                entry.unacked = Some(unacked);
                self.events
                    .push_back(UaEvent::DialogConfirmed { dialog: id });
            } else if code >= 300 {
                entry.invite = None;
                if entry.dialog.state() == super::DialogState::Early {
                    self.dialogs.remove(&id);
                    self.events.push_back(UaEvent::DialogTerminated {
                        dialog: id,
                        reason: TerminationReason::Rejected,
                    });
                }
            }
        }
        Ok(())
    }

    /// Feeds a message received from `source`. Call the polls afterwards.
    pub fn handle_message(&mut self, now: Instant, message: Message, source: Destination) {
        self.layer.handle_message(now, message, source);
        self.process(now);
    }

    /// Reports a transport failure for a transaction.
    pub fn transport_error(&mut self, now: Instant, transaction: TransactionId) {
        self.layer.transport_error(now, transaction);
        self.process(now);
    }

    /// Fires what is due at `now`: transaction timers and 2xx retransmissions.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.layer.handle_timeout(now);
        let timers = self.config.transactions.timers;
        let mut gave_up = Vec::new();
        // Only the dialogs whose deadline has come: entries left behind by a dialog that got
        // its ACK or ended are skipped when they come up.
        while let Some((at, id)) = self.ack_timers.first().cloned() {
            if at > now {
                break;
            }
            self.ack_timers.pop_first();
            let Some(entry) = self.dialogs.get_mut(&id) else {
                continue;
            };
            let Some(u) = &mut entry.unacked else {
                continue;
            };
            if u.deadline() != at {
                continue; // a stale entry; the current one is in the set
            }
            if u.give_up <= now {
                gave_up.push(id);
                continue;
            }
            if let Some(next) = u.next.filter(|&n| n <= now) {
                self.layer
                    .send_stateless(Message::Response(u.response.clone()), entry.peer);
                u.interval = u.interval.saturating_mul(2).min(timers.t2);
                u.next = Some(next.max(now) + u.interval);
            }
            self.ack_timers.insert((u.deadline(), id));
        }
        for id in gave_up {
            // §13.3.1.4: no ACK within 64*T1: the dialog is confirmed, then ended with BYE.
            if let Some(entry) = self.dialogs.get_mut(&id) {
                entry.unacked = None;
            }
            // The BYE is built from the dialog, which then goes: one DialogTerminated only.
            let _ = self.bye(now, &id);
            self.dialogs.remove(&id);
            self.events.push_back(UaEvent::DialogTerminated {
                dialog: id,
                reason: TerminationReason::NoAck,
            });
        }
        self.process(now);
    }

    /// The next message to send. Call after every input until it returns `None`.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.layer.poll_transmit()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let retransmit = self.ack_timers.first().map(|(at, _)| *at);
        retransmit
            .into_iter()
            .chain(self.layer.poll_timeout())
            .min()
    }

    /// The next event for the application. Call after every input until it returns `None`.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<UaEvent> {
        self.events.pop_front()
    }

    /// Turns the transaction layer's events into dialog work and application events.
    fn process(&mut self, now: Instant) {
        while let Some(event) = self.layer.poll_event() {
            match event {
                Event::Request {
                    transaction,
                    request,
                    source,
                    cancels,
                } => self.on_request(now, transaction, request, source, cancels),
                Event::Ack { request, .. } => self.on_ack(request),
                Event::Response {
                    transaction,
                    response,
                } => self.on_response(now, transaction, response),
                Event::StrayResponse { response, .. } => self.on_stray(response),
                Event::Timeout { transaction } => {
                    self.in_dialog_failed(transaction);
                    self.events.push_back(UaEvent::Timeout { transaction });
                }
                Event::TransportError { transaction } => {
                    self.in_dialog_failed(transaction);
                    self.events
                        .push_back(UaEvent::TransportError { transaction });
                }
                Event::Terminated { transaction } => {
                    // §13.2.2.4: early dialogs the INVITE did not confirm end with it.
                    if let Some(ClientRole::Invite { dialogs, .. }) =
                        self.clients.remove(&transaction)
                    {
                        for id in dialogs {
                            let early = self
                                .dialogs
                                .get(&id)
                                .is_some_and(|e| e.dialog.state() == super::DialogState::Early);
                            if early {
                                self.dialogs.remove(&id);
                                self.events.push_back(UaEvent::DialogTerminated {
                                    dialog: id,
                                    reason: TerminationReason::Rejected,
                                });
                            }
                        }
                    }
                    self.servers.remove(&transaction);
                }
                _ => {}
            }
        }
    }

    /// The dialog a received request belongs to (this side's tag is in To).
    fn dialog_of(&self, request: &Request) -> Option<DialogId> {
        let id = dialog_id(&request.headers, true);
        self.dialogs.contains_key(&id).then_some(id)
    }

    fn answer(&mut self, now: Instant, transaction: TransactionId, status: StatusCode) {
        // §8.2.6.2: a response in an (early) dialog keeps its To tag.
        let known = self.servers.get(&transaction).cloned().flatten();
        let tag = known.map_or_else(|| self.ids.tag(), |d| d.local_tag);
        if let Some(req) = self.layer.request(transaction) {
            let mut resp = Response::to_request(req, status, Some(&tag));
            if status == StatusCode::SERVER_INTERNAL_ERROR {
                // §14.2: a re-INVITE overlapping another gets 500 with Retry-After 0-10 s.
                let mut b = [0u8; 1];
                self.ids.fill(&mut b);
                let secs = u32::from(b[0]) % 11;
                resp.headers.push(
                    HeaderName::RetryAfter,
                    HeaderValue::from_checked(bytes::Bytes::from(secs.to_string())),
                );
            }
            let _ = self.respond(now, transaction, resp);
        }
    }

    fn on_request(
        &mut self,
        now: Instant,
        transaction: TransactionId,
        request: Request,
        source: Destination,
        cancels: Option<TransactionId>,
    ) {
        let in_dialog = tags(&request.headers).1.is_some();
        if request.method == Method::Cancel {
            match cancels {
                Some(invite) => {
                    // §9.2: the 200 carries the To tag of the INVITE's responses, if any.
                    let dialog = self.servers.get(&invite).cloned().flatten();
                    self.servers.insert(transaction, dialog);
                    self.answer(now, transaction, StatusCode::OK);
                    // §9.2: the INVITE gets 487 unless it already has a final response.
                    let open = self
                        .layer
                        .state(invite)
                        .is_some_and(|(_, s)| s == crate::transaction::State::Proceeding);
                    if open {
                        self.answer(now, invite, StatusCode::REQUEST_TERMINATED);
                        self.events.push_back(UaEvent::Cancelled { invite });
                    }
                }
                None => self.answer(
                    now,
                    transaction,
                    StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST,
                ),
            }
            self.events.push_back(UaEvent::Request {
                transaction,
                request,
                dialog: None,
            });
            return;
        }
        if !in_dialog {
            // Outside a dialog.
            if request.method == Method::Invite && self.dialogs.len() >= self.config.max_dialogs {
                self.answer(now, transaction, StatusCode::SERVICE_UNAVAILABLE);
                return;
            }
            if request.method == Method::Invite {
                self.servers.insert(transaction, None);
            }
            self.events.push_back(UaEvent::Request {
                transaction,
                request,
                dialog: None,
            });
            return;
        }
        let id = dialog_id(&request.headers, true);
        let Some(entry) = self.dialogs.get_mut(&id) else {
            // §12.2.2: a request inside a dialog this side does not know.
            self.answer(
                now,
                transaction,
                StatusCode::CALL_OR_TRANSACTION_DOES_NOT_EXIST,
            );
            self.events.push_back(UaEvent::Request {
                transaction,
                request,
                dialog: None,
            });
            return;
        };
        if let Err(DialogError::OutOfOrder { .. }) = entry.dialog.receive_request(&request) {
            self.answer(now, transaction, StatusCode::SERVER_INTERNAL_ERROR);
            return;
        }
        // Only a request that passed the dialog's checks may move where the dialog sends.
        entry.peer = source;
        match (&request.method, entry.invite) {
            // §14.2: our re-INVITE is pending: 491; theirs is: 500 with Retry-After.
            (Method::Invite, Some(InviteSide::Client(_))) => {
                self.answer(now, transaction, StatusCode::REQUEST_PENDING);
            }
            (Method::Invite, Some(InviteSide::Server(_))) => {
                self.answer(now, transaction, StatusCode::SERVER_INTERNAL_ERROR);
            }
            (Method::Invite, None) => {
                entry.invite = Some(InviteSide::Server(transaction));
                self.servers.insert(transaction, Some(id.clone()));
            }
            (Method::Bye, pending) => {
                // §15.1.2: the dialog and its session end; BYE gets 200, and an INVITE of the
                // peer's still waiting for its final response gets 487.
                self.answer(now, transaction, StatusCode::OK);
                self.dialogs.remove(&id);
                if let Some(InviteSide::Server(invite)) = pending {
                    let open = self
                        .layer
                        .state(invite)
                        .is_some_and(|(_, s)| s == crate::transaction::State::Proceeding);
                    if open {
                        self.answer(now, invite, StatusCode::REQUEST_TERMINATED);
                    }
                }
                self.events.push_back(UaEvent::Request {
                    transaction,
                    request,
                    dialog: Some(id.clone()),
                });
                self.events.push_back(UaEvent::DialogTerminated {
                    dialog: id,
                    reason: TerminationReason::ByeReceived,
                });
                return;
            }
            _ => {}
        }
        self.events.push_back(UaEvent::Request {
            transaction,
            request,
            dialog: Some(id),
        });
    }

    fn on_ack(&mut self, request: Request) {
        let id = dialog_id(&request.headers, true);
        let seq = request.headers.cseq().and_then(Result::ok).map(|c| c.seq);
        let Some(entry) = self.dialogs.get_mut(&id) else {
            return; // §17.2.3: an ACK for nothing this side knows is dropped.
        };
        if entry.unacked.as_ref().is_some_and(|u| Some(u.cseq) == seq) {
            entry.unacked = None;
            self.events.push_back(UaEvent::AckReceived {
                dialog: id,
                request,
            });
        }
    }

    fn on_response(&mut self, now: Instant, transaction: TransactionId, response: Response) {
        let code = response.status.as_u16();
        let Some(role) = self.clients.get_mut(&transaction) else {
            self.events.push_back(UaEvent::Response {
                transaction,
                response,
                dialog: None,
            });
            return;
        };
        match role {
            ClientRole::Invite { .. } => self.on_invite_response(now, transaction, response),
            ClientRole::InDialog(id) => {
                let id = id.clone();
                let method = response
                    .headers
                    .cseq()
                    .and_then(Result::ok)
                    .map(|c| c.method);
                if let Some(entry) = self.dialogs.get_mut(&id) {
                    if method == Some(Method::Invite) && code >= 200 {
                        entry.invite = None;
                    }
                    if (200..300).contains(&code) {
                        entry.dialog.receive_success(&response);
                    }
                }
                if method == Some(Method::Invite) && (200..300).contains(&code) {
                    self.send_ack(&id, &response);
                }
                self.events.push_back(UaEvent::Response {
                    transaction,
                    response,
                    dialog: Some(id.clone()),
                });
                let ended = match method {
                    Some(Method::Bye) => code >= 200,
                    // §12.2.1.2: 481 or 408 ends the dialog.
                    _ => code == 481 || code == 408,
                };
                if ended && self.dialogs.remove(&id).is_some() {
                    let reason = if method == Some(Method::Bye) {
                        TerminationReason::ByeSent
                    } else {
                        TerminationReason::PeerGone
                    };
                    self.events
                        .push_back(UaEvent::DialogTerminated { dialog: id, reason });
                }
            }
        }
    }

    fn on_invite_response(&mut self, now: Instant, transaction: TransactionId, response: Response) {
        let code = response.status.as_u16();
        let Some(request) = self.layer.request(transaction).cloned() else {
            return;
        };
        let Some(peer) = self.layer.peer(transaction) else {
            return;
        };
        let has_tag = tags(&response.headers).1.is_some();
        let mut dialog_id = None;
        if (101..300).contains(&code) && has_tag {
            if let Ok(dialog) = Dialog::uac(&request, &response) {
                let id = dialog.id().clone();
                let known = self.dialogs.contains_key(&id);
                let forks = match self.clients.get(&transaction) {
                    Some(ClientRole::Invite { dialogs, .. }) => dialogs.len(),
                    _ => 0,
                };
                // A bound on the dialogs one INVITE may create, so that a peer sending
                // provisional responses with ever new tags cannot fill the table.
                if !known && forks < MAX_FORKS && self.dialogs.len() < self.config.max_dialogs {
                    self.dialogs.insert(
                        id.clone(),
                        Entry {
                            dialog,
                            peer,
                            invite: None,
                            owner: true,
                            ack: None,
                            unacked: None,
                            bye: None,
                        },
                    );
                    if let Some(ClientRole::Invite { dialogs, .. }) =
                        self.clients.get_mut(&transaction)
                    {
                        dialogs.push(id.clone());
                    }
                }
                if self.dialogs.contains_key(&id) {
                    dialog_id = Some(id);
                }
            }
        }
        if let (Some(id), true) = (&dialog_id, (200..300).contains(&code)) {
            let first_ack = self.dialogs.get(id).is_some_and(|e| e.ack.is_none());
            if let Some(entry) = self.dialogs.get_mut(id) {
                entry.dialog.receive_success(&response);
            }
            self.send_ack(id, &response);
            if first_ack {
                let confirmed = match self.clients.get_mut(&transaction) {
                    Some(ClientRole::Invite { confirmed, .. }) => {
                        *confirmed += 1;
                        *confirmed
                    }
                    _ => 1,
                };
                self.events
                    .push_back(UaEvent::DialogConfirmed { dialog: id.clone() });
                if confirmed > 1 && !self.config.keep_forks {
                    // §13.2.2.4: every 2xx is acknowledged; an unwanted fork is then ended.
                    let _ = self.bye(now, id);
                    self.dialogs.remove(id);
                    self.events.push_back(UaEvent::DialogTerminated {
                        dialog: id.clone(),
                        reason: TerminationReason::ExtraFork,
                    });
                }
            }
        }
        if code >= 300 {
            // Early dialogs of a rejected INVITE end with it.
            let early: Vec<DialogId> = match self.clients.get(&transaction) {
                Some(ClientRole::Invite { dialogs, .. }) => dialogs.clone(),
                _ => Vec::new(),
            };
            for id in early {
                if self
                    .dialogs
                    .get(&id)
                    .is_some_and(|e| e.dialog.state() == super::DialogState::Early)
                {
                    self.dialogs.remove(&id);
                    self.events.push_back(UaEvent::DialogTerminated {
                        dialog: id,
                        reason: TerminationReason::Rejected,
                    });
                }
            }
        }
        self.events.push_back(UaEvent::Response {
            transaction,
            response,
            dialog: dialog_id,
        });
    }

    /// The ACK for a 2xx to an INVITE (§13.2.2.4): built once per CSeq, resent for every
    /// retransmission of the 2xx.
    fn send_ack(&mut self, id: &DialogId, response: &Response) {
        let Some(seq) = response.headers.cseq().and_then(Result::ok).map(|c| c.seq) else {
            return;
        };
        let Some(entry) = self.dialogs.get_mut(id) else {
            return;
        };
        let ack = match &entry.ack {
            Some((s, ack)) if *s == seq => ack.clone(),
            _ => match entry.dialog.ack(seq, &self.config.local, &mut self.ids) {
                Ok(ack) => {
                    entry.ack = Some((seq, ack.clone()));
                    ack
                }
                Err(_) => return,
            },
        };
        let peer = entry.peer;
        self.layer.send_stateless(Message::Request(ack), peer);
    }

    /// A 2xx that arrives after its transaction ended still gets its ACK again.
    fn on_stray(&mut self, response: Response) {
        if !response.status.is_success() {
            return;
        }
        let is_invite = response
            .headers
            .cseq()
            .and_then(Result::ok)
            .is_some_and(|c| c.method == Method::Invite);
        let id = dialog_id(&response.headers, false);
        if is_invite && self.dialogs.get(&id).is_some_and(|e| e.ack.is_some()) {
            self.send_ack(&id, &response);
        }
    }

    /// §12.2.1.2: a request inside a dialog that times out ends the dialog.
    fn in_dialog_failed(&mut self, transaction: TransactionId) {
        if let Some(ClientRole::InDialog(id)) = self.clients.get(&transaction) {
            let id = id.clone();
            let was_bye = self
                .dialogs
                .get(&id)
                .is_some_and(|e| e.bye == Some(transaction));
            if self.dialogs.remove(&id).is_some() {
                self.events.push_back(UaEvent::DialogTerminated {
                    dialog: id,
                    reason: if was_bye {
                        TerminationReason::ByeSent
                    } else {
                        TerminationReason::PeerGone
                    },
                });
            }
        }
    }
}
