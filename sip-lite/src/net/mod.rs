//! tokio transports (feature `tokio`; TLS with feature `tls`): UDP, TCP and TLS sockets that
//! frame messages, keep and reuse connections, stamp `received`/`rport`, move large requests
//! from UDP to TCP, drop idle or stalled connections, and a driver loop that runs a
//! [`UserAgent`] on them.
//!
//! ```text
//!   UDP socket ──datagram──► parse_datagram ─┐
//!   TCP/TLS connections ──► StreamFramer ────┼─► stamp_received ─► Incoming ─► mpsc receiver
//!   (one task each; idle and stall timeouts) │
//!                                            │
//!   SipTransport::send(Transmit) ────────────┴─► UDP, or the connection to that peer
//!   (requests over 1300 bytes for UDP go over TCP, RFC 3261 §18.1.1)   (opened if needed)
//! ```

mod conn;
#[cfg(feature = "tls")]
mod tls;

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

use crate::dialog::{UaEvent, UserAgent};
use crate::transaction::{Destination, Transmit, Transport, stamp_received};
use crate::{Limits, Message, parse_datagram};

#[cfg(feature = "tls")]
pub use tls::TlsConfig;

/// Settings of a [`SipTransport`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransportConfig {
    /// Size limits for received messages.
    pub limits: Limits,
    /// A connection with no traffic for this long is closed (default 5 minutes).
    pub idle_timeout: Duration,
    /// A connection that stops in the middle of a message for this long is closed
    /// (default 32 s, 64*T1).
    pub stall_timeout: Duration,
    /// Requests larger than this that would go over UDP go over TCP instead (default 1300,
    /// RFC 3261 §18.1.1).
    pub udp_request_limit: usize,
    /// The most connections kept at once (default 1024); further incoming ones are refused.
    pub max_connections: usize,
    /// Queue of received messages and per-connection send queues (default 1024 each).
    pub queue: usize,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            limits: Limits::default(),
            idle_timeout: Duration::from_secs(300),
            stall_timeout: Duration::from_secs(32),
            udp_request_limit: 1300,
            max_connections: 1024,
            queue: 1024,
        }
    }
}

impl TransportConfig {
    /// Sets the idle timeout.
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Sets the stall timeout.
    pub fn stall_timeout(mut self, d: Duration) -> Self {
        self.stall_timeout = d;
        self
    }

    /// Sets the limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the connection limit.
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }
}

/// A received message and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incoming {
    /// The message (a request's top Via already carries `received`/`rport` where needed).
    pub message: Message,
    /// The peer and transport it arrived on (responses go back there).
    pub source: Destination,
}

/// What happened to a connection, for logs and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConnectionClosed {
    /// The peer closed it.
    Eof,
    /// Nothing arrived for the idle timeout.
    Idle,
    /// A message stopped arriving half way for the stall timeout.
    Stalled,
    /// The peer's bytes could not be framed (the parse error's text).
    Garbage(String),
    /// A read or write failed.
    Io(String),
}

pub(crate) struct Shared {
    config: TransportConfig,
    incoming: mpsc::Sender<Incoming>,
    connections: Mutex<HashMap<(SocketAddr, Transport), mpsc::Sender<Bytes>>>,
    closed: mpsc::Sender<(SocketAddr, Transport, ConnectionClosed)>,
    #[cfg(feature = "tls")]
    tls: Option<TlsConfig>,
}

/// UDP, TCP (and TLS) sockets on one local address, as a cloneable handle.
///
/// Created with [`SipTransport::bind`]; received messages come out of the receiver it
/// returns. Dropping every handle and the receiver stops the tasks.
#[derive(Clone)]
pub struct SipTransport {
    shared: Arc<Shared>,
    udp: Arc<UdpSocket>,
    tcp_addr: SocketAddr,
    #[cfg(feature = "tls")]
    tls_addr: Option<SocketAddr>,
}

