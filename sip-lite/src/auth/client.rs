//! The client (UAC) side: answering 401/407 challenges (RFC 3261 §22.2, §22.3; RFC 8760 §2.4).

use super::credentials::{DigestClientConfig, DigestCredentials};
use super::hash::{
    Algorithm, Qop, ResponseInput, constant_time_eq, ha1, response as response_digest, userhash,
};
use super::{is_true, push_param};
use crate::header::{HeaderName, HeaderValue};
use crate::typed::{AuthParams, Challenge, HeaderError};
use crate::{Request, Response, StatusCode};

/// Why a challenge could not be answered or a server's proof did not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestClientError {
    /// The response is not a 401 or 407.
    #[error("a {0} response is not a challenge")]
    NotAChallenge(StatusCode),
    /// No Digest challenge has an algorithm, qop and realm this client can answer
    /// (RFC 8760 §2.4: the UAC should then abandon the request).
    #[error("no Digest challenge this client can answer")]
    NoSupportedChallenge,
    /// The request already carried our credentials for `realm` and the server challenged
    /// again without `stale=true`: the username or password is wrong (RFC 7616 §3.3).
    #[error("the credentials for realm {realm:?} were refused")]
    Rejected {
        /// The realm whose credentials were refused.
        realm: String,
    },
    /// The server answered `stale=true` too many times in a row for `realm`.
    #[error("too many stale nonces in a row for realm {realm:?}")]
    TooManyStale {
        /// The realm.
        realm: String,
    },
    /// The username, password or a challenge parameter holds a character that a header value
    /// cannot carry (CR, LF or another control character).
    #[error("credentials or challenge contain a control character")]
    InvalidCharacters,
    /// The Authentication-Info header does not follow its grammar.
    #[error("malformed Authentication-Info: {0}")]
    MalformedAuthenticationInfo(HeaderError),
    /// The `rspauth`, `cnonce` or `nc` of Authentication-Info does not match the request: the
    /// server did not prove that it knows the password (RFC 7616 §3.5).
    #[error("Authentication-Info does not prove the server knows the password")]
    ServerNotAuthenticated,
}

/// The result of checking a response's Authentication-Info.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerProof {
    /// `rspauth` matched: the server knows the password.
    Verified,
    /// The response has no Authentication-Info with `rspauth` for our credentials.
    Absent,
}

/// What the client remembers per realm: the challenge it answers and the nonce count.
#[derive(Clone, Debug)]
struct RealmState {
    realm: String,
    proxy: bool,
    algorithm: Algorithm,
    nonce: String,
    opaque: Option<String>,
    qop: Option<Qop>,
    userhash: bool,
    nc: u32,
    stale_in_a_row: u8,
}

/// A chosen challenge: the topmost supported one of its realm.
struct Chosen {
    realm: String,
    algorithm: Algorithm,
    nonce: String,
    opaque: Option<String>,
    qop: Option<Qop>,
    userhash: bool,
    stale: bool,
}

/// The client side of digest authentication for one user.
///
/// [`handle_challenge`](Self::handle_challenge) answers a 401/407 by adding an Authorization
/// (or Proxy-Authorization) line per challenged realm to the request to resend; the nonce is
/// remembered so that [`authorize`](Self::authorize) can add credentials to later requests
/// with an incremented nonce count (RFC 3261 §22.3 caching). The caller still gives the
/// resent request a new CSeq and branch (RFC 3261 §22.2, §8.1.3.5).
///
/// ```
/// use sip_lite::auth::{DigestClient, DigestClientConfig, DigestClientError, DigestCredentials};
/// use sip_lite::{HeaderName, HeaderValue, Method, Request, RequestUri, Response, StatusCode};
///
/// let mut unauthorized = Response::new(StatusCode::UNAUTHORIZED);
/// for alg in ["SHA-512-256", "MD5"] {
///     let challenge = format!(
///         "Digest realm=\"biloxi.com\", qop=\"auth\", nonce=\"dcd98b71\", algorithm={alg}"
///     );
///     unauthorized.headers.push(HeaderName::WwwAuthenticate, HeaderValue::new(challenge)?);
/// }
/// let mut invite = Request::new(Method::Invite, RequestUri::new("sip:bob@biloxi.com")?);
/// let mut bob = DigestClient::new(
///     DigestCredentials::new("bob", "zanzibar"),
///     DigestClientConfig::default(),
/// );
/// bob.handle_challenge(&mut invite, &unauthorized)?;
/// let credentials = invite.headers.get(&HeaderName::Authorization).unwrap().as_str();
/// assert!(credentials.starts_with("Digest username=\"bob\", realm=\"biloxi.com\""));
/// assert!(credentials.contains("algorithm=SHA-512-256")); // the server's first choice
/// assert!(credentials.contains("nc=00000001"));
///
/// // The same challenge again, without stale=true: the password was wrong.
/// assert_eq!(
///     bob.handle_challenge(&mut invite, &unauthorized),
///     Err(DigestClientError::Rejected { realm: "biloxi.com".into() })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct DigestClient {
    credentials: DigestCredentials,
    config: DigestClientConfig,
    realms: Vec<RealmState>,
}

