//! A testkit [`Endpoint`](testkit::Endpoint) adapter around one `msrp::Endpoint` with one
//! connection: it plays the application (answers content requests from in-memory sources,
//! stores received data, releases it unless the session is stalled) and can limit the
//! link's bandwidth, so that fairness and waiting times mean something in simulated time.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use msrp::endpoint::{ConnectionId, Event, SessionConfig, SessionId};
use msrp::{Decoder, Endpoint, EndpointConfig, Frame, Head, IdGenerator, MessageId, Path};

pub fn ids(seed: u64) -> IdGenerator {
    IdGenerator::from_fn(testkit::id_source(seed))
}

pub fn path(s: &str) -> Path {
    s.parse().expect("valid path")
}

pub fn alice_uri(n: usize) -> Path {
    path(&format!("msrp://alice.example.com:7777/a{n}x9;tcp"))
}

pub fn bob_uri(n: usize) -> Path {
    path(&format!("msrp://bob.example.com:8888/b{n}y7;tcp"))
}

/// Deterministic content: byte `i` of message `seed`.
pub fn content(seed: u8, len: usize) -> Bytes {
    (0..len)
        .map(|i| {
            (i as u32)
                .wrapping_mul(2_654_435_761)
                .rotate_left(u32::from(seed)) as u8
        })
        .collect::<Vec<u8>>()
        .into()
}

/// A bandwidth limit: `bytes` per `tick`.
#[derive(Clone, Copy, Debug)]
pub struct Bandwidth {
    pub bytes: usize,
    pub tick: Duration,
}

pub struct Peer {
    pub ep: Endpoint,
    pub conn: ConnectionId,
    pub now: Instant,
    /// Content of outgoing messages, by Message-ID.
    pub sources: HashMap<MessageId, Bytes>,
    /// Received content, by Message-ID (positional writes).
    pub received: HashMap<MessageId, Vec<u8>>,
    /// Every event but data and content requests, with its time.
    pub log: Vec<(Instant, Event)>,
    /// Sessions whose received data is never released (a reader that stopped).
    pub stalled: HashSet<SessionId>,
    /// Stop answering content requests (the application's source stalls).
    pub hold_content: bool,
    /// Messages sent without a declared size: finished when their source runs out.
    pub undeclared: HashSet<MessageId>,
    /// Content requests seen (offset, len), by Message-ID.
    pub wanted: HashMap<MessageId, Vec<(u64, usize)>>,
    bandwidth: Option<Bandwidth>,
    budget: usize,
    next_tick: Option<Instant>,
    stash: Option<Bytes>,
    /// Every byte written, in order.
    pub written: Vec<u8>,
    pub record_output: bool,
    /// Every byte read, in order (with `record_output`).
    pub read: Vec<u8>,
    /// After each input: (bytes read so far, bytes written so far).
    pub marks: Vec<(usize, usize)>,
}

#[allow(dead_code)]
impl Peer {
    pub fn new(now: Instant, seed: u64, config: EndpointConfig) -> Self {
        let mut ep = Endpoint::new(config, ids(seed));
        let conn = ep.open_connection(now).expect("a connection");
        Self {
            ep,
            conn,
            now,
            sources: HashMap::new(),
            received: HashMap::new(),
            log: Vec::new(),
            stalled: HashSet::new(),
            hold_content: false,
            undeclared: HashSet::new(),
            wanted: HashMap::new(),
            bandwidth: None,
            budget: 0,
            next_tick: None,
            stash: None,
            written: Vec::new(),
            record_output: false,
            read: Vec::new(),
            marks: Vec::new(),
        }
    }

    pub fn with_bandwidth(mut self, bandwidth: Bandwidth) -> Self {
        self.set_bandwidth(bandwidth);
        self
    }

    pub fn set_bandwidth(&mut self, bandwidth: Bandwidth) {
        self.budget = bandwidth.bytes;
        self.bandwidth = Some(bandwidth);
    }

    pub fn session(&mut self, local: Path, remote: Path, config: SessionConfig) -> SessionId {
        self.ep.add_session(local, remote, config).expect("session")
    }

    /// Starts a message with generated content.
    pub fn send(&mut self, session: SessionId, seed: u8, len: usize) -> MessageId {
        let ct = msrp::Text::new("application/octet-stream").unwrap();
        let id = self
            .ep
            .send_message(self.now, session, ct, Some(len as u64))
            .expect("send");
        self.sources.insert(id, content(seed, len));
        self.pump();
        id
    }

