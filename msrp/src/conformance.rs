//! Conformance tests over the RFC 4975 and RFC 4976 message examples in `tests/vectors/`, and
//! negative vectors. (Unit tests so they can use the `fuzzing` harness, which is compiled for
//! tests and fuzzing only.)

use bytes::BytesMut;

use crate::fuzzing::{Event, decode_pieces, messages};
use crate::{
    DecodeError, Decoder, DecoderConfig, Flag, Frame, Head, Header, HeaderError, IdentError,
    StatusCode,
};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");

struct Row {
    file: String,
    cols: Vec<String>,
}

impl Row {
    fn get(&self, name: &str) -> Option<&str> {
        let idx = HEADER.iter().position(|h| *h == name).expect(name);
        let v = self.cols[idx].as_str();
        (v != "-").then_some(v)
    }
}

const HEADER: [&str; 18] = [
    "file",
    "section",
    "kind",
    "tid",
    "method_or_status",
    "comment",
    "to_path",
    "from_path",
    "message_id",
    "byte_range",
    "success_report",
    "failure_report",
    "status_header",
    "content_type",
    "body_len",
    "flag",
    "extra_headers",
    "notes",
];

fn manifest() -> Vec<Row> {
    let text = std::fs::read_to_string(format!("{VECTORS}/MANIFEST.tsv")).expect("manifest");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    assert_eq!(header, HEADER);
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let cols: Vec<String> = l.split('\t').map(str::to_owned).collect();
            assert_eq!(cols.len(), HEADER.len(), "{l}");
            Row {
                file: cols[0].clone(),
                cols,
            }
        })
        .collect()
}

fn header_value(h: &Header) -> String {
    let mut s = String::new();
    h.write_to(&mut s).expect("write");
    s.split_off(h.name().len() + 2)
}

/// Every decoded field of every RFC example matches the manifest; canonical examples re-encode
/// byte-exact; every split, and byte-at-a-time input, decodes identically and searches each byte
/// once.
#[test]
fn rfc_examples() {
    let rows = manifest();
    assert!(rows.len() >= 30, "only {} vectors", rows.len());
    let config = DecoderConfig::default();
    for row in &rows {
        let wire = std::fs::read(format!("{VECTORS}/{}", row.file)).expect(&row.file);
        let whole = decode_pieces(&config, [&wire[..]]);

        // Same result at every split point and one byte at a time.
        for cut in 0..=wire.len() {
            let split = decode_pieces(&config, [&wire[..cut], &wire[cut..]]);
            assert_eq!(split, whole, "{} split at {cut}", row.file);
        }
        let bytewise = decode_pieces(&config, wire.chunks(1));
        assert_eq!(bytewise, whole, "{} byte at a time", row.file);

        // Each byte searched exactly once, even fed one byte at a time.
        let mut decoder = Decoder::new(config.clone());
        let mut buf = BytesMut::new();
        for b in &wire {
            buf.extend_from_slice(std::slice::from_ref(b));
            while let Ok(Some(_)) = decoder.decode(&mut buf) {}
        }
        assert_eq!(decoder.bytes_examined(), wire.len() as u64, "{}", row.file);

        if row.get("to_path").is_none() {
            // RFC 4975 §5.1 shows chunk "snippets" without To-Path/From-Path, which the grammar
            // requires: they are rejected as 400 and skipped to their end-line.
            assert_eq!(
                whole,
                vec![Event::Rejected(DecodeError::ToPathNotFirst)],
                "{}",
                row.file
            );
            assert!(decoder.is_idle(), "{}", row.file);
            continue;
        }
        let msgs = messages(whole);
        assert_eq!(msgs.len(), 1, "{}", row.file);
        let msg = &msgs[0];
        check_fields(row, msg);
        // Canonical input re-encodes byte-exact.
        assert_eq!(
            &msg.to_bytes().expect("encode")[..],
            &wire[..],
            "{} re-encoding",
            row.file
        );
    }
}

