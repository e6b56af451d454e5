//! The Via header (RFC 3261 §20.42, RFC 3581 `rport`).

use std::fmt;

use crate::grammar::{digits_u64, is_lws_char, sep, sws, token};
use crate::typed::{HeaderError, ParamList};

/// The magic cookie that marks an RFC 3261 branch (§8.1.1.7).
pub const BRANCH_MAGIC_COOKIE: &str = "z9hG4bK";

/// One `via-parm`: `SIP/2.0/UDP host:port;params`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Via<'a> {
    protocol: &'a str,
    version: &'a str,
    transport: &'a str,
    host: &'a str,
    port: Option<u16>,
    params: ParamList<'a>,
}

const HEADER: &str = "Via";

fn err(expected: &'static str) -> HeaderError {
    HeaderError::Syntax {
        header: HEADER,
        expected,
    }
}

impl<'a> Via<'a> {
    /// Parses one via-parm (one element of a Via list).
    pub fn parse(value: &'a str) -> Result<Via<'a>, HeaderError> {
        let (i, _) = sws(value).map_err(|_| err("a sent-protocol"))?;
        let (i, protocol) = token(i).map_err(|_| err("a protocol name"))?;
        let (i, ()) = sep("/")(i).map_err(|_| err("'/' after the protocol name"))?;
        let (i, version) = token(i).map_err(|_| err("a protocol version"))?;
        let (i, ()) = sep("/")(i).map_err(|_| err("'/' after the protocol version"))?;
        let (i, transport) = token(i).map_err(|_| err("a transport"))?;
        let i2 = i.trim_start_matches(is_lws_char);
        if i2.len() == i.len() {
            return Err(err("white space before sent-by"));
        }
        let (i, host) = host(i2).ok_or(err("a host in sent-by"))?;
        let (i, port) = match sep(":")(i) {
            Ok((r, ())) => {
                let (r, p) = digits_u64(r).map_err(|_| err("a port"))?;
                (
                    r,
                    Some(u16::try_from(p).map_err(|_| HeaderError::OutOfRange {
                        header: HEADER,
                        max: 65535,
                    })?),
                )
            }
            Err(_) => (i, None),
        };
        let (i, params) = ParamList::parse_with(i, true).map_err(|_| err("via parameters"))?;
        if !i.trim_matches(is_lws_char).is_empty() {
            return Err(err("';' or the end of the via-parm"));
        }
        let via = Via {
            protocol,
            version,
            transport,
            host,
            port,
            params,
        };
        via.check_params()?;
        Ok(via)
    }

    fn check_params(&self) -> Result<(), HeaderError> {
        for p in self.params.iter() {
            let v = p.value;
            let ok = if p.name.eq_ignore_ascii_case("ttl") {
                v.and_then(|v| crate::grammar::parse_number(v, 255))
                    .is_some()
            } else if p.name.eq_ignore_ascii_case("rport") {
                v.is_none_or(|v| crate::grammar::parse_number(v, 65535).is_some())
            } else if p.name.eq_ignore_ascii_case("branch") || p.name.eq_ignore_ascii_case("maddr")
            {
                v.is_some_and(|v| !v.starts_with('"'))
            } else if p.name.eq_ignore_ascii_case("received") {
                v.is_some_and(|v| {
                    v.bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b'.' || b == b':')
                })
            } else {
                true
            };
            if !ok {
                return Err(err("a valid ttl, rport, branch, maddr or received value"));
            }
        }
        Ok(())
    }

    /// The protocol name, `SIP`.
    pub fn protocol(&self) -> &'a str {
        self.protocol
    }

    /// The protocol version, `2.0`.
    pub fn version(&self) -> &'a str {
        self.version
    }

    /// The transport token as written (`UDP`, `TCP`, `TLS`, `SCTP`, `WS`, any token).
    pub fn transport(&self) -> &'a str {
        self.transport
    }

    /// The sent-by host: a host name, IPv4 address or bracketed IPv6 reference.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The sent-by port.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// All parameters.
    pub fn params(&self) -> ParamList<'a> {
        self.params
    }

    /// The branch parameter.
    pub fn branch(&self) -> Option<&'a str> {
        self.params.value("branch").flatten()
    }

    /// Whether the branch starts with the RFC 3261 magic cookie (otherwise the transaction is
    /// matched by the RFC 2543 rules, §17.2.3).
    pub fn has_rfc3261_branch(&self) -> bool {
        self.branch()
            .is_some_and(|b| b.starts_with(BRANCH_MAGIC_COOKIE))
    }

    /// The received parameter (an IP address).
    pub fn received(&self) -> Option<&'a str> {
        self.params.value("received").flatten()
    }

    /// RFC 3581 rport: `None` if absent, `Some(None)` if requested (no value), `Some(Some(p))`
    /// once filled in.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.params.value("rport").map(|v| {
            v.and_then(|v| crate::grammar::parse_number(v, 65535))
                .map(|p| p as u16)
        })
    }

    /// The maddr parameter.
    pub fn maddr(&self) -> Option<&'a str> {
        self.params.value("maddr").flatten()
    }

    /// The ttl parameter.
    pub fn ttl(&self) -> Option<u8> {
        self.params
            .value("ttl")
            .flatten()
            .and_then(|v| crate::grammar::parse_number(v, 255))
            .map(|v| v as u8)
    }
}

