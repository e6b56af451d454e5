use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::BytesMut;

use super::*;
use crate::{Decoder, Frame, Head};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/rfc4976");
const URI: &str = "msrps://relay.example.com:2855;tcp";

struct Users(HashMap<&'static str, &'static str>);

impl CredentialStore for Users {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        self.0.get(username).map(|pw| ha1(username, realm, pw))
    }
}

fn users() -> Users {
    Users(HashMap::from([("alice", "secret"), ("bob", "hunter2")]))
}

fn server(epoch: Instant) -> DigestServer {
    DigestServer::new(
        "relay.example.com",
        [0x42; 32],
        Duration::from_secs(60),
        epoch,
    )
}

fn rfc2617_challenge() -> Challenge {
    Challenge {
        realm: "testrealm@host.com".into(),
        nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
        opaque: Some("5ccc069c403ebaf9f0171e9517f40e41".into()),
        stale: false,
    }
}

#[test]
fn rfc2617_section_3_5_vector() {
    assert_eq!(
        hex(&ha1("Mufasa", "testrealm@host.com", "Circle Of Life")),
        "939e7578ed9e3c518a452acee763bce9"
    );
    let a = respond(
        &rfc2617_challenge(),
        "Mufasa",
        "Circle Of Life",
        "GET",
        "/dir/index.html",
        "0a4f113b",
        1,
    );
    assert_eq!(a.response, "6629fae49393a05397450978507c4ef1");
    assert_eq!(
        a.opaque.as_deref(),
        Some("5ccc069c403ebaf9f0171e9517f40e41")
    );
    assert_eq!(
        a.to_string(),
        "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", \
         nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, \
         nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", \
         opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
    );
    // The RFC 2617 §3.5 header as printed there (line folding removed) parses to the same.
    let printed = r#"Digest username="Mufasa",
                 realm="testrealm@host.com",
                 nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
                 uri="/dir/index.html",
                 qop=auth,
                 nc=00000001,
                 cnonce="0a4f113b",
                 response="6629fae49393a05397450978507c4ef1",
                 opaque="5ccc069c403ebaf9f0171e9517f40e41""#
        .replace(['\n'], "");
    assert_eq!(Authorization::parse(&printed), Ok(a));
}

/// The digest headers of a vector file, decoded with the crate's decoder.
fn vector_header(file: &str, name: &str) -> String {
    let mut wire = BytesMut::from(
        std::fs::read(format!("{VECTORS}/{file}"))
            .unwrap_or_else(|e| panic!("{file}: {e}"))
            .as_slice(),
    );
    let head = match Decoder::default().decode(&mut wire) {
        Ok(Some(Frame::Head(head))) => head,
        other => panic!("{file}: {other:?}"),
    };
    let headers = match &head {
        Head::Request(r) => &r.headers,
        Head::Response(r) => &r.headers,
    };
    headers
        .get(name)
        .unwrap_or_else(|| panic!("{file} has no {name}"))
}

