//! Feature values (RFC 3840 §9 `tag-value` / `string-value`), their Contact-parameter
//! encoding, and the set operations RFC 2533 matching needs (RFC 3841 §7.2.4).

use std::fmt::{self, Write as _};

use super::FeatureError;
use crate::grammar::unquote;

/// The most values one feature may list (`methods="INVITE,ACK,..."`). RFC 3841 §11 asks
/// servers to bound the work caller preferences cause; matching compares value lists pairwise.
pub const MAX_VALUES: usize = 64;

/// A numeric filter (RFC 3840 §9 `numeric`, RFC 3841 §8), as `#=5`, `#>=5`, `#<=5` or `#a:b`.
/// Numbers are held as `f64` (RFC 3840 §9: "representable using an ANSI C double").
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum Numeric {
    /// `#=x`: exactly `x`.
    Equal(f64),
    /// `#>=x`: `x` or more.
    AtLeast(f64),
    /// `#<=x`: `x` or less.
    AtMost(f64),
    /// `#a:b`: from `a` to `b` inclusive (RFC 2533 `a..b`; empty when `a > b`).
    Range(f64, f64),
}

impl Numeric {
    /// The closed interval this filter allows.
    fn interval(self) -> (f64, f64) {
        match self {
            Numeric::Equal(x) => (x, x),
            Numeric::AtLeast(x) => (x, f64::INFINITY),
            Numeric::AtMost(x) => (f64::NEG_INFINITY, x),
            Numeric::Range(a, b) => (a, b),
        }
    }
}

/// One value of a feature.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum FeatureValue {
    /// `TRUE` or `FALSE`; a feature parameter without value is `TRUE` (RFC 3841 §8).
    /// Compared like the tokens `TRUE`/`FALSE` (RFC 3841 §7.2.4).
    Boolean(bool),
    /// A token (`token-nobang`), percent-escapes decoded: `urn%3Aurn-7%3A...` is held as
    /// `urn:urn-7:...`. Compared case-insensitively (RFC 3841 §7.2.4).
    Token(String),
    /// A quoted string, written `"<...>"`; compared case-sensitively (RFC 3841 §7.2.4).
    String(String),
    /// A number or numeric range.
    Numeric(Numeric),
}

/// One filter of a feature: a value, possibly negated with `!` (RFC 3840 §9 `tag-value`).
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// Whether the filter is negated (`!value`): every value but this one.
    pub negated: bool,
    /// The value.
    pub value: FeatureValue,
}

impl Filter {
    /// A filter allowing `value`.
    pub fn new(value: FeatureValue) -> Self {
        Self {
            negated: false,
            value,
        }
    }

    /// A filter allowing everything but `value`.
    pub fn not(value: FeatureValue) -> Self {
        Self {
            negated: true,
            value,
        }
    }
}

/// The values a filter names, for set operations.
#[derive(Clone, Copy)]
enum Atom<'a> {
    /// A string; a token stands for every ASCII case variant of itself.
    Text { text: &'a str, case_sensitive: bool },
    /// A closed interval of reals, empty when `lo > hi`.
    Interval { lo: f64, hi: f64 },
}

fn atom(v: &FeatureValue) -> Atom<'_> {
    match v {
        FeatureValue::Boolean(true) => Atom::Text {
            text: "TRUE",
            case_sensitive: false,
        },
        FeatureValue::Boolean(false) => Atom::Text {
            text: "FALSE",
            case_sensitive: false,
        },
        FeatureValue::Token(t) => Atom::Text {
            text: t,
            case_sensitive: false,
        },
        FeatureValue::String(s) => Atom::Text {
            text: s,
            case_sensitive: true,
        },
        FeatureValue::Numeric(n) => {
            let (lo, hi) = n.interval();
            Atom::Interval { lo, hi }
        }
    }
}

fn overlap(a: Atom<'_>, b: Atom<'_>) -> bool {
    match (a, b) {
        (
            Atom::Text {
                text: x,
                case_sensitive: cx,
            },
            Atom::Text {
                text: y,
                case_sensitive: cy,
            },
        ) => {
            if cx && cy {
                x == y
            } else {
                x.eq_ignore_ascii_case(y)
            }
        }
        (Atom::Interval { lo: a0, hi: a1 }, Atom::Interval { lo: b0, hi: b1 }) => {
            a0 <= a1 && b0 <= b1 && a0.max(b0) <= a1.min(b1)
        }
        _ => false,
    }
}

