//! The write side: which bytes go out next on a connection (RFC 4975 §7.1.1 fairness), and
//! pulling content from the application within the buffer limits (backpressure).

use super::connection::{Connection, Pending, RecentChunk};
use super::event::{ConnectionId, Event, SessionId, Transmit};
use super::{Endpoint, Timer};
use crate::header::FailureReport;
use crate::ident::MessageId;

/// Recently finished chunks remembered per connection without awaiting a response
/// (`Failure-Report: partial`), so a late error response still finds its message.
const RECENT_TIDS: usize = 64;

impl Endpoint {
    /// The next bytes to write, if any. Call after every other call, as long as the
    /// connection can take more; stop when the socket is full (what is not polled is not
    /// produced, and no more content is pulled beyond the limits). Bytes of one connection
    /// must be written in the order they are returned.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let start = self.next_connection;
        let order: Vec<ConnectionId> = self
            .connections
            .range(ConnectionId(start)..)
            .chain(self.connections.range(..ConnectionId(start)))
            .map(|(id, _)| *id)
            .collect();
        for conn in order {
            if let Some(data) = self.next_segment(conn) {
                self.next_connection = conn.0 + 1;
                if let Some(c) = self.connections.get_mut(&conn) {
                    // Written content frees room in the write queue.
                    c.refill_needed = true;
                }
                self.refill_connection(conn);
                return Some(Transmit {
                    connection: conn,
                    data,
                });
            }
        }
        None
    }

    /// The next bytes to write on `connection` only, if any: for a driver that keeps one
    /// write queue per connection and polls only those with room, so a slow peer never
    /// holds back the others. Same rules as [`poll_transmit`](Self::poll_transmit).
    #[must_use]
    pub fn poll_transmit_on(&mut self, connection: ConnectionId) -> Option<Transmit> {
        let data = self.next_segment(connection)?;
        if let Some(c) = self.connections.get_mut(&connection) {
            c.refill_needed = true;
        }
        self.refill_connection(connection);
        Some(Transmit { connection, data })
    }

    /// Whether a session other than `except` has a chunk ready to open on `c`.
    fn other_ready(&self, c: &Connection, except: SessionId) -> bool {
        c.sending.iter().any(|sid| {
            *sid != except
                && self
                    .sessions
                    .get(sid)
                    .is_some_and(|s| !s.failed && s.outgoing.iter().any(|m| m.ready()))
        })
    }

    /// Whether a message of `session` other than `except` has a chunk ready to open.
    fn sibling_ready(&self, session: SessionId, except: MessageId) -> bool {
        self.sessions
            .get(&session)
            .is_some_and(|s| !s.failed && s.outgoing.iter().any(|m| m.id != except && m.ready()))
    }

    fn next_segment(&mut self, conn: ConnectionId) -> Option<bytes::Bytes> {
        let c = self.connections.get(&conn)?;
        if c.failed {
            return None;
        }
        if let Some((sid, mid)) = c.current {
            let waiting = !c.control.is_empty()
                || (c.turn_bytes >= self.config.fair_share && self.other_ready(c, sid));
            let max_segment = self.config.max_segment;
            let m = self
                .sessions
                .get_mut(&sid)
                .and_then(|s| s.outgoing_mut(mid));
            let Some(m) = m else {
                // The message is gone (its end-line was queued when it stopped).
                if let Some(c) = self.connections.get_mut(&conn) {
                    c.current = None;
                }
                return self.next_segment(conn);
            };
            // A chunk whose next bytes are the message's end-line is ended, not interrupted.
            let ending = m.finished && m.queued() == 0;
            if waiting && !ending {
                if let Some(end) = m.sender.interrupt() {
                    self.chunk_ended(conn, sid, mid);
                    return Some(end);
                }
            }
            let was_open = m.sender.in_chunk();
            match m.sender.poll_segment(&mut self.ids, max_segment) {
                Some(seg) => {
                    if was_open && !m.sender.in_chunk() {
                        self.chunk_ended(conn, sid, mid);
                    } else if let Some(c) = self.connections.get_mut(&conn) {
                        c.turn_bytes += seg.len();
                    }
                    return Some(seg);
                }
                None => {
                    // Out of content: the chunk stays open for the content still coming,
                    // unless something else waits to be written (an answer, a message of
                    // another session or of this one); then it is interrupted so the
                    // others use the connection meanwhile.
                    let c = self.connections.get(&conn)?;
                    let others = !c.control.is_empty()
                        || self.other_ready(c, sid)
                        || self.sibling_ready(sid, mid);
                    if !others {
                        return None;
                    }
                    let m = self
                        .sessions
                        .get_mut(&sid)
                        .and_then(|s| s.outgoing_mut(mid))?;
                    let end = m.sender.interrupt()?;
                    self.chunk_ended(conn, sid, mid);
                    return Some(end);
                }
            }
        }
        let c = self.connections.get_mut(&conn)?;
        if let Some(b) = c.pop_control() {
            return Some(b);
        }
        if c.pending.len() >= self.config.max_pending_transactions {
            return None;
        }
        for _ in 0..c.sending.len() {
            let sid = c.sending.pop_front()?;
            let Some(s) = self.sessions.get_mut(&sid) else {
                continue;
            };
            if s.outgoing.is_empty() {
                s.in_sending = false;
                continue;
            }
            c.sending.push_back(sid);
            if s.failed {
                continue;
            }
            let Some(m) = s.outgoing.iter_mut().find(|m| m.ready()) else {
                continue;
            };
            let start = m.sender.sent() + 1;
            let head = m
                .sender
                .poll_segment(&mut self.ids, self.config.max_segment)?;
            m.chunk_start = start;
            m.started = true;
            c.current = Some((sid, m.id));
            c.turn_bytes = 0;
            s.last_sent = self.now;
            return Some(head);
        }
        None
    }

    /// The open chunk of `message` was closed (`+`, `$` or cut for the end-line): its
    /// transaction now awaits a response (RFC 4975 §7.1.1: 30 s from its last byte).
    fn chunk_ended(&mut self, conn: ConnectionId, session: SessionId, message: MessageId) {
        let Some(m) = self
            .sessions
            .get_mut(&session)
            .and_then(|s| s.outgoing_mut(message))
        else {
            return;
        };
        let tid = m.sender.transaction_id();
        let early = tid.is_some() && m.answered_early.take() == tid;
        // A chunk already answered awaits nothing.
        let failure = match m.reports.failure {
            FailureReport::Yes if early => FailureReport::No,
            f => f,
        };
        let content_type = m.content_type.clone();
        let done = m.sender.is_done();
        if failure == FailureReport::Yes {
            m.pending += 1;
        }
        let timeout = self.config.response_timeout;
        let timer = match (failure, self.now, tid) {
            (FailureReport::Yes, Some(now), Some(tid)) => {
                Some(self.add_timer(now + timeout, Timer::Response(conn, tid)))
            }
            _ => None,
        };
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        c.current = None;
        c.turn_bytes = 0;
        if let Some(tid) = tid {
            match failure {
                FailureReport::Yes => {
                    c.pending.insert(
                        tid,
                        Pending::Chunk {
                            session,
                            message,
                            timer,
                        },
                    );
                }
                FailureReport::Partial => {
                    if c.recent.len() >= RECENT_TIDS {
                        c.recent.pop_front();
                    }
                    c.recent.push_back(RecentChunk {
                        tid,
                        session,
                        message,
                        content_type,
                    });
                }
                FailureReport::No => {}
            }
        }
        if done {
            self.check_sent(session, message);
        }
    }

    /// Asks every connection's sessions for content they have room for.
    #[allow(dead_code)]
    pub(super) fn refill(&mut self) {
        let conns: Vec<ConnectionId> = self.connections.keys().copied().collect();
        for conn in conns {
            self.refill_connection(conn);
        }
    }

    /// Asks for content where a message's buffer fell to half and the connection's write
    /// queue has room ([`EndpointConfig::write_queue_limit`](super::EndpointConfig)).
    pub(super) fn refill_connection(&mut self, conn: ConnectionId) {
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        if c.failed || !c.refill_needed {
            return;
        }
        c.refill_needed = false;
        let Some(c) = self.connections.get(&conn) else {
            return;
        };
        let mut budget =
            (self.config.write_queue_limit as u64).saturating_sub(self.connection_queued(c));
        for sid in &c.sending {
            let Some(s) = self.sessions.get_mut(sid) else {
                continue;
            };
            if s.failed {
                continue;
            }
            let low_water = (s.config.send_buffer / 2) as u64;
            for m in &mut s.outgoing {
                if budget == 0 {
                    return;
                }
                if m.stop.is_some() || m.finished || m.asked > m.provided {
                    continue;
                }
                let room = m.sender.room() as u64;
                let remaining = m.size.map_or(u64::MAX, |t| t - m.provided);
                if room == 0 || (room < low_water && room < remaining) {
                    continue;
                }
                let want = room.min(budget);
                if want < room && want < crate::INTERRUPTIBLE_THRESHOLD as u64 {
                    // Not worth a request; wait for the queue to drain further.
                    continue;
                }
                m.asked += want;
                budget -= want;
                self.events.push_back(Event::ContentWanted {
                    session: *sid,
                    message_id: m.id,
                    offset: m.provided,
                    len: usize::try_from(want).unwrap_or(usize::MAX),
                });
            }
        }
    }
}
