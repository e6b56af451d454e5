use super::*;

fn uk() -> NumberingPlan {
    NumberingPlan::new("44")
        .and_then(|p| p.with_international_prefix("00"))
        .and_then(|p| p.with_trunk_prefix("0"))
        .unwrap()
}

fn uk_london() -> NumberingPlan {
    uk().with_area_code("20").unwrap()
}

fn nanp() -> NumberingPlan {
    NumberingPlan::new("1")
        .and_then(|p| p.with_international_prefix("011"))
        .and_then(|p| p.with_trunk_prefix("1"))
        .unwrap()
}

/// Denmark: no trunk prefix, eight-digit numbers.
fn dk() -> NumberingPlan {
    NumberingPlan::new("45")
        .and_then(|p| p.with_international_prefix("00"))
        .unwrap()
}

fn ok(digits: &str) -> Result<E164, E164Error> {
    Ok(E164(digits.into()))
}

fn bad_char(position: usize, character: char) -> Result<E164, E164Error> {
    Err(E164Error::InvalidCharacter {
        position,
        character,
    })
}

#[test]
fn numbers_table() {
    use E164Error::*;
    let none = NumberingPlan::default();
    let rows: Vec<(&str, NumberingPlan, Result<E164, E164Error>)> = vec![
        // Global form with every visual separator.
        ("+44 20 7946 0000", none.clone(), ok("442079460000")),
        ("+442079460000", none.clone(), ok("442079460000")),
        ("+44-20-7946-0000", none.clone(), ok("442079460000")),
        ("+44.20.7946.0000", none.clone(), ok("442079460000")),
        ("  +44 (20) 7946\t0000  ", none.clone(), ok("442079460000")),
        ("+1 (201) 555-0123", none.clone(), ok("12015550123")),
        // "(0)" optional trunk prefix dropped in international form.
        ("+44 (0)20 7946 0000", none.clone(), ok("442079460000")),
        ("+44 (0) 20 7946 0000", uk(), ok("442079460000")),
        ("+44 ( 0 ) 20 7946 0000", none.clone(), ok("442079460000")),
        ("+44 (0-0) 20", none.clone(), ok("440020")),
        ("0044 (0)20 7946 0000", uk(), ok("442079460000")),
        // ...but not when it is the first digit.
        ("+(0)44 20", none.clone(), Err(LeadingZero)),
        // The plan's own trunk prefix after its own country code.
        ("+44 020 7946 0000", uk(), ok("442079460000")),
        ("+44 020 7946 0000", none.clone(), ok("4402079460000")),
        // Another country's trunk prefix is unknown: kept.
        ("+33 01 23 45 67 89", uk(), ok("330123456789")),
        // International prefix.
        ("0044 20 7946 0000", uk(), ok("442079460000")),
        ("00 1 201 555 0123", uk(), ok("12015550123")),
        ("011 44 20 7946 0000", nanp(), ok("442079460000")),
        ("0044", uk(), ok("44")),
        ("00", uk(), Err(TooShort)),
        // National form: trunk prefix replaced by the country code.
        ("020 7946 0000", uk(), ok("442079460000")),
        ("(020) 7946-0000", uk(), ok("442079460000")),
        ("07700 900123", uk(), ok("447700900123")),
        ("1-201-555-0123", nanp(), ok("12015550123")),
        ("(201) 555-0123", nanp(), ok("12015550123")),
        ("0", uk(), Err(TooShort)),
        // Bare subscriber numbers: area code when the plan has one...
        ("7946 0000", uk_london(), ok("442079460000")),
        ("020 7946 0000", uk_london(), ok("442079460000")),
        // ...the national significant number when the plan has no trunk prefix.
        ("32 12 34 56", dk(), ok("4532123456")),
        ("00 44 20 7946 0000", dk(), ok("442079460000")),
        // No country to complete national numbers.
        ("020 7946 0000", none.clone(), Err(NoCountryContext)),
        ("0044 20 7946 0000", none.clone(), Err(NoCountryContext)),
        // Garbage.
        ("", uk(), Err(Empty)),
        (" - . ", uk(), Err(Empty)),
        ("+", uk(), Err(TooShort)),
        ("+ - ", uk(), Err(TooShort)),
        ("+44+20", uk(), bad_char(3, '+')),
        ("44+20", uk(), bad_char(2, '+')),
        ("++44", uk(), bad_char(1, '+')),
        ("020 7946 000a", uk(), bad_char(12, 'a')),
        ("*31#020", uk(), bad_char(0, '*')),
        ("tel:+4420", uk(), bad_char(0, 't')),
        ("+44 (20 7946", uk(), bad_char(4, '(')),
        ("+44 20) 7946", uk(), bad_char(6, ')')),
        ("+44 ((20)) 7946", uk(), bad_char(5, '(')),
        ("+44 20 7946 0000 ext 12", uk(), bad_char(17, 'e')),
        ("+44 20 7946 0000 ☎", uk(), bad_char(17, '☎')),
        ("+0044 20", uk(), Err(LeadingZero)),
        ("+1234567890123456", uk(), Err(TooLong { digits: 16 })),
        ("+123456789012345", uk(), ok("123456789012345")),
        ("0044 1234567890123456", uk(), Err(TooLong { digits: 18 })),
        ("020 12345678901234", uk(), Err(TooLong { digits: 18 })),
        ("01 234567890123", uk(), ok("441234567890123")),
    ];
    for (input, plan, expected) in rows {
        assert_eq!(normalize_number(input, &plan), expected, "{input:?}");
    }
}

