//! tokio-util codec (feature `codec`): [`MsrpCodec`] frames a byte stream with the sans-IO
//! [`Decoder`] and writes [`Message`]s with the encoder.
//!
//! Recoverable problems arrive as [`Frame::Rejected`] items, so a `FramedRead` keeps going after
//! a bad message; only a fatal [`DecodeError`] (framing lost) or an I/O error ends the stream.

use bytes::BytesMut;
use thiserror::Error;

use crate::{DecodeError, Decoder, DecoderConfig, EncodeError, Frame, Message};

/// An error from the codec.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The transport failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The peer's bytes lost framing; close the connection.
    #[error("fatal decode error: {0}")]
    Decode(#[from] DecodeError),
    /// The message given to the encoder is inconsistent.
    #[error("encode error: {0}")]
    Encode(#[from] EncodeError),
    /// The stream ended in the middle of a message.
    #[error("connection closed in the middle of a message")]
    Truncated,
}

/// MSRP framing for `tokio_util::codec::{FramedRead, FramedWrite, Framed}`.
///
/// ```
/// use bytes::BytesMut;
/// use msrp::codec::MsrpCodec;
/// use msrp::Frame;
/// use tokio_util::codec::Decoder as _;
///
/// let mut codec = MsrpCodec::default();
/// let mut buf = BytesMut::from(&b"MSRP abcd 200 OK\r\nTo-Path: msrp://a.example.com:1/s;tcp\r\n\
///     From-Path: msrp://b.example.com:2/t;tcp\r\n-------abcd$\r\n"[..]);
/// assert!(matches!(codec.decode(&mut buf)?, Some(Frame::Head(_))));
/// assert!(matches!(codec.decode(&mut buf)?, Some(Frame::End(_))));
/// # Ok::<(), msrp::codec::CodecError>(())
/// ```
#[derive(Debug, Default)]
pub struct MsrpCodec {
    decoder: Decoder,
}

impl MsrpCodec {
    /// A codec with the given decoder limits.
    pub fn new(config: DecoderConfig) -> Self {
        Self {
            decoder: Decoder::new(config),
        }
    }

    /// The sans-IO decoder inside.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }
}

impl tokio_util::codec::Decoder for MsrpCodec {
    type Item = Frame;
    type Error = CodecError;

    fn decode(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        Ok(self.decoder.decode(src)?)
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> Result<Option<Frame>, CodecError> {
        match self.decode(src)? {
            Some(frame) => Ok(Some(frame)),
            None if src.is_empty() && self.decoder.is_idle() => Ok(None),
            None => Err(CodecError::Truncated),
        }
    }
}

impl tokio_util::codec::Encoder<&Message> for MsrpCodec {
    type Error = CodecError;

    fn encode(&mut self, item: &Message, dst: &mut BytesMut) -> Result<(), CodecError> {
        Ok(item.encode(dst)?)
    }
}

impl tokio_util::codec::Encoder<Message> for MsrpCodec {
    type Error = CodecError;

    fn encode(&mut self, item: Message, dst: &mut BytesMut) -> Result<(), CodecError> {
        Ok(item.encode(dst)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio_util::codec::Decoder as _;

    #[test]
    fn truncated_stream_is_an_error_and_rejections_are_items() {
        let mut codec = MsrpCodec::default();
        let mut buf = BytesMut::from(&b"MSRP abcd SEND\r\nFrom-Path: msrp://b.example.com:2/t;tcp\r\n-------abcd$\r\nMSRP efgh SEND\r\nTo-"[..]);
        assert!(matches!(
            codec.decode(&mut buf),
            Ok(Some(Frame::Rejected(r))) if r.error == DecodeError::ToPathNotFirst
        ));
        assert!(matches!(
            codec.decode_eof(&mut buf),
            Err(CodecError::Truncated)
        ));
        let mut fatal = MsrpCodec::default();
        let mut bad = BytesMut::from(&b"GET / HTTP/1.1\r\n"[..]);
        assert!(matches!(
            fatal.decode(&mut bad),
            Err(CodecError::Decode(DecodeError::NotMsrp))
        ));
    }
}
