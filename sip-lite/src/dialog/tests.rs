//! The UA core in simulated time: two user agents over testkit's links, each message on the
//! wire (including those lost on purpose) logged with the time it left, asserted exactly.

use std::time::{Duration, Instant};

use testkit::{Pair, PipeConfig};

use super::*;
use crate::sim;
use crate::transaction::{Destination, TransactionId, Transport};
use crate::{IdGenerator, Message, Method, Request, Response, StatusCode};

type Side = sim::Side<UserAgent>;
type Script = sim::Script<UserAgent>;

/// A user agent on 127.0.0.1:`port` talking to `peer` over UDP, ids from `seed`.
fn side(port: u16, peer: u16, seed: u64) -> Side {
    let local = LocalParty {
        via: format!("SIP/2.0/UDP 127.0.0.1:{port}"),
        contact: format!("<sip:ua@127.0.0.1:{port}>"),
    };
    let ua = UserAgent::new(
        UaConfig::new(local),
        IdGenerator::from_fn(testkit::id_source(seed)),
    );
    let peer = Destination::new(
        std::net::SocketAddr::from(([127, 0, 0, 1], peer)),
        Transport::Udp,
    );
    sim::Side::new(ua, peer, summary)
}

fn summary(m: &Message) -> String {
    let tag = m
        .headers()
        .to_addr()
        .and_then(Result::ok)
        .and_then(|a| a.tag().map(str::to_owned));
    let tag = tag.map(|t| format!(" to-tag={t}")).unwrap_or_default();
    match m {
        Message::Request(r) => format!("{}{tag}", r.method),
        Message::Response(r) => {
            let method = r
                .headers
                .cseq()
                .and_then(Result::ok)
                .map(|c| c.method.to_string());
            format!("{} {}", r.status.as_u16(), method.unwrap_or_default())
        }
    }
}

fn pair() -> Pair<Side, Side> {
    let link = PipeConfig::datagram().with_delay(Duration::from_millis(10));
    sim::pair(side(5060, 5070, 1), side(5070, 5060, 2), link, 3)
}

/// Steps the pair until idle or `until`, returning "time side message" lines.
fn run(p: &mut Pair<Side, Side>, until: Option<Instant>) -> Vec<String> {
    sim::run(p, ("alice", "bob"), until)
}

/// Alice sends an INVITE to Bob now; returns its transaction.
fn alice_invites(p: &mut Pair<Side, Side>) -> TransactionId {
    let now = p.now();
    let req = invite(&mut p.a.engine, 5060);
    let dest = p.a.peer;
    p.a.engine.send_request(now, req, dest).unwrap()
}

fn invite(ua: &mut UserAgent, port: u16) -> Request {
    let branch = ua.ids().branch();
    let tag = ua.ids().tag();
    let text = format!(
        "INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{port};branch={branch}\r\n\
         Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag={tag}\r\n\
         Call-ID: call-x@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@127.0.0.1:{port}>\r\n\
         Content-Length: 0\r\n\r\n"
    );
    Message::parse(text).unwrap().as_request().unwrap().clone()
}

/// Bob's script: answer INVITEs with 180 and then `final_status`, tag "bob".
fn bob_answers(final_status: StatusCode) -> Script {
    Box::new(move |ua, now, e| {
        if let UaEvent::Request {
            transaction,
            request,
            dialog: None,
        } = e
        {
            if request.method == Method::Invite {
                let req = request.clone();
                let ringing = Response::to_request(&req, StatusCode::RINGING, Some("bob"));
                ua.respond(now, *transaction, ringing).unwrap();
                let mut fin = Response::to_request(&req, final_status, Some("bob"));
                fin.headers.push(
                    crate::HeaderName::Contact,
                    crate::HeaderValue::from_static("<sip:bob@127.0.0.1:5070>").unwrap(),
                );
                ua.respond(now, *transaction, fin).unwrap();
            }
        }
    })
}

fn first_dialog(side: &Side) -> DialogId {
    side.engine.dialog_ids().next().cloned().expect("a dialog")
}

fn count(side: &Side, pred: impl Fn(&UaEvent) -> bool) -> usize {
    side.events.iter().filter(|(_, e)| pred(e)).count()
}

