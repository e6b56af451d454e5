//! URIs: `sip`/`sips` (RFC 3261 §19.1, grammar in §25.1), `tel` (RFC 3966) and any other
//! `absoluteURI`.
//!
//! Every parsed URI keeps its exact text, so [`Display`](fmt::Display) writes back the bytes it
//! was parsed from. Equality follows each scheme's comparison rules (RFC 3261 §19.1.4 for SIP,
//! RFC 3966 §4 for tel), not the text.
//!
//! ```
//! use sip_lite::uri::{Host, Scheme, Uri};
//!
//! let uri: Uri = "sip:alice;day=tue@AtLanTa.com:5060;transport=tcp?subject=hi".parse()?;
//! assert_eq!(uri.scheme(), Scheme::Sip);
//! let Uri::Sip(sip) = &uri else { unreachable!() };
//! assert_eq!(sip.user(), Some("alice;day=tue"));
//! assert_eq!(sip.host(), Host::Domain("AtLanTa.com"));
//! assert_eq!(sip.port(), Some(5060));
//! assert_eq!(sip.transport(), Some("tcp"));
//! assert_eq!(sip.header("Subject"), Some("hi"));
//! assert_eq!(uri.to_string(), "sip:alice;day=tue@AtLanTa.com:5060;transport=tcp?subject=hi");
//!
//! // RFC 3261 §19.1.4: escaped and unescaped forms, host case and parameter order don't matter.
//! let same: Uri = "sip:%61lice;day=tue@atlanta.COM:5060;Transport=TCP?subject=hi".parse()?;
//! assert_eq!(uri, same);
//!
//! let tel: Uri = "tel:+1-201-555-0123".parse()?;
//! assert_eq!(tel.scheme(), Scheme::Tel);
//! # Ok::<(), sip_lite::uri::UriError>(())
//! ```

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use thiserror::Error;

mod chars;
mod host;
mod sip;
mod tel;

pub use host::Host;
pub use sip::{SipScheme, SipUri};
pub use tel::TelUri;

use chars::{SCHEME, URIC, check_run, is};

/// A URI failed to parse. Positions are byte offsets from the start of the URI text.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum UriError {
    /// Nothing to parse.
    #[error("empty URI")]
    Empty,
    /// No `scheme ":"` at the start.
    #[error("URI has no scheme")]
    MissingScheme,
    /// A byte the grammar does not allow where it appears (whitespace, `<`, `>`, `"`,
    /// control characters, non-ASCII...).
    #[error("byte {byte:#04x} at position {position} is not allowed there")]
    InvalidCharacter {
        /// Byte offset in the URI.
        position: usize,
        /// The offending byte (the first byte of a non-ASCII character).
        byte: u8,
    },
    /// A `%` not followed by two hex digits.
    #[error("bad percent-escape at position {position}")]
    BadEscape {
        /// Byte offset of the `%`.
        position: usize,
    },
    /// Nothing after the scheme (`foo:`), which `absoluteURI` does not allow.
    #[error("nothing after the scheme")]
    EmptySchemeSpecificPart,
    /// A userinfo (`...@`) whose user part is empty.
    #[error("empty user part before '@'")]
    EmptyUser,
    /// The host is missing.
    #[error("empty host")]
    EmptyHost,
    /// The host is not a valid `hostname` (labels, hyphens, a top label starting with a letter).
    #[error("invalid host name")]
    BadHostname,
    /// All-digit dotted host that is not four decimal octets 0-255 without leading zeros.
    #[error("invalid IPv4 address")]
    BadIpv4,
    /// An `[...]` host that is not a valid IPv6 address, or a missing `]`.
    #[error("invalid IPv6 reference")]
    BadIpv6,
    /// A port after `:` that is empty, not decimal, or over 65535.
    #[error("invalid port")]
    BadPort,
    /// A `;` with no parameter name after it.
    #[error("empty parameter name at position {position}")]
    EmptyParameterName {
        /// Byte offset of the `;`.
        position: usize,
    },
    /// A parameter with `=` but no value.
    #[error("empty parameter value at position {position}")]
    EmptyParameterValue {
        /// Byte offset of the `=`.
        position: usize,
    },
    /// A `ttl` parameter that is not 0-255 (`ttl = 1*3DIGIT`).
    #[error("invalid ttl parameter")]
    BadTtl,
    /// A `maddr` parameter that is not a host.
    #[error("invalid maddr parameter")]
    BadMaddr,
    /// A URI header that is not `hname "=" hvalue` (e.g. `?` with nothing after it, or a header
    /// without `=`).
    #[error("invalid URI header at position {position}")]
    BadHeader {
        /// Byte offset where the header starts.
        position: usize,
    },
    /// A tel URI whose number has no digit (RFC 3966 `global-number-digits` needs one; a
    /// `local-number-digits` needs one hex digit, `*` or `#`).
    #[error("telephone number has no digits")]
    EmptyNumber,
    /// A local tel number without the `phone-context` parameter (RFC 3966 §5.1.5).
    #[error("local number without phone-context")]
    MissingPhoneContext,
    /// A `phone-context` that is neither a domain name nor `+` and digits (RFC 3966 §3).
    #[error("invalid phone-context")]
    BadPhoneContext,
    /// An `ext` parameter that is not phone digits.
    #[error("invalid ext parameter")]
    BadExtension,
    /// A tel URI parameter given twice (RFC 3966 §3: MUST NOT appear more than once).
    #[error("tel URI parameter repeated at position {position}")]
    DuplicateParameter {
        /// Byte offset of the repeated parameter's name.
        position: usize,
    },
}

