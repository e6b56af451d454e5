use super::*;
use crate::Message;

pub(super) const IARI_PARAM: &str = "\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\"";

pub(super) fn set(params: &[(&'static str, Option<&'static str>)]) -> FeatureSet {
    FeatureSet::from_params(params.iter().copied()).unwrap()
}

pub(super) fn pred(value: &str) -> FeaturePredicate {
    FeaturePredicate::parse(value).unwrap()
}

pub(super) fn token(t: &str) -> FeatureValue {
    FeatureValue::Token(t.to_owned())
}

#[test]
fn values_parse_and_render() {
    let s = set(&[
        ("+sip.automata", None),
        ("+g.3gpp.cs-voice", None),
        ("events", Some("\"!presence,message-summary\"")),
        ("description", Some("\"<PC \\\"one\\\">\"")),
        ("+rangeparam", Some("\"#-4:+5.125\"")),
        ("+ge", Some("\"#>=5\"")),
        ("+le", Some("\"#<=5\"")),
        ("+eq", Some("\"#=5.5\"")),
        ("audio", Some("\"FALSE\"")),
        ("language", Some("\"en,de\"")),
        ("q", Some("0.5")),
        ("other-param", Some("66372")),
    ]);
    assert_eq!(set(&[]).len(), 0);
    assert_eq!(s.len(), 10);
    let tags: Vec<_> = s.iter().map(Feature::tag).collect();
    assert_eq!(
        tags,
        [
            "sip.automata",
            "g.3gpp.cs-voice",
            "sip.events",
            "sip.description",
            "rangeparam",
            "ge",
            "le",
            "eq",
            "sip.audio",
            "language"
        ]
    );
    let desc = s.get("description").unwrap();
    assert_eq!(
        desc.values(),
        [Filter::new(FeatureValue::String("PC \"one\"".into()))]
    );
    assert_eq!(
        s.get("+rangeparam").unwrap().values(),
        [Filter::new(FeatureValue::Numeric(Numeric::Range(
            -4.0, 5.125
        )))]
    );
    assert_eq!(
        s.get("events").unwrap().values(),
        [
            Filter::not(token("presence")),
            Filter::new(token("message-summary"))
        ]
    );
    assert_eq!(
        s.to_string(),
        "+sip.automata;+g.3gpp.cs-voice;events=\"!presence,message-summary\";\
         description=\"<PC \\\"one\\\">\";+rangeparam=\"#-4:5.125\";+ge=\"#>=5\";+le=\"#<=5\";\
         +eq=\"#=5.5\";audio=\"FALSE\";language=\"en,de\""
    );
    // Rendering parses back to the same set.
    let again = Message::parse(format!(
        "OPTIONS sip:a@b SIP/2.0\r\nContact: <sip:a@b>;{s}\r\nContent-Length: 0\r\n\r\n"
    ))
    .unwrap();
    let c = again.headers().contacts().next().unwrap().unwrap();
    let parsed = FeatureSet::from_params(c.address().unwrap().params().pairs()).unwrap();
    assert_eq!(parsed, s);
    // Names compare case-insensitively, encoded and decoded forms alike.
    assert!(s.contains("AUDIO") && s.contains("+sip.audio") && s.contains("+G.3GPP.CS-VOICE"));
    assert!(!s.contains("video") && !s.contains("q") && !s.contains("+"));
}

#[test]
fn bad_values_and_names() {
    let err = |name: &'static str, v: Option<&'static str>| {
        FeatureSet::from_params([(name, v)]).unwrap_err()
    };
    for v in [
        "\"\"",
        "\"a,,b\"",
        "\"#\"",
        "\"#>5\"",
        "\"#=\"",
        "\"#=1e3\"",
        "\"#=.5\"",
        "\"#1:\"",
        "\"#=--1\"",
        "\"<open\"",
        "\"<a<b>\"",
        "\"a b\"",
        "\"!\"",
        "\"%FF%FE\"",
    ] {
        assert!(
            matches!(err("+x", Some(v)), FeatureError::BadValue { .. }),
            "{v}"
        );
    }
    let huge = format!("\"#={}\"", "9".repeat(400));
    assert!(FeatureSet::from_params([("+x", Some(huge.as_str()))]).is_err());
    assert_eq!(err("+1x", None), FeatureError::BadName);
    assert_eq!(err("+x$y", None), FeatureError::BadName);
    assert_eq!(
        FeatureSet::from_params([("audio", None), ("+sip.audio", None)]),
        Err(FeatureError::Duplicate)
    );
    assert_eq!(
        FeatureSet::from_params([("+A.b", None), ("+a.B", None)]),
        Err(FeatureError::Duplicate)
    );
    // RFC 3841 §7.2.3 step 3: "+video" is dropped when "video" is present.
    let s = set(&[("+video", Some("\"FALSE\"")), ("video", None)]);
    assert_eq!(s.to_string(), "video");
    let many = vec!["a"; MAX_VALUES + 1].join(",");
    let many = format!("\"{many}\"");
    assert_eq!(
        FeatureSet::from_params([("+x", Some(many.as_str()))]),
        Err(FeatureError::TooManyValues)
    );
    let names: Vec<String> = (0..=MAX_FEATURES).map(|i| format!("+f{i}")).collect();
    assert_eq!(
        FeatureSet::from_params(names.iter().map(|n| (n.as_str(), None))),
        Err(FeatureError::TooManyFeatures)
    );
    assert!(Feature::new("+x", vec![]).is_err());
    assert!(Feature::new("+x", vec![Filter::not(FeatureValue::String("s".into()))]).is_err());
    assert!(
        Feature::new(
            "+x",
            vec![
                Filter::new(FeatureValue::String("s".into())),
                Filter::new(token("t"))
            ]
        )
        .is_err()
    );
    assert_eq!(Feature::flag("nonbase"), Err(FeatureError::BadName));
    assert!(matches!(
        FeaturePredicate::parse("sip:a@b;audio"),
        Err(FeatureError::Header(_))
    ));
    assert_eq!(FeatureError::Duplicate.status().as_u16(), 400);
}

