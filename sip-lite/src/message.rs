//! The SIP message model: requests, responses and their serialization.

use std::fmt;

use bytes::{BufMut, Bytes, BytesMut};

use crate::header::{HeaderName, HeaderValue, Headers};
use crate::{Method, StatusCode};

/// A SIP version, `SIP/major.minor`. Only 2.0 is supported ([`Version::SIP_2_0`]); the parser
/// accepts any syntactically valid version so that a UAS can answer 505 (RFC 3261 §8.2.x,
/// see [`crate::Validator`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Version {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
}

impl Version {
    /// SIP/2.0.
    pub const SIP_2_0: Version = Version { major: 2, minor: 0 };
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/{}.{}", self.major, self.minor)
    }
}

/// The error for text that cannot be a Request-URI or reason phrase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidStartLineText {
    /// The Request-URI has no scheme or holds a character a URI cannot hold.
    #[error("not a Request-URI")]
    RequestUri,
    /// The reason phrase holds a control character.
    #[error("a reason phrase cannot hold control characters")]
    ReasonPhrase,
}

/// A Request-URI as it appeared on the request line. The start-line parser checks only that it
/// is `scheme ":" uri-characters` (so `<...>` or white space are rejected); parse it fully with
/// [`Uri::parse`](crate::Uri::parse).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RequestUri(Bytes);

impl RequestUri {
    /// A Request-URI from text (checked like the parser checks it).
    pub fn new(uri: &str) -> Result<RequestUri, InvalidStartLineText> {
        if crate::parse::is_request_uri(uri.as_bytes()) {
            Ok(RequestUri(Bytes::copy_from_slice(uri.as_bytes())))
        } else {
            Err(InvalidStartLineText::RequestUri)
        }
    }

    pub(crate) fn from_checked(b: Bytes) -> RequestUri {
        RequestUri(b)
    }

    /// The URI text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The scheme, e.g. `sip` (as written).
    pub fn scheme(&self) -> &str {
        self.as_str().split(':').next().unwrap_or_default()
    }
}

impl fmt::Display for RequestUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A reason phrase: UTF-8 text, possibly empty (RFC 4475 §3.1.1.12, §3.1.1.13).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ReasonPhrase(Bytes);

impl ReasonPhrase {
    /// A reason phrase from text without control characters.
    pub fn new(text: &str) -> Result<ReasonPhrase, InvalidStartLineText> {
        if text.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
            return Err(InvalidStartLineText::ReasonPhrase);
        }
        Ok(ReasonPhrase(Bytes::copy_from_slice(text.as_bytes())))
    }

    /// The RFC's phrase for `status` (or a generic one for its class).
    pub fn canonical(status: StatusCode) -> ReasonPhrase {
        ReasonPhrase(Bytes::from_static(status.reason_phrase().as_bytes()))
    }

    pub(crate) fn from_checked(b: Bytes) -> ReasonPhrase {
        ReasonPhrase(b)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl fmt::Display for ReasonPhrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ReasonPhrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A SIP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The Request-URI.
    pub uri: RequestUri,
    /// The version on the request line.
    pub version: Version,
    /// The headers in order.
    pub headers: Headers,
    /// The body (empty if none).
    pub body: Bytes,
}

/// A SIP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The version on the status line.
    pub version: Version,
    /// The status code.
    pub status: StatusCode,
    /// The reason phrase.
    pub reason: ReasonPhrase,
    /// The headers in order.
    pub headers: Headers,
    /// The body (empty if none).
    pub body: Bytes,
}

/// A SIP message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
}

impl Request {
    /// A SIP/2.0 request with no headers and no body.
    pub fn new(method: Method, uri: RequestUri) -> Request {
        Request {
            method,
            uri,
            version: Version::SIP_2_0,
            headers: Headers::new(),
            body: Bytes::new(),
        }
    }

