//! One test per offer/answer rule (RFC 5547 §8, RFC 4975 §8, RFC 6135, RFC 6714), through the
//! public API only.

use sdp_filetransfer::*;

fn negotiator(seed: u64, address: &str) -> Negotiator {
    Negotiator::new(
        NegotiatorConfig::default()
            .with_address(address)
            .with_id_generator(IdGenerator::from_fn(testkit::id_source(seed))),
    )
}

fn jpeg(name: &str, size: u64) -> FileOffer {
    FileOffer::new(
        FileSelector::new()
            .with_name(name)
            .with_type(FileType::new("image", "jpeg").unwrap())
            .with_size(size)
            .with_hash(FileHash::sha1([0xAB; 20])),
    )
}

fn parse(s: &str) -> SessionDescription {
    s.parse().unwrap_or_else(|e| panic!("{e}\n{s}"))
}

/// Round-trips through text, as the peer would see it.
fn wire(sd: &SessionDescription) -> SessionDescription {
    let text = sd.to_string();
    let back = parse(&text);
    assert_eq!(&back, sd);
    back
}

#[test]
fn push_offer_one_m_line_per_file_with_fresh_ids() {
    let mut alice = negotiator(1, "alicepc.example.com");
    let offer = wire(
        &alice
            .push_offer(&[jpeg("a.jpg", 10), jpeg("b.jpg", 20), jpeg("c.jpg", 30)])
            .unwrap(),
    );
    assert_eq!(offer.media.len(), 3);
    let mut ids: Vec<&str> = Vec::new();
    let mut paths = Vec::new();
    for (i, m) in offer.media.iter().enumerate() {
        assert!(m.is_file_transfer());
        assert_eq!(offer.direction(i), Direction::SendOnly);
        assert_eq!(m.setup(), Some(Setup::ActPass));
        assert!(m.accept_types().is_some());
        let id = m.file_transfer_id().unwrap().as_str();
        assert_eq!(id.len(), GENERATED_TRANSFER_ID_LEN);
        ids.push(id);
        let uri = m.path().unwrap().last().clone();
        assert_eq!(uri.port(), Some(m.port));
        assert_eq!(uri.session_id().unwrap().len(), GENERATED_SESSION_ID_LEN);
        paths.push(uri);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3, "transfer ids are unique");
    assert!(
        paths[0] != paths[1] && paths[1] != paths[2],
        "one MSRP session per file"
    );
    assert_eq!(
        offer.media[1]
            .file_selector()
            .unwrap()
            .name()
            .unwrap()
            .decoded(),
        "b.jpg"
    );
    // Reproducible with the same seed, different with another.
    let again = negotiator(1, "alicepc.example.com")
        .push_offer(&[jpeg("a.jpg", 10), jpeg("b.jpg", 20), jpeg("c.jpg", 30)])
        .unwrap();
    assert_eq!(again, offer);
    let other = negotiator(2, "alicepc.example.com")
        .push_offer(&[jpeg("a.jpg", 10)])
        .unwrap();
    assert_ne!(
        other.media[0].file_transfer_id(),
        offer.media[0].file_transfer_id()
    );
    // Each new description raises the o= version, keeping the session id.
    let next = alice.push_offer(&[jpeg("d.jpg", 1)]).unwrap();
    assert_eq!(next.origin.session_id, offer.origin.session_id);
    assert_eq!(
        next.origin.session_version,
        offer.origin.session_version + 1
    );
}

#[test]
fn push_offer_optional_attributes() {
    let mut alice = negotiator(3, "alicepc.example.com");
    let date = FileDate::new().with(
        DateKind::Creation,
        DateTime::parse("Mon, 15 May 2006 15:01:31 +0300").unwrap(),
    );
    let file = jpeg("My cool picture.jpg", 4092)
        .with_description("This is my latest picture")
        .with_disposition(Disposition::render())
        .with_date(date.clone())
        .with_icon(ContentIdUrl::from_content_id("id2@alicepc.example.com").unwrap());
    let offer = wire(&alice.push_offer(&[file]).unwrap());
    let m = &offer.media[0];
    assert_eq!(m.information.as_deref(), Some("This is my latest picture"));
    assert!(m.file_disposition().unwrap().is_render());
    assert_eq!(m.file_date(), Some(&date));
    assert_eq!(
        m.file_icon().unwrap().as_str(),
        "cid:id2@alicepc.example.com"
    );
    let text = offer.to_string();
    assert!(text.contains(
        "a=file-selector:name:\"My cool picture.jpg\" type:image/jpeg size:4092 hash:sha-1:AB:AB:"
    ));
}

