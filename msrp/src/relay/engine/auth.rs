//! AUTH addressed to the relay (RFC 4976 §5.1, §6.3, §9.1): digest challenge, verification,
//! the client URI in Use-Path with its Expires, 423 outside the lifetime bounds.

use std::fmt;
use std::time::{Duration, Instant};

use bytes::BytesMut;

use super::event::{ConnectionError, Event};
use super::state::Receiving;
use super::{ConnectionId, Relay};
use crate::header::Header;
use crate::message::{Flag, Head, Request, encode_end_line};
use crate::relay::digest::{AuthFailure, Authorization, CredentialStore, DigestServer};
use crate::status::StatusCode;
use crate::uri::Path;

/// The relay's digest server and its users' credentials.
pub(super) struct Authenticator {
    pub server: DigestServer,
    pub store: Box<dyn CredentialStore + Send>,
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// Lets clients authenticate with AUTH (RFC 4976 §6.3): `server` issues and checks the
    /// digest challenges, `store` knows the users. Without it every AUTH gets 403.
    pub fn with_authentication(
        mut self,
        server: DigestServer,
        store: Box<dyn CredentialStore + Send>,
    ) -> Self {
        self.auth = Some(Authenticator { server, store });
        self
    }

    /// Answers an AUTH whose To-Path is the relay's own URI.
    pub(super) fn on_auth(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        rcv: &Receiving,
        request: Request,
    ) {
        let tls = self.connections.get(&conn).is_some_and(|c| c.tls);
        let Some(auth) = self.auth.as_mut() else {
            self.answer_auth(conn, rcv, &request, StatusCode::Forbidden, Vec::new());
            return self.auth_failed(now, conn, &request);
        };
        if !tls {
            // AUTH only over TLS (RFC 4976 §9.1, §9.2).
            self.answer_auth(conn, rcv, &request, StatusCode::Forbidden, Vec::new());
            return self.auth_failed(now, conn, &request);
        }
        let Some(value) = request.headers.get("Authorization") else {
            // The first AUTH carries no credentials: challenge it (§5.1).
            let challenge = auth.server.challenge(now, false).to_string();
            let headers = www_authenticate(&challenge);
            return self.answer_auth(conn, rcv, &request, StatusCode::Unauthorized, headers);
        };
        // The digest URI is the rightmost To-Path URI (§9.1).
        let uri = request.to_path.last().to_string();
        let verdict = Authorization::parse(&value)
            .map_err(|_| AuthFailure::Malformed)
            .and_then(|a| {
                let user = auth
                    .server
                    .verify(now, "AUTH", &uri, &a, auth.store.as_ref())?;
                Ok((a, user))
            });
        let (authorization, username) = match verdict {
            Ok(v) => v,
            Err(AuthFailure::Stale) => {
                let challenge = auth.server.challenge(now, true).to_string();
                let headers = www_authenticate(&challenge);
                return self.answer_auth(conn, rcv, &request, StatusCode::Unauthorized, headers);
            }
            Err(AuthFailure::UnknownUser) => {
                // Not a user of this relay: not authorized (§6.3).
                self.answer_auth(conn, rcv, &request, StatusCode::Forbidden, Vec::new());
                return self.auth_failed(now, conn, &request);
            }
            Err(_) => {
                let challenge = auth.server.challenge(now, false).to_string();
                let headers = www_authenticate(&challenge);
                self.answer_auth(conn, rcv, &request, StatusCode::Unauthorized, headers);
                return self.auth_failed(now, conn, &request);
            }
        };
        // The lifetime asked for must be within bounds (§6.3, §4.6: 423).
        let (min, max) = (self.config.min_expires, self.config.max_expires);
        let seconds = match request.headers.expires() {
            Some(e) if e < min => {
                let headers = vec![Header::MinExpires(min)];
                return self.answer_auth(conn, rcv, &request, StatusCode::OutOfBounds, headers);
            }
            Some(e) if e > max => {
                let headers = vec![Header::MaxExpires(max)];
                return self.answer_auth(conn, rcv, &request, StatusCode::OutOfBounds, headers);
            }
            Some(e) => e,
            None => self.config.default_expires,
        };
        let info = self
            .auth
            .as_ref()
            .and_then(|a| {
                a.server
                    .authentication_info(now, &authorization, &uri, a.store.as_ref())
            })
            .map(|i| i.to_string());
        let lifetime = Duration::from_secs(u64::from(seconds));
        let Ok(granted) = self.grant(now, conn, lifetime) else {
            // The client URI table is full.
            return self.answer_auth(conn, rcv, &request, StatusCode::Forbidden, Vec::new());
        };
        // Use-Path lists the relays in the order the client puts them in To-Path: those it
        // came through (its From-Path, client last, reversed), then this one (§4.2, §5.1).
        let use_path = Path::from_uris(
            request
                .from_path
                .iter()
                .rev()
                .skip(1)
                .cloned()
                .chain(std::iter::once(granted.clone())),
        )
        .unwrap_or_else(|| Path::new(granted.clone()));
        let mut headers = vec![Header::UsePath(use_path)];
        if let Some(info) = info.and_then(|i| Header::other("Authentication-Info", &i).ok()) {
            headers.push(info);
        }
        headers.push(Header::Expires(seconds));
        self.answer_auth(conn, rcv, &request, StatusCode::Ok, headers);
        self.stats.auth_accepted += 1;
        self.events.push_back(Event::ClientAuthenticated {
            connection: conn,
            username,
            uri: granted,
            expires: lifetime,
        });
    }

