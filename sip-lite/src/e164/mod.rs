//! E.164 normalisation: telephone numbers as people write them, and `tel:`/`sip:` URIs,
//! reduced to one comparable form ([`E164`]), so that the number of a circuit-switched call
//! can be matched with the SIP identity (P-Asserted-Identity, From) of a request about it
//! (3GPP TS 23.279 / TS 24.279 CSI; the `csi-state` crate builds on this).
//!
//! ```
//! use sip_lite::e164::{NumberingPlan, normalize_number, normalize_uri};
//! use sip_lite::Uri;
//!
//! let uk = NumberingPlan::new("44")?.with_international_prefix("00")?.with_trunk_prefix("0")?;
//! // The number the phone shows for the CS call...
//! let cs = normalize_number("020 7946 0000", &uk)?;
//! assert_eq!(cs.to_string(), "+442079460000");
//! // ...and the identity asserted on the SIP request.
//! let pai: Uri = "sip:+44-20-7946-0000@ims.example.net;user=phone".parse()?;
//! assert_eq!(normalize_uri(&pai, &uk)?, cs);
//! assert!(cs.matches_uri(&"tel:+442079460000".parse()?, &uk));
//! // A withheld identity never correlates.
//! let anon: Uri = "sip:anonymous@anonymous.invalid".parse()?;
//! assert!(normalize_uri(&anon, &uk).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Choices made where the standards leave room are listed on [`normalize_number`] and
//! [`normalize_uri`].

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::uri::{SipUri, TelUri, Uri, UriError};

mod plan;

pub use plan::NumberingPlan;

/// The most digits an international E.164 number has, country code included
/// (ITU-T E.164 §6.1).
pub const MAX_DIGITS: usize = 15;

/// How many digits of the input are looked at before a number is declared too long; bounds
/// the memory used on hostile input.
const SCAN_LIMIT: usize = 64;

/// Why a number or URI could not be normalised to E.164.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum E164Error {
    /// Nothing but white space and visual separators.
    #[error("no telephone number")]
    Empty,
    /// A character that is not a digit, a visual separator (`-`, `.`, ` `, `(`, `)`) or a
    /// leading `+`: a letter, `*`, `#`, a second `+`, unbalanced parentheses...
    #[error("character {character:?} at byte {position} is not allowed in a telephone number")]
    InvalidCharacter {
        /// Byte offset in the number as written (for a URI: in its number part).
        position: usize,
        /// The offending character.
        character: char,
    },
    /// A prefix (`+`, an international prefix, the trunk prefix) with no digits after it.
    #[error("no digits after the prefix")]
    TooShort,
    /// More digits than an E.164 number has (15, country code included).
    #[error("{digits} digits, more than the 15 of an E.164 number")]
    TooLong {
        /// How many digits the number would have (at least 65 means "more than 64").
        digits: usize,
    },
    /// The number would start with 0, which no country code does (ITU-T E.164 §6.2.1).
    #[error("an international number cannot start with 0")]
    LeadingZero,
    /// A national or local number, but the [`NumberingPlan`] has no country code to complete
    /// it (the default plan knows no country).
    #[error("national or local number and no country code to complete it")]
    NoCountryContext,
    /// A local `tel:` number whose `phone-context` is a domain name (RFC 3966 §5.1.5): its
    /// meaning is private to that domain, so it has no E.164 form.
    #[error("local number in a domain phone-context has no E.164 form")]
    DomainContext,
    /// The URI names no telephone number: a scheme other than `tel`/`sip`/`sips`, a SIP URI
    /// without user part, or a user part that is not a telephone number (`sip:alice@host`).
    #[error("not a telephone identity")]
    NotTelephoneIdentity,
    /// The anonymous identity of RFC 3323 §4.1.1.3 (`sip:anonymous@anonymous.invalid`): the
    /// number is withheld.
    #[error("anonymous identity")]
    Anonymous,
    /// A [`NumberingPlan`] field is malformed: a country code must be 1 to 3 digits not
    /// starting with 0; prefixes and area codes 1 to 12 digits.
    #[error("invalid numbering plan: bad {field}")]
    InvalidPlan {
        /// The field at fault.
        field: &'static str,
    },
}

/// An international telephone number in E.164 form: 1 to 15 decimal digits, the first not 0,
/// country code first. [`Display`](fmt::Display) writes it with a leading `+`
/// (`+442079460000`), which is also the form [`FromStr`] reads and, with the `serde`
/// feature, the string it (de)serialises as.
///
/// ```
/// use sip_lite::e164::E164;
/// let n: E164 = "+442079460000".parse()?;
/// assert_eq!(n.digits(), "442079460000");
/// assert_eq!(n.tel_uri(), "tel:+442079460000");
/// assert_eq!(E164::from_digits("442079460000")?, n);
/// assert!("442079460000".parse::<E164>().is_err()); // the '+' is required
/// # Ok::<(), sip_lite::e164::E164Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct E164(Box<str>);

