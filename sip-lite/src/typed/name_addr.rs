//! `name-addr / addr-spec` followed by header parameters (From, To, Contact, Route, ...).

use std::borrow::Cow;
use std::fmt;

use crate::grammar::{is_lws_char, quoted_string, sws, token, unquote};
use crate::parse::is_request_uri;
use crate::typed::{HeaderError, ParamList};

/// An address with its header parameters: `"Alice" <sip:alice@example.com>;tag=1928301774`.
///
/// RFC 3261 §20.10: in the `addr-spec` form (no angle brackets) every `;` after the URI starts a
/// header parameter, so such a URI carries no URI parameters.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct NameAddr<'a> {
    display: Option<&'a str>,
    uri: &'a str,
    bracketed: bool,
    params: ParamList<'a>,
}

impl<'a> NameAddr<'a> {
    /// Parses one address and its parameters; the whole of `value` must be used.
    pub fn parse(value: &'a str) -> Result<NameAddr<'a>, HeaderError> {
        match Self::parse_prefix(value, HeaderError::NAME_ADDR)? {
            ("", na) => Ok(na),
            _ => Err(HeaderError::Syntax {
                header: HeaderError::NAME_ADDR,
                expected: "end of value after the parameters",
            }),
        }
    }

    /// Parses an address at the start of `i` (after optional white space), returning the rest.
    pub(crate) fn parse_prefix(
        i: &'a str,
        header: &'static str,
    ) -> Result<(&'a str, NameAddr<'a>), HeaderError> {
        let err = |expected| HeaderError::Syntax { header, expected };
        let (i, _) = sws(i).map_err(|_| err("an address"))?;
        let (display, after_display) = if i.starts_with('"') {
            let (r, q) =
                quoted_string(i).map_err(|_| err("a closing quote in the display name"))?;
            (Some(q), r)
        } else {
            // *(token LWS) then "<", or no display name at all.
            let mut r = i;
            let mut end = 0;
            while let Ok((after, _)) = token(r) {
                let ws = after.len() - after.trim_start_matches(is_lws_char).len();
                end = i.len() - after.len();
                r = &after[ws..];
                if ws == 0 {
                    break;
                }
            }
            let rest_trimmed = r.trim_start_matches(is_lws_char);
            if rest_trimmed.starts_with('<') {
                let d = i[..end].trim_end_matches(is_lws_char);
                ((!d.is_empty()).then_some(d), rest_trimmed)
            } else if i.starts_with('<') {
                (None, i)
            } else {
                (None, "")
            }
        };
        if display.is_some() || after_display.starts_with('<') {
            // name-addr: LAQUOT addr-spec RAQUOT, nothing but the URI inside.
            let r = after_display.trim_start_matches(is_lws_char);
            let inner = r
                .strip_prefix('<')
                .ok_or(err("'<' after the display name"))?;
            let close = inner.find('>').ok_or(err("'>' closing the address"))?;
            let uri = &inner[..close];
            if !is_request_uri(uri.as_bytes()) {
                return Err(err("a URI without white space inside '<>'"));
            }
            let (rest, params) =
                ParamList::parse(&inner[close + 1..]).map_err(|_| err("header parameters"))?;
            let rest = rest.trim_start_matches(is_lws_char);
            return Ok((
                rest,
                NameAddr {
                    display,
                    uri,
                    bracketed: true,
                    params,
                },
            ));
        }
        // addr-spec: the URI runs to the first ';', ',' or white space.
        let end = i
            .find(|c: char| c == ';' || c == ',' || is_lws_char(c))
            .unwrap_or(i.len());
        let uri = &i[..end];
        if !is_request_uri(uri.as_bytes()) {
            return Err(err("a URI"));
        }
        let (rest, params) = ParamList::parse(&i[end..]).map_err(|_| err("header parameters"))?;
        let rest = rest.trim_start_matches(is_lws_char);
        Ok((
            rest,
            NameAddr {
                display: None,
                uri,
                bracketed: false,
                params,
            },
        ))
    }

    /// The display name as written (a quoted string keeps its quotes).
    pub fn display_name_raw(&self) -> Option<&'a str> {
        self.display
    }

    /// The display name without quotes and escapes.
    pub fn display_name(&self) -> Option<Cow<'a, str>> {
        self.display.map(unquote)
    }

    /// The URI text (without the angle brackets).
    pub fn uri_str(&self) -> &'a str {
        self.uri
    }

    /// The URI, parsed (sip, sips, tel or any other scheme).
    pub fn uri(&self) -> Result<crate::Uri, crate::UriError> {
        crate::Uri::parse(self.uri)
    }

    /// Whether the address was written in `<...>`.
    pub fn is_bracketed(&self) -> bool {
        self.bracketed
    }

    /// The header parameters after the address.
    pub fn params(&self) -> ParamList<'a> {
        self.params
    }

    /// The `tag` parameter (From/To, RFC 3261 §19.3).
    pub fn tag(&self) -> Option<&'a str> {
        self.params.value("tag").flatten()
    }
}

impl fmt::Debug for NameAddr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NameAddr")
            .field("display", &self.display)
            .field("uri", &self.uri)
            .field("params", &self.params)
            .finish()
    }
}

impl fmt::Display for NameAddr<'_> {
    /// Canonical form: always `<...>`, display name as written, `;name=value` parameters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = self.display {
            write!(f, "{d} ")?;
        }
        write!(f, "<{}>{}", self.uri, self.params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let a = NameAddr::parse(
            "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8",
        )
        .unwrap();
        assert_eq!(a.display_name().unwrap(), "J Rosenberg \\\"");
        assert_eq!(a.uri_str(), "sip:jdrosen@example.com");
        assert_eq!(a.tag(), Some("98asjd8"));
        let a = NameAddr::parse("sip:caller@example.net;tag=134161461246").unwrap();
        assert!(!a.is_bracketed());
        assert_eq!(
            (a.uri_str(), a.tag()),
            ("sip:caller@example.net", Some("134161461246"))
        );
        let a = NameAddr::parse("caller<sip:caller@example.com>;tag=323").unwrap();
        assert_eq!(a.display_name().unwrap(), "caller");
        let a = NameAddr::parse("Bob Smith <sip:bob@b.example>").unwrap();
        assert_eq!(a.display_name_raw(), Some("Bob Smith"));
        assert_eq!(a.to_string(), "Bob Smith <sip:bob@b.example>");
        let a = NameAddr::parse("<sip:x@y;lr>;p").unwrap();
        assert_eq!(a.uri_str(), "sip:x@y;lr");
        assert!(a.params().contains("p"));
    }

    #[test]
    fn torture_rejections() {
        // RFC 4475 §3.1.2.14, §3.1.2.15, §3.1.2.6.
        assert!(NameAddr::parse("\"Watson, Thomas\" < sip:t.watson@example.org >").is_err());
        assert!(NameAddr::parse("Bell, Alexander <sip:a.g.bell@example.com>;tag=43").is_err());
        assert!(NameAddr::parse("\"Mr. J. User <sip:j.user@example.com>").is_err());
        assert!(NameAddr::parse("\"Joe\" <sip:joe@example.org>;;;;").is_err());
        assert!(NameAddr::parse("<sip:a@b").is_err());
        assert!(NameAddr::parse("").is_err());
    }
}
