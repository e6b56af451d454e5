//! The parser of session descriptions (RFC 8866 §5 order and §9 grammar).

use crate::attribute::Attribute;
use crate::error::{ParseError, ParseErrorKind};
use crate::grammar::{fields, is_non_ws, is_token, number, split1, words};
use crate::session::{
    Bandwidth, Connection, Limits, MediaDescription, Origin, SessionDescription, Timing,
};

/// Order of session-level fields (RFC 8866 §5): v o s i u e p c b t r z k a, then m.
fn session_rank(letter: u8) -> Option<u8> {
    Some(match letter {
        b'v' => 0,
        b'o' => 1,
        b's' => 2,
        b'i' => 3,
        b'u' => 4,
        b'e' => 5,
        b'p' => 6,
        b'c' => 7,
        b'b' => 8,
        b't' => 9,
        b'r' => 10,
        b'z' => 11,
        b'k' => 12,
        b'a' => 13,
        b'm' => 14,
        _ => return None,
    })
}

/// Order inside a media section: m i c b k a.
fn media_rank(letter: u8) -> Option<u8> {
    Some(match letter {
        b'm' => 0,
        b'i' => 1,
        b'c' => 2,
        b'b' => 3,
        b'k' => 4,
        b'a' => 5,
        _ => return None,
    })
}

const SESSION_ORDER: &str = "session fields in the order v o s i u e p c b t r z k a, then m";
const MEDIA_ORDER: &str = "media fields in the order m i c b k a";

pub(crate) struct Parser<'l> {
    limits: &'l Limits,
    line_no: usize,
}

/// A typed time of RFC 8866 §9: `1*DIGIT [d|h|m|s]`.
fn is_typed_time(s: &str) -> bool {
    let digits = s.strip_suffix(['d', 'h', 'm', 's']).unwrap_or(s);
    number(digits).is_some()
}

