//! Fuzzing harnesses, compiled under `cfg(fuzzing)` (cargo-fuzz sets it) and in tests.
//!
//! Each function takes the fuzzer's input and panics when an invariant breaks, so every target in
//! `fuzz/` is one line. The unit tests run them over the RFC examples and generated inputs.

use crate::{
    AnswerError, Decision, IdGenerator, Negotiator, NegotiatorConfig, Reoffer, SessionDescription,
    TransferHistory, classify_reoffer, validate_answer,
};

/// A negotiator with a deterministic id source.
pub fn seeded_negotiator(seed: u64, address: &str) -> Negotiator {
    let mut state = seed;
    let ids = IdGenerator::from_fn(move |buf: &mut [u8]| {
        for b in buf {
            // splitmix64 step per byte: cheap and reproducible.
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            *b = (z ^ (z >> 31)) as u8;
        }
    });
    Negotiator::new(
        NegotiatorConfig::default()
            .with_address(address)
            .with_id_generator(ids),
    )
}

/// Raw parsing never panics, and what parses can be written.
pub fn parse_raw(data: &[u8]) {
    if let Ok(sd) = SessionDescription::parse(data) {
        let _ = sd.to_string();
    }
}

/// parse, write, parse: the two parsed values are equal and the second write is byte-identical
/// to the first (a written description is canonical).
pub fn roundtrip(data: &[u8]) {
    let Ok(first) = SessionDescription::parse(data) else {
        return;
    };
    let text = first.to_string();
    let second = match SessionDescription::parse(text.as_bytes()) {
        Ok(s) => s,
        Err(e) => panic!("written description does not parse: {e}\n{text}"),
    };
    assert_eq!(first, second, "parse(write(x)) != x\n{text}");
    assert_eq!(second.to_string(), text, "writing is not canonical");
}

/// Treats the input as an offer. Answering never panics; every answer it gives is valid for the
/// offer and parses back to itself; the only refusal of `accept_all` / `reject_all` is a 488.
/// A repeated identical offer is classified as a refresh (or closed / not a transfer).
pub fn offer_answer(data: &[u8]) {
    let Ok(offer) = SessionDescription::parse(data) else {
        return;
    };
    let mut answerer = seeded_negotiator(u64::from(data.len() as u32), "answerer.example.net");
    let check = |answer: &SessionDescription| {
        if let Err(v) = validate_answer(&offer, answer) {
            panic!("invalid answer: {v}\noffer:\n{offer}\nanswer:\n{answer}");
        }
        let text = answer.to_string();
        match SessionDescription::parse(text.as_bytes()) {
            Ok(again) => assert_eq!(&again, answer, "answer does not round-trip\n{text}"),
            Err(e) => panic!("answer does not parse: {e}\n{text}"),
        }
    };
    for result in [answerer.accept_all(&offer), answerer.reject_all(&offer)] {
        match result {
            Ok(answer) => check(&answer),
            Err(e) => assert_eq!(e.sip_status(), Some(488), "unexpected refusal {e:?}"),
        }
    }
    // Decisions picked from the input bytes.
    let decisions: Vec<Decision> = (0..offer.media.len())
        .map(|i| match data.get(i).map(|b| b % 3) {
            Some(0) => Decision::Reject,
            Some(1) => {
                Decision::AcceptWith(offer.media[i].file_selector().cloned().unwrap_or_default())
            }
            _ => Decision::Accept,
        })
        .collect();
    match answerer.answer(&offer, &decisions) {
        Ok(answer) => check(&answer),
        Err(AnswerError::NotAcceptable(_) | AnswerError::CannotAccept { .. }) => {}
        Err(e) => panic!("unexpected answer error {e:?}"),
    }
    let mut history = TransferHistory::new();
    history.record(&offer);
    for c in classify_reoffer(Some(&offer), &offer, &history) {
        assert!(
            matches!(
                c,
                Reoffer::Refresh | Reoffer::Closed | Reoffer::NotFileTransfer
            ),
            "identical re-offer classified {c:?}"
        );
    }
}
