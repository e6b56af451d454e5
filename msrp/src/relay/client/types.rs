//! Configuration, outputs, events and errors of the [`AuthClient`](super::AuthClient).

use std::fmt;
use std::time::Duration;

use bytes::Bytes;
use thiserror::Error;

use crate::error::{EncodeError, HeaderError, UriError};
use crate::message::{Flag, Head, Message, Request};
use crate::relay::digest::DigestError;
use crate::status::StatusCode;
use crate::uri::{MsrpUri, Path};

/// Default time to wait for the response to an AUTH (RFC 4975 §7.1.1's 30 s).
pub const DEFAULT_TRANSACTION_TIMEOUT: Duration = Duration::from_secs(30);

/// How many stale challenges in a row one AUTH may get before the relay counts as failed.
pub const MAX_STALE_RETRIES: u8 = 3;

/// A relay and the credentials to use with it.
#[derive(Clone, PartialEq, Eq)]
pub struct Relay {
    /// Where to send the AUTH: an `msrps:` URI, with or without port and session id
    /// (RFC 4976 §5.1, §8), e.g. `msrps://alice@intra.example.com;tcp`. It is the rightmost
    /// To-Path URI of the relay's AUTH, and so the digest URI.
    pub uri: MsrpUri,
    /// The user name for digest authentication.
    pub username: String,
    /// The password.
    pub password: String,
}

impl Relay {
    /// A relay with credentials.
    pub fn new(uri: MsrpUri, username: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            uri,
            username: username.into(),
            password: password.into(),
        }
    }
}

impl fmt::Debug for Relay {
    /// Leaves the password out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Relay")
            .field("uri", &self.uri)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// What an [`AuthClient`](super::AuthClient) authenticates to, and how.
///
/// ```
/// use msrp::relay::client::{ClientConfig, Relay};
/// let config = ClientConfig::new(vec![
///     Relay::new("msrps://alice@intra.example.com;tcp".parse()?, "alice", "secret"),
///     Relay::new("msrps://extra.example.com;tcp".parse()?, "alice", "other secret"),
/// ])
/// .with_alternatives(vec![Relay::new(
///     "msrps://alice@intra2.example.com;tcp".parse()?,
///     "alice",
///     "secret",
/// )])
/// .with_expires(Some(3600));
/// assert_eq!(config.chain.len(), 2);
/// # Ok::<(), msrp::UriError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The relays to use, the one the client connects to first; each later one is reached
    /// through the ones before it (RFC 4976 §5.1).
    pub chain: Vec<Relay>,
    /// Relays to try, in order, in place of the first relay of the chain when it fails.
    pub alternatives: Vec<Relay>,
    /// The `Expires` to ask for in each AUTH (seconds), if any (RFC 4976 §5.1).
    pub expires: Option<u32>,
    /// How long to wait for each AUTH's response (default 30 s).
    pub transaction_timeout: Duration,
}

impl ClientConfig {
    /// A chain of relays, no alternatives, no requested Expires, a 30 s transaction timeout.
    pub fn new(chain: Vec<Relay>) -> Self {
        Self {
            chain,
            alternatives: Vec::new(),
            expires: None,
            transaction_timeout: DEFAULT_TRANSACTION_TIMEOUT,
        }
    }

    /// Sets the alternatives for the first relay.
    #[must_use]
    pub fn with_alternatives(mut self, alternatives: Vec<Relay>) -> Self {
        self.alternatives = alternatives;
        self
    }

    /// Sets the Expires to request.
    #[must_use]
    pub fn with_expires(mut self, expires: Option<u32>) -> Self {
        self.expires = expires;
        self
    }

    /// Sets the transaction timeout.
    #[must_use]
    pub fn with_transaction_timeout(mut self, timeout: Duration) -> Self {
        self.transaction_timeout = timeout;
        self
    }
}

/// An AUTH request to send, out of [`poll_transmit`](super::AuthClient::poll_transmit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// The relay the client's connection goes to (the current first relay, as configured):
    /// every AUTH, tunnelled or not, goes over the one TLS connection to it.
    pub connect_to: MsrpUri,
    /// The request.
    pub request: Request,
}

impl Transmit {
    /// The request's wire form (a bodiless request with its end-line).
    pub fn encode(&self) -> Result<Bytes, EncodeError> {
        Message {
            head: Head::Request(self.request.clone()),
            body: None,
            flag: Flag::Complete,
        }
        .to_bytes()
    }
}

