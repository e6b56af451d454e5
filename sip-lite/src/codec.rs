//! tokio-util codec (feature `codec`): [`SipCodec`] frames a byte stream with the sans-IO
//! [`StreamFramer`] and writes [`Message`]s with the serializer.
//!
//! A message rejected without losing the framing comes out as an `Err` item that is not
//! fatal ([`FrameError::is_fatal`] is false), so a reader can answer it and go on; a fatal
//! error means the connection must be closed.

use bytes::BytesMut;

use crate::{FrameError, Limits, Message, StreamFramer};

/// An error from the codec.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The transport failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The peer's bytes could not be framed (see [`FrameError::is_fatal`]).
    #[error("{0}")]
    Frame(#[from] FrameError),
}

impl CodecError {
    /// Whether the connection must be closed.
    pub fn is_fatal(&self) -> bool {
        match self {
            CodecError::Io(_) => true,
            CodecError::Frame(e) => e.is_fatal(),
        }
    }
}

/// SIP framing for `tokio_util::codec::{FramedRead, FramedWrite, Framed}`.
///
/// ```
/// use bytes::BytesMut;
/// use sip_lite::codec::SipCodec;
/// use tokio_util::codec::{Decoder as _, Encoder as _};
///
/// let mut codec = SipCodec::default();
/// let mut buf = BytesMut::from(&b"\r\nOPTIONS sip:b@example.com SIP/2.0\r\nContent-Length: 0\r\n"[..]);
/// assert!(codec.decode(&mut buf).unwrap().is_none()); // need more
/// buf.extend_from_slice(b"\r\n");
/// let msg = codec.decode(&mut buf).unwrap().unwrap();
/// let mut out = BytesMut::new();
/// codec.encode(msg, &mut out).unwrap();
/// assert!(out.starts_with(b"OPTIONS sip:b@example.com SIP/2.0\r\n"));
/// ```
#[derive(Debug, Default)]
pub struct SipCodec {
    framer: StreamFramer,
}

impl SipCodec {
    /// A codec with the given limits.
    pub fn new(limits: Limits) -> SipCodec {
        SipCodec {
            framer: StreamFramer::new(limits),
        }
    }
}

impl tokio_util::codec::Decoder for SipCodec {
    type Item = Message;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Message>, CodecError> {
        Ok(self.framer.decode(src)?)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Message>, CodecError> {
        match self.decode(src)? {
            Some(m) => Ok(Some(m)),
            // Only keep-alive line ends may be left over at the end of the stream.
            None if src.iter().all(|&b| b == b'\r' || b == b'\n') => Ok(None),
            None => Err(CodecError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed in the middle of a message",
            ))),
        }
    }
}

impl tokio_util::codec::Encoder<Message> for SipCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Message, dst: &mut BytesMut) -> Result<(), CodecError> {
        item.encode(dst);
        Ok(())
    }
}
