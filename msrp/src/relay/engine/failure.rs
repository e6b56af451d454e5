//! How forwarded messages and connections end: failures reported to senders (RFC 4976
//! §6.4.1), aborts passed downstream, timeouts, dropped connections.

use std::time::Instant;

use bytes::{Bytes, BytesMut};

use super::event::{ConnectionError, Event, ForwardFailure};
use super::state::{Forward, ForwardId, Outstanding, Phase, Receiving, Target, Timer};
use super::{ConnectionId, Relay, later};
use crate::endpoint::response;
use crate::header::{ByteRange, FailureReport, Header, ReportStatus};
use crate::ident::{MessageId, TransactionId};
use crate::message::{Flag, Head, Method, Request, encode_end_line};
use crate::status::StatusCode;
use crate::uri::Path;

impl Relay {
    /// Removes a forwarded message and everything that refers to it except an open chunk on
    /// its outgoing connection (the caller ends that).
    fn remove_forward(&mut self, fid: ForwardId) -> Option<Forward> {
        let f = self.forwards.remove(&fid)?;
        self.by_message.remove(&(f.in_conn, f.message_id));
        if let Some(c) = self.connections.get_mut(&f.in_conn) {
            c.forwards_in = c.forwards_in.saturating_sub(1);
        }
        for tid in &f.outstanding {
            let key = (f.out_conn, *tid);
            if let Some(o) = self.outstanding.remove(&key) {
                if let Some(t) = o.timer() {
                    self.timers.remove(&t);
                }
                if let Some(c) = self.connections.get_mut(&key.0) {
                    c.pending = c.pending.saturating_sub(1);
                }
            }
        }
        if let Some(c) = self.connections.get_mut(&f.out_conn) {
            c.sending.retain(|x| *x != fid);
            c.recent.retain(|(_, x)| *x != fid);
        }
        Some(f)
    }

    /// Ends `f`'s forwarded stream with `#`: the open chunk's end-line goes out next, or an
    /// empty `#` chunk if chunks went out before; nothing if none did (RFC 4975 §7.1).
    fn abort_downstream(&mut self, fid: ForwardId, f: &mut Forward) {
        let Some(out) = self.connections.get_mut(&f.out_conn) else {
            return;
        };
        if f.sender.is_done() {
            return;
        }
        if out.current == Some(fid) {
            out.current = None;
            out.turn_bytes = 0;
            if let Some(b) = f.sender.abort(&mut self.ids) {
                out.urgent.push_back(b);
            }
        } else if f.sender.chunks() > 0 {
            if let Some(b) = f.sender.abort(&mut self.ids) {
                out.push_control(b);
            }
        }
    }

    /// The sender aborted the message (`#`): abort it downstream, report nothing.
    pub(super) fn abort_forward(&mut self, fid: ForwardId) {
        if let Some(mut f) = self.remove_forward(fid) {
            self.abort_downstream(fid, &mut f);
            self.stats.messages_aborted += 1;
        }
    }

    /// A forwarded message whose last chunk is out and answered is done.
    pub(super) fn check_forward_done(&mut self, fid: ForwardId) {
        let done = self
            .forwards
            .get(&fid)
            .is_some_and(|f| f.sender.is_done() && f.outstanding.is_empty());
        if done {
            self.remove_forward(fid);
            self.stats.messages_forwarded += 1;
        }
    }

    /// Fails a forwarded message: aborted downstream (`#`), its chunk in progress answered
    /// 413 at once and later chunks too (RFC 4975 §10.5), and a failure REPORT to its
    /// sender unless it asked for none (RFC 4976 §6.4.1).
    pub(super) fn fail_forward(&mut self, now: Instant, fid: ForwardId, failure: ForwardFailure) {
        self.fail_forward_range(now, fid, failure, None);
    }

