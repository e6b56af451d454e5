//! Digest authentication (RFC 3261 §22 with the RFC 7616 algorithms, as RFC 8760 applies them
//! to SIP): MD5, SHA-256 and SHA-512-256 and their `-sess` variants, `qop=auth`, and the
//! RFC 2617 form without qop for MD5 only.
//!
//! ```text
//!   UAC                                              UAS / registrar / proxy
//!   REGISTER ───────────────────────────────────────► DigestServer::verify -> Challenge
//!            ◄── 401 + WWW-Authenticate (one per ───  DigestServer::respond
//!                algorithm, preference order)
//!   DigestClient::handle_challenge
//!   REGISTER + Authorization ───────────────────────► DigestServer::verify -> Authorized
//!            ◄── 200 + Authentication-Info (rspauth)  DigestServer::respond
//!   DigestClient::check_authentication_info
//! ```
//!
//! Rules this module follows:
//!
//! - **Which challenge.** The client answers, per realm, the topmost challenge whose algorithm
//!   and qop it supports, in the order the server listed them (RFC 8760 §2.4), not the
//!   strongest; refusing MD5 is a local policy ([`DigestClientConfig::allow_md5`]). The server
//!   lists one challenge per configured algorithm, most preferred first (RFC 8760 §2.3).
//! - **Stale or wrong.** A new challenge for a realm whose credentials the request already
//!   carried is answered only when it says `stale=true`; otherwise the credentials were
//!   refused (RFC 7616 §3.3). The server says `stale=true` only when the response digest is
//!   right, for a nonce that expired, was forgotten or is not its own.
//! - **Replay.** Each nonce in use has its counts tracked (the highest and the 64 before it),
//!   in a table of bounded size; a nonce that had to be forgotten is answered `stale=true`,
//!   never accepted again.
//!
//! Both sides are sans-IO: no clock (the server takes `now: Instant` and measures nonce age
//! from an `Instant` given at construction), no randomness of their own (an [`IdGenerator`]
//! in each config, the OS CSPRNG by default, a seeded source in tests).
//!
//! ```
//! use std::collections::HashMap;
//! use std::time::Instant;
//! use sip_lite::auth::{
//!     DigestClient, DigestClientConfig, DigestCredentials, DigestServer, DigestServerConfig,
//!     Outcome,
//! };
//! use sip_lite::{Method, Request, RequestUri, Response, StatusCode};
//!
//! let start = Instant::now();
//! let mut server = DigestServer::new(DigestServerConfig::new("example.com"), start)?;
//! let users = HashMap::from([("alice".to_string(), "s3cret".to_string())]);
//!
//! // A request without credentials is challenged.
//! let mut register = Request::new(Method::Register, RequestUri::new("sip:example.com")?);
//! let outcome = server.verify(start, &register, &users);
//! assert_eq!(outcome, Outcome::Challenge { stale: false });
//! let mut response = Response::new(StatusCode::OK); // with Via, From, To... copied in
//! server.respond(start, &outcome, &mut response);
//! assert_eq!(response.status, StatusCode::UNAUTHORIZED);
//!
//! // The client answers the first challenge it supports (SHA-256 here) ...
//! let credentials = DigestCredentials::new("alice", "s3cret");
//! let mut client = DigestClient::new(credentials, DigestClientConfig::default());
//! client.handle_challenge(&mut register, &response)?;
//! let authorization = register.headers.get(&sip_lite::HeaderName::Authorization).unwrap();
//! assert!(authorization.as_str().contains("algorithm=SHA-256"));
//!
//! // ... and the server lets it in.
//! let outcome = server.verify(start, &register, &users);
//! let Outcome::Authorized(who) = &outcome else { panic!("{outcome:?}") };
//! assert_eq!(who.username, "alice");
//!
//! // The 200 proves that the server knows the password too (rspauth).
//! let mut ok = Response::new(StatusCode::OK);
//! server.respond(start, &outcome, &mut ok);
//! client.check_authentication_info(&register, &ok)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod client;
mod credentials;
mod hash;
mod nonce;
mod server;
mod server_config;
mod store;
#[cfg(test)]
mod tests;

pub(crate) use hash::hex as hash_hex;

pub use client::{DigestClient, DigestClientError, ServerProof};
pub use credentials::{DigestClientConfig, DigestCredentials};
pub use hash::{Algorithm, Qop, ResponseInput, UnknownAlgorithm, ha1, response, userhash};
pub use server::{Authorized, DigestServer, Outcome, Rejection};
pub use server_config::{DigestServerConfig, ServerConfigError};
pub use store::{CredentialStore, StoredSecret};

/// The random source of the digest engines (client nonces, server nonces and, when none is
/// configured, the server's secret): the crate's [`IdGenerator`].
pub use crate::IdGenerator;

/// Appends `value` as a quoted-string, escaping `"` and `\` (RFC 3261 §25.1 quoted-pair).
pub(crate) fn push_quoted(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Appends `, name="value"` (or `name="value"` at the start of the parameter list).
pub(crate) fn push_param(out: &mut String, name: &str, value: &str, quoted: bool) {
    if !out.ends_with(' ') {
        out.push_str(", ");
    }
    out.push_str(name);
    out.push('=');
    if quoted {
        push_quoted(out, value);
    } else {
        out.push_str(value);
    }
}

/// `true` (any case) as a `stale` or `userhash` value means true; anything else is false
/// (RFC 7616 §3.3).
pub(crate) fn is_true(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.eq_ignore_ascii_case("true"))
}