#[test]
fn image_share_form_and_iari_escaping() {
    let s = FeatureSet::image_share();
    assert_eq!(
        s.to_string(),
        format!("+g.3gpp.cs-voice;+g.3gpp.iari-ref={IARI_PARAM}")
    );
    assert!(s.is_image_share());
    // Escaped and unescaped IARI compare equal after unescaping; case does not matter.
    let escaped = set(&[
        ("+g.3gpp.cs-voice", None),
        ("+g.3gpp.iari-ref", Some(IARI_PARAM)),
    ]);
    let unescaped = set(&[
        ("+g.3gpp.cs-voice", None),
        (
            "+g.3gpp.iari-ref",
            Some("\"URN:urn-7:3gpp-application.ims.iari.gsma-IS\""),
        ),
    ]);
    assert_eq!(escaped, s);
    assert!(unescaped.is_image_share());
    let p = pred(&format!("*;+g.3gpp.iari-ref={IARI_PARAM};require;explicit"));
    assert_eq!(p.matches(&unescaped), Match::Matched { score: 1.0 });
    // Several IARIs in one list.
    let multi = set(&[(
        "+g.3gpp.iari-ref",
        Some(
            "\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-vs,urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\"",
        ),
    )]);
    assert!(multi.has_token(IARI_REF, IMAGE_SHARE_IARI));
    assert!(!multi.is_image_share()); // no cs-voice
    assert_eq!(p.matches(&multi), Match::Matched { score: 1.0 });
    let built = FeatureSet::new()
        .with(Feature::flag(CS_VOICE).unwrap())
        .with(Feature::tokens(IARI_REF, [IMAGE_SHARE_IARI]).unwrap());
    assert_eq!(built, s);
    let mut replaced = built.clone();
    let old = replaced.insert(Feature::tokens(IARI_REF, ["urn:x"]).unwrap());
    assert_eq!(
        old.map(|f| f.to_string()),
        Some(format!("+g.3gpp.iari-ref={IARI_PARAM}"))
    );
    assert_eq!(replaced.len(), 2);
    assert!(!replaced.is_image_share());
}

/// An IMS capability query for Image Share, as a terminal receives it.
const OPTIONS: &str = "OPTIONS sip:+447700900123@ims.example.net SIP/2.0\r\n\
Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK.a1b2c3d4\r\n\
Max-Forwards: 70\r\n\
From: <tel:+442079460000>;tag=8a7s6d\r\n\
To: <tel:+447700900123>\r\n\
P-Asserted-Identity: <sip:+442079460000@ims.example.net;user=phone>\r\n\
Call-ID: 1f2e3d4c5b6a@192.0.2.10\r\n\
CSeq: 1 OPTIONS\r\n\
Contact: <sip:+442079460000@192.0.2.10:5060;transport=tcp>;+g.3gpp.cs-voice;\r\n \
+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\"\r\n\
Accept-Contact: *;+g.3gpp.iari-ref=\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-is\";explicit;require\r\n\
Accept: application/sdp\r\n\
Content-Length: 0\r\n\r\n";

