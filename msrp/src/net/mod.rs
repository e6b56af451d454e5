//! A tokio driver for the [`Endpoint`](crate::Endpoint) over TCP (feature `tokio`).
//!
//! [`Driver::spawn`] starts one task that owns the engine and runs the sans-IO loop: bytes
//! read from each socket go to `handle_input`, what `poll_transmit_on` hands back goes to that
//! socket's bounded write queue, and the task sleeps until `poll_timeout`. Every socket has its
//! own reader and writer task, so a peer that stops reading fills only its own queue and is
//! simply not polled any more (the engine stops pulling content for it); the others go on.
//!
//! ```text
//!   Driver (handle, Clone) ──commands──► driver task: Endpoint ◄──bytes── reader task per socket
//!                                          │   │            └──bytes──► writer task per socket
//!   AsyncRead (content source) ──Bytes─────┘   └──Bytes──► AsyncWrite (content sink)
//!   NetEvent ◄──────────────────────────── (incoming messages, bindings, failures)
//! ```
//!
//! - Passive role (RFC 6135 `a=setup:passive`): [`Driver::listen`] on a TCP address, then
//!   [`Driver::add_session`]; the peer's first SEND binds the session.
//! - Active role: [`Driver::add_session`] then [`Driver::connect`], which connects to the host
//!   and port of the first URI of the session's remote path, or reuses the connection already
//!   open to that scheme, host and port (RFC 4975 §5.4 connection reuse), and binds.
//! - Sending: [`Driver::send`] reads the content from any `AsyncRead` piece by piece, as the
//!   engine asks for it; the returned [`Transfer`] resolves to the final result.
//! - Receiving: each new message is announced with [`NetEvent::Incoming`]; answer with
//!   [`Driver::accept`] (an `AsyncWrite` takes the bytes in order) or [`Driver::reject`] (413).
//!   Sessions of the driver use the engine's in-order sink, since an `AsyncWrite` is written
//!   sequentially; sessions added with [`Driver::add_positional_session`] use the positional
//!   sink instead and take [`Driver::accept_positional`] (`AsyncWrite + AsyncSeek`, e.g. a
//!   file), written at each slice's offset in any chunk order.
//!
//! - Hashing: wrap a sink in [`HashingWriter`] to get the SHA-1 (RFC 5547 form) and
//!   SHA-256 of a received message, computed while it streams, once it is complete; a
//!   positional sink (a file) in [`PositionalHashingWriter`], which hashes the slices that
//!   come in order as they are written and reads back only those that came out of order.
//! - Flow: a connection whose accepted sinks hold more than [`DriverConfig::input_pause`]
//!   unwritten bytes is not read until they catch up, so a slow `AsyncWrite` slows the
//!   sender through TCP instead of failing the message at the receive window.
//! - TLS (feature `tls`, `msrps:` URIs): [`Driver::listen_tls`] and [`Driver::connect_tls`]
//!   take the caller's rustls configurations; [`tls::FingerprintVerifier`] authenticates
//!   self-signed peer certificates by their `a=fingerprint` (SHA-256) in either role.
//! - Relays (features `relay` and `tls`, RFC 4976): `Driver::authenticate` registers with
//!   a chain of relays over a TLS connection to the first one and keeps the registration
//!   fresh; `Driver::add_relay_session` then runs a session over that connection (see the
//!   module `relay`).
//!
//! # Example
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use msrp::net::{Driver, DriverConfig, NetEvent};
//! use tokio::io::AsyncReadExt;
//! use msrp::{Path, SessionConfig, Text};
//!
//! let (bob, mut bob_events) = Driver::spawn(DriverConfig::default());
//! let addr = bob.listen("127.0.0.1:0".parse()?).await?;
//! let bob_path: Path = format!("msrp://127.0.0.1:{}/bobs3ss10n;tcp", addr.port()).parse()?;
//! let alice_path: Path = "msrp://127.0.0.1:9/al1ces3ss10n;tcp".parse()?;
//! let b = bob.add_session(bob_path.clone(), alice_path.clone(), SessionConfig::default()).await?;
//!
//! let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
//! let a = alice.add_session(alice_path, bob_path, SessionConfig::default()).await?;
//! alice.connect(a).await?;
//! let sent = alice.send(a, Text::new("text/plain")?, Some(5), &b"hello"[..]).await?;
//!
//! let mut received = Vec::new();
//! while let Some(event) = bob_events.recv().await {
//!     if let NetEvent::Incoming { session, message_id, .. } = event {
//!         assert_eq!(session, b);
//!         let (sink, mut reader) = tokio::io::duplex(1024);
//!         let transfer = bob.accept(session, message_id, sink).await?;
//!         reader.read_to_end(&mut received).await?;
//!         assert_eq!(transfer.result().await?, 5);
//!         break;
//!     }
//! }
//! assert_eq!(received, b"hello");
//! assert_eq!(sent.result().await?, 5);
//! alice.shutdown().await;
//! bob.shutdown().await;
//! # Ok(())
//! # }
//! ```

