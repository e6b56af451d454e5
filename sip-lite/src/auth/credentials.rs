//! What a client is configured with: the user's credentials and the client's policy.

use std::fmt;

use super::IdGenerator;

/// A user's credentials: username, password and, optionally, the only realm they may be sent
/// to. Its `Debug` form hides the password.
#[derive(Clone)]
pub struct DigestCredentials {
    pub(super) username: String,
    pub(super) password: String,
    pub(super) realm: Option<String>,
}

impl DigestCredentials {
    /// Credentials answering challenges of any realm.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> DigestCredentials {
        DigestCredentials {
            username: username.into(),
            password: password.into(),
            realm: None,
        }
    }

    /// Restricts the credentials to challenges of `realm` (compared exactly); challenges of
    /// other realms are ignored.
    #[must_use]
    pub fn with_realm(mut self, realm: impl Into<String>) -> DigestCredentials {
        self.realm = Some(realm.into());
        self
    }

    /// The username.
    pub fn username(&self) -> &str {
        &self.username
    }
}

impl fmt::Debug for DigestCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestCredentials")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .field("realm", &self.realm)
            .finish()
    }
}

/// Client configuration.
#[derive(Debug)]
#[non_exhaustive]
pub struct DigestClientConfig {
    /// Where client nonces come from (default: the OS CSPRNG).
    pub ids: IdGenerator,
    /// Whether MD5 challenges may be answered (default `true`: RFC 8760 §2.1 keeps MD5 for
    /// backward compatibility). A local policy that refuses MD5 is what RFC 8760 §2.4
    /// allows in place of "the topmost challenge the UAC supports".
    pub allow_md5: bool,
    /// How many realms' nonces are remembered for later requests (default 8); beyond it the
    /// least recently challenged realm is forgotten.
    pub max_realms: usize,
    /// How many `stale=true` challenges in a row are answered for one realm before giving up
    /// with [`DigestClientError::TooManyStale`](super::DigestClientError::TooManyStale) (default 3).
    pub max_stale_retries: u8,
}

impl Default for DigestClientConfig {
    fn default() -> DigestClientConfig {
        DigestClientConfig {
            ids: IdGenerator::default(),
            allow_md5: true,
            max_realms: 8,
            max_stale_retries: 3,
        }
    }
}

impl DigestClientConfig {
    /// Sets the id generator.
    #[must_use]
    pub fn ids(mut self, ids: IdGenerator) -> DigestClientConfig {
        self.ids = ids;
        self
    }

    /// Allows or refuses MD5 challenges.
    #[must_use]
    pub fn allow_md5(mut self, allow: bool) -> DigestClientConfig {
        self.allow_md5 = allow;
        self
    }
}
