//! `sip:` and `sips:` URIs (RFC 3261 §19.1, grammar §25.1, comparison §19.1.4).

use std::borrow::Cow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use super::UriError;
use super::chars::{
    HNV_UNRESERVED, PARAM_UNRESERVED, PASSWORD_EXTRA, UNRESERVED, USER_UNRESERVED, check_run,
    eq_normalised, find_any, normalised, normalised_vec, unescape,
};
use super::host::{Host, HostAddr, parse_ipv6, parse_name_or_v4};
use super::scheme_end;

/// `sip` or `sips`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SipScheme {
    /// `sip`.
    Sip,
    /// `sips`: every hop secured with TLS (RFC 3261 §19.1).
    Sips,
}

impl SipScheme {
    /// The scheme in canonical (lower-case) form.
    pub fn as_str(self) -> &'static str {
        match self {
            SipScheme::Sip => "sip",
            SipScheme::Sips => "sips",
        }
    }
}

/// Byte range of the URI text.
type Span = (usize, usize);

fn get(raw: &str, (start, end): Span) -> &str {
    raw.get(start..end).unwrap_or_default()
}

/// A SIP or SIPS URI: `sip:[user[:password]@]host[:port]*(;param[=value])[?hname=hvalue*(&...)]`.
///
/// Components are returned as written (still escaped); the `*_unescaped` accessors decode `%XX`
/// escapes into bytes (a user may legally hold `%00`, RFC 4475 §3.1.1.4). The user may contain
/// `;`, `?` and `/` (`user-unreserved`), so `sip:user;par=u%40example.net@example.com` has the
/// user `user;par=u%40example.net` (RFC 4475 §3.1.1.9): `@` is not allowed unescaped anywhere
/// else in a SIP URI, so the first `@` always ends the userinfo.
///
/// `==` and [`Hash`] follow RFC 3261 §19.1.4 (see [`SipUri::eq`](#impl-PartialEq-for-SipUri)).
/// [`Display`](fmt::Display) writes back the exact text that was parsed.
///
/// ```
/// use sip_lite::uri::{Host, SipScheme, SipUri};
/// let u: SipUri = "SIPS:null-%00-null:pw@192.0.2.4:5061;maddr=[2001:db8::1];lr".parse()?;
/// assert_eq!(u.scheme(), SipScheme::Sips);
/// assert_eq!(u.user(), Some("null-%00-null"));
/// assert_eq!(u.user_unescaped().as_deref(), Some(&b"null-\0-null"[..]));
/// assert_eq!(u.password(), Some("pw"));
/// assert_eq!(u.host(), Host::Ipv4("192.0.2.4".parse().unwrap()));
/// assert_eq!(u.port(), Some(5061));
/// assert_eq!(u.maddr(), Some(Host::Ipv6("2001:db8::1".parse().unwrap())));
/// assert!(u.lr());
/// # Ok::<(), sip_lite::uri::UriError>(())
/// ```
#[derive(Clone)]
pub struct SipUri {
    raw: Box<str>,
    scheme: SipScheme,
    user: Option<Span>,
    password: Option<Span>,
    /// Host text, without the brackets of an IPv6 reference.
    host: Span,
    addr: HostAddr,
    port: Option<u16>,
    params: Vec<(Span, Option<Span>)>,
    headers: Vec<(Span, Span)>,
}

/// The parameters whose presence in only one of two URIs makes them differ
/// (RFC 3261 §19.1.4: components with a default value, and `maddr`).
const MUST_MATCH_PARAMS: [&str; 5] = ["transport", "user", "ttl", "method", "maddr"];