#[test]
fn a_lost_200_is_retransmitted_by_the_ua_core_until_the_ack() {
    let mut p = pair();
    p.b.script = bob_answers(StatusCode::OK);
    p.b.lose = {
        let mut n = 0;
        Box::new(move |m| {
            let ok = m.as_response().is_some_and(|r| r.status == StatusCode::OK);
            n += usize::from(ok);
            ok && n <= 2
        })
    };
    alice_invites(&mut p);
    let wire = run(&mut p, None);
    assert_eq!(
        wire,
        [
            "     0 alice INVITE",
            "    10 bob 180 INVITE",
            "    10 bob 200 INVITE (lost)",
            // §13.3.1.4: T1, then 2*T1 ...
            "   510 bob 200 INVITE (lost)",
            "  1510 bob 200 INVITE",
            "  1520 alice ACK to-tag=bob",
        ]
    );
    assert_eq!(count(&p.b, |e| matches!(e, UaEvent::AckReceived { .. })), 1);
    let alice = first_dialog(&p.a);
    let bob = first_dialog(&p.b);
    assert_eq!(
        (alice.call_id.as_str(), alice.remote_tag.as_str()),
        ("call-x@127.0.0.1", "bob")
    );
    assert_eq!(bob.local_tag, "bob");
    assert_eq!(bob.remote_tag, alice.local_tag);
    assert_eq!(
        p.a.engine.dialog(&alice).unwrap().state(),
        DialogState::Confirmed
    );
}

#[test]
fn a_lost_ack_makes_bob_retransmit_and_alice_acks_again() {
    let mut p = pair();
    p.b.script = bob_answers(StatusCode::OK);
    p.a.lose = {
        let mut first = true;
        Box::new(move |m| {
            let ack = m.as_request().is_some_and(|r| r.method == Method::Ack);
            let lose = ack && first;
            first &= !ack;
            lose
        })
    };
    alice_invites(&mut p);
    let wire = run(&mut p, None);
    assert_eq!(
        wire,
        [
            "     0 alice INVITE",
            "    10 bob 180 INVITE",
            "    10 bob 200 INVITE",
            "    20 alice ACK to-tag=bob (lost)",
            "   510 bob 200 INVITE",
            // The same ACK again (RFC 6026: the Accepted transaction passes the 2xx up).
            "   520 alice ACK to-tag=bob",
        ]
    );
    let acks: Vec<&String> = p.a.sent.iter().filter(|s| s.starts_with("ACK")).collect();
    assert_eq!(acks.len(), 2);
}

#[test]
fn no_ack_at_all_ends_the_dialog_with_bye() {
    let mut p = pair();
    p.b.script = bob_answers(StatusCode::OK);
    p.a.lose = Box::new(|m| m.as_request().is_some_and(|r| r.method == Method::Ack));
    alice_invites(&mut p);
    let wire = run(&mut p, None);
    let bob_200s: Vec<&str> = wire
        .iter()
        .filter(|l| l.contains("bob 200 INVITE"))
        .map(|l| l[..6].trim())
        .collect();
    assert_eq!(
        bob_200s,
        [
            "10", "510", "1510", "3510", "7510", "11510", "15510", "19510", "23510", "27510",
            "31510"
        ]
    );
    assert!(wire.iter().any(|l| l.contains("32010 bob BYE")), "{wire:?}");
    assert_eq!(
        count(&p.b, |e| matches!(
            e,
            UaEvent::DialogTerminated {
                reason: TerminationReason::NoAck,
                ..
            }
        )),
        1
    );
    // Alice's dialog ends with the BYE she receives.
    assert_eq!(
        count(&p.a, |e| matches!(
            e,
            UaEvent::DialogTerminated {
                reason: TerminationReason::ByeReceived,
                ..
            }
        )),
        1
    );
}

