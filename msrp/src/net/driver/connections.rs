//! The driver task's connections: connecting (with reuse), adding, closing.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::{Semaphore, mpsc};

use super::{Conn, Internal, PeerKey, READS_IN_FLIGHT, Reply, State, Waiter, io};
use crate::endpoint::{ConnectionId, SessionId};
use crate::net::stream::{self, BoxStream, ClientTls};
use crate::net::{CloseReason, NetError, NetEvent};
use crate::uri::Scheme;

impl State {
    pub(super) fn connect(
        &mut self,
        session: SessionId,
        tls: Option<ClientTls>,
        via: Option<std::net::SocketAddr>,
        reply: Reply<ConnectionId>,
    ) {
        let Some(remote) = self.remotes.get(&session) else {
            let _ = reply.send(Err(crate::endpoint::UserError::UnknownSession.into()));
            return;
        };
        let uri = remote.first();
        if (uri.scheme() == Scheme::Msrps) != tls.is_some() {
            let _ = reply.send(Err(NetError::UnsupportedScheme));
            return;
        }
        // RFC 4976 §5.2, §6.3: a session through relays goes over the connection its
        // registration authenticated on, where its Use-Path URIs are valid.
        #[cfg(all(feature = "relay", feature = "tls"))]
        if let Some(conn) = self.relay_connection(session) {
            // The peer's first SEND may have bound it already (we never listen: it came
            // over this same connection).
            let result = conn.and_then(|conn| match self.ep.session_connection(session) {
                Some(bound) if bound == conn => Ok(conn),
                _ => self
                    .ep
                    .bind(Instant::now(), session, conn)
                    .map(|()| conn)
                    .map_err(NetError::from),
            });
            let _ = reply.send(result);
            return;
        }
        // RFC 6714 §4: with CEMA the active side connects to the SDP c=/m= address (given
        // here as `via`), not to the host of the path's first URI.
        let (host, port) = match via {
            Some(addr) => (addr.ip().to_string(), addr.port()),
            None => {
                let Some(port) = uri.port() else {
                    let _ = reply.send(Err(NetError::NoPort));
                    return;
                };
                (uri.host_str().to_ascii_lowercase(), port)
            }
        };
        let key = PeerKey {
            secure: uri.is_secure(),
            host,
            port,
            tls: tls
                .as_ref()
                .map(|config| stream::TlsIdentity::new(config, uri.host_str())),
        };
        if let Some(&conn) = self.by_peer.get(&key) {
            let result = self.ep.bind(Instant::now(), session, conn).map(|()| conn);
            let _ = reply.send(result.map_err(NetError::from));
            return;
        }
        let waiters = self.connecting.entry(key.clone()).or_default();
        waiters.push(Waiter::Session(session, reply));
        if waiters.len() > 1 {
            return;
        }
        let internal = self.internal.clone();
        let timeout = self.config.connect_timeout;
        let host = key.host.clone();
        let port = key.port;
        // TLS names the session's host even when CEMA connects to another address.
        let name = uri.host_str().to_owned();
        tokio::spawn(async move {
            let result = stream::open(host, port, name, tls, timeout).await;
            let _ = internal.send(Internal::Connected { key, result }).await;
        });
    }

    pub(super) fn add_connection(
        &mut self,
        stream: BoxStream,
        key: Option<PeerKey>,
    ) -> Option<ConnectionId> {
        let now = Instant::now();
        // A refused connection (limit reached) is dropped, which closes it.
        let id = self.ep.open_connection(now).ok()?;
        let (read, write) = tokio::io::split(stream);
        let (writer, queue) = mpsc::channel(self.config.write_queue.max(1));
        let internal = self.internal.clone();
        let reads = Arc::new(Semaphore::new(READS_IN_FLIGHT));
        let reader = tokio::spawn(io::read_socket(
            read,
            id,
            self.config.read_buffer,
            reads.clone(),
            internal,
        ));
        let internal = self.internal.clone();
        let writer_task = tokio::spawn(io::write_socket(
            write,
            id,
            queue,
            self.wake.clone(),
            internal,
        ));
        self.conns.insert(
            id,
            Conn {
                writer,
                writer_task,
                reader,
                reads,
                owed_reads: 0,
                in_sinks: 0,
                paused_since: None,
                key,
                last_activity: now,
            },
        );
        Some(id)
    }

    /// Closes a connection: the engine fails its sessions, the writer ends after what it
    /// holds and shuts the socket down, or is stopped after `io::LINGER` (a peer that does
    /// not read must not keep the socket and the task).
    pub(super) fn close(&mut self, connection: ConnectionId, reason: CloseReason) {
        let Some(conn) = self.conns.remove(&connection) else {
            return;
        };
        conn.reader.abort();
        io::linger(conn.writer, conn.writer_task);
        if let Some(key) = conn.key {
            self.by_peer.remove(&key);
        }
        self.sink_conn.retain(|_, c| *c != connection);
        let _ = self.ep.close_connection(Instant::now(), connection);
        #[cfg(all(feature = "relay", feature = "tls"))]
        self.relay_connection_closed(connection);
        self.events
            .push_back(NetEvent::ConnectionClosed { connection, reason });
    }
}