impl DigestClient {
    /// A client for `credentials`.
    pub fn new(credentials: DigestCredentials, config: DigestClientConfig) -> DigestClient {
        DigestClient {
            credentials,
            config,
            realms: Vec::new(),
        }
    }

    /// Answers the 401 or 407 `response` to `request`: for each realm challenged (subject to
    /// the realm restriction of the credentials), the topmost challenge whose algorithm and
    /// qop this client supports is answered, in the server's order as RFC 8760 §2.4 asks (not
    /// by algorithm strength); an old Authorization line for the same realm is replaced.
    ///
    /// If `request` already carried our credentials for a realm, a new challenge for it is
    /// answered only with `stale=true`; otherwise the password is wrong
    /// ([`DigestClientError::Rejected`]).
    pub fn handle_challenge(
        &mut self,
        request: &mut Request,
        response: &Response,
    ) -> Result<(), DigestClientError> {
        let proxy = match response.status {
            StatusCode::UNAUTHORIZED => false,
            StatusCode::PROXY_AUTHENTICATION_REQUIRED => true,
            other => return Err(DigestClientError::NotAChallenge(other)),
        };
        let (challenge_name, credentials_name) = names(proxy);
        let chosen = self.choose(response, &challenge_name);
        if chosen.is_empty() {
            return Err(DigestClientError::NoSupportedChallenge);
        }
        // Check every realm before changing anything, so an error leaves the request as it was.
        for c in &chosen {
            if self.carried_credentials(request, &credentials_name, &c.realm) && !c.stale {
                return Err(DigestClientError::Rejected {
                    realm: c.realm.clone(),
                });
            }
        }
        let saved = request.headers.clone();
        let result = self.answer(request, chosen, proxy);
        if result.is_err() {
            request.headers = saved;
        }
        result
    }

    /// Remembers each chosen challenge and adds its credentials to `request`.
    fn answer(
        &mut self,
        request: &mut Request,
        chosen: Vec<Chosen>,
        proxy: bool,
    ) -> Result<(), DigestClientError> {
        let (_, credentials_name) = names(proxy);
        for c in chosen {
            let retried = self.carried_credentials(request, &credentials_name, &c.realm);
            let previous = self
                .realm_index(&c.realm, proxy)
                .map(|i| self.realms.remove(i));
            let stale_in_a_row = match previous {
                Some(p) if retried && c.stale => p.stale_in_a_row.saturating_add(1),
                _ if retried && c.stale => 1,
                _ => 0,
            };
            if stale_in_a_row > self.config.max_stale_retries {
                return Err(DigestClientError::TooManyStale { realm: c.realm });
            }
            if self.realms.len() >= self.config.max_realms.max(1) {
                self.realms.remove(0);
            }
            self.realms.push(RealmState {
                realm: c.realm,
                proxy,
                algorithm: c.algorithm,
                nonce: c.nonce,
                opaque: c.opaque,
                qop: c.qop,
                userhash: c.userhash,
                nc: 0,
                stale_in_a_row,
            });
            let last = self.realms.len() - 1;
            self.add_credentials(last, request)?;
        }
        Ok(())
    }

    /// Adds credentials for every remembered realm to a new `request` (preemptive
    /// authorization with the next nonce count, RFC 7616 §3.4); returns how many lines were
    /// added. A realm whose nonce count is exhausted is forgotten.
    pub fn authorize(&mut self, request: &mut Request) -> Result<usize, DigestClientError> {
        let mut added = 0;
        let mut i = 0;
        while i < self.realms.len() {
            if self.realms[i].nc == u32::MAX {
                self.realms.remove(i);
                continue;
            }
            self.add_credentials(i, request)?;
            added += 1;
            i += 1;
        }
        Ok(added)
    }

