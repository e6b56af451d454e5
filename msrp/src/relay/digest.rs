//! HTTP Digest authentication as RFC 4976 §9.1 restricts it for MSRP AUTH requests.
//!
//! RFC 4976 uses RFC 2617 Digest with these restrictions, which this module enforces:
//!
//! - no Basic authentication;
//! - the algorithm is MD5 (an absent `algorithm` means MD5); `MD5-sess` is refused;
//! - `qop` is present in every challenge and answer, and only `auth` is used (never `auth-int`);
//! - clients always send `cnonce` and `nc`;
//! - the request URI in H(A2) is the rightmost To-Path URI of the AUTH request;
//! - a relay's 200 carries `Authentication-Info` with `rspauth`, `cnonce`, `nc` and `qop`.
//!
//! RFC 4976 §7's grammar has no `uri` parameter in `Authorization` (the digest URI is implied by
//! the To-Path, and the RFC's examples omit it). [`Authorization::parse`] accepts it when present
//! (RFC 2617 requires it, and RFC 4976 admits any `auth-param`) and [`Authorization`]'s
//! `Display` writes it when it is not empty; [`DigestServer::verify`] always computes with the
//! URI the caller passes and refuses a `uri` parameter that names another one.
//!
//! The client side is [`respond`]; the relay side is [`DigestServer`], which issues
//! time-stamped, HMAC-SHA-256-authenticated nonces without keeping state per nonce, checks
//! answers against a [`CredentialStore`] in constant time, and refuses replays with a bounded
//! table of nonce counts.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use msrp::relay::digest::{self, Authorization, Challenge, CredentialStore, DigestServer};
//!
//! struct OneUser;
//! impl CredentialStore for OneUser {
//!     fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
//!         (username == "alice").then(|| digest::ha1(username, realm, "secret"))
//!     }
//! }
//!
//! let epoch = Instant::now();
//! let mut relay = DigestServer::new("relay.example.com", [7; 32], Duration::from_secs(300), epoch);
//!
//! // The relay answers a bare AUTH with 401 and this WWW-Authenticate value.
//! let www_authenticate = relay.challenge(epoch, false).to_string();
//!
//! // The client answers it; the digest URI is the rightmost To-Path URI.
//! let uri = "msrps://relay.example.com:2855;tcp";
//! let challenge = Challenge::parse(&www_authenticate)?;
//! let authorization = digest::respond(&challenge, "alice", "secret", "AUTH", uri, "0a4f113b", 1);
//!
//! // The relay parses the Authorization header and verifies it.
//! let received = Authorization::parse(&authorization.to_string())?;
//! let user = relay.verify(epoch, "AUTH", uri, &received, &OneUser).expect("authorized");
//! assert_eq!(user, "alice");
//!
//! // The same answer again is a replay.
//! assert!(relay.verify(epoch, "AUTH", uri, &received, &OneUser).is_err());
//! # Ok::<(), digest::DigestError>(())
//! ```

use std::fmt::{self, Write as _};

use md5::{Digest as _, Md5};
use thiserror::Error;

mod params;
mod server;

use params::{Params, strip_scheme, write_quoted};
pub use server::{AuthFailure, CredentialStore, DigestServer};

/// Longest header value [`Challenge::parse`], [`Authorization::parse`] and
/// [`AuthenticationInfo::parse`] accept, in bytes.
pub const MAX_VALUE_LEN: usize = 4096;

/// Most parameters a header value may carry.
pub const MAX_PARAMS: usize = 32;

/// Default number of nonces whose counts a [`DigestServer`] remembers.
pub const DEFAULT_REPLAY_CAPACITY: usize = 4096;

/// A header value could not be parsed, or asks for something RFC 4976 §9.1 forbids.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestError {
    /// The value is longer than [`MAX_VALUE_LEN`].
    #[error("header value longer than {MAX_VALUE_LEN} bytes")]
    TooLong,
    /// The scheme is not `Digest` (RFC 4976 §9.1 forbids Basic and knows no other).
    #[error("authentication scheme is not Digest")]
    NotDigest,
    /// The parameter list does not follow `name=value *("," name=value)`.
    #[error("malformed parameter list at byte {at}")]
    Syntax {
        /// Byte offset in the value where parsing stopped.
        at: usize,
    },
    /// A quoted string is not closed.
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    /// More than [`MAX_PARAMS`] parameters.
    #[error("more than {MAX_PARAMS} parameters")]
    TooManyParams,
    /// The same parameter appears twice.
    #[error("parameter {0} appears twice")]
    DuplicateParam(String),
    /// A parameter the scheme requires is absent.
    #[error("required parameter {0} is missing")]
    MissingParam(&'static str),
    /// An `algorithm` other than MD5 (RFC 4976 §9.1: no MD5-sess; nothing else is defined).
    #[error("unsupported digest algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// A challenge's qop list without `auth`, or an answer with a qop other than `auth`.
    #[error("qop does not offer or use \"auth\"")]
    UnsupportedQop,
    /// `nc` is not eight hex digits, or is zero.
    #[error("nc is not eight hex digits greater than zero")]
    BadNonceCount,
    /// `response` or `rspauth` is not 32 hex digits.
    #[error("digest is not 32 hex digits")]
    BadDigest,
}

