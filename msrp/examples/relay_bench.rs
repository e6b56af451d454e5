//! Three-process bench of an RFC 4976 relay (features `relay` and `tls`): a sender and a
//! receiver, each authenticated to the relay (AUTH with digest over TLS), move one message
//! through it; beside it, in the same run, a plain TCP forwarder moves the same generated
//! bytes between the same three kinds of process. Each process reports its peak RSS
//! (`VmHWM` from `/proc/self/status`); the relay's must stay flat in the message size.
//!
//! ```text
//! cargo run --release -p msrp --features relay,tls --example relay_bench            # 1 GiB; RSS 64 MiB / 1 GiB / 4 GiB
//! cargo run --release -p msrp --features relay,tls --example relay_bench -- --small # 256 MiB; RSS 64 / 256 MiB
//! ```
//!
//! The relay is `msrp::net::relay_server::RelayDriver` over `msrp::relay::engine::Relay`
//! (cut-through forwarding, re-chunking, hop-by-hop 200s); the clients are
//! `msrp::net::Driver`s that call `authenticate` and `add_relay_session`, so the SEND's
//! To-Path is the sender's Use-Path followed by the receiver's SDP path. The MSRP legs run
//! over TLS (RFC 4976 requires it for AUTH); the forwarder runs twice, with plain TCP legs
//! (the comparison the targets name) and with TLS legs like the relay's (to show what the
//! TLS costs on its own). The relay also runs with plain TCP legs, the same transport as the
//! plain forwarder: there AUTH is not allowed, so the relay grants each connection a client
//! URI (`RelayDriver::grant`, as for peers authenticated by other means), and the two
//! clients are minimal MSRP speakers on raw sockets (one SEND of the whole message; 200s for
//! the relay's chunks; a success REPORT back through the relay, which ends the timing).
//! Every process of every kind runs a tokio runtime with a third of the
//! machine's cores as workers, at least one (`BENCH_THREADS=n` sets the workers, 0 a
//! current-thread runtime). The run fails when a transfer fails or the relay's peak RSS is
//! not flat (over 64 MiB, or more than 8 MiB above the smallest size's).

#[path = "common/bench.rs"]
mod bench;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bench::{
    Discard, Error, Generator, MIB, Report, median, mib_s, number, parse_report, peak_rss_kib,
    report, runtime, s, stream_fill, tcp_drain,
};
use bytes::BytesMut;
use msrp::net::relay_server::{RelayDriver, RelayDriverConfig, RelayNetEvent};
use msrp::net::tls::{Fingerprint, FingerprintVerifier};
use msrp::net::{Driver, DriverConfig, NetEvent};
use msrp::relay::client::{ClientConfig, Relay as RelayHop};
use msrp::relay::digest::{self, CredentialStore, DigestServer};
use msrp::relay::engine::{Event, Relay, RelayConfig};
use msrp::{
    ByteRange, Decoder, Flag, Frame, Head, Header, IdGenerator, Message, MessageId, Method,
    MsrpUri, Path, ReportStatus, Request, SessionConfig, StatusCode, SuccessReport, Text,
    TransactionId, encode_end_line,
};
use rustls::pki_types::PrivateKeyDer;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Rounds of the side-by-side throughput comparison: the plain forwarder's figure varies
/// by several percent between runs on a shared machine, so a median of five.
const RELAY_ROUNDS: usize = 5;
/// Peak RSS limit of the relay, in KiB.
const RSS_LIMIT_KIB: u64 = 64 << 10;
/// How much more the relay may take at the largest size than at the smallest, in KiB.
const RSS_GROWTH_KIB: u64 = 8 << 10;
const REALM: &str = "relay.bench";

/// The two clients' credentials.
struct Users;

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        match username {
            "alice" => Some(digest::ha1(username, realm, "alice-secret")),
            "bob" => Some(digest::ha1(username, realm, "bob-secret")),
            _ => None,
        }
    }
}

/// ring, with AES-128-GCM preferred (the legs are TLS 1.3; the suite is printed).
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    use rustls::crypto::ring::cipher_suite;
    let mut provider = rustls::crypto::ring::default_provider();
    provider.cipher_suites = vec![
        cipher_suite::TLS13_AES_128_GCM_SHA256,
        cipher_suite::TLS13_AES_256_GCM_SHA384,
        cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
    ];
    Arc::new(provider)
}

