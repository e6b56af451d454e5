//! Where a server finds its users' secrets.

use std::collections::HashMap;
use std::fmt;

use super::hash::{Algorithm, constant_time_eq, userhash};

/// What a [`CredentialStore`] knows about a user.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoredSecret {
    /// The password in clear.
    Password(String),
    /// `H(username ":" realm ":" password)` in lowercase hex for the asked algorithm
    /// (see [`ha1`](super::ha1)), so the password itself need not be stored.
    Ha1(String),
}

impl fmt::Debug for StoredSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoredSecret::Password(_) => f.write_str("Password(<hidden>)"),
            StoredSecret::Ha1(_) => f.write_str("Ha1(<hidden>)"),
        }
    }
}

/// Where the server looks users up.
pub trait CredentialStore {
    /// The secret of `username` in `realm` for `algorithm` (a base algorithm, never `-sess`),
    /// or `None` for an unknown user.
    fn lookup(&self, username: &str, realm: &str, algorithm: Algorithm) -> Option<StoredSecret>;

    /// The username whose [`userhash`](super::userhash) for `realm` and `algorithm` is
    /// `userhash` (RFC 7616 §3.4.4). The default knows none.
    fn username_for_userhash(
        &self,
        userhash: &str,
        realm: &str,
        algorithm: Algorithm,
    ) -> Option<String> {
        let _ = (userhash, realm, algorithm);
        None
    }
}

/// Username -> password, the same in every realm (for tests and small deployments). Userhash
/// lookups scan every entry.
impl CredentialStore for HashMap<String, String> {
    fn lookup(&self, username: &str, _realm: &str, _: Algorithm) -> Option<StoredSecret> {
        self.get(username).cloned().map(StoredSecret::Password)
    }

    fn username_for_userhash(&self, hash: &str, realm: &str, alg: Algorithm) -> Option<String> {
        let hash = hash.to_ascii_lowercase();
        self.keys()
            .find(|u| constant_time_eq(userhash(alg, u, realm).as_bytes(), hash.as_bytes()))
            .cloned()
    }
}
