//! The session description model (RFC 8866 §5), its parser and its serializer.

use std::fmt::{self, Write as _};
use std::str::FromStr;

use crate::attribute::Attribute;
use crate::error::{ParseError, ParseErrorKind};
use crate::file_attrs::{
    ContentIdUrl, Disposition, FileDate, FileRange, FileSelector, FileTransferId,
};
use crate::grammar::{fields, is_non_ws, is_token, number, split1, words};
use crate::media_attrs::{Direction, Fingerprint, FormatEntry, Setup};

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
/// description (CRLF, single spaces, no leading zeros in numbers) is written back byte for
/// byte, and any parsed description parses again to an equal value.
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
        Parser::new(limits).run(input)
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

// ---------------------------------------------------------------------------------------------
// parser

/// Order of session-level fields (RFC 8866 §5): v o s i u e p c b t r z k a, then m.
fn session_rank(letter: u8) -> Option<u8> {
    Some(match letter {
        b'v' => 0,
        b'o' => 1,
        b's' => 2,
        b'i' => 3,
        b'u' => 4,
        b'e' => 5,
        b'p' => 6,
        b'c' => 7,
        b'b' => 8,
        b't' => 9,
        b'r' => 10,
        b'z' => 11,
        b'k' => 12,
        b'a' => 13,
        b'm' => 14,
        _ => return None,
    })
}

/// Order inside a media section: m i c b k a.
fn media_rank(letter: u8) -> Option<u8> {
    Some(match letter {
        b'm' => 0,
        b'i' => 1,
        b'c' => 2,
        b'b' => 3,
        b'k' => 4,
        b'a' => 5,
        _ => return None,
    })
}

const SESSION_ORDER: &str = "session fields in the order v o s i u e p c b t r z k a, then m";
const MEDIA_ORDER: &str = "media fields in the order m i c b k a";

struct Parser<'l> {
    limits: &'l Limits,
    line_no: usize,
}

/// A typed time of RFC 8866 §9: `1*DIGIT [d|h|m|s]`.
fn is_typed_time(s: &str) -> bool {
    let digits = s.strip_suffix(['d', 'h', 'm', 's']).unwrap_or(s);
    number(digits).is_some()
}

impl<'l> Parser<'l> {
    fn new(limits: &'l Limits) -> Self {
        Self { limits, line_no: 0 }
    }

    fn err(&self, kind: ParseErrorKind) -> ParseError {
        ParseError::new(self.line_no, kind)
    }

    fn bad(&self, field: char, expected: &'static str) -> ParseError {
        self.err(ParseErrorKind::BadField { field, expected })
    }