/// A client configuration that accepts exactly the relay's self-signed certificate.
fn client_tls(relay: Fingerprint) -> Result<Arc<rustls::ClientConfig>, Error> {
    let config = rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(FingerprintVerifier::new([relay]))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// A server configuration with a self-signed certificate made now, and the certificate's
/// SHA-256 fingerprint as colon-separated hex.
fn self_signed() -> Result<(Arc<rustls::ServerConfig>, String), Error> {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()])?;
    let cert = made.cert.der().clone();
    let key = PrivateKeyDer::try_from(made.signing_key.serialize_der())?;
    let fingerprint = Fingerprint::of(cert.as_ref()).to_string();
    let hex = fingerprint
        .split_once(' ')
        .map_or(fingerprint.as_str(), |(_, h)| h)
        .to_owned();
    let server = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)?;
    Ok((Arc::new(server), hex))
}

/// The relay: TLS on an OS-chosen port, AUTH with digest, until stdin closes.
async fn relay_role() -> Result<Report, Error> {
    let (server, hex) = self_signed()?;
    let port = free_port()?;
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|e| format!("getrandom: {e}"))?;
    let auth = DigestServer::new(REALM, secret, Duration::from_secs(300), Instant::now());
    let config = RelayConfig::new("127.0.0.1", port);
    let relay =
        Relay::new(config, IdGenerator::default()).with_authentication(auth, Box::new(Users));
    let (driver, events) = RelayDriver::spawn(relay, RelayDriverConfig::default());
    driver
        .listen_tls(format!("127.0.0.1:{port}").parse()?, server)
        .await?;
    println!("RELAY {port} {hex}");
    std::io::stdout().flush()?;
    tokio::spawn(watch(events, None));
    until_stdin_closes(driver).await
}

/// The relay with plain TCP legs, until stdin closes. AUTH is refused there (RFC 4976
/// allows it only over TLS), so every accepted connection is granted a client URI instead
/// (`RelayDriver::grant`, for peers authenticated by other means), printed as
/// `GRANTED <uri>` in the order the connections come.
async fn relay_tcp_role() -> Result<Report, Error> {
    let port = free_port()?;
    let relay = Relay::new(RelayConfig::new("127.0.0.1", port), IdGenerator::default());
    let (driver, events) = RelayDriver::spawn(relay, RelayDriverConfig::default());
    driver.listen(format!("127.0.0.1:{port}").parse()?).await?;
    println!("RELAY {port} -");
    std::io::stdout().flush()?;
    tokio::spawn(watch(events, Some(driver.clone())));
    until_stdin_closes(driver).await
}

/// The relay's URIs name its port, so the port is chosen before the engine is made.
fn free_port() -> Result<u16, Error> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Reports on stderr what went wrong in the relay, if anything; with `granter`, grants each
/// accepted connection a client URI for an hour and prints it.
async fn watch(
    mut events: tokio::sync::mpsc::Receiver<RelayNetEvent>,
    granter: Option<RelayDriver>,
) {
    while let Some(event) = events.recv().await {
        match event {
            RelayNetEvent::Accepted { connection, .. } => {
                let Some(driver) = &granter else { continue };
                match driver.grant(connection, Duration::from_secs(3600)).await {
                    Ok(uri) => {
                        println!("GRANTED {uri}");
                        let _ = std::io::stdout().flush();
                    }
                    Err(e) => eprintln!("relay: no URI for {connection}: {e}"),
                }
            }
            RelayNetEvent::Relay(Event::MessageFailed { failure, .. }) => {
                eprintln!("relay: a message failed: {failure:?}");
            }
            RelayNetEvent::Relay(Event::Close { connection, error }) => {
                eprintln!("relay: closed {connection}: {error:?}");
            }
            _ => {}
        }
    }
}

/// Runs the relay until the orchestrator closes stdin, then stops it.
async fn until_stdin_closes(driver: RelayDriver) -> Result<Report, Error> {
    let mut stdin = stdin_lines();
    while stdin.recv().await.is_some() {}
    driver.shutdown().await;
    Ok(Report {
        rss_kib: peak_rss_kib(),
        sha256: "-".to_owned(),
        ..Report::default()
    })
}

fn relay_parts(port: u16, hex: &str) -> Result<(MsrpUri, Arc<rustls::ClientConfig>), Error> {
    let uri = MsrpUri::parse(format!("msrps://127.0.0.1:{port};tcp"))?;
    let tls = client_tls(Fingerprint::parse(&format!("SHA-256 {hex}"))?)?;
    Ok((uri, tls))
}

