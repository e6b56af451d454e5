//! Shared pieces of the RFC 3261 §25.1 grammar, written with nom over `&str`/`&[u8]`.
//!
//! Internal: nom never appears in the public API. Header values reach these parsers after the
//! message parser has checked that every CR or LF in them belongs to a fold (CRLF followed by SP
//! or HTAB), so "linear white space" here is simply any run of SP, HTAB, CR and LF.

use nom::IResult;
use nom::bytes::complete::{tag, take_while, take_while1};
use nom::error::{Error, ErrorKind};

/// RFC 3261 `token` characters: alphanum and `-.!%*_+`'~`.
const TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.' | b'!' | b'%' | b'*' | b'_' | b'+' | b'`' | b'\'' | b'~'
            );
        i += 1;
    }
    t
};

/// Whether `b` is an RFC 3261 `token` character.
#[inline]
pub(crate) fn is_token_byte(b: u8) -> bool {
    TOKEN[b as usize]
}

#[inline]
pub(crate) fn is_token_char(c: char) -> bool {
    c.is_ascii() && TOKEN[c as usize]
}

/// Whether a whole string is a non-empty token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

#[inline]
pub(crate) fn is_lws_char(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// SWS: optional linear white space (folds included).
pub(crate) fn sws(i: &str) -> IResult<&str, &str> {
    take_while(is_lws_char)(i)
}

/// LWS: at least one white-space character.
pub(crate) fn lws(i: &str) -> IResult<&str, &str> {
    take_while1(is_lws_char)(i)
}

/// A `token`.
pub(crate) fn token(i: &str) -> IResult<&str, &str> {
    take_while1(is_token_char)(i)
}

/// A separator with optional white space on both sides (`SEMI`, `COMMA`, `EQUAL`, `SLASH`,
/// `COLON` of RFC 3261 §25.1).
pub(crate) fn sep(c: &'static str) -> impl Fn(&str) -> IResult<&str, ()> {
    move |i: &str| {
        let (i, _) = sws(i)?;
        let (i, _) = tag(c)(i)?;
        let (i, _) = sws(i)?;
        Ok((i, ()))
    }
}

/// A `quoted-string` including its quotes: `"` *(qdtext / quoted-pair) `"`. The content is
/// UTF-8 text; a quoted-pair escapes any character except CR and LF.
pub(crate) fn quoted_string(i: &str) -> IResult<&str, &str> {
    let bytes = i.as_bytes();
    if bytes.first() != Some(&b'"') {
        return Err(nom::Err::Error(Error::new(i, ErrorKind::Char)));
    }
    let mut pos = 1;
    while pos < bytes.len() {
        match bytes[pos] {
            b'"' => return Ok((&i[pos + 1..], &i[..pos + 1])),
            b'\\' => match bytes.get(pos + 1) {
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F); a multi-byte character
                // cannot follow the backslash.
                Some(&b) if b < 0x80 && b != b'\r' && b != b'\n' => pos += 2,
                _ => return Err(nom::Err::Error(Error::new(&i[pos..], ErrorKind::Escaped))),
            },
            // CR/LF inside a quoted string are only allowed as part of a fold (LWS).
            b'\r' | b'\n' => {
                let rest = &bytes[pos..];
                if rest.starts_with(b"\r\n ") || rest.starts_with(b"\r\n\t") {
                    pos += 3;
                } else {
                    return Err(nom::Err::Error(Error::new(&i[pos..], ErrorKind::Char)));
                }
            }
            b if b < 0x20 && b != b'\t' => {
                return Err(nom::Err::Error(Error::new(&i[pos..], ErrorKind::Char)));
            }
            0x7f => return Err(nom::Err::Error(Error::new(&i[pos..], ErrorKind::Char))),
            _ => pos += 1,
        }
    }
    Err(nom::Err::Error(Error::new(i, ErrorKind::Eof)))
}

/// Removes the quotes and the quoted-pair escapes of a `quoted-string` (input as returned by
/// [`quoted_string`]); anything else is returned as it is.
pub(crate) fn unquote(s: &str) -> std::borrow::Cow<'_, str> {
    let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) else {
        return s.into();
    };
    if !inner.contains('\\') {
        return inner.into();
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A generic-param value (`gen-value = token / host / quoted-string`); `host` adds the bracketed
/// IPv6 reference to what `token` already covers.
pub(crate) fn gen_value(i: &str) -> IResult<&str, &str> {
    match i.as_bytes().first() {
        Some(b'"') => quoted_string(i),
        Some(b'[') => {
            let end = i
                .find(']')
                .ok_or(nom::Err::Error(Error::new(i, ErrorKind::Char)))?;
            let inner = &i[1..end];
            if inner.is_empty()
                || !inner
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            {
                return Err(nom::Err::Error(Error::new(i, ErrorKind::Char)));
            }
            Ok((&i[end + 1..], &i[..end + 1]))
        }
        _ => token(i),
    }
}

/// Parses 1*DIGIT into a `u64`, failing (rather than wrapping) on overflow.
pub(crate) fn digits_u64(i: &str) -> IResult<&str, u64> {
    let (rest, d) = take_while1(|c: char| c.is_ascii_digit())(i)?;
    let mut v: u64 = 0;
    for b in d.bytes() {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
            .ok_or(nom::Err::Error(Error::new(i, ErrorKind::TooLarge)))?;
    }
    Ok((rest, v))
}

/// Parses a whole string (after trimming white space) as 1*DIGIT no larger than `max`.
pub(crate) fn parse_number(s: &str, max: u64) -> Option<u64> {
    let s = s.trim_matches(is_lws_char);
    match digits_u64(s) {
        Ok(("", v)) if v <= max => Some(v),
        _ => None,
    }
}

/// Trims linear white space from both ends.
pub(crate) fn trim_lws(s: &str) -> &str {
    s.trim_matches(is_lws_char)
}

/// Splits a list header value at the commas that separate its elements, leaving commas inside
/// quoted strings and `<...>` alone. Elements are trimmed; empty elements are kept so that a
/// caller can reject them.
pub(crate) fn split_list(value: &str) -> ListSplit<'_> {
    ListSplit { rest: Some(value) }
}

/// Iterator for [`split_list`].
#[derive(Clone, Debug)]
pub(crate) struct ListSplit<'a> {
    rest: Option<&'a str>,
}

impl<'a> Iterator for ListSplit<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let s = self.rest?;
        let bytes = s.as_bytes();
        let mut in_quotes = false;
        let mut in_angle = false;
        let mut pos = 0;
        while pos < bytes.len() {
            match bytes[pos] {
                b'\\' if in_quotes => pos += 1,
                b'"' if !in_angle => in_quotes = !in_quotes,
                b'<' if !in_quotes => in_angle = true,
                b'>' if !in_quotes => in_angle = false,
                b',' if !in_quotes && !in_angle => {
                    self.rest = Some(&s[pos + 1..]);
                    return Some(trim_lws(&s[..pos]));
                }
                _ => {}
            }
            pos += 1;
        }
        self.rest = None;
        Some(trim_lws(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_strings() {
        assert_eq!(
            quoted_string(r#""a \"b\"" rest"#),
            Ok((" rest", r#""a \"b\"""#))
        );
        assert_eq!(
            quoted_string(r#""J Rosenberg \\\"" x"#).unwrap().1,
            r#""J Rosenberg \\\"""#
        );
        assert_eq!(unquote(r#""J Rosenberg \\\"""#), r#"J Rosenberg \""#);
        assert!(quoted_string("\"unterminated").is_err());
        assert!(quoted_string("\"bad\\\r\"").is_err());
        assert!(quoted_string("\"a\r\n b\"").is_ok());
        assert!(quoted_string("\"a\rb\"").is_err());
    }

    #[test]
    fn list_split_respects_quotes_and_angles() {
        let items: Vec<_> = split_list(r#""a,b" <sip:x@y;p=1,2>;q=1 , <sip:z>,  tail ,"#).collect();
        assert_eq!(
            items,
            [r#""a,b" <sip:x@y;p=1,2>;q=1"#, "<sip:z>", "tail", ""]
        );
        assert_eq!(split_list("one").collect::<Vec<_>>(), ["one"]);
        assert_eq!(split_list(r#""\"," x"#).collect::<Vec<_>>(), [r#""\"," x"#]);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number(" 0068 ", 255), Some(68));
        assert_eq!(parse_number("300", 255), None);
        assert_eq!(parse_number("36893488147419103232", u64::MAX), None);
        assert_eq!(parse_number("-1", 10), None);
        assert_eq!(parse_number("1 2", 100), None);
        assert!(gen_value("[2001:db8::1]x").is_ok());
        assert!(gen_value("[zz]").is_err());
    }
}
