//! Header names, raw header values and the ordered header list of a message.
//!
//! Headers are kept exactly as they arrived (name, then value with its folds) in arrival order;
//! typed views ([`crate::typed`]) parse a value only when asked. Names are matched
//! case-insensitively and compact forms (RFC 3261 §7.3.3, §20) map to their long names.

use std::fmt;
use std::sync::OnceLock;

use bytes::Bytes;

use crate::grammar::{is_token_byte, split_list};

macro_rules! header_names {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal $(, $compact:literal)?; )*) => {
        /// A header field name. Known names are variants; any other `token` is
        /// [`HeaderName::Other`]. Equality ignores ASCII case; compact forms parse to the same
        /// variant as their long names and are always written in the long form.
        #[derive(Clone)]
        #[non_exhaustive]
        pub enum HeaderName {
            $( $(#[$doc])* $variant, )*
            /// Any other header name, kept with its original case.
            Other(OtherName),
        }

        impl HeaderName {
            const KNOWN: &'static [(HeaderName, &'static str, Option<u8>)] = &[
                $( (HeaderName::$variant, $name, header_names!(@compact $($compact)?)), )*
            ];

            /// The long name as this crate writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $( HeaderName::$variant => $name, )*
                    HeaderName::Other(o) => o.as_str(),
                }
            }

            /// The compact form (RFC 3261 §7.3.3), if the name has one.
            pub fn compact(&self) -> Option<char> {
                match self {
                    $( HeaderName::$variant => header_names!(@compact $($compact)?).map(char::from), )*
                    HeaderName::Other(_) => None,
                }
            }

            fn index(&self) -> Option<usize> {
                let mut i = 0usize;
                $(
                    if matches!(self, HeaderName::$variant) { return Some(i); }
                    i += 1;
                )*
                let _ = i;
                None
            }
        }
    };
    (@compact $c:literal) => { Some($c) };
    (@compact) => { None::<u8> };
}