    /// Sends the response to an AUTH (To-Path: its whole From-Path, RFC 4975 §7.2).
    fn answer_auth(
        &mut self,
        conn: ConnectionId,
        rcv: &Receiving,
        request: &Request,
        status: StatusCode,
        headers: Vec<Header>,
    ) {
        if !crate::endpoint::answers(rcv.failure, status) {
            return;
        }
        let mut resp = request.response(status, rcv.responder.clone());
        for h in headers {
            resp.headers.push(h);
        }
        let mut out = BytesMut::with_capacity(512);
        Head::Response(resp).encode(&mut out);
        encode_end_line(request.transaction_id, Flag::Complete, &mut out);
        self.push_control(conn, out.freeze());
    }

    /// Counts a failed AUTH that this relay forwarded for a directly connected client: a
    /// client that keeps failing with relays further on is cut off too (RFC 4976 §6.3).
    pub(super) fn forwarded_auth_failed(&mut self, now: Instant, conn: ConnectionId) {
        self.stats.auth_refused += 1;
        let limit = self.config.max_failed_requests;
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        c.auth_failures = c.auth_failures.saturating_add(1);
        if c.auth_failures >= limit {
            self.drop_connection(now, conn, Some(ConnectionError::TooManyFailures));
        }
    }

    /// Counts a failed AUTH from a directly connected client: several close the
    /// connection even after earlier successes (RFC 4976 §6.3), as other failed requests do
    /// during probation (§6.1). An AUTH that came through another relay (From-Path longer
    /// than the client) does not count against the relay's connection (§6.3).
    fn auth_failed(&mut self, now: Instant, conn: ConnectionId, request: &Request) {
        self.stats.auth_refused += 1;
        if request.from_path.len() > 1 {
            return;
        }
        let limit = self.config.max_failed_requests;
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        c.auth_failures = c.auth_failures.saturating_add(1);
        if c.auth_failures >= limit {
            return self.drop_connection(now, conn, Some(ConnectionError::TooManyFailures));
        }
        self.request_failed(now, conn);
    }
}

/// The WWW-Authenticate header of a 401.
fn www_authenticate(challenge: &str) -> Vec<Header> {
    Header::other("WWW-Authenticate", challenge)
        .into_iter()
        .collect()
}