impl E164 {
    /// Builds a number from its digits alone (no `+`, no separators).
    pub fn from_digits(digits: &str) -> Result<Self, E164Error> {
        if let Some((position, character)) =
            digits.char_indices().find(|(_, c)| !c.is_ascii_digit())
        {
            return Err(E164Error::InvalidCharacter {
                position,
                character,
            });
        }
        finish(digits)
    }

    /// The digits, without `+`.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The number as a global `tel:` URI, e.g. `tel:+442079460000` (RFC 3966 §5.1.4), the
    /// form CSI targets a peer with.
    pub fn tel_uri(&self) -> String {
        format!("tel:+{}", self.0)
    }

    /// Whether `uri` names this number under `plan` (see [`normalize_uri`]); URIs that cannot
    /// be normalised never match.
    pub fn matches_uri(&self, uri: &Uri, plan: &NumberingPlan) -> bool {
        normalize_uri(uri, plan).is_ok_and(|n| n == *self)
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.0)
    }
}

impl fmt::Debug for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E164(+{})", self.0)
    }
}

impl FromStr for E164 {
    type Err = E164Error;
    /// Reads `+` followed by the digits, as [`Display`](fmt::Display) writes them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix('+') {
            Some(rest) => Self::from_digits(rest).map_err(|e| match e {
                E164Error::InvalidCharacter {
                    position,
                    character,
                } => E164Error::InvalidCharacter {
                    position: position + 1,
                    character,
                },
                other => other,
            }),
            None => match s.chars().next() {
                None => Err(E164Error::Empty),
                Some(character) => Err(E164Error::InvalidCharacter {
                    position: 0,
                    character,
                }),
            },
        }
    }
}

