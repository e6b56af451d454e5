//! Header values: Byte-Range, report requests, Status, and the ordered header list.

use std::fmt;

use crate::error::{ByteRangeError, HeaderError};
use crate::ident::MessageId;
use crate::status::StatusCode;
use crate::uri::Path;

/// The Byte-Range header (RFC 4975 §7.1.1): `start-end/total`, 1-based, `*` for unknown.
///
/// ```
/// use msrp::ByteRange;
/// let r: ByteRange = "2049-*/4385".parse()?;
/// assert_eq!((r.start(), r.end(), r.total()), (2049, None, Some(4385)));
/// assert_eq!(r.to_string(), "2049-*/4385");
/// # Ok::<(), msrp::ByteRangeError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ByteRange {
    start: u64,
    end: Option<u64>,
    total: Option<u64>,
}

fn parse_u64(s: &[u8]) -> Result<u64, ByteRangeError> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return Err(ByteRangeError::Syntax);
    }
    s.iter().try_fold(0u64, |acc, &d| {
        acc.checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .ok_or(ByteRangeError::Overflow)
    })
}

impl ByteRange {
    /// A validated range. `end` and `total` are `None` for `*`.
    ///
    /// Rules: `start >= 1`; a known `end` is at least `start - 1` (`start - 1` is an empty chunk,
    /// as in `1-0/0`); with a known total, the range lies within it.
    pub fn new(start: u64, end: Option<u64>, total: Option<u64>) -> Result<Self, ByteRangeError> {
        if start == 0 {
            return Err(ByteRangeError::ZeroStart);
        }
        if let Some(end) = end {
            if end < start - 1 {
                return Err(ByteRangeError::EndBeforeStart { start, end });
            }
        }
        if let Some(total) = total {
            let last = end.unwrap_or(start - 1);
            if last > total || start - 1 > total {
                return Err(ByteRangeError::BeyondTotal { total });
            }
        }
        Ok(Self { start, end, total })
    }

    /// `1-0/0`: the range of an empty message.
    pub const EMPTY: ByteRange = ByteRange {
        start: 1,
        end: Some(0),
        total: Some(0),
    };

    /// Parses the header value.
    pub fn parse(s: impl AsRef<[u8]>) -> Result<Self, ByteRangeError> {
        let s = s.as_ref();
        let dash = s
            .iter()
            .position(|&b| b == b'-')
            .ok_or(ByteRangeError::Syntax)?;
        let slash = s
            .iter()
            .position(|&b| b == b'/')
            .ok_or(ByteRangeError::Syntax)?;
        if slash < dash {
            return Err(ByteRangeError::Syntax);
        }
        let star_or = |v: &[u8]| {
            if v == b"*" {
                Ok(None)
            } else {
                parse_u64(v).map(Some)
            }
        };
        let start = parse_u64(&s[..dash])?;
        let end = star_or(&s[dash + 1..slash])?;
        let total = star_or(&s[slash + 1..])?;
        Self::new(start, end, total)
    }

    /// First byte position (1-based).
    pub fn start(&self) -> u64 {
        self.start
    }

    /// Last byte position, `None` for `*` (interruptible chunk or unknown).
    pub fn end(&self) -> Option<u64> {
        self.end
    }

    /// Total message size, `None` for `*`.
    pub fn total(&self) -> Option<u64> {
        self.total
    }
}

impl fmt::Display for ByteRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-", self.start)?;
        match self.end {
            Some(e) => write!(f, "{e}/")?,
            None => f.write_str("*/")?,
        }
        match self.total {
            Some(t) => write!(f, "{t}"),
            None => f.write_str("*"),
        }
    }
}

impl std::str::FromStr for ByteRange {
    type Err = ByteRangeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for ByteRange {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let start = u.int_in_range(1..=u64::MAX)?;
        let end = if u.arbitrary()? {
            Some(u.int_in_range(start - 1..=u64::MAX)?)
        } else {
            None
        };
        let total = if u.arbitrary()? {
            Some(u.int_in_range(end.unwrap_or(start - 1)..=u64::MAX)?)
        } else {
            None
        };
        Self::new(start, end, total).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

/// The Success-Report header (RFC 4975 §7.1.2). Absent means `no`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum SuccessReport {
    /// `yes`: send a success REPORT.
    Yes,
    /// `no` (the default).
    #[default]
    No,
}

/// The Failure-Report header (RFC 4975 §7.1.2). Absent means `yes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum FailureReport {
    /// `yes` (the default): respond to every chunk; failures are reported.
    #[default]
    Yes,
    /// `no`: no responses, no failure REPORTs.
    No,
    /// `partial`: only errors are reported.
    Partial,
}

