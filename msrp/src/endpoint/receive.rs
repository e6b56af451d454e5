//! The read side: decoding each connection's stream, matching requests to sessions
//! (RFC 4975 §5.4, §7.3), answering them (§7.2), reassembling content and reports
//! (§7.1.3, §7.3.1, §7.3.2), and matching responses to what we sent.

use std::time::Instant;

use bytes::Bytes;

use super::connection::{Pending, Receiving, Target};
use super::event::{
    ConnectionError, ConnectionId, Event, MessageError, SessionError, SessionId, UserError,
};
use super::session::{Incoming, answers, response};
use super::{Endpoint, SuccessReports};
use crate::decoder::{Frame, Rejection};
use crate::header::{ByteRange, SuccessReport};
use crate::message::{Flag, Head, Method, Request};
use crate::status::StatusCode;
use crate::uri::Path;

impl Endpoint {
    /// Feeds bytes read from `connection`. Call with every read, in order; then drain
    /// [`poll_transmit`](Self::poll_transmit) and [`poll_event`](Self::poll_event).
    pub fn handle_input(
        &mut self,
        now: Instant,
        connection: ConnectionId,
        data: &[u8],
    ) -> Result<(), UserError> {
        self.tick(now);
        let c = self
            .connections
            .get_mut(&connection)
            .ok_or(UserError::UnknownConnection)?;
        if c.failed {
            return Ok(());
        }
        c.buf.extend_from_slice(data);
        while let Some(c) = self.connections.get_mut(&connection) {
            if c.failed {
                break;
            }
            match c.decoder.decode(&mut c.buf) {
                Ok(Some(frame)) => self.on_frame(now, connection, frame),
                Ok(None) => break,
                Err(e) => {
                    self.connection_failed(connection, ConnectionError::Framing(e));
                    break;
                }
            }
        }
        self.enforce_control_limit();
        self.refill_connection(connection);
        Ok(())
    }

    /// Fails the connections whose queue of answers outgrew
    /// [`EndpointConfig::control_queue_limit`](super::EndpointConfig): the peer keeps asking
    /// (or we keep answering) while nobody drains what we write.
    pub(super) fn enforce_control_limit(&mut self) {
        let limit = self.config.control_queue_limit;
        let over: Vec<ConnectionId> = self
            .connections
            .iter()
            .filter(|(_, c)| !c.failed && c.control_bytes > limit)
            .map(|(id, _)| *id)
            .collect();
        for conn in over {
            self.connection_failed(conn, ConnectionError::NotReading);
        }
    }

    pub(super) fn connection_failed(&mut self, connection: ConnectionId, error: ConnectionError) {
        let Some(c) = self.connections.get_mut(&connection) else {
            return;
        };
        c.failed = true;
        c.control.clear();
        c.control_bytes = 0;
        c.current = None;
        c.receiving = None;
        let pending: Vec<Pending> = c.pending.drain().map(|(_, p)| p).collect();
        let sessions: Vec<SessionId> = c.sessions.iter().copied().collect();
        for p in pending {
            if let Some(key) = p.timer() {
                self.timers.remove(&key);
            }
        }
        self.events
            .push_back(Event::ConnectionFailed { connection, error });
        for s in sessions {
            self.fail_session(s, SessionError::ConnectionEnded);
        }
    }

