//! Byte streams of the driver: plain TCP or, with the `tls` feature, rustls over TCP.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::NetError;

/// A connected byte stream of either kind.
pub(super) trait Stream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Stream for T {}

pub(super) type BoxStream = Box<dyn Stream>;

/// The caller's client configuration, for `msrps:` connections we open.
#[cfg(feature = "tls")]
pub(super) type ClientTls = std::sync::Arc<rustls::ClientConfig>;
/// Without the `tls` feature there is none.
#[cfg(not(feature = "tls"))]
pub(super) type ClientTls = std::convert::Infallible;

/// The caller's server configuration, for accepted `msrps:` connections.
#[cfg(feature = "tls")]
pub(super) type ServerTls = std::sync::Arc<rustls::ServerConfig>;
/// Without the `tls` feature there is none.
#[cfg(not(feature = "tls"))]
pub(super) type ServerTls = std::convert::Infallible;

/// Connects to `host:port`, with a TLS handshake for the server name `name` when `tls` is
/// given, all within `timeout`.
pub(super) async fn open(
    host: String,
    port: u16,
    name: String,
    tls: Option<ClientTls>,
    timeout: Duration,
) -> Result<BoxStream, NetError> {
    let connect = async {
        let tcp = TcpStream::connect((host.as_str(), port)).await?;
        let _ = tcp.set_nodelay(true);
        match tls {
            None => Ok(Box::new(tcp) as BoxStream),
            Some(tls) => client_handshake(tls, &name, tcp).await,
        }
    };
    match tokio::time::timeout(timeout, connect).await {
        Ok(result) => result,
        Err(_) => Err(NetError::ConnectTimeout),
    }
}

/// Prepares an accepted socket: the TLS handshake when `tls` is given, within `timeout`.
/// `None` when it failed (the socket is dropped, which closes it).
pub(super) async fn accept(
    tcp: TcpStream,
    tls: Option<ServerTls>,
    timeout: Duration,
) -> Option<BoxStream> {
    let _ = tcp.set_nodelay(true);
    match tls {
        None => Some(Box::new(tcp)),
        Some(tls) => tokio::time::timeout(timeout, server_handshake(tls, tcp))
            .await
            .ok()
            .flatten(),
    }
}

#[cfg(feature = "tls")]
async fn client_handshake(
    tls: ClientTls,
    host: &str,
    tcp: TcpStream,
) -> Result<BoxStream, NetError> {
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|_| NetError::InvalidHost)?;
    let stream = tokio_rustls::TlsConnector::from(tls)
        .connect(name, tcp)
        .await?;
    Ok(Box::new(stream))
}

#[cfg(not(feature = "tls"))]
async fn client_handshake(
    tls: ClientTls,
    _host: &str,
    _tcp: TcpStream,
) -> Result<BoxStream, NetError> {
    match tls {}
}

#[cfg(feature = "tls")]
async fn server_handshake(tls: ServerTls, tcp: TcpStream) -> Option<BoxStream> {
    let stream = tokio_rustls::TlsAcceptor::from(tls)
        .accept(tcp)
        .await
        .ok()?;
    Some(Box::new(stream))
}

#[cfg(not(feature = "tls"))]
async fn server_handshake(tls: ServerTls, _tcp: TcpStream) -> Option<BoxStream> {
    match tls {}
}
