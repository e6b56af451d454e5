//! The CSI engine: calls, registration, capability queries, availability and shares.

use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

use sip_lite::e164::{E164, normalize_number};

use crate::call::{Call, CallDirection, CallError, CallId, CallInfo, NoPeerNumber};
use crate::config::{Config, ConfigError, RejectStatuses};
use crate::event::{
    Availability, Capability, CapabilityResult, EndReason, Event, UnavailableReason,
};
use crate::share::{
    IncomingShare, RejectReason, Share, ShareDirection, ShareError, ShareId, ShareInfo,
    ShareVerdict,
};

/// What the engine keeps about one peer (one E.164 number).
#[derive(Clone, Debug)]
struct Peer {
    /// The peer's capabilities; known only while its call is the active call (rcsjta resets a
    /// peer's content-sharing capabilities when the call stops counting, and advertises the
    /// Image Share tags only while a call is connected, so older answers are stale).
    capability: Capability,
    /// When the next query is wanted, if one is.
    query_due: Option<Instant>,
    /// Whether a query is outstanding, and when it times out (`None`: the timeout is beyond
    /// what `Instant` can hold).
    outstanding: Option<Option<Instant>>,
    /// When the last query was sent.
    last_query: Option<Instant>,
    /// The availability last reported in an event.
    reported: Availability,
}

impl Peer {
    fn new() -> Self {
        Self {
            capability: Capability::Unknown,
            query_due: None,
            outstanding: None,
            last_query: None,
            reported: Availability::Unavailable(UnavailableReason::NoCall),
        }
    }

    /// Asks for a query now, unless one is already wanted (which keeps, say, the settling
    /// delay after a call connects).
    fn want_query(&mut self, now: Instant) {
        if self.query_due.is_none() {
            self.query_due = Some(now);
        }
    }

    /// When the wanted query may be sent: not before it is due, nor within the minimum
    /// interval of the last one. `None` if no query is wanted or one is outstanding.
    fn query_time(&self, config: &Config) -> Option<Instant> {
        if self.outstanding.is_some() {
            return None;
        }
        let due = self.query_due?;
        match self.last_query {
            None => Some(due),
            Some(last) => Some(due.max(last.checked_add(config.min_query_interval)?)),
        }
    }
}

/// The sans-IO CSI state machine: feed it call events, registration and bearer changes,
/// capability results and share requests with the current time; drain its decisions with
/// [`poll_event`](Self::poll_event) and wake it at [`poll_timeout`](Self::poll_timeout).
///
/// See the [crate documentation](crate) for the state diagram and a quick start.
///
/// Every input method applies its input, then everything that is due at `now` (timed-out
/// queries, queries whose time has come), so events can be waiting after any call: drain
/// [`poll_event`](Self::poll_event) and re-read [`poll_timeout`](Self::poll_timeout) after
/// each one. Events accumulate until drained.
///
/// `now` should not go backwards between calls; if it does, nothing breaks, but timers are
/// judged against the earlier instant.
#[derive(Clone, Debug)]
pub struct CsiEngine {
    config: Config,
    registered: bool,
    calls: BTreeMap<CallId, Call>,
    peers: BTreeMap<E164, Peer>,
    /// At most one per direction, all beside the active call.
    shares: Vec<Share>,
    active: Option<CallId>,
    /// The active call's peer number, kept beside `active` so that it is still known in the
    /// input that removes the call.
    active_peer: Option<E164>,
    next_share: u64,
    events: VecDeque<Event>,
}