/// A `WWW-Authenticate: Digest ...` challenge (RFC 4976 §4.3, RFC 2617 §3.2.1), MD5 and
/// qop `auth` implied.
///
/// ```
/// use msrp::relay::digest::Challenge;
/// let c = Challenge::parse(
///     r#"Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#,
/// )?;
/// assert_eq!(c.realm, "intra.example.com");
/// assert!(!c.stale);
/// assert_eq!(
///     c.to_string(),
///     r#"Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#
/// );
/// # Ok::<(), msrp::relay::digest::DigestError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Challenge {
    /// The protection space, often the relay's host name.
    pub realm: String,
    /// The server's nonce.
    pub nonce: String,
    /// An opaque value the client echoes.
    pub opaque: Option<String>,
    /// Whether the previous answer was refused only because its nonce was stale: the client
    /// may retry with the same credentials (RFC 2617 §3.2.1).
    pub stale: bool,
}

impl Challenge {
    /// Parses a `WWW-Authenticate` value. Refuses other schemes, algorithms other than MD5,
    /// a missing qop (RFC 4976 §9.1 requires it) and a qop list without `auth`. The `domain`
    /// parameter and unknown parameters are ignored (RFC 4976 §9.1).
    pub fn parse(value: &str) -> Result<Challenge, DigestError> {
        let mut params = Params::parse(strip_scheme(value)?)?;
        check_algorithm(&params)?;
        let qop = params.take("qop").ok_or(DigestError::MissingParam("qop"))?;
        if !qop
            .split(',')
            .any(|q| q.trim_matches([' ', '\t']).eq_ignore_ascii_case("auth"))
        {
            return Err(DigestError::UnsupportedQop);
        }
        let realm = params
            .take("realm")
            .ok_or(DigestError::MissingParam("realm"))?;
        let nonce = params
            .take("nonce")
            .ok_or(DigestError::MissingParam("nonce"))?;
        // RFC 7616 §3.3: any value other than "true" (in any case) means false.
        let stale = params
            .take("stale")
            .is_some_and(|s| s.eq_ignore_ascii_case("true"));
        Ok(Challenge {
            realm,
            nonce,
            opaque: params.take("opaque"),
            stale,
        })
    }
}

impl fmt::Display for Challenge {
    /// The header value, in the parameter order of RFC 4976's examples.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Digest realm=")?;
        write_quoted(f, &self.realm)?;
        f.write_str(", qop=\"auth\", nonce=")?;
        write_quoted(f, &self.nonce)?;
        if let Some(opaque) = &self.opaque {
            f.write_str(", opaque=")?;
            write_quoted(f, opaque)?;
        }
        if self.stale {
            f.write_str(", stale=true")?;
        }
        Ok(())
    }
}

/// An `Authorization: Digest ...` answer (RFC 4976 §4.4, RFC 2617 §3.2.2), MD5 and qop `auth`
/// implied.
///
/// ```
/// use msrp::relay::digest::Authorization;
/// let value = r#"Digest username="Alice", realm="intra.example.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1""#;
/// let a = Authorization::parse(value)?;
/// assert_eq!((a.username.as_str(), a.nc), ("Alice", 1));
/// assert_eq!(a.uri, ""); // RFC 4976's grammar has no uri parameter
/// assert_eq!(a.to_string(), value);
/// # Ok::<(), msrp::relay::digest::DigestError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Authorization {
    /// The user name.
    pub username: String,
    /// The realm of the challenge answered.
    pub realm: String,
    /// The nonce of the challenge answered.
    pub nonce: String,
    /// The `uri` parameter: the digest URI (the rightmost To-Path URI), or empty when the
    /// header has none (RFC 4976 §7 grammar).
    pub uri: String,
    /// The request digest: 32 lower-case hex digits.
    pub response: String,
    /// The client nonce.
    pub cnonce: String,
    /// The nonce count: how many requests this client has sent with this nonce.
    pub nc: u32,
    /// The challenge's opaque value, echoed.
    pub opaque: Option<String>,
}