/// The lines of stdin (read on a thread of its own); the channel ends with stdin.
fn stdin_lines() -> tokio::sync::mpsc::UnboundedReceiver<String> {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    std::thread::spawn(move || {
        for line in std::io::stdin().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for the orchestrator's next line, which must start with `prefix`.
async fn said(
    stdin: &mut tokio::sync::mpsc::UnboundedReceiver<String>,
    prefix: &str,
) -> Result<String, Error> {
    let line = stdin.recv().await.ok_or("stdin closed")?;
    line.trim_end()
        .strip_prefix(prefix)
        .map(str::to_owned)
        .ok_or_else(|| format!("expected {prefix:?}, got {line:?}").into())
}

/// Receiver: authenticates as bob, prints its SDP path, takes the sender's, and receives
/// one message of `size` bytes through the relay.
async fn msrp_receive_via(port: u16, hex: &str, size: u64) -> Result<Report, Error> {
    let (relay, tls) = relay_parts(port, hex)?;
    let (driver, mut events) = Driver::spawn(DriverConfig::default());
    let config = ClientConfig::new(vec![RelayHop::new(relay, "bob", "bob-secret")]);
    let registration = driver.authenticate(config, "127.0.0.1", 9, tls).await?;
    println!("PATH {}", registration.sdp_path);
    std::io::stdout().flush()?;
    let mut stdin = stdin_lines();
    let peer: Path = said(&mut stdin, "PEER ").await?.parse()?;
    driver
        .add_relay_session(registration.id, peer, SessionConfig::default())
        .await?;
    println!("READY");
    std::io::stdout().flush()?;
    let (session, message_id, started) = loop {
        match events.recv().await {
            Some(NetEvent::Incoming {
                session,
                message_id,
                size: declared,
                ..
            }) => {
                if declared != Some(size) {
                    return Err(format!("a message of {declared:?} bytes, not {size}").into());
                }
                break (session, message_id, Instant::now());
            }
            Some(_) => {}
            None => return Err("the driver stopped".into()),
        }
    };
    let transfer = driver.accept(session, message_id, Discard).await?;
    let bytes = transfer.result().await?;
    let secs = started.elapsed().as_secs_f64();
    // Let the last responses leave before the sender is told to stop.
    tokio::time::sleep(Duration::from_millis(100)).await;
    driver.shutdown().await;
    Ok(Report {
        bytes,
        secs,
        rss_kib: peak_rss_kib(),
        sha256: "-".to_owned(),
        ..Report::default()
    })
}

/// Sender: authenticates as alice, prints its SDP path, and on `GO` sends `size` bytes to
/// the receiver whose SDP path is `peer`.
async fn msrp_send_via(port: u16, hex: &str, size: u64, peer: &str) -> Result<Report, Error> {
    let (relay, tls) = relay_parts(port, hex)?;
    let (driver, _events) = Driver::spawn(DriverConfig::default());
    let config = ClientConfig::new(vec![RelayHop::new(relay, "alice", "alice-secret")]);
    let registration = driver
        .authenticate(config, "127.0.0.1", 9, tls.clone())
        .await?;
    println!("PATH {}", registration.sdp_path);
    std::io::stdout().flush()?;
    let mut stdin = stdin_lines();
    said(&mut stdin, "GO").await?;
    let session = driver
        .add_relay_session(registration.id, peer.parse()?, SessionConfig::default())
        .await?;
    let started = Instant::now();
    driver.connect_tls(session, tls).await?;
    let (source, _) = Generator::new(0x5eed, size, false);
    let transfer = driver
        .send(
            session,
            Text::new("application/octet-stream")?,
            Some(size),
            source,
        )
        .await?;
    let bytes = transfer.result().await?;
    let secs = started.elapsed().as_secs_f64();
    driver.shutdown().await;
    Ok(Report {
        bytes,
        secs,
        rss_kib: peak_rss_kib(),
        sha256: "-".to_owned(),
        ..Report::default()
    })
}

/// The forwarder: the first connection is the receiver, the second the sender; bytes are
/// copied both ways until both close. With `tls`, both legs are TLS (a self-signed
/// certificate; its fingerprint goes out with the port), as the relay's are.
async fn forwarder_role(tls: bool) -> Result<Report, Error> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let acceptor = if tls {
        let (server, hex) = self_signed()?;
        println!("PORT {port} {hex}");
        Some(tokio_rustls::TlsAcceptor::from(server))
    } else {
        println!("PORT {port} -");
        None
    };
    std::io::stdout().flush()?;
    // Each leg's handshake completes before the next is accepted: the receiver says it is
    // connected only once its handshake is done, and only then does the sender start.
    let (receiver, _) = listener.accept().await?;
    let _ = receiver.set_nodelay(true);
    let forward = match acceptor {
        Some(acceptor) => {
            let mut receiver = acceptor.accept(receiver).await?;
            let (sender, _) = listener.accept().await?;
            let _ = sender.set_nodelay(true);
            let mut sender = acceptor.accept(sender).await?;
            copy_both_ways(&mut sender, &mut receiver).await?
        }
        None => {
            let mut receiver = receiver;
            let (mut sender, _) = listener.accept().await?;
            let _ = sender.set_nodelay(true);
            copy_both_ways(&mut sender, &mut receiver).await?
        }
    };
    Ok(Report {
        bytes: forward,
        rss_kib: peak_rss_kib(),
        sha256: "-".to_owned(),
        ..Report::default()
    })
}

async fn copy_both_ways<A, B>(a: &mut A, b: &mut B) -> Result<u64, Error>
where
    A: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    B: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (forward, _) = tokio::io::copy_bidirectional_with_sizes(a, b, 64 << 10, 64 << 10).await?;
    Ok(forward)
}

/// A byte stream of either kind.
trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}

