//! The relay engine (RFC 4976 §6) in simulated time: msrp `Endpoint`s as clients whose
//! paths go through one or two relays, raw peers for what clients never do.

mod auth;
mod failures;
mod forwarding;
mod interop;
mod net;
mod protocol;
mod security;
