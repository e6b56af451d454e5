//! The driver task's relay registrations: an RFC 4976 AUTH client per registration, run on
//! the TLS connection to its first relay; see [`crate::net::relay`].

use std::collections::VecDeque;
use std::time::Instant;

use super::{Internal, PeerKey, Reply, State, Waiter};
use crate::endpoint::{ConnectionId, SessionConfig, SessionId};
use crate::ident::IdGenerator;
use crate::message::{Request, Response};
use crate::net::relay::{self, RegistrationId, RelayFailure, RelayRegistration};
use crate::net::stream::ClientTls;
use crate::net::{NetError, NetEvent};
use crate::relay::client::{AuthClient, ClientConfig, Event, Failure, ResponseError};
use crate::relay::discovery::{DEFAULT_PORT, DiscoveryError};
use crate::uri::{MsrpUri, Path};

/// One relay registration.
pub(in crate::net) struct Registration {
    client: AuthClient,
    tls: ClientTls,
    /// The connection to the first relay, and the relay it goes to.
    connection: Option<(ConnectionId, MsrpUri)>,
    /// The connection being opened, and the relay it goes to.
    connecting: Option<(PeerKey, MsrpUri)>,
    /// AUTH requests waiting for the connection.
    queued: VecDeque<Request>,
    /// The `authenticate` call, until the first success or the end.
    reply: Option<Reply<RelayRegistration>>,
    /// The last relay failure, reported when every alternative is gone.
    last_failure: Option<(MsrpUri, Failure)>,
    /// Why the last connection attempt found no relay, until its failure is reported.
    discovery: Option<DiscoveryError>,
}

/// The relay state of the driver task.
#[derive(Default)]
pub(in crate::net) struct Relays {
    registrations: std::collections::HashMap<RegistrationId, Registration>,
    /// Sessions added through a registration.
    sessions: std::collections::HashMap<SessionId, RegistrationId>,
    next: u64,
}

impl Relays {
    /// Connections that live registrations use: never closed for idleness.
    pub(super) fn pinned(&self, connection: ConnectionId) -> bool {
        self.registrations
            .values()
            .any(|r| r.connection.as_ref().is_some_and(|(c, _)| *c == connection))
    }

    /// The earliest timer of the registrations.
    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        self.registrations
            .values()
            .filter_map(|r| r.client.poll_timeout())
            .min()
    }

    /// Forgets a removed session.
    pub(super) fn session_removed(&mut self, session: SessionId) {
        self.sessions.remove(&session);
    }

    /// Drops every registration (the driver stops; the callers waiting hear `Stopped`).
    pub(super) fn clear(&mut self) {
        self.registrations.clear();
        self.sessions.clear();
    }
}

/// The key of the connection to a relay: sessions connecting with the same client
/// configuration to the same relay reuse it.
fn peer_key(uri: &MsrpUri, tls: &ClientTls) -> PeerKey {
    PeerKey {
        secure: true,
        host: uri.host_str().to_ascii_lowercase(),
        port: uri.port().unwrap_or(DEFAULT_PORT),
        tls: Some(crate::net::stream::TlsIdentity::new(tls, uri.host_str())),
    }
}

impl State {
    /// `Driver::authenticate`: starts a registration.
    pub(super) fn authenticate(
        &mut self,
        config: ClientConfig,
        local_host: String,
        local_port: u16,
        tls: ClientTls,
        reply: Reply<RelayRegistration>,
    ) {
        let client = match AuthClient::new(config, &local_host, local_port, IdGenerator::default())
        {
            Ok(c) => c,
            Err(e) => {
                let _ = reply.send(Err(NetError::RelayConfig(e)));
                return;
            }
        };
        self.relays.next += 1;
        let id = RegistrationId(self.relays.next);
        let mut registration = Registration {
            client,
            tls,
            connection: None,
            connecting: None,
            queued: VecDeque::new(),
            reply: Some(reply),
            last_failure: None,
            discovery: None,
        };
        registration.client.start(Instant::now());
        self.relays.registrations.insert(id, registration);
    }

    /// `Driver::deregister`: stops a registration (no more refreshes).
    pub(super) fn deregister(&mut self, id: RegistrationId, reply: Reply<()>) {
        let result = match self.relays.registrations.remove(&id) {
            Some(_) => Ok(()),
            None => Err(NetError::UnknownRegistration),
        };
        let _ = reply.send(result);
    }

