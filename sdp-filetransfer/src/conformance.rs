//! Conformance tests over the RFC examples in `tests/vectors/` (RFC 5547 §6 and §9, RFC 4975
//! §8), byte-exact, plus the fuzz harnesses run over them and over seeded mutations.

use crate::fuzzing;
use crate::*;

macro_rules! vector {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!("../tests/vectors/", $name)).as_slice(),
        )
    };
}

/// Every CRLF vector; each must parse and be written back byte for byte.
const CANONICAL: &[(&str, &[u8])] = &[
    vector!("rfc5547-6-figure2.sdp"),
    vector!("rfc5547-9.1-offer.sdp"),
    vector!("rfc5547-9.1-answer.sdp"),
    vector!("rfc5547-9.2-offer.sdp"),
    vector!("rfc5547-9.2-answer.sdp"),
    vector!("rfc5547-9.2-reoffer.sdp"),
    vector!("rfc5547-9.2-reanswer.sdp"),
    vector!("rfc5547-9.3-capability.sdp"),
    vector!("rfc5547-8.3-reject.sdp"),
    vector!("rfc4975-8.2-path.sdp"),
    vector!("rfc4975-8.7-offer.sdp"),
    vector!("rfc4975-8.7-answer.sdp"),
    vector!("deployed-imageshare-active.sdp"),
    vector!("deployed-connection-new.sdp"),
    vector!("deployed-two-images.sdp"),
];

fn get(name: &str) -> SessionDescription {
    let (_, bytes) = CANONICAL
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no vector {name}"));
    SessionDescription::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn vectors_are_crlf_and_round_trip_byte_exact() {
    for (name, bytes) in CANONICAL {
        assert!(
            bytes.windows(2).filter(|w| w == b"\r\n").count()
                == bytes.iter().filter(|&&b| b == b'\n').count(),
            "{name}: every line ends in CRLF"
        );
        let sd = SessionDescription::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            sd.to_string().as_bytes(),
            *bytes,
            "{name}: not written back byte for byte"
        );
        fuzzing::roundtrip(bytes);
        fuzzing::parse_raw(bytes);
        fuzzing::offer_answer(bytes);
    }
}

#[test]
fn rfc5547_push_offer_fields() {
    let sd = get("rfc5547-9.1-offer.sdp");
    assert_eq!(sd.origin.username, "alice");
    assert_eq!(sd.origin.address, "alicepc.example.com");
    assert_eq!(sd.session_name, "");
    assert_eq!(sd.media.len(), 1);
    let m = &sd.media[0];
    assert!(m.is_file_transfer());
    assert_eq!((m.port, m.protocol.as_str()), (7654, "TCP/MSRP"));
    assert_eq!(m.information.as_deref(), Some("This is my latest picture"));
    assert_eq!(sd.direction(0), Direction::SendOnly);
    assert_eq!(m.accept_types().unwrap()[0].as_str(), "message/cpim");
    assert!(m.accept_wrapped_types().unwrap()[0].is_any());
    assert_eq!(
        m.path().unwrap().last().as_str(),
        "msrp://alicepc.example.com:7654/jshA7we;tcp"
    );
    let sel = m.file_selector().unwrap();
    assert_eq!(sel.name().unwrap().decoded(), "My cool picture.jpg");
    assert_eq!(sel.file_type().unwrap().essence(), "image/jpeg");
    assert_eq!(sel.size(), Some(4092));
    assert_eq!(sel.sha1().unwrap()[..3], [0x72, 0x24, 0x5F]);
    assert_eq!(
        m.file_transfer_id().unwrap().as_str(),
        "Q6LMoGymJdh0IKIgD6wD0jkcfgva4xvE"
    );
    assert!(m.file_disposition().unwrap().is_render());
    let created = m.file_date().unwrap().get(DateKind::Creation).unwrap();
    assert_eq!((created.year(), created.offset_minutes()), (2006, 180));
    assert_eq!(
        m.file_icon().unwrap().content_id(),
        "<id2@alicepc.example.com>"
    );
    assert_eq!(m.file_range(), None);
    assert_eq!(m.setup(), None);
}

#[test]
fn rfc5547_figure2_range_and_attachment() {
    let m = &get("rfc5547-6-figure2.sdp").media[0];
    assert_eq!(
        m.file_range(),
        Some(FileRange::new(1, Some(32349)).unwrap())
    );
    assert_eq!(m.file_disposition().unwrap().as_str(), "attachment");
}

