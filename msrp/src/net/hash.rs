//! Hashes of received content computed while it streams into a sink.

use std::fmt::Write as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use sha1::Sha1;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWrite;
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
        if let Some(done) = this.done.take() {
            let _ = done.send(Digests {
                size: this.size,
                sha1: this.sha1.clone().finalize().into(),
                sha256: this.sha256.clone().finalize().into(),
            });
        }
        Poll::Ready(Ok(()))
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

    #[tokio::test]
    async fn no_digests_without_shutdown() {
        let (mut w, digests) = HashingWriter::new(Vec::new());
        w.write_all(b"partial").await.unwrap();
        drop(w);
        assert!(digests.await.is_err());
    }
}
