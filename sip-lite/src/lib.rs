//! # sip-lite
//!
//! SIP essentials (RFC 3261) as sans-IO building blocks.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
