//! Errors of the message parser.

use crate::StatusCode;

/// Why a message could not be parsed. Each variant knows the response a UAS answers with
/// ([`ParseError::status`]); whether a stream connection survives the error is decided by the
/// framer (see [`crate::FrameError`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The input ended before the blank line that ends the header section.
    #[error("the message head is incomplete (no blank line after the headers)")]
    IncompleteHead,
    /// A CR not followed by LF, or an LF not preceded by CR, in the head.
    #[error("bare CR or LF at byte {offset} (SIP lines end with CRLF)")]
    BareLineEnding {
        /// Offset of the offending byte from the start of the message.
        offset: usize,
    },
    /// The request line is not `Method SP Request-URI SP SIP-Version CRLF`.
    #[error("malformed request line")]
    InvalidRequestLine,
    /// The status line is not `SIP-Version SP Status-Code SP Reason-Phrase CRLF`.
    #[error("malformed status line")]
    InvalidStatusLine,
    /// The method is not a token.
    #[error("the method is not a token")]
    InvalidMethod,
    /// The Request-URI holds characters a URI cannot hold (e.g. `<`, white space) or has no
    /// scheme.
    #[error("the Request-URI is not a URI")]
    InvalidRequestUri,
    /// The version is not `SIP/` 1*DIGIT `.` 1*DIGIT.
    #[error("malformed SIP version")]
    InvalidVersion,
    /// The status code is not three digits in 100..=699.
    #[error("the status code is not three digits in 100..=699")]
    InvalidStatusCode,
    /// The reason phrase holds control characters.
    #[error("the reason phrase holds control characters")]
    InvalidReasonPhrase,
    /// A header line does not start with a token name.
    #[error("header line {line}: the name is not a token")]
    InvalidHeaderName {
        /// 1-based line number within the message.
        line: usize,
    },
    /// A header line has no colon after its name.
    #[error("header line {line}: no colon after the name")]
    MissingColon {
        /// 1-based line number within the message.
        line: usize,
    },
    /// A header value holds a control character.
    #[error("header line {line}: control character in the value")]
    InvalidHeaderValue {
        /// 1-based line number within the message.
        line: usize,
    },
    /// The head is not valid UTF-8.
    #[error("the message head is not valid UTF-8")]
    InvalidUtf8,
    /// A header line (with its folds) is longer than the limit.
    #[error("a header line exceeds {limit} bytes")]
    LineTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// More header lines than the limit.
    #[error("more than {limit} header lines")]
    TooManyHeaders {
        /// The configured limit.
        limit: usize,
    },
    /// The message (head and body) is larger than the limit.
    #[error("the message exceeds {limit} bytes")]
    MessageTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// The body is larger than the limit.
    #[error("a body of {length} bytes exceeds the limit of {limit}")]
    BodyTooLarge {
        /// The declared body length.
        length: usize,
        /// The configured limit.
        limit: usize,
    },
    /// A message on a stream transport has no Content-Length (RFC 3261 §18.3: mandatory).
    #[error("Content-Length is required on stream transports")]
    MissingContentLength,
    /// Content-Length is not 1*DIGIT (e.g. negative) or does not fit.
    #[error("Content-Length is not a non-negative number")]
    InvalidContentLength,
    /// Content-Length appears more than once (RFC 4475 §3.3.9).
    #[error("Content-Length appears more than once")]
    MultipleContentLength,
    /// A datagram holds fewer body bytes than Content-Length says (RFC 3261 §18.3).
    #[error("Content-Length says {declared} bytes but the datagram holds {available}")]
    TruncatedBody {
        /// Content-Length.
        declared: usize,
        /// Bytes present after the head.
        available: usize,
    },
}

impl ParseError {
    /// The response a UAS sends for a request with this error (RFC 3261 §21): 513 for size
    /// limits on the whole message, 413 for an oversized body, 400 otherwise. (A response with
    /// an error is dropped, not answered.)
    pub fn status(&self) -> StatusCode {
        match self {
            ParseError::LineTooLong { .. }
            | ParseError::TooManyHeaders { .. }
            | ParseError::MessageTooLarge { .. } => StatusCode::MESSAGE_TOO_LARGE,
            ParseError::BodyTooLarge { .. } => StatusCode::REQUEST_ENTITY_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}
