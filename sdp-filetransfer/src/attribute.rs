//! `a=` lines: the typed attributes this crate knows and the rest, kept verbatim in order.

use std::fmt::{self, Write as _};

use crate::date::FileDate;
use crate::error::AttributeError;
use crate::file_attrs::{ContentIdUrl, FileRange, FileTransferId};
use crate::grammar::{is_text, is_token, number};
use crate::media_attrs::{ConnectionMode, Direction, Fingerprint, FormatEntry, Setup};
use crate::selector::FileSelector;
use crate::{Disposition, media_attrs};

/// One `a=` line. Attributes this crate understands are parsed into typed values (and a value
/// that breaks its grammar is a parse error with the line number); any other attribute is
/// kept as [`Attribute::Other`], in order, and re-emitted as it came (RFC 8866 §5.13: unknown
/// attributes are ignored, not dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attribute {
    /// `sendrecv`, `sendonly`, `recvonly` or `inactive` (RFC 8866 §6.7).
    Direction(Direction),
    /// `a=path` (RFC 4975 §8.2): the MSRP URIs, first hop leftmost, the author rightmost.
    Path(msrp::Path),
    /// `a=accept-types` (RFC 4975 §8.6).
    AcceptTypes(Vec<FormatEntry>),
    /// `a=accept-wrapped-types` (RFC 4975 §8.6).
    AcceptWrappedTypes(Vec<FormatEntry>),
    /// `a=max-size` in octets (RFC 4975 §8.6).
    MaxSize(u64),
    /// `a=setup` (RFC 4145, RFC 6135).
    Setup(Setup),
    /// `a=connection` (RFC 4145; ignored for MSRP, RFC 6135 §4.4).
    Connection(ConnectionMode),
    /// `a=msrp-cema` (RFC 6714 §5.2).
    MsrpCema,
    /// `a=fingerprint` (RFC 8122 §5).
    Fingerprint(Fingerprint),
    /// `a=file-selector` (RFC 5547 §6); empty in capability descriptions.
    FileSelector(FileSelector),
    /// `a=file-transfer-id` (RFC 5547 §6, §8.1).
    FileTransferId(FileTransferId),
    /// `a=file-disposition` (RFC 5547 §6, §7).
    FileDisposition(Disposition),
    /// `a=file-date` (RFC 5547 §6).
    FileDate(FileDate),
    /// `a=file-icon` (RFC 5547 §6, §8.8).
    FileIcon(ContentIdUrl),
    /// `a=file-range` (RFC 5547 §6).
    FileRange(FileRange),
    /// Any other attribute, kept as written: `a=name` (`value: None`) or `a=name:value`.
    Other {
        /// The attribute name (a token).
        name: String,
        /// The value after the first `:`.
        value: Option<String>,
    },
}

impl Attribute {
    /// An attribute from its name and the text after `:`, as a line would carry it: the name
    /// must be a token and the value must not hold CR, LF or NUL. Known names are parsed into
    /// their typed variant (and must be valid), any other becomes [`Attribute::Other`]; use
    /// this to add `x-` attributes to a description.
    pub fn new(name: &str, value: Option<&str>) -> Result<Self, AttributeError> {
        if !is_token(name) {
            return Err(AttributeError::BadToken);
        }
        if value.is_some_and(|v| !is_text(v)) {
            return Err(AttributeError::BadText);
        }
        Self::parse(name, value).map_err(|(_, e)| e)
    }

    /// The attribute name.
    pub fn name(&self) -> &str {
        match self {
            Attribute::Direction(d) => d.as_str(),
            Attribute::Path(_) => "path",
            Attribute::AcceptTypes(_) => "accept-types",
            Attribute::AcceptWrappedTypes(_) => "accept-wrapped-types",
            Attribute::MaxSize(_) => "max-size",
            Attribute::Setup(_) => "setup",
            Attribute::Connection(_) => "connection",
            Attribute::MsrpCema => "msrp-cema",
            Attribute::Fingerprint(_) => "fingerprint",
            Attribute::FileSelector(_) => "file-selector",
            Attribute::FileTransferId(_) => "file-transfer-id",
            Attribute::FileDisposition(_) => "file-disposition",
            Attribute::FileDate(_) => "file-date",
            Attribute::FileIcon(_) => "file-icon",
            Attribute::FileRange(_) => "file-range",
            Attribute::Other { name, .. } => name,
        }
    }

