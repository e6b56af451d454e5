//! A tokio driver for the relay engine (features `relay` and `tokio`).
//!
//! [`RelayDriver::spawn`] starts one task that owns a [`Relay`] and runs its sans-IO loop:
//! accepted sockets are reported with `open_connection`, their reads go to `handle_input`
//! (only while the engine says the connection is [`readable`](Relay::readable), so a
//! message whose next hop is slow slows its sender through TCP), what `poll_transmit_on`
//! hands back goes to that socket's bounded write queue, [`Event::Connect`] opens the
//! outward connections (TLS with the caller's client configuration for `msrps:`), and the
//! task sleeps until `poll_timeout`. Every socket has its own reader and writer task.
//!
//! ```text
//!   listeners ──accepted──► driver task: Relay ◄──bytes── reader task per socket
//!   RelayDriver (handle) ──commands──►  │  │   └──bytes──► writer task per socket
//!                                       │  └──Connect──► connect task ──stream──► (back)
//!   RelayNetEvent ◄─────────────────────┘
//! ```
//!
//! AUTH is only accepted over TLS (RFC 4976 §9.1): clients authenticate on a
//! [`listen_tls`](RelayDriver::listen_tls) socket; peers reached over plain TCP get URIs
//! through [`grant`](RelayDriver::grant).

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;

use super::io;
use super::stream::{self, BoxStream, ClientTls, ServerTls};
use super::{CloseReason, NetError};
use crate::endpoint::ConnectionId;
use crate::relay::discovery::DEFAULT_PORT;
use crate::relay::engine::{Event, Relay, UserError};
use crate::uri::MsrpUri;

/// Settings of a [`RelayDriver`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct RelayDriverConfig {
    /// Segments queued per connection for its writer task; a connection whose queue is full
    /// is not polled. Default 8.
    pub write_queue: usize,
    /// Bytes read from a socket at once. Default 64 KiB.
    pub read_buffer: usize,
    /// How long a TCP connect (with its TLS handshake) may take, and an accepted TLS
    /// handshake. Default 10 s.
    pub connect_timeout: Duration,
    /// TLS handshakes under way at once on each listener. Default 64.
    pub max_handshakes: usize,
    /// Events queued for the application; further ones are dropped until it reads (they
    /// only inform: the engine has acted on them already). Default 256.
    pub event_capacity: usize,
    /// The client configuration for `msrps:` connections the relay opens; without it they
    /// fail (their messages get 408 REPORTs).
    #[cfg(feature = "tls")]
    pub client_tls: Option<Arc<rustls::ClientConfig>>,
}

impl Default for RelayDriverConfig {
    fn default() -> Self {
        Self {
            write_queue: 8,
            read_buffer: 64 << 10,
            connect_timeout: Duration::from_secs(10),
            max_handshakes: 64,
            event_capacity: 256,
            #[cfg(feature = "tls")]
            client_tls: None,
        }
    }
}

impl RelayDriverConfig {
    /// Sets [`write_queue`](Self::write_queue) (at least 1).
    pub fn with_write_queue(mut self, v: usize) -> Self {
        self.write_queue = v.max(1);
        self
    }
    /// Sets [`read_buffer`](Self::read_buffer) (at least 1 KiB).
    pub fn with_read_buffer(mut self, v: usize) -> Self {
        self.read_buffer = v.max(1024);
        self
    }
    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn with_connect_timeout(mut self, v: Duration) -> Self {
        self.connect_timeout = v;
        self
    }
    /// Sets [`max_handshakes`](Self::max_handshakes) (at least 1).
    pub fn with_max_handshakes(mut self, v: usize) -> Self {
        self.max_handshakes = v.max(1);
        self
    }
    /// Sets [`event_capacity`](Self::event_capacity) (at least 1).
    pub fn with_event_capacity(mut self, v: usize) -> Self {
        self.event_capacity = v.max(1);
        self
    }
    /// Sets [`client_tls`](Self::client_tls).
    #[cfg(feature = "tls")]
    pub fn with_client_tls(mut self, v: Arc<rustls::ClientConfig>) -> Self {
        self.client_tls = Some(v);
        self
    }
}

/// What happened, out of the receiver returned by [`RelayDriver::spawn`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RelayNetEvent {
    /// A connection was accepted (after its TLS handshake, if any).
    Accepted {
        /// Its handle in the engine.
        connection: ConnectionId,
        /// The peer's address.
        peer: SocketAddr,
        /// Whether it runs TLS.
        tls: bool,
    },
    /// A connection closed (by the peer, an I/O error, or the engine).
    Closed {
        /// The connection.
        connection: ConnectionId,
        /// Why.
        reason: CloseReason,
    },
    /// What the engine reported (authenticated clients, failed messages, ...).
    Relay(Event),
}

