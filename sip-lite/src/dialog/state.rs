//! One dialog's state (RFC 3261 §12) and the requests it builds.

use std::fmt;

use crate::header::{HeaderName, HeaderValue};
use crate::typed::NameAddr;
use crate::{IdGenerator, Method, Request, RequestUri, Response};

use super::DialogError;

/// A dialog's identity: Call-ID, local tag, remote tag (§12).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DialogId {
    /// The Call-ID.
    pub call_id: String,
    /// This side's tag (From of our requests).
    pub local_tag: String,
    /// The peer's tag.
    pub remote_tag: String,
}

impl fmt::Display for DialogId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{};{};{}", self.call_id, self.local_tag, self.remote_tag)
    }
}

/// Early (created by a provisional response) or confirmed (by a 2xx) (§12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DialogState {
    /// Created by a 1xx with a To tag.
    Early,
    /// Created or confirmed by a 2xx.
    Confirmed,
}

/// How this side sends: the Via sent-by and transport token, and its Contact.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LocalParty {
    /// `SIP/2.0/<transport> <sent-by>` without the branch, e.g. `SIP/2.0/UDP 192.0.2.1:5060`.
    pub via: String,
    /// The Contact value this side puts in requests and responses, e.g.
    /// `<sip:alice@192.0.2.1:5060>`.
    pub contact: String,
}

/// One dialog (§12.1): the state from which requests inside it are built and against which
/// requests received inside it are checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialog {
    id: DialogId,
    state: DialogState,
    /// The last CSeq number this side used (§12.2.1.1).
    local_seq: u32,
    /// The highest CSeq number received from the peer, if any yet (§12.2.2).
    remote_seq: Option<u32>,
    /// This side's address without its tag (From of our requests).
    local_uri: String,
    /// The peer's address without its tag (To of our requests).
    remote_uri: String,
    /// Where requests go: the peer's Contact URI (§12.1.1).
    remote_target: String,
    /// The route set, each a Route value in the order requests carry it.
    route_set: Vec<String>,
    /// Whether the dialog was set up over `sips` (§12.1.1).
    secure: bool,
}

/// `value` without its `tag` parameter, in name-addr form.
fn without_tag(na: &NameAddr<'_>) -> String {
    let mut out = String::new();
    if let Some(d) = na.display_name_raw() {
        out.push_str(d);
        out.push(' ');
    }
    out.push('<');
    out.push_str(na.uri_str());
    out.push('>');
    for p in na.params().iter() {
        if !p.name.eq_ignore_ascii_case("tag") {
            out.push(';');
            out.push_str(p.name);
            if let Some(v) = p.value {
                out.push('=');
                out.push_str(v);
            }
        }
    }
    out
}

fn address(
    req_or_resp: &crate::Headers,
    to: bool,
) -> Result<(String, Option<String>), DialogError> {
    let (addr, label) = if to {
        (req_or_resp.to_addr(), "To")
    } else {
        (req_or_resp.from_addr(), "From")
    };
    let na = addr
        .ok_or(DialogError::MissingHeader(label))?
        .map_err(|_| DialogError::MissingHeader(label))?;
    Ok((without_tag(&na), na.tag().map(str::to_owned)))
}

fn contact_target(h: &crate::Headers) -> Result<String, DialogError> {
    let contact = h
        .contacts()
        .next()
        .ok_or(DialogError::MissingHeader("Contact"))?
        .map_err(|_| DialogError::MissingHeader("Contact"))?;
    let addr = contact
        .address()
        .ok_or(DialogError::MissingHeader("Contact"))?;
    Ok(addr.uri_str().to_owned())
}

fn record_route(h: &crate::Headers) -> Result<Vec<String>, DialogError> {
    let mut set = Vec::new();
    for r in h.record_routes() {
        let r = r.map_err(|_| DialogError::MissingHeader("Record-Route"))?;
        set.push(without_tag(&r));
    }
    Ok(set)
}

fn call_id(h: &crate::Headers) -> Result<String, DialogError> {
    Ok(h.call_id()
        .ok_or(DialogError::MissingHeader("Call-ID"))?
        .map_err(|_| DialogError::MissingHeader("Call-ID"))?
        .to_owned())
}

fn cseq(h: &crate::Headers) -> Result<crate::typed::CSeq, DialogError> {
    h.cseq()
        .ok_or(DialogError::MissingHeader("CSeq"))?
        .map_err(|_| DialogError::MissingHeader("CSeq"))
}