fn check_fields(row: &Row, msg: &crate::Message) {
    let f = &row.file;
    let head = &msg.head;
    assert_eq!(
        head.transaction_id().as_str(),
        row.get("tid").unwrap(),
        "{f}"
    );
    match (row.get("kind").unwrap(), head) {
        ("request", Head::Request(r)) => {
            assert_eq!(
                r.method.as_str(),
                row.get("method_or_status").unwrap(),
                "{f}"
            );
            assert_eq!(
                r.content_type.as_ref().map(|c| c.as_str()),
                row.get("content_type"),
                "{f}"
            );
        }
        ("response", Head::Response(r)) => {
            assert_eq!(
                r.status.code().to_string(),
                row.get("method_or_status").unwrap(),
                "{f}"
            );
            assert_eq!(
                r.comment.as_ref().map(|c| c.as_str()),
                row.get("comment"),
                "{f}"
            );
        }
        (kind, _) => panic!("{f}: expected a {kind}"),
    }
    assert_eq!(
        head.to_path().to_string(),
        row.get("to_path").unwrap(),
        "{f}"
    );
    assert_eq!(
        head.from_path().to_string(),
        row.get("from_path").unwrap(),
        "{f}"
    );
    let h = head.headers();
    assert_eq!(
        h.message_id().map(|m| m.to_string()).as_deref(),
        row.get("message_id"),
        "{f}"
    );
    assert_eq!(
        h.byte_range().map(|b| b.to_string()).as_deref(),
        row.get("byte_range"),
        "{f}"
    );
    let explicit = |name: &str| h.iter().find(|x| x.name() == name).map(header_value);
    assert_eq!(
        explicit("Success-Report").as_deref(),
        row.get("success_report"),
        "{f}"
    );
    assert_eq!(
        explicit("Failure-Report").as_deref(),
        row.get("failure_report"),
        "{f}"
    );
    assert_eq!(
        h.status().map(|s| s.to_string()).as_deref(),
        row.get("status_header"),
        "{f}"
    );
    let extra: Vec<String> = h
        .iter()
        .filter(|x| {
            !matches!(
                x,
                Header::MessageId(_)
                    | Header::ByteRange(_)
                    | Header::SuccessReport(_)
                    | Header::FailureReport(_)
                    | Header::Status(_)
            )
        })
        .map(|x| format!("{}={}", x.name(), header_value(x)))
        .collect();
    let want: Vec<String> = row
        .get("extra_headers")
        .map(|e| e.split(" | ").map(str::to_owned).collect())
        .unwrap_or_default();
    assert_eq!(extra, want, "{f}");
    let body_len = row.get("body_len").map(|b| b.parse::<usize>().unwrap());
    assert_eq!(msg.body.as_ref().map(|b| b.len()), body_len, "{f}");
    let flag = Flag::from_byte(row.get("flag").unwrap().as_bytes()[0]).unwrap();
    assert_eq!(msg.flag, flag, "{f}");
}

/// The RFC examples, all concatenated on one connection, decode as the sequence of each.
#[test]
fn rfc_examples_back_to_back() {
    let rows = manifest();
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    let config = DecoderConfig::default();
    for row in &rows {
        let wire = std::fs::read(format!("{VECTORS}/{}", row.file)).unwrap();
        expected.extend(decode_pieces(&config, [&wire[..]]));
        stream.extend_from_slice(&wire);
    }
    assert_eq!(decode_pieces(&config, [&stream[..]]), expected);
    assert_eq!(decode_pieces(&config, stream.chunks(97)), expected);
}

const TO: &str = "To-Path: msrp://b.example.com:1/s2;tcp\r\n";
const FROM: &str = "From-Path: msrp://a.example.com:1/s1;tcp\r\n";

