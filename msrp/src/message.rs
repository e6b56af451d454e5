//! The message model: start lines, requests, responses, whole messages, and their encoding.

use std::fmt::{self, Write as _};

use bytes::{BufMut, Bytes, BytesMut};

use crate::error::EncodeError;
use crate::header::{Headers, Text, names};
use crate::ident::TransactionId;
use crate::status::StatusCode;
use crate::uri::Path;

/// A request method (RFC 4975 §9: `SEND`, `REPORT`, or any `1*UPALPHA`; RFC 4976 adds `AUTH`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `SEND`: carries message content.
    Send,
    /// `REPORT`: end-to-end delivery status.
    Report,
    /// `AUTH`: relay authentication (RFC 4976).
    Auth,
    /// Any other method; an endpoint answers it with 501.
    Other(ExtensionMethod),
}

/// A method name other than SEND, REPORT and AUTH: one or more upper-case ASCII letters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ExtensionMethod(String);

impl ExtensionMethod {
    /// Validates a method name (`1*UPALPHA`, and not one of SEND, REPORT and AUTH, which
    /// have their own [`Method`] variants).
    pub fn new(name: &str) -> Option<Self> {
        let known = matches!(name, "SEND" | "REPORT" | "AUTH");
        (!known && !name.is_empty() && name.bytes().all(|b| b.is_ascii_uppercase()))
            .then(|| Self(name.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Method {
    /// Parses a method token.
    pub fn parse(s: &[u8]) -> Option<Self> {
        Some(match s {
            b"SEND" => Self::Send,
            b"REPORT" => Self::Report,
            b"AUTH" => Self::Auth,
            _ => Self::Other(ExtensionMethod::new(std::str::from_utf8(s).ok()?)?),
        })
    }

    /// The method's name.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Send => "SEND",
            Self::Report => "REPORT",
            Self::Auth => "AUTH",
            Self::Other(m) => m.as_str(),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Method {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(match u.int_in_range(0..=3)? {
            0 => Self::Send,
            1 => Self::Report,
            2 => Self::Auth,
            _ => {
                let len = u.int_in_range(1..=10)?;
                let name: String = (0..len)
                    .map(|_| Ok(char::from(u.int_in_range(b'A'..=b'Z')?)))
                    .collect::<arbitrary::Result<_>>()?;
                Self::parse(name.as_bytes()).ok_or(arbitrary::Error::IncorrectFormat)?
            }
        })
    }
}

/// The end-line flag (RFC 4975 §7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Flag {
    /// `$`: this chunk ends the message.
    Complete,
    /// `+`: more chunks of the message follow.
    Continued,
    /// `#`: the sender aborts the message.
    Aborted,
}

impl Flag {
    /// The flag's byte.
    pub fn as_byte(self) -> u8 {
        match self {
            Self::Complete => b'$',
            Self::Continued => b'+',
            Self::Aborted => b'#',
        }
    }

    /// The flag for a byte.
    pub fn from_byte(b: u8) -> Option<Self> {
        match b {
            b'$' => Some(Self::Complete),
            b'+' => Some(Self::Continued),
            b'#' => Some(Self::Aborted),
            _ => None,
        }
    }
}

/// A request's head: start line and headers. The body, if any, travels separately (as decoder
/// frames or as [`Message::body`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Request {
    /// The transaction id, which also closes the request in its end-line.
    pub transaction_id: TransactionId,
    /// The method.
    pub method: Method,
    /// To-Path: next hop first, final destination last.
    pub to_path: Path,
    /// From-Path: previous hop first, originator last.
    pub from_path: Path,
    /// Every other header except Content-Type, in wire order.
    pub headers: Headers,
    /// Content-Type, present exactly when the request has a body.
    pub content_type: Option<Text>,
}

/// A response's head. Responses never carry a body (RFC 4975 §7.2).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Response {
    /// The transaction id of the request answered.
    pub transaction_id: TransactionId,
    /// The status.
    pub status: StatusCode,
    /// The reason text after the code, if any.
    pub comment: Option<Text>,
    /// To-Path.
    pub to_path: Path,
    /// From-Path.
    pub from_path: Path,
    /// Every other header, in wire order.
    pub headers: Headers,
}

impl Request {
    /// A bodiless request with no headers beyond the paths.
    pub fn new(
        transaction_id: TransactionId,
        method: Method,
        to_path: Path,
        from_path: Path,
    ) -> Self {
        Self {
            transaction_id,
            method,
            to_path,
            from_path,
            headers: Headers::new(),
            content_type: None,
        }
    }

