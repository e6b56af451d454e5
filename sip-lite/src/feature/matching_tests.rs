//! Caller-preference matching: the RFC 3841 examples, negation, numbers, require/explicit,
//! Reject-Contact and ordering.

use super::tests::{IARI_PARAM, pred, set, token};
use super::*;
use crate::Message;

#[test]
fn rfc3841_section_7_2_5_example() {
    let contacts = [
        (
            "sip:u1@h.example.com;audio;video;methods=\"INVITE,BYE\";q=0.2",
            "u1",
        ),
        (
            "sip:u2@h.example.com;audio=\"FALSE\";methods=\"INVITE\";actor=\"msg-taker\";q=0.2",
            "u2",
        ),
        (
            "sip:u3@h.example.com;audio;actor=\"msg-taker\";methods=\"INVITE\";video;q=0.3",
            "u3",
        ),
        (
            "sip:u4@h.example.com;audio;methods=\"INVITE,OPTIONS\";q=0.2",
            "u4",
        ),
        ("sip:u5@h.example.com;q=0.5", "u5"),
    ];
    let register = format!(
        "REGISTER sip:example.com SIP/2.0\r\n{}\
         Reject-Contact: *;actor=\"msg-taker\";video\r\n\
         Accept-Contact: *;audio;require\r\n\
         Accept-Contact: *;video;explicit\r\n\
         Accept-Contact: *;methods=\"BYE\";class=\"business\";q=1.0\r\n\
         Content-Length: 0\r\n\r\n",
        contacts
            .iter()
            .map(|(c, _)| format!("Contact: {c}\r\n"))
            .collect::<String>()
    );
    let msg = Message::parse(register).unwrap();
    let h = msg.headers();
    let parsed: Vec<_> = h.contacts().map(Result::unwrap).collect();
    let sets: Vec<FeatureSet> = parsed
        .iter()
        .map(|c| FeatureSet::from_params(c.address().unwrap().params().pairs()).unwrap())
        .collect();
    let qs: Vec<Option<u16>> = parsed.iter().map(|c| c.q()).collect();
    let accept: Vec<_> = h
        .accept_contact()
        .map(|p| FeaturePredicate::from_contact_predicate(&p.unwrap()).unwrap())
        .collect();
    let reject: Vec<_> = h
        .reject_contact()
        .map(|p| FeaturePredicate::from_contact_predicate(&p.unwrap()).unwrap())
        .collect();
    assert_eq!((accept.len(), reject.len()), (3, 1));

    // The steps the RFC walks through.
    assert_eq!(sets[4].len(), 0); // u5 is immune
    let rejected: Vec<bool> = sets[..4].iter().map(|s| reject[0].rejects(s)).collect();
    assert_eq!(rejected, [false, false, true, false]);
    let m = |i: usize| -> Vec<Match> { accept.iter().map(|a| a.matches(&sets[i])).collect() };
    assert_eq!(
        m(0),
        [
            Match::Matched { score: 1.0 },
            Match::Matched { score: 1.0 },
            Match::Matched { score: 0.5 }
        ]
    );
    assert_eq!(m(1)[0], Match::Drop);
    assert_eq!(
        m(3),
        [
            Match::Matched { score: 1.0 },
            Match::Matched { score: 0.0 },
            Match::NotMatched
        ]
    );

    let ranked = order_targets(sets.iter().zip(qs.iter().copied()), &accept, &reject);
    let order: Vec<&str> = ranked.iter().map(|r| contacts[r.index].1).collect();
    assert_eq!(order, ["u5", "u1", "u4"]);
    assert_eq!((ranked[0].q, ranked[0].qa), (500, 1.0));
    assert_eq!(ranked[1].q, 200);
    assert!((ranked[1].qa - 2.5 / 3.0).abs() < 1e-9);
    assert_eq!(ranked[2].qa, 0.5);
}

