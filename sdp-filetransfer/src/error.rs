//! Error types.
//!
//! A [`ParseError`] is a peer's fault: the session description does not follow RFC 8866 or an
//! attribute grammar, and it says on which line and what was expected. [`AttributeError`] is what
//! a single attribute value got wrong (also returned by the value constructors, where it is the
//! caller's fault). [`OfferError`] and [`AnswerError`] come from the offer/answer helpers;
//! [`AnswerError::NotAcceptable`] is the one that deserves a SIP 488.
//! [`AnswerViolation`] says why an answer does not fit its offer.

use thiserror::Error;

/// A session description could not be parsed (RFC 8866 §5, §9 and the attribute grammars).
///
/// [`line`](Self::line) is 1-based; 0 means the problem concerns the whole description (for
/// example a size limit, or a missing field).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("SDP line {line}: {kind}")]
#[non_exhaustive]
pub struct ParseError {
    /// The 1-based line number (0 for the whole description).
    pub line: usize,
    /// What went wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    pub(crate) fn new(line: usize, kind: ParseErrorKind) -> Self {
        Self { line, kind }
    }

    /// The SIP status a UAS answers an offer it cannot parse with: 400 (Bad Request), the
    /// body is malformed (RFC 3261 §21.4.1).
    pub fn sip_status(&self) -> u16 {
        400
    }
}

/// What is wrong with a session description.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input is larger than [`Limits::max_size`](crate::Limits::max_size).
    #[error("description longer than {limit} bytes")]
    TooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// More media sections than [`Limits::max_media`](crate::Limits::max_media).
    #[error("more than {limit} media sections")]
    TooManyMedia {
        /// The configured limit.
        limit: usize,
    },
    /// More lines than [`Limits::max_lines`](crate::Limits::max_lines).
    #[error("more than {limit} lines")]
    TooManyLines {
        /// The configured limit.
        limit: usize,
    },
    /// The line is not UTF-8 (RFC 8866 §5: the default character set is UTF-8).
    #[error("line is not UTF-8")]
    NotUtf8,
    /// A CR (other than the one before LF) or a NUL inside a line (RFC 8866 §9 `text`).
    #[error("CR or NUL inside a line")]
    BadCharacter,
    /// The input holds no line at all.
    #[error("empty description; expected \"v=0\"")]
    Empty,
    /// A line does not start with a lower-case letter and `=` (RFC 8866 §5).
    #[error("expected <type>=<value> with a lower-case type letter")]
    BadLine,
    /// A line type letter RFC 8866 does not define (§5: such descriptions are rejected).
    #[error("unknown line type {letter:?}")]
    UnknownType {
        /// The letter found.
        letter: char,
    },
    /// The first line is not `v=`.
    #[error("expected \"v=0\" as the first line")]
    MissingVersion,
    /// `v=` is not 0 (RFC 8866 §5.1).
    #[error("expected protocol version 0")]
    UnsupportedVersion,
    /// `o=` does not follow `v=` (RFC 8866 §5.2).
    #[error("expected \"o=\" as the second line")]
    MissingOrigin,
    /// `s=` does not follow `o=` (RFC 8866 §5.3).
    #[error("expected \"s=\" as the third line")]
    MissingSessionName,
    /// A line appears where RFC 8866 §5 does not allow it.
    #[error("{found:?} line out of order; expected {expected}")]
    OutOfOrder {
        /// The letter found.
        found: char,
        /// What the grammar allows at this point.
        expected: &'static str,
    },
    /// A field that may appear once per section appears again.
    #[error("second {field:?} line in one section")]
    Duplicate {
        /// The letter repeated.
        field: char,
    },
    /// An `r=` line without a `t=` line before it.
    #[error("\"r=\" without a preceding \"t=\"")]
    RepeatWithoutTime,
    /// The value of a field does not match its grammar.
    #[error("bad \"{field}=\" line; expected {expected}")]
    BadField {
        /// The field letter.
        field: char,
        /// What the grammar asks for.
        expected: &'static str,
    },
    /// A media section has no `c=` line and there is none at session level (RFC 8866 §5.7).
    #[error("media section {index} has no connection data and the session has none")]
    MissingConnection {
        /// The 0-based media index.
        index: usize,
    },
    /// An attribute line is not `a=<name>[:<value>]` with a token name (RFC 8866 §5.13).
    #[error("expected a=<attribute name>[:<value>]")]
    BadAttributeLine,
    /// A known attribute's value does not match its grammar.
    #[error("bad a={name} value: {error}")]
    BadAttribute {
        /// The attribute name.
        name: &'static str,
        /// What is wrong with it.
        error: AttributeError,
    },
}

