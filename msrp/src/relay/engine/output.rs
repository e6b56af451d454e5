//! The write side: what goes out next on a connection (urgent end-lines, then answers and
//! whole requests between chunks, then forwarded chunks in fair turns, RFC 4975 §7.1.1),
//! and resuming input that waited for room.

use bytes::Bytes;

use super::state::{COPY_BELOW, ForwardId, Outstanding, Phase, RECENT_PARTIAL, Timer};
use super::{ConnectionId, Relay, Transmit, later};
use crate::header::{ByteRange, FailureReport};

impl Relay {
    /// The next bytes to write on `connection`, if any. Call after every other call, as long
    /// as the connection can take bytes; bytes must be written in the order returned.
    /// Writing frees room in forwarded messages' buffers, which may resume a paused input
    /// connection (see [`readable`](Self::readable)).
    #[must_use]
    pub fn poll_transmit_on(&mut self, connection: ConnectionId) -> Option<Transmit> {
        let (data, from) = self.next_segment(connection)?;
        self.stats.bytes_written += data.len() as u64;
        if let (Some(c), Some(now)) = (self.connections.get_mut(&connection), self.now) {
            c.last_activity = now;
        }
        if let Some(fid) = from {
            self.resume_input_of(fid);
        }
        Some(Transmit { connection, data })
    }