impl SipUri {
    /// Parses a `sip:` or `sips:` URI (scheme case-insensitive).
    pub fn parse(s: &str) -> Result<Self, UriError> {
        let b = s.as_bytes();
        let colon = scheme_end(b)?;
        let scheme_text = s.get(..colon).unwrap_or_default();
        let scheme = if scheme_text.eq_ignore_ascii_case("sip") {
            SipScheme::Sip
        } else if scheme_text.eq_ignore_ascii_case("sips") {
            SipScheme::Sips
        } else {
            return Err(UriError::MissingScheme);
        };
        let mut pos = colon + 1;
        let len = b.len();

        // userinfo = ( user / telephone-subscriber ) [ ":" password ] "@"
        // '@' is in no other production of SIP-URI, so the first one ends the userinfo.
        let (mut user, mut password) = (None, None);
        if let Some(at) = b.iter().skip(pos).position(|&c| c == b'@').map(|i| i + pos) {
            let user_end = find_any(b, pos, b":@");
            if user_end == pos {
                return Err(UriError::EmptyUser);
            }
            // user = 1*( unreserved / escaped / user-unreserved )
            check_run(b, pos, user_end, UNRESERVED | USER_UNRESERVED)?;
            user = Some((pos, user_end));
            if user_end < at {
                // password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," )
                check_run(b, user_end + 1, at, UNRESERVED | PASSWORD_EXTRA)?;
                password = Some((user_end + 1, at));
            }
            pos = at + 1;
        }

        // hostport = host [ ":" port ]
        let (host, addr, after_host) = parse_host(b, pos)?;
        pos = after_host;
        let mut port = None;
        if b.get(pos) == Some(&b':') {
            let start = pos + 1;
            let end = find_any(b, start, b";?");
            port = Some(parse_port(b, start, end)?);
            pos = end;
        }
        match b.get(pos) {
            None | Some(b';' | b'?') => {}
            Some(&c) => {
                return Err(UriError::InvalidCharacter {
                    position: pos,
                    byte: c,
                });
            }
        }

        // uri-parameters = *( ";" uri-parameter ); pname/pvalue = 1*paramchar
        let mut params = Vec::new();
        while b.get(pos) == Some(&b';') {
            let name_start = pos + 1;
            let name_end = find_any(b, name_start, b"=;?");
            if name_end == name_start {
                return Err(UriError::EmptyParameterName { position: pos });
            }
            check_run(b, name_start, name_end, UNRESERVED | PARAM_UNRESERVED)?;
            let mut value = None;
            pos = name_end;
            if b.get(pos) == Some(&b'=') {
                let v_start = pos + 1;
                let v_end = find_any(b, v_start, b";?");
                if v_end == v_start {
                    return Err(UriError::EmptyParameterValue { position: pos });
                }
                check_run(b, v_start, v_end, UNRESERVED | PARAM_UNRESERVED)?;
                value = Some((v_start, v_end));
                pos = v_end;
            }
            check_known_param(s, (name_start, name_end), value)?;
            // A parameter named twice has no single value to compare (RFC 3261 §19.1.4 matches
            // parameters by name), so it is refused like a duplicate tel parameter.
            let name = get(s, (name_start, name_end));
            if params
                .iter()
                .any(|&(n, _)| eq_normalised(get(s, n), name, true))
            {
                return Err(UriError::DuplicateParameter {
                    position: name_start,
                });
            }
            params.push(((name_start, name_end), value));
        }

        // headers = "?" header *( "&" header ); header = hname "=" hvalue
        let mut headers = Vec::new();
        if b.get(pos) == Some(&b'?') {
            loop {
                let h_start = pos + 1;
                let h_end = find_any(b, h_start, b"&");
                let eq = find_any(b, h_start, b"=");
                if eq >= h_end || eq == h_start {
                    return Err(UriError::BadHeader { position: h_start });
                }
                check_run(b, h_start, eq, UNRESERVED | HNV_UNRESERVED)?;
                check_run(b, eq + 1, h_end, UNRESERVED | HNV_UNRESERVED)?;
                headers.push(((h_start, eq), (eq + 1, h_end)));
                pos = h_end;
                if pos >= len {
                    break;
                }
            }
        }
        if let Some(&c) = b.get(pos) {
            // Unreachable by construction (every loop above ends at the end of the text or at a
            // delimiter it handles); reported rather than asserted.
            return Err(UriError::InvalidCharacter {
                position: pos,
                byte: c,
            });
        }

        Ok(Self {
            raw: s.into(),
            scheme,
            user,
            password,
            host,
            addr,
            port,
            params,
            headers,
        })
    }