mod config;
mod driver;
mod hash;
mod io;
#[cfg(all(feature = "relay", feature = "tls"))]
pub mod relay;
mod stream;
#[cfg(feature = "tls")]
pub mod tls;

#[cfg(feature = "relay")]
pub mod relay_server;

use std::net::SocketAddr;

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite};
use tokio::sync::{mpsc, oneshot};

use crate::endpoint::{
    ConnectionError, ConnectionId, MessageError, SessionConfig, SessionError, SessionId, UserError,
};
use crate::header::Text;
use crate::ident::{IdGenerator, MessageId};
use crate::uri::Path;

pub use config::DriverConfig;
use driver::Command;
pub use hash::{Digests, HashingWriter, PositionalHashingWriter};
use io::ContentSink;

/// A failed [`Driver`] call.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum NetError {
    /// The engine refused the command (the caller's misuse).
    #[error(transparent)]
    User(#[from] UserError),
    /// The relay engine refused the command (feature `relay`).
    #[cfg(feature = "relay")]
    #[error(transparent)]
    RelayEngine(crate::relay::engine::UserError),
    /// A socket operation (bind, connect) failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// Connecting took longer than [`DriverConfig::connect_timeout`].
    #[error("connect timed out")]
    ConnectTimeout,
    /// The remote path's first URI has no port to connect to.
    #[error("the remote URI has no port")]
    NoPort,
    /// The remote URI's scheme does not fit the call: `msrps:` needs `connect_tls` (feature
    /// `tls`), `msrp:` needs `connect`.
    #[error("the URI scheme does not fit the call")]
    UnsupportedScheme,
    /// The remote host is not a valid TLS server name.
    #[error("the host is not a valid TLS server name")]
    InvalidHost,
    /// `accept` for a session added with `add_positional_session`, or
    /// `accept_positional` for one added with `add_session`.
    #[error("the sink kind does not fit the session")]
    WrongSink,
    /// No incoming message with this Message-ID waits for a sink.
    #[error("unknown incoming message")]
    UnknownMessage,
    /// The driver task has stopped.
    #[error("the driver has stopped")]
    Stopped,
    /// Relay authentication failed: the last first relay tried (the configured one, or
    /// the last alternative) failed, and no alternative is left.
    #[cfg(all(feature = "relay", feature = "tls"))]
    #[error(transparent)]
    Relay(Box<relay::RelayFailure>),
    /// The relay configuration was refused (see [`ConfigError`](crate::relay::client::ConfigError)).
    #[cfg(all(feature = "relay", feature = "tls"))]
    #[error("relay configuration: {0}")]
    RelayConfig(crate::relay::client::ConfigError),
    /// Relay discovery found no relay (RFC 4976 §8): see
    /// [`DiscoveryError`](crate::relay::discovery::DiscoveryError).
    #[cfg(all(feature = "relay", feature = "tls"))]
    #[error("relay discovery: {0}")]
    RelayDiscovery(crate::relay::discovery::DiscoveryError),
    /// No relay registration with this handle (it failed, or was deregistered).
    #[cfg(all(feature = "relay", feature = "tls"))]
    #[error("unknown relay registration")]
    UnknownRegistration,
    /// The relay registration is not authenticated right now (a refresh or fallback
    /// changed its paths, or its connection is gone).
    #[cfg(all(feature = "relay", feature = "tls"))]
    #[error("the relay registration is not authenticated")]
    NotAuthenticated,
}