    fn run(mut self, input: &[u8]) -> Result<SessionDescription, ParseError> {
        let max_lines = self.limits.max_lines;
        // One UTF-8 check for the whole input (RFC 8866 §5: UTF-8 by default); the error names
        // the line of the first bad byte.
        let text = std::str::from_utf8(input).map_err(|e| {
            let before = input.get(..e.valid_up_to()).unwrap_or_default();
            let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
            ParseError::new(line, ParseErrorKind::NotUtf8)
        })?;
        // RFC 8866 §9 `text` excludes CR, LF and NUL: a NUL anywhere, or a CR that does not end
        // a line, is refused here once for every field (two memchr scans of the input).
        let line_of = |pos: usize| 1 + memchr::memchr_iter(b'\n', &input[..pos]).count();
        if let Some(pos) = memchr::memchr(0, input) {
            return Err(ParseError::new(line_of(pos), ParseErrorKind::BadCharacter));
        }
        for pos in memchr::memchr_iter(b'\r', input) {
            if input.get(pos + 1) != Some(&b'\n') {
                return Err(ParseError::new(line_of(pos), ParseErrorKind::BadCharacter));
            }
        }
        let mut count = 0usize;
        let mut rest = Some(text);
        let lines = std::iter::from_fn(move || {
            let t = rest?;
            match memchr::memchr(b'\n', t.as_bytes()) {
                Some(i) => {
                    rest = t.get(i + 1..);
                    t.get(..i)
                }
                None => {
                    rest = None;
                    Some(t)
                }
            }
        });
        // Non-blank lines with their 1-based numbers.
        let mut it = lines.enumerate().filter_map(move |(i, raw)| {
            // Bare LF is accepted as a line end (lenient, RFC 8866 §5 asks for CRLF).
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.bytes().all(|b| matches!(b, b' ' | b'\t')) {
                return None; // blank lines (a trailing CRLF pair, say) carry nothing
            }
            count += 1;
            if count > max_lines {
                return Some(Err(ParseError::new(
                    i + 1,
                    ParseErrorKind::TooManyLines { limit: max_lines },
                )));
            }
            Some(Ok((i + 1, raw)))
        });

        // v= o= s= open every description (RFC 8866 §5).
        let mut next = |p: &mut Self, missing: ParseErrorKind| -> Result<(u8, &str), ParseError> {
            let Some(item) = it.next() else {
                return Err(ParseError::new(
                    p.line_no,
                    if p.line_no == 0 {
                        ParseErrorKind::Empty
                    } else {
                        missing
                    },
                ));
            };
            let (n, text) = item?;
            p.line_no = n;
            p.split_line(text)
        };
        let (l, v) = next(&mut self, ParseErrorKind::MissingVersion)?;
        if l != b'v' {
            return Err(self.err(ParseErrorKind::MissingVersion));
        }
        if v != "0" {
            return Err(self.err(ParseErrorKind::UnsupportedVersion));
        }
        let (l, v) = next(&mut self, ParseErrorKind::MissingOrigin)?;
        if l != b'o' {
            return Err(self.err(ParseErrorKind::MissingOrigin));
        }
        let origin = self.origin(v)?;
        let (l, v) = next(&mut self, ParseErrorKind::MissingSessionName)?;
        if l != b's' {
            return Err(self.err(ParseErrorKind::MissingSessionName));
        }
        let mut sd = SessionDescription {
            origin,
            session_name: v.to_owned(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            times: Vec::new(),
            time_zones: None,
            key: None,
            attributes: Vec::new(),
            media: Vec::new(),
        };

        let mut last = 2u8; // rank of s=
        let mut media_line_nos = Vec::new();
        let mut in_media = false;
        let mut last_media = 0u8;
        for item in it {
            let (n, text) = item?;
            self.line_no = n;
            let (letter, value) = self.split_line(text)?;
            if letter == b'm' {
                if sd.media.len() >= self.limits.max_media {
                    return Err(self.err(ParseErrorKind::TooManyMedia {
                        limit: self.limits.max_media,
                    }));
                }
                sd.media.push(self.media_line(value)?);
                media_line_nos.push(n);
                in_media = true;
                last_media = 0;
                continue;
            }
            if in_media {
                let Some(rank) = media_rank(letter) else {
                    return Err(self.out_of_order(letter, MEDIA_ORDER));
                };
                if rank < last_media {
                    return Err(self.out_of_order(letter, MEDIA_ORDER));
                }
                if rank == last_media && matches!(letter, b'i' | b'k') {
                    return Err(self.err(ParseErrorKind::Duplicate {
                        field: char::from(letter),
                    }));
                }
                last_media = rank;
                let m = sd
                    .media
                    .last_mut()
                    .ok_or_else(|| self.out_of_order(letter, MEDIA_ORDER))?;
                match letter {
                    b'i' => m.information = Some(value.to_owned()),
                    b'c' => {
                        let c = self.connection(value)?;
                        m.connections.push(c);
                    }
                    b'b' => {
                        let b = self.bandwidth(value)?;
                        m.bandwidths.push(b);
                    }
                    b'k' => m.key = Some(value.to_owned()),
                    _ => {
                        let a = self.attribute(value)?;
                        m.attributes.push(a);
                    }
                }
                continue;
            }
            let Some(rank) = session_rank(letter) else {
                return Err(self.out_of_order(letter, SESSION_ORDER));
            };
            // A new time description (t=) may follow r= lines.
            let restart_time = letter == b't' && last == 10;
            if rank < last && !restart_time {
                return Err(self.out_of_order(letter, SESSION_ORDER));
            }
            if rank <= 2 {
                return Err(self.out_of_order(letter, SESSION_ORDER));
            }
            if rank == last && matches!(letter, b'i' | b'u' | b'c' | b'z' | b'k') {
                return Err(self.err(ParseErrorKind::Duplicate {
                    field: char::from(letter),
                }));
            }
            last = rank;
            match letter {
                b'i' => sd.information = Some(value.to_owned()),
                b'u' => sd.uri = Some(value.to_owned()),
                b'e' => sd.emails.push(value.to_owned()),
                b'p' => sd.phones.push(value.to_owned()),
                b'c' => sd.connection = Some(self.connection(value)?),
                b'b' => sd.bandwidths.push(self.bandwidth(value)?),
                b't' => sd.times.push(self.timing(value)?),
                b'r' => {
                    let t = sd
                        .times
                        .last_mut()
                        .ok_or_else(|| ParseError::new(n, ParseErrorKind::RepeatWithoutTime))?;
                    let fields: Vec<&str> = words(value, b' ').collect();
                    if fields.len() < 3 || !fields.iter().all(|f| is_typed_time(f)) {
                        return Err(
                            self.bad('r', "<interval> <duration> <offset> ... as typed times")
                        );
                    }
                    t.repeats.push(fields.join(" "));
                }
                b'z' => {
                    let fields: Vec<&str> = words(value, b' ').collect();
                    let ok = !fields.is_empty()
                        && fields.len() % 2 == 0
                        && fields.chunks(2).all(|p| {
                            number(p[0]).is_some()
                                && is_typed_time(p[1].strip_prefix('-').unwrap_or(p[1]))
                        });
                    if !ok {
                        return Err(self.bad('z', "<adjustment time> <offset> pairs"));
                    }
                    sd.time_zones = Some(fields.join(" "));
                }
                b'k' => sd.key = Some(value.to_owned()),
                _ => {
                    let a = self.attribute(value)?;
                    sd.attributes.push(a);
                }
            }
        }
        // RFC 8866 §5.7: every media section needs connection data, its own or the session's.
        if sd.connection.is_none() {
            for (index, (m, n)) in sd.media.iter().zip(&media_line_nos).enumerate() {
                if m.connections.is_empty() {
                    return Err(ParseError::new(
                        *n,
                        ParseErrorKind::MissingConnection { index },
                    ));
                }
            }
        }
        Ok(sd)
    }

    fn out_of_order(&self, letter: u8, expected: &'static str) -> ParseError {
        if session_rank(letter).is_none() && letter.is_ascii_lowercase() {
            self.err(ParseErrorKind::UnknownType {
                letter: char::from(letter),
            })
        } else {
            self.err(ParseErrorKind::OutOfOrder {
                found: char::from(letter),
                expected,
            })
        }
    }

    /// Splits `x=value`; trailing white space is dropped except on the free-text `s=` and `i=`
    /// lines, where it may be the value (RFC 8866 §5.3 suggests `s= ` for no name).
    fn split_line<'t>(&self, text: &'t str) -> Result<(u8, &'t str), ParseError> {
        let b = text.as_bytes();
        match b {
            [l @ b'a'..=b'z', b'=', ..] => {
                let value = &text[2..];
                let value = if matches!(l, b's' | b'i') {
                    value
                } else {
                    value.trim_end_matches([' ', '\t'])
                };
                Ok((*l, value))
            }
            _ => Err(self.err(ParseErrorKind::BadLine)),
        }
    }

