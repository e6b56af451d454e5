//! SIP status codes (RFC 3261 §21 and the extensions named below).

use std::fmt;

/// A SIP status code, 100 to 699 (RFC 3261 §7.2). Named constants cover the codes this crate
/// uses; [`StatusCode::reason_phrase`] gives the RFC's phrase for every registered code it knows.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusCode(u16);

/// The error for a status code outside 100..=699.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("SIP status code {0} is outside 100..=699")]
pub struct InvalidStatusCode(pub u32);

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $code:literal, $phrase:literal; )*) => {
        impl StatusCode {
            $( $(#[$doc])* pub const $name: StatusCode = StatusCode($code); )*

            /// The reason phrase the RFCs give this code, if it is one this crate knows.
            pub fn canonical_reason(self) -> Option<&'static str> {
                match self.0 {
                    $( $code => Some($phrase), )*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    /// 100 Trying.
    TRYING = 100, "Trying";
    /// 180 Ringing.
    RINGING = 180, "Ringing";
    /// 181 Call Is Being Forwarded.
    CALL_IS_BEING_FORWARDED = 181, "Call Is Being Forwarded";
    /// 182 Queued.
    QUEUED = 182, "Queued";
    /// 183 Session Progress.
    SESSION_PROGRESS = 183, "Session Progress";
    /// 200 OK.
    OK = 200, "OK";
    /// 202 Accepted (RFC 3265).
    ACCEPTED = 202, "Accepted";
    /// 300 Multiple Choices.
    MULTIPLE_CHOICES = 300, "Multiple Choices";
    /// 301 Moved Permanently.
    MOVED_PERMANENTLY = 301, "Moved Permanently";
    /// 302 Moved Temporarily.
    MOVED_TEMPORARILY = 302, "Moved Temporarily";
    /// 305 Use Proxy.
    USE_PROXY = 305, "Use Proxy";
    /// 380 Alternative Service.
    ALTERNATIVE_SERVICE = 380, "Alternative Service";
    /// 400 Bad Request.
    BAD_REQUEST = 400, "Bad Request";
    /// 401 Unauthorized.
    UNAUTHORIZED = 401, "Unauthorized";
    /// 402 Payment Required.
    PAYMENT_REQUIRED = 402, "Payment Required";
    /// 403 Forbidden.
    FORBIDDEN = 403, "Forbidden";
    /// 404 Not Found.
    NOT_FOUND = 404, "Not Found";
    /// 405 Method Not Allowed.
    METHOD_NOT_ALLOWED = 405, "Method Not Allowed";
    /// 406 Not Acceptable.
    NOT_ACCEPTABLE = 406, "Not Acceptable";
    /// 407 Proxy Authentication Required.
    PROXY_AUTHENTICATION_REQUIRED = 407, "Proxy Authentication Required";
    /// 408 Request Timeout.
    REQUEST_TIMEOUT = 408, "Request Timeout";
    /// 410 Gone.
    GONE = 410, "Gone";
    /// 413 Request Entity Too Large.
    REQUEST_ENTITY_TOO_LARGE = 413, "Request Entity Too Large";
    /// 414 Request-URI Too Long.
    REQUEST_URI_TOO_LONG = 414, "Request-URI Too Long";
    /// 415 Unsupported Media Type.
    UNSUPPORTED_MEDIA_TYPE = 415, "Unsupported Media Type";
    /// 416 Unsupported URI Scheme.
    UNSUPPORTED_URI_SCHEME = 416, "Unsupported URI Scheme";
    /// 420 Bad Extension.
    BAD_EXTENSION = 420, "Bad Extension";
    /// 421 Extension Required.
    EXTENSION_REQUIRED = 421, "Extension Required";
    /// 423 Interval Too Brief.
    INTERVAL_TOO_BRIEF = 423, "Interval Too Brief";
    /// 480 Temporarily Unavailable.
    TEMPORARILY_UNAVAILABLE = 480, "Temporarily Unavailable";
    /// 481 Call/Transaction Does Not Exist.
    CALL_OR_TRANSACTION_DOES_NOT_EXIST = 481, "Call/Transaction Does Not Exist";
    /// 482 Loop Detected.
    LOOP_DETECTED = 482, "Loop Detected";
    /// 483 Too Many Hops.
    TOO_MANY_HOPS = 483, "Too Many Hops";
    /// 484 Address Incomplete.
    ADDRESS_INCOMPLETE = 484, "Address Incomplete";
    /// 485 Ambiguous.
    AMBIGUOUS = 485, "Ambiguous";
    /// 486 Busy Here.
    BUSY_HERE = 486, "Busy Here";
    /// 487 Request Terminated.
    REQUEST_TERMINATED = 487, "Request Terminated";
    /// 488 Not Acceptable Here.
    NOT_ACCEPTABLE_HERE = 488, "Not Acceptable Here";
    /// 491 Request Pending.
    REQUEST_PENDING = 491, "Request Pending";
    /// 493 Undecipherable.
    UNDECIPHERABLE = 493, "Undecipherable";
    /// 500 Server Internal Error.
    SERVER_INTERNAL_ERROR = 500, "Server Internal Error";
    /// 501 Not Implemented.
    NOT_IMPLEMENTED = 501, "Not Implemented";
    /// 502 Bad Gateway.
    BAD_GATEWAY = 502, "Bad Gateway";
    /// 503 Service Unavailable.
    SERVICE_UNAVAILABLE = 503, "Service Unavailable";
    /// 504 Server Time-out.
    SERVER_TIMEOUT = 504, "Server Time-out";
    /// 505 Version Not Supported.
    VERSION_NOT_SUPPORTED = 505, "Version Not Supported";
    /// 513 Message Too Large.
    MESSAGE_TOO_LARGE = 513, "Message Too Large";
    /// 600 Busy Everywhere.
    BUSY_EVERYWHERE = 600, "Busy Everywhere";
    /// 603 Decline.
    DECLINE = 603, "Decline";
    /// 604 Does Not Exist Anywhere.
    DOES_NOT_EXIST_ANYWHERE = 604, "Does Not Exist Anywhere";
    /// 606 Not Acceptable.
    NOT_ACCEPTABLE_ANYWHERE = 606, "Not Acceptable";
}

impl StatusCode {
    /// The status for a numeric code in 100..=699.
    pub fn from_u16(code: u16) -> Result<StatusCode, InvalidStatusCode> {
        if (100..=699).contains(&code) {
            Ok(StatusCode(code))
        } else {
            Err(InvalidStatusCode(code.into()))
        }
    }

    /// The numeric code.
    pub fn as_u16(self) -> u16 {
        self.0
    }

    /// The reason phrase to send: the RFC's phrase, or a generic one for the class.
    pub fn reason_phrase(self) -> &'static str {
        self.canonical_reason().unwrap_or(match self.0 / 100 {
            1 => "Provisional",
            2 => "Success",
            3 => "Redirection",
            4 => "Client Error",
            5 => "Server Error",
            _ => "Global Failure",
        })
    }

    /// 1xx.
    pub fn is_provisional(self) -> bool {
        self.0 < 200
    }

    /// 2xx.
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.0)
    }

    /// 3xx to 6xx: the transaction ends without success.
    pub fn is_final_failure(self) -> bool {
        self.0 >= 300
    }

    /// 200 to 699.
    pub fn is_final(self) -> bool {
        self.0 >= 200
    }
}

impl TryFrom<u16> for StatusCode {
    type Error = InvalidStatusCode;
    fn try_from(code: u16) -> Result<Self, Self::Error> {
        StatusCode::from_u16(code)
    }
}

impl fmt::Display for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Debug for StatusCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.reason_phrase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_and_phrases() {
        assert_eq!(StatusCode::from_u16(99), Err(InvalidStatusCode(99)));
        assert_eq!(StatusCode::from_u16(700), Err(InvalidStatusCode(700)));
        assert_eq!(StatusCode::from_u16(486).unwrap(), StatusCode::BUSY_HERE);
        assert_eq!(StatusCode::BUSY_HERE.reason_phrase(), "Busy Here");
        assert_eq!(
            StatusCode::from_u16(499).unwrap().reason_phrase(),
            "Client Error"
        );
        assert!(StatusCode::RINGING.is_provisional());
        assert!(StatusCode::OK.is_success() && StatusCode::OK.is_final());
        assert!(StatusCode::DECLINE.is_final_failure());
        assert_eq!(format!("{:?}", StatusCode::OK), "200 OK");
    }
}