/// Connects to the forwarder, over TLS when its fingerprint `hex` is given (not `-`).
async fn forwarder_stream(port: u16, hex: &str) -> Result<Box<dyn Stream>, Error> {
    let socket = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let _ = socket.set_nodelay(true);
    if hex == "-" {
        return Ok(Box::new(socket));
    }
    let tls = client_tls(Fingerprint::parse(&format!("SHA-256 {hex}"))?)?;
    let name = rustls::pki_types::ServerName::try_from("127.0.0.1")?;
    let stream = tokio_rustls::TlsConnector::from(tls)
        .connect(name, socket)
        .await?;
    Ok(Box::new(stream))
}

/// Receiver through the forwarder: says when it is connected (the forwarder takes the first
/// connection for the receiver), then reads `size` bytes and answers one byte.
async fn tcp_receive_via(port: u16, hex: &str, size: u64) -> Result<Report, Error> {
    let socket = forwarder_stream(port, hex).await?;
    println!("CONNECTED");
    std::io::stdout().flush()?;
    tcp_drain(socket, size).await
}

/// Sender through the forwarder: the same generated bytes, then the answer.
async fn tcp_send_via(port: u16, hex: &str, size: u64) -> Result<Report, Error> {
    let started = Instant::now();
    let socket = forwarder_stream(port, hex).await?;
    stream_fill(socket, size, started).await
}

/// The clients' own URIs in the runs with plain TCP legs (nobody connects to them: they
/// only end the paths).
const ALICE: &str = "msrp://127.0.0.1:9/alice;tcp";
const BOB: &str = "msrp://127.0.0.1:9/bob;tcp";

/// A plain TCP connection to the relay on `port`, announced with `CONNECTED` (the relay
/// grants it a URI, which the orchestrator passes on).
async fn relay_socket(port: u16) -> Result<tokio::net::TcpStream, Error> {
    let socket = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let _ = socket.set_nodelay(true);
    println!("CONNECTED");
    std::io::stdout().flush()?;
    Ok(socket)
}