    /// `sip` or `sips`.
    pub fn scheme(&self) -> SipScheme {
        self.scheme
    }

    /// Whether this is a `sips:` URI.
    pub fn is_secure(&self) -> bool {
        self.scheme == SipScheme::Sips
    }

    /// The user part as written (escaped), if any.
    pub fn user(&self) -> Option<&str> {
        self.user.map(|r| get(&self.raw, r))
    }

    /// The user part with `%XX` escapes decoded. Bytes, because `%00` and non-UTF-8 octets are
    /// legal escapes.
    pub fn user_unescaped(&self) -> Option<Cow<'_, [u8]>> {
        self.user().map(unescape)
    }

    /// The password as written (escaped), if a `:` follows the user.
    pub fn password(&self) -> Option<&str> {
        self.password.map(|r| get(&self.raw, r))
    }

    /// The password with `%XX` escapes decoded.
    pub fn password_unescaped(&self) -> Option<Cow<'_, [u8]>> {
        self.password().map(unescape)
    }

    /// The host.
    pub fn host(&self) -> Host<'_> {
        match self.addr {
            HostAddr::Domain => Host::Domain(self.host_str()),
            HostAddr::Ipv4(a) => Host::Ipv4(a),
            HostAddr::Ipv6(a) => Host::Ipv6(a),
        }
    }

    /// The host text as written (without the brackets of an IPv6 reference).
    pub fn host_str(&self) -> &str {
        get(&self.raw, self.host)
    }

    /// The port, if written.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The URI parameters in order, as written: `(name, value)`.
    pub fn params(&self) -> impl Iterator<Item = (&str, Option<&str>)> + '_ {
        self.params
            .iter()
            .map(|&(n, v)| (get(&self.raw, n), v.map(|v| get(&self.raw, v))))
    }

    /// The first parameter named `name` (case-insensitive, escapes decoded): `None` when absent,
    /// `Some(None)` when present without a value.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params()
            .find(|(n, _)| eq_normalised(n, name, true))
            .map(|(_, v)| v)
    }

    /// The `transport` parameter's value (`udp`, `tcp`, `sctp`, `tls` or another token).
    pub fn transport(&self) -> Option<&str> {
        self.param("transport").flatten()
    }

    /// The `user` parameter's value (`phone`, `ip` or another token).
    pub fn user_param(&self) -> Option<&str> {
        self.param("user").flatten()
    }

    /// Whether the URI carries `user=phone` (RFC 3261 §19.1.1): the user part is a
    /// telephone-subscriber.
    pub fn is_user_phone(&self) -> bool {
        self.user_param()
            .is_some_and(|v| eq_normalised(v, "phone", true))
    }

    /// The `method` parameter's value.
    pub fn method(&self) -> Option<&str> {
        self.param("method").flatten()
    }

    /// The `ttl` parameter (0-255).
    pub fn ttl(&self) -> Option<u8> {
        self.param("ttl")
            .flatten()
            .and_then(|v| String::from_utf8(unescape(v).into_owned()).ok())
            .and_then(|v| v.parse().ok())
    }

    /// The `maddr` parameter as a host.
    pub fn maddr(&self) -> Option<Host<'_>> {
        let v = self.param("maddr").flatten()?;
        let b = v.as_bytes();
        if let Some(inner) = b.strip_prefix(b"[").and_then(|r| r.strip_suffix(b"]")) {
            return parse_ipv6(inner).map(Host::Ipv6);
        }
        match parse_name_or_v4(b, 0, b.len()).ok()? {
            HostAddr::Domain => Some(Host::Domain(v)),
            HostAddr::Ipv4(a) => Some(Host::Ipv4(a)),
            HostAddr::Ipv6(a) => Some(Host::Ipv6(a)),
        }
    }

    /// Whether the `lr` parameter (loose routing, RFC 3261 §19.1.1) is present.
    pub fn lr(&self) -> bool {
        self.param("lr").is_some()
    }

    /// The headers after `?`, in order, as written: `(hname, hvalue)`.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.headers
            .iter()
            .map(|&(n, v)| (get(&self.raw, n), get(&self.raw, v)))
    }

    /// The first header named `name` (case-insensitive), as written.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers()
            .find(|(n, _)| eq_normalised(n, name, true))
            .map(|(_, v)| v)
    }

    /// The URI's exact text.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    fn host_eq(&self, other: &Self) -> bool {
        match (self.addr, other.addr) {
            (HostAddr::Domain, HostAddr::Domain) => {
                self.host_str().eq_ignore_ascii_case(other.host_str())
            }
            // RFC 5954 §4: IPv6 references compare by value, not text.
            (a, b) => a == b,
        }
    }

    fn params_eq(&self, other: &Self) -> bool {
        let one_way = |a: &Self, b: &Self| {
            a.params()
                .all(|(name, value)| match b.param_normalised(name) {
                    // Any uri-parameter appearing in both URIs must match.
                    Some(theirs) => match (value, theirs) {
                        (None, None) => true,
                        (Some(x), Some(y)) => eq_normalised(x, y, true),
                        _ => false,
                    },
                    // user, ttl, method (and transport, with its default) and maddr in only one
                    // URI never match; all other parameters in only one URI are ignored.
                    None => !MUST_MATCH_PARAMS
                        .iter()
                        .any(|m| eq_normalised(name, m, true)),
                })
        };
        one_way(self, other) && one_way(other, self)
    }

    /// `param` with a name still in escaped form.
    fn param_normalised(&self, escaped_name: &str) -> Option<Option<&str>> {
        self.params()
            .find(|(n, _)| eq_normalised(n, escaped_name, true))
            .map(|(_, v)| v)
    }

    /// Headers in comparison form, sorted: order is not significant (RFC 3261 §19.1.4).
    fn headers_normalised(&self) -> Vec<(Vec<u16>, Vec<u16>)> {
        let mut v: Vec<_> = self
            .headers()
            .map(|(n, v)| (normalised_vec(n, true), normalised_vec(v, false)))
            .collect();
        v.sort_unstable();
        v
    }
}