/// An attribute value (or a value built for one) does not match its grammar.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AttributeError {
    /// The attribute needs a value (`a=name:value`).
    #[error("missing value")]
    MissingValue,
    /// A property (flag) attribute has a value.
    #[error("a flag attribute takes no value")]
    UnexpectedValue,
    /// Not one of the values the attribute allows.
    #[error("expected {expected}")]
    Expected {
        /// The allowed values or the grammar.
        expected: &'static str,
    },
    /// An MSRP URI in `a=path` is invalid (RFC 4975 §9).
    #[error("invalid MSRP URI: {0}")]
    BadUri(msrp::UriError),
    /// A number does not fit in 64 bits or has non-digits.
    #[error("expected a decimal number")]
    BadNumber,
    /// A file-selector selector is not `name:`, `type:`, `size:` or `hash:` (RFC 5547 §6).
    #[error("unknown selector; expected name:, type:, size: or hash:")]
    UnknownSelector,
    /// A selector that may appear once appears twice.
    #[error("duplicate {selector} selector")]
    DuplicateSelector {
        /// The selector name.
        selector: &'static str,
    },
    /// A quoted string is not closed, or a percent escape is not `%` and two hex digits.
    #[error("bad quoted string; expected DQUOTE *(char / %HH) DQUOTE")]
    BadQuotedString,
    /// A file name is empty or holds a byte RFC 5547 §6 forbids unescaped.
    #[error("bad file name; expected 1*(any byte but NUL CR LF DQUOTE % / %HH)")]
    BadFileName,
    /// A media type is not `type/subtype[;param=value]` with token parts.
    #[error("bad media type; expected type/subtype *(;attribute=value)")]
    BadMediaType,
    /// A hash is not `algorithm:HH:HH:...` or has the wrong length for its algorithm.
    #[error("bad hash; expected token \":\" 2HEXDIG *(\":\" 2HEXDIG)")]
    BadHash,
    /// A value that must be a token (RFC 8866 §9) is not.
    #[error("expected a token")]
    BadToken,
    /// A date is not an RFC 5322 date-time with a numeric zone (RFC 5547 §6).
    #[error("bad date; expected [day \",\"] DD Mon YYYY HH:MM[:SS] +HHMM")]
    BadDate,
    /// A file-date parameter appears twice (RFC 5547 §6).
    #[error("duplicate {param} date")]
    DuplicateDate {
        /// The parameter name.
        param: &'static str,
    },
    /// A file-icon is not a `cid:` URL (RFC 2392).
    #[error("expected cid:<content-id>")]
    BadContentId,
    /// A file-range is not `start-stop` with 1 <= start <= stop, or `start-*`.
    #[error("bad file range; expected start-stop with 1 <= start <= stop, or start-*")]
    BadFileRange,
    /// A fingerprint is not `hash-func SP 2HEXDIG *(":" 2HEXDIG)` (RFC 8122 §5).
    #[error("bad fingerprint; expected hash-func SP HH:HH:...")]
    BadFingerprint,
    /// A text value holds CR, LF or NUL.
    #[error("text holds CR, LF or NUL")]
    BadText,
}

/// An offer could not be built from what the caller passed (the caller's mistake).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum OfferError {
    /// No file was given.
    #[error("an offer needs at least one file")]
    NoFiles,
    /// A push offer's selector has none of type, size or hash (RFC 5547 §8.2.1).
    #[error("file {index}: a push offer needs a type, size or hash selector")]
    PushSelectorTooThin {
        /// Index of the file in the list passed.
        index: usize,
    },
    /// A pull offer's selector is empty (RFC 5547 §8.2.2).
    #[error("file {index}: a pull offer needs at least one selector")]
    EmptySelector {
        /// Index of the file in the list passed.
        index: usize,
    },
    /// The configured local address is empty or holds a space or control character.
    #[error("the configured local address is not usable in c= and o= lines")]
    BadAddress,
    /// The media index passed does not name a file-transfer media section.
    #[error("media {index} is not a file-transfer media section")]
    NotFileTransfer {
        /// The media index.
        index: usize,
    },
    /// A built value failed its own grammar (for example, an MSRP URI from the configured host).
    #[error("invalid value: {0}")]
    Attribute(#[from] AttributeError),
}

/// An offer could not be answered.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerError {
    /// The offer cannot be accepted as a whole: answer it with SIP 488 (Not Acceptable Here).
    #[error("offer not acceptable (SIP 488): {0}")]
    NotAcceptable(NotAcceptable),
    /// The number of decisions differs from the number of media sections.
    #[error("{got} decisions for {expected} media sections")]
    DecisionCount {
        /// Media sections in the offer.
        expected: usize,
        /// Decisions passed.
        got: usize,
    },
    /// The caller accepted a media section that cannot be accepted.
    #[error("media {index} cannot be accepted: {reason}")]
    CannotAccept {
        /// The media index.
        index: usize,
        /// Why.
        reason: NotAcceptable,
    },
    /// A built value failed its own grammar (for example, an MSRP URI from the configured host).
    #[error("invalid value: {0}")]
    Attribute(#[from] AttributeError),
}

