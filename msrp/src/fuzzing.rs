//! Fuzzing harnesses, compiled under `cfg(fuzzing)` (cargo-fuzz sets it) and in tests.
//!
//! Each function takes the fuzzer's input and panics when an invariant breaks, so every target in
//! `fuzz/` is a few lines. The same functions run in this crate's unit tests over the RFC
//! examples.

use bytes::BytesMut;

use crate::{Decoder, DecoderConfig, Flag, Frame, Head, Message};

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
