//! Fuzzing harnesses, compiled under `cfg(fuzzing)` (cargo-fuzz sets it) and in tests.
//!
//! Each function takes the fuzzer's input and panics when an invariant breaks, so every target
//! in `fuzz/` is one line. The unit tests below run them over the RFC 4475 messages and a few
//! hand-made inputs.

use bytes::{Bytes, BytesMut};

use crate::feature::{FeaturePredicate, FeatureSet, order_targets};
use crate::header::HeaderName;
use crate::typed::NameAddr;
use crate::{Limits, Message, NumberingPlan, StreamFramer, Uri, Validator, parse_datagram};

/// Parses `data` as a datagram; for an accepted message, runs the validator and every typed
/// accessor. Nothing may panic, and a parse error must name a status a UAS can send.
pub fn parse_raw(data: &[u8]) {
    let msg = match parse_datagram(Bytes::copy_from_slice(data), &Limits::default()) {
        Ok(msg) => msg,
        Err(e) => {
            let status = e.status().as_u16();
            assert!((400..600).contains(&status), "{e:?} maps to {status}");
            return;
        }
    };
    read_everything(&msg);
    if let Err(rejection) = Validator::default().check(&msg) {
        let status = rejection.status().as_u16();
        assert!(
            (400..600).contains(&status),
            "{rejection:?} maps to {status}"
        );
    }
}

/// Reads every typed view of `msg`; only panics matter.
fn read_everything(msg: &Message) {
    let h = msg.headers();
    for via in h.vias().flatten() {
        let _ = (
            via.branch(),
            via.received(),
            via.rport(),
            via.maddr(),
            via.ttl(),
            via.host(),
        );
    }
    let _ = (h.call_id(), h.cseq(), h.max_forwards(), h.content_length());
    let _ = (
        h.content_type(),
        h.expires(),
        h.min_expires(),
        h.user_agent(),
    );
    for addr in [h.from_addr(), h.to_addr()].into_iter().flatten().flatten() {
        let _ = (addr.display_name(), addr.tag(), addr.uri());
    }
    // Feature tags and caller preferences (RFC 3840/3841) over whatever the message holds.
    let mut targets = Vec::new();
    for contact in h.contacts().flatten() {
        let _ = (contact.q(), contact.expires());
        if let Some(addr) = contact.address() {
            if let Ok(set) = FeatureSet::from_params(addr.params().pairs()) {
                let rendered = set.to_string();
                let _ = set.is_image_share();
                targets.push((set, rendered));
            }
        }
    }
    let predicates: Vec<FeaturePredicate> = h
        .accept_contact()
        .flatten()
        .filter_map(|p| FeaturePredicate::from_contact_predicate(&p).ok())
        .collect();
    for (set, rendered) in &targets {
        for p in &predicates {
            let _ = p.matches(set);
        }
        // A set rendered as Contact parameters reads back as the same set.
        if !rendered.is_empty() {
            let text = format!("<sip:x@example.com>;{rendered}");
            let addr = NameAddr::parse(&text).expect("rendered feature parameters parse");
            let again = FeatureSet::from_params(addr.params().pairs()).expect("and are valid");
            assert_eq!(&again, set, "feature set round trip through {text:?}");
        }
    }
    let ranked = order_targets(targets.iter().map(|(set, _)| (set, None)), &predicates, &[]);
    let mut seen = vec![false; targets.len()];
    for r in &ranked {
        assert!(
            !std::mem::replace(&mut seen[r.index], true),
            "target ranked twice"
        );
    }
    // Identities normalised to E.164 (what csi-state does with them).
    let plan = NumberingPlan::new("44")
        .and_then(|p| p.with_international_prefix("00"))
        .and_then(|p| p.with_trunk_prefix("0"));
    if let Ok(plan) = plan {
        let ids = [h.from_addr(), h.to_addr()].into_iter().flatten().flatten();
        for addr in ids.chain(h.p_asserted_identities().flatten()) {
            if let Ok(uri) = addr.uri() {
                let _ = crate::normalize_uri(&uri, &plan);
            }
        }
    }
    let lists = h
        .routes()
        .chain(h.record_routes())
        .chain(h.p_asserted_identities())
        .chain(h.p_preferred_identities());
    for addr in lists.flatten() {
        let _ = addr.uri();
    }
    let _ = h.accept().count() + h.allow().count();
    let _ = h.accept_contact().count() + h.reject_contact().count();
    for name in [
        HeaderName::Require,
        HeaderName::Supported,
        HeaderName::ProxyRequire,
    ] {
        let _ = h.option_tags(&name).count();
    }
    for name in [
        HeaderName::WwwAuthenticate,
        HeaderName::ProxyAuthenticate,
        HeaderName::Authorization,
        HeaderName::ProxyAuthorization,
    ] {
        let _ = h.challenges(&name).count();
    }
    let _ = h.authentication_info();
    let _ = msg.to_string();
}

