//! MSRP URIs (RFC 4975 §6, §9) and paths of them (To-Path, From-Path, Use-Path).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use crate::error::UriError;
use crate::header::is_token_char;

/// The scheme of an MSRP URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Scheme {
    /// `msrp`: plain TCP.
    Msrp,
    /// `msrps`: TLS (RFC 4975 §6).
    Msrps,
}

impl Scheme {
    /// The scheme as written in canonical form.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Msrp => "msrp",
            Scheme::Msrps => "msrps",
        }
    }
}

/// The host part of an MSRP URI's authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Host<'a> {
    /// A registered name (DNS name), as written.
    Name(&'a str),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 reference (written in brackets).
    Ipv6(Ipv6Addr),
}

/// An MSRP URI: `msrp[s]://[userinfo@]host[:port][/session-id];transport *(;param)`.
///
/// The URI keeps its exact text, so [`Display`](fmt::Display) reproduces what was parsed. Equality
/// (`==`) follows the comparison rules of RFC 4975 §6.1: scheme and transport compare
/// case-insensitively, IP addresses and ports by value, host names case-insensitively after
/// percent-decoding, the session-id case-sensitively, and the userinfo and other parameters are
/// ignored.
///
/// ```
/// use msrp::MsrpUri;
/// let a: MsrpUri = "msrp://alice@[2001:db8::1]:7654/jshA7we;tcp".parse()?;
/// let b: MsrpUri = "MSRP://[2001:DB8:0:0::1]:7654/jshA7we;TCP".parse()?;
/// assert_eq!(a, b);
/// assert_eq!(a.port(), Some(7654));
/// assert_eq!(a.session_id(), Some("jshA7we"));
/// assert_eq!(a.to_string(), "msrp://alice@[2001:db8::1]:7654/jshA7we;tcp");
/// # Ok::<(), msrp::UriError>(())
/// ```
#[derive(Clone)]
pub struct MsrpUri {
    raw: Box<str>,
    scheme: Scheme,
    userinfo: Option<Span>,
    /// Host text without IPv6 brackets.
    host: Span,
    ip: Option<IpAddr>,
    port: Option<u16>,
    session_id: Option<Span>,
    transport: Span,
    /// Where the parameters after the transport start (`;name=value...`), possibly at the end.
    params_start: u16,
}

/// A byte range of the URI text (URIs are at most 65535 bytes).
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u16,
    end: u16,
}

impl Span {
    fn of(start: usize, end: usize) -> Self {
        // MsrpUri::parse bounds the whole text to u16::MAX bytes.
        Self {
            start: start as u16,
            end: end as u16,
        }
    }

    fn get(self, s: &str) -> &str {
        s.get(usize::from(self.start)..usize::from(self.end))
            .unwrap_or_default()
    }
}

/// Character classes, one table lookup per byte.
const UNRESERVED: u8 = 1;
/// RFC 3986 sub-delims without `;` (which ends the authority in an MSRP URI).
const SUB_DELIM: u8 = 2;
/// The extra session-id characters `+ = /`.
const SESSION_EXTRA: u8 = 4;

const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            t[i] |= UNRESERVED;
        }
        if matches!(
            c,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b'='
        ) {
            t[i] |= SUB_DELIM;
        }
        if matches!(c, b'+' | b'=' | b'/') {
            t[i] |= SESSION_EXTRA;
        }
        i += 1;
    }
    t
};

fn is_unreserved(b: u8) -> bool {
    CLASS[usize::from(b)] & UNRESERVED != 0
}

