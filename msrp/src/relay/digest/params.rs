//! The `#auth-param` syntax shared by the three headers (RFC 7235 §2.1, RFC 2617 §3.2).

use std::fmt;

use super::{DigestError, MAX_PARAMS, MAX_VALUE_LEN};

/// Checks the length and removes a leading `Digest` scheme token.
pub(super) fn strip_scheme(value: &str) -> Result<&str, DigestError> {
    if value.len() > MAX_VALUE_LEN {
        return Err(DigestError::TooLong);
    }
    let value = value.trim_start_matches([' ', '\t']);
    let scheme_end = value.find([' ', '\t']).unwrap_or(value.len());
    let (scheme, rest) = value.split_at(scheme_end);
    if !scheme.eq_ignore_ascii_case("Digest") {
        return Err(DigestError::NotDigest);
    }
    Ok(rest)
}

pub(super) fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        if c == '"' || c == '\\' {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

/// `name=value` pairs, names lower-cased, values unquoted.
pub(super) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `#auth-param` (RFC 7235 §2.1): parameters separated by commas, optional
    /// whitespace around `=` and `,`, empty list elements skipped, values as tokens or quoted
    /// strings with backslash escapes. Duplicate names are refused.
    pub(super) fn parse(input: &str) -> Result<Params, DigestError> {
        if input.len() > MAX_VALUE_LEN {
            return Err(DigestError::TooLong);
        }
        let b = input.as_bytes();
        let mut pos = 0;
        let mut list: Vec<(String, String)> = Vec::new();
        let skip_ows = |pos: &mut usize| {
            while matches!(b.get(*pos), Some(b' ' | b'\t')) {
                *pos += 1;
            }
        };
        loop {
            // Skip separators and empty elements.
            while matches!(b.get(pos), Some(b' ' | b'\t' | b',')) {
                pos += 1;
            }
            if pos >= b.len() {
                break;
            }
            let start = pos;
            while b.get(pos).is_some_and(|&c| is_tchar(c)) {
                pos += 1;
            }
            let name = input
                .get(start..pos)
                .filter(|n| !n.is_empty())
                .ok_or(DigestError::Syntax { at: pos })?
                .to_ascii_lowercase();
            skip_ows(&mut pos);
            if b.get(pos) != Some(&b'=') {
                return Err(DigestError::Syntax { at: pos });
            }
            pos += 1;
            skip_ows(&mut pos);
            let value = if b.get(pos) == Some(&b'"') {
                pos += 1;
                let mut out = Vec::new();
                loop {
                    match b.get(pos) {
                        None => return Err(DigestError::UnterminatedQuote),
                        Some(b'"') => {
                            pos += 1;
                            break;
                        }
                        Some(b'\\') => {
                            let &escaped = b.get(pos + 1).ok_or(DigestError::UnterminatedQuote)?;
                            if is_ctl(escaped) {
                                return Err(DigestError::Syntax { at: pos + 1 });
                            }
                            out.push(escaped);
                            pos += 2;
                        }
                        Some(&c) if is_ctl(c) => return Err(DigestError::Syntax { at: pos }),
                        Some(&c) => {
                            out.push(c);
                            pos += 1;
                        }
                    }
                }
                // Only ASCII bytes were removed from valid UTF-8, so this cannot fail; map
                // it to a syntax error rather than trusting that.
                String::from_utf8(out).map_err(|_| DigestError::Syntax { at: pos })?
            } else {
                let vstart = pos;
                while b.get(pos).is_some_and(|&c| is_tchar(c)) {
                    pos += 1;
                }
                input
                    .get(vstart..pos)
                    .filter(|v| !v.is_empty())
                    .ok_or(DigestError::Syntax { at: pos })?
                    .to_owned()
            };
            if list.iter().any(|(n, _)| *n == name) {
                return Err(DigestError::DuplicateParam(name));
            }
            if list.len() == MAX_PARAMS {
                return Err(DigestError::TooManyParams);
            }
            list.push((name, value));
            skip_ows(&mut pos);
            match b.get(pos) {
                None => break,
                Some(b',') => pos += 1,
                Some(_) => return Err(DigestError::Syntax { at: pos }),
            }
        }
        Ok(Params(list))
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn take(&mut self, name: &str) -> Option<String> {
        let i = self.0.iter().position(|(n, _)| n == name)?;
        Some(self.0.swap_remove(i).1)
    }
}

/// RFC 7230 `tchar`.
fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// Control characters other than horizontal tab, which cannot appear in a header value.
fn is_ctl(c: u8) -> bool {
    (c < 0x20 && c != b'\t') || c == 0x7f
}
