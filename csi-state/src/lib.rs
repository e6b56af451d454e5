//! # csi-state
//!
//! The combinational-services (CSI) logic of GSMA Image Share (IR.79) as a sans-IO state
//! machine: it follows the circuit-switched (CS) voice calls the telephony layer reports and
//! the IMS registration, decides when to ask the peer for its capabilities (SIP OPTIONS),
//! says when Image Share with the peer becomes available or unavailable, ends shares when
//! their call stops counting, and judges incoming share requests by correlating their SIP
//! identity with the CS call (3GPP TS 23.279 / TS 24.279; rcsjta's behaviour where the
//! standards are silent). No sockets, no clock, no SIP stack: facts and `now` in, decisions
//! out.
//!
//! ```text
//!   telephony layer ─► call_ringing / call_dialing / call_connected / call_held /
//!                      call_resumed / call_multiparty / call_two_party / call_disconnected
//!   IMS stack ───────► registration_changed, network_changed,
//!                      capabilities_received (OPTIONS 200 feature tags, 404/480/408, timeout)
//!   share sessions ──► incoming_share ─► ShareVerdict (Accept, or Reject with 606/486/603)
//!                      start_outgoing_share, share_ended
//!                                 │
//!                                 ▼
//!                            CsiEngine ──► poll_event():   QueryCapabilities { peer }
//!                                 ▲                        CapabilityQueryTimedOut { peer }
//!   now ─► handle_timeout ────────┘                        ShareAvailable { peer }
//!          at poll_timeout()                               ShareUnavailable { peer, reason }
//!                                                          EndShares { peer, reason, shares }
//! ```
//!
//! ## States
//!
//! Each call, identified by an application-chosen [`CallId`]:
//!
//! ```text
//!             call_ringing (number or withheld)      call_dialing (number)
//!                       │                                   │
//!                       ▼                                   ▼
//!                    Ringing ──────── call_connected ───── Dialing
//!                                          │
//!                                          ▼
//!          call_resumed ┌───────────► Connected ◄───────────┐ call_two_party
//!                       │          (two-party, not held)    │
//!                       │         call_held │   │ call_multiparty
//!                       │                   ▼   ▼           │
//!                       └────────────── Held   Multiparty ──┘
//!                                        (both at once: HeldMultiparty)
//!
//!          any state ── call_disconnected ──► forgotten
//! ```
//!
//! The **active call** is the single call that is Connected (answered, two-party, not held).
//! With call waiting several calls exist, but only that one counts; when two calls are
//! Connected at once (a swap reported in two steps), none does until it is over.
//!
//! Each peer, named by the E.164 form of its call's number, moves through (rcsjta
//! `CallManager`: IDLE, RINGING, CONNECTED, CAPS_KNOWN, SHARING):
//!
//! ```text
//!    first call with the peer ──► ShareUnavailable { CallNotConnected }
//!                                        │ its call becomes the active call
//!                                        ▼
//!                          ShareUnavailable { CapabilitiesUnknown }   (NotRegistered if so)
//!                                        │ query_delay (2 s) later, registered, none outstanding,
//!                                        │ min_query_interval since the last one
//!                                        ▼
//!                              QueryCapabilities { peer }
//!                                        │ capabilities_received, or query_timeout
//!                 ┌──────────────────────┼──────────────────────────┐
//!                 ▼                      ▼                          ▼
//!          ShareAvailable    ShareUnavailable { NotCapable,   ShareUnavailable
//!                 │            QueryFailed(404/480/...) }     { QueryTimedOut }
//!                 │
//!                 │ start_outgoing_share -> Ok, incoming_share -> Accept: shares run
//!                 │ (an incoming share is accepted from the moment the call is active)
//!                 ▼
//!    the call is held, becomes multiparty, another call becomes active, or it ends:
//!       EndShares { reason } + ShareUnavailable { CallHeld / Multiparty / OtherCallActive }
//!       capabilities forgotten; queried again query_delay after the call is active again
//!    registration (again) or network_changed: the active peer is queried again
//!    the peer's last call ends: ShareUnavailable { NoCall }, the peer is forgotten
//! ```
//!
//! ## Quick start
//!
//! ```
//! use std::time::{Duration, Instant};
//! use csi_state::{
//!     CallId, CapabilityResult, Config, CsiEngine, EndReason, Event, IncomingShare,
//!     ShareVerdict, UnavailableReason,
//! };
//! use sip_lite::e164::NumberingPlan;
//! use sip_lite::feature::FeatureSet;
//!
//! let uk = NumberingPlan::new("44")?.with_international_prefix("00")?.with_trunk_prefix("0")?;
//! let mut csi = CsiEngine::new(Config::default().with_numbering_plan(uk))?;
//! let mut now = Instant::now();
//! let call = CallId(1);
//!
//! csi.registration_changed(now, true);
//! csi.call_ringing(now, call, Some("07700 900123"))?;
//! csi.call_connected(now, call)?;
//! let emily = csi.active_peer().unwrap().clone();
//! assert_eq!(emily.to_string(), "+447700900123");
//! assert_eq!(
//!     csi.poll_event(),
//!     Some(Event::ShareUnavailable { peer: emily.clone(), reason: UnavailableReason::CallNotConnected })
//! );
//! assert_eq!(
//!     csi.poll_event(),
//!     Some(Event::ShareUnavailable { peer: emily.clone(), reason: UnavailableReason::CapabilitiesUnknown })
//! );
//!
//! // About 2 s after the call connects (a driver sleeps until then): ask the peer, with
//! // SIP OPTIONS to tel:+447700900123.
//! now = csi.poll_timeout().unwrap();
//! csi.handle_timeout(now);
//! assert_eq!(csi.poll_event(), Some(Event::QueryCapabilities { peer: emily.clone() }));
//!
//! // Its 200 OK advertises +g.3gpp.cs-voice and the Image Share IARI.
//! csi.capabilities_received(now, &emily, CapabilityResult::Features(FeatureSet::image_share()));
//! assert_eq!(csi.poll_event(), Some(Event::ShareAvailable { peer: emily.clone() }));
//!
//! // Emily shares a picture: her P-Asserted-Identity matches the call, so accept it.
//! let invite = IncomingShare::new()
//!     .with_asserted_identity_str("<sip:+447700900123@ims.example.net;user=phone>");
//! let ShareVerdict::Accept { share } = csi.incoming_share(now, &invite) else { panic!() };
//! // A second one at the same time is refused with 486, as deployed clients do.
//! let ShareVerdict::Reject { status, .. } = csi.incoming_share(now, &invite) else { panic!() };
//! assert_eq!(status.as_u16(), 486);
//!
//! // The call is put on hold: the share must end.
//! now += Duration::from_secs(30);
//! csi.call_held(now, call)?;
//! assert_eq!(
//!     csi.poll_event(),
//!     Some(Event::EndShares { peer: emily.clone(), call, reason: EndReason::CallHeld, shares: vec![share] })
//! );
//! assert_eq!(
//!     csi.poll_event(),
//!     Some(Event::ShareUnavailable { peer: emily, reason: UnavailableReason::CallHeld })
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Correlation
//!
//! The CS number and the request's identity (P-Asserted-Identity first, then From) are both
//! normalised to E.164 with sip-lite's [`normalize_number`](sip_lite::e164::normalize_number)
//! and [`normalize_uri`](sip_lite::e164::normalize_uri) under [`Config::numbering_plan`], and
//! compared. `0044 20 7946 0000`, `020 7946 0000`, `+44 (0)20 7946 0000`,
//! `tel:020-7946-0000;phone-context=+44` and `sip:+442079460000@host;user=phone` are all the
//! same number in the United Kingdom plan; a withheld number, an anonymous identity (RFC 3323)
//! and a number in a domain `phone-context` never correlate.
//!
//! ## Limits
//!
//! At most [`Config::max_calls`] calls are tracked (a call beyond it is refused with
//! [`CallError::TooManyCalls`] and never counts), at most one share runs per direction, and
//! the peers kept are those with a call plus at most `max_calls` whose last call ended while
//! a query to them was unanswered. No input panics; the `csi_events` fuzz target checks it.
//!
//! ## Features
//!
//! - `serde`: `Serialize`/`Deserialize` for [`Config`] (durations in milliseconds).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod call;
mod config;
mod engine;
mod event;
mod share;

#[cfg(any(fuzzing, test))]
pub mod fuzzing;

#[cfg(test)]
mod properties;

pub use call::{CallDirection, CallError, CallId, CallInfo, CallState, NoPeerNumber};
pub use config::{
    Config, ConfigError, DEFAULT_MAX_CALLS, DEFAULT_MIN_QUERY_INTERVAL, DEFAULT_QUERY_DELAY,
    DEFAULT_QUERY_TIMEOUT, RejectStatuses,
};
pub use engine::CsiEngine;
pub use event::{Availability, CapabilityResult, EndReason, Event, UnavailableReason};
pub use share::{
    IncomingShare, RejectReason, ShareDirection, ShareError, ShareId, ShareInfo, ShareVerdict,
};