#[test]
fn ims_image_share_options() {
    let msg = crate::parse_datagram(OPTIONS.into(), &crate::Limits::default()).unwrap();
    let h = msg.headers();
    let contact = h.contacts().next().unwrap().unwrap();
    let caller = FeatureSet::from_params(contact.address().unwrap().params().pairs()).unwrap();
    assert!(caller.is_image_share());
    assert_eq!(caller, FeatureSet::image_share());
    let accept: Vec<FeaturePredicate> = h
        .accept_contact()
        .map(|p| FeaturePredicate::from_contact_predicate(&p.unwrap()).unwrap())
        .collect();
    assert_eq!(accept.len(), 1);
    let p = &accept[0];
    assert!(p.is_require() && p.is_explicit());
    // The callee's own features (RFC 3841 §6: a UAS matches as if it were the proxy).
    assert_eq!(
        p.matches(&FeatureSet::image_share()),
        Match::Matched { score: 1.0 }
    );
    let voice_only = set(&[("+g.3gpp.cs-voice", None), ("audio", None)]);
    assert_eq!(p.matches(&voice_only), Match::Drop);
    let video_share = set(&[(
        "+g.3gpp.iari-ref",
        Some("\"urn%3Aurn-7%3A3gpp-application.ims.iari.gsma-vs\""),
    )]);
    assert_eq!(p.matches(&video_share), Match::Drop);
    assert_eq!(p.matches(&FeatureSet::new()), Match::Immune);
    assert_eq!(
        p.to_string(),
        format!("*;+g.3gpp.iari-ref={IARI_PARAM};require;explicit")
    );
}

#[test]
fn api_values_are_checked_and_sets_compare_by_tag() {
    let bad = [
        FeatureValue::Token(String::new()),
        FeatureValue::String("a\r\nVia: injected".into()),
        FeatureValue::String("<a>".into()),
        FeatureValue::Numeric(Numeric::Equal(f64::NAN)),
        FeatureValue::Numeric(Numeric::Range(0.0, f64::INFINITY)),
    ];
    for v in bad {
        assert!(
            matches!(
                Feature::new("+x", vec![Filter::new(v.clone())]),
                Err(FeatureError::BadValue { .. })
            ),
            "{v:?}"
        );
    }
    // A quoted-pair-escaped control character in a received string value is refused too.
    assert!(FeatureSet::from_params([("description", Some("\"<a\\\rb>\""))]).is_err());
    // Tokens with any byte are percent-escaped when written, so they cannot break the header.
    let odd = Feature::tokens("+x", ["a b;c\"d"]).unwrap();
    assert_eq!(odd.to_string(), "+x=\"a%20b%3Bc%22d\"");
    let back = Feature::from_param("+x", odd.param_value().as_deref()).unwrap();
    assert_eq!(back, odd);
    // Order and spelling of names do not matter to ==; values do.
    let a = set(&[("audio", None), ("+g.3gpp.cs-voice", None)]);
    let b = set(&[("+G.3GPP.CS-VOICE", None), ("AUDIO", Some("\"TRUE\""))]);
    assert_eq!(a, b);
    assert_ne!(a, set(&[("audio", None)]));
    assert_ne!(a, set(&[("audio", None), ("+g.3gpp.cs-video", None)]));
}

#[test]
fn rfc3841_section_7_2_3_contact_and_section_5_2_preference() {
    let msg = Message::parse(
        "REGISTER sip:example.com SIP/2.0\r\n\
         Contact: <sip:user@example.com>;audio;video;mobility=\"fixed\";\r\n \
         +sip.message=\"TRUE\";other-param=66372;\r\n \
         methods=\"INVITE,OPTIONS,BYE,CANCEL,ACK\";schemes=\"sip,http\"\r\n\
         Accept-Contact: *;mobility=\"mobile\";methods=\"INVITE\"\r\n\
         Content-Length: 0\r\n\r\n",
    )
    .unwrap();
    let h = msg.headers();
    let c = h.contacts().next().unwrap().unwrap();
    let s = FeatureSet::from_params(c.address().unwrap().params().pairs()).unwrap();
    let tags: Vec<_> = s.iter().map(Feature::tag).collect();
    // "other-param" is not a feature parameter.
    assert_eq!(
        tags,
        [
            "sip.audio",
            "sip.video",
            "sip.mobility",
            "sip.message",
            "sip.methods",
            "sip.schemes"
        ]
    );
    assert!(s.has_token("methods", "cancel") && !s.has_token("methods", "REFER"));
    assert!(s.has_token("+sip.message", "TRUE"));
    let p = FeaturePredicate::from_contact_predicate(&h.accept_contact().next().unwrap().unwrap())
        .unwrap();
    assert_eq!(p.matches(&s), Match::NotMatched);
    assert_eq!(p.clone().require().matches(&s), Match::Drop);
    // Literal membership: a string filter holds exactly its text.
    let d = set(&[("description", Some("\"<PC>\""))]);
    assert!(d.has_token("description", "PC") && !d.has_token("description", "pc"));
}