    /// `Driver::add_relay_session`: a session whose requests go through the registration's
    /// relays. Our From-Path is our own URI alone (RFC 4976 §5.1 example; each relay
    /// prepends its URI as it forwards); the peer reaches us at the registration's
    /// `sdp_path`.
    pub(super) fn add_relay_session(
        &mut self,
        id: RegistrationId,
        peer_path: &Path,
        config: SessionConfig,
    ) -> Result<SessionId, NetError> {
        let registration = self
            .relays
            .registrations
            .get(&id)
            .ok_or(NetError::UnknownRegistration)?;
        let remote = registration
            .client
            .to_path_for(peer_path)
            .ok_or(NetError::NotAuthenticated)?;
        let local = Path::new(registration.client.local_uri().clone());
        let session = self
            .ep
            .add_session(local, remote.clone(), config)
            .map_err(NetError::from)?;
        self.remotes.insert(session, remote);
        self.relays.sessions.insert(session, id);
        Ok(session)
    }

    /// For `connect`: the registration's connection when `session` goes through relays
    /// (its Use-Path URIs are valid on that connection only, RFC 4976 §6.3), `None` for
    /// other sessions.
    pub(super) fn relay_connection(
        &self,
        session: SessionId,
    ) -> Option<Result<ConnectionId, NetError>> {
        let id = self.relays.sessions.get(&session)?;
        let connection = self
            .relays
            .registrations
            .get(id)
            .filter(|r| r.client.is_authenticated())
            .and_then(|r| r.connection.as_ref())
            .map(|(c, _)| *c);
        Some(connection.ok_or(NetError::NotAuthenticated))
    }

    /// Runs every registration's timers due at `now`.
    pub(super) fn relay_timeout(&mut self, now: Instant) {
        for r in self.relays.registrations.values_mut() {
            if r.client.poll_timeout().is_some_and(|at| at <= now) {
                r.client.handle_timeout(now);
            }
        }
    }

    /// A response to one of our own requests: to the registration that sent it.
    pub(super) fn relay_response(&mut self, connection: ConnectionId, response: &Response) {
        let now = Instant::now();
        for r in self.relays.registrations.values_mut() {
            if r.connection.as_ref().is_none_or(|(c, _)| *c != connection) {
                continue;
            }
            // Any other outcome was this registration's: the client took it (or failed the
            // relay for it, which its events say).
            if !matches!(
                r.client.handle_response(now, response),
                Err(ResponseError::UnknownTransaction)
            ) {
                return;
            }
        }
    }

    /// A connection closed: the registrations on it lose every URI obtained through it
    /// (RFC 4976 §6.3), and fall back or give up.
    pub(super) fn relay_connection_closed(&mut self, connection: ConnectionId) {
        let now = Instant::now();
        for r in self.relays.registrations.values_mut() {
            if r.connection.as_ref().is_some_and(|(c, _)| *c == connection) {
                r.connection = None;
                r.queued.clear();
                r.client.connection_lost(now);
            }
        }
    }

    /// The connection a registration waited for is open (`Ok`) or could not be (`Err`,
    /// with the reason when relay discovery found none).
    pub(super) fn relay_connected(
        &mut self,
        id: RegistrationId,
        key: &PeerKey,
        result: Result<ConnectionId, Option<DiscoveryError>>,
    ) {
        let now = Instant::now();
        let Some(r) = self.relays.registrations.get_mut(&id) else {
            return;
        };
        // Meanwhile the registration may have moved to another relay.
        let Some((_, uri)) = r.connecting.take_if(|(k, _)| k == key) else {
            return;
        };
        match result {
            Ok(conn) => {
                r.connection = Some((conn, uri));
                for request in r.queued.drain(..) {
                    let _ = self.ep.send_request(now, conn, &request);
                }
            }
            Err(discovery) => {
                r.queued.clear();
                r.discovery = discovery;
                r.client.connection_lost(now);
            }
        }
    }

    /// Moves the registrations' AUTH requests to their connections (opening them as needed)
    /// and turns their events into the driver's. Returns whether anything happened.
    pub(super) fn drive_relays(&mut self) -> bool {
        let ids: Vec<RegistrationId> = self.relays.registrations.keys().copied().collect();
        let mut progress = false;
        for id in ids {
            progress |= self.drive_relay(id);
        }
        progress
    }