fn one(wire: &str, config: &DecoderConfig) -> Vec<Event> {
    let events = decode_pieces(config, [wire.as_bytes()]);
    // And the same byte at a time.
    assert_eq!(
        decode_pieces(config, wire.as_bytes().chunks(1)),
        events,
        "{wire:?}"
    );
    events
}

fn rejected(wire: &str, config: &DecoderConfig) -> DecodeError {
    let events = one(wire, config);
    match events.iter().find_map(|e| match e {
        Event::Rejected(e) => Some(*e),
        _ => None,
    }) {
        Some(e) => {
            assert!(e.is_recoverable());
            // The decoder recovered: a following message decodes.
            let next = format!("{wire}MSRP next1 SEND\r\n{TO}{FROM}-------next1$\r\n");
            let events = decode_pieces(config, [next.as_bytes()]);
            assert!(
                matches!(events.last(), Some(Event::End(Flag::Complete))),
                "{wire:?} then a message: {events:?}"
            );
            e
        }
        None => panic!("{wire:?} not rejected: {events:?}"),
    }
}

fn fatal(wire: &str, config: &DecoderConfig) -> DecodeError {
    match one(wire, config).last() {
        Some(Event::Fatal(e)) => {
            assert!(e.is_fatal());
            *e
        }
        other => panic!("{wire:?} not fatal: {other:?}"),
    }
}