/// Checks a userinfo or reg-name: unreserved, sub-delims (no `;`) and `%XX` escapes.
fn check_authority_part(s: &[u8], part: &'static str) -> Result<(), UriError> {
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if CLASS[usize::from(b)] & (UNRESERVED | SUB_DELIM) != 0 {
            i += 1;
        } else if b == b'%' {
            match (s.get(i + 1).copied(), s.get(i + 2).copied()) {
                (Some(x), Some(y)) if hex_val(x).is_some() && hex_val(y).is_some() => i += 3,
                _ => return Err(UriError::BadPercentEncoding { part }),
            }
        } else {
            return Err(UriError::BadChar { byte: b });
        }
    }
    Ok(())
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Normalises a checked host name or userinfo for comparison (RFC 3986 §6.2.2 as RFC 4975
/// §6.1 applies it): escapes of unreserved characters are decoded, other escapes keep upper-case
/// hex, and letters are lower-cased.
fn normalised(s: &str) -> impl Iterator<Item = u8> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    let mut pending: [u8; 2] = [0; 2];
    let mut pending_len = 0usize;
    std::iter::from_fn(move || {
        if pending_len > 0 {
            let out = pending[2 - pending_len];
            pending_len -= 1;
            return Some(out);
        }
        let c = *b.get(i)?;
        if c == b'%' {
            let (h, l) = (*b.get(i + 1)?, *b.get(i + 2)?);
            i += 3;
            let v = hex_val(h)? * 16 + hex_val(l)?;
            if is_unreserved(v) {
                return Some(v.to_ascii_lowercase());
            }
            pending = [h.to_ascii_uppercase(), l.to_ascii_uppercase()];
            pending_len = 2;
            Some(b'%')
        } else {
            i += 1;
            Some(c.to_ascii_lowercase())
        }
    })
}

impl MsrpUri {
    /// Parses an MSRP URI.
    pub fn parse(s: impl AsRef<[u8]>) -> Result<Self, UriError> {
        let b = s.as_ref();
        if b.is_empty() {
            return Err(UriError::Empty);
        }
        if b.len() > usize::from(u16::MAX) {
            return Err(UriError::TooLong);
        }
        let prefix_is = |p: &[u8]| b.get(..p.len()).is_some_and(|h| h.eq_ignore_ascii_case(p));
        let (scheme, auth_start) = if prefix_is(b"msrp://") {
            (Scheme::Msrp, 7)
        } else if prefix_is(b"msrps://") {
            (Scheme::Msrps, 8)
        } else {
            return Err(UriError::BadScheme);
        };
        // The authority ends at the first '/' (session-id) or ';' (transport).
        let auth_end = memchr::memchr2(b'/', b';', &b[auth_start..])
            .map(|i| i + auth_start)
            .ok_or(UriError::MissingTransport)?;
        let authority = &b[auth_start..auth_end];

        let (userinfo, hp_start) = match memchr::memrchr(b'@', authority) {
            Some(at) => {
                let ui = &authority[..at];
                if ui.contains(&b':') {
                    return Err(UriError::PasswordInUserinfo);
                }
                check_authority_part(ui, "userinfo")?;
                (
                    Some(Span::of(auth_start, auth_start + at)),
                    auth_start + at + 1,
                )
            }
            None => (None, auth_start),
        };
        let hp = &b[hp_start..auth_end];
        let (host, ip, port_text) = if let Some(rest) = hp.strip_prefix(b"[") {
            let close = memchr::memchr(b']', rest).ok_or(UriError::BadHost)?;
            let text = std::str::from_utf8(&rest[..close]).map_err(|_| UriError::BadHost)?;
            let addr: Ipv6Addr = text.parse().map_err(|_| UriError::BadHost)?;
            let port_text = match &rest[close + 1..] {
                [] => None,
                [b':', p @ ..] => Some(p),
                _ => return Err(UriError::BadHost),
            };
            let start = hp_start + 1;
            (
                Span::of(start, start + close),
                Some(IpAddr::V6(addr)),
                port_text,
            )
        } else {
            let (h, p) = match memchr::memchr(b':', hp) {
                Some(c) => (&hp[..c], Some(&hp[c + 1..])),
                None => (hp, None),
            };
            if h.is_empty() {
                return Err(UriError::BadHost);
            }
            check_authority_part(h, "host")?;
            // An IPv4 address, possibly percent-encoded (RFC 4975 §6.1 compares after
            // decoding); anything with a letter is a name.
            let ip = if h.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
                std::str::from_utf8(h)
                    .ok()
                    .and_then(|t| t.parse::<Ipv4Addr>().ok())
            } else if h.contains(&b'%') {
                let text = std::str::from_utf8(h).unwrap_or_default();
                let decoded: Vec<u8> = normalised(text).collect();
                std::str::from_utf8(&decoded)
                    .ok()
                    .and_then(|d| d.parse::<Ipv4Addr>().ok())
            } else {
                None
            };
            (
                Span::of(hp_start, hp_start + h.len()),
                ip.map(IpAddr::V4),
                p,
            )
        };
        let port = match port_text {
            None => None,
            Some(p) if !p.is_empty() && p.iter().all(u8::is_ascii_digit) => {
                let v = p.iter().try_fold(0u32, |acc, &d| {
                    let v = acc * 10 + u32::from(d - b'0');
                    (v <= u32::from(u16::MAX)).then_some(v)
                });
                Some(v.ok_or(UriError::BadPort)? as u16)
            }
            Some(_) => return Err(UriError::BadPort),
        };
        // RFC 4975 §6: a numeric IP address in the authority MUST carry a port.
        if ip.is_some() && port.is_none() {
            return Err(UriError::MissingPortForIp);
        }

