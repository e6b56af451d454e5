//! Hosts: `hostname / IPv4address / IPv6reference` (RFC 3261 §25.1 as corrected by RFC 5954).

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::UriError;
use super::chars::{ALNUM, is};

/// The host of a SIP URI (or the `maddr` parameter).
///
/// ```
/// use sip_lite::uri::{Host, SipUri};
/// let u: SipUri = "sip:alice@[2001:db8::1]:5060".parse()?;
/// assert_eq!(u.host(), Host::Ipv6("2001:db8::1".parse().unwrap()));
/// # Ok::<(), sip_lite::uri::UriError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Host<'a> {
    /// A domain name (`hostname`), as written; compare it case-insensitively.
    Domain(&'a str),
    /// An IPv4 address (`IPv4address`).
    Ipv4(Ipv4Addr),
    /// An IPv6 reference (`[IPv6address]`), without its brackets.
    Ipv6(Ipv6Addr),
}

impl fmt::Display for Host<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ipv4(a) => write!(f, "{a}"),
            Host::Ipv6(a) => write!(f, "[{a}]"),
        }
    }
}

/// A host as stored in a parsed URI: the address when it is one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum HostAddr {
    Domain,
    Ipv4(Ipv4Addr),
    Ipv6(Ipv6Addr),
}

/// Parses `b[start..end]` as `hostname / IPv4address` (no brackets). Positions in errors are
/// relative to the whole URI.
pub(crate) fn parse_name_or_v4(b: &[u8], start: usize, end: usize) -> Result<HostAddr, UriError> {
    let Some(text) = b.get(start..end) else {
        return Err(UriError::EmptyHost);
    };
    if text.is_empty() {
        return Err(UriError::EmptyHost);
    }
    for (i, &c) in text.iter().enumerate() {
        if !(is(c, ALNUM) || c == b'-' || c == b'.') {
            return Err(UriError::InvalidCharacter {
                position: start + i,
                byte: c,
            });
        }
    }
    // A hostname's top label starts with a letter, so all-digit dotted text can only be an
    // IPv4 address.
    if text.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
        return parse_ipv4(text)
            .map(HostAddr::Ipv4)
            .ok_or(UriError::BadIpv4);
    }
    if is_hostname(text) {
        Ok(HostAddr::Domain)
    } else {
        Err(UriError::BadHostname)
    }
}

/// `hostname = *( domainlabel "." ) toplabel [ "." ]`, `domainlabel = alphanum /
/// alphanum *( alphanum / "-" ) alphanum`, `toplabel = ALPHA / ALPHA *( alphanum / "-" )
/// alphanum`.
pub(crate) fn is_hostname(text: &[u8]) -> bool {
    let text = text.strip_suffix(b".").unwrap_or(text);
    if text.is_empty() {
        return false;
    }
    let mut labels = text.split(|&c| c == b'.').peekable();
    while let Some(label) = labels.next() {
        let (Some(&first), Some(&last)) = (label.first(), label.last()) else {
            return false;
        };
        let top = labels.peek().is_none();
        let first_ok = if top {
            first.is_ascii_alphabetic()
        } else {
            first.is_ascii_alphanumeric()
        };
        if !first_ok
            || !last.is_ascii_alphanumeric()
            || !label
                .iter()
                .all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        {
            return false;
        }
    }
    true
}

/// `IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet` (RFC 5954 §4.1 replaced
/// RFC 3261's `1*3DIGIT` with `dec-octet`, so leading zeros and values over 255 are invalid).
pub(crate) fn parse_ipv4(text: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut parts = text.split(|&c| c == b'.');
    for o in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || part.len() > 3 || (part.len() > 1 && part.first() == Some(&b'0')) {
            return None;
        }
        let mut v = 0u16;
        for &d in part {
            if !d.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u16::from(d - b'0');
        }
        *o = u8::try_from(v).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(Ipv4Addr::from(octets))
}