impl Authorization {
    /// Parses an `Authorization` value. Requires username, realm, nonce, response, cnonce,
    /// nc and qop=auth (RFC 4976 §9.1); refuses algorithms other than MD5. Hex digits in
    /// `response` are lower-cased.
    pub fn parse(value: &str) -> Result<Authorization, DigestError> {
        let mut params = Params::parse(strip_scheme(value)?)?;
        check_algorithm(&params)?;
        let mut need =
            |name: &'static str| params.take(name).ok_or(DigestError::MissingParam(name));
        let username = need("username")?;
        let realm = need("realm")?;
        let nonce = need("nonce")?;
        let response = need("response")?;
        let cnonce = need("cnonce")?;
        let nc = need("nc")?;
        let qop = need("qop")?;
        if !qop.eq_ignore_ascii_case("auth") {
            return Err(DigestError::UnsupportedQop);
        }
        Ok(Authorization {
            username,
            realm,
            nonce,
            uri: params.take("uri").unwrap_or_default(),
            response: parse_digest_hex(&response)?,
            cnonce,
            nc: parse_nc(&nc)?,
            opaque: params.take("opaque"),
        })
    }
}

impl fmt::Display for Authorization {
    /// The header value, in the parameter order of RFC 4976's examples (with `uri` after the
    /// nonce when present, and `opaque` last).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Digest username=")?;
        write_quoted(f, &self.username)?;
        f.write_str(", realm=")?;
        write_quoted(f, &self.realm)?;
        f.write_str(", nonce=")?;
        write_quoted(f, &self.nonce)?;
        if !self.uri.is_empty() {
            f.write_str(", uri=")?;
            write_quoted(f, &self.uri)?;
        }
        write!(f, ", qop=auth, nc={:08x}, cnonce=", self.nc)?;
        write_quoted(f, &self.cnonce)?;
        f.write_str(", response=")?;
        write_quoted(f, &self.response)?;
        if let Some(opaque) = &self.opaque {
            f.write_str(", opaque=")?;
            write_quoted(f, opaque)?;
        }
        Ok(())
    }
}

/// An `Authentication-Info` value (RFC 4976 §4.5, RFC 2617 §3.2.3), as a relay puts it in the
/// 200 to an AUTH: `rspauth`, `cnonce`, `nc`, `qop=auth` and optionally `nextnonce`.
///
/// ```
/// use msrp::relay::digest::AuthenticationInfo;
/// let info = AuthenticationInfo::parse(
///     r#"nextnonce="40f2e879449675f288476d772627370a",rspauth="7327570c586207eca2afae94fc20903d", cnonce="0a4f113b", nc=00000001, qop=auth"#,
/// )?;
/// assert_eq!(info.next_nonce.as_deref(), Some("40f2e879449675f288476d772627370a"));
/// assert_eq!(info.nc, 1);
/// # Ok::<(), msrp::relay::digest::DigestError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AuthenticationInfo {
    /// The nonce the client should use for its next AUTH, if the relay offers one.
    pub next_nonce: Option<String>,
    /// The response digest proving the relay knows the credentials: 32 lower-case hex digits.
    pub rspauth: String,
    /// The client nonce of the request answered.
    pub cnonce: String,
    /// The nonce count of the request answered.
    pub nc: u32,
}

impl AuthenticationInfo {
    /// Parses an `Authentication-Info` value. Requires rspauth, cnonce, nc and qop=auth
    /// (RFC 4976 §9.1).
    pub fn parse(value: &str) -> Result<AuthenticationInfo, DigestError> {
        let mut params = Params::parse(value)?;
        let mut need =
            |name: &'static str| params.take(name).ok_or(DigestError::MissingParam(name));
        let rspauth = parse_digest_hex(&need("rspauth")?)?;
        let cnonce = need("cnonce")?;
        let nc = parse_nc(&need("nc")?)?;
        if !need("qop")?.eq_ignore_ascii_case("auth") {
            return Err(DigestError::UnsupportedQop);
        }
        Ok(AuthenticationInfo {
            next_nonce: params.take("nextnonce"),
            rspauth,
            cnonce,
            nc,
        })
    }