#[test]
fn negative_vectors() {
    let d = DecoderConfig::default();
    let send = |headers: &str, body: Option<&str>| match body {
        Some(b) => format!("MSRP t1234 SEND\r\n{headers}\r\n{b}\r\n-------t1234$\r\n"),
        None => format!("MSRP t1234 SEND\r\n{headers}-------t1234$\r\n"),
    };

    // To-Path/From-Path reversed or missing.
    let e = rejected(&send(&format!("{FROM}{TO}"), None), &d);
    assert_eq!(
        (e, e.status()),
        (DecodeError::ToPathNotFirst, StatusCode::Unintelligible)
    );
    let e = rejected(&send(&format!("{TO}Message-ID: abcd\r\n{FROM}"), None), &d);
    assert_eq!(e, DecodeError::FromPathNotSecond);
    assert_eq!(
        rejected(&send(TO, None), &d),
        DecodeError::FromPathNotSecond
    );
    assert_eq!(
        rejected(&send(&format!("{TO}{FROM}{TO}"), None), &d),
        DecodeError::DuplicateHeader { name: "To-Path" }
    );

    // Content-Type not last; missing; present without a body.
    let e = rejected(
        &send(
            &format!("{TO}{FROM}Content-Type: text/plain\r\nMessage-ID: abcd\r\n"),
            Some("hi"),
        ),
        &d,
    );
    assert_eq!(
        (e, e.status()),
        (DecodeError::ContentTypeNotLast, StatusCode::Unintelligible)
    );
    assert_eq!(
        rejected(
            &send(&format!("{TO}{FROM}Message-ID: abcd\r\n"), Some("hi")),
            &d
        ),
        DecodeError::MissingContentType
    );
    assert_eq!(
        rejected(
            &send(&format!("{TO}{FROM}Content-Type: text/plain\r\n"), None),
            &d
        ),
        DecodeError::ContentTypeWithoutBody
    );
    assert_eq!(
        rejected(
            &send(&format!("{TO}{FROM}Content-Type: text\r\n"), Some("x")),
            &d
        ),
        DecodeError::InvalidHeader {
            name: "Content-Type",
            source: HeaderError::BadContentType
        }
    );
    // A response with a body.
    assert_eq!(
        rejected(
            &format!(
                "MSRP t1234 200 OK\r\n{TO}{FROM}Content-Type: text/plain\r\n\r\nx\r\n-------t1234$\r\n"
            ),
            &d
        ),
        DecodeError::ResponseWithBody
    );

    // A response that is not complete.
    assert_eq!(
        rejected(
            &format!("MSRP t1234 200 OK\r\n{TO}{FROM}-------t1234+\r\n"),
            &d
        ),
        DecodeError::ResponseNotComplete
    );

    // An end-line with another transaction id: in the header section framing is lost; in a
    // body it is data.
    assert_eq!(
        fatal(
            &format!("MSRP t1234 SEND\r\n{TO}{FROM}-------t9999$\r\n"),
            &d
        ),
        DecodeError::EndLineMismatch
    );
    assert_eq!(
        fatal(
            &format!("MSRP t1234 SEND\r\n{TO}{FROM}-------t1234?\r\n"),
            &d
        ),
        DecodeError::EndLineMismatch
    );
    let foreign = send(
        &format!("{TO}{FROM}Content-Type: text/plain\r\n"),
        Some("a\r\n-------t9999$\r\nb"),
    );
    let events = one(&foreign, &d);
    assert_eq!(events[1], Event::Data(b"a\r\n-------t9999$\r\nb".to_vec()));
    assert_eq!(events[2], Event::End(Flag::Complete));

    // Malformed Byte-Range: start 0, end < start, overflow.
    for (range, source) in [
        ("0-5/5", crate::ByteRangeError::ZeroStart),
        (
            "7-3/10",
            crate::ByteRangeError::EndBeforeStart { start: 7, end: 3 },
        ),
        ("1-99999999999999999999/*", crate::ByteRangeError::Overflow),
        ("1-5/4", crate::ByteRangeError::BeyondTotal { total: 4 }),
        ("1-5", crate::ByteRangeError::Syntax),
    ] {
        let e = rejected(
            &send(&format!("{TO}{FROM}Byte-Range: {range}\r\n"), None),
            &d,
        );
        assert_eq!(
            e,
            DecodeError::InvalidHeader {
                name: "Byte-Range",
                source: HeaderError::ByteRange(source)
            },
            "{range}"
        );
        assert_eq!(e.status(), StatusCode::Unintelligible);
    }

    // Bad transaction ids (fatal: the end-line cannot be found without one).
    for (tid, want) in [
        ("abc", IdentError::TooShort { len: 3 }),
        (
            "a23456789012345678901234567890123",
            IdentError::TooLong { len: 33 },
        ),
        ("-abc", IdentError::BadFirstChar { byte: b'-' }),
        ("ab_cd", IdentError::BadChar { byte: b'_', pos: 2 }),
    ] {
        let e = fatal(
            &format!("MSRP {tid} SEND\r\n{TO}{FROM}-------{tid}$\r\n"),
            &d,
        );
        assert_eq!(e, DecodeError::BadTransactionId(want), "{tid}");
        assert_eq!(e.status(), StatusCode::Unintelligible);
    }
    // Bad Message-ID.
    assert_eq!(
        rejected(
            &send(&format!("{TO}{FROM}Message-ID: a b c d\r\n"), None),
            &d
        ),
        DecodeError::InvalidHeader {
            name: "Message-ID",
            source: HeaderError::MessageId(IdentError::BadChar { byte: b' ', pos: 1 })
        }
    );

    // Start line problems.
    assert_eq!(fatal("HTTP/1.1 200 OK\r\n", &d), DecodeError::NotMsrp);
    // With a valid transaction id a bad method or status only spoils the message.
    let bad_method = format!("MSRP t1234 send\r\n{TO}{FROM}-------t1234$\r\n");
    assert_eq!(rejected(&bad_method, &d), DecodeError::BadMethod);
    let bad_status = format!("MSRP t1234 20 OK\r\n{TO}{FROM}-------t1234$\r\n");
    assert_eq!(rejected(&bad_status, &d), DecodeError::BadStatus);
    let low_status = format!("MSRP t1234 099\r\n{TO}{FROM}-------t1234$\r\n");
    assert_eq!(rejected(&low_status, &d), DecodeError::BadStatus);
    assert_eq!(fatal("MSRP t1234SEND\r\n", &d), DecodeError::BadStartLine);
    assert_eq!(fatal("MSRP t1234\r\n", &d), DecodeError::BadStartLine);
    assert_eq!(
        fatal("MSRP t1234 SEND\n", &d),
        DecodeError::BareLineFeed { line: 0 }
    );
    assert_eq!(
        fatal(&format!("MSRP t1234 SEND\r\n{TO}From-Path: x\n"), &d),
        DecodeError::BareLineFeed { line: 2 }
    );
    // Malformed header lines and values.
    assert_eq!(
        rejected(&send(&format!("{TO}{FROM}NoColonHere\r\n"), None), &d),
        DecodeError::MalformedHeader { line: 3 }
    );
    assert_eq!(
        rejected(
            &send(&format!("{TO}{FROM}Failure-Report: maybe\r\n"), None),
            &d
        ),
        DecodeError::InvalidHeader {
            name: "Failure-Report",
            source: HeaderError::BadReportValue
        }
    );
    assert_eq!(
        rejected(
            &send(
                &format!("{TO}{FROM}Byte-Range: 1-0/0\r\nByte-Range: 1-0/0\r\n"),
                None
            ),
            &d
        ),
        DecodeError::DuplicateHeader { name: "Byte-Range" }
    );
}