#[test]
fn push_offer_needs_files_and_a_type_size_or_hash() {
    let mut alice = negotiator(4, "a.example");
    assert_eq!(alice.push_offer(&[]), Err(OfferError::NoFiles));
    let name_only = FileOffer::new(FileSelector::new().with_name("x"));
    assert_eq!(
        alice.push_offer(&[jpeg("a", 1), name_only.clone()]),
        Err(OfferError::PushSelectorTooThin { index: 1 })
    );
    // A pull may name the file only, but not nothing.
    assert!(alice.pull_offer(&[name_only]).is_ok());
    assert_eq!(
        alice.pull_offer(&[FileOffer::new(FileSelector::new())]),
        Err(OfferError::EmptySelector { index: 0 })
    );
    let mut bad = Negotiator::new(NegotiatorConfig::default().with_address("bad host"));
    assert_eq!(bad.push_offer(&[jpeg("a", 1)]), Err(OfferError::BadAddress));
}

#[test]
fn pull_offer_is_recvonly_and_carries_only_selector_id_range() {
    let mut alice = negotiator(5, "alicepc.example.com");
    let req = FileOffer::new(FileSelector::new().with_hash(FileHash::sha1([1; 20])))
        .with_disposition(Disposition::attachment())
        .with_range(FileRange::new(100, None).unwrap());
    let offer = wire(&alice.pull_offer(&[req]).unwrap());
    let m = &offer.media[0];
    assert_eq!(offer.direction(0), Direction::RecvOnly);
    assert!(m.file_disposition().is_none(), "RFC 5547 §8.2.2");
    assert_eq!(m.file_range(), Some(FileRange::new(100, None).unwrap()));

    // Bob has the file: the answer is sendonly with his type and SHA-1 (§8.3.2).
    let mut bob = negotiator(6, "bobpc.example.com");
    let mine = FileSelector::new()
        .with_name("photo.jpg")
        .with_type(FileType::new("image", "jpeg").unwrap())
        .with_size(1931)
        .with_hash(FileHash::sha1([1; 20]));
    let answer = wire(&bob.answer(&offer, &[Decision::AcceptWith(mine)]).unwrap());
    validate_answer(&offer, &answer).unwrap();
    assert_eq!(answer.direction(0), Direction::SendOnly);
    let sel = answer.media[0].file_selector().unwrap();
    assert_eq!(
        sel.to_string(),
        format!("type:image/jpeg hash:sha-1:{}", ["01"; 20].join(":"))
    );
    assert_eq!(answer.media[0].file_range(), m.file_range());
    // Plain Accept echoes the request.
    let echo = bob.accept_all(&offer).unwrap();
    assert_eq!(echo.media[0].file_selector(), m.file_selector());
}

#[test]
fn accept_all_echoes_selector_id_range_and_inverts_direction() {
    let mut alice = negotiator(7, "alicepc.example.com");
    let offer = wire(
        &alice
            .push_offer(&[jpeg("a.jpg", 100).with_range(FileRange::new(51, Some(100)).unwrap())])
            .unwrap(),
    );
    let mut bob = negotiator(8, "bobpc.example.com");
    let answer = wire(&bob.accept_all(&offer).unwrap());
    validate_answer(&offer, &answer).unwrap();
    let (o, a) = (&offer.media[0], &answer.media[0]);
    assert_ne!(a.port, 0);
    assert_eq!(answer.direction(0), Direction::RecvOnly);
    assert_eq!(a.file_selector(), o.file_selector());
    assert_eq!(a.file_transfer_id(), o.file_transfer_id());
    assert_eq!(a.file_range(), o.file_range());
    for forbidden in ["file-icon", "file-disposition", "file-date"] {
        assert!(a.attribute(forbidden).is_none());
    }
    assert!(
        a.path()
            .unwrap()
            .last()
            .as_str()
            .starts_with("msrp://bobpc.example.com:2855/")
    );
    assert_eq!(answer.origin.address, "bobpc.example.com");
}

