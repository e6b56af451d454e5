//! Character classes of RFC 3261 §25.1 and RFC 3966 §3, percent-escape checking, unescaping and
//! the normalised form used by URI comparison (RFC 3261 §19.1.4, RFC 3966 §4).

use std::borrow::Cow;

use super::UriError;

/// `alphanum`.
pub(crate) const ALNUM: u16 = 1 << 0;
/// `mark = "-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")"`.
pub(crate) const MARK: u16 = 1 << 1;
/// `user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/"`.
pub(crate) const USER_UNRESERVED: u16 = 1 << 2;
/// The extra password characters `"&" / "=" / "+" / "$" / ","`.
pub(crate) const PASSWORD_EXTRA: u16 = 1 << 3;
/// `param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$"`.
pub(crate) const PARAM_UNRESERVED: u16 = 1 << 4;
/// `hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$"`.
pub(crate) const HNV_UNRESERVED: u16 = 1 << 5;
/// RFC 2396 `reserved = ";" / "/" / "?" / ":" / "@" / "&" / "=" / "+" / "$" / ","`.
pub(crate) const RESERVED: u16 = 1 << 6;
/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (the characters after the first).
pub(crate) const SCHEME: u16 = 1 << 7;
/// RFC 3966 `phonedigit-hex` without separators: `HEXDIG / "*" / "#"`.
pub(crate) const PHONE_HEX: u16 = 1 << 8;
/// RFC 3966 `visual-separator = "-" / "." / "(" / ")"`.
pub(crate) const VISUAL_SEPARATOR: u16 = 1 << 9;

/// `unreserved = alphanum / mark`.
pub(crate) const UNRESERVED: u16 = ALNUM | MARK;
/// `uric = reserved / unreserved / escaped` (escapes checked separately).
pub(crate) const URIC: u16 = RESERVED | UNRESERVED;

static CLASS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let mut v = 0u16;
        if c.is_ascii_alphanumeric() {
            v |= ALNUM;
        }
        if matches!(
            c,
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        ) {
            v |= MARK;
        }
        if matches!(c, b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/') {
            v |= USER_UNRESERVED;
        }
        if matches!(c, b'&' | b'=' | b'+' | b'$' | b',') {
            v |= PASSWORD_EXTRA;
        }
        if matches!(c, b'[' | b']' | b'/' | b':' | b'&' | b'+' | b'$') {
            v |= PARAM_UNRESERVED;
        }
        if matches!(c, b'[' | b']' | b'/' | b'?' | b':' | b'+' | b'$') {
            v |= HNV_UNRESERVED;
        }
        if matches!(
            c,
            b';' | b'/' | b'?' | b':' | b'@' | b'&' | b'=' | b'+' | b'$' | b','
        ) {
            v |= RESERVED;
        }
        if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.') {
            v |= SCHEME;
        }
        if c.is_ascii_hexdigit() || matches!(c, b'*' | b'#') {
            v |= PHONE_HEX;
        }
        if matches!(c, b'-' | b'.' | b'(' | b')') {
            v |= VISUAL_SEPARATOR;
        }
        t[i] = v;
        i += 1;
    }
    t
};

/// Whether `b` is in any of the classes in `mask`.
#[inline]
pub(crate) fn is(b: u8, mask: u16) -> bool {
    CLASS[usize::from(b)] & mask != 0
}

/// The value of a hex digit.
#[inline]
pub(crate) fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Checks `b[start..end]` (positions relative to the whole URI) against `allowed` plus
/// `escaped = "%" HEXDIG HEXDIG`. Returns the first bad byte's position.
pub(crate) fn check_run(b: &[u8], start: usize, end: usize, allowed: u16) -> Result<(), UriError> {
    let mut i = start;
    while i < end {
        let Some(&c) = b.get(i) else { break };
        if c == b'%' {
            match (b.get(i + 1).copied(), b.get(i + 2).copied()) {
                (Some(h), Some(l))
                    if i + 2 < end && hex_val(h).is_some() && hex_val(l).is_some() =>
                {
                    i += 3;
                }
                _ => return Err(UriError::BadEscape { position: i }),
            }
        } else if is(c, allowed) {
            i += 1;
        } else {
            return Err(UriError::InvalidCharacter {
                position: i,
                byte: c,
            });
        }
    }
    Ok(())
}

