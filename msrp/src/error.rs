//! Error types. Each parse error knows the MSRP status it deserves and whether the connection
//! survives it.

use thiserror::Error;

use crate::status::StatusCode;

/// A transaction id or Message-ID does not match `ident` (RFC 4975 §9).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentError {
    /// Fewer than 4 characters.
    #[error("identifier has {len} characters; at least 4 are required")]
    TooShort {
        /// Length found.
        len: usize,
    },
    /// More than 32 characters.
    #[error("identifier has {len} characters; at most 32 are allowed")]
    TooLong {
        /// Length found.
        len: usize,
    },
    /// The first character is not alphanumeric.
    #[error("identifier starts with {byte:#04x}; it must start with a letter or digit")]
    BadFirstChar {
        /// The offending byte.
        byte: u8,
    },
    /// A character outside `ALPHANUM . - + % =`.
    #[error("identifier has byte {byte:#04x} at position {pos}")]
    BadChar {
        /// The offending byte.
        byte: u8,
        /// Its position.
        pos: usize,
    },
}

/// An MSRP URI does not match RFC 4975 §9.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum UriError {
    /// Nothing to parse.
    #[error("empty URI")]
    Empty,
    /// Longer than 65535 bytes.
    #[error("URI longer than 65535 bytes")]
    TooLong,
    /// A byte that cannot appear in a URI (control, space, non-ASCII).
    #[error("byte {byte:#04x} is not allowed in an MSRP URI")]
    BadChar {
        /// The offending byte.
        byte: u8,
    },
    /// The scheme is not `msrp://` or `msrps://`.
    #[error("scheme is not msrp:// or msrps://")]
    BadScheme,
    /// The host is empty or not a valid name or IP reference.
    #[error("invalid host")]
    BadHost,
    /// The port is not a number in 0-65535.
    #[error("invalid port")]
    BadPort,
    /// A numeric IP address without a port (RFC 4975 §6).
    #[error("a numeric IP address must carry a port")]
    MissingPortForIp,
    /// The userinfo contains a password (`:`), which RFC 4975 §6 forbids.
    #[error("userinfo must not contain a password")]
    PasswordInUserinfo,
    /// A `%` not followed by two hex digits.
    #[error("bad percent-encoding in the {part}")]
    BadPercentEncoding {
        /// Which part of the URI.
        part: &'static str,
    },
    /// The session-id is empty or has characters outside `unreserved + = /`.
    #[error("invalid session-id")]
    BadSessionId,
    /// The mandatory `;transport` is missing or not alphanumeric.
    #[error("missing or invalid transport")]
    MissingTransport,
    /// A URI parameter is not `token[=token]`.
    #[error("invalid URI parameter")]
    BadParameter,
}

/// A Byte-Range header value is malformed (RFC 4975 §7.1.1, §14.5).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ByteRangeError {
    /// Not `start-end/total`.
    #[error("Byte-Range is not start-end/total")]
    Syntax,
    /// A number does not fit in 64 bits.
    #[error("Byte-Range number overflows 64 bits")]
    Overflow,
    /// Positions are 1-based.
    #[error("Byte-Range start is 0; positions start at 1")]
    ZeroStart,
    /// The end lies before the start (an empty range `n-(n-1)` is allowed).
    #[error("Byte-Range end {end} lies before start {start}")]
    EndBeforeStart {
        /// range-start.
        start: u64,
        /// range-end.
        end: u64,
    },
    /// The range lies beyond the total.
    #[error("Byte-Range lies beyond the total {total}")]
    BeyondTotal {
        /// The total.
        total: u64,
    },
}

/// A header value (or name) is malformed.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderError {
    /// The header name is not a token starting with a letter.
    #[error("invalid header name")]
    BadName,
    /// A value contains CR, LF or NUL.
    #[error("header value contains CR, LF or NUL")]
    ControlCharacter,
    /// A value is not UTF-8.
    #[error("header value is not UTF-8")]
    NotUtf8,
    /// Invalid Message-ID.
    #[error("invalid Message-ID: {0}")]
    MessageId(IdentError),
    /// Invalid Byte-Range.
    #[error("invalid Byte-Range: {0}")]
    ByteRange(ByteRangeError),
    /// Invalid URI in a path header.
    #[error("invalid URI: {0}")]
    Uri(UriError),
    /// Success-Report/Failure-Report value other than yes/no(/partial).
    #[error("invalid report value")]
    BadReportValue,
    /// The Status header is not `NNN NNN [comment]`.
    #[error("invalid Status header")]
    BadStatus,
    /// A number (Expires) is not a decimal that fits in 32 bits.
    #[error("invalid number")]
    BadNumber,
    /// To-Path, From-Path or Content-Type where a generic header was expected.
    #[error("header belongs in a fixed position")]
    Misplaced,
    /// A Content-Type value is not `type/subtype[;params]`.
    #[error("invalid Content-Type")]
    BadContentType,
}