/// For an accepted message: parse(serialize(m)) == m, and serializing that gives the same
/// bytes again.
pub fn parse_serialize_parse(data: &[u8]) {
    let Ok(msg) = parse_datagram(Bytes::copy_from_slice(data), &Limits::default()) else {
        return;
    };
    let wire = msg.to_bytes();
    // The serialized form can be larger than the input only through added Content-Length
    // digits; parse it with room for that.
    let limits =
        Limits::default().max_message_size(wire.len().max(Limits::default().max_message_size));
    let again = parse_datagram(wire.clone(), &limits)
        .unwrap_or_else(|e| panic!("serialized message does not parse: {e:?}\n{wire:?}"));
    assert_eq!(again, msg, "parse(serialize(parse(x))) != parse(x)");
    assert_eq!(again.to_bytes(), wire, "serialization is not stable");
}

/// Parses `data` as a URI; an accepted URI parses again from its text to an equal URI, and
/// equality is reflexive.
pub fn uri(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = Uri::parse(text) else {
        return;
    };
    assert_eq!(uri.as_str(), text, "the text is kept as written");
    assert_eq!(uri, uri.clone(), "== is reflexive");
    let again = Uri::parse(uri.as_str()).expect("a URI's own text parses");
    assert_eq!(again, uri);
    let _ = (uri.scheme(), uri.to_string());
}

/// What a stream yields, for comparing differently split inputs.
#[derive(Debug, PartialEq)]
pub enum Framed {
    /// A message.
    Message(Message),
    /// A message rejected without losing the framing.
    Rejected(crate::ParseError),
    /// Framing lost; the stream ends.
    Fatal,
}

/// Frames `pieces` fed one after another into one buffer.
pub fn frame_pieces<'a>(
    limits: &Limits,
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<Framed> {
    let mut framer = StreamFramer::new(limits.clone());
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            let before = buf.len();
            match framer.decode(&mut buf) {
                Ok(None) => break,
                Ok(Some(msg)) => {
                    assert!(buf.len() < before, "a message consumed no bytes");
                    out.push(Framed::Message(msg));
                }
                Err(e) if e.is_fatal() => {
                    out.push(Framed::Fatal);
                    return out;
                }
                Err(e) => {
                    assert!(buf.len() < before, "a rejected message consumed no bytes");
                    out.push(Framed::Rejected(e.error().clone()));
                }
            }
        }
    }
    out
}

/// The input framed whole and split at two fuzzer-chosen points gives the same messages and
/// rejections; a fatal error in one is a fatal error at the same place in the other.
pub fn stream_split(data: &[u8]) {
    let [a, b, rest @ ..] = data else {
        return;
    };
    let limits = Limits::default();
    let whole = frame_pieces(&limits, [rest]);
    let first = usize::from(*a) * rest.len() / 256;
    let second = first + (usize::from(*b) * (rest.len() - first) / 256);
    let split = frame_pieces(
        &limits,
        [&rest[..first], &rest[first..second], &rest[second..]],
    );
    let bytewise = frame_pieces(
        &limits,
        rest.chunks(1)
            .take(4096)
            .chain([rest.get(4096..).unwrap_or_default()]),
    );
    for other in [&split, &bytewise] {
        assert_eq!(whole.len(), other.len(), "different number of results");
        for (w, o) in whole.iter().zip(other.iter()) {
            match (w, o) {
                // A fatal error may be found earlier, with a different reason, when the
                // bytes arrive piece by piece (garbage refused before its line ends).
                (Framed::Fatal, Framed::Fatal) => {}
                _ => assert_eq!(w, o),
            }
        }
    }
}