#[test]
fn forked_2xx_are_each_acked_and_the_extra_one_ended() {
    let mut p = pair();
    // Bob answers 200, and a second branch of a forking proxy answers with tag "fork2".
    p.b.script = Box::new(|ua, now, e| {
        if let UaEvent::Request {
            transaction,
            request,
            dialog: None,
        } = e
        {
            if request.method == Method::Invite {
                let mut ok = Response::to_request(request, StatusCode::OK, Some("bob"));
                ok.headers.push(
                    crate::HeaderName::Contact,
                    crate::HeaderValue::from_static("<sip:bob@127.0.0.1:5070>").unwrap(),
                );
                let mut fork = Response::to_request(request, StatusCode::OK, Some("fork2"));
                fork.headers.push(
                    crate::HeaderName::Contact,
                    crate::HeaderValue::from_static("<sip:bob2@127.0.0.1:5070>").unwrap(),
                );
                ua.respond(now, *transaction, ok).unwrap();
                let peer = ua.transactions().peer(*transaction).unwrap();
                // What a forking proxy relays from the other branch.
                ua_send_stateless(ua, Message::Response(fork), peer);
            }
        }
    });
    let now = p.now();
    alice_invites(&mut p);
    let wire = run(&mut p, Some(now + Duration::from_millis(100)));
    assert_eq!(
        wire,
        [
            "     0 alice INVITE",
            "    10 bob 200 INVITE",
            "    10 bob 200 INVITE",
            "    20 alice ACK to-tag=bob",
            "    20 alice ACK to-tag=fork2",
            "    20 alice BYE to-tag=fork2",
            // Bob's core does not know the fork's dialog: 481 (§12.2.2).
            "    30 bob 481 BYE",
        ]
    );
    assert_eq!(
        count(&p.a, |e| matches!(
            e,
            UaEvent::DialogTerminated {
                reason: TerminationReason::ExtraFork,
                ..
            }
        )),
        1
    );
    assert_eq!(
        count(&p.a, |e| matches!(e, UaEvent::DialogConfirmed { .. })),
        2
    );
    assert_eq!(
        p.a.engine.dialog_ids().count(),
        1,
        "only the first dialog is kept"
    );
}

/// A stateless send through the UA's transaction layer, for the forking test.
fn ua_send_stateless(ua: &mut UserAgent, msg: Message, to: Destination) {
    ua.send_stateless(msg, to);
}

fn established() -> (Pair<Side, Side>, DialogId, DialogId) {
    let mut p = pair();
    p.b.script = bob_answers(StatusCode::OK);
    let now = p.now();
    alice_invites(&mut p);
    run(&mut p, Some(now + Duration::from_millis(100)));
    p.b.script = Box::new(|_, _, _| {});
    let (a, b) = (first_dialog(&p.a), first_dialog(&p.b));
    p.a.sent.clear();
    p.b.sent.clear();
    (p, a, b)
}

#[test]
fn reinvite_glare_is_answered_491_on_both_sides() {
    let (mut p, alice, bob) = established();
    let now = p.now();
    p.a.engine
        .send_in_dialog(now, &alice, Method::Invite, None)
        .unwrap();
    p.b.engine
        .send_in_dialog(now, &bob, Method::Invite, None)
        .unwrap();
    assert_eq!(
        p.a.engine.send_in_dialog(now, &alice, Method::Invite, None),
        Err(UaError::RequestPending)
    );
    let wire = run(&mut p, Some(now + Duration::from_millis(100)));
    let wire: Vec<String> = wire.iter().map(|l| l[7..].to_owned()).collect();
    assert_eq!(
        wire,
        [
            "alice INVITE to-tag=bob",
            format!("bob INVITE to-tag={}", alice.local_tag).as_str(),
            "alice 491 INVITE",
            "bob 491 INVITE",
            // The 491s are non-2xx finals: each client transaction ACKs its own.
            "alice ACK to-tag=bob",
            format!("bob ACK to-tag={}", alice.local_tag).as_str(),
        ]
    );
    // A refused re-INVITE does not move the target (RFC 6141 §3.1).
    assert_eq!(
        p.a.engine.dialog(&alice).unwrap().remote_target(),
        "sip:bob@127.0.0.1:5070"
    );
    // Both may try again, Alice (who owns the Call-ID) after 2.1-4 s, Bob within 2 s.
    let a_wait = p.a.engine.glare_delay(&alice);
    let b_wait = p.b.engine.glare_delay(&bob);
    assert!((2100..=4000).contains(&a_wait.as_millis()), "{a_wait:?}");
    assert!(b_wait.as_millis() <= 2000, "{b_wait:?}");
    let now = p.now();
    p.a.engine
        .send_in_dialog(now, &alice, Method::Invite, None)
        .unwrap();
}