header_names! {
    /// Accept (RFC 3261 §20.1).
    Accept = "Accept";
    /// Accept-Contact (RFC 3841), compact `a`.
    AcceptContact = "Accept-Contact", b'a';
    /// Accept-Encoding.
    AcceptEncoding = "Accept-Encoding";
    /// Accept-Language.
    AcceptLanguage = "Accept-Language";
    /// Alert-Info.
    AlertInfo = "Alert-Info";
    /// Allow.
    Allow = "Allow";
    /// Allow-Events (RFC 6665), compact `u`.
    AllowEvents = "Allow-Events", b'u';
    /// Authentication-Info.
    AuthenticationInfo = "Authentication-Info";
    /// Authorization.
    Authorization = "Authorization";
    /// Call-ID, compact `i`.
    CallId = "Call-ID", b'i';
    /// Call-Info.
    CallInfo = "Call-Info";
    /// Contact, compact `m`.
    Contact = "Contact", b'm';
    /// Content-Disposition.
    ContentDisposition = "Content-Disposition";
    /// Content-Encoding, compact `e`.
    ContentEncoding = "Content-Encoding", b'e';
    /// Content-Language.
    ContentLanguage = "Content-Language";
    /// Content-Length, compact `l`.
    ContentLength = "Content-Length", b'l';
    /// Content-Type, compact `c`.
    ContentType = "Content-Type", b'c';
    /// CSeq.
    CSeq = "CSeq";
    /// Date.
    Date = "Date";
    /// Error-Info.
    ErrorInfo = "Error-Info";
    /// Event (RFC 6665), compact `o`.
    Event = "Event", b'o';
    /// Expires.
    Expires = "Expires";
    /// From, compact `f`.
    From = "From", b'f';
    /// Identity (RFC 8224), compact `y`.
    Identity = "Identity", b'y';
    /// In-Reply-To.
    InReplyTo = "In-Reply-To";
    /// Max-Forwards.
    MaxForwards = "Max-Forwards";
    /// MIME-Version.
    MimeVersion = "MIME-Version";
    /// Min-Expires.
    MinExpires = "Min-Expires";
    /// Min-SE (RFC 4028).
    MinSe = "Min-SE";
    /// Organization.
    Organization = "Organization";
    /// P-Asserted-Identity (RFC 3325).
    PAssertedIdentity = "P-Asserted-Identity";
    /// P-Preferred-Identity (RFC 3325).
    PPreferredIdentity = "P-Preferred-Identity";
    /// Priority.
    Priority = "Priority";
    /// Proxy-Authenticate.
    ProxyAuthenticate = "Proxy-Authenticate";
    /// Proxy-Authorization.
    ProxyAuthorization = "Proxy-Authorization";
    /// Proxy-Require.
    ProxyRequire = "Proxy-Require";
    /// RAck (RFC 3262).
    RAck = "RAck";
    /// Record-Route.
    RecordRoute = "Record-Route";
    /// Refer-To (RFC 3515), compact `r`.
    ReferTo = "Refer-To", b'r';
    /// Referred-By (RFC 3892), compact `b`.
    ReferredBy = "Referred-By", b'b';
    /// Reject-Contact (RFC 3841), compact `j`.
    RejectContact = "Reject-Contact", b'j';
    /// Reply-To.
    ReplyTo = "Reply-To";
    /// Request-Disposition (RFC 3841), compact `d`.
    RequestDisposition = "Request-Disposition", b'd';
    /// Require.
    Require = "Require";
    /// Retry-After.
    RetryAfter = "Retry-After";
    /// Route.
    Route = "Route";
    /// RSeq (RFC 3262).
    RSeq = "RSeq";
    /// Server.
    Server = "Server";
    /// Session-Expires (RFC 4028), compact `x`.
    SessionExpires = "Session-Expires", b'x';
    /// Subject, compact `s`.
    Subject = "Subject", b's';
    /// Subscription-State (RFC 6665).
    SubscriptionState = "Subscription-State";
    /// Supported, compact `k`.
    Supported = "Supported", b'k';
    /// Timestamp.
    Timestamp = "Timestamp";
    /// To, compact `t`.
    To = "To", b't';
    /// Unsupported.
    Unsupported = "Unsupported";
    /// User-Agent.
    UserAgent = "User-Agent";
    /// Via, compact `v`.
    Via = "Via", b'v';
    /// Warning.
    Warning = "Warning";
    /// WWW-Authenticate.
    WwwAuthenticate = "WWW-Authenticate";
}

/// A header name this crate does not know: a `token`, compared case-insensitively.
#[derive(Clone)]
pub struct OtherName(Bytes);

impl OtherName {
    /// The name as received.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// The error for a header name that is not a non-empty `token`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a header name must be a non-empty token")]
pub struct InvalidHeaderName;

/// Known names bucketed by length, for a lookup that compares few candidates.
fn by_length() -> &'static [Vec<u8>; 32] {
    static TABLE: OnceLock<[Vec<u8>; 32]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t: [Vec<u8>; 32] = Default::default();
        for (i, (_, name, _)) in HeaderName::KNOWN.iter().enumerate() {
            t[name.len()].push(i as u8);
        }
        t
    })
}

impl HeaderName {
    /// Parses a header name: a long or compact known name in any case, or any other token.
    pub fn parse(name: &str) -> Result<HeaderName, InvalidHeaderName> {
        let name = name.as_bytes();
        if let Some(n) = Self::known(name) {
            return Ok(n);
        }
        if name.is_empty() || !name.iter().all(|&b| is_token_byte(b)) {
            return Err(InvalidHeaderName);
        }
        Ok(HeaderName::Other(OtherName(Bytes::copy_from_slice(name))))
    }