    pub(super) fn fail_forward_range(
        &mut self,
        now: Instant,
        fid: ForwardId,
        failure: ForwardFailure,
        range: Option<ByteRange>,
    ) {
        let Some(mut f) = self.remove_forward(fid) else {
            return;
        };
        self.abort_downstream(fid, &mut f);
        let in_conn = f.in_conn;
        let mut resume = false;
        if let Some(c) = self.connections.get_mut(&in_conn) {
            c.remember_failed(f.message_id);
            if let Some(p) = c.paused.take_if(|p| p.fwd == fid) {
                self.timers.remove(&p.timer);
                resume = true;
            }
            let in_progress = matches!(
                &c.receiving,
                Some(Receiving { target: Target::Chunk { fwd, .. }, .. }) if *fwd == fid
            );
            if in_progress {
                if let Some(mut rcv) = c.receiving.take() {
                    rcv.target = Target::Discard;
                    self.respond(in_conn, &rcv, StatusCode::TooLarge);
                    if let Some(c) = self.connections.get_mut(&in_conn) {
                        c.receiving = Some(rcv);
                    }
                }
            }
        }
        if f.failure != FailureReport::No {
            let range =
                range.or_else(|| ByteRange::new(1, Some(f.received_end), f.sender.total()).ok());
            let report = self.report(&f, range, failure.status());
            self.push_control(in_conn, report);
        }
        self.stats.messages_failed += 1;
        self.events.push_back(Event::MessageFailed {
            connection: in_conn,
            message_id: f.message_id,
            failure,
        });
        if resume {
            self.decode_loop(now, in_conn);
        }
    }

    /// A failure REPORT about `f` (RFC 4975 §7.1.2): To-Path is the From-Path the message
    /// came with, no Success-Report or Failure-Report.
    fn report(&mut self, f: &Forward, range: Option<ByteRange>, status: StatusCode) -> Bytes {
        report_bytes(
            TransactionId::generate(&mut self.ids),
            f.report_to.clone(),
            f.responder.clone(),
            f.message_id,
            range,
            status,
        )
    }

    /// A forwarded transaction's response did not come in time.
    pub(super) fn response_timeout(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        tid: TransactionId,
    ) {
        let Some(entry) = self.outstanding.remove(&(conn, tid)) else {
            return;
        };
        if let Some(c) = self.connections.get_mut(&conn) {
            c.pending = c.pending.saturating_sub(1);
        }
        if let Outstanding::Chunk { fwd, .. } = &entry {
            if let Some(f) = self.forwards.get_mut(fwd) {
                f.outstanding.retain(|t| *t != tid);
            }
        }
        self.outstanding_failed(now, entry);
    }

    /// A forwarded transaction will not be answered: a 408 goes back (RFC 4976 §6.4.1 for
    /// SEND chunks as a REPORT; as a response for other requests).
    fn outstanding_failed(&mut self, now: Instant, entry: Outstanding) {
        match entry {
            Outstanding::Chunk { fwd, range, .. } => {
                self.fail_forward_range(now, fwd, ForwardFailure::Timeout, range);
            }
            Outstanding::Request {
                in_conn,
                tid,
                from_path,
                responder,
                ..
            } => {
                let bytes = response(
                    tid,
                    false,
                    &from_path,
                    StatusCode::RequestTimeout,
                    responder,
                );
                self.push_control(in_conn, bytes);
            }
        }
    }

    /// The stall timeout of a paused input connection.
    pub(super) fn stall_timeout(&mut self, now: Instant, conn: ConnectionId, fid: ForwardId) {
        let paused = self
            .connections
            .get(&conn)
            .and_then(|c| c.paused.as_ref())
            .is_some_and(|p| p.fwd == fid);
        if !paused {
            return;
        }
        let connecting = self
            .forwards
            .get(&fid)
            .and_then(|f| self.connections.get(&f.out_conn))
            .is_some_and(|c| c.phase == Phase::Connecting);
        if connecting {
            // The next hop is still being connected to: the driver's connect timeout
            // bounds that wait (connect_failed fails the message), not the stall timeout.
            let timer = self.add_timer(
                later(now, self.config.stall_timeout),
                Timer::Stall(conn, fid),
            );
            if let Some(p) = self
                .connections
                .get_mut(&conn)
                .and_then(|c| c.paused.as_mut())
            {
                p.timer = timer;
            }
            return;
        }
        self.fail_forward(now, fid, ForwardFailure::Stalled);
    }