enum Command {
    Listen {
        listener: TcpListener,
        tls: Option<ServerTls>,
        reply: oneshot::Sender<()>,
    },
    Grant {
        connection: ConnectionId,
        lifetime: Duration,
        reply: oneshot::Sender<Result<MsrpUri, UserError>>,
    },
    Shutdown {
        reply: oneshot::Sender<()>,
    },
}

impl io::SocketReport for Internal {
    fn input(connection: ConnectionId, data: Bytes) -> Self {
        Self::Input { connection, data }
    }
    fn closed(connection: ConnectionId, reason: CloseReason) -> Self {
        Self::Closed { connection, reason }
    }
    fn accepted(stream: BoxStream, peer: SocketAddr, tls: bool) -> Self {
        Self::Accepted { stream, peer, tls }
    }
}

enum Internal {
    Accepted {
        stream: BoxStream,
        peer: SocketAddr,
        tls: bool,
    },
    Connected {
        connection: ConnectionId,
        stream: BoxStream,
    },
    ConnectFailed {
        connection: ConnectionId,
    },
    Input {
        connection: ConnectionId,
        data: Bytes,
    },
    Closed {
        connection: ConnectionId,
        reason: CloseReason,
    },
}

/// A handle to the relay driver task. Cloning it gives another handle to the same task.
#[derive(Clone, Debug)]
pub struct RelayDriver {
    commands: mpsc::Sender<Command>,
}

impl RelayDriver {
    /// Starts the driver task running `relay` (which may carry its AUTH credentials, see
    /// [`Relay::with_authentication`]).
    pub fn spawn(relay: Relay, config: RelayDriverConfig) -> (Self, mpsc::Receiver<RelayNetEvent>) {
        let (commands, command_rx) = mpsc::channel(64);
        let (events_tx, events) = mpsc::channel(config.event_capacity.max(1));
        let (internal, internal_rx) = mpsc::channel(256);
        let state = State {
            relay,
            config,
            conns: HashMap::new(),
            listeners: Vec::new(),
            events: VecDeque::new(),
            internal,
            wake: Arc::new(Notify::new()),
        };
        tokio::spawn(run(state, command_rx, internal_rx, events_tx));
        (Self { commands }, events)
    }

    /// Accepts plain TCP connections on `addr`; returns the bound address.
    pub async fn listen(&self, addr: SocketAddr) -> Result<SocketAddr, NetError> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        self.call(|reply| Command::Listen {
            listener,
            tls: None,
            reply,
        })
        .await?;
        Ok(local)
    }

    /// Accepts TLS connections on `addr` with the caller's server configuration (feature
    /// `tls`); returns the bound address. AUTH is accepted only on these.
    #[cfg(feature = "tls")]
    pub async fn listen_tls(
        &self,
        addr: SocketAddr,
        config: Arc<rustls::ServerConfig>,
    ) -> Result<SocketAddr, NetError> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        self.call(|reply| Command::Listen {
            listener,
            tls: Some(config),
            reply,
        })
        .await?;
        Ok(local)
    }

    /// Hands out a client URI valid on `connection` for `lifetime`
    /// ([`Relay::grant`]), for a peer authenticated by other means than AUTH.
    pub async fn grant(
        &self,
        connection: ConnectionId,
        lifetime: Duration,
    ) -> Result<MsrpUri, NetError> {
        let (reply, rx) = oneshot::channel();
        self.commands
            .send(Command::Grant {
                connection,
                lifetime,
                reply,
            })
            .await
            .map_err(|_| NetError::Stopped)?;
        rx.await
            .map_err(|_| NetError::Stopped)?
            .map_err(NetError::RelayEngine)
    }

    /// Stops the driver: listeners stop (their ports are free when this returns), queued
    /// bytes are written, sockets close.
    pub async fn shutdown(&self) {
        let _ = self.call(|reply| Command::Shutdown { reply }).await;
    }

    async fn call(&self, f: impl FnOnce(oneshot::Sender<()>) -> Command) -> Result<(), NetError> {
        let (reply, rx) = oneshot::channel();
        self.commands
            .send(f(reply))
            .await
            .map_err(|_| NetError::Stopped)?;
        rx.await.map_err(|_| NetError::Stopped)
    }
}

