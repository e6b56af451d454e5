//! RFC test vectors for the pure digest functions.

use super::*;

#[test]
fn rfc7616_section_3_9_1_md5_and_sha256() {
    // RFC 7616 §3.9.1 (HTTP: method GET, uri /dir/index.html; password per erratum 4495).
    let nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    let (user, realm, pw) = ("Mufasa", "http-auth@example.org", "Circle of Life");
    let md5 = response(
        &input(Algorithm::Md5, nonce, cnonce, "GET"),
        &ha1(Algorithm::Md5, user, realm, pw),
    );
    assert_eq!(md5, "8ca523f5e9506fed4657c9700eebdbec");
    let sha = response(
        &input(Algorithm::Sha256, nonce, cnonce, "GET"),
        &ha1(Algorithm::Sha256, user, realm, pw),
    );
    assert_eq!(
        sha,
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    );
}

#[test]
fn rfc7616_section_3_9_2_userhash_and_sha512_256() {
    // SHA-512/256 itself: FIPS 180-4 example "abc".
    assert_eq!(
        Algorithm::Sha512_256.h(&[b"abc"]),
        "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23"
    );
    // RFC 7616 §3.9.2 prints userhash 488869477bf2... and response ae66e67d6b42..., which no
    // reading of §3.4.4 reproduces (erratum 4897). These are H("Jäsøn Doe:api@example.org")
    // in UTF-8 and the response with the plain username in A1, as computed independently.
    let (user, realm) = ("J\u{e4}s\u{f8}n Doe", "api@example.org");
    assert_eq!(
        userhash(Algorithm::Sha512_256, user, realm),
        "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b"
    );
    let mut i = input(
        Algorithm::Sha512_256,
        "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",
        "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v",
        "GET",
    );
    i.uri = "/doe.json";
    let secret = ha1(Algorithm::Sha512_256, user, realm, "Secret, or not?");
    assert_eq!(
        response(&i, &secret),
        "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5"
    );
}

#[test]
fn older_rfc_and_sip_vectors() {
    // RFC 2617 §3.5 (qop=auth) and RFC 2069 (no qop, password "CircleOfLife").
    let mut i = input(
        Algorithm::Md5,
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "0a4f113b",
        "GET",
    );
    let secret = ha1(
        Algorithm::Md5,
        "Mufasa",
        "testrealm@host.com",
        "Circle Of Life",
    );
    assert_eq!(response(&i, &secret), "6629fae49393a05397450978507c4ef1");
    i.qop = None;
    let secret = ha1(
        Algorithm::Md5,
        "Mufasa",
        "testrealm@host.com",
        "CircleOfLife",
    );
    assert_eq!(response(&i, &secret), "1949323746fe6a43ef61f9606e7febea");
    // A SIP INVITE (draft-smith-sipping-auth-examples §3.2): bob / zanzibar at biloxi.com.
    let secret = ha1(Algorithm::Md5, "bob", "biloxi.com", "zanzibar");
    assert_eq!(secret, "12af60467a33e8518da5c68bbff12b11");
    let mut i = input(
        Algorithm::Md5,
        "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "0a4f113b",
        "INVITE",
    );
    i.uri = "sip:bob@biloxi.com";
    assert_eq!(response(&i, &secret), "89eb0059246c02b2f6ee02c7961d5ea3");
}

#[test]
fn sess_variants_fold_nonce_and_cnonce_into_ha1() {
    for alg in [
        Algorithm::Md5Sess,
        Algorithm::Sha256Sess,
        Algorithm::Sha512_256Sess,
    ] {
        let base = ha1(alg.base(), "u", "r", "p");
        let i = input(alg, "N", "C", "REGISTER");
        let folded = alg.h(&[base.as_bytes(), b"N", b"C"]);
        let plain = ResponseInput {
            algorithm: alg.base(),
            ..i
        };
        assert_eq!(response(&i, &base), response(&plain, &folded));
        assert_ne!(response(&i, &base), response(&plain, &base));
        assert_eq!(response(&i, &base).len(), alg.hex_len());
    }
    assert_eq!("sha-512-256-SESS".parse(), Ok(Algorithm::Sha512_256Sess));
    assert_eq!("SHA-1".parse::<Algorithm>(), Err(UnknownAlgorithm));
}
