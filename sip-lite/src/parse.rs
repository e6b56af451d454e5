//! The message parser: start line and header section over a byte buffer, in two phases.
//!
//! Phase one ([`scan_head`]) walks the head once, checks its syntax and limits, and records
//! spans (offsets into the message); it needs no owned buffer, so a stream framer can run it
//! while the body is still arriving. Phase two ([`ScannedHead::build`]) turns the spans into a
//! [`Message`] whose header values are zero-copy slices of the frozen message bytes.

use bytes::Bytes;
use memchr::memchr;
use nom::IResult;
use nom::bytes::complete::{tag, tag_no_case, take_while_m_n, take_while1};

use crate::error::ParseError;
use crate::header::{HeaderName, HeaderValue, Headers};
use crate::message::{Message, ReasonPhrase, Request, RequestUri, Response, Version};
use crate::{Method, StatusCode};

/// Size and count limits, checked before anything is allocated for them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest whole message (head and body). Default 256 KiB.
    pub max_message_size: usize,
    /// Largest body. Default 128 KiB.
    pub max_body_size: usize,
    /// Most header lines. Default 256.
    pub max_headers: usize,
    /// Longest header line, folds included, and longest start line. Default 8 KiB.
    pub max_line_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_size: 256 * 1024,
            max_body_size: 128 * 1024,
            max_headers: 256,
            max_line_length: 8 * 1024,
        }
    }
}

impl Limits {
    /// Sets [`Limits::max_message_size`].
    pub fn max_message_size(mut self, n: usize) -> Self {
        self.max_message_size = n;
        self
    }
    /// Sets [`Limits::max_body_size`].
    pub fn max_body_size(mut self, n: usize) -> Self {
        self.max_body_size = n;
        self
    }
    /// Sets [`Limits::max_headers`].
    pub fn max_headers(mut self, n: usize) -> Self {
        self.max_headers = n;
        self
    }
    /// Sets [`Limits::max_line_length`].
    pub fn max_line_length(mut self, n: usize) -> Self {
        self.max_line_length = n;
        self
    }
}

type Span = (u32, u32);

fn span(start: usize, end: usize) -> Span {
    (start as u32, end as u32)
}

#[derive(Clone, Debug)]
enum StartLine {
    Request {
        method: Span,
        uri: Span,
        version: Version,
    },
    Response {
        version: Version,
        status: StatusCode,
        reason: Span,
    },
}

#[derive(Clone, Debug)]
enum NameSlot {
    Known(HeaderName),
    Other(Span),
}

/// The result of phase one: spans of a complete, syntactically valid head.
#[derive(Clone, Debug)]
pub(crate) struct ScannedHead {
    start: StartLine,
    headers: Vec<(NameSlot, Span)>,
    /// Length of the head including the blank line.
    pub(crate) head_len: usize,
    /// The single Content-Length value, if present.
    pub(crate) content_length: Option<usize>,
}

/// RFC 3261 URI characters: unreserved, reserved, `%` (escapes checked separately) and the
/// few `mark`s; no white space, no `<>"{}|\^[]`... except `[]` for IPv6 references.
const URI_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_'
                    | b'.'
                    | b'!'
                    | b'~'
                    | b'*'
                    | b'\''
                    | b'('
                    | b')'
                    | b';'
                    | b'/'
                    | b'?'
                    | b':'
                    | b'@'
                    | b'&'
                    | b'='
                    | b'+'
                    | b'$'
                    | b','
                    | b'%'
                    | b'['
                    | b']'
                    | b'#'
            );
        i += 1;
    }
    t
};

