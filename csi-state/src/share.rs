//! Image shares: incoming requests and their verdicts, running shares.

use std::fmt;

use sip_lite::StatusCode;
use sip_lite::Uri;
use sip_lite::e164::{E164, NumberingPlan, normalize_uri};
use sip_lite::typed::NameAddr;
use thiserror::Error;

use crate::{CallId, UnavailableReason};

/// The engine's identifier of a running share, handed out when a share is accepted or
/// started. Identifiers are never reused by one engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShareId(u64);

impl ShareId {
    pub(crate) fn new(n: u64) -> Self {
        Self(n)
    }

    /// The identifier as a number.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ShareId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "share {}", self.0)
    }
}

/// Which way a share's content goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShareDirection {
    /// From the peer to us.
    Incoming,
    /// From us to the peer.
    Outgoing,
}

/// A running share; see [`CsiEngine::shares`](crate::CsiEngine::shares).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ShareInfo {
    /// Its identifier.
    pub id: ShareId,
    /// Which way it goes.
    pub direction: ShareDirection,
    /// The peer.
    pub peer: E164,
    /// The call it runs beside; it ends when that call stops being the active call.
    pub call: CallId,
}

/// One identity header value: a URI, or text that is not one.
#[derive(Clone, Debug)]
enum Identity {
    Uri(Uri),
    Unparsable,
}

impl Identity {
    fn parse(text: &str) -> Self {
        let text = text.trim();
        // A name-addr (`"Alice" <tel:+44...>`) or a bare URI. A bare URI is read whole, so
        // that `tel:0207...;phone-context=+44` keeps its parameters (in a header value they
        // would be header parameters, RFC 3261 §20.10).
        let uri = if text.contains('<') {
            NameAddr::parse(text).ok().and_then(|na| na.uri().ok())
        } else {
            text.parse().ok()
        };
        uri.map_or(Self::Unparsable, Self::Uri)
    }
}

/// The identities and size of an incoming share request (a SIP INVITE for Image Share), for
/// [`CsiEngine::incoming_share`](crate::CsiEngine::incoming_share).
///
/// The sender is identified by its P-Asserted-Identity values (RFC 3325 §9.1: up to one `sip:`
/// or `sips:` URI and one `tel:` URI), the first that names a telephone number winning; when
/// there is no P-Asserted-Identity, by From (rcsjta `SipUtils.getAssertedIdentity`). A
/// P-Asserted-Identity that names no number is not replaced by From: the asserted identity is
/// the network's word, From only the sender's.
///
/// ```
/// use csi_state::IncomingShare;
/// let request = IncomingShare::new()
///     .with_asserted_identity_str("<sip:+447700900123@ims.example.net;user=phone>")
///     .with_asserted_identity_str("tel:+447700900123")
///     .with_from_str("\"Emily\" <sip:emily@example.net>;tag=a73kszlfl")
///     .with_size(Some(250_000));
/// # let _ = request;
/// ```
#[derive(Clone, Debug, Default)]
pub struct IncomingShare {
    asserted: Vec<Identity>,
    from: Option<Identity>,
    size: Option<u64>,
}

impl IncomingShare {
    /// A request with no identity and no size yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a P-Asserted-Identity value.
    #[must_use]
    pub fn with_asserted_identity(mut self, uri: Uri) -> Self {
        self.asserted.push(Identity::Uri(uri));
        self
    }

    /// Adds a P-Asserted-Identity value as text: a URI, or a name-addr (`"name" <uri>`). Text
    /// that is neither counts as an identity that cannot be parsed.
    #[must_use]
    pub fn with_asserted_identity_str(mut self, value: &str) -> Self {
        self.asserted.push(Identity::parse(value));
        self
    }

    /// Sets the From URI.
    #[must_use]
    pub fn with_from(mut self, uri: Uri) -> Self {
        self.from = Some(Identity::Uri(uri));
        self
    }

    /// Sets the From value as text: a URI, or a name-addr with parameters (`"name"
    /// <uri>;tag=...`).
    #[must_use]
    pub fn with_from_str(mut self, value: &str) -> Self {
        self.from = Some(Identity::parse(value));
        self
    }

    /// Sets the size of the offered file in octets (RFC 5547 `a=file-selector` `size:`), if
    /// known.
    #[must_use]
    pub fn with_size(mut self, size: Option<u64>) -> Self {
        self.size = size;
        self
    }

    /// The size of the offered file, if known.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// The sender's number: the first P-Asserted-Identity that normalises, or From when there
    /// is no P-Asserted-Identity. Anonymous identities (RFC 3323) never normalise.
    pub fn sender(&self, plan: &NumberingPlan) -> Option<E164> {
        let normalise = |id: &Identity| match id {
            Identity::Uri(uri) => normalize_uri(uri, plan).ok(),
            Identity::Unparsable => None,
        };
        if self.asserted.is_empty() {
            self.from.as_ref().and_then(normalise)
        } else {
            self.asserted.iter().find_map(normalise)
        }
    }
}

/// Why an incoming share is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RejectReason {
    /// No identity that normalises to E.164 (absent, unparsable, anonymous, not a number).
    UnknownIdentity,
    /// The sender has no active (connected, two-party, not held) call with us.
    NoCorrelatedCall,
    /// The sender is on the block list.
    Blocked,
    /// An incoming share is already running.
    Busy,
    /// The file is larger than the configured maximum.
    TooLarge,
}

/// The engine's answer to an incoming share request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShareVerdict {
    /// Go on processing the request (ring the user, check the SDP...). The share now counts as
    /// running; call [`CsiEngine::share_ended`](crate::CsiEngine::share_ended) when it is
    /// declined, fails or ends.
    Accept {
        /// The share's identifier.
        share: ShareId,
    },
    /// Answer the request with `status`.
    Reject {
        /// Why.
        reason: RejectReason,
        /// The final response to send (see [`RejectStatuses`](crate::RejectStatuses)).
        status: StatusCode,
    },
}

/// An outgoing share that cannot start.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShareError {
    /// Image Share with that peer is not available.
    #[error("image share is not available: {0:?}")]
    Unavailable(UnavailableReason),
    /// An outgoing share is already running (one per direction, rcsjta
    /// `RichcallService.initiateImageSharingSession`).
    #[error("an outgoing share is already running")]
    Busy,
    /// The file is larger than [`Config::max_share_size`](crate::Config::max_share_size).
    #[error("file of {size} octets is over the {max}-octet limit")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit.
        max: u64,
    },
}

/// One running share.
#[derive(Clone, Debug)]
pub(crate) struct Share {
    pub(crate) id: ShareId,
    pub(crate) direction: ShareDirection,
    pub(crate) call: CallId,
    pub(crate) peer: E164,
}

impl Share {
    pub(crate) fn info(&self) -> ShareInfo {
        ShareInfo {
            id: self.id,
            direction: self.direction,
            peer: self.peer.clone(),
            call: self.call,
        }
    }
}
