//! The server's configuration.

use std::time::Duration;

use super::IdGenerator;
use super::hash::Algorithm;

/// Server configuration.
#[derive(Debug)]
#[non_exhaustive]
pub struct DigestServerConfig {
    /// The realm (RFC 3261 §22.1: globally unique, usually the domain).
    pub realm: String,
    /// The algorithms offered, one challenge each, most preferred first (RFC 8760 §2.3).
    /// Default: SHA-256, then MD5 for older clients.
    pub algorithms: Vec<Algorithm>,
    /// Proxy authentication: 407 with Proxy-Authenticate, credentials in
    /// Proxy-Authorization (RFC 3261 §22.3). Default `false`: 401 and WWW-Authenticate.
    pub proxy: bool,
    /// How long a nonce is accepted (default 300 s); older ones are answered `stale=true`.
    pub nonce_lifetime: Duration,
    /// The key nonces and the opaque value are authenticated with. Servers that share it (and
    /// [`epoch_secs`](Self::epoch_secs)) accept each other's nonces. Default: random per server.
    pub secret: Option<[u8; 32]>,
    /// Seconds to add to `now - start` to timestamp nonces (e.g. the Unix time at `start`),
    /// so that servers behind one load balancer agree on nonce ages. Default 0.
    pub epoch_secs: u64,
    /// How many nonces' counts are tracked against replay (default 4096). When the table is
    /// full, expired nonces go first, then the oldest; a forgotten nonce is answered
    /// `stale=true` (the client retries with a new one), never accepted again.
    pub max_tracked_nonces: usize,
    /// Ask clients to hash the username (`userhash=true`, RFC 7616 §3.4.4). Default `false`.
    pub userhash: bool,
    /// Accept MD5 responses without qop (RFC 2617 §3.2.2.1 compatibility). Such a nonce
    /// cannot be counted, so it is accepted once; its next use is answered `stale=true`.
    /// Default `true`.
    pub accept_without_qop: bool,
    /// Where nonces (and a missing secret) come from (default: the OS CSPRNG).
    pub ids: IdGenerator,
}

impl DigestServerConfig {
    /// The defaults, for `realm`.
    pub fn new(realm: impl Into<String>) -> DigestServerConfig {
        DigestServerConfig {
            realm: realm.into(),
            ..DigestServerConfig::default()
        }
    }

    /// Sets the algorithms offered, most preferred first.
    #[must_use]
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Sets proxy authentication (407) on or off.
    #[must_use]
    pub fn proxy(mut self, proxy: bool) -> Self {
        self.proxy = proxy;
        self
    }

    /// Sets the nonce lifetime.
    #[must_use]
    pub fn nonce_lifetime(mut self, lifetime: Duration) -> Self {
        self.nonce_lifetime = lifetime;
        self
    }

    /// Sets the secret.
    #[must_use]
    pub fn secret(mut self, secret: [u8; 32]) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Sets the capacity of the nonce-count table.
    #[must_use]
    pub fn max_tracked_nonces(mut self, n: usize) -> Self {
        self.max_tracked_nonces = n;
        self
    }

    /// Asks clients for `userhash`.
    #[must_use]
    pub fn userhash(mut self, on: bool) -> Self {
        self.userhash = on;
        self
    }

    /// Sets the seconds added to `now - start` when timestamping nonces.
    #[must_use]
    pub fn epoch_secs(mut self, secs: u64) -> Self {
        self.epoch_secs = secs;
        self
    }

    /// Accepts or refuses MD5 responses without qop.
    #[must_use]
    pub fn accept_without_qop(mut self, accept: bool) -> Self {
        self.accept_without_qop = accept;
        self
    }

    /// Sets the id generator.
    #[must_use]
    pub fn ids(mut self, ids: IdGenerator) -> Self {
        self.ids = ids;
        self
    }
}

impl Default for DigestServerConfig {
    fn default() -> DigestServerConfig {
        DigestServerConfig {
            realm: String::new(),
            algorithms: vec![Algorithm::Sha256, Algorithm::Md5],
            proxy: false,
            nonce_lifetime: Duration::from_secs(300),
            secret: None,
            epoch_secs: 0,
            max_tracked_nonces: 4096,
            userhash: false,
            accept_without_qop: true,
            ids: IdGenerator::default(),
        }
    }
}

/// A configuration the server cannot work with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerConfigError {
    /// The realm holds a control character, which no header value can carry.
    #[error("the realm holds a control character")]
    InvalidRealm,
    /// No algorithm is offered.
    #[error("no digest algorithm is offered")]
    NoAlgorithms,
}