        let mut pos = auth_end;
        let session_id = if b[pos] == b'/' {
            let start = pos + 1;
            // session-id = 1*( unreserved / "+" / "=" / "/" ), ended by ';'.
            let len = b[start..]
                .iter()
                .position(|&c| CLASS[usize::from(c)] & (UNRESERVED | SESSION_EXTRA) == 0)
                .ok_or(UriError::MissingTransport)?;
            if len == 0 || b[start + len] != b';' {
                return Err(UriError::BadSessionId);
            }
            pos = start + len;
            Some(Span::of(start, pos))
        } else {
            None
        };

        // b[pos] == ';'
        let t_start = pos + 1;
        let t_len = b[t_start..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .unwrap_or(b.len() - t_start);
        let t_end = t_start + t_len;
        if t_len == 0 || !matches!(b.get(t_end), None | Some(b';')) {
            return Err(UriError::MissingTransport);
        }
        // URI-parameter = token ["=" token]
        for param in b[t_end..].split(|&c| c == b';').skip(1) {
            let (name, value) = match memchr::memchr(b'=', param) {
                Some(e) => (&param[..e], Some(&param[e + 1..])),
                None => (param, None),
            };
            let ok = |t: &[u8]| !t.is_empty() && t.iter().all(|&c| is_token_char(c));
            if !ok(name) || !value.is_none_or(ok) {
                return Err(UriError::BadParameter);
            }
        }
        // Every byte has been checked against an ASCII class by now.
        let raw = std::str::from_utf8(b).map_err(|_| UriError::BadChar { byte: 0x80 })?;
        Ok(Self {
            scheme,
            userinfo,
            host,
            ip,
            port,
            session_id,
            transport: Span::of(t_start, t_end),
            params_start: t_end as u16,
            raw: raw.into(),
        })
    }

    /// The URI's scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Whether the URI asks for TLS (`msrps`).
    pub fn is_secure(&self) -> bool {
        self.scheme == Scheme::Msrps
    }

    /// The userinfo (before `@`), if any. It plays no part in comparison.
    pub fn userinfo(&self) -> Option<&str> {
        self.userinfo.map(|r| r.get(&self.raw))
    }

    /// The host.
    pub fn host(&self) -> Host<'_> {
        match self.ip {
            Some(IpAddr::V4(a)) => Host::Ipv4(a),
            Some(IpAddr::V6(a)) => Host::Ipv6(a),
            None => Host::Name(self.host.get(&self.raw)),
        }
    }

    /// The host text as written (without the brackets of an IPv6 reference).
    pub fn host_str(&self) -> &str {
        self.host.get(&self.raw)
    }

    /// The port, if written.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The session-id, if any.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.map(|r| r.get(&self.raw))
    }

    /// The transport (usually `tcp`).
    pub fn transport(&self) -> &str {
        self.transport.get(&self.raw)
    }

    /// The URI parameters after the transport, as `(name, value)` pairs.
    pub fn params(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.raw[usize::from(self.params_start)..]
            .split(';')
            .skip(1)
            .map(|p| match p.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (p, None),
            })
    }

    /// The URI's exact text.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    fn authority_eq(&self, other: &Self) -> bool {
        match (self.ip, other.ip) {
            (Some(a), Some(b)) => a == b,
            (None, None) => normalised(self.host_str()).eq(normalised(other.host_str())),
            _ => false,
        }
    }
}