#[test]
fn rfc4976_vectors_parse_and_print_back() {
    for (file, nonce) in [
        ("5.1-2-401.msrp", "dcd98b7102dd2f0e8b11d0f600bfb0c093"),
        ("5.1-7-401.msrp", "Uumu8cAV38FGsEF31VLevIbNXj9HWO"),
        ("5.1-8-401.msrp", "Uumu8cAV38FGsEF31VLevIbNXj9HWO"),
    ] {
        let value = vector_header(file, "WWW-Authenticate");
        let c = Challenge::parse(&value).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(c.nonce, nonce, "{file}");
        assert!(!c.stale && c.opaque.is_none(), "{file}");
        assert_eq!(c.to_string(), value, "{file}: printed as the RFC prints it");
    }
    for (file, realm, cnonce, response) in [
        (
            "5.1-3-auth.msrp",
            "intra.example.com",
            "0a4f113b",
            "6629fae49393a05397450978507c4ef1",
        ),
        (
            "5.1-9-auth.msrp",
            "extra.example.com",
            "85a0dca8",
            "cb06c4a77cd90918cd7914432032e0e6",
        ),
        (
            "5.1-10-auth.msrp",
            "extra.example.com",
            "85a0dca8",
            "cb06c4a77cd90918cd7914432032e0e6",
        ),
    ] {
        let value = vector_header(file, "Authorization");
        let a = Authorization::parse(&value).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(
            (a.username.as_str(), a.realm.as_str(), a.cnonce.as_str()),
            ("Alice", realm, cnonce),
            "{file}"
        );
        assert_eq!(
            (a.nc, a.response.as_str(), a.uri.as_str()),
            (1, response, "")
        );
        assert_eq!(a.to_string(), value, "{file}: printed as the RFC prints it");
    }
    // RFC 4976's first answer reuses RFC 2617 §3.5's response value verbatim: it is that
    // example's digest (Mufasa, GET /dir/index.html), not one computed for Alice's AUTH.
    let a = Authorization::parse(&vector_header("5.1-3-auth.msrp", "Authorization"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mufasa = respond(
        &rfc2617_challenge(),
        "Mufasa",
        "Circle Of Life",
        "GET",
        "/dir/index.html",
        &a.cnonce,
        a.nc,
    );
    assert_eq!(mufasa.response, a.response);
    for file in ["5.1-4-200.msrp", "5.1-11-200.msrp", "5.1-12-200.msrp"] {
        let value = vector_header(file, "Authentication-Info");
        let info = AuthenticationInfo::parse(&value).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(info.nc, 1, "{file}");
        assert!(info.next_nonce.is_some(), "{file}");
        assert_eq!(info.rspauth.len(), 32, "{file}");
    }
}

#[test]
fn round_trip_through_the_server() {
    let t0 = Instant::now();
    let mut relay = server(t0);
    let challenge = Challenge::parse(&relay.challenge(t0, false).to_string()).unwrap();
    assert_eq!(challenge.realm, "relay.example.com");
    let a = respond(&challenge, "alice", "secret", "AUTH", URI, "c1", 1);
    let received = Authorization::parse(&a.to_string()).unwrap();
    assert_eq!(received, a);
    assert_eq!(
        relay.verify(t0, "AUTH", URI, &received, &users()),
        Ok("alice".into())
    );
    // The relay's rspauth verifies on the client, and proves knowledge of the password.
    let info = relay
        .authentication_info(t0, &received, URI, &users())
        .unwrap();
    let info = AuthenticationInfo::parse(&info.to_string()).unwrap();
    assert!(info.verify(&a, URI, &ha1("alice", "relay.example.com", "secret")));
    assert!(!info.verify(&a, URI, &ha1("alice", "relay.example.com", "guess")));
    // The next nonce works for the next AUTH.
    let next = Challenge {
        nonce: info.next_nonce.clone().unwrap(),
        ..challenge.clone()
    };
    let again = respond(&next, "alice", "secret", "AUTH", URI, "c2", 1);
    assert_eq!(
        relay.verify(t0, "AUTH", URI, &again, &users()),
        Ok("alice".into())
    );
    // Without the uri parameter (as RFC 4976's examples send it) the URI comes from the
    // caller.
    let bare = Authorization {
        uri: String::new(),
        ..respond(&next, "alice", "secret", "AUTH", URI, "c3", 2)
    };
    assert_eq!(
        relay.verify(t0, "AUTH", URI, &bare, &users()),
        Ok("alice".into())
    );
}

#[test]
fn nonces_are_unique_and_bound_to_the_realm_and_key() {
    let t0 = Instant::now();
    let mut relay = server(t0);
    let a = relay.challenge(t0, false).nonce;
    let b = relay.challenge(t0, false).nonce;
    assert_ne!(a, b);
    assert_eq!(a.len(), 64);
    let mut other_realm = DigestServer::new("other", [0x42; 32], Duration::from_secs(60), t0);
    let mut other_key =
        DigestServer::new("relay.example.com", [0x43; 32], Duration::from_secs(60), t0);
    let c = Challenge::parse(&relay.challenge(t0, false).to_string()).unwrap();
    let auth = respond(&c, "alice", "secret", "AUTH", URI, "cn", 1);
    assert_eq!(
        other_key.verify(t0, "AUTH", URI, &auth, &users()),
        Err(AuthFailure::BadNonce)
    );
    let moved = Authorization {
        realm: "other".into(),
        ..respond(
            &Challenge {
                realm: "other".into(),
                ..c
            },
            "alice",
            "secret",
            "AUTH",
            URI,
            "cn",
            1,
        )
    };
    assert_eq!(
        other_realm.verify(t0, "AUTH", URI, &moved, &users()),
        Err(AuthFailure::BadNonce)
    );
}

#[test]
fn stale_expired_forged_and_tampered_nonces() {
    let t0 = Instant::now();
    let mut relay = server(t0);
    let c = relay.challenge(t0, false);
    let auth = respond(&c, "alice", "secret", "AUTH", URI, "cn", 1);
    // Expired, right credentials: stale.
    let late = t0 + Duration::from_secs(61);
    assert_eq!(
        relay.verify(late, "AUTH", URI, &auth, &users()),
        Err(AuthFailure::Stale)
    );
    // Expired, wrong password: not stale (stale means "only the nonce was wrong").
    let wrong = respond(&c, "alice", "guess", "AUTH", URI, "cn", 1);
    assert_eq!(
        relay.verify(late, "AUTH", URI, &wrong, &users()),
        Err(AuthFailure::WrongResponse)
    );
    // A stale challenge prints and parses with stale=true.
    let s = relay.challenge(late, true);
    assert!(s.to_string().ends_with(", stale=true"));
    assert!(Challenge::parse(&s.to_string()).unwrap().stale);
    // Forged: arbitrary nonces, with a response computed for them.
    for forged in [
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "",
        "zz",
        &"0".repeat(64),
        &"0".repeat(66),
        &c.nonce[..62],
    ] {
        let f = Challenge {
            nonce: forged.into(),
            ..c.clone()
        };
        let auth = respond(&f, "alice", "secret", "AUTH", URI, "cn", 1);
        assert_eq!(
            relay.verify(t0, "AUTH", URI, &auth, &users()),
            Err(AuthFailure::BadNonce),
            "{forged}"
        );
    }
    // Tampered: each hex digit of a genuine nonce changed in turn (the issue time too, which
    // would otherwise extend its life).
    for i in 0..c.nonce.len() {
        let mut bytes = c.nonce.clone().into_bytes();
        bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
        let f = Challenge {
            nonce: String::from_utf8(bytes).unwrap(),
            ..c.clone()
        };
        let auth = respond(&f, "alice", "secret", "AUTH", URI, "cn", 1);
        assert_eq!(
            relay.verify(t0, "AUTH", URI, &auth, &users()),
            Err(AuthFailure::BadNonce),
            "digit {i}"
        );
    }
    // A nonce from a server whose epoch is later than ours looks like it is from the future.
    let mut early = server(t0);
    let future = server(t0 - Duration::from_secs(10)).challenge(t0, false);
    let auth = respond(&future, "alice", "secret", "AUTH", URI, "cn", 1);
    assert_eq!(
        early.verify(t0, "AUTH", URI, &auth, &users()),
        Err(AuthFailure::BadNonce)
    );
}

#[test]
fn replays_are_refused() {
    let t0 = Instant::now();
    let mut relay = server(t0);
    let c = relay.challenge(t0, false);
    let first = respond(&c, "alice", "secret", "AUTH", URI, "cn", 1);
    assert!(relay.verify(t0, "AUTH", URI, &first, &users()).is_ok());
    assert_eq!(
        relay.verify(t0, "AUTH", URI, &first, &users()),
        Err(AuthFailure::Replay)
    );
    let third = respond(&c, "alice", "secret", "AUTH", URI, "cn", 3);
    assert!(relay.verify(t0, "AUTH", URI, &third, &users()).is_ok());
    let second = respond(&c, "alice", "secret", "AUTH", URI, "cn", 2);
    assert_eq!(
        relay.verify(t0, "AUTH", URI, &second, &users()),
        Err(AuthFailure::Replay)
    );
    // A failed attempt does not advance the count.
    let bad = respond(&c, "alice", "guess", "AUTH", URI, "cn", 9);
    assert_eq!(
        relay.verify(t0, "AUTH", URI, &bad, &users()),
        Err(AuthFailure::WrongResponse)
    );
    let fourth = respond(&c, "alice", "secret", "AUTH", URI, "cn", 4);
    assert!(relay.verify(t0, "AUTH", URI, &fourth, &users()).is_ok());
}

#[test]
fn evicted_nonces_cannot_be_replayed() {
    let t0 = Instant::now();
    let mut relay = server(t0).with_replay_capacity(2);
    let nonces: Vec<Challenge> = (0..3u64)
        .map(|i| relay.challenge(t0 + Duration::from_millis(i), false))
        .collect();
    let now = t0 + Duration::from_millis(10);
    for c in &nonces {
        let a = respond(c, "bob", "hunter2", "AUTH", URI, "cn", 1);
        assert!(relay.verify(now, "AUTH", URI, &a, &users()).is_ok());
    }
    assert_eq!(relay.tracked_nonces(), 2);
    // The first nonce's count was evicted: its replay is refused (as stale, so an honest
    // client fetches a new nonce), even with a count that would look new.
    let replay = respond(&nonces[0], "bob", "hunter2", "AUTH", URI, "cn", 1);
    assert_eq!(
        relay.verify(now, "AUTH", URI, &replay, &users()),
        Err(AuthFailure::Stale)
    );
    // A nonce issued after the evicted ones is still accepted on first use.
    let fresh = relay.challenge(now, false);
    let a = respond(&fresh, "bob", "hunter2", "AUTH", URI, "cn", 1);
    assert!(relay.verify(now, "AUTH", URI, &a, &users()).is_ok());
}

#[test]
fn wrong_password_unknown_user_and_altered_fields() {
    let t0 = Instant::now();
    let mut relay = server(t0);
    let c = relay.challenge(t0, false);
    let check =
        |relay: &mut DigestServer, a: &Authorization| relay.verify(t0, "AUTH", URI, a, &users());
    let wrong = respond(&c, "alice", "guess", "AUTH", URI, "cn", 1);
    assert_eq!(check(&mut relay, &wrong), Err(AuthFailure::WrongResponse));
    let unknown = respond(&c, "mallory", "secret", "AUTH", URI, "cn", 1);
    assert_eq!(check(&mut relay, &unknown), Err(AuthFailure::UnknownUser));
    let good = respond(&c, "alice", "secret", "AUTH", URI, "cn", 5);
    // Each field the digest covers, altered.
    let altered = [
        Authorization {
            username: "bob".into(),
            ..good.clone()
        },
        Authorization {
            cnonce: "other".into(),
            ..good.clone()
        },
        Authorization {
            nc: 6,
            ..good.clone()
        },
        Authorization {
            response: good.response.replace(|c| c != 'a', "a"),
            ..good.clone()
        },
    ];
    for a in &altered {
        assert_eq!(check(&mut relay, a), Err(AuthFailure::WrongResponse), "{a}");
    }
    // Another method or URI than the answer was computed for.
    assert_eq!(
        relay.verify(t0, "SEND", URI, &good, &users()),
        Err(AuthFailure::WrongResponse)
    );
    let elsewhere = "msrps://other.example.com:2855;tcp";
    assert_eq!(
        relay.verify(t0, "AUTH", elsewhere, &good, &users()),
        Err(AuthFailure::UriMismatch)
    );
    let no_uri = Authorization {
        uri: String::new(),
        ..good.clone()
    };
    assert_eq!(
        relay.verify(t0, "AUTH", elsewhere, &no_uri, &users()),
        Err(AuthFailure::WrongResponse)
    );
    let realm = Authorization {
        realm: "elsewhere".into(),
        ..good.clone()
    };
    assert_eq!(check(&mut relay, &realm), Err(AuthFailure::WrongRealm));
    for bad in [
        Authorization {
            nc: 0,
            ..good.clone()
        },
        Authorization {
            response: "xyz".into(),
            ..good.clone()
        },
    ] {
        assert_eq!(check(&mut relay, &bad), Err(AuthFailure::Malformed));
    }
    // Upper-case hex is the same digest.
    let upper = Authorization {
        response: good.response.to_ascii_uppercase(),
        ..good.clone()
    };
    assert_eq!(check(&mut relay, &upper), Ok("alice".into()));
}

#[test]
fn challenge_parsing_rules() {
    let ok = |v: &str| Challenge::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
    // Any order, any case, tokens or quoted strings, extra whitespace and empty elements.
    let c = ok(
        "digest  NONCE=\"n\\\"1\" ,, qop=\"auth-int,auth\",realm=r, Algorithm=md5, \
                stale=TRUE, opaque=\"o\", domain=\"/x\", foo=bar",
    );
    assert_eq!(
        c,
        Challenge {
            realm: "r".into(),
            nonce: "n\"1".into(),
            opaque: Some("o".into()),
            stale: true,
        }
    );
    assert_eq!(
        c.to_string(),
        r#"Digest realm="r", qop="auth", nonce="n\"1", opaque="o", stale=true"#
    );
    assert_eq!(Challenge::parse(&c.to_string()), Ok(c));
    assert!(!ok("Digest realm=r, nonce=n, qop=auth, stale=yes").stale);
    let err = |v: &str| Challenge::parse(v).err();
    assert_eq!(err(r#"Basic realm="r""#), Some(DigestError::NotDigest));
    assert_eq!(err("Digestrealm=r"), Some(DigestError::NotDigest));
    assert_eq!(
        err(r#"Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess"#),
        Some(DigestError::UnsupportedAlgorithm("MD5-sess".into()))
    );
    assert_eq!(
        err(r#"Digest realm="r", nonce="n", qop="auth", algorithm=SHA-256"#),
        Some(DigestError::UnsupportedAlgorithm("SHA-256".into()))
    );
    assert_eq!(
        err(r#"Digest realm="r", nonce="n", qop="auth-int""#),
        Some(DigestError::UnsupportedQop)
    );
    assert_eq!(
        err(r#"Digest realm="r", nonce="n""#),
        Some(DigestError::MissingParam("qop"))
    );
    assert_eq!(
        err(r#"Digest nonce="n", qop="auth""#),
        Some(DigestError::MissingParam("realm"))
    );
    assert_eq!(
        err(r#"Digest realm="r", qop="auth""#),
        Some(DigestError::MissingParam("nonce"))
    );
    assert_eq!(
        err(r#"Digest realm="r", Realm="s", nonce="n", qop="auth""#),
        Some(DigestError::DuplicateParam("realm".into()))
    );
    assert_eq!(
        err(r#"Digest nonce="n", qop="auth", realm="r"#),
        Some(DigestError::UnterminatedQuote)
    );
    assert!(matches!(
        err(r#"Digest realm "r""#),
        Some(DigestError::Syntax { .. })
    ));
    assert!(matches!(
        err("Digest realm=\"a\rb\", nonce=n, qop=auth"),
        Some(DigestError::Syntax { .. })
    ));
    assert!(matches!(
        err(r#"Digest realm="r" nonce="n""#),
        Some(DigestError::Syntax { .. })
    ));
    assert!(matches!(
        err("Digest realm="),
        Some(DigestError::Syntax { .. })
    ));
    assert_eq!(
        err(&format!("Digest realm=\"{}\"", "x".repeat(MAX_VALUE_LEN))),
        Some(DigestError::TooLong)
    );
    let many: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("p{i}=v")).collect();
    assert_eq!(
        err(&format!("Digest {}", many.join(", "))),
        Some(DigestError::TooManyParams)
    );
    // Non-ASCII in quoted strings is kept.
    assert_eq!(
        ok("Digest realm=\"réseau\", nonce=n, qop=auth").realm,
        "réseau"
    );
}

#[test]
fn authorization_parsing_rules() {
    let base = r#"Digest username="a", realm="r", nonce="n", qop=auth, nc=0000000A, cnonce="c", response="6629FAE49393A05397450978507C4EF1""#;
    let a = Authorization::parse(base).unwrap();
    assert_eq!(a.nc, 10);
    assert_eq!(a.response, "6629fae49393a05397450978507c4ef1");
    let with = |extra: &str| Authorization::parse(&format!("{base}, {extra}")).err();
    assert_eq!(
        with("algorithm=MD5-sess"),
        Some(DigestError::UnsupportedAlgorithm("MD5-sess".into()))
    );
    assert_eq!(with("algorithm=\"MD5\""), None);
    assert_eq!(
        with("qop=auth"),
        Some(DigestError::DuplicateParam("qop".into()))
    );
    let replace = |from: &str, to: &str| Authorization::parse(&base.replace(from, to)).err();
    assert_eq!(
        replace("qop=auth", "qop=auth-int"),
        Some(DigestError::UnsupportedQop)
    );
    assert_eq!(
        replace("qop=auth, ", ""),
        Some(DigestError::MissingParam("qop"))
    );
    assert_eq!(
        replace("cnonce=\"c\", ", ""),
        Some(DigestError::MissingParam("cnonce"))
    );
    assert_eq!(
        replace("nc=0000000A, ", ""),
        Some(DigestError::MissingParam("nc"))
    );
    for nc in ["00000000", "1", "0000000g", "000000001", "+0000001"] {
        assert_eq!(
            replace("0000000A", nc),
            Some(DigestError::BadNonceCount),
            "{nc}"
        );
    }
    assert_eq!(
        replace("6629FAE49393A05397450978507C4EF1", "6629"),
        Some(DigestError::BadDigest)
    );
    assert_eq!(
        replace(
            "6629FAE49393A05397450978507C4EF1",
            "6629FAE49393A05397450978507C4EFZ"
        ),
        Some(DigestError::BadDigest)
    );
    // nc printed as eight lower-case hex digits; quotes and backslashes escaped.
    let odd = Authorization {
        username: "a\"b\\c".into(),
        nc: 0xabc,
        ..a
    };
    assert!(odd.to_string().contains(r#"username="a\"b\\c""#));
    assert!(odd.to_string().contains("nc=00000abc"));
    assert_eq!(Authorization::parse(&odd.to_string()), Ok(odd));
}

#[test]
fn authentication_info_rules() {
    let info = AuthenticationInfo {
        next_nonce: None,
        rspauth: "7327570c586207eca2afae94fc20903d".into(),
        cnonce: "c".into(),
        nc: 2,
    };
    assert_eq!(
        info.to_string(),
        r#"rspauth="7327570c586207eca2afae94fc20903d", cnonce="c", nc=00000002, qop=auth"#
    );
    assert_eq!(AuthenticationInfo::parse(&info.to_string()), Ok(info));
    assert_eq!(
        AuthenticationInfo::parse(r#"cnonce="c", nc=00000002, qop=auth"#),
        Err(DigestError::MissingParam("rspauth"))
    );
    assert_eq!(
        AuthenticationInfo::parse(
            r#"rspauth="7327570c586207eca2afae94fc20903d", cnonce="c", nc=00000002, qop=auth-int"#
        ),
        Err(DigestError::UnsupportedQop)
    );
}

/// A small deterministic generator for the garbage tests.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next()).unwrap_or(0) % n
    }
}

#[test]
fn garbage_never_panics_and_never_authorizes() {
    const PIECES: &[&str] = &[
        "Digest ",
        "digest",
        "Basic ",
        "realm",
        "nonce",
        "qop",
        "nc",
        "cnonce",
        "response",
        "username",
        "uri",
        "opaque",
        "stale",
        "algorithm",
        "=",
        "\"",
        "\\",
        ",",
        " ",
        "\t",
        "auth",
        "auth-int",
        "MD5",
        "MD5-sess",
        "true",
        "00000001",
        "ffffffff",
        "\r",
        "\n",
        "é",
        "\u{0}",
        "relay.example.com",
        "alice",
        "6629fae49393a05397450978507c4ef1",
        "=\"",
        "\",",
        "x",
    ];
    let t0 = Instant::now();
    let mut relay = server(t0);
    let genuine = relay.challenge(t0, false).nonce;
    let mut rng = Lcg(0x5eed);
    let genuine_auth = respond(
        &Challenge::parse(&relay.challenge(t0, false).to_string()).unwrap(),
        "alice",
        "secret",
        "AUTH",
        URI,
        "cn",
        1,
    );
    let valid = genuine_auth.to_string();
    let mut parsed = 0;
    for round in 0..4000 {
        let s = if round % 2 == 0 {
            // Pieces of the grammar, shuffled.
            let mut s = String::new();
            if round % 3 == 0 {
                s.push_str("Digest ");
            }
            for _ in 0..rng.below(24) {
                if rng.below(5) == 0 {
                    s.push(char::from(u8::try_from(rng.below(128)).unwrap_or(b'?')));
                } else {
                    s.push_str(PIECES[rng.below(PIECES.len())]);
                }
            }
            s
        } else {
            // A valid answer with a few characters replaced, inserted or removed.
            let mut chars: Vec<char> = valid.chars().collect();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(chars.len());
                let piece = char::from(b" ,=\"0aZ\\"[rng.below(8)]);
                match rng.below(3) {
                    0 => chars[at] = piece,
                    1 => chars.insert(at, piece),
                    _ => {
                        chars.remove(at);
                    }
                }
            }
            chars.into_iter().collect()
        };
        let _ = Challenge::parse(&s);
        let _ = AuthenticationInfo::parse(&s);
        if let Ok(a) = Authorization::parse(&s) {
            parsed += 1;
            // Only the genuine answer (changes outside what the digest covers, such as
            // whitespace or a dropped uri parameter, leave it genuine) is ever accepted.
            let verdict = relay.verify(t0, "AUTH", URI, &a, &users());
            let same_digest_input = (
                &a.username,
                &a.realm,
                &a.nonce,
                &a.cnonce,
                a.nc,
                &a.response,
            ) == (
                &genuine_auth.username,
                &genuine_auth.realm,
                &genuine_auth.nonce,
                &genuine_auth.cnonce,
                genuine_auth.nc,
                &genuine_auth.response,
            );
            assert!(verdict.is_err() || same_digest_input, "{s:?}");
        }
    }
    // Some garbage must have got through the parser, or the verify half tested nothing.
    let mut shaped = 0;
    for _ in 0..2000 {
        let params = [
            "username=\"alice\"",
            "realm=\"relay.example.com\"",
            &format!("nonce=\"{genuine}\""),
            "qop=auth",
            "nc=00000001",
            "cnonce=\"x\"",
            "response=\"6629fae49393a05397450978507c4ef1\"",
        ];
        let mut order: Vec<&str> = params.to_vec();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let s = format!("Digest {}", order.join(", "));
        let a = Authorization::parse(&s).unwrap();
        shaped += 1;
        assert!(relay.verify(t0, "AUTH", URI, &a, &users()).is_err());
    }
    assert!(parsed > 100, "only {parsed} mutated answers parsed");
    assert_eq!(shaped, 2000);
}