/// Whether `uri` is `scheme ":" 1*uri-character` with well-formed `%HH` escapes.
pub(crate) fn is_request_uri(uri: &[u8]) -> bool {
    let Some(colon) = uri.iter().position(|&b| b == b':') else {
        return false;
    };
    let (scheme, rest) = (&uri[..colon], &uri[colon + 1..]);
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok || rest.is_empty() {
        return false;
    }
    let mut i = 0;
    while i < rest.len() {
        let b = rest[i];
        if !URI_CHAR[b as usize] {
            return false;
        }
        if b == b'%' {
            match rest.get(i + 1..i + 3) {
                Some([h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => i += 2,
                _ => return false,
            }
        }
        i += 1;
    }
    true
}

fn version(i: &[u8]) -> IResult<&[u8], Version> {
    let (i, _) = tag_no_case(&b"SIP/"[..])(i)?;
    let (i, major) = take_while_m_n(1, 9, |b: u8| b.is_ascii_digit())(i)?;
    let (i, _) = tag(&b"."[..])(i)?;
    let (i, minor) = take_while_m_n(1, 9, |b: u8| b.is_ascii_digit())(i)?;
    let num = |d: &[u8]| d.iter().fold(0u32, |v, &b| v * 10 + u32::from(b - b'0'));
    Ok((
        i,
        Version {
            major: num(major),
            minor: num(minor),
        },
    ))
}

/// `Method SP Request-URI SP SIP-Version` (the line without its CRLF).
fn request_line(line: &[u8]) -> Result<(Span, Span, Version), ParseError> {
    let method_end = line
        .iter()
        .position(|&b| b == b' ')
        .ok_or(ParseError::InvalidRequestLine)?;
    let method = &line[..method_end];
    let r: IResult<&[u8], &[u8]> = take_while1(crate::grammar::is_token_byte)(method);
    match r {
        Ok((b"", _)) => {}
        _ => return Err(ParseError::InvalidMethod),
    }
    let after = &line[method_end + 1..];
    let uri_end = after
        .iter()
        .position(|&b| b == b' ')
        .ok_or(ParseError::InvalidRequestLine)?;
    let uri = &after[..uri_end];
    if uri.is_empty() {
        // Two spaces after the method (RFC 4475 §3.1.2.9).
        return Err(ParseError::InvalidRequestLine);
    }
    if !is_request_uri(uri) {
        return Err(ParseError::InvalidRequestUri);
    }
    let v = &after[uri_end + 1..];
    match version(v) {
        Ok((b"", version)) => {
            let uri_start = method_end + 1;
            Ok((
                span(0, method_end),
                span(uri_start, uri_start + uri_end),
                version,
            ))
        }
        // Something other than exactly the version after the URI: white space inside the
        // Request-URI (§3.1.2.8) or after the version (§3.1.2.10).
        Ok(_) => Err(ParseError::InvalidRequestLine),
        Err(_) if v.contains(&b' ') => Err(ParseError::InvalidRequestLine),
        Err(_) => Err(ParseError::InvalidVersion),
    }
}

/// `SIP-Version SP Status-Code SP Reason-Phrase` (the line without its CRLF).
fn status_line(line: &[u8]) -> Result<(Version, StatusCode, Span), ParseError> {
    let (rest, version) = version(line).map_err(|_| ParseError::InvalidVersion)?;
    let rest = rest
        .strip_prefix(b" ")
        .ok_or(ParseError::InvalidStatusLine)?;
    let code = match rest {
        [a, b, c, ..] if a.is_ascii_digit() && b.is_ascii_digit() && c.is_ascii_digit() => {
            u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0')
        }
        _ => return Err(ParseError::InvalidStatusCode),
    };
    let status = StatusCode::from_u16(code).map_err(|_| ParseError::InvalidStatusCode)?;
    let after = &rest[3..];
    let reason_start = line.len() - after.len();
    let reason = match after {
        [] => span(line.len(), line.len()),
        [b' ', r @ ..] => {
            if r.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
                return Err(ParseError::InvalidReasonPhrase);
            }
            span(reason_start + 1, line.len())
        }
        // More digits (RFC 4475 §3.1.2.19) or other bytes glued to the code.
        _ => return Err(ParseError::InvalidStatusCode),
    };
    Ok((version, status, reason))
}

/// Whether byte `b` may appear in a header value outside a fold.
const VALUE_OK: [bool; 256] = {
    let mut t = [true; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = false;
        i += 1;
    }
    t[b'\t' as usize] = true;
    t[0x7f] = false;
    t
};

/// Whether no byte of `value` needs a closer look (no control character but HTAB, no DEL).
/// Branch-free over 16-byte blocks, so the compiler can check a block at a time; the exact
/// loop in [`scan_head`] handles folds, quoted-pairs and errors.
fn plain_value(value: &[u8]) -> bool {
    let mut blocks = value.chunks_exact(16);
    for block in &mut blocks {
        let mut bad = false;
        for &b in block {
            bad |= ((b < 0x20) & (b != b'\t')) | (b == 0x7f);
        }
        if bad {
            return false;
        }
    }
    blocks.remainder().iter().all(|&b| VALUE_OK[b as usize])
}

/// Phase one over `buf`, which starts at the first byte of the start line (leading CRLFs
/// already skipped). `Ok(None)` means the head is not complete yet; the caller decides whether
/// that is "need more" (stream) or an error (datagram).
pub(crate) fn scan_head(buf: &[u8], limits: &Limits) -> Result<Option<ScannedHead>, ParseError> {
    // Start line.
    let Some(lf) = memchr(b'\n', buf) else {
        return if buf.len() > limits.max_line_length {
            Err(ParseError::LineTooLong {
                limit: limits.max_line_length,
            })
        } else {
            check_partial(buf, 0).map(|()| None)
        };
    };
    if lf == 0 || buf[lf - 1] != b'\r' {
        return Err(ParseError::BareLineEnding { offset: lf });
    }
    let line = &buf[..lf - 1];
    if line.len() > limits.max_line_length {
        return Err(ParseError::LineTooLong {
            limit: limits.max_line_length,
        });
    }
    if let Some(off) = line.iter().position(|&b| b == b'\r') {
        return Err(ParseError::BareLineEnding { offset: off });
    }
    let start = if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"SIP/") {
        let (version, status, reason) = status_line(line)?;
        StartLine::Response {
            version,
            status,
            reason,
        }
    } else {
        let (method, uri, version) = request_line(line)?;
        StartLine::Request {
            method,
            uri,
            version,
        }
    };

    let mut headers: Vec<(NameSlot, Span)> = Vec::with_capacity(16);
    let mut content_length = None;
    let mut pos = lf + 1;
    let mut line_no = 1;
    loop {
        line_no += 1;
        let rest = &buf[pos..];
        match rest {
            [] | [b'\r'] => return Ok(None),
            [b'\r', b'\n', ..] => {
                let head_len = pos + 2;
                if std::str::from_utf8(&buf[..head_len]).is_err() {
                    return Err(ParseError::InvalidUtf8);
                }
                return Ok(Some(ScannedHead {
                    start,
                    headers,
                    head_len,
                    content_length,
                }));
            }
            [b'\r', _, ..] => return Err(ParseError::BareLineEnding { offset: pos }),
            [b'\n', ..] => return Err(ParseError::BareLineEnding { offset: pos }),
            [b' ' | b'\t', ..] => {
                // A continuation line with no header before it.
                return Err(ParseError::InvalidHeaderName { line: line_no });
            }
            _ => {}
        }
        // The logical line ends at a CRLF not followed by SP/HTAB.
        let mut end = pos;
        let line_end = loop {
            let Some(off) = memchr(b'\n', &buf[end..]) else {
                if buf.len() - pos > limits.max_line_length {
                    return Err(ParseError::LineTooLong {
                        limit: limits.max_line_length,
                    });
                }
                // Only the part after the last fold: earlier CRLFs are line folds.
                return check_partial(&buf[end..], end).map(|()| None);
            };
            let nl = end + off;
            if nl == pos || buf[nl - 1] != b'\r' {
                return Err(ParseError::BareLineEnding { offset: nl });
            }
            match buf.get(nl + 1) {
                Some(b' ' | b'\t') => end = nl + 1,
                Some(_) => break nl - 1,
                // Cannot tell a fold from the next header yet.
                None => return Ok(None),
            }
        };
        if line_end - pos > limits.max_line_length {
            return Err(ParseError::LineTooLong {
                limit: limits.max_line_length,
            });
        }
        if headers.len() >= limits.max_headers {
            return Err(ParseError::TooManyHeaders {
                limit: limits.max_headers,
            });
        }
        let line = &buf[pos..line_end];
        let name_len = line
            .iter()
            .position(|&b| !crate::grammar::is_token_byte(b))
            .unwrap_or(line.len());
        if name_len == 0 {
            return Err(ParseError::InvalidHeaderName { line: line_no });
        }
        let name = &line[..name_len];
        // HCOLON = *( SP / HTAB ) ":" SWS
        let mut i = name_len;
        while matches!(line.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        if line.get(i) != Some(&b':') {
            return Err(ParseError::MissingColon { line: line_no });
        }
        i += 1;
        // Value: check bytes; CR/LF only as part of a fold (CRLF then SP/HTAB, as found above).
        let value = &line[i..];
        let mut j = if plain_value(value) { value.len() } else { 0 };
        while j < value.len() {
            let b = value[j];
            if !VALUE_OK[b as usize] {
                if b == b'\r' && value.get(j + 1) == Some(&b'\n') {
                    j += 2;
                    continue;
                }
                // A quoted-pair may escape any control character but CR and LF
                // (RFC 3261 §25.1, RFC 4475 §3.1.1.2); the typed parsers check the quoting.
                if b != b'\r' && b != b'\n' && j > 0 && value[j - 1] == b'\\' {
                    j += 1;
                    continue;
                }
                return Err(ParseError::InvalidHeaderValue { line: line_no });
            }
            j += 1;
        }
        let is_ws = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        let lead = value.iter().take_while(|b| is_ws(b)).count();
        let trail = value[lead..].iter().rev().take_while(|b| is_ws(b)).count();
        let vstart = pos + i + lead;
        let vend = line_end - trail;
        let slot = match HeaderName::known(name) {
            Some(HeaderName::ContentLength) => {
                if content_length.is_some() {
                    return Err(ParseError::MultipleContentLength);
                }
                let v = &buf[vstart..vend];
                let n = std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| crate::grammar::parse_number(s, u32::MAX.into()))
                    .ok_or(ParseError::InvalidContentLength)?;
                content_length = Some(n as usize);
                NameSlot::Known(HeaderName::ContentLength)
            }
            Some(known) => NameSlot::Known(known),
            None => NameSlot::Other(span(pos, pos + name_len)),
        };
        headers.push((slot, span(vstart, vend)));
        pos = line_end + 2;
    }
}