/// The scheme of a [`Uri`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme<'a> {
    /// `sip`.
    Sip,
    /// `sips`.
    Sips,
    /// `tel`.
    Tel,
    /// Any other scheme, as written.
    Other(&'a str),
}

/// Any URI that may appear where SIP expects one (Request-URI, To, From, Contact...).
///
/// `==` follows the scheme's own comparison rules (RFC 3261 §19.1.4, RFC 3966 §4); URIs of
/// different kinds are never equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Uri {
    /// A `sip:` or `sips:` URI.
    Sip(SipUri),
    /// A `tel:` URI.
    Tel(TelUri),
    /// Any other scheme.
    Absolute(AbsoluteUri),
}

impl Uri {
    /// Parses a URI, choosing the type by its (case-insensitive) scheme.
    pub fn parse(s: &str) -> Result<Self, UriError> {
        let colon = scheme_end(s.as_bytes())?;
        let scheme = s.get(..colon).unwrap_or_default();
        if scheme.eq_ignore_ascii_case("sip") || scheme.eq_ignore_ascii_case("sips") {
            SipUri::parse(s).map(Uri::Sip)
        } else if scheme.eq_ignore_ascii_case("tel") {
            TelUri::parse(s).map(Uri::Tel)
        } else {
            AbsoluteUri::parse(s).map(Uri::Absolute)
        }
    }

