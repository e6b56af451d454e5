//! The RFC 4976 digest harness: header parsing round trips, and a relay that never accepts
//! forged credentials.

use std::time::{Duration, Instant};

use crate::relay::digest::{
    self, AuthenticationInfo, Authorization, Challenge, CredentialStore, DigestServer,
};

const REALM: &str = "relay.example.com";
const URI: &str = "msrps://relay.example.com:2855;tcp";
const PASSWORD: &str = "correct horse";

struct OneUser;

impl CredentialStore for OneUser {
    fn ha1(&self, username: &str, realm: &str) -> Option<[u8; 16]> {
        (username == "alice").then(|| digest::ha1(username, realm, PASSWORD))
    }
}

/// Feeds `data` (as text) to the three header parsers and to [`DigestServer::verify`].
///
/// Invariants: parsing never panics; whatever parses prints back to a value that parses to
/// the same thing; and the relay authorizes an `Authorization` only if its response is the
/// digest of the real password for exactly its parameters. Half the inputs (first byte odd)
/// get a nonce the relay really issued, so verification gets past the nonce check.
pub fn relay_digest(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(c) = Challenge::parse(&text) {
        assert_eq!(
            Challenge::parse(&c.to_string()).as_ref(),
            Ok(&c),
            "{text:?}"
        );
    }
    if let Ok(info) = AuthenticationInfo::parse(&text) {
        assert_eq!(
            AuthenticationInfo::parse(&info.to_string()).as_ref(),
            Ok(&info),
            "{text:?}"
        );
    }
    let Ok(mut auth) = Authorization::parse(&text) else {
        return;
    };
    assert_eq!(
        Authorization::parse(&auth.to_string()).as_ref(),
        Ok(&auth),
        "{text:?}"
    );
    let t0 = Instant::now();
    let mut relay = DigestServer::new(REALM, [0x5a; 32], Duration::from_secs(60), t0);
    if data.first().is_some_and(|b| b % 2 == 1) {
        let issued = relay.challenge(t0, false);
        auth.nonce = issued.nonce;
        auth.realm = REALM.to_owned();
    }
    if let Ok(user) = relay.verify(t0, "AUTH", URI, &auth, &OneUser) {
        let genuine = digest::respond(
            &Challenge {
                realm: auth.realm.clone(),
                nonce: auth.nonce.clone(),
                opaque: None,
                stale: false,
            },
            &user,
            PASSWORD,
            "AUTH",
            URI,
            &auth.cnonce,
            auth.nc,
        );
        assert_eq!(
            auth.response, genuine.response,
            "forged credentials accepted"
        );
        // And never twice.
        assert!(relay.verify(t0, "AUTH", URI, &auth, &OneUser).is_err());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4976_headers_and_a_genuine_answer() {
        let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/rfc4976");
        for file in [
            "5.1-2-401.msrp",
            "5.1-3-auth.msrp",
            "5.1-4-200.msrp",
            "5.1-9-auth.msrp",
        ] {
            let wire = std::fs::read(format!("{vectors}/{file}")).unwrap();
            for line in String::from_utf8_lossy(&wire).lines() {
                if let Some((_, value)) = line.split_once(": ") {
                    relay_digest(value.as_bytes());
                    relay_digest(format!("\u{1}{value}").as_bytes());
                }
            }
        }
        // The harness's relay issues the same first nonce every time (time 0, salt 0), so a
        // genuine answer to it reaches the acceptance branch and its checks.
        let t0 = Instant::now();
        let nonce =
            DigestServer::new(REALM, [0x5a; 32], Duration::from_secs(60), t0).challenge(t0, false);
        let genuine = digest::respond(&nonce, "alice", PASSWORD, "AUTH", URI, "cn", 1);
        let mut relay = DigestServer::new(REALM, [0x5a; 32], Duration::from_secs(60), t0);
        assert!(relay.verify(t0, "AUTH", URI, &genuine, &OneUser).is_ok());
        relay_digest(genuine.to_string().as_bytes());
        let wrong = digest::respond(&nonce, "alice", "guess", "AUTH", URI, "cn", 1);
        relay_digest(wrong.to_string().as_bytes());
    }
}