#[test]
fn reinvite_refreshes_the_target_and_cseq_rises() {
    let (mut p, alice, bob) = established();
    p.b.script = Box::new(|ua, now, e| {
        if let UaEvent::Request {
            transaction,
            request,
            dialog: Some(_),
        } = e
        {
            if request.method == Method::Invite {
                let mut ok = Response::to_request(request, StatusCode::OK, None);
                ok.headers.push(
                    crate::HeaderName::Contact,
                    crate::HeaderValue::from_static("<sip:bob@127.0.0.1:5099>").unwrap(),
                );
                ua.respond(now, *transaction, ok).unwrap();
            }
        }
    });
    let now = p.now();
    let tx =
        p.a.engine
            .send_in_dialog(now, &alice, Method::Invite, None)
            .unwrap();
    assert_eq!(
        p.a.engine
            .transactions()
            .request(tx)
            .unwrap()
            .headers
            .cseq()
            .unwrap()
            .unwrap()
            .seq,
        2
    );
    run(&mut p, Some(now + Duration::from_millis(100)));
    assert_eq!(
        p.a.engine.dialog(&alice).unwrap().remote_target(),
        "sip:bob@127.0.0.1:5099"
    );
    assert_eq!(p.b.engine.dialog(&bob).unwrap().remote_seq(), Some(2));
    assert_eq!(p.a.sent, ["INVITE to-tag=bob", "ACK to-tag=bob"]);
}

#[test]
fn bye_ends_the_dialog_on_both_sides() {
    let (mut p, alice, _bob) = established();
    let now = p.now();
    p.a.engine.bye(now, &alice).unwrap();
    run(&mut p, Some(now + Duration::from_millis(100)));
    assert_eq!(p.a.sent, ["BYE to-tag=bob"]);
    assert_eq!(p.b.sent, ["200 BYE"]);
    assert_eq!(p.a.engine.dialog_ids().count(), 0);
    assert_eq!(p.b.engine.dialog_ids().count(), 0);
    assert_eq!(
        count(&p.a, |e| matches!(
            e,
            UaEvent::DialogTerminated {
                reason: TerminationReason::ByeSent,
                ..
            }
        )),
        1
    );
    assert_eq!(
        count(&p.b, |e| matches!(
            e,
            UaEvent::DialogTerminated {
                reason: TerminationReason::ByeReceived,
                ..
            }
        )),
        1
    );
}

#[test]
fn requests_for_unknown_dialogs_get_481_and_old_cseqs_500() {
    let (mut p, alice, _bob) = established();
    // A request in a dialog Bob has never seen.
    let mut stranger = p.a.engine.dialog(&alice).unwrap().clone();
    let mut ids = IdGenerator::from_fn(testkit::id_source(9));
    let local = LocalParty {
        via: "SIP/2.0/UDP 127.0.0.1:5060".into(),
        contact: "<sip:a@127.0.0.1>".into(),
    };
    let mut info = stranger.request(Method::Info, &local, &mut ids).unwrap();
    info.headers.set(
        crate::HeaderName::CallId,
        crate::HeaderValue::from_static("unknown-call").unwrap(),
    );
    let now = p.now();
    let dest = p.a.peer;
    p.a.engine.send_request(now, info, dest).unwrap();
    run(&mut p, Some(now + Duration::from_millis(50)));
    assert_eq!(p.b.sent, ["481 INFO"]);
    // A CSeq not above the last one Bob accepted.
    p.b.sent.clear();
    let mut old = p.a.engine.dialog(&alice).unwrap().clone();
    let mut again = old.request(Method::Info, &local, &mut ids).unwrap();
    again.headers.set(
        crate::HeaderName::CSeq,
        crate::HeaderValue::from_static("1 INFO").unwrap(),
    );
    let now = p.now();
    p.a.engine.send_request(now, again, dest).unwrap();
    run(&mut p, Some(now + Duration::from_millis(50)));
    assert_eq!(p.b.sent, ["500 INFO"]);
}