/// Sender over a plain TCP leg, a minimal MSRP client on the raw socket: takes its To-Path
/// (`TO <relay URI> <receiver's relay URI> <receiver>`), writes one SEND of `size` generated
/// bytes as a single chunk with `Success-Report: yes`, and waits for the receiver's success
/// REPORT through the relay. The time runs from the first byte written to that REPORT.
async fn msrp_tcp_send_via(port: u16, size: u64) -> Result<Report, Error> {
    let socket = relay_socket(port).await?;
    let mut stdin = stdin_lines();
    let to_path: Path = said(&mut stdin, "TO ").await?.parse()?;
    let started = Instant::now();
    let mut ids = IdGenerator::default();
    let tid = TransactionId::generate(&mut ids);
    let mut request = Request::new(tid, Method::Send, to_path, ALICE.parse()?);
    request
        .headers
        .push(Header::MessageId(MessageId::generate(&mut ids)));
    request
        .headers
        .push(Header::SuccessReport(SuccessReport::Yes));
    request.headers.push(Header::ByteRange(ByteRange::new(
        1,
        Some(size),
        Some(size),
    )?));
    request.content_type = Some(Text::new("application/octet-stream")?);
    let mut head = BytesMut::new();
    Head::Request(request).encode(&mut head);
    head.extend_from_slice(b"\r\n");
    let (mut reader, mut writer) = socket.into_split();
    writer.write_all(&head).await?;

    // The content must not hold the end-line (RFC 4975 §7.1): each buffer is searched with
    // the tail of the previous one in front of it.
    let mut end_line = b"\r\n-------".to_vec();
    end_line.extend_from_slice(tid.as_bytes());
    let finder = memchr::memmem::Finder::new(&end_line);
    let keep = end_line.len() - 1;
    let (mut source, _) = Generator::new(0x5eed, size, false);
    let mut buf = vec![0u8; keep + (64 << 10)];
    let mut carried = 0;
    loop {
        let n = source.next_into(&mut buf[carried..]);
        if n == 0 {
            break;
        }
        let filled = carried + n;
        if finder.find(&buf[..filled]).is_some() {
            return Err("the content holds the end-line".into());
        }
        writer.write_all(&buf[carried..filled]).await?;
        let tail = filled.saturating_sub(keep);
        buf.copy_within(tail..filled, 0);
        carried = filled - tail;
    }
    let mut end = BytesMut::from(&b"\r\n"[..]);
    encode_end_line(tid, Flag::Complete, &mut end);
    writer.write_all(&end).await?;

    // The relay's hop-by-hop 200 comes first; the receiver's REPORT ends the transfer.
    let mut decoder = Decoder::default();
    let mut input = BytesMut::with_capacity(4096);
    loop {
        while let Some(frame) = decoder.decode(&mut input)? {
            if let Frame::Head(Head::Request(r)) = frame
                && r.method == Method::Report
            {
                let status = r.headers.status().map(|s| s.code());
                if status != Some(StatusCode::Ok) {
                    return Err(format!("a REPORT with status {status:?}").into());
                }
                let secs = started.elapsed().as_secs_f64();
                return Ok(Report {
                    bytes: size,
                    secs,
                    rss_kib: peak_rss_kib(),
                    sha256: "-".to_owned(),
                    ..Report::default()
                });
            }
        }
        if reader.read_buf(&mut input).await? == 0 {
            return Err("the relay closed before the REPORT".into());
        }
    }
}

/// Receiver over a plain TCP leg, a minimal MSRP client on the raw socket: answers every
/// chunk the relay forwards with 200 and, once the message is complete with `size` bytes,
/// sends the success REPORT back through the relay; then waits for stdin to close.
async fn msrp_tcp_receive_via(port: u16, size: u64) -> Result<Report, Error> {
    let socket = relay_socket(port).await?;
    let (mut reader, mut writer) = socket.into_split();
    let bob: Path = BOB.parse()?;
    let mut ids = IdGenerator::default();
    let mut decoder = Decoder::default();
    let mut input = BytesMut::new();
    let (mut total, mut started, mut current) = (0u64, None, None::<Request>);
    'read: loop {
        while let Some(frame) = decoder.decode(&mut input)? {
            match frame {
                Frame::Head(Head::Request(r)) => {
                    started.get_or_insert_with(Instant::now);
                    current = Some(r);
                }
                Frame::Data(data) => total += data.len() as u64,
                Frame::Rejected(rejection) => {
                    return Err(format!("a message rejected: {rejection:?}").into());
                }
                Frame::End(flag) => {
                    let Some(r) = current.take().filter(|r| r.method == Method::Send) else {
                        continue;
                    };
                    let ok = Message {
                        head: Head::Response(r.response(StatusCode::Ok, bob.clone())),
                        body: None,
                        flag: Flag::Complete,
                    };
                    writer.write_all(&ok.to_bytes()?).await?;
                    if flag != Flag::Complete {
                        continue;
                    }
                    if total != size {
                        return Err(format!("a message of {total} bytes, not {size}").into());
                    }
                    let tid = TransactionId::generate(&mut ids);
                    let mut report = Request::new(tid, Method::Report, r.from_path.clone(), bob);
                    let id = r.headers.message_id().ok_or("a SEND without Message-ID")?;
                    report.headers.push(Header::MessageId(id));
                    report.headers.push(Header::ByteRange(ByteRange::new(
                        1,
                        Some(size),
                        Some(size),
                    )?));
                    report
                        .headers
                        .push(Header::Status(ReportStatus::new(StatusCode::Ok)));
                    let report = Message {
                        head: Head::Request(report),
                        body: None,
                        flag: Flag::Complete,
                    };
                    writer.write_all(&report.to_bytes()?).await?;
                    break 'read;
                }
                // Responses (none come here) and frames of later decoder versions.
                _ => {}
            }
        }
        input.reserve(64 << 10);
        if reader.read_buf(&mut input).await? == 0 {
            return Err("the relay closed early".into());
        }
    }
    let secs = started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    // The REPORT has to reach the sender before this connection closes.
    let mut stdin = stdin_lines();
    while stdin.recv().await.is_some() {}
    Ok(Report {
        bytes: total,
        secs,
        rss_kib: peak_rss_kib(),
        sha256: "-".to_owned(),
        ..Report::default()
    })
}

