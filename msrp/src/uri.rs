//! MSRP URIs (RFC 4975 §6, §9) and paths of them (To-Path, From-Path, Use-Path).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::ops::Range;
use std::str::FromStr;

use crate::error::UriError;

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
    raw: String,
    scheme: Scheme,
    userinfo: Option<Range<usize>>,
    /// Host text without IPv6 brackets.
    host: Range<usize>,
    ip: Option<IpAddr>,
    port: Option<u16>,
    session_id: Option<Range<usize>>,
    transport: Range<usize>,
    /// Everything after the transport (`;name=value...`), possibly empty.
    params: Range<usize>,
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn is_sub_delim_no_semicolon(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b','
    ) || b == b'='
}

/// `token` as RFC 4975 §9 (via RFC 3261) defines it, used for URI parameters.
fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
        )
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Checks that every `%` in `s` starts a two-hex-digit escape.
fn check_pct(s: &[u8], part: &'static str) -> Result<(), UriError> {
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            match (s.get(i + 1).copied(), s.get(i + 2).copied()) {
                (Some(a), Some(b)) if hex_val(a).is_some() && hex_val(b).is_some() => i += 3,
                _ => return Err(UriError::BadPercentEncoding { part }),
            }
        } else {
            i += 1;
        }
    }
    Ok(())
}

/// Percent-decodes `s` (already checked by [`check_pct`]) and lower-cases ASCII letters.
fn decode_lower(s: &str) -> impl Iterator<Item = u8> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let c = *b.get(i)?;
        if c == b'%' {
            let v = hex_val(*b.get(i + 1)?)? * 16 + hex_val(*b.get(i + 2)?)?;
            i += 3;
            Some(v.to_ascii_lowercase())
        } else {
            i += 1;
            Some(c.to_ascii_lowercase())
        }
    })
}

