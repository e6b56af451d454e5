//! MSRP file transfer between two `net::Driver`s over loopback TCP (feature `tokio`).
//!
//! Bob listens on 127.0.0.1 (OS-assigned port, passive role); Alice connects (active role)
//! and sends generated content of the given size, read piece by piece from an `AsyncRead` as
//! the engine asks for it. Bob accepts the incoming message into an `AsyncWrite` that counts
//! and hashes what it gets (SHA-256), printing progress; both sides' sizes and hashes are
//! compared at the end.
//!
//! With `--tls` the same runs over `msrps:`: both sides get a self-signed certificate made at
//! start-up, and each authenticates the other by its SHA-256 fingerprint (the `a=fingerprint`
//! of peer-to-peer MSRP over TLS, RFC 4975 §14.1 and RFC 8122).
//!
//! ```text
//! cargo run --release -p msrp --features tls --example transfer -- [MiB, default 64] [--tls]
//! ```

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use std::sync::Arc;

use msrp::net::tls::{Fingerprint, FingerprintVerifier};
use msrp::net::{Driver, DriverConfig, NetEvent};
use msrp::{Path, SessionConfig, Text};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Generated content: `left` more bytes of a fixed pattern, hashed as they are read.
struct Generator {
    left: u64,
    position: u64,
    hash: Sha256,
    done: Option<tokio::sync::oneshot::Sender<[u8; 32]>>,
}

impl AsyncRead for Generator {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let n = (buf.remaining() as u64).min(self.left) as usize;
        let start = self.position;
        let piece: Vec<u8> = (start..start + n as u64)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8)
            .collect();
        self.hash.update(&piece);
        buf.put_slice(&piece);
        self.position += n as u64;
        self.left -= n as u64;
        if self.left == 0 {
            if let Some(done) = self.done.take() {
                let _ = done.send(self.hash.clone().finalize().into());
            }
        }
        Poll::Ready(Ok(()))
    }
}

/// A sink that hashes and counts what it is given, printing progress every 10 %.
struct HashingSink {
    total: u64,
    written: u64,
    next_report: u64,
    started: Instant,
    hash: Sha256,
    done: Option<tokio::sync::oneshot::Sender<(u64, [u8; 32])>>,
}