#[test]
fn accept_some_reject_others_with_mirrored_selector_and_id() {
    let mut alice = negotiator(9, "a.example");
    let offer = alice
        .push_offer(&[jpeg("1.jpg", 1), jpeg("2.jpg", 2), jpeg("3.jpg", 3)])
        .unwrap();
    let mut bob = negotiator(10, "b.example");
    let answer = wire(
        &bob.answer(
            &offer,
            &[Decision::Reject, Decision::Accept, Decision::Reject],
        )
        .unwrap(),
    );
    validate_answer(&offer, &answer).unwrap();
    let ports: Vec<u16> = answer.media.iter().map(|m| m.port).collect();
    assert_eq!(ports[0], 0);
    assert_ne!(ports[1], 0);
    assert_eq!(ports[2], 0);
    for i in [0, 2] {
        let (o, a) = (&offer.media[i], &answer.media[i]);
        assert_eq!(a.file_selector(), o.file_selector());
        assert_eq!(a.file_transfer_id(), o.file_transfer_id());
        assert_eq!(
            (a.media.as_str(), a.protocol.as_str()),
            ("message", "TCP/MSRP")
        );
    }
    assert_eq!(
        bob.answer(&offer, &[Decision::Accept]),
        Err(AnswerError::DecisionCount {
            expected: 3,
            got: 1
        })
    );
}

#[test]
fn reject_all_is_valid_and_parses() {
    let offer = negotiator(11, "a.example")
        .push_offer(&[jpeg("1.jpg", 1), jpeg("2.jpg", 2)])
        .unwrap();
    let answer = wire(&negotiator(12, "b.example").reject_all(&offer).unwrap());
    validate_answer(&offer, &answer).unwrap();
    assert!(answer.media.iter().all(|m| m.port == 0));
}

#[test]
fn offers_without_a_usable_file_transfer_are_488() {
    let base = "v=0\r\no=- 1 1 IN IP4 a.example\r\ns=-\r\nc=IN IP4 a.example\r\nt=0 0\r\n";
    let ok_media = "m=message 7654 TCP/MSRP *\r\na=sendonly\r\na=accept-types:*\r\na=path:msrp://a.example:7654/s;tcp\r\na=file-selector:size:1\r\na=file-transfer-id:x1\r\n";
    let mut bob = negotiator(13, "b.example");
    let cases: Vec<(String, NotAcceptable)> = vec![
        (
            "m=audio 4000 RTP/AVP 0\r\n".into(),
            NotAcceptable::NoFileTransfer,
        ),
        (
            // RFC 4975 chat without a file selector.
            "m=message 7654 TCP/MSRP *\r\na=accept-types:*\r\na=path:msrp://a.example:7654/s;tcp\r\n".into(),
            NotAcceptable::NoFileTransfer,
        ),
        (
            ok_media.replace("TCP/MSRP *", "TCP/MSRP text/plain"),
            NotAcceptable::BadFormat { index: 0 },
        ),
        (
            ok_media.replace("a=path:msrp://a.example:7654/s;tcp\r\n", ""),
            NotAcceptable::Missing { index: 0, attribute: "path" },
        ),
        (
            ok_media.replace("a=accept-types:*\r\n", ""),
            NotAcceptable::Missing { index: 0, attribute: "accept-types" },
        ),
        (
            ok_media.replace("a=file-transfer-id:x1\r\n", ""),
            NotAcceptable::Missing { index: 0, attribute: "file-transfer-id" },
        ),
        (
            ok_media.replace("a=file-transfer-id:x1\r\n", "a=file-transfer-id:x1\r\na=file-transfer-id:x2\r\n"),
            NotAcceptable::Repeated { index: 0, attribute: "file-transfer-id" },
        ),
        (
            ok_media.replace("a=file-selector:size:1", "a=file-selector"),
            NotAcceptable::EmptySelector { index: 0 },
        ),
        (
            ok_media.replace("a=sendonly\r\n", ""),
            NotAcceptable::BadDirection { index: 0 },
        ),
        (
            ok_media.replace("a=sendonly", "a=inactive"),
            NotAcceptable::BadDirection { index: 0 },
        ),
        (
            ok_media.replace("a.example:7654/s", "a.example/s"),
            NotAcceptable::BadPath { index: 0 },
        ),
        (
            ok_media.replace("msrp://", "msrps://"),
            NotAcceptable::BadPath { index: 0 },
        ),
    ];
    for (media, reason) in cases {
        let offer = parse(&format!("{base}{media}"));
        for result in [bob.accept_all(&offer), bob.reject_all(&offer)] {
            let err = result.unwrap_err();
            assert_eq!(err, AnswerError::NotAcceptable(reason.clone()), "{media}");
            assert_eq!(err.sip_status(), Some(488));
        }
    }
    // The well-formed one is fine, and a session-level direction counts (RFC 8866 §6.7).
    bob.accept_all(&parse(&format!("{base}{ok_media}")))
        .unwrap();
    let session_level = format!(
        "{base}a=sendonly\r\n{}",
        ok_media.replace("a=sendonly\r\n", "")
    );
    let offer = parse(&session_level);
    let answer = bob.accept_all(&offer).unwrap();
    validate_answer(&offer, &answer).unwrap();
}