/// Checks the bytes of an incomplete line so that garbage is refused without waiting.
fn check_partial(part: &[u8], base: usize) -> Result<(), ParseError> {
    match part.iter().position(|&b| b == b'\r') {
        Some(p) if p + 1 < part.len() => Err(ParseError::BareLineEnding { offset: base + p }),
        _ => Ok(()),
    }
}

impl ScannedHead {
    /// Phase two: `msg` holds the head (from offset 0) and the body.
    pub(crate) fn build(&self, msg: Bytes, body: Bytes) -> Message {
        let slice = |(a, b): Span| msg.slice(a as usize..b as usize);
        let mut headers = Headers::with_capacity(self.headers.len());
        for (slot, value) in &self.headers {
            let name = match slot {
                NameSlot::Known(n) => n.clone(),
                NameSlot::Other(s) => HeaderName::other_checked(slice(*s)),
            };
            headers.push(name, HeaderValue::from_checked(slice(*value)));
        }
        match &self.start {
            StartLine::Request {
                method,
                uri,
                version,
            } => Message::Request(Request {
                method: Method::from_checked(slice(*method)),
                uri: RequestUri::from_checked(slice(*uri)),
                version: *version,
                headers,
                body,
            }),
            StartLine::Response {
                version,
                status,
                reason,
            } => Message::Response(Response {
                version: *version,
                status: *status,
                reason: ReasonPhrase::from_checked(slice(*reason)),
                headers,
                body,
            }),
        }
    }
}

