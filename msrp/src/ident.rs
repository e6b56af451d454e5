//! Transaction ids, Message-IDs and the id generator they are drawn from.
//!
//! Both are `ident` in the RFC 4975 §9 grammar:
//! `ident = ALPHANUM 3*31(ALPHANUM / "." / "-" / "+" / "%" / "=")`, 4 to 32 characters. They are
//! stored inline (no allocation) and are `Copy`.

use std::fmt;

use crate::error::IdentError;

/// Shortest `ident` the grammar allows.
pub const IDENT_MIN_LEN: usize = 4;
/// Longest `ident` the grammar allows.
pub const IDENT_MAX_LEN: usize = 32;
/// Length of generated identifiers: 16 alphanumeric characters carry about 95 random bits, above
/// the 64 bits RFC 4975 §7.1 asks for transaction ids.
pub const GENERATED_IDENT_LEN: usize = 16;

/// Bytes [`IdGenerator::os`] fetches from the operating system at once.
const OS_BATCH: usize = 256;

const ALPHANUM: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The source of every random identifier an engine creates.
///
/// The default draws from the operating system's CSPRNG. Tests and fuzzing pass a seeded source
/// (any `FnMut(&mut [u8])`) so that transaction ids and Message-IDs are reproducible.
///
/// ```
/// use msrp::{IdGenerator, TransactionId};
/// let mut counter = 0u8;
/// let mut ids = IdGenerator::from_fn(move |buf: &mut [u8]| {
///     for b in buf.iter_mut() {
///         counter = counter.wrapping_add(1);
///         *b = counter;
///     }
/// });
/// let a = TransactionId::generate(&mut ids);
/// let b = TransactionId::generate(&mut ids);
/// assert_ne!(a, b);
/// assert_eq!(a.as_str().len(), 16);
/// ```
pub struct IdGenerator {
    source: RandomSource,
}

type RandomSource = Box<dyn FnMut(&mut [u8]) + Send>;