impl MsrpUri {
    /// Parses an MSRP URI.
    pub fn parse(s: impl AsRef<[u8]>) -> Result<Self, UriError> {
        let bytes = s.as_ref();
        if bytes.is_empty() {
            return Err(UriError::Empty);
        }
        if let Some(&b) = bytes.iter().find(|&&b| !(0x21..0x7f).contains(&b)) {
            return Err(UriError::BadChar { byte: b });
        }
        // All bytes are printable ASCII, so this is valid UTF-8.
        let raw = std::str::from_utf8(bytes).map_err(|_| UriError::BadChar { byte: 0x80 })?;

        let sep = raw.find("://").ok_or(UriError::BadScheme)?;
        let scheme = if raw[..sep].eq_ignore_ascii_case("msrp") {
            Scheme::Msrp
        } else if raw[..sep].eq_ignore_ascii_case("msrps") {
            Scheme::Msrps
        } else {
            return Err(UriError::BadScheme);
        };
        let auth_start = sep + 3;
        let auth_end = raw[auth_start..]
            .find(['/', ';'])
            .map(|i| i + auth_start)
            .ok_or(UriError::MissingTransport)?;
        let authority = &raw[auth_start..auth_end];

        // userinfo: everything before the last '@' of the authority.
        let (userinfo, host_port_start) = match authority.rfind('@') {
            Some(at) => {
                let ui = &authority.as_bytes()[..at];
                if ui.contains(&b':') {
                    return Err(UriError::PasswordInUserinfo);
                }
                if let Some(&b) = ui
                    .iter()
                    .find(|&&b| !(is_unreserved(b) || is_sub_delim_no_semicolon(b) || b == b'%'))
                {
                    return Err(UriError::BadChar { byte: b });
                }
                check_pct(ui, "userinfo")?;
                (Some(auth_start..auth_start + at), auth_start + at + 1)
            }
            None => (None, auth_start),
        };

        let hp = &raw[host_port_start..auth_end];
        let (host, ip, port_text) = if let Some(rest) = hp.strip_prefix('[') {
            let close = rest.find(']').ok_or(UriError::BadHost)?;
            let addr: Ipv6Addr = rest[..close].parse().map_err(|_| UriError::BadHost)?;
            let after = &rest[close + 1..];
            let port_text = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or(UriError::BadHost)?),
            };
            let start = host_port_start + 1;
            (start..start + close, Some(IpAddr::V6(addr)), port_text)
        } else {
            let (h, p) = match hp.find(':') {
                Some(c) => (&hp[..c], Some(&hp[c + 1..])),
                None => (hp, None),
            };
            if h.is_empty() {
                return Err(UriError::BadHost);
            }
            if let Some(&b) = h
                .as_bytes()
                .iter()
                .find(|&&b| !(is_unreserved(b) || is_sub_delim_no_semicolon(b) || b == b'%'))
            {
                return Err(UriError::BadChar { byte: b });
            }
            check_pct(h.as_bytes(), "host")?;
            let decoded: Vec<u8> = decode_lower(h).collect();
            let ip = std::str::from_utf8(&decoded)
                .ok()
                .and_then(|d| d.parse::<Ipv4Addr>().ok())
                .map(IpAddr::V4);
            (host_port_start..host_port_start + h.len(), ip, p)
        };
        let port = match port_text {
            None => None,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                Some(p.parse::<u16>().map_err(|_| UriError::BadPort)?)
            }
            Some(_) => return Err(UriError::BadPort),
        };
        // RFC 4975 §6: a numeric IP address in the authority MUST carry a port.
        if ip.is_some() && port.is_none() {
            return Err(UriError::MissingPortForIp);
        }

        let mut pos = auth_end;
        let session_id = if raw.as_bytes()[pos] == b'/' {
            let start = pos + 1;
            let end = raw[start..]
                .find(';')
                .map(|i| i + start)
                .ok_or(UriError::MissingTransport)?;
            let sid = &raw.as_bytes()[start..end];
            if sid.is_empty() {
                return Err(UriError::BadSessionId);
            }
            // session-id = 1*( unreserved / "+" / "=" / "/" )
            if sid
                .iter()
                .any(|&b| !(is_unreserved(b) || matches!(b, b'+' | b'=' | b'/')))
            {
                return Err(UriError::BadSessionId);
            }
            pos = end;
            Some(start..end)
        } else {
            None
        };

        // raw[pos] == ';'
        let t_start = pos + 1;
        let t_end = raw[t_start..].find(';').map_or(raw.len(), |i| i + t_start);
        let transport = &raw.as_bytes()[t_start..t_end];
        if transport.is_empty() || !transport.iter().all(u8::is_ascii_alphanumeric) {
            return Err(UriError::MissingTransport);
        }
        // URI-parameter = token ["=" token]
        for param in raw[t_end..].split(';').skip(1) {
            let (name, value) = match param.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (param, None),
            };
            let ok = |t: &str| !t.is_empty() && t.bytes().all(is_token_char);
            if !ok(name) || !value.is_none_or(ok) {
                return Err(UriError::BadParameter);
            }
        }
        Ok(Self {
            scheme,
            userinfo,
            host,
            ip,
            port,
            session_id,
            transport: t_start..t_end,
            params: t_end..raw.len(),
            raw: raw.to_owned(),
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
        self.userinfo.clone().map(|r| &self.raw[r])
    }

    /// The host.
    pub fn host(&self) -> Host<'_> {
        match self.ip {
            Some(IpAddr::V4(a)) => Host::Ipv4(a),
            Some(IpAddr::V6(a)) => Host::Ipv6(a),
            None => Host::Name(&self.raw[self.host.clone()]),
        }
    }

    /// The host text as written (without the brackets of an IPv6 reference).
    pub fn host_str(&self) -> &str {
        &self.raw[self.host.clone()]
    }

    /// The port, if written.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The session-id, if any.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.clone().map(|r| &self.raw[r])
    }

    /// The transport (usually `tcp`).
    pub fn transport(&self) -> &str {
        &self.raw[self.transport.clone()]
    }

    /// The URI parameters after the transport, as `(name, value)` pairs.
    pub fn params(&self) -> impl Iterator<Item = (&str, Option<&str>)> {
        self.raw[self.params.clone()]
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
            (None, None) => decode_lower(self.host_str()).eq(decode_lower(other.host_str())),
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
            None => decode_lower(self.host_str()).for_each(|b| state.write_u8(b)),
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
        let mut uris = s
            .as_ref()
            .split(|&b| b == b' ')
            .filter(|p| !p.is_empty())
            .map(MsrpUri::parse);
        let first = uris.next().ok_or(UriError::Empty)??;
        Ok(Self {
            first,
            rest: uris.collect::<Result<_, _>>()?,
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
