//! One stream connection (TCP or TLS): a reader task framing messages with idle and stall
//! timeouts, and a writer task draining the send queue.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::{ConnectionClosed, Shared, deliver};
use crate::StreamFramer;
use crate::transaction::Destination;

/// Starts the tasks of a connection and registers its send queue; returns the queue.
pub(crate) fn spawn<S>(stream: S, peer: Destination, shared: Arc<Shared>) -> mpsc::Sender<Bytes>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (tx, rx) = mpsc::channel(shared.config.queue.max(1));
    if let Ok(mut c) = shared.connections.lock() {
        c.insert((peer.addr, peer.transport), tx.clone());
    }
    let (reader, writer) = tokio::io::split(stream);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(write_loop(writer, rx, stop_rx));
    let queue = tx.clone();
    tokio::spawn(async move {
        let why = read_loop(reader, peer, &shared).await;
        // Unregister only our own queue: a newer connection to the same peer may exist.
        if let Ok(mut c) = shared.connections.lock() {
            if c.get(&(peer.addr, peer.transport))
                .is_some_and(|s| s.same_channel(&queue))
            {
                c.remove(&(peer.addr, peer.transport));
            }
        }
        let _ = stop_tx.send(());
        let _ = shared.closed.send((peer.addr, peer.transport, why));
    });
    tx
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut rx: mpsc::Receiver<Bytes>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            next = rx.recv() => match next {
                Some(bytes) => {
                    if writer.write_all(&bytes).await.is_err() {
                        return;
                    }
                }
                None => break,
            },
            _ = &mut stop => break,
        }
    }
    let _ = writer.shutdown().await;
}

async fn read_loop<R: AsyncRead + Unpin>(
    mut reader: R,
    peer: Destination,
    shared: &Shared,
) -> ConnectionClosed {
    let mut framer = StreamFramer::new(shared.config.limits.clone());
    let mut buf = BytesMut::with_capacity(8192);
    loop {
        // Between messages the idle timeout applies; inside one, the stall timeout.
        let mid_message = buf.iter().any(|&b| b != b'\r' && b != b'\n');
        let limit = if mid_message {
            shared.config.stall_timeout
        } else {
            shared.config.idle_timeout
        };
        buf.reserve(8192);
        match tokio::time::timeout(limit, reader.read_buf(&mut buf)).await {
            Err(_) if mid_message => return ConnectionClosed::Stalled,
            Err(_) => return ConnectionClosed::Idle,
            Ok(Err(e)) => return ConnectionClosed::Io(e.to_string()),
            Ok(Ok(0)) => return ConnectionClosed::Eof,
            Ok(Ok(_)) => {}
        }
        loop {
            match framer.decode(&mut buf) {
                Ok(Some(msg)) => {
                    if !deliver(shared, msg, peer).await {
                        return ConnectionClosed::Eof;
                    }
                }
                Ok(None) => break,
                // The bad message was skipped; the connection goes on.
                Err(e) if !e.is_fatal() => continue,
                Err(e) => return ConnectionClosed::Garbage(e.to_string()),
            }
        }
    }
}
