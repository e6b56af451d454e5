//! The streaming, zero-copy MSRP decoder.

use bytes::{Buf, Bytes, BytesMut};

use crate::end_line::{EndLineMatcher, Scan};
use crate::error::{DecodeError, HeaderError};
use crate::header::{Header, Headers, Known, Text, is_media_type, three_digits, trim};
use crate::ident::TransactionId;
use crate::message::{Flag, Head, Method, Request, Response};
use crate::status::StatusCode;
use crate::uri::Path;

/// Limits of the decoder. Every size and count a peer controls is checked against one of these
/// before memory is reserved for it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecoderConfig {
    /// Longest start line, CRLF included. Default 512.
    pub max_start_line: usize,
    /// Longest header line, CRLF included. Default 4096.
    pub max_header_line: usize,
    /// Most header lines in one message. Default 32.
    pub max_headers: usize,
    /// Largest header section (start line through the blank line or end-line). Default 16384.
    pub max_head: usize,
    /// Largest body of a request other than SEND (RFC 4975 §7.1: 10240 octets). Default 10240.
    pub max_non_send_body: u64,
    /// Largest message: no byte position beyond this is accepted (status 413). Chunks of any
    /// size up to it are accepted (RFC 4975 §7.3.1). Default 16 GiB.
    pub max_message_size: u64,
}

impl Default for DecoderConfig {
    fn default() -> Self {
        Self {
            max_start_line: 512,
            max_header_line: 4096,
            max_headers: 32,
            max_head: 16384,
            max_non_send_body: 10240,
            max_message_size: 16 << 30,
        }
    }
}

impl DecoderConfig {
    /// Sets [`max_start_line`](Self::max_start_line).
    pub fn with_max_start_line(mut self, v: usize) -> Self {
        self.max_start_line = v;
        self
    }
    /// Sets [`max_header_line`](Self::max_header_line).
    pub fn with_max_header_line(mut self, v: usize) -> Self {
        self.max_header_line = v;
        self
    }
    /// Sets [`max_headers`](Self::max_headers).
    pub fn with_max_headers(mut self, v: usize) -> Self {
        self.max_headers = v;
        self
    }
    /// Sets [`max_head`](Self::max_head).
    pub fn with_max_head(mut self, v: usize) -> Self {
        self.max_head = v;
        self
    }
    /// Sets [`max_non_send_body`](Self::max_non_send_body).
    pub fn with_max_non_send_body(mut self, v: u64) -> Self {
        self.max_non_send_body = v;
        self
    }
    /// Sets [`max_message_size`](Self::max_message_size).
    pub fn with_max_message_size(mut self, v: u64) -> Self {
        self.max_message_size = v;
        self
    }
}

/// One step of a decoded stream.
///
/// A message arrives as `Head`, then zero or more `Data` (only when the head has a body), then
/// `End`. A message the decoder rejects ends with `Rejected` instead (possibly after its head and
/// some data); the decoder then skips to that message's end-line by itself.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Frame {
    /// Start line and headers.
    Head(Head),
    /// A piece of body data, a zero-copy slice of the input buffer.
    Data(Bytes),
    /// The end-line, with its flag.
    End(Flag),
    /// The message was rejected; answer it with `error.status()` if it is a request.
    Rejected(Rejection),
}

/// A message the decoder rejected, with what was parsed of it so the caller can answer.
///
/// When the rejection comes after the message's [`Frame::Head`] was delivered (a size limit hit
/// in the body), the paths and headers are not repeated here: they are those of that head.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The transaction id.
    pub transaction_id: TransactionId,
    /// The method, or `None` for a response (responses are never answered).
    pub method: Option<Method>,
    /// To-Path, if it was parsed.
    pub to_path: Option<Path>,
    /// From-Path, if it was parsed.
    pub from_path: Option<Path>,
    /// The headers parsed before the error.
    pub headers: Headers,
    /// What was wrong.
    pub error: DecodeError,
}