/// The number of leading CRLF pairs (RFC 3261 §7.5: ignored before a message on a stream).
pub(crate) fn leading_crlfs(buf: &[u8]) -> usize {
    let mut n = 0;
    while buf.get(n..n + 2) == Some(b"\r\n") {
        n += 2;
    }
    n
}

/// Parses one complete message held in `datagram` by the datagram rules (RFC 3261 §18.3):
/// without Content-Length the body is the rest of the datagram; with it, exactly that many
/// bytes are the body, extra bytes are ignored and fewer are an error.
pub fn parse_datagram(datagram: Bytes, limits: &Limits) -> Result<Message, ParseError> {
    let skip = leading_crlfs(&datagram);
    let msg = datagram.slice(skip..);
    if msg.len() > limits.max_message_size {
        return Err(ParseError::MessageTooLarge {
            limit: limits.max_message_size,
        });
    }
    let head = scan_head(&msg, limits)?.ok_or(ParseError::IncompleteHead)?;
    let available = msg.len() - head.head_len;
    let body_len = match head.content_length {
        Some(declared) if declared > available => {
            return Err(ParseError::TruncatedBody {
                declared,
                available,
            });
        }
        Some(declared) => declared,
        None => available,
    };
    if body_len > limits.max_body_size {
        return Err(ParseError::BodyTooLarge {
            length: body_len,
            limit: limits.max_body_size,
        });
    }
    let body = msg.slice(head.head_len..head.head_len + body_len);
    Ok(head.build(msg, body))
}