impl AnswerError {
    /// The SIP status to send instead of an answer: 488 for [`AnswerError::NotAcceptable`],
    /// `None` for the caller's mistakes.
    pub fn sip_status(&self) -> Option<u16> {
        match self {
            AnswerError::NotAcceptable(_) => Some(488),
            _ => None,
        }
    }
}

/// Why an offer, or one of its media sections, cannot be accepted.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotAcceptable {
    /// No media section describes a file transfer (RFC 5547 §5: `a=file-selector` on an
    /// MSRP `m=message` line).
    #[error("no file-transfer media section")]
    NoFileTransfer,
    /// An MSRP media section's format list is not `*` (RFC 4975 §8.1).
    #[error("media {index}: MSRP format list must be \"*\"")]
    BadFormat {
        /// The media index.
        index: usize,
    },
    /// A mandatory attribute is missing (RFC 4975 §8.2, §8.6; RFC 5547 §5, §8.1).
    #[error("media {index}: missing a={attribute}")]
    Missing {
        /// The media index.
        index: usize,
        /// The attribute name.
        attribute: &'static str,
    },
    /// An attribute that may appear once per media section appears twice.
    #[error("media {index}: more than one a={attribute}")]
    Repeated {
        /// The media index.
        index: usize,
        /// The attribute name.
        attribute: &'static str,
    },
    /// The file selector is empty in an offer (RFC 5547 §6: offers carry at least one).
    #[error("media {index}: empty file selector")]
    EmptySelector {
        /// The media index.
        index: usize,
    },
    /// The direction is neither `sendonly` (push) nor `recvonly` (pull) (RFC 5547 §8).
    #[error("media {index}: direction must be sendonly or recvonly")]
    BadDirection {
        /// The media index.
        index: usize,
    },
    /// A path URI has no port (RFC 4975 §8.2), or its scheme does not match the protocol.
    #[error("media {index}: unusable a=path")]
    BadPath {
        /// The media index.
        index: usize,
    },
    /// Without `a=msrp-cema` the c=/m= address does not match the path URI: a middlebox
    /// rewrote it (RFC 6714 §4.3).
    #[error("media {index}: c=/m= does not match a=path and CEMA is not offered")]
    CemaMismatch {
        /// The media index.
        index: usize,
    },
    /// The file's type is not among the types this endpoint accepts (RFC 4975 §8.6).
    #[error("media {index}: file type not accepted")]
    UnsupportedType {
        /// The media index.
        index: usize,
    },
    /// The media section is not an MSRP file transfer (or was offered with port 0).
    #[error("media {index}: not an open file-transfer media section")]
    NotFileTransfer {
        /// The media index.
        index: usize,
    },
}

/// Why an answer does not fit its offer (RFC 3264 §6, RFC 4975 §8, RFC 5547 §8.3).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnswerViolation {
    /// The answer has a different number of media sections.
    #[error("answer has {answer} media sections, offer {offer}")]
    MediaCount {
        /// In the offer.
        offer: usize,
        /// In the answer.
        answer: usize,
    },
    /// A media section changed its media type or protocol.
    #[error("media {index}: media type or protocol differs from the offer")]
    MediaMismatch {
        /// The media index.
        index: usize,
    },
    /// A media section offered with port 0 was accepted.
    #[error("media {index}: accepted although offered with port 0")]
    AcceptedClosed {
        /// The media index.
        index: usize,
    },
    /// The file-transfer-id is not the offer's (RFC 5547 §8.1).
    #[error("media {index}: file-transfer-id not echoed")]
    TransferId {
        /// The media index.
        index: usize,
    },
    /// The file selector is not what RFC 5547 §8.3 asks for.
    #[error("media {index}: file-selector not echoed as required")]
    Selector {
        /// The media index.
        index: usize,
    },
    /// The direction is not the inverse of the offer's.
    #[error("media {index}: direction is not the inverse of the offer's")]
    Direction {
        /// The media index.
        index: usize,
    },
    /// The file-range is not the offer's (RFC 5547 §8.3.1, §8.3.2).
    #[error("media {index}: file-range not echoed")]
    FileRange {
        /// The media index.
        index: usize,
    },
    /// A push answer carries file-icon, file-disposition or file-date (RFC 5547 §8.3.1).
    #[error("media {index}: answer carries a={attribute}")]
    Forbidden {
        /// The media index.
        index: usize,
        /// The attribute name.
        attribute: &'static str,
    },
    /// An accepted media section misses an attribute (path, accept-types, setup).
    #[error("media {index}: accepted section misses a={attribute}")]
    Missing {
        /// The media index.
        index: usize,
        /// The attribute name.
        attribute: &'static str,
    },
    /// The setup roles do not combine into exactly one connecting side (RFC 6135 §4.2).
    #[error("media {index}: a=setup does not fit the offer")]
    Setup {
        /// The media index.
        index: usize,
    },
}