impl Dialog {
    /// The UAC's dialog from its request and a 1xx (with To tag) or 2xx response (§12.1.2):
    /// route set from Record-Route in reverse, remote target from Contact.
    pub fn uac(request: &Request, response: &Response) -> Result<Dialog, DialogError> {
        let h = &response.headers;
        let (remote_uri, remote_tag) = address(h, true)?;
        let remote_tag = remote_tag.ok_or(DialogError::MissingTag)?;
        let (local_uri, local_tag) = address(&request.headers, false)?;
        let local_tag = local_tag.ok_or(DialogError::MissingTag)?;
        let mut route_set = record_route(h)?;
        route_set.reverse();
        let remote_target = contact_target(h)?;
        Ok(Dialog {
            id: DialogId {
                call_id: call_id(&request.headers)?,
                local_tag,
                remote_tag,
            },
            state: if response.status.is_success() {
                DialogState::Confirmed
            } else {
                DialogState::Early
            },
            local_seq: cseq(&request.headers)?.seq,
            remote_seq: None,
            local_uri,
            remote_uri,
            remote_target,
            route_set,
            secure: request.uri.scheme().eq_ignore_ascii_case("sips"),
        })
    }

    /// The UAS's dialog from the request and the response it sends (which carries its To tag)
    /// (§12.1.1): route set from Record-Route in order, remote target from the request's
    /// Contact, remote sequence number from the request's CSeq.
    pub fn uas(request: &Request, response: &Response) -> Result<Dialog, DialogError> {
        let (local_uri, local_tag) = address(&response.headers, true)?;
        let local_tag = local_tag.ok_or(DialogError::MissingTag)?;
        let (remote_uri, remote_tag) = address(&request.headers, false)?;
        let remote_tag = remote_tag.ok_or(DialogError::MissingTag)?;
        Ok(Dialog {
            id: DialogId {
                call_id: call_id(&request.headers)?,
                local_tag,
                remote_tag,
            },
            state: if response.status.is_success() {
                DialogState::Confirmed
            } else {
                DialogState::Early
            },
            local_seq: 0,
            remote_seq: Some(cseq(&request.headers)?.seq),
            local_uri,
            remote_uri,
            remote_target: contact_target(&request.headers)?,
            route_set: record_route(&request.headers)?,
            secure: request.uri.scheme().eq_ignore_ascii_case("sips"),
        })
    }

    /// The dialog's identity.
    pub fn id(&self) -> &DialogId {
        &self.id
    }

    /// Early or confirmed.
    pub fn state(&self) -> DialogState {
        self.state
    }

    /// Where in-dialog requests go (the peer's Contact).
    pub fn remote_target(&self) -> &str {
        &self.remote_target
    }

    /// The route set, in the order requests carry it.
    pub fn route_set(&self) -> &[String] {
        &self.route_set
    }

    /// The last CSeq number this side used.
    pub fn local_seq(&self) -> u32 {
        self.local_seq
    }

    /// The highest CSeq number received from the peer.
    pub fn remote_seq(&self) -> Option<u32> {
        self.remote_seq
    }

    /// Whether the dialog runs over `sips`.
    pub fn is_secure(&self) -> bool {
        self.secure
    }

    /// Marks an early dialog confirmed (a 2xx arrived or was sent).
    pub fn confirm(&mut self) {
        self.state = DialogState::Confirmed;
    }

    /// A request inside the dialog (§12.2.1.1): Request-URI and Route from the remote target
    /// and route set (loose or strict routing), To/From with both tags, the Call-ID, the next
    /// CSeq number, Max-Forwards 70, a Via with a fresh branch and this side's Contact.
    /// For ACK and CANCEL use [`Dialog::ack`]; they reuse the INVITE's CSeq number.
    pub fn request(
        &mut self,
        method: Method,
        local: &LocalParty,
        ids: &mut IdGenerator,
    ) -> Result<Request, DialogError> {
        self.local_seq = self.local_seq.saturating_add(1).min(0x7fff_ffff);
        self.build(method, self.local_seq, local, ids)
    }

    /// The ACK for a 2xx to the INVITE with CSeq number `invite_seq` (§13.2.2.4): a request
    /// of its own (new branch) with the INVITE's CSeq number.
    pub fn ack(
        &self,
        invite_seq: u32,
        local: &LocalParty,
        ids: &mut IdGenerator,
    ) -> Result<Request, DialogError> {
        self.build(Method::Ack, invite_seq, local, ids)
    }