#[test]
fn unsupported_file_types_are_rejected_per_line_or_488() {
    let mut alice = negotiator(14, "a.example");
    let text = FileOffer::new(
        FileSelector::new()
            .with_type(FileType::new("text", "plain").unwrap())
            .with_size(5),
    );
    let mut bob = Negotiator::new(
        NegotiatorConfig::default()
            .with_address("b.example")
            .with_accept_types(vec![FormatEntry::new("image/*").unwrap()]),
    );
    let offer = alice.push_offer(&[jpeg("a.jpg", 1), text.clone()]).unwrap();
    let answer = bob.accept_all(&offer).unwrap();
    validate_answer(&offer, &answer).unwrap();
    assert_ne!(answer.media[0].port, 0);
    assert_eq!(answer.media[1].port, 0);
    assert_eq!(
        bob.answer(&offer, &[Decision::Accept, Decision::Accept]),
        Err(AnswerError::CannotAccept {
            index: 1,
            reason: NotAcceptable::UnsupportedType { index: 1 }
        })
    );
    let only_text = alice.push_offer(&[text]).unwrap();
    let err = bob.accept_all(&only_text).unwrap_err();
    assert_eq!(
        err,
        AnswerError::NotAcceptable(NotAcceptable::UnsupportedType { index: 0 })
    );
    assert_eq!(err.sip_status(), Some(488));
    // Wrapped in message/cpim is fine when the wrapped types allow it (RFC 4975 §8.6).
    let mut cpim = Negotiator::new(
        NegotiatorConfig::default()
            .with_accept_types(vec![FormatEntry::new("message/cpim").unwrap()])
            .with_accept_wrapped_types(vec![FormatEntry::new("text/plain").unwrap()]),
    );
    cpim.accept_all(&only_text).unwrap();
}

#[test]
fn closed_and_foreign_sections_are_rejected_and_mirrored() {
    let mut alice = negotiator(15, "a.example");
    let mut offer = alice
        .push_offer(&[jpeg("a.jpg", 1), jpeg("b.jpg", 2)])
        .unwrap();
    // §8.4: the sender aborted the first file and re-offers it with port 0 and the same id.
    offer.media[0].port = 0;
    offer.media.push(
        parse(
            "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nc=IN IP4 a\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\n",
        )
        .media
        .remove(0),
    );
    let offer = wire(&offer);
    let mut bob = negotiator(16, "b.example");
    let answer = wire(&bob.accept_all(&offer).unwrap());
    validate_answer(&offer, &answer).unwrap();
    assert_eq!(answer.media[0].port, 0);
    assert_eq!(
        answer.media[0].file_transfer_id(),
        offer.media[0].file_transfer_id()
    );
    assert_ne!(answer.media[1].port, 0);
    let audio = &answer.media[2];
    assert_eq!(
        (audio.media.as_str(), audio.port, audio.formats.len()),
        ("audio", 0, 2)
    );
    let seen = bob.inspect(&offer).unwrap();
    assert!(matches!(seen[0], OfferedMedia::Closed));
    assert!(matches!(&seen[1], OfferedMedia::File(f) if f.operation == Operation::Push));
    assert!(matches!(seen[2], OfferedMedia::Other));
    assert!(matches!(
        bob.answer(
            &offer,
            &[Decision::Accept, Decision::Accept, Decision::Reject]
        ),
        Err(AnswerError::CannotAccept { index: 0, .. })
    ));
    // Only closed sections left: still answerable (all port 0), not a 488.
    let mut all_closed = offer.clone();
    all_closed.media[1].port = 0;
    let answer = bob.accept_all(&all_closed).unwrap();
    validate_answer(&all_closed, &answer).unwrap();
}

