//! Generic parameters: `*( SEMI generic-param )` (RFC 3261 §25.1), as a borrowed view.

use std::borrow::Cow;
use std::fmt;

use nom::IResult;
use nom::bytes::complete::take_while1;
use nom::error::{Error, ErrorKind};

use crate::grammar::{gen_value, is_token_char, quoted_string, sep, sws, token, unquote};

/// One `name[=value]` parameter. The value is raw: a quoted string keeps its quotes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param<'a> {
    /// The name as written (compare case-insensitively).
    pub name: &'a str,
    /// The raw value, if any.
    pub value: Option<&'a str>,
}

impl<'a> Param<'a> {
    /// The value without quotes and quoted-pair escapes (for a quoted-string value).
    pub fn unquoted_value(&self) -> Option<Cow<'a, str>> {
        self.value.map(unquote)
    }
}

/// The parameters after a header value's main part, e.g. `;branch=z9hG4bK1;rport` of a Via.
/// The text has been checked when the header was parsed; lookups walk it again (lists are
/// short), so reading one parameter allocates nothing.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct ParamList<'a> {
    raw: &'a str,
    colon_values: bool,
}

impl<'a> ParamList<'a> {
    /// Parses `*( SEMI generic-param )` at the start of `i`, returning the rest.
    pub(crate) fn parse(i: &'a str) -> IResult<&'a str, ParamList<'a>> {
        Self::parse_with(i, false)
    }

    /// Like [`ParamList::parse`], also allowing `:` in unquoted values (Via `received` holds an
    /// IPv6 address without brackets, RFC 3261 §20.42).
    pub(crate) fn parse_with(i: &'a str, colon_values: bool) -> IResult<&'a str, ParamList<'a>> {
        let mut rest = i;
        loop {
            let Ok((after_semi, ())) = sep(";")(rest) else {
                break;
            };
            let (r, _) = param(after_semi, colon_values)?;
            rest = r;
        }
        let consumed = &i[..i.len() - rest.len()];
        Ok((
            rest,
            ParamList {
                raw: consumed,
                colon_values,
            },
        ))
    }

    /// Whether there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// The parameters in order.
    pub fn iter(&self) -> impl Iterator<Item = Param<'a>> + 'a {
        let mut rest = self.raw;
        let colon = self.colon_values;
        std::iter::from_fn(move || {
            let (after, ()) = sep(";")(rest).ok()?;
            let (r, p) = param(after, colon).ok()?;
            rest = r;
            Some(p)
        })
    }

    /// The first parameter called `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<Param<'a>> {
        self.iter().find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Whether a parameter called `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The raw value of `name`: `None` if absent, `Some(None)` if present without a value.
    pub fn value(&self, name: &str) -> Option<Option<&'a str>> {
        self.get(name).map(|p| p.value)
    }

    /// The parameters as `(name, raw value)` pairs, the form [`crate::feature`] takes.
    pub fn pairs(&self) -> impl Iterator<Item = (&'a str, Option<&'a str>)> + 'a {
        self.iter().map(|p| (p.name, p.value))
    }

    /// The parameter text as it was written, from the first `;`.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }
}

impl fmt::Debug for ParamList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl fmt::Display for ParamList<'_> {
    /// Canonical form: `;name=value` with no white space.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in self.iter() {
            write!(f, ";{}", p.name)?;
            if let Some(v) = p.value {
                write!(f, "={v}")?;
            }
        }
        Ok(())
    }
}

fn param(i: &str, colon_values: bool) -> IResult<&str, Param<'_>> {
    let (i, name) = token(i)?;
    let Ok((after_eq, ())) = sep("=")(i) else {
        return Ok((i, Param { name, value: None }));
    };
    let (i, value) = if colon_values && !after_eq.starts_with(['"', '[']) {
        take_while1(|c: char| is_token_char(c) || c == ':')(after_eq)?
    } else {
        gen_value(after_eq)?
    };
    Ok((
        i,
        Param {
            name,
            value: Some(value),
        },
    ))
}

/// Parses `token EQUAL (token / quoted-string)` pairs separated by commas (auth-params,
/// RFC 3261 §25.1 `digest-cln`, `ainfo`), returning the text they span.
pub(crate) fn comma_params(i: &str) -> IResult<&str, &str> {
    let start = i;
    let mut rest = i;
    let mut first = true;
    loop {
        let r = if first {
            rest
        } else {
            match sep(",")(rest) {
                Ok((r, ())) => r,
                Err(_) => break,
            }
        };
        let (r, _) = token(r)?;
        let (r, ()) = sep("=")(r)?;
        let (r, _) = if r.starts_with('"') {
            quoted_string(r)?
        } else {
            token(r)?
        };
        rest = r;
        first = false;
    }
    let (rest, _) = sws(rest)?;
    if !rest.is_empty() {
        return Err(nom::Err::Error(Error::new(rest, ErrorKind::Eof)));
    }
    Ok((rest, &start[..start.len() - rest.len()]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_with_lws_and_quotes() {
        let (rest, p) = ParamList::parse(" ;   tag    = 1918181833n").unwrap();
        assert_eq!(rest, "");
        assert_eq!(p.value("TAG"), Some(Some("1918181833n")));
        let (rest, p) = ParamList::parse(";\r\n  tag = 98asjd8 ; lr;x=\"a;b\", next").unwrap();
        assert_eq!(rest, ", next");
        let all: Vec<_> = p.pairs().collect();
        assert_eq!(
            all,
            [
                ("tag", Some("98asjd8")),
                ("lr", None),
                ("x", Some("\"a;b\""))
            ]
        );
        assert_eq!(p.get("x").unwrap().unquoted_value().unwrap(), "a;b");
        assert_eq!(p.to_string(), ";tag=98asjd8;lr;x=\"a;b\"");
        // An empty parameter name is an error.
        assert!(ParamList::parse(";;").is_err());
        assert!(ParamList::parse("; =x").is_err());
        // received=IPv6 needs the colon form.
        assert!(ParamList::parse(";received=2001:db8::1").is_ok_and(|(r, _)| r == ":db8::1"));
        let (r, p) = ParamList::parse_with(";received=2001:db8::1", true).unwrap();
        assert_eq!((r, p.value("received")), ("", Some(Some("2001:db8::1"))));
    }

    #[test]
    fn auth_params() {
        assert!(comma_params("realm=\"a,b\", nonce=\"x\" , qop=auth").is_ok());
        assert!(comma_params("realm=\"a\",").is_err());
        assert!(comma_params("realm").is_err());
    }
}
