//! Handing received content to the application, and refusing messages (RFC 4975 §7.1.3,
//! §7.1.4, §7.3.1).

use super::connection::Target;
use super::event::{Event, MessageError, SessionId};
use super::{Endpoint, SuccessReports};
use crate::header::{ByteRange, FailureReport, SuccessReport};
use crate::ident::MessageId;
use crate::reassembly::Output;
use crate::status::StatusCode;
use crate::uri::Path;

impl Endpoint {
    pub(super) fn queue_report(
        &mut self,
        sid: SessionId,
        to: Path,
        mid: MessageId,
        range: Option<ByteRange>,
        status: StatusCode,
    ) {
        let Some(s) = self.sessions.get(&sid) else {
            return;
        };
        let bytes = s.report(&mut self.ids, to, mid, range, status);
        if let Some(c) = s.connection.and_then(|c| self.connections.get_mut(&c)) {
            c.push_control(bytes);
        }
    }

    /// Turns reassembler outputs into events (and completion REPORTs).
    pub(super) fn drain_outputs(&mut self, sid: SessionId) {
        loop {
            let Some(s) = self.sessions.get_mut(&sid) else {
                return;
            };
            let Some(out) = s.reassembler.poll_output() else {
                return;
            };
            match out {
                Output::Write {
                    message_id,
                    offset,
                    data,
                } => {
                    s.unreleased += data.len();
                    self.events.push_back(Event::Data {
                        session: sid,
                        message_id,
                        offset,
                        data,
                    });
                }
                Output::Deliver { message_id, data } => {
                    s.unreleased += data.len();
                    let offset = s.incoming.get_mut(&message_id).map_or(0, |i| {
                        i.delivered += data.len() as u64;
                        i.delivered - data.len() as u64
                    });
                    self.events.push_back(Event::Data {
                        session: sid,
                        message_id,
                        offset,
                        data,
                    });
                }
                Output::Complete { message_id, size } => {
                    let info = s.incoming.remove(&message_id);
                    let on_completion = s.config.success_reports == SuccessReports::OnCompletion;
                    if let Some(i) = info.filter(|i| i.success == SuccessReport::Yes) {
                        if on_completion {
                            let range = ByteRange::new(1, Some(size), Some(size)).ok();
                            self.queue_report(sid, i.from_path, message_id, range, StatusCode::Ok);
                        }
                    }
                    self.events.push_back(Event::MessageReceived {
                        session: sid,
                        message_id,
                        size,
                    });
                }
                Output::Aborted { message_id } => {
                    s.incoming.remove(&message_id);
                    self.events.push_back(Event::MessageFailed {
                        session: sid,
                        message_id,
                        outgoing: false,
                        error: MessageError::Aborted,
                    });
                }
                Output::Failed { message_id, error } => {
                    s.incoming.remove(&message_id);
                    s.remember_refused(message_id, error.status());
                    self.events.push_back(Event::MessageFailed {
                        session: sid,
                        message_id,
                        outgoing: false,
                        error: MessageError::Reassembly(error),
                    });
                }
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
    }

    /// Refuses an incoming message with `status` (413 from the application or a full receive
    /// window): the chunk being received is answered at once; otherwise a failure REPORT
    /// goes out. Later chunks get the same status.
    pub(super) fn refuse_incoming(&mut self, sid: SessionId, mid: MessageId, status: StatusCode) {
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        s.reassembler.fail(mid);
        let info = s.incoming.remove(&mid);
        s.remember_refused(mid, status);
        self.events.push_back(Event::MessageFailed {
            session: sid,
            message_id: mid,
            outgoing: false,
            error: MessageError::Refused(status),
        });
        let conn = s.connection;
        let in_progress = conn
            .and_then(|c| self.connections.get(&c))
            .and_then(|c| c.receiving.as_ref())
            .is_some_and(|r| {
                matches!(&r.target, Target::Chunk { session, cursor, answered: false, .. }
                    if *session == sid && cursor.message_id() == mid)
            });
        match (conn, info) {
            (Some(conn), _) if in_progress => self.answer_receiving(conn, status),
            (Some(_), Some(i)) if i.failure != FailureReport::No => {
                let range = ByteRange::new(1, None, i.total).ok();
                self.queue_report(sid, i.from_path, mid, range, status);
            }
            _ => {}
        }
    }
}