/// Leniencies and edge cases found in review, each with its verdict.
#[test]
fn edge_cases() {
    let d = DecoderConfig::default();
    // A rejected message whose end-line follows its blank line directly does not swallow the
    // next message.
    let stray = format!("MSRP abcd 200 OK\r\n{TO}{FROM}\r\n-------abcd$\r\n");
    assert_eq!(rejected(&stray, &d), DecodeError::ResponseWithBody);
    // An empty body written without its data CRLF is an empty body.
    let terse =
        format!("MSRP abcd SEND\r\n{TO}{FROM}Content-Type: text/plain\r\n\r\n-------abcd$\r\n");
    let msgs = messages(one(&terse, &d));
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].body.as_deref(), Some(&b""[..]));
    // A response with an empty comment ("200 " then CRLF) keeps it and re-encodes byte-exact.
    let empty_comment = format!("MSRP abcd 200 \r\n{TO}{FROM}-------abcd$\r\n");
    let msgs = messages(one(&empty_comment, &d));
    let Head::Response(r) = &msgs[0].head else {
        panic!("response")
    };
    assert_eq!(r.comment.as_ref().map(|c| c.as_str()), Some(""));
    assert_eq!(&msgs[0].to_bytes().unwrap()[..], empty_comment.as_bytes());
    // RFC 4975 token characters in header names and media types; report values ignore case.
    let tokens = format!(
        "MSRP abcd SEND\r\n{TO}{FROM}X-A&B|{{}}: 1\r\nSuccess-Report: Yes\r\nContent-Type: application/x-a$b\r\n\r\nz\r\n-------abcd$\r\n"
    );
    let msgs = messages(one(&tokens, &d));
    let Head::Request(r) = &msgs[0].head else {
        panic!("request")
    };
    assert_eq!(r.headers.get("x-a&b|{}").as_deref(), Some("1"));
    assert_eq!(r.headers.success_report(), crate::SuccessReport::Yes);
    // A too-long header line ending in a bare LF gets the same verdict whole and split.
    let small = DecoderConfig::default().with_max_header_line(64);
    let bare = format!(
        "MSRP abcd SEND\r\n{TO}{FROM}X-A: {}\n-------abcd$\r\n",
        "v".repeat(70)
    );
    let whole = decode_pieces(&small, [bare.as_bytes()]);
    for cut in 0..bare.len() {
        let (a, b) = bare.as_bytes().split_at(cut);
        assert_eq!(decode_pieces(&small, [a, b]), whole, "cut {cut}");
    }
}

