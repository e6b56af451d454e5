//! Fuzzing harnesses, compiled under `cfg(fuzzing)` (cargo-fuzz sets it) and in tests.
//!
//! Each function takes the fuzzer's input and panics when an invariant breaks, so every target in
//! `fuzz/` is a few lines. The same functions run in this crate's unit tests over the RFC
//! examples.

use bytes::BytesMut;

mod endpoint;
pub use endpoint::endpoint;

#[cfg(feature = "relay")]
mod relay;
#[cfg(feature = "relay")]
pub use relay::relay_digest;
#[cfg(feature = "relay")]
mod relay_engine;
#[cfg(feature = "relay")]
pub use relay_engine::relay_engine;

use crate::{
    ChunkSender, Decoder, DecoderConfig, Flag, Frame, Head, IdGenerator, Message, MessageId,
    MessageTemplate, Request, Text,
};

/// What a stream decodes to, with data pieces merged, so that differently split inputs compare
/// equal when they decode to the same messages.
#[derive(Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // a test harness type; clarity over size
pub enum Event {
    /// A head.
    Head(Head),
    /// Body data (adjacent pieces merged).
    Data(Vec<u8>),
    /// An end-line.
    End(Flag),
    /// A rejected message (recoverable error).
    Rejected(crate::DecodeError),
    /// A fatal error; the stream ends.
    Fatal(crate::DecodeError),
}

/// Decodes `pieces` fed one after another into one buffer, checking the decoder's invariants.
pub fn decode_pieces<'a>(
    config: &DecoderConfig,
    pieces: impl IntoIterator<Item = &'a [u8]>,
) -> Vec<Event> {
    let mut decoder = Decoder::new(config.clone());
    let mut buf = BytesMut::new();
    let mut events = Vec::new();
    let mut fed = 0u64;
    let mut in_body = false;
    'outer: for piece in pieces {
        buf.extend_from_slice(piece);
        fed += piece.len() as u64;
        loop {
            let before = buf.len();
            match decoder.decode(&mut buf) {
                Ok(None) => break,
                Ok(Some(frame)) => {
                    match frame {
                        Frame::Head(h) => {
                            assert!(!in_body, "head inside a body");
                            in_body = h.has_body();
                            events.push(Event::Head(h));
                        }
                        Frame::Data(d) => {
                            assert!(in_body, "data outside a body");
                            assert!(!d.is_empty(), "empty data frame");
                            if let Some(Event::Data(prev)) = events.last_mut() {
                                prev.extend_from_slice(&d);
                            } else {
                                events.push(Event::Data(d.to_vec()));
                            }
                        }
                        Frame::End(f) => {
                            in_body = false;
                            events.push(Event::End(f));
                        }
                        Frame::Rejected(r) => {
                            assert!(r.error.is_recoverable());
                            in_body = false;
                            events.push(Event::Rejected(r.error));
                        }
                    }
                    assert!(buf.len() <= before, "decoder grew the buffer");
                }
                Err(e) => {
                    assert!(e.is_fatal());
                    // A failed decoder stays failed.
                    assert_eq!(decoder.decode(&mut buf), Err(e));
                    events.push(Event::Fatal(e));
                    break 'outer;
                }
            }
        }
        // Bounded memory: what the decoder keeps is limited by its configuration (head limit
        // or the end-line being matched), never by the body size.
        let bound = config
            .max_head
            .max(config.max_start_line)
            .max(config.max_header_line)
            .saturating_add(64);
        assert!(buf.len() <= bound, "decoder holds {} bytes", buf.len());
        assert!(decoder.bytes_examined() <= fed, "searched a byte twice");
    }
    events
}

/// Raw bytes: decoding never panics and keeps its invariants.
pub fn decode_raw(data: &[u8]) {
    let config = DecoderConfig::default()
        .with_max_head(2048)
        .with_max_header_line(512);
    let _ = decode_pieces(&config, [data]);
}

