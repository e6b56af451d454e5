//! Relay registrations of the [`Driver`](super::Driver) (features `relay` and `tls`): the
//! client side of RFC 4976.
//!
//! [`Driver::authenticate`](super::Driver::authenticate) opens a TLS connection to the first
//! relay of a [`ClientConfig`](crate::relay::client::ClientConfig) and runs an
//! [`AuthClient`](crate::relay::client::AuthClient) on it inside the driver task. The
//! AUTH requests go through the engine
//! ([`Endpoint::send_request`](crate::Endpoint::send_request)), so they never land inside
//! a chunk, and their responses come back from it as
//! [`Event::ResponseReceived`](crate::endpoint::Event::ResponseReceived), which the driver
//! hands to the registration that sent the request. The connection is registered for reuse
//! like any other: RFC 4976 §5.2 sends the client's session traffic over it, and the relay
//! sends the peer's messages back on it (the client never listens).
//!
//! ```text
//!   authenticate ──► TLS connection to relay 1 ◄── AUTH (401, answer, 200 Use-Path/Expires)
//!                    │                              refreshes at 90 % of Expires
//!   add_relay_session(peer's SDP path) ──► session: To-Path   = Use-Path + peer's path
//!                                                   From-Path = own URI
//!   connect_tls(session) ──► binds to the same connection
//!   our SDP a=path = RelayRegistration::sdp_path (reversed Use-Path + own URI)
//! ```

use std::fmt;

use thiserror::Error;

use crate::endpoint::ConnectionId;
use crate::relay::client::Failure;
use crate::uri::{MsrpUri, Path};

/// A relay registration's handle, unique within its driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationId(pub(super) u64);

impl fmt::Display for RegistrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "registration{}", self.0)
    }
}

/// A registration that every relay of its chain accepted, out of
/// [`Driver::authenticate`](super::Driver::authenticate). A later
/// [`NetEvent::RelayAuthenticated`](super::NetEvent::RelayAuthenticated) with the same id
/// replaces its paths (after a fallback or a refresh that changed a relay's URI); the SDP
/// must then be updated.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RelayRegistration {
    /// The handle, for [`Driver::add_relay_session`](super::Driver::add_relay_session).
    pub id: RegistrationId,
    /// The Use-Path, first relay first (RFC 4976 §5.1).
    pub use_path: Path,
    /// What goes in our SDP `a=path`: the Use-Path reversed, then our own URI.
    pub sdp_path: Path,
    /// Our own URI: the From-Path of our requests and the To-Path the relay forwards to us.
    pub local_uri: MsrpUri,
    /// The TLS connection to the first relay, which carries the registration's sessions.
    pub connection: ConnectionId,
}

/// Why [`Driver::authenticate`](super::Driver::authenticate) failed, in
/// [`NetError::Relay`](super::NetError::Relay).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("relay {relay}: {reason}")]
#[non_exhaustive]
pub struct RelayFailure {
    /// The last first relay tried, as configured (the chain's first relay, or the last
    /// alternative).
    pub relay: MsrpUri,
    /// Why it failed: [`Failure::WrongCredentials`], [`Failure::ExpiresOutOfBounds`] (423
    /// again after adjusting Expires), [`Failure::Timeout`], [`Failure::Refused`], ...; a
    /// connection that could not be opened, or was lost, is [`Failure::ConnectionLost`].
    pub reason: Failure,
}
