//! RFC 4475 "SIP Torture Test Messages": every message of `../shared/vectors/sip-rfc4475/`,
//! read byte-exact from its file, gets the verdict its MANIFEST.tsv gives.
//!
//! Each message is parsed as one datagram (RFC 3261 §18.3) and, when it parses, checked by a
//! [`Validator`] that serves `sip`, `sips` and `tel`, supports no extensions and accepts SDP and
//! `multipart/mixed` bodies, like a UAS that takes MESSAGE with attachments. The expected
//! outcome of every message is written out below: the response a UAS gives and, for those that
//! parse, the fields a reader relies on. The table holds expectations only; nothing in the
//! parser or validator knows a file name.
//!
//! The four "either" messages the RFC leaves to the implementation:
//! - `trws` (SP after the Request-Line's version) is rejected: the Request-Line grammar has
//!   exactly one SP between its elements and none after (RFC 3261 §25.1).
//! - `escruri` (escaped headers in the Request-URI) is accepted: the URI is well-formed; an
//!   element that would act on the headers is the one to refuse them.
//! - `baddate` (a Date with a non-GMT zone) is accepted: the Date header is not read by a UAS.
//! - `regbadct` (a Contact URI with parameters not in `<>`) is accepted: the parameters
//!   belong to the header field (RFC 3261 §20.10), which is what a lenient element does.

use bytes::{Bytes, BytesMut};
use sip_lite::{Limits, Message, StatusCode, StreamFramer, Validator, parse_datagram};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What a message yields.
#[derive(Debug)]
enum Outcome {
    /// Parses and passes the validator: the UAS processes it.
    Processed(Fields),
    /// Parses, but the validator answers with this status.
    Answered(u16, Fields),
    /// The parser rejects it; a UAS answers with this status (when it can answer at all).
    Unparsable(u16),
}

/// Fields of a parsed message, each read through the typed accessors.
#[derive(Debug, PartialEq)]
struct Fields {
    /// Method and Request-URI, or status code and reason phrase.
    start: &'static str,
    call_id: Option<&'static str>,
    cseq: Option<u32>,
    from_tag: Option<&'static str>,
    top_branch: Option<&'static str>,
    headers: usize,
    body_len: usize,
}

#[allow(clippy::too_many_arguments)]
const fn f(
    start: &'static str,
    call_id: Option<&'static str>,
    cseq: Option<u32>,
    from_tag: Option<&'static str>,
    top_branch: Option<&'static str>,
    headers: usize,
    body_len: usize,
) -> Fields {
    Fields {
        start,
        call_id,
        cseq,
        from_tag,
        top_branch,
        headers,
        body_len,
    }
}

use Outcome::{Answered, Processed, Unparsable};

