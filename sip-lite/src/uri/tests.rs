//! Tests for the URI module: components, RFC 4475 URIs, RFC 3261 §19.1.4 and RFC 3966 §4
//! comparison tables, round trips and garbled input.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::*;

fn uri(s: &str) -> Uri {
    Uri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn sip(s: &str) -> SipUri {
    SipUri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn tel(s: &str) -> TelUri {
    TelUri::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

#[test]
fn sip_components() {
    let u = sip(
        "sip:alice:secret@atlanta.com:5061;transport=tcp;lr;ttl=15;method=INVITE;user=phone;maddr=239.255.255.1?subject=project%20x&priority=urgent",
    );
    assert_eq!(u.scheme(), SipScheme::Sip);
    assert_eq!(u.user(), Some("alice"));
    assert_eq!(u.password(), Some("secret"));
    assert_eq!(u.host(), Host::Domain("atlanta.com"));
    assert_eq!(u.port(), Some(5061));
    assert_eq!(u.transport(), Some("tcp"));
    assert!(u.lr());
    assert_eq!(u.ttl(), Some(15));
    assert_eq!(u.method(), Some("INVITE"));
    assert_eq!(u.user_param(), Some("phone"));
    assert!(u.is_user_phone());
    assert_eq!(u.maddr(), Some(Host::Ipv4(Ipv4Addr::new(239, 255, 255, 1))));
    let params: Vec<_> = u.params().collect();
    assert_eq!(
        params,
        vec![
            ("transport", Some("tcp")),
            ("lr", None),
            ("ttl", Some("15")),
            ("method", Some("INVITE")),
            ("user", Some("phone")),
            ("maddr", Some("239.255.255.1")),
        ]
    );
    let headers: Vec<_> = u.headers().collect();
    assert_eq!(
        headers,
        vec![("subject", "project%20x"), ("priority", "urgent")]
    );
    assert_eq!(u.header("SUBJECT"), Some("project%20x"));

    let bare = sip("sips:example.com");
    assert!(bare.is_secure());
    assert_eq!(bare.user(), None);
    assert_eq!(bare.password(), None);
    assert_eq!(bare.port(), None);
    assert_eq!(bare.transport(), None);
    assert!(!bare.lr());
    assert_eq!(bare.params().count(), 0);

    let v6 = sip("sip:[2001:db8::10]:5070");
    assert_eq!(
        v6.host(),
        Host::Ipv6("2001:db8::10".parse::<Ipv6Addr>().unwrap())
    );
    assert_eq!(v6.host_str(), "2001:db8::10");
    assert_eq!(v6.port(), Some(5070));
    assert_eq!(v6.host().to_string(), "[2001:db8::10]");

    let empty_pw = sip("sip:user:@host");
    assert_eq!(empty_pw.password(), Some(""));

    // Scheme case is irrelevant.
    assert_eq!(sip("SIP:a@b").scheme(), SipScheme::Sip);
    assert_eq!(sip("Sips:a@b").scheme(), SipScheme::Sips);
}

/// The URIs of RFC 4475 that must parse, with what they must parse to.
#[test]
fn rfc4475_valid_uris() {
    // §3.1.1.9 semiuri: ';' belongs to the user part.
    let u = sip("sip:user;par=u%40example.net@example.com");
    assert_eq!(u.user(), Some("user;par=u%40example.net"));
    assert_eq!(
        u.user_unescaped().as_deref(),
        Some(&b"user;par=u@example.net"[..])
    );
    assert_eq!(u.host(), Host::Domain("example.com"));
    assert_eq!(u.params().count(), 0);

    // §3.1.1.4 escnull.
    let u = sip("sip:null-%00-null@example.com");
    assert_eq!(u.user_unescaped().as_deref(), Some(&b"null-\0-null"[..]));
    assert_eq!(
        sip("sip:%00%00@host5.example.com")
            .user_unescaped()
            .as_deref(),
        Some(&b"\0\0"[..])
    );

    // §3.1.1.3 esc01.
    let u = sip("sip:sips%3Auser%40example.com@example.net");
    assert_eq!(
        u.user_unescaped().as_deref(),
        Some(&b"sips:user@example.com"[..])
    );
    assert_eq!(u.host(), Host::Domain("example.net"));
    assert_eq!(sip("sip:%75se%72@example.com"), sip("sip:user@example.com"));
    assert_eq!(
        sip("sip:I%20have%20spaces@example.net")
            .user_unescaped()
            .as_deref(),
        Some(&b"I have spaces"[..])
    );

    // §3.1.1.2 intmeth: every user and password character class.
    let u = sip(
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
    );
    assert_eq!(
        u.user(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        u.password(),
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    assert_eq!(u.host(), Host::Domain("example.com"));

    // §3.1.1.1 wsinv: escaped parameter names and values.
    let u = sip("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
    assert!(u.lr());
    assert_eq!(u.param("name"), Some(Some("v%61lue%25%34%31")));
    assert_eq!(u, sip("sip:caller@host5.example.net;lr;name=value%2541"));
    assert_eq!(
        sip("sip:vivekg@chair-dnrc.example.com;unknownparam").param("unknownparam"),
        Some(None)
    );

    // §3.1.2.11 escruri / §3.3.14 regescrt: escaped headers.
    let u = sip("sip:user@example.com?Route=%3Csip:example.com%3E");
    assert_eq!(u.header("route"), Some("%3Csip:example.com%3E"));

    // Misc.
    for ok in [
        "sip:+19725552222@gw1.example.net;unknownparam",
        "sip:+13035551111@ift.client.example.net;user=phone",
        "sip:services.example.com;lr;unknownwith=value;unknown-no-value",
        "sip:UserB@example.com;maddr=ss1.example.com",
        "sip:fluffy@127.0.0.1:5070",
        "sip:127.0.0.1:5080",
    ] {
        sip(ok);
    }

    // §3.3.2-§3.3.4: unknown and atypical schemes are still URIs.
    for (text, scheme) in [
        (
            "nobodyKnowsThisScheme:totallyopaquecontent",
            "nobodyKnowsThisScheme",
        ),
        ("soap.beep://192.0.2.103:3002", "soap.beep"),
        ("isbn:2983792873", "isbn"),
        ("http://www.example.com", "http"),
        ("name:John_Smith", "name"),
        ("unknownscheme:foo", "unknownscheme"),
        ("urn:service:sos", "urn"),
        ("mailto:alice@example.com", "mailto"),
        ("cid:foo4*foo1@bar.net", "cid"),
        ("http://[2001:db8::1]:8080/a?b=c", "http"),
    ] {
        let u = uri(text);
        assert_eq!(u.scheme(), Scheme::Other(scheme), "{text}");
        assert_eq!(u.to_string(), text);
    }
}

/// Inputs that must fail, with the specific error.
#[test]
fn rejects_malformed() {
    use UriError::*;
    let ic = |position, byte| InvalidCharacter { position, byte };
    let cases: &[(&str, UriError)] = &[
        ("", Empty),
        ("sip", MissingScheme),
        (":foo", MissingScheme),
        // RFC 4475 §3.1.2.7 ltgtruri.
        ("<sip:user@example.com>", ic(0, b'<')),
        ("sip:user@example.com>", ic(20, b'>')),
        // RFC 4475 §3.1.2.8 lwsruri.
        ("sip:user@example.com; lr", ic(21, b' ')),
        // RFC 4475 §3.1.2.14 badaspec.
        (" sip:t.watson@example.org", ic(0, b' ')),
        ("sip:t.watson@example.org ", ic(24, b' ')),
        ("sip:t.watson @example.org", ic(12, b' ')),
        ("sip:user@exa mple.com", ic(12, b' ')),
        ("sip:us\"er@example.com", ic(6, b'"')),
        ("sip:us\ter@example.com", ic(6, b'\t')),
        ("sip:usér@example.com", ic(6, 0xc3)),
        ("sip:@example.com", EmptyUser),
        ("sip::pw@example.com", EmptyUser),
        ("sip:user@", EmptyHost),
        ("sip:", EmptyHost),
        ("sip:user@:5060", EmptyHost),
        ("sip:user@-example.com", BadHostname),
        ("sip:user@example.1com", BadHostname),
        ("sip:user@exa_mple.com", ic(12, b'_')),
        ("sip:user@256.0.0.1", BadIpv4),
        ("sip:user@1.2.3", BadIpv4),
        ("sip:user@[2001:db8:::192.0.2.1]", BadIpv6),
        ("sip:user@[2001:db8::1", BadIpv6),
        ("sip:user@[1:2:3:4:5:6:7:8:9]", BadIpv6),
        ("sip:user@[2001:db8::1]x", ic(22, b'x')),
        ("sip:user@example.com:", BadPort),
        ("sip:user@example.com:65536", BadPort),
        ("sip:user@example.com:99999999999999999999", BadPort),
        ("sip:user@example.com:50a", BadPort),
        ("sip:user@example.com:5060:5060", ic(25, b':')),
        ("sip:user@example.com;", EmptyParameterName { position: 20 }),
        (
            "sip:user@example.com;;lr",
            EmptyParameterName { position: 20 },
        ),
        (
            "sip:user@example.com;a=",
            EmptyParameterValue { position: 22 },
        ),
        (
            "sip:user@example.com;=a",
            EmptyParameterName { position: 20 },
        ),
        ("sip:user@example.com;a=b=c", ic(24, b'=')),
        ("sip:user@example.com;ttl=256", BadTtl),
        (
            "sip:user@example.com;ttl=",
            EmptyParameterValue { position: 24 },
        ),
        ("sip:user@example.com;ttl", BadTtl),
        ("sip:user@example.com;maddr=a..b", BadMaddr),
        ("sip:user@example.com?", BadHeader { position: 21 }),
        ("sip:user@example.com?a", BadHeader { position: 21 }),
        ("sip:user@example.com?=a", BadHeader { position: 21 }),
        ("sip:user@example.com?a=b&", BadHeader { position: 25 }),
        ("sip:user@example.com?a=b&c", BadHeader { position: 25 }),
        ("sip:user@example.com?a=b=c", ic(24, b'=')),
        ("sip:us%4@example.com", BadEscape { position: 6 }),
        ("sip:user@example.com;a=%", BadEscape { position: 23 }),
        ("sip:user@example.com;a=%zz", BadEscape { position: 23 }),
        ("sip:a@b@c", ic(7, b'@')),
        ("sip:a:b:c@d", ic(7, b':')),
        ("sip:user@example.com#frag", ic(20, b'#')),
        ("tel:", EmptyNumber),
        ("tel:+", EmptyNumber),
        ("tel:+-.", EmptyNumber),
        ("tel:+12a4", ic(7, b'a')),
        ("tel:+1 234", ic(6, b' ')),
        ("tel:1234", MissingPhoneContext),
        ("tel:1234;ext=5", MissingPhoneContext),
        (
            "tel:1234;phone-context=",
            EmptyParameterValue { position: 22 },
        ),
        ("tel:1234;phone-context=+", BadPhoneContext),
        ("tel:1234;phone-context=exa_mple.com", BadPhoneContext),
        ("tel:1234;phone-context", BadPhoneContext),
        ("tel:+1234;ext=12a", BadExtension),
        ("tel:+1234;ext", BadExtension),
        ("tel:+1234;ext=1;EXT=2", DuplicateParameter { position: 16 }),
        ("tel:+1234;a=1;a", DuplicateParameter { position: 14 }),
        ("sip:a@b;x=1;X=2", DuplicateParameter { position: 12 }),
        ("sip:a@b;lr;%6cr", DuplicateParameter { position: 11 }),
        ("tel:+1234;a_b=1", ic(11, b'_')),
        ("tel:+1234;a=<", ic(12, b'<')),
        ("tel:+1234;", EmptyParameterName { position: 9 }),
        ("foo:", EmptySchemeSpecificPart),
        ("foo:a b", ic(5, b' ')),
        ("foo:a<b", ic(5, b'<')),
        ("1foo:bar", ic(0, b'1')),
        ("fo o:bar", ic(2, b' ')),
    ];
    let wrong: Vec<_> = cases
        .iter()
        .filter_map(|(text, want)| {
            let got = Uri::parse(text).err();
            (got.as_ref() != Some(want)).then(|| format!("{text:?}: got {got:?}, want {want:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn tel_components() {
    let t = tel("tel:+1-201-555-0123");
    assert!(t.is_global());
    assert_eq!(t.number(), "+1-201-555-0123");
    assert_eq!(t.digits(), "12015550123");
    assert_eq!(t.phone_context(), None);

    let t = tel("tel:7042;phone-context=example.com");
    assert!(!t.is_global());
    assert_eq!(t.digits(), "7042");
    assert_eq!(t.phone_context(), Some("example.com"));

    let t = tel("tel:+1-212-555-0101;isub=%41b;ext=42;phone-context=+1;foo=bar;flag");
    assert_eq!(t.isdn_subaddress(), Some("%41b"));
    assert_eq!(t.extension(), Some("42"));
    let params: Vec<_> = t.params().collect();
    assert_eq!(
        params,
        vec![
            ("isub", Some("%41b")),
            ("ext", Some("42")),
            ("phone-context", Some("+1")),
            ("foo", Some("bar")),
            ("flag", None),
        ]
    );

    // Local numbers may hold hex digits, '*' and '#'.
    let t = tel("tel:*21#;phone-context=+44");
    assert_eq!(t.digits(), "*21#");
    assert_eq!(uri("TEL:+1").scheme(), Scheme::Tel);
}

/// RFC 3261 §19.1.4: the RFC's own equivalent and non-equivalent sets, plus one case per rule.
#[test]
fn sip_comparison_rfc3261_19_1_4() {
    let equivalent: &[&[&str]] = &[
        &[
            "sip:%61lice@atlanta.com;transport=TCP",
            "sip:alice@AtLanTa.CoM;Transport=tcp",
        ],
        &[
            "sip:carol@chicago.com",
            "sip:carol@chicago.com;newparam=5",
            "sip:carol@chicago.com;security=on",
        ],
        &[
            "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
            "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com",
        ],
        &[
            "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
            "sip:alice@atlanta.com?priority=urgent&subject=project%20x",
        ],
        // Further rules.
        &["sip:a@[2001:db8::1]", "sip:a@[2001:DB8:0:0:0:0:0:1]"],
        &["sip:a@h;lr", "sip:a@h", "sip:a@h;LR"],
        &["sip:a@h;maddr=x.example.com", "sip:a@h;MADDR=X.Example.Com"],
        &["sip:a@h?Subject=x", "sip:a@h?subject=x"],
        &["sip:a@h;%74ransport=tcp", "sip:a@h;transport=TCP"],
        &["sip:a:%70w@h", "sip:a:pw@h"],
    ];
    let state = RandomState::new();
    for set in equivalent {
        for a in *set {
            for b in *set {
                assert_eq!(sip(a), sip(b), "{a} == {b}");
                assert_eq!(
                    state.hash_one(sip(a)),
                    state.hash_one(sip(b)),
                    "hash {a} / {b}"
                );
                assert_eq!(uri(a), uri(b), "Uri {a} == {b}");
            }
        }
    }
    let different: &[(&str, &str)] = &[
        // The RFC's list.
        (
            "SIP:ALICE@AtLanTa.CoM;Transport=udp",
            "sip:alice@AtLanTa.CoM;Transport=UDP",
        ),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"),
        ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"),
        (
            "sip:bob@biloxi.com",
            "sip:bob@biloxi.com:6000;transport=tcp",
        ),
        (
            "sip:carol@chicago.com",
            "sip:carol@chicago.com?Subject=next%20meeting",
        ),
        ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"),
        // Non-transitivity.
        (
            "sip:carol@chicago.com;security=on",
            "sip:carol@chicago.com;security=off",
        ),
        // Further rules.
        ("sip:a@h", "sips:a@h"),
        ("sip:h", "sip:a@h"),
        ("sip:a@h", "sip:a:pw@h"),
        ("sip:a:pw@h", "sip:a:PW@h"),
        ("sip:a@h", "sip:a@h;user=phone"),
        ("sip:a@h", "sip:a@h;ttl=1"),
        ("sip:a@h", "sip:a@h;method=INVITE"),
        ("sip:a@h", "sip:a@h;maddr=h"),
        ("sip:a@h;foo=1", "sip:a@h;foo=2"),
        ("sip:a@h;lr", "sip:a@h;lr=on"),
        ("sip:a@h?x=1", "sip:a@h?x=2"),
        ("sip:a@h?x=1&x=1", "sip:a@h?x=1"),
        ("sip:a@h?subject=X", "sip:a@h?subject=x"),
        ("sip:a;b@h", "sip:a%3Bb@h"),
        ("sip:a@h:1", "sip:a@h:2"),
        ("sip:a@[::1]", "sip:a@[::2]"),
        ("sip:a@127.0.0.1", "sip:a@[::ffff:127.0.0.1]"),
    ];
    for (a, b) in different {
        assert_ne!(sip(a), sip(b), "{a} != {b}");
        assert_ne!(sip(b), sip(a), "{b} != {a}");
    }
}

/// RFC 3966 §4.
#[test]
fn tel_comparison_rfc3966_4() {
    let state = RandomState::new();
    let equal: &[(&str, &str)] = &[
        ("tel:+1-201-555-0123", "tel:+12015550123"),
        ("tel:+1(201)555.0123", "TEL:+1-201-555-0123"),
        (
            "tel:7042;phone-context=example.com",
            "tel:7042;PHONE-CONTEXT=Example.COM",
        ),
        (
            "tel:863-1234;phone-context=+1-914-555",
            "tel:8631234;phone-context=+1914555",
        ),
        ("tel:+1234;a=1;b=2", "tel:+1234;b=2;a=1"),
        ("tel:+1234;a=X", "tel:+1234;A=x"),
        ("tel:+1234;ext=1-2", "tel:+1234;ext=12"),
        ("tel:ab;phone-context=+1", "tel:AB;phone-context=+1"),
        ("tel:+1234;a=%41", "tel:+1234;a=A"),
    ];
    for (a, b) in equal {
        assert_eq!(tel(a), tel(b), "{a} == {b}");
        assert_eq!(state.hash_one(tel(a)), state.hash_one(tel(b)), "hash {a}");
    }
    let different: &[(&str, &str)] = &[
        ("tel:+1234", "tel:1234;phone-context=+1"),
        ("tel:+1234", "tel:+1235"),
        ("tel:+1234", "tel:+1234;a=1"),
        ("tel:+1234;a=1", "tel:+1234;a=2"),
        ("tel:+1234;a", "tel:+1234;a=1"),
        (
            "tel:1234;phone-context=example.com",
            "tel:1234;phone-context=example.net",
        ),
        ("tel:1234;phone-context=+1", "tel:1234;phone-context=+2"),
    ];
    for (a, b) in different {
        assert_ne!(tel(a), tel(b), "{a} != {b}");
    }
    // Different kinds never compare equal.
    assert_ne!(uri("tel:+1234"), uri("sip:+1234@h"));
    assert_eq!(uri("urn:X:y"), uri("URN:X:%79"));
    assert_ne!(uri("urn:X:y"), uri("urn:x:y"));
}

/// Display gives back the exact text, and the text parses to an equal value.
#[test]
fn round_trip() {
    for text in [
        "sip:alice@atlanta.com",
        "SIP:ALICE@AtLanTa.CoM;Transport=udp",
        "sips:%61lice:p%41ss@[2001:db8::1]:5061;lr;maddr=[::1]?a=b&c=",
        "sip:user;par=u%40example.net@example.com",
        "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com",
        "tel:+1-201-555-0123;ext=12;foo",
        "tel:7042;phone-context=example.com",
        "http://www.example.com/a;b?c",
        "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6",
    ] {
        let u = uri(text);
        assert_eq!(u.to_string(), text);
        assert_eq!(uri(&u.to_string()), u);
        assert_eq!(text.parse::<Uri>().as_ref(), Ok(&u));
    }
}

/// Garbled input never panics, and whatever parses round-trips.
#[test]
fn garbled_input_never_panics() {
    // xorshift64*: deterministic and dependency-free.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let seeds = [
        "sip:alice:pw@[2001:db8::1]:5060;transport=tcp;lr;ttl=5?subject=a%20b&x=y",
        "tel:+1-201-555-0123;isub=12;ext=4;phone-context=+1",
        "tel:7042;phone-context=example.com",
        "http://www.example.com/a?b",
        "sip:user;par=u%40example.net@192.0.2.1",
    ];
    let alphabet = b"sip:tel+@[]%;?=&/.-_0123456789abcdefABCDEF:<> \t\"#*()!~'$,\x00\xff";
    let mut parsed = 0;
    for round in 0..20_000 {
        let seed = seeds[round % seeds.len()].as_bytes();
        let mut bytes = seed.to_vec();
        for _ in 0..(next() % 4 + 1) {
            let r = next();
            let pos = (r as usize >> 8) % (bytes.len() + 1);
            let c = alphabet[(r as usize >> 40) % alphabet.len()];
            match r % 3 {
                0 => bytes.insert(pos, c),
                1 if pos < bytes.len() => {
                    bytes.remove(pos);
                }
                _ if pos < bytes.len() => bytes[pos] = c,
                _ => bytes.push(c),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(u) = Uri::parse(&text) {
            parsed += 1;
            assert_eq!(u.to_string(), text);
            let again = Uri::parse(&u.to_string()).expect("display reparses");
            assert_eq!(again, u, "{text}");
            // Exercise every accessor.
            if let Uri::Sip(s) = &u {
                let _ = (
                    s.user_unescaped(),
                    s.password_unescaped(),
                    s.host(),
                    s.ttl(),
                );
                let _ = (s.maddr(), s.lr(), s.headers().count(), s.params().count());
            }
            if let Uri::Tel(t) = &u {
                let _ = (t.digits(), t.phone_context(), t.extension());
            }
        }
    }
    // The mutations are small, so a fair share must still parse.
    assert!(parsed > 1000, "only {parsed} parsed");
}
