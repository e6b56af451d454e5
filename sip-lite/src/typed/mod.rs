//! Typed views of header values, parsed on demand.
//!
//! Each view borrows from the message (no allocation for the common reads), and
//! [`Headers`] has an accessor per header: `headers.top_via()`,
//! `headers.cseq()`, `headers.from_addr()`, ... An accessor returns `None` when the header is
//! absent and `Some(Err(..))` when its value does not follow the grammar.
//!
//! ```
//! use sip_lite::Message;
//!
//! let msg = Message::parse(
//!     "BYE sip:bob@192.0.2.4 SIP/2.0\r\n\
//!      Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bKnashds10\r\n\
//!      From: Alice <sip:alice@example.com>;tag=1928301774\r\n\
//!      To: Bob <sip:bob@example.com>;tag=a6c85cf\r\n\
//!      Call-ID: a84b4c76e66710\r\n\
//!      CSeq: 231 BYE\r\n\
//!      Content-Length: 0\r\n\r\n",
//! )?;
//! let h = msg.headers();
//! assert_eq!(h.top_via().unwrap()?.branch(), Some("z9hG4bKnashds10"));
//! assert_eq!(h.from_addr().unwrap()?.tag(), Some("1928301774"));
//! assert_eq!(h.cseq().unwrap()?.seq, 231);
//! assert_eq!(h.call_id().unwrap()?, "a84b4c76e66710");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod name_addr;
mod params;
mod values;
mod via;

pub use auth::{AuthParams, Challenge, Credentials};
pub use name_addr::NameAddr;
pub use params::{Param, ParamList};
pub use values::{CSeq, ContactPredicate, ContactValue, MediaType, parse_call_id};
pub use via::{BRANCH_MAGIC_COOKIE, Via};

pub(crate) use values::{parse_bounded, parse_token_item};

use crate::header::{HeaderName, Headers};
use crate::{Method, StatusCode};

/// A header value that does not follow its grammar.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// The value does not match the header's grammar.
    #[error("{header}: expected {expected}")]
    Syntax {
        /// The header.
        header: &'static str,
        /// What the parser expected where it stopped.
        expected: &'static str,
    },
    /// A number is larger than the header allows (RFC 4475 §3.1.2.4, §3.1.2.5).
    #[error("{header}: number larger than {max}")]
    OutOfRange {
        /// The header.
        header: &'static str,
        /// The largest allowed value.
        max: u64,
    },
}

impl HeaderError {
    pub(crate) const NAME_ADDR: &'static str = "name-addr";

    /// The response a UAS sends for a request with this error: 400 (RFC 3261 §8.2).
    pub fn status(&self) -> StatusCode {
        StatusCode::BAD_REQUEST
    }

    /// The header the error is about.
    pub fn header(&self) -> &'static str {
        match self {
            HeaderError::Syntax { header, .. } | HeaderError::OutOfRange { header, .. } => header,
        }
    }
}

fn relabel(e: HeaderError, header: &'static str) -> HeaderError {
    match e {
        HeaderError::Syntax { expected, .. } => HeaderError::Syntax { header, expected },
        HeaderError::OutOfRange { max, .. } => HeaderError::OutOfRange { header, max },
    }
}

/// Items of a list header where an empty item is an error (Via, Contact, Route...).
fn strict_items<'a>(
    h: &'a Headers,
    name: &'a HeaderName,
    label: &'static str,
) -> impl Iterator<Item = Result<&'a str, HeaderError>> + 'a {
    h.list(name).map(move |item| {
        if item.is_empty() {
            Err(HeaderError::Syntax {
                header: label,
                expected: "a value between commas",
            })
        } else {
            Ok(item)
        }
    })
}

/// Items of a token list where an empty header value means "no items" (Supported,
/// Require, Allow ...).
fn token_items<'a>(
    h: &'a Headers,
    name: &'a HeaderName,
    label: &'static str,
) -> impl Iterator<Item = Result<&'a str, HeaderError>> + 'a {
    h.get_all(name).flat_map(move |v| {
        let s = v.as_str();
        let empty = s.is_empty();
        crate::grammar::split_list(s)
            .filter(move |_| !empty)
            .map(move |item| parse_token_item(label, item))
    })
}

static VIA: HeaderName = HeaderName::Via;
static CONTACT: HeaderName = HeaderName::Contact;
static ROUTE: HeaderName = HeaderName::Route;
static RECORD_ROUTE: HeaderName = HeaderName::RecordRoute;
static PAI: HeaderName = HeaderName::PAssertedIdentity;
static PPI: HeaderName = HeaderName::PPreferredIdentity;
static ACCEPT: HeaderName = HeaderName::Accept;
static ACCEPT_CONTACT: HeaderName = HeaderName::AcceptContact;
static REJECT_CONTACT: HeaderName = HeaderName::RejectContact;
static ALLOW: HeaderName = HeaderName::Allow;

