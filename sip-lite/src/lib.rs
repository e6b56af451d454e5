//! # sip-lite
//!
//! SIP essentials (RFC 3261) as sans-IO building blocks: the message model, a strict zero-copy
//! parser and its serializer, stream and datagram framing with limits, typed header views,
//! URIs (`sip`, `sips`, `tel`) with the RFC 3261 §19.1.4 comparison, and the checks a UAS makes
//! before processing a request. No sockets, no runtime, no clock: bytes in, messages out.
//!
//! ```text
//!   datagram (Bytes) ──► parse_datagram ──┐
//!   stream (BytesMut) ─► StreamFramer ────┼─► Message ──► Validator::check ──► Ok, or the
//!   (any split; "need more" = Ok(None))   │   Request       Rejection whose status() a UAS
//!                                         │   Response      answers (400 415 416 420 505...)
//!                                         │
//!     ParseError::status() ◄── bad bytes ─┘   headers raw, in order, zero-copy slices;
//!     (400 / 413 / 513; FrameError says       typed on demand: top_via() call_id() cseq()
//!      whether the connection survives)       from_addr() contacts() accept_contact() ...
//!
//!   Request / Response ──► encode / to_bytes ──► bytes (parse(serialize(m)) == m)
//! ```
//!
//! Header values stay as they arrived (slices of the received buffer) and are parsed to typed
//! values only when asked for, so a proxy that reads three headers pays for three. nom is used
//! inside and never appears in the API.
//!
//! ## Quick start
//!
//! ```
//! use bytes::Bytes;
//! use sip_lite::{
//!     HeaderName, HeaderValue, Limits, Message, Method, Request, RequestUri, StatusCode,
//!     Validator, parse_datagram,
//! };
//!
//! let datagram = Bytes::from_static(
//!     b"OPTIONS sip:bob@example.com SIP/2.0\r\n\
//!       Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n\
//!       Max-Forwards: 70\r\n\
//!       To: <sip:bob@example.com>\r\n\
//!       f: Alice <sip:alice@example.com>;tag=1928301774\r\n\
//!       Call-ID: a84b4c76e66710@pc33.example.com\r\n\
//!       CSeq: 63104 OPTIONS\r\n\
//!       Contact: <sip:alice@pc33.example.com>;+g.3gpp.cs-voice\r\n\
//!       Content-Length: 0\r\n\r\n",
//! );
//! let msg = parse_datagram(datagram, &Limits::default())?;
//! Validator::default().check(&msg).expect("a UAS can process it");
//!
//! // Typed views, parsed on demand.
//! let h = msg.headers();
//! assert_eq!(h.top_via().unwrap()?.branch(), Some("z9hG4bK776asdhds"));
//! assert_eq!(h.call_id().unwrap()?, "a84b4c76e66710@pc33.example.com");
//! assert_eq!(h.cseq().unwrap()?.method, Method::Options);
//! assert_eq!(h.from_addr().unwrap()?.tag(), Some("1928301774")); // compact form `f`
//!
//! // Build a request and serialize it.
//! let mut req = Request::new(Method::Message, RequestUri::new("sip:bob@example.com").unwrap());
//! req.headers.push(HeaderName::CallId, HeaderValue::from_static("m1@pc33").unwrap());
//! req.set_body(Some(HeaderValue::from_static("text/plain").unwrap()), Bytes::from_static(b"hi"));
//! let wire = Message::Request(req).to_bytes();
//! assert!(wire.ends_with(b"Content-Length: 2\r\n\r\nhi"));
//! assert_eq!(Message::parse(wire)?.body(), "hi");
//! # let _ = StatusCode::OK;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Modules
//!
//! - [`uri`], [`typed`], [`header`]: URIs and typed header views.
//! - [`e164`]: numbers and telephone identities normalised to E.164 (call correlation).
//! - [`feature`]: RFC 3840/3841 feature tags, Accept-Contact matching, the Image Share IARI.
//! - [`transaction`]: RFC 3261 §17 with RFC 6026, sans-IO, timers A-M.
//! - [`dialog`]: dialogs and a UA core over the transaction layer.
//! - [`auth`]: digest authentication (RFC 7616 algorithms as RFC 8760 applies them).
//! - `codec` (feature `codec`): a tokio-util codec; `net` (feature `tokio`, TLS with `tls`):
//!   UDP/TCP/TLS transports and a driver loop for the UA core.
//!
//! ## Bad input
//!
//! Every size an attacker controls ([`Limits`]: message, body, header count, line length) is
//! checked before memory is reserved. Every error is typed and knows its response:
//! [`ParseError::status`] (400, 413 for a body, 513 for a message too large),
//! [`Rejection::status`] (400, 406, 415, 416, 420, 505) and [`FrameError::is_fatal`] (whether a
//! stream can go on after the bad message). Untrusted input never panics; the fuzz targets in
//! the repository's `fuzz/` check that continuously.
//!
//! ## Conformance
//!
//! Every message of RFC 4475 ("SIP Torture Test Messages") gets its verdict: the test reads
//! the files byte-exact and checks the response a UAS gives to each.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod auth;
#[cfg(feature = "codec")]
pub mod codec;
pub mod dialog;
pub mod e164;
mod error;
pub mod feature;
mod framing;
mod grammar;
pub mod header;
mod ident;
mod message;
mod method;
#[cfg(feature = "tokio")]
pub mod net;
mod parse;
mod status;
pub mod transaction;
pub mod typed;
pub mod uri;
mod validate;

#[cfg(any(fuzzing, test))]
pub mod fuzzing;
#[cfg(test)]
mod sim;

pub use e164::{E164, E164Error, NumberingPlan, normalize_number, normalize_uri};
pub use error::ParseError;
pub use feature::{FeatureError, FeaturePredicate, FeatureSet, Match};
pub use framing::{FrameError, StreamFramer};
pub use header::{Header, HeaderName, HeaderValue, Headers};
pub use ident::IdGenerator;
pub use message::{Message, ReasonPhrase, Request, RequestUri, Response, Version};
pub use method::{ExtensionMethod, InvalidMethod, Method};
pub use parse::{Limits, parse_datagram};
pub use status::{InvalidStatusCode, StatusCode};
pub use typed::HeaderError;
pub use uri::{AbsoluteUri, Host, Scheme, SipScheme, SipUri, TelUri, Uri, UriError};
pub use validate::{Rejection, Validator};