    fn drive_relay(&mut self, id: RegistrationId) -> bool {
        let now = Instant::now();
        let mut progress = false;
        let mut events = Vec::new();
        if let Some(r) = self.relays.registrations.get_mut(&id) {
            while let Some(e) = r.client.poll_event() {
                events.push(e);
            }
        }
        for e in events {
            progress = true;
            self.relay_event(id, e);
        }
        let mut open = None;
        if let Some(r) = self.relays.registrations.get_mut(&id) {
            while let Some(t) = r.client.poll_transmit() {
                progress = true;
                match &r.connection {
                    Some((conn, uri)) if *uri == t.connect_to => {
                        let _ = self.ep.send_request(now, *conn, &t.request);
                    }
                    _ => {
                        // A new first relay (at the start, or after a fallback).
                        r.connection = None;
                        r.queued.push_back(t.request);
                        let key = peer_key(&t.connect_to, &r.tls);
                        if r.connecting.as_ref().is_none_or(|(k, _)| *k != key) {
                            r.connecting = Some((key.clone(), t.connect_to.clone()));
                            open = Some((key, t.connect_to, r.tls.clone()));
                        }
                    }
                }
            }
        }
        if let Some((key, uri, tls)) = open {
            self.open_relay(id, key, &uri, tls);
        }
        progress
    }

    /// Opens (or reuses) the TLS connection to a first relay for registration `id`.
    fn open_relay(&mut self, id: RegistrationId, key: PeerKey, uri: &MsrpUri, tls: ClientTls) {
        if let Some(&conn) = self.by_peer.get(&key) {
            self.relay_connected(id, &key, Ok(conn));
            return;
        }
        let waiters = self.connecting.entry(key.clone()).or_default();
        waiters.push(Waiter::Registration(id));
        if waiters.len() > 1 {
            return;
        }
        let internal = self.internal.clone();
        let timeout = self.config.connect_timeout;
        let resolver = self.config.srv_resolver.clone();
        let uri = uri.clone();
        tokio::spawn(async move {
            let result = relay::open_stream(uri, resolver, tls, timeout).await;
            let _ = internal.send(Internal::Connected { key, result }).await;
        });
    }

    fn relay_event(&mut self, id: RegistrationId, event: Event) {
        let Some(r) = self.relays.registrations.get_mut(&id) else {
            return;
        };
        match event {
            Event::Authenticated { use_path } => {
                let (Some(sdp_path), Some((connection, _))) =
                    (r.client.sdp_path(), r.connection.clone())
                else {
                    return;
                };
                let registration = RelayRegistration {
                    id,
                    use_path: use_path.clone(),
                    sdp_path: sdp_path.clone(),
                    local_uri: r.client.local_uri().clone(),
                    connection,
                };
                if let Some(reply) = r.reply.take() {
                    let _ = reply.send(Ok(registration));
                }
                self.events.push_back(NetEvent::RelayAuthenticated {
                    registration: id,
                    use_path,
                    sdp_path,
                });
            }
            Event::Refreshed { relay, expires, .. } => {
                self.events.push_back(NetEvent::RelayRefreshed {
                    registration: id,
                    relay,
                    expires,
                });
            }
            Event::Failed { relay, reason } => {
                // A connection that could not be opened because discovery found no relay
                // says so.
                let reason = match (reason, r.discovery.take()) {
                    (Failure::ConnectionLost, Some(d)) => Failure::Discovery(d),
                    (reason, _) => reason,
                };
                r.last_failure = Some((relay, reason));
            }
            Event::FallingBack { .. } => {
                // The URIs obtained so far are void; the next transmit opens the
                // connection to the alternative.
                r.connection = None;
                r.connecting = None;
                r.queued.clear();
            }
            Event::GaveUp => {
                let (relay, reason) = r
                    .last_failure
                    .take()
                    .unwrap_or_else(|| (r.client.first_hop().clone(), Failure::ConnectionLost));
                let reply = r.reply.take();
                self.relays.registrations.remove(&id);
                match reply {
                    Some(reply) => {
                        let failure = RelayFailure { relay, reason };
                        let _ = reply.send(Err(NetError::Relay(Box::new(failure))));
                    }
                    None => self.events.push_back(NetEvent::RelayFailed {
                        registration: id,
                        relay,
                        reason,
                    }),
                }
            }
            _ => {}
        }
    }
}
