//! MSRP file transfer over loopback TCP with the `codec` feature.
//!
//! A receiver listens on 127.0.0.1 (OS-assigned port); a sender connects (the active side),
//! sends a generated "file" as interruptible 64 KiB SEND chunks (`Byte-Range: n-*/total`,
//! `+` then `$`), and the receiver answers each chunk with a hop-by-hop 200, reassembles the
//! body from zero-copy frames into a running checksum, and verifies size and checksum at the end.
//!
//! ```text
//! cargo run --release -p msrp --features codec --example loopback -- [MiB, default 64]
//! ```

use std::time::Instant;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use msrp::codec::MsrpCodec;
use msrp::{
    ByteRange, Flag, Frame, Head, Header, IdGenerator, Message, MessageId, Method, MsrpUri, Path,
    Request, StatusCode, Text, TransactionId,
};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::Framed;

const CHUNK: usize = 64 * 1024;

/// FNV-1a, enough to show that what arrived is what was sent.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
    fn update(&mut self, data: &[u8]) {
        for &b in data {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Deterministic file content: chunk `i` of the file.
fn file_chunk(i: u64, len: usize) -> Bytes {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect::<Vec<u8>>()
        .into()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mib: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(64);
    let total = mib * 1024 * 1024;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let bob: MsrpUri = format!("msrp://127.0.0.1:{port}/bobsession1;tcp").parse()?;
    let alice: MsrpUri = "msrp://127.0.0.1:9/alicesession1;tcp".parse()?;
    println!("receiver listening on 127.0.0.1:{port}, sending {mib} MiB");

    let receiver_uri = bob.clone();
    let receiver = tokio::spawn(async move {
        let (socket, _) = listener.accept().await?;
        let mut framed = Framed::new(socket, MsrpCodec::default());
        let mut sum = Fnv::new();
        let mut received = 0u64;
        let mut chunks = 0u64;
        while let Some(frame) = framed.next().await {
            match frame? {
                Frame::Head(Head::Request(req)) => {
                    // Hop-by-hop 200 for every SEND chunk (Failure-Report defaults to yes).
                    let ok = req.response(StatusCode::Ok, Path::new(receiver_uri.clone()));
                    let msg = Message {
                        head: Head::Response(ok),
                        body: None,
                        flag: Flag::Complete,
                    };
                    framed.send(msg).await?;
                    chunks += 1;
                }
                Frame::Data(data) => {
                    sum.update(&data);
                    received += data.len() as u64;
                }
                Frame::End(Flag::Complete) => {
                    return Ok::<_, Box<dyn std::error::Error + Send + Sync>>((
                        received, sum.0, chunks,
                    ));
                }
                Frame::End(_) | Frame::Head(Head::Response(_)) => {}
                Frame::Rejected(r) => return Err(format!("rejected: {}", r.error).into()),
                _ => {}
            }
        }
        Err("connection closed before the message completed".into())
    });

    let start = Instant::now();
    let socket = TcpStream::connect(("127.0.0.1", port)).await?;
    socket.set_nodelay(true)?;
    let mut framed = Framed::new(socket, MsrpCodec::default());
    let mut ids = IdGenerator::default();
    let message_id = MessageId::generate(&mut ids);
    let mut sent_sum = Fnv::new();
    let mut offset = 0u64;
    let mut index = 0u64;
    let mut ok_count = 0u64;
    while offset < total {
        let len = CHUNK.min((total - offset) as usize);
        let body = file_chunk(index, len);
        sent_sum.update(&body);
        let last = offset + len as u64 == total;
        let mut req = Request::new(
            TransactionId::generate(&mut ids),
            Method::Send,
            Path::new(bob.clone()),
            Path::new(alice.clone()),
        );
        req.headers.push(Header::MessageId(message_id));
        // Chunks over 2048 octets are interruptible: range-end "*" (RFC 4975 §7.1.1).
        req.headers.push(Header::ByteRange(ByteRange::new(
            offset + 1,
            None,
            Some(total),
        )?));
        req.content_type = Some(Text::new("application/octet-stream")?);
        let msg = Message {
            head: Head::Request(req),
            body: Some(body),
            flag: if last {
                Flag::Complete
            } else {
                Flag::Continued
            },
        };
        framed.feed(msg).await?;
        offset += len as u64;
        index += 1;
        // Drain 200s as they come without blocking the pipeline.
        while let Some(Some(frame)) = futures_util::FutureExt::now_or_never(framed.next()) {
            if let Frame::Head(Head::Response(r)) = frame? {
                ok_count += u64::from(r.status == StatusCode::Ok);
            }
        }
    }
    SinkExt::<Message>::flush(&mut framed).await?;
    while ok_count < index {
        match framed.next().await {
            Some(frame) => {
                if let Frame::Head(Head::Response(r)) = frame? {
                    ok_count += u64::from(r.status == StatusCode::Ok);
                }
            }
            None => break,
        }
    }
    let (received, recv_sum, chunks) = receiver.await?.map_err(|e| e.to_string())?;
    let secs = start.elapsed().as_secs_f64();
    println!(
        "sent {index} chunks, {ok_count} answered 200; receiver saw {chunks} chunks, {received} bytes"
    );
    println!(
        "{:.1} MiB in {:.3} s = {:.0} MiB/s",
        total as f64 / (1 << 20) as f64,
        secs,
        total as f64 / (1 << 20) as f64 / secs
    );
    if received != total || recv_sum != sent_sum.0 || ok_count != index {
        return Err("transfer verification failed".into());
    }
    println!("verified: size and checksum match");
    Ok(())
}