    /// Serializes the request (see [`Message::encode`]).
    pub fn encode(&self, dst: &mut BytesMut) {
        dst.reserve(self.encoded_len_hint());
        dst.put_slice(self.method.as_str().as_bytes());
        dst.put_u8(b' ');
        dst.put_slice(self.uri.as_str().as_bytes());
        dst.put_u8(b' ');
        put_version(dst, self.version);
        dst.put_slice(b"\r\n");
        encode_rest(dst, &self.headers, &self.body);
    }

    fn encoded_len_hint(&self) -> usize {
        self.uri.0.len() + 32 + headers_len_hint(&self.headers) + self.body.len()
    }

    /// Sets the body and a matching Content-Length (and Content-Type, when given).
    pub fn set_body(&mut self, content_type: Option<HeaderValue>, body: Bytes) {
        set_body(&mut self.headers, content_type, &body);
        self.body = body;
    }
}

impl Response {
    /// A SIP/2.0 response with the canonical reason phrase, no headers and no body.
    pub fn new(status: StatusCode) -> Response {
        Response {
            version: Version::SIP_2_0,
            status,
            reason: ReasonPhrase::canonical(status),
            headers: Headers::new(),
            body: Bytes::new(),
        }
    }

    /// A response to `req` as RFC 3261 §8.2.6.2 builds it: every Via (in order), From,
    /// Call-ID and CSeq copied; To copied, with `to_tag` added when given and To has no tag
    /// yet (never for 100 Trying, §8.2.6.1); Record-Route copied into responses to INVITE
    /// that can create a dialog (101-299, §12.1.1). Content-Length 0.
    ///
    /// ```
    /// use sip_lite::{HeaderName, Message, Response, StatusCode};
    ///
    /// let msg = Message::parse(
    ///     "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n\
    ///      To: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=88\r\n\
    ///      Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n",
    /// )?;
    /// let ringing = Response::to_request(msg.as_request().unwrap(), StatusCode::RINGING, Some("b7"));
    /// assert_eq!(ringing.headers.get(&HeaderName::To).unwrap().as_str(), "<sip:bob@example.com>;tag=b7");
    /// # Ok::<(), sip_lite::ParseError>(())
    /// ```
    pub fn to_request(req: &Request, status: StatusCode, to_tag: Option<&str>) -> Response {
        let mut resp = Response::new(status);
        let h = &mut resp.headers;
        for v in req.headers.get_all(&HeaderName::Via) {
            h.push(HeaderName::Via, v.clone());
        }
        if let Some(v) = req.headers.get(&HeaderName::From) {
            h.push(HeaderName::From, v.clone());
        }
        if let Some(v) = req.headers.get(&HeaderName::To) {
            let has_tag = req
                .headers
                .to_addr()
                .and_then(Result::ok)
                .is_some_and(|a| a.tag().is_some());
            let value = match to_tag {
                Some(tag) if !has_tag && status.as_u16() != 100 => {
                    HeaderValue::new(format!("{};tag={tag}", v.as_str()))
                        .unwrap_or_else(|_| v.clone())
                }
                _ => v.clone(),
            };
            h.push(HeaderName::To, value);
        }
        for name in [HeaderName::CallId, HeaderName::CSeq] {
            if let Some(v) = req.headers.get(&name) {
                h.push(name, v.clone());
            }
        }
        // §8.2.6.1: a 100 Trying echoes the request's Timestamp.
        if status.as_u16() == 100 {
            if let Some(v) = req.headers.get(&HeaderName::Timestamp) {
                h.push(HeaderName::Timestamp, v.clone());
            }
        }
        if req.method == Method::Invite && (101..300).contains(&status.as_u16()) {
            for v in req.headers.get_all(&HeaderName::RecordRoute) {
                h.push(HeaderName::RecordRoute, v.clone());
            }
        }
        set_body(h, None, &Bytes::new());
        resp
    }

