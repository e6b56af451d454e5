//! Messages into the driver task: calls from the handles, reports from the I/O tasks.

use std::net::SocketAddr;

use bytes::Bytes;
use tokio::io::AsyncRead;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::PeerKey;
use crate::endpoint::{ConnectionId, SessionConfig, SessionId};
use crate::header::Text;
use crate::ident::MessageId;
use crate::net::io::ContentSink;
use crate::net::stream::{BoxStream, ClientTls, ServerTls};
use crate::net::{CloseReason, NetError, TransferError};
use crate::uri::Path;
pub(in crate::net) type Reply<T> = oneshot::Sender<Result<T, NetError>>;
pub(in crate::net) type Done = oneshot::Sender<Result<u64, TransferError>>;

/// Calls from a [`Driver`](crate::net::Driver) handle.
// Commands are few and short-lived (a channel of 64); boxing the large one buys nothing.
#[allow(clippy::large_enum_variant)]
pub(in crate::net) enum Command {
    Listen {
        listener: TcpListener,
        tls: Option<ServerTls>,
        reply: Reply<()>,
    },
    AddSession {
        local_path: Path,
        remote_path: Path,
        config: SessionConfig,
        positional: bool,
        reply: Reply<SessionId>,
    },
    RemoveSession {
        session: SessionId,
        reply: Reply<()>,
    },
    Connect {
        session: SessionId,
        tls: Option<ClientTls>,
        /// CEMA (RFC 6714): the address to connect to instead of the path's first URI.
        via: Option<std::net::SocketAddr>,
        reply: Reply<ConnectionId>,
    },
    Send {
        session: SessionId,
        content_type: Text,
        size: Option<u64>,
        source: Box<dyn AsyncRead + Send + Unpin>,
        done: Done,
        reply: Reply<MessageId>,
    },
    Accept {
        session: SessionId,
        message_id: MessageId,
        sink: ContentSink,
        done: Done,
        reply: Reply<()>,
    },
    Reject {
        session: SessionId,
        message_id: MessageId,
        reply: Reply<()>,
    },
    Shutdown {
        reply: Reply<()>,
    },
    #[cfg(all(feature = "relay", feature = "tls"))]
    Authenticate {
        config: crate::relay::client::ClientConfig,
        local_host: String,
        local_port: u16,
        tls: crate::net::stream::ClientTls,
        reply: Reply<crate::net::relay::RelayRegistration>,
    },
    #[cfg(all(feature = "relay", feature = "tls"))]
    AddRelaySession {
        registration: crate::net::relay::RegistrationId,
        peer_path: Path,
        config: SessionConfig,
        reply: Reply<SessionId>,
    },
    #[cfg(all(feature = "relay", feature = "tls"))]
    Deregister {
        registration: crate::net::relay::RegistrationId,
        reply: Reply<()>,
    },
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Command")
    }
}

impl crate::net::io::SocketReport for Internal {
    fn input(connection: ConnectionId, data: Bytes) -> Self {
        Self::Input { connection, data }
    }
    fn closed(connection: ConnectionId, reason: CloseReason) -> Self {
        Self::Closed { connection, reason }
    }
    fn accepted(stream: BoxStream, peer: SocketAddr, _secure: bool) -> Self {
        Self::Accepted { stream, peer }
    }
}

/// Reports from the I/O tasks.
pub(in crate::net) enum Internal {
    Accepted {
        stream: BoxStream,
        peer: SocketAddr,
    },
    Connected {
        key: PeerKey,
        result: Result<BoxStream, NetError>,
    },
    Input {
        connection: ConnectionId,
        data: Bytes,
    },
    Closed {
        connection: ConnectionId,
        reason: CloseReason,
    },
    Provide {
        session: SessionId,
        message_id: MessageId,
        data: Bytes,
        eof: bool,
    },
    SourceFailed {
        session: SessionId,
        message_id: MessageId,
        error: TransferError,
    },
    Release {
        session: SessionId,
        message_id: MessageId,
        n: usize,
    },
    SinkFailed {
        session: SessionId,
        message_id: MessageId,
    },
    /// A sink task ended (after its last `Release`).
    SinkDone {
        session: SessionId,
        message_id: MessageId,
    },
}