/// A child process of this binary, talked to by lines.
struct Process {
    child: Child,
    stdin: Option<ChildStdin>,
    out: BufReader<ChildStdout>,
}

impl Process {
    fn start(args: &[String]) -> Result<Self, Error> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let out = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        Ok(Self { child, stdin, out })
    }

    /// Reads lines until one starts with `prefix`; returns the rest of it.
    fn expect(&mut self, prefix: &str) -> Result<String, Error> {
        let mut line = String::new();
        loop {
            line.clear();
            if self.out.read_line(&mut line)? == 0 {
                let status = self.child.wait()?;
                return Err(format!("a child ended ({status}) before saying {prefix:?}").into());
            }
            if let Some(rest) = line.trim_end().strip_prefix(prefix) {
                return Ok(rest.to_owned());
            }
        }
    }

    fn say(&mut self, line: &str) -> Result<(), Error> {
        let stdin = self.stdin.as_mut().ok_or("stdin closed")?;
        writeln!(stdin, "{line}")?;
        stdin.flush()?;
        Ok(())
    }

    /// Its report line, then its exit.
    fn report(mut self) -> Result<Report, Error> {
        drop(self.stdin.take());
        let line = self.expect("RESULT ")?;
        let status = self.child.wait()?;
        if !status.success() {
            return Err(format!("a child failed ({status})").into());
        }
        parse_report(&format!("RESULT {line}")).ok_or_else(|| "a bad report".into())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Relay, receiver and sender: the sender's, receiver's and relay's reports.
fn through_relay(size: u64) -> Result<(Report, Report, Report), Error> {
    let mut relay = Process::start(&[s("relay")])?;
    let line = relay.expect("RELAY ")?;
    let (port, hex) = line.split_once(' ').ok_or("a bad relay line")?;
    let mut rx = Process::start(&[s("msrp-recv-via"), s(port), s(hex), s(size)])?;
    let receiver_path = rx.expect("PATH ")?;
    let mut tx = Process::start(&[s("msrp-send-via"), s(port), s(hex), s(size), receiver_path])?;
    let sender_path = tx.expect("PATH ")?;
    rx.say(&format!("PEER {sender_path}"))?;
    rx.expect("READY")?;
    tx.say("GO")?;
    reports(tx, rx, relay, size)
}

/// The sender's, receiver's and relay's reports, once both clients moved `size` bytes.
fn reports(
    tx: Process,
    rx: Process,
    relay: Process,
    size: u64,
) -> Result<(Report, Report, Report), Error> {
    let sent = tx.report()?;
    let received = rx.report()?;
    let relayed = relay.report()?;
    if sent.bytes != size || received.bytes != size {
        return Err(format!("moved {} / {} of {size} bytes", sent.bytes, received.bytes).into());
    }
    Ok((sent, received, relayed))
}

/// The relay with plain TCP legs and the two raw MSRP clients: the same three reports.
fn through_relay_tcp(size: u64) -> Result<(Report, Report, Report), Error> {
    let mut relay = Process::start(&[s("relay-tcp")])?;
    let line = relay.expect("RELAY ")?;
    let port = line
        .split_once(' ')
        .map_or(line.as_str(), |(p, _)| p)
        .to_owned();
    let mut rx = Process::start(&[s("msrp-tcp-recv-via"), port.clone(), s(size)])?;
    rx.expect("CONNECTED")?;
    let receiver_uri = relay.expect("GRANTED ")?;
    let mut tx = Process::start(&[s("msrp-tcp-send-via"), port, s(size)])?;
    tx.expect("CONNECTED")?;
    let sender_uri = relay.expect("GRANTED ")?;
    tx.say(&format!("TO {sender_uri} {receiver_uri} {BOB}"))?;
    reports(tx, rx, relay, size)
}

/// Forwarder, receiver and sender over plain TCP (or TLS): the same three reports.
fn through_forwarder(size: u64, tls: bool) -> Result<(Report, Report, Report), Error> {
    let mut forwarder = Process::start(&[s("forwarder"), s(u8::from(tls))])?;
    let line = forwarder.expect("PORT ")?;
    let (port, hex) = line.split_once(' ').ok_or("a bad forwarder line")?;
    let mut rx = Process::start(&[s("tcp-recv-via"), s(port), s(hex), s(size)])?;
    rx.expect("CONNECTED")?;
    let tx = Process::start(&[s("tcp-send-via"), s(port), s(hex), s(size)])?;
    let sent = tx.report()?;
    let received = rx.report()?;
    let forwarded = forwarder.report()?;
    if received.bytes != size {
        return Err(format!("moved {} of {size} bytes", received.bytes).into());
    }
    Ok((sent, received, forwarded))
}

/// Tokio workers per process unless `BENCH_THREADS` says otherwise: the cores shared by
/// the three processes (one each on a 2-core machine, where 2 workers each would put six
/// busy threads on two cores).
fn workers() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    (cores / 3).max(1)
}