/// Parses the host starting at `pos`; returns its span (without brackets), kind and the
/// position after it.
fn parse_host(b: &[u8], pos: usize) -> Result<(Span, HostAddr, usize), UriError> {
    if b.get(pos) == Some(&b'[') {
        let close = find_any(b, pos + 1, b"]");
        if close >= b.len() {
            return Err(UriError::BadIpv6);
        }
        let inner = b.get(pos + 1..close).ok_or(UriError::BadIpv6)?;
        let addr = parse_ipv6(inner).ok_or(UriError::BadIpv6)?;
        return Ok(((pos + 1, close), HostAddr::Ipv6(addr), close + 1));
    }
    let end = find_any(b, pos, b":;?");
    let addr = parse_name_or_v4(b, pos, end)?;
    Ok(((pos, end), addr, end))
}

/// `port = 1*DIGIT`, at most 65535.
fn parse_port(b: &[u8], start: usize, end: usize) -> Result<u16, UriError> {
    let digits = b.get(start..end).ok_or(UriError::BadPort)?;
    if digits.is_empty() {
        return Err(UriError::BadPort);
    }
    let mut v: u32 = 0;
    for (i, &d) in digits.iter().enumerate() {
        if !d.is_ascii_digit() {
            return Err(if d.is_ascii_alphanumeric() {
                UriError::BadPort
            } else {
                UriError::InvalidCharacter {
                    position: start + i,
                    byte: d,
                }
            });
        }
        v = v * 10 + u32::from(d - b'0');
        if v > u32::from(u16::MAX) {
            return Err(UriError::BadPort);
        }
    }
    u16::try_from(v).map_err(|_| UriError::BadPort)
}