/// `host = hostname / IPv4address / IPv6reference` at the start of `i`.
pub(crate) fn host(i: &str) -> Option<(&str, &str)> {
    if let Some(inner) = i.strip_prefix('[') {
        let close = inner.find(']')?;
        let addr = &inner[..close];
        if addr.is_empty() || addr.parse::<std::net::Ipv6Addr>().is_err() {
            return None;
        }
        return Some((&inner[close + 1..], &i[..close + 2]));
    }
    let end = i
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .unwrap_or(i.len());
    let h = &i[..end];
    if h.is_empty() || h.starts_with(['-', '.']) || h.contains("..") {
        return None;
    }
    // hostname labels may not start or end with '-'; a name whose last label starts with a
    // digit must be an IPv4 address.
    let labels = h.trim_end_matches('.');
    if labels
        .split('.')
        .any(|l| l.is_empty() || l.starts_with('-') || l.ends_with('-'))
    {
        return None;
    }
    let last = labels.rsplit('.').next().unwrap_or_default();
    if last.starts_with(|c: char| c.is_ascii_digit()) && h.parse::<std::net::Ipv4Addr>().is_err() {
        return None;
    }
    Some((&i[end..], h))
}

impl fmt::Debug for Via<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Via<'_> {
    /// Canonical form: `SIP/2.0/UDP host:port;params` without extra white space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{}/{} {}",
            self.protocol, self.version, self.transport, self.host
        )?;
        if let Some(p) = self.port {
            write!(f, ":{p}")?;
        }
        write!(f, "{}", self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tortuous_vias() {
        let v = Via::parse("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw").unwrap();
        assert_eq!(
            (v.protocol(), v.version(), v.transport(), v.host()),
            ("SIP", "2.0", "UDP", "192.0.2.2")
        );
        assert_eq!(v.branch(), Some("390skdjuw"));
        assert!(!v.has_rfc3261_branch());
        let v = Via::parse("SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239")
            .unwrap();
        assert_eq!(v.branch(), Some("z9hG4bK30239"));
        assert!(v.has_rfc3261_branch());
        assert_eq!(
            v.to_string(),
            "SIP/2.0/UDP 192.168.255.111;branch=z9hG4bK30239"
        );
        let v = Via::parse("SIP/2.0/TCP [2001:db8::9:1]:5061;branch=z9hG4bKa;received=2001:db8::9:255;rport=5060;ttl=16;maddr=224.2.0.1").unwrap();
        assert_eq!((v.host(), v.port()), ("[2001:db8::9:1]", Some(5061)));
        assert_eq!(v.received(), Some("2001:db8::9:255"));
        assert_eq!(v.rport(), Some(Some(5060)));
        assert_eq!((v.ttl(), v.maddr()), (Some(16), Some("224.2.0.1")));
        let v = Via::parse("SIP/2.0/UDP host.example.com;rport;branch=z9hG4bK1").unwrap();
        assert_eq!(v.rport(), Some(None));
        let v = Via::parse("SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw").unwrap();
        assert_eq!(v.port(), Some(5060));
    }

    #[test]
    fn bad_vias() {
        for bad in [
            "SIP/2.0/UDP 192.0.2.15;;",
            "",
            "SIP/2.0 host",
            "SIP/2.0/UDP",
            "SIP/2.0/UDPhost",
            "SIP/2.0/UDP host:99999",
            "SIP/2.0/UDP host;ttl=300",
            "SIP/2.0/UDP [zz::1]",
            "SIP/2.0/UDP host extra",
            "SIP/2.0/UDP -host",
            "SIP/2.0/UDP host;branch=\"q\"",
        ] {
            assert!(Via::parse(bad).is_err(), "{bad:?}");
        }
    }
}
