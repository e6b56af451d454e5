//! Pieces shared by the multi-process bench examples (`transfer_bench`, `relay_bench`):
//! seeded content, a discarding sink, peak RSS, the one-line reports child processes
//! print, and small helpers. Included with `#[path]`; not an example of its own.

#![allow(dead_code)] // each bench uses a part

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Bytes in a MiB.
pub const MIB: u64 = 1 << 20;

/// Bytes in the generator's table: one block of content.
const BLOCK: usize = 64 << 10;

/// Seeded content, optionally hashed (SHA-256) as it is read. One 64 KiB table of
/// SplitMix64 output is shared by every generator of the process; block `k` of a stream is
/// that table with every 8-byte word XORed with a 64-bit tag drawn from the seed and `k`, so
/// blocks and streams differ and any position is computed directly (reads of any size give
/// the same stream) at about the cost of a copy.
pub struct Generator {
    seed: u64,
    table: &'static [u8],
    position: u64,
    left: u64,
    hash: Option<Sha256>,
    done: Option<tokio::sync::oneshot::Sender<[u8; 32]>>,
}

pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Generator {
    pub fn new(
        seed: u64,
        size: u64,
        hash: bool,
    ) -> (Self, tokio::sync::oneshot::Receiver<[u8; 32]>) {
        let (done, digest) = tokio::sync::oneshot::channel();
        static TABLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let table = TABLE.get_or_init(|| {
            (0..BLOCK as u64 / 8)
                .flat_map(|i| splitmix64(i).to_le_bytes())
                .collect()
        });
        let seed = splitmix64(seed);
        let generator = Self {
            seed,
            table,
            position: 0,
            left: size,
            hash: hash.then(Sha256::new),
            done: Some(done),
        };
        (generator, digest)
    }

    /// Fills `out` with the bytes at the current position.
    pub fn fill(&self, out: &mut [u8]) {
        let mut i = 0;
        while i < out.len() {
            let at = self.position + i as u64;
            let block = at / BLOCK as u64;
            let from = (at % BLOCK as u64) as usize;
            let take = (BLOCK - from).min(out.len() - i);
            let tag = splitmix64(self.seed ^ splitmix64(block)).to_le_bytes();
            let dst = &mut out[i..i + take];
            dst.copy_from_slice(&self.table[from..from + take]);
            for (j, b) in dst.iter_mut().enumerate() {
                *b ^= tag[(from + j) & 7];
            }
            i += take;
        }
    }

    /// Gives the next piece into `buf` (at most 64 KiB); `0` at the end.
    pub fn next_into(&mut self, buf: &mut [u8]) -> usize {
        let n = (buf.len().min(64 << 10) as u64).min(self.left) as usize;
        let piece = &mut buf[..n];
        self.fill(piece);
        if let Some(h) = &mut self.hash {
            h.update(&*piece);
        }
        self.position += n as u64;
        self.left -= n as u64;
        if self.left == 0 {
            if let (Some(done), Some(h)) = (self.done.take(), self.hash.take()) {
                let _ = done.send(h.finalize().into());
            }
        }
        n
    }
}

impl AsyncRead for Generator {
    fn poll_read(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        // Only what this read gives is initialized (zeroed, then written): the rest of a
        // large buffer is left for later reads rather than zeroed again on each.
        let n = (buf.remaining().min(BLOCK) as u64).min(self.left) as usize;
        let n = self.next_into(buf.initialize_unfilled_to(n));
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

/// A sink that drops what it is given (the driver counts the bytes).
pub struct Discard;

impl AsyncWrite for Discard {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, d: &[u8]) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(d.len()))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// Peak resident set size of this process in KiB (`VmHWM`), 0 where /proc is missing.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU seconds (user + system, all threads) this process has used so far, from
/// `/proc/self/stat` in clock ticks (assumed 100 per second, Linux's `USER_HZ`); 0 where
/// /proc is missing.
pub fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The command name may hold spaces: the fields start after its closing ')'.
            let rest = s.get(s.rfind(')')? + 1..)?;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            // Fields 14 (utime) and 15 (stime) of proc(5); `rest` starts at field 3.
            let user: u64 = fields.get(11)?.parse().ok()?;
            let system: u64 = fields.get(12)?.parse().ok()?;
            Some((user + system) as f64 / 100.0)
        })
        .unwrap_or(0.0)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What one child process reports on its last line.
