//! Hashes of received content computed while it streams into a sink.

use std::fmt::Write as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncSeek, AsyncWrite, ReadBuf};
use tokio::sync::oneshot;

/// The size and hashes of everything written through a [`HashingWriter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Digests {
    /// Bytes written.
    pub size: u64,
    /// SHA-1 (the hash RFC 5547 file selectors carry).
    pub sha1: [u8; 20],
    /// SHA-256.
    pub sha256: [u8; 32],
    /// Bytes read back from the sink to finish the hashes: always 0 for a
    /// [`HashingWriter`]; for a [`PositionalHashingWriter`], the bytes that arrived out of
    /// order (0 when every slice came in order, the usual case over one connection).
    pub reread: u64,
}

impl Digests {
    /// The SHA-1 in the RFC 5547 `a=file-selector` form: `sha-1:` then upper-case hex
    /// octets separated by colons.
    pub fn sha1_selector(&self) -> String {
        let mut s = String::from("sha-1:");
        for (i, b) in self.sha1.iter().enumerate() {
            if i > 0 {
                s.push(':');
            }
            let _ = write!(s, "{b:02X}");
        }
        s
    }
}

/// Sends the digests, once.
fn report(
    done: &mut Option<oneshot::Sender<Digests>>,
    size: u64,
    sha1: &Sha1,
    sha256: &Sha256,
    reread: u64,
) {
    if let Some(done) = done.take() {
        let _ = done.send(Digests {
            size,
            sha1: sha1.clone().finalize().into(),
            sha256: sha256.clone().finalize().into(),
            reread,
        });
    }
}

/// An `AsyncWrite` adapter that computes SHA-1 and SHA-256 of what goes through it, in
/// order, so a received file is hashed while it is written, without reading it again.
///
/// The [`Digests`] are sent when the writer is shut down, which the driver does only once
/// a message is complete: a failed transfer never yields digests.
#[derive(Debug)]
pub struct HashingWriter<W> {
    inner: W,
    size: u64,
    sha1: Sha1,
    sha256: Sha256,
    done: Option<oneshot::Sender<Digests>>,
}

impl<W: AsyncWrite + Unpin> HashingWriter<W> {
    /// Wraps `inner`; the receiver gets the digests at shutdown.
    pub fn new(inner: W) -> (Self, oneshot::Receiver<Digests>) {
        let (done, digests) = oneshot::channel();
        let writer = Self {
            inner,
            size: 0,
            sha1: Sha1::new(),
            sha256: Sha256::new(),
            done: Some(done),
        };
        (writer, digests)
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.size
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for HashingWriter<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let n = match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => n,
            other => return other,
        };
        // Only what the inner writer took is hashed.
        let taken = buf.get(..n).unwrap_or(buf);
        this.sha1.update(taken);
        this.sha256.update(taken);
        this.size += taken.len() as u64;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_shutdown(cx) {
            Poll::Ready(Ok(())) => {}
            other => return other,
        }
        report(&mut this.done, this.size, &this.sha1, &this.sha256, 0);
        Poll::Ready(Ok(()))
    }
}

/// Where a [`PositionalHashingWriter`] is in its shutdown.
#[derive(Debug)]
enum Finish {
    /// Writing; shutdown not started.
    Open,
    /// Seeking back to the first byte not hashed.
    Seeking,
    /// Reading back the bytes not hashed in order.
    Reading(Vec<u8>),
    /// Shutting the inner writer down.
    Closing,
    /// Done: the digests were sent.
    Done,
}

/// Size of the buffer of the read-back pass.
const REREAD_BUFFER: usize = 64 << 10;

/// [`HashingWriter`] for a sink written at offsets (a file taking
/// [`Driver::accept_positional`](super::Driver::accept_positional)): slices that extend the
/// in-order prefix are hashed as they are written, so a message whose chunks come in order
/// is hashed without a second pass; bytes written ahead of that prefix (chunks out of order)
/// are read back from the sink at shutdown, and only those (a slice written again inside
/// the hashed prefix makes the read-back start at 0, since the last write wins).
///
/// The sink must be readable as well as writable and seekable (for a `tokio::fs::File`,
/// open it with `read(true).write(true)`). [`Digests::reread`] says how many bytes the
/// read-back took. As with [`HashingWriter`], the digests are sent only at shutdown, which
/// the driver does only once a message is complete.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use msrp::net::PositionalHashingWriter;
/// use tokio::io::{AsyncSeekExt, AsyncWriteExt};
///
/// let (mut file, digests) = PositionalHashingWriter::new(std::io::Cursor::new(Vec::new()));
/// file.seek(std::io::SeekFrom::Start(1)).await?; // the second chunk first
/// file.write_all(b"bc").await?;
/// file.seek(std::io::SeekFrom::Start(0)).await?;
/// file.write_all(b"a").await?;
/// file.shutdown().await?;
/// let d = digests.await.expect("complete");
/// assert_eq!(d.size, 3);
/// assert_eq!(d.reread, 2);
/// assert_eq!(d.sha1_selector(), "sha-1:A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct PositionalHashingWriter<W> {
    inner: W,
    /// Where the inner cursor is.
    position: u64,
    /// Bytes `0..hashed` went through the hashers, in order.
    hashed: u64,
    /// One past the last byte written.
    end: u64,
    /// A write landed inside the hashed prefix: hash everything again at shutdown.
    restart: bool,
    reread: u64,
    sha1: Sha1,
    sha256: Sha256,
    finish: Finish,
    done: Option<oneshot::Sender<Digests>>,
}