fn expected() -> Vec<(&'static str, Outcome)> {
    vec![
        (
            "wsinv",
            Processed(f(
                "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam",
                Some("wsinv.ndaksdj@192.0.2.1"),
                Some(9),
                Some("98asjd8"),
                Some("390skdjuw"),
                14,
                150,
            )),
        ),
        (
            "intmeth",
            Processed(f(
                "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
                Some("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{"),
                Some(139122385),
                Some("_token~1'+`*%!-."),
                Some("z9hG4bK-.!%66*_+`'~"),
                8,
                0,
            )),
        ),
        (
            "esc01",
            Processed(f(
                "INVITE sip:sips%3Auser%40example.com@example.net",
                Some("esc01.239409asdfakjkn23onasd0-3234"),
                Some(234234),
                Some("938"),
                Some("z9hG4bKkdjuw"),
                9,
                150,
            )),
        ),
        (
            "escnull",
            Processed(f(
                "REGISTER sip:example.com",
                Some("escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd"),
                Some(14398234),
                Some("839923423"),
                Some("z9hG4bKkdjuw"),
                9,
                0,
            )),
        ),
        (
            "esc02",
            Processed(f(
                "RE%47IST%45R sip:registrar.example.com",
                Some("esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf"),
                Some(29344),
                Some("f232jadfj23"),
                Some("z9hG4bK209%fzsnel234"),
                10,
                0,
            )),
        ),
        (
            "lwsdisp",
            Processed(f(
                "OPTIONS sip:user@example.com",
                Some("lwsdisp.1234abcd@funky.example.com"),
                Some(60),
                Some("323"),
                Some("z9hG4bKkdjuw"),
                7,
                0,
            )),
        ),
        (
            "longreq",
            Processed(f(
                "INVITE sip:user@example.com",
                Some(
                    "longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallylongcallid",
                ),
                Some(3882340),
                Some(
                    "12982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982982424",
                ),
                None,
                43,
                150,
            )),
        ),
        (
            "dblreq",
            Processed(f(
                "REGISTER sip:example.com",
                Some("dblreq.0ha0isndaksdj99sdfafnl3lk233412"),
                Some(8),
                Some("43251j3j324"),
                Some("z9hG4bKkdjuw23492"),
                8,
                0,
            )),
        ),
        (
            "semiuri",
            Processed(f(
                "OPTIONS sip:user;par=u%40example.net@example.com",
                Some("semiuri.0ha0isndaksdj"),
                Some(8),
                Some("33242"),
                Some("z9hG4bKkdjuw"),
                8,
                0,
            )),
        ),
        (
            "transports",
            Processed(f(
                "OPTIONS sip:user@example.com",
                Some("transports.kijh4akdnaqjkwendsasfdj"),
                Some(60),
                Some("323"),
                Some("z9hG4bKkdjuw"),
                12,
                0,
            )),
        ),
        (
            "mpart01",
            Processed(f(
                "MESSAGE sip:kumiko@example.org",
                Some("3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA.."),
                Some(1),
                Some("2fb0dcc9"),
                Some("z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-"),
                14,
                553,
            )),
        ),
        (
            "unreason",
            Processed(f(
                "200 = 2**3 * 5**2 но сто девяносто девять - простое",
                Some("unreason.1234ksdfak3j2erwedfsASdf"),
                Some(35),
                Some("11141343"),
                Some("z9hG4bK1324923"),
                8,
                154,
            )),
        ),
        (
            "noreason",
            Processed(f(
                "100 ",
                Some("noreason.asndj203insdf99223ndf"),
                Some(35),
                Some("39ansfi3"),
                Some("z9hG4bK2398ndaoe"),
                7,
                0,
            )),
        ),
        (
            "badinv01",
            Answered(
                400,
                f(
                    "INVITE sip:user@example.com",
                    Some("badinv01.0ha0isndaksdjasdf3234nas"),
                    Some(8),
                    Some("134161461246"),
                    None,
                    9,
                    152,
                ),
            ),
        ),
        ("clerr", Unparsable(400)),
        ("ncl", Unparsable(400)),
        (
            "scalar02",
            Answered(
                400,
                f(
                    "REGISTER sip:example.com",
                    Some("scalar02.23o0pd9vanlq3wnrlnewofjas9ui32"),
                    None,
                    Some("239232jh3"),
                    Some("z9hG4bK342sdfoi3"),
                    9,
                    0,
                ),
            ),
        ),
        (
            "scalarlg",
            Answered(
                400,
                f(
                    "503 Service Unavailable",
                    Some("scalarlg.noase0of0234hn2qofoaf0232aewf2394r"),
                    None,
                    Some("2easdjfejw"),
                    Some("z9hG4bKzzxdiwo34sw"),
                    8,
                    0,
                ),
            ),
        ),
        (
            "quotbal",
            Answered(
                400,
                f(
                    "INVITE sip:user@example.com",
                    Some("quotbal.aksdj"),
                    Some(8),
                    Some("93334"),
                    Some("z9hG4bKkdjuw39234"),
                    9,
                    152,
                ),
            ),
        ),
        ("ltgtruri", Unparsable(400)),
        ("lwsruri", Unparsable(400)),
        ("lwsstart", Unparsable(400)),
        ("trws", Unparsable(400)),
        (
            "escruri",
            Processed(f(
                "INVITE sip:user@example.com?Route=%3Csip:example.com%3E",
                Some("escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5"),
                Some(149209342),
                Some("341518"),
                Some("z9hG4bKkdjuw"),
                9,
                150,
            )),
        ),
        (
            "baddate",
            Processed(f(
                "INVITE sip:user@example.com",
                Some("baddate.239423mnsadf3j23lj42--sedfnm234"),
                Some(1392934),
                Some("2234923"),
                Some("z9hG4bKkdjuw"),
                10,
                150,
            )),
        ),
        (
            "regbadct",
            Processed(f(
                "REGISTER sip:example.com",
                Some("regbadct.k345asrl3fdbv@10.0.0.1"),
                Some(1),
                Some("998332"),
                Some("z9hG4bKkdjuw"),
                8,
                0,
            )),
        ),
        (
            "badaspec",
            Answered(
                400,
                f(
                    "OPTIONS sip:user@example.org",
                    Some("badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3"),
                    Some(3923239),
                    Some("433423"),
                    Some("z9hG4bKkdju43234"),
                    8,
                    0,
                ),
            ),
        ),
        (
            "baddn",
            Answered(
                400,
                f(
                    "OPTIONS sip:t.watson@example.org",
                    Some("baddn.31415@c.example.com"),
                    Some(3923239),
                    None,
                    Some("z9hG4bKkdjuw"),
                    8,
                    0,
                ),
            ),
        ),
        (
            "badvers",
            Answered(
                505,
                f(
                    "OPTIONS sip:t.watson@example.org",
                    Some("badvers.31417@c.example.com"),
                    Some(1),
                    Some("qweoiqpe"),
                    Some("z9hG4bKkdjuw"),
                    7,
                    0,
                ),
            ),
        ),
        (
            "mismatch01",
            Answered(
                400,
                f(
                    "OPTIONS sip:user@example.com",
                    Some("mismatch01.dj0234sxdfl3"),
                    Some(8),
                    Some("34525"),
                    Some("z9hG4bKkdjuw"),
                    7,
                    0,
                ),
            ),
        ),
        (
            "mismatch02",
            Answered(
                400,
                f(
                    "NEWMETHOD sip:user@example.com",
                    Some("mismatch02.dj0234sxdfl3"),
                    Some(8),
                    Some("34525"),
                    Some("z9hG4bKkdjuw"),
                    9,
                    138,
                ),
            ),
        ),
        ("bigcode", Unparsable(400)),
        (
            "badbranch",
            Processed(f(
                "OPTIONS sip:user@example.com",
                Some("badbranch.sadonfo23i420jv0as0derf3j3n"),
                Some(8),
                Some("33242"),
                Some("z9hG4bK"),
                8,
                0,
            )),
        ),
        (
            "insuf",
            Answered(
                400,
                f(
                    "INVITE sip:user@example.com",
                    None,
                    Some(193942),
                    None,
                    Some("z9hG4bKkdj.insuf"),
                    4,
                    152,
                ),
            ),
        ),
        (
            "unkscm",
            Answered(
                416,
                f(
                    "OPTIONS nobodyKnowsThisScheme:totallyopaquecontent",
                    Some("unkscm.nasdfasser0q239nwsdfasdkl34"),
                    Some(3923423),
                    Some("384"),
                    Some("z9hG4bKkdjuw39234"),
                    7,
                    0,
                ),
            ),
        ),
        (
            "novelsc",
            Answered(
                416,
                f(
                    "OPTIONS soap.beep://192.0.2.103:3002",
                    Some("novelsc.asdfasser0q239nwsdfasdkl34"),
                    Some(3923423),
                    Some("384"),
                    Some("z9hG4bKkdjuw39234"),
                    7,
                    0,
                ),
            ),
        ),
        (
            "unksm2",
            Processed(f(
                "REGISTER sip:example.com",
                Some("unksm2.daksdj@hyphenated-host.example.com"),
                Some(234902),
                Some("3234233"),
                Some("z9hG4bKkdjuw"),
                8,
                0,
            )),
        ),
        (
            "bext01",
            Answered(
                420,
                f(
                    "OPTIONS sip:user@example.com",
                    Some("bext01.0ha0isndaksdj"),
                    Some(8),
                    Some("242etr"),
                    Some("z9hG4bKkdjuw"),
                    9,
                    0,
                ),
            ),
        ),
        (
            "invut",
            Answered(
                415,
                f(
                    "INVITE sip:user@example.com",
                    Some("invut.0ha0isndaksdjadsfij34n23d"),
                    Some(235448),
                    Some("8392034"),
                    Some("z9hG4bKkdjuw"),
                    9,
                    40,
                ),
            ),
        ),
        (
            "regaut01",
            Processed(f(
                "REGISTER sip:example.com",
                Some("regaut01.0ha0isndaksdj"),
                Some(9338),
                Some("87321hj23128"),
                Some("z9hG4bKkdjuw"),
                8,
                0,
            )),
        ),
        (
            "multi01",
            Answered(
                400,
                f(
                    "INVITE sip:user@company.com",
                    Some("multi01.98asdh@192.0.2.1"),
                    Some(5),
                    Some("3413415"),
                    Some("z9hG4bKkdjuw"),
                    15,
                    154,
                ),
            ),
        ),
        ("mcl01", Unparsable(400)),
        (
            "bcast",
            Processed(f(
                "200 OK",
                Some("bcast.0384840201234ksdfak3j2erwedfsASdf"),
                Some(35),
                Some("11141343"),
                Some("z9hG4bK1324923"),
                9,
                154,
            )),
        ),
        (
            "zeromf",
            Processed(f(
                "OPTIONS sip:user@example.com",
                Some("zeromf.jfasdlfnm2o2l43r5u0asdfas"),
                Some(39234321),
                Some("3ghsd41"),
                Some("z9hG4bKkdjuw2349i"),
                7,
                0,
            )),
        ),
        (
            "cparam01",
            Processed(f(
                "REGISTER sip:example.com",
                Some("cparam01.70710@saturn.example.com"),
                Some(2),
                Some("DkfVgjkrtMwaerKKpe"),
                Some("z9hG4bKkdjuw"),
                8,
                0,
            )),
        ),
        (
            "cparam02",
            Processed(f(
                "REGISTER sip:example.com",
                Some("cparam02.70710@saturn.example.com"),
                Some(3),
                Some("838293"),
                Some("z9hG4bKkdjuw"),
                8,
                0,
            )),
        ),
        (
            "regescrt",
            Processed(f(
                "REGISTER sip:example.com",
                Some("regescrt.k345asrl3fdbv@192.0.2.1"),
                Some(14398234),
                Some("8"),
                Some("z9hG4bKkdjuw"),
                8,
                0,
            )),
        ),
        (
            "sdp01",
            Answered(
                406,
                f(
                    "INVITE sip:user@example.com",
                    Some("sdp01.ndaksdj9342dasdd"),
                    Some(8),
                    Some("234"),
                    Some("z9hG4bKkdjuw"),
                    10,
                    150,
                ),
            ),
        ),
        (
            "inv2543",
            Processed(f(
                "INVITE sip:UserB@example.com",
                Some("inv2543.1717@ift.client.example.com"),
                Some(56),
                None,
                None,
                7,
                105,
            )),
        ),
    ]
}

