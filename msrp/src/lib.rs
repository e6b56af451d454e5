//! # msrp
//!
//! A sans-IO implementation of the MSRP wire format (RFC 4975, with the RFC 4976 relay
//! headers): message types, MSRP URIs, a streaming zero-copy decoder and an encoder. No sockets,
//! no runtime, no clock: bytes in, frames out. The optional `codec` feature adds tokio-util
//! `Decoder`/`Encoder` implementations on top.
//!
//! ```text
//!   bytes from the network ──► Decoder::decode ──► Frame::Head(Request | Response)
//!   (any split, BytesMut)                          Frame::Data(Bytes)   zero-copy slices
//!                                                  Frame::End(Flag)     $ complete, + more, # abort
//!                                                  Frame::Rejected(..)  answer 400/413, go on
//!
//!   Head / Message ──► encode ──► bytes to send (To-Path, From-Path first; Content-Type last)
//!
//!   body pieces ──► ChunkSender ──► chunk heads, body slices, end-lines ($ + #)
//!   decoded chunks ──► Reassembler ──► Output::Write { offset } (positional sink)
//!                                     Output::Deliver (in-order sink), Complete, Aborted, Failed
//!
//!   bytes, now, commands ──► Endpoint ──► Transmit { connection, data }, Event, next timeout
//!                            (sessions over connections: binding, 481/506, responses,
//!                             REPORTs, 30 s timer, fair interruption, backpressure)
//! ```
//!
//! ## Quick start
//!
//! ```
//! use bytes::BytesMut;
//! use msrp::{
//!     ByteRange, Decoder, Flag, Frame, Head, Header, IdGenerator, Message, MessageId, Method,
//!     MsrpUri, Path, Request, StatusCode, Text, TransactionId,
//! };
//!
//! let mut ids = IdGenerator::default();
//! let alice: MsrpUri = "msrp://alice.example.com:7654/jshA7weztas;tcp".parse()?;
//! let bob: MsrpUri = "msrp://bob.example.com:12763/kjhd37s2s20w2a;tcp".parse()?;
//!
//! // Build and encode a SEND.
//! let mut send = Request::new(
//!     TransactionId::generate(&mut ids),
//!     Method::Send,
//!     Path::new(bob.clone()),
//!     Path::new(alice.clone()),
//! );
//! send.headers.push(Header::MessageId(MessageId::generate(&mut ids)));
//! send.headers.push(Header::ByteRange(ByteRange::new(1, Some(5), Some(5))?));
//! send.content_type = Some(Text::new("text/plain")?);
//! let msg = Message { head: Head::Request(send), body: Some("hello".into()), flag: Flag::Complete };
//! let mut wire = BytesMut::new();
//! msg.encode(&mut wire)?;
//!
//! // Decode it as the peer would, and answer.
//! let mut decoder = Decoder::default();
//! let Some(Frame::Head(Head::Request(req))) = decoder.decode(&mut wire)? else { panic!() };
//! assert_eq!(req.to_path.last(), &bob);
//! assert!(matches!(decoder.decode(&mut wire)?, Some(Frame::Data(d)) if d == "hello"));
//! assert_eq!(decoder.decode(&mut wire)?, Some(Frame::End(Flag::Complete)));
//! let ok = req.response(StatusCode::Ok, Path::new(bob));
//! assert_eq!(ok.to_path.first(), &alice);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ChunkSender`] splits one message whose body arrives piece by piece into SEND chunks
//! (RFC 4975 §7.1.1); [`Reassembler`] puts received chunks back together per Message-ID, in
//! any order, within configured memory budgets.
//!
//! [`Endpoint`] (module [`endpoint`]) is the sans-IO session and connection engine built on
//! them: MSRP sessions multiplexed over transport connections, with binding by the first
//! SEND, session matching by To-Path (481, 506), content pulled from the application piece
//! by piece, received content handed out as it arrives, responses and REPORTs per the
//! Success-Report/Failure-Report rules, the 30 s response timer, fair interruption of chunks
//! and bounded buffers. Its module documentation has an example.
//!
//! ## Errors
//!
//! A [`DecodeError`] is either fatal (framing is lost: close the connection) or recoverable
//! (the message is rejected with [`DecodeError::status`] and the decoder skips to its end-line).
//! Recoverable errors arrive as [`Frame::Rejected`], fatal ones as `Err`.
//!
//! ## Features
//!
//! - `codec`: [`codec::MsrpCodec`], a tokio-util `Decoder` and `Encoder`.
//! - `tokio`: [`net::Driver`], a tokio driver running an [`Endpoint`] over TCP, with content
//!   read from an `AsyncRead` and written to an `AsyncWrite` (implies `codec`).
//! - `tls`: `msrps:` for the driver with the caller's rustls configurations (ring provider)
//!   and `net::tls::FingerprintVerifier` for `a=fingerprint` checks (implies `tokio`).
//! - `arbitrary`: `Arbitrary` implementations of the wire types, for structured fuzzing.
//! - `relay`: RFC 4976 relays (module `relay`): HTTP digest as RFC 4976 restricts it, for
//!   clients and relays, the sans-IO AUTH client, and `relay::engine::Relay`, the sans-IO
//!   relay (AUTH, path rewriting, hop-by-hop answers, cut-through forwarding with bounded
//!   per-message buffers, 408 REPORTs). With `tokio`, `net::relay_server::RelayDriver` runs it
//!   on sockets.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod decoder;
mod end_line;
pub mod endpoint;
mod error;
mod header;
mod ident;
mod message;
mod reassembly;
mod sender;
mod status;
mod uri;

#[cfg(feature = "codec")]
pub mod codec;

#[cfg(feature = "tokio")]
pub mod net;

#[cfg(feature = "relay")]
pub mod relay;

#[cfg(any(fuzzing, test))]
pub mod fuzzing;

#[cfg(test)]
mod conformance;

pub use decoder::{Decoder, DecoderConfig, Frame, Rejection};
pub use endpoint::{ConnectionId, Endpoint, EndpointConfig, SessionConfig, SessionId, Transmit};
pub use error::{ByteRangeError, DecodeError, EncodeError, HeaderError, IdentError, UriError};
pub use header::{
    ByteRange, FailureReport, Header, HeaderName, Headers, ReportStatus, SuccessReport, Text,
};
pub use ident::{
    GENERATED_IDENT_LEN, IDENT_MAX_LEN, IDENT_MIN_LEN, IdGenerator, MessageId, TransactionId,
};
pub use message::{
    ExtensionMethod, Flag, Head, Message, Method, Request, Response, encode_end_line,
};
pub use reassembly::{
    ChunkCursor, Output, Reassembler, ReassemblyConfig, ReassemblyError, SinkKind,
};
pub use sender::{ChunkSender, INTERRUPTIBLE_THRESHOLD, MessageTemplate, SendError};
pub use status::StatusCode;
pub use uri::{Host, MsrpUri, Path, Scheme};