impl NetError {
    /// The same error for another waiter of one connection attempt (`io::Error` is not
    /// `Clone`: its kind and message are kept).
    fn duplicate(&self) -> Self {
        match self {
            Self::User(e) => Self::User(*e),
            #[cfg(feature = "relay")]
            Self::RelayEngine(e) => Self::RelayEngine(*e),
            #[cfg(all(feature = "relay", feature = "tls"))]
            Self::Relay(e) => Self::Relay(e.clone()),
            #[cfg(all(feature = "relay", feature = "tls"))]
            Self::RelayConfig(e) => Self::RelayConfig(e.clone()),
            #[cfg(all(feature = "relay", feature = "tls"))]
            Self::RelayDiscovery(e) => Self::RelayDiscovery(e.clone()),
            #[cfg(all(feature = "relay", feature = "tls"))]
            Self::UnknownRegistration => Self::UnknownRegistration,
            #[cfg(all(feature = "relay", feature = "tls"))]
            Self::NotAuthenticated => Self::NotAuthenticated,
            Self::Io(e) => Self::Io(std::io::Error::new(e.kind(), e.to_string())),
            Self::ConnectTimeout => Self::ConnectTimeout,
            Self::NoPort => Self::NoPort,
            Self::UnsupportedScheme => Self::UnsupportedScheme,
            Self::InvalidHost => Self::InvalidHost,
            Self::WrongSink => Self::WrongSink,
            Self::UnknownMessage => Self::UnknownMessage,
            Self::Stopped => Self::Stopped,
        }
    }
}

/// Why a message (sent or received) did not complete.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransferError {
    /// The engine failed the message (peer's response or REPORT, timeout, abort, refusal,
    /// ended session); the error knows its MSRP status.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// Reading the content source failed; the message was aborted with `#`.
    #[error("content source: {0}")]
    Source(std::io::ErrorKind),
    /// The content source ended before the declared size; the message was aborted with `#`.
    #[error("content source ended after {got} of {expected} bytes")]
    ShortContent {
        /// The declared size.
        expected: u64,
        /// What the source gave.
        got: u64,
    },
    /// Writing to the content sink failed; the message was refused with 413.
    #[error("content sink: {0}")]
    Sink(std::io::ErrorKind),
    /// The driver stopped before the message ended.
    #[error("the driver stopped")]
    Stopped,
}

/// Why a connection was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer closed it.
    PeerClosed,
    /// Reading or writing failed.
    Io(std::io::ErrorKind),
    /// The engine failed it (lost framing, a peer that does not read, nothing bound in time).
    Engine(ConnectionError),
    /// Nothing moved for [`DriverConfig::idle_timeout`].
    Idle,
    /// The relay engine dropped it (feature `relay`).
    #[cfg(feature = "relay")]
    RelayEngine(crate::relay::engine::ConnectionError),
}