/// CPU seconds of the three processes (sender, relay or forwarder, receiver) over rounds.
#[derive(Default)]
struct Cpu([Vec<f64>; 3]);

impl Cpu {
    fn add(&mut self, (sent, received, middle): &(Report, Report, Report)) {
        self.0[0].push(sent.cpu);
        self.0[1].push(middle.cpu);
        self.0[2].push(received.cpu);
    }

    fn medians(&mut self) -> [f64; 3] {
        let [a, b, c] = &mut self.0;
        [median(a), median(b), median(c)]
    }
}

fn orchestrate(small: bool) -> Result<(), Error> {
    let through = if small { 256 * MIB } else { 1 << 30 };
    let sizes: &[u64] = if small {
        &[64 * MIB, 256 * MIB]
    } else {
        &[64 * MIB, 1 << 30, 4 << 30]
    };
    println!("relay bench: sender, relay (or forwarder) and receiver are separate processes");
    let threads = std::env::var("BENCH_THREADS").unwrap_or_else(|_| workers().to_string());
    println!(
        "machine: {} cpus; tokio workers per process: {threads}; content from a seeded generator; hashing off",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "\n## throughput, {} MiB, side by side ({RELAY_ROUNDS} rounds alternating; medians)",
        through / MIB
    );
    let (mut tcp, mut tls, mut msrp, mut msrp_tcp) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut tcp_cpu, mut tls_cpu, mut msrp_cpu, mut msrp_tcp_cpu) = (
        Cpu::default(),
        Cpu::default(),
        Cpu::default(),
        Cpu::default(),
    );
    let (mut tcp_rss, mut relay_rss, mut relay_tcp_rss) = (0, 0, 0);
    for _ in 0..RELAY_ROUNDS {
        let run = through_forwarder(through, false)?;
        tcp.push(mib_s(through, run.0.secs));
        tcp_rss = tcp_rss.max(run.2.rss_kib);
        tcp_cpu.add(&run);
        let run = through_relay_tcp(through)?;
        msrp_tcp.push(mib_s(through, run.0.secs));
        relay_tcp_rss = relay_tcp_rss.max(run.2.rss_kib);
        msrp_tcp_cpu.add(&run);
        let run = through_forwarder(through, true)?;
        tls.push(mib_s(through, run.0.secs));
        tls_cpu.add(&run);
        let run = through_relay(through)?;
        msrp.push(mib_s(through, run.0.secs));
        relay_rss = relay_rss.max(run.2.rss_kib);
        msrp_cpu.add(&run);
    }
    let (tcp, tls, msrp) = (median(&mut tcp), median(&mut tls), median(&mut msrp));
    let msrp_tcp = median(&mut msrp_tcp);
    println!(
        "plain TCP forwarder                      {tcp:7.0} MiB/s  (forwarder peak RSS {tcp_rss} KiB)"
    );
    println!(
        "MSRP relay, plain TCP legs (URIs granted) {msrp_tcp:6.0} MiB/s  (relay peak RSS {relay_tcp_rss} KiB) = {:.0} % of plain TCP",
        msrp_tcp / tcp * 100.0
    );
    println!(
        "TLS forwarder (the relay's TLS legs)     {tls:7.0} MiB/s  = {:.0} % of plain TCP",
        tls / tcp * 100.0
    );
    println!(
        "MSRP relay (TLS legs, AUTH, re-chunked)  {msrp:7.0} MiB/s  (relay peak RSS {relay_rss} KiB) = {:.0} % of plain TCP, {:.0} % of TLS",
        msrp / tcp * 100.0,
        msrp / tls * 100.0
    );
    let gib = through as f64 / (1u64 << 30) as f64;
    println!("\nCPU seconds per GiB moved (medians; sender / middle / receiver = all)");
    for (name, cpu) in [
        ("plain TCP forwarder", &mut tcp_cpu),
        ("MSRP relay, plain TCP legs", &mut msrp_tcp_cpu),
        ("TLS forwarder", &mut tls_cpu),
        ("MSRP relay, TLS legs", &mut msrp_cpu),
    ] {
        let [tx, mid, rx] = cpu.medians().map(|c| c / gib);
        println!(
            "{name:40} {tx:5.2} / {mid:5.2} / {rx:5.2} = {:5.2}",
            tx + mid + rx
        );
    }

    println!("\n## relay peak RSS against message size");
    let mut peaks = Vec::new();
    for &size in sizes {
        let (sent, received, relayed) = through_relay(size)?;
        println!(
            "{:6} MiB  relay {:6} KiB  (sender {} KiB, receiver {} KiB; {:.0} MiB/s)",
            size / MIB,
            relayed.rss_kib,
            sent.rss_kib,
            received.rss_kib,
            mib_s(size, sent.secs)
        );
        peaks.push(relayed.rss_kib);
    }
    let smallest = peaks.first().copied().unwrap_or(0);
    let largest = peaks.iter().copied().max().unwrap_or(0);
    if largest > RSS_LIMIT_KIB || largest > smallest + RSS_GROWTH_KIB {
        return Err(format!(
            "relay peak RSS not flat: {smallest} KiB at the smallest size, {largest} KiB at most"
        )
        .into());
    }
    println!(
        "\nok: every transfer complete; relay peak RSS flat ({smallest} -> {largest} KiB, limit {RSS_LIMIT_KIB} KiB)"
    );
    Ok(())
}

fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let role = args.first().cloned().unwrap_or_default();
    run(args).map_err(|e| format!("{}: {e}", if role.is_empty() { "bench" } else { &role }).into())
}

fn run(args: Vec<String>) -> Result<(), Error> {
    let role = args.first().map_or("", String::as_str);
    let text = |i: usize| -> Result<String, Error> {
        args.get(i)
            .cloned()
            .ok_or_else(|| format!("argument {i} missing").into())
    };
    let result = match role {
        "relay" => runtime(workers())?.block_on(relay_role())?,
        "relay-tcp" => runtime(workers())?.block_on(relay_tcp_role())?,
        "msrp-tcp-recv-via" => {
            let (port, size) = (number(&args, 1)?, number(&args, 2)?);
            runtime(workers())?.block_on(msrp_tcp_receive_via(port, size))?
        }
        "msrp-tcp-send-via" => {
            let (port, size) = (number(&args, 1)?, number(&args, 2)?);
            runtime(workers())?.block_on(msrp_tcp_send_via(port, size))?
        }
        "forwarder" => {
            runtime(workers())?.block_on(forwarder_role(number::<u8>(&args, 1)? == 1))?
        }
        "msrp-recv-via" => {
            let (port, hex, size) = (number(&args, 1)?, text(2)?, number(&args, 3)?);
            runtime(workers())?.block_on(msrp_receive_via(port, &hex, size))?
        }
        "msrp-send-via" => {
            let (port, hex, size, peer) =
                (number(&args, 1)?, text(2)?, number(&args, 3)?, text(4)?);
            runtime(workers())?.block_on(msrp_send_via(port, &hex, size, &peer))?
        }
        "tcp-recv-via" => {
            let (port, hex, size) = (number(&args, 1)?, text(2)?, number(&args, 3)?);
            runtime(workers())?.block_on(tcp_receive_via(port, &hex, size))?
        }
        "tcp-send-via" => {
            let (port, hex, size) = (number(&args, 1)?, text(2)?, number(&args, 3)?);
            runtime(workers())?.block_on(tcp_send_via(port, &hex, size))?
        }
        "" | "--small" => return orchestrate(role == "--small"),
        other => return Err(format!("unknown role {other:?}").into()),
    };
    report(&result);
    std::io::stdout().flush()?;
    Ok(())
}
