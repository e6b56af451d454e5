//! The circuit-switched calls the telephony layer reports.

use std::fmt;

use sip_lite::e164::{E164, E164Error};
use thiserror::Error;

/// An application-chosen identifier of a CS call (for example the telephony layer's call
/// index). The engine only compares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u64);

impl fmt::Display for CallId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "call {}", self.0)
    }
}

/// Who set up a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallDirection {
    /// The peer called us (the call started ringing).
    Incoming,
    /// We called the peer (the call started dialing).
    Outgoing,
}

/// Where a call is in its life (rcsjta `CallManager` states, with hold and multiparty kept
/// apart because either one stops the call from counting for CSI).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallState {
    /// Incoming, not answered yet.
    Ringing,
    /// Outgoing, not answered yet.
    Dialing,
    /// Answered: a two-party call, not held. The only state in which a call can be the
    /// active call that Image Share runs beside.
    Connected,
    /// Answered, then put on hold (by either side, as the telephony layer reports it).
    Held,
    /// Answered and merged into a multiparty (conference) call.
    Multiparty,
    /// Multiparty and on hold.
    HeldMultiparty,
}

/// Why a call has no peer number that can correlate with a SIP identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoPeerNumber {
    /// The caller's number is withheld (CLIR): correlation is impossible (PROTOCOL-FACTS §6).
    Withheld,
    /// The number does not normalise to E.164 under the configured plan (a service code, a
    /// national number with no country in the plan...).
    Unrecognised(E164Error),
}

/// What the engine knows about one call; see [`CsiEngine::call`](crate::CsiEngine::call).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CallInfo {
    /// Who set the call up.
    pub direction: CallDirection,
    /// Its state.
    pub state: CallState,
    /// The peer's number in E.164 form, or why there is none.
    pub peer: Result<E164, NoPeerNumber>,
}

/// A call event the engine cannot apply. The engine's state is unchanged when it is returned.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallError {
    /// No call with this id is tracked (never reported, already disconnected, or refused
    /// because of the limit).
    #[error("{0} is not tracked")]
    UnknownCall(CallId),
    /// Ringing or dialing reported for an id that is already tracked.
    #[error("{0} is already tracked")]
    DuplicateCall(CallId),
    /// The call would exceed [`Config::max_calls`](crate::Config::max_calls); it is not
    /// tracked and never counts.
    #[error("too many calls (limit {limit})")]
    TooManyCalls {
        /// The configured limit.
        limit: usize,
    },
    /// Hold, resume, multiparty or back-to-two-party reported for a call that has not been
    /// answered.
    #[error("{0} is not connected")]
    NotConnected(CallId),
}

/// One tracked call.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) direction: CallDirection,
    pub(crate) answered: bool,
    pub(crate) held: bool,
    pub(crate) multiparty: bool,
    pub(crate) peer: Result<E164, NoPeerNumber>,
}

impl Call {
    pub(crate) fn new(direction: CallDirection, peer: Result<E164, NoPeerNumber>) -> Self {
        Self {
            direction,
            answered: false,
            held: false,
            multiparty: false,
            peer,
        }
    }

    /// Connected, two-party and not held: the only calls that can count for CSI
    /// (rcsjta `RichcallService`: no share "with hold or multiparty"; PROTOCOL-FACTS §5-6).
    pub(crate) fn is_candidate(&self) -> bool {
        self.answered && !self.held && !self.multiparty
    }

    pub(crate) fn state(&self) -> CallState {
        match (self.answered, self.held, self.multiparty) {
            (false, ..) => match self.direction {
                CallDirection::Incoming => CallState::Ringing,
                CallDirection::Outgoing => CallState::Dialing,
            },
            (true, false, false) => CallState::Connected,
            (true, true, false) => CallState::Held,
            (true, false, true) => CallState::Multiparty,
            (true, true, true) => CallState::HeldMultiparty,
        }
    }

    pub(crate) fn number(&self) -> Option<&E164> {
        self.peer.as_ref().ok()
    }

    pub(crate) fn info(&self) -> CallInfo {
        CallInfo {
            direction: self.direction,
            state: self.state(),
            peer: self.peer.clone(),
        }
    }
}
