//! What the engine decides: the [`Event`]s, and the availability of Image Share with a peer.

use sip_lite::StatusCode;
use sip_lite::e164::E164;
use sip_lite::feature::FeatureSet;

use crate::{CallId, ShareId};

/// The result of a capability query (SIP OPTIONS) to a peer, as the application reports it
/// to [`CsiEngine::capabilities_received`](crate::CsiEngine::capabilities_received).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum CapabilityResult {
    /// A 2xx answer with the feature tags of its Contact header (RFC 3840 §9): Image Share is
    /// supported when [`FeatureSet::is_image_share`] holds (`+g.3gpp.cs-voice` and the
    /// `gsma-is` IARI, IR.79 / PROTOCOL-FACTS §5).
    Features(FeatureSet),
    /// A 2xx answer the application has already judged: whether it advertises Image Share.
    ImageShare(bool),
    /// A final failure response (3xx to 6xx): 404 (no such user), 480 (not registered), 408
    /// (request timeout), 403... The peer cannot be reached for Image Share now; it is asked
    /// again only after a change (registration, bearer, the call becoming active again).
    Failed(StatusCode),
    /// No answer at all (the application's own transaction timed out).
    TimedOut,
}

impl CapabilityResult {
    pub(crate) fn capability(&self) -> Capability {
        match self {
            Self::Features(set) if set.is_image_share() => Capability::Capable,
            Self::Features(_) => Capability::NotCapable,
            Self::ImageShare(true) => Capability::Capable,
            Self::ImageShare(false) => Capability::NotCapable,
            Self::Failed(status) => Capability::Failed(*status),
            Self::TimedOut => Capability::TimedOut,
        }
    }
}

/// What is known of the active peer's capabilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Capability {
    Unknown,
    Capable,
    NotCapable,
    Failed(StatusCode),
    TimedOut,
}

/// Whether Image Share can run with a peer now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Availability {
    /// It can: the peer's call is the single active (connected, two-party, not held) call, we
    /// are registered with IMS, and the peer's last capability answer advertised Image Share.
    Available,
    /// It cannot, for this reason.
    Unavailable(UnavailableReason),
}

impl Availability {
    /// Whether this is [`Availability::Available`].
    pub fn is_available(self) -> bool {
        self == Self::Available
    }
}

/// Why Image Share cannot run with a peer. When several reasons hold, the first in this list
/// is given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UnavailableReason {
    /// No call with the peer (any more).
    NoCall,
    /// Another call is also connected, two-party and not held, so no call counts as the
    /// active one (a telephony layer reporting a swap in two steps).
    OtherCallActive,
    /// The peer's call is on hold.
    CallHeld,
    /// The peer's call is part of a multiparty call.
    Multiparty,
    /// The peer's call is still ringing or dialing.
    CallNotConnected,
    /// We are not registered with IMS.
    NotRegistered,
    /// The capability query has not been answered yet (or not been sent yet).
    CapabilitiesUnknown,
    /// The peer answered but does not advertise Image Share.
    NotCapable,
    /// The peer's query failed with this final response.
    QueryFailed(StatusCode),
    /// The peer's query got no answer in time.
    QueryTimedOut,
}

/// Why the shares with a peer must end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EndReason {
    /// The call was disconnected.
    CallEnded,
    /// The call was put on hold.
    CallHeld,
    /// The call became part of a multiparty call.
    Multiparty,
    /// Another call became connected, two-party and not held beside it, so it no longer is
    /// the single active call.
    OtherCallActive,
}

/// A decision of the engine, drained with [`CsiEngine::poll_event`](crate::CsiEngine::poll_event).
///
/// For one input, events come in this order: [`Event::EndShares`], then
/// [`Event::CapabilityQueryTimedOut`], then availability changes (first for peers whose last
/// call just ended, then for the others in number order), then [`Event::QueryCapabilities`]. Each peer gets at most one availability event per input, and
/// never the same availability twice in a row.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// Send a capability query (SIP OPTIONS with the Image Share feature tags, IR.79) to the
    /// peer, at `peer.tel_uri()`, and report its result with
    /// [`CsiEngine::capabilities_received`](crate::CsiEngine::capabilities_received).
    QueryCapabilities {
        /// Whom to ask.
        peer: E164,
    },
    /// The query to `peer` has had no result for [`Config::query_timeout`](crate::Config):
    /// the engine counts it as timed out and a later result is taken as fresh information.
    CapabilityQueryTimedOut {
        /// The peer.
        peer: E164,
    },
    /// Image Share with `peer` has become possible: offer it in the user interface.
    ShareAvailable {
        /// The peer.
        peer: E164,
    },
    /// Image Share with `peer` is not (or no longer) possible, for `reason`. The first event
    /// about a peer comes when its first call appears; the last one, with
    /// [`UnavailableReason::NoCall`], when its last call ends.
    ShareUnavailable {
        /// The peer.
        peer: E164,
        /// Why.
        reason: UnavailableReason,
    },
    /// End these shares (SIP BYE) with `peer`: their call stopped being the active call. The
    /// engine has already forgotten them.
    EndShares {
        /// The peer.
        peer: E164,
        /// The call they ran beside.
        call: CallId,
        /// Why.
        reason: EndReason,
        /// The shares, never empty.
        shares: Vec<ShareId>,
    },
}