    /// The next bytes to write on any connection, taking connections in turn. Same rules
    /// as [`poll_transmit_on`](Self::poll_transmit_on); a driver with one write queue per
    /// connection should prefer that, so one slow peer never holds back the others.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let start = ConnectionId(self.next_connection);
        let order: Vec<ConnectionId> = self
            .connections
            .range(start..)
            .chain(self.connections.range(..start))
            .map(|(id, _)| *id)
            .collect();
        for conn in order {
            if let Some(t) = self.poll_transmit_on(conn) {
                self.next_connection = conn.0 + 1;
                return Some(t);
            }
        }
        None
    }

    /// Whether a message other than `except` can open a chunk on `conn`.
    fn other_ready(&self, conn: ConnectionId, except: ForwardId) -> bool {
        self.connections.get(&conn).is_some_and(|c| {
            c.sending.iter().any(|f| {
                *f != except
                    && self.forwards.get(f).is_some_and(|f| {
                        !f.sender.is_done()
                            && (f.sender.queued() >= crate::INTERRUPTIBLE_THRESHOLD
                                || f.sender.is_finished())
                    })
            })
        })
    }

    /// The next segment for `conn`, and the forwarded message it came from.
    fn next_segment(&mut self, conn: ConnectionId) -> Option<(Bytes, Option<ForwardId>)> {
        let fair_share = self.config.fair_share;
        let max_segment = self.config.max_segment;
        let c = self.connections.get_mut(&conn)?;
        if c.phase != Phase::Open {
            return None;
        }
        if let Some(b) = c.urgent.pop_front() {
            return Some((b, None));
        }
        if let Some(fid) = c.current {
            let waiting = !c.control.is_empty();
            let turn_over = c.turn_bytes >= fair_share;
            let waiting = waiting || (turn_over && self.other_ready(conn, fid));
            let Some(f) = self.forwards.get_mut(&fid) else {
                // The message is gone (its `#` was queued as urgent when it failed).
                if let Some(c) = self.connections.get_mut(&conn) {
                    c.current = None;
                }
                return self.next_segment(conn);
            };
            let ending = f.sender.is_finished() && f.sender.queued() == 0;
            if waiting && !ending {
                if let Some(end) = f.sender.interrupt() {
                    self.chunk_ended(conn, fid);
                    return Some((end, Some(fid)));
                }
            }
            let was_open = f.sender.in_chunk();
            return match f.sender.poll_segment(&mut self.ids, max_segment) {
                Some(seg) => {
                    let len = seg.len();
                    if was_open && !f.sender.in_chunk() {
                        self.chunk_ended(conn, fid);
                    } else if let Some(c) = self.connections.get_mut(&conn) {
                        c.turn_bytes += len;
                    }
                    Some((seg, Some(fid)))
                }
                None => {
                    // Out of bytes: the chunk stays open for the bytes still coming (one
                    // chunk per message while the connection is its alone), unless
                    // something else waits to be written; then the chunk is interrupted
                    // (it holds 2048 octets at least, so it can be) and the rest of the
                    // message follows in a later one.
                    let others = self
                        .connections
                        .get(&conn)
                        .is_some_and(|c| !c.control.is_empty())
                        || self.other_ready(conn, fid);
                    if !others {
                        return None;
                    }
                    let end = self.forwards.get_mut(&fid)?.sender.interrupt()?;
                    self.chunk_ended(conn, fid);
                    Some((end, Some(fid)))
                }
            };
        }
        if let Some(b) = c.pop_control() {
            return Some((b, None));
        }
        if c.pending >= self.config.max_pending_transactions {
            return None;
        }
        for _ in 0..c.sending.len() {
            let fid = c.sending.pop_front()?;
            let Some(f) = self.forwards.get_mut(&fid) else {
                continue;
            };
            if f.sender.is_done() {
                f.in_sending = false;
                continue;
            }
            c.sending.push_back(fid);
            let start = f.sender.sent() + 1;
            let Some(head) = f.sender.poll_segment(&mut self.ids, max_segment) else {
                continue;
            };
            f.chunk_start = start;
            if f.sender.in_chunk() {
                c.current = Some(fid);
                c.turn_bytes = 0;
            } else {
                // A whole chunk in one segment (an empty abort chunk).
                self.chunk_ended(conn, fid);
            }
            return Some((head, Some(fid)));
        }
        None
    }

    /// The open chunk of `fwd` on `conn` was closed (`+`, `$` or cut for the end-line): it
    /// now awaits a response (RFC 4976 §6.4.1: 30 s from its last byte).
    pub(super) fn chunk_ended(&mut self, conn: ConnectionId, fwd: ForwardId) {
        let now = self.now;
        let timeout = self.config.response_timeout;
        let Some(f) = self.forwards.get_mut(&fwd) else {
            return;
        };
        let tid = f.sender.transaction_id();
        let end = f.sender.sent();
        let range = ByteRange::new(f.chunk_start, Some(end), f.sender.total()).ok();
        let failure = f.failure;
        if let (FailureReport::Yes, Some(tid)) = (failure, tid) {
            f.outstanding.push(tid);
        }
        if let Some(c) = self.connections.get_mut(&conn) {
            c.current = None;
            c.turn_bytes = 0;
        }
        if let Some(tid) = tid {
            match failure {
                FailureReport::Yes => {
                    let timer = now
                        .map(|now| self.add_timer(later(now, timeout), Timer::Response(conn, tid)));
                    self.outstanding
                        .insert((conn, tid), Outstanding::Chunk { fwd, range, timer });
                    if let Some(c) = self.connections.get_mut(&conn) {
                        c.pending += 1;
                    }
                }
                FailureReport::Partial => {
                    if let Some(c) = self.connections.get_mut(&conn) {
                        if c.recent.len() >= RECENT_PARTIAL {
                            c.recent.pop_front();
                        }
                        c.recent.push_back((tid, fwd));
                    }
                }
                FailureReport::No => {}
            }
        }
        self.check_forward_done(fwd);
    }

    /// Pushes input held back for `fwd` into its buffer as room allows; once all of it is
    /// in, the input connection is read again and what it has buffered is decoded.
    pub(super) fn resume_input_of(&mut self, fwd: ForwardId) {
        let Some(f) = self.forwards.get_mut(&fwd) else {
            return;
        };
        let in_conn = f.in_conn;
        if let Some(position) = f.reposition {
            // A chunk out of sequence waits for the bytes before it and their chunk.
            if !f.sender.seek(position) {
                return;
            }
            f.reposition = None;
            let Some(c) = self.connections.get_mut(&in_conn) else {
                return;
            };
            if let Some(pause) = c.paused.take_if(|p| p.fwd == fwd) {
                self.timers.remove(&pause.timer);
            }
            if let Some(now) = self.now {
                self.decode_loop(now, in_conn);
                self.enforce_control_limit(now);
            }
            return;
        }
        let room = f.sender.room();
        let Some(c) = self.connections.get_mut(&in_conn) else {
            return;
        };
        let Some(pause) = c.paused.as_mut().filter(|p| p.fwd == fwd) else {
            return;
        };
        if room == 0 {
            return;
        }
        let take = pause.held.len().min(room);
        let mut piece = pause.held.split_to(take);
        if piece.len() < COPY_BELOW {
            piece = Bytes::copy_from_slice(&piece);
        }
        let done = pause.held.is_empty();
        let timer = pause.timer;
        if f.sender.push(piece).is_err() {
            return;
        }
        if let Some(super::state::Receiving {
            target: super::state::Target::Chunk {
                received, start, ..
            },
            ..
        }) = &mut c.receiving
        {
            *received += take as u64;
            self.stats.body_bytes += take as u64;
            f.received_end = f
                .received_end
                .max(start.saturating_add(*received).saturating_sub(1));
        }
        if done {
            c.paused = None;
            self.timers.remove(&timer);
            if let Some(now) = self.now {
                self.decode_loop(now, in_conn);
                self.enforce_control_limit(now);
            }
        }
    }
}
