//! One stream connection (TCP or TLS): a reader task framing messages with an idle timeout
//! between messages and a deadline per message (counted from its first byte, so a peer that
//! trickles bytes cannot hold the connection), and a writer task draining the send queue
//! with a timeout per write.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{ConnectionClosed, Shared, deliver};
use crate::StreamFramer;
use crate::transaction::Destination;

/// Creates and registers the send queue of a connection to `peer`.
pub(crate) fn register(
    peer: Destination,
    shared: &Shared,
) -> (mpsc::Sender<Bytes>, mpsc::Receiver<Bytes>) {
    let (tx, rx) = mpsc::channel(shared.config.queue.max(1));
    if let Ok(mut c) = shared.connections.lock() {
        c.insert((peer.addr, peer.transport), tx.clone());
    }
    (tx, rx)
}

/// Removes `queue` from the connection table (if it is still the registered one) and says
/// why the connection ended.
pub(crate) fn unregister(
    peer: Destination,
    shared: &Shared,
    queue: &mpsc::Sender<Bytes>,
    why: ConnectionClosed,
) {
    if let Ok(mut c) = shared.connections.lock() {
        if c.get(&(peer.addr, peer.transport))
            .is_some_and(|s| s.same_channel(queue))
        {
            c.remove(&(peer.addr, peer.transport));
        }
    }
    // Dropped when nobody reads them, so the notices cannot pile up.
    let _ = shared.closed.try_send((peer.addr, peer.transport, why));
}

/// Starts the tasks of an accepted connection; returns its send queue.
pub(crate) fn spawn<S>(stream: S, peer: Destination, shared: Arc<Shared>) -> mpsc::Sender<Bytes>
where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (tx, rx) = register(peer, &shared);
    run(stream, peer, shared, tx.clone(), rx);
    tx
}

/// Starts the reader and writer tasks of a connection whose queue is registered already.
pub(crate) fn run<S>(
    stream: S,
    peer: Destination,
    shared: Arc<Shared>,
    queue: mpsc::Sender<Bytes>,
    rx: mpsc::Receiver<Bytes>,
) where
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (reader, writer) = tokio::io::split(stream);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(write_loop(writer, rx, stop_rx, shared.config.stall_timeout));
    tokio::spawn(async move {
        let why = tokio::select! {
            why = read_loop(reader, peer, &shared) => why,
            // The writer gave up (a peer that does not read): the connection goes.
            () = queue.closed() => ConnectionClosed::Io("write failed or timed out".into()),
        };
        let _ = stop_tx.send(());
        unregister(peer, &shared, &queue, why);
    });
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut rx: mpsc::Receiver<Bytes>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
    limit: std::time::Duration,
) {
    loop {
        tokio::select! {
            next = rx.recv() => match next {
                Some(bytes) => {
                    // A peer that stops reading makes the write wait; it gets `limit`.
                    match tokio::time::timeout(limit, writer.write_all(&bytes)).await {
                        Ok(Ok(())) => {}
                        _ => return,
                    }
                }
                None => break,
            },
            _ = &mut stop => break,
        }
    }
    let _ = tokio::time::timeout(limit, writer.shutdown()).await;
}

async fn read_loop<R: AsyncRead + Unpin>(
    mut reader: R,
    peer: Destination,
    shared: &Shared,
) -> ConnectionClosed {
    let mut framer = StreamFramer::new(shared.config.limits.clone()).compact(true);
    let mut buf = BytesMut::with_capacity(8192);
    // When the first byte of the message now arriving came.
    let mut started: Option<Instant> = None;
    loop {
        let mid_message = buf.iter().any(|&b| b != b'\r' && b != b'\n');
        let deadline = match (mid_message, started) {
            (true, Some(t)) => t + shared.config.stall_timeout,
            (true, None) => {
                let now = Instant::now();
                started = Some(now);
                now + shared.config.stall_timeout
            }
            (false, _) => {
                started = None;
                Instant::now() + shared.config.idle_timeout
            }
        };
        buf.reserve(8192);
        match tokio::time::timeout_at(deadline, reader.read_buf(&mut buf)).await {
            Err(_) if mid_message => return ConnectionClosed::Stalled,
            Err(_) => return ConnectionClosed::Idle,
            Ok(Err(e)) => return ConnectionClosed::Io(e.to_string()),
            Ok(Ok(0)) => return ConnectionClosed::Eof,
            Ok(Ok(_)) => {}
        }
        loop {
            match framer.decode(&mut buf) {
                Ok(Some(msg)) => {
                    // The next message's clock starts with its own first byte.
                    started = None;
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