    /// Parses `name` and the text after `:` (if any). On error, returns the static attribute
    /// name for the error report.
    pub(crate) fn parse(
        name: &str,
        value: Option<&str>,
    ) -> Result<Self, (&'static str, AttributeError)> {
        fn need<'v>(
            n: &'static str,
            v: Option<&'v str>,
        ) -> Result<&'v str, (&'static str, AttributeError)> {
            match v {
                Some(v) if !v.is_empty() => Ok(v),
                _ => Err((n, AttributeError::MissingValue)),
            }
        }
        fn flag(n: &'static str, v: Option<&str>) -> Result<(), (&'static str, AttributeError)> {
            match v {
                None => Ok(()),
                Some(_) => Err((n, AttributeError::UnexpectedValue)),
            }
        }
        let direction =
            |d: Direction, n: &'static str| flag(n, value).map(|()| Attribute::Direction(d));
        let at = |n: &'static str| move |e: AttributeError| (n, e);
        Ok(match name {
            "sendrecv" => direction(Direction::SendRecv, "sendrecv")?,
            "sendonly" => direction(Direction::SendOnly, "sendonly")?,
            "recvonly" => direction(Direction::RecvOnly, "recvonly")?,
            "inactive" => direction(Direction::Inactive, "inactive")?,
            "path" => {
                let v = need("path", value)?;
                // The msrp crate's path parser is lenient about runs of spaces; the grammar
                // (RFC 4975 §8.2) has single spaces, which is what we write back.
                Attribute::Path(
                    msrp::Path::parse(v).map_err(|e| ("path", AttributeError::BadUri(e)))?,
                )
            }
            "accept-types" => Attribute::AcceptTypes(
                media_attrs::parse_format_list(need("accept-types", value)?)
                    .map_err(at("accept-types"))?,
            ),
            "accept-wrapped-types" => Attribute::AcceptWrappedTypes(
                media_attrs::parse_format_list(need("accept-wrapped-types", value)?)
                    .map_err(at("accept-wrapped-types"))?,
            ),
            "max-size" => Attribute::MaxSize(
                number(need("max-size", value)?).ok_or(("max-size", AttributeError::BadNumber))?,
            ),
            "setup" => Attribute::Setup(Setup::parse(need("setup", value)?).map_err(at("setup"))?),
            "connection" => Attribute::Connection(
                ConnectionMode::parse(need("connection", value)?).map_err(at("connection"))?,
            ),
            "msrp-cema" => {
                flag("msrp-cema", value)?;
                Attribute::MsrpCema
            }
            "fingerprint" => Attribute::Fingerprint(
                Fingerprint::parse(need("fingerprint", value)?).map_err(at("fingerprint"))?,
            ),
            // RFC 5547 §6: `"file-selector" [":" selector *(SP selector)]`.
            "file-selector" => Attribute::FileSelector(
                FileSelector::parse(value.unwrap_or_default()).map_err(at("file-selector"))?,
            ),
            "file-transfer-id" => Attribute::FileTransferId(
                FileTransferId::new(need("file-transfer-id", value)?)
                    .map_err(at("file-transfer-id"))?,
            ),
            "file-disposition" => Attribute::FileDisposition(
                Disposition::new(need("file-disposition", value)?)
                    .map_err(at("file-disposition"))?,
            ),
            "file-date" => {
                Attribute::FileDate(need("file-date", value)?.parse().map_err(at("file-date"))?)
            }
            "file-icon" => Attribute::FileIcon(
                ContentIdUrl::new(need("file-icon", value)?).map_err(at("file-icon"))?,
            ),
            "file-range" => Attribute::FileRange(
                need("file-range", value)?
                    .parse()
                    .map_err(at("file-range"))?,
            ),
            _ => Attribute::Other {
                name: name.to_owned(),
                value: value.map(str::to_owned),
            },
        })
    }

    /// Writes `a=...` without the line end.
    pub(crate) fn write_line(&self, out: &mut String) {
        out.push_str("a=");
        let _ = write!(out, "{self}");
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, list: &[FormatEntry]) -> fmt::Result {
    for (i, e) in list.iter().enumerate() {
        if i > 0 {
            f.write_str(" ")?;
        }
        f.write_str(e.as_str())?;
    }
    Ok(())
}