#[test]
fn cancel_gets_200_and_the_invite_487() {
    let mut p = pair();
    p.b.script = Box::new(|ua, now, e| {
        if let UaEvent::Request {
            transaction,
            request,
            dialog: None,
        } = e
        {
            if request.method == Method::Invite {
                let ringing = Response::to_request(request, StatusCode::RINGING, Some("bob"));
                ua.respond(now, *transaction, ringing).unwrap();
            }
        }
    });
    let now = p.now();
    let tx = alice_invites(&mut p);
    run(&mut p, Some(now + Duration::from_millis(50)));
    let now = p.now();
    p.a.engine.cancel(now, tx).unwrap();
    let wire = run(&mut p, Some(now + Duration::from_millis(100)));
    let wire: Vec<String> = wire.iter().map(|l| l[7..].to_owned()).collect();
    assert_eq!(
        wire,
        [
            "alice CANCEL",
            "bob 200 CANCEL",
            "bob 487 INVITE",
            "alice ACK to-tag=bob"
        ]
    );
    assert_eq!(count(&p.b, |e| matches!(e, UaEvent::Cancelled { .. })), 1);
    // Both early dialogs ended with the 487.
    assert_eq!(p.a.engine.dialog_ids().count(), 0);
    assert_eq!(p.b.engine.dialog_ids().count(), 0);
}

/// REGISTER challenged with 401, answered with digest credentials and accepted; later the
/// nonce expires, the server answers `stale=true` and the client retries without asking.
#[test]
fn digest_401_then_success_and_a_stale_nonce() {
    use crate::auth::{
        DigestClient, DigestClientConfig, DigestCredentials, DigestServer, DigestServerConfig,
    };
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::rc::Rc;

    let mut p = pair();
    let start = p.now();
    let mut server = DigestServer::new(
        DigestServerConfig::new("example.com")
            .nonce_lifetime(Duration::from_secs(60))
            .secret([7; 32])
            .ids(IdGenerator::from_fn(testkit::id_source(11))),
        start,
    )
    .unwrap();
    let mut users = HashMap::new();
    users.insert("alice".to_owned(), "secret".to_owned());
    p.b.script = Box::new(move |ua, now, e| {
        if let UaEvent::Request {
            transaction,
            request,
            ..
        } = e
        {
            let outcome = server.verify(now, request, &users);
            let mut resp = Response::to_request(request, StatusCode::OK, Some("reg"));
            server.respond(now, &outcome, &mut resp);
            ua.respond(now, *transaction, resp).unwrap();
        }
    });
    let last: Rc<RefCell<Option<Request>>> = Rc::new(RefCell::new(None));
    let client = Rc::new(RefCell::new(DigestClient::new(
        DigestCredentials::new("alice", "secret"),
        DigestClientConfig::default().ids(IdGenerator::from_fn(testkit::id_source(12))),
    )));
    let dest = p.a.peer;
    let (last2, client2) = (last.clone(), client.clone());
    // Alice answers a challenge with the same request, a new branch and the next CSeq.
    p.a.script = Box::new(move |ua, now, e| {
        if let UaEvent::Response { response, .. } = e {
            if response.status.as_u16() == 401 {
                let mut req = last2.borrow().clone().unwrap();
                next_attempt(ua, &mut req);
                client2
                    .borrow_mut()
                    .handle_challenge(&mut req, response)
                    .unwrap();
                *last2.borrow_mut() = Some(req.clone());
                ua.send_request(now, req, dest).unwrap();
            }
        }
    });
    let register = |ua: &mut UserAgent, seq: u32| {
        let branch = ua.ids().branch();
        Message::parse(format!(
            "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch={branch}\r\n\
             Max-Forwards: 70\r\nTo: <sip:alice@example.com>\r\nFrom: <sip:alice@example.com>;tag=r1\r\n\
             Call-ID: reg-1\r\nCSeq: {seq} REGISTER\r\nContact: <sip:alice@127.0.0.1:5060>\r\n\
             Expires: 3600\r\nContent-Length: 0\r\n\r\n"
        ))
        .unwrap()
        .as_request()
        .unwrap()
        .clone()
    };
    let req = register(&mut p.a.engine, 1);
    *last.borrow_mut() = Some(req.clone());
    p.a.engine.send_request(start, req, dest).unwrap();
    let wire = run(&mut p, Some(start + Duration::from_millis(100)));
    let wire: Vec<String> = wire.iter().map(|l| l[7..].to_owned()).collect();
    assert_eq!(
        wire,
        [
            "alice REGISTER",
            "bob 401 REGISTER",
            "alice REGISTER",
            "bob 200 REGISTER"
        ]
    );

    // Two minutes later the nonce has expired: credentials sent up front get stale=true, and
    // the client retries on its own with the new nonce.
    p.clock.advance(Duration::from_secs(120));
    let now = p.now();
    let mut req = register(&mut p.a.engine, 3);
    client.borrow_mut().authorize(&mut req).unwrap();
    *last.borrow_mut() = Some(req.clone());
    p.a.engine.send_request(now, req, dest).unwrap();
    let wire = run(&mut p, Some(now + Duration::from_millis(100)));
    let wire: Vec<String> = wire.iter().map(|l| l[7..].to_owned()).collect();
    assert_eq!(
        wire,
        [
            "alice REGISTER",
            "bob 401 REGISTER",
            "alice REGISTER",
            "bob 200 REGISTER"
        ]
    );
    let stale = p.a.events.iter().rev().find_map(|(_, e)| match e {
        UaEvent::Response { response, .. } if response.status.as_u16() == 401 => response
            .headers
            .get(&crate::HeaderName::WwwAuthenticate)
            .map(|v| v.as_str().to_owned()),
        _ => None,
    });
    assert!(stale.unwrap().contains("stale=true"));
    let oks = p.a.events.iter().filter(|(_, e)| matches!(e, UaEvent::Response { response, .. } if response.status == StatusCode::OK)).count();
    assert_eq!(oks, 2);
}

