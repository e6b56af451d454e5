//! Server nonces: minted without per-challenge state, authenticated with an HMAC, and counted
//! against replay once in use (RFC 7616 §3.3, §5.4, §5.5).
//!
//! A nonce is `hex(issued || random || MAC)`: `issued` the server time in seconds (8 bytes,
//! big-endian), 16 random bytes, and the first 16 bytes of
//! `HMAC-SHA-256(secret, "nonce" || issued || random || realm)`. The server can therefore tell
//! its own nonces from forged ones and knows their age without remembering them.

use std::collections::BTreeMap;
use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::hash::{constant_time_eq, hex, unhex};

const RANDOM: usize = 16;
const TAG: usize = 16;
const LEN: usize = 8 + RANDOM + TAG;

/// An authentic nonce, decoded.
pub(super) struct NonceInfo {
    pub(super) issued: u64,
    random: [u8; RANDOM],
}

/// The replay state of one nonce: the highest count seen and a bitmap of the 64 counts up to
/// it (bit 0 is the highest itself), so requests that overtake each other still pass.
#[derive(Clone, Copy)]
struct Counts {
    highest: u32,
    window: u64,
}

/// What a nonce count is, for a nonce that verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum CountVerdict {
    /// Not seen before: accept.
    New,
    /// The nonce was forgotten (table full) or, without qop, already used: `stale=true`.
    Forgotten,
    /// Seen before with this nonce: a replay.
    Replay,
}

/// The key, the nonce-count table and its bounds.
pub(super) struct Nonces {
    key: [u8; 32],
    realm: String,
    lifetime_secs: u64,
    capacity: usize,
    counts: BTreeMap<(u64, [u8; RANDOM]), Counts>,
    /// Nonces issued at or before this time that are not in `counts` were forgotten.
    forgotten_up_to: Option<u64>,
}

impl fmt::Debug for Nonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Nonces")
            .field("tracked", &self.counts.len())
            .field("forgotten_up_to", &self.forgotten_up_to)
            .finish_non_exhaustive()
    }
}