#[test]
fn encoder_refuses_what_it_cannot_frame() {
    use crate::{EncodeError, ExtensionMethod, Message, Method, Request, Text, TransactionId};
    let tid = TransactionId::parse("abcd").unwrap();
    let mut req = Request::new(
        tid,
        Method::Send,
        "msrp://b.example.com:1/s2;tcp".parse().unwrap(),
        "msrp://a.example.com:1/s1;tcp".parse().unwrap(),
    );
    req.content_type = Some(Text::new("text/plain").unwrap());
    let msg = |body: &'static [u8]| Message {
        head: Head::Request(req.clone()),
        body: Some(body.into()),
        flag: Flag::Complete,
    };
    assert_eq!(
        msg(b"x\r\n-------abcd$\r\ny").to_bytes(),
        Err(EncodeError::EndLineInBody)
    );
    assert_eq!(
        msg(b"-------abcd").to_bytes(),
        Err(EncodeError::EndLineInBody)
    );
    assert!(msg(b"-------abce").to_bytes().is_ok());
    let bodiless = Message {
        head: Head::Request(req.clone()),
        body: None,
        flag: Flag::Complete,
    };
    assert_eq!(bodiless.to_bytes(), Err(EncodeError::ContentTypeMismatch));
    assert_eq!(ExtensionMethod::new("SEND"), None);
    assert!(ExtensionMethod::new("FOO").is_some());
}

#[test]
fn every_limit() {
    let small = DecoderConfig::default()
        .with_max_start_line(32)
        .with_max_header_line(64)
        .with_max_headers(4)
        .with_max_head(160)
        .with_max_non_send_body(8)
        .with_max_message_size(100);

    // Start line too long: fatal (even without its CRLF yet).
    let long_start = format!("MSRP t1234 {}\r\n", "A".repeat(40));
    assert_eq!(
        fatal(&long_start, &small),
        DecodeError::StartLineTooLong { limit: 32 }
    );
    assert_eq!(
        fatal(&long_start[..40], &small),
        DecodeError::StartLineTooLong { limit: 32 }
    );

    let long_value = format!("X-Long: {}\r\n", "v".repeat(80));
    let roomy = small.clone().with_max_head(400);
    let e = rejected(
        &format!("MSRP t1234 SEND\r\n{TO}{FROM}{long_value}-------t1234$\r\n"),
        &roomy,
    );
    assert_eq!(
        (e, e.status()),
        (
            DecodeError::HeaderLineTooLong { limit: 64 },
            StatusCode::Unintelligible
        )
    );

    let many = "X-A: 1\r\n".repeat(3);
    let e = rejected(
        &format!("MSRP t1234 SEND\r\n{TO}{FROM}{many}-------t1234$\r\n"),
        &small,
    );
    assert_eq!(e, DecodeError::TooManyHeaders { limit: 4 });

    let head = "X-Abcdefghij: 0123456789012345678901234567890\r\n".repeat(2);
    let e = rejected(
        &format!("MSRP t1234 SEND\r\n{TO}{FROM}{head}-------t1234$\r\n"),
        &small,
    );
    assert_eq!(e, DecodeError::HeadTooLarge { limit: 160 });

    // Non-SEND body over its limit: 413, data up to the limit delivered first.
    let report = format!(
        "MSRP t1234 REPORT\r\n{TO}{FROM}Content-Type: text/plain\r\n\r\n0123456789\r\n-------t1234$\r\n"
    );
    let e = rejected(&report, &small);
    assert_eq!(
        (e, e.status()),
        (
            DecodeError::NonSendBodyTooLarge { limit: 8 },
            StatusCode::TooLarge
        )
    );
    let events = one(&report, &small);
    assert_eq!(events[1], Event::Data(b"01234567".to_vec()));

    // Message size: a declared total beyond it is refused before any data...
    let declared = format!(
        "MSRP t1234 SEND\r\n{TO}{FROM}Byte-Range: 1-*/500\r\nContent-Type: text/plain\r\n\r\nabc\r\n-------t1234$\r\n"
    );
    let events = one(&declared, &small);
    assert_eq!(
        events,
        vec![Event::Rejected(DecodeError::MessageTooLarge { limit: 100 })]
    );
    // ...and a chunk whose bytes run past it is cut at the limit (positions count from its
    // range start).
    let body = "z".repeat(30);
    let late = format!(
        "MSRP t1234 SEND\r\n{TO}{FROM}Byte-Range: 81-*/*\r\nContent-Type: text/plain\r\n\r\n{body}\r\n-------t1234$\r\n"
    );
    let e = rejected(&late, &small);
    assert_eq!(
        (e, e.status()),
        (
            DecodeError::MessageTooLarge { limit: 100 },
            StatusCode::TooLarge
        )
    );
    assert_eq!(one(&late, &small)[1], Event::Data(vec![b'z'; 20]));

    // Exactly at the limits is fine.
    let at = format!(
        "MSRP t1234 REPORT\r\n{TO}{FROM}Content-Type: text/plain\r\n\r\n01234567\r\n-------t1234$\r\n"
    );
    assert_eq!(one(&at, &small).last(), Some(&Event::End(Flag::Complete)));
}