impl<W: AsyncRead + AsyncWrite + AsyncSeek + Unpin> PositionalHashingWriter<W> {
    /// Wraps `inner`, whose cursor must be at 0; the receiver gets the digests at shutdown.
    pub fn new(inner: W) -> (Self, oneshot::Receiver<Digests>) {
        let (done, digests) = oneshot::channel();
        let writer = Self {
            inner,
            position: 0,
            hashed: 0,
            end: 0,
            restart: false,
            reread: 0,
            sha1: Sha1::new(),
            sha256: Sha256::new(),
            finish: Finish::Open,
            done: Some(done),
        };
        (writer, digests)
    }

    /// Bytes hashed in order so far (the prefix the read-back will not need).
    pub fn hashed(&self) -> u64 {
        self.hashed
    }

    fn hash(&mut self, data: &[u8]) {
        self.sha1.update(data);
        self.sha256.update(data);
    }
}

impl<W: AsyncRead + AsyncWrite + AsyncSeek + Unpin> AsyncWrite for PositionalHashingWriter<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if !matches!(this.finish, Finish::Open) {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        let n = match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Ready(Ok(n)) => n,
            other => return other,
        };
        let taken = buf.get(..n).unwrap_or(buf);
        let start = this.position;
        let stop = start.saturating_add(taken.len() as u64);
        if !this.restart && !taken.is_empty() {
            if start == this.hashed {
                this.hash(taken);
                this.hashed = stop;
            } else if start < this.hashed {
                this.restart = true;
            }
            // Ahead of the prefix: left for the read-back.
        }
        this.position = stop;
        this.end = this.end.max(stop);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            match &mut this.finish {
                Finish::Open => {
                    match Pin::new(&mut this.inner).poll_flush(cx) {
                        Poll::Ready(Ok(())) => {}
                        other => return other,
                    }
                    if this.restart {
                        this.sha1 = Sha1::new();
                        this.sha256 = Sha256::new();
                        this.hashed = 0;
                    }
                    if this.hashed < this.end {
                        Pin::new(&mut this.inner).start_seek(io::SeekFrom::Start(this.hashed))?;
                        this.finish = Finish::Seeking;
                    } else {
                        this.finish = Finish::Closing;
                    }
                }
                Finish::Seeking => {
                    let at = match Pin::new(&mut this.inner).poll_complete(cx) {
                        Poll::Ready(Ok(at)) => at,
                        Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                        Poll::Pending => return Poll::Pending,
                    };
                    this.position = at;
                    if at != this.hashed {
                        return Poll::Ready(Err(io::ErrorKind::InvalidData.into()));
                    }
                    this.finish = Finish::Reading(vec![0; REREAD_BUFFER]);
                }
                Finish::Reading(buffer) => {
                    let left = this.end.saturating_sub(this.hashed);
                    if left == 0 {
                        this.finish = Finish::Closing;
                        continue;
                    }
                    let want = usize::try_from(left)
                        .unwrap_or(usize::MAX)
                        .min(buffer.len());
                    let Some(space) = buffer.get_mut(..want) else {
                        return Poll::Ready(Err(io::ErrorKind::InvalidData.into()));
                    };
                    let mut read = ReadBuf::new(space);
                    match Pin::new(&mut this.inner).poll_read(cx, &mut read) {
                        Poll::Ready(Ok(())) => {}
                        Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                        Poll::Pending => return Poll::Pending,
                    }
                    let got = read.filled();
                    if got.is_empty() {
                        // The sink holds less than was written to it.
                        return Poll::Ready(Err(io::ErrorKind::UnexpectedEof.into()));
                    }
                    let n = got.len() as u64;
                    this.sha1.update(got);
                    this.sha256.update(got);
                    this.hashed += n;
                    this.reread += n;
                    this.position += n;
                }
                Finish::Closing => {
                    match Pin::new(&mut this.inner).poll_shutdown(cx) {
                        Poll::Ready(Ok(())) => {}
                        other => return other,
                    }
                    report(
                        &mut this.done,
                        this.end,
                        &this.sha1,
                        &this.sha256,
                        this.reread,
                    );
                    this.finish = Finish::Done;
                }
                Finish::Done => return Poll::Ready(Ok(())),
            }
        }
    }
}

