//! The source of every random value the offer/answer helpers create: file-transfer-ids, MSRP
//! session ids in `a=path`, and the `o=` session id.

use std::fmt;

const ALPHANUM: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Random bytes, from the operating system's CSPRNG by default or from a caller-supplied
/// closure (a seeded PRNG in tests and fuzzing, so that offers are reproducible).
///
/// ```
/// use sdp_filetransfer::IdGenerator;
/// let mut n = 0u8;
/// let mut ids = IdGenerator::from_fn(move |buf: &mut [u8]| {
///     for b in buf {
///         n = n.wrapping_add(1);
///         *b = n;
///     }
/// });
/// assert_eq!(ids.alphanumeric(4), "1234");
/// ```
pub struct IdGenerator {
    source: RandomSource,
}

type RandomSource = Box<dyn FnMut(&mut [u8]) + Send>;

impl IdGenerator {
    /// Random bytes from the operating system's CSPRNG.
    ///
    /// If the operating system cannot deliver randomness the generator panics: going on with
    /// predictable transfer ids and MSRP session ids would be a security fault (RFC 4975 §14.1,
    /// RFC 5547 §8.1 asks for random ids).
    pub fn os() -> Self {
        Self::from_fn(|buf: &mut [u8]| {
            if let Err(e) = getrandom::fill(buf) {
                panic!("operating system random source failed: {e}");
            }
        })
    }

    /// Random bytes from a caller-supplied source.
    pub fn from_fn(source: impl FnMut(&mut [u8]) + Send + 'static) -> Self {
        Self {
            source: Box::new(source),
        }
    }

    /// Fills `buf` with random bytes.
    pub fn fill(&mut self, buf: &mut [u8]) {
        (self.source)(buf);
    }

    /// A random 64-bit number.
    pub fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        u64::from_le_bytes(b)
    }

    /// `len` random characters from `[0-9A-Za-z]` (about 5.95 bits each).
    pub fn alphanumeric(&mut self, len: usize) -> String {
        // Rejection sampling keeps the distribution uniform (248 = 4 * 62). A broken source that
        // only yields rejected bytes cannot stall us: after a few rounds the remainder is taken.
        let mut out = String::with_capacity(len);
        let mut pool = [0u8; 32];
        let mut round = 0;
        while out.len() < len {
            self.fill(&mut pool);
            for &b in &pool {
                if out.len() == len {
                    break;
                }
                if b < 248 || round >= 8 {
                    out.push(char::from(ALPHANUM[usize::from(b % 62)]));
                }
            }
            round += 1;
        }
        out
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
    fn seeded_is_reproducible_and_os_differs() {
        let mut a = IdGenerator::from_fn(testkit::id_source(3));
        let mut b = IdGenerator::from_fn(testkit::id_source(3));
        assert_eq!(a.alphanumeric(32), b.alphanumeric(32));
        let mut os = IdGenerator::os();
        assert_ne!(os.alphanumeric(32), os.alphanumeric(32));
    }

    #[test]
    fn stuck_source_terminates() {
        let mut stuck = IdGenerator::from_fn(|b: &mut [u8]| b.fill(0xFF));
        let s = stuck.alphanumeric(40);
        assert_eq!(s.len(), 40);
        assert!(s.bytes().all(|c| c.is_ascii_alphanumeric()));
    }
}