#[test]
fn setup_roles_rfc6135() {
    // Reachable offerer: actpass; reachable answerer: passive, so the offerer connects.
    let offer = negotiator(17, "a.example")
        .push_offer(&[jpeg("a", 1)])
        .unwrap();
    let answer = negotiator(18, "b.example").accept_all(&offer).unwrap();
    assert_eq!(answer.media[0].setup(), Some(Setup::Passive));
    assert_eq!(
        connecting_side(offer.setup_for(0), answer.setup_for(0)),
        Some(Side::Offerer)
    );
    // Answerer behind a NAT: active, port 9, and it connects.
    let mut natted = Negotiator::new(
        NegotiatorConfig::default()
            .with_address("192.0.2.1")
            .with_reachable(false),
    );
    let answer = natted.accept_all(&offer).unwrap();
    validate_answer(&offer, &answer).unwrap();
    assert_eq!(answer.media[0].setup(), Some(Setup::Active));
    assert_eq!(answer.media[0].port, DISCARD_PORT);
    assert_eq!(
        connecting_side(offer.setup_for(0), answer.setup_for(0)),
        Some(Side::Answerer)
    );
    // Offerer behind a NAT: active on port 9 (never passive).
    let offer = natted.push_offer(&[jpeg("a", 1)]).unwrap();
    assert_eq!(offer.media[0].setup(), Some(Setup::Active));
    assert_eq!(offer.media[0].port, DISCARD_PORT);
    let answer = negotiator(19, "b.example").accept_all(&offer).unwrap();
    assert_eq!(answer.media[0].setup(), Some(Setup::Passive));

    // holdconn is read as absent and never sent.
    let held = parse(
        &offer
            .to_string()
            .replace("a=setup:active", "a=setup:holdconn"),
    );
    assert_eq!(held.media[0].setup(), None);
    let answer = negotiator(20, "b.example").accept_all(&held).unwrap();
    assert_eq!(answer.media[0].setup(), Some(Setup::Passive));
    assert!(!answer.to_string().contains("holdconn"));
    // An answer that sends holdconn, or leaves two active sides, is invalid.
    let bad = parse(
        &answer
            .to_string()
            .replace("a=setup:passive", "a=setup:holdconn"),
    );
    assert_eq!(
        validate_answer(&held, &bad),
        Err(AnswerViolation::Setup { index: 0 })
    );
    let both_active = parse(
        &answer
            .to_string()
            .replace("a=setup:passive", "a=setup:active"),
    );
    assert_eq!(
        validate_answer(&offer, &both_active),
        Err(AnswerViolation::Setup { index: 0 })
    );
}

