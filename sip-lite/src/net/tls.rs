//! TLS (feature `tls`): rustls with the caller's configurations, ring provider.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use super::{Shared, conn};
use crate::transaction::{Destination, Transport};

/// The caller's rustls configurations: the server side for accepted connections, the client
/// side (with its certificate verifier) for connections this side opens.
#[derive(Clone, Debug)]
pub struct TlsConfig {
    /// For accepted connections.
    pub server: Arc<rustls::ServerConfig>,
    /// For connections this side opens.
    pub client: Arc<rustls::ClientConfig>,
}

pub(crate) async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, tls: TlsConfig) {
    let acceptor = TlsAcceptor::from(tls.server);
    // Handshakes in progress count against the connection limit as well.
    let handshakes = Arc::new(tokio::sync::Semaphore::new(
        shared.config.max_connections.max(1),
    ));
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
        let Ok(permit) = handshakes.clone().try_acquire_owned() else {
            continue; // dropped: too many handshakes at once
        };
        if full {
            continue;
        }
        let acceptor = acceptor.clone();
        let shared = shared.clone();
        // The handshake runs in its own task, bounded by the stall timeout, so a peer that
        // never finishes it holds up nobody.
        tokio::spawn(async move {
            let handshake =
                tokio::time::timeout(shared.config.stall_timeout, acceptor.accept(stream));
            let done = handshake.await;
            drop(permit);
            if let Ok(Ok(stream)) = done {
                conn::spawn(stream, Destination::new(from, Transport::Tls), shared);
            }
        });
    }
}

/// Opens a TLS session over `stream` to `addr`, verifying the peer's certificate for its IP
/// address with the client configuration.
pub(crate) async fn connect(
    tls: &TlsConfig,
    addr: SocketAddr,
    stream: TcpStream,
) -> io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let name = rustls::pki_types::ServerName::IpAddress(addr.ip().into());
    TlsConnector::from(tls.client.clone())
        .connect(name, stream)
        .await
}