/// A retry of `req`: a new Via branch and the next CSeq number (RFC 3261 §22.2).
fn next_attempt(ua: &mut UserAgent, req: &mut Request) {
    let seq = req.headers.cseq().unwrap().unwrap().seq + 1;
    let branch = ua.ids().branch();
    req.headers.set(
        crate::HeaderName::Via,
        crate::HeaderValue::new(format!("SIP/2.0/UDP 127.0.0.1:5060;branch={branch}")).unwrap(),
    );
    req.headers.set(
        crate::HeaderName::CSeq,
        crate::HeaderValue::new(format!("{seq} {}", req.method)).unwrap(),
    );
}

#[test]
fn route_sets_give_loose_and_strict_routing() {
    let invite = |rr: &str| {
        Message::parse(format!(
            "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n\
             To: <sip:bob@example.com>\r\nFrom: \"Alice\" <sip:alice@example.com>;tag=a1\r\n\
             Call-ID: rr-1\r\nCSeq: 7 INVITE\r\n{rr}Contact: <sip:alice@a.example.com>\r\nContent-Length: 0\r\n\r\n"
        ))
        .unwrap()
        .as_request()
        .unwrap()
        .clone()
    };
    let local = LocalParty {
        via: "SIP/2.0/UDP b.example.com".into(),
        contact: "<sip:bob@b.example.com>".into(),
    };
    let mut ids = IdGenerator::from_fn(testkit::id_source(3));

    // Loose routing (lr on the first route): Request-URI is the remote target; the UAS keeps
    // Record-Route in order (§12.1.1).
    let req = invite("Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n");
    let ok = Response::to_request(&req, StatusCode::OK, Some("b1"));
    let mut d = Dialog::uas(&req, &ok).unwrap();
    assert_eq!(
        d.route_set(),
        ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
    );
    assert_eq!(d.remote_seq(), Some(7));
    let bye = d.request(Method::Bye, &local, &mut ids).unwrap();
    assert_eq!(bye.uri.as_str(), "sip:alice@a.example.com");
    let routes: Vec<&str> = bye
        .headers
        .get_all(&crate::HeaderName::Route)
        .map(|v| v.as_str())
        .collect();
    assert_eq!(
        routes,
        ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
    );
    assert_eq!(
        bye.headers.get(&crate::HeaderName::To).unwrap().as_str(),
        "\"Alice\" <sip:alice@example.com>;tag=a1"
    );
    assert_eq!(
        bye.headers.get(&crate::HeaderName::From).unwrap().as_str(),
        "<sip:bob@example.com>;tag=b1"
    );
    assert_eq!(
        bye.headers.get(&crate::HeaderName::CSeq).unwrap().as_str(),
        "1 BYE"
    );

    // Strict routing (no lr): the first route becomes the Request-URI and the remote target
    // goes last in Route (§12.2.1.1).
    let req =
        invite("Record-Route: <sip:p1.example.com>\r\nRecord-Route: <sip:p2.example.com;lr>\r\n");
    let ok = Response::to_request(&req, StatusCode::OK, Some("b1"));
    let mut d = Dialog::uas(&req, &ok).unwrap();
    let bye = d.request(Method::Bye, &local, &mut ids).unwrap();
    assert_eq!(bye.uri.as_str(), "sip:p1.example.com");
    let routes: Vec<&str> = bye
        .headers
        .get_all(&crate::HeaderName::Route)
        .map(|v| v.as_str())
        .collect();
    assert_eq!(
        routes,
        ["<sip:p2.example.com;lr>", "<sip:alice@a.example.com>"]
    );

    // The UAC reverses Record-Route (§12.1.2) and needs the To tag.
    let req = invite("");
    let mut resp = Response::to_request(&req, StatusCode::OK, Some("b2"));
    resp.headers.push(
        crate::HeaderName::RecordRoute,
        crate::HeaderValue::from_static("<sip:p1.example.com;lr>, <sip:p2.example.com;lr>")
            .unwrap(),
    );
    resp.headers.push(
        crate::HeaderName::Contact,
        crate::HeaderValue::from_static("<sip:bob@b.example.com>").unwrap(),
    );
    let d = Dialog::uac(&req, &resp).unwrap();
    assert_eq!(
        d.route_set(),
        ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]
    );
    assert_eq!(d.local_seq(), 7);
    let untagged = Response::to_request(&req, StatusCode::OK, None);
    assert_eq!(Dialog::uac(&req, &untagged), Err(DialogError::MissingTag));
    // A request that goes back in CSeq is refused (answer 500).
    let mut d = Dialog::uas(
        &invite(""),
        &Response::to_request(&invite(""), StatusCode::OK, Some("b3")),
    )
    .unwrap();
    let again = invite("");
    assert_eq!(
        d.receive_request(&again),
        Err(DialogError::OutOfOrder {
            received: 7,
            last: 7
        })
    );
}