    /// Looks up a known name (long or compact, any case) without allocating.
    pub fn known(name: &[u8]) -> Option<HeaderName> {
        if let [c] = name {
            let c = c.to_ascii_lowercase();
            return Self::KNOWN
                .iter()
                .find(|(_, _, k)| *k == Some(c))
                .map(|(n, _, _)| n.clone());
        }
        let bucket = by_length().get(name.len())?;
        bucket.iter().find_map(|&i| {
            let (n, long, _) = &Self::KNOWN[usize::from(i)];
            long.as_bytes()
                .eq_ignore_ascii_case(name)
                .then(|| n.clone())
        })
    }

    /// An unknown name the parser has already checked to be a token.
    pub(crate) fn other_checked(name: Bytes) -> HeaderName {
        HeaderName::Other(OtherName(name))
    }

    /// Whether `name` (long or compact form, any case) names this header.
    pub fn matches(&self, name: &str) -> bool {
        match (self, Self::known(name.as_bytes())) {
            (HeaderName::Other(o), None) => o.as_str().eq_ignore_ascii_case(name),
            (known, Some(other)) => *known == other,
            (_, None) => false,
        }
    }

    /// Whether the header's grammar is a comma-separated list (RFC 3261 §7.3.1), so that
    /// several lines may be combined into one and one line may hold several values.
    pub fn is_list(&self) -> bool {
        use HeaderName::*;
        matches!(
            self,
            Accept
                | AcceptContact
                | AcceptEncoding
                | AcceptLanguage
                | AlertInfo
                | Allow
                | AllowEvents
                | CallInfo
                | Contact
                | ContentEncoding
                | ContentLanguage
                | ErrorInfo
                | InReplyTo
                | PAssertedIdentity
                | PPreferredIdentity
                | ProxyRequire
                | RecordRoute
                | RejectContact
                | RequestDisposition
                | Require
                | Route
                | Supported
                | Unsupported
                | Via
                | Warning
        )
    }
}

impl PartialEq for HeaderName {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (HeaderName::Other(a), HeaderName::Other(b)) => a.0.eq_ignore_ascii_case(&b.0),
            (a, b) => a.index().is_some() && a.index() == b.index(),
        }
    }
}

impl Eq for HeaderName {}

impl std::hash::Hash for HeaderName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            HeaderName::Other(o) => {
                for b in o.0.iter() {
                    state.write_u8(b.to_ascii_lowercase());
                }
            }
            known => state.write_usize(known.index().unwrap_or(usize::MAX)),
        }
    }
}

impl std::str::FromStr for HeaderName {
    type Err = InvalidHeaderName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HeaderName::parse(s)
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A raw header value: UTF-8 text without leading or trailing white space. A value parsed from
/// the wire shares the received buffer and may contain folds (CRLF followed by SP or HTAB); a
/// value made by the application may contain no CR or LF at all.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct HeaderValue(Bytes);

/// The error for a header value an application tried to create.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidHeaderValue {
    /// CR, LF or another control character (other than HTAB) in the value.
    #[error("header value contains a control character at byte {0}")]
    ControlCharacter(usize),
}

impl HeaderValue {
    /// A value from application text: trimmed, with no control characters except HTAB.
    pub fn new(value: impl Into<String>) -> Result<HeaderValue, InvalidHeaderValue> {
        let value: String = value.into();
        if let Some(pos) = value
            .bytes()
            .position(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            return Err(InvalidHeaderValue::ControlCharacter(pos));
        }
        let trimmed = value.trim_matches([' ', '\t']);
        if trimmed.len() == value.len() {
            Ok(HeaderValue(Bytes::from(value)))
        } else {
            Ok(HeaderValue(Bytes::copy_from_slice(trimmed.as_bytes())))
        }
    }

    /// A value from a static string (checked like [`HeaderValue::new`]).
    pub fn from_static(value: &'static str) -> Result<HeaderValue, InvalidHeaderValue> {
        if let Some(pos) = value
            .bytes()
            .position(|b| (b < 0x20 && b != b'\t') || b == 0x7f)
        {
            return Err(InvalidHeaderValue::ControlCharacter(pos));
        }
        Ok(HeaderValue(Bytes::from_static(
            value.trim_matches([' ', '\t']).as_bytes(),
        )))
    }