/// A head being parsed.
struct Partial {
    tid: TransactionId,
    /// `None` for a response.
    method: Option<Method>,
    status: StatusCode,
    comment: Option<Text>,
    to_path: Option<Path>,
    from_path: Option<Path>,
    headers: Headers,
    content_type: Option<Text>,
    /// Header lines seen.
    lines: usize,
}

enum State {
    StartLine,
    /// Parsing the header section into [`Decoder::partial`].
    Headers,
    Body(Box<BodyState>),
    /// Discarding a rejected message up to its end-line.
    Skip(EndLineMatcher),
    /// The end-line of a bodiless message was consumed with its head.
    PendingEnd(Flag),
    Failed(DecodeError),
}

struct BodyState {
    tid: TransactionId,
    method: Method,
    matcher: EndLineMatcher,
    /// Body bytes delivered so far.
    received: u64,
    /// Limit on `received`.
    limit: u64,
    limit_error: DecodeError,
    /// Bytes at the end of the buffer that may begin the end-line (not yet data).
    held: usize,
    /// End-line found: (start, end, flag) within the buffer.
    found: Option<(usize, usize, Flag)>,
}

/// The streaming MSRP decoder (sans-IO).
///
/// Feed it a [`BytesMut`] that holds what has arrived so far; it consumes what it decodes and
/// leaves the rest. Input may be split at any byte: "need more" is `Ok(None)`, and the next call
/// resumes where the last one stopped, so no byte is searched twice
/// ([`bytes_examined`](Self::bytes_examined) counts them). Body data is handed out as
/// [`Bytes`] split off the input buffer, without copying.
///
/// ```
/// use bytes::BytesMut;
/// use msrp::{Decoder, DecoderConfig, Frame, Flag};
/// let wire = b"MSRP a786hjs2 SEND\r\n\
///     To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n\
///     From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n\
///     Message-ID: 87652491\r\n\
///     Byte-Range: 1-23/23\r\n\
///     Content-Type: text/plain\r\n\
///     \r\n\
///     Hey Bob, are you there?\r\n\
///     -------a786hjs2$\r\n";
/// let mut decoder = Decoder::new(DecoderConfig::default());
/// let mut buf = BytesMut::new();
/// let mut body = Vec::new();
/// let mut done = false;
/// for piece in wire.chunks(7) {
///     buf.extend_from_slice(piece);
///     while let Some(frame) = decoder.decode(&mut buf)? {
///         match frame {
///             Frame::Head(head) => assert!(head.has_body()),
///             Frame::Data(data) => body.extend_from_slice(&data),
///             Frame::End(flag) => { assert_eq!(flag, Flag::Complete); done = true }
///             other => panic!("unexpected {other:?}"),
///         }
///     }
/// }
/// assert!(done);
/// assert_eq!(body, b"Hey Bob, are you there?");
/// # Ok::<(), msrp::DecodeError>(())
/// ```
pub struct Decoder {
    config: DecoderConfig,
    state: State,
    /// Bytes at the front of the buffer already searched (for a line end, or the end-line).
    scan: usize,
    /// Bytes of the current head consumed so far.
    head_len: usize,
    examined: u64,
    /// Searcher for the fixed start of every end-line, built once.
    finder: memchr::memmem::Finder<'static>,
    /// The head being parsed (in [`State::Headers`]); kept here to reuse its storage.
    partial: Partial,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("config", &self.config)
            .field("scan", &self.scan)
            .field("bytes_examined", &self.examined)
            .finish_non_exhaustive()
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DecoderConfig::default())
    }
}

impl Decoder {
    /// A decoder with the given limits.
    pub fn new(config: DecoderConfig) -> Self {
        Self {
            config,
            state: State::StartLine,
            scan: 0,
            head_len: 0,
            examined: 0,
            finder: crate::end_line::prefix_finder(),
            partial: Partial::new(TransactionId::placeholder()),
        }
    }

