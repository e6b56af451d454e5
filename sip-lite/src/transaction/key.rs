//! Transaction matching keys (RFC 3261 §17.1.3, §17.2.3) and the requests a client
//! transaction derives from its INVITE (ACK §17.1.1.3, CANCEL §9.1).

use crate::header::{HeaderName, HeaderValue};
use crate::{Method, Request, Response};

use super::TransactionError;

/// §17.1.3: a response matches the client transaction whose request had the same top Via
/// branch and the same CSeq method.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct ClientKey {
    pub(crate) branch: String,
    pub(crate) method: Method,
}

/// §17.2.3: how a request finds its server transaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum ServerKey {
    /// RFC 3261 branch: branch, sent-by and method, with ACK taking its INVITE's method.
    Branch {
        branch: String,
        sent_by: String,
        method: Method,
    },
    /// RFC 2543: Request-URI, From tag, Call-ID, CSeq number, top Via and method (ACK as
    /// INVITE). The To tag is checked separately, as the ACK's must equal the tag of the
    /// response the transaction sent.
    Legacy {
        request_uri: String,
        from_tag: Option<String>,
        call_id: String,
        cseq: u32,
        via: String,
        method: Method,
    },
}

/// The method a transaction is keyed by: an ACK belongs to its INVITE.
fn transaction_method(m: &Method) -> Method {
    if *m == Method::Ack {
        Method::Invite
    } else {
        m.clone()
    }
}

pub(crate) fn client_key_for_request(req: &Request) -> Result<ClientKey, TransactionError> {
    let via = req
        .headers
        .top_via()
        .ok_or(TransactionError::MissingVia)?
        .map_err(|_| TransactionError::MissingVia)?;
    let branch = via.branch().ok_or(TransactionError::MissingBranch)?;
    if !via.has_rfc3261_branch() {
        return Err(TransactionError::MissingBranch);
    }
    let cseq = req
        .headers
        .cseq()
        .ok_or(TransactionError::MissingHeader("CSeq"))?
        .map_err(|_| TransactionError::MissingHeader("CSeq"))?;
    if cseq.method != req.method {
        return Err(TransactionError::CSeqMismatch);
    }
    Ok(ClientKey {
        branch: branch.to_owned(),
        method: cseq.method,
    })
}

pub(crate) fn client_key_for_response(resp: &Response) -> Result<ClientKey, TransactionError> {
    let via = resp
        .headers
        .top_via()
        .ok_or(TransactionError::MissingVia)?
        .map_err(|_| TransactionError::MissingVia)?;
    let branch = via.branch().ok_or(TransactionError::MissingBranch)?;
    let cseq = resp
        .headers
        .cseq()
        .ok_or(TransactionError::MissingHeader("CSeq"))?
        .map_err(|_| TransactionError::MissingHeader("CSeq"))?;
    Ok(ClientKey {
        branch: branch.to_owned(),
        method: cseq.method,
    })
}

/// The server key of a received request, and its To tag.
pub(crate) fn server_key(req: &Request) -> Result<(ServerKey, Option<String>), TransactionError> {
    let h = &req.headers;
    let via = h
        .top_via()
        .ok_or(TransactionError::MissingVia)?
        .map_err(|_| TransactionError::MissingVia)?;
    let cseq = h
        .cseq()
        .ok_or(TransactionError::MissingHeader("CSeq"))?
        .map_err(|_| TransactionError::MissingHeader("CSeq"))?;
    if cseq.method != req.method {
        return Err(TransactionError::CSeqMismatch);
    }
    let to_tag = h
        .to_addr()
        .ok_or(TransactionError::MissingHeader("To"))?
        .map_err(|_| TransactionError::MissingHeader("To"))?
        .tag()
        .map(str::to_owned);
    let method = transaction_method(&req.method);
    if via.has_rfc3261_branch() {
        let branch = via.branch().unwrap_or_default().to_owned();
        let sent_by = match via.port() {
            Some(p) => format!("{}:{p}", via.host().to_ascii_lowercase()),
            None => via.host().to_ascii_lowercase(),
        };
        return Ok((
            ServerKey::Branch {
                branch,
                sent_by,
                method,
            },
            to_tag,
        ));
    }
    let from_tag = h
        .from_addr()
        .ok_or(TransactionError::MissingHeader("From"))?
        .map_err(|_| TransactionError::MissingHeader("From"))?
        .tag()
        .map(str::to_owned);
    let call_id = h
        .call_id()
        .ok_or(TransactionError::MissingHeader("Call-ID"))?
        .map_err(|_| TransactionError::MissingHeader("Call-ID"))?
        .to_owned();
    let via_raw = h
        .get(&HeaderName::Via)
        .map(|v| v.list_items().next().unwrap_or_default().trim().to_owned())
        .unwrap_or_default();
    Ok((
        ServerKey::Legacy {
            request_uri: req.uri.as_str().to_owned(),
            from_tag,
            call_id,
            cseq: cseq.seq,
            via: via_raw,
            method,
        },
        to_tag,
    ))
}

