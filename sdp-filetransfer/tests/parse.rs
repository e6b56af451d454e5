//! Parser behaviour: each error with its line number and expectation, the lenient cases, and a
//! seeded property test that generated descriptions survive write-parse unchanged.

use sdp_filetransfer::*;
use testkit::SeededRng;

const HEAD: &str = "v=0\r\no=- 1 1 IN IP4 h.example\r\ns=-\r\nc=IN IP4 h.example\r\nt=0 0\r\n";

fn err(input: &str) -> ParseError {
    match SessionDescription::parse(input.as_bytes()) {
        Ok(sd) => panic!("parsed:\n{input}\nto {sd:?}"),
        Err(e) => e,
    }
}

#[test]
fn each_error_has_its_line_and_expectation() {
    use ParseErrorKind as K;
    let bad_attr = |name, error| K::BadAttribute { name, error };
    let cases: Vec<(String, usize, ParseErrorKind)> = vec![
        ("".into(), 0, K::Empty),
        ("\r\n\r\n".into(), 0, K::Empty),
        ("o=- 1 1 IN IP4 h\r\n".into(), 1, K::MissingVersion),
        ("v=1\r\n".into(), 1, K::UnsupportedVersion),
        ("v=0\r\n".into(), 1, K::MissingOrigin),
        ("v=0\r\ns=x\r\n".into(), 2, K::MissingOrigin),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\n".into(),
            2,
            K::MissingSessionName,
        ),
        (
            "v=0\r\no=- x 1 IN IP4 h\r\ns=-\r\n".into(),
            2,
            K::BadField {
                field: 'o',
                expected: "<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4\r\ns=-\r\n".into(),
            2,
            K::BadField {
                field: 'o',
                expected: "<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>",
            },
        ),
        (format!("{HEAD}x=1\r\n"), 6, K::UnknownType { letter: 'x' }),
        (format!("{HEAD}X=1\r\n"), 6, K::BadLine),
        (format!("{HEAD}a=x:a\rb\r\n"), 6, K::BadCharacter),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=a\0\r\n".into(),
            3,
            K::BadCharacter,
        ),
        (format!("{HEAD}a\r\n"), 6, K::BadLine),
        (
            format!("{HEAD}i=late\r\n"),
            6,
            K::OutOfOrder {
                found: 'i',
                expected: "session fields in the order v o s i u e p c b t r z k a, then m",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\ni=a\r\ni=b\r\n".into(),
            5,
            K::Duplicate { field: 'i' },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nc=IN IP4 h\r\n".into(),
            5,
            K::Duplicate { field: 'c' },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nr=1 2 3\r\n".into(),
            4,
            K::RepeatWithoutTime,
        ),
        (
            format!("{HEAD}v=0\r\n"),
            6,
            K::OutOfOrder {
                found: 'v',
                expected: "session fields in the order v o s i u e p c b t r z k a, then m",
            },
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\nt=0 0\r\n"),
            7,
            K::OutOfOrder {
                found: 't',
                expected: "media fields in the order m i c b k a",
            },
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=x\r\nc=IN IP4 h\r\n"),
            8,
            K::OutOfOrder {
                found: 'c',
                expected: "media fields in the order m i c b k a",
            },
        ),
        (
            format!("{HEAD}m=message TCP/MSRP *\r\n"),
            6,
            K::BadField {
                field: 'm',
                expected: "<media> <port>[/<number of ports>] <proto> <fmt> ...",
            },
        ),
        (
            format!("{HEAD}m=message 70000 TCP/MSRP *\r\n"),
            6,
            K::BadField {
                field: 'm',
                expected: "<media> <port>[/<number of ports>] <proto> <fmt> ...",
            },
        ),
        (
            format!("{HEAD}m=message 7 TCP/MSRP\r\n"),
            6,
            K::BadField {
                field: 'm',
                expected: "<media> <port>[/<number of ports>] <proto> <fmt> ...",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nm=message 7 TCP/MSRP *\r\n".into(),
            5,
            K::MissingConnection { index: 0 },
        ),
        (
            format!("{HEAD}c=IN IP4 h\r\n"),
            6,
            K::OutOfOrder {
                found: 'c',
                expected: "session fields in the order v o s i u e p c b t r z k a, then m",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN\r\n".into(),
            4,
            K::BadField {
                field: 'c',
                expected: "<nettype> <addrtype> <connection-address>",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nb=AS\r\n".into(),
            4,
            K::BadField {
                field: 'b',
                expected: "<bwtype>:<bandwidth>",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0\r\n".into(),
            4,
            K::BadField {
                field: 't',
                expected: "<start-time> <stop-time>",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nr=1 2\r\n".into(),
            5,
            K::BadField {
                field: 'r',
                expected: "<interval> <duration> <offset> ... as typed times",
            },
        ),
        (
            "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\nz=1\r\n".into(),
            5,
            K::BadField {
                field: 'z',
                expected: "<adjustment time> <offset> pairs",
            },
        ),
        (format!("{HEAD}a=bad name\r\n"), 6, K::BadAttributeLine),
        (
            format!("{HEAD}a=sendonly:yes\r\n"),
            6,
            bad_attr("sendonly", AttributeError::UnexpectedValue),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=setup:maybe\r\n"),
            7,
            bad_attr(
                "setup",
                AttributeError::Expected {
                    expected: "active, passive, actpass or holdconn",
                },
            ),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=path:http://x\r\n"),
            7,
            bad_attr("path", AttributeError::BadUri(msrp::UriError::BadScheme)),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=file-selector:name:\"a\" name:\"b\"\r\n"),
            7,
            bad_attr(
                "file-selector",
                AttributeError::DuplicateSelector { selector: "name" },
            ),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=file-range:0-5\r\n"),
            7,
            bad_attr("file-range", AttributeError::BadFileRange),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=file-date:creation:\"yesterday\"\r\n"),
            7,
            bad_attr("file-date", AttributeError::BadDate),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=file-icon:http://x\r\n"),
            7,
            bad_attr("file-icon", AttributeError::BadContentId),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=file-transfer-id:\r\n"),
            7,
            bad_attr("file-transfer-id", AttributeError::MissingValue),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=accept-types:text\r\n"),
            7,
            bad_attr("accept-types", AttributeError::BadMediaType),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=fingerprint:sha-1 zz\r\n"),
            7,
            bad_attr("fingerprint", AttributeError::BadFingerprint),
        ),
        (
            format!("{HEAD}m=message 1 TCP/MSRP *\r\na=connection:reuse\r\n"),
            7,
            bad_attr(
                "connection",
                AttributeError::Expected {
                    expected: "new or existing",
                },
            ),
        ),
    ];
    for (input, line, kind) in cases {
        let e = err(&input);
        assert_eq!((e.line, &e.kind), (line, &kind), "{input:?}");
        assert_eq!(e.sip_status(), 400);
        assert!(e.to_string().starts_with(&format!("SDP line {line}: ")));
    }
}

#[test]
fn not_utf8_and_limits() {
    let e = err_bytes(&[HEAD.as_bytes(), b"a=x:\xff\r\n"].concat());
    assert_eq!((e.line, e.kind), (6, ParseErrorKind::NotUtf8));
    let big = vec![b'a'; 70_000];
    assert_eq!(
        err_bytes(&big).kind,
        ParseErrorKind::TooLarge { limit: 65536 }
    );
    let media = "m=message 1 TCP/MSRP *\r\n".repeat(3);
    let e = SessionDescription::parse_with(
        format!("{HEAD}{media}").as_bytes(),
        &Limits::default().with_max_media(2),
    )
    .unwrap_err();
    assert_eq!(
        (e.line, e.kind),
        (8, ParseErrorKind::TooManyMedia { limit: 2 })
    );
    let e = SessionDescription::parse_with(
        format!("{HEAD}{media}").as_bytes(),
        &Limits::default().with_max_lines(6),
    )
    .unwrap_err();
    assert_eq!(
        (e.line, e.kind),
        (7, ParseErrorKind::TooManyLines { limit: 6 })
    );
}

fn err_bytes(b: &[u8]) -> ParseError {
    SessionDescription::parse(b).unwrap_err()
}

#[test]
fn lenient_where_peers_are() {
    // Bare LF, empty s=, trailing white space, blank lines, double spaces, no t=.
    let sd = SessionDescription::parse(
        b"v=0\no=alice  1 2 IN IP4 h.example \ns=\n\nc=IN IP4 h.example\t\nm=message 7 TCP/MSRP * \na=sendonly \n\n",
    )
    .unwrap();
    assert_eq!(sd.session_name, "");
    assert!(sd.times.is_empty());
    assert_eq!(sd.origin.session_version, 2);
    assert_eq!(sd.direction(0), Direction::SendOnly);
    assert_eq!(
        sd.to_string(),
        "v=0\r\no=alice 1 2 IN IP4 h.example\r\ns=\r\nc=IN IP4 h.example\r\nm=message 7 TCP/MSRP *\r\na=sendonly\r\n"
    );
    // `s= ` (RFC 8866's own advice for no name) keeps its space.
    let sd: SessionDescription = "v=0\r\no=- 1 1 IN IP4 h\r\ns= \r\nc=IN IP4 h\r\nt=0 0\r\n"
        .parse()
        .unwrap();
    assert_eq!(sd.session_name, " ");
    assert!(sd.to_string().contains("\r\ns= \r\n"));
    // A last line cut after its CR.
    let cut: SessionDescription = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r"
        .parse()
        .unwrap();
    assert_eq!(cut.times.len(), 1);
}

#[test]
fn all_standard_fields_round_trip_byte_exact() {
    let text = concat!(
        "v=0\r\n",
        "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5\r\n",
        "s=SDP Seminar\r\n",
        "i=A Seminar on the session description protocol\r\n",
        "u=http://www.example.com/seminars/sdp.pdf\r\n",
        "e=j.doe@example.com (Jane Doe)\r\n",
        "p=+1 617 555-6011\r\n",
        "c=IN IP4 224.2.17.12/127\r\n",
        "b=CT:128\r\n",
        "t=2873397496 2873404696\r\n",
        "r=7d 1h 0 25h\r\n",
        "t=0 0\r\n",
        "z=2882844526 -1h 2898848070 0\r\n",
        "k=prompt\r\n",
        "a=recvonly\r\n",
        "a=x-session:1\r\n",
        "m=audio 49170/2 RTP/AVP 0 8\r\n",
        "i=voice\r\n",
        "c=IN IP4 224.2.17.12/127\r\n",
        "c=IN IP4 224.2.17.13/127\r\n",
        "b=AS:64\r\n",
        "k=clear:secret\r\n",
        "a=rtpmap:0 PCMU/8000\r\n",
        "m=message 7654 TCP/MSRP *\r\n",
        "a=accept-types:*\r\n",
    );
    let sd: SessionDescription = text.parse().unwrap();
    assert_eq!(sd.to_string(), text);
    assert_eq!(sd.times.len(), 2);
    assert_eq!(sd.times[0].repeats, ["7d 1h 0 25h"]);
    assert_eq!(sd.media[0].port_count, Some(2));
    assert_eq!(sd.media[0].connections.len(), 2);
    assert_eq!(
        sd.direction(1),
        Direction::RecvOnly,
        "session-level direction applies"
    );
    assert_eq!(sd.connection_for(1).unwrap().address, "224.2.17.12/127");
}

// ---------------------------------------------------------------------------------------------
// property test: generated descriptions

fn pick<'a>(rng: &mut SeededRng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

fn random_name(rng: &mut SeededRng) -> String {
    const PIECES: &[&str] = &[
        "a", "photo", " ", "%", "\"", "/", "\\", "..", ".", "é", "日本", "\u{7f}", "\t", ";", ":",
        "=", "*", "#",
    ];
    let n = 1 + rng.below(8);
    (0..n).map(|_| pick(rng, PIECES)).collect()
}

fn random_selector(rng: &mut SeededRng) -> FileSelector {
    let mut s = FileSelector::new();
    let mut kinds: Vec<u64> = (0..4).filter(|_| rng.below(2) == 0).collect();
    // Shuffle so that written order varies.
    for i in (1..kinds.len()).rev() {
        kinds.swap(i, rng.below(i as u64 + 1) as usize);
    }
    for k in kinds {
        s = match k {
            0 => s.with_name(&random_name(rng)),
            1 => {
                let mut t = FileType::new(
                    pick(rng, &["image", "text", "application"]),
                    pick(rng, &["jpeg", "plain", "x-foo+bar"]),
                )
                .unwrap();
                if rng.below(2) == 0 {
                    t = t.with_param("name", &random_name(rng)).unwrap();
                }
                s.with_type(t)
            }
            2 => s.with_size(rng.next_u64() >> rng.below(64)),
            _ => {
                let mut d = [0u8; 20];
                rng.fill_bytes(&mut d);
                let s = s.with_hash(FileHash::sha1(d));
                if rng.below(3) == 0 {
                    s.with_hash(FileHash::new("sha-256", rng.bytes(32)).unwrap())
                } else {
                    s
                }
            }
        };
    }
    s
}

fn random_media(rng: &mut SeededRng) -> MediaDescription {
    let mut m = MediaDescription::msrp((rng.next_u64() % 65536) as u16, rng.below(2) == 0);
    if rng.below(3) == 0 {
        m.information = Some(random_name(rng).replace(['\t', '\u{7f}'], "x"));
    }
    if rng.below(3) == 0 {
        m.connections.push(Connection::internet(pick(
            rng,
            &["192.0.2.1", "2001:db8::1", "h.example"],
        )));
    }
    let count = rng.below(12);
    for _ in 0..count {
        let a = match rng.below(16) {
            0 => Attribute::Direction(
                *[
                    Direction::SendOnly,
                    Direction::RecvOnly,
                    Direction::SendRecv,
                    Direction::Inactive,
                ]
                .get(rng.below(4) as usize)
                .unwrap(),
            ),
            1 => Attribute::Path(
                msrp::Path::parse(pick(
                    rng,
                    &[
                        "msrp://a.example:7654/jshA7we;tcp",
                        "msrps://[2001:db8::1]:1/x;tcp msrp://b:2/y+z=;tcp;p=q",
                    ],
                ))
                .unwrap(),
            ),
            2 => Attribute::AcceptTypes(vec![
                FormatEntry::any(),
                "text/plain;charset=\"a b\"".parse().unwrap(),
            ]),
            3 => Attribute::AcceptWrappedTypes(vec!["image/*".parse().unwrap()]),
            4 => Attribute::MaxSize(rng.next_u64()),
            5 => Attribute::Setup(
                *[
                    Setup::Active,
                    Setup::Passive,
                    Setup::ActPass,
                    Setup::HoldConn,
                ]
                .get(rng.below(4) as usize)
                .unwrap(),
            ),
            6 => Attribute::Connection(ConnectionMode::Existing),
            7 => Attribute::MsrpCema,
            8 => Attribute::Fingerprint(Fingerprint::new("sha-256", rng.bytes(32)).unwrap()),
            9 => Attribute::FileSelector(random_selector(rng)),
            10 => Attribute::FileTransferId(
                FileTransferId::new(&format!("id{}", rng.next_u64())).unwrap(),
            ),
            11 => Attribute::FileDisposition(
                Disposition::new(pick(rng, &["render", "attachment", "icon"])).unwrap(),
            ),
            12 => {
                let mut d = FileDate::new();
                for kind in [DateKind::Read, DateKind::Creation, DateKind::Modification] {
                    if rng.below(2) == 0 {
                        let unix = (rng.next_u64() % 4_000_000_000) as i64;
                        let off = (rng.below(1440) as i16) - 720;
                        d = d.with(kind, DateTime::from_unix(unix, off).unwrap());
                    }
                }
                if d.is_empty() {
                    d = d.with(
                        DateKind::Read,
                        DateTime::parse("1 Jan 2000 00:00 +0000").unwrap(),
                    );
                }
                Attribute::FileDate(d)
            }
            13 => Attribute::FileIcon(ContentIdUrl::from_content_id(&random_name(rng)).unwrap()),
            14 => {
                let start = 1 + rng.below(1000);
                let stop = if rng.below(2) == 0 {
                    None
                } else {
                    Some(start + rng.below(1000))
                };
                Attribute::FileRange(FileRange::new(start, stop).unwrap())
            }
            _ => Attribute::new(pick(rng, &["x-foo", "rtpmap", "x-bar"]), pick_opt(rng)).unwrap(),
        };
        m.attributes.push(a);
    }
    m
}

fn pick_opt(rng: &mut SeededRng) -> Option<&'static str> {
    match rng.below(3) {
        0 => None,
        1 => Some(""),
        _ => Some("value with spaces:and colons"),
    }
}

#[test]
fn generated_descriptions_round_trip() {
    let mut rng = SeededRng::new(0x5DF);
    for _ in 0..2000 {
        let mut sd = SessionDescription::new(Origin {
            username: pick(&mut rng, &["-", "alice", "bob.smith"]).into(),
            session_id: rng.next_u64(),
            session_version: rng.next_u64(),
            net_type: "IN".into(),
            addr_type: "IP4".into(),
            address: pick(&mut rng, &["alicepc.example.com", "192.0.2.1"]).into(),
        });
        sd.session_name = pick(&mut rng, &["", " ", "-", "Image share"]).into();
        sd.connection = Some(Connection::internet("192.0.2.1"));
        for _ in 0..rng.below(4) {
            sd.media.push(random_media(&mut rng));
        }
        let text = sd.to_string();
        let back =
            SessionDescription::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, sd, "{text}");
        assert_eq!(back.to_string(), text);
    }
}