    /// A forwarded message's idle check: one still waiting for bytes that got none for
    /// the idle timeout fails.
    pub(super) fn message_idle_check(&mut self, now: Instant, fid: ForwardId) {
        let idle = self.config.message_idle_timeout;
        let Some(f) = self.forwards.get(&fid) else {
            return;
        };
        let due = later(f.last_input, idle);
        if due <= now && !f.sender.is_finished() {
            self.fail_forward(now, fid, ForwardFailure::Idle);
        } else {
            self.add_timer(due.max(later(now, idle / 4)), Timer::MessageIdle(fid));
        }
    }

    /// Closes the connections whose queue of answers outgrew the control queue limit.
    pub(super) fn enforce_control_limit(&mut self, now: Instant) {
        let limit = self.config.control_queue_limit;
        let over: Vec<ConnectionId> = self
            .connections
            .iter()
            .filter(|(_, c)| c.control_bytes > limit)
            .map(|(id, _)| *id)
            .collect();
        for conn in over {
            self.drop_connection(now, conn, Some(ConnectionError::NotReading));
        }
    }

    /// Forgets a connection: its client URIs (RFC 4976 §6.3), its forwarded messages
    /// (outgoing ones fail with 408 REPORTs, incoming ones are aborted downstream) and the
    /// requests forwarded to it (408 back). With `error`, tells the driver to close it.
    pub(super) fn drop_connection(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        error: Option<ConnectionError>,
    ) {
        let Some(c) = self.connections.remove(&conn) else {
            return;
        };
        if let Some(error) = error {
            self.stats.connections_dropped += 1;
            self.events.push_back(Event::Close {
                connection: conn,
                error,
            });
        }
        if let Some(t) = c.probation {
            self.timers.remove(&t);
        }
        if let Some(p) = &c.paused {
            self.timers.remove(&p.timer);
        }
        for a in &c.aliases {
            if self.by_authority.get(a) == Some(&conn) {
                self.by_authority.remove(a);
            }
        }
        for sid in &c.clients {
            if let Some(client) = self.clients.remove(sid) {
                self.timers.remove(&client.timer);
            }
        }
        let keys: Vec<(ConnectionId, TransactionId)> = self
            .outstanding
            .keys()
            .filter(|k| k.0 == conn)
            .copied()
            .collect();
        for key in keys {
            if let Some(entry) = self.outstanding.remove(&key) {
                if let Some(t) = entry.timer() {
                    self.timers.remove(&t);
                }
                if let Outstanding::Request { .. } = entry {
                    self.outstanding_failed(now, entry);
                }
            }
        }
        let mut failed: Vec<ForwardId> = Vec::new();
        let mut aborted: Vec<ForwardId> = Vec::new();
        for (fid, f) in &self.forwards {
            if f.out_conn == conn {
                failed.push(*fid);
            } else if f.in_conn == conn && !f.sender.is_finished() {
                // Still arriving: it can never be complete. A message taken whole (its
                // last chunk answered hop by hop) is still delivered; its sender left.
                aborted.push(*fid);
            }
        }
        failed.sort();
        aborted.sort();
        for fid in failed {
            self.fail_forward(now, fid, ForwardFailure::NextHopLost);
        }
        for fid in aborted {
            self.abort_forward(fid);
        }
        self.by_message.retain(|(c, _), _| *c != conn);
    }
}

/// A REPORT request with its end-line.
pub(super) fn report_bytes(
    tid: TransactionId,
    to_path: Path,
    from_path: Path,
    message_id: MessageId,
    range: Option<ByteRange>,
    status: StatusCode,
) -> Bytes {
    let mut req = Request::new(tid, Method::Report, to_path, from_path);
    req.headers.push(Header::MessageId(message_id));
    if let Some(range) = range {
        req.headers.push(Header::ByteRange(range));
    }
    req.headers.push(Header::Status(ReportStatus::new(status)));
    let mut out = BytesMut::with_capacity(256);
    Head::Request(req).encode(&mut out);
    encode_end_line(tid, Flag::Complete, &mut out);
    out.freeze()
}
