//! A simulated network of relays, endpoints (the clients) and raw sinks, joined by links,
//! driven in simulated time. Relays ask for connections with `Event::Connect`; the network
//! finds the node that serves the URI's host and port and joins them.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use msrp::endpoint::{ConnectionId, Event as EpEvent, SessionConfig, SessionId};
use msrp::relay::engine::{Event as RelayEvent, Relay, RelayConfig};
use msrp::{Decoder, Endpoint, EndpointConfig, Frame, Head, IdGenerator, MessageId, Path};

pub fn ids(seed: u64) -> IdGenerator {
    IdGenerator::from_fn(testkit::id_source(seed))
}

pub fn path(s: &str) -> Path {
    s.parse().expect("valid path")
}

/// Deterministic content.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Relay(usize),
    Ep(usize),
    /// Reads and records everything, answers nothing.
    Sink(usize),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct End {
    pub node: Node,
    pub conn: ConnectionId,
}

pub struct Link {
    pub ends: [End; 2],
    pub up: bool,
    /// `stalled[i]`: end `i` does not read (bytes towards it stay with the writer).
    pub stalled: [bool; 2],
    /// Bytes delivered to end `i`.
    pub delivered: [Vec<u8>; 2],
}

/// An endpoint playing the application: answers content requests, keeps what it receives.
pub struct Client {
    pub ep: Endpoint,
    pub sources: HashMap<MessageId, Bytes>,
    pub received: HashMap<MessageId, Vec<u8>>,
    pub log: Vec<(Instant, EpEvent)>,
}

impl Client {
    fn pump(&mut self, now: Instant) {
        while let Some(event) = self.ep.poll_event() {
            match event {
                EpEvent::ContentWanted {
                    session,
                    message_id,
                    offset,
                    len,
                } => {
                    if let Some(src) = self.sources.get(&message_id) {
                        let start = offset as usize;
                        let end = (start + len).min(src.len());
                        // The message may have failed since it asked.
                        let _ = self
                            .ep
                            .provide(now, session, message_id, src.slice(start..end));
                    }
                }
                EpEvent::Data {
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
                    self.ep.release(session, data.len());
                }
                other => self.log.push((now, other)),
            }
        }
    }

    pub fn events(&self) -> impl Iterator<Item = &EpEvent> {
        self.log.iter().map(|(_, e)| e)
    }

    pub fn sent(&self, id: MessageId) -> bool {
        self.events()
            .any(|e| matches!(e, EpEvent::MessageSent { message_id, .. } if *message_id == id))
    }

    pub fn failed(&self, id: MessageId) -> Option<&EpEvent> {
        self.events()
            .find(|e| matches!(e, EpEvent::MessageFailed { message_id, .. } if *message_id == id))
    }
}

pub struct Net {
    pub now: Instant,
    pub start: Instant,
    pub relays: Vec<Relay>,
    pub relay_events: Vec<Vec<(Instant, RelayEvent)>>,
    pub clients: Vec<Client>,
    pub sinks: Vec<Vec<u8>>,
    pub links: Vec<Link>,
    /// Which node accepts connections for "host:port".
    pub listeners: HashMap<String, Node>,
    handles: Endpoint,
}

