//! The read side: decoding, dispatching requests once routed (module `route`), answering
//! SEND chunks hop by hop (RFC 4976 §6.4.1) and feeding their bodies to the forwarded
//! messages.

use std::time::Instant;

use bytes::{Bytes, BytesMut};

use super::event::{ConnectionError, ForwardFailure, UserError};
use super::route::{Refusal, Route};
use super::state::{
    COPY_BELOW, Forward, ForwardId, Outstanding, Pause, Phase, Receiving, Target, Timer,
};
use super::{ConnectionId, Relay, later};
use crate::decoder::{Frame, Rejection};
use crate::endpoint::{answers, response};
use crate::header::Header;
use crate::ident::TransactionId;
use crate::message::{Flag, Head, Method, Request, encode_end_line};
use crate::sender::{ChunkSender, MessageTemplate};
use crate::status::StatusCode;
use crate::uri::Path;

impl Relay {
    /// Feeds bytes read from `connection`. Call with every read, in order, while
    /// [`readable`](Self::readable); then drain the polls.
    pub fn handle_input(
        &mut self,
        now: Instant,
        connection: ConnectionId,
        data: &[u8],
    ) -> Result<(), UserError> {
        let now = self.tick(now);
        let limit = self.config.input_buffer_limit;
        let c = self
            .connections
            .get_mut(&connection)
            .ok_or(UserError::UnknownConnection)?;
        if c.paused.is_some() && c.buf.len().saturating_add(data.len()) > limit {
            return Err(UserError::InputPaused);
        }
        c.buf.extend_from_slice(data);
        c.last_activity = now;
        self.decode_loop(now, connection);
        self.enforce_control_limit(now);
        Ok(())
    }

    /// Decodes what `conn` has buffered until it runs out or pauses.
    pub(super) fn decode_loop(&mut self, now: Instant, conn: ConnectionId) {
        loop {
            let Some(c) = self.connections.get_mut(&conn) else {
                return;
            };
            if c.paused.is_some() || c.phase != Phase::Open {
                return;
            }
            match c.decoder.decode(&mut c.buf) {
                Ok(Some(frame)) => self.on_frame(now, conn, frame),
                Ok(None) => return,
                Err(e) => {
                    self.drop_connection(now, conn, Some(ConnectionError::Framing(e)));
                    return;
                }
            }
        }
    }

