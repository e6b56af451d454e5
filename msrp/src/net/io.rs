//! The driver's I/O tasks: socket reader and writer, listener, content source and sink.
//! Each talks to the driver task only through channels.

use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeek, AsyncSeekExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, mpsc, oneshot};

use super::driver::Internal;
use super::stream::{self, ServerTls};
use super::{CloseReason, TransferError};
use crate::endpoint::{ConnectionId, SessionId};
use crate::ident::MessageId;

/// What the socket tasks report to the task that owns them: the endpoint driver's and
/// the relay driver's report types both implement it, so both run the same tasks.
pub(super) trait SocketReport: Send + 'static {
    /// Bytes read from `connection`.
    fn input(connection: ConnectionId, data: Bytes) -> Self;
    /// `connection` closed (or failed).
    fn closed(connection: ConnectionId, reason: CloseReason) -> Self;
    /// A connection accepted from a listener (`secure`: after a TLS handshake).
    fn accepted(stream: stream::BoxStream, peer: std::net::SocketAddr, secure: bool) -> Self;
}

/// Reads the socket and hands the bytes to the driver task, as many reads ahead of it as
/// `reads` has permits, so a fast peer waits (TCP backpressure) instead of filling memory.
///
/// After each read, whatever else the stream has ready at once is read into the same piece
/// (up to `read_buffer`): a TLS stream gives one record (at most 16 KiB) per read, and
/// every piece costs the driver task a wake-up.
pub(super) async fn read_socket<R: AsyncRead + Unpin, M: SocketReport>(
    mut reader: R,
    connection: ConnectionId,
    read_buffer: usize,
    reads: Arc<Semaphore>,
    internal: mpsc::Sender<M>,
) {
    let mut buf = BytesMut::with_capacity(read_buffer);
    let reason = loop {
        // The driver gives a permit back once it processed a read and its sinks keep up.
        match reads.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_) => return,
        }
        buf.reserve(read_buffer);
        // At most `read_buffer` per read, whatever capacity the buffer has.
        match reader
            .read_buf(&mut bytes::BufMut::limit(&mut buf, read_buffer))
            .await
        {
            Ok(0) => break CloseReason::PeerClosed,
            Ok(_) => {
                let end = read_ready(&mut reader, &mut buf, read_buffer);
                let data = buf.split().freeze();
                if internal.send(M::input(connection, data)).await.is_err() {
                    return;
                }
                if let Some(reason) = end {
                    break reason;
                }
            }
            Err(e) => break CloseReason::Io(e.kind()),
        }
    };
    let _ = internal.send(M::closed(connection, reason)).await;
}

/// How a gathering of ready reads stopped.
enum Gathered {
    /// The buffer holds `limit` bytes, or the stream has nothing ready now.
    Stopped,
    /// The stream ended (the bytes before the end stay in the buffer).
    End,
    /// Reading failed (the bytes before the failure stay in the buffer).
    Failed(std::io::Error),
}

/// Reads into `buf` what `reader` has ready without waiting, until `buf` holds `limit`
/// bytes.
fn gather_ready<R: AsyncRead + Unpin>(
    reader: &mut R,
    buf: &mut BytesMut,
    limit: usize,
) -> Gathered {
    // Polled once with a waker that does nothing: a stream with nothing ready keeps what
    // it buffered (a partial TLS record) for the next real read, which registers the task.
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    while buf.len() < limit {
        let room = limit - buf.len();
        let mut limited = bytes::BufMut::limit(&mut *buf, room);
        let read = std::pin::pin!(reader.read_buf(&mut limited));
        match std::future::Future::poll(read, &mut cx) {
            std::task::Poll::Ready(Ok(0)) => return Gathered::End,
            std::task::Poll::Ready(Ok(_)) => {}
            std::task::Poll::Ready(Err(e)) => return Gathered::Failed(e),
            std::task::Poll::Pending => return Gathered::Stopped,
        }
    }
    Gathered::Stopped
}