/// What happened, out of the receiver returned by [`Driver::spawn`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetEvent {
    /// A new incoming message: answer with [`Driver::accept`] or [`Driver::reject`]. Its
    /// bytes are held (up to the session's receive window) until then.
    Incoming {
        /// The session.
        session: SessionId,
        /// The message.
        message_id: MessageId,
        /// Its Content-Type.
        content_type: Text,
        /// Its size, if the first chunk said.
        size: Option<u64>,
    },
    /// A passive session was bound by the peer's first SEND.
    SessionBound {
        /// The session.
        session: SessionId,
        /// The connection.
        connection: ConnectionId,
    },
    /// The session failed (its messages failed with it).
    SessionFailed {
        /// The session.
        session: SessionId,
        /// Why.
        error: SessionError,
    },
    /// A connection was accepted from a listening socket.
    ConnectionAccepted {
        /// The connection.
        connection: ConnectionId,
        /// The peer's address.
        peer: SocketAddr,
    },
    /// A connection closed; its sessions failed.
    ConnectionClosed {
        /// The connection.
        connection: ConnectionId,
        /// Why.
        reason: CloseReason,
    },
    /// Every relay of a registration accepted us: first with the result of
    /// [`Driver::authenticate`], then again whenever a fallback or refresh changed the
    /// paths (the SDP must then be updated).
    #[cfg(all(feature = "relay", feature = "tls"))]
    RelayAuthenticated {
        /// The registration.
        registration: relay::RegistrationId,
        /// The Use-Path, first relay first.
        use_path: Path,
        /// Our SDP `a=path`.
        sdp_path: Path,
    },
    /// A relay renewed our URI without changing it (a refresh at 90 % of Expires).
    #[cfg(all(feature = "relay", feature = "tls"))]
    RelayRefreshed {
        /// The registration.
        registration: relay::RegistrationId,
        /// The relay, as configured.
        relay: crate::uri::MsrpUri,
        /// How long the renewal lasts.
        expires: std::time::Duration,
    },
    /// A registration that had authenticated failed for good (a lost connection with no
    /// alternative left, a refresh refused): it is gone, and its sessions fail with its
    /// connection or as the relay drops its URIs. Authenticate again (with new SDP).
    #[cfg(all(feature = "relay", feature = "tls"))]
    RelayFailed {
        /// The registration.
        registration: relay::RegistrationId,
        /// The last relay tried, as configured.
        relay: crate::uri::MsrpUri,
        /// Why.
        reason: crate::relay::client::Failure,
    },
}

/// One message in progress; [`result`](Self::result) waits for its end.
#[derive(Debug)]
pub struct Transfer {
    message_id: MessageId,
    result: oneshot::Receiver<Result<u64, TransferError>>,
}

impl Transfer {
    /// The message's Message-ID.
    pub fn message_id(&self) -> MessageId {
        self.message_id
    }

    /// Waits for the message to end: the number of content bytes on success (sent and, with
    /// `Failure-Report: yes`, acknowledged; or received and written to the sink, which was
    /// flushed and shut down).
    pub async fn result(self) -> Result<u64, TransferError> {
        self.result.await.unwrap_or(Err(TransferError::Stopped))
    }
}

/// A handle to a running driver task. Cheap to clone; the task stops after
/// [`shutdown`](Self::shutdown) or when every handle is dropped.
#[derive(Clone, Debug)]
pub struct Driver {
    commands: mpsc::Sender<Command>,
}

impl Driver {
    /// Starts a driver task on the current tokio runtime, with ids from the OS CSPRNG.
    /// Returns its handle and the receiver of its events.
    pub fn spawn(config: DriverConfig) -> (Self, mpsc::Receiver<NetEvent>) {
        Self::spawn_with_ids(config, IdGenerator::default())
    }

    /// [`spawn`](Self::spawn) with the given id generator (seeded for reproducible tests).
    pub fn spawn_with_ids(
        config: DriverConfig,
        ids: IdGenerator,
    ) -> (Self, mpsc::Receiver<NetEvent>) {
        let (commands, events) = driver::start(config, ids);
        (Self { commands }, events)
    }