/// The vector directory, or `None` (test skipped) when it is absent outside CI.
fn vector_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/sip-rfc4475");
    if dir.join("MANIFEST.tsv").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "RFC 4475 vectors missing at {}",
        dir.display()
    );
    eprintln!("skipped: RFC 4475 vectors not found at {}", dir.display());
    None
}

struct Vector {
    name: String,
    verdict: String,
    bytes: Bytes,
}

fn load(dir: &Path) -> Vec<Vector> {
    let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut out = Vec::new();
    for line in manifest
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 3, "malformed manifest line {line:?}");
        let bytes = std::fs::read(dir.join(format!("{}.dat", cols[0]))).expect("vector file");
        out.push(Vector {
            name: cols[0].to_owned(),
            verdict: cols[2].to_owned(),
            bytes: Bytes::from(bytes),
        });
    }
    out
}

fn validator() -> Validator {
    Validator::default().accepted_body_types(["application/sdp", "multipart/mixed"])
}

/// The fields as owned values: start line, Call-ID, CSeq, From tag, top branch, header count
/// and body length.
type Owned = (
    String,
    Option<String>,
    Option<u32>,
    Option<String>,
    Option<String>,
    usize,
    usize,
);

fn fields_of(msg: &Message) -> Owned {
    let h = msg.headers();
    let start = match msg {
        Message::Request(r) => format!("{} {}", r.method, r.uri),
        Message::Response(r) => format!("{} {}", r.status.as_u16(), r.reason),
    };
    (
        start,
        h.call_id().and_then(Result::ok).map(str::to_owned),
        h.cseq().and_then(Result::ok).map(|c| c.seq),
        h.from_addr()
            .and_then(Result::ok)
            .and_then(|a| a.tag().map(str::to_owned)),
        h.top_via()
            .and_then(Result::ok)
            .and_then(|v| v.branch().map(str::to_owned)),
        h.len(),
        msg.body().len(),
    )
}

