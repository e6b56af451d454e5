//! # sdp-filetransfer
//!
//! SDP (RFC 8866) for file transfer over MSRP: a parser and serializer that handle every RFC 5547
//! description (`m=message`, `TCP/MSRP`, host names in `o=`, the file attributes), typed MSRP
//! media attributes (RFC 4975 §8, RFC 6135 setup roles, RFC 6714 CEMA, RFC 8122 fingerprints),
//! typed RFC 5547 attributes (`file-selector`, `file-transfer-id`, `file-disposition`,
//! `file-date`, `file-icon`, `file-range`), and the offer/answer rules of RFC 5547 §8 as
//! functions: build push, pull, resume, close and capability descriptions, answer (accept all,
//! some, none; 488 when nothing can be taken), check an answer against its offer, and classify
//! a repeated offer per media section. No I/O: bytes in, values out, bytes back.
//!
//! ```text
//!   bytes (SIP body) ──► SessionDescription::parse ──► SessionDescription ──► Display / to_bytes
//!                        (order, grammar, typed a=,     media[i].file_selector(), .path(), ...
//!                         line-numbered ParseError)
//!
//!   files ──► Negotiator::push_offer / pull_offer / resume_offer / close_offer / capability ──► offer
//!   offer ──► Negotiator::inspect ──► [OfferedMedia]  (488-worthy offers: AnswerError::NotAcceptable)
//!         ──► Negotiator::answer(decisions) / accept_all / reject_all ──► answer
//!   offer, answer ──► validate_answer          offer ──► classify_reoffer ──► [Reoffer]
//!   offer/answer a=setup ──► connecting_side    c=/m= vs a=path ──► check_address (CEMA)
//! ```
//!
//! ## Quick start
//!
//! ```
//! use sdp_filetransfer::{
//!     Decision, FileHash, FileOffer, FileSelector, FileType, IdGenerator, Negotiator,
//!     NegotiatorConfig, SessionDescription, validate_answer,
//! };
//!
//! // Alice offers two pictures (one m-line each), drawing ids from a seeded source.
//! let mut seed = 0u8;
//! let ids = IdGenerator::from_fn(move |b: &mut [u8]| b.iter_mut().for_each(|x| { seed = seed.wrapping_add(7); *x = seed }));
//! let mut alice = Negotiator::new(
//!     NegotiatorConfig::default().with_address("alicepc.example.com").with_port(7654).with_id_generator(ids),
//! );
//! let jpeg = FileType::new("image", "jpeg")?;
//! let files = [
//!     FileOffer::new(FileSelector::new().with_name("My cool picture.jpg").with_type(jpeg.clone()).with_size(4092)),
//!     FileOffer::new(FileSelector::new().with_name("sunset.jpg").with_type(jpeg).with_size(4096).with_hash(FileHash::sha1([0x58; 20]))),
//! ];
//! let offer = alice.push_offer(&files)?;
//! let wire = offer.to_string(); // CRLF lines, ready for the INVITE body
//!
//! // Bob parses it, takes the first picture and declines the second.
//! let received = SessionDescription::parse(wire.as_bytes())?;
//! assert_eq!(received, offer);
//! let mut bob = Negotiator::new(NegotiatorConfig::default().with_address("bobpc.example.com"));
//! let answer = bob.answer(&received, &[Decision::Accept, Decision::Reject])?;
//! validate_answer(&received, &answer)?;
//! assert_eq!(answer.media[1].port, 0);
//! assert_eq!(answer.media[0].file_transfer_id(), received.media[0].file_transfer_id());
//! assert!(answer.to_string().contains("a=recvonly\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Leniency and strictness
//!
//! Accepted although RFC 8866 asks otherwise, because deployed peers send it: bare LF line
//! ends, an empty `s=`, trailing white space, blank lines, runs of spaces between fields, a
//! missing `t=`, unquoted `type:` parameter values, lower-case hex. Rejected, with the line
//! number and what was expected: a missing or misplaced `v=`, `o=` or `s=`, fields out of the
//! RFC 8866 §5 order or repeated where they may not be, unknown line types, a malformed `m=`,
//! a media section without connection data, and any known attribute whose value breaks its
//! grammar. Unknown attributes are kept, in order, and written back as they came.
//!
//! ## Features
//!
//! - `serde`: `Serialize`/`Deserialize` for [`NegotiatorConfig`], [`Limits`] and the small
//!   value types they hold.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod attribute;
mod date;
mod error;
mod file_attrs;
mod grammar;
mod ids;
mod media_attrs;
mod negotiate;
mod parse;
mod reoffer;
mod roles;
mod selector;
mod session;
mod validate;

#[cfg(any(fuzzing, test))]
pub mod fuzzing;

#[cfg(test)]
mod conformance;

pub use attribute::Attribute;
pub use date::{DateKind, DateTime, FileDate};
pub use error::{
    AnswerError, AnswerViolation, AttributeError, NotAcceptable, OfferError, ParseError,
    ParseErrorKind,
};
pub use file_attrs::{
    ContentIdUrl, Disposition, FileRange, FileTransferId, GENERATED_TRANSFER_ID_LEN,
};
pub use ids::IdGenerator;
pub use media_attrs::{ConnectionMode, Direction, Fingerprint, FormatEntry, Setup};
pub use negotiate::{
    DISCARD_PORT, Decision, FileOffer, GENERATED_SESSION_ID_LEN, Negotiator, NegotiatorConfig,
    OfferedFile, OfferedMedia, Operation,
};
pub use reoffer::{Reoffer, TransferHistory, classify_reoffer};
pub use roles::{
    AddressCheck, Side, answer_setup, cema_negotiated, check_address, connect_target,
    connecting_side, offer_setup,
};
pub use selector::{FileHash, FileName, FileSelector, FileType, Selector, safe_local_name};
pub use session::{
    Bandwidth, Connection, Limits, MediaDescription, Origin, PROTO_MSRP, PROTO_MSRP_TLS,
    SessionDescription, Timing,
};
pub use validate::validate_answer;
