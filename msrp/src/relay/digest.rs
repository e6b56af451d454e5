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

use std::collections::{HashMap, VecDeque};
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest as _, Md5};
use sha2::Sha256;
use thiserror::Error;

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

/// Where a relay looks up its users' H(A1) values ([`ha1`]).
pub trait CredentialStore {
    /// H(A1) for `username` in `realm`, or `None` if there is no such user.
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]>;
}

/// Why [`DigestServer::verify`] refused an `Authorization`.
///
/// Only [`AuthFailure::Stale`] means the credentials were right: answer it with a new
/// challenge with `stale=true`. The others deserve a new challenge (401) or, by local policy
/// after repeated failures, 403 (RFC 4976 §6.3).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthFailure {
    /// The nonce is authentic and the response right, but the nonce has expired (or its count
    /// was forgotten): retry with a fresh nonce.
    #[error("nonce is stale")]
    Stale,
    /// The nonce was not issued by this server with this key and realm (forged, tampered
    /// with, or from the future).
    #[error("nonce was not issued here")]
    BadNonce,
    /// The realm is not this server's.
    #[error("realm is not this server's")]
    WrongRealm,
    /// The `uri` parameter names another URI than the request's.
    #[error("digest uri does not match the request")]
    UriMismatch,
    /// The credential store does not know the user.
    #[error("unknown user")]
    UnknownUser,
    /// The response digest is wrong (wrong password, or altered parameters).
    #[error("wrong response digest")]
    WrongResponse,
    /// The nonce count did not increase: a replayed answer.
    #[error("nonce count did not increase (replay)")]
    Replay,
    /// A field holds a value no valid answer has (response not 32 hex digits, nc zero).
    #[error("malformed authorization")]
    Malformed,
}

/// Nonce layout: 8 bytes issue time (milliseconds since the server's epoch, big-endian), 8
/// bytes salt, 16 bytes truncated HMAC-SHA-256 over realm, time and salt; hex-encoded.
const NONCE_TIME: usize = 8;
const NONCE_SALT: usize = 8;
const NONCE_TAG: usize = 16;
const NONCE_BYTES: usize = NONCE_TIME + NONCE_SALT + NONCE_TAG;

/// The relay side of RFC 4976 digest: issues challenges and verifies answers.
///
/// Nonces are issued without state: each carries its issue time and an HMAC-SHA-256 tag under
/// the server's key, so any server with the same key, realm and epoch accepts it until
/// `nonce_lifetime` has passed. The only state is a bounded table of the highest nonce count
/// seen per nonce (oldest entries evicted first), which refuses replays; a nonce whose entry
/// was evicted is answered as stale so that it cannot be replayed.
///
/// See the [module documentation](self) for an example.
#[derive(Debug)]
pub struct DigestServer {
    realm: String,
    key: [u8; 32],
    nonce_lifetime: Duration,
    epoch: Instant,
    salt: AtomicU64,
    counts: HashMap<String, u32>,
    order: VecDeque<(String, u64)>,
    capacity: usize,
    /// Highest issue time of any nonce evicted from `counts`; unknown nonces issued at or
    /// before it may have been used already.
    evicted_up_to: Option<u64>,
}

impl DigestServer {
    /// A server for `realm` whose nonces are authenticated with `key` (keep it secret; share
    /// it between relays that should accept each other's nonces) and expire after
    /// `nonce_lifetime`. `epoch` is the reference instant nonce times are counted from.
    pub fn new(
        realm: impl Into<String>,
        key: [u8; 32],
        nonce_lifetime: Duration,
        epoch: Instant,
    ) -> Self {
        Self {
            realm: realm.into(),
            key,
            nonce_lifetime,
            epoch,
            salt: AtomicU64::new(0),
            counts: HashMap::new(),
            order: VecDeque::new(),
            capacity: DEFAULT_REPLAY_CAPACITY,
            evicted_up_to: None,
        }
    }