/// Whether every value of `a` is also a value of `b`.
fn subset(a: Atom<'_>, b: Atom<'_>) -> bool {
    match (a, b) {
        (Atom::Interval { lo, hi }, _) if lo > hi => true,
        (
            Atom::Text {
                text: x,
                case_sensitive: cx,
            },
            Atom::Text {
                text: y,
                case_sensitive: cy,
            },
        ) => match (cx, cy) {
            (true, true) => x == y,
            (_, false) => x.eq_ignore_ascii_case(y),
            // A token is one string only when case cannot vary.
            (false, true) => x == y && !x.bytes().any(|c| c.is_ascii_alphabetic()),
        },
        (Atom::Interval { lo: a0, hi: a1 }, Atom::Interval { lo: b0, hi: b1 }) => {
            b0 <= a0 && a1 <= b1
        }
        _ => false,
    }
}

/// Whether two filters allow a common value. The universe (all strings and all reals) is
/// infinite, so two negations always do.
fn filters_intersect(f: &Filter, g: &Filter) -> bool {
    let (a, b) = (atom(&f.value), atom(&g.value));
    match (f.negated, g.negated) {
        (false, false) => overlap(a, b),
        (false, true) => !subset(a, b),
        (true, false) => !subset(b, a),
        (true, true) => true,
    }
}

/// Whether two disjunctions of filters (two terms about one feature) allow a common value.
pub(crate) fn terms_intersect(a: &[Filter], b: &[Filter]) -> bool {
    a.iter().any(|f| b.iter().any(|g| filters_intersect(f, g)))
}

/// Whether `value`, taken literally (a token or string is that exact text, compared the way
/// the filter compares), is among the values the disjunction allows; a numeric value must
/// lie wholly inside (or, for a negated filter, wholly outside) the filter's range.
pub(crate) fn term_allows(term: &[Filter], value: &FeatureValue) -> bool {
    let v = atom(value);
    term.iter().any(|f| {
        let a = atom(&f.value);
        match (v, a) {
            (
                Atom::Text { text: x, .. },
                Atom::Text {
                    text: y,
                    case_sensitive,
                },
            ) => {
                let equal = if case_sensitive {
                    x == y
                } else {
                    x.eq_ignore_ascii_case(y)
                };
                equal != f.negated
            }
            (Atom::Interval { .. }, Atom::Interval { .. }) => {
                if f.negated {
                    !overlap(v, a)
                } else {
                    subset(v, a)
                }
            }
            // A value of another kind is never one of the filter's, so always one of its
            // complement's.
            _ => f.negated,
        }
    })
}

/// Checks a value built through the API as parsing would: a token is not empty, a string
/// holds no `<`, `>` (RFC 3840 §5) or control character (RFC 3840 §9 `qdtext-no-abkt`), a
/// number is finite.
pub(crate) fn check(value: &FeatureValue) -> Result<(), FeatureError> {
    let ok = match value {
        FeatureValue::Boolean(_) => true,
        FeatureValue::Token(t) => !t.is_empty(),
        FeatureValue::String(s) => {
            !s.contains(['<', '>']) && !s.chars().any(|c| c.is_control() && c != '\t')
        }
        FeatureValue::Numeric(n) => match *n {
            Numeric::Equal(x) | Numeric::AtLeast(x) | Numeric::AtMost(x) => x.is_finite(),
            Numeric::Range(a, b) => a.is_finite() && b.is_finite(),
        },
    };
    if ok {
        Ok(())
    } else {
        Err(FeatureError::BadValue {
            expected: "a non-empty token, a string without '<', '>' or controls, a finite number",
        })
    }
}

/// Parses a feature parameter's raw value (as [`crate::typed::ParamList`] gives it: quoted
/// strings keep their quotes). No value means `TRUE` (RFC 3841 §8).
pub(crate) fn parse_values(raw: Option<&str>) -> Result<Vec<Filter>, FeatureError> {
    let Some(raw) = raw else {
        return Ok(vec![Filter::new(FeatureValue::Boolean(true))]);
    };
    let inner = unquote(raw);
    let inner: &str = &inner;
    // string-value = "<" *(qdtext-no-abkt / quoted-pair) ">"
    if let Some(rest) = inner.strip_prefix('<') {
        let text = rest.strip_suffix('>').ok_or(FeatureError::BadValue {
            expected: "'>' closing the string value",
        })?;
        let value = FeatureValue::String(text.to_owned());
        check(&value)?;
        return Ok(vec![Filter::new(value)]);
    }
    // tag-value-list = tag-value *("," tag-value)
    let mut out = Vec::new();
    for item in inner.split(',') {
        if out.len() == MAX_VALUES {
            return Err(FeatureError::TooManyValues);
        }
        out.push(parse_tag_value(item.trim_matches([' ', '\t']))?);
    }
    Ok(out)
}