    /// Checks the Authentication-Info of `response` (a final response to `request`, which
    /// carries our Authorization): `rspauth` must be the digest of `":" uri` with our nonce,
    /// cnonce and nonce count (RFC 7616 §3.5). A `nextnonce` replaces the remembered nonce.
    pub fn check_authentication_info(
        &mut self,
        request: &Request,
        response: &Response,
    ) -> Result<ServerProof, DigestClientError> {
        let Some(info) = response.headers.authentication_info() else {
            return Ok(ServerProof::Absent);
        };
        let info = info.map_err(DigestClientError::MalformedAuthenticationInfo)?;
        // Authentication-Info answers the Authorization (not Proxy-Authorization) credentials.
        let Some(state_index) = self.realms.iter().position(|s| {
            !s.proxy && self.carried_credentials(request, &HeaderName::Authorization, &s.realm)
        }) else {
            return Ok(ServerProof::Absent);
        };
        let state = &self.realms[state_index];
        let Some(sent) = sent_params(request, &HeaderName::Authorization, &state.realm) else {
            return Ok(ServerProof::Absent);
        };
        let mut proof = ServerProof::Absent;
        if let Some(rspauth) = info.get("rspauth") {
            let (Some(nonce), Some(uri)) = (sent.get("nonce"), sent.get("uri")) else {
                return Err(DigestClientError::ServerNotAuthenticated);
            };
            let cnonce = sent.get("cnonce").unwrap_or_default();
            let nc = sent.get("nc").unwrap_or_default();
            for (name, ours) in [("cnonce", &cnonce), ("nc", &nc)] {
                if info.get(name).is_some_and(|theirs| theirs != **ours) {
                    return Err(DigestClientError::ServerNotAuthenticated);
                }
            }
            let input = ResponseInput {
                algorithm: state.algorithm,
                nonce: &nonce,
                cnonce: &cnonce,
                nc: &nc,
                qop: state.qop,
                method: "",
                uri: &uri,
            };
            let secret = self.ha1(state);
            let expected = response_digest(&input, &secret);
            let theirs = rspauth.to_ascii_lowercase();
            if !constant_time_eq(expected.as_bytes(), theirs.as_bytes()) {
                return Err(DigestClientError::ServerNotAuthenticated);
            }
            proof = ServerProof::Verified;
        }
        if let Some(next) = info.get("nextnonce") {
            let state = &mut self.realms[state_index];
            state.nonce = next.into_owned();
            state.nc = 0;
        }
        Ok(proof)
    }

    /// The digest challenges of `response`, grouped by realm in order of first appearance,
    /// each realm's topmost supported one.
    fn choose(&self, response: &Response, name: &HeaderName) -> Vec<Chosen> {
        let mut chosen: Vec<Chosen> = Vec::new();
        let mut seen_realms: Vec<String> = Vec::new();
        for challenge in response.headers.challenges(name) {
            // A challenge we cannot parse is one we cannot answer; others may still do.
            let Ok(challenge) = challenge else { continue };
            if !challenge.is_digest() {
                continue;
            }
            let params = challenge.params();
            let Some(realm) = params.get("realm") else {
                continue;
            };
            if self
                .credentials
                .realm
                .as_deref()
                .is_some_and(|r| r != realm)
            {
                continue;
            }
            if seen_realms.iter().any(|r| *r == realm) {
                continue; // This realm already has its topmost supported challenge.
            }
            if seen_realms.len() >= self.config.max_realms.max(1) {
                break;
            }
            if let Some(c) = self.supported(&challenge, &realm) {
                seen_realms.push(realm.into_owned());
                chosen.push(c);
            }
        }
        chosen
    }

    /// `challenge` as something this client can answer, or `None`.
    fn supported(&self, challenge: &Challenge<'_>, realm: &str) -> Option<Chosen> {
        let params = challenge.params();
        // RFC 7616 §3.3: no algorithm parameter means MD5.
        let algorithm = match params.get("algorithm") {
            Some(a) => a.parse::<Algorithm>().ok()?,
            None => Algorithm::Md5,
        };
        if algorithm.base() == Algorithm::Md5 && !self.config.allow_md5 {
            return None;
        }
        let qop = match params.get("qop") {
            Some(list)
                if list
                    .split(',')
                    .any(|q| q.trim().eq_ignore_ascii_case("auth")) =>
            {
                Some(Qop::Auth)
            }
            Some(_) => return None, // e.g. only auth-int
            // RFC 2617 compatibility (no qop): plain MD5 only; -sess needs a cnonce.
            None if algorithm == Algorithm::Md5 => None,
            None => return None,
        };
        let nonce = params.get("nonce")?;
        Some(Chosen {
            realm: realm.to_owned(),
            algorithm,
            nonce: nonce.into_owned(),
            opaque: params.get("opaque").map(|o| o.into_owned()),
            qop,
            userhash: is_true(params.get("userhash").as_deref()),
            stale: is_true(params.get("stale").as_deref()),
        })
    }

