//! Correlation of the CS call's number with the SIP identity of an incoming share: the number
//! as the phone shows it, the identity as the request carries it, and whether the engine
//! takes them for the same person (TS 23.279 CSI: the IMS session belongs to the CS call
//! between the same two users; PROTOCOL-FACTS §6).

use std::time::Instant;

use csi_state::{CallId, Config, CsiEngine, IncomingShare, RejectReason, ShareVerdict};
use sip_lite::e164::NumberingPlan;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Same person: the share is accepted.
    Same,
    /// Different numbers: 606, no correlated call.
    Different,
    /// The identity names no number: 606, unknown identity.
    NoNumber,
}

use Outcome::*;

/// United Kingdom: +44, international prefix 00, trunk prefix 0.
fn uk() -> NumberingPlan {
    NumberingPlan::new("44")
        .and_then(|p| p.with_international_prefix("00"))
        .and_then(|p| p.with_trunk_prefix("0"))
        .unwrap()
}

/// North America: +1, international prefix 011, trunk prefix 1.
fn nanp() -> NumberingPlan {
    NumberingPlan::new("1")
        .and_then(|p| p.with_international_prefix("011"))
        .and_then(|p| p.with_trunk_prefix("1"))
        .unwrap()
}

/// (CS number as shown, `None` = withheld; P-Asserted-Identity; expected outcome).
const UK_TABLE: &[(Option<&str>, &str, Outcome)] = &[
    // The number in every form a phone shows it, against the global tel URI.
    (Some("+447700900123"), "tel:+447700900123", Same),
    (Some("0044 7700 900123"), "tel:+447700900123", Same),
    (Some("07700 900123"), "tel:+447700900123", Same),
    (Some("+44 (0)7700 900123"), "tel:+447700900123", Same),
    (Some("+44-7700-900-123"), "tel:+447700900123", Same),
    (Some("(07700) 900.123"), "tel:+447700900123", Same),
    (Some("+44 07700 900123"), "tel:+447700900123", Same),
    // The identity in every form a network or client sends it.
    (Some("07700 900123"), "tel:+44-7700-900123", Same),
    (Some("07700 900123"), "<tel:+447700900123>", Same),
    (Some("07700 900123"), "\"Emily\" <tel:+447700900123>", Same),
    (
        Some("07700 900123"),
        "tel:07700900123;phone-context=+44",
        Same,
    ),
    (
        Some("07700 900123"),
        "tel:7700900123;phone-context=+44",
        Same,
    ),
    (
        Some("07700 900123"),
        "tel:900123;phone-context=+44-7700",
        Same,
    ),
    (
        Some("07700 900123"),
        "sip:+447700900123@ims.example.net;user=phone",
        Same,
    ),
    (
        Some("07700 900123"),
        "<sip:+44-7700-900123@ims.example.net;user=phone>",
        Same,
    ),
    (
        Some("07700 900123"),
        "sip:07700900123;phone-context=+44@ims.example.net;user=phone",
        Same,
    ),
    (
        Some("07700 900123"),
        "sip:07700900123@ims.example.net;user=phone",
        Same,
    ),
    (
        Some("07700 900123"),
        "sip:+447700900123@ims.example.net",
        Same,
    ),
    // Different people.
    (Some("07700 900123"), "tel:+447700900124", Different),
    (Some("07700 900123"), "tel:+337700900123", Different),
    (Some("+33 7 00 90 01 23"), "tel:+447700900123", Different),
    // Identities that name no number never correlate.
    (
        Some("07700 900123"),
        "tel:900123;phone-context=example.com",
        NoNumber,
    ),
    (
        Some("07700 900123"),
        "sip:07700900123@ims.example.net",
        NoNumber,
    ),
    (Some("07700 900123"), "sip:emily@example.net", NoNumber),
    (
        Some("07700 900123"),
        "sip:anonymous@anonymous.invalid",
        NoNumber,
    ),
    (
        Some("07700 900123"),
        "\"Anonymous\" <sip:anonymous@anonymous.invalid>",
        NoNumber,
    ),
    (Some("07700 900123"), "tel:*31#", NoNumber),
    (Some("07700 900123"), "not a uri", NoNumber),
    // A withheld or unusable CS number never correlates, whatever the identity.
    (None, "tel:+447700900123", Different),
    (Some("*31#07700900123"), "tel:+447700900123", Different),
    (Some(""), "tel:+447700900123", Different),
    (Some("12ab"), "tel:+447700900123", Different),
];

