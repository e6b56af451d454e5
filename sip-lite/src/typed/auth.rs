//! Authentication headers: WWW-/Proxy-Authenticate, Authorization/Proxy-Authorization
//! (RFC 3261 §20.7, §20.27, §20.28, §20.44, §25.1) and Authentication-Info (§20.6).

use std::borrow::Cow;

use crate::grammar::{is_lws_char, sep, token, unquote};
use crate::typed::HeaderError;
use crate::typed::params::comma_params;

/// `name=value` pairs separated by commas, values raw (quoted strings keep their quotes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthParams<'a> {
    raw: &'a str,
}

impl<'a> AuthParams<'a> {
    /// Parses a whole comma-separated auth-param list.
    pub fn parse(value: &'a str) -> Result<AuthParams<'a>, HeaderError> {
        let v = value.trim_matches(is_lws_char);
        if v.is_empty() {
            return Ok(AuthParams { raw: v });
        }
        comma_params(v)
            .map(|(_, raw)| AuthParams { raw })
            .map_err(|_| HeaderError::Syntax {
                header: "Authorization",
                expected: "name=value pairs separated by commas",
            })
    }

    /// The pairs in order, values raw.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let mut rest = self.raw;
        let mut first = true;
        std::iter::from_fn(move || {
            let r = if first { rest } else { sep(",")(rest).ok()?.0 };
            first = false;
            let (r, name) = token(r).ok()?;
            let (r, ()) = sep("=")(r).ok()?;
            let (r, value) = if r.starts_with('"') {
                crate::grammar::quoted_string(r).ok()?
            } else {
                token(r).ok()?
            };
            rest = r;
            Some((name, value))
        })
    }

    /// The value of `name` (case-insensitive), unquoted.
    pub fn get(&self, name: &str) -> Option<Cow<'a, str>> {
        self.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| unquote(v))
    }
}

/// A challenge or credentials: an auth scheme and its parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Challenge<'a> {
    scheme: &'a str,
    params: AuthParams<'a>,
}

/// Credentials have the same shape as a challenge (`Digest username="..", ...`).
pub type Credentials<'a> = Challenge<'a>;

impl<'a> Challenge<'a> {
    /// Parses `auth-scheme LWS auth-param *(COMMA auth-param)`; any scheme is accepted
    /// (RFC 4475 §3.3.7).
    pub fn parse(value: &'a str) -> Result<Challenge<'a>, HeaderError> {
        let e = |expected| HeaderError::Syntax {
            header: "WWW-Authenticate",
            expected,
        };
        let v = value.trim_start_matches(is_lws_char);
        let (rest, scheme) = token(v).map_err(|_| e("an auth scheme"))?;
        let params_text = rest.trim_start_matches(is_lws_char);
        if params_text.len() == rest.len() && !rest.is_empty() {
            return Err(e("white space after the auth scheme"));
        }
        Ok(Challenge {
            scheme,
            params: AuthParams::parse(params_text)?,
        })
    }

    /// The scheme, e.g. `Digest`.
    pub fn scheme(&self) -> &'a str {
        self.scheme
    }

    /// Whether the scheme is Digest (case-insensitive).
    pub fn is_digest(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("Digest")
    }

    /// The parameters.
    pub fn params(&self) -> AuthParams<'a> {
        self.params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let c = Challenge::parse("Digest realm=\"atlanta.com\",\r\n domain=\"sip:ss1.carrier.com\", qop=\"auth\", nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=FALSE, algorithm=MD5").unwrap();
        assert!(c.is_digest());
        assert_eq!(c.params().get("REALM").unwrap(), "atlanta.com");
        assert_eq!(c.params().get("stale").unwrap(), "FALSE");
        assert_eq!(c.params().iter().count(), 7);
        let c = Challenge::parse("NoOneKnowsThisScheme opaque-data=here").unwrap();
        assert_eq!(c.scheme(), "NoOneKnowsThisScheme");
        assert!(Challenge::parse("Digest realm=").is_err());
        assert!(Challenge::parse("Digest realm=\"x\",").is_err());
        assert!(Challenge::parse("").is_err());
        let info =
            AuthParams::parse("nextnonce=\"47364c23432d2e131a5fb210812c\", qop=auth").unwrap();
        assert_eq!(
            info.get("nextnonce").unwrap(),
            "47364c23432d2e131a5fb210812c"
        );
    }
}
