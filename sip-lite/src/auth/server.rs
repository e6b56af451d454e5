//! The server (UAS, registrar, proxy) side: challenges, nonces and verification
//! (RFC 3261 §22.1-§22.3, RFC 7616 §3.3-§3.5 and §5, RFC 8760 §2.3).

use std::fmt;
use std::time::Instant;

use super::hash::{Algorithm, Qop, ResponseInput, constant_time_eq, ha1, response, unhex};
use super::nonce::{CountVerdict, Nonces};
use super::server_config::{DigestServerConfig, ServerConfigError};
use super::store::{CredentialStore, StoredSecret};
use super::{is_true, push_param};
use crate::header::{HeaderName, HeaderValue};
use crate::typed::{AuthParams, HeaderError};
use crate::{Request, Response, StatusCode};

/// A successful verification.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Authorized {
    /// The authenticated user (resolved from the userhash if one was sent).
    pub username: String,
    /// The algorithm of the credentials.
    pub algorithm: Algorithm,
    /// The Authentication-Info value (`rspauth`, RFC 7616 §3.5) for the final response, when
    /// the credentials used qop.
    pub authentication_info: Option<HeaderValue>,
}

/// Why credentials were refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// An Authorization header does not follow its grammar.
    #[error("malformed credentials: {0}")]
    Malformed(HeaderError),
    /// A required parameter is missing (RFC 7616 §3.4).
    #[error("credentials lack the {0} parameter")]
    MissingParameter(&'static str),
    /// A parameter has a value it cannot have (a bad `nc`, a `response` of the wrong length).
    #[error("credentials have an invalid {0} parameter")]
    InvalidParameter(&'static str),
    /// A `qop` other than `auth`, or none where it is required.
    #[error("unsupported qop")]
    UnsupportedQop,
    /// An algorithm this server does not offer.
    #[error("an algorithm this server does not offer")]
    AlgorithmNotOffered,
    /// The `uri` parameter is not the Request-URI (RFC 2617 §3.2.2.5).
    #[error("the digest uri is not the Request-URI")]
    UriMismatch,
    /// The `opaque` parameter is not the one this server sent.
    #[error("the opaque value is not this server's")]
    OpaqueMismatch,
    /// The credential store does not know the user.
    #[error("unknown user")]
    UnknownUser,
    /// The `response` does not match: wrong password.
    #[error("wrong password")]
    WrongPassword,
    /// The nonce was not issued by this server and the response does not verify either.
    #[error("a nonce this server did not issue")]
    InvalidNonce,
    /// A nonce count that was already used with this nonce: a replay (RFC 7616 §5.5).
    #[error("replayed nonce count")]
    Replay,
}

impl Rejection {
    /// The status to answer: 400 for malformed or unacceptable credentials, 401 (407 for a
    /// `proxy`) with fresh challenges for an unknown user, a wrong password or a nonce not
    /// issued here, 403 for a replay.
    pub fn status(&self, proxy: bool) -> StatusCode {
        match self {
            Rejection::Replay => StatusCode::FORBIDDEN,
            r if r.wants_challenge() && proxy => StatusCode::PROXY_AUTHENTICATION_REQUIRED,
            r if r.wants_challenge() => StatusCode::UNAUTHORIZED,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// Whether the answer carries fresh challenges (`stale=false`: new credentials needed).
    pub fn wants_challenge(&self) -> bool {
        matches!(
            self,
            Rejection::UnknownUser | Rejection::WrongPassword | Rejection::InvalidNonce
        )
    }
}

/// The verdict on a request's credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The credentials are good: process the request.
    Authorized(Authorized),
    /// Answer 401/407 with fresh challenges: no credentials for this realm (`stale: false`),
    /// or good credentials with an expired or forgotten nonce (`stale: true`: the client
    /// retries without asking its user, RFC 7616 §3.3).
    Challenge {
        /// Whether to send `stale=true`.
        stale: bool,
    },
    /// Refuse the request with `status`: 400 for malformed credentials, 401/407 (with
    /// fresh challenges) for unknown users and wrong passwords, 403 for a replay.
    Rejected {
        /// Why.
        reason: Rejection,
        /// The status to answer.
        status: StatusCode,
    },
}

/// The server side of digest authentication for one realm.
///
/// Nonces carry their issue time and an HMAC (see the `nonce` module docs): the server keeps
/// no state per challenge, tells its own nonces from forged ones and knows their age
/// (RFC 7616 §5.4). Per nonce in use it keeps the nonce counts seen, in a table bounded by
/// [`max_tracked_nonces`](DigestServerConfig::max_tracked_nonces).
///
/// ```
/// use std::collections::HashMap;
/// use std::time::{Duration, Instant};
/// use sip_lite::auth::{
///     Algorithm, DigestClient, DigestClientConfig, DigestCredentials, DigestServer,
///     DigestServerConfig, Outcome,
/// };
/// use sip_lite::{HeaderName, Method, Request, RequestUri, Response, StatusCode};
///
/// let start = Instant::now();
/// let config = DigestServerConfig::new("example.com")
///     .algorithms([Algorithm::Sha512_256, Algorithm::Sha256])
///     .nonce_lifetime(Duration::from_secs(60));
/// let mut registrar = DigestServer::new(config, start)?;
/// let users = HashMap::from([("alice".to_string(), "s3cret".to_string())]);
///
/// let mut register = Request::new(Method::Register, RequestUri::new("sip:example.com")?);
/// let mut response = Response::new(StatusCode::OK);
/// let outcome = registrar.verify(start, &register, &users);
/// registrar.respond(start, &outcome, &mut response);
/// assert_eq!(response.status, StatusCode::UNAUTHORIZED);
/// assert_eq!(response.headers.count(&HeaderName::WwwAuthenticate), 2);
///
/// let mut alice =
///     DigestClient::new(DigestCredentials::new("alice", "s3cret"), DigestClientConfig::default());
/// alice.handle_challenge(&mut register, &response)?;
/// assert!(matches!(registrar.verify(start, &register, &users), Outcome::Authorized(_)));
///
/// // Two minutes later the nonce has expired: stale, and the client retries by itself.
/// let later = start + Duration::from_secs(120);
/// let mut refresh = Request::new(Method::Register, RequestUri::new("sip:example.com")?);
/// alice.authorize(&mut refresh)?;
/// let outcome = registrar.verify(later, &refresh, &users);
/// assert_eq!(outcome, Outcome::Challenge { stale: true });
/// let mut response = Response::new(StatusCode::OK);
/// registrar.respond(later, &outcome, &mut response);
/// alice.handle_challenge(&mut refresh, &response)?;
/// assert!(matches!(registrar.verify(later, &refresh, &users), Outcome::Authorized(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DigestServer {
    config: DigestServerConfig,
    start: Instant,
    nonces: Nonces,
    opaque: String,
}

impl fmt::Debug for DigestServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestServer")
            .field("config", &self.config)
            .field("nonces", &self.nonces)
            .finish_non_exhaustive()
    }
}

