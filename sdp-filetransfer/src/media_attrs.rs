//! Attribute values of MSRP media (RFC 4975 §8, RFC 6135, RFC 8122) and the SDP direction
//! attributes (RFC 8866 §6.7).

use std::fmt;
use std::str::FromStr;

use crate::error::AttributeError;
use crate::grammar::{colon_hex, is_token, is_token_char, token, write_colon_hex};

/// The direction attributes (RFC 8866 §6.7). For MSRP they govern SEND requests only
/// (RFC 4975 §8.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Direction {
    /// `sendrecv`, the default when no direction attribute is present.
    #[default]
    SendRecv,
    /// `sendonly`: the author sends (a push offer, a pull answer).
    SendOnly,
    /// `recvonly`: the author receives (a pull offer, a push answer).
    RecvOnly,
    /// `inactive`.
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// The direction an answer uses for this offered direction (RFC 3264 §6.1).
    pub fn reversed(self) -> Self {
        match self {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            other => other,
        }
    }
}

/// `a=setup` (RFC 4145 §4, as RFC 6135 §4.2 applies it to MSRP).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Setup {
    /// `active`: this side opens the connection.
    Active,
    /// `passive`: this side waits for the connection.
    Passive,
    /// `actpass`: either; the answerer picks.
    ActPass,
    /// `holdconn`: parsed so that a description round-trips, but RFC 6135 §4.2.1 says an MSRP
    /// UA never sends it and treats a received one as if `a=setup` were absent. Nothing in this
    /// crate emits it.
    HoldConn,
}

impl Setup {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Setup::Active => "active",
            Setup::Passive => "passive",
            Setup::ActPass => "actpass",
            Setup::HoldConn => "holdconn",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, AttributeError> {
        match s {
            "active" => Ok(Setup::Active),
            "passive" => Ok(Setup::Passive),
            "actpass" => Ok(Setup::ActPass),
            "holdconn" => Ok(Setup::HoldConn),
            _ => Err(AttributeError::Expected {
                expected: "active, passive, actpass or holdconn",
            }),
        }
    }
}

/// `a=connection` (RFC 4145 §5). RFC 6135 §4.4: MSRP UAs never send it and ignore it; it is
/// parsed only so that a received description round-trips.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConnectionMode {
    /// `new`.
    New,
    /// `existing`.
    Existing,
}

impl ConnectionMode {
    /// The attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectionMode::New => "new",
            ConnectionMode::Existing => "existing",
        }
    }

    pub(crate) fn parse(s: &str) -> Result<Self, AttributeError> {
        match s {
            "new" => Ok(ConnectionMode::New),
            "existing" => Ok(ConnectionMode::Existing),
            _ => Err(AttributeError::Expected {
                expected: "new or existing",
            }),
        }
    }
}

/// One `format-entry` of `a=accept-types` / `a=accept-wrapped-types` (RFC 4975 §8.6):
/// `*`, `type/*` or `type/subtype`, each optionally with `;name=value` parameters.
///
/// ```
/// use sdp_filetransfer::FormatEntry;
/// let e: FormatEntry = "image/*".parse()?;
/// assert!(e.matches("IMAGE", "jpeg"));
/// assert!(!e.matches("text", "plain"));
/// assert!(FormatEntry::any().matches("text", "plain"));
/// # Ok::<(), sdp_filetransfer::AttributeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct FormatEntry {
    raw: Box<str>,
}

impl FormatEntry {
    /// `*`: any type.
    pub fn any() -> Self {
        Self { raw: "*".into() }
    }