impl Nonces {
    pub(super) fn new(key: [u8; 32], realm: &str, lifetime_secs: u64, capacity: usize) -> Nonces {
        Nonces {
            key,
            realm: realm.to_owned(),
            lifetime_secs,
            capacity: capacity.max(1),
            counts: BTreeMap::new(),
            forgotten_up_to: None,
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC takes keys of any length: this cannot fail.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        for p in parts {
            mac.update(p);
        }
        mac.update(self.realm.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// The `opaque` value: constant per secret and realm, so servers sharing both agree.
    pub(super) fn opaque(&self) -> String {
        hex(&self.mac(&[b"opaque"])[..12])
    }

    /// A nonce issued at `issued` (seconds) with `random` bytes.
    pub(super) fn mint(&self, issued: u64, random: [u8; RANDOM]) -> String {
        let mut raw = [0u8; LEN];
        raw[..8].copy_from_slice(&issued.to_be_bytes());
        raw[8..8 + RANDOM].copy_from_slice(&random);
        let tag = self.mac(&[b"nonce", &raw[..8 + RANDOM]]);
        raw[8 + RANDOM..].copy_from_slice(&tag[..TAG]);
        hex(&raw)
    }

    /// The nonce's contents if this server (this secret and realm) issued it.
    pub(super) fn open(&self, nonce: &str) -> Option<NonceInfo> {
        let mut raw = [0u8; LEN];
        if !unhex(nonce, &mut raw) {
            return None;
        }
        let (body, tag) = raw.split_at(8 + RANDOM);
        if !constant_time_eq(&self.mac(&[b"nonce", body])[..TAG], tag) {
            return None;
        }
        let (issued, random) = body.split_at(8);
        Some(NonceInfo {
            issued: u64::from_be_bytes(issued.try_into().ok()?),
            random: random.try_into().ok()?,
        })
    }

    /// Whether a nonce issued at `issued` is still valid at `now` (both in seconds). One from
    /// the future (another server's clock) is not.
    pub(super) fn is_fresh(&self, issued: u64, now: u64) -> bool {
        issued <= now && now - issued <= self.lifetime_secs
    }

    /// Records nonce count `nc` of `info` (0: a response without qop, which may use its
    /// nonce once).
    pub(super) fn count(&mut self, now: u64, info: &NonceInfo, nc: u32) -> CountVerdict {
        let key = (info.issued, info.random);
        if let Some(c) = self.counts.get_mut(&key) {
            if nc == 0 {
                return CountVerdict::Forgotten;
            }
            if nc > c.highest {
                let shift = nc - c.highest;
                c.window = if shift >= 64 { 0 } else { c.window << shift };
                c.window |= 1;
                c.highest = nc;
                return CountVerdict::New;
            }
            let back = c.highest - nc;
            if back >= 64 || c.window & (1 << back) != 0 {
                return CountVerdict::Replay;
            }
            c.window |= 1 << back;
            return CountVerdict::New;
        }
        // Not in the table: never used, or forgotten. Only the first is safe to accept.
        if self.forgotten_up_to.is_some_and(|t| info.issued <= t) {
            return CountVerdict::Forgotten;
        }
        // Make room: expired nonces leave first (they are answered stale anyway), then the
        // oldest, whose issue time becomes the forgetting horizon.
        while self.counts.len() >= self.capacity {
            let Some(((issued, _), _)) = self.counts.pop_first() else {
                break;
            };
            if now.saturating_sub(issued) <= self.lifetime_secs {
                self.forgotten_up_to = Some(self.forgotten_up_to.map_or(issued, |t| t.max(issued)));
            }
        }
        self.counts.insert(
            key,
            Counts {
                highest: nc,
                window: 1,
            },
        );
        CountVerdict::New
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_open_only_when_untouched() {
        let n = Nonces::new([1; 32], "r", 60, 4);
        let nonce = n.mint(42, [7; RANDOM]);
        assert_eq!(nonce.len(), LEN * 2);
        let info = n.open(&nonce).unwrap();
        assert_eq!((info.issued, info.random), (42, [7; RANDOM]));
        assert!(
            n.open(&nonce.to_uppercase()).is_some(),
            "hex of either case"
        );
        for i in 0..nonce.len() {
            let mut b = nonce.clone().into_bytes();
            b[i] = if b[i] == b'0' { b'1' } else { b'0' };
            assert!(
                n.open(std::str::from_utf8(&b).unwrap()).is_none(),
                "byte {i}"
            );
        }
        assert!(n.open(&nonce[1..]).is_none());
        assert!(
            Nonces::new([2; 32], "r", 60, 4).open(&nonce).is_none(),
            "other secret"
        );
        assert!(
            Nonces::new([1; 32], "s", 60, 4).open(&nonce).is_none(),
            "other realm"
        );
        assert!(n.is_fresh(42, 102) && !n.is_fresh(42, 103) && !n.is_fresh(43, 42));
    }

    #[test]
    fn counts_accept_each_value_once_within_the_window() {
        let mut n = Nonces::new([1; 32], "r", 60, 4);
        let info = n.open(&n.mint(0, [0; RANDOM])).unwrap();
        assert_eq!(n.count(0, &info, 1), CountVerdict::New);
        assert_eq!(n.count(0, &info, 1), CountVerdict::Replay);
        assert_eq!(n.count(0, &info, 70), CountVerdict::New);
        assert_eq!(
            n.count(0, &info, 5),
            CountVerdict::Replay,
            "older than the window"
        );
        assert_eq!(
            n.count(0, &info, 69),
            CountVerdict::New,
            "overtaken, still new"
        );
        assert_eq!(n.count(0, &info, 69), CountVerdict::Replay);
        assert_eq!(n.count(0, &info, 0), CountVerdict::Forgotten);
    }
}