#[test]
fn hostile_lengths_are_bounded() {
    let long = "9".repeat(100_000);
    assert_eq!(
        normalize_number(&long, &uk()),
        Err(E164Error::TooLong { digits: 100_000 })
    );
    let uri: Uri = format!("tel:+{long}").parse().unwrap();
    assert!(matches!(
        normalize_uri(&uri, &uk()),
        Err(E164Error::TooLong { .. })
    ));
    let sip: Uri = format!("sip:+{long}@example.com").parse().unwrap();
    assert!(matches!(
        normalize_uri(&sip, &uk()),
        Err(E164Error::TooLong { .. })
    ));
}

#[test]
fn uris_table() {
    use E164Error::*;
    let none = NumberingPlan::default();
    let rows: Vec<(&str, NumberingPlan, Result<E164, E164Error>)> = vec![
        // tel: global (RFC 3966 §5.1.4).
        ("tel:+44-20-7946-0000", none.clone(), ok("442079460000")),
        ("TEL:+442079460000", none.clone(), ok("442079460000")),
        (
            "tel:+1-201-555-0123;ext=1234",
            none.clone(),
            ok("12015550123"),
        ),
        (
            "tel:+1(201)555.0123;isub=12",
            none.clone(),
            ok("12015550123"),
        ),
        ("tel:+0123", none.clone(), Err(LeadingZero)),
        (
            "tel:+1234567890123456",
            none.clone(),
            Err(TooLong { digits: 16 }),
        ),
        // tel: local with a numeric context (RFC 3966 §5.1.5).
        (
            "tel:7946-0000;phone-context=+44-20",
            none.clone(),
            ok("442079460000"),
        ),
        (
            "tel:7946000;phone-context=+44",
            none.clone(),
            ok("447946000"),
        ),
        (
            "tel:863-1234;phone-context=+1-914-555",
            none.clone(),
            ok("19145558631234"),
        ),
        // National format in its own country's context loses the trunk prefix.
        (
            "tel:020-7946-0000;phone-context=+44",
            uk(),
            ok("442079460000"),
        ),
        (
            "tel:020-7946-0000;phone-context=+44",
            none.clone(),
            ok("4402079460000"),
        ),
        ("tel:0;phone-context=+44", uk(), Err(TooShort)),
        // Service codes and hex digits have no E.164 form.
        ("tel:*31#;phone-context=+44", uk(), bad_char(0, '*')),
        ("tel:12AB;phone-context=+44", uk(), bad_char(2, 'A')),
        // Domain contexts are private.
        (
            "tel:7042;phone-context=example.com",
            uk(),
            Err(DomainContext),
        ),
        ("tel:+44 20", uk(), Err(NotTelephoneIdentity)), // not a URI: see parse below
        // sip: with user=phone (RFC 3261 §19.1.1).
        (
            "sip:+44-20-7946-0000@ims.example.net;user=phone",
            none.clone(),
            ok("442079460000"),
        ),
        (
            "sips:+442079460000@ims.example.net;user=phone",
            none.clone(),
            ok("442079460000"),
        ),
        (
            "sip:+442079460000;npdi@ims.example.net;user=phone",
            none.clone(),
            ok("442079460000"),
        ),
        (
            "sip:7946-0000;phone-context=+44-20@ims.example.net;user=phone",
            none.clone(),
            ok("442079460000"),
        ),
        (
            "sip:%2B442079460000@ims.example.net;user=phone",
            none.clone(),
            ok("442079460000"),
        ),
        (
            "sip:7042;phone-context=example.com@example.com;user=phone",
            uk(),
            Err(DomainContext),
        ),
        // Local number missing its phone-context: read as dialled under the plan.
        (
            "sip:02079460000@ims.example.net;user=phone",
            uk(),
            ok("442079460000"),
        ),
        (
            "sip:02079460000@ims.example.net;user=phone",
            none.clone(),
            Err(NoCountryContext),
        ),
        (
            "sip:alice@example.com;user=phone",
            uk(),
            Err(NotTelephoneIdentity),
        ),
        // sip: without user=phone: only an unmistakable global number.
        (
            "sip:+442079460000@ims.example.net",
            none.clone(),
            ok("442079460000"),
        ),
        (
            "sip:+44-20-7946-0000@ims.example.net:5060;transport=tcp",
            none.clone(),
            ok("442079460000"),
        ),
        (
            "sip:02079460000@ims.example.net",
            uk(),
            Err(NotTelephoneIdentity),
        ),
        (
            "sip:+44abc@ims.example.net",
            uk(),
            Err(NotTelephoneIdentity),
        ),
        ("sip:+@ims.example.net", uk(), Err(NotTelephoneIdentity)),
        (
            "sip:+44;foo=bar@ims.example.net",
            uk(),
            Err(NotTelephoneIdentity),
        ),
        ("sip:alice@example.com", uk(), Err(NotTelephoneIdentity)),
        ("sip:example.com", uk(), Err(NotTelephoneIdentity)),
        ("sip:%FF@example.com", uk(), Err(NotTelephoneIdentity)),
        // Anonymous (RFC 3323 §4.1.1.3).
        ("sip:anonymous@anonymous.invalid", uk(), Err(Anonymous)),
        ("sip:Anonymous@example.com", uk(), Err(Anonymous)),
        (
            "sip:+442079460000@anonymous.invalid;user=phone",
            uk(),
            Err(Anonymous),
        ),
        // Other schemes.
        ("mailto:alice@example.com", uk(), Err(NotTelephoneIdentity)),
        ("urn:service:sos", uk(), Err(NotTelephoneIdentity)),
    ];
    for (text, plan, expected) in rows {
        let Ok(uri) = Uri::parse(text) else {
            // Only the row marked "not a URI" gets here.
            assert_eq!(text, "tel:+44 20");
            continue;
        };
        assert_eq!(normalize_uri(&uri, &plan), expected, "{text:?}");
    }
}