/// Drives a [`TransactionLayer`](crate::transaction::TransactionLayer) with a sequence of
/// operations decoded from `data` (send, receive requests and responses with a few branches,
/// respond, cancel, time passing, transport errors, raw bytes) and checks its invariants: no
/// panic; a terminated transaction stays terminated and is never reported again; timers never
/// retransmit over a reliable transport (only the 100 Trying may follow a timeout there); the
/// next timeout is never in the past; the transaction limit holds.
pub fn transactions(data: &[u8]) {
    use crate::transaction::{
        Destination, Event, TransactionConfig, TransactionId, TransactionLayer, Transport,
    };
    use std::collections::HashSet;
    use std::time::{Duration, Instant};

    const METHODS: [&str; 5] = ["INVITE", "OPTIONS", "ACK", "CANCEL", "BYE"];
    const STATUSES: [u16; 8] = [100, 180, 183, 200, 202, 404, 486, 503];
    let max = 16;
    let mut layer = TransactionLayer::new(TransactionConfig::default().max_transactions(max));
    let start = Instant::now();
    let mut now = start;
    let mut ids: Vec<TransactionId> = Vec::new();
    let mut terminated: HashSet<TransactionId> = HashSet::new();
    let dest = |b: u8| {
        let transport = if b & 1 == 0 {
            Transport::Udp
        } else {
            Transport::Tcp
        };
        Destination::new(
            std::net::SocketAddr::from(([127, 0, 0, 1], 5060 + u16::from(b & 2))),
            transport,
        )
    };
    let message = |method: &str, status: Option<u16>, branch: u8, to_tag: bool, udp: bool| {
        let start = match status {
            Some(s) => format!("SIP/2.0 {s} X"),
            None => format!("{method} sip:b@example.com SIP/2.0"),
        };
        let tag = if to_tag { ";tag=t1" } else { "" };
        let cookie = if branch & 8 == 0 { "z9hG4bK" } else { "" };
        let transport = if udp { "UDP" } else { "TCP" };
        format!(
            "{start}\r\nVia: SIP/2.0/{transport} h.example.com;branch={cookie}b{}\r\n\
             To: <sip:b@example.com>{tag}\r\nFrom: <sip:a@example.com>;tag=f\r\n\
             Call-ID: c\r\nCSeq: 1 {method}\r\nContent-Length: 0\r\n\r\n",
            branch & 7
        )
    };
    let mut i = 0;
    while let Some(&op) = data.get(i) {
        let arg = data.get(i + 1).copied().unwrap_or(0);
        let arg2 = data.get(i + 2).copied().unwrap_or(0);
        i += 3;
        let mut after_timeout = false;
        match op % 8 {
            0 => {
                let method = METHODS[usize::from(arg) % 5];
                let d = dest(arg2);
                let text = message(method, None, arg2 >> 2, false, !d.transport.is_reliable());
                if let Ok(Message::Request(req)) = Message::parse(text) {
                    if let Ok(id) = layer.send_request(now, req, d) {
                        ids.push(id);
                    }
                }
            }
            1 | 2 => {
                let method = METHODS[usize::from(arg) % 5];
                let status = (op % 8 == 2).then(|| STATUSES[usize::from(arg2) % 8]);
                let d = dest(arg2);
                let text = message(
                    method,
                    status,
                    arg >> 3,
                    arg & 4 != 0,
                    !d.transport.is_reliable(),
                );
                if let Ok(msg) = Message::parse(text) {
                    layer.handle_message(now, msg, d);
                }
            }
            3 => {
                if let Some(&id) = ids.get(usize::from(arg) % ids.len().max(1)) {
                    if let Some(req) = layer.request(id).cloned() {
                        let status = crate::StatusCode::from_u16(STATUSES[usize::from(arg2) % 8]);
                        if let Ok(status) = status {
                            let resp = crate::Response::to_request(&req, status, Some("t1"));
                            let _ = layer.respond(now, id, resp);
                        }
                    }
                }
            }
            4 => {
                if let Some(&id) = ids.get(usize::from(arg) % ids.len().max(1)) {
                    if let Ok(c) = layer.cancel(now, id) {
                        ids.push(c);
                    }
                }
            }
            5 => {
                now += Duration::from_millis(u64::from(arg) * 100 + u64::from(arg2));
                layer.handle_timeout(now);
                after_timeout = true;
            }
            6 => {
                if let Some(&id) = ids.get(usize::from(arg) % ids.len().max(1)) {
                    layer.transport_error(now, id);
                }
            }
            _ => {
                let len = usize::from(arg).min(data.len().saturating_sub(i));
                if let Some(raw) = data.get(i..i + len) {
                    if let Ok(msg) = parse_datagram(Bytes::copy_from_slice(raw), &Limits::default())
                    {
                        layer.handle_message(now, msg, dest(arg2));
                    }
                }
                i += len;
            }
        }
        while let Some(t) = layer.poll_transmit() {
            if after_timeout && t.destination.transport.is_reliable() {
                let trying = t
                    .message
                    .as_response()
                    .is_some_and(|r| r.status.as_u16() == 100);
                assert!(
                    trying,
                    "a timer retransmitted over a reliable transport: {}",
                    t.message
                );
            }
        }
        while let Some(e) = layer.poll_event() {
            let id = match &e {
                Event::Request { transaction, .. }
                | Event::Response { transaction, .. }
                | Event::Timeout { transaction }
                | Event::TransportError { transaction } => Some(*transaction),
                Event::Terminated { transaction } => {
                    assert!(terminated.insert(*transaction), "terminated twice");
                    assert!(layer.state(*transaction).is_none());
                    None
                }
                _ => None,
            };
            if let Event::Request { transaction, .. } = &e {
                ids.push(*transaction);
            }
            if let Some(id) = id {
                assert!(
                    !terminated.contains(&id),
                    "event for a terminated transaction: {e:?}"
                );
            }
        }
        for id in &terminated {
            assert!(
                layer.state(*id).is_none(),
                "a terminated transaction came back"
            );
        }
        if let Some(at) = layer.poll_timeout() {
            assert!(!after_timeout || at > now, "a timer left in the past");
        }
        assert!(layer.len() <= max);
    }
}