#[derive(Debug, Default)]
pub struct Report {
    pub bytes: u64,
    pub secs: f64,
    pub rss_kib: u64,
    pub sha256: String,
    /// CPU seconds the process used in all (see [`cpu_secs`]).
    pub cpu: f64,
}

pub fn report(r: &Report) {
    println!(
        "RESULT bytes={} secs={:.6} rss_kib={} sha256={} cpu={:.2}",
        r.bytes,
        r.secs,
        r.rss_kib,
        r.sha256,
        cpu_secs()
    );
}

pub fn parse_report(line: &str) -> Option<Report> {
    let rest = line.strip_prefix("RESULT ")?;
    let mut r = Report::default();
    for field in rest.split(' ') {
        let (k, v) = field.split_once('=')?;
        match k {
            "bytes" => r.bytes = v.parse().ok()?,
            "secs" => r.secs = v.parse().ok()?,
            "rss_kib" => r.rss_kib = v.parse().ok()?,
            "sha256" => r.sha256 = v.to_owned(),
            "cpu" => r.cpu = v.parse().ok()?,
            _ => {}
        }
    }
    Some(r)
}

/// The tokio runtime of a bench process: `BENCH_THREADS` workers when set (0: a
/// current-thread runtime), else `default_workers`.
pub fn runtime(default_workers: usize) -> Result<tokio::runtime::Runtime, Error> {
    let threads = std::env::var("BENCH_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_workers);
    if threads == 0 {
        return Ok(tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?);
    }
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?)
}

/// Rounds of the side-by-side throughput comparison.
pub const ROUNDS: usize = 3;

pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

pub fn mib_s(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / MIB as f64 / secs.max(1e-9)
}

pub fn s(v: impl ToString) -> String {
    v.to_string()
}

pub fn number<T: std::str::FromStr>(args: &[String], i: usize) -> Result<T, Error> {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| format!("argument {i} missing or invalid").into())
}

/// The plain TCP receiving side: reads `size` bytes from `socket`, then answers one byte;
/// the time runs from the first byte read.
pub async fn tcp_drain<S: AsyncRead + AsyncWrite + Unpin>(
    mut socket: S,
    size: u64,
) -> Result<Report, Error> {
    let mut buf = vec![0u8; 64 << 10];
    let (mut total, mut started) = (0u64, None);
    while total < size {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return Err("the peer closed early".into());
        }
        started.get_or_insert_with(std::time::Instant::now);
        total += n as u64;
    }
    socket.write_all(b"k").await?;
    socket.shutdown().await?;
    Ok(Report {
        bytes: total,
        secs: started.map_or(0.0, |s| s.elapsed().as_secs_f64()),
        rss_kib: peak_rss_kib(),
        sha256: "-".to_owned(),
        ..Report::default()
    })
}

/// The plain TCP sending side: connects to 127.0.0.1:`port`, writes `size` generated bytes
/// (the same as the MSRP senders') and waits for the answer; the time runs from the connect.
pub async fn tcp_fill(port: u16, size: u64) -> Result<Report, Error> {
    let started = std::time::Instant::now();
    let socket = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let _ = socket.set_nodelay(true);
    stream_fill(socket, size, started).await
}

/// Writes `size` generated bytes to `socket` and waits for the one-byte answer; the time
/// runs from `started`.
pub async fn stream_fill<S: AsyncRead + AsyncWrite + Unpin>(
    mut socket: S,
    size: u64,
    started: std::time::Instant,
) -> Result<Report, Error> {
    let (mut source, _) = Generator::new(0x5eed, size, false);
    let mut buf = vec![0u8; 64 << 10];
    loop {
        let n = source.next_into(&mut buf);
        if n == 0 {
            break;
        }
        socket.write_all(&buf[..n]).await?;
    }
    // A TLS stream may still hold the last records: without a flush the receiver never
    // gets them and never answers.
    socket.flush().await?;
    let mut ack = [0u8; 1];
    socket.read_exact(&mut ack).await?;
    let secs = started.elapsed().as_secs_f64();
    let _ = socket.shutdown().await;
    Ok(Report {
        bytes: size,
        secs,
        rss_kib: peak_rss_kib(),
        sha256: "-".to_owned(),
        ..Report::default()
    })
}
