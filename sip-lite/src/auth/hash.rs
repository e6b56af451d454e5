//! The digest computations of RFC 7616 §3.4.1-§3.4.4 (as RFC 8760 §2 applies them to SIP),
//! hex helpers and the constant-time comparison. Pure functions: text in, lowercase hex out.

use std::fmt;
use std::str::FromStr;

use md5::Md5;
use sha2::{Digest, Sha256, Sha512_256};

/// A digest algorithm from the IANA "HTTP Digest Hash Algorithms" registry (RFC 7616 §6.1)
/// that SIP uses (RFC 8760 §2.1, §3).
///
/// Names compare case-insensitively (`SHA-256`, `sha-256`); an `algorithm` parameter that is
/// absent means [`Algorithm::Md5`] (RFC 7616 §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// `MD5`: kept for backward compatibility only (RFC 8760 §2.1).
    Md5,
    /// `MD5-sess`.
    Md5Sess,
    /// `SHA-256`.
    Sha256,
    /// `SHA-256-sess`.
    Sha256Sess,
    /// `SHA-512-256` (SHA-512/256, FIPS 180-4).
    Sha512_256,
    /// `SHA-512-256-sess`.
    Sha512_256Sess,
}

/// The name is not one of the algorithms of [`Algorithm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown digest algorithm")]
pub struct UnknownAlgorithm;

impl Algorithm {
    /// Every algorithm, strongest first.
    pub const ALL: [Algorithm; 6] = [
        Algorithm::Sha512_256,
        Algorithm::Sha512_256Sess,
        Algorithm::Sha256,
        Algorithm::Sha256Sess,
        Algorithm::Md5,
        Algorithm::Md5Sess,
    ];

    /// The registered name, e.g. `SHA-512-256-sess`.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Md5Sess => "MD5-sess",
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha256Sess => "SHA-256-sess",
            Algorithm::Sha512_256 => "SHA-512-256",
            Algorithm::Sha512_256Sess => "SHA-512-256-sess",
        }
    }

    /// Whether this is a `-sess` variant, whose HA1 also covers the nonce and cnonce
    /// (RFC 7616 §3.4.2).
    pub fn is_session(self) -> bool {
        matches!(
            self,
            Algorithm::Md5Sess | Algorithm::Sha256Sess | Algorithm::Sha512_256Sess
        )
    }

    /// The algorithm without `-sess`: the one a stored HA1 is computed with.
    pub fn base(self) -> Algorithm {
        match self {
            Algorithm::Md5 | Algorithm::Md5Sess => Algorithm::Md5,
            Algorithm::Sha256 | Algorithm::Sha256Sess => Algorithm::Sha256,
            Algorithm::Sha512_256 | Algorithm::Sha512_256Sess => Algorithm::Sha512_256,
        }
    }

    /// Length of a digest in lowercase hex: 32 for MD5, 64 for the SHA-2 family
    /// (RFC 8760 §2.2).
    pub fn hex_len(self) -> usize {
        match self.base() {
            Algorithm::Md5 => 32,
            _ => 64,
        }
    }

    /// `H(data)`, with `data` the concatenation of `parts` joined by `:` (RFC 7616 §3.4).
    pub(crate) fn h(self, parts: &[&[u8]]) -> String {
        fn run<D: Digest>(parts: &[&[u8]]) -> String {
            let mut d = D::new();
            for (i, p) in parts.iter().enumerate() {
                if i > 0 {
                    d.update(b":");
                }
                d.update(p);
            }
            hex(&d.finalize())
        }
        match self.base() {
            Algorithm::Md5 => run::<Md5>(parts),
            Algorithm::Sha256 => run::<Sha256>(parts),
            _ => run::<Sha512_256>(parts),
        }
    }
}

impl FromStr for Algorithm {
    type Err = UnknownAlgorithm;
    fn from_str(s: &str) -> Result<Algorithm, UnknownAlgorithm> {
        Algorithm::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(s))
            .ok_or(UnknownAlgorithm)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The quality of protection of a digest response (RFC 7616 §3.3). Only `auth` is
/// supported; `auth-int` (integrity of the body) is not used in SIP practice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Qop {
    /// `qop=auth`: authentication of the request line, with nonce count and cnonce.
    Auth,
}