struct Conn {
    /// `None` while the outward connection is being opened.
    writer: Option<mpsc::Sender<Bytes>>,
    writer_task: Option<JoinHandle<()>>,
    reader: Option<JoinHandle<()>>,
    reads: Arc<Semaphore>,
    /// Read permits owed: given back once the engine takes input again.
    owed_reads: usize,
}

impl Conn {
    /// Stops reading; the writer writes what it holds within `io::LINGER`, then is stopped
    /// (the socket closes even if the peer does not read).
    fn stop(self) {
        if let Some(reader) = self.reader {
            reader.abort();
        }
        if let (Some(writer), Some(task)) = (self.writer, self.writer_task) {
            io::linger(writer, task);
        }
    }
}

struct State {
    relay: Relay,
    config: RelayDriverConfig,
    conns: HashMap<ConnectionId, Conn>,
    listeners: Vec<JoinHandle<()>>,
    events: VecDeque<RelayNetEvent>,
    internal: mpsc::Sender<Internal>,
    wake: Arc<Notify>,
}

async fn run(
    mut st: State,
    mut commands: mpsc::Receiver<Command>,
    mut internal: mpsc::Receiver<Internal>,
    events: mpsc::Sender<RelayNetEvent>,
) {
    let wake = st.wake.clone();
    loop {
        st.flush();
        let deadline = st.relay.poll_timeout();
        let has_events = !st.events.is_empty();
        tokio::select! {
            command = commands.recv() => match command {
                Some(Command::Shutdown { reply }) => {
                    // An aborted task drops its listener only when it is next polled: wait
                    // for that, so the port is free once `shutdown` returns.
                    for listener in st.shutdown() {
                        let _ = listener.await;
                    }
                    let _ = reply.send(());
                    return;
                }
                Some(command) => st.command(command),
                None => {
                    st.shutdown();
                    return;
                }
            },
            Some(message) = internal.recv() => st.internal(message),
            () = wake.notified() => {}
            () = sleep_until(deadline), if deadline.is_some() => {
                st.relay.handle_timeout(Instant::now());
            }
            permit = events.reserve(), if has_events => match permit {
                Ok(permit) => {
                    if let Some(event) = st.events.pop_front() {
                        permit.send(event);
                    }
                }
                Err(_) => st.events.clear(),
            },
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    if let Some(at) = deadline {
        tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
    }
}

impl State {
    fn event(&mut self, event: RelayNetEvent) {
        if self.events.len() < self.config.event_capacity {
            self.events.push_back(event);
        }
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Listen {
                listener,
                tls,
                reply,
            } => {
                let task = tokio::spawn(io::accept_loop(
                    listener,
                    tls,
                    self.config.connect_timeout,
                    self.config.max_handshakes,
                    self.internal.clone(),
                ));
                self.listeners.push(task);
                let _ = reply.send(());
            }
            Command::Grant {
                connection,
                lifetime,
                reply,
            } => {
                let _ = reply.send(self.relay.grant(Instant::now(), connection, lifetime));
            }
            Command::Shutdown { reply } => {
                self.shutdown();
                let _ = reply.send(());
            }
        }
    }

    fn internal(&mut self, message: Internal) {
        let now = Instant::now();
        match message {
            Internal::Accepted { stream, peer, tls } => {
                // Over the connection limit the stream is dropped, which closes it.
                if let Ok(connection) = self.relay.open_connection(now, tls) {
                    self.start_io(connection, stream);
                    self.event(RelayNetEvent::Accepted {
                        connection,
                        peer,
                        tls,
                    });
                }
            }
            Internal::Connected { connection, stream } => {
                if self.relay.connected(now, connection).is_ok() {
                    self.start_io(connection, stream);
                }
            }
            Internal::ConnectFailed { connection } => {
                self.conns.remove(&connection);
                let _ = self.relay.connect_failed(now, connection);
            }
            Internal::Input { connection, data } => {
                // Reads are only asked for while the engine takes input.
                let _ = self.relay.handle_input(now, connection, &data);
                if let Some(c) = self.conns.get_mut(&connection) {
                    c.owed_reads += 1;
                }
            }
            Internal::Closed { connection, reason } => {
                if let Some(c) = self.conns.remove(&connection) {
                    c.stop();
                    let _ = self.relay.close_connection(now, connection);
                    self.event(RelayNetEvent::Closed { connection, reason });
                }
            }
        }
    }

    fn start_io(&mut self, connection: ConnectionId, stream: BoxStream) {
        let (read_half, write_half) = tokio::io::split(stream);
        let (writer, queue) = mpsc::channel(self.config.write_queue.max(1));
        // One read at a time: the engine takes input only while it is readable.
        let reads = Arc::new(Semaphore::new(1));
        let reader = tokio::spawn(io::read_socket(
            read_half,
            connection,
            self.config.read_buffer,
            reads.clone(),
            self.internal.clone(),
        ));
        let writer_task = tokio::spawn(io::write_socket(
            write_half,
            connection,
            queue,
            self.wake.clone(),
            self.internal.clone(),
        ));
        self.conns.insert(
            connection,
            Conn {
                writer: Some(writer),
                writer_task: Some(writer_task),
                reader: Some(reader),
                reads,
                owed_reads: 0,
            },
        );
    }

    /// Acts on the engine's events, fills the write queues that have room, and lets the
    /// readers of connections that take input again read. Writing may resume a paused
    /// input and produce events and bytes for other connections: repeated while it does.
    fn flush(&mut self) {
        for _ in 0..16 {
            self.engine_events();
            if !self.fill_queues() {
                break;
            }
        }
        self.engine_events();
        for (id, c) in &mut self.conns {
            if c.owed_reads > 0 && self.relay.readable(*id) {
                c.reads.add_permits(c.owed_reads);
                c.owed_reads = 0;
            }
        }
    }

    fn engine_events(&mut self) {
        while let Some(event) = self.relay.poll_event() {
            match &event {
                Event::Connect {
                    connection,
                    uri,
                    tls,
                } => self.connect(*connection, uri, *tls),
                Event::Close { connection, error } => {
                    if let Some(c) = self.conns.remove(connection) {
                        c.stop();
                        // Dropping the writer's queue lets it write what it has and shut
                        // the socket down.
                        self.event(RelayNetEvent::Closed {
                            connection: *connection,
                            reason: CloseReason::RelayEngine(*error),
                        });
                    }
                }
                _ => {}
            }
            self.event(RelayNetEvent::Relay(event));
        }
    }

    /// Moves bytes from the engine into the write queues with room; whether any moved.
    fn fill_queues(&mut self) -> bool {
        let mut moved = false;
        let ids: Vec<ConnectionId> = self.conns.keys().copied().collect();
        for id in ids {
            let Some(writer) = self.conns.get(&id).and_then(|c| c.writer.clone()) else {
                continue;
            };
            while let Ok(permit) = writer.try_reserve() {
                match self.relay.poll_transmit_on(id) {
                    Some(t) => {
                        permit.send(t.data);
                        moved = true;
                    }
                    None => break,
                }
            }
        }
        moved
    }

    fn connect(&mut self, connection: ConnectionId, uri: &MsrpUri, tls: bool) {
        let host = uri.host_str().to_owned();
        let port = uri.port().unwrap_or(DEFAULT_PORT);
        let timeout = self.config.connect_timeout;
        let internal = self.internal.clone();
        let client_tls: Option<ClientTls> = match tls {
            false => None,
            true => match self.client_tls() {
                Some(c) => Some(c),
                None => {
                    // No TLS client configuration: this connection cannot be made.
                    let _ = self.relay.connect_failed(Instant::now(), connection);
                    return;
                }
            },
        };
        self.conns.insert(
            connection,
            Conn {
                writer: None,
                writer_task: None,
                reader: None,
                reads: Arc::new(Semaphore::new(0)),
                owed_reads: 0,
            },
        );
        tokio::spawn(async move {
            let message = match stream::open(host.clone(), port, host, client_tls, timeout).await {
                Ok(stream) => Internal::Connected { connection, stream },
                Err(_) => Internal::ConnectFailed { connection },
            };
            let _ = internal.send(message).await;
        });
    }

    #[cfg(feature = "tls")]
    fn client_tls(&self) -> Option<ClientTls> {
        self.config.client_tls.clone()
    }

    #[cfg(not(feature = "tls"))]
    fn client_tls(&self) -> Option<ClientTls> {
        None
    }

    /// Stops the listeners and connections; returns the aborted listener tasks.
    fn shutdown(&mut self) -> Vec<JoinHandle<()>> {
        for l in &self.listeners {
            l.abort();
        }
        for (_, c) in self.conns.drain() {
            c.stop();
        }
        std::mem::take(&mut self.listeners)
    }
}