    fn on_frame(&mut self, now: Instant, conn: ConnectionId, frame: Frame) {
        match frame {
            Frame::Head(Head::Request(r)) => self.on_request(now, conn, r),
            Frame::Head(Head::Response(r)) => self.on_response(conn, r),
            Frame::Data(d) => self.on_data(conn, d),
            Frame::End(flag) => self.on_end(conn, flag),
            Frame::Rejected(r) => self.on_rejected(conn, r),
            // Frame is non-exhaustive; nothing else exists today.
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    /// Queues a response on `conn` if the Failure-Report rules ask for one.
    fn respond(&mut self, conn: ConnectionId, rcv: &Receiving, status: StatusCode, by: Path) {
        if rcv.method_is_report {
            return;
        }
        if answers(rcv.failure, status) {
            let bytes = response(rcv.tid, rcv.is_send, &rcv.from_path, status, by);
            if let Some(c) = self.connections.get_mut(&conn) {
                c.push_control(bytes);
            }
        }
    }

    fn on_request(&mut self, now: Instant, conn: ConnectionId, r: Request) {
        let mut rcv = Receiving {
            tid: r.transaction_id,
            is_send: r.method == Method::Send,
            method_is_report: r.method == Method::Report,
            from_path: r.from_path.clone(),
            failure: r.headers.failure_report(),
            target: Target::Discard,
        };
        // RFC 4975 §7.3: exactly one To-Path URI, naming a session bound to this connection.
        let sid = (r.to_path.len() == 1)
            .then(|| self.by_uri.get(r.to_path.first()).copied())
            .flatten();
        let me = Path::new(r.to_path.last().clone());
        if rcv.method_is_report {
            // Never answered (RFC 4975 §7.1.2); unknown sessions are ignored.
            if let Some(s) = sid.filter(|s| self.session_connection(*s) == Some(conn)) {
                rcv.target = Target::Report {
                    session: s,
                    headers: r.headers,
                };
            }
            self.set_receiving(conn, rcv);
            return;
        }
        let Some(sid) = sid else {
            self.respond(conn, &rcv, StatusCode::NoSuchSession, me);
            return self.set_receiving(conn, rcv);
        };
        match self.session_connection(sid) {
            Some(bound) if bound != conn => {
                self.respond(conn, &rcv, StatusCode::SessionInUse, me);
                return self.set_receiving(conn, rcv);
            }
            None if rcv.is_send => {
                // RFC 4975 §5.4: the first SEND binds the passive side's session.
                self.attach(sid, conn);
                self.events.push_back(Event::SessionBound {
                    session: sid,
                    connection: conn,
                });
                if let Some(s) = self.sessions.get_mut(&sid) {
                    s.last_sent.get_or_insert(now);
                    if let Some(every) = s.config.keepalive {
                        self.add_timer(now + every, super::Timer::Keepalive(sid));
                    }
                }
            }
            None => {
                self.respond(conn, &rcv, StatusCode::NoSuchSession, me);
                return self.set_receiving(conn, rcv);
            }
            Some(_) => {}
        }
        let Some(s) = self.sessions.get(&sid) else {
            return self.set_receiving(conn, rcv);
        };
        let local = s.local_path.clone();
        if !rcv.is_send {
            // AUTH and extension methods are not understood by an endpoint (RFC 4975 §12).
            self.respond(conn, &rcv, StatusCode::NotImplemented, local);
            return self.set_receiving(conn, rcv);
        }
        let Some(content_type) = r.content_type.clone() else {
            rcv.target = Target::Bodiless { session: sid };
            return self.set_receiving(conn, rcv);
        };
        let Some(mid) = r.headers.message_id() else {
            self.respond(conn, &rcv, StatusCode::Unintelligible, local);
            return self.set_receiving(conn, rcv);
        };
        let refusal = if !s.config.receive {
            Some(StatusCode::Forbidden)
        } else if self.refusing_new && !s.incoming.contains_key(&mid) {
            Some(StatusCode::TooLarge)
        } else if let Some(status) = s.refused_status(mid) {
            Some(status)
        } else if !s.config.accepts(&content_type) {
            Some(StatusCode::UnsupportedMediaType)
        } else {
            None
        };
        if let Some(status) = refusal {
            self.respond(conn, &rcv, status, local);
            return self.set_receiving(conn, rcv);
        }
        let range = r.headers.byte_range();
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let in_progress = s.reassembler.in_progress();
        let cursor = match s.reassembler.chunk(mid, range) {
            Ok(cursor) => cursor,
            Err(e) => {
                self.drain_outputs(sid);
                self.respond(conn, &rcv, e.status(), local);
                return self.set_receiving(conn, rcv);
            }
        };
        // A chunk of a message already over opens nothing (its data is dropped).
        let new_message = s.reassembler.in_progress() > in_progress;
        if new_message && !s.incoming.contains_key(&mid) {
            s.incoming.insert(
                mid,
                Incoming {
                    success: r.headers.success_report(),
                    failure: rcv.failure,
                    from_path: r.from_path.clone(),
                    total: range.and_then(|r| r.total()),
                    delivered: 0,
                },
            );
            self.events.push_back(Event::MessageStarted {
                session: sid,
                message_id: mid,
                content_type,
                size: range.and_then(|r| r.total()),
            });
        }
        rcv.target = Target::Chunk {
            session: sid,
            cursor,
            start: range.map_or(1, |r| r.start()),
            received: 0,
            answered: false,
        };
        self.set_receiving(conn, rcv);
    }

    fn set_receiving(&mut self, conn: ConnectionId, rcv: Receiving) {
        if let Some(c) = self.connections.get_mut(&conn) {
            c.receiving = Some(rcv);
        }
    }

    fn on_data(&mut self, conn: ConnectionId, data: Bytes) {
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        let Some(Receiving {
            target:
                Target::Chunk {
                    session,
                    cursor,
                    received,
                    answered: false,
                    ..
                },
            ..
        }) = &mut c.receiving
        else {
            return;
        };
        let (sid, mid) = (*session, cursor.message_id());
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        if s.unreleased.saturating_add(data.len()) > s.config.receive_window {
            // A reader that does not keep up fails its own message, not the connection.
            return self.refuse_incoming(sid, mid, StatusCode::TooLarge);
        }
        *received += data.len() as u64;
        if let Err(e) = s.reassembler.data(cursor, data) {
            self.drain_outputs(sid);
            return self.answer_receiving(conn, e.status());
        }
        self.drain_outputs(sid);
    }

    /// Answers the request being received on `conn` now with an error, and drops the rest
    /// of its body.
    pub(super) fn answer_receiving(&mut self, conn: ConnectionId, status: StatusCode) {
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        let Some(rcv) = c.receiving.take() else {
            return;
        };
        let local = match &rcv.target {
            Target::Chunk { session, .. } => {
                self.sessions.get(session).map(|s| s.local_path.clone())
            }
            _ => None,
        };
        if let Some(local) = local {
            self.respond(conn, &rcv, status, local);
        }
        let mut rcv = rcv;
        if let Target::Chunk { answered, .. } = &mut rcv.target {
            *answered = true;
        }
        self.set_receiving(conn, rcv);
    }

    fn on_end(&mut self, conn: ConnectionId, flag: Flag) {
        let Some(rcv) = self
            .connections
            .get_mut(&conn)
            .and_then(|c| c.receiving.take())
        else {
            return;
        };
        match &rcv.target {
            Target::Discard => {}
            Target::Bodiless { session } => {
                if let Some(local) = self.sessions.get(session).map(|s| s.local_path.clone()) {
                    self.respond(conn, &rcv, StatusCode::Ok, local);
                }
            }
            Target::Report { session, headers } => self.on_report(*session, headers),
            Target::Chunk {
                session,
                cursor,
                start,
                received,
                answered,
            } => {
                let sid = *session;
                let Some(s) = self.sessions.get_mut(&sid) else {
                    return;
                };
                let local = s.local_path.clone();
                if *answered {
                    return;
                }
                let mid = cursor.message_id();
                let info = s
                    .incoming
                    .get(&mid)
                    .map(|i| (i.success, i.total, i.from_path.clone()));
                let result = s.reassembler.end(*cursor, flag);
                let status = result.map_or_else(|e| e.status(), |()| StatusCode::Ok);
                self.respond(conn, &rcv, status, local);
                let incremental = self
                    .sessions
                    .get(&sid)
                    .is_some_and(|s| s.config.success_reports == SuccessReports::Incremental);
                if let (Some((SuccessReport::Yes, total, from)), true, true) =
                    (info, incremental, status.is_success())
                {
                    if *received > 0 {
                        let range = ByteRange::new(*start, Some(start + received - 1), total).ok();
                        self.queue_report(sid, from, mid, range, StatusCode::Ok);
                    }
                }
                self.drain_outputs(sid);
            }
        }
    }

    fn on_rejected(&mut self, conn: ConnectionId, rej: Rejection) {
        let rcv = self
            .connections
            .get_mut(&conn)
            .and_then(|c| c.receiving.take());
        let status = rej.error.status();
        if let Some(rcv) = rcv {
            // Rejected after its head (a size limit in the body).
            if let Target::Chunk {
                session,
                cursor,
                answered: false,
                ..
            } = &rcv.target
            {
                let (sid, mid) = (*session, cursor.message_id());
                if let Some(s) = self.sessions.get_mut(&sid) {
                    s.reassembler.fail(mid);
                    let local = s.local_path.clone();
                    if s.incoming.remove(&mid).is_some() {
                        s.remember_refused(mid, status);
                        self.events.push_back(Event::MessageFailed {
                            session: sid,
                            message_id: mid,
                            outgoing: false,
                            error: MessageError::Refused(status),
                        });
                    }
                    self.respond(conn, &rcv, status, local);
                }
            }
            return;
        }
        let (Some(method), Some(from_path), Some(to_path)) =
            (rej.method, rej.from_path, rej.to_path)
        else {
            return;
        };
        if method == Method::Report {
            return;
        }
        let rcv = Receiving {
            tid: rej.transaction_id,
            is_send: method == Method::Send,
            method_is_report: false,
            from_path,
            failure: rej.headers.failure_report(),
            target: Target::Discard,
        };
        self.respond(conn, &rcv, status, Path::new(to_path.last().clone()));
    }
}