    /// Sets how many nonces' counts are remembered (at least 1; default
    /// [`DEFAULT_REPLAY_CAPACITY`]).
    #[must_use]
    pub fn with_replay_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity.max(1);
        self
    }

    /// The realm.
    pub fn realm(&self) -> &str {
        &self.realm
    }

    /// A challenge with a fresh nonce, for a 401; `stale` when answering
    /// [`AuthFailure::Stale`].
    pub fn challenge(&mut self, now: Instant, stale: bool) -> Challenge {
        Challenge {
            realm: self.realm.clone(),
            nonce: self.issue_nonce(now),
            opaque: None,
            stale,
        }
    }

    /// Checks `auth`, received on a request with `method` whose digest URI (rightmost To-Path
    /// URI) is `uri`. Returns the authenticated user name.
    ///
    /// The checks, in order: field sanity, realm, `uri` parameter, the nonce's tag, the user,
    /// the response digest (constant time), the nonce's age, and the nonce count, which must
    /// be higher than any seen before with this nonce. The count is recorded only when
    /// everything else passed.
    pub fn verify(
        &mut self,
        now: Instant,
        method: &str,
        uri: &str,
        auth: &Authorization,
        store: &dyn CredentialStore,
    ) -> Result<String, AuthFailure> {
        if auth.nc == 0 || !is_digest_hex(&auth.response) {
            return Err(AuthFailure::Malformed);
        }
        if auth.realm != self.realm {
            return Err(AuthFailure::WrongRealm);
        }
        if !auth.uri.is_empty() && auth.uri != uri {
            return Err(AuthFailure::UriMismatch);
        }
        let issued = self.check_nonce(&auth.nonce)?;
        let now_ms = self.millis(now);
        if issued > now_ms {
            return Err(AuthFailure::BadNonce);
        }
        let key = store
            .ha1(&auth.username, &auth.realm)
            .ok_or(AuthFailure::UnknownUser)?;
        let expected = request_digest(&key, &auth.nonce, auth.nc, &auth.cnonce, method, uri);
        if !constant_time_eq(
            expected.as_bytes(),
            auth.response.to_ascii_lowercase().as_bytes(),
        ) {
            return Err(AuthFailure::WrongResponse);
        }
        let lifetime = u64::try_from(self.nonce_lifetime.as_millis()).unwrap_or(u64::MAX);
        if now_ms - issued > lifetime {
            return Err(AuthFailure::Stale);
        }
        match self.counts.get_mut(&auth.nonce) {
            Some(last) if auth.nc <= *last => return Err(AuthFailure::Replay),
            Some(last) => *last = auth.nc,
            None => {
                if self.evicted_up_to.is_some_and(|t| issued <= t) {
                    return Err(AuthFailure::Stale);
                }
                self.remember(auth.nonce.clone(), auth.nc, issued);
            }
        }
        Ok(auth.username.clone())
    }

    /// The `Authentication-Info` for the 200 answering `auth` (already accepted by
    /// [`verify`](Self::verify) for digest URI `uri`): `rspauth` proving the relay knows the
    /// user's credentials, the echoed `cnonce` and `nc`, and a fresh `nextnonce`
    /// (RFC 4976 §9.1, RFC 2617 §3.2.3). `None` if the store does not know the user.
    pub fn authentication_info(
        &self,
        now: Instant,
        auth: &Authorization,
        uri: &str,
        store: &dyn CredentialStore,
    ) -> Option<AuthenticationInfo> {
        let key = store.ha1(&auth.username, &auth.realm)?;
        Some(AuthenticationInfo {
            next_nonce: Some(self.issue_nonce(now)),
            rspauth: request_digest(&key, &auth.nonce, auth.nc, &auth.cnonce, "", uri),
            cnonce: auth.cnonce.clone(),
            nc: auth.nc,
        })
    }

    fn millis(&self, now: Instant) -> u64 {
        u64::try_from(now.saturating_duration_since(self.epoch).as_millis()).unwrap_or(u64::MAX)
    }

    fn tag(&self, time: &[u8], salt: &[u8]) -> Option<[u8; NONCE_TAG]> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key).ok()?;
        mac.update(b"msrp-relay-nonce\0");
        mac.update(self.realm.as_bytes());
        mac.update(b"\0");
        mac.update(time);
        mac.update(salt);
        let full = mac.finalize().into_bytes();
        let mut tag = [0u8; NONCE_TAG];
        for (t, b) in tag.iter_mut().zip(full.iter()) {
            *t = *b;
        }
        Some(tag)
    }

    fn issue_nonce(&self, now: Instant) -> String {
        let time = self.millis(now).to_be_bytes();
        let salt = self.salt.fetch_add(1, Ordering::Relaxed).to_be_bytes();
        // HMAC accepts keys of any length, so tag() cannot fail; an empty tag would simply
        // never verify.
        let tag = self.tag(&time, &salt).unwrap_or_default();
        let mut nonce = String::with_capacity(2 * NONCE_BYTES);
        for b in time.iter().chain(&salt).chain(&tag) {
            let _ = write!(nonce, "{b:02x}");
        }
        nonce
    }

    /// The issue time of a nonce this server made, or `BadNonce`.
    fn check_nonce(&self, nonce: &str) -> Result<u64, AuthFailure> {
        let bytes = unhex(nonce).ok_or(AuthFailure::BadNonce)?;
        let (time, rest) = bytes
            .split_first_chunk::<NONCE_TIME>()
            .ok_or(AuthFailure::BadNonce)?;
        let (salt, tag) = rest
            .split_first_chunk::<NONCE_SALT>()
            .ok_or(AuthFailure::BadNonce)?;
        let expected = self.tag(time, salt).ok_or(AuthFailure::BadNonce)?;
        if tag.len() != NONCE_TAG || !constant_time_eq(&expected, tag) {
            return Err(AuthFailure::BadNonce);
        }
        Ok(u64::from_be_bytes(*time))
    }

    fn remember(&mut self, nonce: String, nc: u32, issued: u64) {
        while self.order.len() >= self.capacity {
            let Some((old, old_issued)) = self.order.pop_front() else {
                break;
            };
            self.counts.remove(&old);
            self.evicted_up_to = Some(self.evicted_up_to.map_or(old_issued, |t| t.max(old_issued)));
        }
        self.counts.insert(nonce.clone(), nc);
        self.order.push_back((nonce, issued));
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

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 || s.len() > 2 * NONCE_BYTES {
        return None;
    }
    s.as_bytes()
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(hex_val(*hi)? << 4 | hex_val(*lo)?),
            _ => None,
        })
        .collect()
}