impl Net {
    pub fn new() -> Self {
        let now = Instant::now();
        Self {
            now,
            start: now,
            relays: Vec::new(),
            relay_events: Vec::new(),
            clients: Vec::new(),
            sinks: Vec::new(),
            links: Vec::new(),
            listeners: HashMap::new(),
            handles: Endpoint::new(
                EndpointConfig::default()
                    .with_max_connections(usize::MAX)
                    .with_bind_timeout(None),
                ids(0),
            ),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    pub fn add_relay(&mut self, config: RelayConfig, seed: u64) -> usize {
        let key = format!("{}:{}", config.host, config.port);
        self.relays.push(Relay::new(config, ids(seed)));
        self.relay_events.push(Vec::new());
        let r = self.relays.len() - 1;
        self.listeners.insert(key, Node::Relay(r));
        r
    }

    pub fn add_client(&mut self, seed: u64) -> usize {
        self.clients.push(Client {
            ep: Endpoint::new(EndpointConfig::default(), ids(seed)),
            sources: HashMap::new(),
            received: HashMap::new(),
            log: Vec::new(),
        });
        self.clients.len() - 1
    }

    pub fn add_sink(&mut self, host_port: &str) -> usize {
        self.sinks.push(Vec::new());
        let s = self.sinks.len() - 1;
        self.listeners.insert(host_port.to_owned(), Node::Sink(s));
        s
    }

    fn open(&mut self, node: Node, tls: bool) -> ConnectionId {
        match node {
            Node::Relay(r) => self.relays[r]
                .open_connection(self.now, tls)
                .expect("relay conn"),
            Node::Ep(c) => self.clients[c]
                .ep
                .open_connection(self.now)
                .expect("ep conn"),
            // Sinks have no engine: an unused endpoint hands out their handles.
            Node::Sink(_) => self.handles.open_connection(self.now).expect("handle"),
        }
    }

    /// Connects client `c` to relay `r` (TLS or not); returns (client conn, relay conn).
    pub fn connect_client(
        &mut self,
        c: usize,
        r: usize,
        tls: bool,
    ) -> (ConnectionId, ConnectionId) {
        let cc = self.open(Node::Ep(c), tls);
        let rc = self.open(Node::Relay(r), tls);
        self.links.push(Link {
            ends: [
                End {
                    node: Node::Ep(c),
                    conn: cc,
                },
                End {
                    node: Node::Relay(r),
                    conn: rc,
                },
            ],
            up: true,
            stalled: [false, false],
            delivered: [Vec::new(), Vec::new()],
        });
        (cc, rc)
    }

    /// The link whose end is `node`/`conn`.
    pub fn link_of(&self, node: Node, conn: ConnectionId) -> Option<usize> {
        self.links
            .iter()
            .position(|l| l.up && l.ends.iter().any(|e| e.node == node && e.conn == conn))
    }

    /// Bytes delivered to `node` on `conn`'s link.
    pub fn delivered_to(&self, node: Node, conn: ConnectionId) -> &[u8] {
        for l in &self.links {
            for (i, e) in l.ends.iter().enumerate() {
                if e.node == node && e.conn == conn {
                    return &l.delivered[i];
                }
            }
        }
        &[]
    }

    fn poll(&mut self, node: Node, conn: ConnectionId) -> Option<Bytes> {
        match node {
            Node::Relay(r) => self.relays[r].poll_transmit_on(conn).map(|t| t.data),
            Node::Ep(c) => self.clients[c].ep.poll_transmit_on(conn).map(|t| t.data),
            Node::Sink(_) => None,
        }
    }

    fn readable(&self, node: Node, conn: ConnectionId) -> bool {
        match node {
            Node::Relay(r) => self.relays[r].readable(conn),
            _ => true,
        }
    }

    fn deliver(&mut self, node: Node, conn: ConnectionId, data: &[u8]) {
        let now = self.now;
        match node {
            Node::Relay(r) => self.relays[r]
                .handle_input(now, conn, data)
                .expect("relay input"),
            Node::Ep(c) => {
                // The endpoint may have dropped the connection already.
                let _ = self.clients[c].ep.handle_input(now, conn, data);
            }
            Node::Sink(s) => self.sinks[s].extend_from_slice(data),
        }
    }

    /// Closes a link as the transport would: both ends are told.
    pub fn cut(&mut self, link: usize) {
        let now = self.now;
        self.links[link].up = false;
        let ends = self.links[link].ends;
        for e in ends {
            match e.node {
                Node::Relay(r) => {
                    let _ = self.relays[r].close_connection(now, e.conn);
                }
                Node::Ep(c) => {
                    let _ = self.clients[c].ep.close_connection(now, e.conn);
                }
                Node::Sink(_) => {}
            }
        }
    }

    fn handle_relay_events(&mut self) -> bool {
        let mut any = false;
        for r in 0..self.relays.len() {
            while let Some(event) = self.relays[r].poll_event() {
                any = true;
                match &event {
                    RelayEvent::Connect {
                        connection,
                        uri,
                        tls,
                    } => {
                        let key = format!("{}:{}", uri.host_str(), uri.port().unwrap_or(2855));
                        match self.listeners.get(&key).copied() {
                            Some(node) => {
                                let other = self.open(node, *tls);
                                self.links.push(Link {
                                    ends: [
                                        End {
                                            node: Node::Relay(r),
                                            conn: *connection,
                                        },
                                        End { node, conn: other },
                                    ],
                                    up: true,
                                    stalled: [false, false],
                                    delivered: [Vec::new(), Vec::new()],
                                });
                                self.relays[r]
                                    .connected(self.now, *connection)
                                    .expect("connected");
                            }
                            None => {
                                self.relays[r]
                                    .connect_failed(self.now, *connection)
                                    .expect("connect_failed");
                            }
                        }
                    }
                    RelayEvent::Close { connection, .. } => {
                        if let Some(l) = self.link_of(Node::Relay(r), *connection) {
                            self.links[l].up = false;
                            let ends = self.links[l].ends;
                            for e in ends {
                                if let Node::Ep(c) = e.node {
                                    let _ = self.clients[c].ep.close_connection(self.now, e.conn);
                                }
                                if let Node::Relay(o) = e.node {
                                    if o != r || e.conn != *connection {
                                        let _ = self.relays[o].close_connection(self.now, e.conn);
                                    }
                                }
                            }
                        }
                    }
                    _ => {}
                }
                self.relay_events[r].push((self.now, event));
            }
        }
        any
    }

    /// Moves bytes until nothing moves.
    pub fn settle(&mut self) {
        for _ in 0..100_000 {
            let mut moved = false;
            for c in 0..self.clients.len() {
                let now = self.now;
                self.clients[c].pump(now);
            }
            moved |= self.handle_relay_events();
            for l in 0..self.links.len() {
                if !self.links[l].up {
                    continue;
                }
                for dir in 0..2 {
                    let from = self.links[l].ends[dir];
                    let to = self.links[l].ends[1 - dir];
                    // A stalled reader, or a paused relay input: the writer keeps its bytes.
                    let mut budget: usize = 256 << 10;
                    while budget > 0
                        && self.links[l].up
                        && !self.links[l].stalled[1 - dir]
                        && self.readable(to.node, to.conn)
                    {
                        let Some(data) = self.poll(from.node, from.conn) else {
                            break;
                        };
                        budget = budget.saturating_sub(data.len());
                        self.links[l].delivered[1 - dir].extend_from_slice(&data);
                        self.deliver(to.node, to.conn, &data);
                        moved = true;
                    }
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the network never settled");
    }

    fn next_timeout(&self) -> Option<Instant> {
        self.relays
            .iter()
            .filter_map(|r| r.poll_timeout())
            .chain(self.clients.iter().filter_map(|c| c.ep.poll_timeout()))
            .min()
    }

    /// Settles, then fires timers in order until `until` passes or `done` holds.
    pub fn run_until(&mut self, until: Duration, mut done: impl FnMut(&Net) -> bool) {
        let deadline = self.start + until;
        loop {
            self.settle();
            if done(self) {
                return;
            }
            let Some(next) = self.next_timeout() else {
                return;
            };
            if next > deadline {
                self.now = deadline;
                return;
            }
            self.now = self.now.max(next);
            let now = self.now;
            for r in &mut self.relays {
                r.handle_timeout(now);
            }
            for c in &mut self.clients {
                c.ep.handle_timeout(now);
            }
        }
    }

    /// Starts a message of `len` generated bytes from client `c`'s session.
    pub fn send(&mut self, c: usize, session: SessionId, seed: u8, len: usize) -> MessageId {
        let ct = msrp::Text::new("application/octet-stream").expect("type");
        let now = self.now;
        let client = &mut self.clients[c];
        let id = client
            .ep
            .send_message(now, session, ct, Some(len as u64))
            .expect("send");
        client.sources.insert(id, content(seed, len));
        id
    }

    pub fn session(&mut self, c: usize, local: &str, remote: &str) -> SessionId {
        self.clients[c]
            .ep
            .add_session(path(local), path(remote), SessionConfig::default())
            .expect("session")
    }
}

/// One decoded message of a byte stream: its head, body length and end-line flag.
#[derive(Debug)]
pub struct Wire {
    pub head: Head,
    pub body: usize,
    pub flag: Option<msrp::Flag>,
}

/// Decodes a byte stream into messages (stopping at anything undecodable).
pub fn decode_stream(stream: &[u8]) -> Vec<Wire> {
    let mut decoder = Decoder::default();
    let mut buf = BytesMut::from(stream);
    let mut out: Vec<Wire> = Vec::new();
    while let Ok(Some(frame)) = decoder.decode(&mut buf) {
        match frame {
            Frame::Head(head) => out.push(Wire {
                head,
                body: 0,
                flag: None,
            }),
            Frame::Data(d) => {
                if let Some(w) = out.last_mut() {
                    w.body += d.len();
                }
            }
            Frame::End(f) => {
                if let Some(w) = out.last_mut() {
                    w.flag = Some(f);
                }
            }
            _ => {}
        }
    }
    out
}
