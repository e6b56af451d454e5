//! Addressing and routing (RFC 4976 §6.2, §6.4): whether a URI is this relay's, which
//! connection a request goes out on, and which connections reach which peers.

use std::time::Instant;

use super::event::Event;
use super::state::{Authority, Conn, MAX_ALIASES, Phase};
use super::{ConnectionId, Relay};
use crate::message::{Method, Request};
use crate::status::StatusCode;
use crate::uri::{MsrpUri, Path};

/// Client URIs one request may name in a row at the front of its To-Path (a client of this
/// relay sending to another client of it names two).
const MAX_OWN_HOPS: usize = 4;

/// Where a request goes.
pub(super) struct Route {
    pub out: ConnectionId,
    pub to_path: Path,
    pub from_path: Path,
    /// Our first URI the request named.
    pub responder: Path,
}

/// Why a request is not forwarded.
pub(super) enum Refusal {
    /// Not addressed to the relay: drop the connection (§6.2).
    Drop,
    /// Answer with this status (rules permitting) and count a failed request.
    Answer(StatusCode),
    /// An AUTH addressed to the relay itself.
    Auth,
}

impl Relay {
    /// Whether `uri` names this relay's host (and its port, or none).
    pub(super) fn is_own(&self, uri: &MsrpUri) -> bool {
        uri.host_str().eq_ignore_ascii_case(&self.config.host)
            && uri.port().is_none_or(|p| p == self.config.port)
    }

    /// The client URI `uri` names, if it is one of ours, valid now.
    fn client_conn(&self, now: Instant, uri: &MsrpUri) -> Option<ConnectionId> {
        let sid = uri.session_id()?;
        let client = self.clients.get(sid)?;
        (client.expires_at > now).then_some(client.connection)
    }

    /// Where a request arriving on `conn` goes (RFC 4976 §6.2, §6.4).
    pub(super) fn route(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        r: &Request,
    ) -> Result<Route, Refusal> {
        let mut to: Vec<MsrpUri> = r.to_path.iter().cloned().collect();
        let mut from: Vec<MsrpUri> = r.from_path.iter().cloned().collect();
        let mut responder: Option<MsrpUri> = None;
        for _ in 0..MAX_OWN_HOPS {
            if to.is_empty() {
                // Nothing beyond our URI: nowhere to forward to.
                return Err(Refusal::Answer(StatusCode::Forbidden));
            }
            let uri = to.remove(0);
            if !self.is_own(&uri) {
                return Err(if responder.is_none() {
                    Refusal::Drop
                } else {
                    Refusal::Answer(StatusCode::NoSuchSession)
                });
            }
            if uri.session_id().is_none() {
                // The relay's bare URI: only AUTH is addressed to it (RFC 4976 §5.1).
                let alone = to.is_empty() && responder.is_none();
                return Err(if alone && r.method == Method::Auth {
                    Refusal::Auth
                } else {
                    Refusal::Answer(StatusCode::Forbidden)
                });
            }
            // RFC 4976 §6.3: an unknown or expired URI is not valid for forwarding.
            let Some(client) = self.client_conn(now, &uri) else {
                return Err(Refusal::Answer(StatusCode::NoSuchSession));
            };
            from.insert(0, uri.clone());
            let responder = responder.get_or_insert(uri).clone();
            let finish = |out: ConnectionId, to: Vec<MsrpUri>, from: Vec<MsrpUri>| match (
                Path::from_uris(to),
                Path::from_uris(from),
            ) {
                (Some(to_path), Some(from_path)) => Ok(Route {
                    out,
                    to_path,
                    from_path,
                    responder: Path::new(responder.clone()),
                }),
                _ => Err(Refusal::Answer(StatusCode::Forbidden)),
            };
            if client != conn {
                // Towards the client that obtained the URI (§6.4 case 1).
                return finish(client, to, from);
            }
            // From that client (§6.4 case 2): on to the next URI.
            let Some(next) = to.first() else {
                return Err(Refusal::Answer(StatusCode::Forbidden));
            };
            if self.is_own(next) {
                // Another URI of ours: take it off as well.
                continue;
            }
            let next = next.clone();
            return match self.connection_to(now, &next) {
                Some(out) => finish(out, to, from),
                None => Err(Refusal::Answer(StatusCode::RequestTimeout)),
            };
        }
        Err(Refusal::Answer(StatusCode::Forbidden))
    }

    /// A connection to `uri`'s host and port: one open or being opened, or a new one
    /// ([`Event::Connect`]). `None` at the connection limit.
    fn connection_to(&mut self, now: Instant, uri: &MsrpUri) -> Option<ConnectionId> {
        let key = Authority::of(uri);
        if let Some(c) = self.by_authority.get(&key) {
            if self.connections.contains_key(c) {
                return Some(*c);
            }
        }
        if !self.make_room(now) {
            return None;
        }
        let id = ConnectionId(self.handle());
        let mut c = Conn::new(&self.config.decoder, Phase::Connecting, false, key.tls, now);
        c.aliases.push(key.clone());
        self.connections.insert(id, c);
        self.by_authority.insert(key.clone(), id);
        self.arm_idle(now, id);
        self.events.push_back(Event::Connect {
            connection: id,
            uri: uri.clone(),
            tls: key.tls,
        });
        Some(id)
    }

    /// Remembers that `conn` reaches the previous hop `uri` (a request from it was valid),
    /// so requests for that hop reuse the connection rather than open another.
    pub(super) fn learn_alias(&mut self, conn: ConnectionId, uri: &MsrpUri) {
        if self.is_own(uri) || uri.port().is_none() {
            return;
        }
        let key = Authority::of(uri);
        let taken = self
            .by_authority
            .get(&key)
            .is_some_and(|c| self.connections.contains_key(c));
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        if taken || c.aliases.len() >= MAX_ALIASES {
            return;
        }
        c.aliases.push(key.clone());
        self.by_authority.insert(key, conn);
    }
}