    /// From bytes the parser checked: UTF-8, trimmed, CR/LF only in folds.
    pub(crate) fn from_checked(bytes: Bytes) -> HeaderValue {
        HeaderValue(bytes)
    }

    /// The value as text.
    pub fn as_str(&self) -> &str {
        // Every constructor guarantees UTF-8.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The value's bytes, sharing the buffer they came from.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }

    /// The elements of a comma-separated list value, split outside quotes and `<>`.
    pub fn list_items(&self) -> impl Iterator<Item = &str> {
        split_list(self.as_str())
    }
}

impl fmt::Display for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl TryFrom<&str> for HeaderValue {
    type Error = InvalidHeaderValue;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        HeaderValue::new(s)
    }
}

impl TryFrom<String> for HeaderValue {
    type Error = InvalidHeaderValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        HeaderValue::new(s)
    }
}

/// One header line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The header's name.
    pub name: HeaderName,
    /// Its raw value.
    pub value: HeaderValue,
}

/// The headers of a message in arrival order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<Header>,
}

impl Headers {
    /// An empty list.
    pub fn new() -> Headers {
        Headers::default()
    }

    pub(crate) fn with_capacity(n: usize) -> Headers {
        Headers {
            entries: Vec::with_capacity(n),
        }
    }

    /// The number of header lines.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All header lines in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Header> {
        self.entries.iter()
    }

    /// The first value of `name`.
    pub fn get(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.entries
            .iter()
            .find(|h| h.name == *name)
            .map(|h| &h.value)
    }

    /// The first value of the header called `name` (long or compact form, any case).
    pub fn get_named(&self, name: &str) -> Option<&HeaderValue> {
        self.entries
            .iter()
            .find(|h| h.name.matches(name))
            .map(|h| &h.value)
    }

    /// Every line of `name`, in order.
    pub fn get_all<'a>(
        &'a self,
        name: &'a HeaderName,
    ) -> impl Iterator<Item = &'a HeaderValue> + 'a {
        self.entries
            .iter()
            .filter(move |h| h.name == *name)
            .map(|h| &h.value)
    }

    /// How many lines of `name` there are.
    pub fn count(&self, name: &HeaderName) -> usize {
        self.entries.iter().filter(|h| h.name == *name).count()
    }

    /// The elements of a list header across all its lines (RFC 3261 §7.3.1: several lines are
    /// equivalent to one comma-separated line), split outside quotes and `<>`. For a header
    /// that is not a list, each line is one element.
    pub fn list<'a>(&'a self, name: &'a HeaderName) -> impl Iterator<Item = &'a str> + 'a {
        let split = name.is_list();
        self.get_all(name).flat_map(move |v| {
            let s = v.as_str();
            let mut whole = Some(s);
            let mut items = split.then(|| split_list(s));
            std::iter::from_fn(move || match &mut items {
                Some(it) => it.next(),
                None => whole.take(),
            })
        })
    }

    /// Appends a header line.
    pub fn push(&mut self, name: HeaderName, value: HeaderValue) {
        self.entries.push(Header { name, value });
    }

    /// Replaces every line of `name` with one line holding `value`, at the position of the
    /// first one (or at the end).
    pub fn set(&mut self, name: HeaderName, value: HeaderValue) {
        match self.entries.iter().position(|h| h.name == name) {
            Some(pos) => {
                self.entries[pos].value = value;
                let mut i = 0;
                self.entries.retain(|h| {
                    let keep = i <= pos || h.name != name;
                    i += 1;
                    keep
                });
            }
            None => self.push(name, value),
        }
    }

    /// Inserts a header line at `index` (e.g. 0 for a new top Via).
    pub fn insert(&mut self, index: usize, name: HeaderName, value: HeaderValue) {
        let index = index.min(self.entries.len());
        self.entries.insert(index, Header { name, value });
    }

    /// Removes every line of `name`; returns how many there were.
    pub fn remove(&mut self, name: &HeaderName) -> usize {
        let before = self.entries.len();
        self.entries.retain(|h| h.name != *name);
        before - self.entries.len()
    }

    /// Removes and returns the line at `index`.
    pub fn remove_at(&mut self, index: usize) -> Option<Header> {
        (index < self.entries.len()).then(|| self.entries.remove(index))
    }
}