impl Message {
    /// Parses a complete message with the datagram rules and default [`Limits`]; see
    /// [`parse_datagram`]. For a byte stream use [`crate::StreamFramer`].
    pub fn parse(bytes: impl Into<Bytes>) -> Result<Message, ParseError> {
        parse_datagram(bytes.into(), &Limits::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &str = "OPTIONS sip:bob@example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n\
Max-Forwards: 70\r\n\
To: <sip:bob@example.com>\r\n\
From: Alice <sip:alice@example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@pc33.example.com\r\n\
CSeq: 63104 OPTIONS\r\n\
Content-Length: 0\r\n\r\n";

    #[test]
    fn canonical_request_round_trips_byte_exact() {
        let m = Message::parse(OPTIONS).unwrap();
        let Message::Request(r) = &m else { panic!() };
        assert_eq!(r.method, Method::Options);
        assert_eq!(r.uri.as_str(), "sip:bob@example.com");
        assert_eq!(r.headers.len(), 7);
        assert_eq!(
            r.headers.get(&HeaderName::CallId).unwrap().as_str(),
            "a84b4c76e66710@pc33.example.com"
        );
        assert_eq!(m.to_bytes(), OPTIONS.as_bytes());
    }

    #[test]
    fn start_line_errors() {
        let cases: &[(&str, ParseError)] = &[
            (
                "INVITE  sip:a@b SIP/2.0\r\n\r\n",
                ParseError::InvalidRequestLine,
            ),
            (
                "INVITE <sip:a@b> SIP/2.0\r\n\r\n",
                ParseError::InvalidRequestUri,
            ),
            (
                "INVITE sip:a@b; lr SIP/2.0\r\n\r\n",
                ParseError::InvalidRequestLine,
            ),
            (
                "INVITE sip:a@b SIP/2.0 \r\n\r\n",
                ParseError::InvalidRequestLine,
            ),
            ("INVITE sip:a@b SIP/2\r\n\r\n", ParseError::InvalidVersion),
            ("INV:TE sip:a@b SIP/2.0\r\n\r\n", ParseError::InvalidMethod),
            (
                "SIP/2.0 4294967301 big\r\n\r\n",
                ParseError::InvalidStatusCode,
            ),
            ("SIP/2.0 099 low\r\n\r\n", ParseError::InvalidStatusCode),
            ("SIP/2.0 20 x\r\n\r\n", ParseError::InvalidStatusCode),
            ("SIP/2.0  200 OK\r\n\r\n", ParseError::InvalidStatusCode),
            (
                "OPTIONS sip:a@b SIP/2.0\nVia: x\r\n\r\n",
                ParseError::BareLineEnding { offset: 23 },
            ),
            (
                "OPTIONS sip:a@b SIP/2.0\r\nVia x\r\n\r\n",
                ParseError::MissingColon { line: 2 },
            ),
            (
                "OPTIONS sip:a@b SIP/2.0\r\n: x\r\n\r\n",
                ParseError::InvalidHeaderName { line: 2 },
            ),
            (
                "OPTIONS sip:a@b SIP/2.0\r\nA: x\x01\r\n\r\n",
                ParseError::InvalidHeaderValue { line: 2 },
            ),
            (
                "OPTIONS sip:a@b SIP/2.0\r\nA: x\rb\r\n\r\n",
                ParseError::InvalidHeaderValue { line: 2 },
            ),
            (
                "OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nl: 1\r\n\r\nx",
                ParseError::MultipleContentLength,
            ),
            (
                "OPTIONS sip:a@b SIP/2.0\r\nl: -1\r\n\r\n",
                ParseError::InvalidContentLength,
            ),
            (
                "OPTIONS sip:a@b SIP/2.0\r\nl: 9\r\n\r\nabc",
                ParseError::TruncatedBody {
                    declared: 9,
                    available: 3,
                },
            ),
            (
                "OPTIONS sip:a@b SIP/2.0\r\nA: b\r\n",
                ParseError::IncompleteHead,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                Message::parse(input.to_string()).unwrap_err(),
                *want,
                "{input:?}"
            );
        }
    }

    #[test]
    fn responses_and_reason_phrases() {
        let m = Message::parse("SIP/2.0 100 \r\nCall-ID: x\r\n\r\n").unwrap();
        let Message::Response(r) = &m else { panic!() };
        assert_eq!(r.status, StatusCode::TRYING);
        assert_eq!(r.reason.as_str(), "");
        let m = Message::parse("SIP/2.0 180\r\n\r\n").unwrap();
        assert_eq!(m.as_response().unwrap().status, StatusCode::RINGING);
        let m = Message::parse("SIP/2.0 200 Всё хорошо\r\n\r\n").unwrap();
        assert_eq!(m.as_response().unwrap().reason.as_str(), "Всё хорошо");
    }

    #[test]
    fn folding_compact_names_and_datagram_body() {
        let raw = "\r\n\r\nMESSAGE sip:b@c SIP/2.0\r\nv : SIP/2.0/UDP h\r\n ;branch=z9hG4bK1\r\nl:5\r\n\r\nhello trailing";
        let m = Message::parse(raw).unwrap();
        let h = m.headers();
        assert_eq!(
            h.get(&HeaderName::Via).unwrap().as_str(),
            "SIP/2.0/UDP h\r\n ;branch=z9hG4bK1"
        );
        assert_eq!(m.body(), "hello");
        // Without Content-Length a datagram's body is the rest.
        let m = Message::parse("MESSAGE sip:b@c SIP/2.0\r\nA: b\r\n\r\nxyz").unwrap();
        assert_eq!(m.body(), "xyz");
    }

    #[test]
    fn long_values_are_checked_byte_for_byte() {
        // Values past one 16-byte block, with the byte of interest outside the remainder.
        let long = "0123456789abcdef0123456789abcdef";
        let head = |value: &str| format!("OPTIONS sip:a@b SIP/2.0\r\nA: {value}\r\n\r\n");
        for bad in ["\x01", "\x7f", "\x00", "\r", "\x1b"] {
            let value = format!("{long}{bad}{long}");
            assert_eq!(
                Message::parse(head(&value)).unwrap_err(),
                ParseError::InvalidHeaderValue { line: 2 },
                "{bad:?}"
            );
        }
        for good in ["\t", "\\\x01", "\r\n ", "é"] {
            let value = format!("{long}{good}{long}");
            let m = Message::parse(head(&value)).unwrap();
            let got = m.headers().get_named("A").unwrap().as_str().to_owned();
            assert_eq!(got, value, "{good:?}");
        }
    }

    #[test]
    fn limits() {
        let lim = Limits::default().max_headers(2);
        let raw = Bytes::from_static(b"OPTIONS sip:a@b SIP/2.0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n");
        assert_eq!(
            parse_datagram(raw.clone(), &lim),
            Err(ParseError::TooManyHeaders { limit: 2 })
        );
        let lim = Limits::default().max_line_length(10);
        assert_eq!(
            parse_datagram(raw.clone(), &lim),
            Err(ParseError::LineTooLong { limit: 10 })
        );
        let lim = Limits::default().max_message_size(20);
        assert_eq!(
            parse_datagram(raw, &lim),
            Err(ParseError::MessageTooLarge { limit: 20 })
        );
        let lim = Limits::default().max_body_size(2);
        let raw = Bytes::from_static(b"OPTIONS sip:a@b SIP/2.0\r\nl: 3\r\n\r\nabc");
        let e = parse_datagram(raw, &lim).unwrap_err();
        assert_eq!(
            e,
            ParseError::BodyTooLarge {
                length: 3,
                limit: 2
            }
        );
        assert_eq!(e.status(), StatusCode::REQUEST_ENTITY_TOO_LARGE);
    }
}
