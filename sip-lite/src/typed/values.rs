//! Typed views of the simpler headers: CSeq, Call-ID, numbers, media types, token lists,
//! Contact and Accept-Contact.

use std::fmt;

use crate::Method;
use crate::grammar::{
    digits_u64, is_lws_char, is_token, lws, parse_number, sep, sws, token, trim_lws,
};
use crate::typed::{HeaderError, NameAddr, ParamList};

/// CSeq: sequence number and method (RFC 3261 §20.16; the number is below 2**31, §8.1.1.5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CSeq {
    /// The sequence number.
    pub seq: u32,
    /// The method.
    pub method: Method,
}

impl CSeq {
    /// Largest sequence number allowed (RFC 3261 §8.1.1.5: less than 2**31).
    pub const MAX: u32 = (1 << 31) - 1;

    /// Parses a CSeq value.
    pub fn parse(value: &str) -> Result<CSeq, HeaderError> {
        let e = |expected| HeaderError::Syntax {
            header: "CSeq",
            expected,
        };
        let (i, _) = sws(value).map_err(|_| e("a sequence number"))?;
        let (i, seq) = digits_u64(i).map_err(|_| HeaderError::OutOfRange {
            header: "CSeq",
            max: CSeq::MAX.into(),
        })?;
        if seq > u64::from(CSeq::MAX) {
            return Err(HeaderError::OutOfRange {
                header: "CSeq",
                max: CSeq::MAX.into(),
            });
        }
        let (i, _) = lws(i).map_err(|_| e("white space after the sequence number"))?;
        let (i, m) = token(i).map_err(|_| e("a method"))?;
        if !trim_lws(i).is_empty() {
            return Err(e("the end of the value after the method"));
        }
        Ok(CSeq {
            seq: seq as u32,
            method: Method::parse(m).map_err(|_| e("a method"))?,
        })
    }
}

impl fmt::Display for CSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

/// Checks a Call-ID: `word ["@" word]` (RFC 3261 §25.1).
pub fn parse_call_id(value: &str) -> Result<&str, HeaderError> {
    let v = trim_lws(value);
    let word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~()<>:\\\"/[]?{}".contains(&b))
    };
    let ok = match v.split_once('@') {
        Some((a, b)) => word(a) && word(b),
        None => word(v),
    };
    if ok {
        Ok(v)
    } else {
        Err(HeaderError::Syntax {
            header: "Call-ID",
            expected: "word [\"@\" word]",
        })
    }
}

/// A number header with an upper bound: Max-Forwards (0..=255), Expires, Min-Expires,
/// Content-Length (delta-seconds/digits up to 2**32-1).
pub(crate) fn parse_bounded(
    header: &'static str,
    value: &str,
    max: u64,
) -> Result<u64, HeaderError> {
    let v = trim_lws(value);
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HeaderError::Syntax {
            header,
            expected: "1*DIGIT",
        });
    }
    parse_number(v, max).ok_or(HeaderError::OutOfRange { header, max })
}

/// A media type with parameters, `type/subtype;param=value` (Content-Type, RFC 3261 §20.15).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MediaType<'a> {
    type_: &'a str,
    subtype: &'a str,
    params: ParamList<'a>,
}

impl<'a> MediaType<'a> {
    /// Parses a media type (no wildcards).
    pub fn parse(value: &'a str) -> Result<MediaType<'a>, HeaderError> {
        let m = Self::parse_range(value, "Content-Type")?;
        if m.type_ == "*" || m.subtype == "*" {
            return Err(HeaderError::Syntax {
                header: "Content-Type",
                expected: "a media type without wildcards",
            });
        }
        Ok(m)
    }

    /// Parses a media range as in Accept (`*/*`, `type/*` allowed).
    pub(crate) fn parse_range(
        value: &'a str,
        header: &'static str,
    ) -> Result<MediaType<'a>, HeaderError> {
        let e = |expected| HeaderError::Syntax { header, expected };
        let (i, _) = sws(value).map_err(|_| e("a media type"))?;
        let (i, type_) = token(i).map_err(|_| e("a media type"))?;
        let (i, ()) = sep("/")(i).map_err(|_| e("'/' in the media type"))?;
        let (i, subtype) = token(i).map_err(|_| e("a media subtype"))?;
        let (i, params) = ParamList::parse(i).map_err(|_| e("media type parameters"))?;
        if !trim_lws(i).is_empty() {
            return Err(e("the end of the media type"));
        }
        Ok(MediaType {
            type_,
            subtype,
            params,
        })
    }