impl Qop {
    /// The token, `auth`.
    pub fn as_str(self) -> &'static str {
        match self {
            Qop::Auth => "auth",
        }
    }
}

/// `HA1 = H(username ":" realm ":" password)` with the base algorithm (RFC 7616 §3.4.2): the
/// value a server may store instead of the password (see
/// [`StoredSecret::Ha1`](super::StoredSecret::Ha1)).
pub fn ha1(algorithm: Algorithm, username: &str, realm: &str, password: &str) -> String {
    algorithm.h(&[username.as_bytes(), realm.as_bytes(), password.as_bytes()])
}

/// The `username` parameter sent when the server asks for `userhash=true`:
/// `H(username ":" realm)` (RFC 7616 §3.4.4).
pub fn userhash(algorithm: Algorithm, username: &str, realm: &str) -> String {
    algorithm.h(&[username.as_bytes(), realm.as_bytes()])
}

/// Everything a digest `response` depends on besides HA1 (RFC 7616 §3.4.1). The strings are
/// used exactly as they appear (unquoted) in the header, e.g. `nc` as its 8 hex digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseInput<'a> {
    /// The algorithm of the challenge.
    pub algorithm: Algorithm,
    /// The server's nonce.
    pub nonce: &'a str,
    /// The client's nonce (empty without qop).
    pub cnonce: &'a str,
    /// The nonce count as sent, 8 hex digits (empty without qop).
    pub nc: &'a str,
    /// The qop, or `None` for the RFC 2069 form (MD5 only, RFC 2617 §3.2.2.1).
    pub qop: Option<Qop>,
    /// The request method (`INVITE`, `REGISTER`, or `GET` in the RFC 7616 examples); empty
    /// for `rspauth` (RFC 7616 §3.5).
    pub method: &'a str,
    /// The `uri` parameter: the Request-URI as sent.
    pub uri: &'a str,
}

/// The `response` value for HA1 `ha1` (from [`ha1`], always the base algorithm's):
/// `KD(HA1', nonce ":" nc ":" cnonce ":" qop ":" H(A2))` with `A2 = method ":" uri`, where
/// `HA1' = H(HA1 ":" nonce ":" cnonce)` for `-sess` algorithms (RFC 7616 §3.4.1, §3.4.2,
/// §3.4.3), or `KD(HA1, nonce ":" H(A2))` without qop (RFC 2617 §3.2.2.1).
pub fn response(input: &ResponseInput<'_>, ha1: &str) -> String {
    let alg = input.algorithm;
    let session_ha1;
    let ha1 = if alg.is_session() {
        session_ha1 = alg.h(&[
            ha1.as_bytes(),
            input.nonce.as_bytes(),
            input.cnonce.as_bytes(),
        ]);
        session_ha1.as_str()
    } else {
        ha1
    };
    let ha2 = alg.h(&[input.method.as_bytes(), input.uri.as_bytes()]);
    match input.qop {
        Some(qop) => alg.h(&[
            ha1.as_bytes(),
            input.nonce.as_bytes(),
            input.nc.as_bytes(),
            input.cnonce.as_bytes(),
            qop.as_str().as_bytes(),
            ha2.as_bytes(),
        ]),
        None => alg.h(&[ha1.as_bytes(), input.nonce.as_bytes(), ha2.as_bytes()]),
    }
}

/// Lowercase hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Decodes hex (either case) into `out`, which it must fill exactly.
pub(crate) fn unhex(s: &str, out: &mut [u8]) -> bool {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if s.len() != out.len() * 2 {
        return false;
    }
    for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        match (nibble(pair[0]), nibble(pair[1])) {
            (Some(hi), Some(lo)) => *o = (hi << 4) | lo,
            _ => return false,
        }
    }
    true
}

/// Compares two byte strings in time that depends only on their lengths (which are public:
/// a digest's length follows from its algorithm), so a peer cannot learn a correct `response`
/// byte by byte from response times.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}