    /// The response to this request with `status`, addressed per RFC 4975 §7.2: To-Path is the
    /// leftmost From-Path URI for SEND (hop-by-hop) and the whole From-Path otherwise; From-Path
    /// is `responder`.
    pub fn response(&self, status: StatusCode, responder: Path) -> Response {
        let to_path = match self.method {
            Method::Send => Path::new(self.from_path.first().clone()),
            _ => self.from_path.clone(),
        };
        let reason = status.reason();
        Response {
            transaction_id: self.transaction_id,
            status,
            comment: (!reason.is_empty())
                .then(|| Text::new(reason))
                .and_then(Result::ok),
            to_path,
            from_path: responder,
            headers: Headers::new(),
        }
    }
}

/// A message head: a request or a response.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Head {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
}

impl Head {
    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        match self {
            Self::Request(r) => r.transaction_id,
            Self::Response(r) => r.transaction_id,
        }
    }

    /// To-Path.
    pub fn to_path(&self) -> &Path {
        match self {
            Self::Request(r) => &r.to_path,
            Self::Response(r) => &r.to_path,
        }
    }

    /// From-Path.
    pub fn from_path(&self) -> &Path {
        match self {
            Self::Request(r) => &r.from_path,
            Self::Response(r) => &r.from_path,
        }
    }

    /// The other headers.
    pub fn headers(&self) -> &Headers {
        match self {
            Self::Request(r) => &r.headers,
            Self::Response(r) => &r.headers,
        }
    }

    /// Whether a body follows the head.
    pub fn has_body(&self) -> bool {
        matches!(self, Self::Request(r) if r.content_type.is_some())
    }

    /// Writes the start line and all headers (each ending in CRLF), To-Path and From-Path first
    /// and Content-Type last. For a request with a body the caller writes the blank line, the
    /// data, and [`encode_end_line`] with a leading CRLF; [`Message::encode`] does all of it.
    pub fn encode(&self, dst: &mut BytesMut) {
        let mut w = Writer(dst);
        // Writing into BytesMut cannot fail.
        let _ = self.write_head(&mut w);
    }

    fn write_head(&self, w: &mut Writer<'_>) -> fmt::Result {
        match self {
            Self::Request(r) => {
                write!(w, "MSRP {} {}\r\n", r.transaction_id, r.method)?;
            }
            Self::Response(r) => {
                write!(w, "MSRP {} {}", r.transaction_id, r.status)?;
                if let Some(c) = &r.comment {
                    write!(w, " {c}")?;
                }
                w.write_str("\r\n")?;
            }
        }
        write!(
            w,
            "{}: {}\r\n{}: {}\r\n",
            names::TO_PATH,
            self.to_path(),
            names::FROM_PATH,
            self.from_path()
        )?;
        for h in self.headers() {
            h.write_to(w)?;
            w.write_str("\r\n")?;
        }
        if let Self::Request(Request {
            content_type: Some(ct),
            ..
        }) = self
        {
            write!(w, "{}: {ct}\r\n", names::CONTENT_TYPE)?;
        }
        Ok(())
    }
}

struct Writer<'a>(&'a mut BytesMut);

impl fmt::Write for Writer<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

/// Writes an end-line: `-------<tid><flag>\r\n`.
pub fn encode_end_line(transaction_id: TransactionId, flag: Flag, dst: &mut BytesMut) {
    dst.reserve(7 + transaction_id.as_bytes().len() + 3);
    dst.put_slice(b"-------");
    dst.put_slice(transaction_id.as_bytes());
    dst.put_u8(flag.as_byte());
    dst.put_slice(b"\r\n");
}