/// `IPv6address` as RFC 5954 §4.1 corrects it (the RFC 3986 form): eight 16-bit pieces of
/// 1-4 hex digits, the last two of which may be an IPv4 address; one `::` may stand for one or
/// more zero pieces.
pub(crate) fn parse_ipv6(text: &[u8]) -> Option<Ipv6Addr> {
    fn pieces(part: &[u8], allow_v4_tail: bool, out: &mut Vec<u16>) -> Option<()> {
        if part.is_empty() {
            return Some(());
        }
        let groups: Vec<&[u8]> = part.split(|&c| c == b':').collect();
        let n = groups.len();
        for (i, g) in groups.into_iter().enumerate() {
            if allow_v4_tail && i + 1 == n && g.contains(&b'.') {
                let v4 = parse_ipv4(g)?.octets();
                out.push(u16::from_be_bytes([v4[0], v4[1]]));
                out.push(u16::from_be_bytes([v4[2], v4[3]]));
            } else {
                if g.is_empty() || g.len() > 4 || !g.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let v = g.iter().try_fold(0u16, |acc, &d| {
                    super::chars::hex_val(d).map(|x| acc * 16 + u16::from(x))
                })?;
                out.push(v);
            }
        }
        Some(())
    }

    let double = text.windows(2).position(|w| w == b"::");
    let mut head = Vec::with_capacity(8);
    let mut tail = Vec::with_capacity(8);
    match double {
        None => {
            pieces(text, true, &mut head)?;
            if head.len() != 8 {
                return None;
            }
        }
        Some(at) => {
            let before = text.get(..at)?;
            let after = text.get(at + 2..)?;
            // Only one "::", and no ":::" (RFC 5954 §3.2.1).
            if after.windows(2).any(|w| w == b"::") || after.first() == Some(&b':') {
                return None;
            }
            pieces(before, false, &mut head)?;
            pieces(after, true, &mut tail)?;
            // "::" stands for at least one zero piece.
            if head.len() + tail.len() > 7 {
                return None;
            }
        }
    }
    let mut segs = [0u16; 8];
    for (s, v) in segs.iter_mut().zip(head.iter()) {
        *s = *v;
    }
    let off = 8 - tail.len();
    for (i, v) in tail.iter().enumerate() {
        if let Some(s) = segs.get_mut(off + i) {
            *s = *v;
        }
    }
    Some(Ipv6Addr::from(segs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames() {
        for ok in [
            "example.com",
            "a",
            "A-1.b-2.Com",
            "3com.com",
            "example.com.",
            "x.y-z",
        ] {
            assert!(is_hostname(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            ".",
            "-a.com",
            "a-.com",
            "a..com",
            "example.1com",
            "a.123",
            "a_b.com",
            ".com",
        ] {
            assert!(!is_hostname(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn ipv4() {
        assert_eq!(parse_ipv4(b"192.0.2.4"), Some(Ipv4Addr::new(192, 0, 2, 4)));
        assert_eq!(parse_ipv4(b"0.0.0.0"), Some(Ipv4Addr::UNSPECIFIED));
        for bad in [
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1..3.4",
            "1.2.3.4.",
            "1234.1.1.1",
        ] {
            assert_eq!(parse_ipv4(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn ipv6() {
        let ok: &[(&str, &str)] = &[
            ("2001:db8::10", "2001:db8::10"),
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("1:2:3:4:5:6::8", "1:2:3:4:5:6:0:8"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
            // RFC 4475 §3.1.1.12-ish: the two-colon embedded IPv4 form is valid.
            ("2001:db8::192.0.2.1", "2001:db8::c000:201"),
            ("1:2:3:4:5:6:192.0.2.1", "1:2:3:4:5:6:c000:201"),
        ];
        for (text, want) in ok {
            assert_eq!(
                parse_ipv6(text.as_bytes()),
                Some(want.parse().unwrap()),
                "{text}"
            );
        }
        for bad in [
            "",
            ":",
            ":::",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4::5:6:7:8",
            // RFC 5954 §3.2.1: three colons before an IPv4 tail.
            "2001:db8:::192.0.2.1",
            "1::2::3",
            "12345::",
            "g::1",
            "::192.0.2.1.5",
            "192.0.2.1::",
            "1:2:3:4:5:6:7:192.0.2.1",
            ":1::",
            "1:",
            "::1:",
        ] {
            assert_eq!(parse_ipv6(bad.as_bytes()), None, "{bad}");
        }
    }
}