impl TryFrom<String> for E164 {
    type Error = E164Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<E164> for String {
    fn from(n: E164) -> String {
        n.to_string()
    }
}

/// Checks the final digit string: 1 to 15 digits, not starting with 0.
fn finish(digits: &str) -> Result<E164, E164Error> {
    if digits.is_empty() {
        return Err(E164Error::TooShort);
    }
    if digits.starts_with('0') {
        return Err(E164Error::LeadingZero);
    }
    if digits.len() > MAX_DIGITS {
        return Err(E164Error::TooLong {
            digits: digits.len(),
        });
    }
    Ok(E164(digits.into()))
}

/// The digits of a written number and what was noticed while reading it.
struct Scanned {
    digits: String,
    plus: bool,
    /// Digit ranges `(start, len)` written alone in parentheses, like the `(0)` of
    /// `+44 (0)20 ...`.
    groups: Vec<(usize, usize)>,
}

/// Reads digits, visual separators and a leading `+`.
fn scan(input: &str) -> Result<Scanned, E164Error> {
    let mut digits = String::new();
    let mut count = 0usize;
    let mut plus = false;
    let mut groups = Vec::new();
    // The open parenthesis: its byte offset, the digit count there, and whether only digits
    // (and white space) followed it.
    let mut open: Option<(usize, usize, bool)> = None;
    for (position, c) in input.char_indices() {
        let bad = || E164Error::InvalidCharacter {
            position,
            character: c,
        };
        match c {
            '0'..='9' => {
                if count < SCAN_LIMIT {
                    digits.push(c);
                }
                count += 1;
            }
            ' ' | '\t' => {}
            '-' | '.' => {
                if let Some((_, _, pure)) = &mut open {
                    *pure = false;
                }
            }
            '(' => {
                if open.is_some() {
                    return Err(bad());
                }
                open = Some((position, count, true));
            }
            ')' => {
                let (_, start, pure) = open.take().ok_or_else(bad)?;
                if pure && count > start {
                    groups.push((start, count - start));
                }
            }
            '+' if count == 0 && !plus && open.is_none() => plus = true,
            _ => return Err(bad()),
        }
    }
    if let Some((position, _, _)) = open {
        return Err(E164Error::InvalidCharacter {
            position,
            character: '(',
        });
    }
    if count > SCAN_LIMIT {
        return Err(E164Error::TooLong { digits: count });
    }
    Ok(Scanned {
        digits,
        plus,
        groups,
    })
}

/// Normalises a number as written by a person or shown by a phone to E.164.
///
/// Accepted forms (`plan` = United Kingdom, +44, international prefix 00, trunk prefix 0):
///
/// | input | result |
/// |---|---|
/// | `+44 20 7946 0000`, `+44-20-7946-0000`, `+44.20.7946.0000` | `+442079460000` |
/// | `+44 (0)20 7946 0000` | `+442079460000` (the `(0)` trunk prefix is dropped) |
/// | `0044 20 7946 0000` | `+442079460000` (international prefix) |
/// | `020 7946 0000`, `(020) 7946 0000` | `+442079460000` (trunk prefix -> country code) |
/// | `7946 0000` | the plan's area code, if any, is put in front; without one the digits are taken as a national significant number |
/// | `+44 020 7946 0000` | `+442079460000`: the plan's own trunk prefix written after its own country code is dropped |
/// | `12ab`, `+44+20`, `(20`, `*31#` | [`E164Error::InvalidCharacter`] |
///
/// Choices:
/// - Visual separators are space, tab, `-`, `.`, `(` and `)` (RFC 3966 §5.1.1's set plus the
///   space of E.123 printed numbers). Parentheses must balance and not nest.
/// - `(0)` (more exactly: parentheses holding only the trunk prefix, or only `0`) after a
///   `+`/international prefix is the E.123-discouraged "optional trunk prefix" and is dropped.
///   National significant numbers never start with their country's trunk prefix, which also
///   makes `+44 020...` safe to repair for the plan's own country. Other countries' numbers
///   are kept digit for digit, since their trunk prefixes are unknown here.
/// - International prefixes are tried before the trunk prefix (`00` before `0`), longest first.
pub fn normalize_number(input: &str, plan: &NumberingPlan) -> Result<E164, E164Error> {
    plan.check()?;
    let s = scan(input)?;
    if s.digits.is_empty() {
        return Err(if s.plus {
            E164Error::TooShort
        } else {
            E164Error::Empty
        });
    }
    let prefix_len = if s.plus {
        Some(0)
    } else {
        plan.international_prefix_of(&s.digits).map(str::len)
    };
    let Some(prefix_len) = prefix_len else {
        return national(&s.digits, plan);
    };
    // International form: drop "(0)"-style groups after the first country-code digit.
    let trunk = plan.trunk_prefix();
    let mut body = String::with_capacity(s.digits.len());
    for (i, c) in s.digits.char_indices().skip(prefix_len) {
        let in_trunk_group = s.groups.iter().any(|&(start, len)| {
            start > prefix_len
                && (start..start + len).contains(&i)
                && s.digits
                    .get(start..start + len)
                    .is_some_and(|g| g == "0" || trunk == Some(g))
        });
        if !in_trunk_group {
            body.push(c);
        }
    }
    // The plan's own trunk prefix written after its own country code: `+44 020 ...`.
    if let (Some(cc), Some(trunk)) = (plan.country_code(), trunk) {
        if let Some(rest) = body.strip_prefix(cc).and_then(|r| r.strip_prefix(trunk)) {
            if !rest.is_empty() {
                body = format!("{cc}{rest}");
            }
        }
    }
    finish(&body)
}

/// A number without `+` or international prefix, completed with the plan's country code.
fn national(digits: &str, plan: &NumberingPlan) -> Result<E164, E164Error> {
    let cc = plan.country_code().ok_or(E164Error::NoCountryContext)?;
    let nsn = match plan.trunk_prefix().and_then(|t| digits.strip_prefix(t)) {
        Some("") => return Err(E164Error::TooShort),
        Some(nsn) => nsn.to_owned(),
        None => match plan.area_code() {
            // A subscriber number dialled within its area.
            Some(area) if plan.trunk_prefix().is_some() => format!("{area}{digits}"),
            _ => digits.to_owned(),
        },
    };
    finish(&format!("{cc}{nsn}"))
}

/// Normalises the telephone number a `tel:`, `sip:` or `sips:` URI names to E.164.
///
/// | URI | result |
/// |---|---|
/// | `tel:+44-20-7946-0000` | `+442079460000` |
/// | `tel:79460000;phone-context=+44-20` | `+442079460000`: the numeric context's digits, then the local number |
/// | `tel:020-7946-0000;phone-context=+44` (plan for +44 with trunk prefix 0) | `+442079460000`: a national-format number in its own country's context loses the trunk prefix |
/// | `tel:7042;phone-context=example.com` | [`E164Error::DomainContext`] |
/// | `sip:+44-20-7946-0000@ims.example.net;user=phone` | `+442079460000` (the user part is a telephone-subscriber, RFC 3261 §19.1.1) |
/// | `sip:79460000;phone-context=+44-20@example.net;user=phone` | `+442079460000` |
/// | `sip:+442079460000@ims.example.net` (no `user=phone`) | `+442079460000`, see below |
/// | `sip:02079460000@ims.example.net` (no `user=phone`) | [`E164Error::NotTelephoneIdentity`] |
/// | `sip:alice@example.com`, `sip:example.com`, `mailto:a@b.example` | [`E164Error::NotTelephoneIdentity`] |
/// | `sip:anonymous@anonymous.invalid` | [`E164Error::Anonymous`] |
///
/// Choices:
/// - RFC 3966 §5.1.5 says a numeric `phone-context` identifies where a local number is valid
///   and is "not a prefix"; yet it "consists of the initial digits of a valid global number"
///   and deployed IMS networks (3GPP TS 24.229 home-local numbers) use it as exactly that,
///   so the context digits followed by the local digits are taken as the E.164 number. When
///   the context is the plan's own country code and the local number starts with the plan's
///   trunk prefix (a number dialled in national format), the trunk prefix is dropped.
/// - Local numbers holding `*`, `#` or hex digits are service codes with no E.164 form
///   ([`E164Error::InvalidCharacter`]).
/// - `ext`, `isub` and other parameters are ignored: they do not change which line is called.
/// - Without `user=phone` a SIP user part is a user name (RFC 3261 §19.1.1), but deployed
///   IMS clients write `sip:+4420...@domain` without it. Such a user part is accepted when it
///   is `+` followed only by digits and visual separators; anything else (including
///   national digits like `0207...`, which may as well be a PBX extension or account name)
///   is not a telephone identity.
/// - With `user=phone`, a local number missing its mandatory `phone-context` is read like a
///   dialled number under `plan` ([`normalize_number`]), as lenient peers send it.
/// - The user `anonymous` (any host) or the host `anonymous.invalid` is
///   [`E164Error::Anonymous`], checked first.
pub fn normalize_uri(uri: &Uri, plan: &NumberingPlan) -> Result<E164, E164Error> {
    plan.check()?;
    match uri {
        Uri::Tel(tel) => from_tel(tel, plan),
        Uri::Sip(sip) => from_sip(sip, plan),
        _ => Err(E164Error::NotTelephoneIdentity),
    }
}

fn is_visual_separator(c: char) -> bool {
    matches!(c, '-' | '.' | '(' | ')')
}

fn from_tel(tel: &TelUri, plan: &NumberingPlan) -> Result<E164, E164Error> {
    let number = tel.number();
    let bad = number
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || is_visual_separator(c) || (c == '+' && i == 0)));
    if let Some((position, character)) = bad {
        return Err(E164Error::InvalidCharacter {
            position,
            character,
        });
    }
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    if digits.len() > SCAN_LIMIT {
        return Err(E164Error::TooLong {
            digits: digits.len(),
        });
    }
    if tel.is_global() {
        return finish(&digits);
    }
    // RFC 3966 §5.1.5: a local number is meaningful only with its context.
    let context = tel.phone_context().ok_or(E164Error::NoCountryContext)?;
    if !context.starts_with('+') {
        return Err(E164Error::DomainContext);
    }
    let context_digits: String = context.chars().filter(char::is_ascii_digit).collect();
    let local = match (plan.country_code(), plan.trunk_prefix()) {
        (Some(cc), Some(trunk)) if cc == context_digits => {
            digits.strip_prefix(trunk).unwrap_or(&digits)
        }
        _ => &digits,
    };
    if local.is_empty() {
        return Err(E164Error::TooShort);
    }
    finish(&format!("{context_digits}{local}"))
}