#[test]
fn rfc3841_section_8_example() {
    let p = pred(
        "*;mobility=\"fixed\";events=\"!presence,message-summary\";language=\"en,de\";\
         description=\"<PC>\";+sip.newparam;+rangeparam=\"#-4:+5.125\"",
    );
    let f = p.features();
    assert_eq!(f.len(), 6);
    assert_eq!(f.get("+sip.newparam").unwrap().tag(), "sip.newparam");
    let contact = set(&[
        ("mobility", Some("\"fixed\"")),
        ("events", Some("\"dialog\"")),
        ("language", Some("\"de\"")),
        ("description", Some("\"<PC>\"")),
        ("+sip.newparam", None),
        ("+rangeparam", Some("\"#=5\"")),
    ]);
    assert_eq!(p.matches(&contact), Match::Matched { score: 1.0 });
    // Strings are case-sensitive, tokens are not.
    let other_case = set(&[
        ("description", Some("\"<pc>\"")),
        ("mobility", Some("\"FIXED\"")),
    ]);
    assert_eq!(p.matches(&other_case), Match::NotMatched);
    let token_desc = set(&[
        ("description", Some("\"pc\"")),
        ("mobility", Some("\"FIXED\"")),
    ]);
    assert_eq!(p.matches(&token_desc), Match::Matched { score: 2.0 / 6.0 });
}

#[test]
fn negation() {
    let p = pred("*;events=\"!presence\"");
    assert_eq!(
        p.matches(&set(&[("events", Some("\"dialog\""))])),
        Match::Matched { score: 1.0 }
    );
    assert_eq!(
        p.matches(&set(&[("events", Some("\"PRESENCE\""))])),
        Match::NotMatched
    );
    assert_eq!(
        p.matches(&set(&[("events", Some("\"presence,dialog\""))])),
        Match::Matched { score: 1.0 }
    );
    // A contact that supports everything but presence still overlaps "not presence".
    assert_eq!(
        p.matches(&set(&[("events", Some("\"!presence\""))])),
        Match::Matched { score: 1.0 }
    );
    let wants_presence = pred("*;events=\"presence\";require");
    assert_eq!(
        wants_presence.matches(&set(&[("events", Some("\"!presence\""))])),
        Match::Drop
    );
    // Negated numbers.
    let not_small = pred("*;+size=\"!#<=10\"");
    assert_eq!(
        not_small.matches(&set(&[("+size", Some("\"#=5\""))])),
        Match::NotMatched
    );
    assert_eq!(
        not_small.matches(&set(&[("+size", Some("\"#0:20\""))])),
        Match::Matched { score: 1.0 }
    );
    let f = Feature::from_param("events", Some("\"!presence\"")).unwrap();
    assert!(f.allows(&token("dialog")) && !f.allows(&token("presence")));
}

#[test]
fn numeric_ranges() {
    let contact = |v: &'static str| set(&[("+bw", Some(v))]);
    let at_least_5 = pred("*;+bw=\"#>=5\"");
    let cases = [
        ("\"#=5\"", true),
        ("\"#=4.999\"", false),
        ("\"#<=5\"", true),
        ("\"#<=4\"", false),
        ("\"#1:4\"", false),
        ("\"#1:5\"", true),
        ("\"#-3:-1,#7:9\"", true),
        ("\"#9:7\"", false),
        ("\"fast\"", false),
        ("\"<5>\"", false),
    ];
    for (v, ok) in cases {
        let expected = if ok {
            Match::Matched { score: 1.0 }
        } else {
            Match::NotMatched
        };
        assert_eq!(at_least_5.matches(&contact(v)), expected, "{v}");
    }
    let range = pred("*;+bw=\"#-1.5:2.5\"");
    assert_eq!(
        range.matches(&contact("\"#=-1.5\"")),
        Match::Matched { score: 1.0 }
    );
    assert_eq!(range.matches(&contact("\"#>=2.6\"")), Match::NotMatched);
    let f = Feature::from_param("+bw", Some("\"#1:10\"")).unwrap();
    assert!(f.allows(&FeatureValue::Numeric(Numeric::Equal(10.0))));
    assert!(f.allows(&FeatureValue::Numeric(Numeric::Range(2.0, 3.0))));
    assert!(!f.allows(&FeatureValue::Numeric(Numeric::Range(2.0, 30.0))));
    assert!(!f.allows(&token("5")));
}

