//! What the peer says about our messages: responses and REPORTs (RFC 4975 §7.2, §7.3.2,
//! §10).

use super::Endpoint;
use super::connection::Pending;
use super::event::{ConnectionId, Event, MessageError, SessionError, SessionId};
use crate::header::Headers;
use crate::ident::{MessageId, TransactionId};
use crate::message::Response;
use crate::status::StatusCode;

impl Endpoint {
    /// A REPORT about one of our messages (RFC 4975 §7.3.2); never answered.
    pub(super) fn on_report(&mut self, sid: SessionId, headers: &Headers) {
        let (Some(mid), Some(status)) = (headers.message_id(), headers.status()) else {
            return;
        };
        if status.namespace() != 0 {
            return;
        }
        let Some(s) = self.sessions.get(&sid) else {
            return;
        };
        let in_progress = s.outgoing.iter().any(|m| m.id == mid);
        if !in_progress && !s.recent_sent.contains(&mid) {
            // Unknown Message-IDs are ignored (RFC 4975 §7.1.2).
            return;
        }
        let code = status.code();
        self.events.push_back(Event::Report {
            session: sid,
            message_id: mid,
            status: code,
            byte_range: headers.byte_range(),
        });
        if in_progress && !code.is_success() {
            self.fail_outgoing(sid, mid, MessageError::Report(code));
        }
    }

    pub(super) fn on_response(&mut self, conn: ConnectionId, r: Response) {
        let tid = r.transaction_id;
        let status = r.status;
        let Some(c) = self.connections.get_mut(&conn) else {
            return;
        };
        match c.pending.remove(&tid) {
            Some(Pending::Chunk {
                session,
                message,
                timer,
            }) => {
                if let Some(key) = timer {
                    self.timers.remove(&key);
                }
                if !status.is_success() {
                    self.chunk_error(session, message, status);
                }
                self.chunk_answered(session, message);
            }
            Some(Pending::Bodiless { session, timer }) => {
                if let Some(key) = timer {
                    self.timers.remove(&key);
                }
                if matches!(status.code(), 481 | 506) {
                    self.fail_session(session, SessionError::Rejected(status));
                }
            }
            None if self.take_foreign(conn, tid) => {
                self.events.push_back(Event::ResponseReceived {
                    connection: conn,
                    response: r,
                });
            }
            None => {
                // An early answer to the open chunk, or to a recent one sent with
                // Failure-Report: partial.
                if status.is_success() {
                    if let Some((sid, mid)) = self.open_chunk_of(conn, tid) {
                        if let Some(m) = self
                            .sessions
                            .get_mut(&sid)
                            .and_then(|s| s.outgoing_mut(mid))
                        {
                            m.answered_early = Some(tid);
                        }
                    }
                    return;
                }
                let found = self.open_chunk_of(conn, tid).or_else(|| {
                    self.connections.get(&conn).and_then(|c| {
                        c.recent
                            .iter()
                            .find(|r| r.tid == tid)
                            .map(|r| (r.session, r.message))
                    })
                });
                if let Some((session, message)) = found {
                    self.chunk_error(session, message, status);
                }
            }
        }
    }

    pub(super) fn open_chunk_of(
        &self,
        conn: ConnectionId,
        tid: TransactionId,
    ) -> Option<(SessionId, MessageId)> {
        let (sid, mid) = self.connections.get(&conn)?.current?;
        let m = self
            .sessions
            .get(&sid)?
            .outgoing
            .iter()
            .find(|m| m.id == mid)?;
        (m.sender.transaction_id() == Some(tid)).then_some((sid, mid))
    }

    /// An error response for a chunk of `message` (RFC 4975 §10).
    pub(super) fn chunk_error(&mut self, sid: SessionId, mid: MessageId, status: StatusCode) {
        if matches!(status.code(), 481 | 506) {
            return self.fail_session(sid, SessionError::Rejected(status));
        }
        let Some(s) = self.sessions.get_mut(&sid) else {
            return;
        };
        let content_type = s
            .outgoing_mut(mid)
            .map(|m| m.content_type.clone())
            .or_else(|| {
                let conn = s.connection?;
                let c = self.connections.get(&conn)?;
                c.recent
                    .iter()
                    .find(|r| r.message == mid)
                    .map(|r| r.content_type.clone())
            });
        if status == StatusCode::UnsupportedMediaType {
            // Not sent again in this session (RFC 4975 §10.6).
            if let Some(ct) = &content_type {
                s.refuse_type(ct);
            }
        }
        // A relay's 408 counts as our own timeout (RFC 4975 §10.4).
        let error = if status == StatusCode::RequestTimeout {
            MessageError::Timeout
        } else {
            MessageError::Response(status)
        };
        if s.outgoing.iter().any(|m| m.id == mid) {
            self.fail_outgoing(sid, mid, error);
        } else {
            // Already written in full (Failure-Report: partial does not wait for answers).
            self.events.push_back(Event::MessageFailed {
                session: sid,
                message_id: mid,
                outgoing: true,
                error,
            });
        }
    }
}
