//! Stream framing (RFC 3261 §18.3): messages delimited by Content-Length on a byte stream.

use bytes::{Buf, BytesMut};
use memchr::memmem;

use crate::StatusCode;
use crate::error::ParseError;
use crate::message::Message;
use crate::parse::{Limits, ScannedHead, leading_crlfs, scan_head};

/// An error from [`StreamFramer::decode`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct FrameError {
    error: ParseError,
    fatal: bool,
}

impl FrameError {
    /// What was wrong.
    pub fn error(&self) -> &ParseError {
        &self.error
    }

    /// Whether the stream's framing is lost: the message's end could not be determined, so
    /// the connection must be closed (after answering [`FrameError::status`] if possible). When
    /// `false`, the bad message was skipped whole and the next one can be decoded.
    pub fn is_fatal(&self) -> bool {
        self.fatal
    }

    /// The response a UAS sends for a request with this error.
    pub fn status(&self) -> StatusCode {
        self.error.status()
    }
}

/// Cuts SIP messages out of a byte stream (TCP, TLS).
///
/// Feed the connection's bytes into a `BytesMut` and call [`StreamFramer::decode`] until it
/// returns `Ok(None)` ("need more"). The framer remembers how far it has scanned and keeps a
/// complete head while the body arrives, so no byte is examined twice. Leading CRLFs (RFC 3261
/// §7.5, and RFC 5626 keep-alives) are skipped; every message needs Content-Length.
///
/// ```
/// use bytes::BytesMut;
/// use sip_lite::{Message, StreamFramer};
///
/// let mut framer = StreamFramer::default();
/// let mut buf = BytesMut::from(&b"\r\n\r\nOPTIONS sip:b@example.com SIP/2.0\r\nContent-Len"[..]);
/// assert_eq!(framer.decode(&mut buf)?, None); // need more
/// buf.extend_from_slice(b"gth: 2\r\n\r\nhi");
/// let msg = framer.decode(&mut buf)?.expect("a whole message");
/// assert_eq!(msg.body(), "hi");
/// # Ok::<(), sip_lite::FrameError>(())
/// ```
#[derive(Debug, Default)]
pub struct StreamFramer {
    limits: Limits,
    /// How many bytes of the current head have been searched for the blank line.
    scanned: usize,
    /// Where the last unterminated line of an incomplete head starts.
    line_start: usize,
    /// A complete head whose body has not fully arrived.
    pending: Option<ScannedHead>,
    /// Body bytes of a rejected message still to be discarded when they arrive.
    skip: usize,
    /// Build each message from its own exact-size copy (see [`StreamFramer::compact`]).
    compact: bool,
}

impl StreamFramer {
    /// A framer with the given limits.
    pub fn new(limits: Limits) -> StreamFramer {
        StreamFramer {
            limits,
            scanned: 0,
            line_start: 0,
            pending: None,
            skip: 0,
            compact: false,
        }
    }

