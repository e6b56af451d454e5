//! The session description model (RFC 8866 §5), its parser and its serializer.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use crate::attribute::Attribute;
use crate::date::FileDate;
use crate::error::{ParseError, ParseErrorKind};
use crate::file_attrs::{ContentIdUrl, Disposition, FileRange, FileTransferId};
use crate::media_attrs::{Direction, Fingerprint, FormatEntry, Setup};
use crate::selector::FileSelector;

/// Size limits checked before anything is allocated for the input.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
#[non_exhaustive]
pub struct Limits {
    /// Largest description accepted, in bytes. Default 64 KiB: a description with a few
    /// hundred file m-lines fits.
    pub max_size: usize,
    /// Most lines accepted. Default 4096.
    pub max_lines: usize,
    /// Most media sections accepted. Default 256.
    pub max_media: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_size: 64 * 1024,
            max_lines: 4096,
            max_media: 256,
        }
    }
}

impl Limits {
    /// Sets [`max_size`](Self::max_size).
    pub fn with_max_size(mut self, n: usize) -> Self {
        self.max_size = n;
        self
    }

    /// Sets [`max_lines`](Self::max_lines).
    pub fn with_max_lines(mut self, n: usize) -> Self {
        self.max_lines = n;
        self
    }

    /// Sets [`max_media`](Self::max_media).
    pub fn with_max_media(mut self, n: usize) -> Self {
        self.max_media = n;
        self
    }
}

/// `o=` (RFC 8866 §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The user's login, or `-`.
    pub username: String,
    /// The session id (numeric).
    pub session_id: u64,
    /// The version, increased on each change (RFC 3264 §8).
    pub session_version: u64,
    /// Network type, `IN`.
    pub net_type: String,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// The address of the originating host: a name or an IP address.
    pub address: String,
}

/// `c=` (RFC 8866 §5.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// Network type, `IN`.
    pub net_type: String,
    /// Address type, `IP4` or `IP6`.
    pub addr_type: String,
    /// The connection address (with `/ttl/count` for multicast), a name or an IP address.
    pub address: String,
}

impl Connection {
    /// `IN IP4 <address>` or, when `address` parses as an IPv6 address, `IN IP6 <address>`.
    pub fn internet(address: &str) -> Self {
        Self {
            net_type: "IN".into(),
            addr_type: addr_type_of(address).into(),
            address: address.into(),
        }
    }
}

pub(crate) fn addr_type_of(address: &str) -> &'static str {
    if address.parse::<std::net::Ipv6Addr>().is_ok() {
        "IP6"
    } else {
        "IP4"
    }
}

/// `b=` (RFC 8866 §5.8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bandwidth {
    /// The bandwidth type (`AS`, `CT`, `TIAS` ...).
    pub bw_type: String,
    /// The value, in the unit of the type.
    pub bandwidth: u64,
}

/// A time description: `t=` and its `r=` lines (RFC 8866 §5.9, §5.10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    /// Start time (NTP seconds), 0 for unbounded.
    pub start: u64,
    /// Stop time (NTP seconds), 0 for unbounded.
    pub stop: u64,
    /// `r=` values as written (checked: three or more typed times).
    pub repeats: Vec<String>,
}

impl Timing {
    /// `t=0 0`: a permanent session, what SIP uses (RFC 3264 §5).
    pub fn unbounded() -> Self {
        Self {
            start: 0,
            stop: 0,
            repeats: Vec::new(),
        }
    }
}

/// One media section (RFC 8866 §5.14 and the lines that follow it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaDescription {
    /// Media type: `message` for MSRP.
    pub media: String,
    /// The port; 0 rejects or closes the stream (RFC 3264 §6, §8.2).
    pub port: u16,
    /// The `/<number of ports>` suffix, if written.
    pub port_count: Option<u16>,
    /// The protocol: `TCP/MSRP` or `TCP/TLS/MSRP` for MSRP.
    pub protocol: String,
    /// The format list: `*` for MSRP.
    pub formats: Vec<String>,
    /// `i=`.
    pub information: Option<String>,
    /// `c=` lines.
    pub connections: Vec<Connection>,
    /// `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// `k=` (obsolete, RFC 8866 §5.12; kept if present).
    pub key: Option<String>,
    /// `a=` lines in order.
    pub attributes: Vec<Attribute>,
}