#[test]
fn rfc5547_answers_fit_their_offers() {
    let offer = get("rfc5547-9.1-offer.sdp");
    validate_answer(&offer, &get("rfc5547-9.1-answer.sdp")).unwrap();
    validate_answer(&offer, &get("rfc5547-8.3-reject.sdp")).unwrap();
    // Pull (§9.2): the answer carries the sender's type and the hash.
    let pull = get("rfc5547-9.2-offer.sdp");
    assert_eq!(pull.direction(0), Direction::RecvOnly);
    validate_answer(&pull, &get("rfc5547-9.2-answer.sdp")).unwrap();
    // §9.2 F7 answers a push with `a=file-disposition:render`, which §8.3.1 says the file
    // receiver MUST NOT include: the RFC's example contradicts its text, and the check says so.
    assert_eq!(
        validate_answer(
            &get("rfc5547-9.2-reoffer.sdp"),
            &get("rfc5547-9.2-reanswer.sdp")
        ),
        Err(AnswerViolation::Forbidden {
            index: 0,
            attribute: "file-disposition"
        })
    );
    // A plain RFC 4975 exchange is not a file transfer, but still a structurally fine answer.
    validate_answer(
        &get("rfc4975-8.7-offer.sdp"),
        &get("rfc4975-8.7-answer.sdp"),
    )
    .unwrap();
}

#[test]
fn rfc5547_pull_then_push_reuses_the_m_line() {
    // §9.2: Alice pulls a file, then reuses the m-line for a push with a new transfer id.
    let first = get("rfc5547-9.2-offer.sdp");
    let second = get("rfc5547-9.2-reoffer.sdp");
    let mut history = TransferHistory::new();
    assert_eq!(
        classify_reoffer(None, &first, &history),
        [Reoffer::NewTransfer]
    );
    history.record(&first);
    history.record(&get("rfc5547-9.2-answer.sdp"));
    assert_eq!(
        classify_reoffer(Some(&first), &second, &history),
        [Reoffer::NewTransfer]
    );
    history.record(&second);
    // Sent again unchanged (a session timer refresh): nothing new starts.
    assert_eq!(
        classify_reoffer(Some(&second), &second, &history),
        [Reoffer::Refresh]
    );
    // The first id again, on the same line: no new transfer (§8.3.1).
    assert_eq!(
        classify_reoffer(Some(&second), &first, &history),
        [Reoffer::ReusedId]
    );
}

#[test]
fn rfc5547_capability_matches_what_we_build() {
    let rfc = get("rfc5547-9.3-capability.sdp");
    let mut n = fuzzing::seeded_negotiator(1, "bobpc.example.com");
    let cfg = n.config_mut();
    cfg.accept_types = vec![FormatEntry::new("message/cpim").unwrap()];
    cfg.accept_wrapped_types = vec![FormatEntry::any()];
    cfg.max_size = Some(20000);
    cfg.username = "bob".into();
    let mut ours = n.capability().unwrap();
    ours.origin = rfc.origin.clone();
    assert_eq!(ours.to_string(), rfc.to_string());
}

#[test]
fn rfc5547_icon_in_multipart_related() {
    // §8.8, §9.1 F1: the SDP is the root of multipart/related; the icon part's Content-ID is the
    // one `a=file-icon` names.
    let body = include_bytes!("../tests/vectors/rfc5547-9.1-invite-body.multipart");
    let text = std::str::from_utf8(body).unwrap();
    let parts: Vec<&str> = text
        .split("--boundary71")
        .map(|p| p.trim_start_matches("\r\n"))
        .filter(|p| !p.is_empty() && !p.starts_with("--"))
        .collect();
    assert_eq!(parts.len(), 2);
    let (sdp_head, sdp_body) = parts[0].split_once("\r\n\r\n").unwrap();
    assert!(sdp_head.contains("Content-Type: application/sdp"));
    // The part body ends with the CRLF that precedes the next delimiter.
    let sdp_body = sdp_body.strip_suffix("\r\n").unwrap();
    let sd = SessionDescription::parse(sdp_body.as_bytes()).unwrap();
    assert_eq!(sd, get("rfc5547-9.1-offer.sdp"));
    let (icon_head, _) = parts[1].split_once("\r\n\r\n").unwrap();
    let cid = sd.media[0].file_icon().unwrap().content_id();
    assert!(
        icon_head.contains(&format!("Content-ID: {cid}")),
        "{icon_head}"
    );
    assert!(icon_head.contains("Content-Disposition: icon"));
}

#[test]
fn lenient_input_parses_to_the_canonical_value() {
    let lenient = include_bytes!("../tests/vectors/lenient-9.1-offer-lf.sdp");
    assert!(!lenient.contains(&b'\r'));
    let sd = SessionDescription::parse(lenient).unwrap();
    assert_eq!(sd, get("rfc5547-9.1-offer.sdp"));
    let (_, canonical) = CANONICAL[1];
    assert_eq!(sd.to_string().as_bytes(), canonical);
}

