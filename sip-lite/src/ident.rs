//! Identifiers a user agent generates: Via branches, tags, Call-IDs (RFC 3261 §8.1.1.4,
//! §8.1.1.7, §19.3), from an injectable random source.

use std::fmt;

/// The random source of every identifier an engine makes. The default takes bytes from the
/// operating system's CSPRNG; tests and fuzzing pass a seeded source so runs are reproducible.
///
/// ```
/// use sip_lite::IdGenerator;
///
/// let mut ids = IdGenerator::from_fn(|buf: &mut [u8]| buf.fill(7));
/// let branch = ids.branch();
/// assert!(branch.starts_with("z9hG4bK"));
/// assert_eq!(branch.len(), 7 + 22);
/// ```
pub struct IdGenerator {
    source: RandomSource,
}

type RandomSource = Box<dyn FnMut(&mut [u8]) + Send>;

impl IdGenerator {
    /// Random bytes from the operating system's CSPRNG.
    ///
    /// If the operating system cannot deliver randomness the generator panics: going on with
    /// predictable branches, tags and nonces would be a security fault.
    pub fn os() -> Self {
        Self::from_fn(|buf: &mut [u8]| {
            if let Err(e) = getrandom::fill(buf) {
                panic!("operating system random source failed: {e}");
            }
        })
    }

    /// Random bytes from a caller-supplied source, e.g. a seeded PRNG in tests.
    pub fn from_fn(source: impl FnMut(&mut [u8]) + Send + 'static) -> Self {
        Self {
            source: Box::new(source),
        }
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        (self.source)(buf);
    }

    /// `n` random bytes (n ≤ 32) as lowercase hex.
    pub(crate) fn hex(&mut self, n: usize) -> String {
        let mut buf = [0u8; 32];
        let n = n.min(buf.len());
        self.fill(&mut buf[..n]);
        crate::auth::hash_hex(&buf[..n])
    }

    /// `len` random characters of `[0-9A-Za-z]` (about 5.95 bits each).
    pub fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8; 62] =
            b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        let mut out = String::with_capacity(len);
        let mut pool = [0u8; 32];
        let mut rounds = 0;
        while out.len() < len {
            self.fill(&mut pool);
            rounds += 1;
            for &b in &pool {
                // Rejection sampling keeps the distribution uniform (248 = 4 * 62); a broken
                // source that only gives rejected bytes cannot stall us.
                if (b < 248 || rounds > 8) && out.len() < len {
                    out.push(char::from(ALPHABET[usize::from(b) % 62]));
                }
            }
        }
        out
    }

    /// A Via branch: the RFC 3261 magic cookie `z9hG4bK` and 22 random characters (about 130
    /// bits), unique across space and time (§8.1.1.7).
    pub fn branch(&mut self) -> String {
        format!("z9hG4bK{}", self.token(22))
    }

    /// A From/To tag with about 64 random bits (§19.3 asks for at least 32).
    pub fn tag(&mut self) -> String {
        self.token(11)
    }

    /// A Call-ID: about 130 random bits, `@host` appended when given (§8.1.1.4).
    pub fn call_id(&mut self, host: Option<&str>) -> String {
        match host {
            Some(h) => format!("{}@{h}", self.token(22)),
            None => self.token(22),
        }
    }
}

impl Default for IdGenerator {
    fn default() -> Self {
        Self::os()
    }
}

impl fmt::Debug for IdGenerator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("IdGenerator")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_have_their_shape_and_differ() {
        let mut ids = IdGenerator::from_fn(testkit::id_source(1));
        let a = ids.branch();
        let b = ids.branch();
        assert_ne!(a, b);
        assert!(a.starts_with("z9hG4bK") && a.len() == 29);
        assert!(a[7..].bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(ids.tag().len(), 11);
        assert!(
            ids.call_id(Some("pc33.example.com"))
                .ends_with("@pc33.example.com")
        );
    }

    #[test]
    fn a_source_of_only_rejected_bytes_still_finishes() {
        let mut ids = IdGenerator::from_fn(|buf: &mut [u8]| buf.fill(255));
        assert_eq!(ids.token(40).len(), 40);
    }
}
