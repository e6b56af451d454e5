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
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

use super::NetError;
use super::stream::{self, BoxStream, ClientTls};
use crate::endpoint::ConnectionId;
use crate::ident::IdGenerator;
use crate::relay::client::Failure;
use crate::relay::discovery::{self, Lookup, SrvRecord};
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
/// [`NetError::Relay`].
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("relay {relay}: {reason}")]
#[non_exhaustive]
pub struct RelayFailure {
    /// The last first relay tried, as configured (the chain's first relay, or the last
    /// alternative).
    pub relay: MsrpUri,
    /// Why it failed: [`Failure::WrongCredentials`], [`Failure::ExpiresOutOfBounds`] (423
    /// again after adjusting Expires), [`Failure::Timeout`], [`Failure::Refused`], ...; a
    /// connection that could not be opened, or was lost, is [`Failure::ConnectionLost`]; a
    /// relay domain that offers none is [`Failure::Discovery`].
    pub reason: Failure,
}

/// A DNS SRV lookup for relay discovery (RFC 4976 §8), supplied by the application
/// ([`DriverConfig::srv_resolver`](super::DriverConfig::srv_resolver)): the crate has no
/// DNS client of its own. A relay URI with a domain name and no port is then reached
/// through the targets of `_msrps._tcp.<domain>`, in the order RFC 2782 gives
/// ([`order_srv`](crate::relay::discovery::order_srv)); without a resolver, or when the
/// lookup finds nothing or fails, through the domain's A/AAAA records on port 2855.
///
/// ```
/// use std::sync::Arc;
/// use msrp::net::DriverConfig;
/// use msrp::net::relay::{SrvLookup, SrvResolver};
/// use msrp::relay::discovery::SrvRecord;
///
/// /// Answers from a table (a real one would ask DNS).
/// #[derive(Debug)]
/// struct Table(Vec<(String, SrvRecord)>);
///
/// impl SrvResolver for Table {
///     fn lookup_srv(&self, name: &str) -> SrvLookup {
///         let found: Vec<SrvRecord> =
///             self.0.iter().filter(|(n, _)| n == name).map(|(_, r)| r.clone()).collect();
///         Box::pin(async move { Ok(found) })
///     }
/// }
///
/// let table = Table(vec![(
///     "_msrps._tcp.example.com".into(),
///     SrvRecord::new(0, 1, 9000, "relay1.example.com."),
/// )]);
/// let config = DriverConfig::default().with_srv_resolver(Arc::new(table));
/// # let _ = config;
/// ```
pub trait SrvResolver: Send + Sync + fmt::Debug {
    /// The SRV records of `name` (such as `_msrps._tcp.example.com`); an empty list when
    /// there are none. An error counts as none (the A/AAAA fallback is tried).
    fn lookup_srv(&self, name: &str) -> SrvLookup;
}

/// What [`SrvResolver::lookup_srv`] returns.
pub type SrvLookup = std::pin::Pin<
    Box<dyn std::future::Future<Output = std::io::Result<Vec<SrvRecord>>> + Send + 'static>,
>;

/// Opens the TLS connection to the relay `uri` names (RFC 4976 §8): its address, its
/// domain's A/AAAA records, or the targets of its SRV records in turn (each within
/// `timeout`), always with the URI's host as TLS server name (§9.2).
pub(super) async fn open_stream(
    uri: MsrpUri,
    resolver: Option<Arc<dyn SrvResolver>>,
    tls: ClientTls,
    timeout: Duration,
) -> Result<BoxStream, NetError> {
    let name = uri.host_str().trim_end_matches('.').to_owned();
    let domain = match Lookup::for_uri(&uri) {
        Lookup::Address(addr) => {
            return stream::open(addr.ip().to_string(), addr.port(), name, Some(tls), timeout)
                .await;
        }
        Lookup::Host { name: host, port } => {
            return stream::open(host, port, name, Some(tls), timeout).await;
        }
        Lookup::Service { domain } => domain,
    };
    let records = match resolver {
        Some(resolver) => {
            let lookup = resolver.lookup_srv(&discovery::srv_name(&domain));
            match tokio::time::timeout(timeout, lookup).await {
                Ok(Ok(records)) => records,
                // A failed or slow lookup counts as no records.
                Ok(Err(_)) | Err(_) => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    let targets = discovery::order_srv(&records, &mut IdGenerator::default())
        .map_err(NetError::RelayDiscovery)?;
    if targets.is_empty() {
        return stream::open(domain, discovery::DEFAULT_PORT, name, Some(tls), timeout).await;
    }
    let mut failed = NetError::ConnectTimeout;
    for (host, port) in targets {
        match stream::open(host, port, name.clone(), Some(tls.clone()), timeout).await {
            Ok(stream) => return Ok(stream),
            Err(e) => failed = e,
        }
    }
    Err(failed)
}
