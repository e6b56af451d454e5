//! RFC 4976 relays: HTTP digest for AUTH, and the client that authenticates to relays.
//!
//! RFC 4976 adds relays to MSRP. A client that cannot (or may not) take connections from its
//! peers opens a TLS connection to a relay acting on its behalf and sends it an `AUTH`
//! request. The relay challenges it with HTTP Digest (`401` with `WWW-Authenticate`), the
//! client answers (`Authorization`), and the relay's `200` carries `Use-Path` (the relay's
//! URI for this client) and `Expires` (how long it stays valid). A client may use a chain of
//! relays: it authenticates to each in turn, tunnelling each `AUTH` through the relays already
//! authenticated. It then puts the reversed `Use-Path` before its own URI in its SDP path, and
//! sends its requests with the `Use-Path` before the peer's SDP path in To-Path.
//!
//! ```text
//!   client ──AUTH──► relay 1 ──401──► client ──AUTH + Authorization──► relay 1 ──200 Use-Path──►
//!   client ──AUTH (To-Path: relay 1, relay 2)──► relay 1 ──► relay 2 ... ──200 Use-Path──►
//!
//!   SDP a=path    = reversed Use-Path + own URI        (what peers send to)
//!   SEND To-Path  = Use-Path + the peer's SDP a=path   (where this client sends)
//! ```
//!
//! - [`digest`]: Digest as RFC 4976 §9.1 restricts it (MD5, `qop=auth`): header parsing and
//!   formatting, the client's answer, and the relay's challenge issue and verification.
//! - [`client`]: the sans-IO AUTH client, which walks a configured relay chain, answers
//!   challenges, handles 423, refreshes before expiry and falls back to alternative relays.
//! - [`discovery`]: how to reach a relay from its URI (RFC 4976 §8): SRV `_msrps._tcp`
//!   records ordered as RFC 2782 says, then A/AAAA on port 2855.
//! - [`engine`]: the sans-IO relay (RFC 4976 §6): AUTH, path rewriting, hop-by-hop answers,
//!   cut-through forwarding with bounded buffers.
//!
//! ```
//! use msrp::relay::digest::{self, Challenge};
//!
//! // What a client does with a relay's challenge (RFC 4976 §5.1).
//! let challenge = Challenge::parse(r#"Digest realm="relay.example.com", qop="auth", nonce="abc123""#)?;
//! let uri = "msrps://relay.example.com:2855;tcp"; // the rightmost To-Path URI
//! let answer = digest::respond(&challenge, "alice", "secret", "AUTH", uri, "0a4f113b", 1);
//! assert!(answer.to_string().starts_with(r#"Digest username="alice", realm="relay.example.com""#));
//! # Ok::<(), digest::DigestError>(())
//! ```

pub mod client;
pub mod digest;
pub mod discovery;
pub mod engine;