/// The MSRP protocol names of RFC 4975 §8.1.
pub const PROTO_MSRP: &str = "TCP/MSRP";
/// MSRP over TLS (RFC 4975 §8.1).
pub const PROTO_MSRP_TLS: &str = "TCP/TLS/MSRP";

macro_rules! find_attr {
    ($self:ident, $variant:ident) => {
        $self.attributes.iter().find_map(|a| match a {
            Attribute::$variant(v) => Some(v),
            _ => None,
        })
    };
}

impl MediaDescription {
    /// An `m=message <port> TCP/MSRP *` (or `TCP/TLS/MSRP`) section with no other lines.
    pub fn msrp(port: u16, secure: bool) -> Self {
        Self {
            media: "message".into(),
            port,
            port_count: None,
            protocol: if secure { PROTO_MSRP_TLS } else { PROTO_MSRP }.into(),
            formats: vec!["*".into()],
            information: None,
            connections: Vec::new(),
            bandwidths: Vec::new(),
            key: None,
            attributes: Vec::new(),
        }
    }

    /// Whether this is an MSRP section: `m=message` with `TCP/MSRP` or `TCP/TLS/MSRP`
    /// (RFC 4975 §8.1).
    pub fn is_msrp(&self) -> bool {
        self.media.eq_ignore_ascii_case("message")
            && (self.protocol.eq_ignore_ascii_case(PROTO_MSRP)
                || self.protocol.eq_ignore_ascii_case(PROTO_MSRP_TLS))
    }

    /// Whether the protocol is `TCP/TLS/MSRP`.
    pub fn is_secure(&self) -> bool {
        self.protocol.eq_ignore_ascii_case(PROTO_MSRP_TLS)
    }

    /// Whether this is an RFC 5547 file transfer: MSRP with an `a=file-selector`.
    pub fn is_file_transfer(&self) -> bool {
        self.is_msrp() && self.file_selector().is_some()
    }

    /// The first attribute of a name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name() == name)
    }

    /// How many attributes carry `name`.
    pub fn count(&self, name: &str) -> usize {
        self.attributes.iter().filter(|a| a.name() == name).count()
    }

    /// The media-level direction attribute, if any (see
    /// [`SessionDescription::direction`] for the effective one).
    pub fn direction(&self) -> Option<Direction> {
        find_attr!(self, Direction).copied()
    }

    /// `a=path`.
    pub fn path(&self) -> Option<&msrp::Path> {
        find_attr!(self, Path)
    }

    /// `a=accept-types`.
    pub fn accept_types(&self) -> Option<&[FormatEntry]> {
        find_attr!(self, AcceptTypes).map(Vec::as_slice)
    }

    /// `a=accept-wrapped-types`.
    pub fn accept_wrapped_types(&self) -> Option<&[FormatEntry]> {
        find_attr!(self, AcceptWrappedTypes).map(Vec::as_slice)
    }

    /// `a=max-size`.
    pub fn max_size(&self) -> Option<u64> {
        find_attr!(self, MaxSize).copied()
    }

    /// `a=setup`, with `holdconn` read as absent (RFC 6135 §4.2.1).
    pub fn setup(&self) -> Option<Setup> {
        find_attr!(self, Setup)
            .copied()
            .filter(|s| *s != Setup::HoldConn)
    }

    /// Whether `a=msrp-cema` is present (RFC 6714).
    pub fn has_cema(&self) -> bool {
        self.attributes.contains(&Attribute::MsrpCema)
    }

    /// The media-level `a=fingerprint`.
    pub fn fingerprint(&self) -> Option<&Fingerprint> {
        find_attr!(self, Fingerprint)
    }

    /// `a=file-selector`.
    pub fn file_selector(&self) -> Option<&FileSelector> {
        find_attr!(self, FileSelector)
    }

    /// `a=file-transfer-id`.
    pub fn file_transfer_id(&self) -> Option<&FileTransferId> {
        find_attr!(self, FileTransferId)
    }

    /// `a=file-disposition`.
    pub fn file_disposition(&self) -> Option<&Disposition> {
        find_attr!(self, FileDisposition)
    }

    /// `a=file-date`.
    pub fn file_date(&self) -> Option<&FileDate> {
        find_attr!(self, FileDate)
    }

    /// `a=file-icon`.
    pub fn file_icon(&self) -> Option<&ContentIdUrl> {
        find_attr!(self, FileIcon)
    }

    /// `a=file-range`.
    pub fn file_range(&self) -> Option<FileRange> {
        find_attr!(self, FileRange).copied()
    }

    /// Appends an attribute.
    pub fn push(&mut self, attribute: Attribute) -> &mut Self {
        self.attributes.push(attribute);
        self
    }

    fn write(&self, out: &mut String) {
        let _ = write!(out, "m={} {}", self.media, self.port);
        if let Some(n) = self.port_count {
            let _ = write!(out, "/{n}");
        }
        let _ = write!(out, " {}", self.protocol);
        for f in &self.formats {
            out.push(' ');
            out.push_str(f);
        }
        out.push_str("\r\n");
        if let Some(i) = &self.information {
            line(out, 'i', i);
        }
        for c in &self.connections {
            write_connection(out, c);
        }
        for b in &self.bandwidths {
            let _ = write!(out, "b={}:{}\r\n", b.bw_type, b.bandwidth);
        }
        if let Some(k) = &self.key {
            line(out, 'k', k);
        }
        for a in &self.attributes {
            a.write_line(out);
            out.push_str("\r\n");
        }
    }
}