/// A whole message (one chunk): head, optional body and end-line flag.
///
/// Convenient for small messages and tests; large transfers use the streaming
/// [`Decoder`](crate::Decoder) frames instead of holding a body.
///
/// ```
/// use msrp::{Message, Head};
/// let wire = b"MSRP a786hjs2 200 OK\r\n\
///     To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
///     From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
///     -------a786hjs2$\r\n";
/// let (msg, used) = Message::decode(wire)?.expect("complete");
/// assert_eq!(used, wire.len());
/// let Head::Response(resp) = &msg.head else { panic!("a response") };
/// assert_eq!(resp.status.code(), 200);
/// assert_eq!(msg.to_bytes()?, &wire[..]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Message {
    /// The head.
    pub head: Head,
    /// The body data (not including the CRLF before the end-line); `None` when bodiless.
    pub body: Option<Bytes>,
    /// The end-line flag.
    pub flag: Flag,
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Message {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Self {
            head: Head::arbitrary(u)?,
            body: Option::<Vec<u8>>::arbitrary(u)?.map(Bytes::from),
            flag: Flag::arbitrary(u)?,
        })
    }
}

impl Message {
    /// Encodes the whole message.
    pub fn encode(&self, dst: &mut BytesMut) -> Result<(), EncodeError> {
        if let Head::Response(_) = self.head {
            if self.body.is_some() {
                return Err(EncodeError::ResponseWithBody);
            }
            if self.flag != Flag::Complete {
                return Err(EncodeError::ResponseNotComplete);
            }
        }
        if self.head.has_body() != self.body.is_some() {
            return Err(EncodeError::ContentTypeMismatch);
        }
        if let Some(body) = &self.body {
            // RFC 4975 §7.1: the end-line must not appear in the body.
            let tid = self.head.transaction_id();
            let mut needle = [0u8; 7 + crate::IDENT_MAX_LEN];
            needle[..7].copy_from_slice(b"-------");
            needle[7..7 + tid.as_bytes().len()].copy_from_slice(tid.as_bytes());
            if memchr::memmem::find(body, &needle[..7 + tid.as_bytes().len()]).is_some() {
                return Err(EncodeError::EndLineInBody);
            }
        }
        self.head.encode(dst);
        if let Some(body) = &self.body {
            dst.reserve(body.len() + 4);
            dst.put_slice(b"\r\n");
            dst.put_slice(body);
            dst.put_slice(b"\r\n");
        }
        encode_end_line(self.head.transaction_id(), self.flag, dst);
        Ok(())
    }

    /// Encodes into a new buffer.
    pub fn to_bytes(&self) -> Result<Bytes, EncodeError> {
        let mut b = BytesMut::new();
        self.encode(&mut b)?;
        Ok(b.freeze())
    }

    /// Decodes one message from the start of `input` with default limits: `Ok(None)` if more
    /// input is needed, otherwise the message and the number of bytes it used.
    ///
    /// A rejected (recoverable) message is returned as its error; use the streaming
    /// [`Decoder`](crate::Decoder) to continue past it.
    pub fn decode(input: &[u8]) -> Result<Option<(Message, usize)>, crate::DecodeError> {
        let mut decoder = crate::Decoder::new(crate::DecoderConfig::default());
        let mut buf = BytesMut::from(input);
        let mut head = None;
        let mut body: Option<Bytes> = None;
        loop {
            match decoder.decode(&mut buf)? {
                None => return Ok(None),
                Some(crate::Frame::Head(h)) => {
                    body = h.has_body().then(Bytes::new);
                    head = Some(h);
                }
                Some(crate::Frame::Data(d)) => {
                    // With all input at hand the body comes as one slice; join only if not.
                    if let Some(b) = body.as_mut() {
                        *b = if b.is_empty() {
                            d
                        } else {
                            [&b[..], &d[..]].concat().into()
                        };
                    }
                }
                Some(crate::Frame::End(flag)) => {
                    let Some(head) = head else {
                        return Ok(None);
                    };
                    let used = input.len() - buf.len();
                    let msg = Message { head, body, flag };
                    return Ok(Some((msg, used)));
                }
                Some(crate::Frame::Rejected(r)) => return Err(r.error),
            }
        }
    }
}