impl SuccessReport {
    /// Parses the value; the ABNF's quoted strings match case-insensitively.
    fn parse(v: &[u8]) -> Option<Self> {
        if v.eq_ignore_ascii_case(b"yes") {
            Some(Self::Yes)
        } else if v.eq_ignore_ascii_case(b"no") {
            Some(Self::No)
        } else {
            None
        }
    }

    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
        }
    }
}

impl FailureReport {
    /// Parses the value; the ABNF's quoted strings match case-insensitively.
    fn parse(v: &[u8]) -> Option<Self> {
        if v.eq_ignore_ascii_case(b"yes") {
            Some(Self::Yes)
        } else if v.eq_ignore_ascii_case(b"no") {
            Some(Self::No)
        } else if v.eq_ignore_ascii_case(b"partial") {
            Some(Self::Partial)
        } else {
            None
        }
    }

    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Yes => "yes",
            Self::No => "no",
            Self::Partial => "partial",
        }
    }
}

/// Text of a header value or comment: any bytes except CR, LF and NUL, valid UTF-8.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(String);

impl Text {
    /// Validates `s` as header text.
    pub fn new(s: impl Into<String>) -> Result<Self, HeaderError> {
        let s = s.into();
        if s.bytes().any(|b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(HeaderError::ControlCharacter);
        }
        Ok(Self(s))
    }