    fn realm_index(&self, realm: &str, proxy: bool) -> Option<usize> {
        self.realms
            .iter()
            .position(|s| s.realm == realm && s.proxy == proxy)
    }

    /// Whether `request` has an Authorization line of ours for `realm`.
    fn carried_credentials(&self, request: &Request, name: &HeaderName, realm: &str) -> bool {
        sent_params(request, name, realm).is_some()
    }

    fn ha1(&self, state: &RealmState) -> String {
        ha1(
            state.algorithm.base(),
            &self.credentials.username,
            &state.realm,
            &self.credentials.password,
        )
    }

    /// Adds (or replaces) the credentials of realm `index` in `request`, with the next nc.
    fn add_credentials(
        &mut self,
        index: usize,
        request: &mut Request,
    ) -> Result<(), DigestClientError> {
        let cnonce = self.config.ids.hex(16);
        let secret = self.ha1(&self.realms[index]);
        let state = &mut self.realms[index];
        state.nc = state.nc.saturating_add(1);
        let nc = format!("{:08x}", state.nc);
        let uri = request.uri.as_str();
        let input = ResponseInput {
            algorithm: state.algorithm,
            nonce: &state.nonce,
            cnonce: if state.qop.is_some() { &cnonce } else { "" },
            nc: if state.qop.is_some() { &nc } else { "" },
            qop: state.qop,
            method: request.method.as_str(),
            uri,
        };
        let digest = response_digest(&input, &secret);
        let username = if state.userhash {
            userhash(
                state.algorithm.base(),
                &self.credentials.username,
                &state.realm,
            )
        } else {
            self.credentials.username.clone()
        };
        // RFC 7616 §3.4: algorithm, qop and nc are never quoted; the others always are.
        let mut v = String::from("Digest ");
        push_param(&mut v, "username", &username, true);
        push_param(&mut v, "realm", &state.realm, true);
        push_param(&mut v, "nonce", &state.nonce, true);
        push_param(&mut v, "uri", uri, true);
        push_param(&mut v, "response", &digest, true);
        push_param(&mut v, "algorithm", state.algorithm.as_str(), false);
        if let Some(opaque) = &state.opaque {
            push_param(&mut v, "opaque", opaque, true);
        }
        if let Some(qop) = state.qop {
            push_param(&mut v, "qop", qop.as_str(), false);
            push_param(&mut v, "nc", &nc, false);
            push_param(&mut v, "cnonce", &cnonce, true);
        }
        if state.userhash {
            push_param(&mut v, "userhash", "true", false);
        }
        let value = HeaderValue::new(v).map_err(|_| DigestClientError::InvalidCharacters)?;
        let (_, name) = names(state.proxy);
        let realm = state.realm.clone();
        replace_credentials(request, name, &realm, value);
        Ok(())
    }
}

/// The challenge and credentials headers for a 401 (`false`) or 407 (`true`).
fn names(proxy: bool) -> (HeaderName, HeaderName) {
    if proxy {
        (
            HeaderName::ProxyAuthenticate,
            HeaderName::ProxyAuthorization,
        )
    } else {
        (HeaderName::WwwAuthenticate, HeaderName::Authorization)
    }
}

/// The parameters of the Digest credentials for `realm` in `request`.
fn sent_params<'a>(request: &'a Request, name: &HeaderName, realm: &str) -> Option<AuthParams<'a>> {
    request
        .headers
        .iter()
        .filter(|h| h.name == *name)
        .filter_map(|h| Challenge::parse(h.value.as_str()).ok())
        .filter(|c| c.is_digest())
        .map(|c| c.params())
        .find(|p| p.get("realm").is_some_and(|r| r == realm))
}

/// Replaces the credentials lines of `realm` with `value` (at the first one's place).
fn replace_credentials(request: &mut Request, name: HeaderName, realm: &str, value: HeaderValue) {
    let mut at = None;
    let mut i = 0;
    while i < request.headers.len() {
        let matches = request.headers.iter().nth(i).is_some_and(|h| {
            h.name == name
                && Challenge::parse(h.value.as_str())
                    .ok()
                    .and_then(|c| c.params().get("realm").map(|r| r == realm))
                    .unwrap_or(false)
        });
        if matches {
            request.headers.remove_at(i);
            at.get_or_insert(i);
        } else {
            i += 1;
        }
    }
    match at {
        Some(i) => request.headers.insert(i, name, value),
        None => request.headers.push(name, value),
    }
}