#[test]
fn deployed_clients() {
    // Image share as deployed clients send it: setup active, port 9, no hash, attributes in
    // their own order.
    let sd = get("deployed-imageshare-active.sdp");
    let m = &sd.media[0];
    assert_eq!((m.port, m.setup()), (9, Some(Setup::Active)));
    assert_eq!(m.file_selector().unwrap().sha1(), None);
    assert_eq!(m.max_size(), Some(10485760));
    let mut bob = fuzzing::seeded_negotiator(5, "192.0.2.99");
    let answer = bob.accept_all(&sd).unwrap();
    validate_answer(&sd, &answer).unwrap();
    assert_eq!(answer.media[0].setup(), Some(Setup::Passive));
    assert_eq!(
        connecting_side(sd.setup_for(0), answer.setup_for(0)),
        Some(Side::Offerer)
    );

    // a=connection:new is parsed and kept, ignored for MSRP; x- attributes survive in order.
    let sd = get("deployed-connection-new.sdp");
    let m = &sd.media[0];
    assert_eq!(
        m.attribute("connection"),
        Some(&Attribute::Connection(ConnectionMode::New))
    );
    let names: Vec<&str> = m.attributes.iter().map(Attribute::name).collect();
    assert_eq!(
        names,
        [
            "setup",
            "connection",
            "x-vendor-thumbnail",
            "accept-types",
            "path",
            "sendonly",
            "file-selector",
            "file-transfer-id",
            "x-flag",
            "file-disposition"
        ]
    );
    assert_eq!(
        m.file_selector().unwrap().name().unwrap().decoded(),
        "Screenshot 2024.png"
    );
    let answer = bob.accept_all(&sd).unwrap();
    validate_answer(&sd, &answer).unwrap();
    assert!(answer.media[0].attribute("connection").is_none());

    // Two images over TLS on IPv6, one with a range.
    let sd = get("deployed-two-images.sdp");
    assert_eq!(sd.origin.addr_type, "IP6");
    assert!(sd.media.iter().all(MediaDescription::is_secure));
    assert_eq!(sd.fingerprint_for(1).unwrap().value().len(), 32);
    let answer = bob
        .answer(&sd, &[Decision::Reject, Decision::Accept])
        .unwrap();
    validate_answer(&sd, &answer).unwrap();
    assert_eq!(answer.media[0].port, 0);
    assert_eq!(answer.media[1].file_range(), sd.media[1].file_range());
    assert!(
        answer.media[1]
            .path()
            .unwrap()
            .last()
            .as_str()
            .starts_with("msrps://")
    );
}

/// Inputs the fuzzers found, kept as regression tests.
#[test]
fn fuzz_regressions() {
    // A selector listing sha-1 twice was "incompatible" with itself, so an identical re-offer
    // read as a selector conflict.
    const REGRESSIONS: &[&[u8]] = &[include_bytes!("../tests/vectors/fuzz-regress-1.bin")];
    for input in REGRESSIONS {
        fuzzing::parse_raw(input);
        fuzzing::roundtrip(input);
        fuzzing::offer_answer(input);
    }
}

/// Seeded mutations of the vectors: delete, duplicate, swap and corrupt lines and bytes, then
/// run every harness. A property test of "never panics, round-trips whatever parses".
#[test]
fn seeded_mutations_keep_the_invariants() {
    let mut rng = testkit::SeededRng::new(0x5d9);
    let mut parsed = 0;
    for round in 0..3000 {
        let (_, base) = CANONICAL[round % CANONICAL.len()];
        let mut lines: Vec<Vec<u8>> = base
            .split_inclusive(|&b| b == b'\n')
            .map(<[u8]>::to_vec)
            .collect();
        for _ in 0..=rng.below(3) {
            let n = lines.len() as u64;
            let i = rng.below(n) as usize;
            match rng.below(7) {
                0 => {
                    lines.remove(i);
                }
                1 => {
                    let l = lines[i].clone();
                    lines.insert(rng.below(n) as usize, l);
                }
                2 => lines.swap(i, rng.below(n) as usize),
                3 => {
                    let line = &mut lines[i];
                    let j = rng.below(line.len().max(1) as u64) as usize;
                    if let Some(slot) = line.get_mut(j) {
                        *slot = b" :=/\"%*-0aZ\r\n\t\x00\xff"[rng.below(16) as usize];
                    }
                }
                4 => {
                    let line = &mut lines[i];
                    let j = rng.below(line.len().max(1) as u64) as usize;
                    line.truncate(j);
                }
                5 => {
                    // Strip CRs: bare LF.
                    lines[i].retain(|&b| b != b'\r');
                }
                _ => {
                    let (_, other) = CANONICAL[rng.below(CANONICAL.len() as u64) as usize];
                    if let Some(l) = other.split_inclusive(|&b| b == b'\n').nth(i) {
                        lines[i] = l.to_vec();
                    }
                }
            }
            if lines.is_empty() {
                break;
            }
        }
        let input: Vec<u8> = lines.concat();
        if SessionDescription::parse(&input).is_ok() {
            parsed += 1;
        }
        fuzzing::parse_raw(&input);
        fuzzing::roundtrip(&input);
        fuzzing::offer_answer(&input);
    }
    assert!(
        parsed > 300,
        "mutations too destructive to test much ({parsed})"
    );
}