/// A session description (RFC 8866): the session-level lines and the media sections.
///
/// [`parse`](Self::parse) checks field order and the grammar of every field and known
/// attribute; [`Display`](fmt::Display) writes it back with CRLF line ends. A canonical
/// description (CRLF, single spaces between fields, no leading zeros in numbers, upper-case hex
/// in hashes and fingerprints, quoted `type:` parameters) is written back byte for byte, and any
/// parsed description parses again to an equal value whose text is the same.
///
/// The fields are public so that descriptions can be built and edited freely; values put in by
/// hand are written as they are, so keep them within the grammar (no spaces in tokens and
/// addresses, no CR or LF anywhere). The typed attribute values check their own grammar when
/// built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=`.
    pub origin: Origin,
    /// `s=`, possibly empty as RFC 5547's examples have it (RFC 8866 §5.3 asks for `-` or a
    /// space; both are kept as written).
    pub session_name: String,
    /// `i=`.
    pub information: Option<String>,
    /// `u=`.
    pub uri: Option<String>,
    /// `e=` lines.
    pub emails: Vec<String>,
    /// `p=` lines.
    pub phones: Vec<String>,
    /// Session-level `c=`.
    pub connection: Option<Connection>,
    /// Session-level `b=` lines.
    pub bandwidths: Vec<Bandwidth>,
    /// Time descriptions. RFC 8866 asks for at least one; a description without `t=` is
    /// accepted (and written back without one).
    pub times: Vec<Timing>,
    /// `z=` as written (checked: pairs of adjustment time and typed offset).
    pub time_zones: Option<String>,
    /// Session-level `k=`.
    pub key: Option<String>,
    /// Session-level `a=` lines in order.
    pub attributes: Vec<Attribute>,
    /// Media sections in order.
    pub media: Vec<MediaDescription>,
}

fn line(out: &mut String, letter: char, value: &str) {
    out.push(letter);
    out.push('=');
    out.push_str(value);
    out.push_str("\r\n");
}

fn write_connection(out: &mut String, c: &Connection) {
    let _ = write!(out, "c={} {} {}\r\n", c.net_type, c.addr_type, c.address);
}

