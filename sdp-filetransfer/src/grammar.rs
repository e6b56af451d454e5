//! Small lexical helpers shared by the parsers (RFC 8866 §9 core rules).

use crate::error::AttributeError;

/// `token-char` of RFC 8866 §9: `%x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A /
/// %x5E-7E`.
pub(crate) fn is_token_char(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

/// One table lookup per byte instead of seven range tests.
const TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = matches!(i, 0x21 | 0x23..=0x27 | 0x2A..=0x2B | 0x2D..=0x2E | 0x30..=0x39 | 0x41..=0x5A | 0x5E..=0x7E);
        i += 1;
    }
    t
};

/// Whether `s` is a non-empty token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_char)
}

/// Checks `s` is a token.
pub(crate) fn token(s: &str) -> Result<&str, AttributeError> {
    if is_token(s) {
        Ok(s)
    } else {
        Err(AttributeError::BadToken)
    }
}

/// Visible, non-space characters (RFC 8866 `non-ws-string`, widened to any UTF-8 above 0x20).
pub(crate) fn is_non_ws(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b > 0x20 && b != 0x7F)
}

/// Text that may stand in a line: no CR, LF or NUL (RFC 8866 `text`).
pub(crate) fn is_text(s: &str) -> bool {
    // Slice `contains` on bytes is a memchr: three fast scans beat one byte-by-byte match.
    let b = s.as_bytes();
    !b.contains(&b'\r') && !b.contains(&b'\n') && !b.contains(&0)
}

/// A decimal number of 1 to 20 digits that fits in a `u64`.
pub(crate) fn number(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 {
        return None;
    }
    s.bytes().try_fold(0u64, |acc, b| {
        if b.is_ascii_digit() {
            acc.checked_mul(10)?.checked_add(u64::from(b - b'0'))
        } else {
            None
        }
    })
}

pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Parses colon-separated hex octets (`2HEXDIG *(":" 2HEXDIG)`), either case.
pub(crate) fn colon_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() % 3 != 2 {
        return None;
    }
    let mut out = Vec::with_capacity(b.len() / 3 + 1);
    // With the length 3n + 2, only the last chunk has two bytes.
    for chunk in b.chunks(3) {
        match chunk {
            [h, l] | [h, l, b':'] => {
                out.push(hex_val(*h)? * 16 + hex_val(*l)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// `s.split_once(c)` for an ASCII byte, with a plain loop: on the short strings of SDP lines it
/// beats the general pattern searcher.
pub(crate) fn split1(s: &str, c: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|b| b == c)?;
    // `c` is ASCII, so `i` and `i + 1` are character boundaries.
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The non-empty pieces of `s` between ASCII separator bytes `c`.
pub(crate) fn words(s: &str, c: u8) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        loop {
            if rest.is_empty() {
                return None;
            }
            let (word, tail) = split1(rest, c).unwrap_or((rest, ""));
            rest = tail;
            if !word.is_empty() {
                return Some(word);
            }
        }
    })
}

/// Writes octets as upper-case colon-separated hex.
pub(crate) fn write_colon_hex(out: &mut String, bytes: &[u8]) {
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
        out.push(char::from(HEX_UPPER[usize::from(b & 15)]));
    }
}

/// Appends `%HH` (upper-case) for `b`.
pub(crate) fn push_pct(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
    out.push(char::from(HEX_UPPER[usize::from(b & 15)]));
}

/// Checks the inside of an RFC 5547 `filename-string`: at least one byte, no NUL, CR, LF,
/// DQUOTE, and `%` only as `%HH`.
pub(crate) fn check_filename_string(s: &str) -> Result<(), AttributeError> {
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(AttributeError::BadFileName);
    }
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            0 | b'\r' | b'\n' | b'"' => return Err(AttributeError::BadFileName),
            b'%' => match (b.get(i + 1), b.get(i + 2)) {
                (Some(&h), Some(&l)) if hex_val(h).is_some() && hex_val(l).is_some() => i += 3,
                _ => return Err(AttributeError::BadFileName),
            },
            _ => i += 1,
        }
    }
    Ok(())
}

/// Decodes `%HH` escapes of a checked `filename-string`.
pub(crate) fn pct_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            if let (Some(h), Some(l)) = (
                b.get(i + 1).copied().and_then(hex_val),
                b.get(i + 2).copied().and_then(hex_val),
            ) {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The space-separated words of `s`, where a space inside double quotes does not separate.
/// Runs of spaces count as one separator (lenient); an unclosed quote yields one error. No
/// allocation.
pub(crate) fn quoted_words(s: &str) -> QuotedWords<'_> {
    QuotedWords { rest: s }
}

/// Iterator of [`quoted_words`].
pub(crate) struct QuotedWords<'a> {
    rest: &'a str,
}

impl<'a> Iterator for QuotedWords<'a> {
    type Item = Result<&'a str, AttributeError>;

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.rest.trim_start_matches(' ');
        if s.is_empty() {
            self.rest = s;
            return None;
        }
        let mut quoted = false;
        for (i, b) in s.bytes().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b' ' if !quoted => {
                    self.rest = &s[i..];
                    return Some(Ok(&s[..i]));
                }
                _ => {}
            }
        }
        self.rest = "";
        if quoted {
            Some(Err(AttributeError::BadQuotedString))
        } else {
            Some(Ok(s))
        }
    }
}

/// Exactly `N` space-separated fields (runs of spaces count as one), or `None`.
pub(crate) fn fields<const N: usize>(s: &str) -> Option<[&str; N]> {
    let mut out = [""; N];
    let mut it = words(s, b' ');
    for slot in &mut out {
        *slot = it.next()?;
    }
    if it.next().is_some() {
        return None;
    }
    Some(out)
}

/// Takes a `DQUOTE ... DQUOTE` value that makes up all of `s`, returning its inside.
pub(crate) fn unquote(s: &str) -> Result<&str, AttributeError> {
    s.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|inner| !inner.contains('"'))
        .ok_or(AttributeError::BadQuotedString)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_quotes() {
        let words = |s| quoted_words(s).collect::<Result<Vec<_>, _>>();
        assert_eq!(
            words(" name:\"a b\"  type:x/y ").unwrap(),
            ["name:\"a b\"", "type:x/y"]
        );
        assert!(words("name:\"a b").is_err());
        assert!(words("").unwrap().is_empty());
        assert_eq!(fields::<2>("a  b"), Some(["a", "b"]));
        assert_eq!(fields::<2>("a b c"), None);
        assert_eq!(fields::<2>("a"), None);
    }

    #[test]
    fn hex_round_trip() {
        let v = colon_hex("72:24:5f:E8").unwrap();
        let mut s = String::new();
        write_colon_hex(&mut s, &v);
        assert_eq!(s, "72:24:5F:E8");
        assert!(colon_hex("7:24").is_none());
        assert!(colon_hex("").is_none());
        assert!(colon_hex("72:").is_none());
    }

    #[test]
    fn numbers() {
        assert_eq!(number("18446744073709551615"), Some(u64::MAX));
        assert_eq!(number("18446744073709551616"), None);
        assert_eq!(number("+1"), None);
        assert_eq!(number(""), None);
    }
}