impl fmt::Display for Attribute {
    /// The attribute as it follows `a=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name();
        match self {
            Attribute::Direction(_) | Attribute::MsrpCema => f.write_str(name),
            Attribute::Path(p) => write!(f, "path:{p}"),
            Attribute::AcceptTypes(l) | Attribute::AcceptWrappedTypes(l) => {
                write!(f, "{name}:")?;
                write_list(f, l)
            }
            Attribute::MaxSize(n) => write!(f, "max-size:{n}"),
            Attribute::Setup(s) => write!(f, "setup:{}", s.as_str()),
            Attribute::Connection(c) => write!(f, "connection:{}", c.as_str()),
            Attribute::Fingerprint(fp) => write!(f, "fingerprint:{fp}"),
            Attribute::FileSelector(s) if s.is_empty() => f.write_str("file-selector"),
            Attribute::FileSelector(s) => write!(f, "file-selector:{s}"),
            Attribute::FileTransferId(id) => write!(f, "file-transfer-id:{id}"),
            Attribute::FileDisposition(d) => write!(f, "file-disposition:{d}"),
            Attribute::FileDate(d) => write!(f, "file-date:{d}"),
            Attribute::FileIcon(c) => write!(f, "file-icon:{c}"),
            Attribute::FileRange(r) => write!(f, "file-range:{r}"),
            Attribute::Other { name, value: None } => f.write_str(name),
            Attribute::Other {
                name,
                value: Some(v),
            } => write!(f, "{name}:{v}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_round_trip() {
        for line in [
            "sendonly",
            "path:msrp://a.example.com:7654/jshA7we;tcp msrp://b.example.com:1/x;tcp",
            "accept-types:message/cpim text/plain",
            "accept-wrapped-types:*",
            "max-size:20000",
            "setup:actpass",
            "connection:new",
            "msrp-cema",
            "fingerprint:sha-1 4A:AD",
            "file-selector",
            "file-selector:size:1",
            "file-transfer-id:abc",
            "file-disposition:attachment",
            "file-date:creation:\"Mon, 15 May 2006 15:01:31 +0300\"",
            "file-icon:cid:id2@alicepc.example.com",
            "file-range:1-*",
            "x-foo",
            "x-foo:",
            "rtpmap:0 PCMU/8000",
        ] {
            let (name, value) = match line.split_once(':') {
                Some((n, v)) => (n, Some(v)),
                None => (line, None),
            };
            let a = Attribute::parse(name, value).unwrap_or_else(|e| panic!("{line}: {e:?}"));
            assert_eq!(a.to_string(), line);
        }
    }

    #[test]
    fn value_rules() {
        assert_eq!(
            Attribute::parse("sendonly", Some("x")).unwrap_err(),
            ("sendonly", AttributeError::UnexpectedValue)
        );
        assert_eq!(
            Attribute::parse("path", None).unwrap_err(),
            ("path", AttributeError::MissingValue)
        );
        assert_eq!(
            Attribute::parse("max-size", Some("big")).unwrap_err(),
            ("max-size", AttributeError::BadNumber)
        );
        assert!(Attribute::new("bad name", None).is_err());
        assert!(Attribute::new("x", Some("a\r\nb")).is_err());
    }
}