    fn build(
        &self,
        method: Method,
        seq: u32,
        local: &LocalParty,
        ids: &mut IdGenerator,
    ) -> Result<Request, DialogError> {
        // §12.2.1.1: loose routing if the first route has `lr`, strict routing otherwise.
        let first_is_strict = self.route_set.first().is_some_and(|r| {
            NameAddr::parse(r).is_ok_and(|na| {
                crate::Uri::parse(na.uri_str())
                    .ok()
                    .and_then(|u| u.as_sip().map(|s| !s.lr()))
                    .unwrap_or(false)
            })
        });
        let (target, routes): (String, Vec<String>) = if first_is_strict {
            let first = self
                .route_set
                .first()
                .and_then(|r| NameAddr::parse(r).ok().map(|na| na.uri_str().to_owned()))
                .unwrap_or_default();
            let mut rest: Vec<String> = self.route_set.iter().skip(1).cloned().collect();
            rest.push(format!("<{}>", self.remote_target));
            (first, rest)
        } else {
            (self.remote_target.clone(), self.route_set.clone())
        };
        let uri =
            RequestUri::new(&target).map_err(|_| DialogError::InvalidTarget(target.clone()))?;
        let mut req = Request::new(method.clone(), uri);
        let h = &mut req.headers;
        h.push(
            HeaderName::Via,
            value(format!("{};branch={}", local.via, ids.branch())),
        );
        h.push(HeaderName::MaxForwards, value("70".into()));
        for r in routes {
            h.push(HeaderName::Route, value(r));
        }
        h.push(
            HeaderName::From,
            value(format!("{};tag={}", self.local_uri, self.id.local_tag)),
        );
        h.push(
            HeaderName::To,
            value(format!("{};tag={}", self.remote_uri, self.id.remote_tag)),
        );
        h.push(HeaderName::CallId, value(self.id.call_id.clone()));
        h.push(HeaderName::CSeq, value(format!("{seq} {method}")));
        if matches!(
            method,
            Method::Invite | Method::Update | Method::Subscribe | Method::Notify | Method::Refer
        ) {
            h.push(HeaderName::Contact, value(local.contact.clone()));
        }
        req.set_body(None, bytes::Bytes::new());
        Ok(req)
    }

    /// Checks a request received inside the dialog and takes its CSeq (§12.2.2); a target
    /// refresh's Contact is taken by [`Dialog::accept_refresh`] once it is answered 2xx. A CSeq lower than or equal to the
    /// last one is refused with [`DialogError::OutOfOrder`] (answer 500); ACK and CANCEL
    /// reuse their INVITE's number and are not checked.
    pub fn receive_request(&mut self, request: &Request) -> Result<(), DialogError> {
        let seq = cseq(&request.headers)?.seq;
        if !matches!(request.method, Method::Ack | Method::Cancel) {
            if let Some(last) = self.remote_seq {
                if seq <= last {
                    return Err(DialogError::OutOfOrder {
                        received: seq,
                        last,
                    });
                }
            }
            self.remote_seq = Some(seq);
        }
        Ok(())
    }

    /// Takes the remote target of a target-refresh request (re-INVITE, UPDATE) this side
    /// answered with a 2xx: only a successful refresh moves the target (RFC 6141 §3.1, RFC
    /// 3261 §12.2.2).
    pub fn accept_refresh(&mut self, request: &Request) {
        if matches!(request.method, Method::Invite | Method::Update) {
            if let Ok(target) = contact_target(&request.headers) {
                self.remote_target = target;
            }
        }
    }

    /// Takes a 2xx to a request this side sent: a 2xx to the INVITE confirms an early dialog
    /// and replaces its route set (§13.2.2.4); a 2xx to a target refresh (INVITE, UPDATE)
    /// brings the new remote target (§12.2.1.2). Other 2xx change nothing.
    pub fn receive_success(&mut self, response: &Response) {
        if !response.status.is_success() {
            return;
        }
        let method = response
            .headers
            .cseq()
            .and_then(Result::ok)
            .map(|c| c.method);
        if method == Some(Method::Invite) && self.state == DialogState::Early {
            // §13.2.2.4: the 2xx confirms the dialog and its Record-Route (reversed) is the
            // route set from now on.
            self.state = DialogState::Confirmed;
            if let Ok(mut routes) = record_route(&response.headers) {
                routes.reverse();
                self.route_set = routes;
            }
        }
        if matches!(method, Some(Method::Invite | Method::Update)) {
            if let Ok(target) = contact_target(&response.headers) {
                self.remote_target = target;
            }
        }
    }
}

/// A header value from text built here out of parsed values: folded line ends and any other
/// control characters become spaces (a fold is white space, RFC 3261 §7.3.1).
fn value(s: String) -> HeaderValue {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() && c != '\t' { ' ' } else { c })
        .collect();
    HeaderValue::from_checked(bytes::Bytes::from(cleaned.trim().to_owned()))
}