    /// The URI's scheme.
    pub fn scheme(&self) -> Scheme<'_> {
        match self {
            Uri::Sip(u) => match u.scheme() {
                SipScheme::Sip => Scheme::Sip,
                SipScheme::Sips => Scheme::Sips,
            },
            Uri::Tel(_) => Scheme::Tel,
            Uri::Absolute(u) => Scheme::Other(u.scheme()),
        }
    }

    /// The URI's exact text.
    pub fn as_str(&self) -> &str {
        match self {
            Uri::Sip(u) => u.as_str(),
            Uri::Tel(u) => u.as_str(),
            Uri::Absolute(u) => u.as_str(),
        }
    }

    /// The SIP URI, if this is one.
    pub fn as_sip(&self) -> Option<&SipUri> {
        match self {
            Uri::Sip(u) => Some(u),
            _ => None,
        }
    }

    /// The tel URI, if this is one.
    pub fn as_tel(&self) -> Option<&TelUri> {
        match self {
            Uri::Tel(u) => Some(u),
            _ => None,
        }
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Uri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl From<SipUri> for Uri {
    fn from(u: SipUri) -> Self {
        Uri::Sip(u)
    }
}

impl From<TelUri> for Uri {
    fn from(u: TelUri) -> Self {
        Uri::Tel(u)
    }
}

impl From<AbsoluteUri> for Uri {
    fn from(u: AbsoluteUri) -> Self {
        Uri::Absolute(u)
    }
}

/// Finds the `:` that ends `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
pub(crate) fn scheme_end(b: &[u8]) -> Result<usize, UriError> {
    let Some(&first) = b.first() else {
        return Err(UriError::Empty);
    };
    if !first.is_ascii_alphabetic() {
        return Err(if first == b':' {
            UriError::MissingScheme
        } else {
            UriError::InvalidCharacter {
                position: 0,
                byte: first,
            }
        });
    }
    for (i, &c) in b.iter().enumerate().skip(1) {
        if c == b':' {
            return Ok(i);
        }
        if !is(c, SCHEME) {
            return Err(UriError::InvalidCharacter {
                position: i,
                byte: c,
            });
        }
    }
    Err(UriError::MissingScheme)
}

/// A URI of a scheme this crate does not model (RFC 3261 `absoluteURI`, from RFC 2396):
/// `unknownscheme:foo`, `http://...`, `urn:...`, `mailto:...`, `cid:...`.
///
/// The text after the scheme is checked by character class: it must be non-empty and consist of
/// `uric` characters (`reserved / unreserved / escaped`), which covers both `hier-part` and
/// `opaque-part`; a `hier-part` (starting with `/`) may also hold `[` and `]` for an IPv6
/// authority (RFC 2732). Equality compares the scheme case-insensitively and the rest exactly,
/// with escapes of non-reserved characters decoded.
///
/// ```
/// use sip_lite::uri::AbsoluteUri;
/// let u: AbsoluteUri = "urn:service:sos".parse()?;
/// assert_eq!(u.scheme(), "urn");
/// assert_eq!(u.rest(), "service:sos");
/// assert!("mailto:a b@example.com".parse::<AbsoluteUri>().is_err());
/// # Ok::<(), sip_lite::uri::UriError>(())
/// ```
#[derive(Clone)]
pub struct AbsoluteUri {
    raw: Box<str>,
    colon: usize,
}

impl AbsoluteUri {
    /// Parses an `absoluteURI` of any scheme (including `sip`/`tel`, which are then only checked
    /// as generic URIs; use [`Uri::parse`] to get the specific types).
    pub fn parse(s: &str) -> Result<Self, UriError> {
        let b = s.as_bytes();
        let colon = scheme_end(b)?;
        let start = colon + 1;
        if start >= b.len() {
            return Err(UriError::EmptySchemeSpecificPart);
        }
        let hier = b.get(start) == Some(&b'/');
        let allowed = if hier {
            URIC | chars::HNV_UNRESERVED
        } else {
            URIC
        };
        check_run(b, start, b.len(), allowed)?;
        Ok(Self {
            raw: s.into(),
            colon,
        })
    }

    /// The scheme, as written.
    pub fn scheme(&self) -> &str {
        self.raw.get(..self.colon).unwrap_or_default()
    }

    /// Everything after `scheme:`.
    pub fn rest(&self) -> &str {
        self.raw.get(self.colon + 1..).unwrap_or_default()
    }

    /// The URI's exact text.
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

impl PartialEq for AbsoluteUri {
    fn eq(&self, other: &Self) -> bool {
        self.scheme().eq_ignore_ascii_case(other.scheme())
            && chars::eq_normalised(self.rest(), other.rest(), false)
    }
}

impl Eq for AbsoluteUri {}

impl Hash for AbsoluteUri {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for c in self.scheme().bytes() {
            state.write_u8(c.to_ascii_lowercase());
        }
        state.write_u8(b':');
        chars::normalised(self.rest(), false).for_each(|u| state.write_u16(u));
    }
}

impl fmt::Display for AbsoluteUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for AbsoluteUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AbsoluteUri({:?})", self.raw)
    }
}

impl FromStr for AbsoluteUri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests;