#[test]
fn a_bye_ends_the_dialog_and_a_pending_reinvite_gets_487() {
    let (mut p, alice, bob) = established();
    // Alice's re-INVITE reaches Bob, who does not answer it yet; then Alice hangs up.
    let now = p.now();
    p.a.engine
        .send_in_dialog(now, &alice, Method::Invite, None)
        .unwrap();
    run(&mut p, Some(now + Duration::from_millis(50)));
    let now = p.now();
    assert_eq!(
        p.a.engine.send_in_dialog(now, &alice, Method::Ack, None),
        Err(UaError::NotInDialog(Method::Ack))
    );
    p.a.engine.bye(now, &alice).unwrap();
    let wire = run(&mut p, Some(now + Duration::from_millis(100)));
    let wire: Vec<String> = wire.iter().map(|l| l[7..].to_owned()).collect();
    assert_eq!(
        wire,
        [
            "alice BYE to-tag=bob",
            "bob 200 BYE",
            "bob 487 INVITE",
            "alice ACK to-tag=bob"
        ]
    );
    assert!(p.b.engine.dialog(&bob).is_none());
    // One DialogTerminated per side.
    assert_eq!(
        count(&p.a, |e| matches!(e, UaEvent::DialogTerminated { .. })),
        1
    );
    assert_eq!(
        count(&p.b, |e| matches!(e, UaEvent::DialogTerminated { .. })),
        1
    );
}

