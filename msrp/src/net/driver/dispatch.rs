//! The driver task's reactions: reports of the I/O tasks and events of the engine.

use std::time::Instant;

use super::{Incoming, Internal, State, Waiter, end_item};
use crate::endpoint::{ConnectionId, Event, SessionId};
use crate::ident::MessageId;
use crate::net::io::SinkItem;
use crate::net::{CloseReason, NetError, NetEvent, TransferError};

impl State {
    pub(super) fn internal(&mut self, report: Internal) {
        let now = Instant::now();
        match report {
            Internal::Accepted { stream, peer } => {
                // While the application is this far behind on events, new connections are
                // refused (dropped), so a peer churning connections cannot grow the backlog.
                if self.events.len() >= self.config.event_capacity {
                    return;
                }
                if let Some(connection) = self.add_connection(stream, None) {
                    self.events
                        .push_back(NetEvent::ConnectionAccepted { connection, peer });
                }
            }
            Internal::Connected { key, result } => {
                let waiters = self.connecting.remove(&key).unwrap_or_default();
                let conn = match result {
                    Ok(stream) => match self.add_connection(stream, Some(key.clone())) {
                        Some(conn) => Ok(conn),
                        None => Err(None),
                    },
                    Err(e) => Err(Some(e)),
                };
                match conn {
                    Ok(conn) => {
                        self.by_peer.insert(key.clone(), conn);
                        for waiter in waiters {
                            match waiter {
                                Waiter::Session(session, reply) => {
                                    let result = self.ep.bind(now, session, conn).map(|()| conn);
                                    let _ = reply.send(result.map_err(NetError::from));
                                }
                                #[cfg(all(feature = "relay", feature = "tls"))]
                                Waiter::Registration(id) => {
                                    self.relay_connected(id, &key, Ok(conn))
                                }
                            }
                        }
                    }
                    Err(e) => {
                        let limit = self.config.endpoint.max_connections;
                        for waiter in waiters {
                            let reply = match waiter {
                                Waiter::Session(_, reply) => reply,
                                #[cfg(all(feature = "relay", feature = "tls"))]
                                Waiter::Registration(id) => {
                                    let discovery = match &e {
                                        Some(NetError::RelayDiscovery(d)) => Some(d.clone()),
                                        _ => None,
                                    };
                                    self.relay_connected(id, &key, Err(discovery));
                                    continue;
                                }
                            };
                            let error =
                                match &e {
                                    Some(e) => e.duplicate(),
                                    // Opened, but the engine refused one more connection.
                                    None => NetError::User(
                                        crate::endpoint::UserError::TooManyConnections { limit },
                                    ),
                                };
                            let _ = reply.send(Err(error));
                        }
                    }
                }
            }
            Internal::Input { connection, data } => {
                // Unknown connection: it closed meanwhile; its bytes no longer matter.
                if let Some(c) = self.conns.get_mut(&connection) {
                    c.last_activity = now;
                    let _ = self.ep.handle_input(now, connection, &data);
                }
                self.read_done(connection);
            }
            Internal::Closed { connection, reason } => self.close(connection, reason),
            Internal::Provide {
                session,
                message_id,
                data,
                eof,
            } => {
                if let Some(m) = self.outgoing.get_mut(&(session, message_id)) {
                    m.provided += data.len() as u64;
                }
                // A message that failed meanwhile no longer wants content; errors say so.
                let _ = self.ep.provide(now, session, message_id, data);
                if eof {
                    let _ = self.ep.finish(now, session, message_id);
                }
            }
            Internal::SourceFailed {
                session,
                message_id,
                error,
            } => {
                if let Some(m) = self.outgoing.remove(&(session, message_id)) {
                    let _ = m.done.send(Err(error));
                }
                let _ = self.ep.abort(now, session, message_id);
            }
            Internal::Release {
                session,
                message_id,
                n,
            } => self.sink_released(session, message_id, n),
            Internal::SinkFailed {
                session,
                message_id,
            } => {
                self.incoming.remove(&(session, message_id));
                let _ = self.ep.reject(now, session, message_id);
            }
            Internal::SinkDone {
                session,
                message_id,
            } => {
                self.sinks.remove(&(session, message_id));
            }
        }
    }

