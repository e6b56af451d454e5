//! The relay side: challenge issue and answer verification.

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use thiserror::Error;

use super::{
    AuthenticationInfo, Authorization, Challenge, DEFAULT_REPLAY_CAPACITY, constant_time_eq,
    is_digest_hex, request_digest,
};

/// Where a relay looks up its users' H(A1) values ([`ha1`](super::ha1)).
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
/// See the [module documentation](super) for an example.
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

    /// How many nonces' counts are remembered now (at most the replay capacity).
    pub fn tracked_nonces(&self) -> usize {
        self.counts.len()
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
