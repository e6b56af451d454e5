//! The `received` and `rport` parameters a server adds to the top Via of a request
//! (RFC 3261 §18.2.1, RFC 3581 §4), so responses find their way back through NATs.

use std::net::{IpAddr, SocketAddr};

use crate::Request;
use crate::header::{HeaderName, HeaderValue};

/// Sets `received=<source IP>` on the request's top Via when the sent-by host is not that
/// address or the Via carries `rport`, and sets `rport` (when present) to the source port,
/// replacing whatever values the peer wrote. Returns whether the Via changed. A request without a readable top Via is left alone (the
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
    let has_rport = via.rport().is_some();
    let observed_ip = source.ip().to_string();
    let observed_port = source.port().to_string();
    // §18.2.1: `received` whenever the sent-by is not the source address; RFC 3581 §4: with
    // rport, always, and rport carries the source port. Values the peer wrote are replaced.
    let want_received = !same_ip || has_rport;
    let received_ok = via.received() == Some(observed_ip.as_str())
        || (!want_received && via.received().is_none());
    let rport_ok = !has_rport || via.rport() == Some(Some(source.port()));
    if received_ok && rport_ok {
        return false;
    }
    let mut params = String::new();
    for p in via.params().iter() {
        if p.name.eq_ignore_ascii_case("received") {
            continue;
        }
        params.push(';');
        if p.name.eq_ignore_ascii_case("rport") {
            params.push_str("rport=");
            params.push_str(&observed_port);
            continue;
        }
        params.push_str(p.name);
        if let Some(v) = p.value {
            params.push('=');
            params.push_str(v);
        }
    }
    if want_received {
        params.push_str(";received=");
        params.push_str(&observed_ip);
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

/// Rewrites the transport token of the top Via (`SIP/2.0/UDP` -> `SIP/2.0/TCP`).
pub(crate) fn switch_via_transport(req: &mut crate::Request, token: &str) {
    let Some(pos) = req.headers.iter().position(|h| h.name == HeaderName::Via) else {
        return;
    };
    let Some(value) = req.headers.get(&HeaderName::Via) else {
        return;
    };
    let text = value.as_str();
    let Some(slash) = text
        .find('/')
        .and_then(|a| text[a + 1..].find('/').map(|b| a + 1 + b))
    else {
        return;
    };
    let after = &text[slash + 1..];
    let end = after.find([' ', '\t']).unwrap_or(after.len());
    if let Ok(v) = HeaderValue::new(format!("{}{token}{}", &text[..=slash], &after[end..])) {
        req.headers.remove_at(pos);
        req.headers.insert(pos, HeaderName::Via, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Message;

    fn via_after(via: &str, source: &str) -> String {
        let mut msg = Message::parse(format!(
            "OPTIONS sip:b@example.com SIP/2.0\r\nVia: {via}\r\nContent-Length: 0\r\n\r\n"
        ))
        .unwrap();
        let Message::Request(req) = &mut msg else {
            unreachable!()
        };
        stamp_received(req, source.parse().unwrap());
        req.headers
            .get(&HeaderName::Via)
            .unwrap()
            .as_str()
            .to_owned()
    }

    #[test]
    fn values_the_peer_wrote_are_replaced() {
        // A forged received and a client-set rport value (RFC 3581 §4 forbids one).
        assert_eq!(
            via_after(
                "SIP/2.0/UDP h.example.com;received=10.9.9.9;rport=1;branch=z9hG4bK1",
                "192.0.2.1:5070"
            ),
            "SIP/2.0/UDP h.example.com;rport=5070;branch=z9hG4bK1;received=192.0.2.1"
        );
        // Already right: left alone.
        let right = "SIP/2.0/UDP h.example.com;branch=z9hG4bK1;received=192.0.2.1";
        assert_eq!(via_after(right, "192.0.2.1:5060"), right);
        // The sender's own IP and no rport: nothing to add.
        let own = "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1";
        assert_eq!(via_after(own, "192.0.2.1:5060"), own);
        // IPv6 sent-by compared by value.
        let v6 = "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1";
        assert_eq!(via_after(v6, "[2001:db8::1]:5060"), v6);
    }
}