impl PartialEq for MsrpUri {
    /// RFC 4975 §6.1 comparison.
    fn eq(&self, other: &Self) -> bool {
        self.scheme == other.scheme
            && self.authority_eq(other)
            && self.port == other.port
            && self.session_id() == other.session_id()
            && self.transport().eq_ignore_ascii_case(other.transport())
    }
}

impl Eq for MsrpUri {}

impl std::hash::Hash for MsrpUri {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Consistent with `eq`: only what the comparison looks at, normalised.
        self.scheme.hash(state);
        match self.ip {
            Some(ip) => ip.hash(state),
            None => normalised(self.host_str()).for_each(|b| state.write_u8(b)),
        }
        self.port.hash(state);
        self.session_id().hash(state);
        for b in self.transport().bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
    }
}

impl fmt::Display for MsrpUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for MsrpUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MsrpUri({:?})", self.raw)
    }
}

impl FromStr for MsrpUri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for MsrpUri {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        const NAME: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789-.";
        const SID: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+=/";
        let pick = |u: &mut arbitrary::Unstructured<'a>, set: &[u8], min: usize, max: usize| {
            let len = u.int_in_range(min..=max)?;
            (0..len)
                .map(|_| Ok(char::from(set[u.int_in_range(0..=set.len() - 1)?])))
                .collect::<arbitrary::Result<String>>()
        };
        let scheme = Scheme::arbitrary(u)?;
        let mut s = format!("{}://", scheme.as_str());
        if u.arbitrary()? {
            s.push_str(&pick(u, &NAME[..36], 1, 8)?);
            s.push('@');
        }
        match u.int_in_range(0..=2)? {
            0 => s.push_str(&Ipv4Addr::from(u32::arbitrary(u)?).to_string()),
            1 => s.push_str(&format!("[{}]", Ipv6Addr::from(u128::arbitrary(u)?))),
            _ => {
                s.push('h');
                s.push_str(&pick(u, NAME, 0, 12)?);
            }
        }
        if u.arbitrary()? || s.ends_with(|c: char| c.is_ascii_digit() || c == ']') {
            s.push_str(&format!(":{}", u16::arbitrary(u)?));
        }
        if u.arbitrary()? {
            s.push('/');
            s.push_str(&pick(u, SID, 1, 24)?);
        }
        s.push_str(if u.arbitrary()? { ";tcp" } else { ";TCP" });
        if u.arbitrary()? {
            s.push_str(";p=");
            s.push_str(&pick(u, &NAME[..36], 1, 6)?);
        }
        Self::parse(&s).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

/// A path: one or more MSRP URIs separated by single spaces (To-Path, From-Path, Use-Path).
///
/// For To-Path the leftmost URI is the next hop and the rightmost the final destination
/// (RFC 4975 §5.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Path {
    first: MsrpUri,
    rest: Vec<MsrpUri>,
}

impl Path {
    /// A path of one URI.
    pub fn new(uri: MsrpUri) -> Self {
        Self {
            first: uri,
            rest: Vec::new(),
        }
    }

    /// A path from a list of URIs; `None` if the list is empty.
    pub fn from_uris(uris: impl IntoIterator<Item = MsrpUri>) -> Option<Self> {
        let mut it = uris.into_iter();
        let first = it.next()?;
        Some(Self {
            first,
            rest: it.collect(),
        })
    }

    /// Parses a header value: URIs separated by one or more spaces.
    pub fn parse(s: impl AsRef<[u8]>) -> Result<Self, UriError> {
        let mut rest = s.as_ref();
        let mut next = || -> Option<&[u8]> {
            while let [b' ', tail @ ..] = rest {
                rest = tail;
            }
            if rest.is_empty() {
                return None;
            }
            let end = memchr::memchr(b' ', rest).unwrap_or(rest.len());
            let (uri, tail) = rest.split_at(end);
            rest = tail;
            Some(uri)
        };
        let first = MsrpUri::parse(next().ok_or(UriError::Empty)?)?;
        let mut others = Vec::new();
        while let Some(uri) = next() {
            others.push(MsrpUri::parse(uri)?);
        }
        Ok(Self {
            first,
            rest: others,
        })
    }

    /// The leftmost URI (the next hop of a To-Path; the previous hop of a From-Path).
    pub fn first(&self) -> &MsrpUri {
        &self.first
    }