    fn origin(&self, v: &str) -> Result<Origin, ParseError> {
        const EXPECTED: &str =
            "<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>";
        let Some([user, id, ver, net, addr_type, addr]) = fields::<6>(v) else {
            return Err(self.bad('o', EXPECTED));
        };
        let (Some(session_id), Some(session_version)) = (number(id), number(ver)) else {
            return Err(self.bad('o', EXPECTED));
        };
        if !is_non_ws(user) || !is_token(net) || !is_token(addr_type) || !is_non_ws(addr) {
            return Err(self.bad('o', EXPECTED));
        }
        Ok(Origin {
            username: user.to_owned(),
            session_id,
            session_version,
            net_type: net.to_owned(),
            addr_type: addr_type.to_owned(),
            address: addr.to_owned(),
        })
    }

    fn connection(&self, v: &str) -> Result<Connection, ParseError> {
        match fields::<3>(v) {
            Some([net, addr_type, addr])
                if is_token(net) && is_token(addr_type) && is_non_ws(addr) =>
            {
                Ok(Connection {
                    net_type: net.to_owned(),
                    addr_type: addr_type.to_owned(),
                    address: addr.to_owned(),
                })
            }
            _ => Err(self.bad('c', "<nettype> <addrtype> <connection-address>")),
        }
    }