    async fn call<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, NetError>>) -> Command,
    ) -> Result<T, NetError> {
        let (tx, rx) = oneshot::channel();
        self.commands
            .send(make(tx))
            .await
            .map_err(|_| NetError::Stopped)?;
        rx.await.unwrap_or(Err(NetError::Stopped))
    }

    /// Listens for connections on `addr` (passive role); returns the bound address (useful
    /// with port 0).
    pub async fn listen(&self, addr: SocketAddr) -> Result<SocketAddr, NetError> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        self.call(|reply| Command::Listen {
            listener,
            tls: None,
            reply,
        })
        .await?;
        Ok(local)
    }

    /// Adds a session with our path and the peer's, as negotiated in SDP. The session's
    /// received messages use the in-order sink whatever `config` says.
    pub async fn add_session(
        &self,
        local_path: Path,
        remote_path: Path,
        config: SessionConfig,
    ) -> Result<SessionId, NetError> {
        self.call(|reply| Command::AddSession {
            local_path,
            remote_path,
            config,
            positional: false,
            reply,
        })
        .await
    }

    /// [`add_session`](Self::add_session) for a session whose received messages are
    /// written at offsets (the engine's positional sink): accept them with
    /// [`accept_positional`](Self::accept_positional).
    pub async fn add_positional_session(
        &self,
        local_path: Path,
        remote_path: Path,
        config: SessionConfig,
    ) -> Result<SessionId, NetError> {
        self.call(|reply| Command::AddSession {
            local_path,
            remote_path,
            config,
            positional: true,
            reply,
        })
        .await
    }

    /// Removes a session (its messages stop).
    pub async fn remove_session(&self, session: SessionId) -> Result<(), NetError> {
        self.call(|reply| Command::RemoveSession { session, reply })
            .await
    }

    /// Active role: connects to the first URI of the session's remote path (or reuses the
    /// open connection to the same scheme, host and port) and binds the session to it.
    pub async fn connect(&self, session: SessionId) -> Result<ConnectionId, NetError> {
        self.call(|reply| Command::Connect {
            session,
            tls: None,
            via: None,
            reply,
        })
        .await
    }

    /// [`connect`](Self::connect) to `addr` instead of the host and port of the remote
    /// path's first URI: the connection-establishment rule of CEMA (RFC 6714 §4), where the
    /// active side connects to the address of the SDP `c=`/`m=` lines (as
    /// `sdp_filetransfer`'s CEMA functions give it) while the path URIs keep naming the
    /// session. Connections are still reused per scheme, address and port.
    pub async fn connect_via(
        &self,
        session: SessionId,
        addr: SocketAddr,
    ) -> Result<ConnectionId, NetError> {
        self.call(|reply| Command::Connect {
            session,
            tls: None,
            via: Some(addr),
            reply,
        })
        .await
    }

    /// Listens for `msrps:` connections on `addr` (passive role) with the caller's rustls
    /// server configuration (feature `tls`); returns the bound address. Handshakes run in
    /// their own tasks, bounded by [`DriverConfig::connect_timeout`]; a failed one closes
    /// that socket only.
    #[cfg(feature = "tls")]
    pub async fn listen_tls(
        &self,
        addr: SocketAddr,
        config: std::sync::Arc<rustls::ServerConfig>,
    ) -> Result<SocketAddr, NetError> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        self.call(|reply| Command::Listen {
            listener,
            tls: Some(config),
            reply,
        })
        .await?;
        Ok(local)
    }

    /// [`connect`](Self::connect) for an `msrps:` remote path (feature `tls`): the TLS
    /// handshake uses the caller's rustls client configuration (for a peer authenticated by
    /// `a=fingerprint`, one with a [`tls::FingerprintVerifier`]). An open TLS connection to
    /// the same host and port is reused.
    #[cfg(feature = "tls")]
    pub async fn connect_tls(
        &self,
        session: SessionId,
        config: std::sync::Arc<rustls::ClientConfig>,
    ) -> Result<ConnectionId, NetError> {
        self.call(|reply| Command::Connect {
            session,
            tls: Some(config),
            via: None,
            reply,
        })
        .await
    }

    /// [`connect_tls`](Self::connect_tls) to `addr` under CEMA (RFC 6714 §4), as
    /// [`connect_via`](Self::connect_via) does for `msrp:`: the TCP connection goes to the SDP
    /// address while the TLS server name (and the path) stay the remote URI's host, so a
    /// certificate is checked against the name the session was negotiated with (or by its
    /// `a=fingerprint`, whatever the name).
    #[cfg(feature = "tls")]
    pub async fn connect_tls_via(
        &self,
        session: SessionId,
        addr: SocketAddr,
        config: std::sync::Arc<rustls::ClientConfig>,
    ) -> Result<ConnectionId, NetError> {
        self.call(|reply| Command::Connect {
            session,
            tls: Some(config),
            via: Some(addr),
            reply,
        })
        .await
    }

    /// Authenticates to a chain of RFC 4976 relays (features `relay` and `tls`): opens a TLS
    /// connection to the first relay with `tls` (or reuses the open one to the same host and
    /// port; a URI with a domain and no port is found through SRV, see
    /// [`DriverConfig::srv_resolver`] and [`crate::relay::discovery`]), runs the AUTH
    /// exchange on it inside the driver task, and resolves once every
    /// relay of the chain accepted us, with the paths to put in SDP. Our own URI is
    /// `msrps://{local_host}:{local_port}/{random};tcp`; the relays never connect to it.
    ///
    /// The registration then refreshes itself at 90 % of each relay's Expires in the
    /// background ([`NetEvent::RelayRefreshed`]); its connection is never closed for
    /// idleness. When the connection is lost its URIs are void (RFC 4976 §6.3): it falls
    /// back to the configured alternatives if any, and otherwise ends with
    /// [`NetEvent::RelayFailed`]. Several registrations may run at once, to the same relays
    /// or others; registrations to the same relay with the same `tls` configuration (the
    /// same `Arc`) share one connection.
    ///
    /// Fails with [`NetError::Relay`] (wrong credentials, 423 after the adjusted Expires,
    /// no response in time, a connection that could not be opened; always for the last
    /// alternative tried), or [`NetError::RelayConfig`].
    ///
    /// ```no_run
    /// # async fn example(tls: std::sync::Arc<rustls::ClientConfig>) -> Result<(), Box<dyn std::error::Error>> {
    /// use msrp::net::{Driver, DriverConfig};
    /// use msrp::relay::client::{ClientConfig, Relay};
    /// use msrp::{Path, SessionConfig, Text};
    ///
    /// let (driver, _events) = Driver::spawn(DriverConfig::default());
    /// let relay = Relay::new("msrps://relay.example.com:2855;tcp".parse()?, "alice", "secret");
    /// let registration = driver
    ///     .authenticate(ClientConfig::new(vec![relay]), "alice.example.com", 9892, tls.clone())
    ///     .await?;
    /// // Offer `registration.sdp_path` in SDP; with the peer's a=path from the answer:
    /// let bob: Path = "msrps://bob.example.net:8145/foo;tcp".parse()?;
    /// let session = driver.add_relay_session(registration.id, bob, SessionConfig::default()).await?;
    /// driver.connect_tls(session, tls).await?; // the connection to the relay
    /// let sent = driver.send(session, Text::new("image/jpeg")?, Some(3), &b"jpg"[..]).await?;
    /// sent.result().await?;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(all(feature = "relay", feature = "tls"))]
    pub async fn authenticate(
        &self,
        config: crate::relay::client::ClientConfig,
        local_host: &str,
        local_port: u16,
        tls: std::sync::Arc<rustls::ClientConfig>,
    ) -> Result<relay::RelayRegistration, NetError> {
        let local_host = local_host.to_owned();
        self.call(|reply| Command::Authenticate {
            config,
            local_host,
            local_port,
            tls,
            reply,
        })
        .await
    }

    /// Adds a session through a relay registration, given the peer's SDP `a=path`: our
    /// requests carry the Use-Path followed by `peer_path` as To-Path and our own URI as
    /// From-Path; the peer sends to the registration's
    /// [`sdp_path`](relay::RelayRegistration::sdp_path). Then
    /// [`connect_tls`](Self::connect_tls) binds it to the connection to the first relay
    /// (the TLS configuration is not used: that connection is open; a session the peer's
    /// first SEND already bound there is simply confirmed).
    ///
    /// One session at a time per registration: the session's local URI is the
    /// registration's own, and RFC 4976 §5.1 wants each Use-Path URI used for one session
    /// only (a second one is refused with [`UserError::DuplicateUri`]); authenticate again
    /// for more. Received messages use the in-order sink.
    #[cfg(all(feature = "relay", feature = "tls"))]
    pub async fn add_relay_session(
        &self,
        registration: relay::RegistrationId,
        peer_path: Path,
        config: SessionConfig,
    ) -> Result<SessionId, NetError> {
        self.call(|reply| Command::AddRelaySession {
            registration,
            peer_path,
            config,
            reply,
        })
        .await
    }

    /// Stops a relay registration: no more refreshes, so the relays drop our URIs when they
    /// expire. Its sessions go on until then; its connection closes once idle.
    #[cfg(all(feature = "relay", feature = "tls"))]
    pub async fn deregister(&self, registration: relay::RegistrationId) -> Result<(), NetError> {
        self.call(|reply| Command::Deregister {
            registration,
            reply,
        })
        .await
    }

    /// Sends a message whose content is read from `source` as the engine asks for it.
    /// `size` is the declared size (`None`: until the source ends).
    pub async fn send<R>(
        &self,
        session: SessionId,
        content_type: Text,
        size: Option<u64>,
        source: R,
    ) -> Result<Transfer, NetError>
    where
        R: AsyncRead + Send + Unpin + 'static,
    {
        let source: Box<dyn AsyncRead + Send + Unpin> = Box::new(source);
        let (done, result) = oneshot::channel();
        let message_id = self
            .call(|reply| Command::Send {
                session,
                content_type,
                size,
                source,
                done,
                reply,
            })
            .await?;
        Ok(Transfer { message_id, result })
    }

    /// Takes an incoming message announced by [`NetEvent::Incoming`]: its bytes are written
    /// to `sink` in order; the sink is shut down once the message is complete. If the
    /// message fails, the sink is dropped without a shutdown, so check
    /// [`Transfer::result`] rather than taking the end of a pipe for the end of the content.
    ///
    /// The peer is told of success (200s, and a success REPORT if asked for) as the bytes
    /// arrive, as RFC 4975 has it: a sink that fails after that fails only the local
    /// transfer.
    pub async fn accept<W>(
        &self,
        session: SessionId,
        message_id: MessageId,
        sink: W,
    ) -> Result<Transfer, NetError>
    where
        W: AsyncWrite + Send + Unpin + 'static,
    {
        self.accept_into(session, message_id, ContentSink::Sequential(Box::new(sink)))
            .await
    }

    /// Takes an incoming message of a session added with
    /// [`add_positional_session`](Self::add_positional_session): each slice is written at
    /// its offset as it arrives, in whatever order the chunks come (a file written at
    /// offsets; overlapping slices: the last write wins). The sink is shut down once every
    /// byte is in. Offsets are taken from the sink's start: its cursor must be at 0, it is
    /// not truncated (open a file with `truncate(true)`, not for appending), and on failure
    /// it is dropped without a shutdown.
    pub async fn accept_positional<W>(
        &self,
        session: SessionId,
        message_id: MessageId,
        sink: W,
    ) -> Result<Transfer, NetError>
    where
        W: AsyncWrite + AsyncSeek + Send + Unpin + 'static,
    {
        self.accept_into(session, message_id, ContentSink::Positional(Box::new(sink)))
            .await
    }

    async fn accept_into(
        &self,
        session: SessionId,
        message_id: MessageId,
        sink: ContentSink,
    ) -> Result<Transfer, NetError> {
        let (done, result) = oneshot::channel();
        self.call(|reply| Command::Accept {
            session,
            message_id,
            sink,
            done,
            reply,
        })
        .await?;
        Ok(Transfer { message_id, result })
    }

    /// Refuses an incoming message with 413 (RFC 4975 §10.5), or, if it already ended
    /// unanswered, drops it and what was held for it.
    pub async fn reject(&self, session: SessionId, message_id: MessageId) -> Result<(), NetError> {
        self.call(|reply| Command::Reject {
            session,
            message_id,
            reply,
        })
        .await
    }

    /// Closes every connection and listener and stops the task; messages in progress end
    /// with [`TransferError::Stopped`] or a session failure.
    pub async fn shutdown(&self) {
        let _ = self.call(|reply| Command::Shutdown { reply }).await;
    }
}
