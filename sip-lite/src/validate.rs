//! What a UAS checks after a request has parsed (RFC 3261 §8.2), separate from syntax.
//!
//! The parser accepts anything that follows the message grammar; whether a request can be
//! processed depends on the element. [`Validator`] runs the RFC 3261 §8.2 checks in the RFC's
//! order and says which response to send.

use crate::header::{HeaderName, Headers};
use crate::message::{Message, Request, Response, Version};
use crate::typed::NameAddr;
use crate::typed::{HeaderError, MediaType};
use crate::{Method, StatusCode, Uri, UriError};

/// Why a request (or response) cannot be processed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// A version other than SIP/2.0 (answer 505).
    #[error("unsupported version SIP/{}.{}", .0.major, .0.minor)]
    UnsupportedVersion(Version),
    /// A mandatory header is missing (answer 400).
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    /// A header that allows one value appears more than once (answer 400).
    #[error("{0} appears more than once")]
    DuplicateHeader(&'static str),
    /// A header value does not follow its grammar (answer 400).
    #[error(transparent)]
    InvalidHeader(#[from] HeaderError),
    /// The CSeq method differs from the request method (answer 400, RFC 4475 §3.1.2.17).
    #[error("CSeq method {cseq} does not match request method {request}")]
    CSeqMethodMismatch {
        /// The method on the request line.
        request: Method,
        /// The method in CSeq.
        cseq: Method,
    },
    /// The Request-URI scheme is not one this element serves (answer 416, §8.2.2.1).
    #[error("unsupported Request-URI scheme {0:?}")]
    UnsupportedUriScheme(String),
    /// The Request-URI does not follow the URI grammar of its scheme (answer 400).
    #[error("invalid Request-URI: {0}")]
    InvalidRequestUri(UriError),
    /// A URI in From, To or Contact does not follow its grammar (answer 400).
    #[error("invalid URI in {header}: {error}")]
    InvalidUri {
        /// The header.
        header: &'static str,
        /// What is wrong with the URI.
        error: UriError,
    },
    /// Require lists extensions this element does not support (answer 420 with these in an
    /// Unsupported header, §8.2.2.3).
    #[error("unsupported extensions required: {0:?}")]
    BadExtension(Vec<String>),
    /// The body's Content-Type is not one this element accepts (answer 415 with an Accept
    /// header, §8.2.3).
    #[error("unsupported body type {0:?}")]
    UnsupportedMediaType(String),
    /// The request's Accept header allows none of the body types this element would answer
    /// with (answer 406, RFC 4475 §3.3.15).
    #[error("no acceptable response body type")]
    NotAcceptable,
}

impl Rejection {
    /// The status code to answer with.
    pub fn status(&self) -> StatusCode {
        match self {
            Rejection::UnsupportedVersion(_) => StatusCode::VERSION_NOT_SUPPORTED,
            Rejection::UnsupportedUriScheme(_) => StatusCode::UNSUPPORTED_URI_SCHEME,
            Rejection::BadExtension(_) => StatusCode::BAD_EXTENSION,
            Rejection::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Rejection::NotAcceptable => StatusCode::NOT_ACCEPTABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

/// The RFC 3261 §8.2 checks of a UAS, configured with what this element supports.
///
/// ```
/// use sip_lite::{Message, StatusCode, Validator};
///
/// let msg = Message::parse(
///     "OPTIONS sip:bob@example.com SIP/2.0\r\n\
///      Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n\
///      To: <sip:bob@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\n\
///      Call-ID: c1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\
///      Require: foo\r\nContent-Length: 0\r\n\r\n",
/// )?;
/// let err = Validator::default().check_request(msg.as_request().unwrap()).unwrap_err();
/// assert_eq!(err.status(), StatusCode::BAD_EXTENSION);
/// # Ok::<(), sip_lite::ParseError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Validator {
    /// Request-URI schemes served (lower case). Default `sip`, `sips`, `tel`.
    pub uri_schemes: Vec<String>,
    /// Option tags this element supports (Require checks). Default none.
    pub supported_extensions: Vec<String>,
    /// Body types accepted in requests, as `type/subtype` (lower case); empty accepts any.
    /// Default `application/sdp`.
    pub accepted_body_types: Vec<String>,
    /// Body types this element answers INVITE and OPTIONS with, checked against Accept;
    /// empty skips the check. Default `application/sdp`.
    pub response_body_types: Vec<String>,
}

impl Default for Validator {
    fn default() -> Self {
        Validator {
            uri_schemes: vec!["sip".into(), "sips".into(), "tel".into()],
            supported_extensions: Vec::new(),
            accepted_body_types: vec!["application/sdp".into()],
            response_body_types: vec!["application/sdp".into()],
        }
    }
}

/// Headers that may appear once (RFC 3261 §7.3.1: only list headers may repeat).
const SINGLE: [(HeaderName, &str); 9] = [
    (HeaderName::To, "To"),
    (HeaderName::From, "From"),
    (HeaderName::CSeq, "CSeq"),
    (HeaderName::CallId, "Call-ID"),
    (HeaderName::MaxForwards, "Max-Forwards"),
    (HeaderName::ContentType, "Content-Type"),
    (HeaderName::Expires, "Expires"),
    (HeaderName::MinExpires, "Min-Expires"),
    (HeaderName::ContentLength, "Content-Length"),
];

impl Validator {
    /// Sets [`Validator::supported_extensions`].
    pub fn supported_extensions<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        tags: I,
    ) -> Self {
        self.supported_extensions = tags.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`Validator::accepted_body_types`].
    pub fn accepted_body_types<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        types: I,
    ) -> Self {
        self.accepted_body_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`Validator::response_body_types`].
    pub fn response_body_types<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        types: I,
    ) -> Self {
        self.response_body_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`Validator::uri_schemes`].
    pub fn uri_schemes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, schemes: I) -> Self {
        self.uri_schemes = schemes.into_iter().map(Into::into).collect();
        self
    }

    /// Checks a received message: [`Validator::check_request`] for a request,
    /// [`Validator::check_response`] for a response.
    pub fn check(&self, msg: &Message) -> Result<(), Rejection> {
        match msg {
            Message::Request(req) => self.check_request(req),
            Message::Response(resp) => self.check_response(resp),
        }
    }

    /// Checks a request in the RFC 3261 §8.2 order: version, well-formedness of the headers
    /// every element relies on, Request-URI scheme, Require, body type, Accept.
    pub fn check_request(&self, req: &Request) -> Result<(), Rejection> {
        if req.version != Version::SIP_2_0 {
            return Err(Rejection::UnsupportedVersion(req.version));
        }
        let h = &req.headers;
        check_common(h)?;
        // Max-Forwards is mandatory in RFC 3261 requests but absent from RFC 2543 ones, which
        // a UAS still processes (RFC 4475 §3.4.1); when present it must be valid.
        if let Some(mf) = h.max_forwards() {
            mf?;
        }
        let cseq = h.cseq().ok_or(Rejection::MissingHeader("CSeq"))??;
        if cseq.method != req.method {
            return Err(Rejection::CSeqMethodMismatch {
                request: req.method.clone(),
                cseq: cseq.method,
            });
        }
        for r in h.record_routes() {
            r?;
        }
        for r in h.routes() {
            r?;
        }
        if let Some(e) = h.expires() {
            e?;
        }
        let scheme = req.uri.scheme();
        if !self
            .uri_schemes
            .iter()
            .any(|s| s.eq_ignore_ascii_case(scheme))
        {
            return Err(Rejection::UnsupportedUriScheme(scheme.to_owned()));
        }
        Uri::parse(req.uri.as_str()).map_err(Rejection::InvalidRequestUri)?;
        // §8.2.2.3: ACK and CANCEL are never rejected for Require.
        if !matches!(req.method, Method::Ack | Method::Cancel) {
            let mut unsupported = Vec::new();
            for tag in h.option_tags(&HeaderName::Require) {
                let tag = tag?;
                if !self
                    .supported_extensions
                    .iter()
                    .any(|s| s.eq_ignore_ascii_case(tag))
                {
                    unsupported.push(tag.to_owned());
                }
            }
            if !unsupported.is_empty() {
                return Err(Rejection::BadExtension(unsupported));
            }
        }
        let content_type = h.content_type().transpose()?;
        if !req.body.is_empty() || content_type.is_some() {
            if let Some(ct) = content_type {
                if !self.accepted_body_types.is_empty() && !self.accepts(&ct) {
                    return Err(Rejection::UnsupportedMediaType(format!(
                        "{}/{}",
                        ct.type_(),
                        ct.subtype()
                    )));
                }
            }
        }
        if matches!(req.method, Method::Invite | Method::Options)
            && !self.response_body_types.is_empty()
            && h.get(&HeaderName::Accept).is_some()
        {
            let mut ranges = Vec::new();
            for r in h.accept() {
                ranges.push(r?);
            }
            let acceptable = self.response_body_types.iter().any(|t| {
                MediaType::parse(t).is_ok_and(|ours| ranges.iter().any(|r| r.covers(&ours)))
            });
            // An empty Accept means no body is acceptable; OPTIONS can still be answered
            // without one (RFC 3261 §11.2), INVITE cannot carry its answer.
            if !acceptable && (req.method == Method::Invite || !ranges.is_empty()) {
                return Err(Rejection::NotAcceptable);
            }
        }
        Ok(())
    }

    fn accepts(&self, ct: &MediaType<'_>) -> bool {
        self.accepted_body_types
            .iter()
            .any(|t| match t.split_once('/') {
                Some((a, b)) => ct.is(a, b),
                None => false,
            })
    }

    /// Checks a received response: version and the headers a UAC relies on (Via, From, To,
    /// Call-ID, CSeq present once and well-formed). A response that fails is discarded, not
    /// answered.
    pub fn check_response(&self, resp: &Response) -> Result<(), Rejection> {
        if resp.version != Version::SIP_2_0 {
            return Err(Rejection::UnsupportedVersion(resp.version));
        }
        check_common(&resp.headers)?;
        resp.headers
            .cseq()
            .ok_or(Rejection::MissingHeader("CSeq"))??;
        Ok(())
    }
}