/// A problem found while decoding a byte stream.
///
/// [`is_fatal`](Self::is_fatal) tells whether framing is lost (close the connection) or only this
/// message is rejected (answer with [`status`](Self::status), the decoder skips to the message's
/// end-line and the connection goes on).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    // ---- fatal: framing lost ----
    /// The input does not start with `MSRP `.
    #[error("start line does not begin with \"MSRP \"")]
    NotMsrp,
    /// The start line's transaction id is invalid, so the end-line cannot be found.
    #[error("invalid transaction id: {0}")]
    BadTransactionId(IdentError),
    /// The start line has no space after the transaction id.
    #[error("malformed start line")]
    BadStartLine,
    /// No CRLF within the start-line limit.
    #[error("start line longer than {limit} bytes")]
    StartLineTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// A line ends with a bare LF (lines end with CRLF).
    #[error("line {line} ends with a bare LF")]
    BareLineFeed {
        /// 0-based line number within the message.
        line: usize,
    },
    /// A line starting with seven dashes in the header section is not this transaction's
    /// end-line, so the message boundary is unknown.
    #[error("end-line does not match the transaction id")]
    EndLineMismatch,

    // ---- recoverable: reject the message, keep the connection ----
    /// The method is not `1*UPALPHA` (the transaction id was valid, so the message can be
    /// skipped).
    #[error("invalid method")]
    BadMethod,
    /// The response's status is not a code of 100-999 followed by an optional comment.
    #[error("invalid response status")]
    BadStatus,
    /// A header line is longer than the limit.
    #[error("header line longer than {limit} bytes")]
    HeaderLineTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// The header section is larger than the limit.
    #[error("header section larger than {limit} bytes")]
    HeadTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// More headers than the limit.
    #[error("more than {limit} headers")]
    TooManyHeaders {
        /// The configured limit.
        limit: usize,
    },
    /// A header line without `:` or with an invalid name.
    #[error("malformed header line {line}")]
    MalformedHeader {
        /// 0-based line number within the message.
        line: usize,
    },
    /// A header's value is invalid.
    #[error("invalid {name} header: {source}")]
    InvalidHeader {
        /// The header's canonical name.
        name: &'static str,
        /// What is wrong.
        source: HeaderError,
    },
    /// The first header is not To-Path.
    #[error("the first header must be To-Path")]
    ToPathNotFirst,
    /// The second header is not From-Path.
    #[error("the second header must be From-Path")]
    FromPathNotSecond,
    /// A header that may appear once appears twice.
    #[error("duplicate {name} header")]
    DuplicateHeader {
        /// The header's canonical name.
        name: &'static str,
    },
    /// A header follows Content-Type, which must be the last header (RFC 4975 §9).
    #[error("Content-Type must be the last header")]
    ContentTypeNotLast,
    /// A body follows the headers without a Content-Type.
    #[error("a body requires a Content-Type")]
    MissingContentType,
    /// A response carries a body; responses have none (RFC 4975 §7.2).
    #[error("responses carry no body")]
    ResponseWithBody,
    /// A response ends with a flag other than `$` (responses are never chunked, RFC 4975 §7.2).
    #[error("a response must end with $")]
    ResponseNotComplete,
    /// A bodiless request carries a Content-Type (RFC 4975 §7.1 forbids it).
    #[error("Content-Type without a body")]
    ContentTypeWithoutBody,
    /// A request other than SEND carries more than the limit (10240 octets by default,
    /// RFC 4975 §7.1).
    #[error("non-SEND body larger than {limit} bytes")]
    NonSendBodyTooLarge {
        /// The configured limit.
        limit: u64,
    },
    /// The message is larger than the configured maximum.
    #[error("message larger than {limit} bytes")]
    MessageTooLarge {
        /// The configured limit.
        limit: u64,
    },
}

impl DecodeError {
    /// Whether framing is lost and the connection must be closed.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            Self::NotMsrp
                | Self::BadTransactionId(_)
                | Self::BadStartLine
                | Self::StartLineTooLong { .. }
                | Self::BareLineFeed { .. }
                | Self::EndLineMismatch
        )
    }

    /// Whether only the message is rejected and the connection goes on.
    pub fn is_recoverable(&self) -> bool {
        !self.is_fatal()
    }

    /// The status a request that failed this way deserves (RFC 4975 §7.2, §10): 413 for size
    /// limits on the message, 400 otherwise.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NonSendBodyTooLarge { .. } | Self::MessageTooLarge { .. } => StatusCode::TooLarge,
            _ => StatusCode::Unintelligible,
        }
    }
}

/// A message cannot be encoded as given (the caller's mistake, not a peer's).
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// A body was given without a Content-Type, or a Content-Type without a body.
    #[error("a body and a Content-Type go together")]
    ContentTypeMismatch,
    /// A response was given a body.
    #[error("responses carry no body")]
    ResponseWithBody,
    /// The body contains seven dashes and the transaction id (RFC 4975 §7.1): send it under
    /// another transaction id.
    #[error("the body contains the end-line; choose another transaction id")]
    EndLineInBody,
    /// A response was given an end-line flag other than `$`.
    #[error("responses always end with $")]
    ResponseNotComplete,
}