impl AsyncWrite for HashingSink {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.hash.update(data);
        self.written += data.len() as u64;
        while self.written >= self.next_report && self.next_report <= self.total {
            let percent = self.written * 100 / self.total.max(1);
            let mib = self.written as f64 / f64::from(1 << 20);
            let secs = self.started.elapsed().as_secs_f64().max(1e-9);
            println!(
                "  received {percent:3} % ({mib:.1} MiB, {:.0} MiB/s)",
                mib / secs
            );
            self.next_report += (self.total / 10).max(1);
        }
        Poll::Ready(Ok(data.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(done) = self.done.take() {
            let _ = done.send((self.written, self.hash.clone().finalize().into()));
        }
        Poll::Ready(Ok(()))
    }
}

/// A self-signed certificate made at start-up and its SHA-256 fingerprint.
struct Identity {
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    fingerprint: Fingerprint,
}

type BoxError = Box<dyn std::error::Error>;

impl Identity {
    fn new() -> Result<Self, BoxError> {
        let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])?;
        let cert = made.cert.der().clone();
        let key = PrivateKeyDer::try_from(made.signing_key.serialize_der())?;
        let fingerprint = Fingerprint::of(cert.as_ref());
        Ok(Self {
            cert,
            key,
            fingerprint,
        })
    }

    /// Presents this certificate and requires a client with `peer`'s fingerprint.
    fn server(&self, peer: &Identity) -> Result<Arc<rustls::ServerConfig>, BoxError> {
        let config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_client_cert_verifier(FingerprintVerifier::new([peer.fingerprint]))
            .with_single_cert(vec![self.cert.clone()], self.key.clone_key())?;
        Ok(Arc::new(config))
    }

    /// Presents this certificate and accepts only a server with `peer`'s fingerprint.
    fn client(&self, peer: &Identity) -> Result<Arc<rustls::ClientConfig>, BoxError> {
        let config = rustls::ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(FingerprintVerifier::new([peer.fingerprint]))
            .with_client_auth_cert(vec![self.cert.clone()], self.key.clone_key())?;
        Ok(Arc::new(config))
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let tls = args.iter().any(|a| a == "--tls");
    let mib: u64 = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(64);
    let size = mib << 20;
    let scheme = if tls { "msrps" } else { "msrp" };

    let (bob, mut bob_events) = Driver::spawn(DriverConfig::default());
    let (alice_id, bob_id) = (Identity::new()?, Identity::new()?);
    let addr = if tls {
        bob.listen_tls("127.0.0.1:0".parse()?, bob_id.server(&alice_id)?)
            .await?
    } else {
        bob.listen("127.0.0.1:0".parse()?).await?
    };
    let bob_path: Path = format!("{scheme}://127.0.0.1:{}/b0bsess10n;tcp", addr.port()).parse()?;
    let alice_path: Path = format!("{scheme}://127.0.0.1:9/al1cesess10n;tcp").parse()?;
    bob.add_session(
        bob_path.clone(),
        alice_path.clone(),
        SessionConfig::default(),
    )
    .await?;
    println!("bob listens on {scheme} {addr}");

    let (alice, _alice_events) = Driver::spawn(DriverConfig::default());
    let session = alice
        .add_session(alice_path, bob_path, SessionConfig::default())
        .await?;
    let connection = if tls {
        let connection = alice
            .connect_tls(session, alice_id.client(&bob_id)?)
            .await?;
        println!(
            "TLS: each side accepted only the other's certificate fingerprint\n  \
             alice {}\n  bob   {}",
            alice_id.fingerprint, bob_id.fingerprint
        );
        connection
    } else {
        alice.connect(session).await?
    };
    println!("alice connected ({connection}), sending {mib} MiB");

    let started = Instant::now();
    let (sent_hash_tx, sent_hash) = tokio::sync::oneshot::channel();
    let source = Generator {
        left: size,
        position: 0,
        hash: Sha256::new(),
        done: Some(sent_hash_tx),
    };
    let content_type = Text::new("application/octet-stream")?;
    let sent = alice
        .send(session, content_type, Some(size), source)
        .await?;

    let (received_tx, received) = tokio::sync::oneshot::channel();
    let incoming = loop {
        match bob_events.recv().await {
            Some(NetEvent::Incoming {
                session,
                message_id,
                ..
            }) => break (session, message_id),
            Some(_) => continue,
            None => return Err("bob's driver stopped".into()),
        }
    };
    let sink = HashingSink {
        total: size,
        written: 0,
        next_report: (size / 10).max(1),
        started,
        hash: Sha256::new(),
        done: Some(received_tx),
    };
    let transfer = bob.accept(incoming.0, incoming.1, sink).await?;
    let got = transfer.result().await?;
    let acknowledged = sent.result().await?;
    let elapsed = started.elapsed().as_secs_f64();
    let (received_size, received_hash) = received.await?;
    let sent_hash = if size == 0 {
        Sha256::new().finalize().into()
    } else {
        sent_hash.await?
    };
    println!(
        "sent {acknowledged} bytes, received {got} bytes in {elapsed:.2} s ({:.0} MiB/s)",
        mib as f64 / elapsed.max(1e-9)
    );
    println!("sha-256 sent     {}", hex(&sent_hash));
    println!("sha-256 received {}", hex(&received_hash));
    alice.shutdown().await;
    bob.shutdown().await;
    if received_size != size || received_hash != sent_hash {
        return Err("received content differs from what was sent".into());
    }
    println!("ok: size and hash match");
    Ok(())
}