/// Copies every value of `name` (`all`) or the first header's whole value.
fn copy(from: &Request, to: &mut Request, name: HeaderName, all: bool) {
    if all {
        for v in from.headers.get_all(&name) {
            to.headers.push(name.clone(), v.clone());
        }
    } else if let Some(v) = from.headers.get(&name) {
        to.headers.push(name, v.clone());
    }
}

/// Copies the top Via only: the first element when several share a line.
fn copy_top_via(from: &Request, to: &mut Request) {
    if let Some(v) = from.headers.get(&HeaderName::Via) {
        let first = v.list_items().next().unwrap_or_default();
        let value = HeaderValue::new(first.to_owned()).unwrap_or_else(|_| v.clone());
        to.headers.push(HeaderName::Via, value);
    }
}

fn cseq_for(invite: &Request, method: &str) -> Option<HeaderValue> {
    let seq = invite.headers.cseq()?.ok()?.seq;
    HeaderValue::new(format!("{seq} {method}")).ok()
}

/// The ACK a client INVITE transaction sends for a non-2xx final response (§17.1.1.3):
/// the INVITE's Request-URI, top Via (so it reaches the same server transaction), From,
/// Call-ID, CSeq number and Route headers; To from the response (with its tag).
pub fn ack_for(invite: &Request, response: &Response) -> Request {
    let mut ack = Request::new(Method::Ack, invite.uri.clone());
    copy_top_via(invite, &mut ack);
    ack.headers.push(
        HeaderName::MaxForwards,
        HeaderValue::from_checked("70".into()),
    );
    copy(invite, &mut ack, HeaderName::From, false);
    match response.headers.get(&HeaderName::To) {
        Some(to) => ack.headers.push(HeaderName::To, to.clone()),
        None => copy(invite, &mut ack, HeaderName::To, false),
    }
    copy(invite, &mut ack, HeaderName::CallId, false);
    if let Some(cseq) = cseq_for(invite, "ACK") {
        ack.headers.push(HeaderName::CSeq, cseq);
    }
    copy(invite, &mut ack, HeaderName::Route, true);
    ack.set_body(None, bytes::Bytes::new());
    ack
}

/// The CANCEL for a request (§9.1): the same Request-URI, top Via, From, To, Call-ID, CSeq
/// number and Route headers, method CANCEL.
pub fn cancel_for(request: &Request) -> Request {
    let mut cancel = Request::new(Method::Cancel, request.uri.clone());
    copy_top_via(request, &mut cancel);
    cancel.headers.push(
        HeaderName::MaxForwards,
        HeaderValue::from_checked("70".into()),
    );
    copy(request, &mut cancel, HeaderName::From, false);
    copy(request, &mut cancel, HeaderName::To, false);
    copy(request, &mut cancel, HeaderName::CallId, false);
    if let Some(cseq) = cseq_for(request, "CANCEL") {
        cancel.headers.push(HeaderName::CSeq, cseq);
    }
    copy(request, &mut cancel, HeaderName::Route, true);
    cancel.set_body(None, bytes::Bytes::new());
    cancel
}