#[test]
fn correlation_between_forms() {
    let plan = uk();
    let cs = normalize_number("+44 (0)20 7946 0000", &plan).unwrap();
    for text in [
        "tel:+44-20-7946-0000",
        "sip:+442079460000@ims.example.net;user=phone",
        "sip:+442079460000@ims.example.net",
        "tel:79460000;phone-context=+4420",
        "tel:02079460000;phone-context=+44",
    ] {
        let uri: Uri = text.parse().unwrap();
        assert!(cs.matches_uri(&uri, &plan), "{text}");
    }
    let other: Uri = "tel:+442079460001".parse().unwrap();
    assert!(!cs.matches_uri(&other, &plan));
    let anon: Uri = "sip:anonymous@anonymous.invalid".parse().unwrap();
    assert!(!cs.matches_uri(&anon, &plan));
}

#[test]
fn e164_type() {
    let n: E164 = "+442079460000".parse().unwrap();
    assert_eq!(n.to_string(), "+442079460000");
    assert_eq!(format!("{n:?}"), "E164(+442079460000)");
    assert_eq!(n.tel_uri(), "tel:+442079460000");
    let tel: Uri = n.tel_uri().parse().unwrap();
    assert_eq!(
        normalize_uri(&tel, &NumberingPlan::default()),
        Ok(n.clone())
    );
    assert_eq!("".parse::<E164>(), Err(E164Error::Empty));
    assert_eq!("+".parse::<E164>(), Err(E164Error::TooShort));
    assert_eq!(
        "+44 20".parse::<E164>(),
        Err(E164Error::InvalidCharacter {
            position: 3,
            character: ' '
        })
    );
    assert_eq!("+044".parse::<E164>(), Err(E164Error::LeadingZero));
    assert_eq!(E164::from_digits("1"), ok("1"));
    assert_eq!(
        E164::from_digits("1234567890123456"),
        Err(E164Error::TooLong { digits: 16 })
    );
    assert_eq!(String::from(n.clone()), "+442079460000");
    assert_eq!(E164::try_from("+1".to_owned()), ok("1"));
}