#[test]
fn cema_rules_rfc6714() {
    // An SBC rewrote c=/m= (203.0.113.9:5000) but not the path (a.example:7654); no CEMA; the
    // answerer is behind a NAT so it would connect: the stream cannot work, 488.
    let offer = parse(concat!(
        "v=0\r\no=- 1 1 IN IP4 203.0.113.9\r\ns=-\r\nc=IN IP4 203.0.113.9\r\nt=0 0\r\n",
        "m=message 5000 TCP/MSRP *\r\na=sendonly\r\na=accept-types:*\r\n",
        "a=path:msrp://192.0.2.7:7654/s1;tcp\r\na=setup:actpass\r\n",
        "a=file-selector:size:1\r\na=file-transfer-id:t1\r\n"
    ));
    assert_eq!(check_address(&offer, 0), AddressCheck::Mismatch);
    let mut natted = Negotiator::new(
        NegotiatorConfig::default()
            .with_reachable(false)
            .with_cema(true),
    );
    assert_eq!(
        natted.accept_all(&offer),
        Err(AnswerError::NotAcceptable(NotAcceptable::CemaMismatch {
            index: 0
        }))
    );
    // A reachable answerer waits for the connection; nothing to check.
    negotiator(21, "b.example").accept_all(&offer).unwrap();
    // With a=msrp-cema the c=/m= address is the one to use.
    let cema_offer = parse(
        &offer
            .to_string()
            .replace("a=setup:actpass\r\n", "a=setup:actpass\r\na=msrp-cema\r\n"),
    );
    assert_eq!(check_address(&cema_offer, 0), AddressCheck::Cema);
    let answer = natted.accept_all(&cema_offer).unwrap();
    validate_answer(&cema_offer, &answer).unwrap();
    assert!(answer.media[0].has_cema());
    assert!(cema_negotiated(&cema_offer, &answer, 0));
    assert_eq!(
        connect_target(&cema_offer, 0, true),
        Some(("203.0.113.9".to_owned(), 5000))
    );
    assert_eq!(
        connect_target(&cema_offer, 0, false),
        Some(("192.0.2.7".to_owned(), 7654))
    );
    // Address comparison: IPv6 by value, names case-insensitively, name vs IP needs DNS.
    let v6 = parse(concat!(
        "v=0\r\no=- 1 1 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:DB8:0:0::1\r\nt=0 0\r\n",
        "m=message 7654 TCP/MSRP *\r\na=path:msrp://[2001:db8::1]:7654/s;tcp\r\n",
        "m=message 7654 TCP/MSRP *\r\nc=IN IP4 A.EXAMPLE\r\na=path:msrp://a.example:7654/s;tcp\r\n",
        "m=message 7654 TCP/MSRP *\r\nc=IN IP4 a.example\r\na=path:msrp://192.0.2.1:7654/s;tcp\r\n",
    ));
    assert_eq!(check_address(&v6, 0), AddressCheck::Match);
    assert_eq!(check_address(&v6, 1), AddressCheck::Match);
    assert_eq!(check_address(&v6, 2), AddressCheck::NeedsResolution);
    // A reachable CEMA endpoint does not answer msrp-cema to an offer without it.
    let plain = negotiator(22, "b.example").accept_all(&offer).unwrap();
    assert!(!plain.media[0].has_cema());
}

#[test]
fn repeated_offers_rfc5547_8_1() {
    let mut alice = negotiator(23, "a.example");
    let first = alice
        .push_offer(&[jpeg("a.jpg", 10), jpeg("b.jpg", 20)])
        .unwrap();
    let mut history = TransferHistory::new();
    assert_eq!(
        classify_reoffer(None, &first, &history),
        [Reoffer::NewTransfer, Reoffer::NewTransfer]
    );
    history.record(&first);

    // Unchanged: refresh. Adding a hash keeps the file: still a refresh.
    let mut again = first.clone();
    again.origin.session_version += 1;
    assert_eq!(
        classify_reoffer(Some(&first), &again, &history),
        [Reoffer::Refresh, Reoffer::Refresh]
    );
    // Same id, different file: error (answer port 0).
    let mut changed = first.clone();
    let sel = FileSelector::new().with_name("other.jpg").with_size(10);
    for a in &mut changed.media[0].attributes {
        if let Attribute::FileSelector(s) = a {
            *s = sel.clone();
        }
    }
    // New id on the second line: a new transfer (the running one is aborted).
    let new_id = FileTransferId::new("fresh00001").unwrap();
    for a in &mut changed.media[1].attributes {
        if let Attribute::FileTransferId(id) = a {
            *id = new_id.clone();
        }
    }
    assert_eq!(
        classify_reoffer(Some(&first), &changed, &history),
        [Reoffer::SelectorConflict, Reoffer::NewTransfer]
    );
    // Port 0: closed. A third line reusing the first line's id: no new transfer.
    let mut third = first.clone();
    third.media[0].port = 0;
    third.media.push(first.media[0].clone());
    assert_eq!(
        classify_reoffer(Some(&first), &third, &history),
        [Reoffer::Closed, Reoffer::Refresh, Reoffer::ReusedId]
    );
    assert_eq!(history.len(), 2);
}

