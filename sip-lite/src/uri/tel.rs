//! `tel:` URIs (RFC 3966 §3, comparison §4).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use super::UriError;
use super::chars::{
    PARAM_UNRESERVED, PHONE_HEX, RESERVED, UNRESERVED, VISUAL_SEPARATOR, check_run, find_any, is,
    normalised_vec,
};
use super::host::is_hostname;
use super::scheme_end;

type Span = (usize, usize);

fn get(raw: &str, (start, end): Span) -> &str {
    raw.get(start..end).unwrap_or_default()
}

/// A `tel:` URI (RFC 3966): a global number (`tel:+1-201-555-0123`) or a local number with its
/// mandatory `phone-context` (`tel:7042;phone-context=example.com`,
/// `tel:863-1234;phone-context=+1-914-555`).
///
/// Parameters (`isub`, `ext`, `phone-context` and others) are kept in order as written; each
/// name may appear once. RFC 3966 §3 also asks generators to put `isub`/`ext` first, then
/// `phone-context`, then the rest sorted; parsing accepts any order.
///
/// `==` and [`Hash`] follow RFC 3966 §4: both global or both local; numbers equal without their
/// visual separators; the same parameter names on both sides (in any order) with equal values,
/// `phone-context` compared as a host name or as digits without separators; everything
/// case-insensitive.
///
/// ```
/// use sip_lite::uri::TelUri;
/// let a: TelUri = "tel:863-1234;phone-context=+1-914-555".parse()?;
/// assert!(!a.is_global());
/// assert_eq!(a.digits(), "8631234");
/// assert_eq!(a.phone_context(), Some("+1-914-555"));
/// let b: TelUri = "TEL:8631234;PHONE-CONTEXT=+1914555".parse()?;
/// assert_eq!(a, b);
/// assert_eq!(a.to_string(), "tel:863-1234;phone-context=+1-914-555");
/// # Ok::<(), sip_lite::uri::UriError>(())
/// ```
#[derive(Clone)]
pub struct TelUri {
    raw: Box<str>,
    global: bool,
    /// The number as written, with the `+` of a global number.
    number: Span,
    params: Vec<(Span, Option<Span>)>,
}

impl TelUri {
    /// Parses a `tel:` URI (scheme case-insensitive).
    pub fn parse(s: &str) -> Result<Self, UriError> {
        let b = s.as_bytes();
        let colon = scheme_end(b)?;
        if !s
            .get(..colon)
            .is_some_and(|t| t.eq_ignore_ascii_case("tel"))
        {
            return Err(UriError::MissingScheme);
        }
        Self::parse_subscriber(s, colon + 1)
    }

    /// Parses a `telephone-subscriber` starting at `start` in `s` (the text after `tel:`, or a
    /// whole SIP user part when `start` is 0).
    fn parse_subscriber(s: &str, start: usize) -> Result<Self, UriError> {
        let b = s.as_bytes();
        let num_end = find_any(b, start, b";");
        let global = b.get(start) == Some(&b'+');
        let digits_from = if global { start + 1 } else { start };
        // global-number-digits = "+" *phonedigit DIGIT *phonedigit
        // local-number-digits  = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex
        let mut any_digit = false;
        for i in digits_from..num_end {
            let Some(&c) = b.get(i) else { break };
            let digit_ok = if global {
                c.is_ascii_digit()
            } else {
                is(c, PHONE_HEX)
            };
            if digit_ok {
                any_digit = true;
            } else if !is(c, VISUAL_SEPARATOR) {
                return Err(UriError::InvalidCharacter {
                    position: i,
                    byte: c,
                });
            }
        }
        if !any_digit {
            return Err(UriError::EmptyNumber);
        }

        let mut params: Vec<(Span, Option<Span>)> = Vec::new();
        let mut pos = num_end;
        let mut has_context = false;
        while b.get(pos) == Some(&b';') {
            let name_start = pos + 1;
            let name_end = find_any(b, name_start, b"=;");
            if name_end == name_start {
                return Err(UriError::EmptyParameterName { position: pos });
            }
            // pname = 1*( alphanum / "-" )
            let bad_name = (name_start..name_end).find_map(|i| {
                b.get(i)
                    .filter(|&&c| !(c.is_ascii_alphanumeric() || c == b'-'))
                    .map(|&c| (i, c))
            });
            if let Some((position, byte)) = bad_name {
                return Err(UriError::InvalidCharacter { position, byte });
            }
            let name = get(s, (name_start, name_end));
            if params
                .iter()
                .any(|&(n, _)| get(s, n).eq_ignore_ascii_case(name))
            {
                return Err(UriError::DuplicateParameter {
                    position: name_start,
                });
            }
            let mut value = None;
            pos = name_end;
            if b.get(pos) == Some(&b'=') {
                let v_start = pos + 1;
                let v_end = find_any(b, v_start, b";");
                if v_end == v_start {
                    return Err(UriError::EmptyParameterValue { position: pos });
                }
                value = Some((v_start, v_end));
                pos = v_end;
            }
            let v = value.map(|r| get(s, r));
            if name.eq_ignore_ascii_case("phone-context") {
                // context = ";phone-context=" descriptor; descriptor = domainname /
                // global-number-digits
                let v = v.ok_or(UriError::BadPhoneContext)?;
                if !is_context(v.as_bytes()) {
                    return Err(UriError::BadPhoneContext);
                }
                has_context = true;
            } else if name.eq_ignore_ascii_case("ext") {
                // extension = ";ext=" 1*phonedigit
                let ok = v.is_some_and(|v| {
                    v.bytes()
                        .all(|c| c.is_ascii_digit() || is(c, VISUAL_SEPARATOR))
                });
                if !ok {
                    return Err(UriError::BadExtension);
                }
            } else if let Some((vs, ve)) = value {
                // isdn-subaddress = ";isub=" 1*uric (bounded by the next ';');
                // pvalue = 1*paramchar
                let allowed = if name.eq_ignore_ascii_case("isub") {
                    RESERVED | UNRESERVED
                } else {
                    UNRESERVED | PARAM_UNRESERVED
                };
                check_run(b, vs, ve, allowed)?;
            }
            params.push(((name_start, name_end), value));
        }
        if pos < b.len() {
            // Only reachable through a stray byte in the number, handled above; kept for safety.
            return Err(UriError::InvalidCharacter {
                position: pos,
                byte: b.get(pos).copied().unwrap_or(0),
            });
        }
        // Local numbers MUST carry a phone-context (RFC 3966 §5.1.5).
        if !global && !has_context {
            return Err(UriError::MissingPhoneContext);
        }
        Ok(Self {
            raw: s.into(),
            global,
            number: (start, num_end),
            params,
        })
    }

