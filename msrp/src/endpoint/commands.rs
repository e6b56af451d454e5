//! Application commands on outgoing and incoming messages.

use std::time::Instant;

use bytes::Bytes;

use super::session::Outgoing;
use super::{Endpoint, MessageError, ReportOptions, SessionId, UserError};
use crate::header::Text;
use crate::ident::MessageId;
use crate::sender::{ChunkSender, MessageTemplate};
use crate::status::StatusCode;

impl Endpoint {
    /// An outgoing message of a session, or the caller's mistake.
    fn outgoing_message(
        &mut self,
        session: SessionId,
        message_id: MessageId,
    ) -> Result<&mut Outgoing, UserError> {
        self.sessions
            .get_mut(&session)
            .ok_or(UserError::UnknownSession)?
            .outgoing_mut(message_id)
            .ok_or(UserError::UnknownMessage)
    }

    /// Starts an outgoing message with the session's default report settings; see
    /// [`send_message_with`](Self::send_message_with).
    pub fn send_message(
        &mut self,
        now: Instant,
        session: SessionId,
        content_type: Text,
        size: Option<u64>,
    ) -> Result<MessageId, UserError> {
        let reports = self
            .sessions
            .get(&session)
            .ok_or(UserError::UnknownSession)?
            .config
            .default_reports;
        self.send_message_with(now, session, content_type, size, reports)
    }

    /// Starts an outgoing message of `size` bytes (`None`: unknown, end it with
    /// [`finish`](Self::finish)). Content is asked for with [`Event::ContentWanted`](super::Event::ContentWanted) once the
    /// session is bound.
    pub fn send_message_with(
        &mut self,
        now: Instant,
        session: SessionId,
        content_type: Text,
        size: Option<u64>,
        reports: ReportOptions,
    ) -> Result<MessageId, UserError> {
        self.tick(now);
        let id = MessageId::generate(&mut self.ids);
        let s = self
            .sessions
            .get_mut(&session)
            .ok_or(UserError::UnknownSession)?;
        if s.failed {
            // Nothing would ever send it or fail it (RFC 4975 §5.4: recover with new SDP).
            return Err(UserError::SessionFailed);
        }
        if s.is_refused_type(&content_type) {
            return Err(UserError::MediaTypeRefused);
        }
        let mut template = MessageTemplate::new(
            s.remote_path.clone(),
            s.local_path.clone(),
            id,
            content_type.clone(),
        );
        template.success_report = reports.success;
        template.failure_report = reports.failure;
        let buffer = s.config.send_buffer;
        let mut sender = ChunkSender::new(template, size, buffer);
        let finished = size == Some(0);
        if finished {
            // Pushing nothing always succeeds; finishing an empty message of size 0 too.
            let _ = sender.finish();
        }
        s.outgoing.push(Outgoing {
            id,
            content_type,
            sender,
            size,
            reports,
            asked: 0,
            provided: 0,
            finished,
            pending: 0,
            chunk_start: 1,
            started: false,
            answered_early: None,
            stop: None,
        });
        self.mark_sending(session);
        // Asked for at once, even while the session's connection writes nothing (a chunk
        // of another message left open waiting for its content).
        self.needs_refill(session);
        if let Some(conn) = self.session_connection(session) {
            self.refill_connection(conn);
        }
        Ok(id)
    }

    /// Hands over the next piece of a message's content (answering
    /// [`Event::ContentWanted`](super::Event::ContentWanted)); pieces follow each other in order. With a declared size,
    /// the last piece completes the content.
    pub fn provide(
        &mut self,
        now: Instant,
        session: SessionId,
        message_id: MessageId,
        data: Bytes,
    ) -> Result<(), UserError> {
        self.tick(now);
        let m = self.outgoing_message(session, message_id)?;
        if m.stop.is_some() {
            // The message stopped (refused or aborted); its content is no longer wanted.
            return Ok(());
        }
        if m.finished {
            // An empty piece answering a request that was queued before `finish` is harmless.
            return if data.is_empty() {
                Ok(())
            } else {
                Err(UserError::ContentComplete)
            };
        }
        let len = data.len() as u64;
        m.sender.push(data).map_err(|_| UserError::TooMuchContent)?;
        m.provided += len;
        m.asked = m.asked.max(m.provided);
        if m.size == Some(m.provided) {
            m.finished = true;
            // The declared size is reached, so finishing cannot fail.
            let _ = m.sender.finish();
        }
        self.needs_refill(session);
        if let Some(conn) = self.session_connection(session) {
            self.refill_connection(conn);
        }
        Ok(())
    }

    /// Declares a message's content complete (needed only when its size was not declared).
    pub fn finish(
        &mut self,
        now: Instant,
        session: SessionId,
        message_id: MessageId,
    ) -> Result<(), UserError> {
        self.tick(now);
        let m = self.outgoing_message(session, message_id)?;
        if m.finished || m.stop.is_some() {
            return Ok(());
        }
        m.sender.finish().map_err(|_| UserError::ShortContent)?;
        m.finished = true;
        m.asked = m.provided;
        Ok(())
    }

    /// Aborts an outgoing message: an open chunk ends with `#`; if chunks went out but none
    /// is open, an empty `#` chunk tells the receiver (RFC 4975 §7.1).
    pub fn abort(
        &mut self,
        now: Instant,
        session: SessionId,
        message_id: MessageId,
    ) -> Result<(), UserError> {
        self.tick(now);
        let m = self.outgoing_message(session, message_id)?;
        m.stop.get_or_insert(Some(MessageError::Aborted));
        self.flush_stopped(session);
        self.enforce_control_limit();
        Ok(())
    }

    /// Refuses an incoming message (the receiver's abort): the chunk being received is
    /// answered 413 at once and the rest of the message is dropped; between chunks, a
    /// failure REPORT with 413 goes out (unless the sender asked for no failure reports), and
    /// later chunks get 413 (RFC 4975 §10.5).
    pub fn reject(
        &mut self,
        now: Instant,
        session: SessionId,
        message_id: MessageId,
    ) -> Result<(), UserError> {
        self.tick(now);
        if !self
            .sessions
            .get(&session)
            .ok_or(UserError::UnknownSession)?
            .incoming
            .contains_key(&message_id)
        {
            return Err(UserError::UnknownMessage);
        }
        self.refuse_incoming(session, message_id, StatusCode::TooLarge);
        self.enforce_control_limit();
        Ok(())
    }

    /// Releases `n` received bytes of `session` that the application has used, reopening
    /// its [receive window](super::SessionConfig::receive_window).
    pub fn release(&mut self, session: SessionId, n: usize) {
        if let Some(s) = self.sessions.get_mut(&session) {
            s.unreleased = s.unreleased.saturating_sub(n);
        }
    }
}