#[test]
fn resume_offer_has_a_new_id_and_a_range() {
    let mut alice = negotiator(24, "a.example");
    let offer = alice.push_offer(&[jpeg("big.jpg", 1_000_000)]).unwrap();
    let range = FileRange::resume_after(400_000, Some(1_000_000)).unwrap();
    // The sender resumes its push.
    let resume = wire(&alice.resume_offer(&offer, 0, true, range).unwrap());
    let (o, r) = (&offer.media[0], &resume.media[0]);
    assert_ne!(r.file_transfer_id(), o.file_transfer_id());
    assert_eq!(r.file_selector(), o.file_selector());
    assert_eq!(r.file_range(), Some(range));
    assert_eq!(range.start(), 400_001);
    assert_eq!(resume.direction(0), Direction::SendOnly);
    let mut history = TransferHistory::new();
    history.record(&offer);
    assert_eq!(
        classify_reoffer(Some(&offer), &resume, &history),
        [Reoffer::NewTransfer]
    );
    // The receiver resumes by pulling the rest.
    let mut bob = negotiator(25, "b.example");
    let pull = bob.resume_offer(&offer, 0, false, range).unwrap();
    assert_eq!(pull.direction(0), Direction::RecvOnly);
    let answer = alice.answer(&pull, &[Decision::Accept]).unwrap();
    validate_answer(&pull, &answer).unwrap();
    assert_eq!(answer.media[0].file_range(), Some(range));
    assert_eq!(
        alice.resume_offer(&offer, 3, true, range),
        Err(OfferError::NotFileTransfer { index: 3 })
    );
}

#[test]
fn capability_sdp_for_options() {
    let mut bob = Negotiator::new(
        NegotiatorConfig::default()
            .with_address("bobpc.example.com")
            .with_accept_types(vec![
                "image/jpeg".parse().unwrap(),
                "image/png".parse().unwrap(),
                "image/bmp".parse().unwrap(),
            ])
            .with_max_size(10 * 1024 * 1024),
    );
    let cap = wire(&bob.capability().unwrap());
    let m = &cap.media[0];
    assert_eq!(
        (m.port, m.protocol.as_str(), m.formats.as_slice()),
        (0, "TCP/MSRP", &["*".to_owned()][..])
    );
    assert!(m.file_selector().unwrap().is_empty());
    assert_eq!(m.accept_types().unwrap().len(), 3);
    assert_eq!(m.max_size(), Some(10 * 1024 * 1024));
    for other in [
        "file-transfer-id",
        "file-disposition",
        "file-date",
        "file-icon",
        "file-range",
    ] {
        assert!(m.attribute(other).is_none(), "RFC 5547 §8.5");
    }
    assert!(cap.to_string().ends_with(
        "m=message 0 TCP/MSRP *\r\na=accept-types:image/jpeg image/png image/bmp\r\na=max-size:10485760\r\na=file-selector\r\n"
    ));
}

#[test]
fn validate_answer_catches_each_violation() {
    let mut alice = negotiator(26, "a.example");
    let offer = alice
        .push_offer(&[jpeg("a.jpg", 10).with_range(FileRange::new(1, Some(10)).unwrap())])
        .unwrap();
    let good = negotiator(27, "b.example").accept_all(&offer).unwrap();
    validate_answer(&offer, &good).unwrap();
    let text = good.to_string();
    let id = offer.media[0]
        .file_transfer_id()
        .unwrap()
        .as_str()
        .to_owned();
    let cases: Vec<(String, AnswerViolation)> = vec![
        (
            text.replace(&id, "otherid"),
            AnswerViolation::TransferId { index: 0 },
        ),
        (
            text.replace("a=recvonly", "a=sendonly"),
            AnswerViolation::Direction { index: 0 },
        ),
        (
            text.replace("a=file-range:1-10\r\n", ""),
            AnswerViolation::FileRange { index: 0 },
        ),
        (
            text.replace("size:10", "size:11"),
            AnswerViolation::Selector { index: 0 },
        ),
        (
            text.replace("a=file-range", "a=file-disposition:render\r\na=file-range"),
            AnswerViolation::Forbidden {
                index: 0,
                attribute: "file-disposition",
            },
        ),
        (
            text.replace("TCP/MSRP", "TCP/TLS/MSRP"),
            AnswerViolation::MediaMismatch { index: 0 },
        ),
        (
            {
                let start = text.find("a=path").unwrap();
                let end = start + text[start..].find("\r\n").unwrap() + 2;
                format!("{}{}", &text[..start], &text[end..])
            },
            AnswerViolation::Missing {
                index: 0,
                attribute: "path",
            },
        ),
    ];
    for (bad, violation) in cases {
        assert_eq!(
            validate_answer(&offer, &parse(&bad)),
            Err(violation.clone()),
            "{violation}"
        );
    }
    // A rejection that does not mirror the selector.
    let mut rejected = negotiator(28, "b.example").reject_all(&offer).unwrap();
    validate_answer(&offer, &rejected).unwrap();
    rejected.media[0].attributes.clear();
    assert_eq!(
        validate_answer(&offer, &rejected),
        Err(AnswerViolation::Selector { index: 0 })
    );
    // Media count, and accepting a closed section.
    let mut fewer = good.clone();
    fewer.media.clear();
    assert_eq!(
        validate_answer(&offer, &fewer),
        Err(AnswerViolation::MediaCount {
            offer: 1,
            answer: 0
        })
    );
    let mut closed = offer.clone();
    closed.media[0].port = 0;
    assert_eq!(
        validate_answer(&closed, &good),
        Err(AnswerViolation::AcceptedClosed { index: 0 })
    );
}