/// [`gather_ready`] for a socket: why it closed, if it did.
fn read_ready<R: AsyncRead + Unpin>(
    reader: &mut R,
    buf: &mut BytesMut,
    limit: usize,
) -> Option<CloseReason> {
    match gather_ready(reader, buf, limit) {
        Gathered::Stopped => None,
        Gathered::End => Some(CloseReason::PeerClosed),
        Gathered::Failed(e) => Some(CloseReason::Io(e.kind())),
    }
}

/// Writes what the driver task queued, in order, and wakes it after each write so it
/// polls the engine for more. When the queue's sender is dropped, the rest is written and
/// the socket is shut down.
pub(super) async fn write_socket<W: AsyncWrite + Unpin, M: SocketReport>(
    mut writer: W,
    connection: ConnectionId,
    mut queue: mpsc::Receiver<Bytes>,
    wake: Arc<Notify>,
    internal: mpsc::Sender<M>,
) {
    let mut batch: Vec<Bytes> = Vec::with_capacity(WRITE_BATCH);
    while let Some(data) = queue.recv().await {
        // Whatever else is queued goes out in the same (vectored) write.
        batch.push(data);
        while batch.len() < WRITE_BATCH {
            match queue.try_recv() {
                Ok(data) => batch.push(data),
                Err(_) => break,
            }
        }
        // A TLS stream may keep records in its buffer after a write: flush them.
        let written = match write_batch(&mut writer, &mut batch).await {
            Ok(()) => writer.flush().await,
            Err(e) => Err(e),
        };
        if let Err(e) = written {
            let reason = CloseReason::Io(e.kind());
            let _ = internal.send(M::closed(connection, reason)).await;
            return;
        }
        wake.notify_one();
    }
    let _ = writer.shutdown().await;
}

/// How long a closed connection's writer may take to write what it holds.
pub(super) const LINGER: std::time::Duration = std::time::Duration::from_secs(2);

/// Lets the writer finish the queue (the sender dropped ends it) within [`LINGER`], then
/// stops it, which drops the socket.
pub(super) fn linger(writer: mpsc::Sender<Bytes>, task: tokio::task::JoinHandle<()>) {
    drop(writer);
    if task.is_finished() {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(LINGER).await;
        task.abort();
    });
}

/// Queued segments written together at most.
const WRITE_BATCH: usize = 32;

/// Writes every byte of `batch`, in order, with vectored writes where the stream supports
/// them; leaves `batch` empty.
async fn write_batch<W: AsyncWrite + Unpin>(
    writer: &mut W,
    batch: &mut Vec<Bytes>,
) -> std::io::Result<()> {
    let mut next = 0;
    loop {
        let pending = batch.get(next..).unwrap_or_default();
        let slices: Vec<std::io::IoSlice<'_>> = pending
            .iter()
            .filter(|b| !b.is_empty())
            .map(|b| std::io::IoSlice::new(b))
            .collect();
        if slices.is_empty() {
            batch.clear();
            return Ok(());
        }
        let mut n = writer.write_vectored(&slices).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        // Drop what was written: whole segments, then the front of a partial one.
        while n > 0 {
            let Some(front) = batch.get_mut(next) else {
                break;
            };
            if n >= front.len() {
                n -= front.len();
                next += 1;
            } else {
                bytes::Buf::advance(front, n);
                n = 0;
            }
        }
    }
}

