//! # sip-lite
//!
//! SIP essentials (RFC 3261) as sans-IO building blocks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod uri;

pub use uri::{AbsoluteUri, Host, Scheme, SipScheme, SipUri, TelUri, Uri, UriError};