    /// The limits in force.
    pub fn config(&self) -> &DecoderConfig {
        &self.config
    }

    /// Total bytes handed to the decoder's searches (line ends, end-lines) so far. Each input
    /// byte is searched once, however the input is split.
    pub fn bytes_examined(&self) -> u64 {
        self.examined
    }

    /// Whether the decoder sits between messages with nothing partial pending.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::StartLine) && self.scan == 0
    }

    /// Decodes the next frame from `buf`, consuming its bytes. `Ok(None)` means more input is
    /// needed. Errors are fatal (framing is lost): every later call returns the same error.
    /// Recoverable problems come as [`Frame::Rejected`].
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, DecodeError> {
        let result = self.decode_inner(buf);
        if let Err(e) = result {
            self.state = State::Failed(e);
        }
        result
    }

    fn decode_inner(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, DecodeError> {
        // The caller must pass the same buffer each time; if it shrank anyway, search what is
        // there rather than index past its end.
        self.scan = self.scan.min(buf.len());
        loop {
            match &mut self.state {
                State::Failed(e) => return Err(*e),
                State::PendingEnd(flag) => {
                    let flag = *flag;
                    self.state = State::StartLine;
                    return Ok(Some(Frame::End(flag)));
                }
                State::StartLine | State::Headers => {
                    return self.decode_lines(buf);
                }
                State::Body(body) => {
                    let frame = Self::decode_body(
                        body,
                        buf,
                        &mut self.scan,
                        &mut self.examined,
                        &self.finder,
                    );
                    match &frame {
                        Some(Frame::End(_)) => self.state = State::StartLine,
                        Some(Frame::Rejected(_)) => {
                            if let State::Body(body) =
                                std::mem::replace(&mut self.state, State::StartLine)
                            {
                                if let Some((_, end, _)) = body.found {
                                    // The end-line is already known: the message is over.
                                    buf.advance(end);
                                } else {
                                    // The matcher never re-reads searched bytes: drop them.
                                    buf.advance(self.scan);
                                    self.state = State::Skip(body.matcher);
                                }
                            }
                            self.scan = 0;
                        }
                        _ => {}
                    }
                    return Ok(frame);
                }
                State::Skip(matcher) => {
                    match matcher.scan(buf, self.scan, &self.finder) {
                        Scan::Found { end, .. } => {
                            self.examined += (end - self.scan) as u64;
                            buf.advance(end);
                            self.scan = 0;
                            self.state = State::StartLine;
                        }
                        Scan::NotYet { .. } => {
                            self.examined += (buf.len() - self.scan) as u64;
                            // Nothing of a skipped message is kept.
                            buf.clear();
                            self.scan = 0;
                            return Ok(None);
                        }
                    }
                }
            }
        }
    }

    fn decode_body(
        body: &mut BodyState,
        buf: &mut BytesMut,
        scan: &mut usize,
        examined: &mut u64,
        finder: &memchr::memmem::Finder<'_>,
    ) -> Option<Frame> {
        if body.found.is_none() && *scan < buf.len() {
            match body.matcher.scan(buf, *scan, finder) {
                Scan::Found { start, end, flag } => {
                    *examined += (end - *scan) as u64;
                    *scan = end;
                    body.found = Some((start, end, flag));
                }
                Scan::NotYet { held } => {
                    *examined += (buf.len() - *scan) as u64;
                    *scan = buf.len();
                    body.held = held;
                }
            }
        }
        let available = match body.found {
            Some((start, ..)) => start,
            None => buf.len().saturating_sub(body.held),
        };
        if available > 0 {
            let remaining = body.limit - body.received;
            if remaining == 0 {
                return Some(Frame::Rejected(Rejection {
                    transaction_id: body.tid,
                    method: Some(body.method.clone()),
                    to_path: None,
                    from_path: None,
                    headers: Headers::new(),
                    error: body.limit_error,
                }));
            }
            // Deliver up to the limit; the next call rejects what lies beyond it.
            let n = usize::try_from(remaining).map_or(available, |r| r.min(available));
            body.received += n as u64;
            *scan -= n;
            if let Some((start, end, _)) = &mut body.found {
                *start -= n;
                *end -= n;
            }
            return Some(Frame::Data(buf.split_to(n).freeze()));
        }
        let (_, end, flag) = body.found?;
        buf.advance(end);
        *scan = 0;
        Some(Frame::End(flag))
    }

    /// Processes complete lines of the start line and header section. Returns a frame, or
    /// `None` when more input is needed.
    fn decode_lines(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, DecodeError> {
        loop {
            let in_start = matches!(self.state, State::StartLine);
            let limit = if in_start {
                self.config.max_start_line
            } else {
                self.config.max_header_line
            };
            let Some(nl) = memchr::memchr(b'\n', &buf[self.scan..]) else {
                self.examined += (buf.len() - self.scan) as u64;
                self.scan = buf.len();
                return self.partial_line(buf, in_start, limit);
            };
            let line_len = self.scan + nl + 1;
            self.examined += (nl + 1) as u64;
            self.scan = 0;
            // The line is parsed in place and then dropped from the buffer (no copy, no split).
            let result = self.line(&buf[..line_len], limit);
            buf.advance(line_len);
            if let Ok(None) = result {
                continue;
            }
            return result;
        }
    }

    /// Checks the limits on a line whose LF has not arrived yet.
    fn partial_line(
        &mut self,
        buf: &mut BytesMut,
        in_start: bool,
        limit: usize,
    ) -> Result<Option<Frame>, DecodeError> {
        if let State::Headers = self.state {
            let p = &self.partial;
            if buf.starts_with(b"-------") || b"-------".starts_with(buf) {
                // A line that may still become the end-line (at most 42 bytes) is waited for
                // whole; one that cannot is a mismatch whatever follows.
                if could_be_end_line(buf, p.tid) {
                    return Ok(None);
                }
                return Err(DecodeError::EndLineMismatch);
            }
        }
        if in_start {
            if buf.len() > limit {
                return Err(DecodeError::StartLineTooLong { limit });
            }
        } else if let Some(error) = self.head_limit_error(buf.len(), limit) {
            // The pending bytes were searched already and hold no LF, so only a trailing CR
            // can begin the end-line.
            let trailing_cr = buf.last() == Some(&b'\r');
            buf.clear();
            self.scan = 0;
            return Ok(Some(self.reject(error, usize::from(trailing_cr))));
        }
        Ok(None)
    }

    /// Processes one complete line (with its line end).
    fn line(&mut self, line: &[u8], limit: usize) -> Result<Option<Frame>, DecodeError> {
        let line_len = line.len();
        let tid = match &self.state {
            State::Headers => self.partial.tid,
            _ => {
                // Limits first, as for a partial line, so the verdict does not depend on
                // where the input was split.
                if line_len > limit {
                    return Err(DecodeError::StartLineTooLong { limit });
                }
                if line_len < 2 || line[line_len - 2] != b'\r' {
                    return Err(DecodeError::BareLineFeed { line: 0 });
                }
                self.head_len = line_len;
                let (partial, error) = parse_start_line(&line[..line_len - 2])?;
                self.partial = partial;
                self.state = State::Headers;
                return Ok(error.map(|e| self.reject(e, 2)));
            }
        };
        // As for a partial line: seven dashes that cannot be the end-line are a mismatch,
        // whatever ends the line.
        let text = &line[..line_len - 1];
        if text.starts_with(b"-------") && !could_be_end_line(text, tid) {
            return Err(DecodeError::EndLineMismatch);
        }
        let crlf = line_len >= 2 && line[line_len - 2] == b'\r';
        let content = &line[..line_len - if crlf { 2 } else { 1 }];
        // Only this transaction's end-line may start with seven dashes here (checked above).
        let end_flag = match content.strip_prefix(b"-------") {
            Some(rest) if crlf => rest.last().copied().and_then(Flag::from_byte),
            _ => None,
        };
        let limit_error = self.head_limit_error(line_len, limit);
        self.head_len += line_len;
        if let Some(error) = limit_error {
            let frame = self.reject(error, if crlf { 2 } else { 0 });
            if end_flag.is_some() {
                // The end-line was this line: the message is over.
                self.state = State::StartLine;
            }
            return Ok(Some(frame));
        }
        if !crlf {
            let line = match &self.state {
                State::Headers => self.partial.lines + 1,
                _ => 0,
            };
            return Err(DecodeError::BareLineFeed { line });
        }
        if let Some(flag) = end_flag {
            return Ok(Some(self.finish_head(Some(flag))));
        }
        if content.is_empty() {
            return Ok(Some(self.finish_head(None)));
        }
        let partial = &mut self.partial;
        partial.lines += 1;
        if partial.lines > self.config.max_headers {
            let limit = self.config.max_headers;
            return Ok(Some(self.reject(DecodeError::TooManyHeaders { limit }, 2)));
        }
        if let Err(e) = partial.header_line(content) {
            return Ok(Some(self.reject(e, 2)));
        }
        Ok(None)
    }

    /// The limit a header line of `len` bytes (so far) exceeds, if any. The error names the
    /// limit with the lower threshold, so the verdict does not depend on how input was split.
    fn head_limit_error(&self, len: usize, max_line: usize) -> Option<DecodeError> {
        let line_threshold = max_line.saturating_add(1);
        let head_threshold = self
            .config
            .max_head
            .saturating_sub(self.head_len)
            .saturating_add(1);
        if len < line_threshold.min(head_threshold) {
            None
        } else if line_threshold <= head_threshold {
            Some(DecodeError::HeaderLineTooLong { limit: max_line })
        } else {
            Some(DecodeError::HeadTooLarge {
                limit: self.config.max_head,
            })
        }
    }

    /// Rejects the message being parsed and skips to its end-line. `matched` is how much of the
    /// end-line's leading CRLF was just seen: 2 at a line boundary.
    fn reject(&mut self, error: DecodeError, matched: usize) -> Frame {
        self.head_len = 0;
        self.state = State::Skip(EndLineMatcher::new(self.partial.tid).with_matched(matched));
        Frame::Rejected(self.partial.take_rejection(error))
    }

    /// The header section ended: with the end-line (`Some(flag)`, bodiless) or the blank line
    /// before a body (`None`).
    fn finish_head(&mut self, end: Option<Flag>) -> Frame {
        self.state = State::StartLine;
        self.head_len = 0;
        let partial = &mut self.partial;
        let tid = partial.tid;
        // The blank line's CRLF may already be the end-line's leading CRLF (an empty body
        // written without its data CRLF), so body matching starts as after a CRLF.
        let body_matcher = || EndLineMatcher::new(tid).with_matched(2);
        let mut check = partial.check(end.is_none(), &self.config);
        if partial.method.is_none() && end.is_some_and(|f| f != Flag::Complete) {
            check = check.and(Err(DecodeError::ResponseNotComplete));
        }
        if let Err(e) = check {
            // A rejected bodiless message is over; one with a body is skipped.
            self.state = match end {
                Some(_) => State::StartLine,
                None => State::Skip(body_matcher()),
            };
            return Frame::Rejected(partial.take_rejection(e));
        }
        let head = match partial.take_head() {
            Ok(head) => head,
            Err(e) => {
                self.state = match end {
                    Some(_) => State::StartLine,
                    None => State::Skip(body_matcher()),
                };
                return Frame::Rejected(self.partial.take_rejection(e));
            }
        };
        self.state = match (end, &head) {
            (Some(flag), _) => State::PendingEnd(flag),
            (None, Head::Request(r)) => {
                let (limit, limit_error) = if r.method == Method::Send {
                    let max = self.config.max_message_size;
                    let start = r.headers.byte_range().map_or(1, |b| b.start());
                    (
                        max.saturating_sub(start - 1),
                        DecodeError::MessageTooLarge { limit: max },
                    )
                } else {
                    let max = self.config.max_non_send_body;
                    (max, DecodeError::NonSendBodyTooLarge { limit: max })
                };
                State::Body(Box::new(BodyState {
                    tid,
                    method: r.method.clone(),
                    matcher: body_matcher(),
                    received: 0,
                    limit,
                    limit_error,
                    held: 0,
                    found: None,
                }))
            }
            // check() rejects responses with a body.
            (None, Head::Response(_)) => State::Skip(body_matcher()),
        };
        Frame::Head(head)
    }
}

/// Whether `partial` (a line without its LF yet) is a prefix of `-------<tid><flag>\r`.
fn could_be_end_line(partial: &[u8], tid: TransactionId) -> bool {
    let tid = tid.as_bytes();
    partial.iter().enumerate().all(|(i, &b)| match i {
        0..7 => b == b'-',
        i if i < 7 + tid.len() => b == tid[i - 7],
        i if i == 7 + tid.len() => Flag::from_byte(b).is_some(),
        i => i == 8 + tid.len() && b == b'\r',
    })
}

/// Parses the start line. Without a valid transaction id framing is lost (`Err`); with one,
/// a bad method or status only spoils this message (the second value).
fn parse_start_line(line: &[u8]) -> Result<(Partial, Option<DecodeError>), DecodeError> {
    let rest = line.strip_prefix(b"MSRP ").ok_or(DecodeError::NotMsrp)?;
    let sp = memchr::memchr(b' ', rest).ok_or(DecodeError::BadStartLine)?;
    let tid = TransactionId::parse(&rest[..sp]).map_err(DecodeError::BadTransactionId)?;
    let rest = &rest[sp + 1..];
    let mut partial = Partial::new(tid);
    let mut error = None;
    if rest.first().is_some_and(u8::is_ascii_digit) {
        // Response: 3DIGIT [SP comment]; the comment may be empty.
        match rest
            .get(..3)
            .and_then(three_digits)
            .and_then(StatusCode::from_code)
        {
            Some(code) => partial.status = code,
            None => error = Some(DecodeError::BadStatus),
        }
        partial.comment = match rest.get(3..) {
            Some([]) | None => None,
            Some([b' ', comment @ ..]) => Text::from_wire(comment).ok(),
            Some(_) => None,
        };
        if error.is_none() && !matches!(rest.get(3..), Some([]) | Some([b' ', ..])) {
            error = Some(DecodeError::BadStatus);
        }
        if error.is_none() && rest.len() > 3 && partial.comment.is_none() {
            error = Some(DecodeError::BadStatus);
        }
    } else {
        match Method::parse(rest) {
            Some(m) => partial.method = Some(m),
            None => error = Some(DecodeError::BadMethod),
        }
    }
    Ok((partial, error))
}

impl Partial {
    fn new(tid: TransactionId) -> Self {
        Self {
            tid,
            method: None,
            status: StatusCode::Ok,
            comment: None,
            to_path: None,
            from_path: None,
            headers: Headers::new(),
            content_type: None,
            lines: 0,
        }
    }

    /// Parses one header line (without its CRLF).
    fn header_line(&mut self, line: &[u8]) -> Result<(), DecodeError> {
        let malformed = DecodeError::MalformedHeader { line: self.lines };
        let colon = memchr::memchr(b':', line).ok_or(malformed)?;
        let name = &line[..colon];
        let value = trim(&line[colon + 1..]);
        if self.content_type.is_some() {
            return Err(DecodeError::ContentTypeNotLast);
        }
        let known = Known::from_name(name);
        // RFC 4975 §9: To-Path first, From-Path second.
        match (self.lines, known) {
            (1, Some(Known::ToPath)) | (2, Some(Known::FromPath)) => {}
            (1, _) => return Err(DecodeError::ToPathNotFirst),
            (2, _) => return Err(DecodeError::FromPathNotSecond),
            (_, Some(k @ (Known::ToPath | Known::FromPath))) => {
                return Err(DecodeError::DuplicateHeader { name: k.name() });
            }
            _ => {}
        }
        let invalid =
            |name: &'static str| move |source| DecodeError::InvalidHeader { name, source };
        match known {
            Some(Known::ToPath) => {
                let p = Path::parse(value).map_err(HeaderError::Uri);
                self.to_path = Some(p.map_err(invalid("To-Path"))?);
            }
            Some(Known::FromPath) => {
                let p = Path::parse(value).map_err(HeaderError::Uri);
                self.from_path = Some(p.map_err(invalid("From-Path"))?);
            }
            Some(Known::ContentType) => {
                if !is_media_type(value) {
                    return Err(invalid("Content-Type")(HeaderError::BadContentType));
                }
                self.content_type = Some(Text::from_wire(value).map_err(invalid("Content-Type"))?);
            }
            Some(k) => {
                let header = Header::parse_known(k, value).map_err(invalid(k.name()))?;
                if self.headers.has_kind(&header) {
                    return Err(DecodeError::DuplicateHeader { name: k.name() });
                }
                self.headers.push_raw(header);
            }
            None => {
                let header = Header::parse_other(name, value).map_err(|e| match e {
                    HeaderError::BadName => malformed,
                    e => DecodeError::InvalidHeader {
                        name: "extension",
                        source: e,
                    },
                })?;
                self.headers.push_raw(header);
            }
        }
        Ok(())
    }

    /// Checks a complete header section.
    fn check(&self, body: bool, config: &DecoderConfig) -> Result<(), DecodeError> {
        if self.to_path.is_none() {
            return Err(DecodeError::ToPathNotFirst);
        }
        if self.from_path.is_none() {
            return Err(DecodeError::FromPathNotSecond);
        }
        match (&self.method, body) {
            (None, true) => return Err(DecodeError::ResponseWithBody),
            (Some(_), true) if self.content_type.is_none() => {
                return Err(DecodeError::MissingContentType);
            }
            // RFC 4975 §7.1: a request without a body carries no Content-Type.
            (_, false) if self.content_type.is_some() => {
                return Err(DecodeError::ContentTypeWithoutBody);
            }
            _ => {}
        }
        // A declared size beyond the limit is refused before any data (RFC 4975 §14.5).
        if self.method == Some(Method::Send) {
            if let Some(range) = self.headers.byte_range() {
                let declared = range.total().or(range.end()).unwrap_or(0);
                if declared > config.max_message_size {
                    return Err(DecodeError::MessageTooLarge {
                        limit: config.max_message_size,
                    });
                }
            }
        }
        Ok(())
    }

    /// Moves the parsed head out (after [`check`](Self::check) passed, so both paths are
    /// there; the error is for completeness).
    fn take_head(&mut self) -> Result<Head, DecodeError> {
        let to_path = self.to_path.take().ok_or(DecodeError::ToPathNotFirst)?;
        let from_path = self
            .from_path
            .take()
            .ok_or(DecodeError::FromPathNotSecond)?;
        let headers = std::mem::take(&mut self.headers);
        Ok(match self.method.take() {
            Some(method) => Head::Request(Request {
                transaction_id: self.tid,
                method,
                to_path,
                from_path,
                headers,
                content_type: self.content_type.take(),
            }),
            None => Head::Response(Response {
                transaction_id: self.tid,
                status: self.status,
                comment: self.comment.take(),
                to_path,
                from_path,
                headers,
            }),
        })
    }

    fn take_rejection(&mut self, error: DecodeError) -> Rejection {
        Rejection {
            transaction_id: self.tid,
            method: self.method.take(),
            to_path: self.to_path.take(),
            from_path: self.from_path.take(),
            headers: std::mem::take(&mut self.headers),
            error,
        }
    }
}