/// Digest authentication on hostile input: `data` is split into an Authorization value for a
/// server, a WWW-Authenticate value for a client, and an Authentication-Info value. Nothing
/// may panic; the server never authorizes credentials it did not see a valid nonce for; what
/// the client adds to a request parses as credentials again.
pub fn digest(data: &[u8]) {
    use crate::auth::{
        DigestClient, DigestClientConfig, DigestCredentials, DigestServer, DigestServerConfig,
        IdGenerator, Outcome,
    };
    use std::collections::HashMap;
    use std::time::Instant;

    let text = String::from_utf8_lossy(data);
    let mut parts = text.splitn(3, '\u{0}');
    let (auth, challenge, info) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let request = |extra: Option<(HeaderName, &str)>| {
        let mut req = crate::Request::new(
            crate::Method::Register,
            crate::RequestUri::new("sip:example.com").expect("a valid URI"),
        );
        if let Some((name, value)) = extra {
            if let Ok(v) = crate::HeaderValue::new(value.to_owned()) {
                req.headers.push(name, v);
            }
        }
        req
    };
    let now = Instant::now();
    let config = DigestServerConfig::new("example.com")
        .secret([3; 32])
        .ids(IdGenerator::from_fn(|b: &mut [u8]| b.fill(9)));
    if let Ok(mut server) = DigestServer::new(config, now) {
        let mut users = HashMap::new();
        users.insert("alice".to_owned(), "secret".to_owned());
        let req = request(Some((HeaderName::Authorization, auth)));
        let outcome = server.verify(now, &req, &users);
        assert!(
            !matches!(outcome, Outcome::Authorized(_)),
            "forged credentials accepted"
        );
        let mut resp = crate::Response::new(crate::StatusCode::OK);
        server.respond(now, &outcome, &mut resp);
    }
    let mut client = DigestClient::new(
        DigestCredentials::new("alice", "secret"),
        DigestClientConfig::default().ids(IdGenerator::from_fn(|b: &mut [u8]| b.fill(5))),
    );
    let mut req = request(None);
    let mut challenge_resp = crate::Response::new(crate::StatusCode::UNAUTHORIZED);
    if let Ok(v) = crate::HeaderValue::new(challenge.to_owned()) {
        challenge_resp.headers.push(HeaderName::WwwAuthenticate, v);
    }
    if client.handle_challenge(&mut req, &challenge_resp).is_ok() {
        for c in req.headers.challenges(&HeaderName::Authorization) {
            assert!(
                c.is_ok(),
                "the client wrote credentials it cannot read back: {c:?}"
            );
        }
    }
    let mut ok = crate::Response::new(crate::StatusCode::OK);
    if let Ok(v) = crate::HeaderValue::new(info.to_owned()) {
        ok.headers.push(HeaderName::AuthenticationInfo, v);
    }
    let _ = client.check_authentication_info(&req, &ok);
}