    /// Parses a SIP URI's user part as a `telephone-subscriber` (for `user=phone`, RFC 3261
    /// §19.1.1): the same grammar as the text after `tel:`. The user should be unescaped first.
    ///
    /// ```
    /// use sip_lite::uri::TelUri;
    /// let t = TelUri::from_subscriber("+44-20-7946-0018;npdi")?;
    /// assert!(t.is_global());
    /// assert_eq!(t.to_string(), "tel:+44-20-7946-0018;npdi");
    /// # Ok::<(), sip_lite::uri::UriError>(())
    /// ```
    pub fn from_subscriber(subscriber: &str) -> Result<Self, UriError> {
        let text = format!("tel:{subscriber}");
        Self::parse_subscriber(&text, 4)
    }

    /// Whether the number is global (`+` and E.164 digits) rather than local.
    pub fn is_global(&self) -> bool {
        self.global
    }

    /// The number as written, with a global number's `+` and any visual separators.
    pub fn number(&self) -> &str {
        get(&self.raw, self.number)
    }

    /// The number's digits (and, for a local number, hex digits, `*`, `#`) without `+` and
    /// visual separators.
    pub fn digits(&self) -> String {
        self.number()
            .bytes()
            .filter(|&c| c != b'+' && !is(c, VISUAL_SEPARATOR))
            .map(char::from)
            .collect()
    }

    /// The parameters in order, as written: `(name, value)`.
    pub fn params(&self) -> impl Iterator<Item = (&str, Option<&str>)> + '_ {
        self.params
            .iter()
            .map(|&(n, v)| (get(&self.raw, n), v.map(|v| get(&self.raw, v))))
    }

    /// The parameter named `name` (case-insensitive): `None` when absent, `Some(None)` when
    /// present without a value.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        self.params()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    /// The `phone-context` descriptor: a domain name or `+` and digits.
    pub fn phone_context(&self) -> Option<&str> {
        self.param("phone-context").flatten()
    }

    /// The `ext` (extension) parameter.
    pub fn extension(&self) -> Option<&str> {
        self.param("ext").flatten()
    }

    /// The `isub` (ISDN subaddress) parameter.
    pub fn isdn_subaddress(&self) -> Option<&str> {
        self.param("isub").flatten()
    }

    /// The URI's exact text.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// Parameters in comparison form, sorted by name (RFC 3966 §4: order is not significant).
    fn params_normalised(&self) -> Vec<(Vec<u16>, Option<Vec<u16>>)> {
        let mut v: Vec<_> = self
            .params()
            .map(|(n, val)| {
                let value = val.map(|val| {
                    let digits = n.eq_ignore_ascii_case("ext")
                        || (n.eq_ignore_ascii_case("phone-context") && val.starts_with('+'));
                    if digits {
                        // Compared digit by digit, without visual separators.
                        val.bytes()
                            .filter(|&c| !is(c, VISUAL_SEPARATOR))
                            .map(u16::from)
                            .collect()
                    } else {
                        // A domain name compares as a host name: case-insensitively.
                        normalised_vec(val, true)
                    }
                });
                (normalised_vec(n, true), value)
            })
            .collect();
        v.sort_unstable();
        v
    }
}

/// `descriptor = domainname / global-number-digits`.
fn is_context(v: &[u8]) -> bool {
    match v.strip_prefix(b"+") {
        Some(rest) => {
            rest.iter().any(u8::is_ascii_digit)
                && rest
                    .iter()
                    .all(|&c| c.is_ascii_digit() || is(c, VISUAL_SEPARATOR))
        }
        None => is_hostname(v),
    }
}

impl PartialEq for TelUri {
    fn eq(&self, other: &Self) -> bool {
        self.global == other.global
            && self.digits().eq_ignore_ascii_case(&other.digits())
            && self.params_normalised() == other.params_normalised()
    }
}

impl Eq for TelUri {}

impl Hash for TelUri {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.global.hash(state);
        self.digits().to_ascii_lowercase().hash(state);
        self.params_normalised().hash(state);
    }
}

impl fmt::Display for TelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl fmt::Debug for TelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TelUri({:?})", self.raw)
    }
}

impl FromStr for TelUri {
    type Err = UriError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}
