//! MSRP status codes (RFC 4975 §10, RFC 4976 §10).

use std::fmt;

/// An MSRP status code. The listed variants are the codes the RFCs define; any other three-digit
/// code is [`StatusCode::Other`]. Equality and hashing go by the numeric code.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum StatusCode {
    /// 200: the transaction succeeded.
    Ok,
    /// 400: the request was unintelligible.
    Unintelligible,
    /// 401: AUTH challenge (RFC 4976 §10.3).
    Unauthorized,
    /// 403: the action is not allowed; do not retry.
    Forbidden,
    /// 408: a downstream transaction timed out (relays); treat as a local timeout.
    RequestTimeout,
    /// 413: stop sending this message: no more chunks with this Message-ID.
    TooLarge,
    /// 415: the media type is not understood; do not send it again in this session.
    UnsupportedMediaType,
    /// 423: a parameter was out of bounds (RFC 4976 Expires).
    OutOfBounds,
    /// 481: no such session.
    NoSuchSession,
    /// 501: the method is not understood.
    NotImplemented,
    /// 506: the session is already bound to another connection.
    SessionInUse,
    /// Any other three-digit code (100-999).
    Other(u16),
}

impl StatusCode {
    /// The status for a numeric code, if it has three digits.
    pub fn from_code(code: u16) -> Option<Self> {
        Some(match code {
            200 => Self::Ok,
            400 => Self::Unintelligible,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            408 => Self::RequestTimeout,
            413 => Self::TooLarge,
            415 => Self::UnsupportedMediaType,
            423 => Self::OutOfBounds,
            481 => Self::NoSuchSession,
            501 => Self::NotImplemented,
            506 => Self::SessionInUse,
            100..=999 => Self::Other(code),
            _ => return None,
        })
    }

    /// The numeric code.
    pub fn code(self) -> u16 {
        match self {
            Self::Ok => 200,
            Self::Unintelligible => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::RequestTimeout => 408,
            Self::TooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::OutOfBounds => 423,
            Self::NoSuchSession => 481,
            Self::NotImplemented => 501,
            Self::SessionInUse => 506,
            Self::Other(c) => c,
        }
    }

    /// The conventional reason phrase, as the RFC examples write it.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Unintelligible => "Bad Request",
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::RequestTimeout => "Request Timeout",
            Self::TooLarge => "Message Too Large",
            Self::UnsupportedMediaType => "Unsupported Media Type",
            Self::OutOfBounds => "Interval Out-of-Bounds",
            Self::NoSuchSession => "Session Does Not Exist",
            Self::NotImplemented => "Method Not Implemented",
            Self::SessionInUse => "Session Already Bound",
            Self::Other(_) => "",
        }
    }

    /// Whether the code is 2xx.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.code())
    }
}

impl PartialEq for StatusCode {
    fn eq(&self, other: &Self) -> bool {
        self.code() == other.code()
    }
}

impl Eq for StatusCode {}

impl std::hash::Hash for StatusCode {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.code().hash(state);
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.code())
    }
}

#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for StatusCode {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Self::from_code(u.int_in_range(100..=999)?).ok_or(arbitrary::Error::IncorrectFormat)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in 100..=999 {
            let s = StatusCode::from_code(code).unwrap();
            assert_eq!(s.code(), code);
            assert_eq!(s.to_string(), code.to_string());
        }
        assert_eq!(StatusCode::from_code(99), None);
        assert_eq!(StatusCode::from_code(1000), None);
        assert_eq!(StatusCode::from_code(413), Some(StatusCode::TooLarge));
        assert_eq!(StatusCode::Other(481), StatusCode::NoSuchSession);
        assert!(StatusCode::Ok.is_success());
        assert!(!StatusCode::SessionInUse.is_success());
    }
}