fn check_fields(name: &str, msg: &Message, want: &Fields) {
    let got = fields_of(msg);
    let want = (
        want.start.to_owned(),
        want.call_id.map(str::to_owned),
        want.cseq,
        want.from_tag.map(str::to_owned),
        want.top_branch.map(str::to_owned),
        want.headers,
        want.body_len,
    );
    assert_eq!(got, want, "{name}: fields");
}

#[test]
fn every_vector_gets_its_manifest_verdict_and_expected_response() {
    let Some(dir) = vector_dir() else { return };
    let vectors = load(&dir);
    let table = expected();

    // The manifest, the files on disk and the table name the same 49 messages.
    let in_manifest: BTreeSet<&str> = vectors.iter().map(|v| v.name.as_str()).collect();
    let in_table: BTreeSet<&str> = table.iter().map(|(n, _)| *n).collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .into_string()
                .ok()?
                .strip_suffix(".dat")
                .map(str::to_owned)
        })
        .collect();
    assert_eq!(vectors.len(), 49);
    assert_eq!(in_manifest, in_table);
    assert_eq!(in_manifest, on_disk.iter().map(String::as_str).collect());

    let validator = validator();
    for v in &vectors {
        let (_, want) = table.iter().find(|(n, _)| *n == v.name).unwrap();
        let name = &v.name;
        let parsed = parse_datagram(v.bytes.clone(), &Limits::default());
        match (want, &parsed) {
            (Processed(fields), Ok(msg)) => {
                check_fields(name, msg, fields);
                assert_eq!(validator.check(msg), Ok(()), "{name}: validator");
            }
            (Answered(status, fields), Ok(msg)) => {
                check_fields(name, msg, fields);
                let rejection = validator.check(msg).expect_err(name);
                assert_eq!(rejection.status().as_u16(), *status, "{name}: {rejection}");
            }
            (Unparsable(status), Err(e)) => assert_eq!(e.status().as_u16(), *status, "{name}: {e}"),
            (want, got) => panic!("{name}: expected {want:?}, got {got:?}"),
        }
        // The outcome agrees with the manifest's verdict.
        let rejected = match (&parsed, want) {
            (Err(_), _) => true,
            (Ok(_), Answered(status, _)) => *status == 400 || *status == 505,
            (Ok(_), _) => false,
        };
        match v.verdict.as_str() {
            "parse" => assert!(
                parsed.is_ok() && !rejected,
                "{name}: the manifest says parse"
            ),
            "reject" => assert!(rejected, "{name}: the manifest says reject"),
            "either" => {}
            other => panic!("{name}: unknown verdict {other:?}"),
        }
    }
}