impl CsiEngine {
    /// An engine with no calls, not registered with IMS.
    pub fn new(config: Config) -> Result<Self, ConfigError> {
        config.check()?;
        Ok(Self {
            config,
            registered: false,
            calls: BTreeMap::new(),
            peers: BTreeMap::new(),
            shares: Vec::new(),
            active: None,
            active_peer: None,
            next_share: 0,
            events: VecDeque::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    // ----- CS call events ------------------------------------------------------------------

    /// Call when an incoming call starts ringing. `number` is the caller's number as the
    /// telephony layer gives it (any format [`normalize_number`] reads), or `None` when it is
    /// withheld; a withheld or unrecognised number never correlates.
    pub fn call_ringing(
        &mut self,
        now: Instant,
        call: CallId,
        number: Option<&str>,
    ) -> Result<(), CallError> {
        let peer = match number {
            None => Err(NoPeerNumber::Withheld),
            Some(n) => self.normalise(n),
        };
        let result = self.add_call(call, Call::new(CallDirection::Incoming, peer));
        self.settle(now);
        result
    }

    /// Call when an outgoing call starts (dialing or alerting), with the number dialled.
    pub fn call_dialing(
        &mut self,
        now: Instant,
        call: CallId,
        number: &str,
    ) -> Result<(), CallError> {
        let peer = self.normalise(number);
        let result = self.add_call(call, Call::new(CallDirection::Outgoing, peer));
        self.settle(now);
        result
    }

    /// Call when a ringing or dialing call is answered. A call that is answered already is
    /// left as it is (use [`call_resumed`](Self::call_resumed) and
    /// [`call_two_party`](Self::call_two_party) for the way back from hold and multiparty).
    pub fn call_connected(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        let result = self.update_call(call, |c| {
            c.answered = true;
            Ok(())
        });
        self.settle(now);
        result
    }

    /// Call when an answered call is put on hold. Shares beside it end
    /// ([`EndReason::CallHeld`]).
    pub fn call_held(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        let result = self.update_answered(call, |c| c.held = true);
        self.settle(now);
        result
    }

    /// Call when a held call is resumed. If it becomes the active call, its peer is queried
    /// again after [`Config::query_delay`].
    pub fn call_resumed(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        let result = self.update_answered(call, |c| c.held = false);
        self.settle(now);
        result
    }

    /// Call when an answered call becomes part of a multiparty (conference) call. Shares
    /// beside it end ([`EndReason::Multiparty`]).
    pub fn call_multiparty(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        let result = self.update_answered(call, |c| c.multiparty = true);
        self.settle(now);
        result
    }

    /// Call when a multiparty call is back to two parties (the others left or were split
    /// off). If it becomes the active call, its peer is queried again after
    /// [`Config::query_delay`].
    pub fn call_two_party(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        let result = self.update_answered(call, |c| c.multiparty = false);
        self.settle(now);
        result
    }

    /// Call when a call ends, in whatever state it was (including unanswered). Shares beside
    /// it end ([`EndReason::CallEnded`]), and when it was the peer's last call the peer is
    /// forgotten.
    pub fn call_disconnected(&mut self, now: Instant, call: CallId) -> Result<(), CallError> {
        let result = match self.calls.remove(&call) {
            Some(_) => Ok(()),
            None => Err(CallError::UnknownCall(call)),
        };
        self.settle(now);
        result
    }

    // ----- IMS and the bearer --------------------------------------------------------------

    /// Call when the IMS registration state changes (and once at start-up if registered).
    /// Queries are sent only while registered; on registration the active peer is queried
    /// again.
    pub fn registration_changed(&mut self, now: Instant, registered: bool) {
        if registered && !self.registered {
            self.want_active_query(now);
        }
        self.registered = registered;
        self.settle(now);
    }

    /// Call when the bearer or network changes in a way that may change what the peer can
    /// receive (Wi-Fi to cellular, 2G to 3G, a new IP address): the active peer is queried
    /// again (rcsjta re-queries on connectivity changes).
    pub fn network_changed(&mut self, now: Instant) {
        self.want_active_query(now);
        self.settle(now);
    }

    // ----- Capabilities --------------------------------------------------------------------

    /// Call with the result of a capability query to `peer` (its OPTIONS answer, or the
    /// application's own timeout). Also usable for capabilities learned otherwise, such as
    /// from the feature tags of an OPTIONS the peer sent us.
    ///
    /// The result clears the peer's outstanding query. It is recorded only while the peer's
    /// call is the active call; otherwise it is stale by the time it could be used and is
    /// dropped.
    pub fn capabilities_received(&mut self, now: Instant, peer: &E164, result: CapabilityResult) {
        let is_active = self.active_peer() == Some(peer);
        if let Some(p) = self.peers.get_mut(peer) {
            p.outstanding = None;
            if is_active {
                p.capability = result.capability();
            }
        }
        self.settle(now);
    }

    // ----- Shares --------------------------------------------------------------------------

    /// Call when an Image Share request (INVITE) arrives, before anything else is done with
    /// it, and answer it as the verdict says. On [`ShareVerdict::Accept`] the share counts as
    /// running in the incoming direction until [`share_ended`](Self::share_ended) or an
    /// [`Event::EndShares`].
    ///
    /// Checks, in rcsjta's order (`RichcallService.receiveImageSharingInvitation`), each
    /// with its [`RejectStatuses`] status: the sender's identity normalises to E.164; it is
    /// the peer of the active call (3GPP TS 23.279 CSI: the IMS session joins the CS call
    /// between the same two users); it is not blocked; no incoming share is running; the
    /// file is not over [`Config::max_share_size`].
    #[must_use = "the request must be answered as the verdict says"]
    pub fn incoming_share(&mut self, now: Instant, request: &IncomingShare) -> ShareVerdict {
        let verdict = self.judge_incoming(request);
        self.settle(now);
        verdict
    }

    fn judge_incoming(&mut self, request: &IncomingShare) -> ShareVerdict {
        let statuses = self.config.reject_statuses;
        let reject = |reason, status| ShareVerdict::Reject {
            reason,
            status: RejectStatuses::status(status),
        };
        let Some(sender) = request.sender(&self.config.numbering_plan) else {
            return reject(RejectReason::UnknownIdentity, statuses.unknown_identity);
        };
        let Some(call) = self.active.filter(|_| self.active_peer() == Some(&sender)) else {
            return reject(RejectReason::NoCorrelatedCall, statuses.no_correlated_call);
        };
        if self.config.blocked.contains(&sender) {
            return reject(RejectReason::Blocked, statuses.blocked);
        }
        if self.running(ShareDirection::Incoming) {
            return reject(RejectReason::Busy, statuses.busy);
        }
        if let (Some(size), Some(max)) = (request.size(), self.config.max_share_size) {
            if size > max {
                return reject(RejectReason::TooLarge, statuses.too_large);
            }
        }
        let share = self.add_share(ShareDirection::Incoming, call, sender);
        ShareVerdict::Accept { share }
    }

    /// Call when the user starts sharing a file of `size` octets (if known) with `peer`,
    /// before sending the INVITE. The share counts as running in the outgoing direction until
    /// [`share_ended`](Self::share_ended) or an [`Event::EndShares`].
    ///
    /// Refused when Image Share with `peer` is not [`Availability::Available`], when the file
    /// is over [`Config::max_share_size`], or when an outgoing share is already running
    /// (rcsjta `RichcallService.initiateImageSharingSession`, in that order).
    pub fn start_outgoing_share(
        &mut self,
        now: Instant,
        peer: &E164,
        size: Option<u64>,
    ) -> Result<ShareId, ShareError> {
        let result = self.judge_outgoing(peer, size);
        self.settle(now);
        result
    }

    fn judge_outgoing(&mut self, peer: &E164, size: Option<u64>) -> Result<ShareId, ShareError> {
        if let Availability::Unavailable(reason) = self.availability(peer) {
            return Err(ShareError::Unavailable(reason));
        }
        if let (Some(size), Some(max)) = (size, self.config.max_share_size) {
            if size > max {
                return Err(ShareError::TooLarge { size, max });
            }
        }
        if self.running(ShareDirection::Outgoing) {
            return Err(ShareError::Busy);
        }
        let call = self
            .active
            .ok_or(ShareError::Unavailable(UnavailableReason::NoCall))?;
        Ok(self.add_share(ShareDirection::Outgoing, call, peer.clone()))
    }

    /// Call when a share ends on its own (completed, declined, failed, ended by either side).
    /// Returns whether it was running; shares already ended by an [`Event::EndShares`] are
    /// not.
    pub fn share_ended(&mut self, now: Instant, share: ShareId) -> bool {
        let before = self.shares.len();
        self.shares.retain(|s| s.id != share);
        let ended = self.shares.len() != before;
        self.settle(now);
        ended
    }

    // ----- The engine shape ----------------------------------------------------------------

    /// Call when the instant from [`poll_timeout`](Self::poll_timeout) has come (or at any
    /// later time): sends the queries that are due and times out those unanswered for
    /// [`Config::query_timeout`].
    pub fn handle_timeout(&mut self, now: Instant) {
        self.settle(now);
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called, if anything is
    /// pending. Re-read it after every input: any input can change it.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let active = self.active_peer();
        self.peers
            .iter()
            .filter_map(|(number, peer)| {
                let deadline = peer.outstanding.flatten();
                let query = if self.registered && Some(number) == active {
                    peer.query_time(&self.config)
                } else {
                    None
                };
                match (deadline, query) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            })
            .min()
    }

    /// The next decision, if any. Call after every input until it returns `None`.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    // ----- State, for user interfaces and tests --------------------------------------------

    /// Whether Image Share with `peer` is possible now (what the last
    /// [`Event::ShareAvailable`] / [`Event::ShareUnavailable`] about it said, once the
    /// events are drained).
    pub fn availability(&self, peer: &E164) -> Availability {
        if !self.has_calls(peer) {
            return Availability::Unavailable(UnavailableReason::NoCall);
        }
        if self.active_peer.as_ref() != Some(peer) {
            return Availability::Unavailable(self.call_reason(peer));
        }
        if !self.registered {
            return Availability::Unavailable(UnavailableReason::NotRegistered);
        }
        let capability = self
            .peers
            .get(peer)
            .map_or(Capability::Unknown, |p| p.capability);
        match capability {
            Capability::Capable => Availability::Available,
            Capability::Unknown => {
                Availability::Unavailable(UnavailableReason::CapabilitiesUnknown)
            }
            Capability::NotCapable => Availability::Unavailable(UnavailableReason::NotCapable),
            Capability::Failed(status) => {
                Availability::Unavailable(UnavailableReason::QueryFailed(status))
            }
            Capability::TimedOut => Availability::Unavailable(UnavailableReason::QueryTimedOut),
        }
    }

    /// The active call: the single call that is connected, two-party and not held. `None`
    /// when there is no such call or more than one.
    pub fn active_call(&self) -> Option<CallId> {
        self.active
    }

    /// The peer of the active call, when its number is known.
    pub fn active_peer(&self) -> Option<&E164> {
        self.active_peer.as_ref()
    }

    /// What is known about a call.
    pub fn call(&self, call: CallId) -> Option<CallInfo> {
        self.calls.get(&call).map(Call::info)
    }

    /// The tracked calls, by id.
    pub fn calls(&self) -> impl Iterator<Item = (CallId, CallInfo)> + '_ {
        self.calls.iter().map(|(id, c)| (*id, c.info()))
    }

    /// The running shares (at most one per direction).
    pub fn shares(&self) -> impl Iterator<Item = ShareInfo> + '_ {
        self.shares.iter().map(Share::info)
    }

    /// Whether our own capability answers (the 200 to an OPTIONS from `peer`) should carry
    /// the Image Share feature tags: only while `peer`'s call is the active call (rcsjta
    /// `CapabilityUtils` advertises them only while a CS call with that contact is
    /// connected).
    pub fn advertises_image_share_to(&self, peer: &E164) -> bool {
        self.active_peer.as_ref() == Some(peer)
    }

    /// Whether we are registered with IMS.
    pub fn is_registered(&self) -> bool {
        self.registered
    }

    /// Whether a capability query to `peer` is outstanding.
    pub fn query_outstanding(&self, peer: &E164) -> bool {
        self.peers
            .get(peer)
            .is_some_and(|p| p.outstanding.is_some())
    }

    /// How many peers the engine keeps: those with a call, and those whose last call ended
    /// while a query to them was outstanding (kept until it is answered or times out, so
    /// that no second query overlaps it). At most twice [`Config::max_calls`].
    pub fn peer_count(&self) -> usize {
        self.peers.len()
    }

    // ----- Internals -----------------------------------------------------------------------

    fn normalise(&self, number: &str) -> Result<E164, NoPeerNumber> {
        normalize_number(number, &self.config.numbering_plan).map_err(NoPeerNumber::Unrecognised)
    }

    fn add_call(&mut self, id: CallId, call: Call) -> Result<(), CallError> {
        if self.calls.contains_key(&id) {
            return Err(CallError::DuplicateCall(id));
        }
        if self.calls.len() >= self.config.max_calls {
            return Err(CallError::TooManyCalls {
                limit: self.config.max_calls,
            });
        }
        self.calls.insert(id, call);
        Ok(())
    }

    fn update_call(
        &mut self,
        id: CallId,
        f: impl FnOnce(&mut Call) -> Result<(), CallError>,
    ) -> Result<(), CallError> {
        let call = self.calls.get_mut(&id).ok_or(CallError::UnknownCall(id))?;
        f(call)
    }

    fn update_answered(&mut self, id: CallId, f: impl FnOnce(&mut Call)) -> Result<(), CallError> {
        self.update_call(id, |c| {
            if !c.answered {
                return Err(CallError::NotConnected(id));
            }
            f(c);
            Ok(())
        })
    }

    fn has_calls(&self, peer: &E164) -> bool {
        self.calls.values().any(|c| c.number() == Some(peer))
    }

    fn running(&self, direction: ShareDirection) -> bool {
        self.shares.iter().any(|s| s.direction == direction)
    }

    fn add_share(&mut self, direction: ShareDirection, call: CallId, peer: E164) -> ShareId {
        let id = ShareId::new(self.next_share);
        // 2^64 shares cannot be started in the life of a process; wrapping keeps it total.
        self.next_share = self.next_share.wrapping_add(1);
        self.shares.push(Share {
            id,
            direction,
            call,
            peer,
        });
        id
    }

    /// Why a peer whose call is not the active one cannot share: the state of its most
    /// advanced call.
    fn call_reason(&self, peer: &E164) -> UnavailableReason {
        let calls = || self.calls.values().filter(|c| c.number() == Some(peer));
        if calls().any(Call::is_candidate) {
            UnavailableReason::OtherCallActive
        } else if calls().any(|c| c.answered && c.held) {
            UnavailableReason::CallHeld
        } else if calls().any(|c| c.answered && c.multiparty) {
            UnavailableReason::Multiparty
        } else if calls().next().is_some() {
            UnavailableReason::CallNotConnected
        } else {
            UnavailableReason::NoCall
        }
    }

    fn want_active_query(&mut self, now: Instant) {
        if let Some(number) = self.active_peer().cloned() {
            if let Some(peer) = self.peers.get_mut(&number) {
                peer.want_query(now);
            }
        }
    }

    /// Brings everything derived from the calls up to date and runs what is due at `now`.
    fn settle(&mut self, now: Instant) {
        self.track_peers();
        self.update_active(now);
        self.end_orphan_shares();
        self.expire_queries(now);
        self.retire_peers();
        self.report_availability();
        self.send_queries(now);
    }

    /// Every number of a tracked call has a peer record.
    fn track_peers(&mut self) {
        for call in self.calls.values() {
            if let Some(number) = call.number() {
                if !self.peers.contains_key(number) {
                    self.peers.insert(number.clone(), Peer::new());
                }
            }
        }
    }

    fn update_active(&mut self, now: Instant) {
        let mut candidates = self.calls.iter().filter(|(_, c)| c.is_candidate());
        let active = match (candidates.next(), candidates.next()) {
            (Some((id, _)), None) => Some(*id),
            // None, or two at once: a telephony layer reporting a swap in two steps. No call
            // counts until it is over ("only a single active, non-held, two-party call").
            _ => None,
        };
        if active == self.active {
            return;
        }
        if let Some(old) = self.active_peer.take() {
            if let Some(peer) = self.peers.get_mut(&old) {
                // The peer's answer described it while the call was up (rcsjta advertises the
                // Image Share tags only then); forget it and ask again if the call comes back.
                peer.capability = Capability::Unknown;
                peer.query_due = None;
            }
        }
        self.active = active;
        self.active_peer = active
            .and_then(|id| self.calls.get(&id))
            .and_then(Call::number)
            .cloned();
        if let Some(new) = self.active_peer.clone() {
            if let Some(peer) = self.peers.get_mut(&new) {
                peer.capability = Capability::Unknown;
                // rcsjta CallManager: OPTIONS about 2 s after the call connects.
                peer.query_due = now.checked_add(self.config.query_delay);
            }
        }
    }

    /// Shares whose call is no longer the active call end (GSMA practice: Image Share lives
    /// only as long as the CS call it belongs to, PROTOCOL-FACTS §6).
    fn end_orphan_shares(&mut self) {
        while let Some(orphan) = self.shares.iter().find(|s| Some(s.call) != self.active) {
            let call = orphan.call;
            let peer = orphan.peer.clone();
            let reason = match self.calls.get(&call) {
                None => EndReason::CallEnded,
                Some(c) if c.held => EndReason::CallHeld,
                Some(c) if c.multiparty => EndReason::Multiparty,
                Some(_) => EndReason::OtherCallActive,
            };
            let shares = self
                .shares
                .iter()
                .filter(|s| s.call == call)
                .map(|s| s.id)
                .collect();
            self.shares.retain(|s| s.call != call);
            self.events.push_back(Event::EndShares {
                peer,
                call,
                reason,
                shares,
            });
        }
    }

    fn expire_queries(&mut self, now: Instant) {
        let active = self.active_peer().cloned();
        for (number, peer) in &mut self.peers {
            if let Some(Some(deadline)) = peer.outstanding {
                if deadline <= now {
                    peer.outstanding = None;
                    if Some(number) == active.as_ref() {
                        peer.capability = Capability::TimedOut;
                    }
                    self.events.push_back(Event::CapabilityQueryTimedOut {
                        peer: number.clone(),
                    });
                }
            }
        }
    }

    /// Peers whose last call ended: reported unavailable, then dropped once no query to them
    /// is outstanding. At most `max_calls` such peers are kept; beyond that, those whose
    /// queries time out first are dropped (a new call with one of them could then be queried
    /// while the old query is still unanswered).
    fn retire_peers(&mut self) {
        let calls = &self.calls;
        let has_calls = |n: &E164| calls.values().any(|c| c.number() == Some(n));
        let mut lingering = Vec::new();
        for (number, peer) in &mut self.peers {
            if has_calls(number) {
                continue;
            }
            let gone = Availability::Unavailable(UnavailableReason::NoCall);
            if peer.reported != gone {
                peer.reported = gone;
                self.events.push_back(Event::ShareUnavailable {
                    peer: number.clone(),
                    reason: UnavailableReason::NoCall,
                });
            }
            peer.capability = Capability::Unknown;
            peer.query_due = None;
            if let Some(deadline) = peer.outstanding {
                lingering.push((deadline, number.clone()));
            }
        }
        self.peers.retain(|n, p| {
            p.outstanding.is_some() || calls.values().any(|c| c.number() == Some(n))
        });
        if lingering.len() > self.config.max_calls {
            // `None` deadlines (never) sort first, so they go first.
            lingering.sort();
            let excess = lingering.len() - self.config.max_calls;
            for (_, number) in lingering.into_iter().take(excess) {
                self.peers.remove(&number);
            }
        }
    }

    fn report_availability(&mut self) {
        let numbers: Vec<E164> = self.peers.keys().cloned().collect();
        for number in numbers {
            if !self.has_calls(&number) {
                continue;
            }
            let now = self.availability(&number);
            let Some(peer) = self.peers.get_mut(&number) else {
                continue;
            };
            if peer.reported == now {
                continue;
            }
            peer.reported = now;
            self.events.push_back(match now {
                Availability::Available => Event::ShareAvailable { peer: number },
                Availability::Unavailable(reason) => Event::ShareUnavailable {
                    peer: number,
                    reason,
                },
            });
        }
    }

    fn send_queries(&mut self, now: Instant) {
        if !self.registered {
            return;
        }
        let Some(number) = self.active_peer().cloned() else {
            return;
        };
        let Some(peer) = self.peers.get_mut(&number) else {
            return;
        };
        if peer.query_time(&self.config).is_some_and(|t| t <= now) {
            peer.query_due = None;
            peer.last_query = Some(now);
            peer.outstanding = Some(now.checked_add(self.config.query_timeout));
            self.events
                .push_back(Event::QueryCapabilities { peer: number });
        }
    }
}