impl std::fmt::Debug for SipTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipTransport")
            .field("udp", &self.udp.local_addr().ok())
            .field("tcp", &self.tcp_addr)
            .finish()
    }
}

/// The receiving ends of a [`SipTransport`].
#[derive(Debug)]
pub struct Receivers {
    /// Every received message.
    pub incoming: mpsc::Receiver<Incoming>,
    /// Closed connections and why (the most recent ones: notices beyond the queue size are
    /// dropped while nobody reads them).
    pub closed: mpsc::Receiver<(SocketAddr, Transport, ConnectionClosed)>,
}

impl SipTransport {
    /// Binds UDP and TCP on `addr` (port 0 picks one port free for both) and starts the
    /// receive tasks. Must be called inside a tokio runtime.
    pub async fn bind(
        addr: SocketAddr,
        config: TransportConfig,
    ) -> io::Result<(SipTransport, Receivers)> {
        Self::bind_inner(
            addr,
            config,
            #[cfg(feature = "tls")]
            None,
        )
        .await
    }

    /// Like [`bind`](Self::bind), and also listens for TLS on `tls_addr` and connects out
    /// over TLS with the given configs.
    #[cfg(feature = "tls")]
    pub async fn bind_with_tls(
        addr: SocketAddr,
        tls_addr: SocketAddr,
        tls: TlsConfig,
        config: TransportConfig,
    ) -> io::Result<(SipTransport, Receivers)> {
        let (mut transport, receivers) = Self::bind_inner(addr, config, Some(tls.clone())).await?;
        let listener = TcpListener::bind(tls_addr).await?;
        transport.tls_addr = Some(listener.local_addr()?);
        tokio::spawn(tls::accept_loop(listener, transport.shared.clone(), tls));
        Ok((transport, receivers))
    }

    async fn bind_inner(
        addr: SocketAddr,
        config: TransportConfig,
        #[cfg(feature = "tls")] tls: Option<TlsConfig>,
    ) -> io::Result<(SipTransport, Receivers)> {
        // One port for both: bind TCP first, then UDP on the same port (retrying a few times
        // when port 0 was asked for and the UDP port happens to be taken).
        let mut attempt = 0;
        let (listener, udp) = loop {
            let listener = TcpListener::bind(addr).await?;
            let port = listener.local_addr()?.port();
            match UdpSocket::bind(SocketAddr::new(addr.ip(), port)).await {
                Ok(udp) => break (listener, udp),
                Err(e) if addr.port() != 0 || attempt >= 8 => return Err(e),
                Err(_) => attempt += 1,
            }
        };
        let (incoming_tx, incoming) = mpsc::channel(config.queue.max(1));
        let (closed_tx, closed) = mpsc::channel(config.queue.max(1));
        let shared = Arc::new(Shared {
            config,
            incoming: incoming_tx,
            connections: Mutex::new(HashMap::new()),
            closed: closed_tx,
            #[cfg(feature = "tls")]
            tls,
        });
        let udp = Arc::new(udp);
        let tcp_addr = listener.local_addr()?;
        tokio::spawn(udp_loop(udp.clone(), shared.clone()));
        tokio::spawn(tcp_accept_loop(listener, shared.clone()));
        Ok((
            SipTransport {
                shared,
                udp,
                tcp_addr,
                #[cfg(feature = "tls")]
                tls_addr: None,
            },
            Receivers { incoming, closed },
        ))
    }

    /// The local address of a transport (UDP and TCP share it).
    pub fn local_addr(&self, transport: Transport) -> Option<SocketAddr> {
        match transport {
            Transport::Udp | Transport::Tcp => Some(self.tcp_addr),
            #[cfg(feature = "tls")]
            Transport::Tls => self.tls_addr,
            #[cfg(not(feature = "tls"))]
            Transport::Tls => None,
        }
    }

