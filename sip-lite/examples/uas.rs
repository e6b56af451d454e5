//! A SIP user agent that answers like an Image Share (GSMA IR.79) terminal, for use as a test
//! peer: OPTIONS gets 200 with the Image Share feature tags in Contact and a capability SDP
//! (RFC 5547 §8.4: `m=message 0`, empty file-selector); an INVITE with an RFC 5547 offer gets
//! 200 with an answer accepting the files, 488 if it offers no file transfer; ACK and BYE are
//! handled by the UA core. One line per event goes to stdout.
//!
//! ```sh
//! cargo run -p sip-lite --features tokio --example uas -- 127.0.0.1:5060
//! sipp -sf sip-lite/tests/sipp/options.xml -m 1 -t u1 127.0.0.1:5060
//! ```
//!
//! An Accept-Contact with `require;explicit` for a feature this agent lacks gets 480
//! (RFC 3841 §7.2.4: no contact left).

use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::time::Instant;

use bytes::Bytes;
use sdp_filetransfer::{FormatEntry, Negotiator, NegotiatorConfig, SessionDescription};
use sip_lite::dialog::{LocalParty, UaConfig, UaEvent, UserAgent};
use sip_lite::feature::{FeaturePredicate, FeatureSet, Match};
use sip_lite::net::{SipTransport, TransportConfig, run_user_agent};
use sip_lite::{HeaderName, HeaderValue, IdGenerator, Method, Request, Response, StatusCode};

fn header(value: String) -> HeaderValue {
    HeaderValue::new(value).expect("built from printable text")
}

/// The OPTIONS answer: 200 with our feature tags and capability SDP, or 480 when the caller's
/// preferences exclude us.
fn answer_options(
    req: &Request,
    tag: &str,
    contact: &str,
    features: &FeatureSet,
    sdp: &mut Negotiator,
) -> Response {
    let excluded = req.headers.accept_contact().flatten().any(|p| {
        FeaturePredicate::from_contact_predicate(&p)
            .map(|p| matches!(p.matches(features), Match::Drop))
            .unwrap_or(false)
    });
    if excluded {
        return Response::to_request(req, StatusCode::TEMPORARILY_UNAVAILABLE, Some(tag));
    }
    let mut resp = Response::to_request(req, StatusCode::OK, Some(tag));
    resp.headers
        .push(HeaderName::Contact, header(format!("{contact};{features}")));
    resp.headers.push(
        HeaderName::Allow,
        header("INVITE, ACK, CANCEL, BYE, OPTIONS".into()),
    );
    resp.headers
        .push(HeaderName::Accept, header("application/sdp".into()));
    if let Ok(capability) = sdp.capability() {
        resp.set_body(
            Some(header("application/sdp".into())),
            Bytes::from(capability.to_string()),
        );
    }
    resp
}

/// The INVITE answer: 200 with an SDP answer, or 488 / 415.
fn answer_invite(
    req: &Request,
    tag: &str,
    contact: &str,
    features: &FeatureSet,
    sdp: &mut Negotiator,
) -> Response {
    let offer = SessionDescription::parse(&req.body);
    let answer = offer.as_ref().ok().map(|o| sdp.accept_all(o));
    match answer {
        Some(Ok(answer)) => {
            let mut resp = Response::to_request(req, StatusCode::OK, Some(tag));
            resp.headers
                .push(HeaderName::Contact, header(format!("{contact};{features}")));
            resp.set_body(
                Some(header("application/sdp".into())),
                Bytes::from(answer.to_string()),
            );
            resp
        }
        // No SDP, an unparsable one, or no file transfer we can take: 488 (RFC 3261 §13.3.1.3).
        _ => Response::to_request(req, StatusCode::NOT_ACCEPTABLE_HERE, Some(tag)),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:5060".into())
        .parse()
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let (transport, mut receivers) = SipTransport::bind(addr, TransportConfig::default()).await?;
    let local = transport
        .local_addr(sip_lite::transaction::Transport::Udp)
        .unwrap_or(addr);
    let contact = format!("<sip:uas@{local}>");
    println!("listening on {local} (UDP and TCP)");
    let mut ua = UserAgent::new(
        UaConfig::new(LocalParty {
            via: format!("SIP/2.0/UDP {local}"),
            contact: contact.clone(),
        }),
        IdGenerator::os(),
    );
    let features = FeatureSet::image_share();
    let accept = ["image/jpeg", "image/png", "image/gif"]
        .iter()
        .filter_map(|t| FormatEntry::new(t).ok())
        .collect();
    let mut sdp = Negotiator::new(
        NegotiatorConfig::default()
            .with_address(&local.ip().to_string())
            .with_port(local.port().wrapping_add(1))
            .with_accept_types(accept)
            .with_max_size(10 * 1024 * 1024),
    );
    run_user_agent(
        &mut ua,
        &transport,
        &mut receivers.incoming,
        |ua, now: Instant, event| {
            match &event {
                UaEvent::Request {
                    transaction,
                    request,
                    dialog: None,
                } => {
                    // A fresh tag per response that may create a dialog (RFC 3261 §19.3).
                    let tag = ua.ids().tag();
                    let resp = match request.method {
                        Method::Options => {
                            Some(answer_options(request, &tag, &contact, &features, &mut sdp))
                        }
                        Method::Invite => {
                            Some(answer_invite(request, &tag, &contact, &features, &mut sdp))
                        }
                        // CANCEL and requests for unknown dialogs are answered by the core.
                        Method::Cancel | Method::Bye | Method::Ack => None,
                        _ => Some(Response::to_request(
                            request,
                            StatusCode::METHOD_NOT_ALLOWED,
                            Some(&tag),
                        )),
                    };
                    if let Some(resp) = resp {
                        println!(
                            "{} {} -> {}",
                            request.method,
                            request.uri,
                            resp.status.as_u16()
                        );
                        if let Err(e) = ua.respond(now, *transaction, resp) {
                            println!("could not answer: {e}");
                        }
                    }
                }
                UaEvent::Request {
                    transaction,
                    request,
                    dialog: Some(d),
                } => {
                    // In-dialog requests other than BYE (answered by the core): 200.
                    if request.method != Method::Bye && request.method != Method::Ack {
                        let resp = Response::to_request(request, StatusCode::OK, None);
                        let _ = ua.respond(now, *transaction, resp);
                    }
                    println!("{} in dialog {d}", request.method);
                }
                UaEvent::AckReceived { dialog, .. } => println!("ACK for dialog {dialog}"),
                UaEvent::DialogTerminated { dialog, reason } => {
                    println!("dialog {dialog} ended: {reason:?}")
                }
                other => println!("{other:?}"),
            }
            ControlFlow::Continue(())
        },
    )
    .await;
    Ok(())
}