/// What happened, out of [`poll_event`](super::AuthClient::poll_event).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// One relay of the chain accepted the client.
    RelayAuthenticated {
        /// Its position in the chain (0 = the relay connected to).
        hop: usize,
        /// The relay as configured.
        relay: MsrpUri,
        /// The URI it assigned (its entry in Use-Path).
        assigned: MsrpUri,
        /// How long the assignment lasts (the 200's Expires).
        expires: Duration,
    },
    /// Every relay of the chain accepted the client: [`use_path`](super::AuthClient::use_path),
    /// [`sdp_path`](super::AuthClient::sdp_path) and
    /// [`to_path_for`](super::AuthClient::to_path_for) are available. Comes again, with the
    /// new path, when a fallback or refresh changed it; the SDP must then be updated.
    Authenticated {
        /// The full Use-Path, first relay first.
        use_path: Path,
    },
    /// A relay renewed the client's URI without changing it.
    Refreshed {
        /// Its position in the chain.
        hop: usize,
        /// The relay as configured.
        relay: MsrpUri,
        /// How long the renewal lasts.
        expires: Duration,
    },
    /// A relay failed. The client falls back to the next alternative first relay if there is
    /// one ([`Event::FallingBack`]) and gives up otherwise ([`Event::GaveUp`]).
    Failed {
        /// The relay, as configured.
        relay: MsrpUri,
        /// Why.
        reason: Failure,
    },
    /// The client starts over with another first relay: connect to `to` (and close the
    /// connection to `from`). Paths obtained so far are void.
    FallingBack {
        /// The first relay given up.
        from: MsrpUri,
        /// The first relay tried now.
        to: MsrpUri,
    },
    /// Every first relay failed; nothing is authenticated until
    /// [`start`](super::AuthClient::start) is called again.
    GaveUp,
}

/// Why a relay failed.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// No response within the transaction timeout.
    #[error("no response to AUTH within the transaction timeout")]
    Timeout,
    /// The relay challenged an answer to its own challenge again without `stale`: the
    /// credentials are wrong.
    #[error("credentials refused")]
    WrongCredentials,
    /// The relay refused with another status (403: not authorized to use it, RFC 4976 §6.3).
    #[error("relay answered {0}")]
    Refused(StatusCode),
    /// A 401 carried no Digest challenge this client can answer.
    #[error("no usable challenge: {0}")]
    BadChallenge(DigestError),
    /// A 401 with no WWW-Authenticate at all.
    #[error("401 without WWW-Authenticate")]
    NoChallenge,
    /// More than [`MAX_STALE_RETRIES`] stale challenges in a row.
    #[error("too many stale challenges")]
    TooManyStale,
    /// A 423 without Min-Expires or Max-Expires, or a second 423 after adjusting Expires.
    #[error("relay refused the requested Expires")]
    ExpiresOutOfBounds,
    /// The response to the AUTH was not acceptable.
    #[error("invalid response: {0}")]
    InvalidResponse(ResponseError),
    /// The AUTH could not be built (credentials with CR, LF or NUL).
    #[error("cannot build AUTH: {0}")]
    Encode(HeaderError),
    /// The connection to the first relay was lost (the client's URIs die with it,
    /// RFC 4976 §6.1).
    #[error("connection lost")]
    ConnectionLost,
    /// Relay discovery found no first relay: its domain offers none (RFC 4976 §8).
    /// The tokio driver, which does the lookups, reports it in place of
    /// [`ConnectionLost`](Self::ConnectionLost).
    #[error("relay discovery: {0}")]
    Discovery(crate::relay::discovery::DiscoveryError),
}

/// A response [`handle_response`](super::AuthClient::handle_response) did not accept.
///
/// [`UnknownTransaction`](Self::UnknownTransaction) and [`Misdirected`](Self::Misdirected)
/// leave the client as it was; the others fail the relay that sent the response
/// ([`Event::Failed`] with [`Failure::InvalidResponse`]).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResponseError {
    /// No AUTH with this transaction id is waiting for its response.
    #[error("no AUTH waits for this transaction id")]
    UnknownTransaction,
    /// The response's To-Path does not end with the client's URI.
    #[error("response To-Path does not end with our URI")]
    Misdirected,
    /// A 200 without Use-Path (RFC 4976 §5.1).
    #[error("200 without Use-Path")]
    MissingUsePath,
    /// A Use-Path URI is not `msrps:` (AUTH runs only over TLS, RFC 4976 §5.1, §9.1).
    #[error("Use-Path URI {0} is not msrps")]
    UsePathNotSecure(MsrpUri),
    /// A Use-Path URI has no explicit port (RFC 4976 §4.2, §8).
    #[error("Use-Path URI {0} has no port")]
    UsePathWithoutPort(MsrpUri),
    /// The Use-Path neither extends the path through the relays before this one nor names
    /// just this relay.
    #[error("Use-Path does not extend the path so far")]
    UsePathMismatch,
    /// A 200 without Expires (RFC 4976 §5.1: the relay says how long its URI lasts).
    #[error("200 without Expires")]
    MissingExpires,
    /// A 200 with `Expires: 0`.
    #[error("200 with Expires 0")]
    ZeroExpires,
    /// Authentication-Info that does not parse.
    #[error("bad Authentication-Info: {0}")]
    BadAuthenticationInfo(DigestError),
    /// Authentication-Info whose rspauth does not prove the relay knows the credentials.
    #[error("Authentication-Info rspauth is wrong")]
    WrongRspauth,
}

/// A configuration [`AuthClient::new`](super::AuthClient::new) refuses.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The chain is empty.
    #[error("no relays configured")]
    NoRelays,
    /// A relay URI is not `msrps:` (AUTH runs only over TLS, RFC 4976 §9.1).
    #[error("relay URI {0} is not msrps")]
    RelayNotSecure(MsrpUri),
    /// A user name or password holds CR, LF or NUL.
    #[error("credentials for {0} contain CR, LF or NUL")]
    BadCredentials(MsrpUri),
    /// The client's own URI could not be built from the host and port.
    #[error("invalid local URI: {0}")]
    LocalUri(UriError),
}