#[test]
fn require_and_explicit_combinations() {
    let audio_video = set(&[("audio", None), ("video", None)]);
    let audio = set(&[("audio", None)]);
    let no_video = set(&[("audio", None), ("video", Some("\"FALSE\""))]);
    let rows = [
        // (predicate, contact, expected)
        ("*;video", &audio_video, Match::Matched { score: 1.0 }),
        ("*;video", &audio, Match::Matched { score: 0.0 }),
        ("*;video", &no_video, Match::NotMatched),
        ("*;video;require", &audio, Match::Matched { score: 0.0 }),
        ("*;video;require", &no_video, Match::Drop),
        ("*;video;explicit", &audio, Match::Matched { score: 0.0 }),
        ("*;video;explicit", &no_video, Match::NotMatched),
        ("*;video;require;explicit", &audio, Match::Drop),
        (
            "*;video;explicit;require",
            &audio_video,
            Match::Matched { score: 1.0 },
        ),
        ("*;audio;video", &audio, Match::Matched { score: 0.5 }),
        (
            "*;audio;video;explicit",
            &audio,
            Match::Matched { score: 0.0 },
        ),
        ("*;audio;video;explicit;require", &audio, Match::Drop),
        ("*;require", &audio, Match::Matched { score: 1.0 }),
    ];
    for (p, contact, expected) in rows {
        assert_eq!(pred(p).matches(contact), expected, "{p} vs {contact}");
    }
}

#[test]
fn reject_contact() {
    let r = pred("*;video");
    assert!(r.rejects(&set(&[("video", None)])));
    assert!(!r.rejects(&set(&[("video", Some("\"FALSE\""))])));
    // Not mentioned: the predicate is discarded for this contact.
    assert!(!r.rejects(&set(&[("audio", None)])));
    assert!(!r.rejects(&FeatureSet::new()));
    // `*` alone rejects every contact that has features.
    assert!(pred("*").rejects(&set(&[("audio", None)])));
}

#[test]
fn ordering_lists() {
    let is = FeatureSet::image_share();
    let voice = set(&[("+g.3gpp.cs-voice", None)]);
    let bare = FeatureSet::new();
    let accept = [pred(&format!(
        "*;+g.3gpp.iari-ref={IARI_PARAM};require;explicit"
    ))];
    let ranked = order_targets(
        [(&voice, Some(1000)), (&bare, Some(100)), (&is, Some(500))],
        &accept,
        &[],
    );
    let order: Vec<usize> = ranked.iter().map(|r| r.index).collect();
    assert_eq!(order, [2, 1]); // voice dropped; immune kept, ordered by q
    // No predicates: everything kept, by q then input order.
    let ranked = order_targets([(&voice, None), (&is, None), (&bare, Some(900))], &[], &[]);
    assert_eq!(
        ranked.iter().map(|r| r.index).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    // A target that matched no predicate (none required) goes last in its q class.
    let accept = [pred("*;video"), pred("*;+x=\"y\"")];
    let video = set(&[("video", None)]);
    let novideo = set(&[("video", Some("\"FALSE\"")), ("+x", Some("\"z\""))]);
    let ranked = order_targets([(&novideo, None), (&video, None)], &accept, &[]);
    assert_eq!(ranked.iter().map(|r| r.index).collect::<Vec<_>>(), [1, 0]);
    assert_eq!(ranked[1].qa, 0.0);
}
