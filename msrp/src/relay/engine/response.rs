//! Responses to forwarded requests (RFC 4976 §6.4.3): completing the transaction,
//! error responses to SEND chunks turned into REPORTs, other responses routed back.

use std::time::Instant;

use bytes::BytesMut;

use super::event::ForwardFailure;
use super::state::Outstanding;
use super::{ConnectionId, Relay};
use crate::message::{Flag, Head, Response, encode_end_line};
use crate::relay::digest::Challenge;
use crate::status::StatusCode;
use crate::uri::{MsrpUri, Path};

impl Relay {
    /// A response on `conn` (RFC 4976 §6.4.3): completes the forwarded transaction it
    /// answers; error responses to SEND chunks become REPORTs to the sender; responses to
    /// other requests go back the way the request came.
    pub(super) fn on_response(&mut self, now: Instant, conn: ConnectionId, r: Response) {
        if !self.is_own(r.to_path.first()) {
            return;
        }
        let key = (conn, r.transaction_id);
        let Some(entry) = self.outstanding.remove(&key) else {
            // Perhaps an error for a chunk sent with Failure-Report: partial.
            if !r.status.is_success() {
                let fwd = self.connections.get(&conn).and_then(|c| {
                    c.recent
                        .iter()
                        .find(|(t, _)| *t == r.transaction_id)
                        .map(|(_, f)| *f)
                });
                if let Some(fid) = fwd {
                    self.fail_forward(now, fid, ForwardFailure::Response(r.status));
                }
            }
            return;
        };
        if let Some(key) = entry.timer() {
            self.timers.remove(&key);
        }
        if let Some(c) = self.connections.get_mut(&conn) {
            c.pending = c.pending.saturating_sub(1);
        }
        match entry {
            Outstanding::Chunk { fwd, .. } => {
                if let Some(f) = self.forwards.get_mut(&fwd) {
                    f.outstanding.retain(|t| *t != r.transaction_id);
                }
                if r.status.is_success() {
                    self.check_forward_done(fwd);
                } else {
                    self.fail_forward(now, fwd, ForwardFailure::Response(r.status));
                }
            }
            Outstanding::Request {
                in_conn,
                tid,
                responder,
                credentials,
                ..
            } => {
                if credentials && r.status == StatusCode::Unauthorized && !stale(&r) {
                    // Wrong credentials for a relay further on (RFC 4976 §6.3).
                    self.forwarded_auth_failed(now, in_conn);
                }
                // Our URIs leave the To-Path and lead the From-Path (a request between two
                // clients of this relay named two of them).
                let mut to: Vec<MsrpUri> = r.to_path.iter().cloned().collect();
                let mut from: Vec<MsrpUri> = r.from_path.iter().cloned().collect();
                while to.len() > 1 && to.first().is_some_and(|u| self.is_own(u)) {
                    from.insert(0, to.remove(0));
                }
                let Some(to_path) = Path::from_uris(to) else {
                    return;
                };
                let from_path = Path::from_uris(from).unwrap_or(responder);
                let forwarded = Response {
                    transaction_id: tid,
                    to_path,
                    from_path,
                    ..r
                };
                let mut out = BytesMut::with_capacity(256);
                Head::Response(forwarded).encode(&mut out);
                encode_end_line(tid, Flag::Complete, &mut out);
                self.push_control(in_conn, out.freeze());
            }
        }
    }
}

/// Whether a 401 says `stale=true` (the credentials were right, the nonce old).
fn stale(r: &Response) -> bool {
    r.headers
        .get("WWW-Authenticate")
        .and_then(|v| Challenge::parse(&v).ok())
        .is_some_and(|c| c.stale)
}