/// The same bytes split at input-chosen points decode exactly as in one piece.
///
/// The first byte picks how many split points follow (as 2-byte offsets); the rest is the stream.
pub fn split_equivalence(data: &[u8]) {
    let Some((&n, rest)) = data.split_first() else {
        return;
    };
    let n = usize::from(n % 16);
    let Some(offsets) = rest.get(..2 * n) else {
        return;
    };
    let stream = &rest[2 * n..];
    let mut cuts: Vec<usize> = offsets
        .chunks(2)
        .map(|c| usize::from(u16::from_le_bytes([c[0], c[1]])) % (stream.len() + 1))
        .collect();
    cuts.sort_unstable();
    let mut pieces = Vec::new();
    let mut prev = 0;
    for c in cuts.into_iter().chain(std::iter::once(stream.len())) {
        pieces.push(&stream[prev..c]);
        prev = c;
    }
    // Small limits, so that limit verdicts are reached and compared too.
    let config = DecoderConfig::default()
        .with_max_start_line(64)
        .with_max_header_line(96)
        .with_max_headers(8)
        .with_max_head(400)
        .with_max_non_send_body(64)
        .with_max_message_size(1024);
    let whole = decode_pieces(&config, [stream]);
    let split = decode_pieces(&config, pieces.iter().copied());
    assert_eq!(whole, split);
    // Also with the default limits.
    let config = DecoderConfig::default();
    assert_eq!(
        decode_pieces(&config, [stream]),
        decode_pieces(&config, pieces)
    );
}

/// Every message that decodes re-encodes to bytes that decode to the same message.
pub fn decode_encode_decode(data: &[u8]) {
    let config = DecoderConfig::default();
    let events = decode_pieces(&config, [data]);
    for msg in messages(events) {
        let wire = match msg.to_bytes() {
            Ok(wire) => wire,
            // The decoder tolerates seven dashes and the transaction id inside a body (only
            // the exact end-line ends it); the encoder refuses to write them (RFC 4975 §7.1).
            Err(crate::EncodeError::EndLineInBody) => continue,
            Err(e) => panic!("a decoded message does not encode: {e}"),
        };
        // Re-encoding normalises (e.g. adds the space after a colon), so the second decode
        // gets room beyond the first one's limits.
        let again = messages(decode_pieces(&generous(), [&wire[..]]));
        assert_eq!(again, vec![msg]);
    }
}

/// A structured message (from `arbitrary`) encodes and decodes back to itself, once normalised
/// to what the wire can carry.
pub fn encode_decode(msg: Message) {
    let Some(msg) = normalise(msg) else {
        return;
    };
    let wire = match msg.to_bytes() {
        Ok(wire) => wire,
        Err(crate::EncodeError::EndLineInBody) => return,
        Err(e) => panic!("a normalised message does not encode: {e}"),
    };
    let decoded = messages(decode_pieces(&generous(), [&wire[..]]));
    assert_eq!(
        decoded,
        vec![msg],
        "wire: {:?}",
        String::from_utf8_lossy(&wire)
    );
}

/// Limits that any message our encoder writes fits in.
fn generous() -> DecoderConfig {
    DecoderConfig::default()
        .with_max_message_size(u64::MAX)
        .with_max_non_send_body(u64::MAX)
        .with_max_start_line(usize::MAX)
        .with_max_headers(usize::MAX)
        .with_max_head(usize::MAX)
        .with_max_header_line(usize::MAX)
}

/// Reduces an arbitrary message to one the wire can represent: a request's body and
/// Content-Type go together (with a valid media type), a response has neither and ends with
/// `$`, and singular headers appear once.
fn normalise(mut msg: Message) -> Option<Message> {
    match &mut msg.head {
        Head::Request(r) => {
            r.headers = r.headers.iter().cloned().collect();
            if r.content_type.is_some() || msg.body.is_some() {
                r.content_type = Some(crate::Text::new("text/plain").ok()?);
                msg.body.get_or_insert_with(Default::default);
            }
        }
        Head::Response(r) => {
            r.headers = r.headers.iter().cloned().collect();
            msg.body = None;
            msg.flag = Flag::Complete;
        }
    }
    Some(msg)
}