/// A body made of near-misses of the end-line is all data, and a huge chunk is delivered
/// piecewise with bounded buffering.
#[test]
fn adversarial_bodies() {
    let d = DecoderConfig::default();
    let mut body = Vec::new();
    for i in 0..500 {
        body.extend_from_slice(b"\r\n-------t123");
        body.extend_from_slice(match i % 5 {
            0 => b"4".as_slice(),
            1 => b"4x\r\n",
            2 => b"4$\r",
            3 => b"4$x\n",
            _ => b"\r\r\n------",
        });
    }
    let mut wire =
        format!("MSRP t1234 SEND\r\n{TO}{FROM}Content-Type: application/octet-stream\r\n\r\n")
            .into_bytes();
    wire.extend_from_slice(&body);
    wire.extend_from_slice(b"\r\n-------t1234#\r\n");
    let events = decode_pieces(&d, [&wire[..]]);
    assert_eq!(events[1], Event::Data(body.clone()));
    assert_eq!(events[2], Event::End(Flag::Aborted));
    for size in [1, 2, 3, 7, 13, 64] {
        assert_eq!(
            decode_pieces(&d, wire.chunks(size)),
            events,
            "chunks of {size}"
        );
    }
}

#[test]
fn fuzz_harnesses_accept_rfc_vectors() {
    for row in manifest() {
        let wire = std::fs::read(format!("{VECTORS}/{}", row.file)).unwrap();
        crate::fuzzing::decode_raw(&wire);
        crate::fuzzing::decode_encode_decode(&wire);
        let mut split = vec![3u8, 5, 0, 40, 0, 90, 0];
        split.extend_from_slice(&wire);
        crate::fuzzing::split_equivalence(&split);
    }
}

#[test]
fn rejection_carries_what_was_parsed() {
    let wire = format!(
        "MSRP t1234 SEND\r\n{TO}{FROM}Message-ID: abcd\r\nByte-Range: 0-1/1\r\n-------t1234$\r\n"
    );
    let mut decoder = Decoder::default();
    let mut buf = BytesMut::from(wire.as_bytes());
    let Ok(Some(Frame::Rejected(r))) = decoder.decode(&mut buf) else {
        panic!("rejected")
    };
    assert_eq!(r.transaction_id.as_str(), "t1234");
    assert_eq!(r.method, Some(crate::Method::Send));
    assert_eq!(r.from_path.unwrap().first().session_id(), Some("s1"));
    assert_eq!(r.headers.message_id().unwrap().as_str(), "abcd");
    assert_eq!(decoder.decode(&mut buf), Ok(None));
    assert!(decoder.is_idle());
    assert!(buf.is_empty());
}