    /// The type, e.g. `application`.
    pub fn type_(&self) -> &'a str {
        self.type_
    }

    /// The subtype, e.g. `sdp`.
    pub fn subtype(&self) -> &'a str {
        self.subtype
    }

    /// The parameters.
    pub fn params(&self) -> ParamList<'a> {
        self.params
    }

    /// Whether this is `type/subtype` (case-insensitive), ignoring parameters.
    pub fn is(&self, type_: &str, subtype: &str) -> bool {
        self.type_.eq_ignore_ascii_case(type_) && self.subtype.eq_ignore_ascii_case(subtype)
    }

    /// Whether this media range (from Accept) covers `other`.
    pub fn covers(&self, other: &MediaType<'_>) -> bool {
        (self.type_ == "*" || self.type_.eq_ignore_ascii_case(other.type_))
            && (self.subtype == "*" || self.subtype.eq_ignore_ascii_case(other.subtype))
    }
}

impl fmt::Debug for MediaType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for MediaType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}{}", self.type_, self.subtype, self.params)
    }
}

/// Checks a list element that must be a single token (option tags, methods in Allow).
pub(crate) fn parse_token_item<'a>(
    header: &'static str,
    item: &'a str,
) -> Result<&'a str, HeaderError> {
    if is_token(item) {
        Ok(item)
    } else {
        Err(HeaderError::Syntax {
            header,
            expected: "a token",
        })
    }
}

/// One element of a Contact header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContactValue<'a> {
    /// `*` (REGISTER removing all bindings, RFC 3261 §10.2.2).
    Star,
    /// An address with its contact parameters.
    Address(NameAddr<'a>),
}

impl<'a> ContactValue<'a> {
    /// Parses one element of a Contact list and checks `q` and `expires`.
    pub fn parse(item: &'a str) -> Result<ContactValue<'a>, HeaderError> {
        if trim_lws(item) == "*" {
            return Ok(ContactValue::Star);
        }
        let (rest, na) = NameAddr::parse_prefix(item, "Contact")?;
        if !rest.is_empty() {
            return Err(HeaderError::Syntax {
                header: "Contact",
                expected: "',' or the end of the value",
            });
        }
        if let Some(q) = na.params().get("q") {
            if q.value.is_none_or(|v| parse_qvalue(v).is_none()) {
                return Err(HeaderError::Syntax {
                    header: "Contact",
                    expected: "a qvalue (0 to 1, 3 decimals)",
                });
            }
        }
        if let Some(e) = na.params().get("expires") {
            match e.value {
                Some(v) => {
                    parse_bounded("Contact", v, u32::MAX.into())?;
                }
                None => {
                    return Err(HeaderError::Syntax {
                        header: "Contact",
                        expected: "expires=delta-seconds",
                    });
                }
            }
        }
        Ok(ContactValue::Address(na))
    }

    /// The address, unless this is `*`.
    pub fn address(&self) -> Option<&NameAddr<'a>> {
        match self {
            ContactValue::Star => None,
            ContactValue::Address(a) => Some(a),
        }
    }

    /// The `expires` parameter in seconds.
    pub fn expires(&self) -> Option<u32> {
        let v = self.address()?.params().value("expires")??;
        parse_number(v, u32::MAX.into()).map(|v| v as u32)
    }

    /// The `q` parameter in thousandths (1000 = 1.0).
    pub fn q(&self) -> Option<u16> {
        parse_qvalue(self.address()?.params().value("q")??)
    }
}

/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
pub(crate) fn parse_qvalue(v: &str) -> Option<u16> {
    let (int, frac) = match v.split_once('.') {
        Some((i, f)) => (i, f),
        None => (v, ""),
    };
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut thousandths: u16 = 0;
    for (k, b) in frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .enumerate()
    {
        thousandths += u16::from(b - b'0') * [100, 10, 1][k];
    }
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// One element of Accept-Contact or Reject-Contact: `*` followed by feature parameters
/// (RFC 3841 §10), e.g. `*;+g.3gpp.iari-ref="urn%3Aurn-7%3A...";require;explicit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContactPredicate<'a> {
    params: ParamList<'a>,
}