    pub(super) fn event(&mut self, event: Event) {
        match event {
            Event::ContentWanted {
                session,
                message_id,
                len,
                ..
            } => {
                let sent = self
                    .outgoing
                    .get(&(session, message_id))
                    .is_some_and(|m| m.wanted.send(len).is_ok());
                if !sent {
                    let _ = self.ep.abort(Instant::now(), session, message_id);
                }
            }
            Event::MessageSent {
                session,
                message_id,
            } => {
                if let Some(m) = self.outgoing.remove(&(session, message_id)) {
                    let _ = m.done.send(Ok(m.provided));
                }
            }
            Event::MessageFailed {
                session,
                message_id,
                outgoing: true,
                error,
            } => {
                if let Some(m) = self.outgoing.remove(&(session, message_id)) {
                    let _ = m.done.send(Err(error.into()));
                }
            }
            Event::MessageFailed {
                session,
                message_id,
                error,
                ..
            } => self.incoming_end(session, message_id, Err(error.into())),
            Event::MessageStarted {
                session,
                message_id,
                content_type,
                size,
            } => {
                // Nobody can hear of it (the event receiver was dropped): refused (413).
                // Otherwise it is announced even past the limits (the engine refuses new
                // messages once they are reached, see `admission`; only the messages of
                // one read can pass it), so a message the engine already acknowledged is
                // never dropped unannounced.
                if self.listener.is_closed() {
                    let _ = self.ep.reject(Instant::now(), session, message_id);
                    return;
                }
                self.incoming.insert(
                    (session, message_id),
                    Incoming {
                        sink: None,
                        held: Vec::new(),
                        end: None,
                        announced: Instant::now(),
                        expired: false,
                    },
                );
                self.events.push_back(NetEvent::Incoming {
                    session,
                    message_id,
                    content_type,
                    size,
                });
            }
            Event::Data {
                session,
                message_id,
                offset,
                data,
            } => match self.incoming.get_mut(&(session, message_id)) {
                Some(Incoming { sink: Some(tx), .. }) => {
                    let n = data.len();
                    match tx.send(SinkItem::Data(offset, data)) {
                        Ok(()) => self.sink_queued(session, Some(message_id), n),
                        // The sink failed meanwhile (its SinkFailed report is on the way):
                        // nothing will write these bytes, so they are not counted.
                        Err(_) => self.ep.release(session, n),
                    }
                }
                // Held until accepted, and counted like bytes in a sink: the connection
                // is not read further until the application answers.
                Some(m) => {
                    let n = data.len();
                    m.held.push((offset, data));
                    // Counted for the message when it is accepted.
                    self.sink_queued(session, None, n);
                }
                None => self.ep.release(session, data.len()),
            },
            Event::MessageReceived {
                session,
                message_id,
                size,
            } => self.incoming_end(session, message_id, Ok(size)),
            Event::SessionBound {
                session,
                connection,
            } => self.events.push_back(NetEvent::SessionBound {
                session,
                connection,
            }),
            Event::SessionFailed { session, error } => {
                self.events
                    .push_back(NetEvent::SessionFailed { session, error });
            }
            Event::ConnectionFailed { connection, error } => {
                self.close(connection, CloseReason::Engine(error));
            }
            #[cfg(all(feature = "relay", feature = "tls"))]
            Event::ResponseReceived {
                connection,
                response,
            } => self.relay_response(connection, &response),
            _ => {}
        }
    }

    pub(super) fn incoming_end(
        &mut self,
        session: SessionId,
        message_id: MessageId,
        end: Result<u64, TransferError>,
    ) {
        let key = (session, message_id);
        let Some(m) = self.incoming.get_mut(&key) else {
            return;
        };
        match &m.sink {
            Some(tx) => {
                let _ = tx.send(end_item(end));
                self.incoming.remove(&key);
            }
            None => {
                let expired = m.expired;
                let mut n = 0;
                if end.is_err() {
                    // Held bytes are no longer needed.
                    n = m.held.drain(..).map(|(_, d)| d.len()).sum();
                }
                m.end = Some(end);
                if expired {
                    self.incoming.remove(&key);
                }
                if n > 0 {
                    self.sink_released(session, message_id, n);
                }
            }
        }
    }

    /// `n` received bytes of `session` went to the accepted sink of `message_id` (or are
    /// held for a message not yet accepted: `None`).
    pub(super) fn sink_queued(
        &mut self,
        session: SessionId,
        message_id: Option<MessageId>,
        n: usize,
    ) {
        if let Some(s) = message_id.and_then(|m| self.sinks.get_mut(&(session, m))) {
            s.unwritten += n;
        }
        let Some(conn) = self.ep.session_connection(session) else {
            return;
        };
        if let Some(c) = self.conns.get_mut(&conn) {
            c.in_sinks += n;
            // Remembered so the bytes are counted back even if the session goes first.
            self.sink_conn.insert(session, conn);
        }
    }

    /// A sink wrote (or dropped) `n` bytes of `session`: the engine's receive window and
    /// the connection's reads reopen.
    pub(super) fn sink_released(&mut self, session: SessionId, message_id: MessageId, n: usize) {
        if let Some(s) = self.sinks.get_mut(&(session, message_id)) {
            s.unwritten = s.unwritten.saturating_sub(n);
        }
        self.ep.release(session, n);
        let pause = self.config.input_pause;
        if let Some(c) = self
            .sink_conn
            .get(&session)
            .and_then(|c| self.conns.get_mut(c))
        {
            c.in_sinks = c.in_sinks.saturating_sub(n);
            if c.in_sinks < pause && c.owed_reads > 0 {
                c.reads.add_permits(c.owed_reads);
                c.owed_reads = 0;
                c.paused_since = None;
            }
        }
    }

    /// A read of `connection` was processed: its reader may read again, unless its sinks
    /// are behind (RFC 4975 has no flow control of its own; TCP's is used instead, so a
    /// slow sink slows the sender rather than failing the message at the receive window).
    pub(super) fn read_done(&mut self, connection: ConnectionId) {
        let pause = self.config.input_pause;
        if let Some(c) = self.conns.get_mut(&connection) {
            if c.in_sinks >= pause {
                c.owed_reads += 1;
                c.paused_since.get_or_insert_with(Instant::now);
            } else {
                c.reads.add_permits(1);
            }
        }
    }
}