impl Headers {
    /// Every Via element, top first (several lines and comma-separated values alike).
    pub fn vias(&self) -> impl Iterator<Item = Result<Via<'_>, HeaderError>> {
        strict_items(self, &VIA, "Via").map(|r| r.and_then(Via::parse))
    }

    /// The topmost Via element.
    pub fn top_via(&self) -> Option<Result<Via<'_>, HeaderError>> {
        self.vias().next()
    }

    /// Call-ID (checked as `word ["@" word]`).
    pub fn call_id(&self) -> Option<Result<&str, HeaderError>> {
        self.get(&HeaderName::CallId)
            .map(|v| parse_call_id(v.as_str()))
    }

    /// CSeq.
    pub fn cseq(&self) -> Option<Result<CSeq, HeaderError>> {
        self.get(&HeaderName::CSeq).map(|v| CSeq::parse(v.as_str()))
    }

    /// From (named `from_addr` to stay clear of `From::from`).
    pub fn from_addr(&self) -> Option<Result<NameAddr<'_>, HeaderError>> {
        self.get(&HeaderName::From)
            .map(|v| NameAddr::parse(v.as_str()).map_err(|e| relabel(e, "From")))
    }

    /// To.
    pub fn to_addr(&self) -> Option<Result<NameAddr<'_>, HeaderError>> {
        self.get(&HeaderName::To)
            .map(|v| NameAddr::parse(v.as_str()).map_err(|e| relabel(e, "To")))
    }

    /// Max-Forwards, 0..=255.
    pub fn max_forwards(&self) -> Option<Result<u8, HeaderError>> {
        self.get(&HeaderName::MaxForwards)
            .map(|v| parse_bounded("Max-Forwards", v.as_str(), 255).map(|n| n as u8))
    }

    /// Content-Length.
    pub fn content_length(&self) -> Option<Result<u32, HeaderError>> {
        self.get(&HeaderName::ContentLength)
            .map(|v| parse_bounded("Content-Length", v.as_str(), u32::MAX.into()).map(|n| n as u32))
    }

    /// Content-Type.
    pub fn content_type(&self) -> Option<Result<MediaType<'_>, HeaderError>> {
        self.get(&HeaderName::ContentType)
            .map(|v| MediaType::parse(v.as_str()))
    }

    /// Expires, in seconds (delta-seconds up to 2**32-1).
    pub fn expires(&self) -> Option<Result<u32, HeaderError>> {
        self.get(&HeaderName::Expires)
            .map(|v| parse_bounded("Expires", v.as_str(), u32::MAX.into()).map(|n| n as u32))
    }

    /// Min-Expires, in seconds.
    pub fn min_expires(&self) -> Option<Result<u32, HeaderError>> {
        self.get(&HeaderName::MinExpires)
            .map(|v| parse_bounded("Min-Expires", v.as_str(), u32::MAX.into()).map(|n| n as u32))
    }

    /// Every Contact element (`*` or an address with q, expires and feature parameters).
    pub fn contacts(&self) -> impl Iterator<Item = Result<ContactValue<'_>, HeaderError>> {
        strict_items(self, &CONTACT, "Contact").map(|r| r.and_then(ContactValue::parse))
    }

    /// Every Route element, in order.
    pub fn routes(&self) -> impl Iterator<Item = Result<NameAddr<'_>, HeaderError>> {
        strict_items(self, &ROUTE, "Route").map(|r| r.and_then(|i| bracketed(i, "Route")))
    }

    /// Every Record-Route element, in order.
    pub fn record_routes(&self) -> impl Iterator<Item = Result<NameAddr<'_>, HeaderError>> {
        strict_items(self, &RECORD_ROUTE, "Record-Route")
            .map(|r| r.and_then(|i| bracketed(i, "Record-Route")))
    }

    /// Every P-Asserted-Identity (RFC 3325).
    pub fn p_asserted_identities(&self) -> impl Iterator<Item = Result<NameAddr<'_>, HeaderError>> {
        strict_items(self, &PAI, "P-Asserted-Identity").map(|r| {
            r.and_then(|i| NameAddr::parse(i).map_err(|e| relabel(e, "P-Asserted-Identity")))
        })
    }

    /// Every P-Preferred-Identity (RFC 3325).
    pub fn p_preferred_identities(
        &self,
    ) -> impl Iterator<Item = Result<NameAddr<'_>, HeaderError>> {
        strict_items(self, &PPI, "P-Preferred-Identity").map(|r| {
            r.and_then(|i| NameAddr::parse(i).map_err(|e| relabel(e, "P-Preferred-Identity")))
        })
    }

    /// Every media range of Accept. An empty Accept header yields nothing (RFC 3261 §20.1:
    /// the UAS accepts no body).
    pub fn accept(&self) -> impl Iterator<Item = Result<MediaType<'_>, HeaderError>> {
        self.get_all(&ACCEPT).flat_map(|v| {
            let s = v.as_str();
            let empty = s.is_empty();
            crate::grammar::split_list(s)
                .filter(move |_| !empty)
                .map(|i| MediaType::parse_range(i, "Accept"))
        })
    }

    /// Every Accept-Contact predicate (RFC 3841).
    pub fn accept_contact(
        &self,
    ) -> impl Iterator<Item = Result<ContactPredicate<'_>, HeaderError>> {
        strict_items(self, &ACCEPT_CONTACT, "Accept-Contact")
            .map(|r| r.and_then(ContactPredicate::parse))
    }

    /// Every Reject-Contact predicate (RFC 3841).
    pub fn reject_contact(
        &self,
    ) -> impl Iterator<Item = Result<ContactPredicate<'_>, HeaderError>> {
        strict_items(self, &REJECT_CONTACT, "Reject-Contact")
            .map(|r| r.and_then(ContactPredicate::parse))
    }

    /// Every method of Allow.
    pub fn allow(&self) -> impl Iterator<Item = Result<Method, HeaderError>> {
        token_items(self, &ALLOW, "Allow").map(|r| {
            r.and_then(|m| {
                Method::parse(m).map_err(|_| HeaderError::Syntax {
                    header: "Allow",
                    expected: "a method",
                })
            })
        })
    }

    /// Every option tag of a Supported, Require, Proxy-Require or Unsupported header
    /// (`name`), across all its lines.
    pub fn option_tags<'a>(
        &'a self,
        name: &'a HeaderName,
    ) -> impl Iterator<Item = Result<&'a str, HeaderError>> + 'a {
        token_items(self, name, "option tag list")
    }

    /// Every challenge in WWW-Authenticate (`name` = [`HeaderName::WwwAuthenticate`]) or
    /// Proxy-Authenticate, one per header line, in order, or the credentials of
    /// Authorization/Proxy-Authorization.
    pub fn challenges<'a>(
        &'a self,
        name: &'a HeaderName,
    ) -> impl Iterator<Item = Result<Challenge<'a>, HeaderError>> + 'a {
        self.get_all(name).map(|v| Challenge::parse(v.as_str()))
    }

    /// Authentication-Info parameters.
    pub fn authentication_info(&self) -> Option<Result<AuthParams<'_>, HeaderError>> {
        self.get(&HeaderName::AuthenticationInfo)
            .map(|v| AuthParams::parse(v.as_str()))
    }

    /// User-Agent, as text.
    pub fn user_agent(&self) -> Option<&str> {
        self.get(&HeaderName::UserAgent).map(|v| v.as_str())
    }
}