    /// Plays the application: answers events.
    pub fn pump(&mut self) {
        while let Some(event) = self.ep.poll_event() {
            match event {
                Event::ContentWanted {
                    session,
                    message_id,
                    offset,
                    len,
                } => {
                    self.wanted
                        .entry(message_id)
                        .or_default()
                        .push((offset, len));
                    if self.hold_content {
                        continue;
                    }
                    if let Some(src) = self.sources.get(&message_id) {
                        let start = offset as usize;
                        let end = (start + len).min(src.len());
                        let piece = src.slice(start..end);
                        self.ep
                            .provide(self.now, session, message_id, piece)
                            .expect("provide");
                        if end == src.len() && self.undeclared.contains(&message_id) {
                            self.ep
                                .finish(self.now, session, message_id)
                                .expect("finish");
                        }
                    }
                }
                Event::Data {
                    session,
                    message_id,
                    offset,
                    data,
                } => {
                    let buf = self.received.entry(message_id).or_default();
                    let end = offset as usize + data.len();
                    if buf.len() < end {
                        buf.resize(end, 0);
                    }
                    buf[offset as usize..end].copy_from_slice(&data);
                    if !self.stalled.contains(&session) {
                        self.ep.release(session, data.len());
                    }
                }
                other => self.log.push((self.now, other)),
            }
        }
    }

    /// Supplies the content still wanted (after `hold_content` is lifted).
    pub fn resume_content(&mut self, session: SessionId) {
        self.hold_content = false;
        let wanted: Vec<(MessageId, u64, usize)> = self
            .wanted
            .iter()
            .filter_map(|(m, v)| v.last().map(|(o, l)| (*m, *o, *l)))
            .collect();
        for (m, offset, len) in wanted {
            if let Some(src) = self.sources.get(&m) {
                let start = offset as usize;
                let end = (start + len).min(src.len());
                let _ = self.ep.provide(self.now, session, m, src.slice(start..end));
            }
        }
        self.pump();
    }

    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.log.iter().map(|(_, e)| e)
    }

    pub fn time_of(&self, f: impl Fn(&Event) -> bool) -> Option<Instant> {
        self.log.iter().find(|(_, e)| f(e)).map(|(t, _)| *t)
    }
}

impl testkit::Endpoint for Peer {
    fn handle_input(&mut self, now: Instant, data: Bytes) {
        self.now = now;
        self.ep
            .handle_input(now, self.conn, &data)
            .expect("known connection");
        if self.record_output {
            self.read.extend_from_slice(&data);
            self.marks.push((self.read.len(), self.written.len()));
        }
        self.pump();
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        if self.next_tick.is_some_and(|t| t <= now) {
            self.next_tick = None;
            self.budget = self.bandwidth.map_or(0, |b| b.bytes);
        }
        if self.ep.poll_timeout().is_some_and(|t| t <= now) {
            self.ep.handle_timeout(now);
        }
        self.pump();
    }

    fn poll_transmit(&mut self) -> Option<Bytes> {
        let limited = self.bandwidth.is_some();
        if limited && self.budget == 0 {
            return None;
        }
        let data = match self.stash.take() {
            Some(d) => d,
            None => {
                let t = self.ep.poll_transmit()?;
                self.pump();
                t.data
            }
        };
        let data = if let (Some(bw), true) = (self.bandwidth, data.len() > self.budget) {
            let mut data = data;
            let rest = data.split_off(self.budget);
            self.stash = Some(rest);
            self.budget = 0;
            self.next_tick = Some(self.now + bw.tick);
            data
        } else {
            if limited {
                self.budget -= data.len();
                if self.budget == 0 {
                    self.next_tick = self.bandwidth.map(|b| self.now + b.tick);
                }
            }
            data
        };
        if self.record_output {
            self.written.extend_from_slice(&data);
        }
        Some(data)
    }

    fn poll_timeout(&self) -> Option<Instant> {
        [self.ep.poll_timeout(), self.next_tick]
            .into_iter()
            .flatten()
            .min()
    }
}

/// One decoded request or response of a byte stream, with its body length and flag.
#[derive(Debug)]
#[allow(dead_code)]
pub struct Wire {
    pub head: Head,
    pub body: usize,
    pub flag: Option<msrp::Flag>,
    /// Offset of its first byte in the stream.
    pub at: usize,
    /// Offset just past its end-line.
    pub end: usize,
}

/// Decodes a whole stream into messages.
pub fn decode_stream(stream: &[u8]) -> Vec<Wire> {
    let mut decoder = Decoder::default();
    let mut buf = BytesMut::from(stream);
    let mut out: Vec<Wire> = Vec::new();
    let mut consumed_before = 0usize;
    loop {
        let before = buf.len();
        match decoder.decode(&mut buf).expect("valid stream") {
            None => break,
            Some(Frame::Head(head)) => out.push(Wire {
                head,
                body: 0,
                flag: None,
                at: consumed_before,
                end: 0,
            }),
            Some(Frame::Data(d)) => {
                if let Some(w) = out.last_mut() {
                    w.body += d.len();
                }
            }
            Some(Frame::End(f)) => {
                if let Some(w) = out.last_mut() {
                    w.flag = Some(f);
                    w.end = consumed_before + before - buf.len();
                }
            }
            Some(other) => panic!("unexpected {other:?}"),
        }
        consumed_before += before - buf.len();
    }
    out
}