/// The parameters with a grammar of their own: `ttl-param = "ttl=" ttl` (0-255) and
/// `maddr-param = "maddr=" host`.
fn check_known_param(s: &str, name: Span, value: Option<Span>) -> Result<(), UriError> {
    let name = get(s, name);
    let value = value.map(|v| get(s, v));
    if name.eq_ignore_ascii_case("ttl") {
        let ok = value.is_some_and(|v| {
            (1..=3).contains(&v.len())
                && v.bytes().all(|d| d.is_ascii_digit())
                && v.parse::<u16>().is_ok_and(|n| n <= 255)
        });
        if !ok {
            return Err(UriError::BadTtl);
        }
    } else if name.eq_ignore_ascii_case("maddr") {
        let v = value.ok_or(UriError::BadMaddr)?.as_bytes();
        let ok = match v.strip_prefix(b"[").and_then(|r| r.strip_suffix(b"]")) {
            Some(inner) => parse_ipv6(inner).is_some(),
            None => parse_name_or_v4(v, 0, v.len()).is_ok(),
        };
        if !ok {
            return Err(UriError::BadMaddr);
        }
    }
    Ok(())
}

impl PartialEq for SipUri {
    /// RFC 3261 §19.1.4:
    ///
    /// - `sip` and `sips` never match;
    /// - user and password are compared case-sensitively, host case-insensitively (IP addresses
    ///   by value, RFC 5954 §4), and a component present in one URI only never matches (so
    ///   `sip:bob@biloxi.com` differs from `sip:bob@biloxi.com:5060`);
    /// - escapes of characters outside `reserved` equal the characters themselves;
    /// - a parameter in both URIs must match (name and value case-insensitive); `transport`,
    ///   `user`, `ttl`, `method` and `maddr` in only one URI never match; other parameters in
    ///   only one URI are ignored;
    /// - headers are never ignored: each must be in both, in any order (names case-insensitive,
    ///   values compared exactly after unescaping).
    ///
    /// As the RFC notes, this equality is not transitive (`;security=on` and `;security=off`
    /// both equal the URI without the parameter, but not each other).
    fn eq(&self, other: &Self) -> bool {
        let opt_eq = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) => eq_normalised(x, y, false),
            _ => false,
        };
        self.scheme == other.scheme
            && opt_eq(self.user(), other.user())
            && opt_eq(self.password(), other.password())
            && self.host_eq(other)
            && self.port == other.port
            && self.params_eq(other)
            && self.headers_normalised() == other.headers_normalised()
    }
}

impl Eq for SipUri {}

impl Hash for SipUri {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Only what two equal URIs must share: parameters other than the five that must match
        // are left out, because they may be ignored by the comparison.
        self.scheme.hash(state);
        for part in [self.user(), self.password()] {
            match part {
                Some(p) => {
                    state.write_u8(1);
                    normalised(p, false).for_each(|u| state.write_u16(u));
                    state.write_u16(0xFFFF);
                }
                None => state.write_u8(0),
            }
        }
        match self.addr {
            HostAddr::Domain => {
                state.write_u8(0);
                for c in self.host_str().bytes() {
                    state.write_u8(c.to_ascii_lowercase());
                }
                state.write_u8(0xFF);
            }
            a => a.hash(state),
        }
        self.port.hash(state);
        for name in MUST_MATCH_PARAMS {
            match self.param(name) {
                Some(v) => {
                    state.write_u8(1);
                    v.map(|v| normalised_vec(v, true)).hash(state);
                }
                None => state.write_u8(0),
            }
        }
        self.headers_normalised().hash(state);
    }
}

impl fmt::Display for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for SipUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SipUri({:?})", self.raw)
    }
}

impl FromStr for SipUri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