/// `tag-value = ["!"] (token-nobang / boolean / numeric)`.
fn parse_tag_value(item: &str) -> Result<Filter, FeatureError> {
    let (negated, body) = match item.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, item),
    };
    let value = if let Some(num) = body.strip_prefix('#') {
        FeatureValue::Numeric(parse_numeric(num)?)
    } else if body.eq_ignore_ascii_case("TRUE") {
        FeatureValue::Boolean(true)
    } else if body.eq_ignore_ascii_case("FALSE") {
        FeatureValue::Boolean(false)
    } else {
        if body.is_empty() || !body.bytes().all(is_token_nobang) {
            return Err(FeatureError::BadValue {
                expected: "a token, TRUE/FALSE, a '#' number or a '<string>'",
            });
        }
        let bytes = percent_decode(body);
        let text = std::str::from_utf8(&bytes).map_err(|_| FeatureError::BadValue {
            expected: "percent-escapes of UTF-8 text",
        })?;
        FeatureValue::Token(text.to_owned())
    };
    Ok(Filter { negated, value })
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is.
fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let hex = |j: usize| b.get(j).and_then(|&h| char::from(h).to_digit(16));
        if let (b'%', Some(h), Some(l)) = (c, hex(i + 1), hex(i + 2)) {
            // Two hex digits make at most 0xff.
            out.push(u8::try_from(h * 16 + l).unwrap_or(u8::MAX));
            i += 3;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// `token-nobang` characters (RFC 3840 §9), plus `:` for URNs that peers send unescaped.
fn is_token_nobang(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-.%*_+`'~:".contains(&c)
}

/// Characters written as they are in a token; everything else is percent-escaped.
fn is_token_literal(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-.*_+`'~".contains(&c)
}

/// `numeric-relation number` after the `#`.
fn parse_numeric(s: &str) -> Result<Numeric, FeatureError> {
    if let Some(n) = s.strip_prefix(">=") {
        return Ok(Numeric::AtLeast(parse_number(n)?));
    }
    if let Some(n) = s.strip_prefix("<=") {
        return Ok(Numeric::AtMost(parse_number(n)?));
    }
    if let Some(n) = s.strip_prefix('=') {
        return Ok(Numeric::Equal(parse_number(n)?));
    }
    let (a, b) = s.split_once(':').ok_or(FeatureError::BadValue {
        expected: "'=', '>=', '<=' or a range 'a:b' after '#'",
    })?;
    Ok(Numeric::Range(parse_number(a)?, parse_number(b)?))
}

/// `number = [ "+" / "-" ] 1*DIGIT ["." 0*DIGIT]`, finite as a double.
fn parse_number(s: &str) -> Result<f64, FeatureError> {
    let bad = FeatureError::BadValue {
        expected: "a decimal number",
    };
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    if int.is_empty()
        || !int.bytes().all(|c| c.is_ascii_digit())
        || !frac.bytes().all(|c| c.is_ascii_digit())
    {
        return Err(bad);
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(bad),
    }
}

/// Writes one filter as a `tag-value` or `string-value`.
fn write_filter(out: &mut String, f: &Filter) -> fmt::Result {
    if f.negated {
        out.push('!');
    }
    match &f.value {
        FeatureValue::Boolean(true) => out.push_str("TRUE"),
        FeatureValue::Boolean(false) => out.push_str("FALSE"),
        FeatureValue::Token(t) => {
            for c in t.bytes() {
                if is_token_literal(c) {
                    out.push(char::from(c));
                } else {
                    write!(out, "%{c:02X}")?;
                }
            }
        }
        FeatureValue::String(s) => {
            out.push('<');
            for c in s.chars() {
                if matches!(c, '"' | '\\') {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('>');
        }
        FeatureValue::Numeric(n) => match *n {
            Numeric::Equal(x) => write!(out, "#={x}")?,
            Numeric::AtLeast(x) => write!(out, "#>={x}")?,
            Numeric::AtMost(x) => write!(out, "#<={x}")?,
            Numeric::Range(a, b) => write!(out, "#{a}:{b}")?,
        },
    }
    Ok(())
}

/// The parameter value for a feature: `None` for a lone `TRUE` (a bare parameter, RFC 3840
/// §5), otherwise the quoted list.
pub(crate) fn encode_values(values: &[Filter]) -> Option<String> {
    if let [
        Filter {
            negated: false,
            value: FeatureValue::Boolean(true),
        },
    ] = values
    {
        return None;
    }
    let mut out = String::from("\"");
    for (i, f) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        // Writing to a String cannot fail.
        let _ = write_filter(&mut out, f);
    }
    out.push('"');
    Some(out)
}