/// Accepts connections (with their TLS handshake, if any, each in its own task bounded by
/// `timeout` and at most `max_handshakes` at once) and hands them to the driver task.
pub(super) async fn accept_loop<M: SocketReport>(
    listener: TcpListener,
    tls: Option<ServerTls>,
    timeout: Duration,
    max_handshakes: usize,
    internal: mpsc::Sender<M>,
) {
    let handshakes = Arc::new(Semaphore::new(max_handshakes.max(1)));
    loop {
        match listener.accept().await {
            Ok((tcp, peer)) => {
                // Over the limit, the socket is dropped (closed) at once.
                let Ok(permit) = handshakes.clone().try_acquire_owned() else {
                    continue;
                };
                // `Option<Infallible>` without the `tls` feature, which is `Copy`.
                #[allow(clippy::clone_on_copy)]
                let tls = tls.clone();
                let secure = tls.is_some();
                let internal = internal.clone();
                tokio::spawn(async move {
                    let stream = stream::accept(tcp, tls, timeout).await;
                    drop(permit);
                    if let Some(stream) = stream {
                        let _ = internal.send(M::accepted(stream, peer, secure)).await;
                    }
                });
            }
            // A failed accept (e.g. out of descriptors) must not end the listener; wait a
            // little so the loop does not spin.
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Answers the engine's content requests (lengths) from `source`, handing over what each
/// read gives at once, so content that trickles in is sent as it comes; what a fast
/// source has ready right after a read joins the same piece (up to [`PIECE`]).
pub(super) async fn read_source(
    mut source: Box<dyn AsyncRead + Send + Unpin>,
    session: SessionId,
    message_id: MessageId,
    size: Option<u64>,
    mut wanted: mpsc::UnboundedReceiver<usize>,
    internal: mpsc::Sender<Internal>,
) {
    let mut total = 0u64;
    // The end was met while gathering: the source is not read again (a reader need not
    // give its end twice).
    let mut ended = false;
    while let Some(len) = wanted.recv().await {
        let mut left = len;
        while left > 0 {
            let mut failure = None;
            let mut buf = BytesMut::with_capacity(left.min(PIECE));
            let read = match ended {
                true => Ok(0),
                false => (&mut source).take(left as u64).read_buf(&mut buf).await,
            };
            let report = match read {
                Ok(0) => match size.filter(|s| *s > total) {
                    Some(expected) => Internal::SourceFailed {
                        session,
                        message_id,
                        error: TransferError::ShortContent {
                            expected,
                            got: total,
                        },
                    },
                    None => Internal::Provide {
                        session,
                        message_id,
                        data: Bytes::new(),
                        eof: true,
                    },
                },
                Ok(_) => {
                    // An end or a failure met here is acted on after the bytes read
                    // before it are handed over.
                    match gather_ready(&mut source, &mut buf, left.min(PIECE)) {
                        Gathered::Stopped => {}
                        Gathered::End => ended = true,
                        Gathered::Failed(e) => failure = Some(e.kind()),
                    }
                    total += buf.len() as u64;
                    left -= buf.len();
                    Internal::Provide {
                        session,
                        message_id,
                        data: buf.freeze(),
                        eof: false,
                    }
                }
                Err(e) => Internal::SourceFailed {
                    session,
                    message_id,
                    error: TransferError::Source(e.kind()),
                },
            };
            let last = !matches!(report, Internal::Provide { eof: false, .. });
            if internal.send(report).await.is_err() || last {
                return;
            }
            if let Some(kind) = failure {
                let error = TransferError::Source(kind);
                let _ = internal
                    .send(Internal::SourceFailed {
                        session,
                        message_id,
                        error,
                    })
                    .await;
                return;
            }
        }
    }
}

/// The largest piece read from a content source at once.
const PIECE: usize = 256 << 10;

/// What the driver task hands a content sink.
pub(super) enum SinkItem {
    /// Bytes at this 0-based offset (offsets only grow: the in-order sink).
    Data(u64, Bytes),
    /// The message is complete with this size.
    End(u64),
    /// The message failed.
    Fail(TransferError),
}

/// Writes an incoming message to `sink`, releasing each slice in the engine once written,
/// and reports the result.
pub(super) async fn write_sink(
    mut sink: ContentSink,
    session: SessionId,
    message_id: MessageId,
    mut items: mpsc::UnboundedReceiver<SinkItem>,
    done: oneshot::Sender<Result<u64, TransferError>>,
    cancel: oneshot::Receiver<()>,
    internal: mpsc::Sender<Internal>,
) {
    let mut cancel = Some(cancel);
    let mut written = 0u64;
    // Where the positional sink's cursor is.
    let mut position = 0u64;
    // Bytes handed to this task but not written: released on failure so the session's
    // receive window does not shrink for good.
    let mut unwritten = 0usize;
    let result = loop {
        let Some(item) = items.recv().await else {
            break Err(TransferError::Stopped);
        };
        match item {
            SinkItem::Data(offset, data) => {
                let wrote = match &mut sink {
                    // Cannot happen with the in-order sink; never write a hole.
                    ContentSink::Sequential(_) if offset != written => {
                        Err(std::io::ErrorKind::InvalidData.into())
                    }
                    ContentSink::Sequential(w) => {
                        unless_cancelled(w.write_all(&data), &mut cancel).await
                    }
                    ContentSink::Positional(w) => {
                        let write = write_at(w.as_mut(), &mut position, offset, &data);
                        unless_cancelled(write, &mut cancel).await
                    }
                };
                if let Err(e) = wrote {
                    unwritten += data.len();
                    break Err(TransferError::Sink(e.kind()));
                }
                written += data.len() as u64;
                let n = data.len();
                if internal
                    .send(Internal::Release {
                        session,
                        message_id,
                        n,
                    })
                    .await
                    .is_err()
                {
                    break Err(TransferError::Stopped);
                }
            }
            SinkItem::End(size) => {
                // Positional: slices may overlap (last write wins), so only the engine's
                // completion (every byte of 1..size present) counts.
                if matches!(sink, ContentSink::Sequential(_)) && size != written {
                    break Err(TransferError::Sink(std::io::ErrorKind::InvalidData));
                }
                let shut = match &mut sink {
                    ContentSink::Sequential(w) => unless_cancelled(w.shutdown(), &mut cancel).await,
                    ContentSink::Positional(w) => unless_cancelled(w.shutdown(), &mut cancel).await,
                };
                break match shut {
                    Ok(()) => Ok(size),
                    Err(e) => Err(TransferError::Sink(e.kind())),
                };
            }
            SinkItem::Fail(e) => break Err(e),
        }
    };
    items.close();
    while let Ok(item) = items.try_recv() {
        if let SinkItem::Data(_, data) = item {
            unwritten += data.len();
        }
    }
    if unwritten > 0 {
        let n = unwritten;
        let _ = internal
            .send(Internal::Release {
                session,
                message_id,
                n,
            })
            .await;
    }
    if let Err(TransferError::Sink(_)) = &result {
        let _ = internal
            .send(Internal::SinkFailed {
                session,
                message_id,
            })
            .await;
    }
    let _ = done.send(result);
    let _ = internal
        .send(Internal::SinkDone {
            session,
            message_id,
        })
        .await;
}

/// Runs `work` unless the driver cancels the sink first (a stalled sink, see
/// `DriverConfig::sink_stall`): then `TimedOut`. A dropped canceller never cancels.
async fn unless_cancelled<T>(
    work: impl std::future::Future<Output = std::io::Result<T>>,
    cancel: &mut Option<oneshot::Receiver<()>>,
) -> std::io::Result<T> {
    let Some(signal) = cancel.as_mut() else {
        return work.await;
    };
    tokio::pin!(work);
    let cancelled = tokio::select! {
        result = &mut work => return result,
        fired = signal => fired.is_ok(),
    };
    *cancel = None;
    if cancelled {
        return Err(std::io::ErrorKind::TimedOut.into());
    }
    work.await
}

/// A sink that can be written at offsets (a file).
pub(super) trait SeekSink: AsyncWrite + AsyncSeek + Send + Unpin {}
impl<T: AsyncWrite + AsyncSeek + Send + Unpin> SeekSink for T {}

/// Where an accepted message goes.
pub(super) enum ContentSink {
    /// Written in order.
    Sequential(Box<dyn AsyncWrite + Send + Unpin>),
    /// Written at each slice's offset.
    Positional(Box<dyn SeekSink>),
}

async fn write_at(
    w: &mut dyn SeekSink,
    position: &mut u64,
    offset: u64,
    data: &[u8],
) -> std::io::Result<()> {
    if *position != offset {
        w.seek(std::io::SeekFrom::Start(offset)).await?;
    }
    w.write_all(data).await?;
    *position = offset.saturating_add(data.len() as u64);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    /// Takes at most `step` bytes per call, across buffers when written vectored.
    struct Trickle {
        got: Vec<u8>,
        step: usize,
        calls: usize,
    }

    impl AsyncWrite for Trickle {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<std::io::Result<usize>> {
            let n = buf.len().min(self.step);
            self.got.extend_from_slice(&buf[..n]);
            self.calls += 1;
            Poll::Ready(Ok(n))
        }
        fn poll_write_vectored(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            bufs: &[std::io::IoSlice<'_>],
        ) -> Poll<std::io::Result<usize>> {
            let mut left = self.step;
            let mut n = 0;
            for b in bufs {
                let take = b.len().min(left);
                self.got.extend_from_slice(&b[..take]);
                left -= take;
                n += take;
            }
            self.calls += 1;
            Poll::Ready(Ok(n))
        }
        fn is_write_vectored(&self) -> bool {
            true
        }
        fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    /// A stream that has `left` bytes ready, handed out at most `record` per read (as a
    /// TLS stream gives one record per read), then its end.
    struct Records {
        left: usize,
        record: usize,
        next: u8,
    }

    impl AsyncRead for Records {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            let n = self.left.min(self.record).min(buf.remaining());
            for _ in 0..n {
                let b = self.next;
                buf.put_slice(&[b]);
                self.next = b.wrapping_add(1);
            }
            self.left -= n;
            Poll::Ready(Ok(()))
        }
    }

    #[derive(Debug, PartialEq)]
    enum Report {
        Input(Bytes),
        Closed(CloseReason),
        Accepted,
    }

    impl SocketReport for Report {
        fn input(_: ConnectionId, data: Bytes) -> Self {
            Self::Input(data)
        }
        fn closed(_: ConnectionId, reason: CloseReason) -> Self {
            Self::Closed(reason)
        }
        fn accepted(_: stream::BoxStream, _: std::net::SocketAddr, _: bool) -> Self {
            Self::Accepted
        }
    }

    #[tokio::test]
    async fn reads_ready_at_once_go_to_the_driver_as_one_piece_then_the_end() {
        let stream = Records {
            left: 10_000,
            record: 1000,
            next: 0,
        };
        let (tx, mut rx) = mpsc::channel(16);
        let reads = Arc::new(Semaphore::new(100));
        read_socket(stream, ConnectionId(1), 4096, reads, tx).await;
        let mut pieces = Vec::new();
        let mut all = Vec::new();
        let mut end = None;
        while let Some(report) = rx.recv().await {
            match report {
                Report::Input(data) => {
                    pieces.push(data.len());
                    all.extend_from_slice(&data);
                }
                other => end = Some(other),
            }
        }
        // Ten 1000-byte reads in three pieces of at most 4096 bytes, every byte in order.
        assert_eq!(pieces, vec![4096, 4096, 1808]);
        assert!(all.iter().enumerate().all(|(i, b)| *b == i as u8));
        assert_eq!(end, Some(Report::Closed(CloseReason::PeerClosed)));
    }

    /// A source of `good` bytes (1000 per read) that then fails.
    struct FailsAfter {
        good: usize,
    }

    impl AsyncRead for FailsAfter {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            if self.good == 0 {
                return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
            }
            let n = self.good.min(1000).min(buf.remaining());
            buf.put_slice(&vec![7u8; n]);
            self.good -= n;
            Poll::Ready(Ok(()))
        }
    }

    /// Runs `read_source` for one request of `want` bytes; what it reported.
    async fn source_reports(
        source: Box<dyn AsyncRead + Send + Unpin>,
        size: Option<u64>,
        want: usize,
    ) -> Vec<Internal> {
        let (wanted_tx, wanted) = mpsc::unbounded_channel();
        let (tx, mut rx) = mpsc::channel(64);
        wanted_tx.send(want).unwrap();
        drop(wanted_tx);
        let id = MessageId::parse("m1234").unwrap();
        read_source(source, SessionId(1), id, size, wanted, tx).await;
        let mut out = Vec::new();
        while let Some(m) = rx.recv().await {
            out.push(m);
        }
        out
    }

    #[tokio::test]
    async fn a_fast_source_is_handed_over_in_large_pieces() {
        let source = Records {
            left: 600_000,
            record: 1000,
            next: 0,
        };
        let reports = source_reports(Box::new(source), Some(600_000), 600_000).await;
        let pieces: Vec<usize> = reports
            .iter()
            .map(|r| match r {
                Internal::Provide {
                    data, eof: false, ..
                } => data.len(),
                _ => 0,
            })
            .collect();
        // Reads of 1000 bytes gathered up to PIECE.
        assert_eq!(pieces, vec![PIECE, PIECE, 600_000 - 2 * PIECE]);
    }

    /// A source of `left` bytes (1000 per read) that gives its end once, then fails if
    /// read again.
    struct EndsOnce {
        left: usize,
        ended: bool,
    }

    impl AsyncRead for EndsOnce {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut tokio::io::ReadBuf<'_>,
        ) -> Poll<std::io::Result<()>> {
            if self.left == 0 {
                if self.ended {
                    return Poll::Ready(Err(std::io::ErrorKind::Other.into()));
                }
                self.ended = true;
                return Poll::Ready(Ok(()));
            }
            let n = self.left.min(1000).min(buf.remaining());
            buf.put_slice(&vec![1u8; n]);
            self.left -= n;
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn an_end_met_while_gathering_is_not_read_twice() {
        // Size unknown: the content ends where the source does.
        let source = EndsOnce {
            left: 2500,
            ended: false,
        };
        let reports = source_reports(Box::new(source), None, 10_000).await;
        let [first, second] = reports.as_slice() else {
            panic!("two reports, not {}", reports.len());
        };
        assert!(matches!(first, Internal::Provide { data, eof: false, .. } if data.len() == 2500));
        assert!(matches!(second, Internal::Provide { data, eof: true, .. } if data.is_empty()));
        // Size declared and not reached: short content, not a read error.
        let source = EndsOnce {
            left: 2500,
            ended: false,
        };
        let reports = source_reports(Box::new(source), Some(10_000), 10_000).await;
        assert!(matches!(
            reports.as_slice(),
            [
                Internal::Provide { eof: false, .. },
                Internal::SourceFailed {
                    error: TransferError::ShortContent {
                        expected: 10_000,
                        got: 2500
                    },
                    ..
                }
            ]
        ));
    }

    #[tokio::test]
    async fn a_source_failing_while_gathering_hands_over_its_bytes_then_fails() {
        let reports =
            source_reports(Box::new(FailsAfter { good: 2500 }), Some(10_000), 10_000).await;
        let [first, second] = reports.as_slice() else {
            panic!("two reports, not {}", reports.len());
        };
        assert!(matches!(first, Internal::Provide { data, eof: false, .. } if data.len() == 2500));
        assert!(matches!(
            second,
            Internal::SourceFailed {
                error: TransferError::Source(std::io::ErrorKind::BrokenPipe),
                ..
            }
        ));
    }

    #[tokio::test]
    async fn a_batch_is_written_whole_and_in_order_through_partial_writes() {
        for step in [1, 3, 7, 100] {
            let mut w = Trickle {
                got: Vec::new(),
                step,
                calls: 0,
            };
            let mut batch = vec![
                Bytes::from_static(b"MSRP a SEND\r\n"),
                Bytes::new(),
                Bytes::from_static(b"body"),
                Bytes::from_static(b"\r\n-------a$\r\n"),
            ];
            write_batch(&mut w, &mut batch).await.unwrap();
            assert!(batch.is_empty());
            assert_eq!(w.got, b"MSRP a SEND\r\nbody\r\n-------a$\r\n");
            assert_eq!(w.calls, 30usize.div_ceil(step), "step {step}");
        }
    }
}