impl<'a> ContactPredicate<'a> {
    /// Parses one `ac-value`/`rc-value`.
    pub fn parse(item: &'a str) -> Result<ContactPredicate<'a>, HeaderError> {
        let e = |expected| HeaderError::Syntax {
            header: "Accept-Contact",
            expected,
        };
        let i = item.trim_start_matches(is_lws_char);
        let i = i.strip_prefix('*').ok_or(e("'*'"))?;
        let (rest, params) = ParamList::parse(i).map_err(|_| e("feature parameters"))?;
        if !trim_lws(rest).is_empty() {
            return Err(e("the end of the value"));
        }
        Ok(ContactPredicate { params })
    }

    /// The parameters (feature tags plus `require` and `explicit`).
    pub fn params(&self) -> ParamList<'a> {
        self.params
    }

    /// Whether `require` is present.
    pub fn require(&self) -> bool {
        self.params.contains("require")
    }

    /// Whether `explicit` is present.
    pub fn explicit(&self) -> bool {
        self.params.contains("explicit")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cseq_and_numbers() {
        assert_eq!(
            CSeq::parse("0009\r\n  INVITE").unwrap(),
            CSeq {
                seq: 9,
                method: Method::Invite
            }
        );
        assert_eq!(CSeq::parse("2147483647 ACK").unwrap().seq, CSeq::MAX);
        assert!(matches!(
            CSeq::parse("2147483648 ACK"),
            Err(HeaderError::OutOfRange { .. })
        ));
        assert!(matches!(
            CSeq::parse("36893488147419103232 REGISTER"),
            Err(HeaderError::OutOfRange { .. })
        ));
        assert!(
            CSeq::parse("1").is_err()
                && CSeq::parse("x INVITE").is_err()
                && CSeq::parse("1 INVITE x").is_err()
        );
        assert_eq!(parse_bounded("Max-Forwards", "0068", 255), Ok(68));
        assert!(parse_bounded("Max-Forwards", "300", 255).is_err());
        assert!(parse_bounded("Expires", "-1", 10).is_err());
        assert_eq!(
            parse_call_id(" a84b4c76e66710@pc33.atlanta.com "),
            Ok("a84b4c76e66710@pc33.atlanta.com")
        );
        assert!(
            parse_call_id("a b").is_err()
                && parse_call_id("a@").is_err()
                && parse_call_id("a@b@c").is_err()
        );
    }

    #[test]
    fn media_types() {
        let m = MediaType::parse("multipart/mixed; boundary=\"7a9cbec02ceef655\"").unwrap();
        assert!(m.is("Multipart", "MIXED"));
        assert_eq!(
            m.params()
                .get("boundary")
                .unwrap()
                .unquoted_value()
                .unwrap(),
            "7a9cbec02ceef655"
        );
        assert!(MediaType::parse("application").is_err());
        assert!(MediaType::parse("*/*").is_err());
        let any = MediaType::parse_range("*/*", "Accept").unwrap();
        assert!(any.covers(&m));
        let app = MediaType::parse_range("application/*;q=0.5", "Accept").unwrap();
        assert!(!app.covers(&m));
    }

    #[test]
    fn contacts() {
        let c = ContactValue::parse(
            "\"Mr. Watson\" <sip:watson@worcester.example.com>;q=0.7; expires=3600",
        )
        .unwrap();
        assert_eq!((c.q(), c.expires()), (Some(700), Some(3600)));
        assert_eq!(ContactValue::parse(" * ").unwrap(), ContactValue::Star);
        assert!(
            ContactValue::parse("<sip:user@host129.example.com>\r\n  ;expires=280297596632815")
                .is_err()
        );
        assert!(ContactValue::parse("<sip:a@b>;q=1.5").is_err());
        assert_eq!(parse_qvalue("0.33"), Some(330));
        assert_eq!(parse_qvalue("1.000"), Some(1000));
        assert_eq!(parse_qvalue("1.001"), None);
        let p = ContactPredicate::parse("*;+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\";require;explicit").unwrap();
        assert!(p.require() && p.explicit());
        assert!(p.params().contains("+g.3gpp.iari-ref"));
        assert!(ContactPredicate::parse("sip:a@b").is_err());
    }
}