    /// Serializes the response (see [`Message::encode`]).
    pub fn encode(&self, dst: &mut BytesMut) {
        dst.reserve(self.reason.0.len() + 32 + headers_len_hint(&self.headers) + self.body.len());
        put_version(dst, self.version);
        dst.put_u8(b' ');
        let code = self.status.as_u16();
        dst.put_slice(&[
            b'0' + (code / 100) as u8,
            b'0' + (code / 10 % 10) as u8,
            b'0' + (code % 10) as u8,
        ]);
        dst.put_u8(b' ');
        dst.put_slice(self.reason.as_str().as_bytes());
        dst.put_slice(b"\r\n");
        encode_rest(dst, &self.headers, &self.body);
    }

    /// Sets the body and a matching Content-Length (and Content-Type, when given).
    pub fn set_body(&mut self, content_type: Option<HeaderValue>, body: Bytes) {
        set_body(&mut self.headers, content_type, &body);
        self.body = body;
    }
}

impl Message {
    /// Serializes the message: start line, each header as `Name: value` CRLF in order (long
    /// names; values exactly as stored), a blank line, the body. Headers are written as they
    /// are: use `set_body` to keep Content-Length right. A canonical message (long names, one
    /// space after the colon) parsed and encoded again gives back the same bytes.
    pub fn encode(&self, dst: &mut BytesMut) {
        match self {
            Message::Request(r) => r.encode(dst),
            Message::Response(r) => r.encode(dst),
        }
    }

    /// [`Message::encode`] into new bytes.
    pub fn to_bytes(&self) -> Bytes {
        let mut b = BytesMut::new();
        self.encode(&mut b);
        b.freeze()
    }

    /// The headers.
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    /// The headers, mutably.
    pub fn headers_mut(&mut self) -> &mut Headers {
        match self {
            Message::Request(r) => &mut r.headers,
            Message::Response(r) => &mut r.headers,
        }
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }

    /// The request, if this is one.
    pub fn as_request(&self) -> Option<&Request> {
        match self {
            Message::Request(r) => Some(r),
            Message::Response(_) => None,
        }
    }

    /// The response, if this is one.
    pub fn as_response(&self) -> Option<&Response> {
        match self {
            Message::Response(r) => Some(r),
            Message::Request(_) => None,
        }
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Message {
        Message::Request(r)
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Message {
        Message::Response(r)
    }
}

fn headers_len_hint(h: &Headers) -> usize {
    h.iter()
        .map(|h| h.name.as_str().len() + h.value.as_bytes().len() + 4)
        .sum::<usize>()
        + 2
}

fn put_version(dst: &mut BytesMut, v: Version) {
    if v == Version::SIP_2_0 {
        dst.put_slice(b"SIP/2.0");
    } else {
        dst.put_slice(v.to_string().as_bytes());
    }
}

fn encode_rest(dst: &mut BytesMut, headers: &Headers, body: &Bytes) {
    for h in headers {
        dst.put_slice(h.name.as_str().as_bytes());
        dst.put_slice(b": ");
        dst.put_slice(h.value.as_bytes());
        dst.put_slice(b"\r\n");
    }
    dst.put_slice(b"\r\n");
    dst.put_slice(body);
}

fn set_body(headers: &mut Headers, content_type: Option<HeaderValue>, body: &Bytes) {
    if let Some(ct) = content_type {
        headers.set(HeaderName::ContentType, ct);
    }
    // Decimal digits are always a valid value.
    let len = HeaderValue::from_checked(Bytes::from(body.len().to_string()));
    headers.set(HeaderName::ContentLength, len);
}

impl fmt::Display for Message {
    /// The head as text (the body is summarised by its length), for logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.to_bytes();
        let body_len = self.body().len();
        let head = &bytes[..bytes.len() - body_len];
        f.write_str(&String::from_utf8_lossy(head))?;
        if body_len > 0 {
            write!(f, "[{body_len} body bytes]")?;
        }
        Ok(())
    }
}