#[test]
fn tls_offer_carries_fingerprint_and_msrps() {
    let fp: Fingerprint = "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3A:8C:A3:B5:2E:4C:C9:C6:01:2F:6C:A4".parse().unwrap();
    let mut alice = Negotiator::new(
        NegotiatorConfig::default()
            .with_address("2001:db8::7")
            .with_secure(true)
            .with_fingerprint(fp.clone())
            .with_id_generator(IdGenerator::from_fn(testkit::id_source(29))),
    );
    let offer = wire(&alice.push_offer(&[jpeg("a.jpg", 1)]).unwrap());
    assert_eq!(offer.origin.addr_type, "IP6");
    assert_eq!(offer.media[0].protocol, PROTO_MSRP_TLS);
    assert_eq!(offer.fingerprint_for(0), Some(&fp));
    let uri = offer.media[0].path().unwrap().last();
    assert!(uri.is_secure());
    assert!(uri.as_str().starts_with("msrps://[2001:db8::7]:2855/"));
    let answer = negotiator(30, "b.example").accept_all(&offer).unwrap();
    validate_answer(&offer, &answer).unwrap();
    assert!(answer.media[0].path().unwrap().last().is_secure());
}

#[test]
fn relays_precede_our_uri_in_the_path() {
    let relay: msrp::MsrpUri = "msrps://relay.example.net:2855/r1;tcp".parse().unwrap();
    let mut alice = Negotiator::new(
        NegotiatorConfig::default()
            .with_address("a.example")
            .with_relays(vec![relay.clone()])
            .with_cema(true),
    );
    let offer = wire(&alice.push_offer(&[jpeg("a.jpg", 1)]).unwrap());
    let m = &offer.media[0];
    let path = m.path().unwrap();
    assert_eq!(path.len(), 2);
    assert_eq!(path.first(), &relay);
    // RFC 6714 §4.2: with CEMA, c=/m= carry the relay's address.
    assert_eq!(m.connections[0].address, "relay.example.net");
    assert_eq!(m.port, 2855);
}

#[test]
fn closing_a_transfer_rfc5547_8_4() {
    let mut alice = negotiator(31, "a.example");
    let mut bob = negotiator(32, "b.example");
    let offer = alice
        .push_offer(&[jpeg("a.jpg", 10), jpeg("b.jpg", 20)])
        .unwrap();
    let answer = bob.accept_all(&offer).unwrap();
    let mut history = TransferHistory::new();
    history.record(&offer);

    // The sender aborts the first file: its offer again, port 0, same id, next version.
    let close = wire(&alice.close_offer(&offer, &[0]).unwrap());
    assert_eq!(close.media[0].port, 0);
    assert_eq!(
        close.media[0].file_transfer_id(),
        offer.media[0].file_transfer_id()
    );
    assert_eq!(close.origin.session_id, offer.origin.session_id);
    assert_eq!(
        close.origin.session_version,
        offer.origin.session_version + 1
    );
    assert_eq!(
        classify_reoffer(Some(&offer), &close, &history),
        [Reoffer::Closed, Reoffer::Refresh]
    );
    let reply = bob.accept_all(&close).unwrap();
    validate_answer(&close, &reply).unwrap();
    assert_eq!(reply.media[0].port, 0);
    assert_ne!(reply.media[1].port, 0);

    // The receiver aborts the second one: its answer, re-sent as an offer with port 0.
    let close = wire(&bob.close_offer(&answer, &[1]).unwrap());
    assert_eq!(close.direction(1), Direction::RecvOnly);
    let reply = alice.accept_all(&close).unwrap();
    validate_answer(&close, &reply).unwrap();
    assert_eq!(reply.media[1].port, 0);
    assert_eq!(
        alice.close_offer(&offer, &[5]),
        Err(OfferError::NotFileTransfer { index: 5 })
    );
}