/// Drives a UA core ([`UserAgent`](crate::dialog::UserAgent)) with operations decoded from
/// `data`: received requests and responses with a few tags, CSeqs and methods, the
/// application's answers, INVITEs, in-dialog requests, BYE, CANCEL and time passing. Checks:
/// no panic; the dialog limit holds; a dialog reported ended is gone; the next timeout is
/// never in the past after a timeout.
pub fn ua(data: &[u8]) {
    use crate::dialog::{LocalParty, UaConfig, UaEvent, UserAgent};
    use crate::transaction::{Destination, TransactionId, Transport};
    use std::time::{Duration, Instant};

    const METHODS: [&str; 6] = ["INVITE", "BYE", "ACK", "CANCEL", "OPTIONS", "INFO"];
    const STATUSES: [u16; 7] = [100, 180, 200, 202, 481, 486, 491];
    const TAGS: [&str; 3] = ["t1", "t2", "t3"];
    let max_dialogs = 8;
    let local = LocalParty {
        via: "SIP/2.0/UDP 127.0.0.1:5060".into(),
        contact: "<sip:ua@127.0.0.1:5060>".into(),
    };
    let mut agent = UserAgent::new(
        UaConfig::new(local).max_dialogs(max_dialogs),
        crate::IdGenerator::from_fn(|b: &mut [u8]| {
            b.iter_mut().for_each(|x| *x = x.wrapping_add(17))
        }),
    );
    let peer = Destination::new(
        std::net::SocketAddr::from(([127, 0, 0, 1], 5070)),
        Transport::Udp,
    );
    let start = Instant::now();
    let mut now = start;
    let mut servers: Vec<TransactionId> = Vec::new();
    let mut clients: Vec<TransactionId> = Vec::new();
    let message =
        |first: String, method: &str, to_tag: Option<&str>, from_tag: &str, seq: u8, branch: u8| {
            let to_tag = to_tag.map(|t| format!(";tag={t}")).unwrap_or_default();
            format!(
                "{first}\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK{branch}\r\n\
             To: <sip:ua@127.0.0.1>{to_tag}\r\nFrom: <sip:peer@127.0.0.1>;tag={from_tag}\r\n\
             Call-ID: fz\r\nCSeq: {seq} {method}\r\nContact: <sip:peer@127.0.0.1:5070>\r\n\
             Content-Length: 0\r\n\r\n"
            )
        };
    let mut i = 0;
    while let Some(&op) = data.get(i) {
        let a = data.get(i + 1).copied().unwrap_or(0);
        let b = data.get(i + 2).copied().unwrap_or(0);
        i += 3;
        let mut after_timeout = false;
        let method = METHODS[usize::from(a) % METHODS.len()];
        let tag = TAGS[usize::from(b) % TAGS.len()];
        match op % 8 {
            // A request from the peer, in or out of a dialog.
            0 => {
                let to = (a & 0x40 != 0).then_some(tag);
                let text = message(
                    format!("{method} sip:ua@127.0.0.1 SIP/2.0"),
                    method,
                    to,
                    "p1",
                    b % 4,
                    a >> 4,
                );
                if let Ok(msg) = Message::parse(text) {
                    agent.handle_message(now, msg, peer);
                }
            }
            // A response from the peer to one of our requests (branches as we sent them are
            // unknown here, so most go to the core as stray responses).
            1 => {
                let status = STATUSES[usize::from(b) % STATUSES.len()];
                let text = message(format!("SIP/2.0 {status} X"), method, Some(tag), "p1", 1, a);
                if let Ok(msg) = Message::parse(text) {
                    agent.handle_message(now, msg, peer);
                }
            }
            // The application answers a request.
            2 => {
                if let Some(&tx) = servers.get(usize::from(a) % servers.len().max(1)) {
                    if let (Some(req), Ok(status)) = (
                        agent.transactions().request(tx).cloned(),
                        crate::StatusCode::from_u16(STATUSES[usize::from(b) % STATUSES.len()]),
                    ) {
                        let mut resp = crate::Response::to_request(&req, status, Some(tag));
                        if let Ok(v) = crate::HeaderValue::new("<sip:ua@127.0.0.1:5060>".to_owned())
                        {
                            resp.headers.push(crate::HeaderName::Contact, v);
                        }
                        let _ = agent.respond(now, tx, resp);
                    }
                }
            }
            // An INVITE of ours.
            3 => {
                let branch = agent.ids().branch();
                let text = format!(
                    "INVITE sip:peer@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch={branch}\r\n\
                     To: <sip:peer@127.0.0.1>\r\nFrom: <sip:ua@127.0.0.1>;tag=me\r\nCall-ID: out\r\n\
                     CSeq: 1 INVITE\r\nContact: <sip:ua@127.0.0.1:5060>\r\nContent-Length: 0\r\n\r\n"
                );
                if let Ok(Message::Request(req)) = Message::parse(text) {
                    if let Ok(tx) = agent.send_request(now, req, peer) {
                        clients.push(tx);
                    }
                }
            }
            // A request in one of our dialogs, or BYE.
            4 | 5 => {
                let ids: Vec<_> = agent.dialog_ids().cloned().collect();
                if let Some(id) = ids.get(usize::from(a) % ids.len().max(1)) {
                    let method = [
                        crate::Method::Invite,
                        crate::Method::Info,
                        crate::Method::Update,
                        crate::Method::Ack,
                    ][usize::from(b) % 4]
                        .clone();
                    let _ = if op % 8 == 5 {
                        agent.bye(now, id)
                    } else {
                        agent.send_in_dialog(now, id, method, None)
                    };
                }
            }
            6 => {
                if let Some(&tx) = clients.get(usize::from(a) % clients.len().max(1)) {
                    let _ = agent.cancel(now, tx);
                }
            }
            _ => {
                now += Duration::from_millis(u64::from(a) * 250 + u64::from(b));
                agent.handle_timeout(now);
                after_timeout = true;
            }
        }
        while agent.poll_transmit().is_some() {}
        while let Some(e) = agent.poll_event() {
            match e {
                UaEvent::Request { transaction, .. } => servers.push(transaction),
                UaEvent::DialogTerminated { dialog, .. } => {
                    assert!(
                        agent.dialog(&dialog).is_none(),
                        "a dialog reported ended is still there"
                    );
                }
                _ => {}
            }
        }
        assert!(agent.dialog_ids().count() <= max_dialogs);
        if after_timeout {
            if let Some(at) = agent.poll_timeout() {
                assert!(at > now, "a timer left in the past");
            }
        }
        if servers.len() > 64 {
            servers.drain(..32);
        }
        if clients.len() > 64 {
            clients.drain(..32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INVITE: &[u8] = b"INVITE sip:bob@example.com SIP/2.0\r\n\
        Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n\
        Max-Forwards: 70\r\nTo: Bob <sip:bob@example.com>\r\n\
        From: Alice <sip:alice@example.com>;tag=1928301774\r\n\
        Call-ID: a84b4c76e66710@pc33.example.com\r\nCSeq: 314159 INVITE\r\n\
        Contact: <sip:alice@pc33.example.com>;+g.3gpp.cs-voice\r\n\
        Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n";

    fn vectors() -> Vec<Vec<u8>> {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/vectors/sip-rfc4475"
        );
        let mut out = vec![INVITE.to_vec(), b"\r\n\r\nOPTIONS".to_vec(), Vec::new()];
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.path().extension().is_some_and(|x| x == "dat") {
                    out.push(std::fs::read(e.path()).unwrap());
                }
            }
        }
        out
    }

    #[test]
    fn harnesses_hold_on_the_torture_messages() {
        for v in vectors() {
            parse_raw(&v);
            parse_serialize_parse(&v);
            for split in [[0u8, 0], [1, 200], [128, 128], [255, 255], [37, 90]] {
                let mut input = split.to_vec();
                input.extend_from_slice(&v);
                stream_split(&input);
            }
        }
    }

    #[test]
    fn two_messages_on_a_stream_split_anywhere() {
        let mut data = vec![0u8, 0];
        data.extend_from_slice(INVITE);
        data.extend_from_slice(b"\r\n");
        data.extend_from_slice(INVITE);
        let whole = frame_pieces(&Limits::default(), [&data[2..]]);
        assert_eq!(whole.len(), 2);
        for a in 0..=255u8 {
            data[0] = a;
            data[1] = a.wrapping_mul(7);
            stream_split(&data);
        }
    }

    #[test]
    fn transaction_harness_on_sample_sequences() {
        let mut rng = testkit::SeededRng::new(5);
        for _ in 0..2000 {
            let len = rng.below(120) as usize;
            transactions(&rng.bytes(len));
        }
        // An INVITE sent over UDP, 180, 200, then time passing.
        transactions(&[0, 0, 0, 2, 0, 1, 2, 0, 3, 5, 200, 0, 5, 200, 0]);
    }

    #[test]
    fn digest_harness_on_sample_inputs() {
        digest(b"");
        digest(b"Digest username=\"alice\", realm=\"example.com\", nonce=\"00\", uri=\"sip:example.com\", response=\"00\"\0Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256\0rspauth=\"00\"");
        let mut rng = testkit::SeededRng::new(8);
        for _ in 0..500 {
            let len = rng.below(200) as usize;
            digest(&rng.bytes(len));
        }
    }

    #[test]
    fn ua_harness_on_sample_sequences() {
        let mut rng = testkit::SeededRng::new(6);
        for _ in 0..1000 {
            let len = rng.below(150) as usize;
            ua(&rng.bytes(len));
        }
        // An INVITE arrives, is answered 180 then 200, time passes (no ACK), BYE goes out.
        ua(&[0, 0, 0, 2, 0, 1, 2, 0, 2, 7, 200, 0, 7, 200, 0]);
    }

    #[test]
    fn uri_harness_on_sample_uris() {
        for u in [
            "sip:alice@example.com;transport=tcp?subject=x",
            "sips:[2001:db8::1]:5061",
            "tel:+44-20-7946-0000;phone-context=+44",
            "urn:service:sos",
            "sip:%61lice@EXAMPLE.com",
        ] {
            uri(u.as_bytes());
        }
    }
}
