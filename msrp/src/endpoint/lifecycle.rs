//! How messages and sessions end: failures, aborts, answered chunks, completion.

use super::Endpoint;
use super::event::{Event, MessageError, SessionError, SessionId};
use crate::header::{FailureReport, SuccessReport};
use crate::ident::MessageId;

impl Endpoint {
    pub(super) fn fail_session(&mut self, session: SessionId, error: SessionError) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        if s.failed {
            return;
        }
        s.failed = true;
        let outgoing: Vec<MessageId> = s.outgoing.iter().map(|m| m.id).collect();
        let incoming: Vec<MessageId> = s.incoming.keys().copied().collect();
        for id in incoming {
            s.reassembler.fail(id);
            s.incoming.remove(&id);
            self.events.push_back(Event::MessageFailed {
                session,
                message_id: id,
                outgoing: false,
                error: MessageError::SessionEnded,
            });
        }
        for id in outgoing {
            self.fail_outgoing(session, id, MessageError::SessionEnded);
        }
        self.events
            .push_back(Event::SessionFailed { session, error });
    }

    /// Stops an outgoing message with `error` (reported once).
    pub(super) fn fail_outgoing(
        &mut self,
        session: SessionId,
        message: MessageId,
        error: MessageError,
    ) {
        let Some(m) = self
            .sessions
            .get_mut(&session)
            .and_then(|s| s.outgoing_mut(message))
        else {
            return;
        };
        if m.stop.is_none() {
            m.stop = Some(Some(error));
        }
        self.flush_stopped(session);
    }

    /// Removes the stopped outgoing messages of `session`. An open chunk of one ends with `#`
    /// at once (its end-line goes before anything else queued); one that sent chunks but has
    /// none open gets an empty `#` chunk (RFC 4975 §7.1, §10.5).
    pub(super) fn flush_stopped(&mut self, session: SessionId) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        let mut conn = s.connection.and_then(|c| self.connections.get_mut(&c));
        let mut i = 0;
        while i < s.outgoing.len() {
            if s.outgoing[i].stop.is_none() {
                i += 1;
                continue;
            }
            let mut m = s.outgoing.remove(i);
            if let Some(c) = conn.as_deref_mut() {
                c.refill_needed = true;
            }
            if let Some(Some(error)) = m.stop {
                self.events.push_back(Event::MessageFailed {
                    session,
                    message_id: m.id,
                    outgoing: true,
                    error,
                });
            }
            let open = m.sender.in_chunk();
            if !m.started || m.sender.is_done() {
                continue;
            }
            let Some(bytes) = m.sender.abort(&mut self.ids) else {
                continue;
            };
            if let Some(c) = conn.as_deref_mut() {
                if open {
                    c.control_bytes += bytes.len();
                    c.control.push_front(bytes);
                    if c.current
                        .is_some_and(|(cs, cm)| cs == session && cm == m.id)
                    {
                        c.current = None;
                    }
                } else {
                    c.push_control(bytes);
                }
            }
        }
    }

    /// Checks the engine's internal bounds (fuzzing and tests): pulled content, queues and
    /// per-session state stay within the configured limits.
    #[cfg(any(fuzzing, test))]
    pub(crate) fn assert_invariants(&self) {
        for (id, c) in &self.connections {
            let queued = self.connection_queued(c);
            let per_message: u64 = c
                .sending
                .iter()
                .filter_map(|s| self.sessions.get(s))
                .map(|s| s.config.send_buffer as u64)
                .max()
                .unwrap_or(0);
            assert!(
                queued <= self.config.write_queue_limit as u64 + per_message,
                "{id}: {queued} bytes of content pulled"
            );
            assert!(
                c.failed || c.control_bytes <= self.config.control_queue_limit,
                "{id}: control queue of {} bytes",
                c.control_bytes
            );
            assert!(c.pending.len() <= self.config.max_pending_transactions + 1);
            if let Some((sid, mid)) = c.current {
                let open = self
                    .sessions
                    .get(&sid)
                    .and_then(|s| s.outgoing.iter().find(|m| m.id == mid))
                    .is_some_and(|m| m.sender.in_chunk());
                assert!(open, "{id}: the current chunk is not open");
            }
        }
        assert!(self.sessions.len() <= self.config.max_sessions);
        for s in self.sessions.values() {
            assert!(s.incoming.len() <= s.config.reassembly.max_messages);
            assert!(s.refused.len() <= super::session::RECENT);
            assert!(s.recent_sent.len() <= super::session::RECENT);
        }
    }

    /// A chunk's transaction got its answer (or timed out).
    pub(super) fn chunk_answered(&mut self, session: SessionId, message: MessageId) {
        if let Some(m) = self
            .sessions
            .get_mut(&session)
            .and_then(|s| s.outgoing_mut(message))
        {
            m.pending = m.pending.saturating_sub(1);
        }
        self.check_sent(session, message);
    }

    /// Reports an outgoing message sent once its last chunk is out and answered.
    pub(super) fn check_sent(&mut self, session: SessionId, message: MessageId) {
        let Some(s) = self.sessions.get_mut(&session) else {
            return;
        };
        let Some(pos) = s.outgoing.iter().position(|m| m.id == message) else {
            return;
        };
        let m = &s.outgoing[pos];
        if m.stop.is_some() || !m.sender.is_done() || m.pending > 0 {
            return;
        }
        let m = s.outgoing.remove(pos);
        if let Some(c) = s.connection.and_then(|c| self.connections.get_mut(&c)) {
            c.refill_needed = true;
        }
        if m.reports.success == SuccessReport::Yes || m.reports.failure != FailureReport::No {
            s.remember_sent(m.id);
        }
        self.events.push_back(Event::MessageSent {
            session,
            message_id: message,
        });
    }
}
