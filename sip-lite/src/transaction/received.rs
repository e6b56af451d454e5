//! The `received` and `rport` parameters a server adds to the top Via of a request
//! (RFC 3261 §18.2.1, RFC 3581 §4), so responses find their way back through NATs.

use std::net::{IpAddr, SocketAddr};

use crate::Request;
use crate::header::{HeaderName, HeaderValue};

/// Adds `received=<source IP>` to the request's top Via when the sent-by host is not that
/// address, or when the Via asks for `rport`; fills an empty `rport` with the source port.
/// Returns whether the Via changed. A request without a readable top Via is left alone (the
/// transaction layer drops it).
///
/// ```
/// use sip_lite::{HeaderName, Message, transaction::stamp_received};
///
/// let mut msg = Message::parse(
///     "OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/UDP pc.example.com;branch=z9hG4bK1;rport\r\n\
///      Content-Length: 0\r\n\r\n",
/// ).unwrap();
/// let Message::Request(req) = &mut msg else { unreachable!() };
/// stamp_received(req, "192.0.2.7:40000".parse().unwrap());
/// assert_eq!(
///     req.headers.get(&HeaderName::Via).unwrap().as_str(),
///     "SIP/2.0/UDP pc.example.com;branch=z9hG4bK1;rport=40000;received=192.0.2.7"
/// );
/// // The sender's own address, no rport: nothing to add.
/// assert!(!stamp_received(req, "192.0.2.7:40000".parse().unwrap()));
/// ```
///
/// Further Via lines are kept:
///
/// ```
/// use sip_lite::{HeaderName, Message, transaction::stamp_received};
///
/// let mut msg = Message::parse(
///     "OPTIONS sip:b@example.com SIP/2.0\r\nVia: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK2, SIP/2.0/UDP p.example.com\r\n\
///      Via: SIP/2.0/UDP q.example.com\r\nContent-Length: 0\r\n\r\n",
/// ).unwrap();
/// let Message::Request(req) = &mut msg else { unreachable!() };
/// assert!(stamp_received(req, "192.0.2.9:5060".parse().unwrap()));
/// let vias: Vec<&str> = req.headers.get_all(&HeaderName::Via).map(|v| v.as_str()).collect();
/// assert_eq!(vias, [
///     "SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK2;received=192.0.2.9, SIP/2.0/UDP p.example.com",
///     "SIP/2.0/UDP q.example.com",
/// ]);
/// ```
pub fn stamp_received(request: &mut Request, source: SocketAddr) -> bool {
    let Some(value) = request.headers.get(&HeaderName::Via).cloned() else {
        return false;
    };
    let text = value.as_str();
    // The first element of the first Via line (several may share it).
    let first = value.list_items().next().unwrap_or_default();
    let Ok(via) = crate::typed::Via::parse(first) else {
        return false;
    };
    let host = via.host().trim_start_matches('[').trim_end_matches(']');
    let same_ip = host.parse::<IpAddr>().is_ok_and(|ip| ip == source.ip());
    let wants_rport = matches!(via.rport(), Some(None));
    let needs_received = via.received().is_none() && (!same_ip || wants_rport);
    if !needs_received && !wants_rport {
        return false;
    }
    let mut params = String::new();
    for p in via.params().iter() {
        params.push(';');
        if p.name.eq_ignore_ascii_case("rport") && p.value.is_none() {
            params.push_str(&format!("rport={}", source.port()));
            continue;
        }
        params.push_str(p.name);
        if let Some(v) = p.value {
            params.push('=');
            params.push_str(v);
        }
    }
    if needs_received {
        params.push_str(&format!(";received={}", source.ip()));
    }
    // Rebuild the first element: everything before its parameters, then the new ones.
    let head_len = first.find(';').unwrap_or(first.len());
    let rebuilt = format!("{}{}", &first[..head_len], params);
    let rest = text.trim_start().get(first.len()..).unwrap_or_default();
    match HeaderValue::new(format!("{rebuilt}{rest}")) {
        Ok(v) => {
            // Replace that one line in place; the other Via lines stay as they are.
            let Some(pos) = request
                .headers
                .iter()
                .position(|h| h.name == HeaderName::Via)
            else {
                return false;
            };
            request.headers.remove_at(pos);
            request.headers.insert(pos, HeaderName::Via, v);
            true
        }
        Err(_) => false,
    }
}