#[test]
fn plan_validation() {
    use E164Error::InvalidPlan;
    assert_eq!(
        NumberingPlan::new("044"),
        Err(InvalidPlan {
            field: "country code"
        })
    );
    assert!(NumberingPlan::new("1234").is_err());
    assert!(NumberingPlan::new("").is_err());
    assert!(NumberingPlan::new("4a").is_err());
    assert_eq!(
        uk().with_trunk_prefix("O"),
        Err(InvalidPlan {
            field: "trunk prefix"
        })
    );
    assert!(uk().with_international_prefix("").is_err());
    assert!(uk().with_area_code("1234567890123").is_err());
    let p = uk_london();
    assert_eq!(p.country_code(), Some("44"));
    assert_eq!(p.international_prefixes().collect::<Vec<_>>(), ["00"]);
    assert_eq!((p.trunk_prefix(), p.area_code()), (Some("0"), Some("20")));
    // Several international prefixes: the longest that fits wins.
    let p = NumberingPlan::new("61")
        .and_then(|p| p.with_international_prefix("0011"))
        .and_then(|p| p.with_international_prefix("00"))
        .and_then(|p| p.with_trunk_prefix("0"))
        .unwrap();
    assert_eq!(
        normalize_number("0011 44 20 7946 0000", &p),
        ok("442079460000")
    );
    assert_eq!(
        normalize_number("00 44 20 7946 0000", &p),
        ok("442079460000")
    );
    assert_eq!(normalize_number("02 9876 5432", &p), ok("61298765432"));
}

#[cfg(feature = "serde")]
#[test]
fn serde_forms() {
    let plan: NumberingPlan = serde_json::from_str(
        r#"{"country_code":"44","international_prefixes":["00"],"trunk_prefix":"0"}"#,
    )
    .unwrap();
    assert_eq!(plan, uk());
    let back = serde_json::to_string(&plan).unwrap();
    assert_eq!(serde_json::from_str::<NumberingPlan>(&back).unwrap(), plan);
    // Unchecked on the way in, rejected on use.
    let bad: NumberingPlan = serde_json::from_str(r#"{"country_code":"0x"}"#).unwrap();
    assert_eq!(
        normalize_number("+44", &bad),
        Err(E164Error::InvalidPlan {
            field: "country code"
        })
    );
    let default: NumberingPlan = serde_json::from_str("{}").unwrap();
    assert_eq!(default, NumberingPlan::default());
    let n: E164 = serde_json::from_str(r#""+442079460000""#).unwrap();
    assert_eq!(serde_json::to_string(&n).unwrap(), r#""+442079460000""#);
    assert!(serde_json::from_str::<E164>(r#""0207""#).is_err());
}
