//! Self-signed certificates made at run time for the TLS tests, authenticated by their
//! SHA-256 fingerprints. Included with `#[path]` by each test file that needs it.

#![allow(dead_code)] // each test file uses a part

use std::sync::Arc;

use msrp::net::tls::Fingerprint;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// A certificate, its key and its fingerprint.
pub struct Identity {
    pub cert: CertificateDer<'static>,
    pub key: PrivateKeyDer<'static>,
    pub fingerprint: Fingerprint,
}

/// A new self-signed certificate for 127.0.0.1.
pub fn identity() -> Identity {
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = made.cert.der().clone();
    let key = PrivateKeyDer::try_from(made.signing_key.serialize_der()).unwrap();
    let fingerprint = Fingerprint::of(cert.as_ref());
    Identity {
        cert,
        key,
        fingerprint,
    }
}

/// The ring provider.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