#[test]
fn parsed_vectors_survive_serialize_and_parse_again() {
    let Some(dir) = vector_dir() else { return };
    for v in load(&dir) {
        let Ok(msg) = parse_datagram(v.bytes.clone(), &Limits::default()) else {
            continue;
        };
        let wire = msg.to_bytes();
        let again = Message::parse(wire.clone()).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(
            again, msg,
            "{}: parse(serialize(parse(x))) == parse(x)",
            v.name
        );
        // Serializing is a fixed point after one round.
        assert_eq!(
            again.to_bytes(),
            wire,
            "{}: serialization is stable",
            v.name
        );
    }
}

#[test]
fn stream_framing_gives_the_datagram_result_at_every_split() {
    let Some(dir) = vector_dir() else { return };
    for v in load(&dir) {
        let datagram = parse_datagram(v.bytes.clone(), &Limits::default());
        // Whole input at once.
        let mut framer = StreamFramer::new(Limits::default());
        let mut buf = BytesMut::from(&v.bytes[..]);
        let whole = framer.decode(&mut buf);
        match (&datagram, &whole) {
            (Ok(d), Ok(Some(s))) => assert_eq!(d, s, "{}", v.name),
            // A declared body longer than what arrived is "need more" on a stream (RFC 4475
            // §3.1.2.2), an error only for a datagram.
            (Err(e), Ok(None)) => assert_eq!(
                std::mem::discriminant(e),
                std::mem::discriminant(&sip_lite::ParseError::TruncatedBody {
                    declared: 0,
                    available: 0
                }),
                "{}",
                v.name
            ),
            // Content-Length is mandatory on a stream (RFC 3261 §18.3); a datagram may omit
            // it (RFC 4475 §3.4.1) and its body is then the rest of the datagram.
            (Ok(d), Err(e)) if d.headers().content_length().is_none() => {
                assert_eq!(
                    e.error(),
                    &sip_lite::ParseError::MissingContentLength,
                    "{}",
                    v.name
                );
                continue;
            }
            // A message a datagram reader rejects is rejected on a stream as well.
            (Err(_), Err(_)) => {}
            (d, s) => panic!("{}: datagram {d:?}, stream {s:?}", v.name),
        }
        // The same bytes in two pieces, split at every position, give the same first message.
        let Ok(Some(first)) = whole else { continue };
        for split in 1..v.bytes.len() {
            let mut framer = StreamFramer::new(Limits::default());
            let mut buf = BytesMut::from(&v.bytes[..split]);
            let early = framer
                .decode(&mut buf)
                .unwrap_or_else(|e| panic!("{} @{split}: {e:?}", v.name));
            let msg = match early {
                Some(msg) => msg,
                None => {
                    buf.extend_from_slice(&v.bytes[split..]);
                    framer
                        .decode(&mut buf)
                        .unwrap()
                        .unwrap_or_else(|| panic!("{} @{split}", v.name))
                }
            };
            assert_eq!(msg, first, "{} split at {split}", v.name);
        }
    }
}

#[test]
fn the_status_for_each_rejection_is_one_a_uas_may_send() {
    let Some(dir) = vector_dir() else { return };
    for v in load(&dir) {
        let status = match parse_datagram(v.bytes.clone(), &Limits::default()) {
            Err(e) => e.status(),
            Ok(msg) => match validator().check(&msg) {
                Err(r) => r.status(),
                Ok(()) => continue,
            },
        };
        assert!(
            [
                StatusCode::BAD_REQUEST,
                StatusCode::NOT_ACCEPTABLE,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                StatusCode::UNSUPPORTED_URI_SCHEME,
                StatusCode::BAD_EXTENSION,
                StatusCode::VERSION_NOT_SUPPORTED,
            ]
            .contains(&status),
            "{}: {status:?}",
            v.name
        );
    }
}