    /// Checks and wraps a format entry.
    pub fn new(s: &str) -> Result<Self, AttributeError> {
        const BAD: AttributeError = AttributeError::BadMediaType;
        if s == "*" {
            return Ok(Self::any());
        }
        let (mt, params) = match s.find(';') {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let (ty, sub) = crate::grammar::split1(mt, b'/').ok_or(BAD)?;
        if !is_token(ty) || !(sub == "*" || is_token(sub)) {
            return Err(BAD);
        }
        if let Some(params) = params {
            check_type_params(params)?;
        }
        Ok(Self { raw: s.into() })
    }

    /// Whether this is `*`.
    pub fn is_any(&self) -> bool {
        &*self.raw == "*"
    }

    /// The `type/subtype` part (without parameters); `*` for the wildcard.
    pub fn essence(&self) -> &str {
        self.raw.split(';').next().unwrap_or_default()
    }

    /// Whether a message of `type_/subtype` may be sent under this entry (case-insensitive;
    /// parameters do not take part, RFC 4975 §8.6).
    pub fn matches(&self, type_: &str, subtype: &str) -> bool {
        if self.is_any() {
            return true;
        }
        let Some((t, s)) = self.essence().split_once('/') else {
            return false;
        };
        t.eq_ignore_ascii_case(type_) && (s == "*" || s.eq_ignore_ascii_case(subtype))
    }

    /// The entry as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

/// `type-param = parm-attribute "=" parm-value`, `parm-value = token / quoted-string`, joined by
/// `;` (RFC 4975 §8.6).
fn check_type_params(params: &str) -> Result<(), AttributeError> {
    let mut rest = params;
    loop {
        let (name, value_and_rest) = rest.split_once('=').ok_or(AttributeError::BadMediaType)?;
        if !is_token(name) {
            return Err(AttributeError::BadMediaType);
        }
        let after = if let Some(q) = value_and_rest.strip_prefix('"') {
            // quoted-string: qdtext or quoted-pair, up to the closing quote.
            let b = q.as_bytes();
            let mut i = 0;
            loop {
                match b.get(i) {
                    None => return Err(AttributeError::BadMediaType),
                    Some(b'"') => break,
                    Some(b'\\') => i += 2,
                    Some(&c) if c < 0x20 && c != b'\t' => return Err(AttributeError::BadMediaType),
                    Some(_) => i += 1,
                }
            }
            q.get(i + 1..).ok_or(AttributeError::BadMediaType)?
        } else {
            let end = value_and_rest
                .bytes()
                .position(|c| !is_token_char(c))
                .unwrap_or(value_and_rest.len());
            if end == 0 {
                return Err(AttributeError::BadMediaType);
            }
            &value_and_rest[end..]
        };
        if after.is_empty() {
            return Ok(());
        }
        rest = after
            .strip_prefix(';')
            .ok_or(AttributeError::BadMediaType)?;
    }
}

impl fmt::Display for FormatEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl FromStr for FormatEntry {
    type Err = AttributeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for FormatEntry {
    type Error = AttributeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<FormatEntry> for String {
    fn from(e: FormatEntry) -> Self {
        e.raw.into()
    }
}

/// Splits a format list (`format-entry *(SP format-entry)`), respecting quoted parameters.
pub(crate) fn parse_format_list(s: &str) -> Result<Vec<FormatEntry>, AttributeError> {
    let list = crate::grammar::quoted_words(s)
        .map(|w| w.and_then(FormatEntry::new))
        .collect::<Result<Vec<_>, _>>()?;
    if list.is_empty() {
        return Err(AttributeError::MissingValue);
    }
    Ok(list)
}

/// `a=fingerprint` (RFC 8122 §5): a hash function name and the certificate's digest.
///
/// ```
/// use sdp_filetransfer::Fingerprint;
/// let f: Fingerprint = "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3A:8C:A3:B5:2E:4C:C9:C6:01:2F:6C:A4".parse()?;
/// assert_eq!(f.hash_function(), "sha-256");
/// assert_eq!(f.value().len(), 32);
/// # Ok::<(), sdp_filetransfer::AttributeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct Fingerprint {
    hash_function: Box<str>,
    value: Vec<u8>,
}

impl Fingerprint {
    /// A fingerprint from a hash function name (a token such as `sha-256`) and the digest.
    pub fn new(hash_function: &str, value: Vec<u8>) -> Result<Self, AttributeError> {
        if !is_token(hash_function) || value.is_empty() {
            return Err(AttributeError::BadFingerprint);
        }
        Ok(Self {
            hash_function: hash_function.into(),
            value,
        })
    }

    /// The hash function name as written (RFC 8122 §5 compares it case-insensitively).
    pub fn hash_function(&self) -> &str {
        &self.hash_function
    }

    /// The digest bytes.
    pub fn value(&self) -> &[u8] {
        &self.value
    }

    pub(crate) fn parse(s: &str) -> Result<Self, AttributeError> {
        let (func, hex) = crate::grammar::split1(s, b' ').ok_or(AttributeError::BadFingerprint)?;
        let value = colon_hex(hex.trim_start_matches(' ')).ok_or(AttributeError::BadFingerprint)?;
        token(func).map_err(|_| AttributeError::BadFingerprint)?;
        Self::new(func, value)
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(self.hash_function.len() + 1 + self.value.len() * 3);
        s.push_str(&self.hash_function);
        s.push(' ');
        write_colon_hex(&mut s, &self.value);
        f.write_str(&s)
    }
}

impl FromStr for Fingerprint {
    type Err = AttributeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for Fingerprint {
    type Error = AttributeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Fingerprint> for String {
    fn from(f: Fingerprint) -> Self {
        f.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_entries() {
        for ok in [
            "*",
            "text/plain",
            "image/*",
            "message/cpim",
            "text/plain;charset=utf-8",
            "text/plain;a=\"x y\";b=c",
        ] {
            assert_eq!(FormatEntry::new(ok).unwrap().as_str(), ok, "{ok}");
        }
        for bad in [
            "",
            "text",
            "text/",
            "/x",
            "a b/c",
            "t/s;",
            "t/s;a",
            "t/s;a=",
            "t/s;a=\"x",
        ] {
            assert!(FormatEntry::new(bad).is_err(), "{bad}");
        }
        let list = parse_format_list("message/cpim text/plain;q=\"a b\" *").unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[1].essence(), "text/plain");
    }

    #[test]
    fn fingerprint_round_trip() {
        let f = Fingerprint::parse("sha-1 4a:AD:B9").unwrap();
        assert_eq!(f.to_string(), "sha-1 4A:AD:B9");
        assert!(Fingerprint::parse("sha-1").is_err());
        assert!(Fingerprint::parse("sha-1 4").is_err());
        assert!(Fingerprint::parse("s a 4A").is_err());
    }

    #[test]
    fn setup_values() {
        for s in [
            Setup::Active,
            Setup::Passive,
            Setup::ActPass,
            Setup::HoldConn,
        ] {
            assert_eq!(Setup::parse(s.as_str()).unwrap(), s);
        }
        assert!(Setup::parse("ACTIVE").is_err());
        assert_eq!(Direction::SendOnly.reversed(), Direction::RecvOnly);
    }

    #[cfg(feature = "serde")]
    #[test]
    fn serde_goes_through_the_checks() {
        use serde::Deserialize;
        use serde::de::IntoDeserializer;
        type E = serde::de::value::Error;
        let ok = FormatEntry::deserialize("image/*".into_deserializer());
        assert_eq!(Result::<_, E>::unwrap(ok).as_str(), "image/*");
        let bad = FormatEntry::deserialize(IntoDeserializer::<E>::into_deserializer("image"));
        assert!(bad.is_err());
        let fp = Fingerprint::deserialize(IntoDeserializer::<E>::into_deserializer("sha-1 0A:0B"));
        assert_eq!(fp.unwrap().value(), [10, 11]);
        let setup = Setup::deserialize(IntoDeserializer::<E>::into_deserializer("actpass"));
        assert_eq!(setup.unwrap(), Setup::ActPass);
    }
}
