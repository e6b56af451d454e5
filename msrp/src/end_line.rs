//! Incremental search for a transaction's end-line: `CRLF "-------" tid flag CRLF`.
//!
//! The search resumes where it stopped: a call never looks at bytes an earlier call already
//! searched. A partial match at the end of the input is remembered as a count of matched bytes
//! (the bytes themselves are not re-read, so a caller skipping a message may discard them).

use memchr::memmem::Finder;

use crate::ident::TransactionId;
use crate::message::Flag;

/// Below this many bytes a `memchr` loop beats building a `memmem` searcher.
const FINDER_THRESHOLD: usize = 512;

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

pub(crate) struct EndLineMatcher {
    /// `\r\n-------<tid>`.
    needle: Vec<u8>,
    /// Bytes of `needle + flag + CRLF` matched at the end of the input so far.
    matched: usize,
    flag: Option<Flag>,
    /// Built on first use, for inputs long enough to repay it (boxed: it is large).
    finder: Option<Box<Finder<'static>>>,
}

impl EndLineMatcher {
    pub(crate) fn new(tid: TransactionId) -> Self {
        let mut needle = Vec::with_capacity(9 + tid.as_bytes().len());
        needle.extend_from_slice(b"\r\n-------");
        needle.extend_from_slice(tid.as_bytes());
        Self {
            needle,
            matched: 0,
            flag: None,
            finder: None,
        }
    }

    /// Starts as if the last `k` bytes seen were the start of the end-line: 2 after a CRLF (a
    /// line boundary), 1 after a lone CR.
    pub(crate) fn with_matched(mut self, k: usize) -> Self {
        debug_assert!(k <= 2);
        self.matched = k;
        self
    }

    fn full_len(&self) -> usize {
        self.needle.len() + 3
    }

    /// Feeds one byte to a partial match; returns `true` when the end-line completes.
    fn step(&mut self, b: u8) -> bool {
        let n = self.needle.len();
        let ok = match self.matched {
            k if k < n => b == self.needle[k],
            k if k == n => match Flag::from_byte(b) {
                Some(f) => {
                    self.flag = Some(f);
                    true
                }
                None => false,
            },
            k if k == n + 1 => b == b'\r',
            _ => b == b'\n',
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
    pub(crate) fn scan(&mut self, hay: &[u8], from: usize) -> Scan {
        let full = self.full_len();
        let mut i = from;
        loop {
            // Continue a partial match byte by byte.
            while self.matched > 0 {
                let Some(&b) = hay.get(i) else {
                    return Scan::NotYet { held: self.matched };
                };
                i += 1;
                if self.step(b) {
                    self.matched = 0;
                    let flag = self.flag.take().unwrap_or(Flag::Complete);
                    // The match may have begun before `from` (held bytes, or a virtual CRLF);
                    // its start is clamped to 0.
                    return Scan::Found {
                        start: i.saturating_sub(full),
                        end: i,
                        flag,
                    };
                }
            }
            if i >= hay.len() {
                return Scan::NotYet { held: 0 };
            }
            // No partial match: search for the needle.
            let rest = &hay[i..];
            let found = if rest.len() < FINDER_THRESHOLD && self.finder.is_none() {
                self.find_small(rest)
            } else {
                let needle = &self.needle;
                self.finder
                    .get_or_insert_with(|| Box::new(Finder::new(needle).into_owned()))
                    .find(rest)
            };
            match found {
                Some(p) => {
                    // Needle matched at i + p; verify flag and CRLF through `step`.
                    self.matched = self.needle.len();
                    i += p + self.needle.len();
                }
                None => {
                    // A partial needle can only start at the last '\r' of the final bytes.
                    let tail_from = hay.len().saturating_sub(self.needle.len() - 1).max(i);
                    if let Some(r) = memchr::memrchr(b'\r', &hay[tail_from..]) {
                        let s = tail_from + r;
                        let part = &hay[s..];
                        if self.needle.starts_with(part) {
                            self.matched = part.len();
                            return Scan::NotYet { held: part.len() };
                        }
                    }
                    return Scan::NotYet { held: 0 };
                }
            }
        }
    }

    fn find_small(&self, hay: &[u8]) -> Option<usize> {
        let n = &self.needle;
        let mut pos = 0;
        while let Some(r) = memchr::memchr(b'\r', &hay[pos..]) {
            let s = pos + r;
            if hay.len() - s < n.len() {
                return None;
            }
            if &hay[s..s + n.len()] == n.as_slice() {
                return Some(s);
            }
            pos = s + 1;
        }
        None
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
        let mut m = EndLineMatcher::new(tid());
        let mut from = 0;
        for &cut in splits.iter().chain(std::iter::once(&input.len())) {
            match m.scan(&input[..cut], from) {
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
    fn large_input_uses_finder_and_holds_partial_tail() {
        let mut input = vec![b'-'; 5000];
        input.extend_from_slice(b"\r\n-------a786h");
        let mut m = EndLineMatcher::new(tid());
        assert_eq!(m.scan(&input, 0), Scan::NotYet { held: 14 });
        let from = input.len();
        input.extend_from_slice(b"js2$\r\n");
        assert_eq!(
            m.scan(&input, from),
            Scan::Found {
                start: 5000,
                end: 5020,
                flag: Flag::Complete
            }
        );
    }
}