fn hex_val(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
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

/// Checks the length and removes a leading `Digest` scheme token.
fn strip_scheme(value: &str) -> Result<&str, DigestError> {
    if value.len() > MAX_VALUE_LEN {
        return Err(DigestError::TooLong);
    }
    let value = value.trim_start_matches([' ', '\t']);
    let scheme_end = value.find([' ', '\t']).unwrap_or(value.len());
    let (scheme, rest) = value.split_at(scheme_end);
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(DigestError::NotDigest);
    }
    Ok(rest)
}

fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        if c == '"' || c == '\\' {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

/// `name=value` pairs, names lower-cased, values unquoted.
struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `#auth-param` (RFC 7235 §2.1): parameters separated by commas, optional
    /// whitespace around `=` and `,`, empty list elements skipped, values as tokens or quoted
    /// strings with backslash escapes. Duplicate names are refused.
    fn parse(input: &str) -> Result<Params, DigestError> {
        if input.len() > MAX_VALUE_LEN {
            return Err(DigestError::TooLong);
        }
        let b = input.as_bytes();
        let mut pos = 0;
        let mut list: Vec<(String, String)> = Vec::new();
        let skip_ows = |pos: &mut usize| {
            while matches!(b.get(*pos), Some(b' ' | b'\t')) {
                *pos += 1;
            }
        };
        loop {
            // Skip separators and empty elements.
            while matches!(b.get(pos), Some(b' ' | b'\t' | b',')) {
                pos += 1;
            }
            if pos >= b.len() {
                break;
            }
            let start = pos;
            while b.get(pos).is_some_and(|&c| is_tchar(c)) {
                pos += 1;
            }
            let name = input
                .get(start..pos)
                .filter(|n| !n.is_empty())
                .ok_or(DigestError::Syntax { at: pos })?
                .to_ascii_lowercase();
            skip_ows(&mut pos);
            if b.get(pos) != Some(&b'=') {
                return Err(DigestError::Syntax { at: pos });
            }
            pos += 1;
            skip_ows(&mut pos);
            let value = if b.get(pos) == Some(&b'"') {
                pos += 1;
                let mut out = Vec::new();
                loop {
                    match b.get(pos) {
                        None => return Err(DigestError::UnterminatedQuote),
                        Some(b'"') => {
                            pos += 1;
                            break;
                        }
                        Some(b'\\') => {
                            let &escaped = b.get(pos + 1).ok_or(DigestError::UnterminatedQuote)?;
                            if is_ctl(escaped) {
                                return Err(DigestError::Syntax { at: pos + 1 });
                            }
                            out.push(escaped);
                            pos += 2;
                        }
                        Some(&c) if is_ctl(c) => return Err(DigestError::Syntax { at: pos }),
                        Some(&c) => {
                            out.push(c);
                            pos += 1;
                        }
                    }
                }
                // Only ASCII bytes were removed from valid UTF-8, so this cannot fail; map
                // it to a syntax error rather than trusting that.
                String::from_utf8(out).map_err(|_| DigestError::Syntax { at: pos })?
            } else {
                let vstart = pos;
                while b.get(pos).is_some_and(|&c| is_tchar(c)) {
                    pos += 1;
                }
                input
                    .get(vstart..pos)
                    .filter(|v| !v.is_empty())
                    .ok_or(DigestError::Syntax { at: pos })?
                    .to_owned()
            };
            if list.iter().any(|(n, _)| *n == name) {
                return Err(DigestError::DuplicateParam(name));
            }
            if list.len() == MAX_PARAMS {
                return Err(DigestError::TooManyParams);
            }
            list.push((name, value));
            skip_ows(&mut pos);
            match b.get(pos) {
                None => break,
                Some(b',') => pos += 1,
                Some(_) => return Err(DigestError::Syntax { at: pos }),
            }
        }
        Ok(Params(list))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn take(&mut self, name: &str) -> Option<String> {
        let i = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.swap_remove(i).1)
    }
}

/// RFC 7230 `tchar`.
fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// Control characters other than horizontal tab, which cannot appear in a header value.
fn is_ctl(c: u8) -> bool {
    (c < 0x20 && c != b'\t') || c == 0x7f
}

#[cfg(test)]
mod tests;