fn verdict(plan: NumberingPlan, cs: Option<&str>, identity: &str) -> ShareVerdict {
    let mut engine = CsiEngine::new(Config::default().with_numbering_plan(plan)).unwrap();
    let now = Instant::now();
    engine.registration_changed(now, true);
    engine.call_ringing(now, CallId(1), cs).unwrap();
    engine.call_connected(now, CallId(1)).unwrap();
    engine.incoming_share(
        now,
        &IncomingShare::new().with_asserted_identity_str(identity),
    )
}

fn outcome(v: ShareVerdict) -> Option<Outcome> {
    match v {
        ShareVerdict::Accept { .. } => Some(Same),
        ShareVerdict::Reject {
            reason: RejectReason::NoCorrelatedCall,
            status,
        } if status.as_u16() == 606 => Some(Different),
        ShareVerdict::Reject {
            reason: RejectReason::UnknownIdentity,
            status,
        } if status.as_u16() == 606 => Some(NoNumber),
        _ => None,
    }
}

#[test]
fn uk_correlation_table() {
    let mut failures = Vec::new();
    for &(cs, identity, expected) in UK_TABLE {
        let got = verdict(uk(), cs, identity);
        if outcome(got) != Some(expected) {
            failures.push(format!(
                "{cs:?} vs {identity:?}: expected {expected:?}, got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn other_plans() {
    assert_eq!(
        outcome(verdict(nanp(), Some("(201) 555-0123"), "tel:+12015550123")),
        Some(Same)
    );
    assert_eq!(
        outcome(verdict(nanp(), Some("1-201-555-0123"), "tel:+12015550123")),
        Some(Same)
    );
    assert_eq!(
        outcome(verdict(
            nanp(),
            Some("011 44 7700 900123"),
            "tel:+447700900123"
        )),
        Some(Same)
    );
    // Without a country in the plan only global numbers correlate.
    let none = NumberingPlan::default();
    assert_eq!(
        outcome(verdict(
            none.clone(),
            Some("+44 7700 900123"),
            "tel:+447700900123"
        )),
        Some(Same)
    );
    assert_eq!(
        outcome(verdict(
            none.clone(),
            Some("07700 900123"),
            "tel:+447700900123"
        )),
        Some(Different)
    );
    assert_eq!(
        outcome(verdict(
            none.clone(),
            Some("+447700900123"),
            "tel:7700900123;phone-context=+44"
        )),
        Some(Same)
    );
    // The trunk prefix of a national-format number in a numeric context is dropped only for
    // the plan's own country (sip-lite `normalize_uri`); a plan without one keeps the digits.
    assert_eq!(
        outcome(verdict(
            none,
            Some("+447700900123"),
            "tel:07700900123;phone-context=+44"
        )),
        Some(Different)
    );
}

#[test]
fn the_call_number_is_exposed_in_e164_form() {
    let mut engine = CsiEngine::new(Config::default().with_numbering_plan(uk())).unwrap();
    let now = Instant::now();
    engine
        .call_ringing(now, CallId(1), Some("0044 (0)7700-900-123"))
        .unwrap();
    engine.call_ringing(now, CallId(2), None).unwrap();
    engine.call_dialing(now, CallId(3), "#31#").unwrap();
    let info = |c| engine.call(CallId(c)).unwrap().peer;
    assert_eq!(info(1).unwrap().to_string(), "+447700900123");
    assert_eq!(info(2), Err(csi_state::NoPeerNumber::Withheld));
    assert!(matches!(
        info(3),
        Err(csi_state::NoPeerNumber::Unrecognised(_))
    ));
}