    fn bandwidth(&self, v: &str) -> Result<Bandwidth, ParseError> {
        match split1(v, b':') {
            Some((t, n)) if is_token(t) => match number(n) {
                Some(bandwidth) => Ok(Bandwidth {
                    bw_type: t.to_owned(),
                    bandwidth,
                }),
                None => Err(self.bad('b', "<bwtype>:<bandwidth>")),
            },
            _ => Err(self.bad('b', "<bwtype>:<bandwidth>")),
        }
    }

    fn timing(&self, v: &str) -> Result<Timing, ParseError> {
        match fields::<2>(v) {
            Some([a, b]) => match (number(a), number(b)) {
                (Some(start), Some(stop)) => Ok(Timing {
                    start,
                    stop,
                    repeats: Vec::new(),
                }),
                _ => Err(self.bad('t', "<start-time> <stop-time>")),
            },
            _ => Err(self.bad('t', "<start-time> <stop-time>")),
        }
    }

    fn media_line(&self, v: &str) -> Result<MediaDescription, ParseError> {
        const EXPECTED: &str = "<media> <port>[/<number of ports>] <proto> <fmt> ...";
        let bad = || self.bad('m', EXPECTED);
        let mut f = words(v, b' ');
        let media = f.next().filter(|m| is_token(m)).ok_or_else(bad)?;
        let port_text = f.next().ok_or_else(bad)?;
        let (port, port_count) = match split1(port_text, b'/') {
            Some((p, n)) => (p, Some(n)),
            None => (port_text, None),
        };
        let port16 = |s: &str| number(s).and_then(|n| u16::try_from(n).ok());
        let port = port16(port).ok_or_else(bad)?;
        let port_count = match port_count {
            Some(n) => Some(port16(n).ok_or_else(bad)?),
            None => None,
        };
        let protocol = f
            .next()
            .filter(|p| p.split('/').all(is_token))
            .ok_or_else(bad)?;
        let formats: Vec<String> = f
            .map(|s| {
                if is_non_ws(s) {
                    Ok(s.to_owned())
                } else {
                    Err(bad())
                }
            })
            .collect::<Result<_, _>>()?;
        if formats.is_empty() {
            return Err(bad());
        }
        Ok(MediaDescription {
            media: media.to_owned(),
            port,
            port_count,
            protocol: protocol.to_owned(),
            formats,
            information: None,
            connections: Vec::new(),
            bandwidths: Vec::new(),
            key: None,
            attributes: Vec::with_capacity(12),
        })
    }

    fn attribute(&self, v: &str) -> Result<Attribute, ParseError> {
        let (name, value) = match split1(v, b':') {
            Some((n, val)) => (n, Some(val)),
            None => (v, None),
        };
        if !is_token(name) {
            return Err(self.err(ParseErrorKind::BadAttributeLine));
        }
        Attribute::parse(name, value)
            .map_err(|(name, error)| self.err(ParseErrorKind::BadAttribute { name, error }))
    }
}