impl SessionDescription {
    /// A description with `v=0`, the given origin, `s=-` and `t=0 0`, and nothing else.
    pub fn new(origin: Origin) -> Self {
        Self {
            origin,
            session_name: "-".into(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            times: vec![Timing::unbounded()],
            time_zones: None,
            key: None,
            attributes: Vec::new(),
            media: Vec::new(),
        }
    }

    /// Parses a description with the default [`Limits`].
    pub fn parse(input: &[u8]) -> Result<Self, ParseError> {
        Self::parse_with(input, &Limits::default())
    }

    /// Parses a description with the given limits.
    pub fn parse_with(input: &[u8], limits: &Limits) -> Result<Self, ParseError> {
        if input.len() > limits.max_size {
            return Err(ParseError::new(
                0,
                ParseErrorKind::TooLarge {
                    limit: limits.max_size,
                },
            ));
        }
        crate::parse::Parser::new(limits).run(input)
    }

    /// The effective direction of media section `index`: its own attribute, else the
    /// session-level one, else `sendrecv` (RFC 8866 §6.7).
    pub fn direction(&self, index: usize) -> Direction {
        self.media
            .get(index)
            .and_then(MediaDescription::direction)
            .or_else(|| {
                self.attributes.iter().find_map(|a| match a {
                    Attribute::Direction(d) => Some(*d),
                    _ => None,
                })
            })
            .unwrap_or_default()
    }

    /// The connection data that applies to media section `index`: its first `c=`, else the
    /// session's.
    pub fn connection_for(&self, index: usize) -> Option<&Connection> {
        self.media
            .get(index)
            .and_then(|m| m.connections.first())
            .or(self.connection.as_ref())
    }

    /// The fingerprint for media section `index`: media-level, else session-level (RFC 8122 §5).
    pub fn fingerprint_for(&self, index: usize) -> Option<&Fingerprint> {
        self.media
            .get(index)
            .and_then(MediaDescription::fingerprint)
            .or_else(|| {
                self.attributes.iter().find_map(|a| match a {
                    Attribute::Fingerprint(f) => Some(f),
                    _ => None,
                })
            })
    }

    /// The `a=setup` for media section `index`: media-level, else session-level (RFC 4145 §4),
    /// `holdconn` read as absent.
    pub fn setup_for(&self, index: usize) -> Option<Setup> {
        self.media
            .get(index)
            .and_then(MediaDescription::setup)
            .or_else(|| {
                self.attributes.iter().find_map(|a| match a {
                    Attribute::Setup(s) if *s != Setup::HoldConn => Some(*s),
                    _ => None,
                })
            })
    }

    /// Writes the description with CRLF line ends.
    pub fn write_to(&self, out: &mut String) {
        out.push_str("v=0\r\n");
        let o = &self.origin;
        let _ = write!(
            out,
            "o={} {} {} {} {} {}\r\n",
            o.username, o.session_id, o.session_version, o.net_type, o.addr_type, o.address
        );
        line(out, 's', &self.session_name);
        if let Some(i) = &self.information {
            line(out, 'i', i);
        }
        if let Some(u) = &self.uri {
            line(out, 'u', u);
        }
        for e in &self.emails {
            line(out, 'e', e);
        }
        for p in &self.phones {
            line(out, 'p', p);
        }
        if let Some(c) = &self.connection {
            write_connection(out, c);
        }
        for b in &self.bandwidths {
            let _ = write!(out, "b={}:{}\r\n", b.bw_type, b.bandwidth);
        }
        for t in &self.times {
            let _ = write!(out, "t={} {}\r\n", t.start, t.stop);
            for r in &t.repeats {
                line(out, 'r', r);
            }
        }
        if let Some(z) = &self.time_zones {
            line(out, 'z', z);
        }
        if let Some(k) = &self.key {
            line(out, 'k', k);
        }
        for a in &self.attributes {
            a.write_line(out);
            out.push_str("\r\n");
        }
        for m in &self.media {
            m.write(out);
        }
    }

    /// The description as bytes, ready for a SIP body.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(512 + self.media.len() * 384);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl FromStr for SessionDescription {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s.as_bytes())
    }
}