    pub(crate) fn from_wire(v: &[u8]) -> Result<Self, HeaderError> {
        if v.iter().any(|&b| matches!(b, b'\r' | b'\n' | 0)) {
            return Err(HeaderError::ControlCharacter);
        }
        std::str::from_utf8(v)
            .map(|s| Self(s.to_owned()))
            .map_err(|_| HeaderError::NotUtf8)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for Text {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let s: String = u.arbitrary()?;
        let s: String = s
            .chars()
            .filter(|c| !matches!(c, '\r' | '\n' | '\0'))
            .collect();
        // Surrounding whitespace is not preserved on the wire.
        Self::new(s.trim_matches([' ', '\t'])).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

/// A header name: an RFC 4975 `hname` (a letter, then `token` characters).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeaderName(String);

/// `token` of RFC 4975 §9: `%x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E`.
/// Header names (`hname = ALPHA *token`), media types and URI parameters use it.
pub(crate) fn is_token_char(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

const TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(i, 0x21 | 0x23..=0x27 | 0x2A..=0x2B | 0x2D..=0x2E | 0x30..=0x39 | 0x41..=0x5A | 0x5E..=0x7E);
        i += 1;
    }
    t
};

impl HeaderName {
    /// Validates a header name.
    pub fn new(s: impl Into<String>) -> Result<Self, HeaderError> {
        let s = s.into();
        Self::check(s.as_bytes())?;
        Ok(Self(s))
    }

    fn check(s: &[u8]) -> Result<(), HeaderError> {
        match s.first() {
            Some(b) if b.is_ascii_alphabetic() && s.iter().all(|&b| is_token_char(b)) => Ok(()),
            _ => Err(HeaderError::BadName),
        }
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a MIME header (`Content-*`), which belongs to the body part.
    pub fn is_mime(&self) -> bool {
        self.0.len() >= 8 && self.0[..8].eq_ignore_ascii_case("content-")
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for HeaderName {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";
        let len = u.int_in_range(1..=16)?;
        let mut s = String::from("X");
        for _ in 1..len {
            s.push(char::from(CHARS[u.int_in_range(0..=CHARS.len() - 1)?]));
        }
        Self::new(s).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

/// `3DIGIT` as a number.
pub(crate) fn three_digits(s: &[u8]) -> Option<u16> {
    match s {
        &[a, b, c] if s.iter().all(u8::is_ascii_digit) => {
            Some(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
        }
        _ => None,
    }
}

/// The Status header of a REPORT (RFC 4975 §7.1.2): `namespace SP code [SP comment]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReportStatus {
    namespace: u16,
    code: StatusCode,
    comment: Option<Text>,
}

impl ReportStatus {
    /// `000 <code>` with the code's reason as comment, e.g. `000 200 OK`.
    pub fn new(code: StatusCode) -> Self {
        let reason = code.reason();
        Self {
            namespace: 0,
            code,
            comment: (!reason.is_empty()).then(|| Text(reason.to_owned())),
        }
    }

    /// A status with an explicit namespace (0-999; `000` is the only one RFC 4975 defines) and
    /// comment. Trailing whitespace of the comment is dropped and an empty comment is none, as
    /// header values carry neither.
    pub fn with_namespace(
        namespace: u16,
        code: StatusCode,
        comment: Option<Text>,
    ) -> Result<Self, HeaderError> {
        if namespace > 999 {
            return Err(HeaderError::BadStatus);
        }
        Ok(Self {
            namespace,
            code,
            comment: comment.and_then(|c| {
                let kept = c.as_str().trim_end_matches([' ', '\t']);
                (!kept.is_empty()).then(|| Text(kept.to_owned()))
            }),
        })
    }

    /// The namespace (`000`: MSRP status codes).
    pub fn namespace(&self) -> u16 {
        self.namespace
    }

    /// The status code.
    pub fn code(&self) -> StatusCode {
        self.code
    }

    /// The comment, if any.
    pub fn comment(&self) -> Option<&Text> {
        self.comment.as_ref()
    }

    fn parse(v: &[u8]) -> Option<Self> {
        let namespace = three_digits(v.get(..3)?)?;
        if v.get(3) != Some(&b' ') {
            return None;
        }
        let code = StatusCode::from_code(three_digits(v.get(4..7)?)?)?;
        let comment = match v.get(7..) {
            None | Some(b"") => None,
            Some([b' ', rest @ ..]) => Some(Text::from_wire(rest).ok()?),
            Some(_) => return None,
        };
        Self::with_namespace(namespace, code, comment).ok()
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for ReportStatus {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Self::with_namespace(
            u.int_in_range(0..=999)?,
            StatusCode::arbitrary(u)?,
            Option::<Text>::arbitrary(u)?,
        )
        .map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03} {}", self.namespace, self.code)?;
        if let Some(c) = &self.comment {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

/// One header other than To-Path, From-Path and Content-Type (which the message types hold in
/// their own fields because their position is fixed).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Header {
    /// `Message-ID`.
    MessageId(MessageId),
    /// `Success-Report`.
    SuccessReport(SuccessReport),
    /// `Failure-Report`.
    FailureReport(FailureReport),
    /// `Byte-Range`.
    ByteRange(ByteRange),
    /// `Status` (REPORT).
    Status(ReportStatus),
    /// `Use-Path` (RFC 4976 §4.2).
    UsePath(Path),
    /// `Expires` in seconds (RFC 4976 §4.3).
    Expires(u32),
    /// `Min-Expires` in seconds (RFC 4976 §4.3, only in 423).
    MinExpires(u32),
    /// `Max-Expires` in seconds (RFC 4976 §4.3, only in 423).
    MaxExpires(u32),
    /// Any other header, kept as written. MIME headers (`Content-ID`, `Content-Disposition`, ...)
    /// other than Content-Type are kept here too.
    Other {
        /// The name as written.
        name: HeaderName,
        /// The value, without surrounding whitespace.
        value: Text,
    },
}

/// Strips surrounding spaces and tabs.
pub(crate) fn trim(v: &[u8]) -> &[u8] {
    let blank = |b: &u8| *b == b' ' || *b == b'\t';
    if !v.first().is_some_and(blank) && !v.last().is_some_and(blank) {
        return v;
    }
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |e| e + 1);
    &v[start..end]
}

/// Whether `v` is `type "/" subtype *(";" parameter)` with token type and subtype
/// (RFC 4975 §9 `media-type`).
pub(crate) fn is_media_type(v: &[u8]) -> bool {
    let main = trim(&v[..memchr::memchr(b';', v).unwrap_or(v.len())]);
    match memchr::memchr(b'/', main) {
        Some(slash) => {
            let (t, sub) = (&main[..slash], &main[slash + 1..]);
            !t.is_empty() && !sub.is_empty() && t.iter().chain(sub).all(|&b| is_token_char(b))
        }
        None => false,
    }
}

/// Canonical names of the typed headers, in the spelling the RFCs use.
pub(crate) mod names {
    pub const TO_PATH: &str = "To-Path";
    pub const FROM_PATH: &str = "From-Path";
    pub const MESSAGE_ID: &str = "Message-ID";
    pub const SUCCESS_REPORT: &str = "Success-Report";
    pub const FAILURE_REPORT: &str = "Failure-Report";
    pub const BYTE_RANGE: &str = "Byte-Range";
    pub const STATUS: &str = "Status";
    pub const USE_PATH: &str = "Use-Path";
    pub const EXPIRES: &str = "Expires";
    pub const MIN_EXPIRES: &str = "Min-Expires";
    pub const MAX_EXPIRES: &str = "Max-Expires";
    pub const CONTENT_TYPE: &str = "Content-Type";
}

/// Which header a wire name denotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Known {
    ToPath,
    FromPath,
    MessageId,
    SuccessReport,
    FailureReport,
    ByteRange,
    Status,
    UsePath,
    Expires,
    MinExpires,
    MaxExpires,
    ContentType,
}

impl Known {
    pub(crate) fn from_name(name: &[u8]) -> Option<Self> {
        use names::*;
        // Canonical spelling first (a plain compare), any case second.
        let eq = |s: &str| name == s.as_bytes() || name.eq_ignore_ascii_case(s.as_bytes());
        // Dispatch on length first so most names are compared once.
        Some(match name.len() {
            7 if eq(TO_PATH) => Self::ToPath,
            7 if eq(EXPIRES) => Self::Expires,
            9 if eq(FROM_PATH) => Self::FromPath,
            10 if eq(MESSAGE_ID) => Self::MessageId,
            10 if eq(BYTE_RANGE) => Self::ByteRange,
            6 if eq(STATUS) => Self::Status,
            8 if eq(USE_PATH) => Self::UsePath,
            11 if eq(MIN_EXPIRES) => Self::MinExpires,
            11 if eq(MAX_EXPIRES) => Self::MaxExpires,
            12 if eq(CONTENT_TYPE) => Self::ContentType,
            14 if eq(SUCCESS_REPORT) => Self::SuccessReport,
            14 if eq(FAILURE_REPORT) => Self::FailureReport,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        use names::*;
        match self {
            Self::ToPath => TO_PATH,
            Self::FromPath => FROM_PATH,
            Self::MessageId => MESSAGE_ID,
            Self::SuccessReport => SUCCESS_REPORT,
            Self::FailureReport => FAILURE_REPORT,
            Self::ByteRange => BYTE_RANGE,
            Self::Status => STATUS,
            Self::UsePath => USE_PATH,
            Self::Expires => EXPIRES,
            Self::MinExpires => MIN_EXPIRES,
            Self::MaxExpires => MAX_EXPIRES,
            Self::ContentType => CONTENT_TYPE,
        }
    }
}

impl Header {
    /// An extension (or MIME) header with validated name and value.
    pub fn other(name: &str, value: &str) -> Result<Self, HeaderError> {
        Ok(Self::Other {
            name: HeaderName::new(name)?,
            value: Text::from_wire(trim(value.as_bytes()))?,
        })
    }

    /// The header's name as it is encoded.
    pub fn name(&self) -> &str {
        match self {
            Self::MessageId(_) => names::MESSAGE_ID,
            Self::SuccessReport(_) => names::SUCCESS_REPORT,
            Self::FailureReport(_) => names::FAILURE_REPORT,
            Self::ByteRange(_) => names::BYTE_RANGE,
            Self::Status(_) => names::STATUS,
            Self::UsePath(_) => names::USE_PATH,
            Self::Expires(_) => names::EXPIRES,
            Self::MinExpires(_) => names::MIN_EXPIRES,
            Self::MaxExpires(_) => names::MAX_EXPIRES,
            Self::Other { name, .. } => name.as_str(),
        }
    }

    /// Parses the value of a known header (not To-Path, From-Path or Content-Type).
    pub(crate) fn parse_known(kind: Known, v: &[u8]) -> Result<Self, HeaderError> {
        let seconds = |v: &[u8]| -> Result<u32, HeaderError> {
            if v.is_empty() || v.len() > 10 || !v.iter().all(u8::is_ascii_digit) {
                return Err(HeaderError::BadNumber);
            }
            v.iter()
                .try_fold(0u32, |acc, &d| {
                    acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
                })
                .ok_or(HeaderError::BadNumber)
        };
        Ok(match kind {
            Known::MessageId => {
                Self::MessageId(MessageId::parse(v).map_err(HeaderError::MessageId)?)
            }
            Known::SuccessReport => {
                Self::SuccessReport(SuccessReport::parse(v).ok_or(HeaderError::BadReportValue)?)
            }
            Known::FailureReport => {
                Self::FailureReport(FailureReport::parse(v).ok_or(HeaderError::BadReportValue)?)
            }
            Known::ByteRange => {
                Self::ByteRange(ByteRange::parse(v).map_err(HeaderError::ByteRange)?)
            }
            Known::Status => Self::Status(ReportStatus::parse(v).ok_or(HeaderError::BadStatus)?),
            Known::UsePath => Self::UsePath(Path::parse(v).map_err(HeaderError::Uri)?),
            Known::Expires => Self::Expires(seconds(v)?),
            Known::MinExpires => Self::MinExpires(seconds(v)?),
            Known::MaxExpires => Self::MaxExpires(seconds(v)?),
            Known::ToPath | Known::FromPath | Known::ContentType => {
                return Err(HeaderError::Misplaced);
            }
        })
    }

    pub(crate) fn parse_other(name: &[u8], v: &[u8]) -> Result<Self, HeaderError> {
        HeaderName::check(name)?;
        // check() admits ASCII only.
        let name = String::from_utf8_lossy(name).into_owned();
        Ok(Self::Other {
            name: HeaderName(name),
            value: Text::from_wire(v)?,
        })
    }

    /// Writes `Name: value` (without CRLF).
    pub(crate) fn write_to(&self, out: &mut impl fmt::Write) -> fmt::Result {
        write!(out, "{}: ", self.name())?;
        match self {
            Self::MessageId(v) => write!(out, "{v}"),
            Self::SuccessReport(v) => out.write_str(v.as_str()),
            Self::FailureReport(v) => out.write_str(v.as_str()),
            Self::ByteRange(v) => write!(out, "{v}"),
            Self::Status(v) => write!(out, "{v}"),
            Self::UsePath(v) => write!(out, "{v}"),
            Self::Expires(v) | Self::MinExpires(v) | Self::MaxExpires(v) => write!(out, "{v}"),
            Self::Other { value, .. } => out.write_str(value.as_str()),
        }
    }

    /// Whether the same header may appear only once in a message.
    pub(crate) fn is_singular(&self) -> bool {
        !matches!(self, Self::Other { .. })
    }
}

/// The headers of a message other than To-Path, From-Path and Content-Type, in wire order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Headers(Vec<Header>);

macro_rules! getter {
    ($(#[$doc:meta])* $fn:ident, $variant:ident, $ty:ty) => {
        $(#[$doc])*
        pub fn $fn(&self) -> Option<$ty> {
            self.0.iter().find_map(|h| match h {
                Header::$variant(v) => Some(v.clone()),
                _ => None,
            })
        }
    };
}

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Appends a header. Singular headers (all typed ones) replace an earlier one of the same
    /// kind, so a message never carries two Byte-Ranges.
    pub fn push(&mut self, header: Header) {
        if header.is_singular() {
            if let Some(slot) = self
                .0
                .iter_mut()
                .find(|h| std::mem::discriminant(*h) == std::mem::discriminant(&header))
            {
                *slot = header;
                return;
            }
        }
        self.0.push(header);
    }

    /// Appends a header without the singular check (the decoder checks duplicates itself).
    pub(crate) fn push_raw(&mut self, header: Header) {
        self.0.push(header);
    }

    /// Whether a header of the same kind (typed) is already present.
    pub(crate) fn has_kind(&self, header: &Header) -> bool {
        header.is_singular()
            && self
                .0
                .iter()
                .any(|h| std::mem::discriminant(h) == std::mem::discriminant(header))
    }

    /// All headers in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.0.iter()
    }

    /// Number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    getter!(
        /// The Message-ID.
        message_id, MessageId, MessageId
    );
    getter!(
        /// The Byte-Range.
        byte_range, ByteRange, ByteRange
    );
    getter!(
        /// The Status header (REPORTs).
        status, Status, ReportStatus
    );
    getter!(
        /// The Use-Path header (RFC 4976).
        use_path, UsePath, Path
    );
    getter!(
        /// The Expires header (RFC 4976).
        expires, Expires, u32
    );

    /// The Success-Report value; the default `no` when absent (RFC 4975 §7.1.2).
    pub fn success_report(&self) -> SuccessReport {
        self.0
            .iter()
            .find_map(|h| match h {
                Header::SuccessReport(v) => Some(*v),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The Failure-Report value; the default `yes` when absent (RFC 4975 §7.1.2).
    pub fn failure_report(&self) -> FailureReport {
        self.0
            .iter()
            .find_map(|h| match h {
                Header::FailureReport(v) => Some(*v),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The value of the first header with this name (case-insensitive), as text.
    pub fn get(&self, name: &str) -> Option<String> {
        let h = self
            .0
            .iter()
            .find(|h| h.name().eq_ignore_ascii_case(name))?;
        let mut s = String::new();
        h.write_to(&mut s).ok()?;
        Some(s.split_off(h.name().len() + 2))
    }
}

impl FromIterator<Header> for Headers {
    fn from_iter<T: IntoIterator<Item = Header>>(iter: T) -> Self {
        let mut h = Headers::new();
        for x in iter {
            h.push(x);
        }
        h
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_range_grammar() {
        let ok = [
            ("1-25/25", (1, Some(25), Some(25))),
            ("1-0/0", (1, Some(0), Some(0))),
            ("1-*/*", (1, None, None)),
            ("2049-*/4385", (2049, None, Some(4385))),
            ("5-4/10", (5, Some(4), Some(10))),
            (
                "18446744073709551615-18446744073709551615/18446744073709551615",
                (u64::MAX, Some(u64::MAX), Some(u64::MAX)),
            ),
        ];
        for (text, (s, e, t)) in ok {
            let r = ByteRange::parse(text).unwrap();
            assert_eq!((r.start(), r.end(), r.total()), (s, e, t), "{text}");
            assert_eq!(r.to_string(), text);
        }
        let bad = [
            ("0-10/10", ByteRangeError::ZeroStart),
            (
                "10-5/20",
                ByteRangeError::EndBeforeStart { start: 10, end: 5 },
            ),
            ("1-30/20", ByteRangeError::BeyondTotal { total: 20 }),
            ("30-*/20", ByteRangeError::BeyondTotal { total: 20 }),
            ("18446744073709551616-*/*", ByteRangeError::Overflow),
            ("1-99999999999999999999/*", ByteRangeError::Overflow),
            ("1-2", ByteRangeError::Syntax),
            ("1/2-3", ByteRangeError::Syntax),
            ("-1-2/3", ByteRangeError::Syntax),
            ("1--2/3", ByteRangeError::Syntax),
            ("a-2/3", ByteRangeError::Syntax),
            (" 1-2/3", ByteRangeError::Syntax),
            ("1-2/", ByteRangeError::Syntax),
        ];
        for (text, want) in bad {
            assert_eq!(ByteRange::parse(text), Err(want), "{text}");
        }
    }

    #[test]
    fn report_status_forms() {
        let s = ReportStatus::parse(b"000 200 OK").unwrap();
        assert_eq!(s.code(), StatusCode::Ok);
        assert_eq!(s.comment().map(Text::as_str), Some("OK"));
        assert_eq!(s.to_string(), "000 200 OK");
        let bare = ReportStatus::parse(b"000 413").unwrap();
        assert_eq!(bare.comment(), None);
        assert_eq!(
            ReportStatus::with_namespace(1000, StatusCode::Ok, None),
            Err(HeaderError::BadStatus)
        );
        assert_eq!(bare.to_string(), "000 413");
        assert_eq!(ReportStatus::new(StatusCode::Ok).to_string(), "000 200 OK");
        // An empty comment after the space is allowed; header values drop trailing blanks.
        let empty = ReportStatus::parse(b"000 200 ").unwrap();
        assert_eq!(empty.comment(), None);
        assert_eq!(empty.to_string(), "000 200");
        for bad in [
            &b"000"[..],
            b"00 200",
            b"000 20",
            b"000  200",
            b"000-200",
            b"000 200x",
        ] {
            assert_eq!(
                ReportStatus::parse(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn headers_defaults_and_singular_push() {
        let mut h = Headers::new();
        assert_eq!(h.success_report(), SuccessReport::No);
        assert_eq!(h.failure_report(), FailureReport::Yes);
        h.push(Header::ByteRange(ByteRange::EMPTY));
        h.push(Header::other("X-Thing", " a b ").unwrap());
        h.push(Header::ByteRange(ByteRange::new(1, None, None).unwrap()));
        assert_eq!(h.len(), 2);
        assert_eq!(h.byte_range().unwrap().end(), None);
        assert_eq!(h.get("x-thing").as_deref(), Some("a b"));
        assert_eq!(h.get("byte-range").as_deref(), Some("1-*/*"));
        assert_eq!(Header::other("1bad", "v"), Err(HeaderError::BadName));
        assert_eq!(
            Header::other("Ok", "a\r\nb"),
            Err(HeaderError::ControlCharacter)
        );
    }
}
