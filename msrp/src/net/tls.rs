//! TLS for `msrps:` (feature `tls`): certificate fingerprints (`a=fingerprint`, RFC 8122)
//! and a rustls verifier that accepts exactly the self-signed certificates whose SHA-256
//! fingerprint was negotiated, for either role.
//!
//! The driver uses the caller's rustls configurations ([`Driver::listen_tls`](super::Driver::listen_tls),
//! [`Driver::connect_tls`](super::Driver::connect_tls)). Peer-to-peer MSRP over TLS usually
//! has self-signed certificates, authenticated by the fingerprint carried in SDP (RFC 4975
//! §14.1; RFC 8122): put a [`FingerprintVerifier`] in the configurations, on the client side
//! with `ClientConfig::builder().dangerous().with_custom_certificate_verifier(..)` and on the
//! server side with `ServerConfig::builder().with_client_cert_verifier(..)`.

use std::fmt;
use std::sync::{Arc, RwLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};
use sha2::{Digest, Sha256};
use thiserror::Error;

/// The SHA-256 fingerprint of a certificate (`a=fingerprint:SHA-256 AB:CD:...`, RFC 8122).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint([u8; 32]);

/// A fingerprint that could not be parsed.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FingerprintError {
    /// The hash function is not `SHA-256` (the only one supported).
    #[error("only SHA-256 fingerprints are supported")]
    UnsupportedHash,
    /// The value is not 32 colon-separated hex octets.
    #[error("malformed fingerprint value")]
    Malformed,
}

impl Fingerprint {
    /// The fingerprint of a DER certificate.
    pub fn of(certificate_der: &[u8]) -> Self {
        Self(Sha256::digest(certificate_der).into())
    }

    /// The 32 hash octets.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Parses the value of `a=fingerprint`: `SHA-256 AB:CD:...` (hash name
    /// case-insensitive, hex either case).
    pub fn parse(s: &str) -> Result<Self, FingerprintError> {
        let (hash, value) = s
            .trim()
            .split_once(' ')
            .ok_or(FingerprintError::Malformed)?;
        if !hash.eq_ignore_ascii_case("sha-256") {
            return Err(FingerprintError::UnsupportedHash);
        }
        let mut out = [0u8; 32];
        let mut parts = value.trim().split(':');
        for byte in &mut out {
            let part = parts.next().ok_or(FingerprintError::Malformed)?;
            if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(FingerprintError::Malformed);
            }
            *byte = u8::from_str_radix(part, 16).map_err(|_| FingerprintError::Malformed)?;
        }
        if parts.next().is_some() {
            return Err(FingerprintError::Malformed);
        }
        Ok(Self(out))
    }
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SHA-256 ")?;
        for (i, b) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}

impl std::str::FromStr for Fingerprint {
    type Err = FingerprintError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A rustls certificate verifier for both roles that accepts a peer's end-entity
/// certificate exactly when its SHA-256 fingerprint is one of the expected ones (no CA, no
/// name or validity check: the fingerprint from SDP is the authentication, RFC 8122 §5), and
/// checks the handshake signatures with the ring provider. Fingerprints can be added and
/// removed while it is in use, as sessions come and go.
pub struct FingerprintVerifier {
    expected: RwLock<Vec<Fingerprint>>,
    provider: Arc<CryptoProvider>,
}

impl fmt::Debug for FingerprintVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FingerprintVerifier")
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}

impl FingerprintVerifier {
    /// A verifier accepting these fingerprints.
    pub fn new(expected: impl IntoIterator<Item = Fingerprint>) -> Arc<Self> {
        Arc::new(Self {
            expected: RwLock::new(expected.into_iter().collect()),
            provider: Arc::new(rustls::crypto::ring::default_provider()),
        })
    }

    /// Accepts one more fingerprint.
    pub fn add(&self, fingerprint: Fingerprint) {
        if let Ok(mut e) = self.expected.write() {
            if !e.contains(&fingerprint) {
                e.push(fingerprint);
            }
        }
    }

    /// No longer accepts a fingerprint.
    pub fn remove(&self, fingerprint: &Fingerprint) {
        if let Ok(mut e) = self.expected.write() {
            e.retain(|f| f != fingerprint);
        }
    }

    fn check(&self, end_entity: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        let fingerprint = Fingerprint::of(end_entity.as_ref());
        let known = self
            .expected
            .read()
            .map(|e| e.contains(&fingerprint))
            .unwrap_or(false);
        if known {
            Ok(())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The handshake signature checks both roles share: the provider's algorithms.
impl FingerprintVerifier {
    fn tls12(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, algorithms)
    }

    fn tls13(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algorithms = &self.provider.signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, algorithms)
    }
}

impl ServerCertVerifier for FingerprintVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.check(end_entity)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

impl ClientCertVerifier for FingerprintVerifier {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.check(end_entity)?;
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls12(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.tls13(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_parse_and_print() {
        let f = Fingerprint::of(b"certificate");
        let text = f.to_string();
        assert!(text.starts_with("SHA-256 "));
        assert_eq!(Fingerprint::parse(&text), Ok(f));
        assert_eq!(Fingerprint::parse(&text.to_lowercase()), Ok(f));
        assert_eq!(
            Fingerprint::parse("SHA-1 AB:CD"),
            Err(FingerprintError::UnsupportedHash)
        );
        assert_eq!(
            Fingerprint::parse("SHA-256 AB:CD"),
            Err(FingerprintError::Malformed)
        );
        assert_eq!(
            Fingerprint::parse(&format!("{text}:00")),
            Err(FingerprintError::Malformed)
        );
        assert_eq!(
            Fingerprint::parse("SHA-256"),
            Err(FingerprintError::Malformed)
        );
    }
}