fn from_sip(sip: &SipUri, plan: &NumberingPlan) -> Result<E164, E164Error> {
    // RFC 3323 §4.1.1.3: the anonymous URI of a withheld identity.
    if sip.host_str().eq_ignore_ascii_case("anonymous.invalid") {
        return Err(E164Error::Anonymous);
    }
    let user = sip
        .user_unescaped()
        .ok_or(E164Error::NotTelephoneIdentity)?;
    let user = std::str::from_utf8(&user).map_err(|_| E164Error::NotTelephoneIdentity)?;
    if user.eq_ignore_ascii_case("anonymous") {
        return Err(E164Error::Anonymous);
    }
    if sip.is_user_phone() {
        // RFC 3261 §19.1.1: the user part is a telephone-subscriber (RFC 3966 grammar).
        return match TelUri::from_subscriber(user) {
            Ok(tel) => from_tel(&tel, plan),
            Err(UriError::MissingPhoneContext) => {
                let number = user.split(';').next().unwrap_or_default();
                normalize_number(number, plan)
            }
            Err(_) => Err(E164Error::NotTelephoneIdentity),
        };
    }
    // No user=phone: only an unmistakable global number (see the choices above).
    let Some(rest) = user.strip_prefix('+') else {
        return Err(E164Error::NotTelephoneIdentity);
    };
    let telephone_like = rest.chars().any(|c| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || is_visual_separator(c));
    if !telephone_like {
        return Err(E164Error::NotTelephoneIdentity);
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    finish(&digits)
}

#[cfg(test)]
mod tests;