impl<W: AsyncRead + AsyncWrite + AsyncSeek + Unpin> AsyncSeek for PositionalHashingWriter<W> {
    fn start_seek(mut self: Pin<&mut Self>, position: io::SeekFrom) -> io::Result<()> {
        if !matches!(self.finish, Finish::Open) {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        Pin::new(&mut self.inner).start_seek(position)
    }

    fn poll_complete(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<u64>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_complete(cx) {
            Poll::Ready(Ok(at)) => {
                this.position = at;
                Poll::Ready(Ok(at))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn hashes_what_is_written_and_reports_at_shutdown() {
        let (mut w, digests) = HashingWriter::new(Vec::new());
        w.write_all(b"a").await.unwrap();
        w.write_all(b"bc").await.unwrap();
        assert_eq!(w.written(), 3);
        w.shutdown().await.unwrap();
        let d = digests.await.unwrap();
        assert_eq!(d.size, 3);
        // FIPS 180 test vectors for "abc".
        assert_eq!(
            d.sha1_selector(),
            "sha-1:A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D"
        );
        assert_eq!(d.sha256[..4], [0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(d.sha256[28..], [0xf2, 0x00, 0x15, 0xad]);
    }

    /// Writes `parts` (offset, bytes) through a positional hashing writer over a cursor.
    async fn positional(parts: &[(u64, &[u8])]) -> (Vec<u8>, Digests) {
        use tokio::io::AsyncSeekExt;
        let (mut w, digests) = PositionalHashingWriter::new(std::io::Cursor::new(Vec::new()));
        for (offset, data) in parts {
            w.seek(io::SeekFrom::Start(*offset)).await.unwrap();
            w.write_all(data).await.unwrap();
        }
        w.shutdown().await.unwrap();
        let file = w.inner.into_inner();
        (file, digests.await.unwrap())
    }

    fn reference(data: &[u8]) -> ([u8; 20], [u8; 32]) {
        (Sha1::digest(data).into(), Sha256::digest(data).into())
    }

    #[tokio::test]
    async fn positional_in_order_needs_no_read_back() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 253) as u8).collect();
        let (a, b) = data.split_at(40_000);
        let (file, d) = positional(&[(0, a), (40_000, b)]).await;
        assert_eq!(file, data);
        assert_eq!((d.sha1, d.sha256), reference(&data));
        assert_eq!(d.size, 100_000);
        assert_eq!(d.reread, 0);
    }

    #[tokio::test]
    async fn positional_out_of_order_reads_back_only_the_late_part() {
        let data: Vec<u8> = (0..200_000u32).map(|i| (i % 241) as u8).collect();
        let (a, rest) = data.split_at(50_000);
        let (b, c) = rest.split_at(50_000);
        // a, then c ahead of b, then b: a and b are hashed in order, c is read back.
        let (file, d) = positional(&[(0, a), (100_000, c), (50_000, b)]).await;
        assert_eq!(file, data);
        assert_eq!((d.sha1, d.sha256), reference(&data));
        assert_eq!(d.reread, 100_000);
    }

    #[tokio::test]
    async fn positional_rewrite_inside_the_prefix_rehashes_everything() {
        // The last write wins: the first "xyz" is replaced by "abc".
        let (file, d) = positional(&[(0, b"xyz"), (3, b"def"), (0, b"abc")]).await;
        assert_eq!(file, b"abcdef");
        assert_eq!((d.sha1, d.sha256), reference(b"abcdef"));
        assert_eq!(d.reread, 6);
    }

    #[tokio::test]
    async fn positional_empty_and_unreadable_sinks() {
        let (file, d) = positional(&[]).await;
        assert!(file.is_empty());
        assert_eq!((d.sha1, d.sha256), reference(b""));
        // A sink that lost bytes: the read-back fails instead of hashing less.
        use tokio::io::AsyncSeekExt;
        let (mut w, digests) = PositionalHashingWriter::new(std::io::Cursor::new(Vec::new()));
        w.seek(io::SeekFrom::Start(2)).await.unwrap();
        w.write_all(b"cd").await.unwrap();
        w.inner.get_mut().truncate(3);
        assert_eq!(
            w.shutdown().await.unwrap_err().kind(),
            io::ErrorKind::UnexpectedEof
        );
        drop(w);
        assert!(digests.await.is_err());
    }

    #[tokio::test]
    async fn no_digests_without_shutdown() {
        let (mut w, digests) = HashingWriter::new(Vec::new());
        w.write_all(b"partial").await.unwrap();
        drop(w);
        assert!(digests.await.is_err());
    }
}