impl IdGenerator {
    /// Random bytes from the operating system's CSPRNG.
    ///
    /// If the operating system cannot deliver randomness the generator panics: continuing with
    /// predictable identifiers would be a security fault (RFC 4975 §14.1).
    ///
    /// The bytes are fetched 256 at a time and handed out in order (each byte
    /// once), so an engine that names a transaction per chunk does not make a system call
    /// for each. A process that forks should give the child a new generator: the bytes
    /// not yet handed out would be handed out by both.
    pub fn os() -> Self {
        let mut pool = [0u8; OS_BATCH];
        let mut used = OS_BATCH;
        Self::from_fn(move |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                if used == OS_BATCH {
                    if let Err(e) = getrandom::fill(&mut pool) {
                        panic!("operating system random source failed: {e}");
                    }
                    used = 0;
                }
                *b = pool[used];
                // Each byte is given out once.
                pool[used] = 0;
                used += 1;
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

    /// Writes `out.len()` random alphanumeric characters into `out`.
    pub fn fill_alphanumeric(&mut self, out: &mut [u8]) {
        // Rejection sampling keeps the distribution uniform: 248 = 4 * 62. A source that keeps
        // giving only rejected bytes (a broken one) cannot stall us: after a few rounds the
        // remaining characters take the plain remainder.
        let mut pos = 0;
        let mut pool = [0u8; 32];
        for round in 0.. {
            if pos == out.len() {
                break;
            }
            self.fill(&mut pool);
            for &b in &pool {
                if pos == out.len() {
                    break;
                }
                if b < 248 || round >= 8 {
                    out[pos] = ALPHANUM[usize::from(b % 62)];
                    pos += 1;
                }
            }
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

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'%' | b'=')
}

/// Checks `s` against the `ident` grammar.
fn validate_ident(s: &[u8]) -> Result<(), IdentError> {
    if s.len() < IDENT_MIN_LEN {
        return Err(IdentError::TooShort { len: s.len() });
    }
    if s.len() > IDENT_MAX_LEN {
        return Err(IdentError::TooLong { len: s.len() });
    }
    if !s[0].is_ascii_alphanumeric() {
        return Err(IdentError::BadFirstChar { byte: s[0] });
    }
    if let Some(pos) = s.iter().position(|&b| !is_ident_char(b)) {
        return Err(IdentError::BadChar { byte: s[pos], pos });
    }
    Ok(())
}

/// Inline storage for a validated `ident`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Ident {
    len: u8,
    bytes: [u8; IDENT_MAX_LEN],
}

impl Ident {
    fn parse(s: &[u8]) -> Result<Self, IdentError> {
        validate_ident(s)?;
        let mut bytes = [0u8; IDENT_MAX_LEN];
        bytes[..s.len()].copy_from_slice(s);
        // validate_ident bounds the length to 32, which fits u8.
        Ok(Self {
            len: s.len() as u8,
            bytes,
        })
    }

    fn generate(ids: &mut IdGenerator) -> Self {
        let mut bytes = [0u8; IDENT_MAX_LEN];
        ids.fill_alphanumeric(&mut bytes[..GENERATED_IDENT_LEN]);
        Self {
            len: GENERATED_IDENT_LEN as u8,
            bytes,
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    fn as_str(&self) -> &str {
        // Only ASCII bytes pass validate_ident, so this conversion cannot fail.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

macro_rules! ident_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Ident);

        impl $name {
            /// Parses and validates an identifier (4-32 characters of the `ident` grammar).
            pub fn parse(s: impl AsRef<[u8]>) -> Result<Self, IdentError> {
                Ident::parse(s.as_ref()).map(Self)
            }

            /// A fresh random identifier of [`GENERATED_IDENT_LEN`] alphanumeric characters.
            pub fn generate(ids: &mut IdGenerator) -> Self {
                Self(Ident::generate(ids))
            }

            /// The identifier's text.
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }

            /// The identifier's bytes.
            pub fn as_bytes(&self) -> &[u8] {
                self.0.as_bytes()
            }

            /// `0000`, a valid identifier for slots that are filled before use.
            #[allow(dead_code)] // not every identifier type needs one
            pub(crate) fn placeholder() -> Self {
                let mut bytes = [0u8; IDENT_MAX_LEN];
                bytes[..4].copy_from_slice(b"0000");
                Self(Ident { len: 4, bytes })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdentError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        #[cfg(feature = "arbitrary")]
        impl<'a> arbitrary::Arbitrary<'a> for $name {
            fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
                const CHARS: &[u8] =
                    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.-+%=";
                let len = u.int_in_range(IDENT_MIN_LEN..=IDENT_MAX_LEN)?;
                let mut buf = [0u8; IDENT_MAX_LEN];
                for (i, slot) in buf[..len].iter_mut().enumerate() {
                    // The first character must be alphanumeric (the first 62 of CHARS).
                    let limit = if i == 0 { 61 } else { CHARS.len() - 1 };
                    *slot = CHARS[u.int_in_range(0..=limit)?];
                }
                Self::parse(&buf[..len]).map_err(|_| arbitrary::Error::IncorrectFormat)
            }
        }
    };
}

ident_type!(
    /// An MSRP transaction identifier (RFC 4975 §7.1): names one request and its response, and
    /// delimits the request's body through the end-line.
    TransactionId
);

ident_type!(
    /// An MSRP Message-ID (RFC 4975 §7.1.1): names a whole message across all its chunks.
    MessageId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grammar_lengths_and_characters() {
        assert!(TransactionId::parse("abcd").is_ok());
        assert!(TransactionId::parse("a".repeat(32)).is_ok());
        assert_eq!(
            TransactionId::parse("abc"),
            Err(IdentError::TooShort { len: 3 })
        );
        assert_eq!(
            TransactionId::parse("a".repeat(33)),
            Err(IdentError::TooLong { len: 33 })
        );
        assert_eq!(
            TransactionId::parse(".abc"),
            Err(IdentError::BadFirstChar { byte: b'.' })
        );
        assert_eq!(
            MessageId::parse("ab_c"),
            Err(IdentError::BadChar { byte: b'_', pos: 2 })
        );
        assert_eq!(
            MessageId::parse("abc d"),
            Err(IdentError::BadChar { byte: b' ', pos: 3 })
        );
        let id = MessageId::parse("a.-+%=9").unwrap();
        assert_eq!(id.as_str(), "a.-+%=9");
        assert_eq!(id.to_string(), "a.-+%=9");
    }

    #[test]
    fn generated_ids_are_valid_reproducible_and_distinct() {
        let seeded = crate::fuzzing::seeded_ids;
        let mut g1 = seeded(1);
        let mut g2 = seeded(1);
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let a = TransactionId::generate(&mut g1);
            let b = TransactionId::generate(&mut g2);
            assert_eq!(a, b);
            assert_eq!(a.as_str().len(), GENERATED_IDENT_LEN);
            assert!(TransactionId::parse(a.as_str()).is_ok());
            assert!(seen.insert(a));
        }
        // A broken source that only yields rejected bytes still terminates.
        let mut stuck = IdGenerator::from_fn(|buf: &mut [u8]| buf.fill(0xFF));
        assert!(TransactionId::parse(TransactionId::generate(&mut stuck).as_str()).is_ok());
        let mut os = IdGenerator::default();
        assert_ne!(MessageId::generate(&mut os), MessageId::generate(&mut os));
        // The OS generator's batches: ids drawn across many refills stay valid and distinct.
        let drawn: std::collections::HashSet<_> = (0..4 * OS_BATCH)
            .map(|_| TransactionId::generate(&mut os))
            .collect();
        assert_eq!(drawn.len(), 4 * OS_BATCH);
        assert!(
            drawn
                .iter()
                .all(|t| TransactionId::parse(t.as_str()).is_ok())
        );
        // A draw larger than a batch is served across refills.
        let mut long = [0u8; 3 * OS_BATCH + 7];
        os.fill(&mut long);
        assert!(long.iter().any(|b| *b != 0));
    }
}