    /// The rightmost URI (the final destination of a To-Path; the originator of a From-Path).
    pub fn last(&self) -> &MsrpUri {
        self.rest.last().unwrap_or(&self.first)
    }

    /// Number of URIs (at least one).
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// Always false: a path holds at least one URI.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The URIs from left to right.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &MsrpUri> {
        std::iter::once(&self.first).chain(self.rest.iter())
    }

    /// Appends a URI on the right.
    pub fn push(&mut self, uri: MsrpUri) {
        self.rest.push(uri);
    }
}

impl From<MsrpUri> for Path {
    fn from(uri: MsrpUri) -> Self {
        Self::new(uri)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for uri in &self.rest {
            write!(f, " {uri}")?;
        }
        Ok(())
    }
}

impl FromStr for Path {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uri(s: &str) -> MsrpUri {
        MsrpUri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parses_components() {
        let u = uri("msrps://bob%40x@Biloxi.Example.com:12763/kjhd37s2s20w2a;tcp;foo=bar;baz");
        assert_eq!(u.scheme(), Scheme::Msrps);
        assert!(u.is_secure());
        assert_eq!(u.userinfo(), Some("bob%40x"));
        assert_eq!(u.host(), Host::Name("Biloxi.Example.com"));
        assert_eq!(u.port(), Some(12763));
        assert_eq!(u.session_id(), Some("kjhd37s2s20w2a"));
        assert_eq!(u.transport(), "tcp");
        let params: Vec<_> = u.params().collect();
        assert_eq!(params, vec![("foo", Some("bar")), ("baz", None)]);
        assert_eq!(
            u.to_string(),
            "msrps://bob%40x@Biloxi.Example.com:12763/kjhd37s2s20w2a;tcp;foo=bar;baz"
        );

        let v6 = uri("msrp://[2001:db8::7]:2855/a+b=c/d;tcp");
        assert_eq!(v6.host(), Host::Ipv6("2001:db8::7".parse().unwrap()));
        assert_eq!(v6.host_str(), "2001:db8::7");
        assert_eq!(v6.session_id(), Some("a+b=c/d"));

        let no_sid = uri("msrp://relay.example.net:2855;tcp");
        assert_eq!(no_sid.session_id(), None);
        assert_eq!(no_sid.host(), Host::Name("relay.example.net"));
        let v4 = uri("msrp://192.0.2.1:9/s1;tcp");
        assert_eq!(v4.host(), Host::Ipv4(Ipv4Addr::new(192, 0, 2, 1)));
    }