    /// Whether `rspauth` is what a relay knowing `ha1` computes for this answer to `auth`
    /// on `uri` (RFC 2617 §3.2.3: H(A2) without the method), compared in constant time, and
    /// `cnonce` and `nc` echo the request's.
    pub fn verify(&self, auth: &Authorization, uri: &str, ha1: &[u8; 16]) -> bool {
        let expected = request_digest(ha1, &auth.nonce, auth.nc, &auth.cnonce, "", uri);
        let digest_ok = constant_time_eq(expected.as_bytes(), self.rspauth.as_bytes());
        digest_ok && self.cnonce == auth.cnonce && self.nc == auth.nc
    }
}

impl fmt::Display for AuthenticationInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(next) = &self.next_nonce {
            f.write_str("nextnonce=")?;
            write_quoted(f, next)?;
            f.write_str(", ")?;
        }
        f.write_str("rspauth=")?;
        write_quoted(f, &self.rspauth)?;
        f.write_str(", cnonce=")?;
        write_quoted(f, &self.cnonce)?;
        write!(f, ", nc={:08x}, qop=auth", self.nc)
    }
}

/// H(A1) = MD5(username ":" realm ":" password) (RFC 2617 §3.2.2.2), the value a
/// [`CredentialStore`] keeps instead of the password.
///
/// ```
/// let ha1 = msrp::relay::digest::ha1("Mufasa", "testrealm@host.com", "Circle Of Life");
/// assert_eq!(ha1.len(), 16);
/// ```
pub fn ha1(username: &str, realm: &str, password: &str) -> [u8; 16] {
    md5_of(&[username, ":", realm, ":", password])
}

/// The answer to `challenge` for a request with `method` (`AUTH` for RFC 4976) and digest URI
/// `uri` (the rightmost To-Path URI), with client nonce `cnonce` and nonce count `nc`
/// (1 for the first request with this nonce). The result carries `uri`; set it to empty to
/// leave the parameter out as RFC 4976's examples do.
///
/// ```
/// use msrp::relay::digest::{respond, Challenge};
/// let challenge = Challenge {
///     realm: "testrealm@host.com".into(),
///     nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
///     opaque: None,
///     stale: false,
/// };
/// let a = respond(&challenge, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "0a4f113b", 1);
/// assert_eq!(a.response, "6629fae49393a05397450978507c4ef1"); // RFC 2617 §3.5
/// ```
pub fn respond(
    challenge: &Challenge,
    username: &str,
    password: &str,
    method: &str,
    uri: &str,
    cnonce: &str,
    nc: u32,
) -> Authorization {
    let key = ha1(username, &challenge.realm, password);
    Authorization {
        username: username.to_owned(),
        realm: challenge.realm.clone(),
        nonce: challenge.nonce.clone(),
        uri: uri.to_owned(),
        response: request_digest(&key, &challenge.nonce, nc, cnonce, method, uri),
        cnonce: cnonce.to_owned(),
        nc,
        opaque: challenge.opaque.clone(),
    }
}

/// KD(H(A1), nonce ":" nc ":" cnonce ":auth:" H(A2)) with H(A2) = MD5(method ":" uri), in
/// lower-case hex (RFC 2617 §3.2.2.1). An empty `method` gives the `rspauth` value
/// (RFC 2617 §3.2.3).
fn request_digest(
    ha1: &[u8; 16],
    nonce: &str,
    nc: u32,
    cnonce: &str,
    method: &str,
    uri: &str,
) -> String {
    let ha2 = hex(&md5_of(&[method, ":", uri]));
    let nc = format!("{nc:08x}");
    hex(&md5_of(&[
        &hex(ha1),
        ":",
        nonce,
        ":",
        &nc,
        ":",
        cnonce,
        ":auth:",
        &ha2,
    ]))
}

fn md5_of(parts: &[&str]) -> [u8; 16] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p.as_bytes());
    }
    h.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn is_digest_hex(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn parse_digest_hex(s: &str) -> Result<String, DigestError> {
    if is_digest_hex(s) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err(DigestError::BadDigest)
    }
}

fn parse_nc(s: &str) -> Result<u32, DigestError> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(DigestError::BadNonceCount);
    }
    match u32::from_str_radix(s, 16) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(DigestError::BadNonceCount),
    }
}

/// Compares two byte strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

fn check_algorithm(params: &Params) -> Result<(), DigestError> {
    match params.get("algorithm") {
        Some(alg) if !alg.eq_ignore_ascii_case("MD5") => {
            Err(DigestError::UnsupportedAlgorithm(alg.to_owned()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
