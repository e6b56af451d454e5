//! Incremental search for a transaction's end-line: `CRLF "-------" tid flag CRLF`.
//!
//! The search resumes where it stopped: a call never looks at bytes an earlier call already
//! searched. A partial match at the end of the input is remembered as a count of matched bytes
//! (the bytes themselves are not re-read, so a caller skipping a message may discard them).

use memchr::memmem::Finder;

use crate::ident::TransactionId;
use crate::message::Flag;

/// What every end-line starts with. One searcher for it serves every message of a decoder; the
/// transaction id, flag and CRLF after it are checked byte by byte.
const PREFIX: &[u8] = b"\r\n-------";

/// The shared searcher for [`PREFIX`].
pub(crate) fn prefix_finder() -> Finder<'static> {
    Finder::new(PREFIX).into_owned()
}

/// Result of one search step.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Scan {
    /// The end-line starts at `start` (its leading CRLF) and ends just before `end`.
    Found {
        start: usize,
        end: usize,
        flag: Flag,
    },
    /// No end-line yet; the last `held` bytes of the input may begin one.
    NotYet { held: usize },
}

/// After this many near misses (`CRLF` and seven dashes not followed by this end-line's id and
/// flag) in one message, a searcher for the whole `PREFIX + tid` is built for it. Building one
/// costs about a microsecond, too much for every message, but it skips near misses in bulk, so
/// dash-heavy bodies are searched at `memmem` speed instead of byte by byte.
const NEAR_MISSES_BEFORE_FULL_SEARCH: u32 = 16;

pub(crate) struct EndLineMatcher {
    tid: TransactionId,
    /// Bytes of `PREFIX + tid + flag + CRLF` matched at the end of the input so far.
    matched: usize,
    flag: Option<Flag>,
    /// Prefix hits that were not this end-line.
    near_misses: u32,
    /// The message's own searcher for `PREFIX + tid`, after many near misses.
    full: Option<Box<Finder<'static>>>,
}

impl EndLineMatcher {
    pub(crate) fn new(tid: TransactionId) -> Self {
        Self {
            tid,
            matched: 0,
            flag: None,
            near_misses: 0,
            full: None,
        }
    }

    /// `PREFIX + tid` and its length.
    fn needle(&self) -> ([u8; 9 + crate::IDENT_MAX_LEN], usize) {
        let mut needle = [0u8; 9 + crate::IDENT_MAX_LEN];
        let tid = self.tid.as_bytes();
        needle[..PREFIX.len()].copy_from_slice(PREFIX);
        needle[PREFIX.len()..PREFIX.len() + tid.len()].copy_from_slice(tid);
        (needle, PREFIX.len() + tid.len())
    }

    /// Starts as if the last `k` bytes seen were the start of the end-line: 2 after a CRLF (a
    /// line boundary), 1 after a lone CR.
    pub(crate) fn with_matched(mut self, k: usize) -> Self {
        debug_assert!(k <= 2);
        self.matched = k;
        self
    }

    fn full_len(&self) -> usize {
        PREFIX.len() + self.tid.as_bytes().len() + 3
    }

    /// Feeds one byte to a partial match; returns `true` when the end-line completes.
    fn step(&mut self, b: u8) -> bool {
        let tid = self.tid.as_bytes();
        let k = self.matched;
        let ok = if k < PREFIX.len() {
            b == PREFIX[k]
        } else if k < PREFIX.len() + tid.len() {
            b == tid[k - PREFIX.len()]
        } else if k == PREFIX.len() + tid.len() {
            self.flag = Flag::from_byte(b);
            self.flag.is_some()
        } else if k == PREFIX.len() + tid.len() + 1 {
            b == b'\r'
        } else {
            b == b'\n'
        };
        if ok {
            self.matched += 1;
            self.matched == self.full_len()
        } else {
            // A new match can only start at a '\r'. Inside the bytes matched so far '\r' sits
            // at the start and right after the flag; a match starting after the flag would need
            // the byte that just failed to be '\n', which it is not. So only the failing byte
            // itself can open a new match.
            self.matched = usize::from(b == b'\r');
            false
        }
    }