/// Route and Record-Route elements must be `name-addr` (RFC 3261 §20.30, §20.34).
fn bracketed<'a>(item: &'a str, header: &'static str) -> Result<NameAddr<'a>, HeaderError> {
    let na = NameAddr::parse(item).map_err(|e| relabel(e, header))?;
    if na.is_bracketed() {
        Ok(na)
    } else {
        Err(HeaderError::Syntax {
            header,
            expected: "a name-addr in '<>'",
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::{HeaderName, Message, Method};

    #[test]
    fn accessors_over_a_tortuous_message() {
        let raw = "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\r\n\
TO :\r\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n\
from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8\r\n\
MaX-fOrWaRdS: 0068\r\n\
Call-ID: wsinv.ndaksdj@192.0.2.1\r\n\
Content-Length   : 0\r\n\
cseq: 0009\r\n  INVITE\r\n\
Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw\r\n\
v:  SIP  / 2.0  / TCP     spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8  ,\r\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\r\n z9hG4bK30239\r\n\
m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\r\n      newvalue ;\r\n  secondparam ; q = 0.33\r\n\
Supported:\r\n\
k: 100rel, timer\r\n\
Accept: application/sdp, text/*;q=0.5\r\n\
Allow: INVITE, ACK,BYE\r\n\
WWW-Authenticate: Digest realm=\"a\", nonce=\"b\"\r\n\r\n";
        let m = Message::parse(raw).unwrap();
        let h = m.headers();
        assert_eq!(h.to_addr().unwrap().unwrap().tag(), Some("1918181833n"));
        assert_eq!(h.from_addr().unwrap().unwrap().tag(), Some("98asjd8"));
        assert_eq!(h.max_forwards().unwrap(), Ok(68));
        assert_eq!(h.cseq().unwrap().unwrap().method, Method::Invite);
        let vias: Vec<_> = h.vias().map(Result::unwrap).collect();
        assert_eq!(vias.len(), 3);
        assert_eq!(vias[2].branch(), Some("z9hG4bK30239"));
        let c: Vec<_> = h.contacts().map(Result::unwrap).collect();
        assert_eq!(c[0].q(), Some(330));
        assert_eq!(
            c[0].address().unwrap().params().value("newparam"),
            Some(Some("newvalue"))
        );
        let tags: Vec<_> = h
            .option_tags(&HeaderName::Supported)
            .map(Result::unwrap)
            .collect();
        assert_eq!(tags, ["100rel", "timer"]);
        assert_eq!(h.accept().count(), 2);
        assert_eq!(
            h.allow().map(Result::unwrap).collect::<Vec<_>>(),
            [Method::Invite, Method::Ack, Method::Bye]
        );
        let ch: Vec<_> = h
            .challenges(&HeaderName::WwwAuthenticate)
            .map(Result::unwrap)
            .collect();
        assert_eq!(ch[0].params().get("nonce").unwrap(), "b");
        assert_eq!(h.content_length(), Some(Ok(0)));
    }
}