    /// With `true`, each message is built from an exact-size copy of its bytes instead of a
    /// slice of the read buffer. A slice keeps the whole buffer allocation alive as long as
    /// the message lives; a server that keeps many messages (transactions hold theirs for
    /// up to 32 s) trades one copy per message for memory proportional to the traffic.
    pub fn compact(mut self, compact: bool) -> StreamFramer {
        self.compact = compact;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Decodes the next message from the front of `buf`, removing its bytes. `Ok(None)` means
    /// more bytes are needed (nothing is lost: call again after appending). After an error
    /// that is not fatal the bad message has been removed and decoding can go on.
    pub fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Message>, FrameError> {
        if self.skip > 0 {
            let n = self.skip.min(buf.len());
            buf.advance(n);
            self.skip -= n;
            if self.skip > 0 {
                return Ok(None);
            }
        }
        if self.pending.is_none() {
            if self.scanned == 0 {
                let skip = leading_crlfs(buf);
                buf.advance(skip);
                // A lone CR may be the first half of a keep-alive CRLF.
                if buf.first() == Some(&b'\r') && buf.len() == 1 {
                    return Ok(None);
                }
            }
            // Find the blank line, resuming where the last search stopped.
            let from = self.scanned.saturating_sub(3);
            let Some(pos) = memmem::find(&buf[from..], b"\r\n\r\n") else {
                // Only the new bytes are looked at, so a head trickling in byte by byte costs
                // linear time. The head's syntax is judged once it is complete, so the outcome
                // never depends on how the bytes were split; the limits bound the wait.
                if let Some(lf) = memchr::memrchr(b'\n', &buf[self.scanned..]) {
                    self.line_start = self.scanned + lf + 1;
                }
                self.scanned = buf.len();
                if buf.len() > self.limits.max_message_size {
                    return Err(self.fatal(ParseError::MessageTooLarge {
                        limit: self.limits.max_message_size,
                    }));
                }
                // A physical line is never longer than the logical line it belongs to, so
                // this refuses nothing the complete head would pass.
                if buf.len() - self.line_start > self.limits.max_line_length {
                    return Err(self.fatal(ParseError::LineTooLong {
                        limit: self.limits.max_line_length,
                    }));
                }
                return Ok(None);
            };
            let head_end = from + pos + 4;
            if head_end > self.limits.max_message_size {
                return Err(self.fatal(ParseError::MessageTooLarge {
                    limit: self.limits.max_message_size,
                }));
            }
            let head = match scan_head(&buf[..head_end], &self.limits) {
                Ok(Some(h)) => h,
                Ok(None) => return Err(self.fatal(ParseError::IncompleteHead)),
                // An over-long line is refused before its end is seen when the head arrives in
                // pieces; it ends the connection either way.
                Err(e @ ParseError::LineTooLong { .. }) => return Err(self.fatal(e)),
                Err(e) => return Err(self.recover(buf, head_end, e)),
            };
            let Some(len) = head.content_length else {
                return Err(self.fatal(ParseError::MissingContentLength));
            };
            if len > self.limits.max_body_size {
                let e = ParseError::BodyTooLarge {
                    length: len,
                    limit: self.limits.max_body_size,
                };
                return Err(self.fatal(e));
            }
            if head.head_len + len > self.limits.max_message_size {
                return Err(self.fatal(ParseError::MessageTooLarge {
                    limit: self.limits.max_message_size,
                }));
            }
            self.pending = Some(head);
            self.scanned = 0;
            self.line_start = 0;
        }
        let Some(head) = &self.pending else {
            return Ok(None);
        };
        let total = head.head_len + head.content_length.unwrap_or(0);
        if buf.len() < total {
            buf.reserve(total - buf.len());
            return Ok(None);
        }
        let msg = if self.compact {
            let copy = bytes::Bytes::copy_from_slice(&buf[..total]);
            buf.advance(total);
            copy
        } else {
            buf.split_to(total).freeze()
        };
        let body = msg.slice(head.head_len..);
        let message = head.build(msg, body);
        self.pending = None;
        Ok(Some(message))
    }

    fn fatal(&mut self, error: ParseError) -> FrameError {
        self.scanned = 0;
        self.line_start = 0;
        self.pending = None;
        FrameError { error, fatal: true }
    }

    /// A head with a syntax error: if its one Content-Length can still be read, skip the whole
    /// message and keep the connection; otherwise framing is lost.
    fn recover(&mut self, buf: &mut BytesMut, head_end: usize, error: ParseError) -> FrameError {
        self.scanned = 0;
        self.line_start = 0;
        self.pending = None;
        match find_content_length(&buf[..head_end]) {
            Some(len) if len <= self.limits.max_body_size => {
                // The body may not have arrived yet: what is missing is dropped on arrival,
                // so the rejection does not depend on how the bytes were split.
                let total = head_end + len;
                let now = total.min(buf.len());
                buf.advance(now);
                self.skip = total - now;
                FrameError {
                    error,
                    fatal: false,
                }
            }
            _ => FrameError { error, fatal: true },
        }
    }
}

/// A tolerant look for exactly one well-formed Content-Length (or `l`) line in a head that
/// failed to parse.
fn find_content_length(head: &[u8]) -> Option<usize> {
    let mut found = None;
    for line in head.split(|&b| b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = line[..colon].trim_ascii();
        if name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"l") {
            let v = std::str::from_utf8(&line[colon + 1..]).ok()?;
            let n = crate::grammar::parse_number(v, u32::MAX.into())?;
            if found.replace(n as usize).is_some() {
                return None;
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSG: &[u8] = b"MESSAGE sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nContent-Length: 5\r\n\r\nhello";

    #[test]
    fn any_split_gives_the_same_messages() {
        let mut stream = Vec::new();
        stream.extend_from_slice(b"\r\n");
        stream.extend_from_slice(MSG);
        stream.extend_from_slice(b"\r\n\r\n");
        stream.extend_from_slice(MSG);
        let whole = {
            let mut f = StreamFramer::default();
            let mut b = BytesMut::from(&stream[..]);
            let mut out = vec![];
            while let Some(m) = f.decode(&mut b).unwrap() {
                out.push(m);
            }
            assert!(b.is_empty());
            out
        };
        assert_eq!(whole.len(), 2);
        for split in 0..stream.len() {
            let mut f = StreamFramer::default();
            let mut b = BytesMut::from(&stream[..split]);
            let mut out = vec![];
            while let Some(m) = f.decode(&mut b).unwrap() {
                out.push(m);
            }
            b.extend_from_slice(&stream[split..]);
            while let Some(m) = f.decode(&mut b).unwrap() {
                out.push(m);
            }
            assert_eq!(out, whole, "split at {split}");
        }
        // One byte at a time.
        let mut f = StreamFramer::default();
        let mut b = BytesMut::new();
        let mut out = vec![];
        for &byte in &stream {
            b.extend_from_slice(&[byte]);
            while let Some(m) = f.decode(&mut b).unwrap() {
                out.push(m);
            }
        }
        assert_eq!(out, whole);
    }

    #[test]
    fn missing_content_length_is_fatal() {
        let mut f = StreamFramer::default();
        let mut b = BytesMut::from(&b"OPTIONS sip:b@c SIP/2.0\r\nVia: x\r\n\r\n"[..]);
        let e = f.decode(&mut b).unwrap_err();
        assert_eq!(e.error(), &ParseError::MissingContentLength);
        assert!(e.is_fatal());
    }

    #[test]
    fn bad_message_with_readable_length_is_skipped() {
        let mut f = StreamFramer::default();
        let mut b =
            BytesMut::from(&b"OPTIONS sip:b@c SIP/2.0\r\nBad Header: x\r\nl: 3\r\n\r\nabc"[..]);
        b.extend_from_slice(MSG);
        let e = f.decode(&mut b).unwrap_err();
        assert_eq!(e.error(), &ParseError::MissingColon { line: 2 });
        assert!(!e.is_fatal());
        let m = f.decode(&mut b).unwrap().unwrap();
        assert_eq!(m.body(), "hello");
    }

    #[test]
    fn a_rejected_head_skips_its_body_when_it_arrives() {
        let mut f = StreamFramer::default();
        let mut b = BytesMut::from(&b"BAD  sip:b@c SIP/2.0\r\nContent-Length: 5\r\n\r\nhe"[..]);
        let e = f.decode(&mut b).unwrap_err();
        assert_eq!(e.error(), &ParseError::InvalidRequestLine);
        assert!(!e.is_fatal());
        assert!(b.is_empty());
        b.extend_from_slice(b"l");
        assert_eq!(f.decode(&mut b).unwrap(), None);
        b.extend_from_slice(b"lo");
        b.extend_from_slice(MSG);
        assert_eq!(f.decode(&mut b).unwrap().unwrap().body(), "hello");
    }

    #[test]
    fn garbage_is_refused_before_the_blank_line() {
        // Bytes with no line end are refused once they exceed the line length limit.
        let mut f = StreamFramer::new(Limits::default().max_line_length(32));
        let mut b = BytesMut::from(&b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"[..]);
        assert_eq!(f.decode(&mut b).unwrap(), None);
        b.extend_from_slice(&[0xfc; 32]);
        let e = f.decode(&mut b).unwrap_err();
        assert!(e.is_fatal());
        assert!(matches!(e.error(), ParseError::LineTooLong { .. }));
        let mut f = StreamFramer::new(Limits::default().max_message_size(64));
        let mut b = BytesMut::from(&b"OPTIONS sip:b@c SIP/2.0\r\n"[..]);
        b.extend_from_slice(&[b'a'; 100]);
        assert!(matches!(
            f.decode(&mut b).unwrap_err().error(),
            ParseError::MessageTooLarge { .. }
        ));
    }

    #[test]
    fn oversized_declared_body_is_refused_before_it_arrives() {
        let mut f = StreamFramer::new(Limits::default().max_body_size(10));
        let mut b = BytesMut::from(&b"MESSAGE sip:b@c SIP/2.0\r\nl: 11\r\n\r\n"[..]);
        let e = f.decode(&mut b).unwrap_err();
        assert_eq!(e.status(), StatusCode::REQUEST_ENTITY_TOO_LARGE);
    }
}