/// Required headers, single-value headers, and the typed forms of both (requests and
/// responses alike).
fn check_common(h: &Headers) -> Result<(), Rejection> {
    for (name, label) in &SINGLE {
        if h.count(name) > 1 {
            return Err(Rejection::DuplicateHeader(label));
        }
    }
    let to = h.to_addr().ok_or(Rejection::MissingHeader("To"))??;
    check_uri(&to, "To")?;
    let from = h.from_addr().ok_or(Rejection::MissingHeader("From"))??;
    check_uri(&from, "From")?;
    h.call_id().ok_or(Rejection::MissingHeader("Call-ID"))??;
    let mut vias = 0;
    for v in h.vias() {
        v?;
        vias += 1;
    }
    if vias == 0 {
        return Err(Rejection::MissingHeader("Via"));
    }
    for c in h.contacts() {
        if let Some(addr) = c?.address() {
            check_uri(addr, "Contact")?;
        }
    }
    if let Some(ct) = h.content_type() {
        ct?;
    }
    Ok(())
}

fn check_uri(addr: &NameAddr<'_>, header: &'static str) -> Result<(), Rejection> {
    addr.uri()
        .map(drop)
        .map_err(|error| Rejection::InvalidUri { header, error })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n\
        To: <sip:bob@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\nCall-ID: c1\r\n";

    fn request(start: &str, extra: &str) -> Message {
        let text = format!("{start} SIP/2.0\r\n{BASE}{extra}Content-Length: 0\r\n\r\n");
        Message::parse(text).unwrap()
    }

    fn check(start: &str, extra: &str) -> Result<(), Rejection> {
        Validator::default().check(&request(start, extra))
    }

    #[test]
    fn a_well_formed_request_passes() {
        assert_eq!(
            check(
                "OPTIONS sip:bob@example.com",
                "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
            ),
            Ok(())
        );
    }

    #[test]
    fn require_is_checked_except_for_ack_and_cancel() {
        let v = Validator::default().supported_extensions(["timer"]);
        let req = request(
            "INVITE sip:b@example.com",
            "CSeq: 1 INVITE\r\nRequire: timer, 100rel\r\n",
        );
        assert_eq!(
            v.check(&req),
            Err(Rejection::BadExtension(vec!["100rel".into()]))
        );
        let ack = request(
            "ACK sip:b@example.com",
            "CSeq: 1 ACK\r\nRequire: 100rel\r\n",
        );
        assert_eq!(v.check(&ack), Ok(()));
        let cancel = request(
            "CANCEL sip:b@example.com",
            "CSeq: 1 CANCEL\r\nRequire: 100rel\r\n",
        );
        assert_eq!(v.check(&cancel), Ok(()));
    }

    #[test]
    fn max_forwards_may_be_absent_but_not_invalid() {
        assert_eq!(
            check("OPTIONS sip:b@example.com", "CSeq: 1 OPTIONS\r\n"),
            Ok(())
        );
        let err = check(
            "OPTIONS sip:b@example.com",
            "CSeq: 1 OPTIONS\r\nMax-Forwards: 256\r\n",
        )
        .unwrap_err();
        assert_eq!(err.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn missing_and_duplicate_headers() {
        let err = check("OPTIONS sip:b@example.com", "").unwrap_err();
        assert_eq!(err, Rejection::MissingHeader("CSeq"));
        let err = check(
            "OPTIONS sip:b@example.com",
            "CSeq: 1 OPTIONS\r\nCall-ID: c2\r\n",
        )
        .unwrap_err();
        assert_eq!(err, Rejection::DuplicateHeader("Call-ID"));
        let msg = Message::parse("OPTIONS sip:b@example.com SIP/2.0\r\nTo: <sip:b@example.com>\r\nFrom: <sip:a@example.com>\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").unwrap();
        assert_eq!(
            Validator::default().check(&msg),
            Err(Rejection::MissingHeader("Via"))
        );
    }

    #[test]
    fn accept_decides_406_for_invite_and_options() {
        let accept_text = "CSeq: 1 INVITE\r\nAccept: text/plain\r\n";
        let err = check("INVITE sip:b@example.com", accept_text).unwrap_err();
        assert_eq!(err.status(), StatusCode::NOT_ACCEPTABLE);
        assert_eq!(
            check(
                "INVITE sip:b@example.com",
                "CSeq: 1 INVITE\r\nAccept: application/*\r\n"
            ),
            Ok(())
        );
        // An empty Accept: OPTIONS can be answered without a body, INVITE cannot.
        assert_eq!(
            check(
                "OPTIONS sip:b@example.com",
                "CSeq: 1 OPTIONS\r\nAccept:\r\n"
            ),
            Ok(())
        );
        assert_eq!(
            check("INVITE sip:b@example.com", "CSeq: 1 INVITE\r\nAccept:\r\n"),
            Err(Rejection::NotAcceptable)
        );
        // MESSAGE is not answered with a body: Accept is not checked.
        assert_eq!(
            check(
                "MESSAGE sip:b@example.com",
                "CSeq: 1 MESSAGE\r\nAccept: text/plain\r\n"
            ),
            Ok(())
        );
    }

    #[test]
    fn body_type_and_uri_scheme() {
        let err = check(
            "MESSAGE sip:b@example.com",
            "CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n",
        )
        .unwrap_err();
        assert_eq!(err, Rejection::UnsupportedMediaType("text/plain".into()));
        let any = Validator::default().accepted_body_types(Vec::<String>::new());
        assert_eq!(
            any.check(&request(
                "MESSAGE sip:b@example.com",
                "CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n"
            )),
            Ok(())
        );
        let err = check("OPTIONS im:b@example.com", "CSeq: 1 OPTIONS\r\n").unwrap_err();
        assert_eq!(err.status(), StatusCode::UNSUPPORTED_URI_SCHEME);
        let err = check("OPTIONS sip:b@example.com;lr;lr", "CSeq: 1 OPTIONS\r\n").unwrap_err();
        assert!(matches!(err, Rejection::InvalidRequestUri(_)), "{err:?}");
    }

    #[test]
    fn responses_are_checked_for_what_a_uac_relies_on() {
        let ok = Message::parse(format!(
            "SIP/2.0 200 OK\r\n{BASE}CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        ))
        .unwrap();
        assert_eq!(Validator::default().check(&ok), Ok(()));
        let bad = Message::parse(format!(
            "SIP/2.0 200 OK\r\n{BASE}CSeq: x OPTIONS\r\nContent-Length: 0\r\n\r\n"
        ))
        .unwrap();
        assert!(matches!(
            Validator::default().check(&bad),
            Err(Rejection::InvalidHeader(_))
        ));
    }
}