    /// Searches `hay[from..]`, continuing a partial match left by the previous call over the
    /// same logical stream. `hay[..from]` must already have been searched.
    pub(crate) fn scan(&mut self, hay: &[u8], from: usize, finder: &Finder<'_>) -> Scan {
        let end_len = self.full_len();
        let mut i = from;
        loop {
            // Continue a partial match byte by byte.
            while self.matched > 0 {
                let Some(&b) = hay.get(i) else {
                    return Scan::NotYet { held: self.matched };
                };
                i += 1;
                let was_past_prefix = self.matched >= PREFIX.len();
                if self.step(b) {
                    self.matched = 0;
                    let flag = self.flag.take().unwrap_or(Flag::Complete);
                    // The match may have begun before `from` (held bytes, or a virtual CRLF);
                    // its start is clamped to 0.
                    return Scan::Found {
                        start: i.saturating_sub(end_len),
                        end: i,
                        flag,
                    };
                }
                if was_past_prefix && self.matched < PREFIX.len() {
                    self.near_misses = self.near_misses.saturating_add(1);
                }
            }
            if i >= hay.len() {
                return Scan::NotYet { held: 0 };
            }
            let rest = &hay[i..];
            let (found, matched_len) = if self.near_misses >= NEAR_MISSES_BEFORE_FULL_SEARCH {
                let (needle, n) = self.needle();
                let own = self
                    .full
                    .get_or_insert_with(|| Box::new(Finder::new(&needle[..n]).into_owned()));
                (own.find(rest), n)
            } else {
                (finder.find(rest), PREFIX.len())
            };
            match found {
                Some(p) => {
                    // The searched part matched at i + p; `step` checks the rest.
                    self.matched = matched_len;
                    i += p + matched_len;
                }
                None => {
                    // A partial match can only start at the last '\r' of the final bytes
                    // ('\r' occurs once in the needle, at its start).
                    let tail_from = hay.len().saturating_sub(matched_len - 1).max(i);
                    if let Some(r) = memchr::memrchr(b'\r', &hay[tail_from..]) {
                        let part = &hay[tail_from + r..];
                        let (needle, n) = self.needle();
                        if needle[..n].starts_with(part) {
                            self.matched = part.len();
                            return Scan::NotYet { held: part.len() };
                        }
                    }
                    return Scan::NotYet { held: 0 };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tid() -> TransactionId {
        TransactionId::parse("a786hjs2").unwrap()
    }

    fn scan_all(input: &[u8], splits: &[usize]) -> Option<(usize, usize, Flag)> {
        // Feeds growing prefixes, as a decoder holding its buffer would.
        let finder = prefix_finder();
        let mut m = EndLineMatcher::new(tid());
        let mut from = 0;
        for &cut in splits.iter().chain(std::iter::once(&input.len())) {
            match m.scan(&input[..cut], from, &finder) {
                Scan::Found { start, end, flag } => return Some((start, end, flag)),
                Scan::NotYet { .. } => from = cut,
            }
        }
        None
    }

    #[test]
    fn finds_exact_end_line_only() {
        type Case<'a> = (&'a [u8], Option<(usize, usize, Flag)>);
        let cases: &[Case<'_>] = &[
            (b"\r\n-------a786hjs2$\r\n", Some((0, 20, Flag::Complete))),
            (
                b"data\r\n-------a786hjs2+\r\n",
                Some((4, 24, Flag::Continued)),
            ),
            (b"x\r\n-------a786hjs2#\r\n", Some((1, 21, Flag::Aborted))),
            // Wrong transaction id, wrong flag, missing CRLF, no leading CRLF: all data.
            (b"\r\n-------b786hjs2$\r\n", None),
            (b"\r\n-------a786hjs2!\r\n", None),
            (b"\r\n-------a786hjs2$\rX", None),
            (b"-------a786hjs2$\r\n", None),
            (b"\n-------a786hjs2$\r\n", None),
            // A failed candidate followed by the real one.
            (
                b"\r\n-------a786hjs2\r\n-------a786hjs2$\r\n",
                Some((17, 37, Flag::Complete)),
            ),
            (
                b"\r\n-------a786hjs2$\r\r\n-------a786hjs2$\r\n",
                Some((19, 39, Flag::Complete)),
            ),
            (
                b"\r\r\r\n-------a786hjs2$\r\n",
                Some((2, 22, Flag::Complete)),
            ),
        ];
        for (input, want) in cases {
            let label = String::from_utf8_lossy(input);
            assert_eq!(scan_all(input, &[]), *want, "whole: {label:?}");
            for cut in 0..=input.len() {
                assert_eq!(scan_all(input, &[cut]), *want, "cut {cut}: {label:?}");
            }
            let every: Vec<usize> = (1..input.len()).collect();
            assert_eq!(scan_all(input, &every), *want, "bytewise: {label:?}");
        }
    }

    #[test]
    fn holds_partial_tail_across_calls() {
        let mut input = vec![b'-'; 5000];
        input.extend_from_slice(b"\r\n-------a786h");
        let finder = prefix_finder();
        let mut m = EndLineMatcher::new(tid());
        assert_eq!(m.scan(&input, 0, &finder), Scan::NotYet { held: 14 });
        let from = input.len();
        input.extend_from_slice(b"js2$\r\n");
        assert_eq!(
            m.scan(&input, from, &finder),
            Scan::Found {
                start: 5000,
                end: 5020,
                flag: Flag::Complete
            }
        );
    }
}