    fn on_frame(&mut self, now: Instant, conn: ConnectionId, frame: Frame) {
        match frame {
            Frame::Head(Head::Request(r)) => self.on_request(now, conn, r),
            Frame::Head(Head::Response(r)) => self.on_response(now, conn, r),
            Frame::Data(d) => self.on_data(now, conn, d),
            Frame::End(flag) => self.on_end(now, conn, flag),
            Frame::Rejected(r) => self.on_rejected(now, conn, r),
            // Frame is non-exhaustive; nothing else exists today.
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    /// Queues `bytes` on `conn`'s control queue.
    pub(super) fn push_control(&mut self, conn: ConnectionId, bytes: Bytes) {
        if let Some(c) = self.connections.get_mut(&conn) {
            c.push_control(bytes);
        }
    }

    /// Answers the request `rcv` on `conn` with `status` if the Failure-Report rules ask
    /// for it (REPORTs are never answered).
    pub(super) fn respond(&mut self, conn: ConnectionId, rcv: &Receiving, status: StatusCode) {
        if rcv.is_report || !answers(rcv.failure, status) {
            return;
        }
        let bytes = response(
            rcv.tid,
            rcv.is_send,
            &rcv.from_path,
            status,
            rcv.responder.clone(),
        );
        self.push_control(conn, bytes);
    }

    /// Counts an unsuccessful request; too many without a successful one close the
    /// connection (RFC 4976 §6.1).
    pub(super) fn request_failed(&mut self, now: Instant, conn: ConnectionId) {
        let limit = self.config.max_failed_requests;
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        c.failures = c.failures.saturating_add(1);
        if c.accepted && !c.successful && c.failures >= limit {
            self.drop_connection(now, conn, Some(ConnectionError::TooManyFailures));
        }
    }

    pub(super) fn request_succeeded(&mut self, conn: ConnectionId) {
        if let Some(c) = self.connections.get_mut(&conn) {
            c.successful = true;
        }
    }

    fn set_receiving(&mut self, conn: ConnectionId, rcv: Receiving) {
        if let Some(c) = self.connections.get_mut(&conn) {
            c.receiving = Some(rcv);
        }
    }

    fn on_request(&mut self, now: Instant, conn: ConnectionId, r: Request) {
        let mut rcv = Receiving {
            tid: r.transaction_id,
            is_send: r.method == Method::Send,
            is_report: r.method == Method::Report,
            from_path: r.from_path.clone(),
            responder: Path::new(r.to_path.first().clone()),
            failure: r.headers.failure_report(),
            target: Target::Discard,
        };
        let route = match self.route(now, conn, &r) {
            Ok(route) => route,
            Err(Refusal::Drop) => {
                return self.drop_connection(now, conn, Some(ConnectionError::NotAddressedToRelay));
            }
            Err(Refusal::Auth) => {
                rcv.target = Target::Auth {
                    request: Box::new(r),
                };
                return self.set_receiving(conn, rcv);
            }
            Err(Refusal::Answer(status)) => {
                self.stats.requests_refused += 1;
                rcv.target = Target::Answer(status);
                self.set_receiving(conn, rcv);
                return self.request_failed(now, conn);
            }
        };
        rcv.responder = route.responder.clone();
        self.request_succeeded(conn);
        self.learn_alias(conn, r.from_path.first());
        match (&r.method, &r.content_type) {
            (Method::Send, Some(_)) => self.start_chunk(now, conn, r, route, rcv),
            _ => {
                let track = !matches!(r.method, Method::Send | Method::Report);
                let mut request = r;
                request.transaction_id = TransactionId::generate(&mut self.ids);
                request.to_path = route.to_path;
                request.from_path = route.from_path;
                rcv.target = Target::Whole {
                    out: route.out,
                    request: Box::new(request),
                    body: BytesMut::new(),
                    track,
                };
                self.set_receiving(conn, rcv);
            }
        }
    }

    /// The head of a SEND chunk with a body: finds or starts its forwarded message.
    fn start_chunk(
        &mut self,
        now: Instant,
        conn: ConnectionId,
        r: Request,
        route: Route,
        mut rcv: Receiving,
    ) {
        let (Some(mid), Some(content_type)) = (r.headers.message_id(), r.content_type.clone())
        else {
            rcv.target = Target::Answer(StatusCode::Unintelligible);
            return self.set_receiving(conn, rcv);
        };
        let refused = self
            .connections
            .get(&conn)
            .is_some_and(|c| c.failed_messages.contains(&mid));
        if refused {
            // A message that failed here: no more of its chunks (RFC 4975 §10.5).
            rcv.target = Target::Answer(StatusCode::TooLarge);
            return self.set_receiving(conn, rcv);
        }
        let range = r.headers.byte_range();
        let start = range.map_or(1, |b| b.start());
        let fid = match self.by_message.get(&(conn, mid)).copied() {
            Some(fid) => fid,
            None => {
                let per_conn = self.connections.get(&conn).map_or(0, |c| c.forwards_in);
                if self.forwards.len() >= self.config.max_messages
                    || per_conn >= self.config.max_messages_per_connection
                {
                    rcv.target = Target::Answer(StatusCode::TooLarge);
                    return self.set_receiving(conn, rcv);
                }
                let template = MessageTemplate {
                    to_path: route.to_path,
                    from_path: route.from_path,
                    message_id: mid,
                    success_report: r.headers.success_report(),
                    failure_report: rcv.failure,
                    content_type,
                };
                let total = range.and_then(|b| b.total());
                let mut sender = ChunkSender::new(template, total, self.config.message_buffer);
                let extra: Vec<Header> = r
                    .headers
                    .iter()
                    .filter(|h| matches!(h, Header::Other { .. }))
                    .cloned()
                    .collect();
                sender.set_extra_headers(extra);
                let fid = ForwardId(self.handle());
                let idle = self.config.message_idle_timeout;
                self.add_timer(later(now, idle), Timer::MessageIdle(fid));
                self.forwards.insert(
                    fid,
                    Forward {
                        in_conn: conn,
                        out_conn: route.out,
                        message_id: mid,
                        sender,
                        report_to: r.from_path.clone(),
                        responder: route.responder.clone(),
                        failure: rcv.failure,
                        outstanding: Vec::new(),
                        in_sending: false,
                        last_input: now,
                        chunk_start: 1,
                        received_end: 0,
                        reposition: None,
                        out_of_order: false,
                    },
                );
                self.by_message.insert((conn, mid), fid);
                if let Some(c) = self.connections.get_mut(&conn) {
                    c.forwards_in += 1;
                }
                fid
            }
        };
        let Some(f) = self.forwards.get_mut(&fid) else {
            return;
        };
        f.last_input = now;
        let expected = f
            .sender
            .sent()
            .saturating_add(f.sender.queued() as u64)
            .saturating_add(1);
        if start != expected {
            f.out_of_order = true;
        }
        let in_place = start == expected || f.sender.seek(start);
        let same_route = f.out_conn == route.out;
        let beyond_total = f
            .sender
            .total()
            .is_some_and(|t| start.saturating_sub(1) > t);
        rcv.target = Target::Chunk {
            fwd: fid,
            received: 0,
            start,
        };
        self.set_receiving(conn, rcv);
        if !same_route || beyond_total {
            // A route that changed mid-message cannot carry one outgoing stream; a chunk
            // past the declared total is wrong.
            self.fail_forward(now, fid, ForwardFailure::BadChunks);
        } else if !in_place {
            self.reposition(now, conn, fid, start);
        }
    }

    /// A chunk of `fwd` starts at `start` while the bytes before it are still held or their
    /// outgoing chunk is open: its input waits until they are written, however few, in a
    /// chunk closed with `+`, then goes on from `start` in a chunk of its own. The stall
    /// timeout bounds the wait (a next hop that takes nothing).
    fn reposition(&mut self, now: Instant, conn: ConnectionId, fwd: ForwardId, start: u64) {
        let Some(f) = self.forwards.get_mut(&fwd) else {
            return;
        };
        f.reposition = Some(start);
        f.sender.flush();
        let out = f.out_conn;
        let timer = self.add_timer(
            later(now, self.config.stall_timeout),
            Timer::Stall(conn, fwd),
        );
        if let Some(c) = self.connections.get_mut(&conn) {
            c.paused = Some(Pause {
                fwd,
                held: Bytes::new(),
                timer,
            });
        }
        self.mark_sending(fwd, out);
    }

    fn on_data(&mut self, now: Instant, conn: ConnectionId, mut data: Bytes) {
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        let Some(rcv) = &mut c.receiving else {
            return;
        };
        match &mut rcv.target {
            Target::Whole { body, .. } => body.extend_from_slice(&data),
            Target::Auth { .. } | Target::Discard | Target::Answer(_) => {}
            Target::Chunk {
                fwd,
                received,
                start,
            } => {
                let fid = *fwd;
                let Some(f) = self.forwards.get_mut(&fid) else {
                    return;
                };
                f.last_input = now;
                let room = f.sender.room();
                let take = data.len().min(room);
                let held = f
                    .sender
                    .sent()
                    .saturating_add(f.sender.queued() as u64)
                    .saturating_add(take as u64);
                if take < data.len() && f.sender.total().is_some_and(|t| held >= t) {
                    // Bytes beyond the declared total: waiting would not help.
                    return self.fail_forward(now, fid, ForwardFailure::BadChunks);
                }
                let rest = data.split_off(take);
                if data.len() < COPY_BELOW {
                    data = Bytes::copy_from_slice(&data);
                }
                let pushed = data.len();
                if f.sender.push(data).is_err() {
                    // More than the declared total.
                    return self.fail_forward(now, fid, ForwardFailure::BadChunks);
                }
                *received += pushed as u64;
                self.stats.body_bytes += pushed as u64;
                f.received_end = f
                    .received_end
                    .max(start.saturating_add(*received).saturating_sub(1));
                let out = f.out_conn;
                self.mark_sending(fid, out);
                if !rest.is_empty() {
                    // The message's buffer is full: hold the rest and stop reading this
                    // connection until the next hop takes bytes, or the stall timeout.
                    let at = later(now, self.config.stall_timeout);
                    let timer = self.add_timer(at, Timer::Stall(conn, fid));
                    if let Some(c) = self.connections.get_mut(&conn) {
                        c.paused = Some(Pause {
                            fwd: fid,
                            held: rest,
                            timer,
                        });
                    }
                }
            }
        }
    }

    /// Lists `fwd` in its outgoing connection's round-robin queue.
    pub(super) fn mark_sending(&mut self, fwd: ForwardId, out: ConnectionId) {
        let Some(f) = self.forwards.get_mut(&fwd) else {
            return;
        };
        if f.in_sending {
            return;
        }
        if let Some(c) = self.connections.get_mut(&out) {
            c.sending.push_back(fwd);
            f.in_sending = true;
        }
    }

    fn on_end(&mut self, now: Instant, conn: ConnectionId, flag: Flag) {
        let Some(rcv) = self
            .connections
            .get_mut(&conn)
            .and_then(|c| c.receiving.take())
        else {
            return;
        };
        match &rcv.target {
            Target::Discard => {}
            Target::Answer(status) => self.respond(conn, &rcv, *status),
            Target::Auth { request } => {
                let request = request.clone();
                self.on_auth(now, conn, &rcv, *request);
            }
            Target::Whole {
                out,
                request,
                body,
                track,
            } => {
                let (out, track) = (*out, *track);
                let mut request = request.clone();
                // From-Path as received holds the client alone when it is directly connected.
                let credentials = request.method == Method::Auth
                    && rcv.from_path.len() == 1
                    && request.headers.get("Authorization").is_some();
                let bytes = self.encode_whole(&mut request, body, flag);
                if track {
                    let timer = self.add_timer(
                        later(now, self.config.response_timeout),
                        Timer::Response(out, request.transaction_id),
                    );
                    if let Some(c) = self.connections.get_mut(&out) {
                        c.pending += 1;
                    }
                    self.outstanding.insert(
                        (out, request.transaction_id),
                        Outstanding::Request {
                            in_conn: conn,
                            tid: rcv.tid,
                            from_path: rcv.from_path.clone(),
                            responder: rcv.responder.clone(),
                            timer: Some(timer),
                            credentials,
                        },
                    );
                }
                self.push_control(out, bytes);
                self.stats.requests_forwarded += 1;
                if rcv.is_send {
                    // A bodiless SEND is answered hop by hop too.
                    self.respond(conn, &rcv, StatusCode::Ok);
                }
            }
            Target::Chunk { fwd, .. } => {
                let fid = *fwd;
                let Some(f) = self.forwards.get_mut(&fid) else {
                    // Failed meanwhile: answered when it failed.
                    return;
                };
                match flag {
                    Flag::Complete if f.out_of_order => {
                        // Chunks came out of order: the last one sent need not end the
                        // body, and the receiver judges whether every byte came.
                        f.sender.end_input();
                    }
                    Flag::Complete => {
                        if f.sender.finish().is_err() {
                            // `$` before the declared total.
                            self.respond(conn, &rcv, StatusCode::Unintelligible);
                            return self.fail_forward(now, fid, ForwardFailure::BadChunks);
                        }
                    }
                    Flag::Aborted => {
                        // The sender aborted: acknowledge the chunk, abort downstream,
                        // report nothing.
                        self.respond(conn, &rcv, StatusCode::Ok);
                        self.abort_forward(fid);
                        return;
                    }
                    Flag::Continued => {}
                }
                let out = f.out_conn;
                self.respond(conn, &rcv, StatusCode::Ok);
                self.mark_sending(fid, out);
                self.check_forward_done(fid);
            }
        }
    }

    /// Encodes a whole forwarded request with a transaction id whose end-line is not in
    /// its body (RFC 4975 §7.1).
    fn encode_whole(&mut self, request: &mut Request, body: &BytesMut, flag: Flag) -> Bytes {
        for _ in 0..8 {
            let mut pattern = b"-------".to_vec();
            pattern.extend_from_slice(request.transaction_id.as_bytes());
            if memchr::memmem::find(body, &pattern).is_none() {
                break;
            }
            request.transaction_id = TransactionId::generate(&mut self.ids);
        }
        let mut out = BytesMut::with_capacity(256 + body.len());
        let has_body = request.content_type.is_some();
        Head::Request(request.clone()).encode(&mut out);
        if has_body {
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(body);
            out.extend_from_slice(b"\r\n");
        }
        encode_end_line(request.transaction_id, flag, &mut out);
        out.freeze()
    }

    fn on_rejected(&mut self, now: Instant, conn: ConnectionId, rej: Rejection) {
        let status = rej.error.status();
        let rcv = self
            .connections
            .get_mut(&conn)
            .and_then(|c| c.receiving.take());
        if let Some(rcv) = rcv {
            // Rejected after its head (a size limit in the body).
            if let Target::Chunk { fwd, .. } = &rcv.target {
                let fid = *fwd;
                self.respond(conn, &rcv, status);
                self.fail_forward(now, fid, ForwardFailure::BadChunks);
            } else if !matches!(rcv.target, Target::Discard) {
                self.respond(conn, &rcv, status);
            }
            return;
        }
        let (Some(method), Some(from_path), Some(to_path)) =
            (rej.method, rej.from_path, rej.to_path)
        else {
            return;
        };
        if !self.is_own(to_path.first()) {
            return self.drop_connection(now, conn, Some(ConnectionError::NotAddressedToRelay));
        }
        let rcv = Receiving {
            tid: rej.transaction_id,
            is_send: method == Method::Send,
            is_report: method == Method::Report,
            from_path,
            responder: Path::new(to_path.first().clone()),
            failure: rej.headers.failure_report(),
            target: Target::Discard,
        };
        self.respond(conn, &rcv, status);
        self.request_failed(now, conn);
    }
}