    #[test]
    fn rejects_malformed() {
        let cases: &[(&str, UriError)] = &[
            ("", UriError::Empty),
            ("sip://a.example.com:1/s;tcp", UriError::BadScheme),
            ("msrp:/a.example.com:1/s;tcp", UriError::BadScheme),
            ("msrp://a.example.com:1/s", UriError::MissingTransport),
            ("msrp://a.example.com:1/s;", UriError::MissingTransport),
            ("msrp://a.example.com:1/;tcp", UriError::BadSessionId),
            ("msrp://a.example.com:1/a?b;tcp", UriError::BadSessionId),
            ("msrp://a.example.com:x/s;tcp", UriError::BadPort),
            ("msrp://a.example.com:70000/s;tcp", UriError::BadPort),
            ("msrp://a.example.com:/s;tcp", UriError::BadPort),
            ("msrp://192.0.2.1/s;tcp", UriError::MissingPortForIp),
            ("msrp://[::1]/s;tcp", UriError::MissingPortForIp),
            ("msrp://[::1:1/s;tcp", UriError::BadHost),
            ("msrp://[zz::1]:1/s;tcp", UriError::BadHost),
            ("msrp://:1/s;tcp", UriError::BadHost),
            (
                "msrp://u:pw@a.example.com:1/s;tcp",
                UriError::PasswordInUserinfo,
            ),
            (
                "msrp://a%zz.example.com:1/s;tcp",
                UriError::BadPercentEncoding { part: "host" },
            ),
            ("msrp://a.example.com:1/s;tcp;=x", UriError::BadParameter),
            ("msrp://a.example.com:1/s;tcp;a=", UriError::BadParameter),
            (
                "msrp://a.exa mple.com:1/s;tcp",
                UriError::BadChar { byte: b' ' },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(MsrpUri::parse(text).as_ref().err(), Some(want), "{text}");
        }
    }

    /// RFC 4975 §6.1 comparison table.
    #[test]
    fn comparison_rules() {
        let equal = [
            // Scheme and transport case.
            (
                "msrp://a.example.com:1/s;tcp",
                "MSRP://a.example.com:1/s;TCP",
            ),
            // Host case.
            (
                "msrp://A.Example.COM:1/s;tcp",
                "msrp://a.example.com:1/s;tcp",
            ),
            // Percent-encoded unreserved characters in the host.
            (
                "msrp://%61.example.com:1/s;tcp",
                "msrp://a.example.com:1/s;tcp",
            ),
            // Userinfo ignored.
            (
                "msrp://alice@a.example.com:1/s;tcp",
                "msrp://bob@a.example.com:1/s;tcp",
            ),
            // IPv6 spellings.
            (
                "msrp://[2001:db8::1]:7/s;tcp",
                "msrp://[2001:DB8:0:0:0:0:0:1]:7/s;tcp",
            ),
            (
                "msrp://[::ffff:192.0.2.1]:7/s;tcp",
                "msrp://[::ffff:c000:201]:7/s;tcp",
            ),
            // Port by value.
            (
                "msrp://a.example.com:0080/s;tcp",
                "msrp://a.example.com:80/s;tcp",
            ),
            // Other parameters ignored.
            (
                "msrp://a.example.com:1/s;tcp;x=y",
                "msrp://a.example.com:1/s;tcp",
            ),
        ];
        for (a, b) in equal {
            assert_eq!(uri(a), uri(b), "{a} == {b}");
            // Hash must agree with equality.
            use std::hash::BuildHasher;
            let s = std::collections::hash_map::RandomState::new();
            assert_eq!(s.hash_one(uri(a)), s.hash_one(uri(b)), "{a} hash");
        }
        let unequal = [
            (
                "msrp://a.example.com:1/s;tcp",
                "msrps://a.example.com:1/s;tcp",
            ),
            // Session-id is case-sensitive.
            (
                "msrp://a.example.com:1/abc;tcp",
                "msrp://a.example.com:1/ABC;tcp",
            ),
            // Present never equals absent.
            (
                "msrp://a.example.com:1/abc;tcp",
                "msrp://a.example.com:1;tcp",
            ),
            // Explicit port never equals absent port.
            (
                "msrp://a.example.com:2855/s;tcp",
                "msrp://a.example.com/s;tcp",
            ),
            (
                "msrp://a.example.com:1/s;tcp",
                "msrp://a.example.com:2/s;tcp",
            ),
            // Transport must match.
            (
                "msrp://a.example.com:1/s;tcp",
                "msrp://a.example.com:1/s;sctp",
            ),
            // Different hosts and address families.
            (
                "msrp://a.example.com:1/s;tcp",
                "msrp://b.example.com:1/s;tcp",
            ),
            (
                "msrp://[::ffff:192.0.2.1]:7/s;tcp",
                "msrp://192.0.2.1:7/s;tcp",
            ),
            (
                "msrp://[2001:db8::1]:7/s;tcp",
                "msrp://[2001:db8::2]:7/s;tcp",
            ),
            // Reserved characters stay escaped.
            (
                "msrp://a%2Cb.example.com:1/s;tcp",
                "msrp://a,b.example.com:1/s;tcp",
            ),
            // A name that looks like an address is not the address.
            ("msrp://localhost:7/s;tcp", "msrp://127.0.0.1:7/s;tcp"),
        ];
        for (a, b) in unequal {
            assert_ne!(uri(a), uri(b), "{a} != {b}");
        }
    }

    #[test]
    fn path_parse_and_display() {
        let p =
            Path::parse("msrp://r.example.com:2855/r1;tcp msrp://b.example.com:9/s;tcp").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p.first().host_str(), "r.example.com");
        assert_eq!(p.last().session_id(), Some("s"));
        assert_eq!(
            p.to_string(),
            "msrp://r.example.com:2855/r1;tcp msrp://b.example.com:9/s;tcp"
        );
        assert_eq!(Path::parse("  "), Err(UriError::Empty));
        assert!(Path::parse("msrp://a.example.com:1/s;tcp bogus").is_err());
    }
}