/// Index of the first byte at or after `from` that is in `stop`, or `b.len()`.
pub(crate) fn find_any(b: &[u8], from: usize, stop: &[u8]) -> usize {
    b.get(from..)
        .and_then(|rest| rest.iter().position(|c| stop.contains(c)))
        .map_or(b.len(), |i| from + i)
}

/// Decodes `%XX` escapes. Text is returned borrowed when it holds none. Invalid escapes (which a
/// parsed URI never holds) are kept as they are.
pub(crate) fn unescape(s: &str) -> Cow<'_, [u8]> {
    let b = s.as_bytes();
    if !b.contains(&b'%') {
        return Cow::Borrowed(b);
    }
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
    Cow::Owned(out)
}

/// The comparison form of an escaped URI component, one unit per character.
///
/// RFC 3261 §19.1.4 and RFC 3966 §3: characters outside the `reserved` set are equivalent to
/// their `%XX` escape, so such escapes are decoded; an escaped reserved character is *not* the
/// same as the literal delimiter, so it stays distinct (as `0x100 + byte`, which no literal byte
/// can collide with). With `fold_case`, ASCII letters are lower-cased.
pub(crate) fn normalised(s: &str, fold_case: bool) -> impl Iterator<Item = u16> + '_ {
    let b = s.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        let c = *b.get(i)?;
        let unit = if c == b'%' {
            match (
                b.get(i + 1).copied().and_then(hex_val),
                b.get(i + 2).copied().and_then(hex_val),
            ) {
                (Some(h), Some(l)) => {
                    i += 3;
                    let v = h * 16 + l;
                    if is(v, RESERVED) {
                        return Some(0x100 + u16::from(v));
                    }
                    v
                }
                _ => {
                    i += 1;
                    c
                }
            }
        } else {
            i += 1;
            c
        };
        Some(u16::from(if fold_case {
            unit.to_ascii_lowercase()
        } else {
            unit
        }))
    })
}

/// Equality of two escaped components in their comparison form.
pub(crate) fn eq_normalised(a: &str, b: &str, fold_case: bool) -> bool {
    normalised(a, fold_case).eq(normalised(b, fold_case))
}

/// The comparison form collected, for hashing and sorting.
pub(crate) fn normalised_vec(s: &str, fold_case: bool) -> Vec<u16> {
    normalised(s, fold_case).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is(b'a', UNRESERVED) && is(b'~', UNRESERVED) && !is(b';', UNRESERVED));
        assert!(is(b';', USER_UNRESERVED) && !is(b';', PASSWORD_EXTRA));
        assert!(is(b':', PARAM_UNRESERVED) && !is(b'?', PARAM_UNRESERVED));
        assert!(is(b'?', HNV_UNRESERVED) && !is(b'&', HNV_UNRESERVED));
        assert!(!is(b' ', URIC) && !is(b'<', URIC) && !is(b'"', URIC) && !is(0x80, URIC));
        assert!(is(b'#', PHONE_HEX) && is(b'F', PHONE_HEX) && !is(b'g', PHONE_HEX));
    }

    #[test]
    fn escapes_checked() {
        let s = b"ab%4g";
        assert_eq!(
            check_run(s, 0, s.len(), UNRESERVED),
            Err(UriError::BadEscape { position: 2 })
        );
        // An escape may not run past the end of its component.
        let s = b"a%4;1";
        assert_eq!(
            check_run(s, 0, 3, UNRESERVED),
            Err(UriError::BadEscape { position: 1 })
        );
        assert_eq!(check_run(b"%00%FFx", 0, 7, UNRESERVED), Ok(()));
        assert_eq!(
            check_run(b"a b", 0, 3, UNRESERVED),
            Err(UriError::InvalidCharacter {
                position: 1,
                byte: b' '
            })
        );
    }

    #[test]
    fn unescaping_and_normal_form() {
        assert_eq!(&*unescape("null-%00-null"), b"null-\0-null");
        assert_eq!(&*unescape("plain"), b"plain");
        assert!(eq_normalised("%61lice", "alice", false));
        assert!(!eq_normalised("Alice", "alice", false));
        assert!(eq_normalised("Alice", "alice", true));
        // Escaped reserved characters differ from the literal ones...
        assert!(!eq_normalised("a%3Bb", "a;b", false));
        // ...but not from each other whatever the hex case.
        assert!(eq_normalised("a%3bb", "a%3Bb", false));
        // A literal '%' (escaped as %25) followed by hex is not an escape.
        assert!(!eq_normalised("%253B", "%3B", false));
    }
}