impl<'l> Parser<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Self {
        Self { limits, line_no: 0 }
    }

    fn err(&self, kind: ParseErrorKind) -> ParseError {
        ParseError::new(self.line_no, kind)
    }

    fn bad(&self, field: char, expected: &'static str) -> ParseError {
        self.err(ParseErrorKind::BadField { field, expected })
    }

    pub(crate) fn run(mut self, input: &[u8]) -> Result<SessionDescription, ParseError> {
        let max_lines = self.limits.max_lines;
        // One UTF-8 check for the whole input (RFC 8866 §5: UTF-8 by default); the error names
        // the line of the first bad byte.
        let text = std::str::from_utf8(input).map_err(|e| {
            let before = input.get(..e.valid_up_to()).unwrap_or_default();
            let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
            ParseError::new(line, ParseErrorKind::NotUtf8)
        })?;
        // RFC 8866 §9 `text` excludes CR, LF and NUL: a NUL anywhere, or a CR that does not end
        // a line, is refused here once for every field (two memchr scans of the input).
        let line_of = |pos: usize| 1 + memchr::memchr_iter(b'\n', &input[..pos]).count();
        if let Some(pos) = memchr::memchr(0, input) {
            return Err(ParseError::new(line_of(pos), ParseErrorKind::BadCharacter));
        }
        for pos in memchr::memchr_iter(b'\r', input) {
            // A CR ends a line before LF, or the input (a last line cut after its CR).
            if !matches!(input.get(pos + 1), Some(&b'\n') | None) {
                return Err(ParseError::new(line_of(pos), ParseErrorKind::BadCharacter));
            }
        }
        let mut count = 0usize;
        let mut rest = Some(text);
        let lines = std::iter::from_fn(move || {
            let t = rest?;
            match memchr::memchr(b'\n', t.as_bytes()) {
                Some(i) => {
                    rest = t.get(i + 1..);
                    t.get(..i)
                }
                None => {
                    rest = None;
                    Some(t)
                }
            }
        });
        // Non-blank lines with their 1-based numbers.
        let mut it = lines.enumerate().filter_map(move |(i, raw)| {
            // Bare LF is accepted as a line end (lenient, RFC 8866 §5 asks for CRLF).
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            if raw.bytes().all(|b| matches!(b, b' ' | b'\t')) {
                return None; // blank lines (a trailing CRLF pair, say) carry nothing
            }
            count += 1;
            if count > max_lines {
                return Some(Err(ParseError::new(
                    i + 1,
                    ParseErrorKind::TooManyLines { limit: max_lines },
                )));
            }
            Some(Ok((i + 1, raw)))
        });

        // v= o= s= open every description (RFC 8866 §5).
        let mut next = |p: &mut Self, missing: ParseErrorKind| -> Result<(u8, &str), ParseError> {
            let Some(item) = it.next() else {
                return Err(ParseError::new(
                    p.line_no,
                    if p.line_no == 0 {
                        ParseErrorKind::Empty
                    } else {
                        missing
                    },
                ));
            };
            let (n, text) = item?;
            p.line_no = n;
            p.split_line(text)
        };
        let (l, v) = next(&mut self, ParseErrorKind::MissingVersion)?;
        if l != b'v' {
            return Err(self.err(ParseErrorKind::MissingVersion));
        }
        if v != "0" {
            return Err(self.err(ParseErrorKind::UnsupportedVersion));
        }
        let (l, v) = next(&mut self, ParseErrorKind::MissingOrigin)?;
        if l != b'o' {
            return Err(self.err(ParseErrorKind::MissingOrigin));
        }
        let origin = self.origin(v)?;
        let (l, v) = next(&mut self, ParseErrorKind::MissingSessionName)?;
        if l != b's' {
            return Err(self.err(ParseErrorKind::MissingSessionName));
        }
        let mut sd = SessionDescription {
            origin,
            session_name: v.to_owned(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            connection: None,
            bandwidths: Vec::new(),
            times: Vec::new(),
            time_zones: None,
            key: None,
            attributes: Vec::new(),
            media: Vec::new(),
        };

        let mut last = 2u8; // rank of s=
        let mut media_line_nos = Vec::new();
        let mut in_media = false;
        let mut last_media = 0u8;
        for item in it {
            let (n, text) = item?;
            self.line_no = n;
            let (letter, value) = self.split_line(text)?;
            if letter == b'm' {
                if sd.media.len() >= self.limits.max_media {
                    return Err(self.err(ParseErrorKind::TooManyMedia {
                        limit: self.limits.max_media,
                    }));
                }
                sd.media.push(self.media_line(value)?);
                media_line_nos.push(n);
                in_media = true;
                last_media = 0;
                continue;
            }
            if in_media {
                let Some(rank) = media_rank(letter) else {
                    return Err(self.out_of_order(letter, MEDIA_ORDER));
                };
                if rank < last_media {
                    return Err(self.out_of_order(letter, MEDIA_ORDER));
                }
                if rank == last_media && matches!(letter, b'i' | b'k') {
                    return Err(self.err(ParseErrorKind::Duplicate {
                        field: char::from(letter),
                    }));
                }
                last_media = rank;
                let m = sd
                    .media
                    .last_mut()
                    .ok_or_else(|| self.out_of_order(letter, MEDIA_ORDER))?;
                match letter {
                    b'i' => m.information = Some(value.to_owned()),
                    b'c' => {
                        let c = self.connection(value)?;
                        m.connections.push(c);
                    }
                    b'b' => {
                        let b = self.bandwidth(value)?;
                        m.bandwidths.push(b);
                    }
                    b'k' => m.key = Some(value.to_owned()),
                    _ => {
                        let a = self.attribute(value)?;
                        m.attributes.push(a);
                    }
                }
                continue;
            }
            let Some(rank) = session_rank(letter) else {
                return Err(self.out_of_order(letter, SESSION_ORDER));
            };
            // A new time description (t=) may follow r= lines.
            let restart_time = letter == b't' && last == 10;
            if rank < last && !restart_time {
                return Err(self.out_of_order(letter, SESSION_ORDER));
            }
            if rank <= 2 {
                return Err(self.out_of_order(letter, SESSION_ORDER));
            }
            if rank == last && matches!(letter, b'i' | b'u' | b'c' | b'z' | b'k') {
                return Err(self.err(ParseErrorKind::Duplicate {
                    field: char::from(letter),
                }));
            }
            last = rank;
            match letter {
                b'i' => sd.information = Some(value.to_owned()),
                b'u' => sd.uri = Some(value.to_owned()),
                b'e' => sd.emails.push(value.to_owned()),
                b'p' => sd.phones.push(value.to_owned()),
                b'c' => sd.connection = Some(self.connection(value)?),
                b'b' => sd.bandwidths.push(self.bandwidth(value)?),
                b't' => sd.times.push(self.timing(value)?),
                b'r' => {
                    let t = sd
                        .times
                        .last_mut()
                        .ok_or_else(|| ParseError::new(n, ParseErrorKind::RepeatWithoutTime))?;
                    let fields: Vec<&str> = words(value, b' ').collect();
                    if fields.len() < 3 || !fields.iter().all(|f| is_typed_time(f)) {
                        return Err(
                            self.bad('r', "<interval> <duration> <offset> ... as typed times")
                        );
                    }
                    t.repeats.push(fields.join(" "));
                }
                b'z' => {
                    let fields: Vec<&str> = words(value, b' ').collect();
                    let ok = !fields.is_empty()
                        && fields.len() % 2 == 0
                        && fields.chunks(2).all(|p| {
                            number(p[0]).is_some()
                                && is_typed_time(p[1].strip_prefix('-').unwrap_or(p[1]))
                        });
                    if !ok {
                        return Err(self.bad('z', "<adjustment time> <offset> pairs"));
                    }
                    sd.time_zones = Some(fields.join(" "));
                }
                b'k' => sd.key = Some(value.to_owned()),
                _ => {
                    let a = self.attribute(value)?;
                    sd.attributes.push(a);
                }
            }
        }
        // RFC 8866 §5.7: every media section needs connection data, its own or the session's.
        if sd.connection.is_none() {
            for (index, (m, n)) in sd.media.iter().zip(&media_line_nos).enumerate() {
                if m.connections.is_empty() {
                    return Err(ParseError::new(
                        *n,
                        ParseErrorKind::MissingConnection { index },
                    ));
                }
            }
        }
        Ok(sd)
    }

    fn out_of_order(&self, letter: u8, expected: &'static str) -> ParseError {
        if session_rank(letter).is_none() && letter.is_ascii_lowercase() {
            self.err(ParseErrorKind::UnknownType {
                letter: char::from(letter),
            })
        } else {
            self.err(ParseErrorKind::OutOfOrder {
                found: char::from(letter),
                expected,
            })
        }
    }

    /// Splits `x=value`; trailing white space is dropped except on the free-text `s=` and `i=`
    /// lines, where it may be the value (RFC 8866 §5.3 suggests `s= ` for no name).
    fn split_line<'t>(&self, text: &'t str) -> Result<(u8, &'t str), ParseError> {
        let b = text.as_bytes();
        match b {
            [l @ b'a'..=b'z', b'=', ..] => {
                let value = &text[2..];
                let value = if matches!(l, b's' | b'i') {
                    value
                } else {
                    value.trim_end_matches([' ', '\t'])
                };
                Ok((*l, value))
            }
            _ => Err(self.err(ParseErrorKind::BadLine)),
        }
    }

    fn origin(&self, v: &str) -> Result<Origin, ParseError> {
        const EXPECTED: &str =
            "<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>";
        let Some([user, id, ver, net, addr_type, addr]) = fields::<6>(v) else {
            return Err(self.bad('o', EXPECTED));
        };
        let (Some(session_id), Some(session_version)) = (number(id), number(ver)) else {
            return Err(self.bad('o', EXPECTED));
        };
        if !is_non_ws(user) || !is_token(net) || !is_token(addr_type) || !is_non_ws(addr) {
            return Err(self.bad('o', EXPECTED));
        }
        Ok(Origin {
            username: user.to_owned(),
            session_id,
            session_version,
            net_type: net.to_owned(),
            addr_type: addr_type.to_owned(),
            address: addr.to_owned(),
        })
    }

    fn connection(&self, v: &str) -> Result<Connection, ParseError> {
        match fields::<3>(v) {
            Some([net, addr_type, addr])
                if is_token(net) && is_token(addr_type) && is_non_ws(addr) =>
            {
                Ok(Connection {
                    net_type: net.to_owned(),
                    addr_type: addr_type.to_owned(),
                    address: addr.to_owned(),
                })
            }
            _ => Err(self.bad('c', "<nettype> <addrtype> <connection-address>")),
        }
    }

    fn bandwidth(&self, v: &str) -> Result<Bandwidth, ParseError> {
        match split1(v, b':') {
            Some((t, n)) if is_token(t) => match number(n) {
                Some(bandwidth) => Ok(Bandwidth {
                    bw_type: t.to_owned(),
                    bandwidth,
                }),
                None => Err(self.bad('b', "<bwtype>:<bandwidth>")),
            },
            _ => Err(self.bad('b', "<bwtype>:<bandwidth>")),
        }
    }

    fn timing(&self, v: &str) -> Result<Timing, ParseError> {
        match fields::<2>(v) {
            Some([a, b]) => match (number(a), number(b)) {
                (Some(start), Some(stop)) => Ok(Timing {
                    start,
                    stop,
                    repeats: Vec::new(),
                }),
                _ => Err(self.bad('t', "<start-time> <stop-time>")),
            },
            _ => Err(self.bad('t', "<start-time> <stop-time>")),
        }
    }

    fn media_line(&self, v: &str) -> Result<MediaDescription, ParseError> {
        const EXPECTED: &str = "<media> <port>[/<number of ports>] <proto> <fmt> ...";
        let bad = || self.bad('m', EXPECTED);
        let mut f = words(v, b' ');
        let media = f.next().filter(|m| is_token(m)).ok_or_else(bad)?;
        let port_text = f.next().ok_or_else(bad)?;
        let (port, port_count) = match split1(port_text, b'/') {
            Some((p, n)) => (p, Some(n)),
            None => (port_text, None),
        };
        let port16 = |s: &str| number(s).and_then(|n| u16::try_from(n).ok());
        let port = port16(port).ok_or_else(bad)?;
        let port_count = match port_count {
            Some(n) => Some(port16(n).ok_or_else(bad)?),
            None => None,
        };
        let protocol = f
            .next()
            .filter(|p| p.split('/').all(is_token))
            .ok_or_else(bad)?;
        let formats: Vec<String> = f
            .map(|s| {
                if is_non_ws(s) {
                    Ok(s.to_owned())
                } else {
                    Err(bad())
                }
            })
            .collect::<Result<_, _>>()?;
        if formats.is_empty() {
            return Err(bad());
        }
        Ok(MediaDescription {
            media: media.to_owned(),
            port,
            port_count,
            protocol: protocol.to_owned(),
            formats,
            information: None,
            connections: Vec::new(),
            bandwidths: Vec::new(),
            key: None,
            attributes: Vec::with_capacity(12),
        })
    }

    fn attribute(&self, v: &str) -> Result<Attribute, ParseError> {
        let (name, value) = match split1(v, b':') {
            Some((n, val)) => (n, Some(val)),
            None => (v, None),
        };
        if !is_token(name) {
            return Err(self.err(ParseErrorKind::BadAttributeLine));
        }
        Attribute::parse(name, value)
            .map_err(|(name, error)| self.err(ParseErrorKind::BadAttribute { name, error }))
    }
}