/// Assembles complete messages from events (dropping rejected and partial ones).
pub fn messages(events: Vec<Event>) -> Vec<Message> {
    let mut out = Vec::new();
    let mut current: Option<(Head, Option<Vec<u8>>)> = None;
    for e in events {
        match e {
            Event::Head(h) => {
                let body = h.has_body().then(Vec::new);
                current = Some((h, body));
            }
            Event::Data(d) => {
                if let Some((_, Some(body))) = &mut current {
                    body.extend_from_slice(&d);
                }
            }
            Event::End(flag) => {
                if let Some((head, body)) = current.take() {
                    out.push(Message {
                        head,
                        body: body.map(Into::into),
                        flag,
                    });
                }
            }
            Event::Rejected(_) | Event::Fatal(_) => current = None,
        }
    }
    out
}

/// An id generator from a seed (a small LCG: fuzzing wants reproducibility, not secrecy).
pub fn seeded_ids(seed: u64) -> IdGenerator {
    let mut state = seed;
    IdGenerator::from_fn(move |buf: &mut [u8]| {
        for b in buf.iter_mut() {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            *b = (state >> 56) as u8;
        }
    })
}

/// Decodes sender output into chunks and checks the chunking rules of RFC 4975 §7.1.1: every
/// chunk has a Byte-Range starting where the previous one ended and the stated total, chunks
/// over 2048 octets are interruptible, a stated range-end matches the data, only the last chunk
/// ends with `$` (or `#` when `aborted`), transaction ids are fresh, no body holds its own
/// end-line, and the bodies concatenate to `body`. Returns the chunks.
pub fn check_chunks(
    wire: &[u8],
    body: &[u8],
    total: Option<u64>,
    aborted: bool,
) -> Vec<(Request, Vec<u8>, Flag)> {
    let mut chunks: Vec<(Request, Vec<u8>, Flag)> = Vec::new();
    let mut current: Option<(Request, Vec<u8>)> = None;
    for e in decode_pieces(&DecoderConfig::default(), [wire]) {
        match e {
            Event::Head(Head::Request(r)) => current = Some((r, Vec::new())),
            Event::Data(d) => current
                .as_mut()
                .expect("data in a chunk")
                .1
                .extend_from_slice(&d),
            Event::End(f) => {
                let (r, b) = current.take().expect("end of a chunk");
                chunks.push((r, b, f));
            }
            other => panic!("sender output decoded to {other:?}"),
        }
    }
    let mut rebuilt = Vec::new();
    let mut tids = std::collections::HashSet::new();
    for (i, (req, data, flag)) in chunks.iter().enumerate() {
        let range = req
            .headers
            .byte_range()
            .expect("every chunk has a Byte-Range");
        assert_eq!(range.start(), rebuilt.len() as u64 + 1, "chunk {i} start");
        assert_eq!(range.total(), total, "chunk {i} total");
        if data.len() > crate::INTERRUPTIBLE_THRESHOLD {
            assert_eq!(
                range.end(),
                None,
                "chunk {i} over 2048 must be interruptible"
            );
        }
        if let Some(end) = range.end() {
            assert_eq!(end, range.start() - 1 + data.len() as u64, "chunk {i} end");
        }
        let last = i + 1 == chunks.len();
        let want = match (last, aborted) {
            (false, _) => Flag::Continued,
            (true, false) => Flag::Complete,
            (true, true) => Flag::Aborted,
        };
        assert_eq!(*flag, want, "chunk {i} flag");
        assert!(
            tids.insert(req.transaction_id),
            "chunk {i} reuses a transaction id"
        );
        let mut pattern = b"-------".to_vec();
        pattern.extend_from_slice(req.transaction_id.as_bytes());
        assert!(
            memchr::memmem::find(data, &pattern).is_none(),
            "chunk {i} holds its end-line"
        );
        rebuilt.extend_from_slice(data);
    }
    if aborted {
        assert!(
            body.starts_with(&rebuilt),
            "aborted chunks are a prefix of the body"
        );
    } else {
        assert_eq!(rebuilt, body, "chunks reassemble to the body");
    }
    chunks
}

