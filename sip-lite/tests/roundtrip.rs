//! Property tests: seeded random messages, built from the pieces real peers send (compact and
//! odd-case header names, folded values, quoted strings with escapes, IPv6 references, lists,
//! bodies with and without Content-Length quirks) round-trip through the serializer, and every
//! one of them frames identically when it arrives on a stream in random pieces.

use bytes::{Bytes, BytesMut};
use sip_lite::{Limits, Message, StreamFramer, parse_datagram};
use testkit::SeededRng;

fn pick<'a>(rng: &mut SeededRng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

const METHODS: &[&str] = &[
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "OPTIONS",
    "REGISTER",
    "MESSAGE",
    "UPDATE",
    "PRACK",
    "INFO",
    "SUBSCRIBE",
    "NOTIFY",
    "REFER",
    "PUBLISH",
    "X-CUSTOM.method!",
];
const URIS: &[&str] = &[
    "sip:bob@example.com",
    "sips:bob@[2001:db8::1]:5061;transport=tcp",
    "tel:+44-20-7946-0000",
    "sip:+442079460000@ims.example.net;user=phone",
    "sip:%61lice@example.com;lr?subject=hi%20there",
    "urn:service:sos",
];
const NAMES: &[&str] = &[
    "Via",
    "v",
    "VIA",
    "From",
    "f",
    "To",
    "t",
    "Call-ID",
    "i",
    "CSeq",
    "Contact",
    "m",
    "Max-Forwards",
    "Route",
    "Record-Route",
    "Supported",
    "k",
    "Require",
    "Accept",
    "Accept-Contact",
    "a",
    "Allow",
    "User-Agent",
    "Subject",
    "s",
    "X-Custom",
    "P-Asserted-Identity",
    "WWW-Authenticate",
    "Authorization",
    "Expires",
    "Content-Type",
    "c",
];
const VALUES: &[&str] = &[
    "SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds;rport",
    "SIP/2.0/TCP [2001:db8::9]:5060;branch=z9hG4bK1;received=192.0.2.1",
    "\"Alice \\\"the\\\" A.\" <sip:alice@example.com>;tag=1928301774",
    "<sip:bob@example.com>",
    "sip:carol@example.com;tag=x",
    "a84b4c76e66710@pc33.example.com",
    "314159 INVITE",
    "<sip:alice@pc33.example.com>;+g.3gpp.cs-voice;+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\";expires=3600",
    "*;+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\";require;explicit",
    "70",
    "timer, 100rel,  path",
    "application/sdp, multipart/mixed;boundary=\"x,y\"",
    "Digest realm=\"example.com\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256",
    "INVITE, ACK, OPTIONS, BYE",
    "text/plain;charset=utf-8",
    "é ünïcödé value",
    "",
];

/// A random message in wire form.
fn message(rng: &mut SeededRng) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.chance(0.3) {
        let code = 100 + rng.below(600);
        let reason = pick(
            rng,
            &["OK", "", "Ringing", "Non-ASCII ünïcödé reason", "Busy Here"],
        );
        out.extend_from_slice(format!("SIP/2.0 {code} {reason}\r\n").as_bytes());
    } else {
        let m = pick(rng, METHODS);
        let u = pick(rng, URIS);
        out.extend_from_slice(format!("{m} {u} SIP/2.0\r\n").as_bytes());
    }
    for _ in 0..rng.below(20) {
        let name = pick(rng, NAMES);
        let value = pick(rng, VALUES);
        let sep = pick(rng, &[": ", ":", " : ", ":\t", ":  "]);
        // A fold somewhere in the value (RFC 3261 §7.3.1), or trailing white space.
        let value = match (rng.below(4), value.find(' ')) {
            (0, Some(i)) => format!("{}\r\n {}", &value[..i], &value[i + 1..]),
            (1, _) => format!("{value} "),
            _ => value.to_owned(),
        };
        out.extend_from_slice(format!("{name}{sep}{value}\r\n").as_bytes());
    }
    let body_len = if rng.chance(0.5) {
        0
    } else {
        rng.below(300) as usize
    };
    let body: Vec<u8> = rng.bytes(body_len);
    let cl = pick(rng, &["Content-Length", "l", "content-length"]);
    out.extend_from_slice(format!("{cl}: {body_len}\r\n\r\n").as_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn accepted_messages_round_trip() {
    let mut rng = SeededRng::new(0x5eed_4475);
    let mut accepted = 0;
    for _ in 0..5000 {
        let wire = message(&mut rng);
        let Ok(msg) = parse_datagram(Bytes::from(wire.clone()), &Limits::default()) else {
            continue;
        };
        accepted += 1;
        let out = msg.to_bytes();
        let again = Message::parse(out.clone()).unwrap_or_else(|e| panic!("{e}: {out:?}"));
        assert_eq!(
            again, msg,
            "parse(serialize(parse(x))) == parse(x) for {wire:?}"
        );
        assert_eq!(again.to_bytes(), out, "serialization is a fixed point");
        // Headers keep their order, names and raw values.
        assert_eq!(again.headers().len(), msg.headers().len());
        assert_eq!(again.body(), msg.body());
    }
    // Most generated messages are valid SIP: the property is not vacuous.
    assert!(accepted > 4000, "only {accepted} of 5000 parsed");
}

#[test]
fn canonical_messages_serialize_byte_exact() {
    let mut rng = SeededRng::new(7);
    for _ in 0..2000 {
        let wire = message(&mut rng);
        let Ok(msg) = parse_datagram(Bytes::from(wire), &Limits::default()) else {
            continue;
        };
        // The serializer's own output is canonical: it must come back byte for byte.
        let canonical = msg.to_bytes();
        assert_eq!(
            Message::parse(canonical.clone()).unwrap().to_bytes(),
            canonical
        );
    }
}

/// Frames `stream` delivered in pieces ending at `cuts`: messages as wire bytes, errors as
/// their text, and whether the stream ended in a fatal error.
fn frame(stream: &[u8], cuts: &[usize]) -> Vec<Result<Bytes, String>> {
    let mut framer = StreamFramer::new(Limits::default());
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut from = 0;
    for &cut in cuts {
        buf.extend_from_slice(&stream[from..cut]);
        from = cut;
        loop {
            match framer.decode(&mut buf) {
                Ok(None) => break,
                Ok(Some(msg)) => out.push(Ok(msg.to_bytes())),
                Err(e) if e.is_fatal() => {
                    out.push(Err("fatal".to_owned()));
                    return out;
                }
                Err(e) => out.push(Err(e.to_string())),
            }
        }
    }
    out
}

#[test]
fn streams_of_random_messages_frame_the_same_in_random_pieces() {
    let mut rng = SeededRng::new(42);
    for _ in 0..200 {
        let mut stream = Vec::new();
        for _ in 0..1 + rng.below(5) {
            if rng.chance(0.3) {
                stream.extend_from_slice(b"\r\n\r\n"); // keep-alives between messages
            }
            stream.extend_from_slice(&message(&mut rng));
        }
        let whole = frame(&stream, &[stream.len()]);
        let mut cuts: Vec<usize> = (0..rng.below(8))
            .map(|_| rng.below(stream.len() as u64 + 1) as usize)
            .collect();
        cuts.sort_unstable();
        cuts.push(stream.len());
        assert_eq!(frame(&stream, &cuts), whole);
    }
}
