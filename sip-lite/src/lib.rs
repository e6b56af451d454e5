//! # sip-lite
//!
//! SIP essentials (RFC 3261) as sans-IO building blocks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod e164;
mod error;
pub mod feature;
mod framing;
mod grammar;
pub mod header;
mod message;
mod method;
mod parse;
mod status;
pub mod typed;
pub mod uri;
mod validate;

pub use e164::{E164, E164Error, NumberingPlan, normalize_number, normalize_uri};
pub use error::ParseError;
pub use feature::{FeatureError, FeaturePredicate, FeatureSet, Match};
pub use framing::{FrameError, StreamFramer};
pub use header::{Header, HeaderName, HeaderValue, Headers};
pub use message::{Message, ReasonPhrase, Request, RequestUri, Response, Version};
pub use method::{ExtensionMethod, InvalidMethod, Method};
pub use parse::{Limits, parse_datagram};
pub use status::{InvalidStatusCode, StatusCode};
pub use typed::HeaderError;
pub use uri::{AbsoluteUri, Host, Scheme, SipScheme, SipUri, TelUri, Uri, UriError};
pub use validate::{Rejection, Validator};