/// The chunk sender, driven with input-chosen piece sizes, slice budgets and interruption
/// points, writes chunks that obey the rules and reassemble to the body.
///
/// Input: a seed byte, a flags byte (bit 0: total known), 8 control bytes, then the body.
pub fn sender_roundtrip(data: &[u8]) {
    let Some((control, body)) = data.split_at_checked(10) else {
        return;
    };
    let mut ids = seeded_ids(u64::from(control[0]));
    let known = control[1] & 1 == 1;
    let total = known.then_some(body.len() as u64);
    let template = MessageTemplate::new(
        crate::Path::new(
            crate::MsrpUri::parse("msrp://b.example.com:9/s2;tcp").expect("valid URI"),
        ),
        crate::Path::new(
            crate::MsrpUri::parse("msrp://a.example.com:9/s1;tcp").expect("valid URI"),
        ),
        MessageId::generate(&mut ids),
        Text::new("application/octet-stream").expect("valid media type"),
    );
    let mut sender = ChunkSender::new(template, total, 6000);
    let ops = &control[2..];
    let mut wire = Vec::new();
    let mut fed = 0usize;
    let mut finished = false;
    let mut step = 0usize;
    while !sender.is_done() {
        let op = usize::from(ops[step % ops.len()]);
        step += 1;
        assert!(step < 10 * (body.len() + 100), "sender stalled");
        let want = (op * 37 % 3000 + 1)
            .min(sender.room())
            .min(body.len() - fed);
        if want > 0 {
            sender
                .push(bytes::Bytes::copy_from_slice(&body[fed..fed + want]))
                .expect("push within room");
            fed += want;
        }
        if fed == body.len() && !finished {
            sender.finish().expect("the whole body was pushed");
            finished = true;
        }
        if op & 1 == 1 {
            if let Some(end) = sender.interrupt() {
                wire.extend_from_slice(&end);
            }
        }
        if let Some(seg) = sender.poll_segment(&mut ids, op * 131 % 5000 + 1) {
            wire.extend_from_slice(&seg);
        }
    }
    let chunks = check_chunks(&wire, body, total, false);
    // And through the in-order reassembler, with the chunks in reverse order.
    let mut r =
        crate::Reassembler::new(crate::SinkKind::InOrder, crate::ReassemblyConfig::default());
    let mut out = Vec::new();
    let mut complete = None;
    for (req, data, flag) in chunks.iter().rev() {
        let mid = req
            .headers
            .message_id()
            .expect("chunks carry the Message-ID");
        let mut cursor = r
            .chunk(mid, req.headers.byte_range())
            .expect("chunk accepted");
        r.data(&mut cursor, bytes::Bytes::copy_from_slice(data))
            .expect("data accepted");
        r.end(cursor, *flag).expect("end accepted");
        while let Some(o) = r.poll_output() {
            match o {
                crate::Output::Deliver { data, .. } => out.extend_from_slice(&data),
                crate::Output::Complete { size, .. } => complete = Some(size),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(out, body, "reassembled body");
    assert_eq!(complete, Some(body.len() as u64));
}

/// Arbitrary chunk sequences of a few messages into both sinks: memory stays within the limits,
/// nothing completes without all its bytes, and both sinks agree with the chunks' content.
///
/// Input: repeated records of `[message (2 bits) | flag (2 bits) | .., start (2 bytes), len
/// (1 byte)]`; chunk bytes are a function of their position, so any reassembly can be checked.
pub fn reassembly(data: &[u8]) {
    use crate::{Output, Reassembler, ReassemblyConfig, SinkKind};
    let config = ReassemblyConfig {
        max_messages: 3,
        max_intervals: 16,
        max_window: 300,
        max_buffered: 500,
        max_message_size: 2000,
        ..ReassemblyConfig::default()
    };
    let byte_at = |m: usize, pos: u64| (pos as usize * 7 + m * 13) as u8;
    let ids: Vec<MessageId> = (0..4)
        .map(|i| MessageId::parse(format!("fuzzmsg{i}")).expect("valid id"))
        .collect();
    for kind in [SinkKind::Positional, SinkKind::InOrder] {
        let mut r = Reassembler::new(kind, config.clone());
        // Per message: what the sink produced.
        let mut written: Vec<Vec<Option<u8>>> = vec![Vec::new(); 4];
        let mut delivered: Vec<Vec<u8>> = vec![Vec::new(); 4];
        for rec in data.chunks_exact(4) {
            let m = usize::from(rec[0] & 3);
            let flag = match (rec[0] >> 2) & 3 {
                0 | 1 => Flag::Continued,
                2 => Flag::Complete,
                _ => Flag::Aborted,
            };
            let start = u64::from(u16::from_le_bytes([rec[1], rec[2]])) % 2100 + 1;
            let len = u64::from(rec[3]);
            let total = (rec[0] & 16 != 0).then_some(start - 1 + len);
            let Ok(range) = crate::ByteRange::new(start, None, total) else {
                continue;
            };
            let bytes: Vec<u8> = (start..start + len).map(|p| byte_at(m, p)).collect();
            // Errors also come out as `Output::Failed`, in order with the rest.
            let _ = r.chunk(ids[m], Some(range)).and_then(|mut cursor| {
                r.data(&mut cursor, bytes::Bytes::from(bytes))?;
                r.end(cursor, flag)
            });
            assert!(r.in_progress() <= config.max_messages);
            assert!(r.buffered() <= config.max_buffered);
            while let Some(out) = r.poll_output() {
                match out {
                    Output::Write {
                        message_id,
                        offset,
                        data,
                    } => {
                        let m = ids.iter().position(|i| *i == message_id).expect("known id");
                        let end = offset as usize + data.len();
                        if written[m].len() < end {
                            written[m].resize(end, None);
                        }
                        for (k, b) in data.iter().enumerate() {
                            assert_eq!(*b, byte_at(m, offset + 1 + k as u64), "content");
                            written[m][offset as usize + k] = Some(*b);
                        }
                    }
                    Output::Deliver { message_id, data } => {
                        let m = ids.iter().position(|i| *i == message_id).expect("known id");
                        delivered[m].extend_from_slice(&data);
                        for (k, b) in delivered[m].iter().enumerate() {
                            assert_eq!(*b, byte_at(m, 1 + k as u64), "in-order content");
                        }
                    }
                    Output::Complete { message_id, size } => {
                        let m = ids.iter().position(|i| *i == message_id).expect("known id");
                        match kind {
                            SinkKind::Positional => {
                                assert!(written[m].len() as u64 >= size);
                                assert!(
                                    written[m][..size as usize].iter().all(Option::is_some),
                                    "complete with a hole"
                                );
                            }
                            SinkKind::InOrder => {
                                assert_eq!(delivered[m].len() as u64, size, "complete early");
                            }
                        }
                        written[m].clear();
                        delivered[m].clear();
                    }
                    Output::Aborted { message_id } | Output::Failed { message_id, .. } => {
                        let m = ids.iter().position(|i| *i == message_id).expect("known id");
                        written[m].clear();
                        delivered[m].clear();
                    }
                }
            }
        }
    }
}