#[test]
fn early_dialogs_end_with_their_invite_and_forks_are_bounded() {
    let mut p = pair();
    // Bob sends many 180s with new tags, then 200 with one of them.
    p.b.script = Box::new(|ua, now, e| {
        if let UaEvent::Request {
            transaction,
            request,
            dialog: None,
        } = e
        {
            if request.method == Method::Invite {
                let peer = ua.transactions().peer(*transaction).unwrap();
                for i in 0..40 {
                    let mut ringing =
                        Response::to_request(request, StatusCode::RINGING, Some(&format!("t{i}")));
                    ringing.headers.push(
                        crate::HeaderName::Contact,
                        crate::HeaderValue::from_static("<sip:bob@127.0.0.1:5070>").unwrap(),
                    );
                    ua.send_stateless(Message::Response(ringing), peer);
                }
                let mut ok = Response::to_request(request, StatusCode::OK, Some("t0"));
                ok.headers.push(
                    crate::HeaderName::Contact,
                    crate::HeaderValue::from_static("<sip:bob@127.0.0.1:5070>").unwrap(),
                );
                ua.respond(now, *transaction, ok).unwrap();
            }
        }
    });
    let now = p.now();
    alice_invites(&mut p);
    run(&mut p, Some(now + Duration::from_millis(100)));
    // At most MAX_FORKS dialogs were made; while the INVITE is in Accepted the early ones stay.
    assert!(p.a.engine.dialog_ids().count() <= MAX_FORKS);
    // When the INVITE transaction ends (timer M), only the confirmed dialog is left.
    run(&mut p, None);
    let left: Vec<&DialogId> = p.a.engine.dialog_ids().collect();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].remote_tag, "t0");
    assert_eq!(
        p.a.engine.dialog(left[0]).unwrap().state(),
        DialogState::Confirmed
    );
}

#[test]
fn only_a_2xx_to_the_invite_confirms_a_dialog() {
    let req = Message::parse(
        "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP a.example.com;branch=z9hG4bK1\r\n\
         To: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=a1\r\nCall-ID: e-1\r\n\
         CSeq: 1 INVITE\r\nContact: <sip:alice@a.example.com>\r\nContent-Length: 0\r\n\r\n",
    )
    .unwrap()
    .as_request()
    .unwrap()
    .clone();
    let mut ringing = Response::to_request(&req, StatusCode::RINGING, Some("b1"));
    ringing.headers.push(
        crate::HeaderName::Contact,
        crate::HeaderValue::from_static("<sip:bob@b.example.com>").unwrap(),
    );
    let mut d = Dialog::uac(&req, &ringing).unwrap();
    assert_eq!(d.state(), DialogState::Early);
    let local = LocalParty {
        via: "SIP/2.0/UDP a.example.com".into(),
        contact: "<sip:alice@a.example.com>".into(),
    };
    let mut ids = IdGenerator::from_fn(testkit::id_source(4));
    let info = d.request(Method::Info, &local, &mut ids).unwrap();
    d.receive_success(&Response::to_request(&info, StatusCode::OK, None));
    assert_eq!(
        d.state(),
        DialogState::Early,
        "a 2xx to INFO does not confirm"
    );
    let mut ok = Response::to_request(&req, StatusCode::OK, Some("b1"));
    ok.headers.push(
        crate::HeaderName::RecordRoute,
        crate::HeaderValue::from_static("<sip:p1.example.com;lr>, <sip:p2.example.com;lr>")
            .unwrap(),
    );
    ok.headers.push(
        crate::HeaderName::Contact,
        crate::HeaderValue::from_static("<sip:bob@b2.example.com>").unwrap(),
    );
    d.receive_success(&ok);
    assert_eq!(d.state(), DialogState::Confirmed);
    // §13.2.2.4: the route set comes from the 2xx, reversed.
    assert_eq!(
        d.route_set(),
        ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"]
    );
    assert_eq!(d.remote_target(), "sip:bob@b2.example.com");
}
