//! The other RFC 5547 §6 file-transfer attributes: `file-transfer-id`, `file-disposition`,
//! `file-icon` and `file-range`.

use std::fmt;
use std::str::FromStr;

use crate::IdGenerator;
use crate::error::AttributeError;
use crate::grammar::{number, pct_decode, push_pct, split1};

/// Length of generated file-transfer-ids: RFC 5547 §8.1 recommends about 32 characters; 32
/// alphanumerics carry about 190 random bits.
pub const GENERATED_TRANSFER_ID_LEN: usize = 32;

/// `a=file-transfer-id` (RFC 5547 §8.1): a token identifying one transfer.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileTransferId(Box<str>);

impl FileTransferId {
    /// Checks and wraps a token.
    pub fn new(s: &str) -> Result<Self, AttributeError> {
        crate::grammar::token(s)?;
        Ok(Self(s.into()))
    }

    /// A fresh random id of [`GENERATED_TRANSFER_ID_LEN`] alphanumerics.
    pub fn generate(ids: &mut IdGenerator) -> Self {
        Self(ids.alphanumeric(GENERATED_TRANSFER_ID_LEN).into())
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FileTransferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for FileTransferId {
    type Err = AttributeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// `a=file-disposition` (RFC 5547 §7): a Content-Disposition type, `render` by default.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "String", into = "String"))]
pub struct Disposition(Box<str>);

impl Disposition {
    /// `render`: show the file at once (the default when the attribute is absent).
    pub fn render() -> Self {
        Self("render".into())
    }

    /// `attachment`: store it; show it only on user action.
    pub fn attachment() -> Self {
        Self("attachment".into())
    }

    /// Any disposition token from the IANA registry.
    pub fn new(s: &str) -> Result<Self, AttributeError> {
        crate::grammar::token(s)?;
        Ok(Self(s.into()))
    }

    /// Whether this is `render` (case-insensitive).
    pub fn is_render(&self) -> bool {
        self.0.eq_ignore_ascii_case("render")
    }

    /// The token.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for Disposition {
    fn default() -> Self {
        Self::render()
    }
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Disposition {
    type Error = AttributeError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<Disposition> for String {
    fn from(d: Disposition) -> Self {
        d.0.into()
    }
}

/// `a=file-icon` (RFC 5547 §6, §8.8): a `cid:` URL (RFC 2392) naming a body part of the
/// `multipart/related` body the SDP travels in.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ContentIdUrl(Box<str>);

impl ContentIdUrl {
    /// A `cid:` URL from a Content-ID (without angle brackets), percent-encoding what a URL
    /// cannot hold.
    pub fn from_content_id(id: &str) -> Result<Self, AttributeError> {
        if id.is_empty() {
            return Err(AttributeError::BadContentId);
        }
        let mut s = String::from("cid:");
        for b in id.bytes() {
            if b.is_ascii_graphic() && !matches!(b, b'%' | b'<' | b'>' | b'"') {
                s.push(char::from(b));
            } else {
                push_pct(&mut s, b);
            }
        }
        Ok(Self(s.into()))
    }

    /// Checks a `cid:` URL.
    pub fn new(url: &str) -> Result<Self, AttributeError> {
        let rest = url
            .get(..4)
            .filter(|p| p.eq_ignore_ascii_case("cid:"))
            .and_then(|_| url.get(4..))
            .ok_or(AttributeError::BadContentId)?;
        if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AttributeError::BadContentId);
        }
        let mut i = 0;
        let b = rest.as_bytes();
        while let Some(&c) = b.get(i) {
            if c == b'%' {
                match (b.get(i + 1), b.get(i + 2)) {
                    (Some(&h), Some(&l))
                        if crate::grammar::hex_val(h).is_some()
                            && crate::grammar::hex_val(l).is_some() => {}
                    _ => return Err(AttributeError::BadContentId),
                }
            }
            i += 1;
        }
        Ok(Self(url.into()))
    }

    /// The URL as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The Content-ID header value this URL names, `<...>` with escapes decoded (RFC 2392 §2).
    pub fn content_id(&self) -> String {
        let inner = pct_decode(self.0.get(4..).unwrap_or_default());
        format!("<{}>", String::from_utf8_lossy(&inner))
    }
}

impl fmt::Display for ContentIdUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `a=file-range` (RFC 5547 §6): the 1-based, inclusive octet range of the file to transfer;
/// `stop = None` is `*` (up to the end). Absent means `1-*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileRange {
    start: u64,
    stop: Option<u64>,
}

impl FileRange {
    /// A range; `start` is at least 1 and not after `stop`.
    pub fn new(start: u64, stop: Option<u64>) -> Result<Self, AttributeError> {
        if start == 0 || stop.is_some_and(|s| s < start) {
            return Err(AttributeError::BadFileRange);
        }
        Ok(Self { start, stop })
    }

    /// The range a resume asks for after `received` octets of a file of `size` octets
    /// (`None` when unknown): `received + 1` to the end.
    pub fn resume_after(received: u64, size: Option<u64>) -> Result<Self, AttributeError> {
        Self::new(received.saturating_add(1), size)
    }

    /// The first octet (1-based).
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The last octet, inclusive; `None` for `*`.
    pub fn stop(&self) -> Option<u64> {
        self.stop
    }

    /// The number of octets, when the stop is known.
    pub fn len(&self) -> Option<u64> {
        self.stop.map(|s| s - self.start + 1)
    }

    /// Always false: a range holds at least one octet.
    pub fn is_empty(&self) -> bool {
        false
    }

    fn parse(s: &str) -> Result<Self, AttributeError> {
        let (a, b) = split1(s, b'-').ok_or(AttributeError::BadFileRange)?;
        let start = number(a).ok_or(AttributeError::BadFileRange)?;
        let stop = if b == "*" {
            None
        } else {
            Some(number(b).ok_or(AttributeError::BadFileRange)?)
        };
        Self::new(start, stop)
    }
}

impl fmt::Display for FileRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.stop {
            Some(stop) => write!(f, "{}-{}", self.start, stop),
            None => write!(f, "{}-*", self.start),
        }
    }
}

impl FromStr for FileRange {
    type Err = AttributeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_icons_ids() {
        assert_eq!(FileRange::parse("1-*").unwrap().stop(), None);
        assert_eq!(FileRange::parse("2049-4385").unwrap().len(), Some(2337));
        for bad in ["0-5", "5-4", "1-", "-5", "a-b", "1-2-3"] {
            assert!(FileRange::parse(bad).is_err(), "{bad}");
        }
        let icon = ContentIdUrl::new("cid:id2@alicepc.example.com").unwrap();
        assert_eq!(icon.content_id(), "<id2@alicepc.example.com>");
        assert!(ContentIdUrl::new("http://x").is_err());
        assert!(ContentIdUrl::new("cid:").is_err());
        assert!(ContentIdUrl::new("cid:a%zz").is_err());
        assert_eq!(
            ContentIdUrl::from_content_id("a b@c").unwrap().as_str(),
            "cid:a%20b@c"
        );
        assert!(FileTransferId::new("a b").is_err());
        assert!(FileTransferId::new("").is_err());
    }
}