impl<'a> IntoIterator for &'a Headers {
    type Item = &'a Header;
    type IntoIter = std::slice::Iter<'a, Header>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

impl FromIterator<Header> for Headers {
    fn from_iter<T: IntoIterator<Item = Header>>(iter: T) -> Self {
        Headers {
            entries: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_long_compact_case() {
        for (name, long, compact) in HeaderName::KNOWN {
            assert_eq!(HeaderName::parse(long).unwrap(), *name);
            assert_eq!(
                HeaderName::parse(&long.to_ascii_lowercase()).unwrap(),
                *name
            );
            assert_eq!(name.as_str(), *long);
            if let Some(c) = compact {
                let c = char::from(*c);
                assert_eq!(HeaderName::parse(&c.to_string()).unwrap(), *name);
                assert_eq!(
                    HeaderName::parse(&c.to_ascii_uppercase().to_string()).unwrap(),
                    *name
                );
                assert_eq!(name.compact(), Some(c));
            }
        }
        assert_eq!(
            HeaderName::parse("MaX-fOrWaRdS").unwrap(),
            HeaderName::MaxForwards
        );
        let other = HeaderName::parse("NewFangledHeader").unwrap();
        assert_eq!(other, HeaderName::parse("newfangledheader").unwrap());
        assert_eq!(other.as_str(), "NewFangledHeader");
        assert!(other.matches("NEWFANGLEDHEADER"));
        assert!(HeaderName::Via.matches("v") && HeaderName::Via.matches("VIA"));
        assert!(!HeaderName::Via.matches("To"));
        assert_eq!(HeaderName::parse("Bad Name"), Err(InvalidHeaderName));
        assert_eq!(HeaderName::parse(""), Err(InvalidHeaderName));
        assert_eq!(HeaderName::parse("q").unwrap().as_str(), "q");
    }

    #[test]
    fn header_list_operations() {
        let mut h = Headers::new();
        h.push(
            HeaderName::Via,
            HeaderValue::new("SIP/2.0/UDP a;branch=z9hG4bK1").unwrap(),
        );
        h.push(HeaderName::To, HeaderValue::new("<sip:b@c>").unwrap());
        h.push(
            HeaderName::Via,
            HeaderValue::new("SIP/2.0/UDP b, SIP/2.0/TCP c").unwrap(),
        );
        assert_eq!(h.count(&HeaderName::Via), 2);
        assert_eq!(h.list(&HeaderName::Via).count(), 3);
        assert_eq!(h.get_named("t").unwrap().as_str(), "<sip:b@c>");
        h.set(HeaderName::Via, HeaderValue::new("SIP/2.0/UDP x").unwrap());
        assert_eq!(h.count(&HeaderName::Via), 1);
        assert_eq!(h.iter().next().unwrap().name, HeaderName::Via);
        h.insert(0, HeaderName::MaxForwards, HeaderValue::new("70").unwrap());
        assert_eq!(h.iter().next().unwrap().name, HeaderName::MaxForwards);
        assert_eq!(h.remove(&HeaderName::Via), 1);
        assert_eq!(h.len(), 2);
        assert!(HeaderValue::new("a\r\nb").is_err());
        assert_eq!(HeaderValue::new("  x ").unwrap().as_str(), "x");
        // A non-list header is never split at its commas.
        h.push(
            HeaderName::Date,
            HeaderValue::new("Fri, 01 Jan 2010").unwrap(),
        );
        assert_eq!(
            h.list(&HeaderName::Date).collect::<Vec<_>>(),
            ["Fri, 01 Jan 2010"]
        );
    }
}