    /// How many connections are open.
    pub fn connection_count(&self) -> usize {
        self.shared.connections.lock().map(|c| c.len()).unwrap_or(0)
    }

    /// Sends a message: over UDP, or into the send queue of the connection to the destination
    /// (opened in the background if there is none). Never waits for a peer: a full queue is
    /// an error ([`io::ErrorKind::WouldBlock`]), and a connection that cannot be opened is
    /// reported on [`Receivers::closed`]. A request too large for UDP goes over TCP with its
    /// top Via changed to match (§18.1.1).
    pub async fn send(&self, transmit: Transmit) -> io::Result<()> {
        let Transmit {
            mut destination,
            mut message,
        } = transmit;
        let mut bytes = message.to_bytes();
        if destination.transport == Transport::Udp
            && matches!(message, Message::Request(_))
            && bytes.len() > self.shared.config.udp_request_limit
        {
            destination.transport = Transport::Tcp;
            if let Message::Request(req) = &mut message {
                crate::transaction::switch_via_transport(req, "TCP");
            }
            bytes = message.to_bytes();
        }
        match destination.transport {
            Transport::Udp => self.udp.send_to(&bytes, destination.addr).await.map(drop),
            _ => self.send_stream(destination, bytes).await,
        }
    }

    async fn send_stream(&self, destination: Destination, bytes: Bytes) -> io::Result<()> {
        let key = (destination.addr, destination.transport);
        let existing = self
            .shared
            .connections
            .lock()
            .ok()
            .and_then(|c| c.get(&key).cloned());
        let queue = match existing {
            Some(q) if !q.is_closed() => q,
            _ => self.open(destination)?,
        };
        // Never wait for one peer: a full queue means it is not reading (§6: one bad peer
        // must not stall the others); the message is dropped and the transaction's timers
        // take it from there.
        queue.try_send(bytes).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => {
                io::Error::new(io::ErrorKind::WouldBlock, "the peer's send queue is full")
            }
            mpsc::error::TrySendError::Closed(_) => {
                io::Error::new(io::ErrorKind::BrokenPipe, "connection closed")
            }
        })
    }

    /// Registers a queue for a new connection to `destination` at once and connects in the
    /// background (bounded by the stall timeout), so sending never waits for a handshake.
    fn open(&self, destination: Destination) -> io::Result<mpsc::Sender<Bytes>> {
        #[cfg(feature = "tls")]
        let tls = self.shared.tls.clone();
        #[cfg(feature = "tls")]
        if destination.transport == Transport::Tls && tls.is_none() {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "no TLS configuration",
            ));
        }
        #[cfg(not(feature = "tls"))]
        if destination.transport == Transport::Tls {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "built without TLS",
            ));
        }
        let (queue, rx) = conn::register(destination, &self.shared);
        let shared = self.shared.clone();
        let task_queue = queue.clone();
        tokio::spawn(async move {
            let limit = shared.config.stall_timeout;
            let connected = tokio::time::timeout(limit, TcpStream::connect(destination.addr)).await;
            let stream = match connected {
                Ok(Ok(stream)) => stream,
                Ok(Err(e)) => {
                    conn::unregister(
                        destination,
                        &shared,
                        &task_queue,
                        ConnectionClosed::Io(e.to_string()),
                    );
                    return;
                }
                Err(_) => {
                    let why = ConnectionClosed::Io("connect timed out".into());
                    conn::unregister(destination, &shared, &task_queue, why);
                    return;
                }
            };
            let _ = stream.set_nodelay(true);
            match destination.transport {
                #[cfg(feature = "tls")]
                Transport::Tls => {
                    let Some(tls) = tls else {
                        return;
                    };
                    let handshake =
                        tokio::time::timeout(limit, tls::connect(&tls, destination.addr, stream))
                            .await;
                    match handshake {
                        Ok(Ok(stream)) => conn::run(stream, destination, shared, task_queue, rx),
                        _ => {
                            let why = ConnectionClosed::Io("TLS handshake failed".into());
                            conn::unregister(destination, &shared, &task_queue, why);
                        }
                    }
                }
                _ => conn::run(stream, destination, shared, task_queue, rx),
            }
        });
        Ok(queue)
    }
}