impl DigestServer {
    /// A server; nonce ages are measured from `start` (e.g. a `SimClock`'s start in tests).
    pub fn new(
        mut config: DigestServerConfig,
        start: Instant,
    ) -> Result<DigestServer, ServerConfigError> {
        if config.realm.chars().any(char::is_control) {
            return Err(ServerConfigError::InvalidRealm);
        }
        let mut algorithms: Vec<Algorithm> = Vec::new();
        for a in config.algorithms.drain(..) {
            if !algorithms.contains(&a) {
                algorithms.push(a); // RFC 8760 §2.3: one challenge per algorithm.
            }
        }
        if algorithms.is_empty() {
            return Err(ServerConfigError::NoAlgorithms);
        }
        config.algorithms = algorithms;
        let key = config.secret.unwrap_or_else(|| {
            let mut k = [0u8; 32];
            config.ids.fill(&mut k);
            k
        });
        let nonces = Nonces::new(
            key,
            &config.realm,
            config.nonce_lifetime.as_secs(),
            config.max_tracked_nonces,
        );
        Ok(DigestServer {
            opaque: nonces.opaque(),
            config,
            start,
            nonces,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &DigestServerConfig {
        &self.config
    }

    /// The status a challenge is sent with: 401, or 407 for a proxy.
    pub fn challenge_status(&self) -> StatusCode {
        if self.config.proxy {
            StatusCode::PROXY_AUTHENTICATION_REQUIRED
        } else {
            StatusCode::UNAUTHORIZED
        }
    }

    /// One challenge value per configured algorithm, most preferred first (RFC 8760 §2.3),
    /// each with a fresh nonce.
    pub fn challenges(&mut self, now: Instant, stale: bool) -> Vec<HeaderValue> {
        let algorithms = self.config.algorithms.clone();
        algorithms
            .into_iter()
            .filter_map(|alg| {
                let nonce = self.new_nonce(now);
                let mut v = String::from("Digest ");
                push_param(&mut v, "realm", &self.config.realm, true);
                push_param(&mut v, "nonce", &nonce, true);
                push_param(&mut v, "opaque", &self.opaque, true);
                push_param(&mut v, "algorithm", alg.as_str(), false);
                push_param(&mut v, "qop", "auth", true);
                if stale {
                    push_param(&mut v, "stale", "true", false);
                }
                if self.config.userhash {
                    push_param(&mut v, "userhash", "true", false);
                }
                // The realm was checked for control characters at construction.
                HeaderValue::new(v).ok()
            })
            .collect()
    }

    /// Finishes `response` for `outcome`: for a challenge or a rejection, sets the status and
    /// adds the challenges (WWW-Authenticate or Proxy-Authenticate lines) it wants; for an
    /// authorization, adds Authentication-Info when there is one (the status is left alone).
    pub fn respond(&mut self, now: Instant, outcome: &Outcome, response: &mut Response) {
        let (status, challenge, stale) = match outcome {
            Outcome::Authorized(a) => {
                if let Some(info) = &a.authentication_info {
                    response
                        .headers
                        .push(HeaderName::AuthenticationInfo, info.clone());
                }
                return;
            }
            Outcome::Challenge { stale } => (self.challenge_status(), true, *stale),
            Outcome::Rejected { reason, status } => (*status, reason.wants_challenge(), false),
        };
        response.status = status;
        response.reason = crate::ReasonPhrase::canonical(status);
        if challenge {
            let name = if self.config.proxy {
                HeaderName::ProxyAuthenticate
            } else {
                HeaderName::WwwAuthenticate
            };
            for v in self.challenges(now, stale) {
                response.headers.push(name.clone(), v);
            }
        }
    }

    /// Verifies the credentials of `request` for this realm (RFC 3261 §22.2, §22.3; RFC 7616
    /// §3.4). ACK and CANCEL cannot be challenged (RFC 3261 §22.1): do not ask about them.
    pub fn verify(
        &mut self,
        now: Instant,
        request: &Request,
        store: &(impl CredentialStore + ?Sized),
    ) -> Outcome {
        match self.check(now, request, store) {
            Ok(outcome) => outcome,
            Err(reason) => {
                let status = reason.status(self.config.proxy);
                Outcome::Rejected { reason, status }
            }
        }
    }

    fn check(
        &mut self,
        now: Instant,
        request: &Request,
        store: &(impl CredentialStore + ?Sized),
    ) -> Result<Outcome, Rejection> {
        let name = if self.config.proxy {
            HeaderName::ProxyAuthorization
        } else {
            HeaderName::Authorization
        };
        // RFC 3261 §22.3: look through the credentials for the ones of our realm.
        let mut ours = None;
        for credentials in request.headers.challenges(&name) {
            let credentials = credentials.map_err(Rejection::Malformed)?;
            if credentials.is_digest()
                && credentials.params().get("realm").as_deref() == Some(&self.config.realm)
            {
                ours = Some(credentials.params());
                break;
            }
        }
        let Some(p) = ours else {
            return Ok(Outcome::Challenge { stale: false });
        };
        let required = |name: &'static str| p.get(name).ok_or(Rejection::MissingParameter(name));
        if p.get("username*").is_some() {
            // The RFC 7616 §3.4.4 extended notation (username*, RFC 5987) is not supported.
            return Err(Rejection::InvalidParameter("username*"));
        }
        let (username, nonce, uri) = (required("username")?, required("nonce")?, required("uri")?);
        let client_response = required("response")?.to_ascii_lowercase();
        let algorithm = match p.get("algorithm") {
            Some(a) => a.parse().map_err(|_| Rejection::AlgorithmNotOffered)?,
            None => Algorithm::Md5, // RFC 7616 §3.4: absent means MD5
        };
        if !self.config.algorithms.contains(&algorithm) {
            return Err(Rejection::AlgorithmNotOffered);
        }
        let (qop, cnonce, nc_text, nc) = self.qop_params(&p, algorithm)?;
        if *uri != *request.uri.as_str() {
            return Err(Rejection::UriMismatch);
        }
        if p.get("opaque").as_deref() != Some(self.opaque.as_str()) {
            return Err(Rejection::OpaqueMismatch);
        }
        if client_response.len() != algorithm.hex_len() {
            return Err(Rejection::InvalidParameter("response"));
        }
        let base = algorithm.base();
        let username = if is_true(p.get("userhash").as_deref()) {
            store
                .username_for_userhash(&username, &self.config.realm, base)
                .ok_or(Rejection::UnknownUser)?
        } else {
            username.into_owned()
        };
        let secret = match store.lookup(&username, &self.config.realm, base) {
            Some(StoredSecret::Password(pw)) => ha1(base, &username, &self.config.realm, &pw),
            Some(StoredSecret::Ha1(h)) => h.to_ascii_lowercase(),
            None => return Err(Rejection::UnknownUser),
        };
        let mut input = ResponseInput {
            algorithm,
            nonce: &nonce,
            cnonce: &cnonce,
            nc: &nc_text,
            qop,
            method: request.method.as_str(),
            uri: &uri,
        };
        let expected = response(&input, &secret);
        let authentic = self.nonces.open(&nonce);
        if !constant_time_eq(expected.as_bytes(), client_response.as_bytes()) {
            return Err(match authentic {
                Some(_) => Rejection::WrongPassword,
                None => Rejection::InvalidNonce,
            });
        }
        // The client knows the password. A nonce that is not ours (another secret, a restart)
        // or too old gets a fresh one without bothering the user (RFC 7616 §3.3).
        let Some(info) = authentic else {
            return Ok(Outcome::Challenge { stale: true });
        };
        let now_secs = self.now_secs(now);
        if !self.nonces.is_fresh(info.issued, now_secs) {
            return Ok(Outcome::Challenge { stale: true });
        }
        match self.nonces.count(now_secs, &info, nc) {
            CountVerdict::New => {}
            CountVerdict::Forgotten => return Ok(Outcome::Challenge { stale: true }),
            CountVerdict::Replay => return Err(Rejection::Replay),
        }
        let authentication_info = qop.and_then(|q| {
            input.method = ""; // RFC 7616 §3.5: rspauth has A2 = ":" uri
            let rspauth = response(&input, &secret);
            let mut v = String::from(" ");
            push_param(&mut v, "rspauth", &rspauth, true);
            push_param(&mut v, "cnonce", &cnonce, true);
            push_param(&mut v, "nc", &nc_text, false);
            push_param(&mut v, "qop", q.as_str(), false);
            HeaderValue::new(v).ok()
        });
        Ok(Outcome::Authorized(Authorized {
            username,
            algorithm,
            authentication_info,
        }))
    }

    /// `(qop, cnonce, nc as sent, nc)`; nc 0 stands for "no qop" (RFC 2617 compatibility).
    fn qop_params(
        &self,
        p: &AuthParams<'_>,
        algorithm: Algorithm,
    ) -> Result<(Option<Qop>, String, String, u32), Rejection> {
        match p.get("qop") {
            Some(q) if q.eq_ignore_ascii_case("auth") => {
                let cnonce = p
                    .get("cnonce")
                    .ok_or(Rejection::MissingParameter("cnonce"))?;
                let nc_text = p.get("nc").ok_or(Rejection::MissingParameter("nc"))?;
                // RFC 7616 §3.4: nc is 8 hex digits, counting from 1.
                let mut bytes = [0u8; 4];
                if !unhex(&nc_text, &mut bytes) || bytes == [0; 4] || cnonce.is_empty() {
                    return Err(Rejection::InvalidParameter("nc"));
                }
                let nc = u32::from_be_bytes(bytes);
                Ok((
                    Some(Qop::Auth),
                    cnonce.into_owned(),
                    nc_text.into_owned(),
                    nc,
                ))
            }
            Some(_) => Err(Rejection::UnsupportedQop),
            None if algorithm == Algorithm::Md5 && self.config.accept_without_qop => {
                Ok((None, String::new(), String::new(), 0))
            }
            None => Err(Rejection::UnsupportedQop),
        }
    }

    fn now_secs(&self, now: Instant) -> u64 {
        self.config
            .epoch_secs
            .saturating_add(now.saturating_duration_since(self.start).as_secs())
    }

    fn new_nonce(&mut self, now: Instant) -> String {
        let mut random = [0u8; 16];
        self.config.ids.fill(&mut random);
        self.nonces.mint(self.now_secs(now), random)
    }
}
