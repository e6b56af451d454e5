//! Test support: a sans-IO SIP engine on one side of a testkit [`Pair`], with a script playing
//! its user, a loss filter for what it sends and a log of everything it sent.

use std::time::{Duration, Instant};

use bytes::Bytes;
use testkit::{Endpoint, Pair};

use crate::dialog::{UaEvent, UserAgent};
use crate::transaction::{Destination, Event, TransactionLayer, Transmit};
use crate::{Limits, Message, parse_datagram};

/// The engine shape both the transaction layer and the UA core have.
pub(crate) trait SimEngine {
    type Event;
    fn input(&mut self, now: Instant, message: Message, source: Destination);
    fn timeout(&mut self, now: Instant);
    fn transmit(&mut self) -> Option<Transmit>;
    fn deadline(&self) -> Option<Instant>;
    fn event(&mut self) -> Option<Self::Event>;
}

impl SimEngine for TransactionLayer {
    type Event = Event;
    fn input(&mut self, now: Instant, message: Message, source: Destination) {
        self.handle_message(now, message, source);
    }
    fn timeout(&mut self, now: Instant) {
        self.handle_timeout(now);
    }
    fn transmit(&mut self) -> Option<Transmit> {
        self.poll_transmit()
    }
    fn deadline(&self) -> Option<Instant> {
        self.poll_timeout()
    }
    fn event(&mut self) -> Option<Event> {
        self.poll_event()
    }
}

impl SimEngine for UserAgent {
    type Event = UaEvent;
    fn input(&mut self, now: Instant, message: Message, source: Destination) {
        self.handle_message(now, message, source);
    }
    fn timeout(&mut self, now: Instant) {
        self.handle_timeout(now);
    }
    fn transmit(&mut self) -> Option<Transmit> {
        self.poll_transmit()
    }
    fn deadline(&self) -> Option<Instant> {
        self.poll_timeout()
    }
    fn event(&mut self) -> Option<UaEvent> {
        self.poll_event()
    }
}

pub(crate) type Script<E> = Box<dyn FnMut(&mut E, Instant, &<E as SimEngine>::Event)>;
pub(crate) type Loss = Box<dyn FnMut(&Message) -> bool>;

/// One side of a simulated exchange.
pub(crate) struct Side<E: SimEngine> {
    pub(crate) engine: E,
    pub(crate) peer: Destination,
    pub(crate) start: Instant,
    pub(crate) script: Script<E>,
    pub(crate) lose: Loss,
    /// How a sent message is written in the log.
    pub(crate) summary: fn(&Message) -> String,
    pub(crate) sent: Vec<String>,
    pub(crate) events: Vec<(Duration, E::Event)>,
}

impl<E: SimEngine> Side<E> {
    pub(crate) fn new(engine: E, peer: Destination, summary: fn(&Message) -> String) -> Side<E> {
        Side {
            engine,
            peer,
            start: Instant::now(),
            script: Box::new(|_, _, _| {}),
            lose: Box::new(|_| false),
            summary,
            sent: Vec::new(),
            events: Vec::new(),
        }
    }

    fn drain(&mut self, now: Instant) {
        while let Some(e) = self.engine.event() {
            (self.script)(&mut self.engine, now, &e);
            self.events.push((now - self.start, e));
        }
    }
}

impl<E: SimEngine> Endpoint for Side<E> {
    fn handle_input(&mut self, now: Instant, data: Bytes) {
        let msg = parse_datagram(data, &Limits::default()).expect("the peer sends valid SIP");
        self.engine.input(now, msg, self.peer);
        self.drain(now);
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.engine.timeout(now);
        self.drain(now);
    }

    fn poll_transmit(&mut self) -> Option<Bytes> {
        while let Some(t) = self.engine.transmit() {
            assert_eq!(t.destination, self.peer, "sent to the wrong peer");
            let lost = (self.lose)(&t.message);
            let lost_mark = if lost { " (lost)" } else { "" };
            self.sent
                .push(format!("{}{lost_mark}", (self.summary)(&t.message)));
            if !lost {
                return Some(t.message.to_bytes());
            }
        }
        None
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.engine.deadline()
    }
}

/// A pair of sides on links `link`, clocks aligned.
pub(crate) fn pair<A: SimEngine, B: SimEngine>(
    a: Side<A>,
    b: Side<B>,
    link: testkit::PipeConfig,
    seed: u64,
) -> Pair<Side<A>, Side<B>> {
    let mut p = Pair::new(a, b, link.clone(), link, seed);
    p.a.start = p.clock.start();
    p.b.start = p.clock.start();
    p
}

/// Steps the pair until nothing is left to do (or the next event is after `until`), returning
/// "time side message" lines for everything either side sent, with the time it left.
pub(crate) fn run<A: SimEngine, B: SimEngine>(
    p: &mut Pair<Side<A>, Side<B>>,
    names: (&str, &str),
    until: Option<Instant>,
) -> Vec<String> {
    let mut wire = Vec::new();
    let (mut na, mut nb) = (p.a.sent.len(), p.b.sent.len());
    loop {
        let progressed = p.step();
        let ms = p.clock.elapsed().as_millis();
        wire.extend(
            p.a.sent[na..]
                .iter()
                .map(|s| format!("{ms:>6} {} {s}", names.0)),
        );
        wire.extend(
            p.b.sent[nb..]
                .iter()
                .map(|s| format!("{ms:>6} {} {s}", names.1)),
        );
        na = p.a.sent.len();
        nb = p.b.sent.len();
        if !progressed {
            match p.next_event() {
                Some(at) if until.is_none_or(|u| at <= u) => p.clock.advance_to(at),
                _ => return wire,
            }
        }
    }
}
