//! The transaction machines in simulated time: two layers joined by testkit's datagram or
//! stream links, each message on the wire logged with its send time (including those the
//! test loses on purpose), and asserted exactly.

use std::time::{Duration, Instant};

use testkit::{Pair, PipeConfig};

use super::*;
use crate::sim;
use crate::{Message, Method, Request, Response, StatusCode};

const DELAY: Duration = Duration::from_millis(10);

type Side = sim::Side<TransactionLayer>;
type Script = sim::Script<TransactionLayer>;
type Loss = sim::Loss;

/// "INVITE" / "180 INVITE" style summary of a message.
fn summary(m: &Message) -> String {
    match m {
        Message::Request(r) => r.method.to_string(),
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

fn side(peer: Destination) -> Side {
    sim::Side::new(TransactionLayer::default(), peer, summary)
}

fn addr(port: u16) -> std::net::SocketAddr {
    std::net::SocketAddr::from(([127, 0, 0, 1], port))
}

fn request(method: &str, branch: &str, transport: Transport) -> Request {
    let text = format!(
        "{method} sip:bob@127.0.0.1:5070 SIP/2.0\r\n\
         Via: SIP/2.0/{} 127.0.0.1:5060;branch={branch}\r\n\
         Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\n\
         From: <sip:alice@example.com>;tag=a1\r\nCall-ID: call-1@127.0.0.1\r\n\
         CSeq: 1 {method}\r\nContact: <sip:alice@127.0.0.1:5060>\r\nContent-Length: 0\r\n\r\n",
        transport.via_token()
    );
    Message::parse(text).unwrap().as_request().unwrap().clone()
}

/// A UAC (a) and a UAS (b) over `transport`, links with 10 ms delay.
fn pair(transport: Transport) -> Pair<Side, Side> {
    let link = if transport.is_reliable() {
        PipeConfig::default().with_delay(DELAY)
    } else {
        PipeConfig::datagram().with_delay(DELAY)
    };
    let a = side(Destination::new(addr(5070), transport));
    let b = side(Destination::new(addr(5060), transport));
    sim::pair(a, b, link, 1)
}

/// Drives until nothing is left to do, logging each side's sends with the time they left.
fn drive(p: &mut Pair<Side, Side>) -> Vec<String> {
    sim::run(p, ("uac", "uas"), None)
}

fn respond(layer: &mut TransactionLayer, now: Instant, id: TransactionId, status: StatusCode) {
    let req = layer.request(id).unwrap().clone();
    let resp = Response::to_request(&req, status, Some("b1"));
    layer.respond(now, id, resp).unwrap();
}

/// A UAS script: answer each new request of `method` with `statuses` at once.
fn answer(method: Method, statuses: Vec<StatusCode>) -> Script {
    Box::new(move |layer, now, e| {
        if let Event::Request {
            transaction,
            request,
            ..
        } = e
        {
            if request.method == method {
                for s in &statuses {
                    respond(layer, now, *transaction, *s);
                }
            }
        }
    })
}

fn lose_first(pred: impl Fn(&Message) -> bool + 'static, count: usize) -> Loss {
    let mut left = count;
    Box::new(move |m| {
        if left > 0 && pred(m) {
            left -= 1;
            true
        } else {
            false
        }
    })
}

fn is_request(method: Method) -> impl Fn(&Message) -> bool {
    move |m| m.as_request().is_some_and(|r| r.method == method)
}

fn kinds(events: &[(Duration, Event)]) -> Vec<String> {
    events
        .iter()
        .map(|(t, e)| {
            let what = match e {
                Event::Request {
                    request, cancels, ..
                } => {
                    format!(
                        "request {}{}",
                        request.method,
                        if cancels.is_some() { " (cancels)" } else { "" }
                    )
                }
                Event::Response { response, .. } => {
                    format!("response {}", response.status.as_u16())
                }
                Event::Ack { transaction, .. } => format!(
                    "ack{}",
                    if transaction.is_some() {
                        " (accepted)"
                    } else {
                        ""
                    }
                ),
                Event::StrayResponse { response, .. } => {
                    format!("stray {}", response.status.as_u16())
                }
                Event::Timeout { .. } => "timeout".into(),
                Event::TransportError { .. } => "transport error".into(),
                Event::Terminated { .. } => "terminated".into(),
                Event::Dropped { .. } => "dropped".into(),
            };
            format!("{:>6} {what}", t.as_millis())
        })
        .collect()
}

#[test]
fn lost_invites_are_retransmitted_until_a_provisional_and_a_2xx_is_accepted() {
    let mut p = pair(Transport::Udp);
    p.a.lose = lose_first(is_request(Method::Invite), 2);
    p.b.script = answer(Method::Invite, vec![StatusCode::RINGING, StatusCode::OK]);
    let now = p.now();
    let tx =
        p.a.engine
            .send_request(
                now,
                request("INVITE", "z9hG4bKinv1", Transport::Udp),
                p.a.peer,
            )
            .unwrap();
    let wire = drive(&mut p);
    assert_eq!(
        wire,
        [
            "     0 uac INVITE (lost)",
            "   500 uac INVITE (lost)",
            "  1500 uac INVITE",
            "  1510 uas 180 INVITE",
            "  1510 uas 200 INVITE",
        ]
    );
    // Accepted (RFC 6026) on both sides until timers M and L, 64*T1 after the 2xx.
    assert_eq!(
        kinds(&p.a.events),
        [
            "  1520 response 180",
            "  1520 response 200",
            " 33520 terminated"
        ]
    );
    assert_eq!(
        kinds(&p.b.events),
        ["  1510 request INVITE", " 33510 terminated"]
    );
    assert!(p.a.engine.state(tx).is_none() && p.a.engine.is_empty() && p.b.engine.is_empty());
}

#[test]
fn a_non_2xx_final_is_acked_by_the_transaction_and_a_lost_ack_recovered() {
    let mut p = pair(Transport::Udp);
    p.a.lose = lose_first(is_request(Method::Ack), 1);
    p.b.script = answer(Method::Invite, vec![StatusCode::BUSY_HERE]);
    let now = p.now();
    p.a.engine
        .send_request(
            now,
            request("INVITE", "z9hG4bKinv2", Transport::Udp),
            p.a.peer,
        )
        .unwrap();
    let wire = drive(&mut p);
    assert_eq!(
        wire,
        [
            "     0 uac INVITE",
            "    10 uas 486 INVITE",
            "    20 uac ACK (lost)",
            // Timer G: the 486 again after T1; the client's Completed state answers with the
            // same ACK again.
            "   510 uas 486 INVITE",
            "   520 uac ACK",
        ]
    );
    // Timer I (T4) after the ACK; timer D (32 s) on the client.
    assert_eq!(
        kinds(&p.b.events),
        ["    10 request INVITE", "  5530 terminated"]
    );
    assert_eq!(
        kinds(&p.a.events),
        ["    20 response 486", " 32020 terminated"]
    );
    // The ACK repeats the INVITE's branch, Request-URI and CSeq number; To carries the tag.
    let ack = p.b.engine.is_empty();
    assert!(ack);
}

#[test]
fn the_ack_for_a_non_2xx_is_built_as_rfc_3261_says() {
    let invite = request("INVITE", "z9hG4bKinv3", Transport::Udp);
    let busy = Response::to_request(&invite, StatusCode::BUSY_HERE, Some("b9"));
    let ack = ack_for(&invite, &busy);
    let text = Message::Request(ack).to_bytes();
    assert_eq!(
        std::str::from_utf8(&text).unwrap(),
        "ACK sip:bob@127.0.0.1:5070 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKinv3\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:alice@example.com>;tag=a1\r\n\
         To: <sip:bob@example.com>;tag=b9\r\n\
         Call-ID: call-1@127.0.0.1\r\n\
         CSeq: 1 ACK\r\n\
         Content-Length: 0\r\n\r\n"
    );
}

#[test]
fn timer_b_ends_an_unanswered_invite() {
    let mut p = pair(Transport::Udp);
    p.a.lose = Box::new(|_| true);
    let now = p.now();
    p.a.engine
        .send_request(
            now,
            request("INVITE", "z9hG4bKinv4", Transport::Udp),
            p.a.peer,
        )
        .unwrap();
    let wire = drive(&mut p);
    // A doubles without bound: 0.5, 1, 2, 4, 8, 16 s.
    assert_eq!(
        wire,
        [
            "     0 uac INVITE (lost)",
            "   500 uac INVITE (lost)",
            "  1500 uac INVITE (lost)",
            "  3500 uac INVITE (lost)",
            "  7500 uac INVITE (lost)",
            " 15500 uac INVITE (lost)",
            " 31500 uac INVITE (lost)",
        ]
    );
    assert_eq!(kinds(&p.a.events), [" 32000 timeout", " 32000 terminated"]);
}

#[test]
fn timer_f_ends_an_unanswered_options_and_e_caps_at_t2() {
    let mut p = pair(Transport::Udp);
    p.a.lose = Box::new(|_| true);
    let now = p.now();
    p.a.engine
        .send_request(
            now,
            request("OPTIONS", "z9hG4bKopt1", Transport::Udp),
            p.a.peer,
        )
        .unwrap();
    let wire = drive(&mut p);
    let times: Vec<&str> = wire.iter().map(|l| l[..6].trim()).collect();
    assert_eq!(
        times,
        [
            "0", "500", "1500", "3500", "7500", "11500", "15500", "19500", "23500", "27500",
            "31500"
        ]
    );
    assert_eq!(kinds(&p.a.events), [" 32000 timeout", " 32000 terminated"]);
}

#[test]
fn timer_e_runs_at_t2_once_a_provisional_arrived() {
    let mut p = pair(Transport::Udp);
    // The UAS answers 100 only; its final response is never sent.
    p.b.script = answer(Method::Options, vec![StatusCode::TRYING]);
    let now = p.now();
    p.a.engine
        .send_request(
            now,
            request("OPTIONS", "z9hG4bKopt2", Transport::Udp),
            p.a.peer,
        )
        .unwrap();
    let wire = drive(&mut p);
    assert_eq!(
        wire[..6],
        [
            "     0 uac OPTIONS",
            "    10 uas 100 OPTIONS",
            "   500 uac OPTIONS",
            // The server's Proceeding state answers a retransmission with its last provisional.
            "   510 uas 100 OPTIONS",
            "  4500 uac OPTIONS",
            "  4510 uas 100 OPTIONS",
        ]
    );
    assert_eq!(kinds(&p.a.events).last().unwrap(), " 32000 terminated");
    assert!(kinds(&p.a.events).contains(&" 32000 timeout".to_owned()));
}

#[test]
fn timer_h_ends_a_server_transaction_that_never_gets_its_ack() {
    let mut p = pair(Transport::Udp);
    p.a.lose = Box::new(|m| m.as_request().is_some_and(|r| r.method == Method::Ack));
    p.b.script = answer(Method::Invite, vec![StatusCode::NOT_FOUND]);
    let now = p.now();
    p.a.engine
        .send_request(
            now,
            request("INVITE", "z9hG4bKinv5", Transport::Udp),
            p.a.peer,
        )
        .unwrap();
    let wire = drive(&mut p);
    let from_uas: Vec<&str> = wire
        .iter()
        .filter(|l| l.contains("uas"))
        .map(|l| l[..6].trim())
        .collect();
    // G doubles up to T2: 0.5, 1, 2, 4, 4, ... until H at 64*T1.
    assert_eq!(
        from_uas,
        [
            "10", "510", "1510", "3510", "7510", "11510", "15510", "19510", "23510", "27510",
            "31510"
        ]
    );
    assert_eq!(
        kinds(&p.b.events),
        [
            "    10 request INVITE",
            " 32010 timeout",
            " 32010 terminated"
        ]
    );
}

#[test]
fn cancel_racing_the_200() {
    let mut p = pair(Transport::Udp);
    // The UAS rings, and answers 200 at 100 ms; the CANCEL sent at 95 ms crosses it.
    p.b.script = Box::new(|layer, now, e| {
        if let Event::Request {
            transaction,
            request,
            cancels,
            ..
        } = e
        {
            match request.method {
                Method::Invite => respond(layer, now, *transaction, StatusCode::RINGING),
                Method::Cancel => {
                    // §9.2: the INVITE was already answered; the CANCEL gets 200, no 487.
                    assert!(cancels.is_some());
                    respond(layer, now, *transaction, StatusCode::OK);
                }
                _ => {}
            }
        }
    });
    let start = p.now();
    let invite = request("INVITE", "z9hG4bKinv6", Transport::Udp);
    let tx = p.a.engine.send_request(start, invite, p.a.peer).unwrap();
    let mut wire = Vec::new();
    p.drive_until(start + Duration::from_millis(95));
    wire.extend(p.a.sent.drain(..).map(|s| format!("uac {s}")));
    wire.extend(p.b.sent.drain(..).map(|s| format!("uas {s}")));
    let now = p.now();
    let cancel = p.a.engine.cancel(now, tx).unwrap();
    let server_invite = p.b.events.iter().find_map(|(_, e)| match e {
        Event::Request {
            transaction,
            request,
            ..
        } if request.method == Method::Invite => Some(*transaction),
        _ => None,
    });
    respond(&mut p.b.engine, now, server_invite.unwrap(), StatusCode::OK);
    let rest = drive(&mut p);
    wire.extend(rest.iter().map(|l| l[7..].to_owned()));
    assert_eq!(
        wire,
        [
            "uac INVITE",
            "uas 180 INVITE",
            "uac CANCEL",
            "uas 200 INVITE",
            "uas 200 CANCEL"
        ]
    );
    let a = kinds(&p.a.events);
    assert!(a.contains(&"   105 response 200".to_owned()), "{a:?}");
    assert!(p.a.events.iter().any(|(_, e)| matches!(e, Event::Response { transaction, response } if *transaction == cancel && response.status == StatusCode::OK)));
}

#[test]
fn a_cancel_waits_for_a_provisional_and_is_dropped_by_a_final() {
    // No provisional yet: the CANCEL is held (§9.1).
    let mut layer = TransactionLayer::default();
    let now = Instant::now();
    let bob = Destination::new(addr(5070), Transport::Udp);
    let invite = request("INVITE", "z9hG4bKinv7", Transport::Udp);
    let tx = layer.send_request(now, invite.clone(), bob).unwrap();
    assert!(layer.poll_transmit().is_some());
    let cancel = layer.cancel(now, tx).unwrap();
    assert_eq!(layer.poll_transmit(), None);
    assert_eq!(
        layer.cancel(now, tx),
        Ok(cancel),
        "a second cancel is the same one"
    );
    // The 180 releases it.
    let ringing = Response::to_request(&invite, StatusCode::RINGING, Some("b1"));
    layer.handle_message(now, Message::Response(ringing), bob);
    let sent = layer.poll_transmit().unwrap();
    assert_eq!(sent.message.as_request().unwrap().method, Method::Cancel);
    assert_eq!(
        sent.message.headers().top_via().unwrap().unwrap().branch(),
        Some("z9hG4bKinv7")
    );

    // A final response first: the held CANCEL terminates unsent.
    let mut layer = TransactionLayer::default();
    let invite = request("INVITE", "z9hG4bKinv8", Transport::Udp);
    let tx = layer.send_request(now, invite.clone(), bob).unwrap();
    let _ = layer.poll_transmit();
    let cancel = layer.cancel(now, tx).unwrap();
    let busy = Response::to_request(&invite, StatusCode::BUSY_HERE, Some("b1"));
    layer.handle_message(now, Message::Response(busy), bob);
    let sent: Vec<_> = std::iter::from_fn(|| layer.poll_transmit()).collect();
    assert_eq!(sent.len(), 1, "only the ACK");
    assert_eq!(sent[0].message.as_request().unwrap().method, Method::Ack);
    assert_eq!(layer.state(cancel), None);
    assert_eq!(
        layer.cancel(now, tx),
        Err(TransactionError::WrongState(State::Completed))
    );
}

#[test]
fn reliable_transports_never_retransmit_and_do_not_wait() {
    let mut p = pair(Transport::Tcp);
    p.b.script = answer(Method::Invite, vec![StatusCode::DECLINE]);
    let now = p.now();
    p.a.engine
        .send_request(
            now,
            request("INVITE", "z9hG4bKinv9", Transport::Tcp),
            p.a.peer,
        )
        .unwrap();
    let wire = drive(&mut p);
    assert_eq!(
        wire,
        [
            "     0 uac INVITE",
            "    10 uas 603 INVITE",
            "    20 uac ACK"
        ]
    );
    // D and I are zero over TCP; nothing waits for retransmissions.
    assert_eq!(
        kinds(&p.a.events),
        ["    20 response 603", "    20 terminated"]
    );
    assert_eq!(
        kinds(&p.b.events),
        ["    10 request INVITE", "    30 terminated"]
    );

    // An unanswered OPTIONS over TCP: no retransmission, timer F only.
    let mut p = pair(Transport::Tcp);
    p.a.lose = Box::new(|_| true);
    let now = p.now();
    p.a.engine
        .send_request(
            now,
            request("OPTIONS", "z9hG4bKopt3", Transport::Tcp),
            p.a.peer,
        )
        .unwrap();
    assert_eq!(drive(&mut p), ["     0 uac OPTIONS (lost)"]);
    assert_eq!(kinds(&p.a.events), [" 32000 timeout", " 32000 terminated"]);
}

#[test]
fn the_server_sends_100_trying_when_the_tu_is_slow() {
    let mut p = pair(Transport::Udp);
    let now = p.now();
    p.a.engine
        .send_request(
            now,
            request("INVITE", "z9hG4bKinvA", Transport::Udp),
            p.a.peer,
        )
        .unwrap();
    p.drive_until(now + Duration::from_millis(400));
    assert_eq!(p.b.sent, ["100 INVITE"]);
    assert_eq!(p.a.sent, ["INVITE"], "the 100 stopped timer A");
}

#[test]
fn forked_2xx_all_reach_the_tu_in_accepted() {
    let mut layer = TransactionLayer::default();
    let now = Instant::now();
    let bob = Destination::new(addr(5070), Transport::Udp);
    let invite = request("INVITE", "z9hG4bKinvB", Transport::Udp);
    let tx = layer.send_request(now, invite.clone(), bob).unwrap();
    for tag in ["f1", "f2", "f2"] {
        let ok = Response::to_request(&invite, StatusCode::OK, Some(tag));
        layer.handle_message(now, Message::Response(ok), bob);
    }
    let responses: Vec<_> = std::iter::from_fn(|| layer.poll_event())
        .filter_map(|e| match e {
            Event::Response {
                transaction,
                response,
            } if transaction == tx => response
                .headers
                .to_addr()
                .unwrap()
                .unwrap()
                .tag()
                .map(str::to_owned),
            _ => None,
        })
        .collect();
    // RFC 6026 §8.4: each 2xx, retransmissions included, goes up; the UA core ACKs each.
    assert_eq!(responses, ["f1", "f2", "f2"]);
    assert_eq!(layer.state(tx), Some((Kind::ClientInvite, State::Accepted)));
}

#[test]
fn retransmitted_requests_get_the_last_response_again() {
    let mut layer =
        TransactionLayer::new(TransactionConfig::default().timers(Timers::default().trying(None)));
    let now = Instant::now();
    let alice = Destination::new(addr(5060), Transport::Udp);
    let options = request("OPTIONS", "z9hG4bKopt4", Transport::Udp);
    layer.handle_message(now, Message::Request(options.clone()), alice);
    let Some(Event::Request { transaction, .. }) = layer.poll_event() else {
        panic!()
    };
    // Trying absorbs the retransmission.
    layer.handle_message(now, Message::Request(options.clone()), alice);
    assert_eq!(layer.poll_transmit(), None);
    assert_eq!(layer.poll_event(), None);
    respond(&mut layer, now, transaction, StatusCode::OK);
    let first = layer.poll_transmit().unwrap();
    layer.handle_message(now, Message::Request(options), alice);
    assert_eq!(layer.poll_transmit(), Some(first));
    assert_eq!(layer.poll_event(), None, "not a new request");
    // A second final response is refused.
    let again = Response::to_request(layer.request(transaction).unwrap(), StatusCode::OK, None);
    assert_eq!(
        layer.respond(now, transaction, again),
        Err(TransactionError::WrongState(State::Completed))
    );
}

#[test]
fn rfc_2543_requests_match_without_a_branch() {
    let mut layer =
        TransactionLayer::new(TransactionConfig::default().timers(Timers::default().trying(None)));
    let now = Instant::now();
    let alice = Destination::new(addr(5060), Transport::Udp);
    let text = "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060\r\n\
        To: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=a1\r\nCall-ID: old-1\r\n\
        CSeq: 5 INVITE\r\nContent-Length: 0\r\n\r\n";
    let invite = Message::parse(text).unwrap();
    layer.handle_message(now, invite.clone(), alice);
    let Some(Event::Request { transaction, .. }) = layer.poll_event() else {
        panic!()
    };
    layer.handle_message(now, invite.clone(), alice);
    assert_eq!(layer.poll_event(), None, "the retransmission matched");
    let busy = Response::to_request(
        invite.as_request().unwrap(),
        StatusCode::BUSY_HERE,
        Some("b7"),
    );
    layer.respond(now, transaction, busy.clone()).unwrap();
    let _ = layer.poll_transmit();
    // An ACK with another To tag is not for this transaction; the right one confirms it.
    let ack = |tag: &str| {
        Message::parse(format!(
            "ACK sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060\r\n\
             To: <sip:bob@example.com>;tag={tag}\r\nFrom: <sip:alice@example.com>;tag=a1\r\n\
             Call-ID: old-1\r\nCSeq: 5 ACK\r\nContent-Length: 0\r\n\r\n"
        ))
        .unwrap()
    };
    layer.handle_message(now, ack("zz"), alice);
    assert!(matches!(
        layer.poll_event(),
        Some(Event::Ack {
            transaction: None,
            ..
        })
    ));
    layer.handle_message(now, ack("b7"), alice);
    assert_eq!(
        layer.state(transaction),
        Some((Kind::ServerInvite, State::Confirmed))
    );
}

#[test]
fn bad_calls_and_bad_messages_get_typed_errors() {
    let mut layer = TransactionLayer::default();
    let now = Instant::now();
    let bob = Destination::new(addr(5070), Transport::Udp);
    let ack = request("ACK", "z9hG4bKack", Transport::Udp);
    assert_eq!(
        layer.send_request(now, ack, bob),
        Err(TransactionError::AckNotTransactional)
    );
    let mut no_branch = request("OPTIONS", "x", Transport::Udp);
    no_branch.headers.set(
        crate::HeaderName::Via,
        crate::HeaderValue::from_static("SIP/2.0/UDP h").unwrap(),
    );
    assert_eq!(
        layer.send_request(now, no_branch, bob),
        Err(TransactionError::MissingBranch)
    );
    let tx = layer
        .send_request(now, request("OPTIONS", "z9hG4bKo", Transport::Udp), bob)
        .unwrap();
    assert_eq!(
        layer.send_request(now, request("OPTIONS", "z9hG4bKo", Transport::Udp), bob),
        Err(TransactionError::DuplicateBranch)
    );
    assert_eq!(
        layer.cancel(now, tx),
        Err(TransactionError::WrongKind(Kind::ClientNonInvite))
    );
    let resp = Response::new(StatusCode::OK);
    assert_eq!(
        layer.respond(now, tx, resp.clone()),
        Err(TransactionError::WrongKind(Kind::ClientNonInvite))
    );
    assert_eq!(
        layer.respond(now, TransactionId(999), resp.clone()),
        Err(TransactionError::UnknownTransaction)
    );
    // A response without Via is dropped with its reason.
    layer.handle_message(now, Message::Response(resp), bob);
    assert!(matches!(
        layer.poll_event(),
        Some(Event::Dropped {
            error: TransactionError::MissingVia,
            ..
        })
    ));
    layer.transport_error(now, tx);
    assert_eq!(
        layer.poll_event(),
        Some(Event::TransportError { transaction: tx })
    );
    assert_eq!(
        layer.poll_event(),
        Some(Event::Terminated { transaction: tx })
    );
}

#[test]
fn overload_is_answered_503_without_state() {
    let mut layer = TransactionLayer::new(TransactionConfig::default().max_transactions(1));
    let now = Instant::now();
    let alice = Destination::new(addr(5060), Transport::Udp);
    layer.handle_message(
        now,
        Message::Request(request("OPTIONS", "z9hG4bK1", Transport::Udp)),
        alice,
    );
    layer.handle_message(
        now,
        Message::Request(request("OPTIONS", "z9hG4bK2", Transport::Udp)),
        alice,
    );
    let sent = layer.poll_transmit().unwrap();
    assert_eq!(
        sent.message.as_response().unwrap().status,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(layer.len(), 1);
    // §8.2.6.2: a To tag, the same for a retransmission of the request.
    let tag = |m: &Message| {
        m.headers()
            .to_addr()
            .unwrap()
            .unwrap()
            .tag()
            .map(str::to_owned)
    };
    let first = tag(&sent.message).expect("a To tag");
    let again = Message::Request(request("OPTIONS", "z9hG4bK2", Transport::Udp));
    layer.handle_message(now, again, alice);
    assert_eq!(tag(&layer.poll_transmit().unwrap().message), Some(first));
}

#[test]
fn random_loss_never_breaks_the_invariants() {
    for seed in 0..200u64 {
        for transport in [Transport::Udp, Transport::Tcp] {
            let link = if transport.is_reliable() {
                PipeConfig::default().with_delay(DELAY)
            } else {
                PipeConfig::datagram()
                    .with_delay(DELAY)
                    .with_jitter(Duration::from_millis(30))
                    .with_drop_rate(0.3)
                    .with_duplicate_rate(0.1)
            };
            let a = side(Destination::new(addr(5070), transport));
            let b = side(Destination::new(addr(5060), transport));
            let mut p = sim::pair(a, b, link, seed);
            let final_status = if seed % 2 == 0 {
                StatusCode::BUSY_HERE
            } else {
                StatusCode::OK
            };
            p.b.script = answer(Method::Invite, vec![StatusCode::RINGING, final_status]);
            let now = p.now();
            let branch = format!("z9hG4bKr{seed}");
            p.a.engine
                .send_request(now, request("INVITE", &branch, transport), p.a.peer)
                .unwrap();
            p.drive();
            // Every transaction ends, except a client INVITE in Proceeding whose 2xx was
            // lost: retransmitting the 2xx is the UA core's job (§13.3.1.4), not the
            // server transaction's, and Proceeding has no timer (§17.1.1.2).
            let waiting =
                p.a.engine.state(TransactionId(1)) == Some((Kind::ClientInvite, State::Proceeding));
            let got_2xx = p.a.events.iter().any(|(_, e)| {
                matches!(e, Event::Response { response, .. } if response.status == StatusCode::OK)
            });
            assert!(
                !waiting || (final_status == StatusCode::OK && !got_2xx),
                "seed {seed}"
            );
            assert!(
                (p.a.engine.is_empty() || waiting) && p.b.engine.is_empty(),
                "seed {seed}"
            );
            let finals = p.a.events.iter().filter(|(_, e)| matches!(e, Event::Response { response, .. } if response.status == StatusCode::BUSY_HERE)).count();
            assert!(finals <= 1, "seed {seed}: {finals}");
            let terminated =
                p.a.events
                    .iter()
                    .filter(|(_, e)| matches!(e, Event::Terminated { .. }))
                    .count();
            assert_eq!(terminated, usize::from(!waiting), "seed {seed}");
            if transport.is_reliable() {
                assert_eq!(
                    p.a.sent.iter().filter(|s| s.starts_with("INVITE")).count(),
                    1
                );
                assert!(p.b.sent.iter().filter(|s| s.starts_with("486")).count() <= 1);
            }
        }
    }
}

#[test]
fn zero_timers_still_move_forward() {
    let config = TransactionConfig::default()
        .timers(Timers::default().t1(Duration::ZERO).t2(Duration::ZERO));
    let mut layer = TransactionLayer::new(config);
    let now = Instant::now();
    let bob = Destination::new(addr(5070), Transport::Udp);
    layer
        .send_request(now, request("INVITE", "z9hG4bKz", Transport::Udp), bob)
        .unwrap();
    let _ = layer.poll_transmit();
    assert!(layer.poll_timeout().unwrap() > now);
    layer.handle_timeout(now + Duration::from_millis(1));
    assert!(layer.poll_timeout().unwrap() > now + Duration::from_millis(1));
}

#[test]
fn a_cancelled_invite_without_a_final_response_ends_after_64_t1() {
    let mut layer = TransactionLayer::default();
    let now = Instant::now();
    let bob = Destination::new(addr(5070), Transport::Tcp);
    let invite = request("INVITE", "z9hG4bKcw", Transport::Tcp);
    let tx = layer.send_request(now, invite.clone(), bob).unwrap();
    let ringing = Response::to_request(&invite, StatusCode::RINGING, Some("b1"));
    layer.handle_message(now, Message::Response(ringing), bob);
    layer.cancel(now, tx).unwrap();
    // §9.1: no 487 ever comes; 64*T1 after the CANCEL the INVITE is given up.
    layer.handle_timeout(now + Duration::from_secs(31));
    assert!(layer.state(tx).is_some());
    layer.handle_timeout(now + Duration::from_secs(32));
    assert_eq!(layer.state(tx), None);
    let events: Vec<Event> = std::iter::from_fn(|| layer.poll_event()).collect();
    assert!(events.contains(&Event::Timeout { transaction: tx }));
}

#[test]
fn requests_with_a_usable_via_but_bad_headers_get_400() {
    let mut layer = TransactionLayer::default();
    let now = Instant::now();
    let alice = Destination::new(addr(5060), Transport::Udp);
    let mut req = request("OPTIONS", "z9hG4bKbad", Transport::Udp);
    req.headers.set(
        crate::HeaderName::CSeq,
        crate::HeaderValue::from_static("1 INVITE").unwrap(),
    );
    layer.handle_message(now, Message::Request(req), alice);
    let sent = layer.poll_transmit().unwrap();
    assert_eq!(
        sent.message.as_response().unwrap().status,
        StatusCode::BAD_REQUEST
    );
    assert!(matches!(
        layer.poll_event(),
        Some(Event::Dropped {
            error: TransactionError::CSeqMismatch,
            ..
        })
    ));
    assert!(layer.is_empty());
}

#[test]
fn a_response_must_belong_to_its_request() {
    let mut layer = TransactionLayer::default();
    let now = Instant::now();
    let alice = Destination::new(addr(5060), Transport::Udp);
    layer.handle_message(
        now,
        Message::Request(request("OPTIONS", "z9hG4bKm1", Transport::Udp)),
        alice,
    );
    let Some(Event::Request { transaction, .. }) = layer.poll_event() else {
        panic!()
    };
    let other = request("OPTIONS", "z9hG4bKm2", Transport::Udp);
    let wrong = Response::to_request(&other, StatusCode::OK, None);
    assert_eq!(
        layer.respond(now, transaction, wrong),
        Err(TransactionError::ResponseMismatch)
    );
}

#[test]
fn a_request_too_large_for_udp_becomes_a_tcp_transaction() {
    let mut layer = TransactionLayer::default();
    let now = Instant::now();
    let bob = Destination::new(addr(5070), Transport::Udp);
    let mut big = request("INVITE", "z9hG4bKbig", Transport::Udp);
    big.headers.push(
        crate::HeaderName::Subject,
        crate::HeaderValue::new("x".repeat(1400)).unwrap(),
    );
    let tx = layer.send_request(now, big, bob).unwrap();
    let sent = layer.poll_transmit().unwrap();
    // §18.1.1: over TCP, with the Via saying so; no retransmission timer A (reliable).
    assert_eq!(sent.destination.transport, Transport::Tcp);
    let via = sent
        .message
        .headers()
        .get(&crate::HeaderName::Via)
        .unwrap()
        .as_str()
        .to_owned();
    assert!(
        via.starts_with("SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKbig"),
        "{via}"
    );
    assert_eq!(layer.peer(tx).unwrap().transport, Transport::Tcp);
    assert_eq!(
        layer.poll_timeout(),
        Some(now + Duration::from_secs(32)),
        "only timer B"
    );
}