/// Stamps a received request and queues it for the application.
pub(crate) async fn deliver(shared: &Shared, mut message: Message, source: Destination) -> bool {
    if let Message::Request(req) = &mut message {
        stamp_received(req, source.addr);
    }
    shared
        .incoming
        .send(Incoming { message, source })
        .await
        .is_ok()
}

async fn udp_loop(socket: Arc<UdpSocket>, shared: Arc<Shared>) {
    let mut buf = BytesMut::new();
    loop {
        buf.clear();
        buf.reserve(65536);
        // Stop once nobody reads what arrives (the receiver was dropped).
        let received = tokio::select! {
            r = socket.recv_buf_from(&mut buf) => r,
            () = shared.incoming.closed() => return,
        };
        let Ok((_, from)) = received else {
            continue;
        };
        // Keep-alives (CRLF) and unparsable datagrams are dropped (§18.2.1: a UAS cannot
        // answer what it cannot parse).
        if buf.iter().all(|&b| b == b'\r' || b == b'\n') {
            continue;
        }
        // An exact-size copy: the message lives as long as its transaction (up to 32 s), and
        // a slice would keep the whole 64 KiB receive buffer alive with it.
        let datagram = Bytes::copy_from_slice(&buf);
        if let Ok(msg) = parse_datagram(datagram, &shared.config.limits) {
            if !deliver(&shared, msg, Destination::new(from, Transport::Udp)).await {
                return;
            }
        }
    }
}

async fn tcp_accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            () = shared.incoming.closed() => return,
        };
        let Ok((stream, from)) = accepted else {
            continue;
        };
        let full = shared
            .connections
            .lock()
            .map(|c| c.len() >= shared.config.max_connections)
            .unwrap_or(true);
        if full {
            continue; // dropped: the stream closes
        }
        let _ = stream.set_nodelay(true);
        conn::spawn(
            stream,
            Destination::new(from, Transport::Tcp),
            shared.clone(),
        );
    }
}

/// Runs a UA core on a transport: feeds it received messages and timeouts, sends what it
/// wants sent (what is queued already goes out first), and hands every event to `on_event`,
/// which may call [`UserAgent::respond`] and friends. Returns when `on_event` says
/// [`ControlFlow::Break`] (after sending what is queued) or the receiver closes. A message
/// that cannot be sent is dropped; the transaction's timers then report the loss.
pub async fn run_user_agent(
    ua: &mut UserAgent,
    transport: &SipTransport,
    incoming: &mut mpsc::Receiver<Incoming>,
    mut on_event: impl FnMut(&mut UserAgent, Instant, UaEvent) -> ControlFlow<()>,
) {
    loop {
        if flush(ua, transport, &mut on_event).await.is_break() {
            return;
        }
        let deadline = ua.poll_timeout();
        let sleep = async {
            match deadline {
                Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            received = incoming.recv() => match received {
                Some(Incoming { message, source }) => ua.handle_message(Instant::now(), message, source),
                None => return,
            },
            () = sleep => ua.handle_timeout(Instant::now()),
        }
    }
}

async fn flush(
    ua: &mut UserAgent,
    transport: &SipTransport,
    on_event: &mut impl FnMut(&mut UserAgent, Instant, UaEvent) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let mut stop = ControlFlow::Continue(());
    loop {
        let mut progressed = false;
        while let Some(event) = ua.poll_event() {
            if on_event(ua, Instant::now(), event).is_break() {
                stop = ControlFlow::Break(());
            }
            progressed = true;
        }
        while let Some(t) = ua.poll_transmit() {
            let _ = transport.send(t).await;
            progressed = true;
        }
        if !progressed {
            return stop;
        }
    }
}
